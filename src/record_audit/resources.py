"""Locate the shipped rules and models.

In a wheel they are package data under ``record_audit/_data``; in a source checkout
(editable install) they are the repository's top-level ``lexicons/`` and ``models/``.
"""
from __future__ import annotations

import os
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


MODELS_ENV = "RECORD_AUDIT_MODELS"


def explicit_models_dir(override: str | Path | None = None) -> Path | None:
    """Return the models folder given by ``override`` (``--models-dir``) or ``$RECORD_AUDIT_MODELS``.

    None when neither is set: the defaults (./models, then the shipped models) apply.
    """
    if override is not None:
        return Path(override)
    env = os.environ.get(MODELS_ENV)
    return Path(env) if env else None


def current_model(models_dir: str | Path | None = None) -> Path | None:
    """Return the adopted model file: ``models_dir``, else ``$RECORD_AUDIT_MODELS``, else ./models,
    else the shipped models.

    A folder counts when it has a ``current.json`` naming a model file (CONTRACT section 8). A
    folder given explicitly (argument or environment) must exist and have one: pointing at a
    folder and getting another's model would be a silent surprise. A ``current.json`` naming a
    missing file is an InputError wherever it is found.
    """
    from .errors import InputError
    from .model.registry import CURRENT_FILE, adopted_model

    explicit = explicit_models_dir(models_dir)
    if explicit is not None:
        source = "--models-dir" if models_dir is not None else f"${MODELS_ENV}"
        if not explicit.is_dir():
            raise InputError(f"{explicit} (from {source}): no such models folder. Give a folder holding "
                             f"{CURRENT_FILE} and the models it names.")
        found = adopted_model(explicit)
        if found is None:
            raise InputError(f"{explicit} (from {source}): no {CURRENT_FILE}, so no model is adopted there. "
                             "Adopt one with `record-audit models adopt MODEL --models-dir DIR`, or pass "
                             "--rules-only.")
        return found
    candidates = [Path.cwd() / "models"]
    try:
        candidates.append(shipped("models"))
    except FileNotFoundError:
        pass
    for folder in candidates:
        found = adopted_model(folder) if folder.is_dir() else None
        if found is not None:
            return found
    return None
