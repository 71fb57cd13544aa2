"""The one place that creates output files, and the fingerprint of an input file or folder.

Every output is written under a temporary name and renamed when complete, so a failed run
never leaves a truncated file under the final name (CONTRACT section 1): ``write_atomic``
for a file written at once (reports, summaries, ``current.json``, model cards),
``replacing`` for a writer that wants a path of its own (a workbook, a Parquet file), and
``PartialJsonl`` for ``flag -o``, which a rerun continues.
"""
from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import Errors, InputError

PARTIAL = ".partial"


def partial_path(path: str | Path) -> Path:
    """``OUT.partial``: where ``OUT`` is written until it is complete."""
    path = Path(path)
    return path.with_name(path.name + PARTIAL)


@contextmanager
def replacing(path: str | Path, *, unique: bool = False) -> Iterator[Path]:
    """Yield the temporary path to write ``path`` through; rename it into place when the block succeeds.

    The temporary is ``path.partial``, removed if the block fails. ``unique`` gives it a name
    of its own, for a file that two writers may write at the same time (a Dask task retried
    on another worker while the first still runs).
    """
    path = Path(path)
    tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex}{PARTIAL}") if unique else partial_path(path)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: str | Path, data: bytes | str) -> Path:
    """Write ``data`` (text is written as UTF-8) to ``path`` through ``path.partial``."""
    path = Path(path)
    with replacing(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        fh.flush()
        os.fsync(fh.fileno())
    return path


def fingerprint_path(path: Path) -> str:
    """SHA-256 of a file, or of a folder's relative paths and contents, streamed."""
    digest = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for file in files:
        if path.is_dir():
            digest.update(file.relative_to(path).as_posix().encode() + b"\0")
        with open(file, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


class PartialJsonl:
    """JSON Lines written to ``OUT.partial``, one record's lines at a time.

    Started again on the same path, it keeps every record of the partial file but the
    last (which may have been cut off), and reports which records are done.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.partial = partial_path(self.path)
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
