"""The fixed vocabularies of the system: roles, regions, milestones and the actions of the audit trail.

Each fact is defined here once. BPMN lanes, users, forms and reports refer to
these codes; nothing else in the code base spells them out again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


@dataclass(frozen=True)
class Role:
    code: str
    label: str
    works_cases: bool = True  # False for roles that manage the system instead of cases


ROLES: tuple[Role, ...] = (
    Role("politie", "Politie"),
    Role("hulpofficier", "Hulpofficier van justitie"),
    Role("burgemeester", "Burgemeester"),
    Role("veilig_thuis", "Veilig Thuis"),
    Role("crisisteam", "Crisisteam"),
    Role("weegteam", "Weegteam"),
    Role("om", "Openbaar Ministerie"),
    Role("reclassering", "Reclassering"),
    Role("raad_kinderbescherming", "Raad voor de Kinderbescherming"),
    Role("jeugdbescherming", "Jeugdbescherming"),
    Role("wijkteam", "Wijkteam"),
    Role("vrouwenopvang", "Vrouwenopvang"),
    Role("hulpverlening", "Hulpverlening"),
    Role("designer", "Procesontwerper", works_cases=False),
    Role("beheerder", "Beheerder", works_cases=False),
    Role("fg", "Functionaris gegevensbescherming", works_cases=False),  # reads the processing log, no case data
)

ROLE_CODES: frozenset[str] = frozenset(r.code for r in ROLES)
CASE_ROLE_CODES: frozenset[str] = frozenset(r.code for r in ROLES if r.works_cases)
_ROLE_BY_LABEL = {r.label.casefold(): r.code for r in ROLES if r.works_cases}

# Audiences: named groups of case roles that may see a piece of case data. Forms name them (or single role
# codes) in "x-visible-to"; engine/workflow/visibility.py explains the rule. designer and beheerder are in none:
# they see the process, never its content.
AUDIENCES: dict[str, frozenset[str]] = {
    "keten": CASE_ROLE_CODES,  # every organisation that works cases
    "oplegging": frozenset({"politie", "hulpofficier", "burgemeester"}),  # they impose, serve and enforce the ban
    "zorg": frozenset(
        {
            "veilig_thuis",
            "hulpverlening",
            "crisisteam",
            "weegteam",
            "raad_kinderbescherming",
            "jeugdbescherming",
            "wijkteam",
            "vrouwenopvang",
        }
    ),
    "strafrecht": frozenset({"om", "reclassering"}),
    # A need-to-know circle for one kind of data: who may know of a 509hh Sv gedragsaanwijzing (the ZSM fields
    # and the variable "gedragsaanwijzing"): the OM that gives it, politie and the hulpofficier who enforce it,
    # Reclassering that supervises it, and the burgemeester, whose ban must agree with it (Leidraad principle 5,
    # samenloop). ASSUMPTION: care organisations need the ban's conditions, not the criminal measure; see
    # processes/README.md, "Who sees what".
    "gedragsaanwijzing": frozenset({"om", "politie", "hulpofficier", "reclassering", "burgemeester"}),
}
# The form-schema keyword on a property that names the audiences or roles that may see the field.
VISIBLE_TO = "x-visible-to"


def audience_roles(names: Iterable[str]) -> frozenset[str]:
    """The case roles named by audiences or role codes; ValueError (in Dutch) for an unknown name."""
    roles: set[str] = set()
    for name in names:
        if name in AUDIENCES:
            roles |= AUDIENCES[name]
        elif name in CASE_ROLE_CODES:
            roles.add(name)
        else:
            known = ", ".join(sorted(AUDIENCES))
            raise ValueError(f"'{name}' is geen doelgroep ({known}) of rol van een zaakbehandelaar")
    return frozenset(roles)


def start_data(role: str | None, user: str) -> dict[str, dict[str, str | None]]:
    """What every case starts with beside its form data: who asked for it, in which role (``verzoeker``)."""
    return {"verzoeker": {"rol": role, "gebruiker": user}}


def lane_role(lane_name: str | None) -> str | None:
    """Map a BPMN lane name to a role code.

    A lane may be named by its code (``veilig_thuis``) or by its label
    (``Veilig Thuis``), so diagrams stay readable in a modeller.
    """
    if lane_name is None:
        return None
    name = lane_name.strip()
    if name in CASE_ROLE_CODES:
        return name
    return _ROLE_BY_LABEL.get(name.casefold())


@dataclass(frozen=True)
class PartyLane:
    """A lane whose tasks go to the role a case names, not to one fixed role.

    The regiehouder (Leidraad principle 10) is chosen per case from the roles its form offers; its
    lane's tasks (the check-ins of the monitoring) go to the role in ``variable``. Before one is
    named, or when the case holds no role there (text from before it was a choice), they go to
    ``fallback``: the burgemeester, who names the regiehouder (ASSUMPTION, processes/README.md).
    """

    variable: str
    fallback: str

    def named_role(self, data: Mapping[str, Any]) -> str | None:
        """The case role ``data`` names in this lane's variable; None for anything else (free text, a list)."""
        value = data.get(self.variable)
        return value if isinstance(value, str) and value in CASE_ROLE_CODES else None


REGIEHOUDER = "regiehouder"  # the form field (forms/regiehouder.schema.json) whose value is the role code
PARTY_LANES: dict[str, PartyLane] = {REGIEHOUDER: PartyLane(REGIEHOUDER, "burgemeester")}


# Case variables that a variant's scripts set to a role code (processes/README.md, "Case variables"); a page
# shows the role's label, as it shows a form choice's title. rihg_afnemer and besluit_door are the variant's
# constants; genomen_door is part of huisverbod_besluit.
ROLE_VALUED_VARIABLES: frozenset[str] = frozenset({"rihg_afnemer", "besluit_door", "genomen_door"})


def party_lane(lane_name: str | None) -> PartyLane | None:
    """The party lane ``lane_name`` names (``Regiehouder``, any case), or None for a lane of a fixed role."""
    return PARTY_LANES.get(" ".join((lane_name or "").split()).casefold())


def known_lane(lane_name: str | None) -> bool:
    return lane_role(lane_name) is not None or party_lane(lane_name) is not None


@dataclass(frozen=True)
class Region:
    code: str
    name: str


REGIONS: tuple[Region, ...] = (
    Region("basis", "Basisregio (huidige praktijk)"),
    Region("pilot1", "Pilotregio 1"),
    Region("pilot2", "Pilotregio 2"),
    Region("pilot3", "Pilotregio 3"),
    Region("pilot4", "Pilotregio 4"),
)

REGION_CODES: frozenset[str] = frozenset(r.code for r in REGIONS)


MILESTONES: tuple[str, ...] = (
    "verzoek_ontvangen",
    "weegteam_toegewezen",
    "weegteam_afgewezen",
    "rihg_afgenomen",
    "huisverbod_opgelegd",
    "huisverbod_niet_opgelegd",
    "beschikking_uitgereikt",
    "overtreding_gemeld",
    "beroep_ingesteld",
    "uitspraak_voorlopige_voorziening",
    "huisverbod_geschorst",
    "uitspraak_beroep",
    "huisverbod_vernietigd",
    "huisverbod_verlengd",
    "huisverbod_ingetrokken",
    "huisverbod_opgeschort",
    "huisverbod_hervat",
    "huisverbod_verlopen",
    "zsm_besluit",
    "gedragsaanwijzing_opgelegd",
    "monitoring_gestart",
    "monitoring_afgerond",
)

MILESTONE_SET: frozenset[str] = frozenset(MILESTONES)

# The BPMN extension properties (spiffworkflow:property) that this system reads.
PROPERTY_FORM = "formJsonSchemaFilename"
PROPERTY_MILESTONE = "milestone"
PROPERTY_SENDERS = "senders"  # on a message catch event: roles that may deliver it
PROPERTY_STARTERS = "starters"  # on the main process's start event: roles that may start a case
PROPERTY_REQUIRES_SERVICE = "requiresService"  # on a user task: document kinds that must be served first
# On a user task or message catch event: the form field (ISO date-time) that holds the instant the act
# happened (a decision's moment, the day an appeal was lodged); the engine judges the act at that instant.
PROPERTY_INSTANT_FIELD = "instantField"
# On a timer event: the Dutch refusal for an act that comes after this timer fired, with {tijdstip}
# for the timer's instant ("het huisverbod is op {tijdstip} verlopen").
PROPERTY_DEADLINE_MESSAGE = "deadlineMessage"
# On the main process's start event: how long a case that ended without a ban is kept (an ISO 8601 duration);
# engine.cases.retention destroys it then. A ban case is kept five years after its last beschikking (Wth 10).
PROPERTY_RETENTION_WITHOUT_BAN = "bewaartermijnZonderHuisverbod"
# On a user task: how long it may take in an acute case (an ISO 8601 duration, counted from the act that made
# it ready). A boundary timer on the task is its legal deadline and wins; on the early route ("structureel")
# the task gets no due time from this. See processes/README.md ("Urgency").
PROPERTY_HANDLING_TERM = "behandeltermijn"


# The phases of the Leidraad ("Figuur: processtappen tijdelijk huisverbod"), in the Leidraad's order. Every step of
# a chain model says its phase with the property ``fase`` (checked at deploy, engine.modeling.phases); the
# werkprocesbeschrijving (engine.design.werkproces) is ordered by them. See processes/README.md ("Phases").
@dataclass(frozen=True)
class Phase:
    code: str
    label: str


PHASES: tuple[Phase, ...] = (
    Phase("opstarten_verzoeken", "Opstarten & verzoeken"),
    Phase("beoordelen", "Beoordelen"),
    Phase("opleggen", "Opleggen"),
    Phase("uitvoeren", "Uitvoeren"),
    Phase("handhaven", "Handhaven"),
    Phase("verlengen", "Verlengen"),
    Phase("afronden_monitoren", "Afronden & monitoren"),
)
PHASE_CODES: tuple[str, ...] = tuple(p.code for p in PHASES)
PHASE_LABELS: dict[str, str] = {p.code: p.label for p in PHASES}
PROPERTY_PHASE = "fase"
# On a timer event: the legal basis of its term ("Wth 5"), or "ASSUMPTION: ..." when the law sets none.
PROPERTY_LEGAL_BASIS = "grondslag"
# On any element: the Leidraad principle(s) it answers, comma-separated codes of engine.base.leidraad.PRINCIPLES.
PROPERTY_PRINCIPLE = "leidraadPrincipe"
# On the script task that sets ``variant``: every principle the variant tests (the fallback for a difference whose
# element names none).
PROPERTY_VARIANT_PRINCIPLES = "leidraadPrincipes"
# On any element: this step goes beyond the current Wth; the value says why, with its source.
PROPERTY_BEYOND_WTH = "buitenWth"

# The start form's choice between the acute and the early route (V2, V4); a case without it is acute.
ROUTE_VARIABLE = "route"
EARLY_ROUTE = "structureel"

CASE_STATUSES: tuple[str, ...] = ("active", "completed", "terminated", "error")
PARKED_STATUS = "error"  # the model could not go on; see engine.workflow.parking
OPEN_CASE_STATUSES: tuple[str, ...] = ("active", PARKED_STATUS)  # running or waiting for a fixed model


class Action(StrEnum):
    """What an entry of a case's audit trail (``CaseEvent.action``) records.

    The values are the codes stored in the database; a member compares equal to its code, so stored
    data never changes when code spells ``Action.TASK_COMPLETED`` instead of ``"taak_afgerond"``.
    """

    CASE_STARTED = "zaak_gestart"
    TASK_COMPLETED = "taak_afgerond"
    MESSAGE = "bericht"  # an event reported to the case (a BPMN message)
    MILESTONE = "mijlpaal"
    TIMER = "timer"  # a timer fired
    ERROR = "fout"  # the timer sweep could not advance the case
    TASK_CLAIMED = "taak_geclaimd"
    TASK_RELEASED = "taak_vrijgegeven"
    TASK_LAPSED = "taak_vervallen"  # never stored: the case history derives it from closed worklist tasks
    REVISED = "herzien"  # a timely act recorded late revoked what a timer had done
    DOCUMENT_MADE = "document_gemaakt"
    SERVED = "uitgereikt"  # the service of a document version was recorded
    DOSSIER_EXPORTED = "dossier_geexporteerd"
    MIGRATED = "gemigreerd"  # the case moved to another model version


def N_(text: str) -> str:  # the gettext name for "mark only", which pybabel collects by default
    """Mark a Dutch label for the web's translation catalogue (``make translations`` collects it).

    The engine keeps the Dutch text; the web translates it when it shows it.
    """
    return text


# The Dutch label of every action, as the case history shows it.
ACTION_LABELS: dict[str, str] = {  # keyed by Action; a stored code (str) finds the same entry
    Action.CASE_STARTED: N_("Zaak gestart"),
    Action.TASK_COMPLETED: N_("Taak afgerond"),
    Action.MESSAGE: N_("Gebeurtenis gemeld"),
    Action.MILESTONE: N_("Mijlpaal bereikt"),
    Action.TIMER: N_("Termijn verstreken"),
    Action.ERROR: N_("Fout"),
    Action.TASK_CLAIMED: N_("Taak in behandeling genomen"),
    Action.TASK_RELEASED: N_("Taak vrijgegeven"),
    Action.TASK_LAPSED: N_("Taak vervallen"),
    Action.REVISED: N_("Herzien: een tijdige handeling is later vastgelegd"),
    Action.DOCUMENT_MADE: N_("Document gemaakt"),
    Action.SERVED: N_("Uitreiking vastgelegd"),
    Action.DOSSIER_EXPORTED: N_("Dossier geëxporteerd"),
    Action.MIGRATED: N_("Zaak gemigreerd"),
}

# What a user chose to get by e-mail (User.notify, engine.notify), with the label the account page shows.
NOTIFY_CHOICES: dict[str, str] = {
    "all": N_("Een e-mail bij elke nieuwe taak, en elke ochtend een overzicht van taken over de termijn"),
    "digest": N_("Alleen het dagelijkse overzicht van taken over de termijn"),
    "none": N_("Geen e-mail"),
}
