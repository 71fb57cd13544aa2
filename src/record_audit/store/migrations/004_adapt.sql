-- Schema version 4: learning from review (issue 17). Both tables are append-only logs like
-- the decisions log.
-- miss_reviews: a reviewer read a sentence of the possible-misses queue; found = how many
-- flags they added to it (the flags themselves are 'add' decisions); seconds = time spent on it.
CREATE TABLE miss_reviews (
    miss_review_id INTEGER PRIMARY KEY,
    created_at     TEXT NOT NULL,
    reviewer       TEXT NOT NULL CHECK (length(trim(reviewer)) > 0),
    record_id      TEXT NOT NULL,
    note_id        TEXT NOT NULL,
    sentence_index INTEGER NOT NULL,
    rank           INTEGER,           -- its place in the queue when shown (1 = first)
    gain           REAL,              -- the queue's expected gain for it
    found          INTEGER NOT NULL DEFAULT 0,
    seconds        REAL
);
CREATE INDEX miss_reviews_by_sentence ON miss_reviews (record_id, note_id, sentence_index);
CREATE TRIGGER miss_reviews_append_only_update BEFORE UPDATE ON miss_reviews
BEGIN SELECT RAISE(ABORT, 'miss reviews are append-only'); END;
CREATE TRIGGER miss_reviews_append_only_delete BEFORE DELETE ON miss_reviews
BEGIN SELECT RAISE(ABORT, 'miss reviews are append-only'); END;

-- rule_events: an analyst accepted (possibly edited) or rejected a rule suggestion.
CREATE TABLE rule_events (
    rule_event_id INTEGER PRIMARY KEY,
    created_at    TEXT NOT NULL,
    analyst       TEXT NOT NULL CHECK (length(trim(analyst)) > 0),
    suggestion_id TEXT NOT NULL,
    action        TEXT NOT NULL CHECK (action IN ('accept', 'reject')),
    rule_id       TEXT,
    kind          TEXT,               -- lexicon, syntax, context, roles
    label         TEXT,
    path          TEXT,               -- the overlay file an accepted rule was written to
    decision_ids  TEXT NOT NULL,      -- JSON list: the review decisions it came from
    comment       TEXT
);
CREATE TRIGGER rule_events_append_only_update BEFORE UPDATE ON rule_events
BEGIN SELECT RAISE(ABORT, 'rule events are append-only'); END;
CREATE TRIGGER rule_events_append_only_delete BEFORE DELETE ON rule_events
BEGIN SELECT RAISE(ABORT, 'rule events are append-only'); END;
