"""Shared fixtures and helpers.

The English model is loaded once per session (``nlp_rules``), and so is every pipeline the
command line asks for (``one_pipeline_per_setting``). Audit stores are made once per session
and copied for each test that writes (``audited_samples``, ``reviewed_samples``,
``review_db``). Helpers the test modules share are fixtures here: ``write_notes``,
``write_visits``, ``store_rows``, ``run_cli``, ``audit_notes``, ``copy_store``, ``offline_page``
and ``launch_chromium``; no test module imports another.

Tiers: ``make test-fast`` runs what is marked neither ``slow`` nor ``browser``; ``make test``
runs everything, notebooks included, on two worker processes (pytest-xdist, ``--dist
loadgroup``): the notebooks share ``out/`` and run in order, so they are one group on one worker.
"""
from __future__ import annotations

import csv
import hashlib
import os
import shutil
import sqlite3
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# the notes the review and widget tests audit: three records, flags of several labels and sources
REVIEW_NOTES = [
    ("R1", "Mother failed to protect the children. Father was not contacted. FA has anger issues."),
    ("R1", "CW advised MO that she must obtain a protective order or the children will be removed."),
    ("R2", "Worker met with FA to discuss his violence. He monitors her phone. She called the police."),
    ("R2", "The couple argue a lot. Jayden (6) hides when FA shouts."),
    ("R3", "Mother was pushed during a domestic dispute. FA was not assessed."),
]
# the notes of the generated tables (``write_visits``): DV, a removal threat, his pattern, no DV
VISIT_TEXTS = [
    "HV completed. Mother was pushed during a domestic dispute. Father was not contacted.",
    "CW advised MO that she must obtain a protective order or the children will be removed.",
    "Worker met with FA to discuss his violence. He monitors her phone. She called the police.",
    "School attendance good. No DV concerns. Kids fed and clean.",
]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
MAX_PIPELINES = 6


# -- pipelines ---------------------------------------------------------------------------------
def _content_key(path: Path) -> str:
    """A hash of what a rules folder or a model file (with its .json sidecar) holds, wherever it lies."""
    path = Path(path)
    if path.is_dir():
        files = [(f.relative_to(path).as_posix(), f) for f in sorted(path.rglob("*")) if f.is_file()]
    else:
        files = [(f.suffix, f) for f in (path, path.with_suffix(".json")) if f.is_file()]
    digest = hashlib.sha1()
    for name, file in files:
        digest.update(name.encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


@pytest.fixture(scope="session", autouse=True)
def one_pipeline_per_setting():
    """Load each pipeline (rules folder, model file) once per session, however often it is asked for.

    The command line loads the English model, the rules and the classifier on every call, a
    second or several each; the tests call it dozens of times. Folders and model files are
    keyed by their content, so a copy shares its original's pipeline and a changed file loads
    again. A cached pipeline gets its own classifier model back on every hit (training,
    comparing and evaluating set it to None when done). Rule sets and model objects passed
    directly are not cached.
    ``tests/test_tiers.py`` fails if the command line stops going through it.
    """
    import record_audit.pipeline as pipeline

    original = pipeline.load_pipeline
    cache: dict[tuple, tuple] = {}

    def load_pipeline(rules=None, *, model=None, exclude=pipeline.DEFAULT_EXCLUDE):
        if not isinstance(rules, (str, Path, type(None))) or not isinstance(model, (str, Path, type(None))):
            return original(rules, model=model, exclude=exclude)
        key = (None if rules is None else _content_key(rules), None if model is None else _content_key(model),
               tuple(exclude))
        if key not in cache:
            if len(cache) >= MAX_PIPELINES:
                cache.pop(next(iter(cache)))
            nlp = original(rules, model=model, exclude=exclude)
            cache[key] = (nlp, nlp.get_pipe("record_audit_classifier").model)
        nlp, classifier_model = cache[key]
        nlp.get_pipe("record_audit_classifier").set_model(classifier_model)
        return nlp

    patch = pytest.MonkeyPatch()
    patch.setattr(pipeline, "load_pipeline", load_pipeline)
    yield cache
    patch.undo()


@pytest.fixture(scope="session")
def rules():
    from record_audit.rules import load_rules
    return load_rules()


@pytest.fixture(scope="session")
def nlp_rules(one_pipeline_per_setting):
    """The full rules pipeline (no classifier), the one the command line gets with --rules-only."""
    from record_audit.pipeline import load_pipeline
    return load_pipeline()


@pytest.fixture(scope="session")
def raw_matches(nlp_rules):
    """Return the rule ids every lexicon and syntax pattern matched, before overlap resolution."""
    def run(text: str) -> set[str]:
        with nlp_rules.select_pipes(disable=["record_audit_flags", "record_audit_context"]):
            doc = nlp_rules(text)
        return {span.id_ for span in doc.spans.get("audit_flags", [])}
    return run


@pytest.fixture(scope="session")
def deid():
    """The de-identifier (the full English model, with NER), loaded once."""
    from record_audit.pipeline.deid import Deidentifier
    return Deidentifier()


# -- input files -------------------------------------------------------------------------------
def _write_notes(path: Path, rows, team: str = "North") -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["record_id", "text", "team"])
        writer.writerows([rid, text, team] for rid, text in rows)
    return path


@pytest.fixture(scope="session")
def write_notes():
    """``write_notes(path, rows, team="North")``: a CSV export, one note per (record_id, text) row."""
    return _write_notes


def _write_visits(path: Path, n_records: int, notes_per_record: int = 2) -> Path:
    lines = ["record_id,text,team,author"]
    for r in range(n_records):
        for k in range(notes_per_record):
            text = VISIT_TEXTS[(r + k) % len(VISIT_TEXTS)]
            lines.append(f'R{r:03d},"{text} Visit {k}.",{"North" if r % 3 else "South"},W{r % 4}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def write_visits():
    """``write_visits(path, n_records, notes_per_record=2)``: records R000… of visit notes, teams
    North and South, workers W0-W3; the texts cycle through ``VISIT_TEXTS``."""
    return _write_visits


@pytest.fixture(scope="session")
def visit_texts():
    return list(VISIT_TEXTS)


@pytest.fixture(scope="session")
def samples_dir():
    return ROOT / "data" / "samples"


# -- the command line and stores ----------------------------------------------------------------
def _run_cli(*args, **kwargs):
    from click.testing import CliRunner

    from record_audit.cli import main
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, **kwargs)


@pytest.fixture(scope="session")
def run_cli():
    """``run_cli(*args)``: run ``record-audit ARGS`` in this process (exceptions propagate)."""
    return _run_cli


def _audit(notes: Path, db: Path, *args) -> Path:
    """Audit ``notes`` (rules only) into ``db`` through the command line, as a user would."""
    result = _run_cli("audit", notes, "--db", db, "--rules-only", *args)
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture(scope="session")
def audit_notes(nlp_rules):
    """``audit_notes(notes, db, *args)``: ``record-audit audit NOTES --db DB --rules-only ARGS``, asserted to succeed."""
    return _audit


def _copy_store(source: Path, target: Path) -> Path:
    """Copy a closed audit store (its WAL checkpointed on close) to ``target``."""
    assert not Path(f"{source}-wal").exists() or Path(f"{source}-wal").stat().st_size == 0, source
    shutil.copy(source, target)
    return target


@pytest.fixture(scope="session")
def copy_store():
    """``copy_store(source, target)``: a private copy of a session store, to write to."""
    return _copy_store


def _store_rows(db) -> dict:
    conn = sqlite3.connect(db)
    out = {}
    for table, order in (("records", "record_id"), ("notes", "record_id, note_id"),
                         ("sentences", "record_id, note_id, sentence_index"),
                         ("flags", "record_id, note_id, start, label"), ("indicators", "record_id"),
                         ("placements", "record_id")):
        cols = [c[1] for c in conn.execute(f"PRAGMA table_info({table})")
                if c[1] not in ("flag_id", "run_id", "audited_at")]
        quoted = ", ".join(f'"{c}"' for c in cols)
        out[table] = conn.execute(f"SELECT {quoted} FROM {table} ORDER BY {order}").fetchall()
    conn.close()
    return out


@pytest.fixture(scope="session")
def store_rows():
    """``store_rows(db)``: the pipeline's rows of a store by table (records, notes, sentences, flags,
    indicators, placements), in key order, without run ids and times."""
    return _store_rows


@pytest.fixture(scope="session")
def audited_samples(tmp_path_factory, nlp_rules, samples_dir):
    """An audit store of the bundled samples (rules only), made once per session; copy it before writing."""
    db = tmp_path_factory.mktemp("samples") / "audit.sqlite"
    return _audit(samples_dir / "notes.csv", db, "--parties", samples_dir / "parties.csv")


@pytest.fixture(scope="session")
def reviewed_samples_db(tmp_path_factory, audited_samples, samples_dir):
    """The samples' audit store reviewed from the gold annotation (store.gold), made once per session."""
    from record_audit.io.annotated import read_annotated
    from record_audit.store.gold import review_from_gold
    from record_audit.store.review import ReviewStore

    db = _copy_store(audited_samples, tmp_path_factory.mktemp("reviewed") / "reviewed.sqlite")
    review = ReviewStore(db)
    review_from_gold(review, read_annotated(samples_dir / "annotated.jsonl"))
    review.close()
    return db


@pytest.fixture
def reviewed_samples(tmp_path, reviewed_samples_db):
    """A private copy of the gold-reviewed samples' store, open as a ``ReviewStore``."""
    from record_audit.store.review import ReviewStore

    review = ReviewStore(_copy_store(reviewed_samples_db, tmp_path / "reviewed.sqlite"))
    yield review
    review.close()


@pytest.fixture
def serve_app(tmp_path):
    """Start an app (``python -m record_audit.app``) on a free port; stopped after the test.

    ``serve_app(db, cwd, app="dashboard", reviewer=None)`` serves the audit store ``db`` with
    the dashboard or the review app, started in the folder ``cwd``, and returns the URL it
    printed (with its ``?token=``) and the path of Voilà's log.
    """
    import re
    import socket
    import subprocess
    import sys
    import time

    started = []

    def start(db, cwd, app="dashboard", reviewer=None):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        log_path = tmp_path / f"voila-{len(started)}.log"
        args = [sys.executable, "-m", "record_audit.app", "--app", app, "--port", str(port), "--db", str(db)]
        with open(log_path, "w") as log:
            proc = subprocess.Popen([*args, *(["--reviewer", reviewer] if reviewer else [])],
                                    cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        started.append(proc)
        deadline = time.monotonic() + 60
        while True:  # Voilà moves to the next port if this one was taken meanwhile
            found = re.search(r"(http://127\.0\.0\.1:\d+/\?token=[\w-]+)\s*$", log_path.read_text(), re.MULTILINE)
            if found:
                return found.group(1), log_path
            assert proc.poll() is None, f"Voilà exited:\n{log_path.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"Voilà did not start in 60 s:\n{log_path.read_text()[-3000:]}"
            time.sleep(0.2)

    yield start
    for proc in started:
        _stop_server(proc)


def _stop_server(proc):
    """Stop a server as Ctrl-C would (Voilà and JupyterLab shut their kernels down), then its group."""
    import signal
    import subprocess

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


@pytest.fixture
def stop_server():
    """``stop_server(proc)``: a server started in its own session, stopped as Ctrl-C would, then killed."""
    return _stop_server


@pytest.fixture(scope="session")
def review_notes_db(tmp_path_factory, nlp_rules):
    """``REVIEW_NOTES`` audited (rules only) once per session; ``review_db`` copies it."""
    tmp = tmp_path_factory.mktemp("review")
    return _audit(_write_notes(tmp / "notes.csv", REVIEW_NOTES), tmp / "audit.sqlite")


@pytest.fixture
def review_db(tmp_path, review_notes_db):
    """A private copy of the audited ``REVIEW_NOTES`` store (R1-R3), for review tests to write to."""
    return _copy_store(review_notes_db, tmp_path / "audit.sqlite")


@pytest.fixture(scope="session")
def review_notes():
    """The (record_id, text) rows of ``review_db``."""
    return list(REVIEW_NOTES)


# -- Debian's Chromium -----------------------------------------------------------------------------
@pytest.fixture(scope="session")
def chromium() -> str:
    """The chromium executable; a clear failure (never a skip) when it is missing."""
    path = shutil.which("chromium")
    assert path, "Debian's chromium is missing: `make browser` (run by `make test`) installs it"
    return path


@pytest.fixture(scope="session")
def launch_chromium(chromium):
    """``launch_chromium(playwright)``: Debian's chromium (Playwright cannot download its own browser here)."""
    def launch(playwright):
        return playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
    return launch


@pytest.fixture(scope="session")
def offline_page(launch_chromium):
    """``with offline_page(path) as page:`` a local file open in chromium; after the block, assert
    that the page raised no error and requested nothing beyond local files."""
    @contextmanager
    def open_page(path: Path):
        from playwright.sync_api import sync_playwright
        errors: list[str] = []
        requests: list[str] = []
        with sync_playwright() as p:
            browser = launch_chromium(p)
            try:
                page = browser.new_page()
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.on("request", lambda r: requests.append(r.url))
                page.goto(path.as_uri())
                page.wait_for_load_state("load")
                yield page
            finally:
                browser.close()
        assert errors == []
        assert [u for u in requests if not u.startswith("file://")] == []
    return open_page


# an agency's accepted rules are checked by pointing RECORD_AUDIT_RULES at its overlay folder
# (tests/test_overlay_examples.py); without one there is nothing to check, so the file is not
# collected rather than skipped (tests/test_adapt.py runs the same checks on rules it accepts)
collect_ignore = [] if os.environ.get("RECORD_AUDIT_RULES") else ["test_overlay_examples.py"]


def pytest_collection_modifyitems(config, items):
    """Keep the notebooks on one xdist worker, in their order: they share the repository's out/."""
    for item in items:
        if item.nodeid.endswith(".ipynb") or ".ipynb::" in item.nodeid:
            item.add_marker(pytest.mark.xdist_group("notebooks"))
