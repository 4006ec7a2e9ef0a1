"""Who may issue, hand over and read which document: the one table that decides it.

Templates (documents/templates/) say what a document contains and which case
data it needs; they are edited by people who write letters. Who may *issue* a
document is law, not layout, so it lives here, next to the other rule tables,
with tests:

* beschikking: the burgemeester, or the hulpofficier van justitie under mandate
  (Wth 3 lists art. 2(1), 2(3), 2(7), 2(8) and 5(1) as mandatable);
* verlengingsbeschikking and intrekkingsbesluit: the burgemeester only; art. 9 and
  2(9) are not in the Wth 3 list, so they cannot be mandated;
* kennisgevingen (Wth 2(8)): the burgemeester;
* mededeling (Wth 3(2)): the hulpofficier who imposed the ban;
* afwijzing met advies: the weegteam (pilot V2/V4);
* bewijs van inname sleutels (Wth 4(2)): the politie;
* kennisgeving nieuw einde (pilot V3/V4, after a suspension): the burgemeester;
* besluit alternatief verbod (after a referral; a gebiedsverbod is art. 172a Gemeentewet): the burgemeester.

This module imports nothing heavy, so engine.cases.operations can import the service hook
without pulling in templates or the PDF library.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine.base.errors import Forbidden, InvalidInput
from engine.base.vocabulary import PROPERTY_REQUIRES_SERVICE

# Who receives documents (the ``role`` of a service record). Not user roles: persons and organisations.
RECIPIENT_ROLES: dict[str, str] = {
    "uithuisgeplaatste": "Uithuisgeplaatste",
    "achterblijver": "Achterblijver",
    "hulpverlening": "Hulpverlening",
    "veilig_thuis": "Veilig Thuis",
    "burgemeester": "Burgemeester",
    "verzoeker": "Verzoeker",
}
RECIPIENT_NOUNS: dict[str, str] = {
    "uithuisgeplaatste": "de uithuisgeplaatste",
    "achterblijver": "een achterblijver",
    "hulpverlening": "de hulpverlening",
    "veilig_thuis": "Veilig Thuis",
    "burgemeester": "de burgemeester",
    "verzoeker": "de verzoeker",
}
ORGANISATIONS = frozenset({"hulpverlening", "veilig_thuis", "burgemeester", "verzoeker"})


@dataclass(frozen=True)
class Method:
    """A way a document reaches someone, and what it proves."""

    label: str
    proof: str  # how strong it is as proof that the recipient knew (for the OM)
    written: bool  # True: the written document itself reached the recipient
    recorders: frozenset[str]  # user roles that may record it
    recipients: frozenset[str]  # recipient roles it is possible for


_PERSONS = frozenset({"uithuisgeplaatste", "achterblijver"})
_IN_PERSON = frozenset({"politie", "hulpofficier", "burgemeester", "weegteam"})
METHODS: dict[str, Method] = {
    "in_persoon_getekend": Method(
        "In persoon uitgereikt, voor ontvangst getekend",
        "sterk: handtekening van de ontvanger",
        True,
        _IN_PERSON,
        frozenset(RECIPIENT_ROLES),
    ),
    "in_persoon_geweigerd": Method(
        "In persoon uitgereikt, ondertekening geweigerd",
        "verklaring van de uitreikende ambtenaar",
        True,
        _IN_PERSON,
        _PERSONS,
    ),
    "mondeling_aangezegd": Method(
        "Mondeling aangezegd",
        "mondeling: verklaring van de ambtenaar; de schriftelijke beschikking volgt (Wth 2(7))",
        False,
        _IN_PERSON,
        frozenset(RECIPIENT_ROLES),
    ),
    "per_post": Method(
        "Per post verzonden",
        "zwak: verzending, geen bewijs van ontvangst",
        True,
        frozenset({"burgemeester", "hulpofficier", "weegteam"}),
        frozenset(RECIPIENT_ROLES),
    ),
    "nederlegging": Method(
        "Nedergelegd ter gemeentesecretarie (verblijfplaats onbekend)",
        "bekendmaking zonder kennisname (Wth 2(7))",
        True,
        frozenset({"burgemeester"}),
        frozenset({"uithuisgeplaatste"}),
    ),
    "digitaal": Method(
        "Beveiligd digitaal verzonden",
        "verzending aan een organisatie",
        True,
        frozenset({"burgemeester", "hulpofficier", "weegteam"}),
        ORGANISATIONS,
    ),
}


@dataclass(frozen=True)
class KindRule:
    issuers: tuple[str, ...]  # user roles that may generate it, in order of preference
    servers: frozenset[str]  # user roles that may record that it was handed over or sent
    recipients: tuple[str, ...]  # recipient roles; the first is the one a BPMN step checks by default
    readers: frozenset[str]  # user roles that may see and download it (besides issuers and servers)
    decision: bool  # a besluit: only the written document counts as served, not an oral notice


_CHAIN = frozenset({"politie", "hulpofficier", "burgemeester", "om"})
_CARE = frozenset({"hulpverlening", "veilig_thuis"})
KINDS: dict[str, KindRule] = {
    "beschikking": KindRule(
        ("hulpofficier", "burgemeester"),
        frozenset({"politie", "hulpofficier", "burgemeester"}),
        ("uithuisgeplaatste", "achterblijver", "hulpverlening", "veilig_thuis", "burgemeester"),
        _CHAIN | _CARE,
        True,
    ),
    "verlengingsbeschikking": KindRule(
        ("burgemeester",),
        frozenset({"politie", "burgemeester"}),
        ("uithuisgeplaatste", "achterblijver", "hulpverlening", "veilig_thuis"),
        _CHAIN | _CARE,
        True,
    ),
    "intrekkingsbesluit": KindRule(
        ("burgemeester",),
        frozenset({"politie", "burgemeester"}),
        ("uithuisgeplaatste", "achterblijver", "hulpverlening", "veilig_thuis"),
        _CHAIN | _CARE,
        True,
    ),
    "kennisgeving_achterblijver": KindRule(
        ("burgemeester",), frozenset({"politie", "burgemeester"}), ("achterblijver",), _CHAIN | _CARE, False
    ),
    "kennisgeving_hulpverlening": KindRule(
        ("burgemeester",), frozenset({"burgemeester"}), ("hulpverlening", "veilig_thuis"), _CHAIN | _CARE, False
    ),
    "mededeling_burgemeester": KindRule(
        ("hulpofficier",), frozenset({"hulpofficier"}), ("burgemeester",), _CHAIN, False
    ),
    "afwijzing_weegteam": KindRule(
        ("weegteam",),
        frozenset({"weegteam"}),
        ("verzoeker",),
        frozenset({"weegteam", "burgemeester", "politie", "veilig_thuis", "crisisteam"}),
        False,
    ),
    "bewijs_sleutels": KindRule(("politie",), frozenset({"politie"}), ("uithuisgeplaatste",), _CHAIN, False),
    "besluit_alternatief_verbod": KindRule(
        ("burgemeester",), frozenset({"politie", "burgemeester"}), ("uithuisgeplaatste",), _CHAIN, True
    ),
    "kennisgeving_nieuw_einde": KindRule(
        ("burgemeester",),
        frozenset({"politie", "burgemeester"}),
        ("uithuisgeplaatste", "achterblijver"),
        _CHAIN | _CARE,
        False,
    ),
}

# The dossier for the OM and the court: beschikkingen, proofs of service, RIHG, timeline.
DOSSIER_READERS: frozenset[str] = frozenset({"om", "burgemeester", "hulpofficier", "politie"})
DOSSIER_KINDS: tuple[str, ...] = ("beschikking", "verlengingsbeschikking", "intrekkingsbesluit")

# The BPMN extension property a user task carries when it may only be completed after service.


def rule(kind: str) -> KindRule:
    if kind not in KINDS:
        raise InvalidInput(f"onbekende documentsoort '{kind}'; kies uit {', '.join(KINDS)}")
    return KINDS[kind]


def issuer_role(kind: str, roles: Iterable[str], wanted: str | None, who: str, title: str) -> str:
    """The role in which ``who`` issues a document of ``kind``; refuses when none fits."""
    issuers = rule(kind).issuers
    roles = set(roles)
    if wanted is not None:
        if wanted not in roles:
            raise Forbidden(f"{who} heeft de rol '{wanted}' niet")
        if wanted not in issuers:
            raise Forbidden(f"een {title} wordt alleen gemaakt door: {', '.join(issuers)}")
        return wanted
    fitting = [r for r in issuers if r in roles]
    if not fitting:
        raise Forbidden(f"een {title} wordt alleen gemaakt door: {', '.join(issuers)}; {who} heeft die rol niet")
    if len(fitting) > 1:
        raise InvalidInput(f"kies de rol waarin je de {title} maakt: {', '.join(fitting)}")
    return fitting[0]


def may_read(kind: str, roles: Iterable[str], requester_role: str | None = None) -> bool:
    """Whether someone with ``roles`` may see a document of ``kind``.

    The afwijzing of the weegteam is also readable by the role that made the request.
    """
    r = KINDS.get(kind)
    if r is None:
        return False
    allowed = set(r.issuers) | r.servers | r.readers
    if kind == "afwijzing_weegteam" and requester_role:
        allowed.add(requester_role)
    return bool(allowed & set(roles))


def readable_kinds(roles: Iterable[str]) -> list[str]:
    roles = set(roles)
    return [k for k in KINDS if may_read(k, roles)]


def issuable_kinds(roles: Iterable[str]) -> list[str]:
    """The kinds someone with ``roles`` may generate (for the buttons on the case page)."""
    roles = set(roles)
    return [k for k, r in KINDS.items() if roles & set(r.issuers)]


def required_services(value: str) -> list[tuple[str, str]]:
    """Parse a ``requiresService`` property value: comma-separated document kinds, each optionally with the
    recipient it must reach (``kennisgeving_hulpverlening:veilig_thuis``); without one, the kind's first
    recipient (the uithuisgeplaatste for a beschikking). Unknown kinds keep an empty recipient."""
    pairs = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        kind, _, recipient = (p.strip() for p in item.partition(":"))
        pairs.append((kind, recipient or (KINDS[kind].recipients[0] if kind in KINDS else "")))
    return pairs


def check_requires_service(value: str) -> str | None:
    """For the deploy checks: a Dutch reason when a ``requiresService`` value is wrong, else None."""
    pairs = required_services(value)
    if not pairs:
        return f"'{PROPERTY_REQUIRES_SERVICE}' is leeg; noem een documentsoort ({', '.join(KINDS)})"
    unknown = [k for k, _ in pairs if k not in KINDS]
    if unknown:
        return f"'{PROPERTY_REQUIRES_SERVICE}' noemt onbekende documentsoort(en): {', '.join(unknown)}"
    wrong = [f"{k}:{r}" for k, r in pairs if r not in KINDS[k].recipients]
    if wrong:
        return (
            f"'{PROPERTY_REQUIRES_SERVICE}' noemt een ontvanger die het document niet krijgt: {', '.join(wrong)}"
            f" (ontvangers: {', '.join(sorted({r for k, _ in pairs for r in KINDS[k].recipients}))})"
        )
    return None
