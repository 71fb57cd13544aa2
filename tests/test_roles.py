"""Roles are not tied to gender: defaults, declared parties, a mother who uses violence, same-sex couples."""
from __future__ import annotations

from record_audit.pipeline import FLAGS_KEY
from record_audit.pipeline.roles import LEARNED


def roles_of(nlp, text, parties=None):
    doc = nlp.make_doc(text)
    doc._.parties = parties
    doc = nlp(doc)
    return {t.text: t._.role for t in doc if t._.role}, doc


def labels(doc):
    return {(s.label_, s._.counted) for s in doc.spans[FLAGS_KEY]}


def test_case_note_vocabulary_gets_default_roles(nlp_rules):
    roles, _ = roles_of(nlp_rules, "BM and BF argued. MOC called CW. The AP left; NOP stayed with the kids and MGM.")
    assert roles["BM"] == "survivor" and roles["BF"] == "perpetrator" and roles["MOC"] == "survivor"
    assert roles["AP"] == "perpetrator" and roles["NOP"] == "survivor"
    assert roles["CW"] == "worker" and roles["kids"] == "child" and roles["MGM"] == "other"


def test_titled_names_and_paramour_and_stepfather(nlp_rules):
    roles, _ = roles_of(nlp_rules, "Ms. Okafor said her paramour and Mr. Brennan, the step-father, were present.")
    assert roles["Okafor"] == "survivor" and roles["paramour"] == "perpetrator"
    assert roles["Brennan"] == "perpetrator"


def test_name_beside_a_party_word_takes_its_role(nlp_rules):
    roles, _ = roles_of(nlp_rules, "Mother, Dana Whitlock, was seen. Later Whitlock said Jayden (6) was asleep.")
    assert roles["Dana"] == "survivor" and roles["Whitlock"] == "survivor"
    assert roles["Jayden"] == "child"


def test_mother_who_uses_violence_is_the_perpetrator_when_declared(nlp_rules):
    text = "Mother punched father in the face. He was pushed down the stairs. Father was not contacted."
    roles, doc = roles_of(nlp_rules, text, {"mother": "perpetrator", "father": "survivor"})
    assert roles["Mother"] == "perpetrator" and roles["father"] == "survivor"
    assert roles["He"] == "survivor"  # pronouns follow the declared parties
    found = labels(doc)
    assert ("perpetrator_pattern", True) in found  # she is named as the agent
    assert ("father_absent", True) not in found  # the uncontacted parent is the survivor here


def test_declaring_one_parent_flips_the_other_by_default(nlp_rules):
    roles, _ = roles_of(nlp_rules, "Mum hit dad.", {"mum": "perpetrator"})
    assert roles == {"Mum": "perpetrator", "dad": "survivor"}


def test_same_sex_couple_named_parties_and_unresolved_pronouns(nlp_rules):
    text = "Ms. Reyes strangled Ms. Dunn. She has monitored her phone for months."
    parties = {"Ms. Reyes": "perpetrator", "Ms. Dunn": "survivor"}
    roles, doc = roles_of(nlp_rules, text, parties)
    assert roles["Reyes"] == "perpetrator" and roles["Dunn"] == "survivor"
    # two women, one survivor and one perpetrator: "she" says nothing about who
    assert "She" not in roles and "her" not in roles
    assert ("perpetrator_pattern", True) in labels(doc)


def test_same_sex_couple_two_men_by_party_names(nlp_rules):
    text = "Mr. Hale pushed Mr. Ortiz into the wall. Mr. Ortiz called the police."
    parties = {"Hale": "perpetrator", "Ortiz": "survivor"}
    roles, doc = roles_of(nlp_rules, text, parties)
    assert roles["Hale"] == "perpetrator" and roles["Ortiz"] == "survivor"
    found = labels(doc)
    assert ("perpetrator_pattern", True) in found and ("survivor_strengths", True) in found


def role_mentions(nlp, text, parties=None):
    doc = nlp.make_doc(text)
    doc._.parties = parties
    return [(span.text, span.label_) for span in nlp(doc).spans["audit_roles"]]


def test_a_child_with_an_age_keeps_the_closing_bracket(nlp_rules):
    # the review panel's role chips show these spans: "Jayden (6 · child" lost its bracket
    found = role_mentions(nlp_rules, "RP states Jayden (6) told his teacher. Mia (8yrs) and Leo (age 4) hid.")
    assert ("Jayden (6)", "child") in found and ("Mia (8yrs)", "child") in found
    assert ("Leo (age 4)", "child") in found


def test_a_child_listed_beside_a_parent_word_is_never_the_parent(nlp_rules):
    # "MO, Jayden and Mia (3) present": a list of who was there, not the mother's name
    text = "HV to the apt on Harlan St, MO, Jayden and Mia (3) present. Jayden said it gets loud."
    found = role_mentions(nlp_rules, text)
    assert ("MO", "survivor") in found and ("Mia (3)", "child") in found
    assert not [m for m in found if m[0].startswith("Jayden") and m[1] != "child"]
    assert not [m for m in found if m[0] in ("Harlan", "St")]  # a street, not the mother
    # the record's other note gave his age: learned, he is a child in this one too
    found = role_mentions(nlp_rules, text, {"Jayden": LEARNED + "child"})
    assert [m for m in found if m[0] == "Jayden"] == [("Jayden", "child"), ("Jayden", "child")]


def test_a_child_named_in_the_same_note_is_not_learned_as_a_parent(nlp_rules):
    found = role_mentions(nlp_rules, "Mother, Jayden, was seen. Jayden (6) was asleep.")
    assert [m for m in found if m[0].startswith("Jayden")] == [("Jayden (6)", "child")]
