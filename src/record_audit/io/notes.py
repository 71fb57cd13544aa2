"""Any CONTRACT section 1 input (tables, .txt folders, annotated records) read as a stream of ``Note``.

Every reader yields one note at a time; nothing holds a whole export in memory, so a
multi-gigabyte file streams. A ``NoteSource`` can be iterated more than once (an engine
makes a cheap first pass to learn where each record ends, then runs the pipeline).
"""
from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import Errors, InputError, Warnings, skipped_summary
from .annotated import is_annotated, read_annotated
from .documents import document_texts, is_document
from .encoding import detect_encoding
from .jsonl import jsonl_objects
from .note import Note, ReadStats

FIELDS = ("record_id", "text", "note_id", "date", "note_type", "author", "team")
REQUIRED = ("record_id", "text")
TABLE_SUFFIXES = (".csv", ".tsv", ".xlsx", ".parquet", ".jsonl")

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


def parse_columns(spec: str | None) -> dict[str, str]:
    """Parse ``record_id=CaseNo,text=NoteBody`` into {field: column}."""
    mapping: dict[str, str] = {}
    if not spec:
        return mapping
    for item in spec.split(","):
        if not item.strip():
            continue
        if "=" not in item:
            raise InputError(Errors.E016.format(item=item.strip()))
        key, value = (part.strip() for part in item.split("=", 1))
        if key not in FIELDS:
            raise InputError(Errors.E017.format(field=key, known=", ".join(FIELDS)))
        mapping[key] = value
    return mapping


def _resolve_columns(path: Path, header: list[str], columns: dict[str, str]) -> dict[str, int]:
    """Map each known field to its column index; defaults match field names case-insensitively."""
    lower = {str(h).strip().lower(): i for i, h in enumerate(header) if h is not None}
    exact = {str(h): i for i, h in enumerate(header) if h is not None}
    found: dict[str, int] = {}
    for name in FIELDS:
        wanted = columns.get(name)
        if wanted is not None:
            if wanted in exact:
                found[name] = exact[wanted]
            elif wanted.strip().lower() in lower:
                found[name] = lower[wanted.strip().lower()]
            else:
                raise InputError(Errors.E001.format(
                    path=path, field=name, found=", ".join(map(str, header)) or "none"))
        elif name in lower:
            found[name] = lower[name]
    for name in REQUIRED:
        if name not in found:
            raise InputError(Errors.E001.format(
                path=path, field=name, found=", ".join(map(str, header)) or "none"))
    return found


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN from a spreadsheet
        return None
    if hasattr(value, "isoformat") and not isinstance(value, str):
        return value.isoformat()[:10] if hasattr(value, "hour") else value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    return text if text.strip() else None


class NoteSource:
    """A re-iterable stream of notes from one input path."""

    def __init__(self, path: str | Path, *, columns: dict[str, str] | None = None,
                 encoding: str | None = None) -> None:
        self.path = Path(path)
        self.columns = columns or {}
        self.encoding = encoding
        self.stats = ReadStats()
        if not self.path.exists():
            raise InputError(Errors.E003.format(path=self.path))
        if self.path.is_dir():
            self.kind = "folder"
        elif is_document(self.path):
            self.kind = "document"
        else:
            suffix = self.path.suffix.lower()
            if suffix not in TABLE_SUFFIXES:
                raise InputError(Errors.E002.format(path=self.path, suffix=suffix or "(none)"))
            if self.path.stat().st_size == 0:
                raise InputError(Errors.E024.format(path=self.path))
            self.kind = suffix.lstrip(".")
            if suffix == ".jsonl":
                if is_annotated(self.path):
                    self.kind = "annotated"
        # what this input is made of, for "0 ... skipped" in the summary line
        self.stats.unit = {"jsonl": "line", "folder": "file",
                           "document": "page" if self.path.suffix.lower() == ".pdf" else "document",
                           }.get(self.kind, "row")
        if self.kind in {"csv", "tsv", "jsonl", "annotated"}:
            self._text_encoding, guessed = detect_encoding(self.path, encoding)
            self.stats.encoding = self._text_encoding
            if guessed:
                self.stats.warn(Warnings.W002.format(path=self.path))
        if self.kind in {"csv", "tsv"}:
            # refuse a file without the needed columns now, before anything slow is loaded
            with open(self.path, encoding=self._text_encoding, newline="") as fh:
                try:
                    header = next(csv.reader(fh, delimiter="\t" if self.kind == "tsv" else ","), None)
                except csv.Error as err:
                    raise InputError(Errors.E021.format(path=self.path, kind="CSV", reason=err)) from None
            if header is None:
                raise InputError(Errors.E024.format(path=self.path))
            _resolve_columns(self.path, header, self.columns)

    def __iter__(self) -> Iterator[Note]:
        self.stats.reset()
        reader = {
            "csv": self._iter_delimited, "tsv": self._iter_delimited,
            "xlsx": self._iter_xlsx, "parquet": self._iter_parquet,
            "jsonl": self._iter_jsonl, "annotated": self._iter_annotated,
            "folder": self._iter_folder, "document": self._iter_document,
        }[self.kind]
        count = 0
        for note in reader():
            count += 1
            yield note
        if count == 0:
            code = Errors.E141 if self.kind in {"folder", "document"} else Errors.E009
            raise InputError(code.format(path=self.path, skipped=skipped_summary(self.stats.skipped_counts())))

    # -- rows to notes -------------------------------------------------------
    def _rows_to_notes(self, header: list[str], rows: Iterator[tuple[int, list[Any]]],
                       unit: str = "row") -> Iterator[Note]:
        index = _resolve_columns(self.path, header, self.columns)
        counters: dict[str, int] = {}
        for row_no, row in rows:
            values = {name: _clean(row[i]) if i < len(row) else None for name, i in index.items()}
            record_id = values.get("record_id")
            if record_id is None:
                where = f"{unit} {row_no}, column '{header[index['record_id']]}'"
                self.stats.skip(Warnings.W001.format(path=self.path, where=where,
                                                     reason="no record_id"), unit)
                continue
            record_id = record_id.strip()
            counters[record_id] = counters.get(record_id, 0) + 1
            text = values.get("text")
            if text is None:
                where = f"{unit} {row_no}, column '{header[index['text']]}'"
                self.stats.skip(Warnings.W001.format(path=self.path, where=where,
                                                     reason="empty text"), unit)
                continue
            note_id = (values.get("note_id") or f"{record_id}-{counters[record_id]}").strip()
            yield Note(record_id=record_id, note_id=note_id, text=text,
                       date=values.get("date"), note_type=values.get("note_type"),
                       author=values.get("author"), team=values.get("team"),
                       position=f"{self.path.name}, {unit} {row_no}")

    def _iter_delimited(self) -> Iterator[Note]:
        delimiter = "\t" if self.kind == "tsv" else ","
        with open(self.path, encoding=self._text_encoding, newline="") as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            try:
                header = next(reader)
            except StopIteration:
                raise InputError(Errors.E024.format(path=self.path)) from None
            except csv.Error as err:
                raise InputError(Errors.E021.format(path=self.path, kind="CSV", reason=err)) from None

            def rows() -> Iterator[tuple[int, list[str]]]:
                # row numbers as a spreadsheet shows them: the header is row 1
                row_no = 1
                while True:
                    try:
                        row = next(reader)
                    except StopIteration:
                        return
                    except csv.Error as err:
                        raise InputError(Errors.E021.format(
                            path=self.path, kind="CSV", reason=f"row {row_no + 1}: {err}")) from None
                    row_no += 1
                    if any(cell.strip() for cell in row):
                        yield row_no, row

            yield from self._rows_to_notes(header, rows())

    def _iter_xlsx(self) -> Iterator[Note]:
        import zipfile

        from openpyxl import load_workbook
        try:
            book = load_workbook(self.path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
            raise InputError(Errors.E021.format(path=self.path, kind="XLSX",
                                                reason=type(err).__name__)) from None
        try:
            sheet = book.worksheets[0]
            rows_iter = sheet.iter_rows(values_only=True)
            header = next(rows_iter, None)
            if header is None:
                raise InputError(Errors.E024.format(path=self.path))
            header_list = [str(h) if h is not None else "" for h in header]

            def rows() -> Iterator[tuple[int, list[Any]]]:
                for row_no, row in enumerate(rows_iter, start=2):
                    if row and any(_clean(c) is not None for c in row):
                        yield row_no, list(row)

            yield from self._rows_to_notes(header_list, rows())
        finally:
            book.close()

    def _iter_parquet(self) -> Iterator[Note]:
        import pyarrow as pa
        import pyarrow.parquet as pq
        try:
            pfile = pq.ParquetFile(self.path)
        except (pa.ArrowException, OSError) as err:
            raise InputError(Errors.E021.format(path=self.path, kind="Parquet",
                                                reason=type(err).__name__)) from None
        header = list(pfile.schema_arrow.names)
        index = _resolve_columns(self.path, header, self.columns)
        wanted = [header[i] for i in sorted(set(index.values()))]

        def rows() -> Iterator[tuple[int, list[Any]]]:
            row_no = 0
            for batch in pfile.iter_batches(batch_size=2048, columns=wanted):
                data = batch.to_pydict()
                for i in range(batch.num_rows):
                    row_no += 1
                    yield row_no, [data[h][i] if h in data else None for h in header]

        yield from self._rows_to_notes(header, rows())

    def _iter_jsonl(self) -> Iterator[Note]:
        header = list(FIELDS)
        mapping_cols = list(dict.fromkeys([*self.columns.values(), *FIELDS]))

        def rows() -> Iterator[tuple[int, list[Any]]]:
            for line_no, obj in jsonl_objects(self.path, encoding=self._text_encoding):
                yield line_no, [obj.get(col) for col in mapping_cols]

        header = mapping_cols
        yield from self._rows_to_notes(header, rows(), unit="line")

    def _iter_annotated(self) -> Iterator[Note]:
        for record in read_annotated(self.path, encoding=self._text_encoding):
            for note in record.notes:
                yield note.note

    def _iter_folder(self) -> Iterator[Note]:
        files = sorted(p for p in self.path.rglob("*") if p.is_file() and (p.suffix.lower() == ".txt" or is_document(p)))
        if not files:
            raise InputError(Errors.E140.format(path=self.path))
        for i, file in enumerate(files, start=1):
            rel = file.relative_to(self.path)
            record_id = rel.parts[0] if len(rel.parts) > 1 else file.stem
            if is_document(file):
                yield from self._document_notes(file, rel.as_posix(), record_id)
                continue
            encoding, guessed = detect_encoding(file, self.encoding)
            if guessed:
                self.stats.warn(Warnings.W002.format(path=file))
            text = file.read_text(encoding=encoding)
            if not text.strip():
                self.stats.skip(Warnings.W001.format(path=self.path, where=f"file {rel.as_posix()}",
                                                     reason="empty text"), "file")
                continue
            yield Note(record_id=record_id, note_id=rel.as_posix(), text=text,
                       position=f"{self.path.name}/{rel.as_posix()}")

    def _iter_document(self) -> Iterator[Note]:
        yield from self._document_notes(self.path, self.path.name, self.path.stem)

    def _document_notes(self, file: Path, rel: str, record_id: str) -> Iterator[Note]:
        """A .docx is one note, a PDF one note per page with text (io/documents.py)."""
        for note_id, text in document_texts(file, rel, skip=self.stats.skip):
            where = note_id if file == self.path else f"{self.path.name}/{note_id}"
            yield Note(record_id=record_id, note_id=note_id, text=text, position=where)


def open_notes(path: str | Path, *, columns: str | dict[str, str] | None = None,
               encoding: str | None = None) -> NoteSource:
    """Open any CONTRACT section 1 input as a re-iterable ``NoteSource``."""
    if isinstance(columns, str) or columns is None:
        columns = parse_columns(columns)
    return NoteSource(path, columns=columns, encoding=encoding)
