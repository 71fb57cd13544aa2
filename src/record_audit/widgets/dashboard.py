"""``SummaryDashboard``: where an audited sample sits on the continuum, for a QA lead.

First on screen: how many DV records sit at each continuum level, whether the sample meets
Proficiency and why not, and the headline indicator rates; then the breakdown by team or
worker. Every bar, rate and cell is a button: a click lists its records, each with the
rubric's rationale and the evidence sentences that placed it (all note text escaped). A
toggle shows the levels as reviewed (``level``) or as the pipeline placed them
(``raw_level``). Two buttons write the QA report (HTML) and the workbook (XLSX).

The figures come from ``record_audit.report.summary`` and ``ReviewStore.records()``; the
widget only selects and displays. Levels are an aid to an auditor's judgement, never a
verdict on a family or a worker.
"""
from __future__ import annotations

from collections import defaultdict
from html import escape
from pathlib import Path
from typing import Callable

import ipywidgets as w

from .. import taxonomy
from ..files import make_folder
from ..indicators import Indicators
from ..report.html import INDICATOR_TEXT, LEVEL_COLOURS, segments, write_report
from ..report.summary import LEVEL_SOURCE_NAMES, RATE_NAMES, group_summaries, sample_summary, write_workbook
from ..report.why import explain
from ..store.review import ReviewedRecord, ReviewStore
from .render import shown

VIEWS = (("Reviewed levels", "level"), ("Pipeline levels", "raw_level"))
BREAKDOWNS = (("by team", "team"), ("by worker", "worker"))
BARS = (*taxonomy.RECORD_LEVELS, taxonomy.NOT_APPLICABLE)
BAR_NAMES = {taxonomy.NOT_APPLICABLE: taxonomy.display_name(taxonomy.NOT_APPLICABLE)}
# light bar colours take dark text
DARK_TEXT = {"Blindness", "Pre-Competence"}
# what each rate of summarize_sample counts, so a click lists exactly the records behind it
INDICATOR_TESTS: dict[str, Callable[[Indicators], bool]] = {
    "father_absent_record": lambda i: i.father_absent_record,
    "perpetrator_invisible_record": lambda i: i.perpetrator_invisible_record,
    "removal_threat": lambda i: i.removal_threat,
    "onus_ratio_above_1": lambda i: i.onus_ratio > 1,
    **{f"component_{c}": (lambda i, c=c: c in i.critical_components) for c in taxonomy.CRITICAL_COMPONENTS},
}
CONCERN_RATES = ("father_absent_record", "perpetrator_invisible_record", "removal_threat", "onus_ratio_above_1")
BAR_WIDTH = 360  # px of the longest bar
REPORT_NAME, WORKBOOK_NAME = "qa_report.html", "qa_workbook.xlsx"


def as_raw(rec: ReviewedRecord) -> ReviewedRecord:
    """The record as the pipeline placed it, before any review, in the reviewed record's shape."""
    return ReviewedRecord(rec.record_id, rec.team, rec.worker, rec.raw, rec.raw.indicators, rec.raw.placement)


def at_level(rec: ReviewedRecord, level: str) -> bool:
    """Whether a record sits in the bar of ``level``; every record sits in exactly one bar.

    The level bars count DV records, as the sample distribution does; the ``not_applicable``
    bar holds the rest (no DV, or a level override on a record whose indicators show no DV).
    """
    placed = rec.indicators.dv_present and rec.placement.level in taxonomy.RECORD_LEVELS
    if level == taxonomy.NOT_APPLICABLE:
        return not placed
    return placed and rec.placement.level == level


def group_of(rec: ReviewedRecord, by: str) -> str:
    return getattr(rec, by) or "(none)"  # as group_summaries names a missing team or worker


def _pct(value: float) -> str:
    return f"{100 * value:.0f}%"


def proficiency_html(summary: dict, records: list[ReviewedRecord], proficiency: dict) -> str:
    """The Proficiency verdict and, when the sample misses it, what it misses by."""
    if not summary["dv_records"]:
        return '<div class="ra-verdict">No DV records: the sample cannot be placed on the continuum.</div>'
    needs_share = proficiency.get("min_share_competence", 0.9)
    max_destr = int(proficiency.get("max_destructiveness", 0))
    max_absent = int(proficiency.get("max_father_absent_record", 0))
    share = summary["distribution"]["level"]["Competence"]["share"]
    destr = summary["distribution"]["level"]["Destructiveness"]["count"]
    absent = sum(1 for r in records if r.indicators.dv_present and r.indicators.father_absent_record)
    checks = [(share >= needs_share, f"{_pct(share)} of DV records at Competence (needs at least {_pct(needs_share)})"),
              (destr <= max_destr, f"{destr} at Destructiveness (needs at most {max_destr})"),
              (absent <= max_absent,
               f"{absent} with the father never engaged as a parent (needs at most {max_absent})")]
    meets = summary["meets_proficiency"]
    colour = "#1a6b3a" if meets else "#b71c1c"
    items = "".join(f'<li style="color:{"#1a6b3a" if ok else "#b71c1c"}">{"✓" if ok else "✗"} {escape(text)}</li>'
                    for ok, text in checks)
    return (f'<div class="ra-verdict" style="border:2px solid {colour};border-radius:6px;padding:6px 12px;'
            f'margin:6px 0"><b style="color:{colour};font-size:16px">Meets Proficiency: {"yes" if meets else "no"}'
            f'</b><ul style="margin:4px 0 0 0;padding-left:18px">{items}</ul></div>')


def evidence_html(store, placement, limit: int) -> str:
    """The placement's evidence sentences with the deciding spans highlighted (escaped), in note order."""
    spans: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for e in placement.evidence:
        spans[e.note_id, e.sentence_index].append({"start": e.start, "end": e.end, "label": e.label, "counted": True})
    if not spans:
        return '<div style="color:#5f6b73">No evidence sentences.</div>'
    notes = {n["note_id"]: n for n in store.notes(placement.record_id)}
    bounds = {(note_id, s["sentence_index"]): (s["start"], s["end"])
              for note_id in {k[0] for k in spans} for s in store.sentences(placement.record_id, note_id)}
    keys = sorted((k for k in spans if k in bounds), key=lambda k: (notes[k[0]]["seq"], k[1]))
    items = []
    for note_id, index in keys[:limit]:
        start, end = bounds[note_id, index]
        marks = []
        for seg in segments(notes[note_id]["text"][start:end], start, spans[note_id, index]):
            if seg.kind is None:
                marks.append(escape(seg.text))
            else:
                bg = "#cdebd3" if seg.kind == "strength" else "#fbd3cf"
                marks.append(f'<mark style="background:{bg};padding:0 2px">{escape(seg.text)}</mark>')
        labels = " · ".join(sorted({escape(taxonomy.display_name(s["label"])) for s in spans[note_id, index]}))
        items.append(f'<li style="margin:3px 0">{"".join(marks)} <span style="color:#5f6b73;font-size:12px">'
                     f'({escape(note_id)} · {labels})</span></li>')
    more = len(keys) - limit
    tail = (f'<div style="color:#5f6b73;font-size:12px">and {more} more evidence sentence(s): the QA report '
            f'lists them all.</div>') if more > 0 else ""
    return f'<ul style="margin:2px 0;padding-left:18px">{"".join(items)}</ul>{tail}'


def record_html(store, shown_rec: ReviewedRecord, reviewed: ReviewedRecord, *, evidence_limit: int,
                is_open: bool, rubric=None) -> str:
    """One record of a drill-down: its level, raw vs reviewed, why (this record's own facts) and the evidence."""
    p = shown_rec.placement
    colour = LEVEL_COLOURS.get(p.level, "#9e9e9e")
    raw_level, level = reviewed.raw.placement.level, reviewed.placement.level
    name = taxonomy.display_name
    moved = (f' · pipeline {escape(name(raw_level))} → reviewed {escape(name(level))}' if raw_level != level else "")
    source = LEVEL_SOURCE_NAMES.get(reviewed.placement.level_source, reviewed.placement.level_source)
    placed = shown_rec.raw.placement if p.level_source == "override" else p
    why = explain(rubric, placed.level, placed.rule_id, shown_rec.indicators) if rubric is not None else None
    reason = why.sentence if why is not None else (p.rationale or "—")
    lacking = f'<div style="color:#37474f">{escape(why.lacking)}</div>' if why is not None and why.lacking else ""
    override = ""
    if p.level_source == "override":
        override = f'<div><b>Override reason:</b> {escape(p.rationale or "—")}</div>'
    elif reviewed.override_reason:
        override = f'<div><b>Overridden after review:</b> {escape(reviewed.override_reason)}</div>'
    return (f'<details class="ra-record" data-record="{escape(shown_rec.record_id)}"{" open" if is_open else ""} '
            f'style="border-left:6px solid {colour};padding:2px 8px;margin:6px 0">'
            f'<summary><b>{escape(shown_rec.record_id)}</b> · <span style="color:{colour}">'
            f'<b>{escape(name(p.level))}</b></span>{moved} · {escape(source)} · team {escape(shown_rec.team or "—")} · '
            f'worker {escape(shown_rec.worker or "—")}</summary>{override}'
            f'<div><b>Why this level:</b> {escape(reason)}</div>{lacking}'
            f'{evidence_html(store, p, evidence_limit)}</details>')


class SummaryDashboard(w.VBox):
    """Continuum distribution, indicator rates, team/worker breakdown, drill-down and exports.

    Tests and notebooks drive it like a user: ``bars[level]``, ``rate_buttons[indicator]``,
    ``cells[group, level]`` and ``changed_button`` are the clickable buttons; ``view`` and
    ``breakdown`` the toggles; a click fills ``detail`` (HTML) and ``selected_ids``.
    """

    def __init__(self, store: ReviewStore | str | Path, *, out_dir: str | Path = "out",
                 evidence_per_record: int = 6) -> None:
        self.store = store if isinstance(store, ReviewStore) else ReviewStore(store)
        self.rubric = self.store.rubric
        self.evidence_per_record = evidence_per_record
        self.header = w.HTML()
        self.view = w.ToggleButtons(options=VIEWS, value="level", style={"button_width": "150px"}, tooltips=[
            "Levels after QA review decisions and overrides", "Levels as the pipeline placed them, before review"])
        self.reload_button = w.Button(description="Reload", tooltip="Read the audit store again (new reviews)")
        self.bars: dict[str, w.Button] = {}
        self.bar_notes: dict[str, w.HTML] = {}
        rows = []
        for level in BARS:
            bar = w.Button(tooltip=f"Show the records at {BAR_NAMES.get(level, level)}")
            bar.add_class("ra-bar")
            bar.add_class(f"ra-bar-{level}")
            bar.style.button_color = LEVEL_COLOURS[level]
            bar.style.text_color = "#222" if level in DARK_TEXT else "white"
            bar.style.font_weight = "bold"
            bar.on_click(shown(self, lambda _=None, level=level: self.select_level(level)))
            self.bars[level], self.bar_notes[level] = bar, w.HTML()
            rows.append(w.HBox([w.HTML(f'<div style="width:150px;text-align:right;padding-right:8px">'
                                       f'{escape(BAR_NAMES.get(level, level))}</div>'), bar, self.bar_notes[level]],
                               layout=w.Layout(align_items="center", margin="0 0 2px 0")))
        self.changed_button = w.Button(description="", layout=w.Layout(width="auto"),
                                       tooltip="Records whose level the QA review changed")
        self.changed_button.add_class("ra-changed")
        self.changed_button.on_click(shown(self, self.select_changed))
        self.rate_buttons: dict[str, w.Button] = {}
        self.rate_rows = []
        for name in INDICATOR_TESTS:
            button = w.Button(layout=w.Layout(width="64px"), tooltip="Show these records")
            button.add_class("ra-rate")
            button.on_click(shown(self, lambda _=None, name=name: self.select_indicator(name)))
            self.rate_buttons[name] = button
            text = f"DV records {INDICATOR_TEXT[name]}"
            self.rate_rows.append(w.HBox([button, w.HTML(escape(text))], layout=w.Layout(align_items="center")))
        self.breakdown = w.ToggleButtons(options=BREAKDOWNS, value="team")
        self.grid = w.GridBox()
        self.cells: dict[tuple[str, str], w.Button] = {}
        self.detail = w.HTML('<div style="color:#5f6b73">Click a bar, a rate or a cell to see its records and '
                             'the evidence that placed them.</div>')
        self.detail.add_class("ra-detail")
        self.selected_ids: list[str] = []
        self._again: Callable[[], list[str]] | None = None  # the open selection, listed again on redraw
        self.folder = w.Text(value=str(out_dir), description="Folder")
        self.report_button = w.Button(description="Write QA report (HTML)", layout=w.Layout(width="auto"))
        self.workbook_button = w.Button(description="Write workbook (XLSX)", layout=w.Layout(width="auto"))
        self.message = w.HTML()
        self.report_button.on_click(shown(self, self.write_report))
        self.workbook_button.on_click(shown(self, self.write_workbook))
        self.reload_button.on_click(shown(self, self.refresh))
        self.view.observe(shown(self, self._show), names="value")
        self.breakdown.observe(shown(self, self._show_breakdown), names="value")

        def section(title: str) -> w.HTML:
            return w.HTML(f'<h3 style="margin:12px 0 4px 0">{escape(title)}</h3>')

        # two panels that scroll on their own: the records stay in view beside a cell far down the grid
        left = _scrolling([section("Continuum: DV records at each level"), *rows, self.changed_button,
                           section("Indicator rates (share of DV records)"), *self.rate_rows,
                           section("Breakdown"), self.breakdown, self.grid], flex="1 1 640px", min_width="560px")
        right = _scrolling([section("Records"), self.detail], flex="1 1 420px")
        right.add_class("ra-records")
        super().__init__([
            self.header, w.HBox([self.view, self.reload_button]),
            w.HBox([left, right], layout=w.Layout(flex_flow="row wrap", align_items="flex-start")),
            section("Exports"), w.HBox([self.folder, self.report_button, self.workbook_button]), self.message,
        ])
        self.add_class("ra-dashboard")
        self.refresh()

    # -- data ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the store again (reviews may have been saved since) and redraw."""
        self.records = self.store.records()
        self._show()

    @property
    def shown_records(self) -> list[ReviewedRecord]:
        """The records in the chosen view: reviewed, or as the pipeline placed them."""
        return self.records if self.view.value == "level" else [as_raw(r) for r in self.records]

    # -- drawing -------------------------------------------------------------------------------
    def _show(self) -> None:
        shown_recs = self.shown_records
        summary = sample_summary(shown_recs, self.rubric)
        runs = self.store.store.runs()
        last = f" · last audit run {escape(runs[-1]['started_at'][:16].replace('T', ' '))}" if runs else ""
        reviewed = sum(1 for r in self.records if r.placement.level_source != "rubric")
        overridden = sum(1 for r in self.records if r.placement.level_source == "override")
        view_name = dict((v, k) for k, v in VIEWS)[self.view.value]
        self.header.value = (
            f'<h2 style="margin:4px 0">QA summary · {escape(self.store.store.path.name)}</h2>'
            f'<div>{summary["records"]} records audited{last} · <b>{summary["dv_records"]} describe DV</b> · '
            f'{summary["not_applicable"]} without DV (not placed) · {reviewed} with QA review decisions, '
            f'{overridden} overridden · showing <b>{escape(view_name.lower())}</b></div>'
            f'{proficiency_html(summary, shown_recs, self.rubric.proficiency)}')
        counts = {level: sum(1 for r in shown_recs if at_level(r, level)) for level in BARS}
        peak = max([*counts.values(), 1])
        raw_counts = {level: sum(1 for r in self.records if at_level(as_raw(r), level)) for level in BARS}
        for level, bar in self.bars.items():
            n = counts[level]
            bar.description = str(n)
            bar.disabled = n == 0
            bar.layout.width = f"{max(36, round(BAR_WIDTH * n / peak))}px"
            dist = summary["distribution"]["level"]  # the shown view's levels (as_raw puts raw ones there)
            share = (f"{_pct(dist[level]['share'])} of DV records" if level in dist
                     else "records outside this audit's DV scope")
            before = (f" · before review {raw_counts[level]}" if self.view.value == "level" and raw_counts[level] != n
                      else "")
            self.bar_notes[level].value = f'<span style="padding-left:8px;color:#37474f">{share}{before}</span>'
        changed = len(self._changed())
        self.changed_button.description = (f"Review changed the level of {changed} record(s): show them"
                                           if changed else "No level changed by review yet")
        self.changed_button.disabled = not changed
        dv = [r for r in shown_recs if r.indicators.dv_present]
        for name, button in self.rate_buttons.items():
            n = sum(1 for r in dv if INDICATOR_TESTS[name](r.indicators))
            button.description = _pct(summary["indicator_rates"][name])
            button.tooltip = f"{n} of {len(dv)} DV records: show them"
            button.disabled = n == 0
            button.style.button_color = "#fbd3cf" if name in CONCERN_RATES and n else (
                "#cdebd3" if n else None)
        self._show_breakdown()
        if self._again is not None:
            self._again()

    def _show_breakdown(self) -> None:
        by = self.breakdown.value
        shown_recs = self.shown_records
        header = [_head(by), _head("DV", "DV records"),
                  *[_head(_short(lv), BAR_NAMES.get(lv, lv)) for lv in BARS],
                  _head("father absent", f"DV records {INDICATOR_TEXT['father_absent_record']}")]
        children = list(header)
        self.cells = {}
        for group in group_summaries(shown_recs, self.rubric, by):
            name = group["group"]
            members = [r for r in shown_recs if group_of(r, by) == name]
            children += [w.HTML(escape(name)), w.HTML(str(group["dv_records"]))]
            for level in BARS:
                n = sum(1 for r in members if at_level(r, level))
                cell = w.Button(description=str(n) if n else "·", disabled=not n,
                                layout=w.Layout(width="auto"), tooltip=f"{name} · {BAR_NAMES.get(level, level)}")
                cell.add_class("ra-cell")
                if n:
                    cell.style.button_color = LEVEL_COLOURS[level]
                    cell.style.text_color = "#222" if level in DARK_TEXT else "white"
                cell.on_click(shown(self, lambda _=None, name=name, level=level: self.select_cell(name, level, by)))
                self.cells[name, level] = cell
                children.append(cell)
            rate = group["indicator_rates"]["father_absent_record"] if group["dv_records"] else None
            children.append(w.HTML("—" if rate is None else _pct(rate)))
        old, self.grid.children = self.grid.children, children
        for widget in old:  # a rebuilt grid leaves no orphan widget models behind
            widget.close()
        self.grid.layout = w.Layout(grid_template_columns=f"minmax(150px, 1fr) 40px repeat({len(BARS)}, 64px) 100px",
                                    grid_gap="2px 4px", align_items="center")

    # -- selections (also the API the tests drive) ----------------------------------------------
    def select_level(self, level: str) -> list[str]:
        """List the records of one bar (``not_applicable``: the records not placed)."""
        self._again = lambda: self.select_level(level)
        return self._select(BAR_NAMES.get(level, level), lambda r: at_level(r, level))

    def select_indicator(self, name: str) -> list[str]:
        """List the DV records an indicator rate counts."""
        self._again = lambda: self.select_indicator(name)
        test = INDICATOR_TESTS[name]
        return self._select(RATE_NAMES.get(name, name), lambda r: r.indicators.dv_present and test(r.indicators))

    def select_cell(self, group: str, level: str, by: str | None = None) -> list[str]:
        """List the records of one team or worker (``by``, default the breakdown shown) at one level."""
        by = by or self.breakdown.value
        self._again = lambda: self.select_cell(group, level, by)
        return self._select(f"{by} {group} · {BAR_NAMES.get(level, level)}",
                            lambda r: group_of(r, by) == group and at_level(r, level))

    def select_changed(self) -> list[str]:
        """List the records whose reviewed level differs from the pipeline's."""
        self._again = self.select_changed
        changed = set(self._changed())
        return self._select("level changed by review", lambda r: r.record_id in changed)

    def _changed(self) -> list[str]:
        return [r.record_id for r in self.records if r.placement.level != r.raw.placement.level]

    def _select(self, title: str, keep: Callable[[ReviewedRecord], bool]) -> list[str]:
        reviewed = {r.record_id: r for r in self.records}
        chosen = [r for r in self.shown_records if keep(r)]
        self.selected_ids = [r.record_id for r in chosen]
        view_name = dict((v, k) for k, v in VIEWS)[self.view.value]
        cards = "".join(record_html(self.store.store, r, reviewed[r.record_id], is_open=i < 3,
                                    evidence_limit=self.evidence_per_record, rubric=self.rubric)
                        for i, r in enumerate(chosen))
        self.detail.value = (f'<div style="font-size:15px"><b>{escape(title)}</b> · {len(chosen)} record(s) · '
                             f'{escape(view_name.lower())}</div>'
                             + (cards or '<div style="color:#5f6b73">No records.</div>'))
        return self.selected_ids

    # -- exports ---------------------------------------------------------------------------------
    def _folder(self) -> Path:
        folder = Path(self.folder.value.strip() or "out").expanduser()
        make_folder(folder)
        return folder

    def write_report(self) -> Path:
        """Write the QA report (HTML, written atomically) into the chosen folder."""
        path = write_report(self.store.store, self.rubric, self._folder() / REPORT_NAME)
        self.message.value = f'<span style="color:#1a6b3a">QA report written: {escape(str(path.resolve()))}</span>'
        return path

    def write_workbook(self) -> Path:
        """Write the workbook (XLSX: records, indicators, by_team, by_worker, evidence) atomically."""
        path = self._folder() / WORKBOOK_NAME
        write_workbook(path, self.store.store, self.rubric)
        self.message.value = f'<span style="color:#1a6b3a">Workbook written: {escape(str(path.resolve()))}</span>'
        return path


def _scrolling(children: list, **layout) -> w.Box:
    """A panel at most the window's height that scrolls its content (which keeps its natural height)."""
    content = w.VBox(children, layout=w.Layout(flex="0 0 auto", width="100%"))
    return w.Box([content], layout=w.Layout(display="block", max_height="90vh", overflow="auto", padding="0 8px 0 0",
                                            **layout))


def _head(text: str, title: str = "") -> w.HTML:
    return w.HTML(f'<b style="white-space:nowrap" title="{escape(title)}">{escape(text)}</b>')


def _short(level: str) -> str:
    """A column head that fits a narrow cell; the full name is its tooltip."""
    return {"Destructiveness": "Destr.", "Incapacity": "Incap.", "Blindness": "Blind.",
            "Pre-Competence": "Pre-C.", "Competence": "Comp.", taxonomy.NOT_APPLICABLE: "no DV"}[level]
