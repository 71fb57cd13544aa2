"""Score pipeline flags against annotated records (CONTRACT section 6).

Each flag is assigned to the gold sentence its span overlaps most; a gold sentence's
predicted labels are the labels of its flags. Counted scoring compares counted flags
with gold labels whose context is null or historical; detection compares all flags
with all gold labels. Macro F1 averages labels with gold support >= 5.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .. import taxonomy
from ..errors import Errors, InputError
from ..results import Flag, RecordResult
from ..io.annotated import AnnotatedRecord, GoldSentence

MIN_SUPPORT = 5


@dataclass
class SentencePrediction:
    gold: GoldSentence
    flags: list[Flag] = field(default_factory=list)

    @property
    def counted(self) -> set[str]:
        return {f.label for f in self.flags if f.counted}

    @property
    def detected(self) -> set[str]:
        return {f.label for f in self.flags}


def align(record: AnnotatedRecord, result: RecordResult) -> list[SentencePrediction]:
    """Give each gold sentence the flags whose spans overlap it most."""
    out: list[SentencePrediction] = []
    by_note = {n.note.note_id: n for n in result.notes}
    for anote in record.notes:
        preds = [SentencePrediction(g) for g in anote.sentences]
        note_result = by_note.get(anote.note.note_id)
        if note_result is not None and preds:
            for sent in note_result.sentences:
                for flag in sent.flags:
                    overlaps = [min(flag.end, p.gold.end) - max(flag.start, p.gold.start) for p in preds]
                    best = max(range(len(preds)), key=lambda i: overlaps[i])
                    if overlaps[best] > 0 or flag.start == flag.end:
                        preds[best].flags.append(flag)
        out.extend(preds)
    return out


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score_labels(pairs: Iterable[tuple[set[str], set[str]]]) -> dict:
    """Per-label P/R/F1/support and micro/macro F1 over (gold, predicted) label sets."""
    tp, fp, fn = defaultdict(int), defaultdict(int), defaultdict(int)
    for gold, pred in pairs:
        for label in taxonomy.LABELS:
            if label in gold and label in pred:
                tp[label] += 1
            elif label in pred:
                fp[label] += 1
            elif label in gold:
                fn[label] += 1
    table: dict = {}
    for label in taxonomy.LABELS:
        p, r, f = _prf(tp[label], fp[label], fn[label])
        table[label] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
                        "support": tp[label] + fn[label]}
    scored = [l for l in taxonomy.LABELS if table[l]["support"] >= MIN_SUPPORT]
    table["macro_f1"] = round(sum(table[l]["f1"] for l in scored) / len(scored), 4) if scored else 0.0
    table["micro_f1"] = round(_prf(sum(tp[l] for l in scored), sum(fp[l] for l in scored),
                                   sum(fn[l] for l in scored))[2], 4) if scored else 0.0
    table["macro_labels"] = scored
    return table


def context_accuracy(preds: list[SentencePrediction]) -> tuple[float, int]:
    """Share of gold sentences, among those flagged with a gold label, whose flags carry the gold context."""
    n = ok = 0
    for p in preds:
        hits = [f for f in p.flags if f.label in p.gold.labels]
        if not hits:
            continue
        n += 1
        ok += all(f.context == p.gold.context for f in hits)
    return (round(ok / n, 4) if n else 0.0), n


ORDER = {level: i for i, level in enumerate(taxonomy.RECORD_LEVELS)}


def score_records(pairs: list[tuple[str, str]]) -> dict:
    """Exact and within-one-level accuracy; ``not_applicable`` is only ever exact."""
    confusion: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    exact = within = 0
    for gold, pred in pairs:
        confusion[gold][pred] += 1
        exact += gold == pred
        if gold == pred or (gold in ORDER and pred in ORDER and abs(ORDER[gold] - ORDER[pred]) <= 1):
            within += 1
    n = len(pairs)
    return {"n": n, "exact": round(exact / n, 4) if n else 0.0,
            "within_one": round(within / n, 4) if n else 0.0,
            "confusion": {g: dict(row) for g, row in confusion.items()}}


GROUP_BY = ("register", "jurisdiction")
UNSPECIFIED = "unspecified"


def score_sentences(preds: list[SentencePrediction]) -> dict:
    """Counted and detection label scores of aligned sentences."""
    return {"counted": score_labels((set(p.gold.counted_labels), p.counted) for p in preds),
            "detection": score_labels((set(p.gold.labels), p.detected) for p in preds),
            "n": len(preds)}


def evaluate(records: Iterable[AnnotatedRecord], results: Iterable[RecordResult], *,
             place: Callable[[RecordResult], str] | None = None, by: str | None = None) -> dict:
    """Score results against gold records (matched by record_id).

    ``by`` ("register" or "jurisdiction", CONTRACT section 9) adds ``groups``: the same
    sentence (and record-level) scores for the records of each value, records without one
    under "unspecified".
    """
    if by is not None and by not in GROUP_BY:
        raise InputError(Errors.E164.format(by=by, known=", ".join(GROUP_BY)))
    by_id = {r.record_id: r for r in results}
    preds: list[SentencePrediction] = []
    level_pairs: list[tuple[str, str]] = []
    grouped: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
    for record in records:
        result = by_id.get(record.record_id)
        if result is None:
            continue
        aligned = align(record, result)
        preds.extend(aligned)
        level = None
        if place is not None and record.gold_level is not None:
            level = (record.gold_level, place(result))
            level_pairs.append(level)
        if by is not None:
            group_preds, group_levels = grouped[getattr(record, by) or UNSPECIFIED]
            group_preds.extend(aligned)
            group_levels.extend([level] if level else [])
    accuracy, n_context = context_accuracy(preds)
    report = {"sentences": score_sentences(preds), "context_accuracy": accuracy, "context_n": n_context}
    if place is not None:
        report["records"] = score_records(level_pairs)
    if by is not None:
        report["groups"] = {"by": by, "values": {}}
        for value in sorted(grouped):
            group_preds, group_levels = grouped[value]
            entry = {"sentences": score_sentences(group_preds)}
            if place is not None:
                entry["records"] = score_records(group_levels)
            report["groups"]["values"][value] = entry
    return report


def format_report(report: dict) -> str:
    """Render an evaluation as plain-text tables."""
    lines = [f"{report['sentences']['n']} gold sentences"]
    for kind in ("counted", "detection"):
        table = report["sentences"][kind]
        lines.append("")
        lines.append(f"{kind} scoring")
        lines.append(f"{'label':<26}{'P':>7}{'R':>7}{'F1':>7}{'support':>9}")
        for label in taxonomy.LABELS:
            row = table[label]
            mark = "" if label in table["macro_labels"] else "  (support < 5, not in macro)"
            lines.append(f"{label:<26}{row['precision']:>7.2f}{row['recall']:>7.2f}{row['f1']:>7.2f}"
                         f"{row['support']:>9}{mark}")
        lines.append(f"{'macro F1':<26}{table['macro_f1']:>21.2f}")
        lines.append(f"{'micro F1':<26}{table['micro_f1']:>21.2f}")
    lines.append("")
    lines.append(f"context accuracy {report['context_accuracy']:.2f} over {report['context_n']} sentences")
    if "records" in report:
        rec = report["records"]
        lines.append("")
        lines.append(f"record level over {rec['n']} records: exact {rec['exact']:.2f}, "
                     f"within one level {rec['within_one']:.2f}")
        levels = [*taxonomy.RECORD_LEVELS, taxonomy.NOT_APPLICABLE]
        short = {lv: lv[:6] for lv in levels}
        lines.append("gold \\ predicted".ljust(18) + "".join(f"{short[lv]:>8}" for lv in levels))
        for gold in levels:
            row = rec["confusion"].get(gold, {})
            if row:
                lines.append(gold[:17].ljust(18) + "".join(f"{row.get(lv, 0):>8}" for lv in levels))
    if "groups" in report:
        lines.append("")
        lines.extend(format_groups(report["groups"]))
    return "\n".join(lines)


def macro_cell(table: dict, width: int = 0) -> str:
    """A table's macro-F1, or "-" when no label has the support to enter it (MIN_SUPPORT)."""
    return f"{table['macro_f1']:>{width}.2f}" if table.get("macro_labels") else f"{'-':>{width}}"


def format_groups(groups: dict) -> list[str]:
    """One line per register (or jurisdiction): sentences, macro-F1 counted and detection, levels.

    A group where no label has MIN_SUPPORT gold sentences shows "-" for its macro-F1.
    """
    by = groups["by"]
    lines = [f"by {by}", f"{by:<16}{'sentences':>10}{'counted F1':>12}{'detection F1':>14}{'records':>9}"
             f"{'exact':>7}{'within 1':>10}"]
    for value, entry in groups["values"].items():
        sentences, records = entry["sentences"], entry.get("records")
        level = (f"{records['n']:>9}{records['exact']:>7.2f}{records['within_one']:>10.2f}" if records else "")
        lines.append(f"{value:<16}{sentences['n']:>10}{macro_cell(sentences['counted'], 12)}"
                     f"{macro_cell(sentences['detection'], 14)}{level}")
    return lines
