"""QA review: the append-only decision log, double review, and placements that follow the review."""
from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sqlite3
import time

import pytest
from click.testing import CliRunner
from sklearn.metrics import cohen_kappa_score

from record_audit.cli import main
from record_audit.errors import InputError
from record_audit.store.review import FlagKey, ReviewStore, cohen_kappa


def first(review, label, record_id=None):
    return next(i for i in review.queue(record_id=record_id) if i.key.label == label)


def test_decide_relabel_add_and_undo_derive_the_state(review_db):
    review = ReviewStore(review_db)
    ftp = first(review, "failure_to_protect", "R1")
    assert "Mother failed to protect the children." == ftp.sentence and "Father was not contacted." in ftp.after
    review.decide("ana", ftp.key, "accept", comment="classic FTP framing", teaching_example=True)
    minimized = first(review, "minimized", "R1")
    review.decide("ana", minimized.key, "relabel", new_label="perpetrator_pattern")
    review.add("ana", "R1", "R1-1", 1, "father_absent")
    state = review.current()
    assert state[ftp.key]["ana"]["decision"] == "accept"
    assert {i.key.label for i in review.queue("ana", record_id="R1", status="reviewed")} >= {"failure_to_protect", "minimized"}
    review.undo("ana")  # undoes the add
    review.undo("ana")  # undoes the relabel
    frame = review.decisions()
    assert list(frame["decision"]) == ["accept", "relabel", "add", "undo", "undo"]
    assert list(frame["undone"]) == [False, True, True, False, False]
    assert review.current()[ftp.key]["ana"]["teaching_example"] == 1
    assert minimized.key not in review.current()
    assert [i.key.label for i in review.queue("ana", record_id="R1", status="unreviewed")].count("failure_to_protect") == 0


def test_invalid_decisions_are_refused(review_db):
    review = ReviewStore(review_db)
    key = first(review, "failure_to_protect").key
    with pytest.raises(InputError, match="a reject needs a reason"):
        review.decide("ana", key, "reject")
    with pytest.raises(InputError, match="needs a comment"):
        review.decide("ana", key, "reject", reason="other")
    with pytest.raises(InputError, match="relabel needs a new label"):
        review.decide("ana", key, "relabel", new_label="victim_blaming")
    with pytest.raises(InputError, match="an override needs a reason"):
        review.override_level("lead", "R1", "Blindness", " ")


def test_decisions_are_append_only(review_db):
    review = ReviewStore(review_db)
    review.decide("ana", first(review, "failure_to_protect").key, "accept")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        review.conn.execute("UPDATE decisions SET decision = 'reject'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        review.conn.execute("DELETE FROM decisions")


def _write_many(path, reviewer, n, ready):
    review = ReviewStore(path)
    keys = [i.key for i in review.queue()]
    ready.wait()
    for k in range(n):
        review.decide(reviewer, keys[k % len(keys)], "accept" if k % 2 else "reject",
                      reason=None if k % 2 else "wrong_label", comment=f"{reviewer} {k}")
    review.close()


@pytest.mark.slow
def test_two_processes_writing_500_decisions_each_lose_nothing(review_db):
    ctx = mp.get_context("spawn")
    ready = ctx.Event()
    procs = [ctx.Process(target=_write_many, args=(str(review_db), name, 500, ready)) for name in ("ana", "ben")]
    for p in procs:
        p.start()
    time.sleep(1)
    ready.set()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0]
    frame = ReviewStore(review_db).decisions()
    assert len(frame) == 1000
    assert frame.groupby("reviewer").size().to_dict() == {"ana": 500, "ben": 500}
    assert frame["decision_id"].is_unique


@pytest.mark.slow
def test_killed_writer_leaves_a_consistent_store(review_db):
    ctx = mp.get_context("spawn")
    ready = ctx.Event()
    proc = ctx.Process(target=_write_many, args=(str(review_db), "ana", 100_000, ready))
    proc.start()
    ready.set()
    deadline = time.time() + 60
    while time.time() < deadline:
        with sqlite3.connect(review_db, timeout=5) as conn:
            if conn.execute("SELECT COUNT(*) FROM decisions").fetchone()[0] > 50:
                break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.join()
    with sqlite3.connect(review_db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute("SELECT decision, reviewer, comment FROM decisions").fetchall()
    assert len(rows) > 50
    assert all(r[1] == "ana" and r[2].startswith("ana ") for r in rows)  # no half-written row
    review = ReviewStore(review_db)  # and it still works
    review.decide("ben", first(review, "failure_to_protect").key, "accept")


def test_kappa_matches_scikit_learn_on_a_known_case():
    a = ["accept", "accept", "reject", "accept", "relabel:minimized", "reject", "accept", "reject"]
    b = ["accept", "reject", "reject", "accept", "relabel:minimized", "accept", "accept", "reject"]
    assert cohen_kappa(list(zip(a, b))) == pytest.approx(cohen_kappa_score(a, b))


def test_blind_double_review_agreement_and_adjudication(review_db):
    review = ReviewStore(review_db)
    chosen = review.assign_double_review(("ana", "ben"), share=1.0, seed=3)
    assert chosen == ["R1", "R2", "R3"] and review.assign_double_review(("ana", "ben"), 1.0, seed=3) == chosen
    items = review.queue("ana", record_id="R1")
    for i, item in enumerate(items):
        review.decide("ana", item.key, "accept")
        review.decide("ben", item.key, "accept" if i else "reject", reason=None if i else "reported")
    # blind: ana never sees ben's decisions on an assigned record
    assert all(item.others == [] for item in review.queue("ana", record_id="R1"))
    table = review.agreement("ana", "ben")
    assert table["overall"]["n"] == len(items)
    assert table["overall"]["percent_agreement"] == pytest.approx((len(items) - 1) / len(items), abs=1e-4)
    (key, ra, rb), = review.disagreements("ana", "ben")
    assert (ra["decision"], rb["decision"]) == ("accept", "reject")
    assert [i.key for i in review.queue("lead", status="disputed")] == [key]
    review.adjudicate("lead", key, "reject", reason="reported", comment="father's words")
    decided, disputed = review.final()
    assert decided[key]["kind"] == "adjudication" and not disputed
    assert review.disagreements("ana", "ben") == []


def test_placement_follows_the_review_and_the_override(review_db):
    review = ReviewStore(review_db)
    raw = review.reviewed_placement("R1")
    assert raw.level == "Destructiveness" and raw.level_source == "rubric"
    for item in review.queue(record_id="R1"):
        if item.key.label in ("failure_to_protect", "survivor_responsibilized"):
            review.decide("ana", item.key, "reject", reason="wrong_label")
    reviewed = review.reviewed_placement("R1")
    assert reviewed.level_source == "reviewed" and reviewed.level == "Blindness"
    review.override_level("lead", "R1", "Incapacity", "Plan language elsewhere in the file is survivor-focused.")
    over = review.reviewed_placement("R1")
    assert (over.level, over.level_source) == ("Incapacity", "override")
    review.override_level("lead", "R1", None, "Withdrawn after discussion.")
    assert review.reviewed_placement("R1").level_source == "reviewed"


def test_reaudit_keeps_every_decision(review_db, review_notes, write_notes, tmp_path):
    review = ReviewStore(review_db)
    key = first(review, "failure_to_protect").key
    review.decide("ana", key, "accept")
    review.close()
    changed = [(rid, text.replace("FA has anger issues.", "FA has anger issues, per MO.")) for rid, text in review_notes]
    assert changed != review_notes
    notes = write_notes(tmp_path / "notes.csv", changed)
    assert CliRunner().invoke(main, ["audit", str(notes), "--db", str(review_db), "--rules-only"]).exit_code == 0
    review = ReviewStore(review_db)
    assert len(review.decisions()) == 1 and key in review.current()
    assert any(i.key == key for i in review.queue())  # the flag's natural key survives the re-audit


def test_summary_and_report_show_raw_and_reviewed_side_by_side(review_db, tmp_path):
    import json
    review = ReviewStore(review_db)
    for item in review.queue(record_id="R1"):
        if item.key.label in ("failure_to_protect", "survivor_responsibilized"):
            review.decide("ana", item.key, "reject", reason="wrong_label")
    review.override_level("lead", "R3", "Incapacity", "Survivor-focused plan in the closing summary.")
    review.close()
    rows = {r["record_id"]: r for r in json.loads(CliRunner().invoke(main, ["summary", "--db", str(review_db)]).stdout)}
    assert (rows["R1"]["raw_level"], rows["R1"]["level"], rows["R1"]["level_source"]) == \
        ("Destructiveness", "Blindness", "reviewed")
    assert rows["R3"]["level_source"] == "override" and rows["R3"]["override_reason"].startswith("Survivor-focused")
    assert rows["R2"]["level_source"] == "rubric" and rows["R2"]["raw_level"] == rows["R2"]["level"]
    sample = json.loads(CliRunner().invoke(main, ["summary", "--db", str(review_db), "--scope", "sample"]).stdout)
    assert sample["distribution"]["raw_level"]["Destructiveness"]["count"] == 1
    assert sample["distribution"]["level"]["Destructiveness"]["count"] == 0
    out = tmp_path / "report.html"
    assert CliRunner().invoke(main, ["report", "--db", str(review_db), "-o", str(out)]).exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert 'id="raw-distribution"' in html and "pipeline said Destructiveness" in html
    assert "Override reason:" in html


def test_reviewed_decisions_become_training_rows(review_db):
    review = ReviewStore(review_db)
    review.decide("ana", first(review, "failure_to_protect", "R1").key, "accept")
    review.decide("ana", first(review, "minimized", "R1").key, "relabel", new_label="perpetrator_pattern")
    mutual = first(review, "mutualized", "R2")
    review.decide("ana", mutual.key, "reject", reason="wrong_label", comment="reads as his shouting")
    review.add("ana", "R2", mutual.key.note_id, mutual.key.sentence_index + 1, "harm_to_children")
    rows = {text: labels for _, text, labels in review.training_rows()}
    assert rows["Mother failed to protect the children."] == {"failure_to_protect"}
    assert rows["FA has anger issues."] == {"perpetrator_pattern"}
    assert rows["The couple argue a lot."] == set()          # rejected: a negative example
    assert "harm_to_children" in rows["Jayden (6) hides when FA shouts."]
    assert "Father was not contacted." not in rows          # nobody decided on it
    assert {group for group, _, _ in review.training_rows()} == {"R1", "R2"}
