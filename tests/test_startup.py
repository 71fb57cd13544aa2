"""Start-up (issue 15, item 6): skops without its tables of every estimator, one reading of the model file.

Each check runs in a fresh interpreter, since what an import costs depends on what the
process has already imported.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_python(code: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_help_imports_none_of_the_heavy_libraries():
    found = run_python(
        "import json, sys\n"
        "from click.testing import CliRunner\n"
        "from record_audit.cli import main\n"
        "r = CliRunner().invoke(main, ['flag', '--help'])\n"
        "assert r.exit_code == 0 and 'Usage' in r.output\n"
        "print(json.dumps(sorted(m for m in ('spacy', 'sklearn', 'skops', 'pandas', 'scipy') if m in sys.modules)))")
    assert found == []


def test_loading_the_model_imports_only_the_estimators_it_trusts():
    found = run_python(
        "import json, sys\n"
        "from record_audit.model.registry import choose_model\n"
        "from record_audit.model.sentence_model import SentenceModel\n"
        "model = SentenceModel.load(choose_model())\n"
        "import skops.io._trusted_types as t\n"
        "print(json.dumps({'estimators': t.SKLEARN_ESTIMATOR_TYPE_NAMES, 'scipy_ufuncs': t.SCIPY_UFUNC_TYPE_NAMES,\n"
        "                  'ensemble': 'sklearn.ensemble' in sys.modules, 'gp': 'sklearn.gaussian_process' in sys.modules or 'sklearn.neural_network' in sys.modules,\n"
        "                  'labels': len(model.labels)}))")
    from record_audit.model.sentence_model import TRUSTED_TYPES
    assert set(found["estimators"]) <= set(TRUSTED_TYPES) and "sklearn.pipeline.Pipeline" in found["estimators"]
    assert found["scipy_ufuncs"] == []
    assert not found["ensemble"] and not found["gp"]  # all_estimators() would have imported them
    assert found["labels"] > 0


def test_a_model_file_with_an_estimator_outside_the_list_is_refused(tmp_path):
    """skops' narrowed defaults never trust more: an estimator skops would trust by default is refused."""
    found = run_python(
        "import json, sys\n"
        "from record_audit.model.sentence_model import SentenceModel\n"
        "from record_audit.errors import InputError\n"
        "from record_audit.model.skops_io import skops_io\n"
        "from record_audit.model.sentence_model import TRUSTED_TYPES\n"
        "from sklearn.ensemble import RandomForestClassifier\n"
        "from sklearn.pipeline import Pipeline\n"
        f"path = {str(tmp_path / 'forest.skops')!r}\n"
        "skops_io(TRUSTED_TYPES).dump(Pipeline([('clf', RandomForestClassifier())]), path)\n"
        f"open({str(tmp_path / 'forest.json')!r}, 'w').write(json.dumps({{'labels': [], 'thresholds': {{}}}}))\n"
        "try:\n"
        "    SentenceModel.load(path)\n"
        "    print(json.dumps('loaded'))\n"
        "except InputError as err:\n"
        "    print(json.dumps(str(err)))")
    assert "E057" in found and "RandomForestClassifier" in found


@pytest.mark.slow
def test_flag_on_one_note_prints_the_same_lines_as_before(tmp_path, samples_dir):
    """The classifier loaded this way flags as it did: the demo's flags match a run in this process."""
    import csv

    from click.testing import CliRunner

    from record_audit.cli import main

    rows = list(csv.DictReader(open(samples_dir / "notes.csv", encoding="utf-8")))[:3]
    notes = tmp_path / "three.csv"
    with open(notes, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    done = subprocess.run([sys.executable, "-m", "record_audit.cli", "flag", str(notes)], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    here = CliRunner().invoke(main, ["flag", str(notes)], catch_exceptions=False)
    fresh = [json.loads(line) for line in done.stdout.splitlines()]
    assert fresh == [json.loads(line) for line in here.stdout.splitlines()]
    assert any(f["source"] == "classifier" for row in fresh for f in row["flags"])
