"""The application's settings: read once from the environment, checked, then passed around.

Every entry point (the ``thv`` command line, the web app, the timer worker) builds one
:class:`Settings` with :meth:`Settings.from_env` and hands it to what it starts: the
database URL, the clock, the forms folder, the session cookies. Nothing else in the
engine, the web app or the CLI reads a ``THV_`` variable. README.md ("Configuration")
lists every variable; tests/cli/test_settings.py checks each one takes effect in the
command line and in the web app alike.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from engine.base.clock import parse_instant
from engine.base.errors import ConfigurationError
from engine.base.mail_settings import MailSettings, mail_settings
from engine.base.paths import FORMS_DIR

MODES = ("production", "development", "test", "training")
LOG_FORMATS = ("json", "text")
FAKE_CLOCK_MODES = frozenset({"test", "training"})  # the only modes in which THV_CLOCK may fix time
DATABASE_SCHEMES = ("sqlite:", "postgresql")
MAX_PROXIES = 5
MAX_THEME_BYTES = 512 * 1024  # a theme is a list of design tokens, not a bundle of images
_TRUE = frozenset({"1", "true", "yes", "on", "ja", "aan"})
_FALSE = frozenset({"0", "false", "no", "off", "nee", "uit"})


@dataclass(frozen=True)
class Settings:
    """What the environment configures; the defaults are those of a production server."""

    mode: str = "production"
    clock: datetime | None = None  # a fixed instant (UTC) instead of real time; test and training only
    database_url: str | None = None  # None: the SQLite file instance/thv.sqlite
    forms_dir: Path = field(default=FORMS_DIR)
    secret_key: str | None = None  # None: a random key per start
    secure_cookies: bool | None = None  # None: Secure cookies in production mode only
    log_format: str | None = None  # json or text; None: json in production, text otherwise
    metrics_token: str | None = None  # bearer token for /metrics; None: /metrics only outside production
    trusted_proxies: int = 0  # reverse proxies in front of the web app whose X-Forwarded-For is believed
    oidc_config: Path | None = None  # single sign-on: the TOML file of engine.accounts.sso; None: local accounts only
    oidc_client_secret: str | None = field(default=None, repr=False)
    theme_css: Path | None = None  # a region's design tokens, linked after the neutral theme; None: neutral only
    mail: MailSettings | None = None  # e-mail notifications (engine.notify); None: no SMTP server, nothing is sent

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ConfigurationError(f"THV_MODE '{self.mode}' is onbekend; kies uit {', '.join(sorted(MODES))}")
        if self.clock is not None and self.mode not in FAKE_CLOCK_MODES:
            raise ConfigurationError(
                f"THV_CLOCK is alleen toegestaan als THV_MODE test of training is (nu: {self.mode})"
            )
        if self.database_url is not None and not self.database_url.startswith(DATABASE_SCHEMES):
            raise ConfigurationError("THV_DATABASE_URL moet een sqlite:- of postgresql-URL zijn")
        if self.log_format is not None and self.log_format not in LOG_FORMATS:
            raise ConfigurationError(f"THV_LOG_FORMAT '{self.log_format}' is onbekend; kies json of text")
        if self.metrics_token is not None and len(self.metrics_token) < 16:
            raise ConfigurationError("THV_METRICS_TOKEN is te kort; gebruik minstens 16 tekens")
        if not 0 <= self.trusted_proxies <= MAX_PROXIES:
            raise ConfigurationError(f"THV_TRUSTED_PROXIES moet een getal van 0 tot en met {MAX_PROXIES} zijn")
        if self.oidc_client_secret and self.oidc_config is None:
            raise ConfigurationError("THV_OIDC_CLIENT_SECRET is gezet zonder THV_OIDC_CONFIG")

    @property
    def effective_log_format(self) -> str:
        return self.log_format or ("json" if self.mode == "production" else "text")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings in ``environ`` (default: the process environment); a bad value is refused in Dutch."""
        env = os.environ if environ is None else environ
        mode = env.get("THV_MODE", "production")
        return cls(
            mode=mode,
            clock=_instant("THV_CLOCK", env.get("THV_CLOCK")),
            database_url=env.get("THV_DATABASE_URL") or None,
            forms_dir=_forms_dir(env.get("THV_FORMS_DIR")),
            secret_key=env.get("THV_SECRET_KEY") or None,
            secure_cookies=_boolean("THV_SECURE_COOKIES", env.get("THV_SECURE_COOKIES")),
            log_format=(env.get("THV_LOG_FORMAT") or "").strip().lower() or None,
            metrics_token=env.get("THV_METRICS_TOKEN") or None,
            trusted_proxies=_count("THV_TRUSTED_PROXIES", env.get("THV_TRUSTED_PROXIES")),
            oidc_config=_file("THV_OIDC_CONFIG", env.get("THV_OIDC_CONFIG")),
            oidc_client_secret=env.get("THV_OIDC_CLIENT_SECRET") or None,
            theme_css=_theme_css(env.get("THV_THEME_CSS")),
            mail=mail_settings(
                mode=mode,
                base_url=env.get("THV_BASE_URL") or None,
                smtp_url=env.get("THV_SMTP_URL") or None,
                password=env.get("THV_SMTP_PASSWORD") or None,
                ca_file=env.get("THV_SMTP_CA_FILE") or None,
                sender=env.get("THV_MAIL_FROM") or None,
                digest=env.get("THV_DIGEST_TIME"),
            ),
        )


def _instant(name: str, value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parse_instant(value)
    except ValueError:
        raise ConfigurationError(f"{name} '{value}' is geen geldig ISO 8601-tijdstip") from None


def _forms_dir(value: str | None) -> Path:
    if not value:
        return FORMS_DIR
    path = Path(value).expanduser()
    if not path.is_dir():
        raise ConfigurationError(f"THV_FORMS_DIR '{value}' is geen bestaande map")
    return path


def _file(name: str, value: str | None) -> Path | None:
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_file():
        raise ConfigurationError(f"{name} '{value}' is geen bestaand bestand")
    return path


def _theme_css(value: str | None) -> Path | None:
    """A region's theme: a readable UTF-8 ``.css`` file of at most MAX_THEME_BYTES (the app serves its text)."""
    path = _file("THV_THEME_CSS", value)
    if path is None:
        return None
    if path.suffix.lower() != ".css":
        raise ConfigurationError(f"THV_THEME_CSS '{value}' is geen .css-bestand")
    read_theme_css(path)
    return path


def read_theme_css(path: Path) -> str:
    """The text of the theme file at ``path``; a file that cannot serve as a theme is refused in Dutch."""
    try:
        data = path.read_bytes()
    except OSError:
        raise ConfigurationError(f"THV_THEME_CSS '{path}' is niet te lezen") from None
    if len(data) > MAX_THEME_BYTES:
        raise ConfigurationError(f"THV_THEME_CSS '{path}' is groter dan {MAX_THEME_BYTES // 1024} kB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigurationError(f"THV_THEME_CSS '{path}' is geen UTF-8-tekst") from None


def _count(name: str, value: str | None) -> int:
    if value is None or not value.strip():
        return 0
    try:
        return int(value.strip())
    except ValueError:
        raise ConfigurationError(f"{name} '{value[:20]}' is geen getal") from None


def _boolean(name: str, value: str | None) -> bool | None:
    if value is None or not value.strip():
        return None
    text = value.strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigurationError(f"{name} '{value}' is geen ja/nee-waarde; gebruik 1 of 0 (ook: true/false, ja/nee)")
