"""Sentence-level regressions for the rules: false positives reviewers reported, and the
case-note forms (UK and US) the roles must read. Each case names what the rules must not flag
(or must flag) in a whole sentence, through the full rules pipeline with its context step."""
from __future__ import annotations

import pytest

from record_audit.pipeline import FLAGS_KEY


def counted(nlp, text):
    doc = nlp(text)
    return {s.label_ for s in doc.spans[FLAGS_KEY] if s._.counted}


def flags(nlp, text):
    doc = nlp(text)
    return [(s.label_, s._.context, s._.counted) for s in doc.spans[FLAGS_KEY]]


def roles(nlp, text):
    return [(t.text, t._.role) for t in nlp(text) if t._.role]


@pytest.mark.parametrize("text", [
    # routine parenting and case tasks are not the job of stopping him
    "MO will keep all medical appointments.",
    "Mother will take Jayden to his dental check-up.",
    "Mother will ensure the children attend school every day.",
    "Ms. Jones will keep the children's immunisations up to date.",
    "Ms. Raman will keep CW updated on any changes in her work schedule so HVs can be arranged around it.",
    "Brodie's GP appointment is booked for 29/04, Ms Lindsay to take him.",
    "Ms. Royal will let him know we came by on their next video call.",
    # her asking or telling someone else is her act, not a task put on her
    "Mr Nowak has sent Ms Nowak 200 messages a day since she asked him to leave.",
    "Ms. Everett had told Kiara (9) months ago to go to the neighbour if things got bad.",
    # his control described, not a plan
    "Mr. Dunn controls the money; Ms. Ortiz has to text him a photo of every receipt.",
    # the perpetrator's own threat is harm_to_children, not a removal threat by the agency
    "He threatened that he would take the children if she left.",
    "He has told her that if she calls the police he will have ICE pick her up.",
])
def test_no_survivor_responsibilized(nlp_rules, text):
    assert "survivor_responsibilized" not in {label for label, _, _ in flags(nlp_rules, text)}, text


@pytest.mark.parametrize("text", [
    "Mother must obtain a protective order.",
    "MO will not allow FA in the home.",
    "MO will call 911 if FA comes to the apartment.",
    "Mum must ask Mr Lloyd to leave the home.",
    "She was advised to consider going to a refuge with the children.",
    "Mother will ensure the children are not exposed to further violence.",
    # the writer's own subjectless speech verb is not someone else's words
    "Explained that she will need to tell the police if Mr Rahman hits her again.",
    "Advised mum she needs to think about whether this relationship is right for her and the kids.",
])
def test_survivor_responsibilized_counted(nlp_rules, text):
    assert "survivor_responsibilized" in counted(nlp_rules, text), text


@pytest.mark.parametrize("text,expected", [
    ("MO allowed the children to stay up late.", False),
    ("Mother let the kids watch TV before bed.", False),
    ("MO let FA know about the meeting.", False),
    ("MO allowed FA to return to the home.", True),
    ("MO has allowed the children to witness DV for years.", True),
])
def test_failure_to_protect_needs_him_or_the_violence(nlp_rules, text, expected):
    assert ("failure_to_protect" in counted(nlp_rules, text)) is expected, text


def test_a_childs_disclosure_is_reported_speech(nlp_rules):
    # data/README.md: `reported` whoever speaks ("Ms Ray said he hit her"); the annotation marks a
    # child's account the same way ("Liam told CW that Rick squeezed mommy's neck": reported)
    found = flags(nlp_rules, "Jayden (6) said daddy hurt mummy.")
    pattern = [f for f in found if f[0] == "perpetrator_pattern"]
    assert pattern and all(context == "reported" and not is_counted for _, context, is_counted in pattern)
    assert not [f for f in found if f[2]], found  # nothing in the child's words counts as the writer's framing


@pytest.mark.parametrize("text,expected", [
    ("M said F pushed her against the wall.", {"M": "survivor", "F": "perpetrator"}),
    ("MOB and FOB were present at the delivery.", {"MOB": "survivor", "FOB": "perpetrator"}),
    ("The respondent father did not attend.", {"father": "perpetrator"}),
    ("SW met Mr McAllister and Ms McAllister separately.", {"Mr": "perpetrator", "McAllister": "survivor"}),
    ("Worker met Ms. Le at home; LE had attended overnight.", {"Le": "survivor", "LE": "other"}),
    ("The foster mother said the children had settled.", {"mother": "other"}),
    ("MGM and PGF attended the meeting.", {"MGM": "other", "PGF": "other"}),
])
def test_uk_and_us_party_words(nlp_rules, text, expected):
    found = dict(roles(nlp_rules, text))
    for word, role in expected.items():
        assert found.get(word) == role, (text, found)


@pytest.mark.parametrize("text", ["Works M-F at the store.", "F/U with the school next week.", "Sex: M/F"])
def test_letters_that_are_not_parties(nlp_rules, text):
    assert not [w for w, r in roles(nlp_rules, text) if r in ("survivor", "perpetrator")], text


@pytest.mark.parametrize("text,name", [
    ("Mia (8) and Leo (5) were at home.", "Mia"),  # "8)" is one token (an emoticon) for spaCy
    ("Mia (age 8) told the teacher.", "Mia"),
    ("Mia (8yrs) was seen at school.", "Mia"),
    ("Ava, 7, said she was scared.", "Ava"),
])
def test_a_name_with_an_age_is_a_child(nlp_rules, text, name):
    assert (name, "child") in roles(nlp_rules, text), text
