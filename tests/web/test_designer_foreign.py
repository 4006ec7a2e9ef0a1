"""A designer brings forms and Camunda-flavoured models through the web (issue 17): forms travel with the
upload, are checked and stored with the version; another engine's properties are accepted with a warning
that is shown on the check, on the deploy and in the modeller's JSON; errors still refuse.
"""

from __future__ import annotations

import json

from tests.conftest import PROJECT_ROOT
from tests.web.conftest import login
from tests.web.designer_helpers import (  # noqa: F401 - designers is an autouse fixture
    BASIS,
    MAIN,
    ORIGINAL,
    designers,
    page_data,
    upload,
    versions,
)

OWN_FORM = "afronden_pilot.schema.json"
WITH_OWN_FORM = ORIGINAL.replace('value="afronden.schema.json"', f'value="{OWN_FORM}"')
FORM_TEXT = (PROJECT_ROOT / "forms" / "afronden.schema.json").read_bytes()
CAMUNDA = ORIGINAL.replace(
    "<bpmn:definitions ", '<bpmn:definitions xmlns:camunda="http://camunda.org/schema/1.0/bpmn" ', 1
).replace('<bpmn:userTask id="', '<bpmn:userTask camunda:candidateGroups="politie" id="', 1)


def test_a_form_uploaded_with_the_model_is_checked_and_stored_with_the_version(client, app):
    login(client, "ontwerper")
    missing = upload(client, {MAIN: WITH_OWN_FORM.encode()}, "controleren")
    assert missing.status_code == 422 and OWN_FORM in missing.get_data(as_text=True)

    broken = upload(client, {MAIN: WITH_OWN_FORM.encode(), OWN_FORM: b'{"type": "object", }'}, "uitrollen")
    html = broken.get_data(as_text=True)
    assert broken.status_code == 422 and f"forms/{OWN_FORM}" in html and "geen geldige JSON" in html
    assert len(versions(app)) == 3  # nothing stored

    deployed = upload(client, {MAIN: WITH_OWN_FORM.encode(), OWN_FORM: FORM_TEXT}, "uitrollen")
    assert deployed.status_code == 302, deployed.get_data(as_text=True)[:600]
    new_id = int(deployed.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    stored = client.get(f"/ontwerp/versies/{new_id}/bestanden/forms/{OWN_FORM}")
    assert stored.status_code == 200 and json.loads(stored.data) == json.loads(FORM_TEXT)


def test_an_upload_that_is_no_model_and_no_form_is_refused_with_a_dutch_reason(client, app):
    login(client, "ontwerper")
    refused = upload(client, {"notities.txt": b"hallo"}, "controleren")
    assert refused.status_code == 400 and "formulieren (.schema.json)" in refused.get_data(as_text=True)
    assert len(versions(app)) == 3


def test_other_engines_properties_are_a_warning_on_check_deploy_and_in_the_modeller(client, app):
    login(client, "ontwerper")
    checked = upload(client, {MAIN: CAMUNDA.encode()}, "controleren")
    html = checked.get_data(as_text=True)
    assert checked.status_code == 200, html[:600]
    assert "Uitrollen kan, met waarschuwingen" in html and "candidateGroups" in html and "badge-warn" in html

    token = page_data(client.get(f"/ontwerp/versies/{BASIS}/modeller").get_data(as_text=True))["csrfToken"]
    answer = client.post(
        f"/ontwerp/versies/{BASIS}/controleren", json={"file": MAIN, "xml": CAMUNDA}, headers={"X-CSRFToken": token}
    ).json
    assert answer["ok"] is True
    assert [f["severity"] for f in answer["findings"]] == ["waarschuwing"]

    deployed = upload(client, {MAIN: CAMUNDA.encode()}, "uitrollen")
    assert deployed.status_code == 302
    page = client.get(deployed.headers["Location"]).get_data(as_text=True)
    assert "is uitgerold en live" in page and "Waarschuwing bij het uitrollen" in page and "candidateGroups" in page
