"""The review panel, driven in Python with the keys the browser forwards (``press``)."""
from __future__ import annotations

import threading

import pytest

from record_audit import taxonomy
from record_audit.store.review import ReviewStore
from record_audit.widgets import ReviewPanel
from record_audit.widgets.review_panel import LABEL_KEYS, REASON_KEYS, ROLE_NAMES


def events(panel):
    return [(e["decision"], e["reason"]) for e in panel.store.events()]


def key_of(label):
    return next(k for k, v in LABEL_KEYS.items() if v == label)


def test_reasons_are_numbered_in_taxonomy_order_and_labels_have_fixed_keys(review_db):
    panel = ReviewPanel(str(review_db), "ana")
    assert list(REASON_KEYS.values()) == list(taxonomy.REJECT_REASONS) and list(REASON_KEYS) == ["1", "2", "3", "4",
                                                                                                "5", "6", "7"]
    assert [r[0] for r in panel.choices["reasons"]] == list(REASON_KEYS)
    assert [r[2] for r in panel.choices["reasons"]] == [taxonomy.display_name(r) for r in taxonomy.REJECT_REASONS]
    assert list(LABEL_KEYS.values()) == list(taxonomy.LABELS) and len(set(LABEL_KEYS)) == len(taxonomy.LABELS)
    # a role chip never reads like a reject reason ('teacher · Other (say why)' was shown)
    assert set(ROLE_NAMES) == set(taxonomy.ROLES) and ROLE_NAMES["other"] == "someone else"


def test_keys_need_a_reviewer_first(review_db):
    panel = ReviewPanel(str(review_db))
    panel.press("a")
    assert "[E183]" in panel.message["text"] and panel.message["kind"] == "error"
    assert len(panel.store.decisions()) == 0
    panel.reviewer = "  ana "
    assert panel.reviewer == "ana"
    panel.press("a")
    assert events(panel) == [("accept", None)]


def test_accept_reject_with_a_reason_key_and_relabel_by_keys(review_db):
    panel = ReviewPanel(str(review_db), "ana")
    first = panel.current_key
    panel.press("a")
    assert panel.current_key != first and first not in panel.queue_keys  # the unreviewed queue shrinks
    panel.press("r")
    assert panel.mode == "reason"
    panel.press("3")
    panel.press("l")
    target = "perpetrator_pattern" if panel.current_key.label != "perpetrator_pattern" else "minimized"
    panel.press(key_of(target))
    assert events(panel) == [("accept", None), ("reject", "reported"), ("relabel", None)]
    assert panel.store.events()[2]["new_label"] == target
    assert panel.progress["queue_done"] == 3 and len(panel.queue_keys) == panel.progress["queue_total"] - 3


def test_a_reject_has_no_default_reason(review_db):
    panel = ReviewPanel(str(review_db), "ana")
    panel.press("r")
    panel.press("a")  # not a reason: nothing is saved, the panel still waits for the number
    assert panel.mode == "reason" and "[E184]" in panel.message["text"]
    panel.press("Escape")
    assert panel.mode == "" and len(panel.store.decisions()) == 0
    panel.press("r")
    panel.press("5")
    panel.press("r")  # the next reject asks again: the last reason does not carry over
    assert panel.mode == "reason"
    panel.press("Enter")
    assert events(panel) == [("reject", "not_dv")]


def test_comment_teaching_mark_and_choices_reset_after_each_decision(review_db):
    panel = ReviewPanel(str(review_db), "ana")
    panel.press("c")
    assert panel.mode == "comment"
    panel.write_comment("good example for the DV module")
    panel.press("t")
    assert panel.pending == {"comment": "good example for the DV module", "teaching": True}
    assert panel.card["key"]  # the flag is still on screen, undecided
    panel.press("a")
    row = panel.store.events()[0]
    assert row["comment"] == "good example for the DV module" and row["teaching_example"] is True
    assert panel.pending == {"comment": "", "teaching": False} and panel.mode == ""
    panel.press("a")
    row = panel.store.events()[1]
    assert row["comment"] is None and row["teaching_example"] is False


def test_reject_for_other_asks_for_the_comment_then_saves(review_db):
    panel = ReviewPanel(str(review_db), "ana")
    key = panel.current_key
    panel.press("r")
    panel.press("7")
    assert panel.mode == "comment" and "[E187]" in panel.message["text"] and len(panel.store.decisions()) == 0
    panel.write_comment("the worker quotes the school")
    row = panel.store.events()[0]
    assert (row["decision"], row["reason"], row["comment"]) == ("reject", "other", "the worker quotes the school")
    assert panel.store.history("ana") == [key]


def test_back_lands_on_the_flag_just_decided_then_walks_the_history(review_db):
    panel = ReviewPanel(str(review_db), "ana")
    decided = []
    for _ in range(3):
        decided.append(panel.current_key)
        panel.press("a")
    waiting = panel.current_key
    panel.press("ArrowLeft")
    assert panel.current_key == decided[-1] and panel.card["in_history"]  # not the end of the queue
    assert panel.card["where"] == "Your decision 3 of 3" and panel.card["decision"] == "Accept"
    panel.press("ArrowLeft")
    panel.press("ArrowLeft")
    panel.press("ArrowLeft")  # stays on the first
    assert panel.current_key == decided[0] and "first decision" in panel.message["text"]
    panel.press("r")
    panel.press("2")  # changed: a new event, and on to the next decision
    assert panel.current_key == decided[1]
    panel.press("ArrowRight")
    panel.press("ArrowRight")  # past the last decision: back at the queue, where it was
    assert panel.current_key == waiting and not panel.card["in_history"]
    assert panel.store.current()[decided[0]]["ana"]["reason"] == "negated"
    assert panel.history_keys == decided  # the order stays put when a decision changes


def test_undo_takes_back_the_last_decision_and_shows_its_flag(review_db):
    panel = ReviewPanel(str(review_db), "ana")
    key = panel.current_key
    panel.press("r")
    panel.press("3")
    assert key not in panel.queue_keys
    panel.press("z")
    assert panel.current_key == key and key in panel.queue_keys and panel.progress["queue_done"] == 0
    assert "Undone: Reject · Someone else's words" in panel.message["text"]
    assert events(panel) == [("reject", "reported"), ("undo", None)]
    panel.press("z")
    assert panel.message["text"] == "Nothing to undo." and len(panel.store.decisions()) == 2


def test_skip_keeps_the_flag_in_the_queue(review_db):
    panel = ReviewPanel(str(review_db), "ana")
    first = panel.current_key
    panel.press("s")
    assert panel.current_key != first and first in panel.queue_keys and len(panel.store.decisions()) == 0


def test_add_a_missed_flag_on_this_or_another_sentence(review_db):
    panel = ReviewPanel(str(review_db), "ana", record="R2")
    note = panel.current_key.note_id
    panel.press("m")
    assert panel.mode == "add" and panel.target["index"] == panel.current_key.sentence_index
    panel.press("ArrowDown")
    panel.press("ArrowDown")
    assert panel.target["index"] == 2 and "She called the police" in panel.target["text"]
    panel.press(key_of("survivor_strengths"))
    row = panel.store.events()[0]
    assert (row["decision"], row["note_id"], row["sentence_index"], row["flag_label"]) == (
        "add", note, 2, "survivor_strengths")
    panel.press("ArrowLeft")  # the added flag is the flag just decided
    assert panel.current_key.source == "review" and panel.card["decision"] == "Add a missed flag"


def test_accept_a_records_flags_after_confirming_and_undo_them_together(review_db):
    panel = ReviewPanel(str(review_db), "ana")
    record = panel.current_key.record_id
    n = sum(k.record_id == record for k in panel.queue_keys)
    panel.press("a")  # one decided by hand first
    panel.press("A")
    assert panel.mode == "confirm" and panel.confirm == {"record_id": record, "count": n - 1}
    panel.press("x")  # anything but y / Enter cancels
    assert panel.mode == "" and len(panel.store.decisions()) == 1
    panel.press("A")
    panel.press("y")
    assert len(panel.store.decisions()) == n and panel.current_key.record_id != record
    assert panel.progress["queue_done"] == n
    panel.press("z")  # the record's accepts go back together, the hand-made one stays
    assert events(panel)[-(n - 1):] == [("undo", None)] * (n - 1)
    assert panel.progress["queue_done"] == 1 and panel.current_key.record_id == record


def test_search_across_the_notes(review_db):
    panel = ReviewPanel(str(review_db), "ana")
    panel.set_filters(search="MONITORS her")  # case does not matter
    assert panel.queue_keys and {k.note_id for k in panel.queue_keys} == {"R2-1"}
    panel.set_filters(search="no such words")
    assert panel.queue_keys == [] and panel.card == {}
    panel.press("a")
    assert "[E186]" in panel.message["text"]
    panel.set_filters(search="")
    assert len(panel.queue_keys) == panel.progress["queue_total"] == len(panel.store.queue())


def test_guidelines_show_the_taxonomy_definition_and_the_rules_explanation(review_db):
    panel = ReviewPanel(str(review_db), "ana")
    card, flag = panel.card, panel.current.flag
    assert card["label_name"] == taxonomy.display_name(card["label"]) != card["label"]
    assert card["definition"] == taxonomy.DESCRIPTIONS[card["label"]]
    assert card["explanation"] == flag["explanation"] and card["explanation"]
    assert card["source_name"] == taxonomy.display_name(flag["source"]) and card["rule_id"] == flag["rule_id"]


def test_progress_per_queue_and_record_with_rate_and_time_left(review_db, monkeypatch):
    import record_audit.store.review as review_module

    clock = iter(f"2026-01-05T10:{m:02d}:00+00:00" for m in (0, 1, 2, 3, *range(30, 60)))
    monkeypatch.setattr(review_module, "now", lambda: next(clock))
    panel = ReviewPanel(str(review_db), "ana")
    keys = panel.queue_keys
    per_record = {r: sum(k.record_id == r for k in keys) for r in ("R1", "R2")}
    assert panel.progress["record_text"] == f"record R1: 0 of {per_record['R1']}"
    for _ in range(4):
        panel.press("a")
    # three quick gaps are too few to promise a rate
    assert panel.progress["per_hour"] is None and panel.progress["pace_text"] == "pace shown after a few decisions"
    for _ in range(per_record["R1"] + 2 - 4):
        panel.press("a")
    p = panel.progress
    assert (p["queue_done"], p["queue_total"]) == (per_record["R1"] + 2, len(keys))
    assert p["record_id"] == "R2" and (p["record_done"], p["record_total"]) == (2, per_record["R2"])
    # five gaps of 1 minute are timed, the 27-minute break is not: 60 decisions per hour
    left = len(keys) - per_record["R1"] - 2
    assert p["per_hour"] == 60.0 and p["eta_minutes"] == left and f"about {left} min left" in p["pace_text"]


def test_role_chips_show_a_child_with_its_age_and_never_as_a_parent(tmp_path, write_notes, audit_notes):
    notes = write_notes(tmp_path / "notes.csv", [
        ("K1", "RP states Jayden (6) saw FA push MO during a domestic dispute."),
        ("K1", "HV, MO, Jayden and Mia (3) present. MO, Jayden said the couple argue a lot."),
    ])
    panel = ReviewPanel(str(audit_notes(notes, tmp_path / "audit.sqlite")), "ana")
    chips = []
    for _ in panel.queue_keys:
        chips += [(c["text"], c["role"]) for c in panel.card["roles"]]
        panel.press("s")
    assert ("Jayden (6)", "child") in chips and ("Jayden", "child") in chips  # "Jayden (6" had lost its bracket
    assert not [c for c in chips if c[0].startswith("Jayden") and c[1] != "child"]  # never the survivor


def test_keys_that_do_nothing_say_so_and_help_toggles(review_db):
    panel = ReviewPanel(str(review_db), "ana")
    panel.press("q")
    assert "[E188]" in panel.message["text"]
    panel.press("?")
    assert panel.mode == "help" and ["a", "accept the flag"] in panel.choices["help"]
    panel.press("a")  # any key closes the help, and does nothing else
    assert panel.mode == "" and len(panel.store.decisions()) == 0


def test_panel_resumes_at_the_first_undecided_flag(review_db):
    panel = ReviewPanel(str(review_db), "ana")
    for _ in range(3):
        panel.press("a")
    waiting = panel.current_key
    again = ReviewPanel(str(review_db), "ana")  # a new session
    assert again.current_key == waiting and again.progress["queue_done"] == 3
    again.press("ArrowLeft")  # and its history is the reviewer's, from the store
    assert again.current_key == panel.history_keys[-1]


def test_note_text_goes_to_the_browser_as_data_and_no_message_quotes_it(review_db):
    review = ReviewStore(review_db)
    review.conn.execute("UPDATE notes SET text = replace(text, 'Mother failed', '<b>Mother</b> failed')")
    panel = ReviewPanel(review, "ana")
    sentence = panel.card["pre"] + panel.card["mark"] + panel.card["post"]
    assert "<b>Mother</b> failed" in sentence  # sent as data: the view sets it with textContent, never as HTML
    assert "innerHTML" not in (panel._esm if isinstance(panel._esm, str) else str(panel._esm))
    for key in ("a", "r", "3", "z", "l", "2", "m", "1"):
        panel.press(key)
        assert "Mother" not in panel.message["text"] and "failed" not in panel.message["text"]


def test_keys_sent_from_the_browser_on_another_thread_are_saved(review_db):
    """ipykernel 7 runs widget messages off the thread that opened the store (seen in JupyterLab)."""
    panel = ReviewPanel(str(review_db), "ana")
    sender = threading.Thread(target=panel._on_message, args=(panel, {"type": "key", "key": "a"}, []))
    sender.start()
    sender.join()
    assert events(panel) == [("accept", None)]


def test_a_key_that_fails_says_so_on_the_panel(review_db, monkeypatch):
    panel = ReviewPanel(str(review_db), "ana")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(panel.store, "decide", broken)
    with pytest.raises(OSError):
        panel._on_message(panel, {"type": "key", "key": "a"}, [])
    assert "Not saved" in panel.message["text"] and "disk full" in panel.message["text"]
