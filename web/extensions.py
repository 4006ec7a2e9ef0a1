"""Flask extensions, created unbound; ``create_app`` binds them."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app
from flask_sqlalchemy import SQLAlchemy

from engine.clock import Clock
from engine.models import Base
from engine.registry import ModelRegistry

db = SQLAlchemy(metadata=Base.metadata)


@dataclass
class EngineContext:
    registry: ModelRegistry
    clock: Clock


class ThvExtension:
    """Holds the engine's registry and clock for the app; views pass them to the engine."""

    def init_app(self, app: Flask, *, registry: ModelRegistry, clock: Clock) -> None:
        app.extensions["thv"] = EngineContext(registry=registry, clock=clock)

    @property
    def ctx(self) -> EngineContext:
        return current_app.extensions["thv"]


thv = ThvExtension()
