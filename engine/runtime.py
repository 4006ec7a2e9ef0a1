"""What every entry point (CLI, web, worker) needs to run the engine: a database,
a model registry and a clock, all built from the one :class:`~engine.base.settings.Settings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from engine.base.clock import Clock, clock_from_env
from engine.base.settings import Settings
from engine.modeling.registry import ModelRegistry
from engine.storage.db import database_url, make_engine, make_session_factory


@dataclass
class Runtime:
    engine: Engine
    sessions: sessionmaker[Session]
    registry: ModelRegistry
    clock: Clock
    url: str
    mode: str


def runtime_from_settings(settings: Settings) -> Runtime:
    url = database_url(settings)
    engine = make_engine(url)
    return Runtime(
        engine=engine,
        sessions=make_session_factory(engine),
        registry=ModelRegistry(settings.forms_dir),
        clock=clock_from_env(settings),
        url=url,
        mode=settings.mode,
    )


def runtime_from_env(environ: Mapping[str, str] | None = None) -> Runtime:
    """The runtime of the settings in ``environ`` (default: the process environment).

    The settings are checked before anything touches the database.
    """
    return runtime_from_settings(Settings.from_env(environ))
