"""Debian's Chromium for the browser tests: found, launched and watched one way everywhere."""
from __future__ import annotations

import shutil

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
