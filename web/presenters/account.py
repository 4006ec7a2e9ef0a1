"""What the account page says about the user's last test mail, in the page's language."""

from __future__ import annotations

from flask_babel import gettext as _

from engine.notify.outbox import DROPPED, FAILED, PENDING, SENT
from engine.notify.trial_mail import TrialMail
from web.i18n import moment


def trial_mail_line(trial: TrialMail | None) -> str | None:
    """One sentence on the last test mail; None when there was none."""
    if trial is None:
        return None
    asked = moment(trial.asked_at)
    if trial.state == SENT:
        return _(
            "Testbericht van %(asked)s: door de mailserver aangenomen op %(done)s. Staat het niet in je inbox, "
            "kijk dan ook bij ongewenste e-mail.",
            asked=asked,
            done=moment(trial.done_at),
        )
    if trial.state == PENDING and trial.last_error is None:
        return _("Testbericht van %(asked)s: wacht op verzending (binnen een paar minuten).", asked=asked)
    if trial.state == PENDING:
        return _(
            "Testbericht van %(asked)s: nog niet verstuurd, de mailserver nam het nog niet aan. Het wordt "
            "opnieuw geprobeerd.",
            asked=asked,
        )
    if trial.state == DROPPED:
        return _("Testbericht van %(asked)s: niet verstuurd, want je e-mailadres is weggehaald.", asked=asked)
    if trial.state == FAILED and trial.last_error == "ontvanger_geweigerd":
        return _(
            "Testbericht van %(asked)s: de mailserver weigert je adres. Controleer het adres hierboven.", asked=asked
        )
    return _(
        "Testbericht van %(asked)s: niet verstuurd, de mailserver nam het niet aan. Meld dit bij de beheerder.",
        asked=asked,
    )
