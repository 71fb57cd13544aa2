"""Multi-process runs give the same flags, line for line and in the same order, as one process."""
from __future__ import annotations

import pytest

# worker processes
pytestmark = pytest.mark.slow


def test_flag_with_two_processes_equals_one(tmp_path, write_visits, run_cli):
    notes = write_visits(tmp_path / "notes.csv", 30, notes_per_record=3)
    outs = {}
    for n in (1, 2):
        out = tmp_path / f"flags{n}.jsonl"
        result = run_cli("flag", notes, "-o", out, "--rules-only", "--n-process", n, "--batch-size", 7)
        assert result.exit_code == 0, result.output
        outs[n] = out.read_text(encoding="utf-8")
    assert len(outs[1].splitlines()) > 30
    assert outs[2] == outs[1]  # the same lines, in the input's record order


def test_audit_with_two_processes_stores_the_same_records(tmp_path, write_visits, run_cli, store_rows):
    notes = write_visits(tmp_path / "notes.csv", 12)
    dumps = []
    for n in (1, 2):
        db = tmp_path / f"a{n}.sqlite"
        result = run_cli("audit", notes, "--db", db, "--rules-only", "--n-process", n)
        assert result.exit_code == 0, result.output
        dumps.append(store_rows(db))
    assert dumps[0]["records"] and dumps[0] == dumps[1]
