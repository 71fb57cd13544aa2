"""Documents as notes (CONTRACT section 1, documents v2): .docx and .pdf files, alone or in folders."""
from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from record_audit.cli import main
from record_audit.errors import AuditWarning, InputError
from record_audit.io import open_notes
from record_audit.io.documents import DocumentSkipped, clean_pages, read_document

from .documents_maker import encrypt_pdf, make_docx, make_encrypted_docx, make_pdf

SECRET = "Zyxwvut"  # a name that must never reach a message
HEADER, FOOTER = "Northshire Council - OFFICIAL-SENSITIVE", "Case ref NC-2024-0117"
DV_PAGE_1 = [HEADER, f"Ms. {SECRET} said Mr. Cole pushed her against the wall in front of the",
             "children. Mother was pushed during a domestic dispute and the worker told her she",
             "must protect the children or they may be removed. The assessment was under-",
             "taken after a police referral.", f"{FOOTER}   Page 1 of 3"]
DV_PAGE_2 = [HEADER, "Father was not contacted. FA has anger issues and was referred to anger",
             "management. Ms. Rivera kept the children in school throughout.", f"{FOOTER}   Page 2 of 3"]
DV_PAGE_3 = [HEADER, "A follow-up visit is planned. The follow-", "up visit will include the children.",
             f"{FOOTER}   Page 3 of 3"]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture()
def assessment_pdf(tmp_path):
    return make_pdf(tmp_path / "in" / "R12" / "assessment.pdf", [DV_PAGE_1, DV_PAGE_2, DV_PAGE_3])


def test_a_pdf_is_one_note_per_page_named_by_file_and_page(tmp_path, assessment_pdf):
    notes = list(open_notes(tmp_path / "in"))
    assert [(n.record_id, n.note_id) for n in notes] == [
        ("R12", "R12/assessment.pdf#p1"), ("R12", "R12/assessment.pdf#p2"), ("R12", "R12/assessment.pdf#p3")]
    first = notes[0].text
    assert first.startswith(f"Ms. {SECRET} said Mr. Cole pushed her against the wall in front of the children.")
    assert "undertaken after a police referral" in first  # a hyphenated line end is joined
    for note in notes:  # running header, footer and page numbers are gone
        assert "OFFICIAL-SENSITIVE" not in note.text and "NC-2024" not in note.text and "Page " not in note.text
    assert "The follow-up visit will include" in notes[2].text  # a compound keeps its hyphen


def test_a_single_pdf_or_docx_is_read_with_its_stem_as_the_record(tmp_path, assessment_pdf):
    notes = list(open_notes(assessment_pdf))
    assert {n.record_id for n in notes} == {"assessment"} and notes[0].note_id == "assessment.pdf#p1"
    report = make_docx(tmp_path / "court report.docx", paragraphs=["Mother was pushed during a domestic dispute."])
    [note] = list(open_notes(report))
    assert (note.record_id, note.note_id, note.text) == ("court report", "court report.docx",
                                                         "Mother was pushed during a domestic dispute.")


def test_a_docx_is_one_note_with_tables_in_reading_order_and_without_headers_or_footers(tmp_path):
    path = make_docx(tmp_path / "R1" / "report.docx", heading="Report to the Family Court",
                     paragraphs=["Before the table.", "After the table."], header=HEADER, footer=FOOTER,
                     table=[["Date", "Event"], ["03/02/2024", "Police attended after Mr. Cole assaulted her."]])
    import docx
    from docx.oxml import parse_xml
    document = docx.Document(str(path))
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    last = document.paragraphs[-1]._p  # tracked changes: an insertion kept, a deletion left out
    last.append(parse_xml(f'<w:ins {ns} w:id="1" w:author="A"><w:r><w:t xml:space="preserve"> Inserted.</w:t></w:r></w:ins>'))
    last.append(parse_xml(f'<w:del {ns} w:id="2" w:author="A"><w:r><w:delText>Deleted.</w:delText></w:r></w:del>'))
    document.save(str(path))
    [note] = list(open_notes(tmp_path))
    assert note.text == ("Report to the Family Court\n\nBefore the table.\n\nDate\tEvent\n"
                         "03/02/2024\tPolice attended after Mr. Cole assaulted her.\n\nAfter the table. Inserted.")


def test_merged_table_cells_are_read_once(tmp_path):
    import docx
    document = docx.Document()
    table = document.add_table(rows=1, cols=3)
    merged = table.cell(0, 0).merge(table.cell(0, 1))
    merged.text, table.cell(0, 2).text = "Mother seen alone.", "Safety plan agreed."
    document.save(str(tmp_path / "minutes.docx"))
    [note] = list(open_notes(tmp_path / "minutes.docx"))
    assert note.text == "Mother seen alone.\tSafety plan agreed."


def test_clean_pages_removes_running_lines_only_where_they_repeat():
    pages = [["Conference minutes", "Body of page one.", "1"], ["Conference minutes", "Body of page two.", "2"]]
    assert clean_pages(["\n".join(p) for p in pages]) == ["Body of page one.", "Body of page two."]
    # a single page keeps its first line; only a bare page number goes
    assert clean_pages(["Conference minutes\nBody.\nPage 1 of 1"]) == ["Conference minutes\nBody."]


def test_pdfium_line_end_hyphen_marks_are_joined():
    assert clean_pages(["The assess\x02ment was under\x02taken today."]) == ["The assessment was undertaken today."]


@pytest.fixture()
def mixed_folder(tmp_path, assessment_pdf):
    folder = tmp_path / "in"
    (folder / "R12" / "contact.txt").write_text("MO stated FA hit her in front of the kids.", encoding="utf-8")
    make_docx(folder / "R13" / "minutes.docx", paragraphs=["Mother was pushed during a domestic dispute.",
                                                           "Father was not contacted."])
    make_pdf(folder / "R13" / "scan.pdf", [None, None])
    make_pdf(folder / "R13" / "partly scanned.pdf", [["Mother was pushed during a domestic dispute."], None])
    encrypt_pdf(make_pdf(tmp_path / "plain.pdf", [[f"Ms. {SECRET} was assaulted."]]), folder / "R14" / "locked.pdf",
                user_password="secret")
    (folder / "R14" / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog " + SECRET.encode())
    (folder / "R14" / "broken.docx").write_bytes(b"PK\x03\x04 not really a docx " + SECRET.encode())
    make_encrypted_docx(folder / "R14" / "locked.docx")
    (folder / "R13" / "~$minutes.docx").write_bytes(b"\x05Word lock file")
    return folder


def test_unreadable_documents_are_coded_warnings_and_the_rest_is_read(mixed_folder):
    source = open_notes(mixed_folder)
    with pytest.warns(AuditWarning) as caught:
        notes = list(source)
    assert [n.note_id for n in notes] == [
        "R12/assessment.pdf#p1", "R12/assessment.pdf#p2", "R12/assessment.pdf#p3", "R12/contact.txt",
        "R13/minutes.docx", "R13/partly scanned.pdf#p1"]
    skipped = sorted(source.stats.skipped)
    assert [m[:6] for m in skipped] == ["[W050]", "[W051]", "[W051]", "[W052]", "[W052]", "[W053]"]
    for name, message in zip(["scan.pdf", "locked.docx", "locked.pdf", "broken.docx", "broken.pdf",
                              "partly scanned.pdf, page 2"], skipped):
        assert name in message and SECRET not in message
    assert sorted(str(w.message) for w in caught) == skipped  # each warned once, as counted


def test_flag_and_audit_a_mixed_folder_through_the_cli(mixed_folder, tmp_path):
    result = run("flag", mixed_folder, "--rules-only")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert any(r["note_id"].startswith("R12/assessment.pdf#p") for r in rows)
    assert any(r["note_id"] == "R13/minutes.docx" for r in rows)
    texts = {n.note_id: n.text for n in open_notes(mixed_folder)}
    for row in rows:  # offsets refer to the extracted text
        assert texts[row["note_id"]][row["start"]:row["end"]] == row["sentence"]
    assert "5 document(s) and 1 page(s) skipped" in result.stderr and "row(s)" not in result.stderr
    for code in ("[W050]", "[W051]", "[W052]", "[W053]"):
        assert code in result.stderr
    assert "Traceback" not in result.stderr and SECRET not in result.stderr

    db = tmp_path / "audit.sqlite"
    result = run("audit", mixed_folder, "--db", db, "--rules-only")
    assert result.exit_code == 0, result.output
    assert "5 document(s) and 1 page(s) skipped" in result.stderr and SECRET not in result.stderr
    with sqlite3.connect(db) as conn:
        stored = {row[0] for row in conn.execute("SELECT note_id FROM notes")}
    assert "R12/assessment.pdf#p2" in stored and "R13/minutes.docx" in stored


def test_only_unreadable_documents_is_bad_input_without_a_traceback(tmp_path):
    make_pdf(tmp_path / "in" / "scan.pdf", [None])
    result = run("flag", tmp_path / "in", "--rules-only")
    assert result.exit_code == 2
    assert "[E141]" in result.stderr and "[W050]" in result.stderr and "Traceback" not in result.stderr
    assert "nothing to audit (1 document(s) skipped;" in result.stderr
    with pytest.raises(InputError, match=r"\[E141\] .*nothing to audit \(1 document\(s\) skipped;"):
        list(open_notes(tmp_path / "in" / "scan.pdf"))


def test_the_summary_says_what_was_skipped_in_a_documents_terms(tmp_path, assessment_pdf):
    """Pages of a PDF, whole documents, files of a folder: never "rows" of a document."""
    make_pdf(tmp_path / "in" / "R12" / "partly.pdf", [["Father was not contacted."], None, None])
    (tmp_path / "in" / "R13").mkdir()
    (tmp_path / "in" / "R13" / "blank.txt").write_text("  \n", encoding="utf-8")
    result = run("flag", tmp_path / "in", "--rules-only")
    assert result.exit_code == 0, result.output
    assert "2 page(s) and 1 file(s) skipped" in result.stderr
    result = run("audit", tmp_path / "in", "--db", tmp_path / "audit.sqlite", "--rules-only")
    assert "2 page(s) and 1 file(s) skipped" in result.stderr
    source = open_notes(tmp_path / "in" / "R12" / "partly.pdf")
    with pytest.warns(AuditWarning, match=r"\[W053\]"):
        list(source)
    assert source.stats.skipped_counts() == {"page": 2}
    (tmp_path / "in" / "R12" / "partly.pdf").unlink()
    (tmp_path / "in" / "R13" / "blank.txt").unlink()
    for path, nothing in ((assessment_pdf, {"page": 0}), (tmp_path / "in", {"file": 0})):  # nothing skipped
        source = open_notes(path)
        list(source)
        assert source.stats.skipped_counts() == nothing
    docx_only = make_docx(tmp_path / "report.docx", paragraphs=["Father was not contacted."])
    result = run("flag", docx_only, "--rules-only")
    assert "0 document(s) skipped" in result.stderr


def test_a_pdf_that_needs_no_password_to_open_is_read(tmp_path):
    plain = make_pdf(tmp_path / "plain.pdf", [["Mother was pushed during a domestic dispute."]])
    owner_only = encrypt_pdf(plain, tmp_path / "owner.pdf", user_password="")
    assert read_document(owner_only).parts[0].text == "Mother was pushed during a domestic dispute."


def test_an_empty_document_is_skipped(tmp_path):
    make_docx(tmp_path / "empty.docx", paragraphs=["   "])
    (tmp_path / "zero.pdf").write_bytes(b"")
    for name, code in (("empty.docx", "[W054]"), ("zero.pdf", "[W052]")):
        with pytest.raises(DocumentSkipped, match=rf"\{code[:-1]}\]"):
            read_document(tmp_path / name)


def test_docx_headings_are_sentences_of_their_own(nlp_rules, tmp_path):
    from record_audit.pipeline.annotate import pipe_notes
    path = make_docx(tmp_path / "report.docx", heading="Analysis",
                     paragraphs=["Mother failed to protect the children from exposure to domestic violence."])
    [note] = list(open_notes(path))
    [result] = list(pipe_notes(nlp_rules, [(note, None)]))
    assert [s.text for s in result.sentences] == [
        "Analysis", "Mother failed to protect the children from exposure to domestic violence."]


def test_report_and_review_panel_show_the_page_of_a_pdf_note(tmp_path, assessment_pdf):
    from record_audit.widgets import ReviewPanel
    db, report = tmp_path / "audit.sqlite", tmp_path / "report.html"
    result = run("audit", tmp_path / "in", "--db", db, "--report", report, "--rules-only")
    assert result.exit_code == 0, result.output
    assert "R12/assessment.pdf#p1 · page 1" in report.read_text(encoding="utf-8")
    panel = ReviewPanel(str(db), "ana")
    assert panel.queue_keys and "assessment.pdf#p" in panel.card["note_id"] and panel.card["page"] == 1
