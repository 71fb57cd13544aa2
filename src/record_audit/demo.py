"""Print a short, readable digest of a `record-audit flag` output file (used by `make demo`)."""
from __future__ import annotations

import json
import sys
from collections import Counter

from . import taxonomy


def digest(path: str) -> str:
    labels, sources, contexts = Counter(), Counter(), Counter()
    records, lines = set(), 0
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            lines += 1
            records.add(row["record_id"])
            for flag in row["flags"]:
                labels[flag["label"], flag["counted"]] += 1
                sources[flag["source"]] += 1
                contexts[flag["context"] or "none"] += 1
    out = [f"{lines} flagged sentences in {len(records)} records ({path})", "",
           f"{'label':<26}{'counted':>9}{'uncounted':>11}"]
    for label in taxonomy.LABELS:
        out.append(f"{label:<26}{labels[label, True]:>9}{labels[label, False]:>11}")
    out.append("")
    out.append("sources: " + ", ".join(f"{k} {v}" for k, v in sources.most_common()))
    out.append("context: " + ", ".join(f"{k} {v}" for k, v in contexts.most_common()))
    return "\n".join(out)


if __name__ == "__main__":
    print(digest(sys.argv[1]))
