"""Flask extensions, created unbound; ``create_app`` binds them."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import Session

from engine.base.clock import Clock
from engine.modeling.registry import ModelRegistry
from engine.notify.sender import Mailer
from engine.storage.tables import Base

# As the engine's own sessions (engine.storage.db): objects keep their values after a commit, so reading
# an attribute after an engine operation (a case's new row version, the token's user) asks the database
# nothing; the engine locks and reloads (populate_existing) what it writes.
db = SQLAlchemy(metadata=Base.metadata, session_options={"expire_on_commit": False})
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Per web worker, in memory: enough for limits per address on top of the per-account lockout, which
# the database holds for every worker (engine.accounts.login). Behind a proxy, THV_TRUSTED_PROXIES
# makes the address the client's own.
limiter = Limiter(get_remote_address, storage_uri="memory://")  # Retry-After: web/errors.py


def db_session() -> Session:
    """The request's (app context's) SQLAlchemy session, as the engine functions take it.

    ``db.session`` is Flask-SQLAlchemy's scoped_session proxy; calling it gives the Session it
    stands for, the same object every use of the proxy in this app context reaches.
    """
    return db.session()


@dataclass
class EngineContext:
    registry: ModelRegistry
    clock: Clock
    mailer: Mailer | None = None  # sends notification mails from the app's own timer thread (THV_SMTP_URL)


class ThvExtension:
    """Holds the engine's registry and clock for the app; views pass them to the engine."""

    def init_app(self, app: Flask, *, registry: ModelRegistry, clock: Clock, mailer: Mailer | None = None) -> None:
        app.extensions["thv"] = EngineContext(registry=registry, clock=clock, mailer=mailer)

    @property
    def ctx(self) -> EngineContext:
        return current_app.extensions["thv"]


thv = ThvExtension()
