"""store.gold: a simulated QA pass from the gold annotation, through the ReviewStore API."""
from __future__ import annotations

from collections import defaultdict

from record_audit import taxonomy
from record_audit.io.annotated import read_annotated
from record_audit.store.gold import GOLD_REVIEWER, review_from_gold


def test_every_flag_is_decided_and_reviewed_labels_match_gold(reviewed_samples, samples_dir):
    review = reviewed_samples
    decided, disputed = review.final()
    assert not disputed
    flags = review.store.flags()
    decided_at = {(k.record_id, k.note_id, k.start, k.label) for k in decided}
    undecided = [f for f in flags if (f["record_id"], f["note_id"], f["start"], f["label"]) not in decided_at]
    assert len(flags) > 200 and undecided == []
    kinds = {row["decision"] for row in decided.values()}
    assert {"accept", "reject", "add"} <= kinds
    assert all(row["reviewer"] == GOLD_REVIEWER for row in decided.values())

    # after review, each sentence's counted labels are exactly its counted gold labels
    gold = {(r.record_id, n.note.note_id): n.sentences for r in read_annotated(samples_dir / "annotated.jsonl")
            for n in r.notes}
    mismatches = 0
    checked = 0
    for rec in review.store.records():
        counted = defaultdict(set)
        for f in review.reviewed_flags(rec.record_id, decided):
            if f["counted"]:
                counted[(f["note_id"], f["sentence_index"])].add(f["label"])
        for note in review.store.notes(rec.record_id):
            for s in review.store.sentences(rec.record_id, note["note_id"]):
                want = set()
                for g in gold[(rec.record_id, note["note_id"])]:
                    if g.start < s["end"] and s["start"] < g.end and taxonomy.is_counted(g.context):
                        want.update(g.labels)
                checked += 1
                mismatches += counted[(note["note_id"], s["sentence_index"])] != want
    assert checked > 1000
    assert mismatches == 0


def test_teaching_marks_are_capped_per_label_and_need_a_rewrite(reviewed_samples):
    frame = reviewed_samples.decisions()
    marked = frame[frame["teaching_example"] == 1]
    assert len(marked) > 10 and set(marked["decision"]) == {"accept"}
    assert marked.groupby("flag_label").size().max() <= 3
    rewrites = {(f["record_id"], f["note_id"], f["start"], f["label"]): f["rewrite"]
                for f in reviewed_samples.store.flags()}
    assert all(rewrites[(r.record_id, r.note_id, r.flag_start, r.flag_label)] for r in marked.itertuples())


def test_restricting_to_some_records(tmp_path, audited_samples, samples_dir, copy_store):
    from record_audit.store.review import ReviewStore

    review = ReviewStore(copy_store(audited_samples, tmp_path / "a.sqlite"))
    some = sorted(r.record_id for r in review.store.records())[:3]
    counts = review_from_gold(review, read_annotated(samples_dir / "annotated.jsonl"), records=some)
    assert sum(counts[k] for k in ("accept", "reject", "relabel", "add")) > 0
    assert review.reviewed_record_ids() <= set(some)
    review.close()
