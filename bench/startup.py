"""Start-up of the command line: `record-audit flag` on one note, and `record-audit --help`.

Each run is a fresh process (`python -m record_audit.cli ...`), timed as a whole: wall time
and CPU time (user + system, which a machine shared with other jobs inflates less). Prints
the medians, and with ``--importtime`` the slowest imports of one run (``python -X
importtime``). ``--src DIR`` runs another checkout's ``src`` (e.g. a worktree of an older
commit) with this environment, for before/after figures; runs of the two alternate, so a
change in the machine's load falls on both.

    .venv/bin/python bench/startup.py --runs 9
    .venv/bin/python bench/startup.py --runs 9 --src /tmp/old/src
"""
from __future__ import annotations

import argparse
import csv
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTE = ("HV at 1400 to the apartment. Mother was pushed during a domestic dispute. "
        "Father was not contacted. MO must obtain a protective order or the children will be removed.")


def timed(argv: list[str], env: dict, cwd: Path) -> tuple[float, float]:
    """(wall, user+sys CPU) seconds of one run of ``argv`` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed: {done.stderr.strip()[-500:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def slowest_imports(argv: list[str], env: dict, cwd: Path, n: int = 12) -> list[tuple[float, str]]:
    """The top-level imports of one run by cumulative time (s), from ``-X importtime``."""
    done = subprocess.run([argv[0], "-X", "importtime", *argv[1:]], env=env, cwd=cwd, capture_output=True,
                          text=True)
    rows = []
    for line in done.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\s*)(\S+)", line)
        if m and len(m.group(2)) <= 2:  # imported by the program itself or one level down
            rows.append((int(m.group(1)) / 1e6, m.group(3).strip()))
    return sorted(rows, reverse=True)[:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--src", type=Path, help="another checkout's src folder to compare with")
    parser.add_argument("--importtime", action="store_true", help="also list the slowest imports of one run")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="record-audit-startup-"))
    notes = work / "one.csv"
    with open(notes, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["record_id", "text"], ["R1", NOTE]])
    setups = {"this checkout": (dict(os.environ), ROOT)}
    if args.src:
        setups[f"{args.src}"] = ({**os.environ, "PYTHONPATH": str(args.src.resolve())}, args.src.resolve().parent)
    commands = {
        "flag, one note": [sys.executable, "-m", "record_audit.cli", "flag", str(notes), "-o", str(work / "o.jsonl")],
        "--help": [sys.executable, "-m", "record_audit.cli", "--help"],
    }
    load = os.getloadavg()[0]
    results: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for _ in range(args.runs):
        for what, argv in commands.items():
            for name, (env, cwd) in setups.items():
                results.setdefault((what, name), []).append(timed(argv, env, cwd))
    print(f"{args.runs} runs each, {os.cpu_count()} CPUs, load average {load:.1f} at the start, "
          f"{os.getloadavg()[0]:.1f} at the end")
    print(f"{'command':<16}{'code':<40}{'wall median s':>14}{'CPU median s':>14}{'wall min s':>12}")
    for (what, name), runs in results.items():
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        print(f"{what:<16}{name[-39:]:<40}{statistics.median(walls):>14.2f}{statistics.median(cpus):>14.2f}"
              f"{min(walls):>12.2f}")
    if args.importtime:
        for name, (env, cwd) in setups.items():
            print(f"\nslowest imports, flag on one note ({name}):")
            for seconds, module in slowest_imports(commands["flag, one note"], env, cwd):
                print(f"  {seconds:6.2f} s  {module}")


if __name__ == "__main__":
    main()
