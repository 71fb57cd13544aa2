"""Write small .docx and .pdf files for the tests, with no browser and no network.

``make_pdf`` writes a minimal PDF by hand: one page per list of lines (Helvetica,
WinAnsi), or, for a page given as None, a page that only draws an image (a scanned page).
"""
from __future__ import annotations

from pathlib import Path

_IMAGE = (b"<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray "
          b"/BitsPerComponent 8 /Length 4 >>\nstream\n\x00\xff\xff\x00\nendstream")


def _pdf_string(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(path: Path, pages: list[list[str] | None]) -> Path:
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        3: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        4: _IMAGE,
    }
    kids, number = [], 5
    for lines in pages:
        page_id, content_id = number, number + 1
        number += 2
        if lines is None:
            stream = b"q 300 0 0 400 150 200 cm /Im1 Do Q"
        else:
            ops = ["BT /F1 10 Tf 13 TL 56 780 Td"] + [f"({_pdf_string(ln)}) Tj T*" for ln in lines] + ["ET"]
            stream = "\n".join(ops).encode("cp1252")
        objects[content_id] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
        objects[page_id] = (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font "
                            f"<< /F1 3 0 R >> /XObject << /Im1 4 0 R >> >> /Contents {content_id} 0 R >>").encode()
        kids.append(page_id)
    objects[2] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
    out = bytearray(b"%PDF-1.4\n")
    offsets = {}
    for i in sorted(objects):
        offsets[i] = len(out)
        out += f"{i} 0 obj\n".encode() + objects[i] + b"\nendobj\n"
    xref, size = len(out), max(objects) + 1
    out += f"xref\n0 {size}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offsets[i]:010d} 00000 n \n".encode() for i in range(1, size))
    out += f"trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(out))
    return path


def encrypt_pdf(source: Path, path: Path, *, user_password: str) -> Path:
    from pypdf import PdfWriter
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = PdfWriter(clone_from=str(source))
    writer.encrypt(user_password=user_password, owner_password="owner-only", algorithm="RC4-128")
    writer.write(str(path))
    return path


def make_docx(path: Path, *, paragraphs: list[str], header: str | None = None, footer: str | None = None,
              table: list[list[str]] | None = None, heading: str | None = None) -> Path:
    import docx
    document = docx.Document()
    if header:
        document.sections[0].header.paragraphs[0].text = header
    if footer:
        document.sections[0].footer.paragraphs[0].text = footer
    if heading:
        document.add_heading(heading, level=1)
    for text in paragraphs[:1]:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for row, values in zip(grid.rows, table):
            for cell, value in zip(row.cells, values):
                cell.text = value
    for text in paragraphs[1:]:
        document.add_paragraph(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def make_encrypted_docx(path: Path) -> Path:
    """What Word writes for a password-protected .docx: a Compound File holding EncryptionInfo."""
    body = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 512
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    return path
