"""Every data entry is tested by its own examples (lexicons, syntax, context, roles, word lists, obligations)."""
from __future__ import annotations

import re

import pytest

from record_audit.pipeline import DV_KEY, FACTORS_KEY, OBLIGATIONS_KEY, REMOVAL_KEY
from record_audit.pipeline.context import ContextTagger
from record_audit.rules import load_rules

RULES = load_rules()


def _with_examples(entries):
    return [e for e in entries if e.examples.match or e.examples.no_match]


@pytest.mark.parametrize("entry", RULES.lexicon, ids=lambda e: e.id)
def test_lexicon_entry_matches_its_examples(raw_matches, entry):
    assert entry.examples.match, f"{entry.id} has no match examples"
    for text in entry.examples.match:
        assert entry.id in raw_matches(text), text
    for text in entry.examples.no_match:
        assert entry.id not in raw_matches(text), text


@pytest.mark.parametrize("entry", RULES.syntax, ids=lambda e: e.id)
def test_syntax_rule_matches_its_examples(raw_matches, entry):
    assert entry.examples.match and entry.examples.no_match, f"{entry.id} needs both kinds of example"
    for text in entry.examples.match:
        assert entry.id in raw_matches(text), text
    for text in entry.examples.no_match:
        assert entry.id not in raw_matches(text), text


_TARGET = re.compile(r"\[([^\]]+)\]")


def _target(nlp, example: str):
    """Parse an example whose flag is marked [like this]; return the doc and the flag span."""
    found = _TARGET.search(example)
    assert found, f"context example without a [target]: {example}"
    text = example[: found.start()] + found.group(1) + example[found.end():]
    with nlp.select_pipes(disable=["record_audit_context"]):
        doc = nlp(text)
    span = doc.char_span(found.start(), found.start() + len(found.group(1)), alignment_mode="expand")
    return doc, span


@pytest.mark.parametrize("entry", _with_examples(RULES.context), ids=lambda e: e.id)
def test_context_rule_tags_its_examples(nlp_rules, entry):
    tagger: ContextTagger = nlp_rules.get_pipe("record_audit_context")
    for example in entry.examples.match:
        doc, span = _target(nlp_rules, example)
        cues = [c for c in tagger.find_cues(doc) if doc[c.start].sent.start == span.sent.start]
        context, cue_id = tagger.context_of(span, cues)
        assert (context, cue_id) == (entry.category, entry.id), example
    for example in entry.examples.no_match:
        doc, span = _target(nlp_rules, example)
        cues = [c for c in tagger.find_cues(doc) if doc[c.start].sent.start == span.sent.start]
        _, cue_id = tagger.context_of(span, cues)
        assert cue_id != entry.id, example


def test_every_context_category_has_a_rule_with_examples():
    categories = {e.category for e in RULES.context if e.examples.match}
    assert {"negated", "reported", "hypothetical", "historical"} <= categories


TERM_LISTS = [(DV_KEY, e) for e in RULES.dv_terms] + [(FACTORS_KEY, e) for e in RULES.factors] \
    + [(REMOVAL_KEY, e) for e in RULES.removal_terms]


@pytest.mark.parametrize("key,entry", TERM_LISTS, ids=lambda x: getattr(x, "id", x))
def test_term_list_entry_matches_its_examples(nlp_rules, key, entry):
    # removal terms are read whatever their context: a threat is conditional by nature
    discounted = () if key == REMOVAL_KEY else ("negated", "hypothetical")

    def standing_ids(text):
        doc = nlp_rules(text)
        return {s.id_ for s in doc.spans.get(key, []) if s._.context not in discounted}
    for text in entry.examples.match:
        assert entry.id in standing_ids(text), text
    for text in entry.examples.no_match:
        assert entry.id not in standing_ids(text), text


@pytest.mark.parametrize("entry", RULES.obligations, ids=lambda e: e.id)
def test_obligation_pattern_finds_its_examples(nlp_rules, entry):
    finder = nlp_rules.get_pipe("record_audit_obligations")
    for text in entry.examples.match:
        doc = nlp_rules(text)
        assert any(e.id == entry.id for e, _ in finder.rules.matches(doc)), text
    for text in entry.examples.no_match:
        doc = nlp_rules(text)
        assert not any(e.id == entry.id for e, _ in finder.rules.matches(doc)), text


def test_shared_subject_counts_for_both_roles(nlp_rules):
    doc = nlp_rules("The parents will ensure the children attend school. Mother and father will attend classes.")
    roles = sorted((s.sent.start, s.label_) for s in doc.spans[OBLIGATIONS_KEY])
    assert [r for _, r in roles] == ["perpetrator", "survivor", "perpetrator", "survivor"]


@pytest.mark.parametrize("group", RULES.roles, ids=lambda g: g.id)
def test_role_group_tags_its_examples(nlp_rules, group):
    """Each match example holds a mention this group found, with the group's role on its tokens."""
    assert group.examples.match, f"{group.id} has no match examples"
    tagger = nlp_rules.get_pipe("record_audit_roles")
    for text in group.examples.match:
        doc = nlp_rules(text)
        found = [(start, end, role) for start, end, role, source in tagger.mentions(doc) if source == group.id]
        assert found, text
        for start, end, role in found:
            assert role == group.role, text
            assert all(t._.role == (group.role or "") for t in doc[start:end]), text
    for text in group.examples.no_match:
        doc = nlp_rules(text)
        assert not any(source == group.id for *_, source in tagger.mentions(doc)), text
