-- The SOPP 8119 procedure: the RPM directory, triage decisions with the answers on their
-- path, tasks, and the hash-chained audit log. Times are RFC 3339; due times keep the
-- America/New_York offset they are shown with.

CREATE TABLE rpm_directory (
    application      TEXT PRIMARY KEY,
    stn              TEXT NOT NULL,
    product          TEXT NOT NULL,
    sponsor          TEXT NOT NULL,
    sponsor_domains  TEXT NOT NULL DEFAULT '[]',
    rpm_name         TEXT NOT NULL,
    rpm_email        TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);

-- Answers the reviewer gave for a message; the latest per question is used when the
-- message is triaged again.
CREATE TABLE message_answers (
    message_id  INTEGER NOT NULL REFERENCES messages (id),
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,
    answered_by TEXT NOT NULL,
    answered_at TEXT NOT NULL,
    PRIMARY KEY (message_id, key)
);

-- One row per triage run. Rows are never deleted, even when the message is, because the
-- audit log refers to them.
CREATE TABLE decisions (
    id           INTEGER PRIMARY KEY,
    message_id   INTEGER NOT NULL,
    sopp         TEXT NOT NULL,
    disposition  TEXT NOT NULL,
    section      TEXT NOT NULL,
    outcome_json TEXT NOT NULL,
    decided_by   TEXT NOT NULL,
    decided_at   TEXT NOT NULL
);
CREATE INDEX decisions_message ON decisions (message_id);

-- The answer used at each step of a decision, inferred or given.
CREATE TABLE decision_answers (
    decision_id INTEGER NOT NULL REFERENCES decisions (id),
    position    INTEGER NOT NULL,
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,
    source      TEXT NOT NULL CHECK (source IN ('inferred', 'answered')),
    inferred    TEXT NOT NULL,
    answered_by TEXT,
    section     TEXT NOT NULL,
    PRIMARY KEY (decision_id, position)
);

CREATE TABLE tasks (
    id           INTEGER PRIMARY KEY,
    message_id   INTEGER NOT NULL,
    decision_id  INTEGER NOT NULL REFERENCES decisions (id),
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL,
    role         TEXT NOT NULL,
    section      TEXT NOT NULL,
    due_at       TEXT,
    warn_at      TEXT,
    status       TEXT NOT NULL CHECK (status IN ('open', 'done', 'cancelled')),
    created_at   TEXT NOT NULL,
    closed_at    TEXT,
    closed_by    TEXT,
    note         TEXT
);
-- A message has at most one open task of each kind; triaging again updates it.
CREATE UNIQUE INDEX tasks_open_kind ON tasks (message_id, kind) WHERE status = 'open';

CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    user       TEXT NOT NULL,
    action     TEXT NOT NULL,
    message_id INTEGER,
    task_id    INTEGER,
    section    TEXT,
    detail     TEXT NOT NULL,
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL
);

-- The application only appends. These triggers stop accidental changes; the hash chain
-- detects deliberate ones made around them.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
