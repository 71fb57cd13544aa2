"""Reading documents (issue 15): PDF libraries compared, and what the .docx reader keeps.

Generates fictional documents whose text is known exactly, then measures:

- PDF, per library (pypdf, pdfplumber, pypdfium2): seconds per page, and after the same
  cleaning (``io.documents.clean_pages``) the share of body words recovered, of body
  sentences found intact (reading order: tables, two columns) and the number of distinct
  sentences a blank line was put inside ("cut": the pipeline would split them), of running header and
  footer lines removed, and of words hyphenated at a line end joined again (compounds
  such as "follow-up" keeping their hyphen). The PDF is printed by Chromium from HTML:
  explicit line breaks with hyphens, a chronology table, a two-column section, running
  headers and footers with page numbers (CSS page-margin boxes).
- DOCX (python-docx): body words recovered by ``io.documents`` (paragraphs and tables in
  reading order) against ``Document.paragraphs`` alone, and header/footer lines left out.

    python bench/documents.py [--pages 12] [--repeat 3]      (needs Debian's chromium: make browser)
"""
from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from html import escape
from pathlib import Path

from record_audit.io.documents import _read_docx, clean_pages

HEADER = "Northshire Council - Children's Services - OFFICIAL-SENSITIVE"
FOOTER_LEFT = "Child and Family Assessment - case ref NC-2024-0117"
SENTENCES = [
    "Ms. Lindqvist told the social worker that Mr. Pratt pushed her against the kitchen counter on 3 February.",
    "The children were in the next room and Isla said she heard shouting and something breaking.",
    "Mr. Pratt has not been seen by the department since the referral and did not attend the strategy meeting.",
    "Ms. Lindqvist took the children to her sister's home that night and called the police the following morning.",
    "Police records show two earlier call-outs to the address, both recorded as a verbal dispute.",
    "The worker advised mother that she must not allow Mr. Pratt back into the home or the children may be removed.",
    "Theo has been waking at night and his nursery reports that he is withdrawn on Mondays.",
    "Mr. Pratt checks her phone, controls the household money and has told her she would lose the children if she left.",
    "Ms. Lindqvist has kept both children in school and nursery throughout and has registered with a new doctor.",
    "A follow-up visit was arranged with the domestic abuse advocate and the health visitor.",
    "The assessment considered the father's pattern of coercive control and its effect on the children's day-to-day routines.",
    "Isla described her father's temper as scary and said she hides under the stairs when he comes home late.",
    "The family's housing association confirmed that the tenancy is in Ms. Lindqvist's name alone.",
    "Mr. Pratt was described by the referrer as a well-respected coach at the local football club.",
    "Mother was tearful during the visit but engaged well and agreed to a safety plan for herself and the children.",
    "No contact has been made with Mr. Pratt about his behaviour or about what he will do to keep the children safe.",
    "The school counsellor has offered weekly sessions to Isla, starting after the half-term break.",
    "Ms. Lindqvist reported that the injuries to her arm were photographed by the practice nurse.",
]
TABLE = [
    ("03/02/2024", "Police attended after Mr. Pratt assaulted Ms. Lindqvist at the family home.",
     "Referral to children's services."),
    ("05/02/2024", "Strategy discussion held; father invited but did not attend.", "Section 47 enquiry opened."),
    ("12/02/2024", "Home visit; mother seen alone, children seen at school.", "Safety plan agreed with mother."),
    ("20/02/2024", "Domestic abuse advocate allocated to Ms. Lindqvist.", "Risk assessment completed."),
]
HEADINGS = ["Reason for the assessment", "The family", "What the children said", "Father's behaviour",
            "Mother's protective efforts", "Impact on the children", "Agency checks", "Risk and protective factors",
            "Views of the parents", "Analysis", "Plan", "Recommendations"]
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def _wrap(text: str, width: int, broken: list[tuple[str, bool]]) -> list[str]:
    """Greedy line breaking that hyphenates long words at line ends (recorded in ``broken``)."""
    lines, line = [], ""
    for word in text.split():
        room = width - len(line) - (1 if line else 0)
        if len(word) <= room:
            line = f"{line} {word}" if line else word
            continue
        letters = word.rstrip(".,;:")
        if "-" in letters[:room]:  # a compound breaks at its own hyphen
            cut = letters[:room].rindex("-") + 1
            head, tail, compound = word[:cut], word[cut:], True
        elif len(letters) >= 7 and room >= 5:
            cut = min(room - 1, len(letters) - 3)
            head, tail, compound = word[:cut] + "-", word[cut:], False
        else:
            lines.append(line)
            line = word
            continue
        if head.strip("-") and tail:
            broken.append((word.rstrip(".,;:"), head.rstrip("-"), tail.rstrip(".,;:"), compound))
            lines.append(f"{line} {head}" if line else head)
            line = tail
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def build_pdf_html(n_pages: int, seed: int = 0) -> tuple[str, dict]:
    """HTML whose printout has ``n_pages`` pages, and its ground truth."""
    rng = random.Random(seed)
    truth = {"sentences": [], "words": Counter(), "broken": [], "pages": n_pages}
    pages = []
    for number in range(1, n_pages + 1):
        heading = HEADINGS[(number - 1) % len(HEADINGS)]
        blocks = [f"<h2>{escape(heading)}</h2>"]
        truth["words"].update(WORD.findall(heading))
        for _ in range(3):
            sentences = rng.sample(SENTENCES, 4)
            truth["sentences"].extend(sentences)
            truth["words"].update(WORD.findall(" ".join(sentences)))
            lines = _wrap(" ".join(sentences), rng.choice((72, 84, 92)), truth["broken"])
            blocks.append("<p>" + "<br>".join(escape(ln) for ln in lines) + "</p>")
        if number % 3 == 1:
            rows = "".join(f"<tr><td>{escape(d)}</td><td>{escape(e)}</td><td>{escape(a)}</td></tr>" for d, e, a in TABLE)
            blocks.append(f"<table><tr><th>Date</th><th>Event</th><th>Action</th></tr>{rows}</table>")
            truth["words"].update(WORD.findall("Date Event Action " + " ".join(" ".join(r) for r in TABLE)))
            truth["sentences"].extend(e for _, e, _ in TABLE)
        if number % 3 == 2:
            left, right = rng.sample(SENTENCES, 2), rng.sample(SENTENCES, 2)
            columns = []
            for part in (left, right):
                truth["sentences"].extend(part)
                truth["words"].update(WORD.findall(" ".join(part)))
                columns.append("<p>" + "<br>".join(escape(ln) for ln in _wrap(" ".join(part), 44, truth["broken"]))
                               + "</p>")
            blocks.append(f'<div class="cols">{"".join(columns)}</div>')
        pages.append(f'<section>{"".join(blocks)}</section>')
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 22mm 18mm;
  @top-center {{ content: "{HEADER}"; font: 8.5pt serif; }}
  @bottom-left {{ content: "{FOOTER_LEFT}"; font: 8.5pt serif; }}
  @bottom-right {{ content: "Page " counter(page) " of " counter(pages); font: 8.5pt serif; }} }}
body {{ font: 10pt/1.35 serif; }} p {{ white-space: nowrap; margin: 0 0 6pt; }}
section {{ break-after: page; }} h2 {{ font-size: 11pt; margin: 0 0 6pt; }}
table {{ border-collapse: collapse; width: 100%; margin-bottom: 6pt; }}
td, th {{ border: 1px solid #000; padding: 2pt; vertical-align: top; text-align: left; }}
.cols {{ column-count: 2; column-gap: 8mm; }}
</style></head><body>{"".join(pages)}</body></html>"""
    return html, truth


def print_pdf(html: str, out: Path) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        raise SystemExit("Debian's chromium is needed to print the PDF: make browser")
    source = out.with_suffix(".html")
    source.write_text(html, encoding="utf-8")
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={out}", source.as_uri()], check=True, capture_output=True, timeout=120)


def pages_pypdf(path: Path) -> list[str]:
    from pypdf import PdfReader
    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def pages_pdfplumber(path: Path) -> list[str]:
    import pdfplumber
    with pdfplumber.open(str(path)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def pages_pypdfium2(path: Path) -> list[str]:
    import pypdfium2 as pdfium
    document = pdfium.PdfDocument(str(path))
    try:
        return [document[i].get_textpage().get_text_bounded() for i in range(len(document))]
    finally:
        document.close()


LIBRARIES = {"pypdf": pages_pypdf, "pdfplumber": pages_pdfplumber, "pypdfium2": pages_pypdfium2}


def _version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _normal(text: str) -> str:
    return " ".join(text.split())


def score(text: str, truth: dict) -> dict:
    words = Counter(WORD.findall(text))
    found = sum(min(n, words[w]) for w, n in truth["words"].items())
    flat = _normal(text)
    intact = sum(_normal(s) in flat for s in truth["sentences"])
    running = (flat.count("OFFICIAL-SENSITIVE") + flat.count("case ref NC-2024-0117")
               + len(re.findall(r"Page \d+ of \d+", flat)))
    # a hyphenation is undone when no "head- tail" (or "head tail") is left where the word was broken
    split = [b for b in truth["broken"] if not b[3]]
    compounds = [b for b in truth["broken"] if b[3]]
    joined = sum(not re.search(rf"(?<!\w){re.escape(head)}[-\u2010\u00ad\x02]?\s*{re.escape(tail)}(?!\w)",
                               flat.replace(f"{head}{tail}", "")) for _, head, tail, _ in split)
    kept = sum(flat.count(word) >= sum(b[0] == word for b in compounds) for word, _, _, _ in compounds)
    # a blank line inside a sentence would make the pipeline cut it there (pipeline/annotate.py)
    cut = sum(any("\n\n" in m.group(0) for m in re.finditer(r"\s+".join(map(re.escape, s.split())), text))
              for s in set(truth["sentences"]))
    return {"words": found / sum(truth["words"].values()), "sentences": intact / len(truth["sentences"]),
            "blank_line_inside": cut,
            "running_removed": 1 - running / (3 * truth["pages"]),
            "hyphens": joined / len(split) if split else 1.0, "compounds": kept / len(compounds) if compounds else 1.0}


def bench_pdf(n_pages: int, repeat: int, tmp: Path) -> None:
    html, truth = build_pdf_html(n_pages)
    path = tmp / "assessment.pdf"
    print_pdf(html, path)
    n_split = sum(not b[3] for b in truth["broken"])
    print(f"PDF: {n_pages} pages printed by Chromium ({path.stat().st_size // 1024} KB); ground truth "
          f"{sum(truth['words'].values()):,} body words, {len(truth['sentences'])} sentences, "
          f"{n_split} words hyphenated at a line end, {len(truth['broken']) - n_split} compounds broken at "
          f"their hyphen, {3 * n_pages} running header/footer lines")
    print(f"\n{'library':<22}{'ms/page':>9}{'words':>8}{'sentences':>11}{'cut':>5}{'hdr/ftr':>9}{'hyphens':>9}"
          f"{'compounds':>11}   raw text: words, hdr/ftr removed")
    for name, extract in LIBRARIES.items():
        try:
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                raw = extract(path)
                times.append(time.perf_counter() - start)
        except ImportError:
            print(f"{name:<22}not installed")
            continue
        cleaned = score("\n\n".join(clean_pages(raw)), truth)
        plain = score("\n\n".join(raw), truth)
        label = f"{name} {_version(name)}"
        print(f"{label:<22}{1000 * statistics.median(times) / n_pages:>9.1f}{cleaned['words']:>8.1%}"
              f"{cleaned['sentences']:>11.1%}{cleaned['blank_line_inside']:>5}{cleaned['running_removed']:>9.1%}{cleaned['hyphens']:>9.1%}"
              f"{cleaned['compounds']:>11.1%}   {plain['words']:.1%}, {plain['running_removed']:.1%}")
    raw = pages_pypdfium2(path)
    start = time.perf_counter()
    for _ in range(repeat):
        clean_pages(raw)
    print(f"(cleaning, the same for every library: {1000 * (time.perf_counter() - start) / repeat / n_pages:.1f} "
          "ms/page; 'raw text' is each library's text before it)")


def build_docx(path: Path, seed: int = 0) -> dict:
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    rng = random.Random(seed)
    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = HEADER
    footer = section.footer.paragraphs[0]
    footer.text = FOOTER_LEFT + " - page "
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    footer._p.append(field)
    truth = {"words": Counter(), "table_words": Counter()}
    document.add_heading("Report to the Family Court", level=1)
    truth["words"].update(WORD.findall("Report to the Family Court"))
    for number in range(1, 7):
        heading = f"{number}. Findings, part {number}"
        document.add_heading(heading, level=2)
        truth["words"].update(WORD.findall(heading))
        for _ in range(3):
            text = " ".join(rng.sample(SENTENCES, 4))
            document.add_paragraph(text)
            truth["words"].update(WORD.findall(text))
        if number == 3:
            table = document.add_table(rows=1, cols=3)
            for cell, title in zip(table.rows[0].cells, ("Date", "Event", "Action")):
                cell.text = title
            for row in TABLE:
                for cell, value in zip(table.add_row().cells, row):
                    cell.text = value
            words = WORD.findall("Date Event Action " + " ".join(" ".join(r) for r in TABLE))
            truth["words"].update(words)
            truth["table_words"].update(words)
    document.save(str(path))
    return truth


def bench_docx(tmp: Path, repeat: int) -> None:
    import docx
    path = tmp / "report.docx"
    truth = build_docx(path)
    total = sum(truth["words"].values())

    def recovered(text: str) -> float:
        words = Counter(WORD.findall(text))
        return sum(min(n, words[w]) for w, n in truth["words"].items()) / total

    start = time.perf_counter()
    for _ in range(repeat):
        ours = _read_docx(path, str(path), b"PK")
    ms = 1000 * (time.perf_counter() - start) / repeat
    naive = "\n\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    print(f"\nDOCX (python-docx {_version('python-docx')}): {total:,} body words, "
          f"{sum(truth['table_words'].values())} of them in a table; a running header and a footer with a page field")
    print(f"  io.documents (paragraphs and tables in order): {recovered(ours):.1%} of body words, "
          f"header/footer lines in the text: {ours.count('OFFICIAL-SENSITIVE') + ours.count('NC-2024-0117')}, "
          f"{ms:.0f} ms per document")
    print(f"  Document.paragraphs alone:                     {recovered(naive):.1%} of body words (tables lost)")


def bench_docx_sections(folder: Path) -> None:
    """One note per .docx against one note per heading section, on the sample documents."""
    import docx

    from record_audit.engines import flag_records
    from record_audit.io import Note
    from record_audit.pipeline import load_pipeline
    nlp = load_pipeline()
    print(f"\nDOCX as one note or one note per heading section (rules pipeline, names learned per record, on {folder}):")
    for path in sorted(folder.rglob("*.docx")):
        text = _read_docx(path, str(path), b"PK")
        headings = [p.text for p in docx.Document(str(path)).paragraphs if p.style.name.startswith(("Heading", "Title"))]
        starts, at = [0], 0
        for heading in headings[1:]:
            at = text.index(f"\n\n{heading}\n\n", at) + 2
            starts.append(at)
        spans = list(zip(starts, starts[1:] + [len(text)]))
        whole = [Note("R", "whole", text)]
        sections = [Note("R", str(start), text[start:end]) for start, end in spans]

        def found(notes):
            flags, roles, sentences = set(), set(), 0
            for record in flag_records(notes, nlp, assume_dv=True):
                for result in record.notes:
                    shift = 0 if result.note.note_id == "whole" else int(result.note.note_id)
                    sentences += len(result.sentences)
                    for sent in result.sentences:
                        flags |= {(f.label, f.start + shift, f.end + shift, f.context) for f in sent.flags}
                        roles |= {(m.role, m.start + shift, m.end + shift) for m in sent.roles}
            return flags, roles, sentences

        (f1, r1, s1), (f2, r2, s2) = found(whole), found(sections)
        print(f"  {path.name}: {len(spans)} sections; sentences {s1} / {s2}; flags {len(f1)} / {len(f2)} "
              f"({len(f1 ^ f2)} differ); role mentions {len(r1)} / {len(r2)} ({len(r1 ^ r2)} differ)")
        for item in sorted(f1 ^ f2, key=lambda x: x[1]):
            print(f"    only {'whole' if item in f1 else 'sections'}: {item[0]} ({item[3] or 'counted'}) at {item[1]}")
        for item in sorted(r1 ^ r2, key=lambda x: x[1]):
            print(f"    only {'whole' if item in r1 else 'sections'}: role {item[0]} at {item[1]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="record-audit-bench-") as tmp:
        bench_pdf(args.pages, args.repeat, Path(tmp))
        bench_docx(Path(tmp), args.repeat)
    samples = Path(__file__).resolve().parents[1] / "data" / "samples" / "documents"
    if samples.is_dir():
        bench_docx_sections(samples)


if __name__ == "__main__":
    main()
