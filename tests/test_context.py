"""ConText behaviour on whole sentences, as TAXONOMY describes it."""
from __future__ import annotations

import pytest

from record_audit.pipeline import FLAGS_KEY


def flags(nlp, text):
    doc = nlp(text)
    return [(s.label_, s._.context, s._.counted) for s in doc.spans[FLAGS_KEY]]


@pytest.mark.parametrize("text,label,context", [
    ("There are no concerns that Ms. Jones failed to protect the children.", "failure_to_protect", "negated"),
    ("Father stated that mother failed to protect the kids.", "failure_to_protect", "reported"),
    ("Mr. Lee admitted he choked her.", "perpetrator_pattern", "reported"),
    ("Ms. Ray said she was hit.", "perpetrator_invisible", "reported"),
    ("Worker will explore whether Ms. Jones failed to protect the children.", "failure_to_protect", "hypothetical"),
    ("In 2019 he broke her arm.", "perpetrator_pattern", "historical"),
])
def test_context_tags_and_counting(nlp_rules, text, label, context):
    found = [f for f in flags(nlp_rules, text) if f[0] == label]
    assert found, text
    assert all(f[1] == context for f in found), found
    assert all(f[2] == (context == "historical") for f in found), found


@pytest.mark.parametrize("text,label", [
    ("Father was not contacted.", "father_absent"),
    ("Mother agreed not to allow him in the home.", "survivor_responsibilized"),
    ("If mother resumes contact the children will be removed.", "survivor_responsibilized"),
])
def test_negation_or_condition_inside_the_cue_still_counts(nlp_rules, text, label):
    found = [f for f in flags(nlp_rules, text) if f[0] == label]
    assert found and all(f[1] is None and f[2] for f in found), found


def test_doubted_account_counts_the_doubt_and_reports_the_claim(nlp_rules):
    found = flags(nlp_rules, "Ms. Ray alleges he controls the money.")
    assert ("survivor_pathologized", None, True) in found
    assert ("perpetrator_pattern", "reported", False) in found


def test_pseudo_cue_does_not_negate(nlp_rules):
    found = flags(nlp_rules, "Mother not only failed to protect the children but also lied.")
    assert ("failure_to_protect", None, True) in found


def test_worker_speech_is_the_writers_framing(nlp_rules):
    found = flags(nlp_rules, "CW told MO that she must obtain a protective order.")
    assert found and all(f[0] == "survivor_responsibilized" and f[2] for f in found), found


def test_terminator_ends_a_negation_scope(nlp_rules):
    found = flags(nlp_rules, "No concerns about school attendance, but mother failed to protect the children.")
    assert ("failure_to_protect", None, True) in found
