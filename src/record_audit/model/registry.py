"""A models folder as a registry: list the trained models, adopt one, roll back; which model a run uses.

A models folder holds ``<name>-<version>.skops`` files, each with a JSON sidecar (labels,
thresholds, metadata) and a model card, and ``current.json`` naming the adopted one::

    {"model": "record-audit-clf-….skops", "previous": "record-audit-clf-….skops",
     "history": ["record-audit-clf-….skops", "record-audit-clf-….skops"]}

``history`` lists the adoptions oldest first and ends with the current model; ``previous`` is
the entry before it (the only other key the first format had). Adopting appends, rolling back
drops the last entry and returns to the one before; no model file is ever deleted, so a
rolled-back model can be adopted again. ``current.json`` is written to a temporary file and
renamed over the old one: a crash leaves the old file or the new one, never half of either.
Every adoption and rollback is also logged, with its time and an optional note, at the end of
the card of the model it makes current.

``choose_model`` is the one place that decides which model ``flag``, ``audit``, ``evaluate``,
the app and the notebooks run with (CONTRACT section 8).
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..errors import Errors, InputError, Warnings, warn
from ..files import write_atomic
from ..resources import shipped

CURRENT_FILE = "current.json"
MODELS_ENV = "RECORD_AUDIT_MODELS"
ADOPTION_LOG = "## Adoption log"


def read_current(models_dir: str | Path) -> dict | None:
    """Parse ``models_dir/current.json`` into ``model``, ``previous`` and ``history``.

    Returns None when the folder has no ``current.json``. A file of the first format
    (``model`` and ``previous`` only) gets the history those two imply.
    """
    current = Path(models_dir) / CURRENT_FILE
    if not current.is_file():
        return None
    try:
        data = json.loads(current.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(Errors.E046.format(path=current, reason=type(err).__name__)) from None
    model = data.get("model") if isinstance(data, dict) else None
    if not isinstance(model, str) or not model:
        raise InputError(Errors.E047.format(path=current))
    history = data.get("history")
    if not (isinstance(history, list) and history and all(isinstance(h, str) for h in history)
            and history[-1] == model):
        previous = data.get("previous")
        history = [previous, model] if isinstance(previous, str) and previous and previous != model else [model]
    return {"model": model, "previous": history[-2] if len(history) > 1 else None, "history": history}


def adopted_model(models_dir: str | Path) -> Path | None:
    """The model file ``models_dir/current.json`` names, or None without a ``current.json``.

    A ``current.json`` naming a file that is not there is an InputError, not a silent fallback.
    """
    entry = read_current(models_dir)
    if entry is None:
        return None
    path = Path(models_dir) / entry["model"]
    if not path.is_file():
        raise InputError(Errors.E048.format(path=Path(models_dir) / CURRENT_FILE, model=entry["model"],
                                            folder=models_dir))
    return path


def explicit_models_dir(models_dir: str | Path | None = None) -> tuple[Path, str] | None:
    """The models folder given by ``models_dir`` (--models-dir), else by $RECORD_AUDIT_MODELS, and which.

    None when neither is set: the defaults (./models, then the shipped models) apply.
    """
    if models_dir is not None:
        return Path(models_dir), "--models-dir"
    env = os.environ.get(MODELS_ENV)
    return (Path(env), f"${MODELS_ENV}") if env else None


def models_folder(models_dir: str | Path | None = None, *, cwd: str | Path | None = None,
                  read_only: bool = False) -> Path:
    """The folder ``record-audit models`` works on: --models-dir, else $RECORD_AUDIT_MODELS, else ./models.

    ``read_only`` (listing) falls back to the shipped models when there is no ./models; nothing is
    ever adopted into them implicitly. ``cwd`` is the working directory by default.
    """
    explicit = explicit_models_dir(models_dir)
    if explicit is not None:
        return explicit[0]
    folder = Path(cwd if cwd is not None else Path.cwd()) / "models"
    if read_only and not folder.is_dir():
        return shipped("models")
    return folder


def choose_model(*, rules_only: bool = False, model: str | Path | None = None,
                 models_dir: str | Path | None = None, cwd: str | Path | None = None) -> Path | None:
    """Decide which classifier model a run uses (CONTRACT section 8); None runs rules only.

    In order: none with ``rules_only`` (--rules-only); ``model`` (--model FILE); the model
    adopted in ``models_dir`` (--models-dir), else in $RECORD_AUDIT_MODELS; else in
    ``cwd/models`` (``cwd`` is the working directory unless given); else the shipped model.
    A folder given explicitly must exist and have a ``current.json``: pointing at a folder
    and getting another's model would be a silent surprise. A ``current.json`` naming a
    missing file is an InputError wherever it is found. When no folder has a model the run
    goes on with rules only, with warning W010.
    """
    if rules_only:
        return None
    if model is not None:
        return Path(model)
    explicit = explicit_models_dir(models_dir)
    if explicit is not None:
        folder, source = explicit
        if not folder.is_dir():
            raise InputError(Errors.E044.format(path=folder, source=source, current=CURRENT_FILE))
        found = adopted_model(folder)
        if found is None:
            raise InputError(Errors.E045.format(path=folder, source=source, current=CURRENT_FILE))
        return found
    candidates = [Path(cwd if cwd is not None else Path.cwd()) / "models", shipped("models")]
    for folder in candidates:
        found = adopted_model(folder) if folder.is_dir() else None
        if found is not None:
            return found
    warn(Warnings.W010.format(searched=", ".join(str(folder) for folder in candidates)))
    return None


@dataclass(frozen=True)
class ModelInfo:
    """One model of a folder, with the key figures of its sidecar."""

    file: str
    version: str
    design: str | None
    data_hash: str | None
    rules_fingerprint: str | None
    seed: int | None
    n_train_sentences: int | None
    n_reviewed: int
    dev_macro_f1: float | None   # counted, the fused pipeline, when trained with a dev file
    size_kb: float | None
    current: bool
    adopted: bool                # in the adoption history (current or earlier)
    has_card: bool

    def as_row(self) -> dict:
        return asdict(self)


class ModelRegistry:
    """The models of one folder and which of them is adopted."""

    def __init__(self, models_dir: str | Path) -> None:
        self.path = Path(models_dir)
        if not self.path.is_dir():
            raise InputError(Errors.E049.format(path=self.path))
        self.current_file = self.path / CURRENT_FILE

    # -- reading -----------------------------------------------------------------------------
    def current(self) -> Path | None:
        """The adopted model file, or None when nothing is adopted here."""
        return adopted_model(self.path)

    def history(self) -> list[str]:
        """The adopted model files, oldest first, ending with the current one."""
        entry = read_current(self.path)
        return list(entry["history"]) if entry else []

    def models(self) -> list[ModelInfo]:
        """Every ``.skops`` file of the folder with its sidecar's key figures, newest file first."""
        entry = read_current(self.path)
        current = entry["model"] if entry else None
        adopted = set(entry["history"]) if entry else set()
        files = sorted(self.path.glob("*.skops"), key=lambda p: (-p.stat().st_mtime, p.name))
        return [self._info(p, current, adopted) for p in files]

    def table(self) -> list[dict]:
        """``models()`` as rows for a DataFrame or a CLI listing."""
        return [m.as_row() for m in self.models()]

    def _info(self, path: Path, current: str | None, adopted: set[str]) -> ModelInfo:
        sidecar = path.with_suffix(".json")
        meta: dict = {}
        if sidecar.is_file():
            try:
                meta = json.loads(sidecar.read_text(encoding="utf-8")).get("meta", {}) or {}
            except (UnicodeDecodeError, json.JSONDecodeError, AttributeError):
                meta = {}
        design = meta.get("design")
        dev = meta.get("dev_macro_f1") or {}
        return ModelInfo(
            file=path.name, version=meta.get("version") or path.stem, design=design,
            data_hash=meta.get("data_hash"), rules_fingerprint=meta.get("rules_fingerprint"),
            seed=meta.get("seed"), n_train_sentences=meta.get("n_train_sentences"),
            n_reviewed=int(meta.get("n_reviewed") or 0), dev_macro_f1=dev.get(f"{design} fused (counted)"),
            size_kb=meta.get("size_kb"), current=path.name == current, adopted=path.name in adopted,
            has_card=path.with_suffix(".card.md").is_file())

    def model_path(self, model: str | Path) -> Path:
        """Resolve a model given by file name, stem or path; it must be a ``.skops`` file of this folder."""
        given = Path(model)
        candidate = given if given.suffix == ".skops" else given.with_name(given.name + ".skops")
        if len(candidate.parts) > 1 or candidate.is_absolute():
            if candidate.resolve().parent != self.path.resolve():
                raise InputError(Errors.E050.format(model=model, folder=self.path))
        path = self.path / candidate.name
        if not path.is_file():
            known = ", ".join(p.name for p in sorted(self.path.glob("*.skops"))) or "none"
            raise InputError(Errors.E051.format(path=path, folder=self.path, known=known))
        if not path.with_suffix(".json").is_file():
            raise InputError(Errors.E052.format(path=path.with_suffix(".json")))
        return path

    # -- changing ----------------------------------------------------------------------------
    def adopt(self, model: str | Path, *, note: str | None = None) -> Path:
        """Make ``model`` the current one; returns its path.

        The file is loaded first (skops, trusted types only), so a model ``record-audit flag``
        could not load is never adopted. Adopting the current model again changes nothing.
        """
        from .sentence_model import SentenceModel

        path = self.model_path(model)
        SentenceModel.load(path)
        history = self.history()
        if history and history[-1] == path.name and self.current_file.is_file():
            return path
        replaced = history[-1] if history else None
        history.append(path.name)
        self._write(history)
        self._log(path, "adopted" + (f", replacing {replaced}" if replaced else ""), note)
        return path

    def rollback(self, *, note: str | None = None) -> Path:
        """Return to the model adopted before the current one; returns its path."""
        history = self.history()
        if len(history) < 2:
            raise InputError(Errors.E053.format(
                path=self.current_file, why=f"{history[0]} is the only one" if history else "nothing is adopted"))
        dropped = history.pop()
        path = self.path / history[-1]
        if not path.is_file():
            raise InputError(Errors.E054.format(path=path, folder=self.path))
        self._write(history)
        self._log(path, f"adopted again, rolling back {dropped}", note)
        return path

    def _write(self, history: list[str]) -> None:
        entry = {"model": history[-1], "previous": history[-2] if len(history) > 1 else None, "history": history}
        write_atomic(self.current_file, json.dumps(entry, indent=2) + "\n")

    def _log(self, path: Path, what: str, note: str | None) -> None:
        """Add a line to the adoption log at the end of the model's card (when it has one)."""
        card = path.with_suffix(".card.md")
        if not card.is_file():
            return
        text = card.read_text(encoding="utf-8").rstrip("\n")
        if ADOPTION_LOG not in text:
            text += f"\n\n{ADOPTION_LOG}\n"
        stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
        line = f"- {stamp}: {what} in `{self.path.name}/`" + (f". {' '.join(note.split())}" if note else "")
        write_atomic(card, f"{text}\n{line}\n")
