"""``Downloads``: files built on demand and delivered by the browser, not written on the server.

In the review app (and in JupyterLab) a click on "QA report", "Workbook" or "Decisions"
builds the file in Python (``record_audit.exports``) and sends its bytes to the browser,
which saves it like any download: it lands on the reviewer's machine, in their downloads
folder, never in the folder the server runs in. An anywidget: the bytes travel in the
widget's own message, so the page needs no file URL and no extra server route.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

import anywidget
import traitlets as t

from .. import exports
from ..errors import Errors, InputError
from ..store.review import ReviewStore

STATIC = Path(__file__).resolve().parent / "static"
# name -> (button text, file stem, suffix, builder)
FILES = {
    "report": ("QA report (HTML)", "qa_report", "html", exports.report_bytes),
    "workbook": ("Workbook (XLSX)", "qa_workbook", "xlsx", exports.workbook_bytes),
    "decisions_csv": ("Review decisions (CSV)", "review_decisions", "csv",
                      lambda review: exports.decisions_bytes(review, "csv")),
    "decisions_xlsx": ("Review decisions (XLSX)", "review_decisions", "xlsx",
                       lambda review: exports.decisions_bytes(review, "xlsx")),
}


class Downloads(anywidget.AnyWidget):
    """Buttons that download the QA report, the workbook and the review decisions."""

    _esm = STATIC / "downloads.js"
    _css = STATIC / "downloads.css"

    buttons = t.List().tag(sync=True)   # [name, text]
    status = t.Dict().tag(sync=True)    # {text, kind}

    def __init__(self, store: ReviewStore | str | Path, names: tuple[str, ...] = tuple(FILES)) -> None:
        self.store = store if isinstance(store, ReviewStore) else ReviewStore(store)
        unknown = [n for n in names if n not in FILES]
        if unknown:
            raise InputError(Errors.E189.format(name=unknown[0], known=", ".join(FILES)))
        super().__init__(buttons=[[n, FILES[n][0]] for n in names], status={})
        self.on_msg(self._on_message)

    def build(self, name: str) -> tuple[str, str, bytes]:
        """The file ``name`` as (file name, media type, bytes), built from the store now."""
        if name not in FILES:
            raise InputError(Errors.E189.format(name=name, known=", ".join(FILES)))
        _, stem, suffix, builder = FILES[name]
        data = builder(self.store)
        return f"{stem}_{date.today().isoformat()}.{suffix}", exports.MEDIA_TYPES[suffix], data

    def download(self, name: str) -> str:
        """Build ``name`` and send it to the browser to save; return the file name."""
        self.status = {"text": f"Preparing {FILES[name][0] if name in FILES else name}…", "kind": "info"}
        try:
            filename, media_type, data = self.build(name)
        except Exception as err:  # noqa: BLE001 - shown on the panel, then re-raised for the log
            self.status = {"text": f"Not built: {type(err).__name__}: {err}", "kind": "error"}
            raise
        self.send({"type": "file", "name": name, "filename": filename, "media_type": media_type}, buffers=[data])
        self.status = {"text": f"{filename} ({len(data) / 1024:.0f} KB) sent to your browser's downloads.",
                       "kind": "ok"}
        return filename

    def _on_message(self, _widget, content: dict, _buffers) -> None:
        if content.get("type") == "download":
            self.download(str(content.get("name", "")))
