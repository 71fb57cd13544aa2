"""The command line against CONTRACT sections 3, 6 and 7 (click's CliRunner)."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from record_audit import taxonomy
from record_audit.cli import main

SECRET = "Zyxwv"
NOTES = [
    ("C1", "HV completed. Mother was pushed during a domestic dispute. Father was not contacted."),
    ("C2", f"School attendance concerns. Father was not contacted. Ms. {SECRET} was uncooperative. No DV concerns."),
    ("C1", "MO stated FA hit her in front of the kids. FA has anger issues."),
]


@pytest.fixture()
def notes_csv(tmp_path):
    path = tmp_path / "notes.csv"
    lines = ["CaseNo,Body"] + [f'{r},"{t}"' for r, t in NOTES]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _rows(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_flag_output_matches_the_contract(notes_csv):
    result = run("flag", notes_csv, "--columns", "record_id=CaseNo,text=Body")
    assert result.exit_code == 0, result.output
    rows = _rows(result.stdout)
    texts = {"C1-1": NOTES[0][1], "C1-2": NOTES[2][1], "C2-1": NOTES[1][1]}
    assert rows and {r["record_id"] for r in rows} == {"C1"}  # C2 has no DV: no flags
    for row in rows:
        assert set(row) == {"record_id", "note_id", "sentence_index", "start", "end", "sentence", "labels", "flags"}
        text = texts[row["note_id"]]
        assert text[row["start"]:row["end"]] == row["sentence"]
        assert row["labels"] == sorted({f["label"] for f in row["flags"] if f["counted"]})
        for flag in row["flags"]:
            assert text[flag["start"]:flag["end"]] == flag["text"]
            assert row["start"] <= flag["start"] <= flag["end"] <= row["end"]
            assert flag["label"] in taxonomy.LABELS and flag["source"] in taxonomy.SOURCES
            assert flag["context"] in (None, *taxonomy.CONTEXTS)
            assert not (flag["context"] in taxonomy.UNCOUNTED_CONTEXTS and flag["counted"])
    by_label = {f["label"]: f for r in rows for f in r["flags"]}
    assert by_label["perpetrator_invisible"]["rule_id"] == "agentless_passive_violence"
    assert by_label["perpetrator_invisible"]["source"] == "syntax"
    assert by_label["mutualized"]["rule_id"] == "mutual_domestic_dispute"
    assert by_label["perpetrator_pattern"]["context"] == "reported"
    assert "1 non-DV record(s) with cues withheld" in result.stderr


def test_assume_dv_flags_every_record(notes_csv):
    result = run("flag", notes_csv, "--columns", "record_id=CaseNo,text=Body", "--assume-dv", "--rules-only")
    rows = _rows(result.stdout)
    assert {r["record_id"] for r in rows} == {"C1", "C2"}
    assert SECRET in result.stdout  # the sentence itself is output data...
    assert SECRET not in result.stderr  # ...but never in messages


def test_all_sentences_writes_every_sentence(notes_csv):
    result = run("flag", notes_csv, "--columns", "record_id=CaseNo,text=Body", "--all-sentences")
    rows = _rows(result.stdout)
    assert len(rows) == 9
    assert [r["sentence_index"] for r in rows if r["note_id"] == "C1-1"] == [0, 1, 2]
    assert all(r["flags"] == [] for r in rows if r["record_id"] == "C2")


def test_output_file_is_written_via_partial_and_renamed(notes_csv, tmp_path):
    out = tmp_path / "flags.jsonl"
    result = run("flag", notes_csv, "--columns", "record_id=CaseNo,text=Body", "-o", out)
    assert result.exit_code == 0
    assert out.exists() and not (tmp_path / "flags.jsonl.partial").exists()
    assert result.stdout == ""
    assert {r["record_id"] for r in _rows(out.read_text())} == {"C1"}


def test_rerun_continues_from_the_partial_file(tmp_path):
    path = tmp_path / "notes.csv"
    rows = ["record_id,text"] + [f'R{i},"Mother was pushed during a domestic dispute. Note {i}."' for i in range(6)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "flags.jsonl"
    full = run("flag", path, "-o", out)
    expected = out.read_text()
    # simulate a run killed while writing R3: R0-R2 complete, half a line of R3
    lines = expected.splitlines(keepends=True)
    cut = [l for l in lines if json.loads(l)["record_id"] in {"R0", "R1", "R2"}]
    partial = tmp_path / "flags.jsonl.partial"
    partial.write_text("".join(cut) + lines[len(cut)][:25], encoding="utf-8")
    out.unlink()
    again = run("flag", path, "-o", out)
    assert full.exit_code == again.exit_code == 0
    assert out.read_text() == expected
    assert "continuing after 2 complete record(s)" in again.stderr


@pytest.mark.parametrize("args,fragment", [
    (["flag", "missing.csv"], "missing.csv: no such file"),
    (["flag", "{dir}/notes.csv", "--columns", "record_id=Nope"], "no column for 'record_id'"),
    (["flag", "{dir}/notes.csv", "--columns", "oops"], "not of the form field=column"),
    (["flag", "{dir}/bad.jsonl"], "bad.jsonl, line 2: not valid JSON"),
    (["evaluate", "{dir}/notes.csv"], "has no gold sentences to score"),
])
def test_bad_input_exits_2_with_one_line_and_no_text(notes_csv, tmp_path, args, fragment):
    (tmp_path / "bad.jsonl").write_text('{"record_id": "A", "text": "fine"}\n{"record_id": "B", "text": "' + SECRET,
                                        encoding="utf-8")
    args = [a.format(dir=tmp_path) for a in args]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert fragment in result.stderr
    assert len([l for l in result.stderr.splitlines() if "error:" in l]) == 1
    assert "Traceback" not in result.stderr and SECRET not in result.stderr


def test_evaluate_prints_contract_json(tmp_path):
    record = {"record_id": "S1", "gold_level": "Blindness", "notes": [{"note_id": "S1-N1", "sentences": [
        {"text": "Mother was pushed during a domestic dispute.", "labels": ["perpetrator_invisible", "mutualized"], "context": None},
        {"text": "Father stated that mother failed to protect the kids.", "labels": ["failure_to_protect"], "context": "reported"},
        {"text": "Kids at school.", "labels": [], "context": None}]}]}
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    result = run("evaluate", path, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    counted = report["sentences"]["counted"]
    assert counted["perpetrator_invisible"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}
    assert counted["failure_to_protect"]["support"] == 0  # reported: not counted gold
    assert report["sentences"]["detection"]["failure_to_protect"]["recall"] == 1.0
    assert report["context_accuracy"] == 1.0
    assert {"macro_f1", "micro_f1"} <= set(counted)


def _cp1252_notes_with_an_empty_row(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_bytes("record_id,text\nA,Mum’s visit – fine.\nB,\n".encode("cp1252"))
    return path


def test_warnings_are_one_coded_line_each_on_stderr(tmp_path):
    path = _cp1252_notes_with_an_empty_row(tmp_path)
    result = run("flag", path, "--rules-only")
    assert result.exit_code == 0, result.output
    warned = [line for line in result.stderr.splitlines() if "warning" in line]
    assert warned == [
        f"record-audit: warning: [W002] {path}: read as Windows-1252 (not valid UTF-8). Pass --encoding to override.",
        f"record-audit: warning: [W001] {path}, row 3, column 'text': skipped, empty text.",
    ]  # once each, although the input is read twice
    assert "1 row(s) skipped" in result.stderr


def test_a_warning_can_be_silenced_by_its_code(tmp_path):
    import warnings
    path = _cp1252_notes_with_an_empty_row(tmp_path)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"\[W002\]")
        result = run("flag", path, "--rules-only")
    assert "[W002]" not in result.stderr and "[W001]" in result.stderr


def test_debug_shows_the_traceback_of_bad_input(tmp_path):
    result = CliRunner().invoke(main, ["flag", str(tmp_path / "missing.csv"), "--debug"])
    assert result.exit_code == 2
    assert "Traceback" in result.stderr and "record-audit: error: [E003]" in result.stderr


def test_evaluate_groups_scores_by_register_on_request(tmp_path):
    sentences = [{"text": "Mother was pushed during a domestic dispute.",
                  "labels": ["perpetrator_invisible", "mutualized"], "context": None},
                 {"text": "Kids at school.", "labels": [], "context": None}]
    records = [{"record_id": rid, "register": register, "jurisdiction": "IE", "gold_level": "Blindness",
                "notes": [{"note_id": f"{rid}-N1", "sentences": sentences}]}
               for rid, register in (("J1", "judgment"), ("J2", "judgment"), ("P1", "police"))]
    records.append({"record_id": "X1", "notes": [{"note_id": "X1-N1", "sentences": sentences}]})
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    report = json.loads(run("evaluate", path, "--by", "register", "--format", "json").stdout)
    groups = report["groups"]
    assert groups["by"] == "register"
    assert {v: g["sentences"]["n"] for v, g in groups["values"].items()} == {
        "judgment": 4, "police": 2, "unspecified": 2}
    assert groups["values"]["judgment"]["records"]["n"] == 2
    assert report["sentences"]["n"] == 8  # the whole file is still scored as before
    text = run("evaluate", path, "--by", "jurisdiction").stdout
    assert "by jurisdiction" in text and "IE" in text and "unspecified" in text
    assert "groups" not in json.loads(run("evaluate", path, "--format", "json").stdout)
    assert run("evaluate", path, "--by", "team").exit_code == 2
