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


@pytest.fixture(scope="session")
def samples_dir():
    from pathlib import Path
    return Path(__file__).resolve().parents[1] / "data" / "samples"


@pytest.fixture(scope="session")
def audited_samples(tmp_path_factory, nlp_rules, samples_dir):
    """An audit store of the bundled samples (rules only), made once per session; copy it before writing."""
    from record_audit.audit import run_audit
    from record_audit.continuum import Rubric
    from record_audit.engines import LocalEngine
    from record_audit.io import open_notes, read_parties
    from record_audit.store import AuditStore

    db = tmp_path_factory.mktemp("samples") / "audit.sqlite"
    with AuditStore(db) as store:
        run_audit(open_notes(samples_dir / "notes.csv"), LocalEngine(nlp_rules), store, rubric=Rubric.load(),
                  parties=read_parties(samples_dir / "parties.csv"))
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


@pytest.fixture
def serve_app(tmp_path):
    """Start the dashboard app (``python -m record_audit.app``) on a free port; stopped after the test.

    ``serve_app(db, cwd)`` serves the audit store ``db``, started in the folder ``cwd``, and
    returns its URL and the path of Voilà's log.
    """
    import os
    import re
    import signal
    import socket
    import subprocess
    import sys
    import time

    started = []

    def start(db, cwd):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        log_path = tmp_path / f"voila-{len(started)}.log"
        with open(log_path, "w") as log:
            proc = subprocess.Popen([sys.executable, "-m", "record_audit.app", "--port", str(port), "--db", str(db)],
                                    cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        started.append(proc)
        deadline = time.monotonic() + 60
        while True:  # Voilà moves to the next port if this one was taken meanwhile
            found = re.search(r"(http://127\.0\.0\.1:\d+/)\s*$", log_path.read_text(), re.MULTILINE)
            if found:
                return found.group(1), log_path
            assert proc.poll() is None, f"Voilà exited:\n{log_path.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"Voilà did not start in 60 s:\n{log_path.read_text()[-3000:]}"
            time.sleep(0.2)

    yield start
    for proc in started:  # stop Voilà as Ctrl-C would (it shuts its kernels down), then its process group
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the group this test started, nothing else
        except ProcessLookupError:
            pass
        proc.wait(timeout=5)
