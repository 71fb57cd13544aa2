"""Shared fixtures: the English model is loaded once per session."""
from __future__ import annotations

import pytest

from record_audit.pipeline import load_pipeline
from record_audit.pipeline.rules import load_rules


@pytest.fixture(scope="session")
def rules():
    return load_rules()


@pytest.fixture(scope="session")
def nlp_rules(rules):
    """The full rules pipeline (no classifier)."""
    return load_pipeline(rules)


@pytest.fixture(scope="session")
def raw_matches(nlp_rules):
    """Return the rule ids every lexicon and syntax pattern matched, before overlap resolution."""
    def run(text: str) -> set[str]:
        with nlp_rules.select_pipes(disable=["record_audit_flags", "record_audit_context"]):
            doc = nlp_rules(text)
        return {span.id_ for span in doc.spans.get("audit_flags", [])}
    return run
