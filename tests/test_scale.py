"""Scale: one process, worker processes and a Dask cluster give the same flags and the same store.

Flags from ``--n-process 1``, ``--n-process 2`` and ``--engine dask`` are compared byte
for byte after sorting; Dask results loaded with ``audit --from-flags`` (and
``audit --engine dask``) must equal a single-process audit store row for row. Partitions
never split a record, however far apart its notes are; interrupted runs continue.
"""
from __future__ import annotations

import csv
import io
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from record_audit.cli import LogProgress, main
from record_audit.engines import dask as dask_engine
from record_audit.engines import first_pass, flag_records, partitions
from record_audit.engines.parquet import ResultsFolder, read_partition
from record_audit.engines.partitions import iter_staged, part_name, read_staged, stage_notes
from record_audit.io import open_notes, read_parties


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def sorted_lines(text: str) -> list[str]:
    return sorted(text.splitlines())


def far_apart_copy(samples_dir: Path, path: Path, n_rows: int | None = None) -> Path:
    """The samples' notes (the first ``n_rows``), with the first record's first note moved to the end."""
    with open(samples_dir / "notes.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:n_rows + 1 if n_rows else None]
    body = body[1:] + body[:1]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *body])
    return path


@pytest.fixture(scope="module")
def cluster():
    """A local Dask cluster the tests reach by address, as a remote scheduler is."""
    from distributed import LocalCluster
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None,
                      scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                      silence_logs=logging.CRITICAL) as local:
        yield local.scheduler_address


# -- partitions ------------------------------------------------------------------------------
def test_partitions_never_split_a_record(tmp_path, samples_dir):
    path = far_apart_copy(samples_dir, tmp_path / "notes.csv")
    source = open_notes(path)
    expected = {}
    for note in source:
        expected.setdefault(note.record_id, []).append(note)
    first = next(iter(expected))
    assert len(expected[first]) > 1  # the moved note is the last row of the file, the others at the top

    counts = stage_notes(source, tmp_path / "stage", 7)
    seen: dict[str, int] = {}
    staged = {}
    for k in counts:
        notes = list(iter_staged(tmp_path / "stage" / part_name(k)))
        assert len(notes) == counts[k]
        for note in notes:
            assert seen.setdefault(note.record_id, k) == k, "a record was split across partitions"
            staged.setdefault(note.record_id, []).append(note)
    assert staged == expected  # every note, in input order within its record, ids and positions kept
    assert len(counts) > 1


@pytest.mark.slow
def test_a_partition_flags_far_apart_notes_as_one_process_does(tmp_path, samples_dir, nlp_rules, monkeypatch):
    path = far_apart_copy(samples_dir, tmp_path / "notes.csv", n_rows=40)
    parties = read_parties(samples_dir / "parties.csv")
    single = list(flag_records(open_notes(path), nlp_rules, parties=parties))

    monkeypatch.setattr(dask_engine, "_PIPELINES", {(None, None): nlp_rules})
    counts = stage_notes(open_notes(path), tmp_path / "stage", 3, parties=parties)
    results = tmp_path / "results"
    for k in counts:
        summary = dask_engine.annotate_partition(read_staged((k, str(tmp_path / "stage" / part_name(k)))),
                                                 out_dir=str(results), rules_dir=None, model_path=None,
                                                 assume_dv=False, batch_size=8)
        assert summary["notes"].iloc[0] == counts[k]
    rebuilt = {record.record_id: record for k in counts for record, _ in read_partition(results, k)}
    # the Parquet round trip gives back equal results, flags, roles and cues included
    assert rebuilt == {record.record_id: record for record in single}
    assert any(s.flags for r in single for n in r.notes for s in n.sentences)


def test_records_spread_through_the_file_are_regrouped_not_held(tmp_path, nlp_rules, monkeypatch, write_notes,
                                                                visit_texts):
    # 40 records of 3 notes, as an export sorted by date has them: every first note, then every second...
    rows = [(f"R{r:02d}", f"{visit_texts[(r + k) % len(visit_texts)]} Visit {k}.") for k in range(3) for r in range(40)]
    source = open_notes(write_notes(tmp_path / "notes.csv", rows))
    counts = first_pass(source).counts
    straight = {r.record_id: r for r in flag_records(source, nlp_rules)}
    assert partitions.max_pending(source, counts) == 80

    monkeypatch.setattr(partitions, "REGROUP_PENDING_NOTES", 20)
    monkeypatch.setattr(partitions, "REGROUP_PARTITION_NOTES", 30)
    stream = list(partitions.regrouped(source, counts, {"R00"}, tmp_path / "stage"))
    assert sorted(stream, key=lambda n: n.note_id) == sorted((n for n in source if n.record_id != "R00"),
                                                             key=lambda n: n.note_id)
    assert partitions.max_pending(stream, counts) <= 40  # a partition's worth, not half the file
    regrouped = {r.record_id: r for r in flag_records(source, nlp_rules)}
    assert regrouped == straight and list(regrouped) != list(straight)


# -- engines agree -----------------------------------------------------------------------------
def flag_lines(nlp, path, parties=None) -> str:
    """What `record-audit flag PATH -o OUT` writes in one process (the session's pipeline, no reload)."""
    return "".join(json.dumps(row, ensure_ascii=False) + "\n"
                   for record in flag_records(open_notes(path), nlp, parties=parties)
                   for row in record.sentence_rows())


@pytest.mark.slow
def test_samples_flags_are_identical_in_one_two_processes_and_dask(tmp_path, samples_dir, nlp_rules):
    notes, parties = samples_dir / "notes.csv", samples_dir / "parties.csv"
    outs = {"one": flag_lines(nlp_rules, notes, read_parties(parties))}
    for name, extra in (("two", ["--n-process", "2"]), ("dask", ["--engine", "dask", "--n-process", "2"])):
        out = tmp_path / f"{name}.jsonl"
        result = run("flag", notes, "--parties", parties, "--rules-only", "-o", out, *extra)
        assert result.exit_code == 0, result.stderr
        outs[name] = out.read_bytes().decode("utf-8")
    assert len(outs["one"].splitlines()) > 300
    assert sorted_lines(outs["one"]) == sorted_lines(outs["two"]) == sorted_lines(outs["dask"])
    assert outs["one"] == outs["two"]  # worker processes keep the input order too


@pytest.mark.slow
def test_dask_results_resume_and_load_into_the_same_store(tmp_path, samples_dir, audited_samples, cluster, store_rows):
    notes, parties_csv = samples_dir / "notes.csv", samples_dir / "parties.csv"
    out = tmp_path / "results"

    # a run stopped after its first partition: the partial folder keeps what was written
    class StopAfterFirst:
        def update(self, n):
            raise KeyboardInterrupt

        def close(self):
            pass

    source = open_notes(notes)
    parties = read_parties(parties_csv)
    engine = dask_engine.DaskEngine(n_workers=2, scheduler=cluster)
    with pytest.raises(KeyboardInterrupt):
        engine.write_results(source, out, parties=parties, progress_factory=lambda total: StopAfterFirst())
    partial = tmp_path / "results.partial"
    written = len(list((partial / "records").glob("part-*.parquet")))
    assert not out.exists() and written >= 1

    resumed = run("flag", notes, "--parties", parties_csv, "--rules-only", "--engine", "dask", "--n-process", "2",
                  "--scheduler", cluster, "-o", out)
    assert resumed.exit_code == 0, resumed.stderr
    assert "continuing after" in resumed.stderr and "54 record(s)" in resumed.stderr
    assert out.is_dir() and not partial.exists() and not (out / "stage").exists()
    results = ResultsFolder(out)
    assert results.complete and results.manifest["records"] == 54

    loaded = tmp_path / "loaded.sqlite"
    first = run("audit", "--from-flags", out, "--db", loaded)
    again = run("audit", "--from-flags", out, "--db", loaded)
    assert first.exit_code == again.exit_code == 0
    assert "54 record(s) audited" in first.stderr and "0 record(s) audited, 54 already up to date" in again.stderr
    reference = store_rows(audited_samples)
    assert store_rows(loaded) == reference  # fingerprints included: a later audit finds them up to date

    direct = tmp_path / "direct.sqlite"
    result = run("audit", notes, "--parties", parties_csv, "--rules-only", "--db", direct, "--engine", "dask",
                 "--scheduler", cluster)
    assert result.exit_code == 0, result.stderr
    assert store_rows(direct) == reference
    assert not list(tmp_path.glob("record-audit-dask-*"))  # the staged partitions are gone


# -- interrupted worker-process runs continue -------------------------------------------------------
@pytest.mark.slow
def test_killed_two_process_flag_run_continues_to_the_same_file(tmp_path, nlp_rules, write_visits):
    notes = write_visits(tmp_path / "notes.csv", 300, notes_per_record=2)
    reference = flag_lines(nlp_rules, notes)
    out = tmp_path / "flags.jsonl"
    partial = tmp_path / "flags.jsonl.partial"
    proc = subprocess.Popen([sys.executable, "-m", "record_audit.cli", "flag", str(notes), "--rules-only", "-o",
                             str(out), "--n-process", "2", "--batch-size", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline, done = time.time() + 120, 0
    try:
        while time.time() < deadline and proc.poll() is None:
            if partial.exists():
                lines = partial.read_bytes().split(b"\n")[:-1]
                done = len({json.loads(line)["record_id"] for line in lines})
                if done >= 5:
                    break
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the run and its worker processes
        proc.wait()
    assert 5 <= done < 300 and not out.exists(), "the run was not killed midway"
    resumed = run("flag", notes, "--rules-only", "-o", out, "--n-process", "2")
    assert resumed.exit_code == 0
    assert "continuing after" in resumed.stderr
    assert out.read_text(encoding="utf-8") == reference


# -- progress and usage ---------------------------------------------------------------------------
def test_progress_in_a_log_gives_rate_and_eta_at_intervals():
    now = [100.0]
    sink = io.StringIO()
    progress = LogProgress(1000, "audit", interval=30, clock=lambda: now[0], file=sink)
    now[0] = 110.0
    progress.update(100)
    assert sink.getvalue() == ""  # nothing before the interval
    now[0] = 140.0
    progress.update(300)
    line = sink.getvalue().strip()
    assert line == ("record-audit audit: 400 of 1,000 notes (40%), 10.0 notes/s, elapsed 0:00:40, ETA 0:01:00")
    now[0] = 150.0
    progress.update(10)
    assert len(sink.getvalue().splitlines()) == 1


@pytest.mark.parametrize("args,fragment", [
    (["flag", "{notes}", "--scheduler", "tcp://127.0.0.1:1"], "--scheduler needs --engine dask"),
    (["flag", "{notes}", "--engine", "dask", "--scheduler", "tcp://127.0.0.1:1"], "--scheduler needs -o"),
    (["audit", "--db", "{tmp}/a.sqlite"], "give INPUT to audit, or --from-flags DIR"),
    (["audit", "--from-flags", "{tmp}", "--db", "{tmp}/a.sqlite"], "not a record-audit results folder"),
])
def test_engine_usage_errors_exit_2(tmp_path, args, fragment, write_visits):
    notes = write_visits(tmp_path / "notes.csv", 2)
    result = run(*[a.format(notes=notes, tmp=tmp_path) for a in args])
    assert result.exit_code == 2
    assert fragment in result.stderr
