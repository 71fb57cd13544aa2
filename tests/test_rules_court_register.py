"""Issue 14 categories 1, 4 and 6 in court, conference and review register (f-rules-b): each case
is an invented sentence of the construction, run through the full rules pipeline with its
context step, so the label and the context that counted scoring reads are both checked."""
from __future__ import annotations

import pytest

from record_audit.pipeline import FLAGS_KEY


def flags(nlp, text):
    doc = nlp(text)
    return {(s.label_, s._.context) for s in doc.spans[FLAGS_KEY]}


@pytest.mark.parametrize("text,label,context", [
    # category 1: findings in legal and review register
    ("In my judgment her capacity to protect the children remains very limited.", "failure_to_protect", None),
    ("I find that she has continued her relationship with the father despite the safety plan.", "failure_to_protect", None),
    ("The guardian's evidence was that the mother has very limited insight into the effect on the children.", "survivor_pathologized", "reported"),
    ("The father played no part in these proceedings and his address is not known.", "father_absent", None),
    # category 4: harm to children told as events, in the writer's voice and relayed
    ("I find that he pushed the mother down the stairs while the children were watching from the landing.", "harm_to_children", None),
    ("The mother told the court that he hit her in front of the children.", "harm_to_children", "reported"),
    ("The school reports that the boy has been tired and withdrawn since Easter.", "harm_to_children", "reported"),
    # category 6: her protective steps in procedural form
    ("She applied for and was granted a barring order in March.", "survivor_strengths", None),
    ("Counsel submitted that the mother applied for and obtained a protection order.", "survivor_strengths", "reported"),
    ("The father is to be referred to an accredited domestic abuse perpetrator programme.", "perpetrator_engaged", None),
])
def test_court_register_construction(nlp_rules, text, label, context):
    assert (label, context) in flags(nlp_rules, text)


@pytest.mark.parametrize("text,label", [
    ("Her capacity to protect the children is good.", "failure_to_protect"),
    ("The father attended the hearing with his solicitor.", "father_absent"),
    ("The school reports no concerns about the boy.", "harm_to_children"),
    ("She was told to apply for a barring order.", "survivor_strengths"),
])
def test_court_register_near_misses(nlp_rules, text, label):
    assert label not in {lab for lab, _ in flags(nlp_rules, text)}
