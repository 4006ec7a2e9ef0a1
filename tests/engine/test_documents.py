"""Documents from templates: filled from real case data, refused when a legal part is missing,
rendered to PDF with case number, template version, instant and checksum, stored immutably.
"""

from __future__ import annotations

import hashlib
import shutil
from datetime import UTC, date, datetime, timedelta

import pytest

from engine.accounts.users import add_user
from engine.base.errors import ConfigurationError, Forbidden, InvalidInput, NotFound
from engine.documents import generation as documents
from engine.documents.format import dagen, datum, datumtijd, namen, rol_naam
from engine.documents.templates import CHECKSUM_PLACEHOLDER, TEMPLATES_DIR, catalogue_problems, load_spec
from engine.modeling.document_rules import KINDS, issuable_kinds, readable_kinds
from engine.workflow.need_to_know import NeedToKnow, break_the_glass
from tests.engine.document_fixtures import (  # noqa: F401  (fixtures)
    DAY_8,
    KEYS,
    compact,
    events,
    extend,
    impose_with,
    imposed,
    make,
    pdf_text,
    rt,
    s,
    serve,
    stored_documents,
)
from tests.processes.scenario import Scenario
from tests.processes.steps import BESCHIKKING, MELDING, RIHG_HOOG, assess, decide, verzoek


def assert_required_parts_printed(doc) -> str:
    """Every required part of the document's declaration appears in its PDF, as the template prints it."""
    text, source = pdf_text(doc.pdf), documents.source_of(doc)
    for path in load_spec(doc.kind).required:
        value = source[path]
        if path == "verzoeker.rol":
            shown = [rol_naam(value)]
        elif isinstance(value, str) and value[:4].isdigit() and "T" in value:
            shown = [datumtijd(value)]
        elif isinstance(value, list):
            shown = [v["naam"] if isinstance(v, dict) else v for v in value]
        else:
            shown = [str(value)]
        for part in shown:
            assert part in text, (doc.kind, path, part)
    assert f"Zaaknummer {doc.case_id}" in text and doc.template_version in text and doc.sha256 in compact(text)
    assert datumtijd(doc.generated_at) in text
    return text


def test_every_kind_has_a_template_a_declaration_and_an_issuer_rule():
    assert catalogue_problems() == []
    assert set(KINDS) == {
        "beschikking",
        "verlengingsbeschikking",
        "intrekkingsbesluit",
        "kennisgeving_achterblijver",
        "kennisgeving_hulpverlening",
        "mededeling_burgemeester",
        "afwijzing_weegteam",
        "bewijs_sleutels",
        "kennisgeving_nieuw_einde",
        "besluit_alternatief_verbod",
    }
    for kind in KINDS:
        spec = load_spec(kind)
        assert spec.title and spec.version.startswith("2026.1-") and spec.required
    # Extension and withdrawal are not mandatable (Wth 3): the burgemeester only.
    assert KINDS["verlengingsbeschikking"].issuers == KINDS["intrekkingsbesluit"].issuers == ("burgemeester",)
    assert set(KINDS["beschikking"].issuers) == {"hulpofficier", "burgemeester"}
    assert issuable_kinds({"hulpofficier"}) == ["beschikking", "mededeling_burgemeester"]
    assert "mededeling_burgemeester" not in readable_kinds({"hulpverlening"})
    assert set(load_spec("beschikking").required) >= {
        "beschikking_plaats",
        "huisverbod.einde",
        "feiten_en_omstandigheden",
        "contactverbod_namen",
    }


def test_dates_and_times_are_dutch_in_amsterdam_time():
    assert datumtijd("2026-02-02T20:15:00+00:00") == "2 februari 2026 om 21:15"
    assert datumtijd(datetime(2026, 7, 1, 10, 5, tzinfo=UTC)) == "1 juli 2026 om 12:05"  # summer time
    assert datumtijd("2026-02-04") == datum(date(2026, 2, 4)) == "4 februari 2026"
    assert dagen("2026-03-25T21:15:00+00:00", "2026-04-04T20:15:00+00:00") == 10  # across the DST change
    assert datumtijd("onbekend") == "onbekend" and datumtijd(None) == ""  # shown as entered, never a crash
    assert namen(["A"]) == "A" and namen(["A", "B", "C"]) == "A, B en C"
    assert namen([{"naam": "S. de Vries"}, {"naam": "K. de Vries"}], "naam") == "S. de Vries en K. de Vries"


def test_the_beschikking_pdf_holds_the_legal_parts_case_number_version_instant_and_checksum(imposed, clock):
    clock.advance(timedelta(minutes=20))
    doc = make(imposed, "beschikking", "hulpofficier")

    text = pdf_text(doc.pdf)
    for part in (
        "Beschikking tijdelijk huisverbod",
        "P. de Vries",
        "Dorpsstraat 1, Utrecht",
        "gaat in op 2 februari 2026 om 21:15",
        "eindigt op 12 februari 2026 om 21:15",
        "(10 dagen)",
        "Mishandeling met letsel; dreiging met een mes.",
        "S. de Vries",
        f"Zaaknummer {imposed.case_id}",
        f"Sjabloonversie {doc.template_version}",
        "Gemaakt op 2 februari 2026 om 21:35 door hulpofficier.basis",
        "namens deze de hulpofficier van justitie",
        "artikel 11 Wth",
    ):
        assert part in text, part
    assert doc.sha256 in compact(text)
    assert (doc.case_id, doc.kind, doc.version, doc.generated_by, doc.generated_role) == (
        imposed.case_id,
        "beschikking",
        1,
        "hulpofficier.basis",
        "hulpofficier",
    )
    assert doc.generated_at == clock.now() and doc.template_version == load_spec("beschikking").version
    # The checksum is the sha256 of the HTML with the checksum left out; the PDF hash is stored too.
    assert hashlib.sha256(doc.html.replace(doc.sha256, CHECKSUM_PLACEHOLDER).encode()).hexdigest() == doc.sha256
    assert doc.pdf_sha256 == hashlib.sha256(doc.pdf).hexdigest() and documents.verify(doc)
    assert doc.pdf.startswith(b"%PDF-") and "<style>" in doc.html  # self-contained: the browser prints the same HTML
    [event] = events(imposed, "document_gemaakt")
    assert (event.actor, event.element) == ("hulpofficier.basis", "beschikking")
    assert str(doc.id) in event.detail and doc.sha256 in event.detail
    assert documents.find_by_checksum(imposed.session, doc.sha256, imposed.users["om"]) == [doc]


def test_every_template_renders_from_the_baseline_scenarios(imposed, rt, session):
    s = imposed
    made = [
        make(s, "beschikking", "hulpofficier"),
        make(s, "mededeling_burgemeester", "hulpofficier"),
        make(s, "kennisgeving_achterblijver", "burgemeester"),
        make(s, "kennisgeving_hulpverlening", "burgemeester"),
        make(s, "bewijs_sleutels", "politie", inputs=KEYS),
    ]
    extend(s, 18, DAY_8)  # decided; the beschikking is made before it takes effect
    made.append(make(s, "verlengingsbeschikking", "burgemeester"))
    texts = {d.kind: assert_required_parts_printed(d) for d in made}
    assert "Aan S. de Vries" in texts["kennisgeving_achterblijver"] and "112" in texts["kennisgeving_achterblijver"]
    assert "Contactverbod met: S. de Vries" in texts["kennisgeving_hulpverlening"]
    assert "Uithuisgeplaatste P. de Vries" in texts["mededeling_burgemeester"]
    assert KEYS["sleutels_omschrijving"] in texts["bewijs_sleutels"]
    extension = texts["verlengingsbeschikking"]
    assert "verlengd met 18 dagen" in extension and "eindigt nu op 2 maart 2026 om 21:15" in extension
    assert "De dreiging houdt aan" in extension and "S. de Vries" in extension

    withdrawn = Scenario(rt, session, "wth-basis", region="pilot1")  # another case: help accepted, ban withdrawn
    withdrawn.start("politie", {**MELDING, "uithuisgeplaatste_naam": "J. Bakker"})
    impose_with(withdrawn, BESCHIKKING)
    withdrawn.send(
        "hulp_geaccepteerd",
        "hulpverlening",
        {"hulp_bevestigd_door": "Ambulant team", "hulp_huisgenoten_niet_belemmerd": True},
    )
    withdrawn.do("Task_intrekking", {"intrekken": True, "intrekking_motivering": "Hulp loopt, veiligheid geborgd."})
    text = assert_required_parts_printed(make(withdrawn, "intrekkingsbesluit", "burgemeester"))
    assert "J. Bakker" in text and "Hulp loopt, veiligheid geborgd." in text and "wordt ingetrokken" in text

    rejected = Scenario(rt, session, "v2-weegteam", region="pilot2")  # pilot V2: the weegteam rejects with advice
    rejected.start("wijkteam", verzoek(route="structureel", onderbouwing="Signalen van structurele onveiligheid."))
    rejected.do(
        "Task_wegen",
        {
            "weegteam_besluit": "afwijzen",
            "weegteam_afweging": "Onvoldoende onderbouwd.",
            "weegteam_advies": "Schakel het wijkteam in voor vrijwillige hulp.",
        },
    )
    doc = make(rejected, "afwijzing_weegteam", "weegteam")
    serve(rejected, doc, "weegteam", to="verzoeker", method="digitaal", recipient_name="Wijkteam Utrecht-Noord")
    rejected.do("Task_afwijzing", {"afwijzing_verzonden_op": "2026-02-03T10:00:00+01:00"})
    assert rejected.case()["status"] == "completed"
    text = assert_required_parts_printed(doc)
    assert "Aan Wijkteam" in text and "Onvoldoende onderbouwd." in text and "Schakel het wijkteam in" in text
    assert (
        documents.get_document(session, doc.id, rejected.users["wijkteam"], rejected.rt.clock.now()) == doc
    )  # the requester may read it


def test_missing_parts_are_refused_by_name_and_nothing_is_stored(s):
    assess(s, RIHG_HOOG, afnemer="hulpofficier")
    decide(s, "hulpofficier")  # imposed, but the beschikking was not drawn up yet
    with pytest.raises(documents.MissingParts) as refused:
        make(s, "beschikking", "hulpofficier")
    assert "de beschikking tijdelijk huisverbod kan niet worden gemaakt" in refused.value.message
    for part in (
        "de plaats waarvoor het huisverbod geldt (Wth 2(4)(a))",
        "de feiten en omstandigheden die het huisverbod dragen (Wth 2(4)(b))",
        "de namen van de personen onder het contactverbod (Wth 2(4)(c))",
    ):
        assert part in refused.value.message
    assert set(refused.value.missing) == {
        "beschikking_plaats",
        "feiten_en_omstandigheden",
        "contactverbod_namen",
        "huisverbod.opgelegd_op",
        "huisverbod.einde",
    }  # set when it is drawn up
    assert refused.value.status == 422
    assert set(
        documents.missing_for(s.session, s.rt.registry, s.case_id, "beschikking", s.users["hulpofficier"])
    ) == set(refused.value.missing)

    s.do("Task_beschikking", {**BESCHIKKING, "feiten_en_omstandigheden": "   "})  # passes the form's minLength
    with pytest.raises(documents.MissingParts) as refused:
        make(s, "beschikking", "hulpofficier")
    assert refused.value.missing == {
        "feiten_en_omstandigheden": "de feiten en omstandigheden die het huisverbod dragen (Wth 2(4)(b))"
    }
    with pytest.raises(documents.MissingParts, match="een besluit van de burgemeester om te verlengen"):
        make(s, "verlengingsbeschikking", "burgemeester")
    with pytest.raises(documents.MissingParts, match=r"de ingenomen sleutels \(aantal en omschrijving\)"):
        make(s, "bewijs_sleutels", "politie", inputs={"sleutels_omschrijving": "  "})
    with pytest.raises(InvalidInput, match="onbekend invoerveld"):
        make(s, "bewijs_sleutels", "politie", inputs={"sleutels": "1"})
    assert stored_documents(s) == [] and events(s, "document_gemaakt") == []


def test_regenerating_makes_version_2_and_keeps_version_1_byte_identical(imposed, clock, rt):
    first = make(imposed, "beschikking", "hulpofficier")
    html, pdf, digest, made_at = first.html, bytes(first.pdf), first.sha256, first.generated_at
    clock.advance(timedelta(hours=1))
    second = make(imposed, "beschikking", "burgemeester")
    assert (second.version, second.generated_role) == (2, "burgemeester") and second.sha256 != digest
    assert "namens deze de hulpofficier" not in second.html

    with rt.sessions() as fresh:  # read back from the database, not from the session's objects
        kept = fresh.get(type(first), first.id)
        assert (kept.version, kept.html, bytes(kept.pdf), kept.sha256, kept.generated_at) == (
            1,
            html,
            pdf,
            digest,
            made_at,
        )
        assert documents.verify(kept)
    assert [(d.kind, d.version) for d in documents.documents_for_case(imposed.session, imposed.case_id)] == [
        ("beschikking", 1),
        ("beschikking", 2),
    ]
    assert documents.latest(imposed.session, imposed.case_id, "beschikking").id == second.id
    assert not any(name.startswith(("update", "delete", "remove")) for name in dir(documents))


def test_only_the_competent_roles_issue_and_read_and_only_in_their_region(imposed, session, clock):
    s = imposed
    with pytest.raises(Forbidden, match="alleen gemaakt door: hulpofficier, burgemeester"):
        make(s, "beschikking", "politie")
    extend(s, 10, DAY_8)
    with pytest.raises(Forbidden, match="alleen gemaakt door: burgemeester"):  # not mandatable
        make(s, "verlengingsbeschikking", "hulpofficier")
    with pytest.raises(Forbidden):
        make(s, "kennisgeving_hulpverlening", "hulpverlening")
    with pytest.raises(InvalidInput, match="onbekende documentsoort"):
        make(s, "brief", "burgemeester")
    elders, _ = add_user(
        session, "bm.elders", ["burgemeester"], ["pilot1"], password="geheim-wachtwoord", now=clock.now()
    )
    with pytest.raises(NotFound):
        documents.generate_document(session, s.rt.registry, clock, s.case_id, "verlengingsbeschikking", elders)
    both, _ = add_user(
        session, "hovj.bm", ["hulpofficier", "burgemeester"], ["basis"], password="geheim-wachtwoord", now=clock.now()
    )
    with pytest.raises(InvalidInput, match="kies de rol"):
        documents.generate_document(session, s.rt.registry, clock, s.case_id, "beschikking", both)
    assert stored_documents(s) == []

    notice = make(s, "mededeling_burgemeester", "hulpofficier")
    beschikking = documents.generate_document(
        session, s.rt.registry, clock, s.case_id, "beschikking", both, role="burgemeester"
    )
    with pytest.raises(NeedToKnow):  # Veilig Thuis has no task in this case yet
        documents.get_document(session, beschikking.id, s.users["veilig_thuis"], s.rt.clock.now())
    break_the_glass(session, s.case_id, s.users["veilig_thuis"], "melding bij Veilig Thuis", s.rt.clock.now())
    assert documents.get_document(session, beschikking.id, s.users["veilig_thuis"], s.rt.clock.now()) == beschikking
    with pytest.raises(Forbidden):
        documents.get_document(session, notice.id, s.users["hulpverlening"], s.rt.clock.now())
    with pytest.raises(NotFound):
        documents.get_document(session, notice.id, elders, s.rt.clock.now())
    assert documents.find_by_checksum(session, notice.sha256, s.users["hulpverlening"]) == []


def test_case_data_is_escaped_in_the_html_and_printed_literally(s):
    hostile = '<script>alert("x")</script> & <b>vet</b> <!--controlegetal-->'
    impose_with(s, {**BESCHIKKING, "feiten_en_omstandigheden": hostile, "contactverbod_namen": ["<i>A</i>"]})
    doc = make(s, "beschikking", "hulpofficier")
    assert "<script>" not in doc.html and "<b>vet</b>" not in doc.html and "<i>A</i>" not in doc.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;vet&lt;/b&gt;" in doc.html
    assert doc.html.count(doc.sha256) == 2 and documents.verify(doc)  # the placeholder in the data stays data
    assert hostile in pdf_text(doc.pdf)


def test_templates_are_edited_without_code_and_a_broken_one_stores_nothing(imposed, tmp_path, monkeypatch):
    edited = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, edited)
    page = edited / "beschikking.html"
    page.write_text(
        page.read_text(encoding="utf-8").replace(
            "<h2>c. Contactverbod</h2>", "<p>Zin toegevoegd door de redactie.</p><h2>c. Contactverbod</h2>"
        ),
        encoding="utf-8",
    )
    monkeypatch.setattr("engine.documents.templates.TEMPLATES_DIR", edited)
    doc = make(imposed, "beschikking", "hulpofficier")
    assert "Zin toegevoegd door de redactie." in pdf_text(doc.pdf)
    assert doc.template_version != load_spec("beschikking", TEMPLATES_DIR).version
    assert doc.template_version.startswith("2026.1-")

    page.write_text(
        page.read_text(encoding="utf-8").replace("{{ v.beschikking_plaats }}</td>", "{{ v.plaats_bestaat_niet }}</td>"),
        encoding="utf-8",
    )
    broken = r"beschikking.html: fout in het sjabloon \(regel \d+\).*plaats_bestaat_niet"
    with pytest.raises(ConfigurationError, match=broken):
        make(imposed, "beschikking", "hulpofficier")
    (edited / "beschikking.toml").write_text('title = "x"\n[required]\nveld = 3\n', encoding="utf-8")
    assert any("beschikking.toml" in p for p in catalogue_problems(edited))
    assert [d.version for d in stored_documents(imposed)] == [1]


def test_documents_and_the_history_name_the_person_not_the_login(imposed, clock):
    from engine.accounts.users import Profile, set_profile
    from engine.cases import case_view

    login = imposed.users["hulpofficier"].name
    set_profile(
        imposed.session, login, Profile("Anna de Vries", "hulpofficier van justitie", "Politie Midden-Nederland")
    )
    clock.advance(timedelta(minutes=20))
    doc = make(imposed, "beschikking", "hulpofficier")
    text = pdf_text(doc.pdf)
    assert "Gemaakt op 2 februari 2026 om 21:35 door Anna de Vries" in text
    signature = text[text.index("namens deze") :]
    assert "Anna de Vries" in signature and "hulpofficier van justitie" in signature
    assert "Politie Midden-Nederland" in signature
    assert login not in doc.html  # the login name is for the audit trail (generated_by), not for the reader
    assert doc.generated_by == login
    page = case_view.case_page(
        imposed.session, imposed.rt.registry, imposed.case_id, imposed.users["burgemeester"], clock.now()
    )
    actors = {h["actor"] for h in page.history}
    assert "Anna de Vries (hulpofficier van justitie, Politie Midden-Nederland)" in actors and login not in actors
