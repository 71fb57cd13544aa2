"""``RetrainPanel``: train a candidate model, compare it with the adopted one, adopt it or roll back.

For analysts. The candidate is trained from the annotated training files plus the standing
decisions of the chosen review stores (``ReviewStore.training_rows``), into the panel's models
folder; the comparison (``record_audit.model.compare``) shows dev-split scores per label and
the reviewed sentences whose prediction changed. Adopting writes that folder's
``current.json`` (the previous model is kept and can be restored with *Roll back*);
``record-audit flag --models-dir FOLDER`` then uses it. Errors appear on the panel.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

import ipywidgets as w

from .. import taxonomy
from ..errors import Errors
from ..model.registry import ModelRegistry
from .render import shown

DESIGN_NOTE = {
    "words": "TF-IDF over role-normalized words (about a minute on the bundled corpus)",
    "wordchars": "words plus character 3-5-grams (a few minutes)",
    "full": "words, character n-grams, parse and rule features (the slowest)",
    "auto": "every design compared on dev, the best kept (as long as all of them together)",
}


def design_options(current_design: str | None = None) -> list[tuple[str, str]]:
    """Every design the trainer knows (``model.sentence_model.DESIGNS``) and ``auto``, the current model's marked."""
    from ..model.sentence_model import DESIGNS
    options = []
    for design in (*DESIGNS, "auto"):
        mark = " · the current model's design" if design == current_design else ""
        options.append((f"{design}: {DESIGN_NOTE.get(design, design)}{mark}", design))
    return options


def change_text(delta: float | None, *, digits: int = 3) -> str:
    """A change in words, the right way round: 'gain 0.020', 'loss 0.143', 'no change'."""
    if delta is None:
        return "—"
    if abs(delta) < 0.5 * 10 ** -digits:
        return "no change"
    return f"gain {delta:.{digits}f}" if delta > 0 else f"loss {-delta:.{digits}f}"


def label_rows(comparison) -> list[dict]:
    """Per label on the dev split, as people read it: plain names, 'current → candidate', changes in words."""
    rows = []
    for r in comparison.label_table():
        rows.append({"Label": taxonomy.display_name(r["label"]), "Dev sentences": r["support"],
                     "Precision": f"{r['P current']:.3f} → {r['P candidate']:.3f}",
                     "Precision change": change_text(r["ΔP"]),
                     "F1": f"{r['F1 current']:.3f} → {r['F1 candidate']:.3f}", "F1 change": change_text(r["ΔF1"])})
    return rows


def summary_rows(comparison) -> list[dict]:
    """Macro-F1 and record-level accuracy on dev: current → candidate, the change in words."""
    return [{"Measure": r["metric"], "Current": round(r["current"], 3), "Candidate": round(r["candidate"], 3),
             "Change": change_text(r["change"])} for r in comparison.summary_table()]


def verdict(comparison, *, min_support: int = 5) -> str:
    """The comparison in one sentence: macro-F1's change and the largest precision loss on a label."""
    macro = {r["metric"]: r for r in comparison.summary_table()}["macro-F1 counted"]
    rows = [r for r in comparison.label_table() if r["support"] >= min_support] or comparison.label_table()
    worst = min(rows, key=lambda r: r["ΔP"])
    loss = (f"largest precision loss on a label: {-worst['ΔP']:.3f} ({taxonomy.display_name(worst['label'])})"
            if worst["ΔP"] < 0 else "no label loses precision")
    return (f"dev counted macro-F1 {macro['current']:.3f} → {macro['candidate']:.3f} "
            f"({change_text(macro['change'])}); {loss}")


class RetrainPanel(w.VBox):
    """Choose reviewed stores, train a candidate, compare it, adopt it or roll back."""

    def __init__(self, models_dir: str | Path, *, train_files, dev_file: str | Path, stores=(),
                 design: str = "words", seed: int = 0, rules_dir=None, nlp=None) -> None:
        self.registry = ModelRegistry(models_dir)
        current = next((r for r in self.registry.table() if r["current"]), None)
        self.train_files = [Path(f) for f in train_files]
        self.dev_file = Path(dev_file)
        self.rules_dir = rules_dir
        self._nlp = nlp
        self.candidate: Path | None = None
        self.comparison = None   # a record_audit.model.compare.Comparison
        stores = [Path(s) for s in stores]
        self.stores = w.SelectMultiple(options=[(s.name, str(s)) for s in stores], value=[str(s) for s in stores],
                                       description="Reviewed", rows=min(max(len(stores), 2), 6))
        self.design = w.Dropdown(options=design_options(current["design"] if current else None), value=design,
                                 description="Design", layout=w.Layout(width="max-content"))
        self.seed = w.IntText(value=seed, description="Seed", layout=w.Layout(width="160px"))
        self.train_button = w.Button(description="Train candidate", button_style="primary",
                                     tooltip="Train on the training files plus the chosen stores' decisions")
        self.adopt_button = w.Button(description="Adopt candidate", button_style="success", disabled=True)
        self.rollback_button = w.Button(description="Roll back", button_style="warning",
                                        tooltip="Return to the model adopted before the current one")
        self.status = w.HTML()
        self.models_view = w.HTML()
        self.result_view = w.HTML()
        self.message = w.HTML()
        self.train_button.on_click(shown(self, self.train))
        self.adopt_button.on_click(shown(self, self.adopt))
        self.rollback_button.on_click(shown(self, self.rollback))
        super().__init__([
            w.HTML(f"<b>Models folder</b> <code>{escape(str(self.registry.path))}</code>"),
            w.HBox([self.stores, w.VBox([self.design, self.seed])]),
            w.HBox([self.train_button, self.adopt_button, self.rollback_button]),
            self.status, self.message, self.models_view, self.result_view,
        ])
        self._show_models()

    # -- actions -------------------------------------------------------------------------------
    def reviewed_rows(self) -> list[tuple[str, str, set[str]]]:
        """The training rows of every chosen review store."""
        from ..store.review import ReviewStore
        rows = []
        for db in self.stores.value:
            if not Path(db).is_file():
                raise FileNotFoundError(Errors.E121.format(path=db))
            review = ReviewStore(db)
            try:
                rows.extend(review.training_rows())
            finally:
                review.close()
        return rows

    def train(self) -> None:
        """Train a candidate into the models folder and compare it with the current model."""
        from ..model.compare import compare_models
        from ..model.train import train_model

        self.message.value = ""
        self.train_button.disabled = self.adopt_button.disabled = True
        self.candidate = self.comparison = None
        self.result_view.value = ""
        try:
            rows = self.reviewed_rows()
            self._status(f"Training a candidate on {len(self.train_files)} file(s) and {len(rows)} reviewed "
                         f"sentence(s), design {self.design.value}: {DESIGN_NOTE[self.design.value]}…")
            out = train_model(self.train_files, dev_file=self.dev_file, models_dir=self.registry.path,
                              design=self.design.value, seed=int(self.seed.value), rules_dir=self.rules_dir,
                              extra=rows, log=self._status, nlp=self._pipeline())
            self._status(f"Comparing {out['path'].name} with the current model…")
            self.comparison = compare_models(self.registry.current(), out["path"], dev_file=self.dev_file,
                                             reviewed_rows=rows, rules_dir=self.rules_dir, nlp=self._pipeline(),
                                             candidate_dev_report=out["dev_report"])
            self.candidate = out["path"]
            self._status(f"Candidate <code>{escape(out['path'].name)}</code> ready: "
                         f"{escape(verdict(self.comparison))}.", raw=True)
            self.result_view.value = self.comparison.to_html()
        except Exception:
            self._status("Training failed; see the message below.")
            raise
        finally:
            self.train_button.disabled = False
            self._show_models()

    def adopt(self) -> None:
        """Adopt the candidate; the model it replaces stays in the folder."""
        if self.candidate is None:
            raise ValueError(Errors.E122)
        note = self.comparison.headline() if self.comparison is not None else None
        path = self.registry.adopt(self.candidate, note=note)
        self.message.value = (f"Adopted <code>{escape(path.name)}</code>. <code>record-audit flag --models-dir "
                              f"{escape(str(self.registry.path))}</code> now uses it.")
        self._show_models()

    def rollback(self) -> None:
        """Return to the model adopted before the current one."""
        path = self.registry.rollback(note="rolled back from the retraining panel")
        self.message.value = f"Rolled back: <code>{escape(path.name)}</code> is the current model again."
        self._show_models()

    # -- display -------------------------------------------------------------------------------
    def _pipeline(self):
        if self._nlp is None:
            from ..pipeline import load_pipeline
            self._nlp = load_pipeline(self.rules_dir)
        return self._nlp

    def _status(self, text: str, *, raw: bool = False) -> None:
        self.status.value = text if raw else escape(text)

    def _show_models(self) -> None:
        rows = self.registry.table()
        current = self.registry.current()
        history = self.registry.history()
        self.adopt_button.disabled = self.candidate is None or (current is not None and current.name
                                                                == self.candidate.name)
        # something to roll back to: an earlier adoption of another model whose file is still there
        before = history[-2] if len(history) >= 2 else None
        self.rollback_button.disabled = (before is None or before == history[-1]
                                         or not (self.registry.path / before).is_file())
        self.rollback_button.tooltip = ("Nothing adopted before the current model: nothing to roll back to"
                                        if self.rollback_button.disabled else f"Return to {before}")
        self.models_view.value = (
            "<table><thead><tr><th></th><th>model</th><th>design</th><th>sentences</th><th>reviewed</th>"
            f"<th>dev macro-F1</th></tr></thead><tbody>{''.join(_model_row(r) for r in rows)}</tbody></table>")


def _model_row(row: dict) -> str:
    state = "current" if row["current"] else "adopted before" if row["adopted"] else ""
    dev = "" if row["dev_macro_f1"] is None else f"{row['dev_macro_f1']:.3f}"
    cells = (state, row["file"], row["design"] or "", row["n_train_sentences"] or "", row["n_reviewed"], dev)
    return "<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in cells) + "</tr>"
