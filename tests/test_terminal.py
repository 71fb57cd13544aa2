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


@pytest.mark.parametrize("width", [80, 100, 120])
def test_record_table_fits_the_terminal_instead_of_being_cropped(review_notes_db, run_cli, width):
    """Long team and worker names used to push 'Most flagged' off a 120-column terminal."""
    from record_audit.report.summary import render_table

    data = json.loads(run_cli("summary", "--db", review_notes_db).stdout)
    for r in data:
        r["team"], r["worker"] = "In-Home Services Team B", "Hannah Whitlock-Castellanos"
    lines = render_table(data, width=width).splitlines()
    assert all(len(line) <= width for line in lines)
    assert all(line.rstrip()[-1] in "┓┃┩│┘" for line in lines[1:]), "the table's right edge is cropped"
    assert "Most flagged" in "".join(lines) or "flagged" in "".join(lines)


@pytest.mark.parametrize("width", [80, 120, 160])
def test_group_table_fits_the_terminal(review_notes_db, run_cli, width):
    """A column per level where they fit; otherwise each team's levels listed in one cell."""
    from record_audit.report.summary import render_table

    data = json.loads(run_cli("summary", "--db", review_notes_db, "--by", "team").stdout)
    for g in data:
        g["group"] = f"{g['group']} Safeguarding and Family Support"
    lines = render_table(data, by="team", width=width).splitlines()
    assert all(len(line) <= width for line in lines)
    assert all(line.rstrip()[-1] in "┓┃┩│┘" for line in lines[1:]), "the table's right edge is cropped"
    table = "\n".join(lines[1:])  # below the title
    assert "Destructiveness" in table and "Proficiency" in table
    assert ("level" in table) == (width < 140)  # the one-cell column's header
