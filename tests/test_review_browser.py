"""The review app in a real browser: keyboard only, decisions in the store, downloads delivered.

Voilà on 127.0.0.1 behind its token, driven by Debian's headless Chromium; and the same
widget in JupyterLab, whose own shortcuts must not see the panel's keys. The screenshot goes
to the test's tmp folder (it shows planted markup, so it is no picture for the docs).
"""
from __future__ import annotations

import csv
import io
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from record_audit.store.review import ReviewStore

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MARKUP = "<i>ab</i>"  # as long as the words it replaces, so every offset stays put


def _plant_markup(db: Path) -> str:
    """Put markup at the start of the first flag's note, before its sentence; return the note id."""
    review = ReviewStore(db)
    item = review.queue("ana", status="unreviewed")[0]
    review.close()
    assert item.sentence_start >= len(MARKUP), "the first flag's sentence should not open its note"
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE notes SET text = ? || substr(text, ?) WHERE record_id = ? AND note_id = ?",
                     (MARKUP, len(MARKUP) + 1, item.key.record_id, item.key.note_id))
    conn.close()
    return item.key.note_id


def test_a_reviewer_decides_with_the_keyboard_only_and_downloads_the_files(
        launch_chromium, audited_samples, serve_app, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    db = tmp_path / "audit.sqlite"
    shutil.copy(audited_samples, db)
    note = _plant_markup(db)
    url, log_path = serve_app(db, cwd=tmp_path, app="review")
    base = url.split("?")[0]
    errors, loaded, files = [], [], {}
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("requestfinished", lambda r: loaded.append(r.url))
            response = page.goto(url)
            assert "default-src 'self'" in response.headers.get("content-security-policy", "")
            try:
                page.wait_for_selector(".ra-review .ra-card[data-label]", timeout=90_000)
            except Exception:
                raise AssertionError(f"no review panel on the page:\n{page.inner_text('body')[-2000:]}\n"
                                     f"Voilà log:\n{log_path.read_text()[-3000:]}") from None
            card, message = page.locator(".ra-card"), page.locator(".ra-message")
            # the note's markup is shown as text, never made into elements
            expect(page.locator(".ra-text")).to_contain_text(MARKUP)
            assert page.locator(".ra-text i").count() == 0
            expect(page.locator(".ra-meta")).to_contain_text(f"note {note}")

            expect(page.locator(".ra-reviewer")).to_be_focused()  # no reviewer yet: the name box waits
            page.keyboard.type("ana")
            page.keyboard.press("Enter")
            expect(message).to_contain_text("Reviewing as ana", timeout=10_000)
            flags = [card.get_attribute("data-flag")]
            page.keyboard.press("a")
            expect(message).to_contain_text("Saved: Accept", timeout=10_000)
            flags.append(card.get_attribute("data-flag"))
            page.keyboard.press("r")
            expect(page.locator(".ra-chooser")).to_contain_text("Reject because")
            page.keyboard.press("3")
            expect(message).to_contain_text("Saved: Reject · Someone else's words", timeout=10_000)
            flags.append(card.get_attribute("data-flag"))
            page.keyboard.press("a")
            expect(message).to_contain_text("Saved: Accept", timeout=10_000)
            page.keyboard.press("z")
            expect(message).to_contain_text("Undone: Accept", timeout=10_000)
            assert card.get_attribute("data-flag") == flags[2]  # the flag taken back is on screen again
            page.keyboard.press("ArrowLeft")
            expect(page.locator(".ra-where")).to_have_text("Your decision 2 of 2", timeout=10_000)
            assert card.get_attribute("data-flag") == flags[1]
            expect(page.locator(".ra-decision")).to_contain_text("Reject · Someone else's words")
            page.keyboard.press("ArrowLeft")
            expect(page.locator(".ra-where")).to_have_text("Your decision 1 of 2", timeout=10_000)
            assert card.get_attribute("data-flag") == flags[0]
            page.keyboard.press("?")
            expect(page.locator(".ra-help")).to_be_visible()
            expect(page.locator(".ra-help")).to_contain_text("accept the flag")
            page.keyboard.press("Escape")
            expect(page.locator(".ra-help")).to_be_hidden()
            shot = tmp_path / "review_panel.png"
            page.screenshot(path=str(shot))

            for name in ("decisions_csv", "report", "workbook"):
                with page.expect_download(timeout=120_000) as download:
                    page.locator(f".ra-download-{name}").click()
                files[name] = download.value.path().read_bytes()
                assert download.value.suggested_filename.startswith(("review_decisions_", "qa_report_", "qa_workbook_"))

            page.reload()  # a new session: the decisions are in the store, not in the page
            page.wait_for_selector(".ra-review .ra-card[data-label]", timeout=90_000)
            page.keyboard.type("ana")
            page.keyboard.press("Enter")
            expect(page.locator(".ra-progress-queue")).to_contain_text("2 of ", timeout=10_000)
            assert card.get_attribute("data-flag") == flags[2]  # resumes at the first flag not decided
        finally:
            browser.close()
    assert errors == []
    assert [u for u in loaded if not u.startswith((base, "blob:" + base))] == []  # nothing from elsewhere

    review = ReviewStore(db)
    events = [(e["reviewer"], e["decision"], e["reason"]) for e in review.events()]
    assert events == [("ana", "accept", None), ("ana", "reject", "reported"), ("ana", "accept", None),
                      ("ana", "undo", None)]
    rows = list(csv.DictReader(io.StringIO(files["decisions_csv"].decode("utf-8"))))
    assert [r["decision"] for r in rows] == ["accept", "reject", "accept", "undo"]
    assert files["report"].lstrip().lower().startswith(b"<!doctype html")
    assert files["workbook"][:2] == b"PK"  # an XLSX is a zip
    assert shot.stat().st_size > 10_000


@pytest.fixture
def jupyterlab(tmp_path, stop_server):
    """JupyterLab on a free port of 127.0.0.1 serving ``tmp_path``, its app exposed to the page: its URL."""
    import secrets
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    token = secrets.token_urlsafe(16)
    log_path = tmp_path / "jupyterlab.log"
    args = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ServerApp.ip=127.0.0.1",
            "--ServerApp.port_retries=0", f"--ServerApp.root_dir={tmp_path}", "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if os.geteuid() == 0:
        args.append("--allow-root")
    env = {**os.environ, "JUPYTER_TOKEN": token}  # the token kept off the command line
    with open(log_path, "w") as log:
        proc = subprocess.Popen(args, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, f"JupyterLab exited:\n{log_path.read_text()[-3000:]}"
            try:
                urllib.request.urlopen(f"{base}api/status?token={token}", timeout=5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, f"JupyterLab did not start:\n{log_path.read_text()[-3000:]}"
                time.sleep(0.5)
        yield base, token
    finally:
        stop_server(proc)


def test_in_jupyterlab_the_panel_keeps_its_keys_from_the_notebook(launch_chromium, review_db, jupyterlab, tmp_path):
    """'a' and 'b' insert cells in JupyterLab's command mode; pressed in the panel they decide flags instead."""
    import nbformat
    from playwright.sync_api import expect, sync_playwright

    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    nb.cells = [nbformat.v4.new_code_cell(f"from record_audit.widgets import ReviewPanel\n"
                                          f"ReviewPanel({str(review_db)!r}, 'jo')")]
    nbformat.write(nb, tmp_path / "review.ipynb")
    base, token = jupyterlab
    errors = []
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{base}lab/tree/review.ipynb?token={token}")
            page.wait_for_function("window.jupyterapp && document.querySelector('.jp-Notebook .jp-Cell')",
                                   timeout=90_000)
            page.wait_for_function("window.jupyterapp.shell.currentWidget?.sessionContext?.session?.kernel",
                                   timeout=60_000)
            page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
            page.wait_for_selector(".ra-review .ra-card[data-label]", timeout=90_000)
            cells = page.locator(".jp-Notebook .jp-Cell")
            expect(cells).to_have_count(1)
            page.locator(".ra-text").click()
            message = page.locator(".ra-message")
            page.keyboard.press("a")
            expect(message).to_contain_text("Saved: Accept", timeout=10_000)
            page.keyboard.press("b")  # not a panel key: it says so, and JupyterLab adds no cell
            expect(message).to_contain_text("[E188]", timeout=10_000)
            page.keyboard.press("r")
            page.keyboard.press("4")
            expect(message).to_contain_text("Saved: Reject · Hypothetical", timeout=10_000)
            page.keyboard.press("z")
            expect(message).to_contain_text("Undone", timeout=10_000)
            expect(cells).to_have_count(1)
            # the same key outside the panel, in command mode, is JupyterLab's: this setup would show a leak
            page.locator(".jp-Cell .jp-InputArea-editor").first.click()  # edit mode in the cell,
            page.keyboard.press("Escape")  # then command mode
            page.keyboard.press("b")
            expect(cells).to_have_count(2, timeout=10_000)
        finally:
            browser.close()
    assert errors == []
    events = [(e["reviewer"], e["decision"], e["reason"]) for e in ReviewStore(review_db).events()]
    assert events == [("jo", "accept", None), ("jo", "reject", "hypothetical"), ("jo", "undo", None)]
