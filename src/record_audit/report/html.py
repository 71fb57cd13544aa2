"""The self-contained QA report: one HTML file, offline (no CDN, no fonts, no scripts).

Every piece of note text goes through Jinja2's autoescaping; the chart is inline SVG.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from .. import __version__, taxonomy
from ..continuum import Rubric
from ..files import write_atomic
from ..io.documents import note_page
from ..store import AuditStore
from ..store.review import ReviewStore
from .summary import group_summaries, record_summary, sample_summary
from .why import explain, onus_words

LEVEL_COLOURS = {
    "Destructiveness": "#b2182b", "Incapacity": "#e66101", "Blindness": "#f1a340",
    "Pre-Competence": "#92c5de", "Competence": "#1a9850", "Proficiency": "#006837",
    taxonomy.NOT_APPLICABLE: "#9e9e9e",
}
INDICATOR_TEXT = {  # each reads on from the table's header, "Share of DV records…"
    "father_absent_record": "where the father (the parent using violence) was never engaged as a parent",
    "perpetrator_invisible_record": "that never name the perpetrator as the agent of his behaviour",
    "removal_threat": "where removal of the children is made a condition on the survivor",
    "onus_ratio_above_1": "whose plan puts more tasks on the survivor than on the perpetrator",
    "component_pattern_of_coercive_control": "that document his pattern of coercive control",
    "component_perpetrator_harm_to_children": "that document his actions taken to harm the children",
    "component_survivor_protective_efforts": "that document the survivor's protective efforts",
    "component_impact_on_children": "that document the impact on the children",
    "component_intersecting_factors": "that tie substance use, mental health, culture or economics to his pattern",
}


@dataclass
class Segment:
    text: str
    kind: str | None = None  # None, "concern", "strength", "uncounted"
    label: str | None = None


def segments(text: str, offset: int, flags: list[dict]) -> list[Segment]:
    """Split a sentence into plain and highlighted pieces (overlaps merged, first label kept)."""
    # counted flags first where spans tie (two sentence-wide classifier flags, say), then by label
    marks = sorted(flags, key=lambda f: (f["start"], f["end"], not f["counted"], f["label"]))
    out, pos = [], 0
    for flag in marks:
        start, end = flag["start"] - offset, flag["end"] - offset
        start, end = max(start, pos), min(end, len(text))
        if end <= start:
            continue
        if start > pos:
            out.append(Segment(text[pos:start]))
        kind = ("uncounted" if not flag["counted"] else
                "strength" if flag["label"] in taxonomy.STRENGTH_LABELS else "concern")
        out.append(Segment(text[start:end], kind, flag["label"]))
        pos = end
    if pos < len(text):
        out.append(Segment(text[pos:]))
    return out


def _bars(distribution: dict, total: int) -> list[dict]:
    width = 420
    peak = max([c["count"] for c in distribution.values()] + [1])
    return [{"level": level, "count": cell["count"], "share": cell["share"],
             "width": round(width * cell["count"] / peak, 1), "colour": LEVEL_COLOURS[level], "y": 8 + i * 34}
            for i, (level, cell) in enumerate(distribution.items())]


def anchor(kind: str, name: str) -> str:
    """An HTML id for a record or team: safe in a URL fragment, distinct for distinct names."""
    return f"{kind}-" + re.sub(r"[^A-Za-z0-9-]", lambda m: f"_{ord(m.group()):x}_", name)


LOOK_FIRST = ("Destructiveness", "Incapacity")


def build_context(store: AuditStore, rubric: Rubric) -> dict:
    """Everything the report template shows: the sample, its teams and each record's evidence."""
    review = ReviewStore(store, rubric=rubric)
    stored = review.records()
    decided, _ = review.final()
    sample = sample_summary(stored, rubric)
    teams = group_summaries(stored, rubric, "team")
    order = {lv: i for i, lv in enumerate((*taxonomy.RECORD_LEVELS, taxonomy.NOT_APPLICABLE))}
    records = []
    for rec in sorted(stored, key=lambda r: (order[r.placement.level], r.record_id)):
        summary = record_summary(rec)
        # the reviewed view (decisions applied) of a reviewed record, the pipeline's flags otherwise
        flags = (store.flags(rec.record_id) if rec.placement.level_source == "rubric"
                 else review.reviewed_flags(rec.record_id, decided))
        notes = {n["note_id"]: n for n in store.notes(rec.record_id)}
        seq = {note_id: n["seq"] for note_id, n in notes.items()}
        sentences = {}
        for note_id in notes:
            for s in store.sentences(rec.record_id, note_id):
                sentences[note_id, s["sentence_index"]] = s
        by_sentence: dict = {}
        for f in flags:
            by_sentence.setdefault((f["note_id"], f["sentence_index"]), []).append(f)
        evidence_keys = {(e.note_id, e.start, e.end) for e in rec.placement.evidence}
        placed = rec.raw.placement if rec.placement.level_source == "override" else rec.placement
        why = explain(rubric, placed.level, placed.rule_id, rec.indicators, seq=seq)

        def view(key, marks=None):
            s = sentences[key]
            text = notes[key[0]]["text"][s["start"]:s["end"]]
            fl = by_sentence.get(key, [])
            return {"note_id": key[0], "page": note_page(key[0]), "index": key[1], "segments": segments(text, s["start"], marks or fl),
                    "flags": sorted(fl, key=lambda f: (f["start"], f["label"])), "date": notes[key[0]]["date"],
                    "is_evidence": any((f["note_id"], f["start"], f["end"]) in evidence_keys for f in fl)}

        deciding_marks: dict = {}
        for e in why.deciding:
            deciding_marks.setdefault((e.note_id, e.sentence_index), []).append(
                {"start": e.start, "end": e.end, "label": e.label, "counted": True})
        deciding = [dict(view(key, marks), labels=sorted({m["label"] for m in marks}))
                    for key, marks in deciding_marks.items() if key in sentences]
        deciding_keys = set(deciding_marks)
        flagged = [view(key) for key in sorted(by_sentence, key=lambda k: (notes[k[0]]["seq"], k[1]))]
        ind = rec.indicators
        records.append({**summary, "colour": LEVEL_COLOURS[rec.placement.level], "anchor": anchor("record", rec.record_id),
                        "rationale": rec.placement.rationale, "rubric_rationale": placed.rationale,
                        "why": why.sentence, "lacking": why.lacking, "deciding": deciding,
                        "pipeline_level": rec.raw.placement.level, "notes": len(notes),
                        "onus": onus_words(ind) if ind.dv_present else None,
                        "evidence": [v for v in flagged if v["is_evidence"]
                                     and (v["note_id"], v["index"]) not in deciding_keys],
                        "sentences": flagged})
    look_first = [r for r in records if r["level"] in LOOK_FIRST]
    by_team: dict = {}
    for r in records:
        by_team.setdefault(r["team"] or "(none)", []).append(r)
    for team in teams:
        team["anchor"] = anchor("team", team["group"])
        team["members"] = by_team.get(team["group"], [])
    runs = store.runs()
    return {
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "db_name": store.path.name, "version": __version__, "run": runs[-1] if runs else None,
        "sample": sample, "bars": _bars(sample["distribution"]["level"], sample["dv_records"]),
        "raw_bars": _bars(sample["distribution"]["raw_level"], sample["dv_records"]),
        "reviewed": sum(1 for r in stored if r.placement.level_source != "rubric"),
        "chart_height": 8 + 34 * len(taxonomy.RECORD_LEVELS), "teams": teams, "records": records,
        "look_first": look_first, "look_first_levels": LOOK_FIRST,
        "levels": taxonomy.RECORD_LEVELS, "colours": LEVEL_COLOURS, "indicator_text": INDICATOR_TEXT,
        "labels": taxonomy.LABELS, "strength_labels": taxonomy.STRENGTH_LABELS,
        "concern_labels": taxonomy.CONCERN_LABELS, "descriptions": taxonomy.DESCRIPTIONS,
        "contexts": taxonomy.CONTEXTS, "sources": taxonomy.SOURCES,
    }


def render_report(store: AuditStore, rubric: Rubric) -> str:
    """The QA report as one HTML page (every value autoescaped)."""
    env = Environment(loader=PackageLoader("record_audit.report", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["pct"] = lambda v: f"{100 * v:.0f}%"
    env.filters["name"] = taxonomy.display_name
    return env.get_template("report.html.j2").render(**build_context(store, rubric))


def write_report(store: AuditStore, rubric: Rubric, path: str | Path) -> Path:
    """Write the QA report to ``path`` atomically; return the path."""
    path = Path(path)
    write_atomic(path, render_report(store, rubric).encode("utf-8"))
    return path
