"""Debian's Chromium for the browser tests: found, launched and watched one way everywhere."""
from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def chromium_path() -> str:
    """The chromium executable; a clear failure (never a skip) when it is missing."""
    path = shutil.which("chromium")
    assert path, "Debian's chromium is missing: `make browser` (run by `make test`) installs it"
    return path


def launch(playwright):
    """Launch Debian's chromium (Playwright cannot download its own browser here)."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)


def watch(page) -> tuple[list[str], list[str]]:
    """Collect the page's console errors and page errors, and every URL it requests."""
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    return errors, requests


@contextmanager
def offline_page(path: Path):
    """Open a local file in chromium and yield its page; after the block, assert that the page
    raised no error and requested nothing beyond local files."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = launch(p)
        try:
            page = browser.new_page()
            errors, requests = watch(page)
            page.goto(path.as_uri())
            page.wait_for_load_state("load")
            yield page
        finally:
            browser.close()
    assert errors == []
    assert [u for u in requests if not u.startswith("file://")] == []
