"""The terminal: a status line while the pipeline loads, and `summary` as a readable table (issue 16)."""
from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Runner:
    n_process = 1


def test_status_line_while_loading_on_a_terminal_only():
    from record_audit.cli import _loading

    tty = Terminal()
    with _loading(Runner(), tty):
        shown = tty.getvalue()
    assert shown.startswith("record-audit: loading the language model, rules and classifier")
    assert tty.getvalue().endswith("\r\033[K")  # cleared once loaded: the progress bar takes the line
    log = io.StringIO()  # stderr redirected to a log: nothing written
    with _loading(Runner(), log):
        pass
    assert log.getvalue() == ""


def test_status_line_is_cleared_when_loading_fails():
    from record_audit.cli import _loading

    tty = Terminal()
    with pytest.raises(RuntimeError), _loading(Runner(), tty):
        raise RuntimeError("bad rules")
    assert tty.getvalue().endswith("\r\033[K")


def test_summary_is_json_when_piped(review_notes_db, run_cli):
    result = run_cli("summary", "--db", review_notes_db, "--scope", "sample")
    assert json.loads(result.stdout)["records"] == 3  # CONTRACT §5: json unless a person reads it


def test_summary_table_is_readable(review_notes_db, run_cli):
    sample = run_cli("summary", "--db", review_notes_db, "--scope", "sample", "--format", "table").stdout
    assert "3 records audited, 3 describe DV, 0 without DV (not placed). Meets Proficiency: no." in sample
    assert "Where the DV records sit" in sample and "Destructiveness" in sample and "Father never engaged" in sample
    records = run_cli("summary", "--db", review_notes_db, "--format", "table").stdout
    assert "3 record(s)" in records and "R1" in records and "Destructiveness" in records and "Survivor made" in records
    assert "failure_to_protect" not in records and "\033[" not in records  # no colour codes when piped
    by_team = run_cli("summary", "--db", review_notes_db, "--by", "team", "--format", "table").stdout
    assert "By team" in by_team and "North" in by_team


def test_summary_on_a_terminal_prints_a_table_by_default(review_notes_db):
    """Run as a user would, in a pseudo-terminal: a table, not JSON."""
    exe = Path(sys.executable).with_name("record-audit")
    parent, child = pty.openpty()
    env = {**os.environ, "COLUMNS": "110", "TERM": "xterm"}
    proc = subprocess.Popen([str(exe), "summary", "--db", str(review_notes_db), "--scope", "sample"],
                            stdout=child, stderr=subprocess.PIPE, env=env)
    os.close(child)
    chunks = []
    while True:
        try:
            data = os.read(parent, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    assert proc.wait(timeout=60) == 0, proc.stderr.read()
    os.close(parent)
    out = b"".join(chunks).decode("utf-8", "replace")
    assert "Where the DV records sit" in out and not out.lstrip().startswith("{")
