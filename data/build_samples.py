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

import csv
import json
import sys
from collections import Counter
from pathlib import Path

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


def figures(name: str, records: dict[str, dict]) -> str:
    """Print a set's figures and return them as a Markdown table for the data card."""
    labels, contexts, levels, juris, registers = Counter(), Counter(), Counter(), Counter(), Counter()
    sentences = unlabeled = notes = 0
    for record in records.values():
        levels[record.get("gold_level")] += 1
        juris[record.get("jurisdiction")] += 1
        registers[record.get("register")] += 1
        for note in record["notes"]:
            notes += 1
            for s in note["sentences"]:
                sentences += 1
                unlabeled += not s["labels"]
                labels.update(s["labels"])
                contexts[s["context"] or "null"] += 1
    print(f"{name}: {len(records)} records, {sentences} sentences ({unlabeled / max(sentences, 1):.0%} unlabeled)")
    print("  labels:", dict(labels.most_common()))
    print("  contexts:", dict(contexts.most_common()))
    print("  levels:", dict(levels.most_common()))
    print("  registers:", dict(registers.most_common()))
    print("  jurisdictions:", dict(juris.most_common()))
    rows = [("records", len(records)), ("notes", notes), ("sentences", sentences),
            ("sentences without a label", f"{unlabeled} ({unlabeled / max(sentences, 1):.0%})"),
            ("jurisdiction", ", ".join(f"{k} {v}" for k, v in sorted(juris.items()))),
            ("register", ", ".join(f"{k} {v}" for k, v in sorted(registers.items()))),
            *((f"label `{k}`", v) for k, v in sorted(labels.items())),
            *((f"context `{k}`", v) for k, v in sorted(contexts.items())),
            *((f"level `{k}`", v) for k, v in sorted(levels.items(), key=lambda kv: str(kv[0])))]
    return "| | |\n|---|---|\n" + "".join(f"| {k} | {v} |\n" for k, v in rows)


def write_card_figures(card: Path, table: str) -> None:
    """Replace the figures between the card's markers (the rest of the card is written by hand)."""
    text = card.read_text(encoding="utf-8")
    start, end = "<!-- figures: start -->", "<!-- figures: end -->"
    if start not in text or end not in text:
        raise SystemExit(f"{card}: the figure markers are missing")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    card.write_text(f"{head}{start}\n{table}{end}{tail}", encoding="utf-8")


def write_notes_table(records: dict[str, dict], out: Path) -> None:
    """One row per note (record_id, note_id, date, note_type, author, team, text), the text being
    the note's sentences joined by one space (CONTRACT section 2): `record-audit flag` on the
    table and on the annotated file see the same notes."""
    with open(out, "w", newline="", encoding="utf-8") as table:
        writer = csv.writer(table)
        writer.writerow(["record_id", "note_id", "date", "note_type", "author", "team", "text"])
        for rid in sorted(records):
            record = records[rid]
            for note in record["notes"]:
                writer.writerow([rid, note["note_id"], note.get("date"), note.get("note_type"),
                                 record.get("worker"), record.get("team"),
                                 " ".join(s["text"] for s in note["sentences"])])


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
        table = figures(name, records)
        if name == "samples":
            write_card_figures(DATA / "samples" / "README.md", table)
            write_notes_table(records, DATA / "samples" / "notes.csv")


if __name__ == "__main__":
    if len(sys.argv) > 1:
        raise SystemExit(__doc__)
    build()
