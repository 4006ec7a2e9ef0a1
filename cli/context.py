"""What every ``thv`` command shares: the settings and runtime (built on first use), and JSON in and out.

Kept apart from ``cli.main`` so that the modules of each area (users, privacy, documents, mail, ...) import
it at the top without importing the command group that registers them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from engine.base.errors import InvalidInput
from engine.base.settings import Settings
from engine.runtime import Runtime, runtime_from_settings

CLI_ACTOR = "beheer-cli"


class State:
    """Reads the settings and builds the runtime on first use, so ``thv --help`` and ``thv regions``
    need neither a valid environment nor a database."""

    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._runtime: Runtime | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = Settings.from_env()
        return self._settings

    @property
    def rt(self) -> Runtime:
        if self._runtime is None:
            self._runtime = runtime_from_settings(self.settings)
        return self._runtime


pass_state = click.make_pass_decorator(State, ensure=True)


def emit(value: Any, as_json: bool, text: str | None = None) -> None:
    if as_json:
        click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))
    elif text is not None:
        click.echo(text)


def parse_data(raw: str | None) -> dict[str, Any]:
    """JSON from the option itself, or from a file with ``@path``."""
    if raw is None:
        return {}
    if raw.startswith("@"):
        try:
            raw = Path(raw[1:]).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"--data: kan {raw[1:]} niet lezen ({exc.__class__.__name__})") from None
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"--data is geen geldige JSON: {exc.msg} (positie {exc.pos})") from None
    if not isinstance(value, dict):
        raise InvalidInput("--data moet een JSON-object zijn, bijvoorbeeld '{\"veld\": 1}'")
    return value
