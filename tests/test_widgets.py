"""The review widgets, driven in Python: set values, click buttons, check the store."""
from __future__ import annotations

import pytest

from record_audit.store.review import ReviewStore
from record_audit.widgets import ReviewPanel


def test_panel_needs_a_reviewer_before_deciding(review_db):
    panel = ReviewPanel(str(review_db))
    assert panel.accept_button.disabled and "Enter your name" in panel.message.value
    panel.reviewer.value = "ana"
    assert not panel.accept_button.disabled


def test_click_accept_reject_relabel_and_see_the_effect(review_db):
    panel = ReviewPanel(str(review_db), "ana")
    total = len(panel.items)
    first = panel.current.key
    panel.accept_button.click()
    assert "accept" in panel.message.value and panel.progress.value == 1
    assert panel.current.key != first
    panel.reason.value = "reported"
    panel.reject_button.click()
    panel.new_label.value = "perpetrator_pattern" if panel.current.key.label != "perpetrator_pattern" else "minimized"
    panel.relabel_button.click()
    frame = panel.store.decisions()
    assert list(frame["decision"]) == ["accept", "reject", "relabel"]
    assert frame["reason"].tolist()[1] == "reported"
    assert panel.progress.value == 3 and len(panel.items) == total - 3  # 'unreviewed' queue shrinks


def test_undo_restores_the_flag_to_the_queue(review_db):
    panel = ReviewPanel(str(review_db), "ana")
    key = panel.current.key
    panel.accept_button.click()
    assert key not in [i.key for i in panel.items]
    panel.undo_button.click()
    assert "undid accept" in panel.message.value
    assert panel.current.key == key and panel.progress.value == 0
    assert list(panel.store.decisions()["decision"]) == ["accept", "undo"]


def test_comment_and_teaching_mark_are_logged_then_cleared(review_db):
    panel = ReviewPanel(str(review_db), "ana")
    panel.comment.value = "good example for the DV module"
    panel.teaching.value = True
    panel.accept_button.click()
    row = panel.store.decisions().iloc[0]
    assert row["comment"] == "good example for the DV module" and row["teaching_example"] == 1
    assert panel.comment.value == "" and panel.teaching.value is False


def test_reject_other_without_comment_shows_the_error(review_db):
    panel = ReviewPanel(str(review_db), "ana")
    panel.reason.value = "other"
    panel.reject_button.click()
    assert "needs a comment" in panel.message.value and len(panel.store.decisions()) == 0


def test_add_a_missed_flag_on_any_sentence(review_db):
    panel = ReviewPanel(str(review_db), "ana")
    panel.record.value = "R2"
    panel.add_label.value = "survivor_strengths"
    panel.add_sentence.value = panel.add_sentence.options[-1][1]
    panel.add_button.click()
    assert "added survivor_strengths" in panel.message.value
    panel.status.value = "all"
    assert any(i.key.source == "review" and i.key.label == "survivor_strengths" for i in panel.items)


def test_filters_narrow_the_queue(review_db):
    panel = ReviewPanel(str(review_db), "ana")
    panel.status.value = "all"
    everything = len(panel.items)
    panel.label.value = "failure_to_protect"
    assert panel.items and all(i.key.label == "failure_to_protect" for i in panel.items)
    panel.label.value = "(all)"
    panel.record.value = "R3"
    assert panel.items and all(i.key.record_id == "R3" for i in panel.items)
    panel.record.value = "(all)"
    panel.source.value = "syntax"
    assert panel.items and all(i.key.source == "syntax" for i in panel.items) and len(panel.items) < everything


def test_panel_resumes_where_the_reviewer_left_off(review_db):
    panel = ReviewPanel(str(review_db), "ana")
    decided = []
    for _ in range(3):
        decided.append(panel.current.key)
        panel.accept_button.click()
    next_key = panel.current.key
    again = ReviewPanel(str(review_db), "ana")  # a new session
    assert again.current.key == next_key and again.progress.value == 3
    assert not set(decided) & {i.key for i in again.items}


def test_note_text_is_escaped_in_the_card(review_db):
    review = ReviewStore(review_db)
    review.conn.execute("UPDATE notes SET text = replace(text, 'Mother failed', '<b>Mother</b> failed')")
    panel = ReviewPanel(review, "ana")
    assert "<b>Mother</b> failed" in panel.current.sentence  # the card shows the changed sentence, escaped
    assert "<b>Mother</b>" not in panel.card.value and "&lt;b&gt;Mo" in panel.card.value


def test_clicks_handled_on_another_thread_are_saved(review_db):
    """ipykernel 7 runs widget callbacks off the thread that opened the store (seen in JupyterLab)."""
    import threading

    panel = ReviewPanel(str(review_db), "ana")
    clicker = threading.Thread(target=panel.accept_button.click)
    clicker.start()
    clicker.join()
    assert "accept" in panel.message.value
    assert list(panel.store.decisions()["decision"]) == ["accept"]


def test_a_click_that_fails_says_so_on_the_panel(review_db, monkeypatch):
    panel = ReviewPanel(str(review_db), "ana")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(panel.store, "decide", broken)
    panel.accept_button.click()  # ipywidgets logs the exception; the reviewer sees the message
    assert "Not saved" in panel.message.value and "disk full" in panel.message.value
