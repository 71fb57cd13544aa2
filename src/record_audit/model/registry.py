"""A models folder as a registry: list the trained models, adopt one, roll back.

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
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..errors import InputError

CURRENT_FILE = "current.json"
ADOPTION_LOG = "## Adoption log"


def write_atomic(path: Path, text: str) -> None:
    """Write ``path`` through a temporary file in the same folder, then rename it into place."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
        raise InputError(f"{current}: not valid JSON ({type(err).__name__}). Adopt a model again with "
                         "`record-audit models adopt MODEL` to rewrite it.") from None
    model = data.get("model") if isinstance(data, dict) else None
    if not isinstance(model, str) or not model:
        raise InputError(f"{current}: has no 'model' entry naming the adopted model file. Adopt a model "
                         "again with `record-audit models adopt MODEL` to rewrite it.")
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
        raise InputError(f"{Path(models_dir) / CURRENT_FILE}: names the model '{entry['model']}', which is not "
                         f"in {models_dir}. Restore the file, adopt another model with `record-audit models "
                         "adopt MODEL`, or roll back with `record-audit models rollback`.")
    return path


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
            raise InputError(f"{self.path}: no such models folder. Train into it with `record-audit train ... "
                             "--models-dir DIR`, or copy the shipped models folder there.")
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
                raise InputError(f"{model}: not in the models folder {self.path}. Train the candidate into it "
                                 "(--models-dir) before adopting it.")
        path = self.path / candidate.name
        if not path.is_file():
            known = ", ".join(p.name for p in sorted(self.path.glob("*.skops"))) or "none"
            raise InputError(f"{path}: no such model file. Models in {self.path}: {known}.")
        if not path.with_suffix(".json").is_file():
            raise InputError(f"{path.with_suffix('.json')}: the model's sidecar (labels and thresholds) is missing.")
        return path

    # -- changing ----------------------------------------------------------------------------
    def adopt(self, model: str | Path, *, note: str | None = None) -> Path:
        """Make ``model`` the current one; returns its path.

        The file is loaded first (skops, trusted types only), so a model ``record-audit flag``
        could not load is never adopted. Adopting the current model again changes nothing.
        """
        from .classifier import SentenceModel

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
            raise InputError(f"{self.current_file}: no earlier adoption to roll back to"
                             + (f" ({history[0]} is the only one)." if history else " (nothing is adopted)."))
        dropped = history.pop()
        path = self.path / history[-1]
        if not path.is_file():
            raise InputError(f"{path}: the model to roll back to is missing from {self.path}. Restore it, or "
                             "adopt another model with `record-audit models adopt MODEL`.")
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
