"""``record_audit_classifier``: a scikit-learn sentence model beside the rules.

Fusion policy (documented in the README and the model card): rule flags always stay;
for each sentence and label, the classifier adds a flag (source ``classifier``, the
whole sentence as span, its calibrated probability as ``score``) when its probability
reaches the label's tuned threshold and no rule already flagged that label in the
sentence. ConText then tags classifier flags like any other (anchored on the sentence's
last verb, see ``context.py``).

The features are computed here, from the Doc, both for training and at run time:
role-normalized words, characters, and parse features (roles of subjects and objects,
passive voice, negation, modals, obligation clauses, rule hits, word lists).
"""
from __future__ import annotations

from collections.abc import Iterable

from spacy.language import Language
from spacy.tokens import Doc, Span

from .extensions import (DV_KEY, FACTORS_KEY, FLAGS_KEY, OBLIGATIONS_KEY, REMOVAL_KEY,
                         register_extensions)

class _DigitsToZero(dict):
    """A ``str.translate`` table sending every digit (``str.isdigit``) to "0", filled as met."""

    def __missing__(self, code: int) -> int:
        self[code] = value = 48 if chr(code).isdigit() else code
        return value


_DIGITS_TO_ZERO = _DigitsToZero()

_MODALS = {"must", "will", "shall", "should", "need", "needs", "required", "agreed", "expected", "'ll"}


def normalized_text(sent: Span) -> str:
    """Lower-cased words with role mentions replaced by their role and digits by 0.

    "BM failed to protect" and "Ms. Okafor failed to protect" both read
    "_survivor_ failed to protect", so the model learns framing, not names.
    """
    # Token._.role, read natively (extensions.ROLE_ATTR)
    return role_normalized((token.lower_, token.ent_id_) for token in sent if not token.is_space)


def role_normalized(tokens: Iterable[tuple[str, str | None]]) -> str:
    """Lower-cased words with each run of one role's mention written once as ``_role_``, digits 0.

    ``tokens`` are (lower-case word, role or None) pairs, spaces left out: from a parsed sentence
    (``normalized_text``) or from a stored one (``pipeline.stored``).
    """
    words: list[str] = []
    last_role = None
    for lower, role in tokens:
        if role:
            if role != last_role:
                words.append(f"_{role}_")
            last_role = role
            continue
        last_role = None
        words.append(lower)
    return " ".join(words).translate(_DIGITS_TO_ZERO)


def sentence_features(sent: Span, flags: Iterable[Span] = ()) -> dict[str, float]:
    """Parse features of one sentence; ``flags`` are the rule flags inside it."""
    feats: dict[str, float] = {}
    passive = has_agent = False
    for token in sent:
        role, dep = token._.role, token.dep_
        if role:
            feats[f"role={role}"] = 1.0
        if dep in ("nsubj", "nsubjpass") and role:
            feats[f"subj={role}"] = 1.0
            feats[f"subj={role}|{token.head.lemma_}"] = 1.0
        if dep in ("dobj", "pobj", "dative") and role:
            feats[f"obj={role}"] = 1.0
            feats[f"obj={role}|{token.head.lemma_}"] = 1.0
        if dep in ("nsubjpass", "auxpass"):
            passive = True
        if dep == "agent":
            has_agent = True
        if dep == "neg":
            feats["neg"] = 1.0
        if token.lower_ in _MODALS:
            feats[f"modal={token.lower_}"] = 1.0
    if passive:
        feats["passive"] = 1.0
        if not has_agent:
            feats["agentless_passive"] = 1.0
    for span in flags:
        feats[f"rule={span.label_}"] = 1.0
        feats[f"rule_source={span._.source}"] = 1.0
    doc = sent.doc
    for key, name in ((DV_KEY, "dv_term"), (FACTORS_KEY, "factor"), (REMOVAL_KEY, "removal_term")):
        if any(sent.start <= s.start and s.end <= sent.end for s in doc.spans.get(key, [])):
            feats[name] = 1.0
    for s in doc.spans.get(OBLIGATIONS_KEY, []):
        if sent.start <= s.start and s.end <= sent.end:
            feats[f"obligation={s.label_}"] = 1.0
    return feats


def sentence_rows(doc: Doc, sents: Iterable[Span] | None = None, *, parse_features: bool = True) -> list[dict]:
    """The classifier's input rows (text, norm_text, feats) for sentences of a Doc.

    ``parse_features=False`` leaves ``feats`` empty, for a model that does not read them
    (the ``words`` design): they are the costliest column to compute.
    """
    rule_flags = [s for s in doc.spans.get(FLAGS_KEY, []) if s._.source != "classifier"] if parse_features else []
    rows = []
    for sent in (sents if sents is not None else doc.sents):
        feats = {}
        if parse_features:
            feats = sentence_features(sent, [f for f in rule_flags if sent.start <= f.start and f.end <= sent.end])
        rows.append({"text": sent.text, "norm_text": normalized_text(sent), "feats": feats})
    return rows


class ClassifierFlagger:
    """Add classifier flags by the fusion policy; a no-op until a model is set."""

    def __init__(self, nlp: Language, name: str, *, spans_key: str = FLAGS_KEY) -> None:
        register_extensions()
        self.name, self.spans_key = name, spans_key
        self.model = None  # a record_audit.model.sentence_model.SentenceModel

    def set_model(self, model) -> None:
        self.model = model

    def __call__(self, doc: Doc) -> Doc:
        return next(iter(self.pipe([doc])))

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterable[Doc]:
        """Score the sentences of a batch of docs in one call (scikit-learn's per-call cost is high)."""
        if self.model is None:
            yield from docs
            return
        batch: list[Doc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._flag_batch(batch)
                batch = []
        if batch:
            yield from self._flag_batch(batch)

    def _flag_batch(self, docs: list[Doc]) -> list[Doc]:
        sents_by_doc = [[s for s in doc.sents if any(not t.is_space for t in s)] for doc in docs]
        parse_features = "feats" in self.model.columns
        rows = [row for doc, sents in zip(docs, sents_by_doc) if sents
                for row in sentence_rows(doc, sents, parse_features=parse_features)]
        probabilities = iter(self.model.flagging_probabilities(rows)) if rows else iter(())
        for doc, sents in zip(docs, sents_by_doc):
            if sents:
                self._add_flags(doc, sents, [next(probabilities) for _ in sents])
        return docs

    def _add_flags(self, doc: Doc, sents: list[Span], probabilities) -> None:
        existing = list(doc.spans.get(self.spans_key, []))
        added = []
        for sent, probs in zip(sents, probabilities):
            ruled = {f.label_ for f in existing if sent.start <= f.start and f.end <= sent.end}
            for label, p in zip(self.model.labels, probs):
                if p >= self.model.thresholds[label] and label not in ruled:
                    start, end = sent.start, sent.end
                    while end - start > 1 and doc[end - 1].is_space:
                        end -= 1
                    while end - start > 1 and doc[start].is_space:
                        start += 1
                    span = Span(doc, start, end, label=label, span_id=f"classifier_{label}")
                    added.append((span, float(p)))
        if added:
            doc.spans[self.spans_key] = [*existing, *(s for s, _ in added)]
            for span, p in added:
                span._.source = "classifier"
                span._.rule_id = span.id_
                span._.score = p
                span._.explanation = self.model.explanations.get(span.label_)
                span._.rewrite = self.model.rewrites.get(span.label_)


@Language.factory("record_audit_classifier", assigns=["doc.spans"], default_config={"spans_key": FLAGS_KEY})
def make_classifier_flagger(nlp: Language, name: str, spans_key: str) -> ClassifierFlagger:
    return ClassifierFlagger(nlp, name, spans_key=spans_key)
