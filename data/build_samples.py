"""Assemble the annotated data sets from the parts written for them.

    python data/build_samples.py

- data/samples/annotated.jsonl (+ notes.csv): the bundled samples, from data/samples/parts/*.jsonl
- data/corpus/train.jsonl: further training records, from data/corpus/parts/train_*.jsonl
- data/corpus/dev.jsonl: the dev split, from data/corpus/parts/dev_*.jsonl

The classifier trains on samples + train and is compared on dev (data/README.md).
Records are sorted by id; a record id used twice, or a sentence shared by two records,
stops the build. Prints the figures for the data cards.
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from make_notes_table import main as make_table

DATA = Path(__file__).resolve().parent
SETS = {
    "samples": (sorted((DATA / "samples" / "parts").glob("*.jsonl")), DATA / "samples" / "annotated.jsonl"),
    "train": (sorted((DATA / "corpus" / "parts").glob("train_*.jsonl")), DATA / "corpus" / "train.jsonl"),
    "dev": (sorted((DATA / "corpus" / "parts").glob("dev_*.jsonl")), DATA / "corpus" / "dev.jsonl"),
}


def read_parts(parts: list[Path]) -> dict[str, dict]:
    records: dict[str, dict] = {}
    for part in parts:
        for n, line in enumerate(open(part, encoding="utf-8"), 1):
            if not line.strip():
                continue
            record = json.loads(line)
            if record["record_id"] in records:
                raise SystemExit(f"{part.name} line {n}: record {record['record_id']} appears twice")
            records[record["record_id"]] = record
    return records


def figures(name: str, records: dict[str, dict]) -> None:
    labels, contexts, levels = Counter(), Counter(), Counter()
    sentences = unlabeled = 0
    for record in records.values():
        levels[record.get("gold_level")] += 1
        for note in record["notes"]:
            for s in note["sentences"]:
                sentences += 1
                unlabeled += not s["labels"]
                labels.update(s["labels"])
                contexts[s["context"] or "null"] += 1
    print(f"{name}: {len(records)} records, {sentences} sentences ({unlabeled / max(sentences, 1):.0%} unlabeled)")
    print("  labels:", dict(labels.most_common()))
    print("  contexts:", dict(contexts.most_common()))
    print("  levels:", dict(levels.most_common()))


def build() -> None:
    owner: dict[str, str] = {}
    everything: dict[str, dict] = {}
    for name, (parts, out) in SETS.items():
        records = read_parts(parts)
        for rid, record in records.items():
            if rid in everything:
                raise SystemExit(f"record {rid} is in two sets")
            everything[rid] = record
            for note in record["notes"]:
                for s in note["sentences"]:
                    key = " ".join(s["text"].lower().split())
                    if len(key) > 30 and owner.setdefault(key, rid) != rid:
                        raise SystemExit(f"records {owner[key]} and {rid} share a sentence: no two records may")
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(out, "w", encoding="utf-8") as fh:
            for rid in sorted(records):
                fh.write(json.dumps(records[rid], ensure_ascii=False) + "\n")
        figures(name, records)
    make_table(str(SETS["samples"][1]), str(DATA / "samples" / "notes.csv"))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        raise SystemExit(__doc__)
    build()
