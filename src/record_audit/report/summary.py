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
