"""Exports that reach the user: ``record-audit review export`` and the app's download buttons."""
from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest

from record_audit import taxonomy
from record_audit.errors import InputError
from record_audit.store.review import EVENT_COLUMNS, ReviewStore
from record_audit.widgets import Downloads


@pytest.fixture
def decided(review_db):
    """A store with an accept (comment, teaching mark), a reject, a relabel, an undo and an add."""
    review = ReviewStore(review_db)
    items = review.queue("ana")
    review.decide("ana", items[0].key, "accept", comment="=HYPERLINK(\"x\") <b>keep</b>", teaching_example=True)
    review.decide("ana", items[1].key, "reject", reason="reported")
    new_label = "minimized" if items[2].key.label != "minimized" else "mutualized"
    review.decide("bo", items[2].key, "relabel", new_label=new_label)
    review.undo("bo")
    review.add("ana", items[3].key.record_id, items[3].key.note_id, 0, "survivor_strengths")
    review.close()
    return review_db


def test_every_event_in_each_format_with_its_sentence(decided, tmp_path, run_cli):
    out = {}
    for fmt in ("csv", "jsonl", "xlsx"):
        path = tmp_path / f"decisions.{fmt}"
        result = run_cli("review", "export", "--db", decided, "--format", fmt, "-o", path)
        assert result.exit_code == 0, result.output
        assert f"5 decision event(s) written to {path}" in result.stderr
        assert path.stat().st_mode & 0o777 == 0o600  # case data: owner-only, like every output
        out[fmt] = path
    rows = [json.loads(line) for line in out["jsonl"].read_text(encoding="utf-8").splitlines()]
    assert list(rows[0]) == list(EVENT_COLUMNS)
    assert [(r["reviewer"], r["decision"]) for r in rows] == [
        ("ana", "accept"), ("ana", "reject"), ("bo", "relabel"), ("bo", "undo"), ("ana", "add")]
    accept, reject, relabel, undo, add = rows
    assert accept["teaching_example"] is True and accept["comment"].startswith("=HYPERLINK")
    assert accept["flag_text"] and accept["flag_text"] in accept["sentence"] and accept["team"] == "North"
    assert accept["flag_label_name"] == taxonomy.display_name(accept["flag_label"]) and accept["rule_id"]
    assert (reject["reason"], reject["reason_name"]) == ("reported", "Someone else's words")
    assert relabel["new_label_name"] == taxonomy.display_name(relabel["new_label"]) != relabel["new_label"]
    assert relabel["undone_by"] == undo["decision_id"]
    assert undo["undoes"] == relabel["decision_id"]
    assert add["flag_source_name"] == "Added by a reviewer" and add["rule_id"] == "review_add" and add["sentence"]

    with open(out["csv"], newline="", encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    assert [r["decision"] for r in table] == [r["decision"] for r in rows]
    assert table[0]["sentence"] == accept["sentence"] and table[0]["teaching_example"] == "1"
    assert table[0]["comment"] == "'" + accept["comment"]  # a spreadsheet shows it as text, never runs it

    from openpyxl import load_workbook
    sheet = load_workbook(out["xlsx"]).active
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:AB{len(rows) + 1}"
    headers = [c.value for c in sheet[1]]
    assert "Sentence" in headers and "Reason" in headers and "decision_id" not in headers
    comment = sheet.cell(row=2, column=headers.index("Comment") + 1)
    assert comment.data_type == "s" and comment.value == accept["comment"]  # text, never a formula to run


def test_export_refuses_a_missing_folder_or_store_and_an_unknown_format(decided, tmp_path, run_cli):
    result = run_cli("review", "export", "--db", decided, "-o", tmp_path / "no" / "such.csv")
    assert result.exit_code == 2 and "[E182]" in result.output
    result = run_cli("review", "export", "--db", tmp_path / "none.sqlite", "-o", tmp_path / "x.csv")
    assert result.exit_code == 2 and "[E035]" in result.output
    result = run_cli("review", "export", "--db", decided, "--format", "xml", "-o", tmp_path / "x.xml")
    assert result.exit_code == 2
    from record_audit.exports import decisions_bytes
    with pytest.raises(InputError, match="E181"):
        decisions_bytes(ReviewStore(decided), "xml")


def test_downloads_build_the_files_and_send_them_to_the_browser(decided, tmp_path, monkeypatch):
    served_from = tmp_path / "server"
    served_from.mkdir()
    monkeypatch.chdir(served_from)  # nothing is written where the server runs
    panel = Downloads(str(decided))
    assert [b[0] for b in panel.buttons] == ["report", "workbook", "decisions_csv", "decisions_xlsx"]
    sent = []
    monkeypatch.setattr(panel, "send", lambda content, buffers=None: sent.append((content, buffers)))
    for name in ("report", "workbook", "decisions_csv", "decisions_xlsx"):
        panel._on_message(panel, {"type": "download", "name": name}, [])
        assert panel.status["kind"] == "ok" and "sent to your browser" in panel.status["text"]
    names = [content["filename"] for content, _ in sent]
    assert [n.rsplit(".", 1)[1] for n in names] == ["html", "xlsx", "csv", "xlsx"]
    report, workbook, decisions, _ = (buffers[0] for _, buffers in sent)
    assert report.startswith(b"<!DOCTYPE html") or b"<html" in report[:500]
    assert zipfile.ZipFile(io.BytesIO(workbook)).namelist()
    assert len(list(csv.DictReader(io.StringIO(decisions.decode("utf-8"))))) == 5
    assert list(served_from.iterdir()) == []
    with pytest.raises(InputError, match="E189"):
        Downloads(str(decided), names=("pdf",))
