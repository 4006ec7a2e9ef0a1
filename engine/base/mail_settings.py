"""The settings of the e-mail notifications (engine.notify): the SMTP server, the sender, the link base, the digest.

Read by :meth:`engine.base.settings.Settings.from_env` and checked here, so a mistake stops every entry point
at start with one Dutch line naming the variable. Without ``THV_SMTP_URL`` no mail is sent (the outbox still
fills; see engine.notify.outbox).
"""

from __future__ import annotations

import ipaddress
import re
import ssl
from dataclasses import dataclass, field
from datetime import time
from email.utils import parseaddr
from urllib.parse import unquote, urlsplit

from email_validator import EmailNotValidError, validate_email

from engine.base.errors import ConfigurationError

# scheme -> (how the connection is secured, default port)
SMTP_SCHEMES = {"smtp": ("none", 25), "smtp+starttls": ("starttls", 587), "smtps": ("tls", 465)}
DEFAULT_DIGEST = time(7, 0)
_OFF = frozenset({"uit", "off", "nee", "0"})
_CLOCK_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class MailSettings:
    """Where and how notification mails are sent."""

    host: str
    port: int
    security: str  # none, starttls (STARTTLS after connecting), tls (TLS from the first byte)
    user: str | None
    password: str | None = field(repr=False)
    sender: str  # the From header, "Naam <adres>" or an address
    base_url: str  # the application as its users reach it, without a trailing slash: links in mails start here
    digest_at: time | None  # Amsterdam wall clock of the daily digest; None: no digest
    ca_file: str | None = None  # PEM file of the CA(s) that sign the server's certificate; None: the system's

    def tls_context(self) -> ssl.SSLContext:
        """What a TLS connection to the server checks: its certificate (by ``ca_file`` or the system) and its name."""
        return ssl.create_default_context(cafile=self.ca_file)

    @property
    def sender_address(self) -> str:
        return parseaddr(self.sender)[1]


def valid_address(text: str) -> str | None:
    """The address in its ASCII form (an international domain in punycode), or None when it is no address."""
    try:
        checked = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        return None
    return checked.ascii_email


def mail_settings(
    *,
    mode: str,
    smtp_url: str | None,
    password: str | None,
    sender: str | None,
    base_url: str | None,
    digest: str | None,
    ca_file: str | None = None,
) -> MailSettings | None:
    """The mail settings of the environment's values, or None without an SMTP server; a bad value is refused."""
    base = _base_url(base_url, mode) if base_url else None
    digest_at = _digest(digest)
    if not smtp_url:
        for name, value in (("THV_SMTP_PASSWORD", password), ("THV_MAIL_FROM", sender), ("THV_SMTP_CA_FILE", ca_file)):
            if value:
                raise ConfigurationError(f"{name} is gezet zonder THV_SMTP_URL")
        return None
    host, port, security, user = _smtp(smtp_url)
    if base is None:
        raise ConfigurationError("THV_SMTP_URL is gezet zonder THV_BASE_URL: de links in de e-mails hebben die nodig")
    if password and security == "none" and not _loopback(host):
        raise ConfigurationError(
            "THV_SMTP_PASSWORD gaat niet onversleuteld over het netwerk: gebruik smtp+starttls:// of smtps://"
        )
    if user and not password:
        raise ConfigurationError("THV_SMTP_URL noemt een gebruiker, maar THV_SMTP_PASSWORD ontbreekt")
    if ca_file:
        _check_ca_file(ca_file, security)
    return MailSettings(
        host=host,
        port=port,
        security=security,
        user=user,
        password=password or None,
        sender=_sender(sender, base),
        base_url=base,
        digest_at=digest_at,
        ca_file=ca_file or None,
    )


def _check_ca_file(path: str, security: str) -> None:
    """The file must hold at least one certificate ssl can use, and there must be TLS for it to check."""
    if security == "none":
        raise ConfigurationError("THV_SMTP_CA_FILE heeft alleen zin met smtp+starttls:// of smtps:// in THV_SMTP_URL")
    try:
        ssl.create_default_context(cafile=path)
    except FileNotFoundError:
        raise ConfigurationError("THV_SMTP_CA_FILE: dat bestand bestaat niet") from None
    except (OSError, ssl.SSLError, ValueError):
        raise ConfigurationError("THV_SMTP_CA_FILE is geen leesbaar PEM-bestand met certificaten") from None


def _smtp(value: str) -> tuple[str, int, str, str | None]:
    try:
        parts = urlsplit(value.strip())
        port = parts.port
    except ValueError:
        raise ConfigurationError("THV_SMTP_URL is geen geldige URL") from None
    if parts.scheme not in SMTP_SCHEMES:
        raise ConfigurationError("THV_SMTP_URL moet beginnen met smtp://, smtp+starttls:// of smtps://")
    if not parts.hostname:
        raise ConfigurationError("THV_SMTP_URL noemt geen server, bijvoorbeeld smtp+starttls://mail.example.nl:587")
    if parts.password is not None:
        raise ConfigurationError("THV_SMTP_URL bevat een wachtwoord; zet dat in THV_SMTP_PASSWORD")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigurationError("THV_SMTP_URL heeft alleen een server en een poort (en eventueel een gebruiker)")
    security, default_port = SMTP_SCHEMES[parts.scheme]
    return parts.hostname, port or default_port, security, unquote(parts.username) if parts.username else None


def _base_url(value: str, mode: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment:
        raise ConfigurationError("THV_BASE_URL moet een http(s)-adres zijn, bijvoorbeeld https://thv.example.nl")
    if mode == "production" and parts.scheme != "https" and not _loopback(parts.hostname):
        raise ConfigurationError("THV_BASE_URL moet in productie met https:// beginnen")
    return value.strip().rstrip("/")


def _sender(value: str | None, base: str) -> str:
    if not value:
        return f"Zaaksysteem tijdelijk huisverbod <noreply@{urlsplit(base).hostname}>"
    name, address = parseaddr(value.strip())
    if not address or valid_address(address) is None or "\n" in value or "\r" in value:
        raise ConfigurationError("THV_MAIL_FROM is geen e-mailadres, bijvoorbeeld 'THV <noreply@gemeente.nl>'")
    return value.strip()


def _digest(value: str | None) -> time | None:
    if value is None or not value.strip():
        return DEFAULT_DIGEST
    text = value.strip().lower()
    if text in _OFF:
        return None
    match = _CLOCK_TIME.match(text)
    if match is None:
        raise ConfigurationError(f"THV_DIGEST_TIME '{value[:20]}' is geen tijd als 07:00 (of 'uit')")
    return time(int(match.group(1)), int(match.group(2)))


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
