"""Agreement between two independent annotations of the same records, and what to adjudicate.

    python data/agreement.py A.jsonl B.jsonl [--disagreements OUT.jsonl] [--markdown]

Both files hold the same records, notes and sentences in the annotated-records format
(CONTRACT section 2). Printed per label: Cohen's kappa on sentence-level presence, in
detection (any context) and counted (context null or historical) terms, the positives each
annotator gave and the raw agreement; then context-tag kappa over sentences both labelled,
and record-level agreement on ``gold_level`` (exact, within one level, kappa).
``--disagreements`` writes one line per sentence or record where the two differ, with both
answers, for the adjudicator.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

LABELS = ("failure_to_protect", "survivor_responsibilized", "survivor_pathologized", "mutualized",
          "perpetrator_invisible", "minimized", "father_absent", "perpetrator_pattern", "harm_to_children",
          "survivor_strengths", "perpetrator_engaged")
LEVELS = ("Destructiveness", "Incapacity", "Blindness", "Pre-Competence", "Competence")
UNCOUNTED = {"negated", "reported", "hypothetical"}


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]


def sentences(record: dict):
    for note in record["notes"]:
        for i, s in enumerate(note["sentences"]):
            yield (record["record_id"], note["note_id"], i), s


def kappa(pairs: list[tuple[object, object]]) -> float | None:
    """Cohen's kappa of two raters over paired categorical answers; None when undefined."""
    n = len(pairs)
    if not n:
        return None
    observed = sum(a == b for a, b in pairs) / n
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[c] * second[c] for c in set(first) | set(second)) / (n * n)
    if expected == 1.0:
        return None  # both always gave the same single answer: agreement by construction
    return (observed - expected) / (1 - expected)


def paired(a: list[dict], b: list[dict]) -> list[tuple[tuple, dict, dict]]:
    if [r["record_id"] for r in a] != [r["record_id"] for r in b]:
        raise SystemExit("the two files do not hold the same records in the same order")
    rows = []
    for ra, rb in zip(a, b):
        sa, sb = list(sentences(ra)), list(sentences(rb))
        if [k for k, _ in sa] != [k for k, _ in sb] or any(x["text"] != y["text"] for (_, x), (_, y) in zip(sa, sb)):
            raise SystemExit(f"record {ra['record_id']}: the sentences differ between the two files")
        rows.extend((k, x, y) for (k, x), (_, y) in zip(sa, sb))
    return rows


def counted(sentence: dict) -> set[str]:
    return set() if sentence.get("context") in UNCOUNTED else set(sentence["labels"])


def report(a: list[dict], b: list[dict]) -> dict:
    rows = paired(a, b)
    labels = {}
    for label in LABELS:
        det = [(label in x["labels"], label in y["labels"]) for _, x, y in rows]
        cnt = [(label in counted(x), label in counted(y)) for _, x, y in rows]
        labels[label] = {"kappa_detection": kappa(det), "kappa_counted": kappa(cnt),
                         "positives_a": sum(p for p, _ in det), "positives_b": sum(q for _, q in det),
                         "agreement": sum(p == q for p, q in det) / len(det)}
    both = [(x.get("context") or "null", y.get("context") or "null") for _, x, y in rows
            if x["labels"] and y["labels"]]
    levels = [(ra.get("gold_level"), rb.get("gold_level")) for ra, rb in zip(a, b)]
    rank = {level: i for i, level in enumerate(LEVELS)}
    within = sum(p == q or (p in rank and q in rank and abs(rank[p] - rank[q]) <= 1) for p, q in levels)
    macro = [v["kappa_detection"] for v in labels.values() if v["kappa_detection"] is not None]
    return {"sentences": len(rows), "records": len(levels), "labels": labels,
            "macro_kappa_detection": sum(macro) / len(macro) if macro else None,
            "context": {"sentences": len(both), "kappa": kappa(both),
                        "agreement": sum(p == q for p, q in both) / len(both) if both else None},
            "levels": {"exact": sum(p == q for p, q in levels) / len(levels),
                       "within_one": within / len(levels), "kappa": kappa(levels)}}


def disagreements(a: list[dict], b: list[dict]):
    for key, x, y in paired(a, b):
        if set(x["labels"]) != set(y["labels"]) or (x.get("context") != y.get("context") and (x["labels"] or y["labels"])):
            yield {"record_id": key[0], "note_id": key[1], "sentence_index": key[2], "text": x["text"],
                   "a": {"labels": sorted(x["labels"]), "context": x.get("context")},
                   "b": {"labels": sorted(y["labels"]), "context": y.get("context")}}
    for ra, rb in zip(a, b):
        if ra.get("gold_level") != rb.get("gold_level"):
            yield {"record_id": ra["record_id"], "gold_level": {"a": ra.get("gold_level"), "b": rb.get("gold_level")},
                   "rationale": {"a": ra.get("level_rationale"), "b": rb.get("level_rationale")}}


def markdown(result: dict) -> str:
    f = lambda v: "–" if v is None else f"{v:.2f}"  # noqa: E731
    lines = ["| label | kappa (detection) | kappa (counted) | positives A / B | raw agreement |",
             "|---|---|---|---|---|"]
    for label, v in result["labels"].items():
        lines.append(f"| {label} | {f(v['kappa_detection'])} | {f(v['kappa_counted'])} | "
                     f"{v['positives_a']} / {v['positives_b']} | {v['agreement']:.2f} |")
    c, lv = result["context"], result["levels"]
    lines.append(f"| **macro** | **{f(result['macro_kappa_detection'])}** | | | |")
    lines.append("")
    lines.append(f"{result['sentences']} sentences, {result['records']} records. Context tag over the "
                 f"{c['sentences']} sentences both labelled: kappa {f(c['kappa'])}, agreement {f(c['agreement'])}. "
                 f"Record level: exact {lv['exact']:.2f}, within one {lv['within_one']:.2f}, kappa {f(lv['kappa'])}.")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    parser.add_argument("--disagreements", type=Path)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    a, b = read(args.a), read(args.b)
    result = report(a, b)
    print(markdown(result) if args.markdown else json.dumps(result, indent=2))
    if args.disagreements:
        with open(args.disagreements, "w", encoding="utf-8") as out:
            n = 0
            for row in disagreements(a, b):
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                n += 1
        print(f"{n} disagreement(s) written to {args.disagreements}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
