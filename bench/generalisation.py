"""Leave-one-register-out and leave-one-jurisdiction-out scores of rules and rules + classifier.

The training corpus (samples + data/corpus/train.jsonl) is split into folds by register
(or jurisdiction); a register belongs to a record, so records are never split. For each
fold the rules stay as they are and the classifier is trained again on the other folds:
its thresholds come from out-of-fold probabilities of folds that hold whole registers out
of those (``train.threshold_folds``), never from the held-out fold. The held-out records
are then flagged by the project's pipeline and scored by ``record-audit evaluate``'s own
code: counted and detection macro-F1, rules only against fused. Dev sets are never read.

    python bench/generalisation.py [--by register,jurisdiction] [--designs wordchars_dense]
        [--thresholds nested|shared] [--out bench/results/generalisation.md]

``--thresholds shared`` (cheaper, for comparing designs) trains one model per fold and tunes
fold F's thresholds on the other folds' held-out probabilities; those came from models that
saw F, so it leaks a little of F into its thresholds. ``nested`` (the default) is the
procedure of ``record-audit train`` repeated inside each fold.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TRAIN_FILES = [ROOT / "data" / "samples" / "annotated.jsonl", ROOT / "data" / "corpus" / "train.jsonl"]
# the precision floor and margin are measured on the held-out folds over this grid
FLOORS = (0.7, 0.75, 0.8, 0.85, 0.9)
MARGINS = (0.0, 0.015)
# ...and these floors are also scored through the pipeline, counted (nested only)
COUNTED_FLOORS = (0.8, 0.85, 0.9)


@dataclass
class FoldRun:
    held_out: str
    n_records: int
    n_sentences: int
    thresholds: dict
    test_probs: np.ndarray            # held-out probabilities (sentence rows of collect_examples)
    test_rows: np.ndarray              # their indices in the examples
    inner_probs: np.ndarray | None     # out-of-fold probabilities on the training part (nested only)
    train_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    rules_report: dict | None = None
    fused_report: dict | None = None
    fused_results: dict = field(default_factory=dict)
    other_floors: dict = field(default_factory=dict)  # floor -> fused results at that floor (nested only)


def _flag(nlp, records, model):
    """RecordResults of ``records`` through the pipeline, with ``model`` (None: rules only)."""
    from record_audit.flagging import flag_records
    from record_audit.pipeline import set_model

    classifier = nlp.get_pipe("record_audit_classifier")
    set_model(nlp, model) if model is not None else classifier.set_model(None)
    try:
        notes = [an.note for rec in records for an in rec.notes]
        return list(flag_records(notes, nlp))
    finally:
        classifier.set_model(None)


def run_folds(nlp, ex, records, folds, design: str, *, mode: str, precision_floor: float,
              precision_margin: float, rules_results: dict, place, log, other_floors=()) -> list[FoldRun]:
    from record_audit import taxonomy
    from record_audit.model.classifier import SentenceModel, as_frame, build_classifier
    from record_audit.model.evaluate import evaluate
    from record_audit.model.train import fit_final, grouped_splits, oof_probabilities, tune_thresholds

    # "wordchars_dense:0.2" gives the dense block another weight (compared in shared mode only)
    design, _, weight = design.partition(":")
    extra = {"dense_weight": float(weight)} if weight else {}
    if extra and mode != "shared":
        raise SystemExit("a dense weight other than the default is compared with --thresholds shared only")
    frame = as_frame(ex.rows)
    by_record = {}
    for rec in records:
        by_record[rec.record_id] = rec
    fitted = {}
    if mode == "shared":  # one model per fold; its held-out probabilities serve the other folds' thresholds
        shared = np.zeros(ex.y.shape)
        for fold in folds:
            pipeline = build_classifier(design, cv=grouped_splits(ex.subset(fold.train), 3), **extra)
            pipeline.fit(frame.iloc[fold.train], ex.y[fold.train])
            shared[fold.test] = pipeline.predict_proba(frame.iloc[fold.test])
            fitted[fold.held_out] = pipeline
    runs = []
    for fold in folds:
        started = time.perf_counter()
        sub = ex.subset(fold.train)
        inner = None
        if mode == "shared":
            thresholds = tune_thresholds(shared[fold.train], sub, precision_margin=precision_margin,
                                         precision_floor=precision_floor)
            model = SentenceModel(fitted[fold.held_out], taxonomy.LABELS, thresholds)
        else:
            inner = oof_probabilities(sub, design)
            thresholds = tune_thresholds(inner, sub, precision_margin=precision_margin,
                                         precision_floor=precision_floor)
            model = fit_final(sub, design, thresholds)
        test_probs = model.predict_proba_rows([ex.rows[i] for i in fold.test])
        held = [by_record[r] for r in dict.fromkeys(ex.groups[fold.test].tolist())]
        fused = {r.record_id: r for r in _flag(nlp, held, model)}
        run = FoldRun(fold.held_out, len(held), len(fold.test), thresholds, test_probs, fold.test, inner, fold.train)
        run.rules_report = evaluate(held, [rules_results[r.record_id] for r in held], place=place)
        run.fused_report = evaluate(held, list(fused.values()), place=place)
        run.fused_results = fused
        for floor in other_floors:  # the same fitted model, thresholds for another floor
            other = tune_thresholds(inner, sub, precision_margin=precision_margin, precision_floor=floor)
            run.other_floors[floor] = {r.record_id: r for r in _flag(
                nlp, held, SentenceModel(model.pipeline, model.labels, other, model.meta))}
        runs.append(run)
        log(f"  {design} held out {fold.held_out}: {run.n_records} records, counted macro-F1 rules "
            f"{run.rules_report['sentences']['counted']['macro_f1']:.3f} -> fused "
            f"{run.fused_report['sentences']['counted']['macro_f1']:.3f} ({time.perf_counter() - started:.0f} s)")
    return runs


def pooled(records, runs, rules_results, place) -> tuple[dict, dict]:
    """Rules-only and fused reports over every held-out record at once (each by its own fold's model)."""
    from record_audit.model.evaluate import evaluate
    fused = {rid: res for run in runs for rid, res in run.fused_results.items()}
    rules = evaluate(records, [rules_results[r.record_id] for r in records], place=place)
    return rules, evaluate(records, [fused[r.record_id] for r in records], place=place)


def counted_floor_table(records, runs, rules_results, floor: float) -> list[dict]:
    """Counted scores over all held-out records for the floor run and each of ``other_floors``."""
    from record_audit import taxonomy
    from record_audit.model.evaluate import evaluate
    from record_audit.model.train import precision_loss

    rules = evaluate(records, [rules_results[r.record_id] for r in records])["sentences"]["counted"]
    out = []
    for f in sorted({floor, *runs[0].other_floors}):
        fused = {rid: res for run in runs
                 for rid, res in (run.fused_results if f == floor else run.other_floors[f]).items()}
        table = evaluate(records, [fused[r.record_id] for r in records])["sentences"]["counted"]
        worst = max(taxonomy.LABELS, key=lambda l: rules[l]["precision"] - table[l]["precision"])
        out.append({"floor": f, "rules": rules["macro_f1"], "fused": table["macro_f1"],
                    "largest_precision_loss": round(precision_loss(rules, table), 3), "label": worst})
    return out


def floor_margin_table(ex, runs) -> list[dict]:
    """For each precision floor and margin: thresholds from the inner folds, scored on the held-out rows.

    Sentence detection against the rules' own flags (collect_examples), pooled over folds: the
    fused macro-F1, and the precision of the flags the classifier adds where no rule flagged.
    """
    from record_audit import taxonomy
    from record_audit.model.train import fused_scores, tune_thresholds

    out = []
    rules_only = fused_scores(np.zeros(ex.y.shape), ex, None)
    for floor in FLOORS:
        for margin in MARGINS:
            added = correct = 0
            preds = np.zeros(ex.y.shape, dtype=bool)
            for run in runs:
                sub = ex.subset(run.train_rows)
                thresholds = tune_thresholds(run.inner_probs, sub, precision_margin=margin, precision_floor=floor)
                t = np.array([thresholds[l] for l in taxonomy.LABELS])
                rules = ex.rules[run.test_rows].astype(bool)
                add = ~rules & (run.test_probs >= t)
                added += int(add.sum())
                correct += int((add & ex.y[run.test_rows].astype(bool)).sum())
                preds[run.test_rows] = rules | add
            table = fused_scores(preds.astype(float), ex, {l: 0.5 for l in taxonomy.LABELS})
            loss, worst = max((rules_only[l]["precision"] - table[l]["precision"], l) for l in taxonomy.LABELS)
            out.append({"floor": floor, "margin": margin, "macro_f1": table["macro_f1"], "added": added,
                        "added_precision": round(correct / added, 3) if added else None,
                        "largest_precision_loss": round(loss, 3), "label": worst})
    return out


def render(by: str, design: str, mode: str, runs, pooled_rules, pooled_fused) -> list[str]:
    from record_audit import taxonomy
    lines = [f"### leave one {by} out: {design} (thresholds {mode})", "",
             f"| held-out {by} | records | sentences | counted rules | counted fused | gain | "
             "detection rules | detection fused |", "|---|---|---|---|---|---|---|---|"]
    gains, fused_scores = [], []
    for run in runs:
        rc, fc = (run.rules_report["sentences"]["counted"]["macro_f1"],
                  run.fused_report["sentences"]["counted"]["macro_f1"])
        rd, fd = (run.rules_report["sentences"]["detection"]["macro_f1"],
                  run.fused_report["sentences"]["detection"]["macro_f1"])
        gains.append(fc - rc)
        fused_scores.append(fc)
        lines.append(f"| {run.held_out} | {run.n_records} | {run.n_sentences} | {rc:.3f} | {fc:.3f} | "
                     f"{fc - rc:+.3f} | {rd:.3f} | {fd:.3f} |")
    pr, pf = pooled_rules["sentences"], pooled_fused["sentences"]
    lines.append(f"| **mean of folds** | | | {np.mean([r.rules_report['sentences']['counted']['macro_f1'] for r in runs]):.3f} | "
                 f"{np.mean(fused_scores):.3f} | {np.mean(gains):+.3f} | "
                 f"{np.mean([r.rules_report['sentences']['detection']['macro_f1'] for r in runs]):.3f} | "
                 f"{np.mean([r.fused_report['sentences']['detection']['macro_f1'] for r in runs]):.3f} |")
    lines.append(f"| **all held-out records** | {sum(r.n_records for r in runs)} | {pr['n']} | "
                 f"{pr['counted']['macro_f1']:.3f} | {pf['counted']['macro_f1']:.3f} | "
                 f"{pf['counted']['macro_f1'] - pr['counted']['macro_f1']:+.3f} | "
                 f"{pr['detection']['macro_f1']:.3f} | {pf['detection']['macro_f1']:.3f} |")
    lines.append(f"\nlowest fold (counted, fused): {min(fused_scores):.3f}; record level over all held-out "
                 f"records: rules exact {pooled_rules['records']['exact']:.2f} / within one "
                 f"{pooled_rules['records']['within_one']:.2f}, fused exact {pooled_fused['records']['exact']:.2f} / "
                 f"within one {pooled_fused['records']['within_one']:.2f}")
    lines += ["", "| label (all held-out records, counted) | rules P / R | fused P / R | precision loss |",
              "|---|---|---|---|"]
    for label in taxonomy.LABELS:
        r, f = pr["counted"][label], pf["counted"][label]
        lines.append(f"| {label} | {r['precision']:.2f} / {r['recall']:.2f} | {f['precision']:.2f} / "
                     f"{f['recall']:.2f} | {r['precision'] - f['precision']:+.3f} |")
    lines.append("")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--by", default="register,jurisdiction", help="register, jurisdiction or both")
    parser.add_argument("--designs", default=None, help="comma-separated designs (default: the shipped one's)")
    parser.add_argument("--thresholds", choices=["nested", "shared"], default="nested")
    parser.add_argument("--precision-floor", type=float, default=None)
    parser.add_argument("--precision-margin", type=float, default=None)
    parser.add_argument("--other-floors", default=",".join(map(str, COUNTED_FLOORS)),
                        help="precision floors also scored through the pipeline (nested only; '' for none)")
    parser.add_argument("--out", default=None, help="also write the tables (Markdown) here")
    parser.add_argument("--json", default=None, help="also write the scores (JSON) here")
    args = parser.parse_args(argv)

    from threadpoolctl import threadpool_limits

    from record_audit.continuum import Rubric
    from record_audit.indicators import compute_indicators
    from record_audit.io import read_annotated
    from record_audit.model import train
    from record_audit.pipeline import load_pipeline
    from record_audit.resources import current_model

    log = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    if args.designs:
        designs = args.designs.split(",")
    else:
        shipped = current_model()
        designs = [json.loads(Path(shipped).with_suffix(".json").read_text())["meta"]["design"]]
    floor = args.precision_floor if args.precision_floor is not None else train.PRECISION_FLOOR
    margin = args.precision_margin if args.precision_margin is not None else train.PRECISION_MARGIN
    started = time.perf_counter()
    # one BLAS thread: on two cores shared with spaCy, more threads made each fit several times slower
    with threadpool_limits(limits=1, user_api="blas"):
        nlp = load_pipeline(None)
        records = [r for f in TRAIN_FILES for r in read_annotated(f)]
        ex = train.collect_examples(nlp, records)
        log(f"{len(ex)} sentences in {len(records)} records ({time.perf_counter() - started:.0f} s)")
        rubric = Rubric.load(None)
        place = lambda r: rubric.place(r.record_id, compute_indicators(r)).level  # noqa: E731
        rules_results = {r.record_id: r for r in _flag(nlp, records, None)}
        lines = [f"Training corpus: {len(records)} records, {len(ex)} sentences "
                 f"({', '.join(p.relative_to(ROOT).as_posix() for p in TRAIN_FILES)}); precision floor "
                 f"{floor}, margin {margin}; threshold folds: {train.THRESHOLD_FOLDS}, each holding whole "
                 "registers out.", ""]
        scores = {}
        for by in args.by.split(","):
            folds = train.held_out_folds(ex, by)
            for design in designs:
                log(f"leave one {by} out, {design} ({len(folds)} folds, thresholds {args.thresholds})")
                others = ([f for f in (float(v) for v in args.other_floors.split(",") if v) if f != floor]
                          if args.thresholds == "nested" else [])
                runs = run_folds(nlp, ex, records, folds, design, mode=args.thresholds, precision_floor=floor,
                                 precision_margin=margin, rules_results=rules_results, place=place, log=log,
                                 other_floors=others)
                pooled_rules, pooled_fused = pooled(records, runs, rules_results, place)
                lines += render(by, design, args.thresholds, runs, pooled_rules, pooled_fused)
                entry = {"folds": {r.held_out: {"records": r.n_records, "sentences": r.n_sentences,
                                                "thresholds": r.thresholds,
                                                "rules": r.rules_report["sentences"],
                                                "fused": r.fused_report["sentences"]} for r in runs},
                         "all_rules": pooled_rules["sentences"], "all_fused": pooled_fused["sentences"]}
                if args.thresholds == "nested":
                    grid = floor_margin_table(ex, runs)
                    rules_macro = train.fused_scores(np.zeros(ex.y.shape), ex, None)["macro_f1"]
                    entry["floor_margin"] = grid
                    lines += [f"precision floor and margin, leave one {by} out ({design}; sentence detection "
                              "against the rules' flags, all held-out rows):", "",
                              f"| floor | margin | fused macro-F1 (rules {rules_macro:.3f}) | flags added | right | "
                              "largest precision loss on a label |", "|---|---|---|---|---|---|"]
                    lines += [f"| {g['floor']} | {g['margin']} | {g['macro_f1']:.3f} | {g['added']} | "
                              f"{g['added_precision'] if g['added_precision'] is not None else '-'} | "
                              f"{g['largest_precision_loss']:+.3f} ({g['label']}) |" for g in grid]
                    lines.append("")
                    counted = counted_floor_table(records, runs, rules_results, floor) if others else []
                    entry["counted_floors"] = counted
                    if counted:
                        lines += [f"precision floor, leave one {by} out ({design}, margin {margin}; counted, the "
                                  "project's evaluate over all held-out records):", "",
                                  "| floor | rules | fused | gain | largest precision loss on a label |",
                                  "|---|---|---|---|---|"]
                        lines += [f"| {c['floor']} | {c['rules']:.3f} | {c['fused']:.3f} | "
                                  f"{c['fused'] - c['rules']:+.3f} | {c['largest_precision_loss']:.3f} ({c['label']}) |"
                                  for c in counted]
                        lines.append("")
                scores[f"{by}/{design}/{args.thresholds}"] = entry
    lines.append(f"({time.perf_counter() - started:.0f} s)")
    text = "\n".join(lines)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps(scores, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
