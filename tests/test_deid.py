"""De-identification on planted identifiers: none survive, and placeholders are consistent."""
from __future__ import annotations

import re

import pytest

from record_audit.pipeline.deid import Pseudonyms

PLANTED = {
    "names": ["Dana Okafor", "Okafor", "Jayden", "Brennan", "Priya", "Whitlock", "Tomasz Kowalski"],
    "phones": ["(614) 555-0192", "07700 900123", "+44 20 7946 0958", "555-867-5309"],
    "emails": ["dana.okafor@example.com", "tk1988@mail.example.org"],
    "addresses": ["14 Larkspur Close", "Flat 3B", "221 Maple Avenue", "LS6 2AB", "OH 43215"],
    "dates": ["03/04/2025", "2024-11-02", "12 March 2025", "Jan 5, 2024"],
    "case numbers": ["CP-2023-004512", "Case #88231", "ref 2024/7781", "DOB 04/05/2016"],
}
EXAMPLE = [
    "HV 03/04/2025 at 14 Larkspur Close, Flat 3B, LS6 2AB. Ms. Dana Okafor (MO) said Mr. Brennan checks her phone.",
    "Okafor called from (614) 555-0192 and 07700 900123; e-mail dana.okafor@example.com. Jayden (6) was present.",
    "FA Tomasz Kowalski, tk1988@mail.example.org, +44 20 7946 0958, moved to 221 Maple Avenue, OH 43215 on 2024-11-02.",
    "Case #88231 / CP-2023-004512, ref 2024/7781. Priya Whitlock (IDVA) met her on 12 March 2025 and Jan 5, 2024.",
    "Jayden DOB 04/05/2016 told priya he was scared; Brennan denies it. Call 555-867-5309.",
]


@pytest.fixture(scope="module")
def cleaned(deid):
    return deid.deidentify(EXAMPLE)


@pytest.mark.parametrize("kind", list(PLANTED))
def test_no_planted_identifier_survives(cleaned, kind):
    text = " ".join(cleaned)
    for value in PLANTED[kind]:
        assert value.lower() not in text.lower(), (kind, value, text)


def test_replacements_are_consistent_within_an_example(cleaned):
    first, second = cleaned[0], cleaned[1]
    name = re.search(r"Ms\. (\[Name [A-Z]\])", first).group(1)
    assert second.startswith(name)  # "Okafor" alone gets Ms. Dana Okafor's placeholder
    brennan = re.search(r"Mr\. (\[Name [A-Z]\])", first).group(1)
    assert brennan in cleaned[4] and brennan != name
    jayden = re.search(r"(\[Name [A-Z]\]) \(6\)", second).group(1)
    assert cleaned[4].startswith(jayden)  # "Jayden DOB ..." is the same child
    assert "[Name" in cleaned[2] and cleaned[2].count("[Name") == 1  # "Tomasz Kowalski" is one person


def test_case_note_words_and_the_flagged_language_stay(cleaned):
    text = " ".join(cleaned)
    for kept in ("(MO)", "checks her phone", "IDVA", "FA", "HV", "was scared"):
        assert kept in text


def test_two_examples_get_independent_placeholders(deid):
    a = deid.deidentify(["Ms. Okafor was seen."])[0]
    b = deid.deidentify(["Ms. Brennan was seen."])[0]
    assert a == b == "Ms. [Name A] was seen."


# the forms the handouts must cover: UK and US phones, postcodes and ZIPs, case references
FORMS = {
    "case numbers": ["Case No. 2023-004512", "2023-004512", "ref CP/22/1187", "CP/22/1187", "case number: 2023-004513",
                     "ZC23P00412", "14/55321/24", "PO no. 88412"],
    "phones": ["614-555-0192", "614.555.0192", "+1 614 555 0192", "020 7946 0958", "+44 7700 900123",
               "07700900123", "01632 960001"],
    "addresses": ["42 Oak Street", "Harlan St", "Apt 12", "M1 1AE", "Ohio 43215", "OH 43215-1234", "ZIP 43215"],
    "dates": ["15th of June 2024", "June 15th", "3 Feb 24", "2/3/24", "14.06.2023", "Tuesday 4th March", "March 2023"],
    "ids": ["123-45-6789", "QQ 12 34 56 C"],
}
FORM_NOTES = [
    "Case No. 2023-004512 was opened; ref CP/22/1187 and case number: 2023-004513. Court file ZC23P00412.",
    "Crime ref 14/55321/24; PO no. 88412. SSN 123-45-6789, NI QQ 12 34 56 C.",
    "MO moved to 42 Oak Street, Columbus, Ohio 43215, then Apt 12 on Harlan St; FA gave OH 43215-1234 and ZIP 43215.",
    "Her sister lives near M1 1AE. Call 614-555-0192, 614.555.0192, +1 614 555 0192 or 020 7946 0958.",
    "FA rang from +44 7700 900123, 07700900123 and 01632 960001.",
    "Seen 15th of June 2024, June 15th, 3 Feb 24, 2/3/24, 14.06.2023 and Tuesday 4th March; separated March 2023.",
]


@pytest.mark.parametrize("kind", list(FORMS))
def test_no_identifier_of_each_form_survives(deid, kind):
    text = " ".join(deid.deidentify(FORM_NOTES))
    for value in FORMS[kind]:
        assert value.lower() not in text.lower(), (kind, value, text)


def test_each_identifier_gets_a_placeholder_of_its_kind(deid):
    text = " ".join(deid.deidentify(FORM_NOTES))
    assert text.count("[Case no.") >= 6 and text.count("[Phone") == 7 and text.count("[ID no.") == 2
    assert "[Address" in text and "[Date" in text


def test_party_words_stay_whatever_ner_thinks(deid):
    text = deid.deidentify(["Partner Kyle Brennan pushed MO. Mother said Father and Mum's paramour Dean hit her. "
                            "Maternal grandmother Ms. Loretta Greer and the AP were present."])[0]
    for kept in ("Partner [Name", "MO.", "Mother said Father", "Mum's paramour [Name", "Maternal grandmother Ms. [Name",
                 "the AP"):
        assert kept in text, (kept, text)
    assert "Kyle" not in text and "Dean" not in text and "Loretta" not in text


def test_a_short_capitalised_party_word_is_still_a_name_after_a_title(deid):
    assert deid.deidentify(["Ms. Gal Cohen attended."])[0] == "Ms. [Name A] attended."


def test_durations_and_function_words_are_not_identifiers(deid):
    text = deid.deidentify(["Will Harper hit her for two years; MO will call daily. Will denies it."])[0]
    assert text == "[Name A] hit her for two years; MO will call daily. [Name A] denies it."


def test_a_guessed_name_is_not_replaced_where_it_is_a_common_word(deid):
    text = deid.deidentify(["Outcome: CW to review. Summer (4) was upset.", "The summer holiday was hard."])
    assert text[0].startswith("Outcome: CW to review. [Name A] (4)") and text[1] == "The summer holiday was hard."


def test_placeholders_already_in_a_text_are_kept_and_never_reused(deid):
    pseudonyms = Pseudonyms()
    first = deid.deidentify(["Ms. Okafor left."], pseudonyms)[0]
    assert first == "Ms. [Name A] left."
    rewrite = deid.deidentify(["[Name A] and [Name B] left; Okafor took Jayden (6) away."], pseudonyms)[0]
    assert rewrite.startswith("[Name A] and [Name B] left; [Name A] took [Name C] (6)")


def test_redaction_maps_offsets_into_the_de_identified_text(deid):
    text = "Ms. Dana Okafor said Mr. Brennan checks her phone."
    (redacted,) = deid.redact([text])
    start, end = text.index("Brennan checks"), text.index(" her phone")
    assert redacted.text[redacted.position(start):redacted.position(end, end=True)] == "[Name B] checks"
    # an offset inside a name moves to its placeholder's edge, never into it
    inside = text.index("kafor")
    assert redacted.text[redacted.position(inside):redacted.position(inside + 2, end=True)] == "[Name A]"
    assert redacted.position(len(text)) == len(redacted.text)
