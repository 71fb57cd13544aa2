"""SummaryDashboard driven like a QA lead: click bars, rates and cells, toggle views, export."""
from __future__ import annotations

import csv

import pytest

from record_audit import taxonomy
from record_audit.report.summary import group_summaries, sample_summary
from record_audit.store.review import ReviewStore
from record_audit.widgets import SummaryDashboard
from record_audit.widgets.dashboard import as_raw


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory, reviewed_samples_db, copy_store):
    """The gold-reviewed samples, one copy for this module; the tests only read it."""
    review = ReviewStore(copy_store(reviewed_samples_db, tmp_path_factory.mktemp("dashboard") / "reviewed.sqlite"))
    yield review
    review.close()


@pytest.fixture
def dashboard(reviewed, tmp_path):
    return SummaryDashboard(reviewed, out_dir=tmp_path / "exports")


@pytest.fixture
def unreviewed(tmp_path, audited_samples, copy_store):
    review = ReviewStore(copy_store(audited_samples, tmp_path / "unreviewed.sqlite"))
    yield review
    review.close()


def level_ids(records, level: str) -> list[str]:
    return [r.record_id for r in records if r.indicators.dv_present and r.placement.level == level]


def test_bars_show_the_sample_distribution_in_both_views(dashboard, reviewed):
    summary = sample_summary(reviewed.records(), reviewed.rubric)
    for view in ("level", "raw_level"):
        dashboard.view.value = view
        shown = {level: int(dashboard.bars[level].description) for level in taxonomy.RECORD_LEVELS}
        assert shown == {level: cell["count"] for level, cell in summary["distribution"][view].items()}
    assert int(dashboard.bars[taxonomy.NOT_APPLICABLE].description) == summary["not_applicable"]
    # the gold-reviewed samples moved records up to Competence: the two views differ
    dist = summary["distribution"]
    assert dist["level"]["Competence"]["count"] > dist["raw_level"]["Competence"]["count"]


def test_first_on_screen_is_the_proficiency_verdict_with_its_reasons(dashboard):
    header = dashboard.header.value
    assert "54 records audited" in header and "describe DV" in header
    assert "Meets Proficiency: no" in header
    assert "at Competence (needs at least 90%)" in header and "at Destructiveness (needs at most 0)" in header
    assert dashboard.children[0] is dashboard.header


def test_clicking_a_bar_lists_exactly_its_records_with_rationale_and_evidence(dashboard, reviewed):
    records = reviewed.records()
    for level in taxonomy.RECORD_LEVELS:
        expected = level_ids(records, level)
        dashboard.bars[level].click()
        assert dashboard.selected_ids == expected, level
        assert f"{len(expected)} record(s)" in dashboard.detail.value
    dashboard.bars["Competence"].click()
    detail = dashboard.detail.value
    first = next(r for r in records if r.record_id == dashboard.selected_ids[0])
    assert "Why this level:" in detail and "&#x27;" in detail  # the rationale, escaped ("perpetrator's")
    assert "<mark" in detail  # evidence spans highlighted
    evidence = first.placement.evidence[0]
    note = next(n for n in reviewed.store.notes(first.record_id) if n["note_id"] == evidence.note_id)
    assert evidence.note_id in detail
    assert note["text"][evidence.start:evidence.end].split()[0] in detail


def test_not_applicable_bar_lists_the_records_without_dv(dashboard, reviewed):
    dashboard.bars[taxonomy.NOT_APPLICABLE].click()
    expected = [r.record_id for r in reviewed.records() if r.placement.level == taxonomy.NOT_APPLICABLE]
    assert dashboard.selected_ids == expected and expected


def test_every_record_sits_in_exactly_one_bar_even_after_an_override(unreviewed, tmp_path):
    no_dv = next(r for r in unreviewed.records() if not r.indicators.dv_present)
    unreviewed.override_level("qa_lead", no_dv.record_id, "Competence", "DV named in the court bundle")
    dash = SummaryDashboard(unreviewed, out_dir=tmp_path)
    summary = sample_summary(unreviewed.records(), unreviewed.rubric)
    for view in ("level", "raw_level"):
        dash.view.value = view
        listed = []
        for level, bar in dash.bars.items():
            listed += dash.select_level(level)
            assert len(dash.selected_ids) == int(bar.description)
        assert sorted(listed) == sorted(r.record_id for r in unreviewed.records())
    dash.view.value = "level"
    assert int(dash.bars["Competence"].description) == summary["distribution"]["level"]["Competence"]["count"]
    assert no_dv.record_id in dash.select_level(taxonomy.NOT_APPLICABLE)


def test_pipeline_view_lists_records_by_raw_level_and_follows_the_toggle(dashboard, reviewed):
    records = reviewed.records()
    dashboard.bars["Competence"].click()
    reviewed_ids = dashboard.selected_ids
    dashboard.view.value = "raw_level"  # the open selection is listed again in the new view
    raw_ids = level_ids([as_raw(r) for r in records], "Competence")
    assert dashboard.selected_ids == raw_ids != reviewed_ids
    assert "pipeline levels" in dashboard.detail.value
    assert int(dashboard.bars["Competence"].description) == len(raw_ids)


def test_reviewed_bar_notes_say_what_the_pipeline_had(dashboard, reviewed):
    summary = sample_summary(reviewed.records(), reviewed.rubric)
    raw = summary["distribution"]["raw_level"]["Competence"]["count"]
    assert f"before review {raw}" in dashboard.bar_notes["Competence"].value


def test_rate_buttons_show_the_indicator_rates_and_list_their_records(dashboard, reviewed):
    summary = sample_summary(reviewed.records(), reviewed.rubric)
    assert set(dashboard.rate_buttons) == set(summary["indicator_rates"])
    for name, rate in summary["indicator_rates"].items():
        assert dashboard.rate_buttons[name].description == f"{100 * rate:.0f}%"
        if dashboard.rate_buttons[name].disabled:
            assert rate == 0
            continue
        dashboard.rate_buttons[name].click()
        assert len(dashboard.selected_ids) / summary["dv_records"] == pytest.approx(rate, abs=1e-4), name
    dashboard.rate_buttons["father_absent_record"].click()
    by_id = {r.record_id: r for r in reviewed.records()}
    assert all(by_id[i].indicators.father_absent_record for i in dashboard.selected_ids)


@pytest.mark.parametrize("by", ["team", "worker"])
def test_cells_add_up_to_the_bars_and_list_their_group_and_level(dashboard, reviewed, by):
    dashboard.breakdown.value = by
    records = reviewed.records()
    groups = [g["group"] for g in group_summaries(records, reviewed.rubric, by)]
    assert {g for g, _ in dashboard.cells} == set(groups)
    for level in (*taxonomy.RECORD_LEVELS, taxonomy.NOT_APPLICABLE):
        total = sum(int(dashboard.cells[g, level].description) for g in groups
                    if not dashboard.cells[g, level].disabled)
        assert total == int(dashboard.bars[level].description), (by, level)
    group, level = next(k for k, cell in dashboard.cells.items() if not cell.disabled and k[1] == "Blindness")
    dashboard.cells[group, level].click()
    expected = [r.record_id for r in records if (getattr(r, by) or "(none)") == group
                and r.indicators.dv_present and r.placement.level == level]
    assert dashboard.selected_ids == expected and expected


def test_changed_button_lists_the_records_review_moved(dashboard, reviewed):
    moved = {r.record_id: r for r in reviewed.records() if r.placement.level != r.raw.placement.level}
    assert moved and not dashboard.changed_button.disabled
    dashboard.changed_button.click()
    assert set(dashboard.selected_ids) == set(moved)
    rec = next(iter(moved.values()))
    assert f"pipeline {rec.raw.placement.level} → reviewed {rec.placement.level}" in dashboard.detail.value


def test_unreviewed_store_shows_no_changes_and_reload_picks_up_an_override(unreviewed, tmp_path):
    dash = SummaryDashboard(unreviewed, out_dir=tmp_path)
    assert dash.changed_button.disabled and "0 with QA review decisions" in dash.header.value
    before = dash.select_level("Competence")
    target = next(r for r in unreviewed.records() if r.placement.level == "Blindness")
    unreviewed.override_level("qa_lead", target.record_id, "Competence", "names his pattern in the court report")
    dash.reload_button.click()
    assert int(dash.bars["Competence"].description) == len(before) + 1
    assert dash.selected_ids == sorted([*before, target.record_id])  # the open list is read again too
    assert "1 overridden" in dash.header.value
    dash.changed_button.click()
    assert dash.selected_ids == [target.record_id]
    assert "Override reason:</b> names his pattern in the court report" in dash.detail.value
    dash.view.value = "raw_level"  # the pipeline's own reason, and the override beside it
    assert "Overridden after review:</b> names his pattern in the court report" in dash.detail.value


def test_exports_write_the_report_and_workbook_where_asked(dashboard, tmp_path):
    from openpyxl import load_workbook

    folder = tmp_path / "new" / "folder"
    dashboard.folder.value = str(folder)
    dashboard.report_button.click()
    report = folder / "qa_report.html"
    assert report.exists() and str(report) in dashboard.message.value
    assert "Content-Security-Policy" in report.read_text(encoding="utf-8")
    dashboard.workbook_button.click()
    workbook = folder / "qa_workbook.xlsx"
    assert str(workbook) in dashboard.message.value
    assert load_workbook(workbook).sheetnames == ["records", "indicators", "by_team", "by_worker", "evidence"]
    assert sorted(p.name for p in folder.iterdir()) == ["qa_report.html", "qa_workbook.xlsx"]  # no .partial


def test_export_failure_shows_on_the_panel(dashboard, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    dashboard.folder.value = str(blocker)
    dashboard.workbook_button.click()  # ipywidgets logs the exception; the lead sees the message
    assert "Not saved" in dashboard.message.value and "a_file" in dashboard.message.value


HOSTILE = [
    ("R1", 'Mother was pushed during a domestic dispute <script>alert("x")</script>. '
           'Mother failed to protect the kids <img src=x onerror=alert(1)> from the violence.', "<b>North</b>"),
    ("R2", "School attendance good. No DV concerns.", "South & <i>East</i>"),
]


def test_note_text_and_names_in_the_drill_down_are_escaped(tmp_path, audit_notes):
    notes = tmp_path / "notes.csv"
    with open(notes, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["record_id", "text", "team", "author"])
        writer.writerows([rid, text, team, "<u>W1</u>"] for rid, text, team in HOSTILE)
    dash = SummaryDashboard(audit_notes(notes, tmp_path / "hostile.sqlite"), out_dir=tmp_path)
    level = next(lv for lv in taxonomy.RECORD_LEVELS if not dash.bars[lv].disabled)
    dash.bars[level].click()
    assert dash.selected_ids == ["R1"]
    shown = dash.detail.value + "".join(getattr(c, "value", "") for c in dash.grid.children)
    for raw in ("<script", "<img", "<b>North", "<u>W1", "<i>East"):
        assert raw not in shown, raw
    assert "&lt;b&gt;North&lt;/b&gt;" in shown and "&lt;u&gt;W1&lt;/u&gt;" in shown
    # the evidence sentence that holds markup is listed, the markup as text
    assert "&lt;img src=x onerror=alert(1)&gt; from the violence." in dash.detail.value
    dash.close()
