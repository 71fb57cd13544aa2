"""Surfaces that never run the pipeline load neither spaCy nor scikit-learn (issue 13).

Opening a review store, the summary and report commands and the dashboard app's modules
read the store and the rubric only; spaCy (about 1.5 s to import) and scikit-learn belong
to flagging, training and the gallery's de-identification.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

LIGHT = """\
import contextlib, io, sys, time
db, html = sys.argv[1], sys.argv[2]
started = time.perf_counter()
from record_audit.store.review import ReviewStore
store = ReviewStore(db)
opened = time.perf_counter() - started
store.close()
from record_audit.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    main(["summary", "--db", db, "--scope", "sample"], standalone_mode=False)
    main(["summary", "--db", db], standalone_mode=False)
    main(["report", "--db", db, "-o", html], standalone_mode=False)
import record_audit.app, record_audit.widgets.dashboard
import record_audit.widgets.review_panel, record_audit.widgets.trainer_gallery  # de-identifying loads spaCy, importing does not
print(json.dumps({"heavy": sorted(m for m in ("spacy", "sklearn") if m in sys.modules), "opened": opened}))
"""


@pytest.mark.slow
def test_store_summary_report_and_dashboard_load_neither_spacy_nor_sklearn(tmp_path, audited_samples):
    db = tmp_path / "audit.sqlite"
    shutil.copy(audited_samples, db)
    out = subprocess.run([sys.executable, "-c", "import json\n" + LIGHT, str(db), str(tmp_path / "report.html")],
                         capture_output=True, text=True, check=True)
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["heavy"] == [], f"loaded for a surface that never runs the pipeline: {found['heavy']}"
    assert (tmp_path / "report.html").stat().st_size > 0
    # the bar (0.5 s), with room for a loaded test machine
    assert found["opened"] < 1.5, f"opening a ReviewStore took {found['opened']:.2f} s"
