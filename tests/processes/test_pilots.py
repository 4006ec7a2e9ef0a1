"""Scenario tests of the pilot variants: T4, T5, T6, T8 (V3) and what each variant changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.base.errors import Forbidden, FormInvalid
from tests.processes.scenario import Scenario
from tests.processes.steps import (
    BESCHIKKING,
    RIHG_HOOG,
    assess,
    decide,
    impose,
    issue,
    record,
    to_monitoring,
    verzoek,
)


def scenario(rt, session, variant: str) -> Scenario:
    return Scenario(rt, session, variant)


def test_t4_v2_weegteam_rejects_a_wijkteam_request_with_advice(rt, session):
    s = scenario(rt, session, "v2-weegteam")
    s.start("wijkteam", verzoek(route="structureel", onderbouwing="Signalen van structurele onveiligheid."))
    wegen = s.task("Task_wegen")
    assert (wegen["role"], wegen["due_at"]) == ("weegteam", "2026-02-04T20:15:00+00:00")
    with pytest.raises(FormInvalid):  # a rejection needs advice
        s.do("Task_wegen", {"weegteam_besluit": "afwijzen", "weegteam_afweging": "Onvoldoende onderbouwd."})
    s.do(
        "Task_wegen",
        {
            "weegteam_besluit": "afwijzen",
            "weegteam_afweging": "Onvoldoende onderbouwd.",
            "weegteam_advies": "Schakel het wijkteam en Veilig Thuis in voor vrijwillige hulp.",
        },
    )
    record(
        s,
        issue(s, "afwijzing_weegteam", "weegteam"),
        to="verzoeker",
        method="digitaal",
        by="weegteam",
        name="Wijkteam Utrecht-Noord",
    )
    s.do("Task_afwijzing", {"afwijzing_verzonden_op": "2026-02-03T10:00:00+01:00"})
    assert s.milestones() == ["verzoek_ontvangen", "weegteam_afgewezen"]
    assert s.case()["status"] == "completed"
    assert "rihg_afgenomen" not in s.milestones() and not s.tasks()


def test_t5_v2_veilig_thuis_request_accepted_rihg_by_veilig_thuis_burgemeester_imposes(rt, session):
    s = scenario(rt, session, "v2-weegteam")
    s.start("veilig_thuis", verzoek(route="structureel"))
    s.do("Task_wegen", {"weegteam_besluit": "toewijzen", "weegteam_afweging": "Patroon van geweld."})
    impose(s, afnemer="veilig_thuis", decider="burgemeester")
    assert s.milestones() == ["verzoek_ontvangen", "weegteam_toegewezen", "rihg_afgenomen", "huisverbod_opgelegd"]
    done = s.completed_by_role()
    assert done["veilig_thuis"] == ["Task_rihg_veilig_thuis", "Task_voorleggen_veilig_thuis"]  # RIHG, then voorleggen
    assert "Task_besluit_bm_huisverbod" in done["burgemeester"]
    assert not any(t["element"].startswith("Task_zsm") for t in s.tasks())  # no ZSM branch
    assert not s.has_task("Task_mededeling")  # the burgemeester decided himself


def test_t6_v4_violation_on_day_4_is_prosecuted_with_mandatory_509hh_and_the_ban_continues(rt, session):
    s = scenario(rt, session, "v4-integraal")
    s.start("politie", verzoek())
    s.do("Task_integraal", {"integrale_maatregel": "huisverbod", "integrale_motivering": "Direct gevaar."})
    impose(s, afnemer="politie", decider="burgemeester")
    assert s.var("huisverbod")["einde"] == "2026-02-16T20:15:00+00:00"  # P14D
    s.do("Task_contactadres", {"contactadres": "Pension, Amersfoort"})
    s.advance(timedelta(days=4))
    s.send(
        "overtreding_gemeld",
        "politie",
        {"overtreding_tijdstip": "2026-02-06T21:00:00+01:00", "overtreding_omschrijving": "Betrad de woning."},
    )
    s.do("Task_pv", {"aangehouden": True, "pv_nummer": "PL-1", "kennis_van_huisverbod": "uitreiking_getekend"})
    s.do(
        "Task_zsm_afdoening",
        {"zsm_afdoening": "dagvaarden", "gedragsaanwijzing_overwogen": False, "gedragsaanwijzing_soort": "geen"},
    )
    s.do(
        "Task_zsm_509hh",
        {
            "gedragsaanwijzing_overwogen": True,
            "gedragsaanwijzing_soort": "contactverbod",
            "gedragsaanwijzing_dagen": 90,
            "afweging_509hh": "Ernstige bezwaren, herhaling.",
        },
    )
    assert s.milestones()[-3:] == ["overtreding_gemeld", "zsm_besluit", "gedragsaanwijzing_opgelegd"]
    assert s.var("gedragsaanwijzing")["soort"] == "contactverbod"
    assert s.var("huisverbod")["status"] == "opgelegd"
    assert s.case()["next_timer_at"] is not None


def test_t8_v3_unreachable_suspends_the_term_and_shifts_the_end(rt, session):
    s = scenario(rt, session, "v3-termijnflex")
    s.start("politie", verzoek())
    impose(s, afnemer="politie", decider="burgemeester")
    assert s.var("huisverbod")["einde"] == "2026-02-16T20:15:00+00:00"  # P14D
    s.advance(timedelta(hours=24))  # no contact address
    assert not s.has_task("Task_nederlegging")
    assert "huisverbod_opgeschort" not in s.milestones()  # not by itself: the burgemeester decides
    s.do("Task_opschorting", {"opschorten": True, "opschorting_reden": "Geen contactadres; telefoon staat uit."})
    assert s.milestones()[-1] == "huisverbod_opgeschort"
    assert s.var("huisverbod")["status"] == "opgeschort"
    waiting = s.case()["waiting_for"]
    assert "uithuisgeplaatste_bereikbaar" in waiting and "overtreding_gemeld" in waiting  # the ban is in force
    assert "uithuisgeplaatste_onbereikbaar" not in waiting
    s.advance_to(datetime(2026, 2, 16, 20, 15, tzinfo=UTC))  # the original end: still in force
    assert "huisverbod_verlopen" not in s.milestones()
    s.send("uithuisgeplaatste_bereikbaar", "hulpverlening", {"bereikbaar_adres": "Logeeradres, Zeist"})
    ban = s.var("huisverbod")
    assert ban["status"] == "hervat" and s.milestones()[-1] == "huisverbod_hervat"
    assert ban["einde"] == "2026-03-01T20:15:00+00:00"  # 16 Feb shifted by 13 days of suspension
    assert ban["uiterste_einde"] == "2026-03-15T20:15:00+00:00"
    notice = issue(s, "kennisgeving_nieuw_einde", "burgemeester")
    record(s, notice, to="uithuisgeplaatste", method="in_persoon_getekend", by="politie")
    s.do("Task_nieuw_einde", {"kennis_genomen": True})
    s.advance_to(datetime(2026, 2, 26, 20, 15, tzinfo=UTC))  # the reminder of the resumed period
    assert s.task("Task_verlenging")["due_at"] == "2026-03-01T20:15:00+00:00"
    s.do("Task_verlenging", {"verlengen": False})
    s.advance_to(datetime(2026, 3, 1, 20, 15, tzinfo=UTC))
    assert s.milestones()[-1] == "huisverbod_verlopen"


def test_v3_allows_only_politie_and_veilig_thuis_to_start(rt, session):
    s = scenario(rt, session, "v3-termijnflex")
    with pytest.raises(Forbidden):
        s.start("wijkteam", verzoek())
    s.start("veilig_thuis", verzoek())
    s.do("Task_toets", {"meerderjarig": True, "woonsituatie": "woont"})
    assert s.task("Task_rihg_politie")["role"] == "politie"


@pytest.mark.parametrize(
    "starter, afnemer", [("crisisteam", "crisisteam"), ("veilig_thuis", "veilig_thuis"), ("vrouwenopvang", "politie")]
)
def test_v1_any_party_may_request_and_the_rihg_taker_follows_the_requester(rt, session, starter, afnemer):
    s = scenario(rt, session, "v1-brede-toegang")
    s.start(starter, verzoek())
    assess(s, RIHG_HOOG, afnemer=afnemer)
    assert s.var("rihg_resultaat")["catalogus"].endswith("nieuw-perspectief-2026.1")
    decide(s, "burgemeester")
    s.do("Task_beschikking", BESCHIKKING)
    assert s.var("huisverbod")["einde"] == "2026-02-12T20:15:00+00:00"  # P10D


def test_v1_ex_partner_without_dwelling_link_gets_an_alternative_measure(rt, session):
    s = scenario(rt, session, "v1-brede-toegang")
    s.start("politie", verzoek())
    s.do("Task_toets", {"meerderjarig": True, "woonsituatie": "geen"})
    task = s.do(
        "Task_alternatief", {"alternatieve_maatregel": "contactverbod", "alternatief_motivering": "Ex-partner stalkt."}
    )
    assert task["role"] == "burgemeester"
    assert s.milestones()[-1] == "huisverbod_niet_opgelegd"


def test_v4_integral_weighing_can_choose_a_lighter_measure(rt, session):
    s = scenario(rt, session, "v4-integraal")
    s.start("jeugdbescherming", verzoek(route="structureel"))
    s.do("Task_wegen", {"weegteam_besluit": "toewijzen", "weegteam_afweging": "Patroon van dreiging."})
    s.do("Task_integraal", {"integrale_maatregel": "alternatief", "integrale_motivering": "Contactverbod volstaat."})
    s.do("Task_alternatief_integraal", {"alternatieve_maatregel": "contactverbod", "alternatief_motivering": "x"})
    s.do(
        "Task_verbod_besluit",
        {"verbod_opleggen": False, "verbod_motivering": "Afspraken met de hulpverlening volstaan."},
    )
    assert s.milestones() == ["verzoek_ontvangen", "weegteam_toegewezen", "huisverbod_niet_opgelegd"]
    assert not s.has_task("Task_toets")


def test_v4_mandatory_help_and_18_months_of_monitoring(rt, session):
    s = scenario(rt, session, "v4-integraal")
    s.start("politie", verzoek())
    s.do("Task_integraal", {"integrale_maatregel": "huisverbod", "integrale_motivering": "x"})
    impose(s, afnemer="politie", decider="burgemeester")
    s.do("Task_contactadres", {"contactadres": "Pension, Amersfoort"})
    s.do("Task_outreach", {"contact_uithuisgeplaatste": True, "contact_achterblijvers": True})
    s.do("Task_veiligheidsplan", {"partnergesprek_gevoerd": True, "veiligheidsafspraken": "x"})
    assert s.task("Task_verplichte_hulp")["role"] == "hulpverlening"
    s.advance(timedelta(days=11))
    s.do("Task_verlenging", {"verlengen": False})
    s.advance(timedelta(days=3))
    assert s.milestones()[-1] == "huisverbod_verlopen"
    s.do("Task_regiehouder", {"regiehouder": "veilig_thuis"})
    monitoring = s.var("monitoring")
    assert monitoring["einde"] == "2027-08-16T19:15:00+00:00"  # P18M after 16 Feb 2026 21:15, summer time
    checkins = []
    while "monitoring_afgerond" not in s.milestones():  # a check-in every three months until the end
        s.advance_to(s.next_timer())
        if s.has_task("Task_checkin"):
            checkins.append(s.clock.now().date().isoformat())
            assert s.task("Task_checkin")["role"] == "veilig_thuis"  # the regiehouder checks in (principle 10)
            s.do("Task_checkin", {"checkin_notitie": "Rustig.", "veiligheid_in_geding": False})
    assert checkins[:2] == ["2026-05-16", "2026-08-16"] and len(checkins) == 5  # the 6th coincides with the end
    assert s.clock.now() == datetime(2027, 8, 16, 19, 15, tzinfo=UTC)
    assert s.has_task("Task_afronden")


def test_monitoring_signal_sends_the_case_back_to_verzoeken(rt, session):
    s = to_monitoring(rt, session, "wijkteam")
    assert s.milestones()[-1] == "monitoring_gestart"
    with pytest.raises(Forbidden):  # only organisations in contact with the household report it
        s.send(
            "veiligheid_opnieuw_in_geding", "burgemeester", {"signaal": "x", "signaal_op": s.clock.now().isoformat()}
        )
    with pytest.raises(FormInvalid):  # the moment of the new facts is part of the report
        s.send("veiligheid_opnieuw_in_geding", "wijkteam", {"signaal": "Nieuwe melding van buren."})
    s.send(
        "veiligheid_opnieuw_in_geding",
        "wijkteam",
        {"signaal": "Nieuwe melding van buren.", "signaal_op": s.clock.now().isoformat()},
    )
    task = s.task("Task_nieuwe_feiten")  # fresh facts first: the new round decides on them
    assert task["role"] == "politie" and not s.has_task("Task_toets")
    s.do(
        "Task_nieuwe_feiten",
        {
            "omschrijving": "Opnieuw geweld; buren belden.",
            "kinderen": [],
            "aanhouding": True,
            "vermoeden_kindermishandeling": False,
        },
    )
    assert s.has_task("Task_toets") and s.has_task("Task_zsm_afdoening")  # back to beoordelen, with the arrest
    assert s.case()["status"] == "active"
