"""Take the documentation's screenshots: docs/img/dashboard.png and docs/img/gallery.png.

    .venv/bin/python scripts/screenshots.py [--db out/audit.sqlite]

Each panel is served alone by Voilà on 127.0.0.1 (``python -m record_audit.app --notebook``),
with simulated decisions on a copy of the store (``store.simulated``: the samples' gold
annotation), and photographed by Debian's headless Chromium through Playwright. The store
itself is never written. Look at the pictures before committing them.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
PANELS = {
    "dashboard": ("from record_audit.widgets import SummaryDashboard\n"
                  "SummaryDashboard(ReviewStore(DB))", ".ra-dashboard .ra-bar-Competence"),
    "gallery": ("from record_audit.gallery import Gallery\nfrom record_audit.widgets import TrainerGallery\n"
                "TrainerGallery(Gallery(ReviewStore(DB)), 'Tess (trainer)', folder='out/handouts')",  # nothing exported
                "text=How to write it instead"),
}


def notebook(path: Path, db: Path, code: str) -> Path:
    setup = (f"from pathlib import Path\nfrom record_audit.store.review import ReviewStore\n"
             f"DB = Path({str(db)!r})\nOUT = Path({str(db.parent)!r})\n")
    nbformat.write(new_notebook(cells=[new_code_cell(setup + code)]), path)
    return path


def serve(nb: Path, log: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with open(log, "w") as sink:  # the child keeps its own copy of the descriptor
        proc = subprocess.Popen([sys.executable, "-m", "record_audit.app", "--port", str(port), "--notebook", str(nb)],
                                cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        found = re.search(r"(http://127\.0\.0\.1:\d+/)\s*$", log.read_text(), re.MULTILINE)
        if found:
            return proc, found.group(1)
        time.sleep(0.3)
    raise RuntimeError(f"Voilà did not start:\n{log.read_text()[-2000:]}")


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=str(ROOT / "out" / "audit.sqlite"), help="audit store (default out/audit.sqlite)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "img"), help="folder for the pictures")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from record_audit.store.simulated import simulated_copy

    work = Path(tempfile.mkdtemp(prefix="ra-shots-"))
    review, counts = simulated_copy(args.db, work / "screenshots_demo.sqlite")
    review.close()
    print(f"simulated decisions on a copy: {dict(counts)}")
    for name, (code, ready) in PANELS.items():
        proc, url = serve(notebook(work / f"{name}.ipynb", work / "screenshots_demo.sqlite", code), work / f"{name}.log")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": 1400, "height": 1000 if name == "dashboard" else 760})
                page.goto(url)
                page.wait_for_selector(ready, timeout=120_000)
                if name == "dashboard":
                    page.locator(".ra-bar-Competence").click()
                    page.wait_for_selector(".ra-detail details.ra-record", timeout=20_000)
                time.sleep(1)
                target = Path(args.out) / f"{name}.png"
                page.screenshot(path=str(target))
                browser.close()
            print(f"{target} written")
        finally:
            stop(proc)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
