"""Record, sample and group summaries of an audit store (CONTRACT section 5), and their CSV and XLSX tables."""
from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from pathlib import Path

from .. import taxonomy
from ..continuum import Rubric, summarize_sample
from ..files import replacing
from ..store import AuditStore
from ..store.review import ReviewedRecord, ReviewStore


def record_summary(rec: ReviewedRecord) -> dict:
    """One record's CONTRACT section 5 object: the reviewed view, with the raw level beside it."""
    return {
        "record_id": rec.record_id, "team": rec.team, "worker": rec.worker,
        "level": rec.placement.level, "raw_level": rec.raw.placement.level,
        "level_source": rec.placement.level_source, "override_reason": rec.override_reason,
        "rule_id": rec.placement.rule_id,
        "indicators": rec.indicators.to_dict(),
        "label_counts": dict(rec.indicators.label_counts),
        "evidence": [e.to_dict() for e in rec.placement.evidence],
    }


def sample_summary(records: list[ReviewedRecord], rubric: Rubric) -> dict:
    """The sample's distribution (by raw_level and by level), indicator rates, Proficiency."""
    placements = [r.placement for r in records]
    indicators = [r.indicators for r in records]
    by_level = summarize_sample(placements, indicators, rubric)
    raw = summarize_sample([r.raw.placement for r in records], [r.raw.indicators for r in records], rubric)
    return {"records": by_level["records"], "dv_records": by_level["dv_records"],
            "not_applicable": sum(1 for p in placements if p.level == taxonomy.NOT_APPLICABLE),
            "distribution": {"raw_level": raw["distribution"], "level": by_level["distribution"]},
            "indicator_rates": by_level["indicator_rates"],
            "meets_proficiency": by_level["meets_proficiency"]}


def group_summaries(records: list[ReviewedRecord], rubric: Rubric, by: str) -> list[dict]:
    groups: dict[str, list[ReviewedRecord]] = defaultdict(list)
    for rec in records:
        groups[getattr(rec, by) or "(none)"].append(rec)
    return [{"group": name, **sample_summary(members, rubric)} for name, members in sorted(groups.items())]


def reviewed_records(store: AuditStore, rubric: Rubric) -> list[ReviewedRecord]:
    """Every record of the store in its reviewed view (``ReviewStore.records()``)."""
    return ReviewStore(store, rubric=rubric).records()


def summarize(store: AuditStore, rubric: Rubric, *, scope: str = "record", by: str | None = None):
    """Record summaries, the sample summary (``scope='sample'``), or one per team or worker (``by``)."""
    records = reviewed_records(store, rubric)
    if by:
        return group_summaries(records, rubric, by)
    if scope == "sample":
        return sample_summary(records, rubric)
    return [record_summary(r) for r in records]


# -- flat tables for CSV and XLSX -----------------------------------------------------------
def _flat_record(row: dict) -> dict:
    flat = {k: row[k] for k in ("record_id", "team", "worker", "level", "raw_level", "level_source",
                                "override_reason", "rule_id")}
    for key, value in row["indicators"].items():
        flat[key] = ";".join(value) if isinstance(value, list) else value
    for label in taxonomy.LABELS:
        flat[f"count_{label}"] = row["label_counts"].get(label, 0)
    return flat


def _flat_group(row: dict) -> dict:
    flat = {k: row[k] for k in ("records", "dv_records", "not_applicable", "meets_proficiency")}
    if "group" in row:
        flat = {"group": row["group"], **flat}
    for level, cell in row["distribution"]["level"].items():
        flat[f"{level}_count"] = cell["count"]
        flat[f"{level}_share"] = cell["share"]
    flat.update({f"rate_{k}": v for k, v in row["indicator_rates"].items()})
    return flat


def _evidence_rows(records: list[dict]) -> list[dict]:
    return [{"record_id": r["record_id"], "level": r["level"], **e} for r in records for e in r["evidence"]]


def tables(store: AuditStore, rubric: Rubric) -> dict[str, list[dict]]:
    """Every view as a list of flat rows: records, indicators, by_team, by_worker, evidence."""
    stored = reviewed_records(store, rubric)
    records = [record_summary(r) for r in stored]
    return {
        "records": [_flat_record(r) for r in records],
        "indicators": [{"scope": "sample", **_flat_group(sample_summary(stored, rubric))}],
        "by_team": [_flat_group(g) for g in group_summaries(stored, rubric, "team")],
        "by_worker": [_flat_group(g) for g in group_summaries(stored, rubric, "worker")],
        "evidence": _evidence_rows(records),
    }


def to_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    if rows:
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return buffer.getvalue()


def write_xlsx(path: Path, sheets: dict[str, list[dict]]) -> None:
    """Write flat rows as plain sheets (the QA workbook is ``write_workbook``)."""
    import pandas as pd
    with replacing(path) as partial, pd.ExcelWriter(partial, engine="openpyxl") as writer:
        for name, rows in sheets.items():
            pd.DataFrame(rows).to_excel(writer, sheet_name=name, index=False)


def render(data, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    rows = data if isinstance(data, list) else [data]
    flat = [_flat_record(r) if "indicators" in r else _flat_group(r) for r in rows]
    return to_csv(flat)


# -- the workbook a QA lead filters ---------------------------------------------------------
LEVEL_SOURCE_NAMES = {"rubric": "Rubric", "reviewed": "QA review", "override": "QA lead override"}
RATE_NAMES = {
    "father_absent_record": "Father never engaged",
    "perpetrator_invisible_record": "His pattern never named",
    "removal_threat": "Removal made a condition on her",
    "onus_ratio_above_1": "More tasks on her than on him",
    **{f"component_{c}": f"Documents: {taxonomy.display_name(c).lower()}" for c in taxonomy.CRITICAL_COMPONENTS},
}
PERCENT, RATIO, DATE = "0%", "0.0", "yyyy-mm-dd"


def _yes(value) -> str:
    return "Yes" if value else "No"


def _date(value):
    from datetime import date
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return value  # a date the export wrote its own way stays as written


def workbook_sheets(store: AuditStore, rubric: Rubric) -> dict[str, tuple[list[str], list[list], dict[str, str]]]:
    """The workbook's sheets: (readable headers, rows, number formats by header), names as people read them."""
    from .why import explain

    stored = reviewed_records(store, rubric)
    records = []
    for rec in stored:
        ind = rec.indicators
        placed = rec.raw.placement if rec.placement.level_source == "override" else rec.placement
        why = explain(rubric, placed.level, placed.rule_id, ind)
        records.append([
            rec.record_id, rec.team, rec.worker, taxonomy.display_name(rec.placement.level),
            taxonomy.display_name(rec.raw.placement.level), LEVEL_SOURCE_NAMES.get(rec.placement.level_source),
            rec.override_reason, why.sentence, _yes(ind.dv_present), _yes(ind.removal_threat),
            _yes(ind.father_absent_record), _yes(ind.perpetrator_invisible_record),
            round(ind.onus_ratio, 2) if ind.dv_present else None, ind.survivor_tasks, ind.perpetrator_tasks,
            "; ".join(taxonomy.display_name(c) for c in ind.critical_components),
            *[ind.label_counts.get(label, 0) for label in taxonomy.LABELS]])
    record_head = ["Record", "Team", "Worker", "Level", "Level before review", "Level set by", "Override reason",
                   "Why this level", "DV present", taxonomy.display_name("removal_threat"),
                   taxonomy.display_name("father_absent_record"), taxonomy.display_name("perpetrator_invisible_record"),
                   taxonomy.display_name("onus_ratio"), taxonomy.display_name("survivor_tasks"),
                   taxonomy.display_name("perpetrator_tasks"), "Critical components documented",
                   *[f"{taxonomy.display_name(label)} (sentences)" for label in taxonomy.LABELS]]

    sample = sample_summary(stored, rubric)
    dv = sample["dv_records"]
    indicators = [["Records audited", sample["records"], None], ["Records describing DV", dv, None],
                  [taxonomy.display_name(taxonomy.NOT_APPLICABLE), sample["not_applicable"], None],
                  ["Meets Proficiency", _yes(sample["meets_proficiency"]), None]]
    for level, cell in sample["distribution"]["level"].items():
        before = sample["distribution"]["raw_level"][level]
        indicators.append([f"At {taxonomy.display_name(level)} (before review: {before['count']})", cell["count"],
                           cell["share"]])
    for key, rate in sample["indicator_rates"].items():
        indicators.append([RATE_NAMES[key], round(rate * dv), rate])

    def group_rows(by: str) -> list[list]:
        rows = []
        for g in group_summaries(stored, rubric, by):
            dist = g["distribution"]["level"]
            dv = g["dv_records"] > 0  # without DV records a share of them is undefined: an empty cell, not 0%
            rows.append([g["group"], g["records"], g["dv_records"], g["not_applicable"],
                         *[x for level in taxonomy.RECORD_LEVELS
                           for x in (dist[level]["count"], dist[level]["share"] if dv else None)],
                         *[g["indicator_rates"][k] if dv else None for k in RATE_NAMES],
                         _yes(g["meets_proficiency"])])
        return rows

    level_heads = [x for level in taxonomy.RECORD_LEVELS
                   for x in (taxonomy.display_name(level), f"{taxonomy.display_name(level)} (share of DV)")]
    group_formats = {**{h: PERCENT for h in level_heads if h.endswith("(share of DV)")},
                     **{RATE_NAMES[k]: PERCENT for k in RATE_NAMES}}

    def group_head(name: str) -> list[str]:
        return [name, "Records", "DV records", taxonomy.display_name(taxonomy.NOT_APPLICABLE), *level_heads,
                *RATE_NAMES.values(), "Meets Proficiency"]

    evidence = []
    by_id = {r.record_id: r for r in stored}
    for rid in sorted(by_id):
        rec = by_id[rid]
        if not rec.placement.evidence:
            continue
        notes = {n["note_id"]: n for n in store.notes(rid)}
        bounds = {(note_id, s["sentence_index"]): (s["start"], s["end"])
                  for note_id in {e.note_id for e in rec.placement.evidence}
                  for s in store.sentences(rid, note_id)}
        for e in sorted(rec.placement.evidence, key=lambda e: (notes[e.note_id]["seq"], e.start)):
            note = notes[e.note_id]
            start, end = bounds.get((e.note_id, e.sentence_index), (e.start, e.end))
            evidence.append([rid, rec.team, rec.worker, _date(note["date"]), e.note_id,
                             taxonomy.display_name(rec.placement.level), taxonomy.display_name(e.label),
                             note["text"][start:end], note["text"][e.start:e.end], e.rule_id])
    return {
        "records": (record_head, records, {taxonomy.display_name("onus_ratio"): RATIO}),
        "indicators": (["Measure", "Records", "Share of DV records"], indicators, {"Share of DV records": PERCENT}),
        "by_team": (group_head("Team"), group_rows("team"), group_formats),
        "by_worker": (group_head("Worker"), group_rows("worker"), group_formats),
        "evidence": (["Record", "Team", "Worker", "Date", "Note", "Level", "Label", "Sentence", "Words flagged",
                      "Rule"], evidence, {"Date": DATE}),
    }


def write_workbook(path: str | Path, store: AuditStore, rubric: Rubric) -> Path:
    """Write the QA workbook: readable headers, a frozen header row, filters, widths, percentages as %."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    path = Path(path)
    book = Workbook()
    book.remove(book.active)
    wide = {"Why this level": 70, "Sentence": 80, "Override reason": 40, "Words flagged": 30,
            "Critical components documented": 40}
    for name, (head, rows, formats) in workbook_sheets(store, rubric).items():
        sheet = book.create_sheet(name)
        sheet.append(head)
        for row in rows:
            sheet.append(row)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="E3E6E8")
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for col, title in enumerate(head, start=1):
            letter = get_column_letter(col)
            values = [title, *[r[col - 1] for r in rows[:500]]]
            longest = max(len(str(v)) for v in values if v is not None)
            sheet.column_dimensions[letter].width = wide.get(title, min(max(10, longest + 2), 28))
            fmt = formats.get(title)
            for cell in sheet[letter][1:]:
                if fmt:
                    cell.number_format = fmt
                if title in wide:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "B2"  # the header row, and the record or group beside every cell
        sheet.auto_filter.ref = sheet.dimensions
    with replacing(path) as partial:
        book.save(partial)
    return path


# -- a table to read on a terminal (``summary --format table``) ----------------------------
def render_table(data, *, by: str | None = None, width: int | None = None, color: bool = False) -> str:
    """Record, sample or group summaries as readable tables (rich), names as people read them."""
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, width=width or 120, force_terminal=color, no_color=not color,
                      highlight=False, emoji=False)
    name = taxonomy.display_name
    if isinstance(data, dict):  # the sample
        _sample_tables(console, data, Table)
    elif data and "group" in data[0]:
        console.print(_group_table(console, data, by, Table))
    else:
        table = Table(title=f"{len(data)} record(s)", title_justify="left")
        moved = any(r["raw_level"] != r["level"] for r in data)
        reviewed = any(r["level_source"] != "rubric" for r in data)
        # short columns get fixed widths (their headers wrap) and no column a min_width: rich then
        # shares what is left between team, worker and labels, and the table fits the terminal
        # instead of being cropped at its right edge
        heads = [("Record", {"no_wrap": True}), ("Team", {}), ("Worker", {}),
                 ("Level", {"no_wrap": True}), *([("Before review", {"width": 15})] if moved else []),
                 *([("Set by", {"width": 9})] if reviewed else []), ("Father engaged", {"width": 8}),
                 ("Tasks her/him", {"width": 7, "justify": "right"}), ("Most flagged", {})]
        for head, options in heads:
            table.add_column(head, **options)
        for r in data:
            ind = r["indicators"]
            top = sorted(((n, lb) for lb, n in r["label_counts"].items() if lb in taxonomy.CONCERN_LABELS),
                         reverse=True)[:2]
            table.add_row(r["record_id"], r["team"] or "—", r["worker"] or "—", name(r["level"]),
                          *([name(r["raw_level"]) if r["raw_level"] != r["level"] else ""] if moved else []),
                          *([LEVEL_SOURCE_NAMES.get(r["level_source"], r["level_source"])] if reviewed else []),
                          ("no" if ind["father_absent_record"] else "yes") if ind["dv_present"] else "—",
                          f"{ind['survivor_tasks']} / {ind['perpetrator_tasks']}" if ind["dv_present"] else "—",
                          "\n".join(f"{name(lb)} ({n})" for n, lb in top))
        console.print(table)
    return buffer.getvalue()


def _group_table(console, data: list[dict], by: str | None, Table):
    """One row per team or worker: a column per level where the terminal is wide enough for
    the levels' names, otherwise the levels of each group listed in one cell (zeros left out),
    so the table is never cropped at the terminal's right edge."""
    from rich.console import Console

    name = taxonomy.display_name
    title = f"By {by or 'group'}: DV records at each level"

    def table(wide: bool):
        t = Table(title=title, title_justify="left")
        t.add_column((by or "group").capitalize())
        t.add_column("Records", justify="right", width=7)
        t.add_column("DV", justify="right", width=3)
        if wide:
            for level in taxonomy.RECORD_LEVELS:
                t.add_column(name(level), justify="right", min_width=len(name(level)))
        else:
            t.add_column("DV records at each level")  # no min_width: rich crops rather than honour it
        t.add_column("Father never engaged", justify="right", width=7)
        t.add_column("Meets Proficiency", justify="right", width=11)
        for g in data:
            dist = g["distribution"]["level"]
            if wide:
                levels = [str(dist[lv]["count"]) for lv in taxonomy.RECORD_LEVELS]
            else:
                levels = ["\n".join(f"{name(lv)} {dist[lv]['count']}" for lv in taxonomy.RECORD_LEVELS
                                    if dist[lv]["count"]) or "—"]
            t.add_row(str(g["group"]), str(g["records"]), str(g["dv_records"]), *levels,
                      f"{100 * g['indicator_rates']['father_absent_record']:.0f}%" if g["dv_records"] else "—",
                      _yes(g["meets_proficiency"]))
        return t

    # rich crops a table it cannot fit at the terminal's right edge: the wide one is used only
    # when every line of it, drawn at this width, still ends with its right border
    scratch = Console(file=io.StringIO(), width=console.width, no_color=True, highlight=False, emoji=False)
    scratch.print(table(True))
    lines = scratch.file.getvalue().splitlines()[1:]
    fits = all(line.rstrip()[-1:] in ("┓", "┃", "┩", "│", "┘") for line in lines)
    return table(fits)


def _sample_tables(console, sample: dict, Table) -> None:
    name = taxonomy.display_name
    console.print(f"{sample['records']} records audited, {sample['dv_records']} describe DV, "
                  f"{sample['not_applicable']} without DV (not placed). "
                  f"Meets Proficiency: {_yes(sample['meets_proficiency']).lower()}.")
    levels = Table(title="Where the DV records sit", title_justify="left")
    for head, justify in (("Level", "left"), ("Records", "right"), ("Share of DV", "right"),
                          ("Before review", "right")):
        levels.add_column(head, justify=justify)
    for level, cell in sample["distribution"]["level"].items():
        levels.add_row(name(level), str(cell["count"]), f"{100 * cell['share']:.0f}%",
                       str(sample["distribution"]["raw_level"][level]["count"]))
    console.print(levels)
    rates = Table(title="Indicators (share of DV records)", title_justify="left")
    rates.add_column("Indicator")
    rates.add_column("Share", justify="right")
    for key, rate in sample["indicator_rates"].items():
        rates.add_row(RATE_NAMES[key], f"{100 * rate:.0f}%")
    console.print(rates)
