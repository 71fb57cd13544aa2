"""Every data entry is tested by its own examples (lexicons, syntax, context, roles, DV terms)."""
from __future__ import annotations

import re

import pytest

from record_audit.pipeline import DV_KEY
from record_audit.pipeline.context import ContextTagger
from record_audit.pipeline.rules import load_rules

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


@pytest.mark.parametrize("entry", RULES.dv_terms, ids=lambda e: e.id)
def test_dv_term_entry_matches_its_examples(nlp_rules, entry):
    def counted_ids(text):
        doc = nlp_rules(text)
        return {s.id_ for s in doc.spans.get(DV_KEY, []) if s._.context not in ("negated", "hypothetical")}
    for text in entry.examples.match:
        assert entry.id in counted_ids(text), text
    for text in entry.examples.no_match:
        assert entry.id not in counted_ids(text), text


@pytest.mark.parametrize("group", [g for g in RULES.roles if g.examples], ids=lambda g: g.id)
def test_role_group_tags_its_examples(nlp_rules, group):
    for text in group.examples.get("match", ()):
        doc = nlp_rules(text)
        assert any(t._.role == group.role for t in doc), text
