"""Loaders (CONTRACT section 1): every format, column mapping, encodings and error paths."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from record_audit.errors import AuditWarning, InputError
from record_audit.io import open_notes, read_annotated, read_parties

SECRET = "Ms Zyxwv was pushed"  # note text that must never appear in a message

ROWS = [
    {"CaseNo": "R1", "NoteBody": "First note. " + SECRET + ".", "Worker": "W1", "Unit": "North"},
    {"CaseNo": "R2", "NoteBody": "Other record.", "Worker": "W2", "Unit": "South"},
    {"CaseNo": "R1", "NoteBody": "Second note of R1.", "Worker": "W1", "Unit": "North"},
]
MAP = "record_id=CaseNo,text=NoteBody,author=Worker,team=Unit"


def _ids(source):
    return [(n.record_id, n.note_id, n.author, n.team) for n in source]


EXPECTED = [("R1", "R1-1", "W1", "North"), ("R2", "R2-1", "W2", "South"), ("R1", "R1-2", "W1", "North")]


@pytest.mark.parametrize("suffix", ["csv", "tsv", "xlsx", "parquet", "jsonl"])
def test_every_table_format_reads_with_column_mapping(tmp_path, suffix):
    path = tmp_path / f"notes.{suffix}"
    frame = pd.DataFrame(ROWS)
    if suffix == "csv":
        frame.to_csv(path, index=False)
    elif suffix == "tsv":
        frame.to_csv(path, sep="\t", index=False)
    elif suffix == "xlsx":
        frame.to_excel(path, index=False)
    elif suffix == "parquet":
        frame.to_parquet(path)
    else:
        path.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    source = open_notes(path, columns=MAP)
    assert _ids(source) == EXPECTED
    assert [n.text for n in source][0].endswith(SECRET + ".")


def test_default_column_names_match_case_insensitively(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("Record_ID,TEXT,note_id\nA,Hello there.,n9\n", encoding="utf-8")
    assert [(n.record_id, n.note_id) for n in open_notes(path)] == [("A", "n9")]


def test_windows_1252_export_is_read_correctly(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_bytes("record_id,text\nA,Mum’s café visit – “fine”.\n".encode("cp1252"))
    with pytest.warns(AuditWarning, match=r"^\[W002\] .*notes.csv: read as Windows-1252"):
        (note,) = list(open_notes(path))
    assert note.text == "Mum’s café visit – “fine”."


def test_utf8_with_bom_is_read(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_bytes("\ufeffrecord_id,text\nA,Héllo.\n".encode("utf-8"))
    assert [n.record_id for n in open_notes(path)] == ["A"]


def test_undecodable_file_is_refused_not_garbled(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_bytes(b"record_id,text\nA,bad \x81\x8d byte\n")
    with pytest.raises(InputError, match=r"notes.csv: the file is neither UTF-8 nor Windows-1252"):
        list(open_notes(path))


def test_explicit_encoding_overrides_the_guess(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_bytes("record_id,text\nA,Ça va.\n".encode("latin-1"))
    assert [n.text for n in open_notes(path, encoding="latin-1")] == ["Ça va."]


def test_missing_column_names_file_columns_and_fix(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("CaseNo,Body\nA,x\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        list(open_notes(path))
    message = str(err.value)
    assert "notes.csv" in message and "'record_id'" in message and "CaseNo, Body" in message
    assert "--columns record_id=" in message


def test_unusable_rows_are_skipped_with_position_and_counted(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text(f"record_id,text\nA,Fine note.\nB,\n,{SECRET}\nC,Another.\n", encoding="utf-8")
    source = open_notes(path)
    with pytest.warns(AuditWarning) as caught:
        assert [n.record_id for n in source] == ["A", "C"]
    assert len(source.stats.skipped) == 2 and source.stats.skipped_counts() == {"row": 2}
    shown = [str(w.message) for w in caught]
    assert len(shown) == 2 and all(m.startswith("[W001] ") for m in shown)
    assert "row 3, column 'text': skipped, empty text" in shown[0]
    assert "row 4, column 'record_id': skipped, no record_id" in shown[1]
    assert not any(SECRET in m for m in shown)


def test_file_with_no_usable_note_is_bad_input(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("record_id,text\nA,\n", encoding="utf-8")
    with pytest.warns(AuditWarning, match=r"\[W001\]"), pytest.raises(InputError,
                                                                   match=r"no usable note \(1 row\(s\) skipped\)"):
        list(open_notes(path))


def test_empty_file_is_bad_input(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="the file is empty"):
        open_notes(path)


def test_bad_json_line_names_line_and_column_but_no_text(tmp_path):
    path = tmp_path / "notes.jsonl"
    path.write_text(json.dumps({"record_id": "A", "text": "ok"}) + "\n" + '{"record_id": "B", "text": "' + SECRET + '"\n',
                    encoding="utf-8")
    with pytest.raises(InputError) as err:
        list(open_notes(path))
    assert "notes.jsonl, line 2: not valid JSON" in str(err.value)
    assert SECRET not in str(err.value)


def test_unknown_suffix_and_missing_path_are_refused(tmp_path):
    (tmp_path / "notes.doc").write_text("x")
    with pytest.raises(InputError, match=r"cannot read files of type '.doc'"):
        open_notes(tmp_path / "notes.doc")
    with pytest.raises(InputError, match="no such file"):
        open_notes(tmp_path / "missing.csv")


def test_corrupt_xlsx_and_parquet_are_refused(tmp_path):
    for name, kind in (("a.xlsx", "XLSX"), ("a.parquet", "Parquet")):
        (tmp_path / name).write_bytes(b"not really " + name.encode())
        with pytest.raises(InputError, match=f"cannot be read as {kind}"):
            list(open_notes(tmp_path / name))


def test_bad_columns_spec_is_refused():
    with pytest.raises(InputError, match="not of the form field=column"):
        open_notes(".", columns="record_id")
    with pytest.raises(InputError, match="unknown field 'case'"):
        open_notes(".", columns="case=CaseNo")


def test_txt_folder_records_from_subfolders_or_stems(tmp_path):
    (tmp_path / "R1").mkdir()
    (tmp_path / "R1" / "a.txt").write_text("Note one.", encoding="utf-8")
    (tmp_path / "R1" / "b.txt").write_bytes("Café – note two.".encode("cp1252"))
    (tmp_path / "R2.txt").write_text("Loose note.", encoding="utf-8")
    (tmp_path / "empty.txt").write_text("  ", encoding="utf-8")
    source = open_notes(tmp_path)
    with pytest.warns(AuditWarning) as caught:
        notes = list(source)
        assert list(source) == notes  # read again, as every run does: no warning twice
    assert [str(w.message)[:6] for w in caught] == ["[W002]", "[W001]"]  # b.txt's encoding, empty.txt
    assert [(n.record_id, n.note_id) for n in notes] == [("R1", "R1/a.txt"), ("R1", "R1/b.txt"), ("R2", "R2.txt")]
    assert notes[1].text == "Café – note two."
    assert len(source.stats.skipped) == 1 and source.stats.skipped_counts() == {"file": 1}  # counted once, not per read


def test_a_skipped_line_of_json_lines_is_a_line(tmp_path):
    from record_audit.errors import skipped_summary
    path = tmp_path / "notes.jsonl"
    path.write_text('{"record_id": "A", "text": "Fine."}\n{"record_id": "B", "text": ""}\n', encoding="utf-8")
    source = open_notes(path)
    with pytest.warns(AuditWarning, match=r"\[W001\] .*line 2"):
        assert [n.record_id for n in source] == ["A"]
    assert source.stats.skipped_counts() == {"line": 1}
    assert skipped_summary({"line": 1}) == "1 line(s) skipped" and skipped_summary({"row": 0}) == "0 row(s) skipped"
    assert skipped_summary({"page": 2, "document": 1, "row": 3}) == "1 document(s), 2 page(s) and 3 row(s) skipped"


def test_folder_without_txt_is_refused(tmp_path):
    with pytest.raises(InputError, match=r"holds no \.txt, \.docx or \.pdf files"):
        list(open_notes(tmp_path))


def _annotated_line(**over):
    record = {"record_id": "S1", "team": "North", "worker": "W1", "gold_level": "Blindness",
              "notes": [{"note_id": "S1-N1", "sentences": [
                  {"text": "Mother was pushed.", "labels": ["perpetrator_invisible"], "context": None},
                  {"text": "Kids fine.", "labels": [], "context": None}]}]}
    record.update(over)
    return json.dumps(record) + "\n"


def test_annotated_records_join_sentences_with_one_space(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text(_annotated_line(), encoding="utf-8")
    (record,) = list(read_annotated(path))
    note = record.notes[0]
    assert note.note.text == "Mother was pushed. Kids fine."
    assert [(s.start, s.end) for s in note.sentences] == [(0, 18), (19, 29)]
    # flag and audit read the same file as notes
    assert [n.text for n in open_notes(path)] == ["Mother was pushed. Kids fine."]


def test_annotated_unknown_label_is_refused_with_position(tmp_path):
    line = _annotated_line().replace("perpetrator_invisible", "victim_blaming")
    path = tmp_path / "gold.jsonl"
    path.write_text(line, encoding="utf-8")
    with pytest.raises(InputError) as err:
        list(read_annotated(path))
    assert "line 1, record S1, note S1-N1, sentence 0: label 'victim_blaming' is not valid" in str(err.value)


def test_parties_file_reads_and_rejects_unknown_roles(tmp_path):
    path = tmp_path / "parties.csv"
    path.write_text("record_id,name,role\nS1,Ms. Reyes,perpetrator\nS1,mother,survivor\n", encoding="utf-8")
    assert read_parties(path).for_record("S1") == {"Ms. Reyes": "perpetrator", "mother": "survivor"}
    path.write_text("record_id,name,role\nS1,Ms. Reyes,abuser\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"parties.csv, row 2: column 'role' has role 'abuser'"):
        read_parties(path)


@pytest.mark.slow  # writes and reads a 120,000-row export
def test_large_csv_streams_without_loading_the_file(tmp_path):
    """Reading through a 6 MB export allocates a small fraction of it at any time."""
    import tracemalloc
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("record_id,text\n")
        for i in range(120_000):
            fh.write(f"R{i % 500},Note number {i} with some words to make it longer.\n")
    size = path.stat().st_size
    source = open_notes(path)
    tracemalloc.start()
    count = sum(1 for _ in source)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 120_000
    assert peak < size / 10, (peak, size)
