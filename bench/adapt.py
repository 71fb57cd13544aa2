"""Adaptation to an agency's language, measured: review N records, learn, score the rest.

A simulated agency is a register held out of training (default ``case_note``, the only register
with more than 40 annotated records: 136 in samples + train). Its records are shuffled (seed)
into a review pool (the first 40) and an evaluation set (the rest, never reviewed). The
"shipped" pipeline of the simulation is the shipped rules with a classifier trained on the other
registers' records (thresholds tuned on folds that hold registers out, as ``record-audit train``
does). Then, for N = 5, 10, 20, 40 reviewed records, on a fresh copy of the audit store:

1. reviewers (the gold annotation, ``store.gold``) work through the **flag queue** of the N
   records: accept, reject with a reason, relabel; a label missing from a flagged sentence is
   added (the reviewer is reading that sentence);
2. and through the **possible-misses queue** of the N records (``ReviewStore.misses``, the
   baseline classifier's probabilities), reading its top ``--misses-share`` of their unflagged
   sentences and adding the gold labels found there;
3. every rule suggestion (``record_audit.adapt.suggest``) is accepted - each covers at least two
   reviewed sentences, matches no reviewed look-alike and passes its own examples: "holds on the
   reviewed records";
4. the classifier is retrained on the training registers plus the store's reviewed sentences
   (``ReviewStore.training_rows``), with the baseline's thresholds;
5. the evaluation records are flagged by the adapted pipeline (rules + accepted suggestions,
   retrained classifier) and scored as ``record-audit evaluate`` scores (counted scoring).

The queue's yield is compared with reading unflagged sentences in record order: true misses
(a counted gold label on an unflagged sentence) per sentence read, on the reviewed records.

    python bench/adapt.py [--register case_note] [--sizes 5,10,20,40] [--misses-share 0.25]
                          [--eval-records 60] [--seed 0] [--out bench/results/adapt.md]

``--eval-records`` samples the evaluation set (40 of 96 by default, the same records for every N)
to keep the run near ten minutes on two shared cores; 0 scores all of them. ``--agency-weight K``
counts each reviewed sentence K times in retraining; ``--ablation`` scores each half alone at 20. The last line printed is
``adapt 20 records: counted macro-F1 BEFORE -> AFTER``.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TRAIN_FILES = [ROOT / "data" / "samples" / "annotated.jsonl", ROOT / "data" / "corpus" / "train.jsonl"]
REVIEWER = "gold_annotation"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def queue_yield(review, gold: dict, records: list[str], probabilities: dict, thresholds: dict, budget: int) -> dict:
    """True misses among the first ``budget`` sentences read from the queue, and in record order."""
    queue = review.misses(records=records, probabilities=probabilities, thresholds=thresholds, include_read=True)
    in_order = sorted(queue, key=lambda i: (records.index(i.record_id), i.note_id, i.sentence_index))
    seq = review.store.note_seqs()
    in_order.sort(key=lambda i: (records.index(i.record_id), seq[(i.record_id, i.note_id)], i.sentence_index))
    miss = lambda items: sum(1 for i in items if gold.get(i.key))  # noqa: E731
    total = miss(queue)
    return {"unflagged": len(queue), "misses": total, "budget": budget,
            "queue_found": miss(queue[:budget]), "order_found": miss(in_order[:budget])}


def prior_shares(review, gold: dict, probabilities: dict, thresholds: dict) -> dict:
    """Share of true misses among the unflagged sentences, all and by each reason of the queue."""
    queue = review.misses(probabilities=probabilities, thresholds=thresholds, include_read=True)
    groups = {"all": queue, "dv_term": [i for i in queue if "dv_term" in i.reasons],
              "near_flag_party": [i for i in queue if "near_flag_party" in i.reasons],
              "near_threshold": [i for i in queue if any(r.startswith("near_threshold") for r in i.reasons)],
              "no_reason": [i for i in queue if not i.reasons]}
    return {k: {"n": len(v), "share": round(sum(1 for i in v if gold.get(i.key)) / len(v), 3) if v else 0.0}
            for k, v in groups.items()}


def simulate_review(review, annotated, gold, records, probabilities, thresholds, share: float) -> dict:
    """The flag queue and the top ``share`` of the possible-misses queue of ``records``, from gold."""
    from record_audit.store.gold import review_from_gold

    counts = review_from_gold(review, annotated, records=records, unflagged=False, teaching_per_label=0)
    queue = review.misses(REVIEWER, records=records, probabilities=probabilities, thresholds=thresholds)
    budget = int(round(share * len(queue)))
    found = 0
    for item in queue[:budget]:
        labels = sorted(gold.get(item.key, ()))
        review.review_miss(REVIEWER, item.key, labels, seconds=20.0, rank=item.rank, gain=item.gain)
        found += len(labels)
    return {"decisions": dict(counts), "misses_read": budget, "misses_added": found}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--register", default="case_note")
    parser.add_argument("--sizes", default="5,10,20,40")
    parser.add_argument("--pool", type=int, default=40, help="records set aside for review (the largest N)")
    parser.add_argument("--misses-share", type=float, default=0.25,
                        help="share of the reviewed records' unflagged sentences read from the misses queue")
    parser.add_argument("--eval-records", type=int, default=40, help="sample of the evaluation records (0: all)")
    parser.add_argument("--retune", action="store_true",
                        help="tune thresholds again on the training folds' probabilities plus the baseline's on the "
                             "reviewed sentences (which it never saw)")
    parser.add_argument("--ablation", action="store_true",
                        help="at 20 records, also score each half (suggestions, retraining) alone")
    parser.add_argument("--agency-weight", type=int, default=1,
                        help="count each reviewed sentence this many times when retraining")
    parser.add_argument("--design", default="wordchars")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="also write the tables (Markdown) here")
    parser.add_argument("--json", default=None, help="also write the figures (JSON) here")
    args = parser.parse_args(argv)

    from threadpoolctl import threadpool_limits

    from record_audit import taxonomy
    from record_audit.adapt.scores import sentence_probabilities
    from record_audit.adapt.suggest import ruleset_with, suggest
    from record_audit.audit import run_audit
    from record_audit.continuum import Rubric
    from record_audit.engines import LocalEngine, flag_records
    from record_audit.io import open_notes, read_annotated
    from record_audit.model import train
    from record_audit.model.evaluate import evaluate
    from record_audit.model.sentence_model import SentenceModel
    from record_audit.pipeline import load_pipeline, set_model
    from record_audit.rules import load_rules
    from record_audit.store import AuditStore
    from record_audit.store.gold import counted_gold_labels
    from record_audit.store.review import ReviewStore

    started = time.perf_counter()
    sizes = [int(s) for s in args.sizes.split(",")]
    records = [r for f in TRAIN_FILES for r in read_annotated(f)]
    by_id = {r.record_id: r for r in records}
    training = [r for r in records if (r.register or train.UNSPECIFIED) != args.register]
    agency = sorted(r.record_id for r in records if r.register == args.register)
    random.Random(args.seed).shuffle(agency)
    pool, rest = agency[:args.pool], agency[args.pool:]
    if len(rest) < 5:
        raise SystemExit(f"register {args.register}: {len(agency)} records, too few to keep {args.pool} for review")
    evaluation = sorted(random.Random(args.seed).sample(rest, args.eval_records)
                        if 0 < args.eval_records < len(rest) else rest)
    sizes = [n for n in sizes if n <= len(pool)]
    log(f"agency = register {args.register}: {len(agency)} records; review pool {len(pool)}, evaluation "
        f"{len(evaluation)} of {len(rest)}; training {len(training)} records of other registers")
    rubric = Rubric.load(None)

    def score(nlp, model) -> dict:
        classifier = nlp.get_pipe("record_audit_classifier")
        set_model(nlp, model) if model is not None else classifier.set_model(None)
        try:
            held = [by_id[r] for r in evaluation]
            results = list(flag_records([an.note for rec in held for an in rec.notes], nlp))
        finally:
            classifier.set_model(None)
        return evaluate(held, results)["sentences"]["counted"]

    lines, figures = [], {"register": args.register, "pool": len(pool), "evaluation": len(evaluation),
                          "training_records": len(training), "misses_share": args.misses_share, "sizes": {}}
    with threadpool_limits(limits=1, user_api="blas"), tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        base_rules = load_rules()
        nlp = load_pipeline(base_rules)
        ex = train.collect_examples(nlp, training)
        log(f"{len(ex)} training sentences ({time.perf_counter() - started:.0f} s)")
        probs = train.oof_probabilities(ex, args.design)
        thresholds = train.tune_thresholds(probs, ex)
        baseline = train.fit_final(ex, args.design, thresholds)
        log(f"baseline classifier trained ({time.perf_counter() - started:.0f} s); thresholds "
            f"{json.dumps({k: v for k, v in thresholds.items() if v < 1.0})}")

        # the review pool, audited by the baseline pipeline
        notes_file = tmp / "pool.jsonl"
        with open(ROOT / "data" / "samples" / "annotated.jsonl", encoding="utf-8") as a, \
                open(ROOT / "data" / "corpus" / "train.jsonl", encoding="utf-8") as b:
            wanted = set(pool)
            rows = [line for line in (*a, *b) if json.loads(line)["record_id"] in wanted]
        notes_file.write_text("".join(rows), encoding="utf-8")
        base_db = tmp / "base.sqlite"
        set_model(nlp, baseline)
        with AuditStore(base_db) as store:
            run_audit(open_notes(notes_file), LocalEngine(nlp), store, rubric=rubric)
        nlp.get_pipe("record_audit_classifier").set_model(None)
        base_review = ReviewStore(base_db)
        gold = counted_gold_labels(base_review, [by_id[r] for r in pool])
        pool_probs = sentence_probabilities(base_review.store, baseline)
        from record_audit.adapt.suggest import parse_store
        pool_spans = parse_store(base_review, nlp)  # parsed once; each N's copy has the same sentences
        figures["prior_shares"] = prior_shares(base_review, gold, pool_probs, baseline.thresholds)
        base_review.close()
        log(f"review pool audited ({time.perf_counter() - started:.0f} s)")

        before = score(nlp, baseline)
        log(f"before: counted macro-F1 {before['macro_f1']:.3f} ({time.perf_counter() - started:.0f} s)")
        after_by_n, yields = {}, {}
        for n in sizes:
            t0 = time.perf_counter()
            db = tmp / f"review_{n}.sqlite"
            with closing(sqlite3.connect(base_db)) as source, closing(sqlite3.connect(db)) as copy:
                source.backup(copy)
            review = ReviewStore(db)
            batch = pool[:n]
            unreviewed_queue = len(review.misses(records=batch, probabilities=pool_probs))
            budget = int(round(args.misses_share * unreviewed_queue))
            yields[n] = queue_yield(review, gold, batch, pool_probs, baseline.thresholds, budget)
            sim = simulate_review(review, [by_id[r] for r in batch], gold, batch, pool_probs, baseline.thresholds,
                                  args.misses_share)
            accepted = suggest(review, rules=base_rules, nlp=nlp, with_impact=False, spans=pool_spans)
            rules_n = ruleset_with(base_rules, accepted)
            rows = review.training_rows()
            review.close()
            extra = train.collect_examples(nlp, [], extra=[r for r in rows for _ in range(args.agency_weight)])
            both = train.Examples(ex.rows + extra.rows, np.vstack([ex.y, extra.y]), np.vstack([ex.rules, extra.rules]),
                                  np.concatenate([ex.groups, extra.groups]), ex.texts + extra.texts)
            thresholds_n = thresholds
            if args.retune:
                thresholds_n = train.tune_thresholds(np.vstack([probs, baseline.predict_proba_rows(extra.rows)]), both)
            model_n = train.fit_final(both, args.design, thresholds_n)
            nlp_n = load_pipeline(rules_n)
            after = score(nlp_n, model_n)
            after_by_n[n] = after
            figures["sizes"][n] = {"review": sim, "suggestions_accepted": len(accepted),
                                   "suggestions": [{"kind": s.kind, "label": s.label, "words": s.words,
                                                    "support": s.support} for s in accepted],
                                   "reviewed_sentences": len(rows), "after": after, "queue": yields[n]}
            log(f"N={n}: {sim['decisions']} + {sim['misses_added']} misses added from {sim['misses_read']} queued "
                f"sentences; {len(accepted)} suggestion(s) accepted; {len(rows)} reviewed sentences; counted "
                f"macro-F1 {before['macro_f1']:.3f} -> {after['macro_f1']:.3f} ({time.perf_counter() - t0:.0f} s)")
            if n == 20 and args.ablation:  # what each half of the loop gives on its own
                figures["ablation_20"] = {
                    "suggestions_only": score(nlp_n, baseline)["macro_f1"],
                    "retraining_only": score(nlp, model_n)["macro_f1"]}

    figures["before"] = before
    scored = [l for l in taxonomy.LABELS if before[l]["support"] >= 5]
    lines += [f"Simulated agency: register `{args.register}` held out of training ({len(training)} training records "
              f"of other registers); {len(pool)} of its records in the review pool, {len(evaluation)} others "
              f"scored (sampled from {len(rest)}, seed {args.seed}). Reviewers: the gold annotation, through the "
              f"flag queue and the top {args.misses_share:.0%} of the possible-misses queue. Suggestions that hold "
              "on the reviewed records accepted; classifier retrained with the decisions (baseline thresholds).", "",
              "| reviewed records | counted macro-F1 | change | " + " | ".join(f"{l} R" for l in scored)
              + " | suggestions accepted | reviewed sentences |",
              "|---|---|---|" + "---|" * len(scored) + "---|---|"]
    lines.append(f"| 0 (before) | {before['macro_f1']:.3f} | | " + " | ".join(f"{before[l]['recall']:.2f}" for l in scored)
                 + " | | |")
    for n in sizes:
        a = after_by_n[n]
        f = figures["sizes"][n]
        lines.append(f"| {n} | {a['macro_f1']:.3f} | {a['macro_f1'] - before['macro_f1']:+.3f} | "
                     + " | ".join(f"{a[l]['recall']:.2f}" for l in scored)
                     + f" | {f['suggestions_accepted']} | {f['reviewed_sentences']} |")
    lines += ["", "Precision per label, before and after:", "",
              "| label | support | P before | " + " | ".join(f"P after {n}" for n in sizes) + " | largest drop |",
              "|---|---|---|" + "---|" * len(sizes) + "---|"]
    for l in scored:
        drops = [before[l]["precision"] - after_by_n[n][l]["precision"] for n in sizes]
        lines.append(f"| {l} | {before[l]['support']} | {before[l]['precision']:.2f} | "
                     + " | ".join(f"{after_by_n[n][l]['precision']:.2f}" for n in sizes) + f" | {max(drops):+.3f} |")
    lines += ["", "Possible-misses queue against record order (unflagged sentences of the reviewed records; a true "
              "miss holds a counted gold label):", "",
              "| reviewed records | unflagged sentences | true misses | read | found by queue | found in record order "
              "| queue per sentence | order per sentence | ratio |", "|---|---|---|---|---|---|---|---|---|"]
    for n in sizes:
        y = yields[n]
        q = y["queue_found"] / y["budget"] if y["budget"] else 0.0
        o = y["order_found"] / y["budget"] if y["budget"] else 0.0
        lines.append(f"| {n} | {y['unflagged']} | {y['misses']} | {y['budget']} | {y['queue_found']} | "
                     f"{y['order_found']} | {q:.3f} | {o:.3f} | {q / o if o else float('inf'):.2f} |")
    shares = figures["prior_shares"]
    lines += ["", "Share of true misses among the review pool's unflagged sentences, by the queue's reasons: "
              + "; ".join(f"{k} {v['share']:.2f} (n={v['n']})" for k, v in shares.items()) + "."]
    if "ablation_20" in figures:
        ab = figures["ablation_20"]
        lines += ["", f"At 20 records, each half alone: accepted suggestions with the baseline classifier "
                      f"{ab['suggestions_only']:.3f}; retrained classifier with the shipped rules "
                      f"{ab['retraining_only']:.3f}."]
    lines.append(f"\n({time.perf_counter() - started:.0f} s)")
    text = "\n".join(lines)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n", encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1, sort_keys=True, default=str) + "\n", encoding="utf-8")
    at20 = after_by_n.get(20)
    if at20 is not None:
        print(f"adapt 20 records: counted macro-F1 {before['macro_f1']:.3f} -> {at20['macro_f1']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
