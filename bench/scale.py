"""Scale benchmark: throughput and peak memory by input size, for each way of running the audit.

For each size (words), the bundled samples' records are repeated with fresh record and
note ids (their declared parties too) into a temporary CSV, and each configuration runs it
in a fresh process, end to end, as a user would:

- ``bare``: the English model alone (``en_core_web_sm``, its full default pipeline, ``ner``
  included) over the same texts with ``nlp.pipe`` (the baseline);
- ``audit-1``, ``audit-2``: ``record-audit flag INPUT -o OUT.jsonl --n-process 1|2``;
- ``dask-2``: ``record-audit flag INPUT --engine dask --n-process 2 -o DIR`` (a local
  cluster of 2 worker processes; Parquet results).

Wall time includes start-up (interpreter, model loading, worker processes or cluster).
Peak RSS is the largest sum of resident memory over the run's whole process tree (the
parent, worker processes, the Dask scheduler's and workers' processes), sampled every
0.1 s. The table is printed as markdown and written with the raw figures to
``bench/results/scale.md`` and ``scale.json``. The time for 10 million notes is projected
from the marginal rate between the two largest sizes, which start-up does not enter.

    python bench/scale.py [--sizes 10000,100000,1000000] [--configs bare,audit-1,audit-2,dask-2]
                          [--rules-only | --model FILE] [--out bench/results]

Run it on an otherwise idle machine: every configuration uses all the cores it is given.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
CONFIGS = ("bare", "audit-1", "audit-2", "dask-2")
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
PROJECT_NOTES = 10_000_000


def build_input(n_words: int, folder: Path) -> dict:
    """Repeat the samples' records (fresh ids) until ``n_words`` words; write notes and parties CSVs."""
    with open(SAMPLES / "notes.csv", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = reader.fieldnames
        rows = list(reader)
    with open(SAMPLES / "parties.csv", encoding="utf-8", newline="") as fh:
        parties = list(csv.DictReader(fh))
    records: dict[str, list[dict]] = {}
    for row in rows:
        records.setdefault(row["record_id"], []).append(row)
    notes_path, parties_path = folder / "notes.csv", folder / "parties.csv"
    words = notes = n_records = copy = 0
    with open(notes_path, "w", encoding="utf-8", newline="") as nf, \
            open(parties_path, "w", encoding="utf-8", newline="") as pf:
        note_writer = csv.DictWriter(nf, fieldnames=fields)
        party_writer = csv.DictWriter(pf, fieldnames=["record_id", "name", "role"])
        note_writer.writeheader()
        party_writer.writeheader()
        while words < n_words:
            for rid, record_rows in records.items():
                if words >= n_words:
                    break
                fresh = f"{rid}-c{copy:05d}"
                for row in record_rows:
                    note_writer.writerow({**row, "record_id": fresh, "note_id": f"{row['note_id']}-c{copy:05d}"})
                    words += len(row["text"].split())
                    notes += 1
                party_writer.writerows({**p, "record_id": fresh} for p in parties if p["record_id"] == rid)
                n_records += 1
            copy += 1
    return {"notes_csv": notes_path, "parties_csv": parties_path, "words": words, "notes": notes,
            "records": n_records}


def samples_words_per_note() -> float:
    with open(SAMPLES / "notes.csv", encoding="utf-8", newline="") as fh:
        lengths = [len(row["text"].split()) for row in csv.DictReader(fh)]
    return sum(lengths) / len(lengths)


def command(config: str, data: dict, out: Path, model_args: list[str]) -> list[str]:
    if config == "bare":
        return [sys.executable, str(Path(__file__).resolve()), "--bare", str(data["notes_csv"])]
    base = [sys.executable, "-m", "record_audit.cli", "flag", str(data["notes_csv"]),
            "--parties", str(data["parties_csv"]), *model_args]
    if config == "audit-1":
        return [*base, "-o", str(out / "flags.jsonl"), "--n-process", "1"]
    if config == "audit-2":
        return [*base, "-o", str(out / "flags.jsonl"), "--n-process", "2"]
    if config == "dask-2":
        return [*base, "-o", str(out / "results"), "--engine", "dask", "--n-process", "2"]
    raise ValueError(f"unknown configuration {config!r}; known: {', '.join(CONFIGS)}")


def measure(cmd: list[str]) -> dict:
    """Run ``cmd`` in a fresh process; return wall seconds, peak RSS of its process tree, its output."""
    import psutil

    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        try:
            root = psutil.Process(proc.pid)
        except psutil.NoSuchProcess:
            return
        while not done.is_set():
            total = 0
            try:
                for p in [root, *root.children(recursive=True)]:
                    try:
                        total += p.memory_info().rss
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        pass
            except psutil.NoSuchProcess:
                break
            peak[0] = max(peak[0], total)
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:6])}... exited {proc.returncode}:\n{stderr[-2000:]}")
    return {"wall_s": wall, "peak_rss_mb": peak[0] / 2**20, "stdout": stdout, "stderr": stderr}


def run_bare(notes_csv: str) -> None:
    """The baseline, in this process: the English model's full default pipeline over the texts."""
    start = time.perf_counter()
    from record_audit.pipeline import load_english
    nlp = load_english()  # ner included
    loaded = time.perf_counter()

    def texts():
        with open(notes_csv, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                yield row["text"]

    words = 0
    for doc in nlp.pipe(texts(), batch_size=64):
        words += len(doc.text.split())
    end = time.perf_counter()
    print(json.dumps({"load_s": loaded - start, "process_s": end - loaded, "words": words}))


def machine() -> dict:
    import psutil
    return {"machine": platform.machine(), "cores": os.cpu_count(),
            "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "platform": platform.platform(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "date": datetime.now(timezone.utc).date().isoformat()}


def project(rows: list[dict], words_per_note: float) -> list[dict]:
    """Time for 10 million notes per configuration, from the marginal rate of its two largest sizes."""
    out = []
    for config in dict.fromkeys(r["config"] for r in rows):
        mine = sorted((r for r in rows if r["config"] == config), key=lambda r: r["words"])
        if len(mine) < 2:
            continue
        small, large = mine[-2], mine[-1]
        extra = large["wall_s"] - small["wall_s"]
        if extra <= 0:
            continue
        rate = (large["words"] - small["words"]) / extra
        startup = max(small["wall_s"] - small["words"] / rate, 0.0)
        seconds = startup + PROJECT_NOTES * words_per_note / rate
        out.append({"config": config, "marginal_words_per_s": rate, "startup_s": startup,
                    "hours_10m_notes": seconds / 3600, "from_sizes": [small["words"], large["words"]]})
    return out


def markdown(info: dict, rows: list[dict], projections: list[dict], words_per_note: float, model: str) -> str:
    lines = [f"Machine: {info['machine']}, {info['cores']} cores, {info['memory_gib']} GiB, Python {info['python']} "
             f"({info['date']}; load average at start {info['load_average_at_start'][0]}). Model: {model}.", "",
             "| configuration | words | notes | wall s | words/s | × bare | × 1 process | peak RSS MB (tree) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    by = {(r["config"], r["words"]): r for r in rows}
    for r in rows:
        bare = by.get(("bare", r["words"]))
        one = by.get(("audit-1", r["words"]))
        vs_bare = f"{r['words_per_s'] / bare['words_per_s']:.2f}" if bare else "–"
        vs_one = f"{r['words_per_s'] / one['words_per_s']:.2f}" if one and r["config"] != "bare" else "–"
        lines.append(f"| {r['config']} | {r['words']:,} | {r['notes']:,} | {r['wall_s']:.1f} | "
                     f"{r['words_per_s']:,.0f} | {vs_bare} | {vs_one} | {r['peak_rss_mb']:,.0f} |")
    sizes = sorted({r["words"] for r in rows})
    if len(sizes) >= 2:
        lines += ["", f"Peak RSS at {sizes[-1]:,} words over {sizes[-2]:,} words: " + ", ".join(
            f"{c} {by[(c, sizes[-1])]['peak_rss_mb'] / by[(c, sizes[-2])]['peak_rss_mb']:.2f}×"
            for c in dict.fromkeys(r["config"] for r in rows) if (c, sizes[-1]) in by and (c, sizes[-2]) in by)]
    if projections:
        lines += ["", f"Projected time for {PROJECT_NOTES:,} notes at {words_per_note:.0f} words per note (the "
                  "samples' mean), from the marginal rate between the two largest sizes plus start-up, on this "
                  "machine:", ""]
        lines += [f"- {p['config']}: {p['marginal_words_per_s']:,.0f} words/s → {p['hours_10m_notes']:,.1f} h"
                  for p in projections]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)), help="input sizes in words")
    parser.add_argument("--configs", default=",".join(CONFIGS), help=f"any of {', '.join(CONFIGS)}")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--rules-only", action="store_true", help="run the audit without the classifier")
    group.add_argument("--model", default=None, help="a .skops model (default: the adopted one)")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"), help="folder for scale.md and scale.json")
    parser.add_argument("--bare", metavar="NOTES_CSV", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        run_bare(args.bare)
        return

    sys.path.insert(0, str(ROOT / "src"))
    from record_audit.model.registry import choose_model
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    for config in configs:
        if config not in CONFIGS:
            parser.error(f"unknown configuration {config!r}; known: {', '.join(CONFIGS)}")
    model = choose_model(rules_only=args.rules_only, model=args.model)
    model_args = ["--model", str(model)] if model else ["--rules-only"]
    model_name = Path(model).name if model else "none (rules only)"

    info = machine()
    print(f"machine: {info}", file=sys.stderr)
    rows = []
    words_per_note = samples_words_per_note()
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="record-audit-bench-") as tmp:
            data = build_input(size, Path(tmp))
            for config in configs:
                out = Path(tmp) / config
                out.mkdir()
                result = measure(command(config, data, out, model_args))
                row = {"config": config, "words": data["words"], "notes": data["notes"], "records": data["records"],
                       "wall_s": result["wall_s"], "words_per_s": data["words"] / result["wall_s"],
                       "peak_rss_mb": result["peak_rss_mb"]}
                if config == "bare":
                    row.update(json.loads(result["stdout"]))
                rows.append(row)
                print(f"{config:>8} {data['words']:>9,} words  {row['wall_s']:8.1f} s  {row['words_per_s']:8,.0f} "
                      f"words/s  peak RSS {row['peak_rss_mb']:7,.0f} MB", file=sys.stderr)
    projections = project(rows, words_per_note)
    text = markdown(info, rows, projections, words_per_note, model_name)
    print(text)
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "scale.md").write_text(text, encoding="utf-8")
    (out_dir / "scale.json").write_text(json.dumps(
        {"machine": info, "model": model_name, "words_per_note": words_per_note, "rows": rows,
         "projections": projections}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
