"""The dashboard app (``python -m record_audit.app``) works from any working directory."""
from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from record_audit import app
from record_audit.model.registry import MODELS_ENV, choose_model
from record_audit.resources import app_notebook

ROOT = Path(__file__).resolve().parents[1]


def test_the_app_finds_its_notebook_and_model_from_another_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(MODELS_ENV, raising=False)
    monkeypatch.delenv(app.MODEL_ENV, raising=False)
    monkeypatch.delenv(app.DB_ENV, raising=False)
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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_the_app_serves_the_dashboard_when_started_from_another_folder(tmp_path, audited_samples):
    db = tmp_path / "audit.sqlite"
    shutil.copy(audited_samples, db)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    log_path = tmp_path / "voila.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "record_audit.app", "--port", str(_free_port()),
                                 "--db", str(db)], cwd=elsewhere, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        deadline, url = time.monotonic() + 60, None
        while url is None:
            found = re.search(r"(http://127\.0\.0\.1:\d+/)\s*$", log_path.read_text(), re.MULTILINE)
            url = found.group(1) if found else None
            assert proc.poll() is None, f"Voilà exited:\n{log_path.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"Voilà did not start in 60 s:\n{log_path.read_text()[-3000:]}"
            time.sleep(0.2)
        with urllib.request.urlopen(url, timeout=120) as response:  # Voilà runs the notebook to answer
            page = response.read().decode("utf-8")
        assert "application/vnd.jupyter.widget-view+json" in page, page[-2000:]  # the dashboard widget
        assert "There was an error when executing cell" not in page and "Traceback" not in page
    finally:
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
