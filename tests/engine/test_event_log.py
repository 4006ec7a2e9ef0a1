"""The event-log export: XES read back against the standard's structure and schema, the flat CSV,
and pseudonymisation (no user names, no case data).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta

import pytest
from lxml import etree

import engine.storage.analysis_tables  # noqa: F401 - the tables must be in Base.metadata before create_all
from engine.accounts.users import add_user
from engine.base.errors import InvalidInput
from engine.cases import operations as cases
from engine.design.event_log import CSV_COLUMNS, EXTENSIONS, Pseudonyms, export_log, write_xes
from engine.modeling.registry import deploy_bundle
from engine.workflow.timers import fire_due_timers
from engine.workflow.worklist import list_tasks
from tests.conftest import FIXTURES, PASSWORD
from tests.engine.conftest import only_task

XSD = FIXTURES / "xes" / "xes-ieee-1849-2016.xsd"
KEY = b"vaste-sleutel-voor-de-test"
OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$")
NAMES = ("agent.de.vries", "burgemeester.bakker", "hovj.pietersen")
PERSONAL = "Karel Appel"  # a name in the case data: it must never reach the log


@pytest.fixture
def seeded(session, rt, deployed, sample_files, clock):
    """Three cases in basis (one finished, one timed out, one open) and one in pilot1 with a hostile title."""
    pol, bm, hovj = (
        add_user(session, name, [role], ["basis", "pilot1"], password=PASSWORD, now=clock.now())[0]
        for name, role in zip(NAMES, ("politie", "burgemeester", "hulpofficier"))
    )
    odd = sample_files["sample.bpmn"].replace(
        b'name="Verzoek registreren"', b'name="Verzoek &amp; &quot;check&quot; &lt;registreren&gt;"'
    )
    deploy_bundle(
        session,
        rt.registry,
        {**sample_files, "sample.bpmn": odd},
        region="pilot1",
        variant="vreemd",
        actor="test",
        now=clock.now(),
    )

    def step(case_id, user, data):
        clock.advance(timedelta(minutes=10))
        cases.complete_task(
            session, rt.registry, rt.clock, task_id=only_task(session, case_id)["id"], data=data, user=user
        )

    done = cases.start_case(session, rt.registry, clock, region="basis", user=pol)
    step(done, pol, {"naam": PERSONAL, "ernst": 4})
    step(done, bm, {"besluit": "opleggen"})
    step(done, hovj, {"akkoord": True})
    cases.send_message(
        session,
        rt.registry,
        clock,
        case_id=done,
        message="overtreding_gemeld",
        data={"omschrijving": f"{PERSONAL} kwam terug"},
        user=pol,
    )
    late = cases.start_case(session, rt.registry, clock, region="basis", user=pol)
    step(late, pol, {"naam": PERSONAL, "ernst": 5})
    open_case = cases.start_case(session, rt.registry, clock, region="basis", user=pol)
    clock.advance(timedelta(hours=25))
    assert fire_due_timers(session, rt.registry, clock) == 1  # the decision of 'late' timed out: task dropped
    other = cases.start_case(session, rt.registry, clock, region="pilot1", user=pol)
    return {"done": done, "late": late, "open": open_case, "other": other}


def attributes(element: etree._Element) -> dict[str, tuple[str, str]]:
    """key -> (type, value) of the attribute children of an XES element."""
    return {
        child.get("key"): (child.tag, child.get("value"))
        for child in element
        if child.tag in ("string", "date", "int", "float", "boolean", "id")
    }


def test_xes_follows_the_standard_structure_and_schema(session, seeded):
    data = export_log(session, "xes", key=KEY)
    root = etree.fromstring(data)
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(root)
    assert root.tag == "log"
    assert (root.get("xes.version"), root.get("xes.features")) == ("1849-2016", "nested-attributes")
    declared = [(e.get("name"), e.get("prefix"), e.get("uri")) for e in root.iterfind("extension")]
    assert declared == list(EXTENSIONS)
    prefixes = {prefix for _, prefix, _ in EXTENSIONS}
    scopes = {g.get("scope"): attributes(g) for g in root.iterfind("global")}
    assert set(scopes["trace"]) == {"concept:name"}
    assert set(scopes["event"]) == {"concept:name", "time:timestamp", "lifecycle:transition"}

    traces = root.findall("trace")
    assert [attributes(t)["concept:name"] for t in traces] == [
        ("string", str(seeded[k])) for k in ("done", "late", "open", "other")
    ]
    for trace in traces:
        attrs = attributes(trace)
        assert attrs["case:region"][0] == "string" and attrs["case:variant"][0] == "string"
        assert attrs["case:model_version"] == ("int", "1")
        events = trace.findall("event")
        assert events
        previous = None
        for event in events:
            values = attributes(event)
            assert values["concept:name"][0] == "string" and values["concept:name"][1]
            kind, stamp = values["time:timestamp"]
            assert kind == "date" and OFFSET.match(stamp), stamp
            moment = datetime.fromisoformat(stamp)
            assert moment.tzinfo is not None and (previous is None or moment >= previous)
            previous = moment
            assert values["lifecycle:transition"][1] in ("start", "complete", "ate_abort")
            for key in values:  # every key is from a declared extension
                assert key.split(":")[0] in prefixes, key
            assert all(kind == "string" for key, (kind, _) in values.items() if key.startswith("org:"))

    text = data.decode("utf-8")
    for secret in (*NAMES, PERSONAL, "kwam terug", "ernst"):
        assert secret not in text
    odd = [attributes(e)["concept:name"][1] for e in traces[3].iterfind("event")]
    assert 'Verzoek & "check" <registreren>' in odd  # escaped on the way out, exact on the way in


def test_the_trace_of_a_case_in_order(session, seeded):
    root = etree.fromstring(export_log(session, "xes", key=KEY, region="basis"))
    assert len(root.findall("trace")) == 3
    done, late = root.findall("trace")[:2]
    steps = [
        (
            attributes(e)["concept:name"][1],
            attributes(e)["lifecycle:transition"][1],
            attributes(e).get("org:group", (None, None))[1],
        )
        for e in done.iterfind("event")
    ]
    assert steps == [
        ("Zaak gestart", "complete", "politie"),
        ("Verzoek registreren", "start", "politie"),
        ("Verzoek registreren", "complete", "politie"),
        ("verzoek_ontvangen", "complete", None),
        ("rihg_afgenomen", "complete", None),
        ("Besluit burgemeester", "start", "burgemeester"),
        ("Besluit burgemeester", "complete", "burgemeester"),
        ("Beschikking controleren", "start", "hulpofficier"),
        ("Beschikking controleren", "complete", "hulpofficier"),
        ("huisverbod_opgelegd", "complete", None),
        ("Bericht overtreding_gemeld", "complete", None),
        ("overtreding_gemeld", "complete", None),
    ]
    late_steps = [
        (attributes(e)["concept:name"][1], attributes(e)["lifecycle:transition"][1]) for e in late.iterfind("event")
    ]
    assert late_steps[-1] == ("Besluit burgemeester", "ate_abort")


def test_pseudonyms_are_stable_within_an_export_and_differ_between_keys(session, seeded):
    def resources(key: bytes) -> list[str]:
        root = etree.fromstring(export_log(session, "xes", key=key))
        return [attributes(e)["org:resource"][1] for e in root.iter("event") if "org:resource" in attributes(e)]

    first, again, other = resources(KEY), resources(KEY), resources(b"een-andere-sleutel")
    assert first == again and first != other
    assert len(set(first)) == 3  # three people, three pseudonyms
    assert all(r.startswith("p-") and len(r) == 14 for r in first)
    by_role = etree.fromstring(export_log(session, "xes", pseudonym="role"))
    assert {attributes(e)["org:resource"][1] for e in by_role.iter("event") if "org:resource" in attributes(e)} == {
        "politie",
        "medewerker",
        "burgemeester",
        "hulpofficier",
    }
    assert Pseudonyms("hash").resource("systeem", None) == "systeem"
    with pytest.raises(InvalidInput):
        Pseudonyms("naam")


def test_csv_has_the_same_events_as_xes(session, seeded):
    rows = list(csv.reader(io.StringIO(export_log(session, "csv", key=KEY).decode("utf-8"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    root = etree.fromstring(export_log(session, "xes", key=KEY))
    flat = [
        (
            attributes(t)["concept:name"][1],
            attributes(e)["concept:name"][1],
            attributes(e)["time:timestamp"][1],
            attributes(e).get("org:resource", (None, ""))[1],
            attributes(e).get("org:group", (None, ""))[1],
            attributes(e)["lifecycle:transition"][1],
            attributes(t)["case:region"][1],
            attributes(t)["case:variant"][1],
            attributes(t)["case:model_version"][1],
        )
        for t in root.iter("trace")
        for e in t.iter("event")
    ]
    assert [tuple(r) for r in rows[1:]] == flat
    assert {r[6] for r in rows[1:]} == {"basis", "pilot1"}
    only_pilot = export_log(session, "csv", key=KEY, region="pilot1").decode("utf-8").splitlines()
    assert len(only_pilot) == 1 + 2 and all(",pilot1,vreemd,1" in line for line in only_pilot[1:])


def test_export_refusals_and_an_empty_log(session):
    with pytest.raises(InvalidInput, match="formaat"):
        export_log(session, "json")
    with pytest.raises(InvalidInput, match="regio"):
        write_xes(session, io.BytesIO(), region="atlantis")
    root = etree.fromstring(export_log(session, "xes"))
    etree.XMLSchema(etree.parse(str(XSD))).assertValid(root)
    assert root.findall("trace") == [] and list_tasks(session) == []
