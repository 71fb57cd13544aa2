"""``record_audit_obligations``: obligation clauses and whose they are, for ``onus_ratio``.

A span per obligation clause and role in ``doc.spans['audit_obligations']`` (label =
``survivor`` or ``perpetrator``); a shared subject ("the parents", "MO and FA") gives
one span per role. ConText marks them like flags, so only counted clauses count.
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..rules import ObligationEntry
from .extensions import OBLIGATIONS_KEY, register_extensions
from .syntax import DependencyRules

_ROLES = ("survivor", "perpetrator")


class ObligationFinder:
    def __init__(self, nlp: Language, name: str, *, spans_key: str = OBLIGATIONS_KEY) -> None:
        register_extensions()
        self.name, self.spans_key = name, spans_key
        self.rules = DependencyRules(nlp.vocab)
        self.shared: set[str] = set()

    def add(self, entries: list[ObligationEntry], shared_subjects=()) -> None:
        for entry in entries:
            self.rules.add(entry)
        self.shared.update(s.lower() for s in shared_subjects)

    def roles_of(self, subject) -> set[str]:
        """Roles a subject stands for: its own, its conjuncts', or both for "the parents"."""
        tokens = [subject, *subject.conjuncts]
        roles = {t._.role for t in tokens} & set(_ROLES)
        if subject.lower_ in self.shared or " ".join(t.lower_ for t in subject.subtree) in self.shared:
            roles.update(_ROLES)
        return roles

    def __call__(self, doc: Doc) -> Doc:
        spans, seen = [], set()
        for _entry, nodes in self.rules.matches(doc):
            subject = nodes["subject"]
            anchor = nodes.get("verb", subject)
            start, end = min(subject.i, anchor.i), max(subject.i, anchor.i) + 1
            for role in sorted(self.roles_of(subject)):
                if (start, end, role) not in seen:
                    seen.add((start, end, role))
                    spans.append(Span(doc, start, end, label=role))
        doc.spans[self.spans_key] = spans
        return doc


@Language.factory("record_audit_obligations", assigns=["doc.spans"],
                  default_config={"spans_key": OBLIGATIONS_KEY})
def make_obligation_finder(nlp: Language, name: str, spans_key: str) -> ObligationFinder:
    return ObligationFinder(nlp, name, spans_key=spans_key)
