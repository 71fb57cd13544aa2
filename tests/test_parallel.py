"""Multi-process runs give the same flags, byte for byte after sorting, as one process."""
from __future__ import annotations

from click.testing import CliRunner

from record_audit.cli import main
from tests.test_audit_store import write_notes


def test_flag_with_two_processes_equals_one(tmp_path):
    notes = write_notes(tmp_path / "notes.csv", 30, notes_per_record=3)
    outs = {}
    for n in (1, 2):
        out = tmp_path / f"flags{n}.jsonl"
        result = CliRunner().invoke(main, ["flag", str(notes), "-o", str(out), "--rules-only", "--n-process", str(n),
                                           "--batch-size", "7"], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        outs[n] = out.read_text(encoding="utf-8")
    assert outs[1] and sorted(outs[1].splitlines()) == sorted(outs[2].splitlines())


def test_audit_with_two_processes_stores_the_same_records(tmp_path):
    from tests.test_audit_store import table_dump
    notes = write_notes(tmp_path / "notes.csv", 12)
    dumps = []
    for n in (1, 2):
        db = tmp_path / f"a{n}.sqlite"
        result = CliRunner().invoke(main, ["audit", str(notes), "--db", str(db), "--rules-only", "--n-process", str(n)],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        dumps.append(table_dump(db))
    assert dumps[0] == dumps[1]
