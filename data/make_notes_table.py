"""Derive the notes table and the data card figures from annotated records.

    python data/make_notes_table.py data/samples/annotated.jsonl data/samples/notes.csv

The table has one row per note (record_id, note_id, date, note_type, author, team, text),
the text being the note's sentences joined by one space (CONTRACT section 2), so
`record-audit flag` on the table and on the annotated file see the same notes.
"""
from __future__ import annotations

import csv
import json
import sys
from collections import Counter


def main(annotated: str, out: str) -> None:
    labels, contexts, levels, juris = Counter(), Counter(), Counter(), Counter()
    records = sentences = notes = 0
    seen: dict[str, str] = {}
    with open(annotated, encoding="utf-8") as fh, open(out, "w", newline="", encoding="utf-8") as table:
        writer = csv.writer(table)
        writer.writerow(["record_id", "note_id", "date", "note_type", "author", "team", "text"])
        for line in fh:
            record = json.loads(line)
            records += 1
            levels[record.get("gold_level")] += 1
            juris[record.get("jurisdiction")] += 1
            for note in record["notes"]:
                notes += 1
                for s in note["sentences"]:
                    sentences += 1
                    labels.update(s["labels"])
                    contexts[s["context"] or "null"] += 1
                    key = s["text"].strip().lower()
                    if len(key) > 25 and key in seen and seen[key] != record["record_id"]:
                        print(f"warning: records {seen[key]} and {record['record_id']} share a sentence",
                              file=sys.stderr)
                    seen.setdefault(key, record["record_id"])
                writer.writerow([record["record_id"], note["note_id"], note.get("date"), note.get("note_type"),
                                 record.get("worker"), record.get("team"),
                                 " ".join(s["text"] for s in note["sentences"])])
    print(f"{records} records, {notes} notes, {sentences} sentences")
    print("jurisdiction:", dict(juris))
    print("levels:", dict(levels))
    print("labels:", dict(labels.most_common()))
    print("contexts:", dict(contexts.most_common()))


if __name__ == "__main__":
    main(*sys.argv[1:3])
