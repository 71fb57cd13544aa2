"""The SQL of learning from review (issue 17): rule suggestions' accept/reject log and the rows the
suggestion miner and the misses queue's scorer read. ``record_audit.adapt`` calls these."""
from __future__ import annotations

import json

from .db import now


def dv_record_ids(store) -> list[str]:
    """Ids of the stored records that describe DV, sorted."""
    return [r["record_id"] for r in store.conn.execute(
        "SELECT record_id FROM records WHERE dv_present = 1 ORDER BY record_id")]


def flagged_sentence_keys(store) -> set[tuple]:
    """(record_id, note_id, sentence_index) of every sentence holding a flag."""
    return {(r["record_id"], r["note_id"], r["sentence_index"])
            for r in store.conn.execute("SELECT DISTINCT record_id, note_id, sentence_index FROM flags")}


def stored_sentences(store) -> list[tuple]:
    """(key, sentence text, start offset in its note, role mentions) of every stored sentence, in order."""
    texts = {(r["record_id"], r["note_id"]): r["text"]
             for r in store.conn.execute("SELECT record_id, note_id, text FROM notes")}
    out = []
    for s in store.conn.execute("SELECT record_id, note_id, sentence_index, start, \"end\", roles FROM sentences"
                                " ORDER BY record_id, note_id, sentence_index"):
        key = (s["record_id"], s["note_id"], s["sentence_index"])
        out.append((key, texts[key[:2]][s["start"]:s["end"]], s["start"], json.loads(s["roles"])))
    return out


def miss_review_keys(review) -> set[tuple]:
    """Sentences any reviewer read from the possible-misses queue."""
    return {(r["record_id"], r["note_id"], r["sentence_index"])
            for r in review.conn.execute("SELECT record_id, note_id, sentence_index FROM miss_reviews")}


def log_rule_event(review, analyst: str, suggestion, action: str, *, rule_id=None, path=None,
                   comment=None) -> int:
    """Append an accept or reject of a rule suggestion to ``rule_events``."""
    with review.store.transaction() as conn:
        cur = conn.execute(
            "INSERT INTO rule_events (created_at, analyst, suggestion_id, action, rule_id, kind, label, path,"
            " decision_ids, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (now(), analyst.strip(), suggestion.id, action, rule_id, suggestion.kind, suggestion.label, path,
             json.dumps(list(suggestion.decision_ids)), comment))
        return int(cur.lastrowid)


def rule_events(review) -> list[dict]:
    """Every accept and reject of a rule suggestion, oldest first."""
    return [dict(r) for r in review.conn.execute("SELECT * FROM rule_events ORDER BY rule_event_id")]
