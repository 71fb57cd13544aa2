"""Write output files as ``OUT.partial`` and rename when complete (CONTRACT section 1)."""
from __future__ import annotations

import json
import os
from pathlib import Path

from .errors import Errors, InputError


class PartialJsonl:
    """JSON Lines written to ``OUT.partial``, one record's lines at a time.

    Started again on the same path, it keeps every record of the partial file but the
    last (which may have been cut off), and reports which records are done.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.partial = self.path.with_name(self.path.name + ".partial")
        self.done: list[str] = []
        self._fh = None

    def open(self) -> "PartialJsonl":
        if self.partial.exists():
            self.done = self._recover()
        if self.path.parent and not self.path.parent.exists():
            raise InputError(Errors.E025.format(path=self.path, reason="its folder does not exist"))
        self._fh = open(self.partial, "a", encoding="utf-8")
        return self

    def _recover(self) -> list[str]:
        """Truncate the partial file after its last complete record; return those records."""
        keep_bytes, order, last_start = 0, [], {}
        offset = 0
        with open(self.partial, "rb") as fh:
            for raw in fh:
                if not raw.endswith(b"\n"):
                    break  # a line cut off mid-write
                try:
                    rid = json.loads(raw)["record_id"]
                except (ValueError, KeyError, TypeError):
                    raise InputError(Errors.E025.format(
                        path=self.partial, reason="is not a partial output of record-audit flag")) from None
                if not order or order[-1] != rid:
                    order.append(rid)
                    last_start[rid] = offset
                offset += len(raw)
        if order:
            # the last record may be incomplete: drop it and do it again
            keep_bytes = last_start[order[-1]]
            order = order[:-1]
        with open(self.partial, "r+b") as fh:
            fh.truncate(keep_bytes)
        return order

    def write_record(self, rows: list[dict]) -> None:
        if rows:
            self._fh.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
            self._fh.flush()

    def commit(self) -> None:
        self._fh.close()
        os.replace(self.partial, self.path)

    def close(self) -> None:
        if self._fh is not None and not self._fh.closed:
            self._fh.close()
