"""The lexicon's anchor index finds what a plain SpanRuler finds within a sentence, only faster."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from record_audit.pipeline import FLAGS_KEY
from record_audit.pipeline.lexicon import anchors

ROOT = Path(__file__).resolve().parents[1]


def test_anchors_come_from_required_tokens_only():
    assert anchors([{"LOWER": "failed"}, {"LOWER": "to"}, {"LEMMA": {"IN": ["protect", "safeguard"]}}]) == {
        ("lower_", "failed")}
    assert anchors([{"LOWER": "just", "OP": "?"}, {"LEMMA": {"IN": ["push", "shove"]}}]) == {
        ("lemma_", "push"), ("lemma_", "shove")}
    assert anchors([{"_": {"role": "survivor"}, "OP": "+"}, {"IS_PUNCT": False, "OP": "{0,3}"},
                    {"LOWER": {"IN": ["claims", "alleges"]}}]) == {("lower_", "claims"), ("lower_", "alleges")}
    assert anchors([{"LOWER": "no", "OP": "!"}, {"_": {"role": "perpetrator"}}]) is None
    # a choice holding a common word is passed over for a selective one, or none at all
    assert anchors([{"LOWER": "the"}, {"LOWER": "volatile"}], frozenset({"the"})) == {("lower_", "volatile")}
    assert anchors([{"LOWER": {"IN": ["was", "volatile"]}}], frozenset({"was"})) is None
    assert anchors([{"LOWER": {"NOT_IN": ["a"]}}, {"LOWER": "x", "OP": "{0,2}"}]) is None


def test_a_required_role_anchors_only_a_pattern_without_words():
    from record_audit.pipeline.extensions import ROLE_ATTR
    role = ROLE_ATTR.lower() + "_"
    assert anchors([{ROLE_ATTR: "perpetrator", "OP": "+"}, {"LEMMA": {"IN": ["hit", "kick"]}}]) == {
        ("lemma_", "hit"), ("lemma_", "kick")}
    assert anchors([{ROLE_ATTR: "perpetrator", "OP": "+"}, {"LOWER": "the"}], frozenset({"the"})) == {
        (role, "perpetrator")}
    assert anchors([{ROLE_ATTR: {"NOT_IN": ["child"]}}, {"LOWER": "the"}], frozenset({"the"})) is None


def test_role_constraints_are_matched_on_the_native_attribute(nlp_rules):
    """`ROLE:` and `_: {role: ...}` both become ROLE_ATTR, which record_audit_roles sets."""
    from record_audit.pipeline.extensions import ROLE_ATTR
    from record_audit.rules import expand_token_pattern
    assert expand_token_pattern([{"ROLE": "survivor"}, {"_": {"role": {"NOT_IN": ["child"]}}, "OP": "?"}]) == [
        {ROLE_ATTR: "survivor", "OP": "+"}, {ROLE_ATTR: {"NOT_IN": ["child"]}, "OP": "?"}]
    doc = nlp_rules("Mother said that the father hit her.")
    assert {t.text: t.ent_id_ for t in doc if t._.role} == {t.text: t._.role for t in doc if t._.role}
    assert {t._.role for t in doc} >= {"survivor", "perpetrator"}
    assert not doc.ents  # the role attribute never turns into entities


@pytest.fixture(scope="module")
def texts(nlp_rules):
    from record_audit.rules import load_rules
    rules = load_rules()
    out = [t for e in rules.lexicon for t in (*e.examples.match, *e.examples.no_match)]
    with open(ROOT / "data" / "samples" / "notes.csv", encoding="utf-8") as fh:
        out += [row["text"] for row in csv.DictReader(fh)]
    return out


@pytest.mark.slow  # every lexicon example and every note of the samples
def test_anchored_ruler_finds_the_same_spans_as_a_plain_span_ruler(nlp_rules, texts):
    from spacy.pipeline.span_ruler import SpanRuler

    anchored = nlp_rules.get_pipe("record_audit_lexicon")
    assert anchored._groups and len(anchored._groups) > 20  # the index is in use
    assert len(anchored.matcher) == 0  # SpanRuler's own token matcher is not built as well
    plain_ruler = SpanRuler(nlp_rules, "plain", spans_key="plain", validate=True)  # the same patterns, spaCy's way
    with nlp_rules.select_pipes(enable=[]):
        plain_ruler.add_patterns(anchored.patterns)
    compared = 0
    upto = nlp_rules.pipe_names[:nlp_rules.pipe_names.index("record_audit_roles") + 1]
    with nlp_rules.select_pipes(enable=upto):
        for doc in nlp_rules.pipe(texts):
            plain = {(s.start, s.end, s.label_, s.id_) for s in plain_ruler.match(doc)}
            fast = {(s.start, s.end, s.label_, s.id_) for s in anchored.match(doc)}
            assert fast <= plain, doc.text[:80]
            # anchored patterns are tried sentence by sentence: only a match across a sentence
            # boundary (never a sound flag) may be missing
            within = {m for m in plain if _one_sentence(doc, m[0], m[1])}
            assert within <= fast, doc.text[:80]
            compared += bool(plain)
    assert compared > 300  # many texts did match something


def _one_sentence(doc, start, end):
    return doc[start].sent.start == doc[end - 1].sent.start


def test_lexicon_flags_land_in_the_audit_spans(nlp_rules):
    doc = nlp_rules("Mother failed to protect the children.")
    assert "failure_to_protect" in {s.label_ for s in doc.spans[FLAGS_KEY]}


def test_condition_index_finds_the_groups_a_brute_force_test_finds():
    import random

    from record_audit.pipeline.lexicon import ConditionIndex, holds
    rng = random.Random(0)
    conditions = [tuple(frozenset(rng.sample(range(40), rng.randint(1, 4))) for _ in range(rng.randint(0, 3)))
                  for _ in range(200)]
    index = ConditionIndex(conditions)
    for _ in range(300):
        values = set(rng.sample(range(50), rng.randint(0, 15)))
        assert index.holding(values) == [i for i, c in enumerate(conditions) if c and holds(c, values)]


@pytest.mark.slow  # every lexicon example and every note of the samples
def test_dependency_rules_match_sentence_by_sentence_as_a_plain_matcher_on_the_doc(nlp_rules, texts):
    """Matching only the sentences that hold a rule's words, with unless tokens looked up there,
    gives what one DependencyMatcher over the whole doc and unless tokens of the whole doc give."""
    from spacy.matcher import DependencyMatcher

    rules = nlp_rules.get_pipe("record_audit_syntax").rules
    plain = DependencyMatcher(nlp_rules.vocab)
    for entry in rules.entries.values():
        plain.add(entry.id, [list(entry.pattern)])
    upto = nlp_rules.pipe_names[:nlp_rules.pipe_names.index("record_audit_syntax")]
    compared = 0
    with nlp_rules.select_pipes(enable=upto):
        for doc in nlp_rules.pipe(texts):
            hits = {}
            for unless_id, start, _ in rules.unless_matcher(doc):
                hits.setdefault(nlp_rules.vocab.strings[unless_id], set()).add(start)
            expected = set()
            for match_id, token_ids in plain(doc):
                entry = rules.entries[nlp_rules.vocab.strings[match_id]]
                nodes = {node["RIGHT_ID"]: doc[i] for node, i in zip(entry.pattern, token_ids)}
                if not rules._blocked(entry, nodes, hits):
                    expected.add((entry.id, tuple(sorted(t.i for t in nodes.values()))))
            found = {(entry.id, tuple(sorted(t.i for t in nodes.values()))) for entry, nodes in rules.matches(doc)}
            assert found == expected, doc.text[:80]
            compared += bool(expected)
    assert compared > 100
