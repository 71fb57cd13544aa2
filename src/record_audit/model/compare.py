"""Compare a candidate model with the adopted one before adopting it.

Two views, both for an analyst's judgement:

- **Dev split** (never used for training or tuning): the whole pipeline runs over the annotated
  dev records once with each model (None: rules only) and is scored as ``record-audit
  evaluate`` scores it: per-label precision, recall and F1 of counted flags, their change,
  macro-F1 counted and detection, and record levels (exact, within one level).
- **Reviewed data**: the sentences of ``ReviewStore.training_rows`` (each with its reviewed
  labels) whose predicted labels differ between the two models. Predicted labels are detection
  labels, every flag whatever its context, as the model is trained: the rules run once and each
  model's prediction is the rules' labels plus those whose probability reaches the model's
  threshold (the pipeline's fusion policy). Each change is marked as agreeing with the
  reviewers or not. Reviewed sentences a model was trained on say little about new notes; the
  dev split is the comparison that counts.

Note text appears only in ``ChangedSentence.text`` and the escaped HTML of ``to_html``; it is
never logged.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import numpy as np

from .. import taxonomy
from .sentence_model import SentenceModel

RULES_ONLY = "rules only"


def _load(model) -> SentenceModel | None:
    if model is None or isinstance(model, SentenceModel):
        return model
    return SentenceModel.load(model)


def model_name(model) -> str:
    """A model's display name: its file stem, its recorded version, or 'rules only' for None."""
    if model is None:
        return RULES_ONLY
    if isinstance(model, SentenceModel):
        return str(model.meta.get("name") or model.meta.get("version") or "unsaved model")
    return Path(model).stem


@dataclass(frozen=True)
class ChangedSentence:
    """A reviewed sentence whose predicted labels differ between the current and the candidate model."""

    record_id: str
    text: str
    reviewed: tuple[str, ...]
    current: tuple[str, ...]
    candidate: tuple[str, ...]

    @property
    def added(self) -> tuple[str, ...]:
        return tuple(l for l in self.candidate if l not in self.current)

    @property
    def removed(self) -> tuple[str, ...]:
        return tuple(l for l in self.current if l not in self.candidate)

    @property
    def agreeing(self) -> int:
        """Label changes that move the prediction towards the reviewed labels."""
        return (sum(l in self.reviewed for l in self.added)
                + sum(l not in self.reviewed for l in self.removed))

    @property
    def disagreeing(self) -> int:
        return len(self.added) + len(self.removed) - self.agreeing

    @property
    def verdict(self) -> str:
        if not self.disagreeing:
            return "agrees with review"
        return "disagrees with review" if not self.agreeing else "mixed"

    def as_row(self) -> dict:
        return {"record_id": self.record_id, "sentence": self.text, "reviewed": ", ".join(self.reviewed),
                "current": ", ".join(self.current), "candidate": ", ".join(self.candidate),
                "added": ", ".join(self.added), "removed": ", ".join(self.removed), "verdict": self.verdict}


@dataclass
class Comparison:
    """The candidate against the current model on the dev split and on reviewed sentences."""

    current: str
    candidate: str
    dev: dict[str, dict] = field(default_factory=dict)   # "current"/"candidate" -> evaluate() report
    changed: list[ChangedSentence] = field(default_factory=list)
    n_reviewed: int = 0

    def label_table(self, scoring: str = "counted") -> list[dict]:
        """Per label: support and P/R/F1 of each model on dev, and the change (candidate - current)."""
        cur = self.dev["current"]["sentences"][scoring]
        cand = self.dev["candidate"]["sentences"][scoring]
        rows = []
        for label in taxonomy.LABELS:
            a, b = cur[label], cand[label]
            rows.append({"label": label, "support": a["support"],
                         "P current": a["precision"], "R current": a["recall"], "F1 current": a["f1"],
                         "P candidate": b["precision"], "R candidate": b["recall"], "F1 candidate": b["f1"],
                         "ΔP": round(b["precision"] - a["precision"], 4), "ΔF1": round(b["f1"] - a["f1"], 4)})
        return rows

    def summary_table(self) -> list[dict]:
        """Macro-F1 (counted and detection) and record-level accuracy on dev, each model and the change."""
        rows = []
        for metric, get in (("macro-F1 counted", lambda r: r["sentences"]["counted"]["macro_f1"]),
                            ("macro-F1 detection", lambda r: r["sentences"]["detection"]["macro_f1"]),
                            ("micro-F1 counted", lambda r: r["sentences"]["counted"]["micro_f1"]),
                            ("record level exact", lambda r: r["records"]["exact"] if "records" in r else None),
                            ("record level within one", lambda r: r["records"]["within_one"] if "records" in r
                             else None)):
            a, b = get(self.dev["current"]), get(self.dev["candidate"])
            if a is None or b is None:
                continue
            rows.append({"metric": metric, "current": a, "candidate": b, "change": round(b - a, 4)})
        return rows

    def changed_table(self) -> list[dict]:
        return [c.as_row() for c in self.changed]

    def reviewed_summary(self) -> dict:
        """How many reviewed sentences changed, and how many label changes agree with the reviewers."""
        return {"reviewed_sentences": self.n_reviewed, "changed_sentences": len(self.changed),
                "label_changes_agreeing": sum(c.agreeing for c in self.changed),
                "label_changes_disagreeing": sum(c.disagreeing for c in self.changed)}

    def headline(self) -> str:
        """One line for a model card's adoption log or a status message (no note text)."""
        summary = {r["metric"]: r for r in self.summary_table()}
        macro = summary["macro-F1 counted"]
        worst = min(self.label_table(), key=lambda r: r["ΔP"])
        rev = self.reviewed_summary()
        return (f"dev counted macro-F1 {macro['current']:.3f} ({self.current}) -> {macro['candidate']:.3f} "
                f"(largest precision change on a label {worst['ΔP']:+.2f}, {worst['label']}); "
                f"{rev['changed_sentences']} of {rev['reviewed_sentences']} reviewed sentences changed, "
                f"{rev['label_changes_agreeing']} label change(s) agreeing with review, "
                f"{rev['label_changes_disagreeing']} not")

    def to_html(self, *, max_changed: int = 200) -> str:
        """The comparison as HTML tables; every value is escaped (sentences are note text)."""
        parts = [f"<h4>Dev split: {escape(self.candidate)} (candidate) against {escape(self.current)} "
                 "(current)</h4>", _html_table(self.summary_table()),
                 "<p>Per label, counted flags (as audits count them):</p>", _html_table(self.label_table())]
        rev = self.reviewed_summary()
        parts.append(f"<h4>Reviewed sentences whose prediction changed: {rev['changed_sentences']} of "
                     f"{rev['reviewed_sentences']}</h4><p>{rev['label_changes_agreeing']} label change(s) agree "
                     f"with the reviewers, {rev['label_changes_disagreeing']} do not.</p>")
        if self.changed:
            rows = self.changed_table()
            parts.append(_html_table(rows[:max_changed]))
            if len(rows) > max_changed:
                parts.append(f"<p>… and {len(rows) - max_changed} more (see <code>changed_table()</code>).</p>")
        return "\n".join(parts)


def _html_table(rows: list[dict]) -> str:
    if not rows:
        return "<p>(none)</p>"
    head = "".join(f"<th>{escape(str(k))}</th>" for k in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{escape(_cell(k, v))}</td>" for k, v in row.items()) + "</tr>"
                   for row in rows)
    return f'<table class="record-audit-compare"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _cell(key: str, value) -> str:
    if isinstance(value, float):
        return f"{value:+.3f}" if key.startswith("Δ") or key == "change" else f"{value:.3f}"
    return "" if value is None else str(value)


def predicted_labels(nlp, rows, models: list[SentenceModel | None]) -> list[list[tuple[str, ...]]]:
    """Detection labels of each reviewed sentence under each model (None: rules only).

    ``rows`` are (record id, sentence text, labels) as ``ReviewStore.training_rows`` gives them;
    each sentence is one span, as in training. The rules run once; returns one list per model.
    """
    from ..pipeline import FLAGS_KEY
    from ..pipeline.classifier import sentence_rows

    classifier = nlp.get_pipe("record_audit_classifier")
    classifier.set_model(None)
    features, ruled = [], []
    for doc in nlp.pipe((text for _, text, _ in rows), batch_size=64):
        (row,) = sentence_rows(doc, [doc[:]])
        features.append(row)
        ruled.append({f.label_ for f in doc.spans.get(FLAGS_KEY, []) if f._.source != "classifier"})
    out = []
    for model in models:
        if model is None or not features:
            out.append([tuple(l for l in taxonomy.LABELS if l in r) for r in ruled])
            continue
        probs = model.predict_proba_rows(features)
        thresholds = np.array([model.thresholds[l] for l in model.labels])
        hits = probs >= thresholds
        out.append([tuple(l for l in taxonomy.LABELS
                          if l in r or (l in model.labels and hits[i, model.labels.index(l)]))
                    for i, r in enumerate(ruled)])
    return out


def compare_models(current, candidate, *, dev_file: str | Path, reviewed_rows=(), rules_dir=None, nlp=None,
                   candidate_dev_report: dict | None = None) -> Comparison:
    """Compare ``candidate`` with ``current`` (model files, SentenceModels, or None for rules only).

    ``reviewed_rows`` are ``ReviewStore.training_rows()`` of one or more stores.
    ``candidate_dev_report`` reuses the dev report ``train_model`` returned for the candidate
    (``dev_report``) instead of running the pipeline over dev again. ``nlp`` is a rules pipeline
    loaded from ``rules_dir`` (loaded here when None).
    """
    from ..pipeline import load_pipeline
    from .train import evaluate_on

    cur_model, cand_model = _load(current), _load(candidate)
    nlp = nlp if nlp is not None else load_pipeline(rules_dir)
    dev_file = Path(dev_file)
    dev = {"current": evaluate_on(nlp, dev_file, cur_model, rules_dir=rules_dir, levels=True),
           "candidate": candidate_dev_report if candidate_dev_report is not None and "records" in candidate_dev_report
           else evaluate_on(nlp, dev_file, cand_model, rules_dir=rules_dir, levels=True)}
    rows = list(reviewed_rows)
    changed = []
    if rows:
        before, after = predicted_labels(nlp, rows, [cur_model, cand_model])
        for (rid, text, labels), a, b in zip(rows, before, after):
            if a != b:
                reviewed = tuple(l for l in taxonomy.LABELS if l in labels)
                changed.append(ChangedSentence(rid, text, reviewed, a, b))
    return Comparison(current=model_name(current), candidate=model_name(candidate), dev=dev, changed=changed,
                      n_reviewed=len(rows))
