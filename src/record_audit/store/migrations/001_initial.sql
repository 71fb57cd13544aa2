-- record_audit audit store, schema version 1: runs, records, notes, sentences, flags,
-- indicators and placements. Pipeline rows of a record are replaced as a whole when the
-- record is audited again with other input or rules; nothing else is ever deleted.
CREATE TABLE runs (
    run_id            INTEGER PRIMARY KEY,
    started_at        TEXT NOT NULL,
    finished_at       TEXT,
    status            TEXT NOT NULL CHECK (status IN ('running', 'complete', 'interrupted', 'failed')),
    tool_version      TEXT NOT NULL,
    pipeline          TEXT NOT NULL,
    lexicon_version   TEXT NOT NULL,
    model_version     TEXT,
    input_path        TEXT NOT NULL,
    input_fingerprint TEXT NOT NULL,
    options           TEXT NOT NULL,
    records_audited   INTEGER NOT NULL DEFAULT 0,
    records_skipped   INTEGER NOT NULL DEFAULT 0,
    notes             INTEGER NOT NULL DEFAULT 0,
    flags             INTEGER NOT NULL DEFAULT 0,
    rows_skipped      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE records (
    record_id   TEXT PRIMARY KEY,
    team        TEXT,
    worker      TEXT,
    dv_present  INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    run_id      INTEGER NOT NULL REFERENCES runs (run_id),
    audited_at  TEXT NOT NULL
);

CREATE TABLE notes (
    record_id TEXT NOT NULL REFERENCES records (record_id),
    note_id   TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    date      TEXT,
    note_type TEXT,
    author    TEXT,
    team      TEXT,
    text      TEXT NOT NULL,
    PRIMARY KEY (record_id, note_id)
);

CREATE TABLE sentences (
    record_id      TEXT NOT NULL,
    note_id        TEXT NOT NULL,
    sentence_index INTEGER NOT NULL,
    start          INTEGER NOT NULL,
    "end"          INTEGER NOT NULL,
    roles          TEXT NOT NULL,   -- JSON [[start, end, role], ...]
    cues           TEXT NOT NULL,   -- JSON {subject_roles, obligations, dv_terms, factors, removal_terms}
    PRIMARY KEY (record_id, note_id, sentence_index),
    FOREIGN KEY (record_id, note_id) REFERENCES notes (record_id, note_id)
);

CREATE TABLE flags (
    flag_id        INTEGER PRIMARY KEY,
    record_id      TEXT NOT NULL,
    note_id        TEXT NOT NULL,
    sentence_index INTEGER NOT NULL,
    label          TEXT NOT NULL,
    start          INTEGER NOT NULL,
    "end"          INTEGER NOT NULL,
    text           TEXT NOT NULL,
    source         TEXT NOT NULL,
    rule_id        TEXT,
    score          REAL NOT NULL,
    context        TEXT,
    counted        INTEGER NOT NULL,
    explanation    TEXT,
    rewrite        TEXT,
    UNIQUE (record_id, note_id, label, start, "end", source),
    FOREIGN KEY (record_id, note_id, sentence_index) REFERENCES sentences (record_id, note_id, sentence_index)
);
CREATE INDEX flags_by_label ON flags (label, counted);

CREATE TABLE indicators (
    record_id                    TEXT PRIMARY KEY REFERENCES records (record_id),
    dv_present                   INTEGER NOT NULL,
    removal_threat               INTEGER NOT NULL,
    father_absent_record         INTEGER NOT NULL,
    perpetrator_invisible_record INTEGER NOT NULL,
    onus_ratio                   REAL NOT NULL,
    survivor_tasks               INTEGER NOT NULL,
    perpetrator_tasks            INTEGER NOT NULL,
    critical_components          TEXT NOT NULL,  -- JSON list
    label_counts                 TEXT NOT NULL,  -- JSON {label: sentences}
    evidence                     TEXT NOT NULL   -- JSON {indicator: [evidence, ...]}
);

CREATE TABLE placements (
    record_id TEXT PRIMARY KEY REFERENCES records (record_id),
    level     TEXT NOT NULL,
    rule_id   TEXT,
    rationale TEXT,
    evidence  TEXT NOT NULL  -- JSON [evidence, ...]
);
