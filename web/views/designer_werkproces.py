"""The werkprocesbeschrijving of a version in the designer area: a page, and downloads as Markdown, PDF and Word.

Who may see it is ``engine.design.werkproces.werkproces_for_user`` (a designer or beheerder of the version's
region; another region's version is a 404). The description itself is rendered by the engine with autoescaping
(engine/design/templates/werkproces.html), so the page only places it in the designer layout.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template
from flask.typing import ResponseReturnValue
from flask_login import login_required
from markupsafe import Markup

from engine.base.errors import NotFound
from engine.design.werkproces import werkproces_for_user
from engine.design.werkproces_render import MEDIA_TYPES, render, to_html
from web.extensions import db_session
from web.views.auth import engine_user

bp = Blueprint("designer_werkproces", __name__, url_prefix="/ontwerp")
DOWNLOADS = ("md", "pdf", "docx")


@bp.get("/versies/<id:version_id>/werkproces")
@login_required
def page(version_id: int) -> ResponseReturnValue:
    description = werkproces_for_user(db_session(), engine_user(), version_id)
    body = Markup(to_html(description, fragment=True))
    return render_template("designer/werkproces.html", w=description, body=body, downloads=DOWNLOADS)


@bp.get("/versies/<id:version_id>/werkproces.<fmt>")
@login_required
def download(version_id: int, fmt: str) -> ResponseReturnValue:
    if fmt not in DOWNLOADS:
        raise NotFound(f"de werkprocesbeschrijving bestaat niet als '{fmt[:10]}'; kies md, pdf of docx")
    description = werkproces_for_user(db_session(), engine_user(), version_id)
    response = Response(render(description, fmt), mimetype=MEDIA_TYPES[fmt])
    name = f"werkproces-{description.version.region}-{description.version.variant}-v{description.version.version}.{fmt}"
    response.headers.set("Content-Disposition", "attachment", filename=name)
    response.headers["Cache-Control"] = "no-store"
    return response
