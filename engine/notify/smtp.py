"""One connection to the SMTP server for a round of mails, and what each failure means.

A failure becomes a short Dutch code (never the server's text, which may quote an address) that says
whether to try again and whether the server itself failed, so the other mails wait too.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from engine.base.mail_settings import MailSettings

TIMEOUT_SECONDS = 10.0  # per connect and per reply: a hanging server holds a timer sweep up this long at most

# What each failure code means, for the person who set up the server (thv mail test).
FAILURE_TEXT = {
    "ontvanger_geweigerd": "de mailserver weigert dit adres als ontvanger",
    "inhoud_geweigerd": "de mailserver weigert het bericht",
    "tijdelijk_geweigerd": "de mailserver neemt het bericht nu niet aan; probeer het later opnieuw",
    "afzender_geweigerd": "de mailserver weigert de afzender (THV_MAIL_FROM)",
    "aanmelding": "aanmelden bij de mailserver lukt niet: controleer de gebruiker in THV_SMTP_URL en THV_SMTP_PASSWORD",
    "geen_starttls": "de mailserver biedt geen STARTTLS aan: gebruik smtps:// of vraag de beheerder van de mailserver",
    "geen_aanmelding": (
        "de mailserver biedt geen aanmelding (AUTH) aan, veel servers alleen over een versleutelde verbinding: "
        "gebruik smtp+starttls:// of smtps://, of laat de gebruiker in THV_SMTP_URL weg"
    ),
    "tls": (
        "de versleutelde verbinding kwam niet tot stand: het certificaat van de mailserver wordt niet vertrouwd "
        "of hoort niet bij de naam in THV_SMTP_URL (een eigen CA: THV_SMTP_CA_FILE)"
    ),
    "tijdslimiet": f"de mailserver antwoordde niet binnen {TIMEOUT_SECONDS:.0f} seconden",
    "verbinding": "de mailserver is niet bereikbaar: controleer de server en de poort in THV_SMTP_URL",
}


class SendFailed(Exception):
    """A mail was not accepted; ``code`` is what the outbox and the log keep."""

    def __init__(self, code: str, *, permanent: bool = False, server: bool = False) -> None:
        super().__init__(code)
        self.code = code
        self.permanent = permanent  # trying again will not help (the server refused this mail for good)
        self.server = server  # the server failed, not this mail: stop the round


class SmtpTransport:
    """Connects on the first mail and keeps the connection for the round; ``close`` ends it."""

    def __init__(self, settings: MailSettings, timeout: float = TIMEOUT_SECONDS) -> None:
        self.settings = settings
        self.timeout = timeout
        self._smtp: smtplib.SMTP | None = None

    def send(self, message: EmailMessage, to: str) -> None:
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            self._smtp.send_message(message, from_addr=self.settings.sender_address, to_addrs=[to])
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [reply[0] for reply in exc.recipients.values()]
            raise SendFailed("ontvanger_geweigerd", permanent=all(500 <= c < 600 for c in codes)) from None
        except smtplib.SMTPDataError as exc:
            raise SendFailed("inhoud_geweigerd" if 500 <= exc.smtp_code < 600 else "tijdelijk_geweigerd",
                             permanent=500 <= exc.smtp_code < 600) from None  # fmt: skip
        except smtplib.SMTPSenderRefused:
            self.close()
            raise SendFailed("afzender_geweigerd", server=True) from None
        except smtplib.SMTPAuthenticationError:
            self.close()
            raise SendFailed("aanmelding", server=True) from None
        except ssl.SSLError:
            self.close()
            raise SendFailed("tls", server=True) from None
        except TimeoutError:
            self.close()
            raise SendFailed("tijdslimiet", server=True) from None
        except (smtplib.SMTPException, OSError):
            self.close()
            raise SendFailed("verbinding", server=True) from None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = s.tls_context()
        smtp: smtplib.SMTP
        if s.security == "tls":
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if s.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise SendFailed("geen_starttls", server=True)
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.user and s.password:
                if not smtp.has_extn("auth"):
                    raise SendFailed("geen_aanmelding", server=True)
                smtp.login(s.user, s.password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
