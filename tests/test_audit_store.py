"""The audit store and `record-audit audit`: idempotent, resumable, sampled, never losing data."""
from __future__ import annotations

import ast
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from record_audit.audit import draw_sample
from record_audit.errors import InputError
from record_audit.store import SCHEMA_VERSION, AuditStore

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "record_audit"


def test_audit_twice_adds_nothing(tmp_path, write_visits, run_cli, store_rows):
    notes = write_visits(tmp_path / "notes.csv", 6)
    db = tmp_path / "audit.sqlite"
    first = run_cli("audit", notes, "--db", db)
    before = store_rows(db)
    second = run_cli("audit", notes, "--db", db)
    assert first.exit_code == second.exit_code == 0
    assert "6 record(s) audited" in first.stderr and "0 record(s) audited, 6 already up to date" in second.stderr
    assert store_rows(db) == before
    with AuditStore(db) as store:
        assert [r["status"] for r in store.runs()] == ["complete", "complete"]
        assert store.counts()["records"] == 6


def test_changed_note_is_audited_again_alone(tmp_path, write_visits, run_cli):
    notes = write_visits(tmp_path / "notes.csv", 4)
    db = tmp_path / "audit.sqlite"
    run_cli("audit", notes, "--db", db)
    lines = notes.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("R002,"))
    lines[index] = lines[index].replace("Visit 0.", "Visit zero, kids well.")
    notes.write_text("\n".join(lines) + "\n", encoding="utf-8")
    again = run_cli("audit", notes, "--db", db)
    assert "1 record(s) audited, 3 already up to date" in again.stderr


@pytest.mark.slow
def test_killed_run_resumes_to_the_same_result(tmp_path, write_visits, run_cli, store_rows):
    notes = write_visits(tmp_path / "notes.csv", 80, notes_per_record=3)
    reference = tmp_path / "reference.sqlite"
    assert run_cli("audit", notes, "--db", reference).exit_code == 0
    db = tmp_path / "killed.sqlite"
    proc = subprocess.Popen([sys.executable, "-m", "record_audit.cli", "audit", str(notes), "--db", str(db),
                             "--batch-size", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    done = 0
    while time.time() < deadline and proc.poll() is None:
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=1) as conn:
                    done = conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]
            except sqlite3.OperationalError:
                done = 0
            if done >= 5:
                break
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 5 <= done < 80, "the run was not killed midway"
    with AuditStore(db) as store:
        partial = store.counts()["records"]
        assert partial < 80 and store.runs()[-1]["status"] == "running"
    resumed = run_cli("audit", notes, "--db", db)
    assert resumed.exit_code == 0
    assert f"{80 - partial} record(s) audited, {partial} already up to date" in resumed.stderr
    assert store_rows(db) == store_rows(reference)
    with AuditStore(db) as store:
        assert [r["status"] for r in store.runs()] == ["interrupted", "complete"]


def test_sample_is_reproducible_and_stratified(tmp_path, write_visits, run_cli):
    teams = {f"R{i:02d}": ("North" if i < 30 else "South") for i in range(40)}
    first = draw_sample(teams, 8, seed=3, stratify=True)
    assert first == draw_sample(teams, 8, seed=3, stratify=True)
    assert first != draw_sample(teams, 8, seed=4, stratify=True)
    assert sum(teams[r] == "North" for r in first) == 6 and sum(teams[r] == "South" for r in first) == 2
    assert len(draw_sample(teams, 8, seed=3, stratify=False)) == 8
    notes = write_visits(tmp_path / "notes.csv", 12)
    db = tmp_path / "audit.sqlite"
    result = run_cli("audit", notes, "--db", db, "--sample", 4, "--seed", 1, "--stratify", "team")
    assert "4 record(s) audited" in result.stderr
    with AuditStore(db) as store:
        assert json.loads(store.runs()[-1]["options"])["sample"] == 4


def test_store_has_a_schema_version_and_refuses_other_files(tmp_path):
    with AuditStore(tmp_path / "a.sqlite") as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    bogus = tmp_path / "b.sqlite"
    bogus.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(InputError, match="not a record_audit store"):
        AuditStore(bogus)


def test_summary_formats(tmp_path, write_visits, run_cli):
    notes = write_visits(tmp_path / "notes.csv", 6)
    db = tmp_path / "audit.sqlite"
    run_cli("audit", notes, "--db", db)
    records = json.loads(run_cli("summary", "--db", db).stdout)
    assert len(records) == 6
    first = records[0]
    assert set(first) >= {"record_id", "team", "worker", "level", "raw_level", "level_source",
                          "indicators", "label_counts", "evidence"}
    assert set(first["indicators"]) == {"dv_present", "father_absent_record", "perpetrator_invisible_record",
                                        "removal_threat", "onus_ratio", "survivor_tasks", "perpetrator_tasks",
                                        "critical_components"}
    sample = json.loads(run_cli("summary", "--db", db, "--scope", "sample").stdout)
    assert sample["records"] == 6 and set(sample["distribution"]) == {"raw_level", "level"}
    by_team = json.loads(run_cli("summary", "--db", db, "--by", "team").stdout)
    assert [g["group"] for g in by_team] == ["North", "South"]
    out = tmp_path / "summary.csv"
    assert run_cli("summary", "--db", db, "--format", "csv", "-o", out).exit_code == 0
    assert out.read_text().splitlines()[0].startswith("record_id,team,worker,level")
    assert (tmp_path / "summary_evidence.csv").exists()
    xlsx = tmp_path / "summary.xlsx"
    assert run_cli("summary", "--db", db, "--format", "xlsx", "-o", xlsx).exit_code == 0
    import openpyxl
    assert openpyxl.load_workbook(xlsx).sheetnames == ["records", "indicators", "by_team", "by_worker", "evidence"]


def test_summary_of_missing_store_is_bad_input(tmp_path, run_cli):
    result = run_cli("summary", "--db", tmp_path / "none.sqlite")
    assert result.exit_code == 2 and "no such audit store" in result.stderr


def test_stored_record_rebuilds_to_the_same_indicators_and_level(tmp_path, write_visits, run_cli):
    from record_audit.continuum import Rubric
    from record_audit.indicators import compute_indicators
    notes = write_visits(tmp_path / "notes.csv", 5)
    db = tmp_path / "audit.sqlite"
    run_cli("audit", notes, "--db", db)
    rubric = Rubric.load()
    with AuditStore(db) as store:
        for stored in store.records():
            rebuilt = store.record_result(stored.record_id)
            indicators = compute_indicators(rebuilt)
            assert indicators == stored.indicators
            assert rubric.place(stored.record_id, indicators).level == stored.placement.level


def test_store_lists_records_teams_notes_and_sentences(review_db, review_notes):
    with AuditStore(review_db) as store:
        assert store.record_ids() == ["R1", "R2", "R3"] and store.teams() == ["North"]
        assert store.note_text("R1", "R1-2") == review_notes[1][1]
        assert store.note_seqs() == {("R1", "R1-1"): 1, ("R1", "R1-2"): 2, ("R2", "R2-1"): 1, ("R2", "R2-2"): 2,
                                     ("R3", "R3-1"): 1}
        keys = store.sentence_keys()
        assert ("R1", "R1-1", 2) in keys and ("R1", "R1-1", 3) not in keys
        assert len(keys) == sum(len(store.sentences(r, n)) for r, n in store.note_seqs())
        with pytest.raises(KeyError):
            store.note_text("R1", "R1-9")


def test_only_the_store_package_runs_sql():
    """Issue 13: SQL is read and written in store/ alone; everything else calls its methods."""
    outside = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith("store/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in ("execute", "executemany",
                                                                              "executescript"):
                outside.append(f"{rel}:{node.lineno}")
            elif isinstance(node, (ast.Import, ast.ImportFrom)) and "sqlite3" in {
                    *(a.name for a in node.names), getattr(node, "module", None)}:
                outside.append(f"{rel}:{node.lineno}")
    assert outside == []
