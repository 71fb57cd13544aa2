"""Names learned from how notes introduce people, resolved with the record's own roles."""
from __future__ import annotations

from record_audit.engines.base import name_harvester
from record_audit.pipeline import FLAGS_KEY
from record_audit.pipeline.roles import LEARNED


def test_introduced_names_map_to_party_words_and_children():
    harvester = name_harvester()
    learned = harvester.harvest([
        "Home visit to Marta Kowalska (mum) and Oliver (4). FA Ryan Lloyd was not present.",
        "Mum's partner, Jordan Hale, left. Harvey Reid (6) and Mr Reid (father) were seen.",
        "On Monday Police attended.",
    ])
    assert learned["Marta Kowalska"] == learned["Marta"] == "group:female_parent"
    assert learned["Ryan"] == "group:male_parent" and learned["Oliver"] == "child"
    assert learned["Jordan"] == "group:neutral_perpetrator"
    assert "Reid" not in learned  # the child and the father share it: left out, not guessed
    assert not {"Monday", "Police"} & set(learned)


def test_learned_names_follow_the_records_declared_roles(nlp_rules):
    text = "Ryan checks her phone every night. Marta took Oliver to her sister's."
    parties = {"Marta": LEARNED + "group:female_parent", "Ryan": LEARNED + "group:male_parent",
               "Oliver": LEARNED + "child"}
    doc = nlp_rules.make_doc(text)
    doc._.parties = parties
    doc = nlp_rules(doc)
    roles = {t.text: t._.role for t in doc if t._.role}
    assert (roles["Ryan"], roles["Marta"], roles["Oliver"]) == ("perpetrator", "survivor", "child")
    labels = {s.label_ for s in doc.spans[FLAGS_KEY]}
    assert {"perpetrator_pattern", "survivor_strengths"} <= labels
    # the same record with a mother who uses violence: her introduced name follows the declaration
    doc = nlp_rules.make_doc("Marta hit Ryan with a mug.")
    doc._.parties = {**parties, "mother": "perpetrator"}
    doc = nlp_rules(doc)
    assert {t.text: t._.role for t in doc if t._.role}["Marta"] == "perpetrator"


def test_a_name_given_with_a_childs_age_is_a_child_even_beside_a_party_word():
    learned = name_harvester().harvest([
        "RP states Jayden (6) told his teacher.",
        "HV, MO, Jayden and Mia (3) present. Father, Dale Kucera, 34, was not present.",
    ])
    assert learned["Jayden"] == "child" and learned["Mia"] == "child"
    assert learned["Dale"] == "group:male_parent"  # an adult's age makes no child
