"""What every entry point (CLI, web, worker) needs to run the engine: a database,
a model registry and a clock, all built from explicit configuration.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from engine.base.clock import Clock, clock_from_env
from engine.modeling.forms import FORMS_DIR
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


def runtime_from_env(
    environ: Mapping[str, str] | None = None, *, url: str | None = None, forms_dir: Path | None = None
) -> Runtime:
    env = dict(os.environ if environ is None else environ)
    clock = clock_from_env(env)  # validates THV_MODE too, before anything touches the database
    url = url or database_url(env)
    engine = make_engine(url)
    forms = forms_dir or Path(env.get("THV_FORMS_DIR") or FORMS_DIR)
    return Runtime(
        engine=engine,
        sessions=make_session_factory(engine),
        registry=ModelRegistry(forms),
        clock=clock,
        url=url,
        mode=env.get("THV_MODE", "production"),
    )
