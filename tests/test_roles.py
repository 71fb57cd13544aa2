"""Roles are not tied to gender: defaults, declared parties, a mother who uses violence, same-sex couples."""
from __future__ import annotations

from record_audit.pipeline import FLAGS_KEY


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
