"""Print a short summary table of an audit store (used by `make demo`)."""
from __future__ import annotations

import sys

from . import taxonomy
from .continuum import Rubric
from .report.summary import reviewed_records, sample_summary
from .store import AuditStore


def digest(db_path: str) -> str:
    rubric = Rubric.load()
    with AuditStore(db_path) as store:
        sample = sample_summary(reviewed_records(store, rubric), rubric)
    lines = [f"{sample['records']} records audited, {sample['dv_records']} describe DV, "
             f"{sample['not_applicable']} without DV (not placed)", "",
             f"{'continuum level':<18}{'records':>8}{'share':>8}"]
    for level in taxonomy.RECORD_LEVELS:
        cell = sample["distribution"]["level"][level]
        lines.append(f"{level:<18}{cell['count']:>8}{100 * cell['share']:>7.0f}%")
    rates = sample["indicator_rates"]
    lines += ["",
              f"father never engaged (father_absent_record):        {100 * rates['father_absent_record']:.0f}% of DV records",
              f"pattern never named (perpetrator_invisible_record): {100 * rates['perpetrator_invisible_record']:.0f}%",
              f"removal made a condition on her (removal_threat):   {100 * rates['removal_threat']:.0f}%",
              f"sample meets Proficiency: {'yes' if sample['meets_proficiency'] else 'no'}"]
    return "\n".join(lines)


if __name__ == "__main__":
    print(digest(sys.argv[1]))
