"""Task instructions may state the case's own terms in Dutch time."""

from engine.workflow.instructions import render_instructions


def test_instructions_state_a_term_in_dutch_time():
    text = "Uiterlijk einde: {{ huisverbod.uiterste_einde | datumtijd }}."
    variables = {"huisverbod": {"uiterste_einde": "2027-02-12T20:15:00+00:00"}}
    assert render_instructions(text, variables) == "Uiterlijk einde: 12 februari 2027 om 21:15."


def test_instructions_without_placeholders_are_unchanged():
    assert render_instructions("Reik de beschikking uit.", {}) == "Reik de beschikking uit."
    assert render_instructions(None, {}) is None


def test_a_missing_value_leaves_the_sentence_readable():
    assert render_instructions("Einde: {{ huisverbod.einde | datumtijd }}", {}) == "Einde: "


def test_instructions_cannot_reach_outside_the_sandbox():
    text = "{{ ''.__class__.__mro__[1].__subclasses__() }}"
    assert render_instructions(text, {}) == text
