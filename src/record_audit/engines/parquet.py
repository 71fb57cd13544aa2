"""Pipeline results as Parquet: what ``flag`` prints and what an audit store needs.

A results folder holds four tables, one file per partition in each, written by the worker
that ran the partition, and a ``manifest.json`` (tool, pipeline and rules fingerprints,
options, input) written by the driver:

- ``records/``   record_id, team, worker, dv_present, gated, notes, notes_hash
- ``notes/``     record_id, note_id, seq, date, note_type, author, team, text, position
- ``sentences/`` record_id, note_id, sentence_index, start, end, roles, cues (JSON, as in the store)
- ``flags/``     the store's flag columns (label, offsets, text, source, rule_id, score, context,
  counted, explanation, rewrite)

Offsets are ``str`` indices into the note's text. A partition counts as written when its
``records`` file exists: it is renamed into place last. ``read_partition`` rebuilds the
``RecordResult`` objects, equal to the ones the worker wrote, so the JSON lines of
``flag`` and the rows of an audit store come out as from a single process.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

from .. import __version__
from ..errors import Errors, InputError
from ..files import fingerprint_path, make_folder, replacing, write_atomic
from ..io import Note
from ..results import Cue, Flag, NoteResult, RecordResult, RoleMention, Sentence
from .base import Engine
from .partitions import part_name

MANIFEST = "manifest.json"
FORMAT = "record_audit.results"
FORMAT_VERSION = 1
TABLES = ("notes", "sentences", "flags", "records")  # records last: it marks a partition written
CUE_FIELDS = ("obligations", "dv_terms", "factors", "removal_terms")


def _schemas():
    import pyarrow as pa
    s, i, b = pa.string(), pa.int64(), pa.bool_()
    return {
        "records": pa.schema([("record_id", s), ("team", s), ("worker", s), ("dv_present", b), ("gated", b),
                              ("notes", i), ("notes_hash", s)]),
        "notes": pa.schema([("record_id", s), ("note_id", s), ("seq", i), ("date", s), ("note_type", s),
                            ("author", s), ("team", s), ("text", s), ("position", s)]),
        "sentences": pa.schema([("record_id", s), ("note_id", s), ("sentence_index", i), ("start", i),
                                ("end", i), ("roles", s), ("cues", s)]),
        "flags": pa.schema([("record_id", s), ("note_id", s), ("sentence_index", i), ("label", s), ("start", i),
                            ("end", i), ("text", s), ("source", s), ("rule_id", s), ("score", pa.float64()),
                            ("context", s), ("counted", b), ("explanation", s), ("rewrite", s)]),
    }


def record_rows(records: Iterable[RecordResult], hashes: dict[str, str]) -> dict[str, list[dict]]:
    """Flatten records into the rows of the four tables."""
    rows: dict[str, list[dict]] = {name: [] for name in TABLES}
    for record in records:
        rid = record.record_id
        rows["records"].append({"record_id": rid, "team": record.team, "worker": record.worker,
                                "dv_present": record.dv_present, "gated": record.gated,
                                "notes": len(record.notes), "notes_hash": hashes.get(rid)})
        for seq, result in enumerate(record.notes, start=1):
            note = result.note
            rows["notes"].append({"record_id": rid, "note_id": note.note_id, "seq": seq, "date": note.date,
                                  "note_type": note.note_type, "author": note.author, "team": note.team,
                                  "text": note.text, "position": note.position})
            for sent in result.sentences:
                rows["sentences"].append({
                    "record_id": rid, "note_id": note.note_id, "sentence_index": sent.index, "start": sent.start,
                    "end": sent.end, "roles": json.dumps([[r.start, r.end, r.role] for r in sent.roles]),
                    "cues": json.dumps({"subject_roles": list(sent.subject_roles),
                                        **{name: [[c.kind, c.start, c.end, c.context] for c in getattr(sent, name)]
                                           for name in CUE_FIELDS}})})
                for f in sent.flags:
                    rows["flags"].append({
                        "record_id": rid, "note_id": note.note_id, "sentence_index": sent.index, "label": f.label,
                        "start": f.start, "end": f.end, "text": f.text, "source": f.source, "rule_id": f.rule_id,
                        "score": f.score, "context": f.context, "counted": f.counted,
                        "explanation": f.explanation, "rewrite": f.rewrite})
    return rows


def write_partition(folder: Path, k: int, records: list[RecordResult], hashes: dict[str, str]) -> dict[str, int]:
    """Write one partition's four files (each via a temporary name, ``records`` last)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = record_rows(records, hashes)
    schemas = _schemas()
    for name in TABLES:
        target = folder / name / part_name(k)
        make_folder(target.parent)
        # a name of its own: a task retried elsewhere may write the same partition at the same time
        with replacing(target, unique=True) as tmp:
            pq.write_table(pa.Table.from_pylist(rows[name], schema=schemas[name]), tmp)
    return {name: len(rows[name]) for name in TABLES}


def written_partitions(folder: Path) -> set[int]:
    """The partitions whose files are all in place."""
    found = set()
    for path in (folder / "records").glob("part-*.parquet"):
        k = int(path.stem.split("-")[1])
        if all((folder / name / part_name(k)).exists() for name in TABLES):
            found.add(k)
    return found


def _read(folder: Path, name: str, k: int) -> list[dict]:
    import pyarrow.parquet as pq
    return pq.read_table(folder / name / part_name(k), schema=_schemas()[name]).to_pylist()


def read_partition(folder: Path, k: int) -> Iterator[tuple[RecordResult, str | None]]:
    """Rebuild a partition's records, in the order the worker wrote them, with their notes hash."""
    flags: dict[tuple[str, str, int], list[Flag]] = {}
    for f in _read(folder, "flags", k):
        flags.setdefault((f["record_id"], f["note_id"], f["sentence_index"]), []).append(Flag(
            label=f["label"], start=f["start"], end=f["end"], text=f["text"], source=f["source"],
            rule_id=f["rule_id"], score=f["score"], context=f["context"], counted=f["counted"],
            explanation=f["explanation"], rewrite=f["rewrite"]))
    texts: dict[tuple[str, str], str] = {}
    notes: dict[str, list[Note]] = {}
    for n in _read(folder, "notes", k):
        texts[(n["record_id"], n["note_id"])] = n["text"]
        notes.setdefault(n["record_id"], []).append(Note(
            record_id=n["record_id"], note_id=n["note_id"], text=n["text"], date=n["date"],
            note_type=n["note_type"], author=n["author"], team=n["team"], position=n["position"] or ""))
    sentences: dict[tuple[str, str], list[Sentence]] = {}
    for s in _read(folder, "sentences", k):
        key = (s["record_id"], s["note_id"])
        cues = json.loads(s["cues"])
        sentences.setdefault(key, []).append(Sentence(
            index=s["sentence_index"], start=s["start"], end=s["end"], text=texts[key][s["start"]:s["end"]],
            flags=tuple(flags.get((*key, s["sentence_index"]), ())),
            roles=tuple(RoleMention(*r) for r in json.loads(s["roles"])),
            subject_roles=tuple(cues["subject_roles"]),
            **{name: tuple(Cue(*c) for c in cues[name]) for name in CUE_FIELDS}))
    for r in _read(folder, "records", k):
        rid = r["record_id"]
        results = tuple(NoteResult(note=n, sentences=tuple(sentences.get((rid, n.note_id), ())))
                        for n in notes.get(rid, ()))
        yield RecordResult(record_id=rid, notes=results, dv_present=r["dv_present"], team=r["team"],
                           worker=r["worker"], gated=r["gated"]), r["notes_hash"]


class ResultsFolder:
    """A finished (or partial) results folder: its manifest and its records."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        manifest = self.path / MANIFEST
        try:
            self.manifest = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.manifest = None
        if not isinstance(self.manifest, dict) or self.manifest.get("format") != FORMAT:
            raise InputError(Errors.E042.format(path=self.path, manifest=MANIFEST))
        if self.manifest.get("format_version", 0) > FORMAT_VERSION:
            raise InputError(Errors.E043.format(path=self.path, version=self.manifest["format_version"]))

    @property
    def complete(self) -> bool:
        return self.manifest.get("status") == "complete"

    def partitions(self) -> list[int]:
        return sorted(written_partitions(self.path))

    def records(self) -> Iterator[tuple[RecordResult, str | None]]:
        """Every record with its notes hash, partition by partition."""
        for k in self.partitions():
            yield from read_partition(self.path, k)

    def sentence_rows(self, *, all_sentences: bool = False) -> Iterator[dict]:
        """The CONTRACT section 3 objects ``record-audit flag`` would print for these records."""
        for record, _ in self.records():
            yield from record.sentence_rows(all_sentences=all_sentences)


def write_manifest(folder: Path, manifest: dict) -> None:
    write_atomic(folder / MANIFEST, json.dumps({"format": FORMAT, "format_version": FORMAT_VERSION, **manifest},
                                               indent=1, sort_keys=True))


def read_manifest(folder: Path) -> dict | None:
    try:
        found = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) and found.get("format") == FORMAT else None


def run_manifest(engine: Engine, source) -> dict:
    """Describe a run for its results folder: what ``audit.run_audit`` records about a run, and the
    pipeline fingerprint its records' store fingerprints are made from."""
    run = engine.describe()
    return {"tool_version": __version__, "pipeline": run.pipeline, "lexicon_version": run.lexicon_version,
            "pipeline_fingerprint": run.fingerprint, "model_version": run.model_version, "options": run.options,
            "input_path": str(source.path), "input_fingerprint": fingerprint_path(source.path)}
