"""Frozen results the pipeline hands to every later layer (no spaCy objects)."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
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


# a DV term says DV is present unless negated or hypothetical; reported DV is still DV
DV_TERM_DISCOUNTED = frozenset({"negated", "hypothetical"})


@dataclass(frozen=True)
class NoteResult:
    note: Note
    sentences: tuple[Sentence, ...]

    def dv_evidence(self) -> list[tuple[Sentence, str, int, int]]:
        """The (sentence, label or term id, start, end) that show this note describes DV."""
        found = []
        for sent in self.sentences:
            found.extend((sent, t.kind, t.start, t.end) for t in sent.dv_terms
                         if t.context not in DV_TERM_DISCOUNTED)
            found.extend((sent, f.label, f.start, f.end) for f in sent.flags
                         if f.counted and f.label in taxonomy.DV_ONLY_LABELS)
        return found


# A record shows DV by a DV term, or by counted cues of DV-only labels in this many sentences:
# one stray cue ("when he feels overwhelmed" about a child) must not pull a school or
# housing case into a DV audit.
DV_CUE_SENTENCES = 2


def record_shows_dv(results: Iterable["NoteResult"]) -> bool:
    """The record-level DV decision (TAXONOMY ``dv_present``) over all of a record's notes."""
    cue_sentences = set()
    for result in results:
        for sent, kind, _, _ in result.dv_evidence():
            if kind not in taxonomy.DV_ONLY_LABELS:
                return True  # a DV term
            cue_sentences.add((result.note.note_id, sent.index))
    return len(cue_sentences) >= DV_CUE_SENTENCES


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
