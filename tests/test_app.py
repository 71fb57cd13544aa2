"""The apps (``python -m record_audit.app``): from any working directory, on 127.0.0.1, behind a token."""
from __future__ import annotations

import os
import re
import shutil
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from record_audit import app
from record_audit.model.registry import MODELS_ENV, choose_model
from record_audit.resources import app_notebook, review_notebook

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def fake_voila(monkeypatch):
    """Voilà replaced by a recorder of how it was launched."""
    # app.serve sets variables in os.environ: give it a copy so nothing leaks into later tests
    # (delenv of an unset variable records no undo)
    monkeypatch.setattr(os, "environ", {k: v for k, v in os.environ.items()
                                        if k not in (MODELS_ENV, app.MODEL_ENV, app.DB_ENV, app.REVIEWER_ENV)})
    launched = {}

    class FakeVoila:
        @classmethod
        def launch_instance(cls, argv, token, tornado_settings):
            launched.update(cls=cls, argv=argv, token=token, csp=tornado_settings["headers"]["Content-Security-Policy"],
                            model=os.environ.get(app.MODEL_ENV), db=os.environ.get(app.DB_ENV),
                            reviewer=os.environ.get(app.REVIEWER_ENV))

    monkeypatch.setitem(sys.modules, "voila.app", type(sys)("voila.app"))
    sys.modules["voila.app"].Voila = FakeVoila
    return launched


def test_the_app_finds_its_notebook_and_model_from_another_folder(tmp_path, monkeypatch, fake_voila):
    monkeypatch.chdir(tmp_path)
    app.main(["--port", "9999", "--db", "stores/audit.sqlite"])
    launched = fake_voila
    assert launched["argv"][0] == str(app_notebook()) == str(ROOT / "notebooks" / "app_dashboard.ipynb")
    assert Path(launched["argv"][0]).is_file() and "--Voila.ip=127.0.0.1" in launched["argv"]
    assert "--port=9999" in launched["argv"]
    assert launched["db"] == str(tmp_path / "stores" / "audit.sqlite")  # relative to where it was started
    assert launched["model"] == str(choose_model().resolve())  # the shipped model: no ./models here
    assert launched["csp"].startswith("default-src 'self'")


def test_each_run_gets_its_own_random_token_kept_off_the_command_line(tmp_path, monkeypatch, fake_voila):
    monkeypatch.chdir(tmp_path)
    app.main(["--app", "review", "--db", "audit.sqlite", "--reviewer", "ana"])
    first = dict(fake_voila)
    app.main(["--app", "review", "--db", "audit.sqlite"])
    assert first["argv"][0] == str(review_notebook()) and Path(first["argv"][0]).is_file()
    assert "--port=8867" in first["argv"] and first["reviewer"] == "ana"
    assert len(first["token"]) >= 40 and re.fullmatch(r"[\w-]+", first["token"])
    assert first["token"] != fake_voila["token"]
    assert not [a for a in first["argv"] if first["token"] in a]  # argv would show in `ps`: it is not there


def test_voila_prints_the_url_with_its_token():
    pytest.importorskip("voila.app")
    voila = app._voila_with_token()()
    voila.ip, voila.port, voila.base_url = "127.0.0.1", 8867, "/"
    voila.identity_provider = type("Identity", (), {"token": "abc-123"})()
    assert voila.display_url == "http://127.0.0.1:8867/?token=abc-123"


def _get(url: str) -> tuple[int, str, str]:
    """GET without following redirects: (status, Location, body)."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=120) as response:
            return response.status, response.headers.get("Location", ""), response.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Location", ""), err.read().decode("utf-8", "replace")


@pytest.mark.slow
@pytest.mark.parametrize("which", ["dashboard", "review"])
def test_a_request_without_the_token_is_refused(tmp_path, audited_samples, serve_app, which):
    db = tmp_path / "audit.sqlite"
    shutil.copy(audited_samples, db)
    url, _ = serve_app(db, cwd=tmp_path, app=which)
    base, token = url.split("?token=")
    assert base.startswith("http://127.0.0.1:")
    for refused in (base, f"{base}?token=wrong-{token[:8]}", f"{base}api/kernels", f"{base}api/sessions"):
        status, location, body = _get(refused)
        assert status in (302, 403), (refused, status)
        assert status == 403 or "/login" in location
        assert "application/vnd.jupyter.widget-view+json" not in body
    status, _, page = _get(url)  # Voilà runs the notebook to answer
    assert status == 200 and "application/vnd.jupyter.widget-view+json" in page
    assert "There was an error when executing cell" not in page and "Traceback" not in page


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
