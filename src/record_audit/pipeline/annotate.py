"""Run the spaCy pipeline over notes and turn each Doc into frozen results."""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from ..results import Cue, Flag, NoteResult, RoleMention, Sentence
from ..io import Note, Parties
from .extensions import DV_KEY, FACTORS_KEY, FLAGS_KEY, OBLIGATIONS_KEY, REMOVAL_KEY, ROLES_KEY


def _cues(doc: Doc, key: str, start: int, end: int) -> tuple[Cue, ...]:
    return tuple(Cue(s.label_, s.start_char, s.end_char, s._.context)
                 for s in doc.spans.get(key, []) if start <= s.start_char and s.end_char <= end)


def doc_to_result(doc: Doc, note: Note) -> NoteResult:
    """Collect a Doc's flags by sentence; offsets are ``str`` indices into ``note.text``."""
    sentences = []
    flags = sorted(doc.spans.get(FLAGS_KEY, []), key=lambda s: (s.start_char, s.end_char, s.label_))
    roles = list(doc.spans.get(ROLES_KEY, []))
    index = 0
    for sent in doc.sents:
        tokens = [t for t in sent if not t.is_space]
        if not tokens:
            continue
        start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1])
        sent_flags = tuple(
            Flag(label=s.label_, start=s.start_char, end=s.end_char, text=s.text,
                 source=s._.source or "lexicon", rule_id=s._.rule_id or s.id_ or None,
                 score=float(s._.score if s._.score is not None else 1.0), context=s._.context,
                 counted=bool(s._.counted), explanation=s._.explanation, rewrite=s._.rewrite)
            for s in flags if start <= s.start_char and s.end_char <= end
        )
        sent_roles = tuple(RoleMention(r.start_char, r.end_char, r.label_)
                           for r in roles if start <= r.start_char and r.end_char <= end)
        subjects = tuple(dict.fromkeys(t._.role for t in sent
                                       if t.dep_ in ("nsubj", "nsubjpass") and t._.role))
        sentences.append(Sentence(
            index=index, start=start, end=end, text=doc.text[start:end], flags=sent_flags,
            roles=sent_roles, subject_roles=subjects,
            obligations=_cues(doc, OBLIGATIONS_KEY, start, end), dv_terms=_cues(doc, DV_KEY, start, end),
            factors=_cues(doc, FACTORS_KEY, start, end), removal_terms=_cues(doc, REMOVAL_KEY, start, end)))
        index += 1
    return NoteResult(note=note, sentences=tuple(sentences))


def annotate_notes(nlp: Language, notes: Iterable[Note], *, parties: Parties | None = None,
                   batch_size: int = 64) -> Iterator[NoteResult]:
    """Stream notes through ``nlp``; each record's declared parties go on its Docs."""
    def docs() -> Iterator[tuple[Doc, Note]]:
        for note in notes:
            doc = nlp.make_doc(note.text)
            doc._.record_id = note.record_id
            if parties:
                doc._.parties = parties.for_record(note.record_id) or None
            yield doc, note

    for doc, note in nlp.pipe(docs(), as_tuples=True, batch_size=batch_size):
        yield doc_to_result(doc, note)
