"""Adjudication that explains itself: kappa with its interval and in words, a confusion matrix,
a required reason, and a lead free to decide differently from both reviewers (issue 16)."""
from __future__ import annotations

import pytest
from sklearn.metrics import cohen_kappa_score

from record_audit.errors import InputError
from record_audit.store.agreement import label_agreement, measure_agreement
from record_audit.store.review import ReviewStore
from record_audit.widgets import AdjudicationPanel


def pairs(a, b):
    return list(zip(a, b))


def test_kappa_and_its_interval_on_a_known_table():
    # 20 accept/accept, 5 accept/reject, 10 reject/accept, 15 reject/reject: kappa 0.40
    a = ["accept"] * 25 + ["reject"] * 25
    b = ["accept"] * 20 + ["reject"] * 5 + ["accept"] * 10 + ["reject"] * 15
    stat = label_agreement("mutualized", pairs(a, b), ("ana", "ben"))
    assert stat.kappa == pytest.approx(cohen_kappa_score(a, b), abs=1e-4) == pytest.approx(0.4, abs=1e-4)
    # the asymptotic interval (Fleiss, Cohen & Everitt 1969): 0.40 ± 1.96 × 0.127
    assert (stat.kappa_low, stat.kappa_high) == (pytest.approx(0.1511, abs=1e-3), pytest.approx(0.6489, abs=1e-3))
    assert stat.percent_agreement == 0.7 and stat.pabak == pytest.approx(0.4)
    assert stat.categories == ("accept", "reject") and stat.confusion == ((20, 5), (10, 15))
    assert stat.notes == ()  # nothing misleading here: 50 flags, balanced answers


def test_one_reviewer_always_accepting_is_explained_not_shown_as_zero_agreement():
    """The case issue 16 saw: 80% agreement beside kappa 0.00, with no word of why."""
    a = ["accept"] * 10
    b = ["accept"] * 8 + ["reject"] * 2
    stat = label_agreement("minimized", pairs(a, b), ("reviewer_a", "reviewer_b"))
    assert stat.percent_agreement == 0.8 and stat.kappa == 0.0
    text = " ".join(stat.notes)
    assert "reviewer_a gave every flag the same answer (Accept)" in text
    assert "kappa cannot exceed 0" in text and "confusion matrix" in text


def test_kappa_is_undefined_when_every_answer_is_the_same():
    stat = label_agreement("minimized", pairs(["accept"] * 4, ["accept"] * 4), ("ana", "ben"))
    assert stat.kappa is None and stat.percent_agreement == 1.0
    assert "Kappa is undefined" in stat.notes[0] and "same answer (Accept)" in stat.notes[0]


def test_prevalence_and_bias_are_named():
    # 95% of answers accept, one disagreement each way: kappa low, agreement high
    a = ["accept"] * 38 + ["reject", "accept"]
    b = ["accept"] * 38 + ["accept", "reject"]
    stat = label_agreement("mutualized", pairs(a, b), ("ana", "ben"))
    assert stat.kappa < 0 and stat.percent_agreement == 0.95
    assert any("prevalence effect" in n and "PABAK" in n for n in stat.notes)
    # ana rejects far more often than ben
    a = ["reject"] * 12 + ["accept"] * 8
    b = ["reject"] * 4 + ["accept"] * 16
    stat = label_agreement("mutualized", pairs(a, b), ("ana", "ben"))
    assert any("different rates (ana 60%, ben 20%" in n for n in stat.notes)


def test_few_flags_say_the_interval_is_wide():
    stat = label_agreement("mutualized", pairs(["accept", "reject", "accept"], ["accept", "reject", "reject"]),
                           ("ana", "ben"))
    assert any("Only 3 flag(s)" in n and "wide" in n for n in stat.notes)


@pytest.fixture
def double_review(review_db):
    """R1 reviewed by ana and ben: they disagree on the first flag."""
    review = ReviewStore(review_db)
    review.assign_double_review(("ana", "ben"), share=1.0)
    items = review.queue("ana", record_id="R1")
    review.decide("ana", items[0].key, "accept")
    review.decide("ben", items[0].key, "reject", reason="wrong_label")
    for item in items[1:]:
        review.decide("ana", item.key, "accept")
        review.decide("ben", item.key, "accept")
    yield review, items
    review.close()


def test_store_refuses_an_adjudication_without_a_reason(double_review):
    review, items = double_review
    with pytest.raises(InputError, match=r"\[E200\].*reason"):
        review.adjudicate("lead", items[0].key, "accept")
    with pytest.raises(InputError, match=r"\[E200\]"):
        review.adjudicate("lead", items[0].key, "accept", comment="   ")
    assert list(review.decisions()["kind"]).count("adjudication") == 0


def test_measure_agreement_matches_the_store_table(double_review):
    review, items = double_review
    stats = measure_agreement(review, "ana", "ben")
    table = review.agreement("ana", "ben")
    assert stats["overall"].n == table["overall"]["n"] == len(items)
    assert stats["overall"].kappa == table["overall"]["kappa"]
    assert sum(map(sum, stats["overall"].confusion)) == len(items)


def test_panel_shows_agreement_in_words_and_a_confusion_matrix(double_review):
    review, items = double_review
    panel = AdjudicationPanel(review, "lead", ("ana", "ben"))
    html = panel.table.value
    assert "Cohen's kappa" in html and "95% interval" in html
    assert "ben" in html and "ana gave every flag the same answer (Accept)" in html
    assert 'class="ra-confusion"' in html and "Wrong label" not in html  # a reject, whatever its reason
    assert "Failure to protect" in html  # labels by their plain-language names
    assert "1 disagreement(s) left" in panel.card.value
    assert "ana: <b>Accept</b>" in panel.card.value and "ben: <b>Reject (Wrong label)</b>" in panel.card.value
    # no truncated buttons: they size to their text
    assert all(b.layout.width == "auto" for b in (panel.use_a, panel.use_b, panel.save_button, panel.skip_button))


def test_lead_needs_a_reason_and_can_decide_unlike_both_reviewers(double_review):
    review, items = double_review
    panel = AdjudicationPanel(review, "lead", ("ana", "ben"))
    panel.use(1)  # start from ben's reject
    assert (panel.decision.value, panel.reason.value) == ("reject", "wrong_label")
    assert panel.save_button.disabled  # no reason yet
    assert panel.save() is None and "[E200]" in panel.message.value
    # the lead decides differently from both: a relabel
    panel.decision.value = "relabel"
    assert panel.save_button.disabled  # no new label chosen
    panel.new_label.value = "survivor_pathologized"
    panel.why.value = "Describes her choices, not a failure to protect."
    assert not panel.save_button.disabled
    panel.save_button.click()
    assert "No disagreements left" in panel.card.value
    decided, disputed = review.final()
    row = decided[items[0].key]
    assert (row["kind"], row["decision"], row["new_label"]) == ("adjudication", "relabel", "survivor_pathologized")
    assert row["comment"] == "Describes her choices, not a failure to protect." and not disputed
    # the choices reset after a decision
    assert (panel.decision.value, panel.reason.value, panel.new_label.value, panel.why.value) == (None, None, None, "")


def test_lead_rejects_with_a_reason_of_their_own(double_review):
    review, items = double_review
    panel = AdjudicationPanel(review, "lead", ("ana", "ben"))
    panel.decision.value = "reject"
    panel.why.value = "Her words, quoted."
    assert panel.save_button.disabled  # a reject needs its reason
    panel.reason.value = "reported"
    panel.save()
    row = review.final()[0][items[0].key]
    assert (row["decision"], row["reason"], row["kind"]) == ("reject", "reported", "adjudication")


def test_the_panel_moved_but_the_lazy_map_still_finds_it():
    import record_audit.widgets as widgets
    from record_audit.widgets.adjudication_panel import AdjudicationPanel as moved

    assert widgets.AdjudicationPanel is moved
    assert "AdjudicationPanel" in dir(widgets)
