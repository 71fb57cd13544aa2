"""``record_audit_lexicon``: spaCy's SpanRuler with an anchor index in front of its Matcher.

A token Matcher tries every pattern at every token, so its cost grows with the number of
patterns (about 1,000 in ``lexicons/``) even though most patterns need a word that a given
note never contains ("uncooperative", "volatile", "handsy"). This ruler keeps what SpanRuler
does (patterns, phrase matching, labels and ids, ``doc.spans``), but files each token pattern
under what a sentence must hold for it to match (``prefilter``) instead of in SpanRuler's
single Matcher: its *anchor*, the values one of its required tokens must have (``LOWER``,
``ORTH``/``TEXT``, ``NORM`` or ``LEMMA``, a string or an ``IN`` list), or, when no word
anchors it, a value of every one of its required tokens (roles included). A pattern is
tried only on the sentences that hold what it needs; a pattern that needs nothing is tried
on the whole doc. The result is the spans a plain SpanRuler finds within a sentence (a
match running across a sentence boundary is never a sound flag), found in less than half
the time (``tests/test_lexicon_index.py`` checks this on every lexicon example and sample
note). ``record_audit_syntax`` files its dependency rules the same way.
"""
from __future__ import annotations

import re
import warnings
from collections import defaultdict

import numpy as np
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline.span_ruler import SpanRuler
from spacy.tokens import Doc, Span

from .extensions import ROLE_ATTR

# token attribute → the Token attribute an anchor value is compared with
_ANCHOR_ATTRS = {"LOWER": "lower_", "ORTH": "orth_", "TEXT": "orth_", "NORM": "norm_", "LEMMA": "lemma_",
                 ROLE_ATTR: ROLE_ATTR.lower() + "_"}
_ARRAY_ATTRS = ["ORTH", "LOWER", "NORM", "LEMMA", ROLE_ATTR]
_COLUMNS = {"orth_": 0, "lower_": 1, "norm_": 2, "lemma_": 3, ROLE_ATTR.lower() + "_": 4}
_COLUMN_IDS = np.arange(len(_ARRAY_ATTRS), dtype=np.uint64)
# a role ("the sentence names him") anchors a pattern only when none of its words can:
# most sentences of a case note mention a party
FALLBACK_FIELDS = frozenset({ROLE_ATTR.lower() + "_"})
_OPTIONAL = re.compile(r"^\{\s*0?\s*,")  # {0,3} or {,3}


def _required(token: dict) -> bool:
    op = token.get("OP")
    if op is None or op in ("+", "1"):
        return True
    if op in ("?", "*", "!"):
        return False
    return isinstance(op, str) and op.startswith("{") and not _OPTIONAL.match(op) and op != "{0}"


def common_words(nlp: Language) -> frozenset[str]:
    """Words nearly every note holds (stop words and clitics): never an anchor on their own."""
    return frozenset(nlp.Defaults.stop_words) | {"'s", "’s", "&", "/", "-", "n't"}


def _choices(pattern: list[dict]) -> list[frozenset[tuple[str, str]]]:
    """Each required token's (attribute, value) choices, one set per named attribute."""
    out = []
    for token in pattern:
        if not _required(token):
            continue
        for attr, field in _ANCHOR_ATTRS.items():
            value = token.get(attr)
            if isinstance(value, str):
                out.append(frozenset({(field, value)}))
            elif isinstance(value, dict) and set(value) == {"IN"}:
                out.append(frozenset((field, v) for v in value["IN"]))
    return out


def anchors(pattern: list[dict], common: frozenset[str] = frozenset()) -> frozenset[tuple[str, str]] | None:
    """The most selective set of (attribute, value) one of which a matching span must contain.

    Selective means fewest ``common`` words (stop words, which nearly every note holds),
    then fewest values. None when no required token names its words, or when every
    choice holds a common word: such a pattern is always tried.
    """
    best, best_cost = None, None
    for choice in _choices(pattern):
        cost = (sum(v.lower() in common for _, v in choice), any(f in FALLBACK_FIELDS for f, _ in choice),
                len(choice))
        if best is None or cost < best_cost:
            best, best_cost = choice, cost
    if best is not None and best_cost[0]:
        return None
    return best


def prefilter(pattern: list[dict], common: frozenset[str] = frozenset()) -> tuple[frozenset, ...]:
    """What a sentence must hold for ``pattern`` to be tried there: one value of each set.

    The pattern's anchor when a word anchors it; otherwise (a role, or only common words)
    every required choice at once — "names him, names her, and says 'so' or 'which', and
    'take' or 'get'…" is rare even when each part is common. Empty: always tried.
    """
    anchor = anchors(pattern, common)
    if anchor is not None and not any(field in FALLBACK_FIELDS for field, _ in anchor):
        return (anchor,)
    return tuple(sorted(set(_choices(pattern)), key=lambda c: sorted(c)))


def _key(value_hash, column):
    """One integer for a (string hash, attribute) pair; a collision only makes a pattern be tried."""
    return (value_hash << np.uint64(3)) | np.uint64(column)


def anchor_hashes(anchor: frozenset[tuple[str, str]], strings) -> frozenset[int]:
    """An anchor as integer keys of its (attribute, value) pairs, comparable with ``held``'s."""
    return frozenset(int(_key(np.uint64(strings.add(value)), _COLUMNS[field])) for field, value in anchor)


def holds(conditions: tuple[frozenset[int], ...], values: set[int]) -> bool:
    """Whether ``values`` (from ``held``) hold one value of every condition set."""
    return all(not condition.isdisjoint(values) for condition in conditions)


class ConditionIndex:
    """Which of many condition tuples (``prefilter``'s, as ``anchor_hashes``) a set of keys holds.

    Testing every group against every sentence costs groups x sentences set operations; the
    index files each group under the keys of one of its condition sets, so a sentence is
    tested only against the groups one of its own keys names.
    """

    def __init__(self, conditions: list[tuple[frozenset[int], ...]]) -> None:
        self.conditions = conditions
        self.by_key: dict[int, list[int]] = defaultdict(list)
        for i, conds in enumerate(conditions):
            if conds:
                for key in min(conds, key=len):
                    self.by_key[key].append(i)
        self.keys = frozenset(self.by_key)

    def holding(self, values: set[int]) -> list[int]:
        """The indices (ascending) of the non-empty condition tuples ``values`` hold."""
        candidates = {i for key in self.keys.intersection(values) for i in self.by_key[key]}
        return sorted(i for i in candidates if holds(self.conditions[i], values))


def held(doc: Doc, spans=None) -> list[set[int]]:
    """The keys of every anchor attribute value of the tokens of each span (default: the doc).

    Read from the doc's arrays: building a Token object per token would cost more than the
    matching it saves.
    """
    keys = _key(doc.to_array(_ARRAY_ATTRS), _COLUMN_IDS)
    bounds = [(0, len(doc))] if spans is None else [(span.start, span.end) for span in spans]
    return [set(keys[start:end].ravel().tolist()) for start, end in bounds]


class AnchoredSpanRuler(SpanRuler):
    """A SpanRuler whose token patterns are tried only on the sentences that hold what they need."""

    def clear(self) -> None:
        super().clear()
        self._groups: dict[str, tuple[tuple[frozenset[int], ...], Matcher]] = {}
        self._indexed: tuple[list, ConditionIndex] | None = None  # self._groups' values and their index
        self._common = common_words(self.nlp)

    def add_patterns(self, patterns: list[dict]) -> None:
        """Phrase patterns go to SpanRuler's phrase matcher; token patterns only to the index.

        SpanRuler's own token Matcher is left empty: compiling the ~1,000 token patterns into
        it as well would cost about 0.7 s at every pipeline load for a matcher never run.
        """
        tokens = [e for e in patterns if isinstance(e["pattern"], list)]
        super().add_patterns([e for e in patterns if not isinstance(e["pattern"], list)])
        pending: dict[tuple[frozenset, ...], list[tuple[str, list[dict]]]] = defaultdict(list)
        for entry in tokens:
            key = repr((entry["label"], entry.get("id", "")))  # SpanRuler's key for a label and id
            self._match_label_id_map[self.nlp.vocab.strings.add(key)] = {"label": entry["label"],
                                                                         "id": entry.get("id", "")}
            self._patterns.append(entry)
            pending[prefilter(entry["pattern"], self._common)].append((key, entry["pattern"]))
        self._indexed = None
        for conditions, items in pending.items():
            name = repr([sorted(c) for c in conditions]) if conditions else "*"
            if name not in self._groups:
                hashes = tuple(anchor_hashes(c, self.nlp.vocab.strings) for c in conditions)
                self._groups[name] = (hashes, Matcher(self.nlp.vocab, validate=self.validate))
            for key, pattern in items:
                self._groups[name][1].add(key, [pattern])

    def match(self, doc: Doc):
        self._require_patterns()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="\\[W036")  # a phrase matcher without patterns
            matches: list[tuple[int, int, int]] = list(self.phrase_matcher(doc))
        # an anchored pattern is tried only on the sentences that hold its anchor: flags
        # never cross a sentence, and a note's other sentences need not be scanned
        sents = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
        words = held(doc, sents)
        # the Matcher checks the doc's tags, lemmas and parse at every call (a scan of the whole
        # doc each time); the checks are made once here, and only skipped when they pass
        allow_missing = all(doc.has_annotation(attr) for attr in ("TAG", "POS", "LEMMA", "DEP"))
        if self._indexed is None:
            groups = list(self._groups.values())
            self._indexed = groups, ConditionIndex([conditions for conditions, _ in groups])
        groups, index = self._indexed
        for conditions, matcher in groups:
            if not conditions:
                matches.extend(matcher(doc, allow_missing=allow_missing))
        for sent, values in zip(sents, words):
            for g in index.holding(values):
                matches.extend((m, sent.start + a, sent.start + b)
                               for m, a, b in groups[g][1](sent, allow_missing=allow_missing))
        spans = {Span(doc, start, end, label=self._match_label_id_map[m_id]["label"],
                      span_id=self._match_label_id_map[m_id]["id"])
                 for m_id, start, end in matches if start != end}
        return sorted(spans)


@Language.factory("record_audit_anchored_ruler", default_config={
    "spans_key": "ruler", "overwrite": False, "phrase_matcher_attr": "LOWER", "validate": True})
def make_anchored_ruler(nlp: Language, name: str, spans_key: str, overwrite: bool, phrase_matcher_attr: str,
                        validate: bool) -> AnchoredSpanRuler:
    return AnchoredSpanRuler(nlp, name, spans_key=spans_key, overwrite=overwrite,
                             phrase_matcher_attr=phrase_matcher_attr, validate=validate)
