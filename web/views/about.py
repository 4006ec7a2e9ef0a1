"""Pages about the application itself, for anyone (no login): the accessibility statement."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

bp = Blueprint("about", __name__)


@bp.get("/toegankelijkheid")
def accessibility() -> ResponseReturnValue:
    return render_template("about/accessibility.html")
