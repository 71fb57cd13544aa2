"""Decide how a text file is encoded without reading it into memory."""
from __future__ import annotations

import codecs
from pathlib import Path

from ..errors import Errors, InputError

_CHUNK = 1 << 20


def _first_bad_byte(path: Path, encoding: str) -> int | None:
    """Return the offset of the first byte ``encoding`` cannot decode, or None."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as err:
                return offset + err.start
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as err:
            return offset + err.start
    return None


def detect_encoding(path: Path, override: str | None = None) -> tuple[str, bool]:
    """Return (encoding, guessed_cp1252) for a text file.

    UTF-8 (BOM or not) is tried first over the whole file, streamed; a file that is
    not UTF-8 is read as Windows-1252 when every byte is defined there, and refused
    otherwise, so a file is never silently garbled.
    """
    if override:
        try:
            codecs.lookup(override)
        except LookupError:
            raise InputError(Errors.E006.format(path=path, encoding=override)) from None
        bad = _first_bad_byte(path, override)
        if bad is not None:
            raise InputError(Errors.E005.format(path=path, encoding=override, offset=bad))
        return override, False
    bad = _first_bad_byte(path, "utf-8-sig")
    if bad is None:
        return "utf-8-sig", False
    bad = _first_bad_byte(path, "cp1252")
    if bad is None:
        return "cp1252", True
    raise InputError(Errors.E004.format(path=path, offset=bad))
