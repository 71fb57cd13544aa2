"""The optional --parties file: who is who in a record (CONTRACT section 1)."""
from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from .. import taxonomy
from ..errors import Errors, InputError, Warnings
from .encoding import detect_encoding
from .note import ReadStats


class Parties:
    """Declared roles per record: ``{record_id: {name: role}}``.

    A name may be a person ("Ms. Okafor", "Dana") or a party word ("mother",
    "partner"); the roles component decides which.
    """

    def __init__(self, by_record: dict[str, dict[str, str]] | None = None) -> None:
        self.by_record = dict(by_record or {})

    def for_record(self, record_id: str) -> dict[str, str]:
        return self.by_record.get(record_id, {})

    def __bool__(self) -> bool:
        return bool(self.by_record)


def read_parties(path: str | Path, *, encoding: str | None = None,
                 stats: ReadStats | None = None) -> Parties:
    """Read a CSV ``record_id,name,role``; unknown roles are refused with their row."""
    path = Path(path)
    if not path.is_file():
        raise InputError(Errors.E003.format(path=path))
    stats = stats or ReadStats()
    enc, _ = detect_encoding(path, encoding)
    by_record: dict[str, dict[str, str]] = defaultdict(dict)
    with open(path, encoding=enc, newline="") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        for field in ("record_id", "name", "role"):
            if field not in header:
                raise InputError(Errors.E001.format(path=path, field=field,
                                                    found=", ".join(header) or "none"))
        for row_no, row in enumerate(reader, start=2):
            row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
            for column in ("record_id", "name"):
                if not row[column]:
                    stats.skip(Warnings.W003.format(path=path, row=row_no, column=column))
                    break
            else:
                role = row["role"].lower()
                if role not in taxonomy.ROLES:
                    raise InputError(Errors.E018.format(path=path, row=row_no, column="role",
                                                        value=role, known=", ".join(taxonomy.ROLES)))
                by_record[row["record_id"]][row["name"]] = role
    return Parties(by_record)
