"""Throughput and peak memory: the bare English model against the full audit pipeline.

Prints words per second of the bare model's ``nlp.pipe`` (its full default pipeline,
``ner`` included) and of the audit pipeline (``flag_records`` end to end, flags
collected), their ratio, and each run's peak RSS, on the same generated case-note text.
Each measurement runs in its own process so peak RSS is its own.

    python bench/throughput.py [--words 40000] [--sizes 20000,80000]
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import platform
import random
import resource
import time

SENTENCES = [
    "HV completed at {time} with MO and the children present.",
    "{child} ({age}) was observed playing in the living room and appeared well.",
    "MO reported that FA pushed her into the door frame on {date}.",
    "Mother was pushed during a domestic dispute.",
    "FA has not been contacted at this time.",
    "CW advised MO that she must obtain a protective order or the children will be removed.",
    "Transport to school was arranged and a bus pass provided.",
    "Ms. {surname} stated that Mr. {other} checks her phone every night and controls the money.",
    "The couple argue frequently and police have attended twice.",
    "Worker met with Mr. {other} to discuss his violence and its effect on the children.",
    "MO has kept the children in school throughout and took them to her sister's after the assault.",
    "{child} has been wetting the bed since FA moved back in.",
    "There are no concerns that Ms. {surname} failed to protect the children.",
    "FA has anger issues and was referred to anger management.",
    "Next visit scheduled for {date}; GP appointment confirmed.",
    "mo states she is fine, kids fed, home adequate, no food concerns",
]
NAMES = ["Jayden", "Mia", "Leo", "Ava", "Noah", "Ruby", "Kai", "Isla"]
SURNAMES = ["Okafor", "Brennan", "Diaz", "Whitlock", "Nguyen", "Kowalski", "Reyes", "Patel"]


def make_notes(n_words: int, seed: int = 0) -> list[tuple[str, str]]:
    """Generate (record_id, text) notes totalling about ``n_words`` words."""
    rng = random.Random(seed)
    notes, words, i = [], 0, 0
    while words < n_words:
        parts = []
        for _ in range(rng.randint(4, 10)):
            parts.append(rng.choice(SENTENCES).format(
                time=f"{rng.randint(8, 18)}{rng.choice(['00', '30'])}", child=rng.choice(NAMES),
                age=rng.randint(1, 15), date=f"{rng.randint(1, 12)}/{rng.randint(1, 28)}",
                surname=rng.choice(SURNAMES), other=rng.choice(SURNAMES)))
        text = " ".join(parts)
        notes.append((f"R{i // 4}", text))
        words += len(text.split())
        i += 1
    return notes


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _bare(n_words: int, queue) -> None:
    from record_audit.pipeline import load_english
    nlp = load_english()  # the full default pipeline, ner included
    notes = make_notes(n_words)
    texts = [t for _, t in notes]
    list(nlp.pipe(texts[:20]))  # warm up
    start, cpu = time.perf_counter(), time.process_time()
    for _ in nlp.pipe(texts, batch_size=64):
        pass
    elapsed = time.perf_counter() - start
    queue.put(("bare model (nlp.pipe)", sum(len(t.split()) for t in texts), elapsed, _peak_mb(),
               time.process_time() - cpu))


def _audit(n_words: int, queue, n_process: int = 1, model_path=None) -> None:
    import csv
    import tempfile
    from pathlib import Path

    from record_audit.engines import flag_records
    from record_audit.io import open_notes
    from record_audit.pipeline import load_pipeline
    nlp = load_pipeline(model=model_path) if n_process == 1 else None
    notes = make_notes(n_words)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "notes.csv"
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["record_id", "text"])
            writer.writerows(notes)
        if nlp is not None:
            list(nlp.pipe([t for _, t in notes[:20]]))  # warm up
        start, cpu = time.perf_counter(), time.process_time()
        flags = 0
        for record in flag_records(open_notes(path), nlp if n_process == 1 else None, assume_dv=True,
                                   n_process=n_process, model_path=model_path):
            flags += sum(len(s.flags) for n in record.notes for s in n.sentences)
        elapsed = time.perf_counter() - start
    what = "rules + classifier" if model_path else "rules only"
    name = f"audit, {what}, {n_process} process{'es' if n_process > 1 else ''} ({flags} flags)"
    queue.put((name, sum(len(t.split()) for _, t in notes), elapsed, _peak_mb(), time.process_time() - cpu))


def measure(target, n_words: int, **kwargs):
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(n_words, queue), kwargs=kwargs)
    proc.start()
    result = queue.get()
    proc.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=40_000)
    parser.add_argument("--sizes", default="20000,80000", help="input sizes for the memory check")
    parser.add_argument("--model", default=None,
                        help="a .skops model for the classifier rows (default: the adopted model, if any)")
    args = parser.parse_args()
    from record_audit.model.registry import choose_model
    model = choose_model(model=args.model)
    model = str(model) if model else None
    print(f"machine: {platform.machine()}, {mp.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.platform()}")
    rows = [measure(_bare, args.words), measure(_audit, args.words)]
    if model:
        rows.append(measure(_audit, args.words, model_path=model))
    rows.append(measure(_audit, args.words, n_process=2, model_path=model))
    print(f"model: {model or 'none (rules only)'}")
    print(f"\n{'run':<52}{'words':>9}{'seconds':>9}{'words/s':>9}{'peak RSS MB':>13}{'CPU s':>8}")
    for name, words, secs, peak, cpu in rows:
        print(f"{name:<52}{words:>9}{secs:>9.1f}{words / secs:>9.0f}{peak:>13.0f}{cpu:>8.1f}")
    speed = [r[1] / r[2] for r in rows]
    # the same ratios by the CPU time each process spent: steadier than the wall clock on a machine
    # other work shares (a 2-process run's workers are not counted, so it has none)
    cpu_speed = [r[1] / r[4] for r in rows]
    print(f"\naudit (rules only) / bare words per second: {speed[1] / speed[0]:.2f} "
          f"(by CPU time {cpu_speed[1] / cpu_speed[0]:.2f})")
    if model:
        print(f"audit (rules + classifier) / bare words per second: {speed[2] / speed[0]:.2f} "
              f"(by CPU time {cpu_speed[2] / cpu_speed[0]:.2f})")
    print(f"2 processes / 1 process: {speed[-1] / speed[-2]:.2f}x "
          "(peak RSS is the parent's; each worker holds its own model)")
    print("\nmemory as input grows (audit pipeline, 1 process):")
    for size in (int(s) for s in args.sizes.split(",")):
        name, words, secs, peak, _ = measure(_audit, size, model_path=model)
        print(f"  {words:>8} words: peak RSS {peak:.0f} MB, {words / secs:.0f} words/s")


if __name__ == "__main__":
    main()
