"""JSON Lines read as objects, with the line number for messages (never the line's text)."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import Errors, InputError


def jsonl_objects(path: str | Path, *, encoding: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line number, object)`` for each non-blank line; E007 / E008 name the line."""
    with open(path, encoding=encoding) as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as err:
                raise InputError(Errors.E007.format(
                    path=path, line=line_no, reason=f"column {err.colno}: {err.msg}")) from None
            if not isinstance(obj, dict):
                raise InputError(Errors.E008.format(path=path, line=line_no, found=type(obj).__name__))
            yield line_no, obj
