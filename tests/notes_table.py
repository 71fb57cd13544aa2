"""Write small notes tables for the tests that audit them."""
from __future__ import annotations

import csv
from pathlib import Path


def write_notes(path: Path, rows, team: str = "North") -> Path:
    """A CSV export with one note per (record_id, text) row, every record in ``team``."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["record_id", "text", "team"])
        writer.writerows([rid, text, team] for rid, text in rows)
    return path
