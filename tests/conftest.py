"""Shared fixtures: the English model is loaded once per session."""
from __future__ import annotations

import pytest

from record_audit.pipeline import load_pipeline
from record_audit.rules import load_rules


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


@pytest.fixture(scope="session")
def samples_dir():
    from pathlib import Path
    return Path(__file__).resolve().parents[1] / "data" / "samples"


@pytest.fixture(scope="session")
def audited_samples(tmp_path_factory, nlp_rules, samples_dir):
    """An audit store of the bundled samples (rules only), made once per session; copy it before writing."""
    from record_audit.audit import run_audit
    from record_audit.continuum import Rubric
    from record_audit.io import open_notes, read_parties
    from record_audit.resources import rules_dir
    from record_audit.store import AuditStore

    db = tmp_path_factory.mktemp("samples") / "audit.sqlite"
    with AuditStore(db) as store:
        run_audit(open_notes(samples_dir / "notes.csv"), nlp_rules, store, rubric=Rubric.load(),
                  rules_root=rules_dir(), parties=read_parties(samples_dir / "parties.csv"))
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db


@pytest.fixture
def reviewed_samples(tmp_path, audited_samples, samples_dir):
    """A private copy of the samples' audit store, reviewed from the gold annotation (store.gold)."""
    import shutil

    from record_audit.io.annotated import read_annotated
    from record_audit.store.gold import review_from_gold
    from record_audit.store.review import ReviewStore

    db = tmp_path / "reviewed.sqlite"
    shutil.copy(audited_samples, db)
    review = ReviewStore(db)
    review_from_gold(review, read_annotated(samples_dir / "annotated.jsonl"))
    yield review
    review.close()
