"""Locate the shipped rules and models.

In a wheel they are package data under ``record_audit/_data``; in a source checkout
(editable install) they are the repository's top-level ``lexicons/`` and ``models/``.
"""
from __future__ import annotations

from pathlib import Path

_PACKAGE_DATA = Path(__file__).resolve().parent / "_data"
_REPO_ROOT = Path(__file__).resolve().parents[2]


def shipped(name: str) -> Path:
    """Return the shipped folder ``name`` ('lexicons' or 'models')."""
    for base in (_PACKAGE_DATA, _REPO_ROOT):
        path = base / name
        if path.is_dir():
            return path
    raise FileNotFoundError(f"record_audit is missing its shipped '{name}' folder; reinstall it.")


def rules_dir(override: str | Path | None = None) -> Path:
    """Return the rules folder: ``override`` (``--rules DIR``) or the shipped lexicons."""
    return Path(override) if override is not None else shipped("lexicons")


def current_model(models_dir: str | Path | None = None) -> Path | None:
    """Return the adopted model file: ``models_dir``, else ./models, else the shipped models.

    A folder counts when it has a ``current.json`` naming a model file (CONTRACT section 8).
    """
    import json

    candidates = [Path(models_dir)] if models_dir is not None else [Path.cwd() / "models"]
    try:
        candidates.append(shipped("models"))
    except FileNotFoundError:
        pass
    for folder in candidates:
        current = folder / "current.json"
        if current.is_file():
            name = json.loads(current.read_text(encoding="utf-8"))["model"]
            return folder / name
    return None
