"""Annotated records (CONTRACT section 2): gold sentences with labels and context."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .. import taxonomy
from ..errors import Errors, InputError
from .jsonl import jsonl_objects
from .note import Note


@dataclass(frozen=True)
class GoldSentence:
    """A gold sentence; ``start``/``end`` are ``str`` offsets into its note's text."""

    text: str
    labels: tuple[str, ...]
    context: str | None
    start: int
    end: int

    @property
    def counted_labels(self) -> tuple[str, ...]:
        return self.labels if taxonomy.is_counted(self.context) else ()


@dataclass(frozen=True)
class AnnotatedNote:
    note: Note
    sentences: tuple[GoldSentence, ...]


@dataclass(frozen=True)
class AnnotatedRecord:
    record_id: str
    notes: tuple[AnnotatedNote, ...]
    team: str | None = None
    worker: str | None = None
    jurisdiction: str | None = None
    register: str | None = None  # CONTRACT section 9: case_note, judgment, police, ...
    gold_level: str | None = None
    level_rationale: str | None = None


def is_annotated(path: str | Path) -> bool:
    """Tell an annotated-records file from a notes table by its first object's `notes` key."""
    with open(path, "rb") as fh:
        for raw in fh:
            if raw.strip():
                try:
                    obj = json.loads(raw.decode("utf-8-sig", errors="replace"))
                except json.JSONDecodeError:
                    return False
                return isinstance(obj, dict) and "notes" in obj
    return False


def _check(value, known, *, path, line, record_id, note_id, sentence, what):
    if value not in known:
        raise InputError(Errors.E020.format(
            path=path, line=line, record_id=record_id, note_id=note_id, sentence=sentence,
            what=what, value=value, known=", ".join(str(k) for k in known)))


def read_annotated(path: str | Path, *, encoding: str = "utf-8-sig") -> Iterator[AnnotatedRecord]:
    """Stream annotated records, validating labels and context tags with their position."""
    path = Path(path)
    levels = (*taxonomy.RECORD_LEVELS, taxonomy.NOT_APPLICABLE)
    contexts = (None, *taxonomy.CONTEXTS)
    for line_no, obj in jsonl_objects(path, encoding=encoding):
        for key in ("record_id", "notes"):
            if key not in obj:
                raise InputError(Errors.E019.format(path=path, line=line_no, key=key))
        record_id = str(obj["record_id"])
        gold_level = obj.get("gold_level")
        if gold_level is not None and gold_level not in levels:
            raise InputError(Errors.E015.format(
                path=f"{path}, line {line_no}", value=gold_level, what="gold_level",
                known=", ".join(levels)))
        notes = []
        for n, raw_note in enumerate(obj["notes"], start=1):
            if "sentences" not in raw_note:
                raise InputError(Errors.E019.format(path=path, line=line_no, key="sentences"))
            note_id = str(raw_note.get("note_id") or f"{record_id}-{n}")
            sentences, offset = [], 0
            for s, raw in enumerate(raw_note["sentences"]):
                where = dict(path=path, line=line_no, record_id=record_id, note_id=note_id,
                             sentence=s)
                text = raw.get("text")
                if not isinstance(text, str):
                    raise InputError(Errors.E019.format(path=path, line=line_no, key="text"))
                labels = tuple(raw.get("labels") or ())
                for label in labels:
                    _check(label, taxonomy.LABELS, what="label", **where)
                context = raw.get("context")
                _check(context, contexts, what="context", **where)
                sentences.append(GoldSentence(text, labels, context, offset, offset + len(text)))
                offset += len(text) + 1
            text = " ".join(s.text for s in sentences)
            note = Note(record_id=record_id, note_id=note_id, text=text,
                        date=raw_note.get("date"), note_type=raw_note.get("note_type"),
                        author=raw_note.get("author") or obj.get("worker"),
                        team=raw_note.get("team") or obj.get("team"),
                        position=f"{path.name}, line {line_no}")
            notes.append(AnnotatedNote(note, tuple(sentences)))
        yield AnnotatedRecord(record_id=record_id, notes=tuple(notes), team=obj.get("team"),
                              worker=obj.get("worker"), jurisdiction=obj.get("jurisdiction"),
                              register=obj.get("register"),
                              gold_level=gold_level, level_rationale=obj.get("level_rationale"))
