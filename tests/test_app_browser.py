"""The dashboard app in a real browser: Voilà on 127.0.0.1, driven by Debian's headless Chromium.

Set ``RECORD_AUDIT_SCREENSHOT=docs/img/dashboard.png`` to keep a copy of the screenshot
for the docs; it always goes to the test's tmp folder.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from record_audit import taxonomy
from record_audit.widgets.dashboard import BAR_NAMES, at_level

# Chromium, and a Voilà server in its own process
pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT_ENV = "RECORD_AUDIT_SCREENSHOT"


@pytest.fixture
def app_url(reviewed_samples, serve_app):
    """The app serving the gold-reviewed samples: its URL and Voilà's log."""
    return serve_app(reviewed_samples.store.path, cwd=ROOT)


def test_dashboard_app_renders_and_a_bar_click_lists_its_records(launch_chromium, app_url, reviewed_samples, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    url, log_path = app_url
    records = reviewed_samples.records()
    competence = [r.record_id for r in records if r.indicators.dv_present and r.placement.level == "Competence"]
    raw_competence = [r.record_id for r in records
                      if r.raw.indicators.dv_present and r.raw.placement.level == "Competence"]
    elsewhere = next(r.record_id for r in records if r.placement.level == "Destructiveness")
    assert competence and raw_competence != competence  # the review moved records: the toggle shows it
    worker = sorted({r.worker for r in records})[-1]
    ordered = [*taxonomy.RECORD_LEVELS, taxonomy.NOT_APPLICABLE]
    cell_level = next(lv for lv in ordered if any(r.worker == worker and at_level(r, lv) for r in records))
    cell_ids = [r.record_id for r in records if r.worker == worker and at_level(r, cell_level)]
    raw_cell_ids = [r.record_id for r in records if r.worker == worker and at_level(r.raw, cell_level)]
    cell_level = BAR_NAMES.get(cell_level, cell_level)
    errors, loaded = [], []
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("requestfinished", lambda r: loaded.append(r.url))
            response = page.goto(url)
            assert "default-src 'self'" in response.headers.get("content-security-policy", "")
            try:
                page.wait_for_selector(".ra-dashboard .ra-bar-Competence", timeout=60_000)
            except Exception:
                raise AssertionError(f"no dashboard on the page:\n{page.inner_text('body')[-2000:]}\n"
                                     f"Voilà log:\n{log_path.read_text()[-3000:]}") from None
            assert page.locator(".ra-bar").count() == 6  # five levels and the records not placed
            expect(page.locator(".ra-verdict")).to_contain_text("Meets Proficiency: no")
            bar = page.locator(".ra-bar-Competence")
            expect(bar).to_have_text(str(len(competence)))

            bar.click()
            detail = page.locator(".ra-detail")
            expect(detail).to_contain_text(f"{len(competence)} record(s)", timeout=10_000)
            expect(detail.locator("details.ra-record")).to_have_count(len(competence))
            shown = detail.locator("details.ra-record").evaluate_all("els => els.map(e => e.dataset.record)")
            assert shown == competence
            assert elsewhere not in detail.inner_text()
            expect(detail.locator("mark").first).to_be_visible()  # evidence highlighted
            shot = tmp_path / "dashboard.png"
            page.screenshot(path=str(shot))

            # a cell at the foot of the worker breakdown: its records show beside it, in view
            page.get_by_role("button", name="by worker").click()
            cell = page.locator(f'.ra-cell[title="{worker} · {cell_level}"]')
            cell.click()
            expect(detail).to_contain_text(f"worker {worker} · {cell_level}", timeout=10_000)
            shown = detail.locator("details.ra-record").evaluate_all("els => els.map(e => e.dataset.record)")
            assert shown == cell_ids
            box = detail.bounding_box()
            assert box["y"] < 1000 and box["y"] + box["height"] > 0, box  # not scrolled out of sight

            page.get_by_role("button", name="Pipeline levels").click()  # the open selection follows the toggle
            expect(bar).to_have_text(str(len(raw_competence)), timeout=10_000)
            expect(detail).to_contain_text(f"worker {worker} · {cell_level} · {len(raw_cell_ids)} record(s) · "
                                           "pipeline levels", timeout=10_000)
            shown = detail.locator("details.ra-record").evaluate_all("els => els.map(e => e.dataset.record)")
            assert shown == raw_cell_ids
            bar.click()  # and the Competence bar now lists the pipeline's Competence records
            expect(detail).to_contain_text(f"Competence · {len(raw_competence)} record(s) · pipeline levels",
                                           timeout=10_000)
            expect(detail.locator("details.ra-record")).to_have_count(len(raw_competence))
        finally:
            browser.close()
    assert errors == []
    base = url.split("?")[0]  # the URL carries the token; the page's files come from the same server
    assert [u for u in loaded if not u.startswith(base)] == []  # nothing loaded from outside this machine
    assert shot.stat().st_size > 10_000
    if os.environ.get(SCREENSHOT_ENV):
        shutil.copy(shot, ROOT / os.environ[SCREENSHOT_ENV])
