"""Train the sentence classifier from annotated records (and reviewed decisions).

Reproducible: the same data and seed give the same model and figures (deterministic
solvers, grouped folds without shuffling). Thresholds are tuned per label on out-of-fold
probabilities of folds that each hold whole registers out (``threshold_folds``), so they are
the thresholds that work on a register the model never saw, under the fusion policy: a
sentence gets label L if a rule flagged L or the classifier's probability reaches t_L. Each
t_L maximises F1 of the fused prediction while keeping its precision at least
``PRECISION_MARGIN`` above the rules' precision on the same folds, and the precision of the
flags the classifier adds (sentences no rule flagged) at least ``PRECISION_FLOOR`` (a label
where that cannot be done gets threshold 1.0: rules only).

A model is named ``<name>-<data hash>-r<rules fingerprint>-<design>-s<seed>`` (``model_version``):
what it was trained on, with which rules, which design and seed. The same inputs give the same
name, any change a new one, so retraining never overwrites the model it is meant to replace.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

from .. import __version__, taxonomy
from ..errors import Errors, InputError
from ..files import make_folder, write_atomic
from ..io.annotated import AnnotatedRecord
from ..rules import rules_fingerprint  # the rules part of a model's name (an audit run's lexicon_version)
from .sentence_model import DESIGNS, TRUSTED_TYPES, SentenceModel, as_frame, build_classifier

# thresholds are tuned on out-of-fold probabilities from this many folds, each holding whole
# registers out (``threshold_folds``)
THRESHOLD_FOLDS = 3
THRESHOLD_GRID = np.round(np.arange(0.2, 0.96, 0.025), 3)
# A label's threshold may only add classifier flags if the fused out-of-fold precision stays at
# least this much above the rules' own. Measured on the leave-one-register-out folds of the
# training records (bench/results/generalisation-floors.md, wordchars, nested): a margin of 0.015
# cost 0.01-0.03 of the held-out fused macro-F1 at every floor and kept no label's precision
# better, so it is 0.0.
# (It had been chosen on the old dev split of case notes, where 0.015 kept every loss within 0.05.)
PRECISION_MARGIN = 0.0
# ...and the flags the classifier adds must themselves be right this often on the out-of-fold rows
# (registers the fold's model was not trained on). Measured on the same folds, nested
# (bench/results/generalisation-floors.md): counted macro-F1 over all held-out records, rules 0.540,
# fused 0.612 / 0.594 / 0.576 with floor 0.8 / 0.85 / 0.9, and the largest precision loss on a
# label 0.096 (harm_to_children) / 0.047 / 0.035. 0.85 is the best gain that costs no label more
# than MAX_PRECISION_LOSS. (It had been 0.9, chosen on the old dev split of case notes.)
PRECISION_FLOOR = 0.85
# designs are compared on the dev split by counted macro-F1 among those that cost no label more
# than this much precision against the rules alone (counted or detection scoring)
MAX_PRECISION_LOSS = 0.05

# what each design adds to the TF-IDF over role-normalized words, for the model card
DESIGN_FEATURES = {
    "wordchars": " and character 3-5-grams of the same role-normalized text",
    "full": (", character 3-5-grams of the raw text and parse/rule features (roles of subjects and objects, "
             "passive voice, negation, modals, obligation clauses, rule hits, word lists)"),
    "dense": (" replaced by the mean of static token embeddings of the same text (WordLlama's bundled "
              "256-d table, read from the installed wheel; standardized)"),
    "wordchars_dense": (", character 3-5-grams of the same text, and the mean of static token embeddings of it "
                        "(WordLlama's bundled 256-d table, read from the installed wheel; standardized, "
                        "weighted beside the TF-IDF blocks)"),
}
# how the shipped design was chosen, for the model card when a design is given (not "auto")
DESIGN_CHOICE = ("chosen on the training records' leave-one-register-out folds by counted macro-F1 of the fused "
                 "prediction and each label's precision loss against the rules: bench/generalisation.py, "
                 "bench/results/generalisation.md; the dev split only scores it")


@dataclass
class Examples:
    rows: list[dict]
    y: np.ndarray          # gold labels as written (detection), n x L
    rules: np.ndarray      # labels the rules flagged in the sentence, n x L
    groups: np.ndarray     # record ids, for grouped folds
    texts: list[str]
    # each row's record's register and jurisdiction (CONTRACT section 9), for held-out folds;
    # UNSPECIFIED where a record does not say (reviewed decisions, older files)
    registers: np.ndarray | None = None
    jurisdictions: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def subset(self, index) -> "Examples":
        """The rows at ``index`` (an integer array), as Examples."""
        pick = lambda a: None if a is None else a[index]  # noqa: E731
        return Examples([self.rows[i] for i in index], self.y[index], self.rules[index], self.groups[index],
                        [self.texts[i] for i in index] if self.texts else [],
                        pick(self.registers), pick(self.jurisdictions))


UNSPECIFIED = "unspecified"
HOLD_OUT_BY = ("register", "jurisdiction")


@dataclass(frozen=True)
class Fold:
    """One held-out fold: the value held out (a register, a jurisdiction) and row indices."""

    held_out: str
    train: np.ndarray
    test: np.ndarray


def held_out_folds(ex: Examples, by: str = "register", *, n_splits: int | None = None) -> list[Fold]:
    """Folds that each hold out whole registers (or jurisdictions); records are never split.

    With ``n_splits`` None there is one fold per value, each held out once (leave one out);
    otherwise the values are dealt into ``n_splits`` folds by ``GroupKFold`` (each fold holds
    out whole values, named "a+b"). Register and jurisdiction belong to a record, so every
    row of a record falls on the same side.
    """
    values = {"register": ex.registers, "jurisdiction": ex.jurisdictions}.get(by)
    if by not in HOLD_OUT_BY or values is None:
        raise InputError(Errors.E163.format(by=by, found="no such field" if by not in HOLD_OUT_BY else "none",
                                            known=", ".join(HOLD_OUT_BY)))
    distinct = sorted(set(values.tolist()))
    if len(distinct) < 2:
        raise InputError(Errors.E163.format(by=by, found=f"one {by} only ({len(distinct)} value)",
                                            known=", ".join(HOLD_OUT_BY)))
    rows = np.arange(len(ex))
    if n_splits is None or n_splits >= len(distinct):
        return [Fold(v, rows[values != v], rows[values == v]) for v in distinct]
    folds = []
    for train, test in GroupKFold(n_splits=n_splits).split(rows, groups=values):
        folds.append(Fold("+".join(sorted(set(values[test].tolist()))), train, test))
    return folds


def collect_examples(nlp, records: list[AnnotatedRecord], *, extra: list[tuple[str, str, set[str]]] = ()) -> Examples:
    """Run the rules pipeline over gold notes and take features for every gold sentence.

    ``extra`` adds (group, sentence text, labels) rows, e.g. reviewed decisions.
    """
    from ..pipeline import FLAGS_KEY
    from ..pipeline.classifier import sentence_rows

    index = {label: i for i, label in enumerate(taxonomy.LABELS)}
    rows, ys, rules, groups, texts, registers, jurisdictions = [], [], [], [], [], [], []
    about = {rec.record_id: (rec.register or UNSPECIFIED, rec.jurisdiction or UNSPECIFIED) for rec in records}

    def add(doc, span, labels, group):
        (row,) = sentence_rows(doc, [span])
        rows.append(row)
        texts.append(span.text)
        y = np.zeros(len(index), dtype=int)
        for label in labels:
            y[index[label]] = 1
        ys.append(y)
        r = np.zeros(len(index), dtype=int)
        for flag in doc.spans.get(FLAGS_KEY, []):
            if span.start <= flag.start and flag.end <= span.end and flag._.source != "classifier":
                r[index[flag.label_]] = 1
        rules.append(r)
        groups.append(group)
        register, jurisdiction = about.get(group, (UNSPECIFIED, UNSPECIFIED))
        registers.append(register)
        jurisdictions.append(jurisdiction)

    notes = [(rec.record_id, an) for rec in records for an in rec.notes]
    docs = nlp.pipe(((an.note.text, (rid, an)) for rid, an in notes), as_tuples=True, batch_size=32)
    for doc, (rid, an) in docs:
        for gold in an.sentences:
            span = doc.char_span(gold.start, gold.end, alignment_mode="expand")
            if span is not None and len(span):
                add(doc, span, gold.labels, rid)
    extra = list(extra)
    for doc, (group, _, labels) in zip(nlp.pipe((text for _, text, _ in extra), batch_size=64), extra):
        add(doc, doc[:], labels, group)
    return Examples(rows, np.array(ys), np.array(rules), np.array(groups), texts,
                    np.array(registers, dtype=object), np.array(jurisdictions, dtype=object))


def grouped_splits(ex: Examples, n_splits: int = 5):
    n = min(n_splits, len(set(ex.groups)))
    return list(GroupKFold(n_splits=n).split(np.zeros(len(ex)), groups=ex.groups))


def threshold_folds(ex: Examples) -> list[tuple[np.ndarray, np.ndarray]]:
    """The folds thresholds are tuned on: each holds whole registers out (THRESHOLD_FOLDS of them).

    So the out-of-fold probabilities are those of a model that never saw the register it
    scores, as on a register it was not trained on. Records without a register (or a set of
    one register) fall back to record-grouped folds.
    """
    if ex.registers is not None and len(set(ex.registers.tolist())) >= 2:
        return [(f.train, f.test) for f in held_out_folds(ex, "register", n_splits=THRESHOLD_FOLDS)]
    return grouped_splits(ex, THRESHOLD_FOLDS)


def oof_probabilities(ex: Examples, design: str, *, folds=None, C: float = 4.0) -> np.ndarray:
    """Out-of-fold probabilities (``threshold_folds`` unless ``folds`` are given); records never split."""
    probs = np.zeros(ex.y.shape, dtype=float)
    frame = as_frame(ex.rows)
    for train_idx, test_idx in (folds if folds is not None else threshold_folds(ex)):
        sub = ex.subset(train_idx)
        model = build_classifier(design, C=C, cv=grouped_splits(sub, 3))
        model.fit(frame.iloc[train_idx], ex.y[train_idx])
        probs[test_idx] = model.predict_proba(frame.iloc[test_idx])
    return probs


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _counts(pred: np.ndarray, gold: np.ndarray) -> tuple[int, int, int]:
    return int((pred & gold).sum()), int((pred & ~gold).sum()), int((~pred & gold).sum())


def tune_thresholds(probs: np.ndarray, ex: Examples, *, precision_margin: float = PRECISION_MARGIN,
                    precision_floor: float = PRECISION_FLOOR) -> dict[str, float]:
    """Per-label thresholds for the fused prediction (rules OR probability >= t)."""
    thresholds = {}
    for j, label in enumerate(taxonomy.LABELS):
        gold = ex.y[:, j].astype(bool)
        rules = ex.rules[:, j].astype(bool)
        rule_p, _, rule_f = _prf(*_counts(rules, gold))
        best_t, best_f = 1.0, rule_f  # 1.0: the classifier adds nothing for this label
        for t in THRESHOLD_GRID:
            added = ~rules & (probs[:, j] >= t)
            fused = rules | added
            p, _, f = _prf(*_counts(fused, gold))
            added_p = (added & gold).sum() / added.sum() if added.any() else 1.0
            if (f > best_f + 1e-9 and (p >= rule_p + precision_margin or not rules.any())
                    and added_p >= precision_floor):
                best_t, best_f = float(t), f
        thresholds[label] = best_t
    return thresholds


def precision_loss(rules: dict, fused: dict) -> float:
    """The largest drop in precision on a label (with gold support) from ``rules`` to ``fused``."""
    drops = [rules[l]["precision"] - fused[l]["precision"] for l in taxonomy.LABELS
             if l in rules and l in fused and rules[l].get("support", 1)]
    return max([0.0, *drops])


def fused_scores(probs: np.ndarray, ex: Examples, thresholds: dict[str, float] | None) -> dict:
    """Per-label P/R/F1 of the rules alone (thresholds None) or fused, and macro F1."""
    table = {}
    for j, label in enumerate(taxonomy.LABELS):
        gold = ex.y[:, j].astype(bool)
        pred = ex.rules[:, j].astype(bool)
        if thresholds is not None:
            pred = pred | (probs[:, j] >= thresholds[label])
        p, r, f = _prf(*_counts(pred, gold))
        table[label] = {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
                        "support": int(gold.sum())}
    scored = [l for l in taxonomy.LABELS if table[l]["support"] >= 5]
    table["macro_f1"] = round(float(np.mean([table[l]["f1"] for l in scored])), 4) if scored else 0.0
    return table


def data_hash(paths: list[Path], extra=()) -> str:
    """A short hash of the training files and of the reviewed rows added to them."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    for group, text, labels in extra:
        digest.update(json.dumps([group, text, sorted(labels)]).encode())
    return digest.hexdigest()[:16]


def model_version(digest: str, rules: str, design: str, seed: int, *,
                  precision_margin: float = PRECISION_MARGIN, precision_floor: float = PRECISION_FLOOR) -> str:
    """The version part of a model's name: data hash, rules fingerprint, design and seed.

    A precision margin or floor other than the default is part of the name too, since it
    changes the thresholds; the defaults are left out to keep names short.
    """
    version = f"{digest[:8]}-r{rules[:8]}-{design}-s{seed}"
    if abs(precision_margin - PRECISION_MARGIN) > 1e-12:
        version += f"-m{precision_margin:.3f}"
    if abs(precision_floor - PRECISION_FLOOR) > 1e-12:
        version += f"-f{precision_floor:.3f}"
    return version


def fit_final(ex: Examples, design: str, thresholds: dict[str, float], *, C: float = 4.0,
              meta: dict | None = None) -> SentenceModel:
    pipeline = build_classifier(design, C=C, cv=grouped_splits(ex, 3))
    pipeline.fit(as_frame(ex.rows), ex.y)
    return SentenceModel(pipeline=pipeline, labels=taxonomy.LABELS, thresholds=thresholds,
                         meta=dict(meta or {}, design=design, tool_version=__version__))


def write_card(path: Path, model: SentenceModel, report: dict) -> Path:
    """Write the model card (Markdown) beside the model file, keeping an existing card's adoption log."""
    meta = model.meta
    lines = [f"# Model card: {path.stem}", "",
             "A scikit-learn sentence classifier that flags survivor-blaming language and perpetrator",
             "pattern-based practice in child-welfare case notes about domestic violence, beside the",
             "record_audit rules (TAXONOMY v1 labels).", "",
             "## Intended use",
             "An aid to QA auditors, trainers and analysts reviewing DV case records. Its flags are",
             "suggestions for review, never a verdict on a family or a worker. Not for decisions about",
             "individual children or parents.", "",
             "## Design",
             (f"Design `{meta.get('design')}` ({meta['design_choice']}): TF-IDF over" if meta.get("design_choice") else
              f"Design `{meta.get('design')}` (chosen on the dev split from {', '.join(DESIGNS)}: the best counted "
              f"macro-F1 among the designs that lose no label more than {MAX_PRECISION_LOSS} precision against the "
              "rules): TF-IDF over"),
             "role-normalized words" + DESIGN_FEATURES.get(meta.get("design"), "") + ",",
             "one-vs-rest logistic regression (class_weight=balanced), probabilities calibrated with",
             f"sigmoid on record-grouped folds; per-label thresholds tuned on out-of-fold probabilities from "
             f"{meta.get('threshold_folds', 'record-grouped')} folds that each hold whole registers out",
             "(so the thresholds are those that work on a register the model was not trained on),",
             "under the fusion policy (rules OR p >= threshold), keeping the fused",
             f"precision at least {meta.get('precision_margin', PRECISION_MARGIN)} above the rules' and the precision of the",
             f"flags it adds at least {meta.get('precision_floor', PRECISION_FLOOR)} (threshold 1.0: the label stays rules only).", "",
             "## Fusion policy",
             "Rule flags always stay. The classifier adds a sentence-wide flag for a label when its",
             "probability reaches the label's threshold and no rule flagged that label in the sentence;",
             "ConText then tags it (negated / reported / hypothetical flags are not counted).", "",
             "## Data",
             f"- training files: {', '.join(meta.get('train_files', []))}",
             f"- data hash: `{meta.get('data_hash')}`; {meta.get('n_train_sentences')} sentences from "
             f"{meta.get('n_train_records')} records; reviewed decisions added: {meta.get('n_reviewed', 0)}",
             f"- rules fingerprint: `{meta.get('rules_fingerprint')}` (an audit run's `lexicon_version`)",
             f"- dev file: {meta.get('dev_file')} ({meta.get('n_dev_records')} records, kept out of training and lexicon tuning)",
             f"- seed {meta.get('seed')}; training took {meta.get('train_seconds')} s; file size {meta.get('size_kb')} KB", "",
             "## Thresholds", "", "| label | threshold |", "|---|---|"]
    lines += [f"| {l} | {model.thresholds[l]:.3f} |" for l in model.labels]
    for title, key in (("Out-of-fold comparison on the training records (fused detection F1)", "oof"),
                       ("Dev split: sentence detection scores", "dev")):
        block = report.get(key)
        if not block:
            continue
        lines += ["", f"## {title}", ""]
        columns = list(block)
        lines.append("| label | " + " | ".join(columns) + " |")
        lines.append("|---|" + "---|" * len(columns))
        for label in (*taxonomy.LABELS, "macro_f1"):
            cells = []
            for col in columns:
                row = block[col].get(label)
                if isinstance(row, dict):
                    cells.append(f"P {row['precision']:.2f} R {row['recall']:.2f} F1 {row['f1']:.2f} (n={row['support']})")
                else:
                    cells.append(f"{row:.3f}" if row is not None else "")
            lines.append(f"| {label} | " + " | ".join(cells) + " |")
    by_register = report.get("dev_by_register")
    if by_register:
        from .evaluate import MIN_SUPPORT
        cell = lambda t: f"{t['macro_f1']:.3f}" if t["macro_labels"] else "-"  # noqa: E731
        lines += ["", "## Dev split by register (counted macro-F1 / detection macro-F1)", "",
                  f"Macro-F1 over the labels with at least {MIN_SUPPORT} gold sentences in the register (\"-\": none).",
                  "", "| register | sentences | rules only | fused |", "|---|---|---|---|"]
        for register, (rules, fused) in by_register.items():
            lines.append(f"| {register} | {rules['n']} | {cell(rules['counted'])} / {cell(rules['detection'])} | "
                         f"{cell(fused['counted'])} / {cell(fused['detection'])} |")
    lines += ["", "## Known limits",
              "- Trained on fictional notes written for this project; real notes differ in vocabulary,",
              "  length and errors. Measure on your own reviewed sample before relying on it.",
              "- Sentence level only: no coreference across sentences; roles come from the rules.",
              "- Flags cover the whole sentence, so they show where, not which words.", "",
              "## Trusted types (skops)", "", *[f"- `{t}`" for t in meta.get("trusted_types", [])], ""]
    text = "\n".join(lines)
    if path.is_file():  # the same model trained again: keep the log of its adoptions
        from .registry import ADOPTION_LOG
        old = path.read_text(encoding="utf-8")
        if ADOPTION_LOG in old:
            text += "\n" + old[old.index(ADOPTION_LOG):].rstrip("\n") + "\n"
    return write_atomic(path, text)


def adopt(models_dir: Path, model_file: Path, *, note: str | None = None) -> Path:
    """Point ``models_dir/current.json`` at ``model_file``, keeping the adoption history.

    See ``record_audit.model.registry``; returns the ``current.json`` path.
    """
    from .registry import ModelRegistry
    registry = ModelRegistry(models_dir)
    registry.adopt(model_file, note=note)
    return registry.current_file


def evaluate_on(nlp, path: Path, model, *, rules_dir=None, levels: bool = False, by: str | None = None) -> dict:
    """Run the pipeline (with ``model``, or rules only for None) over an annotated file and score it.

    With ``levels`` each record is also placed on the continuum (the rubric of ``rules_dir``) and
    scored against its ``gold_level``.
    """
    from ..engines import flag_records
    from ..io import open_notes, read_annotated
    from ..pipeline import set_model
    from .evaluate import evaluate

    set_model(nlp, model) if model is not None else nlp.get_pipe("record_audit_classifier").set_model(None)
    try:
        results = list(flag_records(open_notes(path), nlp))
    finally:
        nlp.get_pipe("record_audit_classifier").set_model(None)
    place = None
    if levels:
        from ..continuum import Rubric
        from ..indicators import compute_indicators
        rubric = Rubric.load(rules_dir)
        place = lambda r: rubric.place(r.record_id, compute_indicators(r)).level  # noqa: E731
    return evaluate(read_annotated(path), results, place=place, by=by)


def train_model(train_files: list[Path], *, dev_file: Path | None, models_dir: Path, design: str = "auto",
                seed: int = 0, name: str = "record-audit-clf", rules_dir=None, extra=(), log=print,
                precision_margin: float = PRECISION_MARGIN, precision_floor: float = PRECISION_FLOOR,
                nlp=None) -> dict:
    """Train, compare designs, evaluate on dev, and write the model, its sidecar and card.

    ``nlp`` may be a rules pipeline already loaded from ``rules_dir`` (saves loading it again).
    Returns the model's ``path``, ``card``, chosen ``design``, the ``oof`` and ``dev`` tables,
    the ``model`` and, with a dev file, the chosen design's full dev report (``dev_report``,
    records placed on the continuum).
    """
    import time

    from threadpoolctl import threadpool_limits

    started = time.perf_counter()
    # one BLAS thread: beside spaCy on two cores, more threads made a fit several times slower (24 s against 143 s)
    with threadpool_limits(limits=1, user_api="blas"):
        return _train_model(train_files, dev_file=dev_file, models_dir=models_dir, design=design, seed=seed,
                            name=name, rules_dir=rules_dir, extra=extra, log=log, precision_margin=precision_margin,
                            precision_floor=precision_floor, nlp=nlp, started=started)


def _train_model(train_files, *, dev_file, models_dir, design, seed, name, rules_dir, extra, log, precision_margin,
                 precision_floor, nlp, started) -> dict:
    import time

    from ..io import read_annotated
    from ..pipeline import load_pipeline

    nlp = nlp if nlp is not None else load_pipeline(rules_dir)
    records = [r for f in train_files for r in read_annotated(f)]
    ex = collect_examples(nlp, records, extra=list(extra))
    log(f"training examples: {len(ex)} sentences from {len(set(ex.groups))} records")
    np.random.seed(seed)
    designs = DESIGNS if design == "auto" else (design,)
    oof = {d: compare_one(ex, d, precision_margin=precision_margin, precision_floor=precision_floor)
           for d in designs}
    oof_table = {"rules only": fused_scores(np.zeros(ex.y.shape), ex, None),
                 **{f"{d} (fused)": oof[d]["fused"] for d in designs}}
    candidates = {d: fit_final(ex, d, oof[d]["thresholds"], meta={"seed": seed}) for d in designs}
    dev_table, dev_reports, chosen = {}, {}, designs[0]
    if dev_file is not None:
        rules_report = evaluate_on(nlp, dev_file, None, rules_dir=rules_dir, levels=True, by="register")
        dev_table["rules only (counted)"] = rules_report["sentences"]["counted"]
        dev_table["rules only (detection)"] = rules_report["sentences"]["detection"]
        scores = {}
        for d, model in candidates.items():
            report = dev_reports[d] = evaluate_on(nlp, dev_file, model, rules_dir=rules_dir, levels=True, by="register")
            dev_table[f"{d} fused (counted)"] = report["sentences"]["counted"]
            dev_table[f"{d} fused (detection)"] = report["sentences"]["detection"]
            loss = max(precision_loss(rules_report["sentences"][kind], report["sentences"][kind])
                       for kind in ("counted", "detection"))
            scores[d] = (loss <= MAX_PRECISION_LOSS + 1e-9, report["sentences"]["counted"]["macro_f1"])
            log(f"dev counted macro-F1: rules only {rules_report['sentences']['counted']['macro_f1']:.3f}, "
                f"{d} fused {scores[d][1]:.3f} (largest precision loss on a label {loss:.3f})")
        # the best macro-F1 among the designs that cost no label more than MAX_PRECISION_LOSS precision
        chosen = max(designs, key=lambda d: scores[d])
    else:
        chosen = max(designs, key=lambda d: oof[d]["fused"]["macro_f1"])
    model = candidates[chosen]
    digest = data_hash(list(train_files), extra)
    rules = rules_fingerprint(rules_dir)
    version = model_version(digest, rules, chosen, seed, precision_margin=precision_margin,
                            precision_floor=precision_floor)
    make_folder(models_dir)
    path = models_dir / f"{name}-{version}.skops"
    model.meta.update({
        "version": version, "design": chosen, "data_hash": digest, "rules_fingerprint": rules, "seed": seed,
        "train_files": [f.name for f in train_files],
        "n_train_sentences": len(ex), "n_train_records": len(set(ex.groups)), "n_reviewed": len(extra),
        "dev_file": dev_file.name if dev_file else None,
        "n_dev_records": sum(1 for _ in read_annotated(dev_file)) if dev_file else 0,
        "train_seconds": round(time.perf_counter() - started, 1),
        "comparison_oof_macro_f1": {k: v["macro_f1"] for k, v in oof_table.items()},
        "dev_macro_f1": {k: v["macro_f1"] for k, v in dev_table.items()},
        "precision_margin": precision_margin,
        "precision_floor": precision_floor,
        "trusted_types": sorted(TRUSTED_TYPES),
        "threshold_folds": THRESHOLD_FOLDS,
        **({"design_choice": DESIGN_CHOICE} if design != "auto" else {}),
    })
    model.save(path)
    model.meta["size_kb"] = round(path.stat().st_size / 1024, 1)
    model.save(path)  # the sidecar now records the file size too
    by_register = {}
    if dev_file is not None:
        values = dev_reports[chosen]["groups"]["values"]
        by_register = {v: (rules_report["groups"]["values"][v]["sentences"], values[v]["sentences"]) for v in values}
    card = write_card(path.with_suffix(".card.md"), model, {"oof": oof_table, "dev": dev_table,
                                                            "dev_by_register": by_register})
    return {"path": path, "card": card, "design": chosen, "oof": oof_table, "dev": dev_table, "model": model,
            "dev_report": dev_reports.get(chosen)}


def compare_one(ex: Examples, design: str, *, precision_margin: float = PRECISION_MARGIN,
                precision_floor: float = PRECISION_FLOOR) -> dict:
    probs = oof_probabilities(ex, design)
    thresholds = tune_thresholds(probs, ex, precision_margin=precision_margin, precision_floor=precision_floor)
    return {"thresholds": thresholds, "fused": fused_scores(probs, ex, thresholds)}
