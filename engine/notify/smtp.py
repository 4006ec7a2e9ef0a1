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
        except smtplib.SMTPNotSupportedError:
            self.close()
            raise SendFailed("geen_starttls", server=True) from None
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
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if s.security == "tls":
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if s.security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.user and s.password:
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
