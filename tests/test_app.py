"""The dashboard app (``python -m record_audit.app``) works from any working directory."""
from __future__ import annotations

import os
import shutil
import sys
import urllib.request
from pathlib import Path

import pytest

from record_audit import app
from record_audit.model.registry import MODELS_ENV, choose_model
from record_audit.resources import app_notebook

ROOT = Path(__file__).resolve().parents[1]


def test_the_app_finds_its_notebook_and_model_from_another_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # app.main sets variables in os.environ: give it a copy so nothing leaks into later tests
    # (delenv of an unset variable records no undo)
    monkeypatch.setattr(os, "environ", {k: v for k, v in os.environ.items()
                                        if k not in (MODELS_ENV, app.MODEL_ENV, app.DB_ENV)})
    launched = {}

    class FakeVoila:
        @staticmethod
        def launch_instance(argv, tornado_settings):
            launched.update(argv=argv, csp=tornado_settings["headers"]["Content-Security-Policy"],
                            model=os.environ.get(app.MODEL_ENV), db=os.environ.get(app.DB_ENV))

    monkeypatch.setitem(sys.modules, "voila.app", type(sys)("voila.app"))
    sys.modules["voila.app"].Voila = FakeVoila
    app.main(["--port", "9999", "--db", "stores/audit.sqlite"])
    assert launched["argv"][0] == str(app_notebook()) == str(ROOT / "notebooks" / "app_dashboard.ipynb")
    assert Path(launched["argv"][0]).is_file() and "--Voila.ip=127.0.0.1" in launched["argv"]
    assert launched["db"] == str(tmp_path / "stores" / "audit.sqlite")  # relative to where it was started
    assert launched["model"] == str(choose_model().resolve())  # the shipped model: no ./models here
    assert launched["csp"].startswith("default-src 'self'")


@pytest.mark.slow
def test_the_app_serves_the_dashboard_when_started_from_another_folder(tmp_path, audited_samples, serve_app):
    db = tmp_path / "audit.sqlite"
    shutil.copy(audited_samples, db)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    url, _ = serve_app(db, cwd=elsewhere)
    with urllib.request.urlopen(url, timeout=120) as response:  # Voilà runs the notebook to answer
        page = response.read().decode("utf-8")
    assert "application/vnd.jupyter.widget-view+json" in page, page[-2000:]  # the dashboard widget
    assert "There was an error when executing cell" not in page and "Traceback" not in page
