"""Assemble data/samples/ from the annotated parts written for it.

    python data/build_samples.py data/samples/parts/*.jsonl

Writes data/samples/annotated.jsonl (records sorted by id) and data/samples/notes.csv
(via make_notes_table.py), and prints the figures for the data card.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from make_notes_table import main as make_table

HERE = Path(__file__).resolve().parent / "samples"


def build(parts: list[str]) -> None:
    records = {}
    for part in parts:
        for line in open(part, encoding="utf-8"):
            if line.strip():
                record = json.loads(line)
                if record["record_id"] in records:
                    raise SystemExit(f"{part}: record {record['record_id']} appears twice")
                records[record["record_id"]] = record
    out = HERE / "annotated.jsonl"
    with open(out, "w", encoding="utf-8") as fh:
        for rid in sorted(records):
            fh.write(json.dumps(records[rid], ensure_ascii=False) + "\n")
    make_table(str(out), str(HERE / "notes.csv"))


if __name__ == "__main__":
    build(sys.argv[1:])
