"""The rules accepted into an overlay folder are tested by their own examples, like every shipped rule.

Point ``RECORD_AUDIT_RULES`` at the folder (``record-audit rules accept --rules-dir DIR`` writes it)::

    RECORD_AUDIT_RULES=out/rules .venv/bin/python -m pytest tests/test_overlay_examples.py

Without it the file is not collected (tests/conftest.py); ``tests/test_adapt.py`` runs the same checks on rules it accepts.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from record_audit.rules import OVERLAY_FILE, load_rules

FOLDER = os.environ.get("RECORD_AUDIT_RULES")
RULES = load_rules(FOLDER) if FOLDER and (Path(FOLDER) / OVERLAY_FILE).is_file() else None


def _own(entries):
    """The overlay's own entries (the base's carry their absolute paths)."""
    return [e for e in entries if not Path(e.path).is_absolute()] if RULES is not None else []


pytestmark = pytest.mark.skipif(RULES is None, reason="RECORD_AUDIT_RULES names no folder with an overlay")


@pytest.fixture(scope="module")
def overlay_nlp():
    from record_audit.pipeline import load_pipeline
    return load_pipeline(FOLDER)


@pytest.mark.parametrize("entry", _own(RULES.lexicon if RULES else ()) + _own(RULES.syntax if RULES else ()),
                         ids=lambda e: e.id)
def test_accepted_rule_matches_its_examples(overlay_nlp, entry):
    from record_audit.adapt.suggest import raw_rule_ids
    assert entry.examples.match, f"{entry.id} has no match examples"
    for text in entry.examples.match:
        assert entry.id in raw_rule_ids(overlay_nlp, text), text
    for text in entry.examples.no_match:
        assert entry.id not in raw_rule_ids(overlay_nlp, text), text


@pytest.mark.parametrize("entry", _own(RULES.context if RULES else ()), ids=lambda e: e.id)
def test_accepted_context_cue_tags_its_examples(overlay_nlp, entry):
    from record_audit.adapt.suggest import context_cue_of
    for example in entry.examples.match:
        assert context_cue_of(overlay_nlp, example) == (entry.category, entry.id), example
    for example in entry.examples.no_match:
        assert (context_cue_of(overlay_nlp, example) or (None, None))[1] != entry.id, example


def test_the_overlay_folder_loads():
    assert RULES is not None and RULES.root == Path(FOLDER)
