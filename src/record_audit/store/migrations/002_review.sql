-- Schema version 2: QA review. Decisions, assignments and overrides are append-only
-- logs (undo is a new event); the current state is derived from them. Flags are named by
-- their natural key (record, note, sentence, label, offsets, source), so re-auditing a
-- record never orphans a decision.
CREATE TABLE decisions (
    decision_id      INTEGER PRIMARY KEY,
    created_at       TEXT NOT NULL,
    reviewer         TEXT NOT NULL,
    kind             TEXT NOT NULL DEFAULT 'review' CHECK (kind IN ('review', 'adjudication')),
    record_id        TEXT NOT NULL,
    note_id          TEXT NOT NULL,
    sentence_index   INTEGER NOT NULL,
    flag_label       TEXT,
    flag_start       INTEGER,
    flag_end         INTEGER,
    flag_source      TEXT,
    decision         TEXT NOT NULL CHECK (decision IN ('accept', 'reject', 'relabel', 'add', 'undo')),
    reason           TEXT CHECK (reason IS NULL OR reason IN
                         ('wrong_role', 'negated', 'reported', 'hypothetical', 'not_dv', 'wrong_label', 'other')),
    new_label        TEXT,
    comment          TEXT,
    teaching_example INTEGER NOT NULL DEFAULT 0,
    undoes           INTEGER REFERENCES decisions (decision_id)
);
CREATE INDEX decisions_by_target ON decisions (record_id, note_id, sentence_index);
CREATE INDEX decisions_by_reviewer ON decisions (reviewer, decision_id);
CREATE TRIGGER decisions_append_only_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only: record an undo instead'); END;
CREATE TRIGGER decisions_append_only_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are append-only: record an undo instead'); END;

CREATE TABLE assignments (
    record_id  TEXT NOT NULL,
    reviewer   TEXT NOT NULL,
    blind      INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    PRIMARY KEY (record_id, reviewer)
);

CREATE TABLE overrides (
    override_id INTEGER PRIMARY KEY,
    created_at  TEXT NOT NULL,
    reviewer    TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    level       TEXT,            -- NULL withdraws the record's latest override
    reason      TEXT NOT NULL CHECK (length(trim(reason)) > 0)
);
CREATE TRIGGER overrides_append_only_update BEFORE UPDATE ON overrides
BEGIN SELECT RAISE(ABORT, 'overrides are append-only'); END;
CREATE TRIGGER overrides_append_only_delete BEFORE DELETE ON overrides
BEGIN SELECT RAISE(ABORT, 'overrides are append-only'); END;
