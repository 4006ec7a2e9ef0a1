"""A test mail, sent at once: does the mail server take what the notifications will send?

For whoever sets the server up (``thv mail test``). It goes straight to the server, not through
the outbox, so the answer comes now and names what to fix; it holds no case content.
"""

from __future__ import annotations

from datetime import datetime

from engine.base.errors import InvalidInput, Unavailable
from engine.base.mail_settings import MailSettings, valid_address
from engine.notify.sender import new_message
from engine.notify.smtp import FAILURE_TEXT, SendFailed, SmtpTransport

SUBJECT = "Testbericht van het zaaksysteem tijdelijk huisverbod"


def send_probe(settings: MailSettings, address: str, now: datetime) -> str:
    """Send the test mail to ``address``; returns the address as sent. A refusal says in Dutch what failed."""
    to = valid_address(address.strip())
    if to is None:  # also an address with a line break (a header injection)
        raise InvalidInput(f"'{address[:80]}' is geen geldig e-mailadres")
    body = (
        "Dit is een testbericht van het zaaksysteem tijdelijk huisverbod.\n\n"
        "Komt het aan, dan komen de e-mailmeldingen van nieuwe taken en het dagelijkse overzicht ook aan. "
        f"De links in die meldingen beginnen met {settings.base_url}/.\n\n"
        "Dit bericht bevat geen gegevens uit zaken."
    )
    transport = SmtpTransport(settings)
    try:
        transport.send(new_message(settings, SUBJECT, body, to, now), to)
    except SendFailed as failure:
        raise Unavailable(f"het testbericht is niet verstuurd: {FAILURE_TEXT[failure.code]}") from None
    finally:
        transport.close()
    return to
