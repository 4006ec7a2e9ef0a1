"""Presenters turn read models into what a template shows: here the rows of a case's history."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.base.vocabulary import Action
from web.presenters.cases import history_row, history_rows
from web.presenters.dashboard import figure_table

AT = datetime(2026, 2, 2, 20, 15, tzinfo=UTC)  # 21:15 in Amsterdam


def entry(action: str, **fields) -> dict:
    row = {"at": AT, "actor": "p.jansen", "action": action, "element": None, "element_title": None}
    return row | {"milestone": None, "detail": {}, "revoked": False} | fields


@pytest.fixture
def request_context(app):
    with app.test_request_context("/"):
        yield


def test_a_completed_task_names_the_task_and_when_it_happened(request_context):
    row = history_row(
        entry("taak_afgerond", element="Task_x", element_title="Beschikking uitreiken", detail={"tijdstip": AT})
    )
    assert (row.label, row.subject, row.milestone) == ("Taak afgerond", "Beschikking uitreiken", False)
    assert row.happened_note == "gebeurd op ma 2 feb 2026 21:15" and row.document_note == ""


def test_an_instant_counts_only_for_acts_recorded_late(request_context):
    # A timer's detail may hold a tijdstip too; only completed tasks, messages and revisions show it.
    assert history_row(entry("timer", detail={"tijdstip": AT})).happened_note == ""


def test_a_milestone_is_named_and_marked(request_context):
    row = history_row(entry(Action.MILESTONE, element="Task_x", element_title="X", milestone="huisverbod_opgelegd"))
    assert (row.label, row.subject, row.milestone) == ("Mijlpaal bereikt", "Huisverbod opgelegd", True)


def test_document_rows_name_the_document_and_its_version(request_context):
    made = history_row(entry("document_gemaakt", element="beschikking", detail={"versie": 2, "sha256": "ab" * 32}))
    assert (made.label, made.subject) == ("Document gemaakt", "Beschikking tijdelijk huisverbod")
    assert made.document_note == "versie 2, controlegetal abababababab…"
    detail = {"versie": 1, "ontvanger": "P. de Vries", "rol": "uithuisgeplaatste", "wijze": "per_post"}
    served = history_row(entry("uitgereikt", element="beschikking", detail=detail | {"uitgereikt_op": AT}))
    assert served.label == "Uitreiking vastgelegd"
    assert (
        served.document_note == "versie 1 aan P. de Vries (Uithuisgeplaatste): per post verzonden, ma 2 feb 2026 21:15"
    )


def test_case_start_and_dossier_export_name_no_element(request_context):
    assert history_row(entry("zaak_gestart", element="Process_main", element_title="Hoofdproces")).subject == ""
    assert history_row(entry("dossier_geexporteerd", element_title="dossier")).subject == ""
    assert history_row(entry("gemigreerd", element_title="versie 2")).label == "Zaak gemigreerd"


def test_reasons_errors_and_revocation_are_carried(request_context):
    row = history_row(entry("taak_vervallen", detail={"reden": "termijn verstreken", "fout": "kapot"}, revoked=True))
    assert (row.reason, row.error, row.revoked) == ("termijn verstreken", "kapot", True)


def test_an_unknown_action_is_shown_readably_and_rows_come_newest_first(request_context):
    rows = history_rows([entry("zaak_gestart"), entry("iets_nieuws")])
    assert [r.label for r in rows] == ["Iets nieuws", "Zaak gestart"]


def test_labels_follow_the_language(app):
    with app.test_request_context("/"):
        from flask import session

        session["lang"] = "en"
        assert history_row(entry("gemigreerd")).label == "Case migrated"
        assert history_row(entry("taak_afgerond")).label == "Task completed"


def test_a_figure_table_formats_its_cells(request_context):
    rows = [{"region": "basis", "variant": "wth-basis", "role": "politie", "completed": 3, "with_deadline": 2}]
    table = figure_table("deadlines", [r | {"late": 1, "late_share": 1 / 3} for r in rows] + [rows[0] | {"late": 0}])
    assert table.headings[:3] == ["regio", "variant", "organisatie"]
    cells = dict(zip(table.headings, table.rows[0]))
    assert cells["regio"] == "Basisregio (huidige praktijk)" and cells["organisatie"] == "Politie"
    assert cells["deel te laat"] == "33.3%" and table.rows[1][-1] == "—"  # no share without deadlines


def test_the_next_steps_are_named_with_role_and_due_time_or_the_case_ended_or_waits(request_context):
    from web.presenters.tasks import next_steps_message

    base = {"status": "afgerond", "case_id": 7, "case_status": "active"}
    step = {"id": "x", "title": "Beschikking opstellen", "role": "hulpofficier", "acute": True}
    one = next_steps_message({**base, "next_tasks": [{**step, "due_at": "2026-02-02T22:15:00+00:00"}]})
    assert one == "Volgende stap: Beschikking opstellen (Hulpofficier van justitie, uiterlijk ma 2 feb 2026 23:15)."
    two = next_steps_message(
        {**base, "next_tasks": [{**step, "due_at": None}, {**step, "title": "Mededeling", "due_at": None}]}
    )
    assert two == (
        "Volgende stappen: Beschikking opstellen (Hulpofficier van justitie); Mededeling (Hulpofficier van justitie)."
    )
    assert next_steps_message({**base, "case_status": "completed", "next_tasks": []}) == "De zaak is hiermee afgerond."
    assert next_steps_message({**base, "next_tasks": []}).startswith("Er staan geen nieuwe taken klaar")


def test_dashboard_numbers_are_dutch_and_axis_labels_never_repeat(request_context):
    from web.charts import _hours_text, number, tick_labels

    assert number(2.5) == "2,5" and number(1234.5) == "1.234,5" and number(3.0) == "3" and number(1234, 0) == "1.234"
    hours = tick_labels(0.1, lambda v, decimals: _hours_text(v, False, decimals))
    assert hours == ["0 u", "0,02 u", "0,05 u", "0,08 u", "0,1 u"]  # half-even rounding, as Babel does
    assert tick_labels(8, number) == ["0", "2", "4", "6", "8"]  # no needless decimals
    assert tick_labels(3, number) == ["0", "0,8", "1,5", "2,2", "3"]
