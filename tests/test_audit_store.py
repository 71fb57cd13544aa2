"""The audit store and `record-audit audit`: idempotent, resumable, sampled, never losing data."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from record_audit.audit import draw_sample
from record_audit.cli import main
from record_audit.errors import InputError
from record_audit.store import SCHEMA_VERSION, AuditStore

NOTE_TEXTS = [
    "HV completed. Mother was pushed during a domestic dispute. Father was not contacted.",
    "CW advised MO that she must obtain a protective order or the children will be removed.",
    "Worker met with FA to discuss his violence. He monitors her phone. She called the police.",
    "School attendance good. No DV concerns. Kids fed and clean.",
]


def write_notes(path, n_records, notes_per_record=2):
    lines = ["record_id,text,team,author"]
    for r in range(n_records):
        for k in range(notes_per_record):
            text = NOTE_TEXTS[(r + k) % len(NOTE_TEXTS)]
            lines.append(f'R{r:03d},"{text} Visit {k}.",{"North" if r % 3 else "South"},W{r % 4}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def table_dump(db):
    conn = sqlite3.connect(db)
    out = {}
    for table, order in (("records", "record_id"), ("notes", "record_id, note_id"),
                         ("flags", "record_id, note_id, start, label"), ("indicators", "record_id"),
                         ("placements", "record_id")):
        cols = [c[1] for c in conn.execute(f"PRAGMA table_info({table})")
                if c[1] not in ("flag_id", "run_id", "audited_at")]
        quoted = ", ".join(f'"{c}"' for c in cols)
        out[table] = conn.execute(f"SELECT {quoted} FROM {table} ORDER BY {order}").fetchall()
    conn.close()
    return out


def test_audit_twice_adds_nothing(tmp_path):
    notes = write_notes(tmp_path / "notes.csv", 6)
    db = tmp_path / "audit.sqlite"
    first = run("audit", notes, "--db", db)
    before = table_dump(db)
    second = run("audit", notes, "--db", db)
    assert first.exit_code == second.exit_code == 0
    assert "6 record(s) audited" in first.stderr and "0 record(s) audited, 6 already up to date" in second.stderr
    assert table_dump(db) == before
    with AuditStore(db) as store:
        assert [r["status"] for r in store.runs()] == ["complete", "complete"]
        assert store.counts()["records"] == 6


def test_changed_note_is_audited_again_alone(tmp_path):
    notes = write_notes(tmp_path / "notes.csv", 4)
    db = tmp_path / "audit.sqlite"
    run("audit", notes, "--db", db)
    lines = notes.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("R002,"))
    lines[index] = lines[index].replace("Visit 0.", "Visit zero, kids well.")
    notes.write_text("\n".join(lines) + "\n", encoding="utf-8")
    again = run("audit", notes, "--db", db)
    assert "1 record(s) audited, 3 already up to date" in again.stderr


def test_killed_run_resumes_to_the_same_result(tmp_path):
    notes = write_notes(tmp_path / "notes.csv", 80, notes_per_record=3)
    reference = tmp_path / "reference.sqlite"
    assert run("audit", notes, "--db", reference).exit_code == 0
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
    resumed = run("audit", notes, "--db", db)
    assert resumed.exit_code == 0
    assert f"{80 - partial} record(s) audited, {partial} already up to date" in resumed.stderr
    assert table_dump(db) == table_dump(reference)
    with AuditStore(db) as store:
        assert [r["status"] for r in store.runs()] == ["interrupted", "complete"]


def test_sample_is_reproducible_and_stratified(tmp_path):
    teams = {f"R{i:02d}": ("North" if i < 30 else "South") for i in range(40)}
    first = draw_sample(teams, 8, seed=3, stratify=True)
    assert first == draw_sample(teams, 8, seed=3, stratify=True)
    assert first != draw_sample(teams, 8, seed=4, stratify=True)
    assert sum(teams[r] == "North" for r in first) == 6 and sum(teams[r] == "South" for r in first) == 2
    assert len(draw_sample(teams, 8, seed=3, stratify=False)) == 8
    notes = write_notes(tmp_path / "notes.csv", 12)
    db = tmp_path / "audit.sqlite"
    result = run("audit", notes, "--db", db, "--sample", 4, "--seed", 1, "--stratify", "team")
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


def test_summary_formats(tmp_path):
    notes = write_notes(tmp_path / "notes.csv", 6)
    db = tmp_path / "audit.sqlite"
    run("audit", notes, "--db", db)
    records = json.loads(run("summary", "--db", db).stdout)
    assert len(records) == 6
    first = records[0]
    assert set(first) >= {"record_id", "team", "worker", "level", "raw_level", "level_source",
                          "indicators", "label_counts", "evidence"}
    assert set(first["indicators"]) == {"dv_present", "father_absent_record", "perpetrator_invisible_record",
                                        "removal_threat", "onus_ratio", "survivor_tasks", "perpetrator_tasks",
                                        "critical_components"}
    sample = json.loads(run("summary", "--db", db, "--scope", "sample").stdout)
    assert sample["records"] == 6 and set(sample["distribution"]) == {"raw_level", "level"}
    by_team = json.loads(run("summary", "--db", db, "--by", "team").stdout)
    assert [g["group"] for g in by_team] == ["North", "South"]
    out = tmp_path / "summary.csv"
    assert run("summary", "--db", db, "--format", "csv", "-o", out).exit_code == 0
    assert out.read_text().splitlines()[0].startswith("record_id,team,worker,level")
    assert (tmp_path / "summary_evidence.csv").exists()
    xlsx = tmp_path / "summary.xlsx"
    assert run("summary", "--db", db, "--format", "xlsx", "-o", xlsx).exit_code == 0
    import openpyxl
    assert openpyxl.load_workbook(xlsx).sheetnames == ["records", "indicators", "by_team", "by_worker", "evidence"]


def test_summary_of_missing_store_is_bad_input(tmp_path):
    result = CliRunner().invoke(main, ["summary", "--db", str(tmp_path / "none.sqlite")])
    assert result.exit_code == 2 and "no such audit store" in result.stderr


def test_stored_record_rebuilds_to_the_same_indicators_and_level(tmp_path):
    from record_audit.continuum import Rubric
    from record_audit.indicators import compute_indicators
    notes = write_notes(tmp_path / "notes.csv", 5)
    db = tmp_path / "audit.sqlite"
    run("audit", notes, "--db", db)
    rubric = Rubric.load()
    with AuditStore(db) as store:
        for stored in store.records():
            rebuilt = store.record_result(stored.record_id)
            indicators = compute_indicators(rebuilt)
            assert indicators == stored.indicators
            assert rubric.place(stored.record_id, indicators).level == stored.placement.level
