"""The one place that creates output files, and the fingerprint of an input file or folder.

Every output is written under a temporary name and renamed when complete, so a failed run
never leaves a truncated file under the final name (CONTRACT section 1): ``write_atomic``
for a file written at once (reports, summaries, ``current.json``, model cards),
``replacing`` for a writer that wants a path of its own (a workbook, a Parquet file), and
``PartialJsonl`` for ``flag -o``, which a rerun continues.

**Private by default** (CONTRACT section 9). What the tool writes holds case-note text, so
every file it creates is owner-only (0600) and every folder it creates 0700, whatever the
umask: the mode is given to ``os.open``/``os.mkdir`` when the file or folder is made (the
umask can only take bits away, so it is never wider than asked for, not even for a moment),
then set exactly with ``fchmod``/``chmod`` (a restrictive umask must not narrow a team's
0640 either). Libraries that write by path (openpyxl, pyarrow, skops, SQLite) write into a
file created here first; SQLite gives a store's ``-wal`` and ``-shm`` files the mode of the
store. ``RECORD_AUDIT_SHARED_GROUP=1`` (``record-audit --shared-group``) makes them 0640 and
0750 for a team folder: readable by the file's group, never by other users.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import Errors, InputError

PARTIAL = ".partial"
SHARED_GROUP_ENV = "RECORD_AUDIT_SHARED_GROUP"
PRIVATE_FILE, PRIVATE_FOLDER = 0o600, 0o700
GROUP_FILE, GROUP_FOLDER = 0o640, 0o750


def shared_group() -> bool:
    """Whether outputs are shared with their group (``RECORD_AUDIT_SHARED_GROUP`` set, not 0/false/no)."""
    return os.environ.get(SHARED_GROUP_ENV, "").strip().lower() not in ("", "0", "false", "no", "off")


def set_shared_group(on: bool = True) -> None:
    """Share outputs with their group from now on, here and in worker processes started later."""
    if on:
        os.environ[SHARED_GROUP_ENV] = "1"
    else:
        os.environ.pop(SHARED_GROUP_ENV, None)


def file_mode() -> int:
    """The mode of the files the tool creates: 0600, or 0640 with a shared group."""
    return GROUP_FILE if shared_group() else PRIVATE_FILE


def folder_mode() -> int:
    """The mode of the folders the tool creates: 0700, or 0750 with a shared group."""
    return GROUP_FOLDER if shared_group() else PRIVATE_FOLDER


def _set_mode(fd_or_path: int | str | Path, mode: int) -> None:
    """Give a file the tool writes exactly ``mode`` (a folder keeps its set-group-ID bit)."""
    try:
        if isinstance(fd_or_path, int):
            os.fchmod(fd_or_path, mode)
        else:
            keep = os.stat(fd_or_path).st_mode & stat.S_ISGID
            os.chmod(fd_or_path, mode | keep)
    except PermissionError:
        pass  # someone else's file the user may write to: its owner decides its mode


_OPEN_FLAGS = {"w": os.O_WRONLY | os.O_CREAT | os.O_TRUNC, "a": os.O_WRONLY | os.O_CREAT | os.O_APPEND,
               "x": os.O_WRONLY | os.O_CREAT | os.O_EXCL}


def open_output(path: str | Path, mode: str = "w", **kwargs):
    """``open(path, mode)`` for writing (``w``, ``a``, ``x``, with ``b`` for bytes), the file owner-only.

    A new file is created with the mode already set; an existing one is given it.
    """
    flags = _OPEN_FLAGS[mode.replace("b", "").replace("+", "")] | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags, file_mode())
    try:
        _set_mode(fd, file_mode())
        return os.fdopen(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        raise


def create_file(path: str | Path) -> Path:
    """Create ``path`` empty if it does not exist, owner-only, for a library that writes it by path.

    An existing file keeps its content and mode (an audit store made by someone else, say).
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), file_mode())
    except FileExistsError:
        return path
    try:
        _set_mode(fd, file_mode())
    finally:
        os.close(fd)
    return path


def make_folder(path: str | Path) -> Path:
    """Create ``path`` and any missing parents, each folder it creates owner-only; existing ones are left as they are."""
    path = Path(path)
    missing = []
    for folder in (path, *path.parents):
        if folder.is_dir():
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            os.mkdir(folder, folder_mode())
        except FileExistsError:
            if not folder.is_dir():
                raise
            continue  # made by another process meanwhile
        _set_mode(folder, folder_mode())
    return path


@contextmanager
def temporary_folder(prefix: str, where: str | Path | None = None) -> Iterator[Path]:
    """A temporary folder (owner-only, as ``tempfile`` makes it; 0750 with a shared group), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=prefix, dir=where) as tmp:
        _set_mode(tmp, folder_mode())
        yield Path(tmp)


def copy_file(source: str | Path, target: str | Path) -> Path:
    """Copy a file's content (not its mode) into ``target``, owner-only, through ``target.partial``."""
    with open(source, "rb") as src, replacing(target) as tmp, open_output(tmp, "wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    return Path(target)


def copy_folder(source: str | Path, target: str | Path) -> Path:
    """Copy a folder's files into ``target`` (created), every folder and file owner-only."""
    source, target = Path(source), Path(target)
    make_folder(target)
    for entry in sorted(source.rglob("*")):
        dest = target / entry.relative_to(source)
        if entry.is_dir():
            make_folder(dest)
        elif entry.is_file():
            copy_file(entry, dest)
    return target


def loose_mode(path: str | Path) -> int | None:
    """The permission bits of an existing file beyond what the tool would give it, or None."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return None
    extra = mode & 0o077 & ~file_mode()
    return mode if extra else None


def partial_path(path: str | Path) -> Path:
    """``OUT.partial``: where ``OUT`` is written until it is complete."""
    path = Path(path)
    return path.with_name(path.name + PARTIAL)


@contextmanager
def replacing(path: str | Path, *, unique: bool = False) -> Iterator[Path]:
    """Yield the temporary path to write ``path`` through; rename it into place when the block succeeds.

    The temporary is ``path.partial``, created empty and owner-only: the writer must
    truncate it, not replace it (``open(tmp, "wb")``, pyarrow, openpyxl and skops do).
    It is removed if the block fails. ``unique`` gives it a name
    of its own, for a file that two writers may write at the same time (a Dask task retried
    on another worker while the first still runs).
    """
    path = Path(path)
    tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex}{PARTIAL}") if unique else partial_path(path)
    try:
        open_output(tmp, "wb").close()  # owner-only before anything is written into it
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: str | Path, data: bytes | str) -> Path:
    """Write ``data`` (text is written as UTF-8) to ``path`` through ``path.partial``."""
    path = Path(path)
    with replacing(path) as tmp, open_output(tmp, "wb") as fh:
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
        self._fh = open_output(self.partial, "a", encoding="utf-8")
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
