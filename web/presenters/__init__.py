"""Presenters: turn the engine's read models into what a template shows, so templates hold markup, not logic.

One module per area. A presenter returns plain values (texts already in the page's language, flags for
the markup to choose from); the template escapes them as usual.
"""

from __future__ import annotations

from flask import Flask

from web.presenters import cases, dashboard


def init_app(app: Flask) -> None:
    """Make the presenters callable from templates, which pass them the read model they already have."""
    app.jinja_env.globals.update(
        history_rows=cases.history_rows,
        figure_title=dashboard.figure_title,
        figure_table=dashboard.figure_table,
    )
