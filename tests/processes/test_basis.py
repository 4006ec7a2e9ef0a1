"""Scenario tests of the baseline model (wth-basis): T1, T2, T3, T7, T8 and the other paths."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.base.errors import Conflict, Forbidden, RuleRefused
from tests.processes.scenario import Scenario
from tests.processes.steps import (
    MELDING,
    RIHG_HOOG,
    RIHG_LAAG,
    appeal,
    assess,
    beschikking,
    copies,
    decide,
    decide_extension,
    extend,
    help_without_children,
    impose,
    issue,
    prepare_hearing,
    record,
    serve_and_notify,
    vovo_ruling,
    withdraw,
)


@pytest.fixture
def s(rt, session) -> Scenario:
    return Scenario(rt, session, "wth-basis")


def test_t1_acute_imposed_by_hulpofficier_and_extended_to_28_days(s):
    s.start("politie", MELDING)  # 2026-02-02 21:15 Amsterdam
    impose(s, afnemer="hulpofficier", decider="hulpofficier")
    ban = s.var("huisverbod")
    assert ban["opgelegd_op"] == "2026-02-02T20:15:00+00:00"
    assert ban["einde"] == "2026-02-12T20:15:00+00:00"  # P10D: 12 Feb 21:15 Amsterdam
    assert s.task("Task_mededeling")["role"] == "hulpofficier"
    assert s.task("Task_mededeling")["due_at"] == "2026-02-02T22:15:00+00:00"
    serve_and_notify(s)
    help_without_children(s)

    extension = s.task("Task_verlenging")  # open from the imposition; the reminder marks the deadline
    assert (extension["role"], extension["due_at"]) == ("burgemeester", "2026-02-09T20:15:00+00:00")
    s.advance_to(datetime(2026, 2, 9, 20, 15, tzinfo=UTC))  # reminder three days before the end
    assert s.task("Task_verlenging")["due_at"] == "2026-02-12T20:15:00+00:00"  # now the end itself
    s.advance_to(datetime(2026, 2, 10, 9, 0, tzinfo=UTC))  # day 8
    s.do("Task_verlenging", {"verlengen": True, "verlenging_dagen": 18, "verlenging_feiten": "Dreiging houdt aan."})
    assert s.task("Task_verlengingsbeschikking")["role"] == "burgemeester"
    s.do("Task_verlengingsbeschikking", {})
    assert s.var("huisverbod")["einde"] == "2026-02-12T20:15:00+00:00"  # not before it is made known
    with pytest.raises(Conflict):
        s.do("Task_verlenging_uitreiken", {})
    record(
        s,
        issue(s, "verlengingsbeschikking", "burgemeester"),
        to="uithuisgeplaatste",
        method="in_persoon_getekend",
        by="politie",
    )
    s.do("Task_verlenging_uitreiken", {})
    assert s.var("huisverbod")["einde"] == "2026-03-02T20:15:00+00:00"
    assert not s.has_task("Task_verlenging")  # the maximum is reached: no further extension

    s.advance_to(datetime(2026, 3, 2, 20, 14, tzinfo=UTC))
    assert "huisverbod_verlopen" not in s.milestones()
    s.advance_to(datetime(2026, 3, 2, 20, 15, tzinfo=UTC))
    assert s.milestones() == [
        "verzoek_ontvangen",
        "rihg_afgenomen",
        "huisverbod_opgelegd",
        "beschikking_uitgereikt",
        "huisverbod_verlengd",
        "huisverbod_verlopen",
    ]
    assert s.var("huisverbod")["status"] == "verlopen"
    done = s.completed_by_role()
    assert "Task_mededeling" in done["hulpofficier"]
    assert "Task_kennisgeving" in done["burgemeester"]
    s.do("Task_afronden", {"afloop_samenvatting": "Verlopen na verlenging."})
    # No appeal: the track ends six weeks after the verlengingsbeschikking was served (10 February), at the
    # end of 24 March (Awb 6:7, 6:8).
    assert s.next_timer() == datetime(2026, 3, 24, 23, 0, tzinfo=UTC)
    s.advance_to(s.next_timer())
    # Retention counts from the last beschikking, the verlengingsbeschikking of 10 February 10:00 Amsterdam.
    assert s.next_timer() == datetime(2031, 2, 10, 9, 0, tzinfo=UTC)
    s.advance_to(datetime(2031, 2, 10, 8, 59, tzinfo=UTC))
    assert not s.has_task("Task_vernietigen")
    s.advance_to(datetime(2031, 2, 10, 9, 0, tzinfo=UTC))
    s.do("Task_vernietigen", {"vernietigd": True})
    assert s.case()["status"] == "completed"


def test_t2_low_advice_confirmed_gives_no_ban_and_a_melding(s):
    s.start("politie", MELDING)
    assess(s, RIHG_LAAG, afnemer="hulpofficier")
    assert s.var("rihg_resultaat")["advies"] == "geen"
    decide(s, "hulpofficier", besluit="niet_opleggen", advies="geen")
    task = s.do("Task_melding_vt", {"melding_verstuurd_op": "2026-02-02T22:00:00+01:00"})
    assert task["role"] == "hulpofficier"
    assert s.milestones() == ["verzoek_ontvangen", "rihg_afgenomen", "huisverbod_niet_opgelegd"]
    assert s.case()["status"] == "completed"


def test_t3_child_abuse_consults_veilig_thuis_first_and_hears_child_on_appeal(s):
    s.start("politie", {**MELDING, "vermoeden_kindermishandeling": True, "kinderen": [{"leeftijd": 13}]})
    assess(s, RIHG_HOOG, afnemer="hulpofficier")
    assert [t["element"] for t in s.tasks()] == ["Task_vt_raadplegen"]  # before any decision
    s.do("Task_vt_raadplegen", {"bekend_bij_veilig_thuis": True, "advies_veilig_thuis": "Huisverbod aangewezen."})
    decide(s, "hulpofficier")
    s.do("Task_beschikking", beschikking(s))
    s.do("Task_outreach", {"contact_uithuisgeplaatste": True, "contact_achterblijvers": True, "contact_kinderen": True})
    s.do("Task_veiligheidsplan", {"partnergesprek_gevoerd": True, "veiligheidsafspraken": "x"})
    s.do("Task_kindgericht", {"perspectief_kind": "Bang voor vader.", "omgangsregeling": "geen", "verzoek_rvdk": True})
    assert s.task("Task_rvdk")["role"] == "raad_kinderbescherming"
    appeal(s)
    prepare_hearing(s)
    assert s.task("Task_kind_horen")["role"] == "raad_kinderbescherming"
    vt_done = s.completed_by_role()["veilig_thuis"]
    assert vt_done[0] == "Task_vt_raadplegen"


def test_t7_appeal_with_granted_provisional_ruling_suspends_the_ban(s):
    s.start("politie", MELDING)
    impose(s, afnemer="hulpofficier", decider="hulpofficier")
    s.advance(timedelta(days=2))
    appeal(s)
    raadsman, verweer = s.task("Task_raadsman"), None
    assert raadsman["due_at"] == "2026-02-05T20:15:00+00:00"  # 24 hours
    s.do("Task_raadsman", {"raadsman_naam": "mr. A. Jansen", "raadsman_toegevoegd_op": "2026-02-04T22:00:00+01:00"})
    verweer = s.task("Task_verweer")
    assert verweer["due_at"] == "2026-02-07T20:15:00+00:00"  # hearing within three days
    s.do("Task_verweer", {"stukken_verstuurd_op": "2026-02-05T10:00:00+01:00"})
    s.advance(timedelta(days=1))
    vovo_ruling(s, granted=True)
    assert s.task("Task_afschriften_vovo")["due_at"] == "2026-02-06T20:15:00+00:00"  # onverwijld: within a day
    copies(s, "Task_afschriften_vovo")
    assert s.milestones()[-3:] == ["beroep_ingesteld", "uitspraak_voorlopige_voorziening", "huisverbod_geschorst"]
    assert s.var("huisverbod")["status"] == "geschorst"
    assert s.case()["next_timer_at"] != "2026-02-12T20:15:00+00:00"  # the expiry timer is gone
    assert s.has_task("Task_afronden")


def test_t8_no_contact_address_in_24_hours_leads_to_nederlegging_and_the_term_runs_on(s):
    s.start("politie", MELDING)
    impose(s, afnemer="hulpofficier", decider="hulpofficier")
    assert s.advance(timedelta(hours=24)) >= 1
    task = s.task("Task_nederlegging")
    assert task["role"] == "burgemeester"
    with pytest.raises(Conflict):  # no proof of the nederlegging yet
        s.do("Task_nederlegging", {"nedergelegd_op": "2026-02-04T09:00:00+01:00"})
    record(s, issue(s, "beschikking", "hulpofficier"), to="uithuisgeplaatste", method="nederlegging", by="burgemeester")
    s.do("Task_nederlegging", {"nedergelegd_op": "2026-02-04T09:00:00+01:00"})
    assert s.var("huisverbod")["einde"] == "2026-02-12T20:15:00+00:00"
    s.advance_to(datetime(2026, 2, 12, 20, 15, tzinfo=UTC))
    assert s.milestones()[-1] == "huisverbod_verlopen"


def test_imposition_just_before_dst_change_ends_on_the_same_wall_clock_minute(rt, session):
    rt.clock.set(datetime(2026, 3, 25, 21, 15, tzinfo=UTC))  # 22:15 CET, four days before summer time
    s = Scenario(rt, session, "wth-basis")
    s.start("politie", MELDING)
    impose(s, afnemer="hulpofficier", decider="hulpofficier")
    assert s.var("huisverbod")["einde"] == "2026-04-04T20:15:00+00:00"  # 22:15 CEST
    s.advance_to(datetime(2026, 4, 4, 20, 14, tzinfo=UTC))
    assert "huisverbod_verlopen" not in s.milestones()
    s.advance_to(datetime(2026, 4, 4, 20, 15, tzinfo=UTC))
    assert s.milestones()[-1] == "huisverbod_verlopen"


def test_extension_beyond_the_maximum_is_refused_and_changes_nothing(s):
    s.start("politie", MELDING)
    impose(s, afnemer="hulpofficier", decider="hulpofficier")
    s.advance(timedelta(days=8))
    extend(s, 10)
    assert s.var("huisverbod")["einde"] == "2026-02-22T20:15:00+00:00"
    s.advance_to(datetime(2026, 2, 19, 20, 15, tzinfo=UTC))  # reminder of the second period
    before = s.case()
    with pytest.raises(RuleRefused) as refused:  # 22 Feb + 9 days passes 2 March 21:15
        s.do("Task_verlenging", {"verlengen": True, "verlenging_dagen": 9, "verlenging_feiten": "x"})
    assert str(refused.value) == (
        "Verlenging geweigerd: met 9 dagen zou het huisverbod eindigen op 3 maart 2026 om 21:15, na de maximale duur "
        "van 28 dagen na het opleggen; het uiterste einde is 2 maart 2026 om 21:15 (Wth 9, eerste lid)."
    )
    assert s.case() == before and s.has_task("Task_verlenging")
    extend(s, 8)
    assert s.var("huisverbod")["einde"] == "2026-03-02T20:15:00+00:00"
    assert s.milestones().count("huisverbod_verlengd") == 2


def test_extension_after_expiry_is_impossible(s):
    s.start("politie", MELDING)
    impose(s, afnemer="hulpofficier", decider="hulpofficier")
    s.advance(timedelta(days=8))
    task = s.task("Task_verlenging")
    s.advance(timedelta(days=2))
    from engine.base.errors import Conflict
    from engine.cases import operations as cases

    with pytest.raises(Conflict):
        cases.complete_task(
            s.session,
            s.rt.registry,
            s.clock,
            task_id=task["id"],
            user=s.users["burgemeester"],
            data={"verlengen": True, "verlenging_dagen": 5, "verlenging_feiten": "x"},
        )
    assert s.milestones()[-1] == "huisverbod_verlopen"


def test_extension_not_made_known_before_the_end_does_not_take_effect(s):
    s.start("politie", MELDING)
    impose(s, afnemer="hulpofficier", decider="hulpofficier")
    s.advance(timedelta(days=8))
    decide_extension(s, 10, "x")
    assert s.task("Task_verlenging_uitreiken")["due_at"] == "2026-02-12T20:15:00+00:00"
    s.advance(timedelta(days=2))
    assert "huisverbod_verlengd" not in s.milestones()
    assert s.milestones()[-1] == "huisverbod_verlopen"
    assert s.var("huisverbod")["verlenging_vervallen"]["nieuw_einde"] == "2026-02-22T20:15:00+00:00"


def test_declined_extension_runs_out_after_ten_days(s):
    s.start("politie", MELDING)
    impose(s, afnemer="hulpofficier", decider="hulpofficier")
    s.advance(timedelta(days=8))
    s.do("Task_verlenging", {"verlengen": False})
    s.advance(timedelta(days=2))
    assert s.milestones()[-1] == "huisverbod_verlopen"
    assert "huisverbod_verlengd" not in s.milestones()


def test_no_legal_ground_refers_elsewhere(s):
    s.start("politie", MELDING)
    s.do("Task_toets", {"meerderjarig": True, "woonsituatie": "incidenteel"})
    s.do(
        "Task_alternatief",
        {"doorverwezen_naar": "gedragsaanwijzing_509hh", "doorverwijzing_toelichting": "Geen band met de woning."},
    )
    assert s.milestones() == ["verzoek_ontvangen", "huisverbod_niet_opgelegd"]


def test_arrest_runs_zsm_in_parallel(s):
    s.start("politie", {**MELDING, "aanhouding": True})
    zsm = s.task("Task_zsm_afdoening")
    assert (zsm["role"], zsm["due_at"]) == ("om", "2026-02-03T02:15:00+00:00")  # about six hours
    assert s.has_task("Task_toets")
    s.do(
        "Task_zsm_afdoening",
        {
            "zsm_afdoening": "dagvaarden",
            "gedragsaanwijzing_overwogen": True,
            "gedragsaanwijzing_soort": "contactverbod",
            "gedragsaanwijzing_dagen": 90,
        },
    )
    assert s.milestones()[-2:] == ["zsm_besluit", "gedragsaanwijzing_opgelegd"]
    assert s.var("gedragsaanwijzing")["einde"] == "2026-05-03T19:15:00+00:00"  # 90 days, across DST


def test_decision_against_the_advice_needs_a_reason(s):
    from engine.base.errors import FormInvalid

    s.start("politie", MELDING)
    assess(s, RIHG_HOOG, afnemer="hulpofficier")
    with pytest.raises(FormInvalid):
        decide(s, "hulpofficier", besluit="niet_opleggen")
    decide(s, "hulpofficier", besluit="niet_opleggen", reden="Hulp direct geaccepteerd.")
    assert s.has_task("Task_melding_vt")


def test_help_accepted_leads_to_withdrawal(s):
    s.start("politie", MELDING)
    impose(s, afnemer="hulpofficier", decider="hulpofficier")
    with pytest.raises(Forbidden):
        s.send("hulp_geaccepteerd", "politie", {"hulp_bevestigd_door": "x", "hulp_huisgenoten_niet_belemmerd": True})
    s.send(
        "hulp_geaccepteerd",
        "hulpverlening",
        {"hulp_bevestigd_door": "Ambulant team", "hulp_huisgenoten_niet_belemmerd": True},
    )
    s.do("Task_intrekking", {"intrekken": False, "intrekking_motivering": "Te vroeg."})
    withdraw(s)
    assert s.milestones()[-1] == "huisverbod_ingetrokken"
    assert s.var("huisverbod")["status"] == "ingetrokken"


def test_violation_is_prosecuted_and_the_ban_continues(s):
    s.start("politie", MELDING)
    impose(s, afnemer="hulpofficier", decider="hulpofficier")
    s.advance(timedelta(days=4))
    s.send(
        "overtreding_gemeld",
        "politie",
        {"overtreding_tijdstip": "2026-02-06T21:00:00+01:00", "overtreding_omschrijving": "Weer in de woning."},
    )
    s.do("Task_pv", {"aangehouden": True, "pv_nummer": "PL0900-2026-1", "kennis_van_huisverbod": "uitreiking_getekend"})
    s.do(
        "Task_zsm_afdoening",
        {"zsm_afdoening": "voorgeleiden", "gedragsaanwijzing_overwogen": True, "gedragsaanwijzing_soort": "geen"},
    )
    assert s.milestones()[-2:] == ["overtreding_gemeld", "zsm_besluit"]
    assert s.var("huisverbod")["status"] == "opgelegd"
    assert "overtreding_gemeld" in s.case()["waiting_for"]  # a second violation can be reported


def test_only_politie_may_start_in_the_baseline(s):
    with pytest.raises(Forbidden):
        s.start("veilig_thuis", MELDING)


def test_the_ban_shown_comes_from_the_latest_milestone_not_from_an_older_branch(s):
    s.start("politie", MELDING)
    impose(s, afnemer="hulpofficier", decider="hulpofficier")
    s.advance(timedelta(days=8))
    extend(s, 10)
    # The serving and help branches still hold the ban as it was imposed; the case shows the extended one.
    s.do("Task_outreach", {"contact_uithuisgeplaatste": True, "contact_achterblijvers": True})
    assert s.var("huisverbod")["einde"] == "2026-02-22T20:15:00+00:00"
    assert s.var("huisverbod")["status"] == "verlengd"
