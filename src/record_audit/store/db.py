"""The audit store: one SQLite file per audit (CONTRACT section 4).

Standard-library ``sqlite3`` in WAL mode with a busy timeout and short transactions,
a ``schema_version`` with numbered migrations (``migrations/NNN_*.sql``), and one
transaction per record, so a run killed midway leaves every record either fully
stored or not at all. Only this package reads or writes SQL.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path

from ..continuum import Placement
from ..errors import Errors, InputError, Warnings, warn
from ..files import create_file, loose_mode
from ..results import Cue, Flag, NoteResult, RecordResult, RoleMention, Sentence
from ..indicators import Evidence, Indicators
from ..io import Note

BUSY_TIMEOUT_MS = 30_000


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _migrations() -> list[tuple[int, str, str]]:
    folder = resources.files("record_audit.store") / "migrations"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.name, entry.read_text(encoding="utf-8")))
    return sorted(found)


SCHEMA_VERSION = max(v for v, _, _ in _migrations())


def _statements(sql: str) -> list[str]:
    """Split a migration into statements (``sqlite3.complete_statement`` keeps triggers whole)."""
    out, buffer = [], ""
    for line in sql.splitlines(keepends=True):
        if not buffer and (not line.strip() or line.lstrip().startswith("--")):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            out.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        out.append(buffer.strip())
    return out


@dataclass(frozen=True)
class StoredRecord:
    """A record as the store holds it, for summaries and reports."""

    record_id: str
    team: str | None
    worker: str | None
    indicators: Indicators
    placement: Placement


def _evidence(rows) -> tuple[Evidence, ...]:
    return tuple(Evidence(e["note_id"], e.get("sentence_index", 0), e["start"], e["end"], e["label"],
                          e.get("rule_id")) for e in rows)


def _cues_json(sent: Sentence) -> dict:
    return {"subject_roles": list(sent.subject_roles),
            **{name: [[c.kind, c.start, c.end, c.context] for c in getattr(sent, name)]
               for name in _CUE_FIELDS}}


_CUE_FIELDS = ("obligations", "dv_terms", "factors", "removal_terms")


def _evidence_json(items) -> list[dict]:
    return [{**e.to_dict(), "sentence_index": e.sentence_index} for e in items]


def copy_store(source: str | Path, target: str | Path) -> Path:
    """Copy an audit store into ``target`` (replaced), owner-only: a consistent copy, whatever is in its WAL.

    For a simulated review or a demo on a copy: SQLite's online backup, into a file created
    owner-only here (``shutil.copy`` would copy the source's mode and miss its WAL).
    """
    source, target = Path(source), Path(target)
    if not source.is_file():  # sqlite3.connect would create it, readable by all
        raise InputError(Errors.E220.format(path=source))
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    create_file(target)
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return target


class AuditStore:
    """Open (creating and migrating as needed) an audit store file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if self.path.parent and not self.path.parent.exists():
            raise InputError(Errors.E100.format(path=self.path))
        loose = loose_mode(self.path)
        if loose is not None:
            warn(Warnings.W090.format(path=self.path, mode=f"{loose:04o}"))
        try:
            # a new store is created owner-only here, not by SQLite (0644 less the umask);
            # SQLite gives its -wal, -shm and -journal files the store's own mode
            create_file(self.path)
            # Jupyter kernels (ipykernel 7) run widget callbacks on another thread than the cell
            # that opened the store: the connection may be shared, and writes take self.lock.
            self.conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                        check_same_thread=False)
            self.lock = threading.RLock()
            self.conn.row_factory = sqlite3.Row
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.migrate()
        except sqlite3.DatabaseError as err:
            raise InputError(Errors.E101.format(path=self.path, reason=err)) from None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> "AuditStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A short write transaction (BEGIN IMMEDIATE: writers queue on the busy timeout).

        Threads sharing this store take turns; other processes wait on SQLite's lock.
        """
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    # -- schema --------------------------------------------------------------------
    def schema_version(self) -> int:
        exists = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").fetchone()
        if not exists:
            return 0
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row["value"]) if row else 0

    def migrate(self) -> None:
        """Apply the migrations the file has not had yet, each in its own transaction."""
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise InputError(Errors.E102.format(path=self.path, found=current, known=SCHEMA_VERSION))
        for version, _name, sql in _migrations():
            if version <= current:
                continue
            with self.transaction() as conn:
                conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                for statement in _statements(sql):
                    conn.execute(statement)
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(version),))

    # -- runs --------------------------------------------------------------------------
    def start_run(self, *, tool_version: str, pipeline: str, lexicon_version: str, model_version: str | None,
                  input_path: str, input_fingerprint: str, options: dict) -> int:
        with self.transaction() as conn:
            # a run still marked running was killed: say so, keep what it stored
            conn.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'")
            cur = conn.execute(
                "INSERT INTO runs (started_at, status, tool_version, pipeline, lexicon_version, model_version,"
                " input_path, input_fingerprint, options) VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?)",
                (now(), tool_version, pipeline, lexicon_version, model_version, input_path,
                 input_fingerprint, json.dumps(options, sort_keys=True)))
            return int(cur.lastrowid)

    def finish_run(self, run_id: int, *, status: str = "complete", **counts: int) -> None:
        sets = ", ".join(f"{k} = ?" for k in counts)
        with self.transaction() as conn:
            conn.execute(f"UPDATE runs SET status = ?, finished_at = ?{', ' + sets if sets else ''} WHERE run_id = ?",
                         (status, now(), *counts.values(), run_id))

    def runs(self) -> list[dict]:
        return [dict(r) for r in self.conn.execute("SELECT * FROM runs ORDER BY run_id")]

    # -- records -------------------------------------------------------------------------
    def fingerprints(self) -> dict[str, str]:
        return {r["record_id"]: r["fingerprint"]
                for r in self.conn.execute("SELECT record_id, fingerprint FROM records")}

    def save_record(self, run_id: int, record: RecordResult, indicators: Indicators, placement: Placement,
                    fingerprint: str) -> int:
        """Store one record's pipeline rows in one transaction, replacing its earlier ones."""
        rid = record.record_id
        with self.transaction() as conn:
            for table in ("placements", "indicators", "flags", "sentences", "notes", "records"):
                conn.execute(f"DELETE FROM {table} WHERE record_id = ?", (rid,))
            conn.execute("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (rid, record.team, record.worker, int(record.dv_present), fingerprint, run_id, now()))
            n_flags = 0
            for seq, result in enumerate(record.notes, start=1):
                note = result.note
                conn.execute("INSERT INTO notes VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             (rid, note.note_id, seq, note.date, note.note_type, note.author, note.team, note.text))
                for sent in result.sentences:
                    conn.execute("INSERT INTO sentences VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 (rid, note.note_id, sent.index, sent.start, sent.end,
                                  json.dumps([[r.start, r.end, r.role] for r in sent.roles]),
                                  json.dumps(_cues_json(sent))))
                    for f in sent.flags:
                        conn.execute(
                            "INSERT OR IGNORE INTO flags (record_id, note_id, sentence_index, label, start, \"end\","
                            " text, source, rule_id, score, context, counted, explanation, rewrite)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (rid, note.note_id, sent.index, f.label, f.start, f.end, f.text, f.source, f.rule_id,
                             f.score, f.context, int(f.counted), f.explanation, f.rewrite))
                        n_flags += 1
            ind = indicators
            conn.execute("INSERT INTO indicators VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (rid, int(ind.dv_present), int(ind.removal_threat), int(ind.father_absent_record),
                          int(ind.perpetrator_invisible_record), ind.onus_ratio, ind.survivor_tasks,
                          ind.perpetrator_tasks, json.dumps(list(ind.critical_components)),
                          json.dumps(ind.label_counts, sort_keys=True),
                          json.dumps({k: _evidence_json(v) for k, v in ind.evidence.items()}, sort_keys=True)))
            conn.execute("INSERT INTO placements VALUES (?, ?, ?, ?, ?)",
                         (rid, placement.level, placement.rule_id, placement.rationale,
                          json.dumps(_evidence_json(placement.evidence))))
        return n_flags

    def records(self) -> list[StoredRecord]:
        """Every stored record with its indicators and placement, by record_id."""
        rows = self.conn.execute(
            "SELECT r.record_id, r.team, r.worker, i.*, p.level, p.rule_id AS p_rule, p.rationale,"
            " p.evidence AS p_evidence FROM records r JOIN indicators i USING (record_id)"
            " JOIN placements p USING (record_id) ORDER BY r.record_id").fetchall()
        out = []
        for row in rows:
            evidence = {k: _evidence(v) for k, v in json.loads(row["evidence"]).items()}
            ind = Indicators(
                dv_present=bool(row["dv_present"]), removal_threat=bool(row["removal_threat"]),
                father_absent_record=bool(row["father_absent_record"]),
                perpetrator_invisible_record=bool(row["perpetrator_invisible_record"]),
                survivor_tasks=row["survivor_tasks"], perpetrator_tasks=row["perpetrator_tasks"],
                critical_components=tuple(json.loads(row["critical_components"])),
                label_counts=json.loads(row["label_counts"]), evidence=evidence)
            placement = Placement(row["record_id"], row["level"], row["p_rule"], row["rationale"],
                                  _evidence(json.loads(row["p_evidence"])))
            out.append(StoredRecord(row["record_id"], row["team"], row["worker"], ind, placement))
        return out

    def record_ids(self) -> list[str]:
        """Every stored record id, sorted."""
        return [r["record_id"] for r in self.conn.execute("SELECT record_id FROM records ORDER BY record_id")]

    def teams(self) -> list[str]:
        """The teams of the stored records, sorted, without blanks."""
        return sorted({r["team"] for r in self.conn.execute("SELECT team FROM records") if r["team"]})

    def notes(self, record_id: str) -> list[dict]:
        return [dict(r) for r in self.conn.execute(
            "SELECT * FROM notes WHERE record_id = ? ORDER BY seq", (record_id,))]

    def note_text(self, record_id: str, note_id: str) -> str:
        """One note's text; ``KeyError`` when the store has no such note."""
        row = self.conn.execute("SELECT text FROM notes WHERE record_id = ? AND note_id = ?",
                                (record_id, note_id)).fetchone()
        if row is None:
            raise KeyError((record_id, note_id))
        return row["text"]

    def note_seqs(self) -> dict[tuple[str, str], int]:
        """Each note's position in its record, by (record_id, note_id)."""
        return {(r["record_id"], r["note_id"]): r["seq"]
                for r in self.conn.execute("SELECT record_id, note_id, seq FROM notes")}

    def sentence_keys(self) -> set[tuple[str, str, int]]:
        """(record_id, note_id, sentence_index) of every stored sentence."""
        return {(r["record_id"], r["note_id"], r["sentence_index"])
                for r in self.conn.execute("SELECT record_id, note_id, sentence_index FROM sentences")}

    def flags(self, record_id: str | None = None) -> list[dict]:
        sql = "SELECT * FROM flags"
        args: tuple = ()
        if record_id is not None:
            sql += " WHERE record_id = ?"
            args = (record_id,)
        return [dict(r) for r in self.conn.execute(sql + " ORDER BY record_id, note_id, start, label", args)]

    def sentences(self, record_id: str, note_id: str) -> list[dict]:
        return [dict(r) for r in self.conn.execute(
            "SELECT * FROM sentences WHERE record_id = ? AND note_id = ? ORDER BY sentence_index",
            (record_id, note_id))]

    def record_result(self, record_id: str, flags: list[dict] | None = None) -> RecordResult:
        """Rebuild a record's results from the store; ``flags`` replaces the stored flags.

        Indicators and placement are pure functions of this, so a reviewed view of the
        flags (issue: QA review) gives a reviewed placement without running spaCy again.
        """
        row = self.conn.execute("SELECT * FROM records WHERE record_id = ?", (record_id,)).fetchone()
        if row is None:
            raise KeyError(record_id)
        flag_rows = self.flags(record_id) if flags is None else flags
        by_sentence: dict[tuple[str, int], list[Flag]] = {}
        for f in flag_rows:
            by_sentence.setdefault((f["note_id"], f["sentence_index"]), []).append(Flag(
                label=f["label"], start=f["start"], end=f["end"], text=f["text"], source=f["source"],
                rule_id=f["rule_id"], score=f["score"], context=f["context"], counted=bool(f["counted"]),
                explanation=f["explanation"], rewrite=f["rewrite"]))
        notes = []
        for n in self.notes(record_id):
            note = Note(record_id=record_id, note_id=n["note_id"], text=n["text"], date=n["date"],
                        note_type=n["note_type"], author=n["author"], team=n["team"])
            sentences = []
            for s in self.sentences(record_id, n["note_id"]):
                cues = json.loads(s["cues"])
                sentences.append(Sentence(
                    index=s["sentence_index"], start=s["start"], end=s["end"], text=n["text"][s["start"]:s["end"]],
                    flags=tuple(by_sentence.get((n["note_id"], s["sentence_index"]), ())),
                    roles=tuple(RoleMention(*r) for r in json.loads(s["roles"])),
                    subject_roles=tuple(cues["subject_roles"]),
                    **{name: tuple(Cue(*c) for c in cues[name]) for name in _CUE_FIELDS}))
            notes.append(NoteResult(note=note, sentences=tuple(sentences)))
        return RecordResult(record_id=record_id, notes=tuple(notes), dv_present=bool(row["dv_present"]),
                            team=row["team"], worker=row["worker"])

    def counts(self) -> dict[str, int]:
        return {table: self.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                for table in ("runs", "records", "notes", "sentences", "flags", "indicators", "placements")}
