"""DV scope (TAXONOMY): does a record describe domestic violence, and the gate that follows.

A record is audited for survivor-blaming language only when its notes, taken together,
show DV; otherwise its flags are withheld (``--assume-dv`` treats every record as a DV
record). The decision needs all of a record's notes, so engines apply ``gate_record``
once a record's last note has been through the pipeline.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from . import taxonomy
from .results import NoteResult, RecordResult, Sentence, majority

# a DV term says DV is present unless negated or hypothetical; reported DV is still DV
DV_TERM_DISCOUNTED = frozenset({"negated", "hypothetical"})

# A record shows DV by a DV term, or by counted cues of DV-only labels in this many sentences:
# one stray cue ("when he feels overwhelmed" about a child) must not pull a school or
# housing case into a DV audit.
DV_CUE_SENTENCES = 2


def dv_evidence(result: NoteResult) -> list[tuple[Sentence, str, int, int]]:
    """The (sentence, label or term id, start, end) that show a note describes DV."""
    found = []
    for sent in result.sentences:
        found.extend((sent, t.kind, t.start, t.end) for t in sent.dv_terms
                     if t.context not in DV_TERM_DISCOUNTED)
        found.extend((sent, f.label, f.start, f.end) for f in sent.flags
                     if f.counted and f.label in taxonomy.DV_ONLY_LABELS)
    return found


def record_shows_dv(results: Iterable[NoteResult]) -> bool:
    """The record-level DV decision (TAXONOMY ``dv_present``) over all of a record's notes."""
    cue_sentences = set()
    for result in results:
        for sent, kind, _, _ in dv_evidence(result):
            if kind not in taxonomy.DV_ONLY_LABELS:
                return True  # a DV term
            cue_sentences.add((result.note.note_id, sent.index))
    return len(cue_sentences) >= DV_CUE_SENTENCES


def gate_record(record_id: str, results: list[NoteResult], *, assume_dv: bool) -> RecordResult:
    """Make one record's result from its notes' results, withholding its flags when it shows no DV.

    ``gated`` tells a record whose flags were withheld from one that had none.
    """
    dv_present = record_shows_dv(results)
    notes = tuple(results)
    gated = False
    if not dv_present and not assume_dv:
        gated = any(s.flags for r in results for s in r.sentences)
        notes = tuple(replace(r, sentences=tuple(replace(s, flags=()) for s in r.sentences))
                      for r in results)
    return RecordResult(
        record_id=record_id, notes=notes, dv_present=dv_present or assume_dv,
        team=majority([r.note.team for r in results]),
        worker=majority([r.note.author for r in results]), gated=gated)
