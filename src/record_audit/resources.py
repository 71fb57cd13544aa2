"""Paths of the shipped rules, models and app notebook; imports nothing from the package.

In a wheel the rules and models are package data under ``record_audit/_data``; in a source
checkout (editable install) they are the repository's top-level ``lexicons/`` and
``models/``, and the apps' notebooks are ``notebooks/app_dashboard.ipynb`` and
``notebooks/app_review.ipynb``. Which model a run
uses is decided by ``record_audit.model.registry.choose_model``.
"""
from __future__ import annotations

from pathlib import Path

_PACKAGE_DATA = Path(__file__).resolve().parent / "_data"
_REPO_ROOT = Path(__file__).resolve().parents[2]


def shipped(name: str) -> Path:
    """Return the shipped folder ``name`` ('lexicons', 'models' or 'notebooks').

    The package data folder when there is one, else the checkout's; a folder missing from
    both is reported by whatever reads it, with its path.
    """
    packaged = _PACKAGE_DATA / name
    return packaged if packaged.is_dir() else _REPO_ROOT / name


def rules_dir(override: str | Path | None = None) -> Path:
    """Return the rules folder: ``override`` (``--rules DIR``) or the shipped lexicons."""
    return Path(override) if override is not None else shipped("lexicons")


def app_notebook() -> Path:
    """The dashboard app's notebook (``make app``), wherever the command runs from."""
    return shipped("notebooks") / "app_dashboard.ipynb"


def review_notebook() -> Path:
    """The review app's notebook (``make review``, ``record-audit review serve``)."""
    return shipped("notebooks") / "app_review.ipynb"
