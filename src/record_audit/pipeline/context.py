"""``record_audit_context``: the ConText algorithm (Harkema et al., 2009) for flags.

Cue phrases from ``rules/context.yaml`` carry a category (``negated``, ``reported``,
``hypothetical``, ``historical``; ``terminate`` and ``pseudo`` are control cues) and a
direction. A cue's scope runs from the cue in its direction to the end of the sentence,
stopped early by a terminator cue or ``max_scope`` tokens. Pseudo-cues ("not only",
"no change in") block the cues they contain. A flag in a cue's scope gets its category
as ``span._.context``; negated, reported and hypothetical flags are kept for the
reviewer but ``span._.counted`` is False. Context comes from words outside a cue: a cue
inside the flag itself ("father was *not* contacted") is ignored. As in medspaCy's
ConText, written in its spirit for spaCy 3.8.
"""
from __future__ import annotations

from dataclasses import dataclass

import srsly
from spacy import util
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span

from .. import taxonomy
from ..rules import ContextEntry, Examples
from .extensions import CONTEXT_KEYS, FLAGS_KEY, register_extensions

# when several cues reach a flag, a cue that makes it uncounted outranks `historical`
_RANK = {"negated": 0, "hypothetical": 0, "reported": 0, "historical": 1}


@dataclass(frozen=True)
class Cue:
    start: int
    end: int
    entry: ContextEntry


class ContextTagger:
    def __init__(self, nlp: Language, name: str, *, spans_keys: list[str] | None = None) -> None:
        register_extensions()
        self.name, self.vocab = name, nlp.vocab
        self.spans_keys = list(spans_keys or CONTEXT_KEYS)
        self.entries: dict[str, ContextEntry] = {}
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.matcher = Matcher(nlp.vocab, validate=True)
        self._tokenizer = nlp.tokenizer

    def add(self, entry: ContextEntry) -> None:
        self.entries[entry.id] = entry
        phrases = [self._tokenizer(p) for p in entry.patterns if isinstance(p, str)]
        tokens = [list(p) for p in entry.patterns if not isinstance(p, str)]
        if phrases:
            self.phrases.add(entry.id, phrases)
        if tokens:
            self.matcher.add(entry.id, tokens)

    def find_cues(self, doc: Doc) -> list[Cue]:
        """Return the cues of a doc, pseudo-cues removed along with the cues they cover."""
        cues = []
        for match_id, start, end in [*self.phrases(doc), *self.matcher(doc)]:
            entry = self.entries[self.vocab.strings[match_id]]
            if entry.exclude_subject_roles and self._subject_role(doc, start, end) in entry.exclude_subject_roles:
                continue
            cues.append(Cue(start, end, entry))
        pseudo = [c for c in cues if c.entry.category == "pseudo"]
        if pseudo:
            cues = [c for c in cues if c.entry.category == "pseudo"
                    or not any(p.start <= c.start and c.end <= p.end for p in pseudo)]
        return [c for c in cues if c.entry.category != "pseudo"]

    @staticmethod
    def _subject_role(doc: Doc, start: int, end: int) -> str | None:
        for token in doc[start:end]:
            verb = token if token.pos_ in ("VERB", "AUX") else token.head
            for child in verb.children:
                if child.dep_ in ("nsubj", "nsubjpass"):
                    return child._.role
        return None

    def __call__(self, doc: Doc) -> Doc:
        targets = [s for key in self.spans_keys for s in doc.spans.get(key, [])]
        if not targets:
            return doc
        cues = self.find_cues(doc)
        if not cues:
            for span in targets:
                span._.context, span._.counted = None, True
            return doc
        by_sent: dict[int, list[Cue]] = {}
        for cue in cues:
            by_sent.setdefault(doc[cue.start].sent.start, []).append(cue)
        rule_flags = [s for s in doc.spans.get(FLAGS_KEY, []) if s._.source != "classifier"]
        for span in targets:
            sent_cues = by_sent.get(doc[span.start].sent.start, [])
            if span._.source == "classifier":
                context, cue_id = self.sentence_context(span, sent_cues, rule_flags)
            else:
                context, cue_id = self.context_of(span, sent_cues)
            span._.context = context
            span._.context_cue = cue_id
            span._.counted = taxonomy.is_counted(context)
        return doc

    @staticmethod
    def context_of(span: Span, cues: list[Cue]) -> tuple[str | None, str | None]:
        """Return (context, cue rule id) for a target span given its sentence's cues."""
        terminators = [c for c in cues if c.entry.category == "terminate"]
        best: tuple[int, int, Cue] | None = None
        for cue in cues:
            entry = cue.entry
            if entry.category not in _RANK:
                continue
            if cue.start < span.end and span.start < cue.end:
                continue  # the cue is part of the flag's own wording
            if cue.end <= span.start and entry.direction in ("forward", "bidirectional"):
                gap = (cue.end, span.start)
            elif cue.start >= span.end and entry.direction in ("backward", "bidirectional"):
                gap = (span.end, cue.start)
            else:
                continue
            distance = gap[1] - gap[0]
            if entry.max_scope is not None and distance > entry.max_scope:
                continue
            if any(gap[0] <= t.start and t.end <= gap[1] for t in terminators):
                continue
            rank = (_RANK[entry.category], distance)
            if best is None or rank < best[:2]:
                best = (*rank, cue)
        if best is None:
            return None, None
        return best[2].entry.category, best[2].entry.id

    @classmethod
    def sentence_context(cls, span: Span, cues: list[Cue], rule_flags: list[Span]) -> tuple[str | None, str | None]:
        """Context of a sentence-wide (classifier) flag, anchored on its last verb.

        The last verb is the innermost clause's in "Father stated that she put him first"
        and "There are no concerns that she put him first". Cues that are part of a rule
        flag's own wording are ignored, as for rule flags; a speech or conditional cue on
        the anchor itself governs the whole sentence. Local cues (``sentence_wide: false``:
        a plain "not", a modal, an "if" inside a clause) are ignored too: the model read
        the whole sentence, and in "he calls her if she stops anywhere he did not approve"
        they belong to what it flagged, not to a frame around it.
        """
        verbs = [t for t in span if t.pos_ == "VERB"]
        root = verbs[-1] if verbs else span.sent.root
        anchor = span.doc[root.i:root.i + 1]
        free = [c for c in cues if c.entry.sentence_wide
                and not any(c.start < f.end and f.start < c.end for f in rule_flags)]
        context, cue_id = cls.context_of(anchor, free)
        if context is None:
            on_root = [c for c in free if c.start <= root.i < c.end
                       and c.entry.category in ("reported", "hypothetical")]
            if on_root:
                return on_root[0].entry.category, on_root[0].entry.id
        return context, cue_id

    def to_disk(self, path, *, exclude=()) -> None:
        rows = [{"id": e.id, "category": e.category, "direction": e.direction,
                 "patterns": list(e.patterns), "max_scope": e.max_scope,
                 "exclude_subject_roles": list(e.exclude_subject_roles), "sentence_wide": e.sentence_wide}
                for e in self.entries.values()]
        util.to_disk(path, {"entries": lambda p: srsly.write_jsonl(p.with_suffix(".jsonl"), rows)}, exclude)

    def from_disk(self, path, *, exclude=()) -> "ContextTagger":
        self.entries.clear()
        self.phrases = PhraseMatcher(self.vocab, attr="LOWER")
        self.matcher = Matcher(self.vocab, validate=True)

        def load(p):
            for r in srsly.read_jsonl(p.with_suffix(".jsonl")):
                self.add(ContextEntry(id=r["id"], category=r["category"], direction=r["direction"],
                                      patterns=tuple(r["patterns"]), examples=Examples(),
                                      max_scope=r["max_scope"],
                                      exclude_subject_roles=tuple(r["exclude_subject_roles"]),
                                      sentence_wide=r.get("sentence_wide", True)))

        util.from_disk(path, {"entries": load}, exclude)
        return self


@Language.factory("record_audit_context", assigns=["doc.spans"],
                  default_config={"spans_keys": CONTEXT_KEYS})
def make_context_tagger(nlp: Language, name: str, spans_keys: list[str]) -> ContextTagger:
    return ContextTagger(nlp, name, spans_keys=spans_keys)
