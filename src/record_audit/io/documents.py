"""Word (.docx) and PDF documents read as notes (CONTRACT section 1, documents v2).

A .docx file is one note: its body's paragraphs and tables in reading order, paragraphs
separated by a blank line (so a heading is a sentence of its own), a table row per line
with its cells separated by tabs. Running headers and footers are left out (they repeat
on every page and hold no account of the family), and so are deleted tracked changes;
inserted ones are kept, as Word shows them. One note per heading section was measured
and not taken: on the sample court report and minutes it gave exactly the same
sentences, flags and role mentions, while a section has no stable name to cite (a
heading may hold a name, and a note_id must not) and the reviewer would see fragments.

A PDF is one note per page with text; its ``note_id`` names the file and the page
(``court/R12/report.pdf#p3``). Each page's text is cleaned the same way whatever the
layout: lines that repeat at the top or bottom of most pages (running headers and
footers) and bare page numbers are removed, a word hyphenated at a line end is joined,
and the lines of a paragraph are joined into one, so that sentences are not cut at the
line breaks of the printed page. Flag offsets refer to this cleaned text, which is the
note text stored and shown to the reviewer.

A document that cannot be audited (a scan without a text layer, an encrypted or a
corrupt file) is a coded warning naming the file, counted as skipped; never a traceback,
never any of its text. Measurements behind these choices: ``bench/documents.py``.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Warnings

DOCUMENT_SUFFIXES = frozenset({".docx", ".pdf"})
# Word's lock file beside an open document ("~$report.docx"): not a document
LOCK_PREFIX = "~$"

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a Compound File: an encrypted .docx, or an old .doc
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")


@dataclass(frozen=True)
class DocumentPart:
    """The text of a whole document (``page`` None) or of one PDF page (``page`` from 1)."""

    text: str
    page: int | None = None


@dataclass(frozen=True)
class DocumentText:
    """What a document gave: its parts, and a coded warning for each page left out (W053)."""

    parts: tuple[DocumentPart, ...]
    skipped: tuple[str, ...] = field(default=())


class DocumentSkipped(Exception):
    """The whole document cannot be audited; the message is its coded warning (no text)."""


_PAGE_OF_NOTE = re.compile(r"\.pdf#p(\d+)$", re.IGNORECASE)


def note_page(note_id: str) -> int | None:
    """The page a note came from, when its ``note_id`` names one (``report.pdf#p3`` → 3)."""
    found = _PAGE_OF_NOTE.search(note_id)
    return int(found.group(1)) if found else None


def is_document(path: Path) -> bool:
    return path.suffix.lower() in DOCUMENT_SUFFIXES and not path.name.startswith(LOCK_PREFIX)


def document_texts(path: Path, rel: str, *, skip: Callable[[str, str], None]) -> Iterator[tuple[str, str]]:
    """Yield ``(note_id, text)`` for each note of a document; ``rel`` is its note_id (PDFs add ``#pN``).

    What cannot be audited is handed to ``skip`` as a coded warning and what it left out,
    ``"document"`` or ``"page"`` (the reader's ``ReadStats.skip``: warned once and counted
    in the summary line in those terms).
    """
    try:
        found = read_document(path)
    except DocumentSkipped as err:
        skip(str(err), "document")
        return
    for message in found.skipped:
        skip(message, "page")
    for part in found.parts:
        yield (rel if part.page is None else f"{rel}#p{part.page}"), part.text


def read_document(path: Path, shown: str | None = None) -> DocumentText:
    """Read a .docx or .pdf file; ``shown`` is how messages name it (default: the path).

    Raises ``DocumentSkipped`` for a document without any usable text.
    """
    shown = shown or str(path)
    suffix = path.suffix.lower()
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as err:
        raise DocumentSkipped(Warnings.W052.format(path=shown, kind=suffix[1:].upper(),
                                                   reason=type(err).__name__)) from None
    if suffix == ".docx":
        text = _read_docx(path, shown, head)
        if not text.strip():
            raise DocumentSkipped(Warnings.W054.format(path=shown))
        return DocumentText(parts=(DocumentPart(text),))
    return _read_pdf(path, shown, head)


# -- .docx -------------------------------------------------------------------------------
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def _read_docx(path: Path, shown: str, head: bytes) -> str:
    if head.startswith(_OLE_MAGIC):
        # Word saves a password-protected .docx as an encrypted Compound File
        if _ENCRYPTION_INFO in path.read_bytes():
            raise DocumentSkipped(Warnings.W051.format(path=shown))
        raise DocumentSkipped(Warnings.W052.format(path=shown, kind="DOCX",
                                                   reason="an old Word .doc, not a .docx"))
    import docx
    try:
        document = docx.Document(str(path))
        blocks = list(_docx_blocks(document))
    except Exception as err:  # noqa: BLE001 - any failure of the parser on a damaged file is a skip, not a crash
        raise DocumentSkipped(Warnings.W052.format(path=shown, kind="DOCX", reason=type(err).__name__)) from None
    return "\n\n".join(b for b in blocks if b.strip())


def _docx_blocks(container) -> Iterator[str]:
    """Paragraphs and tables of a body or a table cell, in reading order."""
    from docx.table import Table
    for item in container.iter_inner_content():
        if isinstance(item, Table):
            rows = [_docx_row(row) for row in item.rows]
            yield "\n".join(r for r in rows if r.strip())
        else:
            yield _paragraph_text(item._p)


def _docx_row(row) -> str:
    cells, seen = [], set()
    for cell in row.cells:
        if id(cell._tc) in seen:  # a merged cell is returned once per grid column it spans
            continue
        seen.add(id(cell._tc))
        cells.append(" ".join(b.replace("\n", " ") for b in _docx_blocks(cell) if b.strip()))
    return "\t".join(cells)


def _paragraph_text(p) -> str:
    """The text Word shows for a paragraph: runs, hyperlinks and insertions; not deletions or field codes."""
    out: list[str] = []
    skip_below = None
    for el in p.iter():
        if skip_below is not None:
            if _inside(el, skip_below):
                continue
            skip_below = None
        tag = el.tag
        if tag == _FALLBACK or tag == f"{_W}del":  # a text box's duplicate for old readers; a deletion
            skip_below = el
        elif tag == f"{_W}t":
            out.append(el.text or "")
        elif tag in (f"{_W}tab", f"{_W}ptab"):
            out.append("\t")
        elif tag in (f"{_W}br", f"{_W}cr"):
            out.append("\n")
        elif tag == f"{_W}noBreakHyphen":
            out.append("-")
    return "".join(out)


def _inside(el, ancestor) -> bool:
    parent = el.getparent()
    while parent is not None:
        if parent is ancestor:
            return True
        parent = parent.getparent()
    return False


# -- PDF ---------------------------------------------------------------------------------
def _read_pdf(path: Path, shown: str, head: bytes) -> DocumentText:
    # pypdfium2 (PDFium's own text extraction): 11 ms a page where pypdf took 150 and pdfplumber 400,
    # the same text after cleaning (pdfplumber reads two columns across), and it opens AES-encrypted
    # files that need no password without another library
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as err:
        if getattr(err, "err_code", None) in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise DocumentSkipped(Warnings.W051.format(path=shown)) from None
        reason = "damaged or not a PDF" if head.startswith(b"%PDF") else "the file does not start as a PDF"
        raise DocumentSkipped(Warnings.W052.format(path=shown, kind="PDF", reason=reason)) from None
    raw, images = [], []
    try:
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            try:
                raw.append(textpage.get_text_bounded())
                images.append(not raw[-1].strip() and
                              next(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE]), None) is not None)
            finally:
                textpage.close()
                page.close()
    except Exception as err:  # noqa: BLE001 - any failure of the parser on a damaged file is a skip, not a crash
        raise DocumentSkipped(Warnings.W052.format(path=shown, kind="PDF", reason=type(err).__name__)) from None
    finally:
        document.close()
    pages = clean_pages(raw)
    parts = tuple(DocumentPart(text, number) for number, text in enumerate(pages, start=1) if text.strip())
    if not parts:
        raise DocumentSkipped(Warnings.W050.format(path=shown, pages=len(pages)))
    skipped = tuple(Warnings.W053.format(path=shown, page=number)
                    for number, (text, image) in enumerate(zip(pages, images), start=1)
                    if image and not text.strip())
    return DocumentText(parts=parts, skipped=skipped)


# -- cleaning extracted page text (library-independent) -------------------------------------
EDGE_LINES = 3          # running headers and footers are looked for among a page's first and last lines
REPEAT_SHARE = 0.5      # ... and must be there on at least this share of the pages (and on two)
MIN_FULL_LINE = 30      # a page whose longest lines are shorter has no running text to reflow
_PAGE_NUMBER = re.compile(r"^[-–—\s]*(?:page|p\.|seite)?\s*\d{1,4}(?:\s*(?:of|/|de|von)\s*\d{1,4})?[-–—\s]*$",
                          re.IGNORECASE)
# a hyphen ending a line after a letter; a space before it only for the hyphen characters
# proper (some PDF producers emit one), never for "-", which could be a dash
_LINE_END_HYPHEN = re.compile(r"(\w)(?:[-\u00ad\u2010\u2011]| [\u00ad\u2010\u2011])$")
_SENTENCE_END = re.compile(r"[.!?:;]['\"’”)\]]*$")
# a short line with no punctuation at its end, such as a heading or a table's header row
_HEADING = re.compile(r"^(?:\S+\s+){0,5}[^\s.!?:;,]*[^\W\d_)]$")
_BULLET = re.compile(r"^(?:[-•●▪◦*–]|\(?\d{1,3}[.)]|\(?[a-z][.)])\s")
_WORDS = re.compile(r"[^\W\d_]+(?:[-\u2010\u2011][^\W\d_]+)*")


def _edge_key(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.lower().split()))


def clean_pages(pages: list[str]) -> list[str]:
    """Clean the raw text of a document's pages: headers and footers out, hyphens and lines joined."""
    # PDFium marks a word hyphenated at a line end with U+0002 in place of "-" and the line break
    pages = [[ln.rstrip() for ln in p.replace("\r\n", "\n").replace("\r", "\n").replace("\x02", "-\n").split("\n")]
             for p in pages]
    repeated = _running_lines(pages)
    vocabulary = Counter(w.lower() for lines in pages for ln in lines for w in _WORDS.findall(ln))
    cleaned = []
    for lines in pages:
        cleaned.append(_reflow(_edges_removed(lines, repeated), vocabulary))
    return cleaned


def _edge_positions(lines: list[str]) -> list[int]:
    filled = [i for i, ln in enumerate(lines) if ln.strip()]
    return sorted(set(filled[:EDGE_LINES] + filled[-EDGE_LINES:]))


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Keys of lines found at the top or bottom of most pages: running headers and footers."""
    if len(pages) < 2:
        return set()
    seen: Counter = Counter()
    for lines in pages:
        seen.update({_edge_key(lines[i]) for i in _edge_positions(lines)})
    needed = max(2, math.ceil(REPEAT_SHARE * len(pages)))
    return {key for key, n in seen.items() if n >= needed and key}


def _edges_removed(lines: list[str], repeated: set[str]) -> list[str]:
    edges = set(_edge_positions(lines))
    return [ln for i, ln in enumerate(lines)
            if not (i in edges and (_edge_key(ln) in repeated or _PAGE_NUMBER.match(ln.strip())))]


def _reflow(lines: list[str], vocabulary: Counter) -> str:
    """Join a page's lines into paragraphs: a hyphenated word at a line end is made whole, and a
    line that runs on (long, not ending a sentence, or followed by a lower-case word) joins the next."""
    lines = [ln.strip() for ln in lines]
    widths = sorted(len(ln) for ln in lines if ln)
    if not widths:
        return ""
    full = widths[min(len(widths) - 1, int(0.9 * len(widths)))]  # a full line's width on this page
    out: list[str] = []
    current = prev = ""
    for line in lines:
        if not line:
            if current:
                out.append(current)
            current = prev = ""
            continue
        if (current and full >= MIN_FULL_LINE and len(prev) < 0.6 * full and _HEADING.match(prev)
                and line[:1].isupper()):
            out.extend([current, ""])  # a heading-like line: a blank line after it, so it is its own sentence
            current = prev = line
            continue
        if current:
            hyphen = _LINE_END_HYPHEN.search(current)
            starts_lower = line[:1].islower()
            if hyphen and starts_lower:
                current = _join_hyphenated(current, hyphen, line, vocabulary)
            elif _BULLET.match(line):
                out.append(current)
                current = line
            elif starts_lower or (full >= MIN_FULL_LINE and len(prev) >= 0.75 * full
                                  and not _SENTENCE_END.search(prev)):
                current = f"{current} {line}"
            else:
                out.append(current)
                current = line
        else:
            current = line
        prev = line
    if current:
        out.append(current)
    return "\n".join(out)


def _join_hyphenated(current: str, hyphen: re.Match, line: str, vocabulary: Counter) -> str:
    """Join ``protec-`` + ``tive``; keep the hyphen of a compound the document spells with one (follow-up)."""
    head = _WORDS.findall(current[: hyphen.start() + 1])
    first = head[-1] if head else ""
    rest = _WORDS.match(line)
    second = rest.group(0) if rest else ""
    keep = current[hyphen.end() - 1] in "-\u2010\u2011" and \
        vocabulary[f"{first}-{second}".lower()] > vocabulary[f"{first}{second}".lower()]
    return current[: hyphen.start() + 1] + ("-" if keep else "") + line
