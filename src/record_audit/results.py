"""The frozen results the pipeline hands to every later layer: flags by sentence, note and record (no spaCy)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from . import taxonomy
from .io import Note


@dataclass(frozen=True)
class Flag:
    """A labelled span; ``start``/``end`` are ``str`` offsets into the note's text."""

    label: str
    start: int
    end: int
    text: str
    source: str
    rule_id: str | None
    score: float = 1.0
    context: str | None = None
    counted: bool = True
    explanation: str | None = None
    rewrite: str | None = None

    def to_dict(self) -> dict:
        return {"label": self.label, "start": self.start, "end": self.end, "text": self.text,
                "source": self.source, "rule_id": self.rule_id, "score": round(self.score, 4),
                "context": self.context, "counted": self.counted, "explanation": self.explanation}


@dataclass(frozen=True)
class RoleMention:
    start: int
    end: int
    role: str


@dataclass(frozen=True)
class Cue:
    """A word-list hit or an obligation clause, with its ConText tag.

    ``kind`` is the term list's id (``dv_named``, ``factor_substance_use``, ...) or, for an
    obligation clause, the role it binds (``survivor`` or ``perpetrator``).
    """

    kind: str
    start: int
    end: int
    context: str | None = None

    @property
    def counted(self) -> bool:
        return taxonomy.is_counted(self.context)


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str
    flags: tuple[Flag, ...] = ()
    roles: tuple[RoleMention, ...] = ()
    subject_roles: tuple[str, ...] = ()  # roles of the sentence's grammatical subjects
    obligations: tuple[Cue, ...] = ()
    dv_terms: tuple[Cue, ...] = ()
    factors: tuple[Cue, ...] = ()
    removal_terms: tuple[Cue, ...] = ()

    @property
    def labels(self) -> list[str]:
        """The sorted labels of the sentence's counted flags (CONTRACT section 3)."""
        return sorted({f.label for f in self.flags if f.counted})


@dataclass(frozen=True)
class NoteResult:
    note: Note
    sentences: tuple[Sentence, ...]


@dataclass(frozen=True)
class RecordResult:
    record_id: str
    notes: tuple[NoteResult, ...]
    dv_present: bool
    team: str | None = None
    worker: str | None = None
    gated: bool = field(default=False)  # True when flags were withheld because the record has no DV

    def sentence_rows(self, *, all_sentences: bool = False):
        """Yield CONTRACT section 3 objects, one per flagged sentence (or every sentence)."""
        for result in self.notes:
            for sent in result.sentences:
                if not sent.flags and not all_sentences:
                    continue
                yield {"record_id": self.record_id, "note_id": result.note.note_id,
                       "sentence_index": sent.index, "start": sent.start, "end": sent.end,
                       "sentence": sent.text, "labels": sent.labels,
                       "flags": [f.to_dict() for f in sent.flags]}


def majority(values: list[str | None]) -> str | None:
    """The most frequent value; ties go to the value seen first (the earliest note)."""
    present = [v for v in values if v]
    if not present:
        return None
    counts = Counter(present)
    best = max(counts.values())
    return next(v for v in present if counts[v] == best)
