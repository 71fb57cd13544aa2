"""Run the spaCy pipeline over notes and turn each Doc into frozen results.

A note longer than ``pieces.PIECE_CHARS`` (or the model's ``max_length``, if lower) is
annotated piece by piece, cut at paragraph or sentence boundaries; its sentences, flags,
roles and cues keep offsets into the whole note, and sentence indices run on across the
pieces. Only one piece's Doc is alive at a time, so memory does not grow with the note.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import groupby

from spacy.language import Language
from spacy.tokens import Doc

from ..results import Cue, Flag, NoteResult, RoleMention, Sentence
from ..io import Note, Parties
from .extensions import DV_KEY, FACTORS_KEY, FLAGS_KEY, OBLIGATIONS_KEY, REMOVAL_KEY, ROLES_KEY
from .pieces import PIECE_CHARS, piece_spans


def _cues(doc: Doc, key: str, start: int, end: int, offset: int = 0) -> tuple[Cue, ...]:
    return tuple(Cue(s.label_, s.start_char + offset, s.end_char + offset, s._.context)
                 for s in doc.spans.get(key, []) if start <= s.start_char and s.end_char <= end)


def doc_to_result(doc: Doc, note: Note, *, offset: int = 0, first_index: int = 0) -> NoteResult:
    """Collect a Doc's flags by sentence; offsets are ``str`` indices into ``note.text``.

    For a piece of a long note, ``doc`` holds ``note.text[offset:...]`` and its sentences
    are numbered from ``first_index``.
    """
    sentences = []
    text = doc.text  # built from every token on each access: once per doc, not once per sentence
    flags = sorted(doc.spans.get(FLAGS_KEY, []), key=lambda s: (s.start_char, s.end_char, s.label_))
    roles = list(doc.spans.get(ROLES_KEY, []))
    index = first_index
    for sent in doc.sents:
        tokens = [t for t in sent if not t.is_space]
        if not tokens:
            continue
        start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
        sent_flags = tuple(
            Flag(label=s.label_, start=s.start_char + offset, end=s.end_char + offset, text=s.text,
                 source=s._.source or "lexicon", rule_id=s._.rule_id or s.id_ or None,
                 score=float(s._.score if s._.score is not None else 1.0), context=s._.context,
                 counted=bool(s._.counted), explanation=s._.explanation, rewrite=s._.rewrite)
            for s in flags if start <= s.start_char and s.end_char <= end
        )
        sent_roles = tuple(RoleMention(r.start_char + offset, r.end_char + offset, r.label_)
                           for r in roles if start <= r.start_char and r.end_char <= end)
        subjects = tuple(dict.fromkeys(t._.role for t in sent
                                       if t.dep_ in ("nsubj", "nsubjpass") and t._.role))
        sentences.append(Sentence(
            index=index, start=start + offset, end=end + offset, text=text[start:end], flags=sent_flags,
            roles=sent_roles, subject_roles=subjects,
            obligations=_cues(doc, OBLIGATIONS_KEY, start, end, offset),
            dv_terms=_cues(doc, DV_KEY, start, end, offset),
            factors=_cues(doc, FACTORS_KEY, start, end, offset),
            removal_terms=_cues(doc, REMOVAL_KEY, start, end, offset)))
        index += 1
    return NoteResult(note=note, sentences=tuple(sentences))


def piece_limit(nlp: Language) -> int:
    """The longest text annotated as one Doc: ``PIECE_CHARS``, or the model's ``max_length`` if lower."""
    return max(1, min(PIECE_CHARS, nlp.max_length))


def _make_doc(nlp: Language, text: str, note: Note, parties: dict | None) -> Doc:
    doc = nlp.make_doc(text)
    doc._.record_id = note.record_id
    doc._.parties = parties
    _blank_lines_start_sentences(doc)
    return doc


def _blank_lines_start_sentences(doc: Doc) -> None:
    """A word after a blank line starts a sentence (the parser keeps boundaries set before it runs).

    Without this the parser often runs a heading on into the paragraph under it ("Analysis
    Mother failed to protect ..."), as in every .docx (paragraphs are separated by a blank
    line) and in notes pasted with headings. No note of the bundled or corpus data has one.
    """
    for prev, token in zip(doc, doc[1:]):
        if prev.is_space and prev.text.count("\n") >= 2 and not token.is_space:
            token.is_sent_start = True


def annotate_in_pieces(nlp: Language, note: Note, parties: dict | None = None, *,
                       limit: int | None = None) -> NoteResult:
    """Annotate one note of any length, piece by piece (``pieces.piece_spans``).

    Offsets are ``str`` indices into ``note.text``; sentence indices continue across
    pieces. Context that spans pieces is lost at a cut (a name introduced in one piece is
    not known in the next unless the record's parties carry it), which is why cuts go at
    paragraph breaks first.
    """
    sentences: list[Sentence] = []
    for start, end in piece_spans(note.text, limit or piece_limit(nlp)):
        doc = nlp(_make_doc(nlp, note.text[start:end], note, parties))
        sentences.extend(doc_to_result(doc, note, offset=start, first_index=len(sentences)).sentences)
        del doc
    return NoteResult(note=note, sentences=tuple(sentences))


def pipe_notes(nlp: Language, notes: Iterable[tuple[Note, dict | None]], *,
               batch_size: int | None = None) -> Iterator[NoteResult]:
    """Annotate ``(note, parties)`` pairs, yielding results in input order.

    Notes within the limit stream through ``nlp.pipe`` in batches as they always did; a
    longer note is annotated on its own, in pieces, between them.
    """
    limit = piece_limit(nlp)
    for is_long, run in groupby(notes, key=lambda pair: len(pair[0].text) > limit):
        if is_long:
            for note, parties in run:
                yield annotate_in_pieces(nlp, note, parties, limit=limit)
            continue
        docs = ((_make_doc(nlp, note.text, note, parties), note) for note, parties in run)
        for doc, note in nlp.pipe(docs, as_tuples=True, batch_size=batch_size):
            yield doc_to_result(doc, note)


def annotate_notes(nlp: Language, notes: Iterable[Note], *, parties: Parties | None = None,
                   batch_size: int = 64) -> Iterator[NoteResult]:
    """Stream notes through ``nlp``; each record's declared parties go on its Docs."""
    pairs = ((note, parties.for_record(note.record_id) or None if parties else None) for note in notes)
    yield from pipe_notes(nlp, pairs, batch_size=batch_size)
