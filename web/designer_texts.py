"""Texts of the designer pages that JavaScript shows (the modeller, its properties panel, bpmnlint),
translated on the server like every other text, plus the labels of the model comparison.

The modeller's own texts are English keys (bpmn-js, the properties panel and
our SpiffWorkflow groups call ``translate('Name')``); the page hands them the
Dutch (or English) text from the catalogue.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.design.model_diff import property_label

PANEL_TEXTS = {
    "General": _l("Algemeen"),
    "Name": _l("Naam"),
    "ID": _l("ID"),
    "Documentation": _l("Toelichting"),
    "Element documentation": _l("Toelichting bij het element"),
    "Process documentation": _l("Toelichting bij het proces"),
    "Executable": _l("Uitvoerbaar"),
    "Message": _l("Bericht"),
    "Global message reference": _l("Bericht (globaal)"),
    "<none>": _l("<geen>"),
    "Signal": _l("Signaal"),
    "Error": _l("Fout"),
    "Escalation": _l("Escalatie"),
    "Multi-instance": _l("Meervoudig uitvoeren"),
    "Loop cardinality": _l("Aantal keer"),
    "Completion condition": _l("Klaar als"),
    "Version tag": _l("Versielabel"),
    "Condition": _l("Voorwaarde"),
    "Condition (Python)": _l("Voorwaarde (Python)"),
    "Empty: the flow is always taken (or is the default flow).": _l(
        "Leeg: deze stroom wordt altijd gevolgd (of is het standaardpad)."
    ),
    "Script (Python)": _l("Script (Python)"),
    "Script before": _l("Script vooraf"),
    "Script after": _l("Script achteraf"),
    "Scripts": _l("Scripts"),
    "Instructions for the user": _l("Instructie voor de gebruiker"),
    "Decision (DMN decision id)": _l("Beslistabel (id van de DMN-beslissing)"),
    "Message variable": _l("Berichtvariabele"),
    "Called process (process id)": _l("Aangeroepen proces (proces-id)"),
    "Called process or decision": _l("Aangeroepen proces of beslissing"),
    "SpiffWorkflow": _l("SpiffWorkflow"),
    "Kind of term": _l("Soort termijn"),
    "Term (timer)": _l("Termijn (timer)"),
    "Term (Python expression)": _l("Termijn (Python-expressie)"),
    "timer:timeDuration": _l("Duur"),
    "timer:timeDate": _l("Tijdstip"),
    "timer:timeCycle": _l("Herhaling"),
    "timer-help": _l(
        'Een duur tussen aanhalingstekens ("P2D", "PT24H") of een verwijzing naar zaakgegevens '
        '(huisverbod["einde"]). Dagtermijnen lopen op de Amsterdamse kalender.'
    ),
    'A term is a Python expression: put the duration in quotes, e.g. "P2D".': _l(
        'Een termijn is een Python-expressie: zet de duur tussen aanhalingstekens, bijvoorbeeld "P2D".'
    ),
    "property:formJsonSchemaFilename": _l("Formulier (formJsonSchemaFilename)"),
    "property:milestone": _l("Mijlpaal (milestone)"),
    "property:senders": _l("Melders (senders)"),
    "property:starters": _l("Starters (starters)"),
    "property-help:formJsonSchemaFilename": _l("Bestand in forms/, bijvoorbeeld melding_crisis.schema.json."),
    "property-help:milestone": _l("Een naam uit de vaste lijst, vastgelegd als het element klaar is."),
    "property-help:senders": _l("Rollen die deze gebeurtenis mogen melden, met komma's."),
    "property-help:starters": _l("Rollen die een zaak mogen starten (alleen de startgebeurtenis), met komma's."),
    "Append task": _l("Taak toevoegen"),
    "Append end event": _l("Eindgebeurtenis toevoegen"),
    "Append gateway": _l("Gateway toevoegen"),
    "Append intermediate/boundary event": _l("Tussengebeurtenis toevoegen"),
    "Change element": _l("Element wijzigen"),
    "Delete": _l("Verwijderen"),
    "Connect using sequence/message flow or association": _l("Verbinden met een stroom"),
    "Add text annotation": _l("Notitie toevoegen"),
    "Activate hand tool": _l("Hand (verschuiven)"),
    "Activate lasso tool": _l("Lasso (selecteren)"),
    "Activate create/remove space tool": _l("Ruimte maken of weghalen"),
    "Activate global connect tool": _l("Verbinden"),
    "Create start event": _l("Startgebeurtenis maken"),
    "Create intermediate/boundary event": _l("Tussengebeurtenis maken"),
    "Create end event": _l("Eindgebeurtenis maken"),
    "Create gateway": _l("Gateway maken"),
    "Create task": _l("Taak maken"),
    "Create expanded sub-process": _l("Uitgeklapt subproces maken"),
    "Create pool/participant": _l("Pool maken"),
    "Create data object reference": _l("Gegevensobject maken"),
    "Create data store reference": _l("Gegevensopslag maken"),
    "Create group": _l("Groep maken"),
    # element types in the panel's header
    "User Task": _l("Gebruikerstaak"),
    "Script Task": _l("Scripttaak"),
    "Manual Task": _l("Handmatige taak"),
    "Business Rule Task": _l("Bedrijfsregeltaak"),
    "Service Task": _l("Servicetaak"),
    "Task": _l("Taak"),
    "Call Activity": _l("Aanroep van een proces"),
    "Collapsed Sub Process": _l("Ingeklapt subproces"),
    "Expanded Sub Process": _l("Uitgeklapt subproces"),
    "Exclusive Gateway": _l("Exclusieve gateway"),
    "Parallel Gateway": _l("Parallelle gateway"),
    "Event Based Gateway": _l("Gebeurtenisgateway"),
    "Inclusive Gateway": _l("Inclusieve gateway"),
    "Start Event": _l("Startgebeurtenis"),
    "Message Start Event": _l("Berichtstartgebeurtenis"),
    "End Event": _l("Eindgebeurtenis"),
    "Terminate End Event": _l("Beëindigende eindgebeurtenis"),
    "Timer Intermediate Catch Event": _l("Termijn (tussengebeurtenis)"),
    "Message Intermediate Catch Event": _l("Bericht (tussengebeurtenis)"),
    "Timer Boundary Event": _l("Termijn op de taak (onderbrekend)"),
    "Timer Boundary Event (Non Interrupting)": _l("Termijn op de taak (niet onderbrekend)"),
    "Message Boundary Event": _l("Bericht op de taak (onderbrekend)"),
    "Message Boundary Event (Non Interrupting)": _l("Bericht op de taak (niet onderbrekend)"),
    "Sequence Flow": _l("Stroom"),
    "Conditional Flow": _l("Stroom met voorwaarde"),
    "Default Flow": _l("Standaardpad"),
    "Lane": _l("Lane (rol)"),
    "Participant": _l("Pool"),
    "Process": _l("Proces"),
    "Collaboration": _l("Samenwerking"),
    "Data Object Reference": _l("Gegevensobject"),
    "Data Store Reference": _l("Gegevensopslag"),
    "Text Annotation": _l("Notitie"),
}

# Dutch texts of bpmnlint's recommended rules, shown instead of its English messages.
LINT_TEXTS = {
    "ad-hoc-sub-process": _l("Een ad-hocsubproces mag geen start- of eindgebeurtenis hebben."),
    "conditional-flows": _l(
        "Een uitgaande stroom van deze splitsing heeft geen voorwaarde: geef elke stroom een "
        "voorwaarde of maak er het standaardpad van."
    ),
    "end-event-required": _l("Het proces heeft geen eindgebeurtenis."),
    "event-based-gateway": _l("Een gebeurtenisgestuurde gateway moet naar minstens twee tussengebeurtenissen leiden."),
    "event-sub-process-typed-start-event": _l(
        "Een gebeurtenissubproces moet met een getypeerde startgebeurtenis beginnen (bericht, termijn, …)."
    ),
    "fake-join": _l("Twee stromen komen zonder gateway samen op dit element: gebruik een samenvoegende gateway."),
    "global": _l("Een globaal element (bericht, signaal, fout) is dubbel of wordt niet gebruikt."),
    "label-required": _l("Dit element heeft geen naam."),
    "link-event": _l("Bij deze koppelgebeurtenis hoort geen tegenhanger met dezelfde naam."),
    "no-bpmndi": _l("Dit element staat niet in het diagram (de tekeninformatie ontbreekt)."),
    "no-complex-gateway": _l("Complexe gateways worden niet ondersteund."),
    "no-disconnected": _l("Dit element is met niets verbonden."),
    "no-duplicate-sequence-flows": _l("Twee stromen lopen tussen dezelfde elementen."),
    "no-gateway-join-fork": _l("Deze gateway voegt samen én splitst: gebruik er twee."),
    "no-implicit-split": _l("Dit element splitst zonder gateway: gebruik een gateway voor een splitsing."),
    "no-implicit-end": _l("Hier eindigt het proces zonder eindgebeurtenis: voeg er een toe."),
    "no-implicit-start": _l("Hier begint het proces zonder startgebeurtenis: voeg er een toe."),
    "no-inclusive-gateway": _l("Inclusieve gateways zijn lastig te volgen; kies liever een exclusieve of parallelle."),
    "no-overlapping-elements": _l("Elementen in het diagram liggen over elkaar."),
    "single-blank-start-event": _l("Het proces heeft meer dan één startgebeurtenis zonder type."),
    "single-event-definition": _l("Deze gebeurtenis heeft meer dan één gebeurtenisdefinitie."),
    "start-event-required": _l("Het proces heeft geen startgebeurtenis."),
    "sub-process-blank-start-event": _l("Een subproces moet met een startgebeurtenis zonder type beginnen."),
    "superfluous-gateway": _l("Overbodige gateway: hij heeft maar één inkomende en één uitgaande stroom."),
    "superfluous-label": _l("Overbodig label: dit element heeft geen naam nodig."),
    "superfluous-termination": _l("Overbodige beëindiging: een gewone eindgebeurtenis volstaat hier."),
}


def modeller_texts() -> dict[str, Any]:
    """The texts for the modeller page's JavaScript, in the page's language."""
    return {
        "texts": {key: str(value) for key, value in PANEL_TEXTS.items()},
        "lintTexts": {key: str(value) for key, value in LINT_TEXTS.items()},
        "labels": {
            "engine": _("Uitrolcontrole"),
            "lint": _("Modelregel"),
            "error": _("fout"),
            "warn": _("waarschuwing"),
            "line": _("regel"),
            "none": _("Geen bevindingen."),
            "checkedNone": _("Gecontroleerd: geen bevindingen. Uitrollen kan."),
            "checkedWarnings": _("Gecontroleerd: {warnings} waarschuwingen, geen fouten. Uitrollen kan."),
            "checkedErrors": _(
                "Gecontroleerd: {errors} fouten, {warnings} waarschuwingen. Los de fouten op voor het uitrollen."
            ),
            "lintOther": _("Het model houdt zich niet aan modelregel {rule}."),
            "summary": _("{errors} fouten, {warnings} waarschuwingen"),
            "changed": _("Gewijzigd: nog niet uitgerold."),
            "importFailed": _("Het model kon niet worden geopend:"),
            "checkFailed": _("De controle kon niet worden uitgevoerd; laad de pagina opnieuw (ben je nog ingelogd?)"),
        },
    }


CHANGE_LABELS = {"added": _l("toegevoegd"), "removed": _l("verwijderd"), "changed": _l("gewijzigd")}
KIND_LABELS = {
    "process": _l("proces"),
    "decision": _l("beslissing"),
    "lane": _l("lane"),
    "sequenceFlow": _l("stroom"),
    "userTask": _l("gebruikerstaak"),
    "scriptTask": _l("scripttaak"),
    "callActivity": _l("aanroep"),
    "exclusiveGateway": _l("exclusieve gateway"),
    "parallelGateway": _l("parallelle gateway"),
    "eventBasedGateway": _l("gebeurtenisgateway"),
    "inclusiveGateway": _l("inclusieve gateway"),
    "startEvent": _l("startgebeurtenis"),
    "endEvent": _l("eindgebeurtenis"),
    "boundaryEvent": _l("randgebeurtenis"),
    "intermediateCatchEvent": _l("tussengebeurtenis"),
    "intermediateThrowEvent": _l("tussengebeurtenis"),
    "businessRuleTask": _l("bedrijfsregeltaak"),
    "manualTask": _l("handmatige taak"),
    "task": _l("taak"),
    "subProcess": _l("subproces"),
    "serviceTask": _l("servicetaak"),
    "rule": _l("regel"),
    "dataObjectReference": _l("gegevensobject"),
    "dataStoreReference": _l("gegevensopslag"),
    "textAnnotation": _l("notitie"),
    "association": _l("koppeling"),
    "messageFlow": _l("berichtstroom"),
}


def property_text(name: str, dutch_label: str) -> str:
    """The engine's Dutch property label, or its English translation on an English page."""
    for prefix, label in (("input:", _l("invoercel")), ("output:", _l("uitvoercel")), ("property:", _l("eigenschap"))):
        if name.startswith(prefix):
            return f"{label} {name[len(prefix) :]}"
    translated = DIFF_PROPERTY_LABELS.get(name)
    return str(translated) if translated is not None else (dutch_label or property_label(name))


DIFF_PROPERTY_LABELS = {
    "type": _l("soort element"),
    "name": _l("naam"),
    "lane": _l("lane (rol)"),
    "members": _l("elementen in de lane"),
    "documentation": _l("toelichting"),
    "source": _l("van"),
    "target": _l("naar"),
    "default": _l("standaardpad"),
    "condition": _l("voorwaarde"),
    "called_element": _l("aangeroepen proces"),
    "attached_to": _l("vast aan"),
    "cancel_activity": _l("onderbrekend"),
    "interrupting": _l("onderbrekend"),
    "triggered_by_event": _l("door gebeurtenis"),
    "script": _l("script"),
    "pre_script": _l("script vooraf"),
    "post_script": _l("script achteraf"),
    "instructions": _l("instructie"),
    "decision": _l("beslistabel"),
    "form": _l("formulier"),
    "milestone": _l("mijlpaal"),
    "senders": _l("melders"),
    "starters": _l("starters"),
    "event": _l("soort gebeurtenis"),
    "timer_kind": _l("soort termijn"),
    "timer": _l("termijn"),
    "message": _l("bericht"),
    "message_variable": _l("berichtvariabele"),
    "loop": _l("herhaling"),
    "executable": _l("uitvoerbaar"),
    "hit_policy": _l("hit policy"),
    "inputs": _l("invoer"),
    "outputs": _l("uitvoer"),
    "description": _l("omschrijving"),
}
