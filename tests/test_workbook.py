"""The QA workbook a lead can filter: readable headers, frozen header row, autofilter, widths,
percentages as percentages, and an evidence sheet with team, worker, date, label and sentence."""
from __future__ import annotations

import datetime

import pytest
from openpyxl import load_workbook

from record_audit import taxonomy


@pytest.fixture(scope="module")
def workbook(tmp_path_factory, review_notes_db, run_cli):
    out = tmp_path_factory.mktemp("workbook") / "qa.xlsx"
    result = run_cli("summary", "--db", review_notes_db, "--format", "xlsx", "-o", out)
    assert result.exit_code == 0, result.output
    return load_workbook(out)


def headers(sheet) -> list[str]:
    return [c.value for c in sheet[1]]


def column(sheet, title: str) -> list:
    index = headers(sheet).index(title)
    return [row[index] for row in sheet.iter_rows(min_row=2)]


def test_every_sheet_has_a_frozen_filterable_header(workbook):
    assert workbook.sheetnames == ["records", "indicators", "by_team", "by_worker", "evidence"]
    for sheet in workbook:
        assert sheet.freeze_panes == "B2", sheet.title
        assert sheet.auto_filter.ref == sheet.dimensions and sheet.dimensions.startswith("A1:"), sheet.title
        assert all(c.font.bold for c in sheet[1])
        widths = [sheet.column_dimensions[c.column_letter].width for c in sheet[1]]
        assert all(w and w >= 10 for w in widths), sheet.title


def test_headers_and_values_are_readable(workbook):
    records = workbook["records"]
    head = headers(records)
    assert head[:4] == ["Record", "Team", "Worker", "Level"]
    assert "Failure to protect (sentences)" in head and "Tasks on her for each task on him" in head
    assert not [h for h in head if "_" in h]  # no snake_case header anywhere
    for sheet in workbook:
        assert not [h for h in headers(sheet) if "_" in h], sheet.title
    levels = {c.value for c in column(records, "Level")}
    assert levels <= {*taxonomy.RECORD_LEVELS, "No DV (not placed)"} and "No DV (not placed)" not in levels
    why = column(records, "Why this level")
    assert any(c.value.startswith("Placed at Destructiveness: “Failure to protect”") for c in why)


def test_percentages_are_formatted_as_percentages(workbook):
    by_team = workbook["by_team"]
    share = column(by_team, "Destructiveness (share of DV)")
    assert share and all(c.number_format == "0%" for c in share)
    assert all(0 <= c.value <= 1 for c in share)
    rate = column(by_team, "Father never engaged")
    assert all(c.number_format == "0%" for c in rate)
    assert all(c.number_format == "0%" for c in column(workbook["indicators"], "Share of DV records"))
    assert all(c.number_format == "0.0" for c in column(workbook["records"], "Tasks on her for each task on him"))


def test_evidence_sheet_holds_team_worker_date_label_and_sentence(workbook, review_notes):
    evidence = workbook["evidence"]
    assert headers(evidence)[:8] == ["Record", "Team", "Worker", "Date", "Note", "Level", "Label", "Sentence"]
    rows = list(evidence.iter_rows(min_row=2, values_only=True))
    assert rows
    texts = " ".join(text for _, text in review_notes)
    for rid, team, worker, date, note, level, label, sentence, words, rule in rows:
        assert team == "North" and sentence in texts and words in sentence
        assert label in taxonomy.DISPLAY_NAMES.values() and "_" not in label
        assert date is None or isinstance(date, datetime.datetime)
    assert ("R1", "Failure to protect", "Mother failed to protect the children.") in {
        (r[0], r[6], r[7]) for r in rows}
    assert all(c.alignment.wrap_text for c in column(evidence, "Sentence"))


def test_the_csv_keeps_its_machine_headers(review_notes_db, tmp_path, run_cli):
    """CONTRACT §5's CSV is for scripts: only the workbook is renamed for people."""
    out = tmp_path / "summary.csv"
    assert run_cli("summary", "--db", review_notes_db, "--format", "csv", "-o", out).exit_code == 0
    assert out.read_text().splitlines()[0].startswith("record_id,team,worker,level")


def test_evidence_dates_are_dates_a_lead_can_filter(audited_samples, tmp_path):
    from record_audit.continuum import Rubric
    from record_audit.report.summary import write_workbook
    from record_audit.store import AuditStore

    with AuditStore(audited_samples) as store:
        path = write_workbook(tmp_path / "qa.xlsx", store, Rubric.load())
    evidence = load_workbook(path)["evidence"]
    dates = column(evidence, "Date")
    assert len(dates) > 100 and all(isinstance(c.value, datetime.datetime) for c in dates)
    assert all(c.number_format == "yyyy-mm-dd" for c in dates)
    # a team without DV records (the samples' Intake West): its shares of DV records are empty, not 0%
    teams = load_workbook(path)["by_team"]
    heads = headers(teams)
    shares = [i for i, h in enumerate(heads) if teams.cell(2, i + 1).number_format == "0%"]
    no_dv = [row for row in teams.iter_rows(min_row=2, values_only=True) if row[heads.index("DV records")] == 0]
    assert no_dv and len(shares) >= 10
    assert all(row[i] is None for row in no_dv for i in shares)
