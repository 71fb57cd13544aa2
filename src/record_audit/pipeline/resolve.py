"""``record_audit_flags``: resolve the rule flags: source, explanation and rewrite, overlaps.

Runs after the lexicon and the syntax rules. Every rule flag gets its rule's source,
explanation and rewrite; where rules of the same label overlap in one sentence, the
longest span stays, so a reviewer sees one flag per cue, not one per pattern variant.
"""
from __future__ import annotations

from collections.abc import Iterable

import srsly
from spacy import util
from spacy.language import Language
from spacy.tokens import Doc, Span

from ..rules import LexiconEntry, SyntaxEntry
from .extensions import FLAGS_KEY, register_extensions

SOURCE_PRIORITY = {"syntax": 0, "lexicon": 1, "classifier": 2}


class FlagResolver:
    def __init__(self, nlp: Language, name: str, *, spans_key: str = FLAGS_KEY) -> None:
        register_extensions()
        self.name, self.spans_key = name, spans_key
        self.catalog: dict[str, dict] = {}

    def add(self, entries: Iterable[LexiconEntry | SyntaxEntry]) -> None:
        for e in entries:
            source = "syntax" if isinstance(e, SyntaxEntry) else "lexicon"
            self.catalog[e.id] = {"label": e.label, "source": source,
                                  "explanation": e.explanation, "rewrite": e.rewrite}

    def __call__(self, doc: Doc) -> Doc:
        spans = list(doc.spans.get(self.spans_key, []))
        for span in spans:
            meta = self.catalog.get(span.id_)
            if meta is not None:
                span._.rule_id = span.id_
                span._.source = meta["source"]
                span._.explanation = meta["explanation"]
                span._.rewrite = meta["rewrite"]
                span._.score = 1.0
            elif span._.rule_id is None:
                span._.rule_id = span.id_ or None
        doc.spans[self.spans_key] = self._dedupe(spans)
        return doc

    @staticmethod
    def _dedupe(spans: list[Span]) -> list[Span]:
        """Keep, per label, the longest of overlapping rule spans (syntax before lexicon on ties)."""
        ordered = sorted(spans, key=lambda s: (-(s.end - s.start),
                                              SOURCE_PRIORITY.get(s._.source, 3), s.start))
        kept: list[Span] = []
        taken: dict[str, list[tuple[int, int]]] = {}
        for span in ordered:
            if span._.source == "classifier":
                kept.append(span)
                continue
            ranges = taken.setdefault(span.label_, [])
            if any(span.start < e and s < span.end for s, e in ranges):
                continue
            ranges.append((span.start, span.end))
            kept.append(span)
        return sorted(kept, key=lambda s: (s.start, s.end, s.label_))

    def to_disk(self, path, *, exclude=()) -> None:
        util.to_disk(path, {"catalog": lambda p: srsly.write_json(p.with_suffix(".json"), self.catalog)},
                     exclude)

    def from_disk(self, path, *, exclude=()) -> "FlagResolver":
        def load(p):
            self.catalog = dict(srsly.read_json(p.with_suffix(".json")))
        util.from_disk(path, {"catalog": load}, exclude)
        return self


@Language.factory("record_audit_flags", assigns=["doc.spans"], default_config={"spans_key": FLAGS_KEY})
def make_flag_resolver(nlp: Language, name: str, spans_key: str) -> FlagResolver:
    return FlagResolver(nlp, name, spans_key=spans_key)
