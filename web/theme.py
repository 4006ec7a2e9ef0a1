"""The look of every page: NL Design System components, the neutral theme, and a region's own theme.

The components (Utrecht component CSS with the NL Design System token map) are bundled by
``make assets`` into web/assets/dist/nlds.css, served as /static/dist/nlds.css. They read design
tokens, which web/static/css/theme-neutraal.css sets on the class ``thv-theme`` of <html>. A region
that sets ``THV_THEME_CSS`` has its file served at a fixed address and linked after the neutral theme,
so its tokens win. The file is read once at start (a file that cannot serve refuses the start, see
engine/base/settings.py); editing it takes a restart.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import Flask, Response, request, url_for

from engine.base.settings import Settings, read_theme_css

REGION_THEME_PATH = "/static/thema/regio.css"
STYLESHEETS = (  # (endpoint, filename) in the order every page links them; the region's theme comes last
    ("built_assets.static", "nlds.css"),
    ("static", "css/app.css"),
    ("static", "css/theme-neutraal.css"),
)


@dataclass(frozen=True)
class RegionTheme:
    text: str
    version: str  # a hash of the text: the page links ?v=…, so a changed theme is fetched after a restart

    def response(self) -> Response:
        response = Response(self.text, mimetype="text/css")
        response.set_etag(self.version)
        response.cache_control.no_cache = True  # revalidated with the ETag: cheap, never stale
        response.make_conditional(request)
        return response


def init_app(app: Flask, settings: Settings) -> None:
    theme = None
    if settings.theme_css is not None:
        text = read_theme_css(settings.theme_css)
        theme = RegionTheme(text, hashlib.sha256(text.encode("utf-8")).hexdigest()[:16])
        app.add_url_rule(REGION_THEME_PATH, "region_theme", theme.response)
    app.extensions["thv_theme"] = theme

    @app.context_processor
    def stylesheets() -> dict[str, object]:
        def links() -> list[str]:
            urls = [url_for(endpoint, filename=filename) for endpoint, filename in STYLESHEETS]
            if theme is not None:
                urls.append(url_for("region_theme", v=theme.version))
            return urls

        return {"stylesheets": links}
