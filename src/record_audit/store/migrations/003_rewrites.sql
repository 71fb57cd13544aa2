-- Schema version 3: trainers' rewrites. A trainer's example-specific, perpetrator
-- pattern-based rewrite of a reviewed flag, carried by the gallery's handouts. Append-only
-- like the decisions log: the latest row per flag stands, an empty text withdraws it. Flags
-- are named by the same natural key as decisions, so re-auditing never orphans a rewrite.
CREATE TABLE rewrites (
    rewrite_id     INTEGER PRIMARY KEY,
    created_at     TEXT NOT NULL,
    trainer        TEXT NOT NULL CHECK (length(trim(trainer)) > 0),
    record_id      TEXT NOT NULL,
    note_id        TEXT NOT NULL,
    sentence_index INTEGER NOT NULL,
    flag_label     TEXT NOT NULL,
    flag_start     INTEGER NOT NULL,
    flag_end       INTEGER NOT NULL,
    flag_source    TEXT NOT NULL,
    text           TEXT NOT NULL
);
CREATE INDEX rewrites_by_flag ON rewrites (record_id, note_id, sentence_index);
CREATE TRIGGER rewrites_append_only_update BEFORE UPDATE ON rewrites
BEGIN SELECT RAISE(ABORT, 'rewrites are append-only: save a new rewrite instead'); END;
CREATE TRIGGER rewrites_append_only_delete BEFORE DELETE ON rewrites
BEGIN SELECT RAISE(ABORT, 'rewrites are append-only: save a new rewrite instead'); END;
