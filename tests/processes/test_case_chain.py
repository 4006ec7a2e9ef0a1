"""Issue 10, a legally sound case chain, on every variant: the imposition instant, extension, withdrawal,
the end of the ban closing its open steps, and retention counted from the last beschikking.

Legal basis per rule: processes/README.md ("How a ban runs").
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.base.clock import add_legal_term, parse_instant
from engine.base.errors import Conflict, Forbidden, FormInvalid, InvalidInput, RuleRefused
from engine.storage.tables import Case
from tests.processes.scenario import Scenario
from tests.processes.steps import (
    VARIANTS,
    appeal,
    beschikking,
    decide_extension,
    expires_exactly_at,
    extend,
    imposed,
    issue,
    prepare_hearing,
    record,
    start_variant,
    to_beschikking,
    vovo_ruling,
    withdraw,
)

START = datetime(2026, 2, 2, 20, 15, tzinfo=UTC)  # 21:15 Amsterdam, the case starts (verzoek ontvangen)

# Steps that belong to the ban itself: none may stay open once it ended.
BAN_STEPS = {
    "Task_uitreiken",
    "Task_contactadres",
    "Task_nederlegging",
    "Task_mededeling",
    "Task_kennisgeving",
    "Task_verlenging",
    "Task_verlengingsbeschikking",
    "Task_verlenging_uitreiken",
    "Task_intrekking",
    "Task_intrekkingsbesluit_uitreiken",
    "Task_pv",
    "Task_zsm_afdoening",
}


def _open_ban_steps(s: Scenario) -> set[str]:
    return {t["element"] for t in s.tasks()} & BAN_STEPS


def _days(variant: str) -> int:
    return VARIANTS[variant][3]


# --- 1. the imposition instant ------------------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_an_imposition_instant_in_the_future_or_before_the_request_is_refused_now_is_accepted(rt, session, variant):
    s = start_variant(rt, session, variant)
    s.advance(timedelta(minutes=40))  # 21:55: the beschikking is drawn up after the oral notice
    to_beschikking(s, variant)
    with pytest.raises(FormInvalid):  # the instant is required
        s.do("Task_beschikking", {k: v for k, v in beschikking(s).items() if k != "opgelegd_op"})
    # The engine judges the act at the instant it names (instantField), and refuses one that cannot be.
    with pytest.raises(InvalidInput) as future:
        s.do("Task_beschikking", beschikking(s, opgelegd_op=(s.clock.now() + timedelta(minutes=1)).isoformat()))
    assert str(future.value) == "het tijdstip 2 februari 2026 om 21:56 ligt in de toekomst"
    with pytest.raises(InvalidInput) as early:
        s.do("Task_beschikking", beschikking(s, opgelegd_op=(START - timedelta(minutes=1)).isoformat()))
    assert str(early.value) == (
        "het tijdstip 2 februari 2026 om 21:14 ligt vóór het begin van de zaak (2 februari 2026 om 21:15)"
    )
    assert "huisverbod_opgelegd" not in s.milestones() and s.has_task("Task_beschikking")
    s.do("Task_beschikking", beschikking(s))  # exactly now
    assert parse_instant(s.var("huisverbod")["opgelegd_op"]) == s.clock.now()


@pytest.mark.parametrize("variant", VARIANTS)
def test_every_term_counts_from_the_recorded_instant_not_from_when_it_was_typed_in(rt, session, variant):
    s = start_variant(rt, session, variant)
    to_beschikking(s, variant)
    s.advance(timedelta(hours=2))  # typed in at 23:15; imposed orally at 21:30
    imposed = START + timedelta(minutes=15)
    s.do("Task_beschikking", beschikking(s, opgelegd_op="2026-02-02T21:30:00+01:00"))
    ban = s.var("huisverbod")
    assert parse_instant(ban["opgelegd_op"]) == imposed
    assert parse_instant(ban["einde"]) == imposed + timedelta(days=_days(variant))  # P10D / P14D exactly
    assert parse_instant(ban["uiterste_einde"]) == imposed + timedelta(days=28)
    assert parse_instant(ban["laatste_beschikking_op"]) == imposed
    s.do("Task_contactadres", {"contactadres": "Pension, Amersfoort"})
    end = imposed + timedelta(days=_days(variant))
    expires_exactly_at(s, end)


# --- 2. extension -------------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_extension_right_after_imposition_up_to_exactly_the_cap(rt, session, variant):
    s = imposed(rt, session, variant)
    task = s.task("Task_verlenging")  # open at once, due at the reminder three days before the end
    end = START + timedelta(days=_days(variant))
    assert (task["role"], parse_instant(task["due_at"])) == ("burgemeester", end - timedelta(days=3))
    extend(s, 28 - _days(variant))
    ban = s.var("huisverbod")
    assert ban["status"] == "verlengd" and ban["einde"] == ban["uiterste_einde"]
    assert parse_instant(ban["einde"]) == START + timedelta(days=28)
    assert not s.has_task("Task_verlenging")  # the cap is reached: no further extension


@pytest.mark.parametrize("variant", VARIANTS)
def test_an_extension_past_the_cap_is_refused_in_dutch_time(rt, session, variant):
    s = imposed(rt, session, variant)
    first = 10 if _days(variant) == 10 else 0
    if first:  # the form allows at most 18 days at once: pass the cap with a second extension
        extend(s, first)
    over = 28 - _days(variant) - first + 1
    with pytest.raises(RuleRefused) as refused:
        s.do("Task_verlenging", {"verlengen": True, "verlenging_dagen": over, "verlenging_feiten": "x"})
    assert str(refused.value) == (
        f"Verlenging geweigerd: met {over} dagen zou het huisverbod eindigen op 3 maart 2026 om 21:15, na de maximale "
        "duur van 28 dagen na het opleggen; het uiterste einde is 2 maart 2026 om 21:15 (Wth 9, eerste lid)."
    )
    assert s.has_task("Task_verlenging") and not s.has_task("Task_verlengingsbeschikking")
    extend(s, over - 1)
    assert s.var("huisverbod")["einde"] == s.var("huisverbod")["uiterste_einde"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_an_extension_needs_its_facts_and_circumstances(rt, session, variant):
    s = imposed(rt, session, variant)
    with pytest.raises(FormInvalid) as refused:
        s.do("Task_verlenging", {"verlengen": True, "verlenging_dagen": 5})
    assert "verlenging_feiten" in refused.value.fields
    s.do("Task_verlenging", {"verlengen": False})  # declining needs none


@pytest.mark.parametrize("variant", VARIANTS)
def test_an_extension_not_served_before_the_end_lapses_and_burgemeester_and_politie_are_told(rt, session, variant):
    s = imposed(rt, session, variant)
    end = START + timedelta(days=_days(variant))
    s.advance_to(end - timedelta(days=2))
    decide_extension(s, 5)  # decided and made, never handed over
    assert parse_instant(s.task("Task_verlenging_uitreiken")["due_at"]) == end
    # The period's own expiry and the service step's deadline fall on the same instant.
    s.advance_to(end)
    assert "huisverbod_verlengd" not in s.milestones() and s.milestones()[-1] == "huisverbod_verlopen"
    ban = s.var("huisverbod")
    assert ban["status"] == "verlopen" and parse_instant(ban["einde"]) == end
    told = {
        t["role"]: t for t in s.tasks() if t["element"] in ("Task_vervallen_burgemeester", "Task_vervallen_politie")
    }
    assert set(told) == {"burgemeester", "politie"}
    assert {t["title"] for t in told.values()} == {"Verlenging vervallen: niet tijdig uitgereikt"}
    assert not _open_ban_steps(s)
    s.do("Task_vervallen_burgemeester", {"kennis_genomen": True})
    s.do("Task_vervallen_politie", {"kennis_genomen": True, "vervolg": "Niet meer handhaven."})
    assert s.has_task("Task_afronden" if variant == "wth-basis" else "Task_regiehouder")


# --- 3. withdrawal ------------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_withdrawal_takes_effect_only_when_its_besluit_is_served_and_everyone_is_told(rt, session, variant):
    s = imposed(rt, session, variant)
    s.advance(timedelta(days=3))
    s.send(
        "hulp_geaccepteerd",
        "hulpverlening",
        {"hulp_bevestigd_door": "Ambulant team", "hulp_huisgenoten_niet_belemmerd": True},
    )
    assert s.task("Task_intrekking")["role"] == "burgemeester"
    from engine.cases import operations as cases

    with pytest.raises(Forbidden):  # only the burgemeester withdraws
        cases.complete_task(
            s.session,
            s.rt.registry,
            s.clock,
            task_id=s.task("Task_intrekking")["id"],
            data={"intrekken": True, "intrekking_motivering": "x"},
            user=s.users["hulpverlening"],
        )
    s.do("Task_intrekking", {"intrekken": True, "intrekking_motivering": "Hulp loopt, veiligheid geborgd."})
    decided = s.clock.now()
    assert s.task("Task_intrekkingsbesluit_uitreiken")["role"] == "burgemeester"
    with pytest.raises(Conflict, match="besluit intrekking tijdelijk huisverbod is gemaakt"):  # not made
        s.do("Task_intrekkingsbesluit_uitreiken", {})
    document = issue(s, "intrekkingsbesluit", "burgemeester")
    with pytest.raises(Conflict, match="is vastgelegd"):
        s.do("Task_intrekkingsbesluit_uitreiken", {})
    assert s.var("huisverbod")["status"] != "ingetrokken"
    s.advance(timedelta(hours=1))
    record(s, document, to="uithuisgeplaatste", method="in_persoon_getekend", by="politie")
    s.do("Task_intrekkingsbesluit_uitreiken", {})
    ban = s.var("huisverbod")
    assert ban["status"] == "ingetrokken" and s.milestones()[-1] == "huisverbod_ingetrokken"
    assert parse_instant(ban["laatste_beschikking_op"]) == decided
    told = {t["element"]: t["role"] for t in s.tasks()}
    assert told["Task_intrekking_achterblijver"] == "burgemeester"
    assert told["Task_intrekking_politie"] == "politie"
    assert told["Task_intrekking_hulpverlening"] == "hulpverlening"
    assert not _open_ban_steps(s)
    assert "Ingetrokken" not in s.case()["waiting_for"] and "overtreding_gemeld" not in s.case()["waiting_for"]


# --- 4. the end of the ban closes its open steps --------------------------------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_after_expiry_no_step_of_the_ban_stays_open(rt, session, variant):
    s = start_variant(rt, session, variant)
    to_beschikking(s, variant)
    s.do("Task_beschikking", beschikking(s))
    s.do("Task_contactadres", {"contactadres": "Pension, Amersfoort"})
    assert _open_ban_steps(s) >= {"Task_uitreiken", "Task_kennisgeving", "Task_verlenging"}  # never done
    s.advance_to(START + timedelta(days=_days(variant)))
    assert s.milestones()[-1] == "huisverbod_verlopen"
    assert not _open_ban_steps(s)


@pytest.mark.parametrize("variant", VARIANTS)
def test_after_a_suspension_by_the_court_no_step_of_the_ban_stays_open(rt, session, variant):
    s = imposed(rt, session, variant)
    s.send(
        "overtreding_gemeld",
        "politie",
        {"overtreding_tijdstip": "2026-02-03T21:00:00+01:00", "overtreding_omschrijving": "Weer in de woning."},
    )
    appeal(s)
    prepare_hearing(s)
    vovo_ruling(s, granted=True)
    assert s.milestones()[-1] == "huisverbod_geschorst"
    assert not _open_ban_steps(s)
    assert s.has_task("Task_afschriften_vovo")  # the appeal track goes on: the copies of the ruling


def test_after_withdrawal_no_step_of_the_ban_stays_open_even_unserved(rt, session):
    s = start_variant(rt, session, "wth-basis")
    to_beschikking(s, "wth-basis")
    s.do("Task_beschikking", beschikking(s))
    assert {"Task_uitreiken", "Task_mededeling", "Task_kennisgeving", "Task_contactadres"} <= _open_ban_steps(s)
    withdraw(s)
    assert s.milestones()[-1] == "huisverbod_ingetrokken"
    assert not _open_ban_steps(s)
    assert s.case()["next_timer_at"] is None or "Task_contactadres" not in {t["element"] for t in s.tasks()}


# --- 5. retention: five years after the last beschikking ----------------------------------------------


def _finish_basis(s: Scenario) -> None:
    s.do("Task_outreach", {"contact_uithuisgeplaatste": True, "contact_achterblijvers": True})
    s.do("Task_veiligheidsplan", {"partnergesprek_gevoerd": True, "veiligheidsafspraken": "Geen contact."})
    s.do("Task_afronden", {"afloop_samenvatting": "Afgelopen."})
    # The appeal track waits until six weeks after the last bekendmaking (Awb 6:7), long before retention ends.
    window = s.next_timer()
    assert window.year == 2026
    s.advance_to(window)


def test_retention_after_expiry_is_five_years_after_the_beschikking(rt, session):
    s = imposed(rt, session, "wth-basis", at=START + timedelta(minutes=5))
    s.advance_to(START + timedelta(days=10, minutes=5))
    _finish_basis(s)
    due = add_legal_term(START + timedelta(minutes=5), "P5Y")
    assert s.next_timer() == due == datetime(2031, 2, 2, 20, 20, tzinfo=UTC)
    s.advance_to(due - timedelta(minutes=1))
    assert not s.has_task("Task_vernietigen")
    s.advance_to(due)
    s.do("Task_vernietigen", {"vernietigd": True})
    assert s.case()["status"] == "completed"


def test_retention_after_withdrawal_is_five_years_after_the_intrekkingsbesluit(rt, session):
    s = imposed(rt, session, "wth-basis")
    s.advance(timedelta(days=4, hours=3))
    withdraw(s)
    decided = parse_instant(s.var("huisverbod")["laatste_beschikking_op"])
    assert decided == START + timedelta(days=4, hours=3)
    s.do(
        "Task_intrekking_achterblijver",
        {"achterblijver_geinformeerd_op": "2026-02-07T10:00:00+01:00", "informeren_wijze": "telefonisch"},
    )
    s.do("Task_intrekking_politie", {"kennis_genomen": True})
    s.do("Task_intrekking_hulpverlening", {"kennis_genomen": True})
    _finish_basis(s)
    assert s.next_timer() == add_legal_term(decided, "P5Y") == datetime(2031, 2, 6, 23, 15, tzinfo=UTC)


def test_retention_in_v4_counts_from_the_beschikking_not_from_18_months_of_monitoring(rt, session):
    s = imposed(rt, session, "v4-integraal")
    s.do("Task_outreach", {"contact_uithuisgeplaatste": True, "contact_achterblijvers": True})
    s.do("Task_veiligheidsplan", {"partnergesprek_gevoerd": True, "veiligheidsafspraken": "x"})
    s.advance_to(START + timedelta(days=14))
    with pytest.raises(FormInvalid) as refused:  # chosen from the case roles; the name goes with the contact
        s.do("Task_regiehouder", {"regiehouder": "Veilig Thuis Utrecht"})
    assert set(refused.value.fields) == {"regiehouder"}
    s.do("Task_regiehouder", {"regiehouder": "veilig_thuis", "regiehouder_contact": "Veilig Thuis Utrecht"})
    assert s.session.get(Case, s.case_id).regiehouder == "veilig_thuis"  # a party to the case from now on
    while not s.has_task("Task_afronden"):
        s.advance_to(s.next_timer())
        if s.has_task("Task_checkin"):
            s.do("Task_checkin", {"checkin_notitie": "Rustig.", "veiligheid_in_geding": False})
    s.do("Task_afronden", {"afloop_samenvatting": "Monitoring afgerond."})
    assert s.next_timer() == datetime(2031, 2, 2, 20, 15, tzinfo=UTC)  # P5Y after 2 Feb 2026 21:15


# --- the immediate danger made plausible from a pattern (Leidraad principle 3) -------------------------


def test_the_beschikking_states_the_danger_from_a_pattern_when_given(rt, session):
    s = start_variant(rt, session, "v1-brede-toegang")
    to_beschikking(s, "v1-brede-toegang")
    pattern = "Derde melding in een jaar; dwingende controle en dreiging met de dood."
    s.do("Task_beschikking", beschikking(s, onmiddellijk_gevaar_onderbouwing=pattern))
    html = issue(s, "beschikking", "burgemeester").html
    assert "Ernstig en onmiddellijk gevaar" in html and pattern in html


def test_without_it_the_beschikking_has_no_empty_section(rt, session):
    s = imposed(rt, session, "wth-basis")
    assert "Ernstig en onmiddellijk gevaar" not in issue(s, "beschikking", "hulpofficier").html
