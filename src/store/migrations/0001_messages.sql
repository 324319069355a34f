-- Messages as imported: the parsed summary, the exact original bytes, where each copy was
-- found, attachments, thread links and the full-text index.

CREATE TABLE messages (
    id                INTEGER PRIMARY KEY,
    sha256            TEXT NOT NULL UNIQUE,
    size              INTEGER NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('parsed', 'quarantined')),
    quarantine_reason TEXT,
    message_id        TEXT,
    subject           TEXT,
    from_name         TEXT,
    from_address      TEXT,
    to_json           TEXT NOT NULL DEFAULT '[]',
    cc_json           TEXT NOT NULL DEFAULT '[]',
    bcc_json          TEXT NOT NULL DEFAULT '[]',
    date              TEXT,
    received_at       TEXT,
    received_source   TEXT,
    body_text         TEXT NOT NULL DEFAULT '',
    warnings_json     TEXT NOT NULL DEFAULT '[]',
    imported_at       TEXT NOT NULL
);
CREATE INDEX messages_message_id ON messages (message_id);
CREATE INDEX messages_received_at ON messages (received_at);

CREATE TABLE message_raw (
    message_id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    bytes      BLOB NOT NULL
);

CREATE TABLE message_origins (
    id         INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    path       TEXT NOT NULL,
    offset     INTEGER NOT NULL,
    format     TEXT NOT NULL,
    envelope   TEXT,
    UNIQUE (message_id, path, offset)
);

CREATE TABLE attachments (
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    name       TEXT,
    mime_type  TEXT NOT NULL,
    size       INTEGER NOT NULL,
    sha256     TEXT NOT NULL,
    PRIMARY KEY (message_id, position)
);

CREATE TABLE message_links (
    message_id INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('in-reply-to', 'references')),
    position   INTEGER NOT NULL,
    target     TEXT NOT NULL,
    PRIMARY KEY (message_id, kind, position)
);
CREATE INDEX message_links_target ON message_links (target);

CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    report_json TEXT
);

-- Contentless: the text lives in `messages`; the index holds only what search needs.
CREATE VIRTUAL TABLE messages_fts USING fts5 (
    subject, addresses, body, attachments,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
