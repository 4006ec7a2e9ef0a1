"""A case through the baseline process in a real browser, as four organisations.

Politie starts it with the crisismelding; the hulpofficier tests the legal
ground and takes the RIHG; Veilig Thuis gives its advice (there are children);
the hulpofficier decides, draws up the beschikking and makes, prints and
downloads the document; the politie records its service in person and hands it
over; the burgemeester makes and sends the kennisgevingen. Along the way: the
worklist deadlines, the diagram highlights, the ban's countdown, the service
banner and the note on steps that wait for service. Screenshots go to
test-output/browser/.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import expect
from pypdf import PdfReader


def open_task(person, title: str, case_id: int) -> None:
    """Open the task ``title`` of this journey's case (other browser tests leave cases in the same server)."""
    person.goto(f"/?zaak={case_id}")
    person.page.get_by_role("link", name=title, exact=True).first.click()
    expect(person.page.locator("h1")).to_have_text(title)


def submit(person, flash: str) -> None:
    person.page.locator("form.schema-form button.utrecht-button--primary-action").click()
    expect(person.page.locator(".utrecht-alert--ok")).to_contain_text(flash)


def pdf_text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def diagram_marker(page, element: str, marker: str):
    return page.locator(f'#diagram g.djs-element.{marker}[data-element-id="{element}"]')


def check_diagram_navigation(page) -> None:
    """The diagram opens on the active step at a readable zoom; the toolbar zooms, fits and focuses again."""
    diagram = page.locator("#diagram[data-ready=true]")
    expect(diagram).to_have_count(1)

    def zoom() -> float:
        return float(diagram.get_attribute("data-zoom"))

    focused = zoom()
    assert 0.3 < focused <= 1.0
    tools = page.get_by_role("toolbar", name="Diagram bekijken")
    tools.get_by_role("button", name="Inzoomen").click()
    expect(diagram).to_have_attribute("data-zoom", f"{focused * 1.25:.3f}")
    tools.get_by_role("button", name="Hele proces").click()
    whole = zoom()
    assert whole < focused  # the whole process is wider than the screen
    tools.get_by_role("button", name="Actieve stappen").click()
    assert zoom() == focused
    box = page.locator('#diagram g.djs-element.thv-active[data-element-id="Task_toets"]').bounding_box()
    frame = diagram.bounding_box()
    assert frame["x"] <= box["x"] and box["x"] + box["width"] <= frame["x"] + frame["width"]  # in view


def test_case_through_five_steps_by_three_organisations(person, clock):
    # 1. Politie starts the case with the crisismelding (the only variant: straight to its form).
    politie = person("politie")
    politie.page.get_by_role("link", name="Nieuwe zaak").click()
    page = politie.page
    expect(page.locator("h1")).to_have_text("Crisismelding")
    page.fill("#f-adres", "Dorpsstraat 1, Ergens")
    page.fill("#f-omschrijving", "Ruzie met geweld; buren belden <script>alert(1)</script>")
    page.fill("#f-uithuisgeplaatste_naam", "Jan Jansen")
    page.fill("#f-achterblijvers-0-naam", "Els Jansen")
    kinderen = page.locator('fieldset[data-rows="kinderen"]')
    kinderen.locator(".add-row").click()  # JavaScript adds a third row
    expect(kinderen.locator(".row-item")).to_have_count(3)
    page.fill("#f-kinderen-2-voornaam", "Kim")
    page.fill("#f-kinderen-2-leeftijd", "7")
    politie.shot("01-crisismelding")
    submit(politie, "is gestart")
    case_url = page.url
    case_id = int(case_url.rsplit("/", 1)[1])
    expect(page.locator('[data-testid="case-status"]')).to_have_text("Actief")
    expect(diagram_marker(page, "Task_toets", "thv-active")).to_have_count(1)
    expect(diagram_marker(page, "Start_verzoek", "thv-done")).to_have_count(1)
    expect(page.locator("body")).to_contain_text("<script>alert(1)</script>")  # shown as text, not run
    politie.shot("02-zaak-gestart")
    check_diagram_navigation(page)

    # 2. The hulpofficier finds the task in the worklist and tests the legal ground.
    hovj = person("hulpofficier")
    expect(hovj.page.locator('[data-testid="worklist"]')).to_contain_text(f"Zaak {case_id}")
    open_task(hovj, "Meerderjarigheid en woonsituatie toetsen", case_id)
    expect(hovj.page.locator('[data-testid="instructions"]')).to_contain_text("meerderjarig")
    expect(hovj.page.locator("aside")).to_contain_text("Jan Jansen")
    hovj.page.locator(
        "form.schema-form button.utrecht-button--primary-action"
    ).click()  # nothing filled in: errors, nothing changes
    expect(hovj.page.locator("#f-woonsituatie-error")).to_have_text("Dit veld is verplicht.")
    hovj.page.check("#f-meerderjarig")
    hovj.page.get_by_label("Woont in de woning").check()
    submit(hovj, "is afgerond")

    # 3. The RIHG: signals and scores in nested fieldsets.
    open_task(hovj, "RiHG afnemen", case_id)
    rihg = hovj.page
    jump = rihg.locator('[data-testid="form-jump"]')  # one link per level, with how far it is
    expect(jump.locator("a")).to_have_count(3)
    progress = jump.locator('[data-progress-for="f-persoon"]')
    expect(progress).to_have_text(re.compile(r"^0 van \d+ keuzes$"))
    rihg.locator('input[name="persoon.1a.signalen"][value="1a.1"]').check()
    rihg.locator('input[name="persoon.1a.score"][value="hoog"]').check()
    expect(progress).to_have_text(re.compile(r"^1 van \d+ keuzes$"))
    jump.get_by_role("link", name="2. Incident").click()
    assert rihg.url.endswith("#f-incident")
    rihg.locator('input[name="incident.2a.signalen"][value="2a.4"]').check()
    rihg.locator('input[name="incident.2a.score"][value="hoog"]').check()
    rihg.locator('input[name="incident.2c.signalen"][value="2c.4"]').check()
    rihg.locator('input[name="incident.2c.score"][value="hoog"]').check()
    hovj.shot("03-rihg")
    submit(hovj, "is afgerond")

    # A child lives in the household: Veilig Thuis gives its advice before the decision (Wth 2(3)).
    vt = person("veilig_thuis")
    open_task(vt, "Veilig Thuis raadplegen vóór het besluit", case_id)
    expect(vt.page.get_by_test_id("instructions")).to_contain_text("kind(eren) in het huishouden")
    vt.page.get_by_label("Is het gezin bekend bij Veilig Thuis?").check()
    vt.page.fill("#f-advies_veilig_thuis", "Huisverbod aangewezen; kinderen getuige.")
    submit(vt, "is afgerond")

    # 4. The decision on the advice (the hulpofficier has the beslissingsmandaat).
    open_task(hovj, "Besluit vastleggen (advies: huisverbod)", case_id)
    hovj.page.get_by_label("Huisverbod opleggen", exact=True).check()
    submit(hovj, "is afgerond")

    # 5. The beschikking.
    open_task(hovj, "Beschikking opstellen", case_id)
    hovj.page.fill("#f-opgelegd_op", "2026-02-02T21:15")
    hovj.page.fill("#f-beschikking_plaats", "Dorpsstraat 1, Ergens")
    hovj.page.fill("#f-feiten_en_omstandigheden", "Geweld tegen de partner; kinderen aanwezig.")
    hovj.page.fill("#f-contactverbod_namen-0", "Els Jansen")
    submit(hovj, "is afgerond")

    # The worklist shows the new deadlines: the mededeling within two hours.
    row = hovj.page.locator('tr[data-element="Task_mededeling"]')
    expect(row.locator(".time-left")).to_have_text("nog 2 uur")
    expect(row.locator(".due-date")).to_have_text("ma 2 feb 2026 23:15")
    hovj.shot("04-werklijst-hulpofficier")

    # The case page: the ban with its countdown, the subprocesses running, the milestones.
    hovj.goto(f"/zaken/{case_id}")
    expect(hovj.page.locator('[data-testid="countdown"]')).to_contain_text("nog 10 dagen")
    expect(hovj.page.locator('[data-testid="ban-end"]')).to_have_text("do 12 feb 2026 21:15")
    for element in ("Sub_huisverbod", "Call_hulpverlening"):
        expect(diagram_marker(hovj.page, element, "thv-active")).to_have_count(1)
    for element in ("Task_toets", "Call_rihg", "Call_besluit", "Task_beschikking"):
        expect(diagram_marker(hovj.page, element, "thv-done")).to_have_count(1)
    expect(hovj.page.locator('[data-testid="milestones"] li')).to_have_count(3)
    hovj.shot("05-zaak-opgelegd")

    # Three hours later the mededeling is overdue and marked so.
    clock.advance(timedelta(hours=3))
    hovj.goto("/")
    expect(row).to_have_class(re.compile(r"\bte-laat\b"))
    expect(row.locator(".time-left")).to_have_text("1 uur te laat")
    # (other browser tests leave overdue tasks of their own cases in the same server)
    expect(hovj.page.locator('[data-testid="summary"]')).to_contain_text(re.compile(r"\b[1-9]\d* te laat"))
    hovj.shot("06-werklijst-te-laat")

    # 6. The hulpofficier makes the beschikking on the case page, prints it and downloads the PDF.
    hovj.goto(f"/zaken/{case_id}")
    banner = hovj.page.locator('[data-testid="service-banner"]')
    expect(banner).to_contain_text("er is nog geen beschikking gemaakt")
    hovj.page.locator('[data-testid="make-beschikking"] button').click()
    expect(hovj.page.locator(".utrecht-alert--ok")).to_contain_text(
        "Beschikking tijdelijk huisverbod versie 1 is gemaakt"
    )
    expect(banner).to_contain_text("Niet betekend")
    document = hovj.page.locator('[data-testid="document-beschikking"]')
    expect(document.locator("tr.current")).to_contain_text("hulpofficier.basis")
    with hovj.page.expect_download() as download:
        document.get_by_role("link", name="PDF").click()
    assert download.value.suggested_filename == f"zaak-{case_id}-beschikking-v1.pdf"
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and f"Zaaknummer {case_id}" in pdf_text(pdf)
    document.get_by_role("link", name="Afdrukken").click()
    frame = hovj.page.frame_locator('[data-testid="print-frame"]')
    expect(frame.locator("h1")).to_have_text("Beschikking tijdelijk huisverbod")
    expect(frame.locator("body")).to_contain_text("Jan Jansen")
    hovj.page.evaluate(
        "() => { const w = document.getElementById('print-frame').contentWindow;"
        " w.print = () => { window.printed = true; }; }"
    )
    hovj.page.get_by_role("button", name="Afdrukken").click()
    assert hovj.page.evaluate("() => window.printed === true")
    hovj.shot("07-afdrukweergave")

    # 7. The politie may not finish 'uitreiken' before the service is recorded: the task page says so,
    #    the link leads to the form, the banner turns green, then the task can be completed.
    politie.goto("/")
    open_task(politie, "Beschikking uitreiken en sleutels innemen", case_id)
    note = politie.page.locator('[data-testid="missing-service"]')
    expect(note).to_contain_text("aan de uithuisgeplaatste is niet vastgelegd")
    politie.shot("08-taak-wacht-op-uitreiking")
    keys = politie.page.get_by_label("Sleutels ingenomen (bewijs van ontvangst gegeven)?")
    keys.check()  # filled in before leaving for the service form
    note.get_by_role("link", name="Uitreiking vastleggen").click()
    expect(politie.page.locator('[data-testid="back-to-task"]')).to_be_visible()
    form = politie.page.locator('[data-testid="service-form-beschikking"]')
    expect(form.locator('[name="ontvanger_naam"]')).to_have_value("Jan Jansen")
    required_mark = form.locator("[data-name-required]")
    expect(required_mark).to_be_hidden()  # the uithuisgeplaatste: the document's name counts
    form.locator('[name="ontvanger_rol"]').select_option("burgemeester")  # only methods possible for them remain
    expect(required_mark).to_be_visible()  # anyone else: the name is required, as the server says
    expect(form.locator('[name="ontvanger_naam"]')).to_have_attribute("aria-required", "true")
    expect(form.locator('option[value="in_persoon_geweigerd"]')).to_be_disabled()
    expect(form.locator('[name="ontvanger_naam"]')).to_have_value("")
    form.locator('[name="ontvanger_rol"]').select_option("uithuisgeplaatste")
    expect(form.locator('[name="ontvanger_naam"]')).to_have_value("Jan Jansen")
    form.locator('[name="wijze"]').select_option("in_persoon_getekend")
    expect(form.locator('[name="uitgereikt_op"]')).to_have_value("2026-02-03T00:15")
    form.get_by_role("button", name="Uitreiking vastleggen").click()
    expect(politie.page.locator(".utrecht-alert--ok")).to_contain_text("aan Jan Jansen is vastgelegd")
    expect(politie.page.locator('[data-testid="task-form"]')).to_be_visible()  # back at the task,
    expect(politie.page.locator('[data-testid="missing-service"]')).to_have_count(0)  # which may now be done,
    expect(keys).to_be_checked()  # with what was filled in before
    politie.goto(f"/zaken/{case_id}")
    banner = politie.page.locator('[data-testid="service-banner"]')
    expect(banner).to_contain_text("Betekend: de uithuisgeplaatste heeft de beschikking ontvangen")
    expect(politie.page.locator('[data-testid="proof-beschikking"]')).to_contain_text("handtekening van de ontvanger")
    politie.shot("09-uitreiking-vastgelegd")
    open_task(politie, "Beschikking uitreiken en sleutels innemen", case_id)
    expect(politie.page.locator('[data-testid="missing-service"]')).to_have_count(0)
    expect(keys).to_be_checked()  # the draft stays until the task is sent
    submit(politie, "is afgerond")

    # 8. The burgemeester makes the kennisgevingen, records how they were sent, then completes the step.
    bm = person("burgemeester")
    open_task(bm, "Kennisgevingen aan achterblijvers en hulpverlening", case_id)
    expect(bm.page.locator('[data-testid="task-missing-kennisgeving_achterblijver"]')).to_contain_text("gemaakt")
    bm.page.locator('[data-testid="missing-service"]').get_by_role(
        "link", name="Naar de documenten van de zaak"
    ).click()
    for kind in ("kennisgeving_achterblijver", "kennisgeving_hulpverlening"):
        bm.page.locator(f'[data-testid="make-{kind}"] button').click()
        expect(bm.page.locator(".utrecht-alert--ok")).to_contain_text("versie 1 is gemaakt")
    for kind, recipient, method, name in (
        ("kennisgeving_achterblijver", "achterblijver", "per_post", None),
        ("kennisgeving_hulpverlening", "hulpverlening", "digitaal", "Ambulant team"),
    ):
        form = bm.page.locator(f'[data-testid="service-form-{kind}"]')
        form.locator('[name="ontvanger_rol"]').select_option(recipient)
        if name:
            form.locator('[name="ontvanger_naam"]').fill(name)
        else:  # the one achterblijver named in the document is filled in
            expect(form.locator('[name="ontvanger_naam"]')).to_have_value("Els Jansen")
        form.locator('[name="wijze"]').select_option(method)
        form.get_by_role("button", name="Uitreiking vastleggen").click()
        expect(bm.page.locator(".utrecht-alert--ok")).to_contain_text("is vastgelegd")
    bm.shot("10-kennisgevingen-verstuurd")
    open_task(bm, "Kennisgevingen aan achterblijvers en hulpverlening", case_id)
    bm.page.get_by_label("Achterblijvers geïnformeerd over inhoud en gevolgen?").check()
    bm.page.get_by_label("Hulpverlening geïnformeerd?").check()
    bm.shot("11-kennisgeving")
    submit(bm, "is afgerond")
    bm.goto(f"/zaken/{case_id}")
    history = bm.page.locator('[data-testid="history"]')
    expect(history).to_contain_text("Kennisgevingen aan achterblijvers")
    expect(history).to_contain_text("Uitreiking vastgelegd: Kennisgeving tijdelijk huisverbod aan de achterblijver")
    expect(bm.page.locator("#diagram[data-ready=true]")).to_have_count(1)
    bm.shot("12-zaak-burgemeester")


def test_language_switch_in_the_browser(person):
    politie = person("politie")
    politie.page.get_by_role("button", name="EN", exact=True).click()
    expect(politie.page.locator("h1")).to_have_text("Worklist")
    politie.page.get_by_role("button", name="NL", exact=True).click()
    expect(politie.page.locator("h1")).to_have_text("Werklijst")
