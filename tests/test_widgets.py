"""The adjudication widget, driven in Python: set values, click buttons, check the store.

The review panel's tests are in test_review_panel.py."""
from __future__ import annotations

import pytest

from record_audit.store.review import ReviewStore
from record_audit.widgets import AdjudicationPanel


def test_adjudication_panel_settles_disagreements(review_db):
    review = ReviewStore(review_db)
    review.assign_double_review(("ana", "ben"), share=1.0)
    items = review.queue("ana", record_id="R1")
    review.decide("ana", items[0].key, "accept")
    review.decide("ben", items[0].key, "reject", reason="wrong_label")
    review.decide("ana", items[1].key, "accept")
    review.decide("ben", items[1].key, "accept")
    panel = AdjudicationPanel(review, "lead", ("ana", "ben"))
    assert "Cohen" in panel.table.value and "1 disagreement(s) left" in panel.card.value
    panel.comment.value = "worker's own framing"
    panel.keep_b.click()
    assert "No disagreements left" in panel.card.value
    decided, disputed = review.final()
    assert decided[items[0].key]["kind"] == "adjudication" and decided[items[0].key]["decision"] == "reject"
