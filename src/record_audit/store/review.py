"""QA review over the audit store: an append-only decision log and what derives from it.

``ReviewStore`` is the API the widgets, ``store.gold`` and the tests use: ``queue()``,
``decide()``, ``add()``, ``undo()``, ``decisions()`` (a DataFrame); double review
(``assign_double_review()``, ``agreement()``, ``disagreements()``, ``adjudicate()``);
the reviewed view (``reviewed_flags()``, ``override_level()``, ``reviewed_placement()``,
``records()``) and ``training_rows()`` for retraining. Every write is one short
transaction; nothing is updated or deleted, so two reviewers writing at once lose nothing
and an undo is a new event.
"""
from __future__ import annotations

import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from .. import taxonomy
from ..continuum import Placement, Rubric
from ..errors import Errors, InputError
from ..indicators import compute_indicators
from ..indicators import Indicators
from .db import AuditStore, StoredRecord, now

REVIEW_SOURCE = "review"  # flags a reviewer added
CONTEXT_REASONS = ("negated", "reported", "hypothetical")
QUEUE_STATUSES = ("all", "unreviewed", "reviewed", "disputed")
QUEUE_ORDERS = ("record", "uncertainty")


@dataclass(frozen=True)
class ReviewedRecord:
    """A record's raw (pipeline) view and its reviewed view side by side."""

    record_id: str
    team: str | None
    worker: str | None
    raw: "StoredRecord"
    indicators: "Indicators"
    placement: Placement
    override_reason: str | None = None


@dataclass(frozen=True)
class FlagKey:
    """A flag's natural key: stable across re-audits of the same text and rules."""

    record_id: str
    note_id: str
    sentence_index: int
    label: str
    start: int
    end: int
    source: str

    @classmethod
    def of(cls, row: dict) -> "FlagKey":
        """The key of a flag row (``AuditStore.flags()``)."""
        return cls(row["record_id"], row["note_id"], row["sentence_index"], row["label"], row["start"],
                   row["end"], row["source"])

    @classmethod
    def of_logged(cls, row: dict) -> "FlagKey":
        """The key of the flag a decision or rewrite row is about (its ``flag_*`` columns)."""
        return cls(row["record_id"], row["note_id"], row["sentence_index"], row["flag_label"],
                   row["flag_start"], row["flag_end"], row["flag_source"])

    def where(self) -> str:
        """Where the flag is, for messages: ids, label and offsets, never its text."""
        return (f"record {self.record_id}, note {self.note_id}, sentence {self.sentence_index}, "
                f"flag '{self.label}' at {self.start}-{self.end}")


@dataclass
class QueueItem:
    """One flag to review, with its sentence in context and the reviewer's current decision."""

    key: FlagKey
    flag: dict
    sentence: str
    sentence_start: int
    before: str
    after: str
    roles: list
    team: str | None
    worker: str | None
    decision: dict | None = None
    others: list = field(default_factory=list)  # other reviewers' decisions (hidden when blind)

    @property
    def uncertainty(self) -> float:
        return self.flag.get("uncertainty", 1.0)


def outcome(row: dict | None) -> str | None:
    """What a decision means for a flag, for agreement: accept, reject, add or relabel:<label>."""
    if row is None:
        return None
    if row["decision"] == "relabel":
        return f"relabel:{row['new_label']}"
    return row["decision"]


class ReviewStore:
    """Review decisions on an audit store file."""

    def __init__(self, path: str | Path | AuditStore, *, rubric: Rubric | None = None) -> None:
        self.store = path if isinstance(path, AuditStore) else AuditStore(path)
        self.conn = self.store.conn
        self.rubric = rubric or Rubric.load()

    def close(self) -> None:
        self.store.close()

    # -- writing -------------------------------------------------------------------------
    def _insert(self, row: dict) -> int:
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        with self.store.transaction() as conn:
            cur = conn.execute(f"INSERT INTO decisions ({cols}) VALUES ({marks})", tuple(row.values()))
            return int(cur.lastrowid)

    def decide(self, reviewer: str, key: FlagKey, decision: str, *, reason: str | None = None,
               new_label: str | None = None, comment: str | None = None, teaching_example: bool = False,
               kind: str = "review") -> int:
        """Record accept / reject (with a reason) / relabel (with a new label) on a flag."""
        where = key.where()
        if decision not in ("accept", "reject", "relabel"):
            raise InputError(Errors.E103.format(where=where, decision=decision))
        if decision == "reject" and reason not in taxonomy.REJECT_REASONS:
            raise InputError(Errors.E104.format(where=where, known=", ".join(taxonomy.REJECT_REASONS)))
        if decision == "reject" and reason == "other" and not (comment or "").strip():
            raise InputError(Errors.E105.format(where=where))
        if decision == "relabel" and (new_label not in taxonomy.LABELS or new_label == key.label):
            raise InputError(Errors.E106.format(where=where, known=", ".join(taxonomy.LABELS), label=key.label))
        if not reviewer.strip():
            raise InputError(Errors.E107.format(where=where))
        return self._insert({
            "created_at": now(), "reviewer": reviewer.strip(), "kind": kind, "record_id": key.record_id,
            "note_id": key.note_id, "sentence_index": key.sentence_index, "flag_label": key.label,
            "flag_start": key.start, "flag_end": key.end, "flag_source": key.source, "decision": decision,
            "reason": reason if decision == "reject" else None,
            "new_label": new_label if decision == "relabel" else None,
            "comment": comment, "teaching_example": int(bool(teaching_example))})

    def add(self, reviewer: str, record_id: str, note_id: str, sentence_index: int, label: str, *,
            comment: str | None = None, teaching_example: bool = False, kind: str = "review") -> int:
        """Add a missed flag: a counted ``label`` on a whole sentence."""
        if label not in taxonomy.LABELS:
            raise InputError(Errors.E108.format(label=label, known=", ".join(taxonomy.LABELS)))
        sent = self.conn.execute('SELECT start, "end" FROM sentences WHERE record_id = ? AND note_id = ?'
                                 " AND sentence_index = ?", (record_id, note_id, sentence_index)).fetchone()
        if sent is None:
            raise InputError(Errors.E109.format(record_id=record_id, note_id=note_id, sentence_index=sentence_index))
        return self._insert({
            "created_at": now(), "reviewer": reviewer.strip(), "kind": kind, "record_id": record_id,
            "note_id": note_id, "sentence_index": sentence_index, "flag_label": label,
            "flag_start": sent["start"], "flag_end": sent["end"], "flag_source": REVIEW_SOURCE,
            "decision": "add", "new_label": label, "comment": comment,
            "teaching_example": int(bool(teaching_example))})

    def decide_many(self, reviewer: str, keys: list[FlagKey], decision: str = "accept", *,
                    comment: str | None = None, teaching_example: bool = False) -> list[int]:
        """Accept many flags at once (a record's flags, after the reviewer confirmed it).

        One transaction: either every flag gets its event or none does. Each stays its own
        event, so ``undo`` takes them back one at a time (the panel undoes the batch together).
        """
        if decision != "accept":
            raise InputError(Errors.E180.format(decision=decision))
        if not reviewer.strip():
            raise InputError(Errors.E107.format(where=f"{len(keys)} flag(s)"))
        rows = [{"created_at": now(), "reviewer": reviewer.strip(), "kind": "review", "record_id": key.record_id,
                 "note_id": key.note_id, "sentence_index": key.sentence_index, "flag_label": key.label,
                 "flag_start": key.start, "flag_end": key.end, "flag_source": key.source, "decision": decision,
                 "reason": None, "new_label": None, "comment": comment,
                 "teaching_example": int(bool(teaching_example))} for key in keys]
        ids = []
        with self.store.transaction() as conn:
            for row in rows:
                cur = conn.execute(f"INSERT INTO decisions ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
                                   tuple(row.values()))
                ids.append(int(cur.lastrowid))
        return ids

    def latest(self, reviewer: str) -> dict | None:
        """The reviewer's latest decision still in effect: the one ``undo`` would take back."""
        mine = [r for r in self._effective() if r["reviewer"] == reviewer]
        return max(mine, key=lambda r: r["decision_id"]) if mine else None

    def undo(self, reviewer: str) -> int | None:
        """Undo the reviewer's latest decision still in effect (a new 'undo' event)."""
        target = self.latest(reviewer)
        if target is None:
            return None
        return self._insert({
            "created_at": now(), "reviewer": reviewer, "kind": target["kind"], "record_id": target["record_id"],
            "note_id": target["note_id"], "sentence_index": target["sentence_index"],
            "flag_label": target["flag_label"], "flag_start": target["flag_start"], "flag_end": target["flag_end"],
            "flag_source": target["flag_source"], "decision": "undo", "undoes": target["decision_id"]})

    def adjudicate(self, lead: str, key: FlagKey, decision: str, **kwargs) -> int:
        """A lead's final decision on a flag (adjudication outranks reviewers' decisions).

        The lead says why in ``comment`` (required): any decision, whatever the reviewers chose.
        """
        if not (kwargs.get("comment") or "").strip():
            raise InputError(Errors.E200.format(where=key.where()))
        if decision == "add":
            return self.add(lead, key.record_id, key.note_id, key.sentence_index, key.label, kind="adjudication",
                            **kwargs)
        return self.decide(lead, key, decision, kind="adjudication", **kwargs)

    def override_level(self, lead: str, record_id: str, level: str | None, reason: str) -> int:
        """Override a record's level, with a required reason; ``level=None`` withdraws it."""
        if level is not None and level not in (*taxonomy.RECORD_LEVELS, taxonomy.NOT_APPLICABLE):
            raise InputError(Errors.E110.format(record_id=record_id, level=level,
                                                known=", ".join((*taxonomy.RECORD_LEVELS, taxonomy.NOT_APPLICABLE))))
        if not (reason or "").strip():
            raise InputError(Errors.E111.format(record_id=record_id))
        with self.store.transaction() as conn:
            cur = conn.execute("INSERT INTO overrides (created_at, reviewer, record_id, level, reason)"
                               " VALUES (?, ?, ?, ?, ?)", (now(), lead, record_id, level, reason.strip()))
            return int(cur.lastrowid)

    def assign_double_review(self, reviewers: tuple[str, str], share: float, *, seed: int = 0) -> list[str]:
        """Assign a reproducible share of records, blind, to both reviewers; return them."""
        ids = sorted(r["record_id"] for r in self.conn.execute("SELECT record_id FROM records WHERE dv_present = 1"))
        n = max(1, round(share * len(ids))) if ids else 0
        chosen = sorted(random.Random(seed).sample(ids, n))
        with self.store.transaction() as conn:
            for rid in chosen:
                for reviewer in reviewers:
                    conn.execute("INSERT OR IGNORE INTO assignments VALUES (?, ?, 1, ?)", (rid, reviewer, now()))
        return chosen

    # -- reading ---------------------------------------------------------------------------
    def _rows(self) -> list[dict]:
        return [dict(r) for r in self.conn.execute("SELECT * FROM decisions ORDER BY decision_id")]

    def _effective(self, rows: list[dict] | None = None) -> list[dict]:
        rows = self._rows() if rows is None else rows
        undone = {r["undoes"] for r in rows if r["decision"] == "undo"}
        return [r for r in rows if r["decision"] != "undo" and r["decision_id"] not in undone]

    def history(self, reviewer: str) -> list[FlagKey]:
        """The flags ``reviewer`` has decided (decisions still in effect), in the order first decided.

        What a panel's Back and Next walk through: the order stays put when a reviewer goes
        back and changes a decision.
        """
        first: dict[FlagKey, int] = {}
        for row in self._effective():
            if row["reviewer"] == reviewer and row["kind"] == "review":
                first.setdefault(FlagKey.of_logged(row), row["decision_id"])
        return sorted(first, key=first.__getitem__)

    def pace(self, reviewer: str, *, idle_seconds: int = 300, min_gaps: int = 5) -> dict:
        """How fast ``reviewer`` decides: decisions, active seconds and decisions per hour.

        Active time is the sum of the gaps between consecutive events (undo included) that
        are no longer than ``idle_seconds``; a longer gap is a break and counts for nothing,
        and so does the decision after it. ``per_hour`` is None until ``min_gaps`` gaps were timed
        (two or three quick keys would promise thousands an hour).
        """
        mine = [r for r in self._rows() if r["reviewer"] == reviewer]
        times = [datetime.fromisoformat(r["created_at"]) for r in mine]
        decisions = sum(1 for r in mine if r["decision"] != "undo")
        gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:])]
        timed = [g for g in gaps if g <= idle_seconds]
        active = sum(timed)
        per_hour = len(timed) / active * 3600 if len(timed) >= min_gaps and active > 0 else None
        return {"decisions": decisions, "active_seconds": active, "per_hour": per_hour}

    def events(self) -> list[dict]:
        """Every decision event, oldest first, with what it was about (``EVENT_COLUMNS``).

        Undo events are listed too (``decision`` 'undo', ``undoes`` naming the event taken
        back), and each event taken back names its undo in ``undone_by``: nothing reviewed
        is left out. ``sentence`` is the sentence's text and ``flag_text`` the flagged span's;
        ``rule_id`` is None when a later audit no longer raises the flag.
        """
        rows = self._rows()
        undone_by = {r["undoes"]: r["decision_id"] for r in rows if r["decision"] == "undo"}
        records = {r["record_id"]: dict(r) for r in self.conn.execute("SELECT record_id, team, worker FROM records")}
        rules = {(r["record_id"], r["note_id"], r["label"], r["start"], r["end"], r["source"]): r["rule_id"]
                 for r in self.conn.execute('SELECT record_id, note_id, label, start, "end", source, rule_id FROM flags')}
        texts: dict[tuple[str, str], str] = {}
        bounds: dict[tuple[str, str, int], tuple[int, int]] = {}
        for rid, nid in sorted({(r["record_id"], r["note_id"]) for r in rows}):
            try:
                texts[rid, nid] = self.store.note_text(rid, nid)
            except KeyError:
                continue
            for sent in self.store.sentences(rid, nid):
                bounds[rid, nid, sent["sentence_index"]] = (sent["start"], sent["end"])
        out = []
        for r in rows:
            text = texts.get((r["record_id"], r["note_id"]), "")
            start, end = bounds.get((r["record_id"], r["note_id"], r["sentence_index"]), (0, 0))
            rule = ("review_add" if r["flag_source"] == REVIEW_SOURCE else
                    rules.get((r["record_id"], r["note_id"], r["flag_label"], r["flag_start"], r["flag_end"],
                               r["flag_source"])))
            rec = records.get(r["record_id"], {})
            out.append({
                "decision_id": r["decision_id"], "created_at": r["created_at"], "reviewer": r["reviewer"],
                "kind": r["kind"], "record_id": r["record_id"], "team": rec.get("team"), "worker": rec.get("worker"),
                "note_id": r["note_id"], "sentence_index": r["sentence_index"], "sentence": text[start:end],
                "flag_label": r["flag_label"], "flag_label_name": taxonomy.display_name(r["flag_label"]),
                "flag_source": r["flag_source"], "flag_source_name": _source_name(r["flag_source"]),
                "rule_id": rule, "flag_start": r["flag_start"], "flag_end": r["flag_end"],
                "flag_text": text[r["flag_start"]:r["flag_end"]] if r["flag_start"] is not None else "",
                "decision": r["decision"], "decision_name": _decision_name(r["decision"]),
                "reason": r["reason"], "reason_name": taxonomy.display_name(r["reason"]) if r["reason"] else None,
                "new_label": r["new_label"] if r["decision"] == "relabel" else None,
                "new_label_name": taxonomy.display_name(r["new_label"]) if r["decision"] == "relabel" else None,
                "comment": r["comment"], "teaching_example": bool(r["teaching_example"]),
                "undoes": r["undoes"], "undone_by": undone_by.get(r["decision_id"])})
        return out

    def undone_by(self, undo_id: int) -> dict | None:
        """The decision that the undo event ``undo_id`` took back (None if it is no undo)."""
        row = self.conn.execute("SELECT * FROM decisions WHERE decision_id = ("
                                "SELECT undoes FROM decisions WHERE decision_id = ?)", (undo_id,)).fetchone()
        return dict(row) if row is not None else None

    def decisions(self):
        """Every decision event as a pandas DataFrame (undo events included, marked)."""
        import pandas as pd
        rows = self._rows()
        undone = {r["undoes"] for r in rows if r["decision"] == "undo"}
        frame = pd.DataFrame(rows, columns=[c[1] for c in self.conn.execute("PRAGMA table_info(decisions)")])
        frame["undone"] = frame["decision_id"].isin(undone)
        return frame

    def current(self) -> dict[FlagKey, dict[str, dict]]:
        """The latest effective decision per flag and reviewer (adjudications under '__lead__')."""
        state: dict[FlagKey, dict[str, dict]] = defaultdict(dict)
        for row in self._effective():
            who = "__lead__" if row["kind"] == "adjudication" else row["reviewer"]
            state[FlagKey.of_logged(row)][who] = row
        return state

    def final(self) -> tuple[dict[FlagKey, dict], set[FlagKey]]:
        """The decision that stands per flag, and the flags whose reviewers disagree."""
        decided, disputed = {}, set()
        for key, by_who in self.current().items():
            if "__lead__" in by_who:
                decided[key] = by_who["__lead__"]
                continue
            outcomes = {outcome(r) for r in by_who.values()}
            if len(outcomes) == 1:
                decided[key] = max(by_who.values(), key=lambda r: r["decision_id"])
            else:
                disputed.add(key)
        return decided, disputed

    def assignments(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = defaultdict(set)
        for r in self.conn.execute("SELECT record_id, reviewer FROM assignments"):
            out[r["record_id"]].add(r["reviewer"])
        return out

    def queue(self, reviewer: str | None = None, *, label: str | None = None, source: str | None = None,
              team: str | None = None, record_id: str | None = None, status: str = "all",
              order: str = "record", thresholds: dict[str, float] | None = None,
              search: str | None = None) -> list[QueueItem]:
        """Flags to review, filtered and ordered by record or by classifier uncertainty.

        ``status``: all, unreviewed, reviewed (by ``reviewer``), or disputed. On a record
        assigned to double review, a reviewer never sees the other's decisions (blind).
        ``search`` keeps the flags of notes whose text holds it (``notes_matching``).
        """
        return [self._item(key, flag, rec, mine, others) for key, flag, rec, mine, others in self._select(
            reviewer, label=label, source=source, team=team, record_id=record_id, status=status, order=order,
            thresholds=thresholds, search=search)]

    def queue_keys(self, reviewer: str | None = None, **filters) -> list[tuple[FlagKey, bool]]:
        """The queue's flag keys in order, each with whether ``reviewer`` decided it.

        Takes ``queue()``'s filters; reads no note text, so a panel can count and page
        through a large queue quickly and build one ``item()`` at a time.
        """
        return [(key, mine is not None) for key, _, _, mine, _ in self._select(reviewer, **filters)]

    def item(self, reviewer: str | None, key: FlagKey, *, thresholds: dict[str, float] | None = None) -> QueueItem | None:
        """The queue item of one flag as ``reviewer`` sees it (None when the store has no such flag)."""
        for k, flag, rec, mine, others in self._select(reviewer, record_id=key.record_id, thresholds=thresholds):
            if k == key:
                return self._item(k, flag, rec, mine, others)
        return None

    def notes_matching(self, text: str) -> set[tuple[str, str]]:
        """(record_id, note_id) of the notes whose text holds ``text``, ignoring case."""
        needle = text.strip().casefold()
        if not needle:
            return set()
        self.conn.create_function("casefold", 1, lambda s: s.casefold() if s else s, deterministic=True)
        return {(r["record_id"], r["note_id"]) for r in self.conn.execute(
            "SELECT record_id, note_id FROM notes WHERE instr(casefold(text), ?) > 0", (needle,))}

    def _select(self, reviewer: str | None = None, *, label: str | None = None, source: str | None = None,
                team: str | None = None, record_id: str | None = None, status: str = "all",
                order: str = "record", thresholds: dict[str, float] | None = None,
                search: str | None = None) -> list[tuple]:
        """``queue()``'s flags as (key, flag, record row, reviewer's decision, others' decisions)."""
        if status not in QUEUE_STATUSES:
            raise InputError(Errors.E112.format(status=status, known=", ".join(QUEUE_STATUSES)))
        if order not in QUEUE_ORDERS:
            raise InputError(Errors.E113.format(order=order, known=", ".join(QUEUE_ORDERS)))
        current = self.current()
        disputed = self.final()[1] if status == "disputed" else set()
        blind = self.assignments()
        records = {r["record_id"]: dict(r) for r in self.conn.execute("SELECT * FROM records")}
        seq = self.store.note_seqs()
        flags = self.store.flags(record_id)
        added = list({k: self._added_flag(k, r) for k, by in current.items() for r in by.values()
                      if k.source == REVIEW_SOURCE and (record_id is None or k.record_id == record_id)}.values())
        found = self.notes_matching(search) if search and search.strip() else None
        items = []
        for flag in [*flags, *added]:
            rec = records[flag["record_id"]]
            if label and flag["label"] != label or source and flag["source"] != source:
                continue
            if found is not None and (flag["record_id"], flag["note_id"]) not in found:
                continue
            if team and rec["team"] != team:
                continue
            key = FlagKey.of(flag)
            mine = current.get(key, {}).get(reviewer) if reviewer else None
            if status == "unreviewed" and mine is not None or status == "reviewed" and mine is None:
                continue
            if status == "disputed" and key not in disputed:
                continue
            hidden = reviewer in blind.get(flag["record_id"], set())
            others = [] if hidden else [r for who, r in current.get(key, {}).items() if who != reviewer]
            flag = dict(flag, uncertainty=self._uncertainty(flag, thresholds))
            items.append((key, flag, rec, mine, others))
        if order == "uncertainty":
            items.sort(key=lambda i: (i[1]["uncertainty"], i[0].record_id, seq[i[0].record_id, i[0].note_id], i[0].start))
        else:
            items.sort(key=lambda i: (i[0].record_id, seq[i[0].record_id, i[0].note_id], i[0].start, i[0].label))
        return items

    @staticmethod
    def _uncertainty(flag: dict, thresholds: dict[str, float] | None) -> float:
        """Distance of a classifier flag's probability from its threshold; rule flags are certain."""
        if flag["source"] != "classifier":
            return 1.0
        from ..model.uncertainty import margin
        return margin(flag["score"], (thresholds or {}).get(flag["label"], 0.5))

    def _added_flag(self, key: FlagKey, row: dict) -> dict:
        text = self.store.note_text(key.record_id, key.note_id)
        return {"record_id": key.record_id, "note_id": key.note_id, "sentence_index": key.sentence_index,
                "label": key.label, "start": key.start, "end": key.end, "text": text[key.start:key.end],
                "source": REVIEW_SOURCE, "rule_id": "review_add", "score": 1.0, "context": None, "counted": 1,
                "explanation": taxonomy.DESCRIPTIONS[key.label], "rewrite": taxonomy.REWRITES[key.label]}

    def _item(self, key: FlagKey, flag: dict, rec: dict, mine, others) -> QueueItem:
        sents = self.store.sentences(key.record_id, key.note_id)
        note = self.store.note_text(key.record_id, key.note_id)
        i = key.sentence_index
        this = sents[i]
        before = " ".join(note[s["start"]:s["end"]] for s in sents[max(0, i - 2):i])
        after = " ".join(note[s["start"]:s["end"]] for s in sents[i + 1:i + 3])
        return QueueItem(key=key, flag=flag, sentence=note[this["start"]:this["end"]], sentence_start=this["start"],
                         before=before, after=after, roles=json.loads(this["roles"]), team=rec["team"],
                         worker=rec["worker"], decision=mine, others=others)

    # -- double review ---------------------------------------------------------------------------
    def agreement(self, a: str, b: str) -> dict:
        """Per label and overall: Cohen's kappa and percent agreement on flags both reviewed.

        Categories are the decisions' outcomes (accept, reject, relabel:<label>, add); on
        a record both reviewed, a flag one reviewer added counts as 'absent' for the other.
        """
        from .agreement import agreement_pairs  # kappa's interval and what it means: agreement.measure_agreement
        return _agreement_table(agreement_pairs(self.current(), a, b))

    def disagreements(self, a: str, b: str) -> list[tuple[FlagKey, dict, dict]]:
        """Flags both reviewers decided differently, still without an adjudication."""
        out = [(key, by[a], by[b]) for key, by in self.current().items()
               if a in by and b in by and outcome(by[a]) != outcome(by[b]) and "__lead__" not in by]
        return sorted(out, key=lambda t: (t[0].record_id, t[0].note_id, t[0].start))

    # -- reviewed view ---------------------------------------------------------------------------
    def reviewed_flags(self, record_id: str, decided: dict | None = None) -> list[dict]:
        """The record's flags after the decisions that stand (unreviewed flags keep the pipeline's state)."""
        if decided is None:
            decided, _ = self.final()
        out = []
        for flag in self.store.flags(record_id):
            row = decided.get(FlagKey.of(flag))
            if row is None:
                out.append(flag)
            elif row["decision"] == "accept":
                out.append(dict(flag, counted=1))  # the reviewer overrules the context
            elif row["decision"] == "reject" and row["reason"] in CONTEXT_REASONS:
                out.append(dict(flag, counted=0, context=row["reason"]))
            elif row["decision"] == "relabel":
                out.append(dict(flag, label=row["new_label"], counted=1, context=None))
            # any other reject takes the flag out of the reviewed view
        for key, row in decided.items():
            if key.record_id == record_id and row["decision"] == "add":
                out.append(self._added_flag(key, row))
        return out

    def training_rows(self) -> list[tuple[str, str, set[str]]]:
        """(record id, sentence text, labels) for every sentence a decision stands on.

        The labels are the sentence's reviewed flags: accepted and relabelled flags, flags
        rejected only for their context (the language is still there), added flags, and the
        pipeline's unreviewed flags in the same sentence. A sentence whose every flag was
        rejected as wrong comes back with no labels, which teaches the model what is not a
        concern. Disputed flags wait for adjudication and are left out.
        """
        decided, _ = self.final()
        sentences_by_record: dict[str, set[tuple[str, int]]] = defaultdict(set)
        for key in decided:
            sentences_by_record[key.record_id].add((key.note_id, key.sentence_index))
        rows = []
        for rid in sorted(sentences_by_record):
            labels: dict[tuple[str, int], set[str]] = defaultdict(set)
            for flag in self.reviewed_flags(rid, decided):
                labels[(flag["note_id"], flag["sentence_index"])].add(flag["label"])
            texts = {note["note_id"]: note["text"] for note in self.store.notes(rid)}
            bounds = {(note_id, s["sentence_index"]): (s["start"], s["end"])
                      for note_id in texts for s in self.store.sentences(rid, note_id)}
            for key in sorted(sentences_by_record[rid]):
                if key in bounds:
                    start, end = bounds[key]
                    rows.append((rid, texts[key[0]][start:end], labels[key]))
        return rows

    # -- possible misses (store/misses.py) -------------------------------------------------------
    def misses(self, reviewer: str | None = None, **kwargs) -> list:
        """The possible-misses queue: unflagged sentences by expected gain (``store.misses.possible_misses``)."""
        from .misses import possible_misses
        return possible_misses(self, reviewer, **kwargs)

    def review_miss(self, reviewer: str, key: tuple, labels=(), **kwargs) -> list[int]:
        """Log a sentence read from the misses queue and add a flag per label (``store.misses``)."""
        from .misses import record_miss_review
        return record_miss_review(self, reviewer, key, labels, **kwargs)

    def miss_yield(self, reviewer: str | None = None) -> dict:
        """Sentences read from the misses queue, misses found, per sentence and per hour."""
        from .misses import miss_yield
        return miss_yield(self, reviewer)

    def reviewed_record_ids(self) -> set[str]:
        ids = {r["record_id"] for r in self._effective()}
        ids |= {r["record_id"] for r in self.conn.execute("SELECT DISTINCT record_id FROM overrides")}
        return ids

    def latest_override(self, record_id: str) -> dict | None:
        row = self.conn.execute("SELECT * FROM overrides WHERE record_id = ? ORDER BY override_id DESC LIMIT 1",
                                (record_id,)).fetchone()
        return dict(row) if row is not None and row["level"] is not None else None

    def reviewed_placement(self, record_id: str) -> Placement:
        """The record's placement from its reviewed flags, or a lead's override."""
        return next(r.placement for r in self.records() if r.record_id == record_id)

    def records(self) -> list["ReviewedRecord"]:
        """Every record with its raw placement and its reviewed indicators and placement.

        A record with at least one decision is placed from its reviewed flags
        (``level_source: reviewed``), even if its level did not change; a lead's override
        wins (``override``, with its reason); the others keep the rubric's placement.
        """
        decided, _ = self.final()
        touched = {r["record_id"] for r in self._effective()}
        out = []
        for stored in self.store.records():
            rid = stored.record_id
            indicators, placement = stored.indicators, stored.placement
            if rid in touched:
                result = self.store.record_result(rid, flags=self.reviewed_flags(rid, decided))
                indicators = compute_indicators(result)
                p = self.rubric.place(rid, indicators)
                placement = Placement(rid, p.level, p.rule_id, p.rationale, p.evidence, "reviewed")
            override = self.latest_override(rid)
            if override is not None:
                placement = Placement(rid, override["level"], None, override["reason"], placement.evidence,
                                      "override")
            out.append(ReviewedRecord(rid, stored.team, stored.worker, stored, indicators, placement,
                                      override["reason"] if override else None))
        return out


EVENT_COLUMNS: tuple[str, ...] = (
    "decision_id", "created_at", "reviewer", "kind", "record_id", "team", "worker", "note_id", "sentence_index",
    "sentence", "flag_label", "flag_label_name", "flag_source", "flag_source_name", "rule_id", "flag_start",
    "flag_end", "flag_text", "decision", "decision_name", "reason", "reason_name", "new_label", "new_label_name",
    "comment", "teaching_example", "undoes", "undone_by",
)


def _source_name(source: str | None) -> str:
    return "Added by a reviewer" if source == REVIEW_SOURCE else taxonomy.display_name(source)


def _decision_name(decision: str) -> str:
    return "Undo (takes back an earlier decision)" if decision == "undo" else taxonomy.display_name(decision)


def cohen_kappa(pairs: list[tuple[str, str]]) -> float | None:
    """Cohen's kappa of two raters' categories; None when chance agreement is total."""
    n = len(pairs)
    if n == 0:
        return None
    observed = sum(a == b for a, b in pairs) / n
    cats = {c for pair in pairs for c in pair}
    expected = sum((sum(a == c for a, _ in pairs) / n) * (sum(b == c for _, b in pairs) / n) for c in cats)
    if expected == 1:
        return None
    return (observed - expected) / (1 - expected)


def _agreement_table(pairs_by_label: dict[str, list[tuple[str, str]]]) -> dict:
    table = {}
    for label in taxonomy.LABELS:
        pairs = pairs_by_label.get(label, [])
        kappa = cohen_kappa(pairs)
        table[label] = {"n": len(pairs),
                        "percent_agreement": round(sum(a == b for a, b in pairs) / len(pairs), 4) if pairs else None,
                        "kappa": round(kappa, 4) if kappa is not None else None}
    every = [p for pairs in pairs_by_label.values() for p in pairs]
    overall = cohen_kappa(every)
    table["overall"] = {"n": len(every),
                        "percent_agreement": round(sum(a == b for a, b in every) / len(every), 4) if every else None,
                        "kappa": round(overall, 4) if overall is not None else None}
    return table
