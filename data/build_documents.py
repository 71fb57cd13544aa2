"""Write the fictional sample documents of data/samples/documents/ from documents_source.yaml.

.docx files with python-docx (a running header and footer, headings, tables); .pdf files
printed by Debian's Chromium (`make browser`) from HTML, one source page per printed page,
with a running header and footer and "Page N of M" (CSS page-margin boxes); .txt files as
they are. The documents are committed; run this again after editing the source:

    .venv/bin/python data/build_documents.py
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from html import escape
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "samples" / "documents_source.yaml"
OUT = HERE / "samples" / "documents"


def write_docx(path: Path, spec: dict) -> None:
    import docx
    document = docx.Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = spec["header"]
    section.footer.paragraphs[0].text = spec["footer"]
    document.core_properties.author = "record_audit sample"  # no name in the file's metadata
    for block in spec["blocks"]:
        if "heading" in block:
            document.add_heading(block["heading"], level=1 if block is spec["blocks"][0] else 2)
        elif "paragraph" in block:
            document.add_paragraph(block["paragraph"])
        else:
            rows = block["table"]
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            table.style = "Table Grid"
            for row, values in zip(table.rows, rows):
                for cell, value in zip(row.cells, values):
                    cell.text = value
    document.save(str(path))


def _html_block(block: dict) -> str:
    if "heading" in block:
        return f"<h2>{escape(block['heading'])}</h2>"
    if "paragraph" in block:
        return f"<p>{escape(block['paragraph'])}</p>"
    head, *rows = block["table"]
    cells = "".join(f"<th>{escape(c)}</th>" for c in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{cells}</tr>{body}</table>"


def write_pdf(path: Path, spec: dict) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("Debian's chromium prints the PDFs: run `make browser` first")
    pages = "".join("<section>" + "".join(_html_block(b) for b in page) + "</section>" for page in spec["pages"])
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(path.stem)}</title><style>
@page {{ size: A4; margin: 24mm 20mm;
  @top-center {{ content: "{spec['header']}"; font: 8.5pt sans-serif; }}
  @bottom-left {{ content: "{spec['footer']}"; font: 8.5pt sans-serif; }}
  @bottom-right {{ content: "Page " counter(page) " of " counter(pages); font: 8.5pt sans-serif; }} }}
body {{ font: 11pt/1.45 serif; text-align: justify; }} section {{ break-after: page; }}
h2 {{ font: bold 12pt sans-serif; margin: 12pt 0 6pt; }}
table {{ border-collapse: collapse; width: 100%; margin: 6pt 0; text-align: left; }}
td, th {{ border: 1px solid #444; padding: 3pt; vertical-align: top; }}
</style></head><body>{pages}</body></html>"""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "document.html"
        source.write_text(html, encoding="utf-8")
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                        f"--print-to-pdf={path}", source.as_uri()], check=True, capture_output=True, timeout=120)


def main() -> None:
    spec = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    for rel, document in spec.items():
        path = OUT / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".docx":
            write_docx(path, document)
        elif path.suffix == ".pdf":
            write_pdf(path, document)
        else:
            path.write_text(document["text"] + "\n", encoding="utf-8")
        print(f"{path.relative_to(HERE)}: {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
