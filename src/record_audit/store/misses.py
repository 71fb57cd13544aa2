"""The possible-misses queue: unflagged sentences that most likely hold a flag, best first.

A QA reviewer who only sees flags can confirm or reject them but rarely finds what the
pipeline missed. This queue lists the sentences of DV records that carry no flag, ordered by
their *expected gain*: the expected number of labels a reviewer would add there,

    gain = sum over labels of p(label)            (the classifier's calibrated probabilities,
                                                   all under their thresholds, or they would flag)
           + DV_TERM_PRIOR   when the sentence names DV (a DV term) but nothing in it is flagged
           + NEAR_FLAG_PRIOR when it names a party next to a flagged sentence of the same note

Probabilities are computed outside the store (``record_audit.adapt.scores``: the store imports
neither spaCy nor scikit-learn) and passed in by sentence key; without them the queue orders by
the two priors, then record order. Each sentence a reviewer reads from the queue is logged in
``miss_reviews`` (append-only) with the number of flags added and the seconds spent, so the
panel reports misses found per sentence read and per hour of review.
"""
from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from .. import taxonomy
from ..errors import Errors, InputError
from .db import now

# Priors added to the probabilities' sum: set by judgement (about the share of such sentences that
# hold a miss), not tuned. bench/adapt.py prints the measured share of true misses among the
# unflagged sentences with each reason, on the held-out register's reviewed records.
DV_TERM_PRIOR = 0.15
NEAR_FLAG_PRIOR = 0.1
# a label's probability counts as "just under its threshold" (a reason shown to the reviewer)
# from this share of the threshold up
NEAR_THRESHOLD = 0.5
SentenceKey = tuple  # (record_id, note_id, sentence_index)


@dataclass
class MissItem:
    """An unflagged sentence in the possible-misses queue, with why it is there."""

    record_id: str
    note_id: str
    sentence_index: int
    sentence: str
    before: str
    after: str
    roles: list
    team: str | None
    gain: float
    likely: list = field(default_factory=list)    # [(label, probability)], most likely first
    reasons: list = field(default_factory=list)   # ["near_threshold:<label>", "dv_term", "near_flag_party"]
    rank: int = 0

    @property
    def key(self) -> SentenceKey:
        return (self.record_id, self.note_id, self.sentence_index)


def possible_misses(review, reviewer: str | None = None, *, probabilities: dict | None = None,
                    thresholds: dict[str, float] | None = None, record_id: str | None = None,
                    records=None, include_read: bool = False, limit: int | None = None) -> list[MissItem]:
    """The possible-misses queue of ``review`` (a ``ReviewStore``), best expected gain first.

    ``probabilities`` maps (record_id, note_id, sentence_index) to {label: probability};
    ``thresholds`` are the model's (for the "just under its threshold" reason). Sentences any
    reviewer already read from the queue, or added a flag to, are left out unless
    ``include_read``. ``records`` restricts the queue to some record ids.
    """
    conn = review.conn
    wanted = set(records) if records is not None else None
    if record_id is not None:
        wanted = {record_id} if wanted is None else wanted & {record_id}
    dv_records = {r["record_id"]: r["team"] for r in conn.execute("SELECT record_id, team FROM records WHERE dv_present = 1")}
    flagged = {(r["record_id"], r["note_id"], r["sentence_index"])
               for r in conn.execute("SELECT DISTINCT record_id, note_id, sentence_index FROM flags")}
    done: set = set()
    if not include_read:
        done = {(r["record_id"], r["note_id"], r["sentence_index"])
                for r in conn.execute("SELECT record_id, note_id, sentence_index FROM miss_reviews")}
        done |= {(r["record_id"], r["note_id"], r["sentence_index"])
                 for r in review._effective() if r["decision"] == "add"}
    seq = review.store.note_seqs()
    probabilities = probabilities or {}
    thresholds = thresholds or {}
    candidates = []
    sentences = conn.execute("SELECT record_id, note_id, sentence_index, start, \"end\", roles, cues FROM sentences"
                             " ORDER BY record_id, note_id, sentence_index").fetchall()
    by_note: dict[tuple[str, str], list] = defaultdict(list)
    for s in sentences:
        by_note[(s["record_id"], s["note_id"])].append(s)
    for (rid, nid), sents in by_note.items():
        if rid not in dv_records or (wanted is not None and rid not in wanted):
            continue
        for i, s in enumerate(sents):
            key = (rid, nid, s["sentence_index"])
            if key in flagged or key in done:
                continue
            roles = json.loads(s["roles"])
            cues = json.loads(s["cues"])
            probs = probabilities.get(key, {})
            gain, reasons = float(sum(probs.values())), []
            for label, p in sorted(probs.items(), key=lambda kv: -kv[1]):
                t = thresholds.get(label, 1.0)
                if t < 1.0 and p >= NEAR_THRESHOLD * t:
                    reasons.append(f"near_threshold:{label}")
            if cues.get("dv_terms"):
                gain += DV_TERM_PRIOR
                reasons.append("dv_term")
            neighbours = [sents[j] for j in (i - 1, i + 1) if 0 <= j < len(sents)]
            if roles and any((rid, nid, n["sentence_index"]) in flagged for n in neighbours):
                gain += NEAR_FLAG_PRIOR
                reasons.append("near_flag_party")
            likely = sorted(((label, round(float(p), 4)) for label, p in probs.items()), key=lambda kv: -kv[1])
            candidates.append((gain, key, s, roles, likely, reasons))
    candidates.sort(key=lambda c: (-round(c[0], 9), c[1][0], seq.get((c[1][0], c[1][1]), 0), c[1][2]))
    if limit is not None:
        candidates = candidates[:limit]
    items = []
    for rank, (gain, key, s, roles, likely, reasons) in enumerate(candidates, 1):
        rid, nid, index = key
        note = review.store.note_text(rid, nid)
        sents = by_note[(rid, nid)]
        pos = next(j for j, x in enumerate(sents) if x["sentence_index"] == index)
        text = lambda rows: " ".join(note[x["start"]:x["end"]] for x in rows)  # noqa: E731
        items.append(MissItem(rid, nid, index, note[s["start"]:s["end"]], text(sents[max(0, pos - 2):pos]),
                              text(sents[pos + 1:pos + 3]), roles, dv_records[rid], round(gain, 4),
                              likely[:3], reasons, rank))
    return items


def record_miss_review(review, reviewer: str, key: SentenceKey, labels=(), *, seconds: float | None = None,
                       rank: int | None = None, gain: float | None = None, comment: str | None = None) -> list[int]:
    """Log that ``reviewer`` read a queued sentence and add a flag for each of ``labels`` (may be none).

    Returns the ids of the 'add' decisions. The miss review and the added flags are separate
    append-only events; an added flag is undone like any other decision.
    """
    if not (reviewer or "").strip():
        raise InputError(Errors.E273.format(where=f"record {key[0]}, note {key[1]}, sentence {key[2]}"))
    for label in labels:
        if label not in taxonomy.LABELS:
            raise InputError(Errors.E108.format(label=label, known=", ".join(taxonomy.LABELS)))
    ids = [review.add(reviewer, key[0], key[1], key[2], label, comment=comment) for label in dict.fromkeys(labels)]
    with review.store.transaction() as conn:
        conn.execute("INSERT INTO miss_reviews (created_at, reviewer, record_id, note_id, sentence_index, rank, gain,"
                     " found, seconds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     (now(), reviewer.strip(), key[0], key[1], int(key[2]), rank, gain, len(ids), seconds))
    return ids


def miss_yield(review, reviewer: str | None = None) -> dict:
    """Sentences read from the queue, misses found, and misses per sentence and per hour.

    Hours are the seconds logged with each read (the panel times them); ``per_hour`` is None
    when no time was logged.
    """
    sql = "SELECT COUNT(*) AS n, COALESCE(SUM(found), 0) AS found, SUM(seconds) AS seconds FROM miss_reviews"
    row = review.conn.execute(sql + (" WHERE reviewer = ?" if reviewer else ""),
                              (reviewer,) if reviewer else ()).fetchone()
    n, found, seconds = row["n"], row["found"], row["seconds"]
    return {"read": n, "found": found, "with_miss": _with_miss(review, reviewer),
            "per_sentence": round(found / n, 4) if n else None, "seconds": seconds,
            "per_hour": round(found / (seconds / 3600), 1) if seconds else None}


def _with_miss(review, reviewer: str | None) -> int:
    sql = "SELECT COUNT(*) FROM miss_reviews WHERE found > 0"
    return review.conn.execute(sql + (" AND reviewer = ?" if reviewer else ""),
                               (reviewer,) if reviewer else ()).fetchone()[0]
