"""Files a reviewer or a QA lead takes away: the decision log, the QA report, the workbook.

``decisions_bytes(review, fmt)`` renders every decision event (``ReviewStore.events()``) as
CSV, JSON Lines or an XLSX workbook, and ``write_decisions`` writes it through ``files.py``
(``record-audit review export``). ``report_bytes`` and ``workbook_bytes`` build the QA report
and the workbook exactly as ``record-audit report`` and ``summary --format xlsx`` write them,
for a download in the browser: the report is built in memory, the workbook passes through a
private temporary folder (removed at once), never the server's working folder.

Every export holds note text (the sentence and the flagged words): it is case data.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from .errors import Errors, InputError
from .files import temporary_folder, write_atomic
from .store.review import EVENT_COLUMNS, ReviewStore

FORMATS: tuple[str, ...] = ("csv", "xlsx", "jsonl")
MEDIA_TYPES = {
    "csv": "text/csv", "jsonl": "application/x-ndjson", "html": "text/html",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# the workbook's headers, for people; CSV and JSON Lines keep the column names as data
HEADERS: dict[str, str] = {
    "decision_id": "Event", "created_at": "Time (UTC)", "reviewer": "Reviewer", "kind": "Kind",
    "record_id": "Record", "team": "Team", "worker": "Worker", "note_id": "Note", "sentence_index": "Sentence no.",
    "sentence": "Sentence", "flag_label": "Label (id)", "flag_label_name": "Label", "flag_source": "Source (id)",
    "flag_source_name": "Source", "rule_id": "Rule", "flag_start": "Flag start", "flag_end": "Flag end",
    "flag_text": "Flagged words", "decision": "Decision (id)", "decision_name": "Decision", "reason": "Reason (id)",
    "reason_name": "Reason", "new_label": "New label (id)", "new_label_name": "New label", "comment": "Comment",
    "teaching_example": "Teaching example", "undoes": "Takes back event", "undone_by": "Taken back by event",
}
WIDE = {"sentence": 80, "comment": 40, "flag_text": 30}
# free text a spreadsheet would read as a formula when it opens a CSV (OWASP's CSV injection):
# such a cell is written with a leading apostrophe, which spreadsheets show as text
FREE_TEXT = ("sentence", "flag_text", "comment", "reviewer", "record_id", "team", "worker", "note_id")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _as_text_cell(value):
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def decision_rows(review: ReviewStore) -> list[dict]:
    """Every decision event, oldest first, in ``EVENT_COLUMNS`` order."""
    return review.events()


def decisions_bytes(review: ReviewStore, fmt: str) -> bytes:
    """Every decision event as a CSV, JSON Lines or XLSX file's bytes."""
    if fmt not in FORMATS:
        raise InputError(Errors.E181.format(fmt=fmt, known=", ".join(FORMATS)))
    rows = decision_rows(review)
    if fmt == "jsonl":
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode("utf-8")
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=EVENT_COLUMNS)
        writer.writeheader()
        writer.writerows({**row, **{c: _as_text_cell(row[c]) for c in FREE_TEXT if c in row},
                          "teaching_example": int(row["teaching_example"])} for row in rows)
        return buffer.getvalue().encode("utf-8")
    return _xlsx(rows)


def _xlsx(rows: list[dict]) -> bytes:
    """One sheet, readable headers, the header row frozen and filterable, columns sized to fit."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "decisions"
    sheet.append([HEADERS[c] for c in EVENT_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([("yes" if row[c] else "no") if c == "teaching_example" else row[c] for c in EVENT_COLUMNS])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, as typed: openpyxl would store it as a formula for Excel to run
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(EVENT_COLUMNS))}{max(len(rows) + 1, 2)}"
    for i, column in enumerate(EVENT_COLUMNS, start=1):
        longest = max([len(HEADERS[column]), *(len(str(r[column] or "")) for r in rows[:500])])
        sheet.column_dimensions[get_column_letter(i)].width = min(max(longest + 2, 8), WIDE.get(column, 24))
    for cells in sheet.iter_rows(min_row=2, min_col=EVENT_COLUMNS.index("sentence") + 1,
                                 max_col=EVENT_COLUMNS.index("sentence") + 1):
        for cell in cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_decisions(review: ReviewStore, path: str | Path, fmt: str) -> Path:
    """Write every decision event to ``path`` (through ``path.partial``); return the path."""
    path = Path(path)
    if not path.parent.exists():
        raise InputError(Errors.E182.format(path=path))
    return write_atomic(path, decisions_bytes(review, fmt))


def report_bytes(review: ReviewStore) -> bytes:
    """The self-contained QA report, as ``record-audit report`` writes it."""
    from .report.html import render_report

    return render_report(review.store, review.rubric).encode("utf-8")


def workbook_bytes(review: ReviewStore) -> bytes:
    """The QA workbook, as ``record-audit summary --format xlsx`` writes it."""
    from .report.summary import tables, write_xlsx

    with temporary_folder("record-audit-") as tmp:
        path = tmp / "qa_workbook.xlsx"
        write_xlsx(path, tables(review.store, review.rubric))
        return path.read_bytes()
