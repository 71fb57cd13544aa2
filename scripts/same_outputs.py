"""Snapshot the tool's outputs on samples, train and dev, and compare two snapshots.

A change meant to keep behaviour (a restructure, a speed-up) must leave every output
byte for byte as it was:

    python scripts/same_outputs.py snapshot /tmp/before      # on the old commit
    python scripts/same_outputs.py snapshot /tmp/after       # on the new one
    python scripts/same_outputs.py compare /tmp/before /tmp/after

``--inputs-at REV`` reads the input files as they were at a git revision, so a snapshot after a
data change still compares with one taken before it.

For each set it runs, through the command line as a user would: ``flag`` (with the
classifier, and ``--all-sentences --rules-only``), ``audit`` into a fresh store (every
table's rows dumped in key order), ``report``, ``summary`` (record and sample scope) and
``evaluate --format json``; on the samples also a store reviewed from the gold annotation
(``store.gold``), its report and summaries. Timestamps (run, audit, decision times and the
report's "generated" line), the checkout's path and the version identifiers (rules
fingerprint, model name, record fingerprints, listed in each set's ``versions.txt``) are
replaced by placeholders, so two checkouts compare; nothing else is normalised.
Writes only under the snapshot folder.
"""
from __future__ import annotations

import argparse
import difflib
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETS = {
    "samples": (ROOT / "data/samples/notes.csv", ROOT / "data/samples/annotated.jsonl",
                ["--parties", str(ROOT / "data/samples/parties.csv")]),
    "train": (ROOT / "data/corpus/train.jsonl", ROOT / "data/corpus/train.jsonl", []),
    "dev": (ROOT / "data/corpus/dev.jsonl", ROOT / "data/corpus/dev.jsonl", []),
}
WORK = ROOT
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(\+00:00|Z| UTC)?")


def cli(*args: str, stdout: Path | None = None) -> None:
    """Run ``record-audit ARGS`` in the snapshot folder (no ./models there to pick up)."""
    command = [sys.executable, "-m", "record_audit.cli", *args]
    with open(stdout or "/dev/null", "wb") as out:
        subprocess.run(command, check=True, stdout=out, stderr=subprocess.DEVNULL, cwd=WORK)


def versions(db: Path) -> dict[str, str]:
    """The version identifiers a store holds: rules fingerprint, model, record fingerprints.

    They name the rule files' bytes and the model file, so they change when a rule file is
    reformatted or the model retrained with identical behaviour; they are masked in the
    outputs and kept in ``versions.txt``, which ``compare`` reports apart.
    """
    conn = sqlite3.connect(db)
    found = {}
    for lexicon, model in conn.execute("SELECT lexicon_version, model_version FROM runs"):
        found[lexicon] = "<lexicon_version>"
        if model:
            found[model] = "<model_version>"
    for (fingerprint,) in conn.execute("SELECT fingerprint FROM records"):
        found[fingerprint] = "<record_fingerprint>"
    conn.close()
    return found


def dump_store(db: Path, out: Path) -> None:
    """Every table's rows, in column order, with timestamps masked."""
    conn = sqlite3.connect(db)
    lines = []
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
    for table in tables:
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        lines.append(f"## {table} ({', '.join(columns)})")
        for row in conn.execute(f"SELECT * FROM {table} ORDER BY {', '.join(columns)}"):
            lines.append(mask(json.dumps(row, ensure_ascii=False)))
    conn.close()
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def mask(text: str) -> str:
    """Timestamps and this checkout's path (stores keep the input path) become placeholders."""
    text = TIMESTAMP.sub("<time>", text).replace(str(WORK / "inputs"), "<root>")  # inputs read at a revision
    return text.replace(str(ROOT), "<root>")


def mask_file(path: Path) -> None:
    path.write_text(mask(path.read_text(encoding="utf-8")), encoding="utf-8")


def review_from_gold(db: Path, annotated: Path) -> None:
    code = ("import sys\n"
            "from record_audit.io.annotated import read_annotated\n"
            "from record_audit.store.gold import review_from_gold\n"
            "from record_audit.store.review import ReviewStore\n"
            "store = ReviewStore(sys.argv[1])\n"
            "review_from_gold(store, read_annotated(sys.argv[2]))\n"
            "store.close()\n")
    subprocess.run([sys.executable, "-c", code, str(db), str(annotated)], check=True)


def inputs_at(revision: str, folder: Path) -> dict:
    """The input files as they were at ``revision`` (a git revision), written under ``folder``.

    A change of the data itself (new records) would otherwise show as a change of behaviour:
    snapshots taken before and after a data change compare on the same inputs this way.
    """
    sets = {}
    for name, (notes, annotated, extra) in SETS.items():
        paths = []
        for path in (notes, annotated, *(Path(a) for a in extra if a.startswith(str(ROOT)))):
            target = folder / "inputs" / path.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            blob = subprocess.run(["git", "show", f"{revision}:{path.relative_to(ROOT).as_posix()}"], cwd=ROOT,
                                  check=True, capture_output=True).stdout
            target.write_bytes(blob)
            paths.append(target)
        sets[name] = (paths[0], paths[1], ["--parties", str(paths[2])] if extra else [])
    return sets


def snapshot(folder: Path, revision: str | None = None) -> None:
    global WORK
    folder.mkdir(parents=True, exist_ok=True)
    WORK = folder.resolve()
    sets = inputs_at(revision, WORK) if revision else SETS
    for name, (notes, annotated, extra) in sets.items():
        out = folder / name
        out.mkdir(exist_ok=True)
        for f in out.glob("*"):
            f.unlink()
        print(f"{name}: flag", file=sys.stderr)
        cli("flag", str(notes), *extra, "-o", str(out / "flags.jsonl"))
        cli("flag", str(notes), *extra, "--all-sentences", "--rules-only", "-o", str(out / "flags_all_rules.jsonl"))
        print(f"{name}: audit, report, summary", file=sys.stderr)
        db = out / "audit.sqlite"
        cli("audit", str(notes), *extra, "--db", str(db), "--report", str(out / "report.html"))
        stores = [("audit", db)]
        if name == "samples":
            reviewed = out / "reviewed.sqlite"
            reviewed.write_bytes(db.read_bytes())
            review_from_gold(reviewed, annotated)
            stores.append(("reviewed", reviewed))
        for tag, store in stores:
            if tag != "audit":
                cli("report", "--db", str(store), "-o", str(out / f"{tag}_report.html"))
            cli("summary", "--db", str(store), stdout=out / f"{tag}_summary_record.json")
            cli("summary", "--db", str(store), "--scope", "sample", stdout=out / f"{tag}_summary_sample.json")
            cli("summary", "--db", str(store), "--scope", "sample", "--by", "team",
                stdout=out / f"{tag}_summary_by_team.json")
            dump_store(store, out / f"{tag}_store.txt")
        print(f"{name}: evaluate", file=sys.stderr)
        cli("evaluate", str(annotated), *extra, "--format", "json", stdout=out / "evaluate.json")
        for f in out.glob("*.html"):
            mask_file(f)
        found = {}
        for _, store in stores:
            found.update(versions(store))
        for f in out.glob("*"):
            if ".sqlite" not in f.name and f.is_file():
                text = f.read_text(encoding="utf-8")
                for value, placeholder in found.items():
                    text = text.replace(value, placeholder)
                f.write_text(text, encoding="utf-8")
        (out / "versions.txt").write_text(
            "".join(f"{p} {v}\n" for v, p in sorted(found.items(), key=lambda kv: (kv[1], kv[0]))
                    if p != "<record_fingerprint>")
            + f"<record_fingerprint> x {sum(p == '<record_fingerprint>' for p in found.values())}\n",
            encoding="utf-8")
        for f in list(out.glob("*.sqlite*")):
            f.unlink()
    print(f"snapshot written to {folder}", file=sys.stderr)


def compare(a: Path, b: Path) -> int:
    files = sorted({p.relative_to(a) for p in a.rglob("*") if p.is_file()}
                   | {p.relative_to(b) for p in b.rglob("*") if p.is_file()})
    differ = 0
    for rel in files:
        if rel.name == "versions.txt":
            if (a / rel).exists() and (b / rel).exists() and (a / rel).read_bytes() != (b / rel).read_bytes():
                print(f"versions changed (expected when rule files are edited or the model retrained): {rel}")
            continue
        left, right = a / rel, b / rel
        if not left.exists() or not right.exists():
            print(f"only in {'the first' if left.exists() else 'the second'}: {rel}")
            differ += 1
        elif left.read_bytes() != right.read_bytes():
            differ += 1
            diff = difflib.unified_diff(left.read_text(encoding="utf-8").splitlines(),
                                        right.read_text(encoding="utf-8").splitlines(), str(left), str(right),
                                        lineterm="", n=0)
            print("\n".join(list(diff)[:20]))
    print(f"{len(files)} file(s) compared, {differ} differ")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    snap = sub.add_parser("snapshot")
    snap.add_argument("folder", type=Path)
    snap.add_argument("--inputs-at", metavar="REV", default=None,
                      help="read the samples, train and dev inputs as they were at this git revision")
    cmp = sub.add_parser("compare")
    cmp.add_argument("first", type=Path)
    cmp.add_argument("second", type=Path)
    args = parser.parse_args()
    if args.command == "snapshot":
        snapshot(args.folder, args.inputs_at)
        return 0
    return compare(args.first, args.second)


if __name__ == "__main__":
    sys.exit(main())
