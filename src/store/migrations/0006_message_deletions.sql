-- Messages whose stored copy was deleted because the email was not accepted by email
-- (SOPP 8119 V.B.2.a.iii: "Such emails will be deleted from Outlook mailboxes after
-- contacting the sponsor/applicant to prevent inadvertent disclosure."). The content (raw
-- bytes, parsed fields, attachments rows, thread links and the full-text entry) is removed,
-- and the `messages` row stays as a tombstone with its id, SHA-256, size and origins, so
-- the audit log still points somewhere and importing the same bytes again adds nothing.

CREATE TABLE message_deletions (
    message_id INTEGER PRIMARY KEY REFERENCES messages (id),
    deleted_at TEXT NOT NULL,
    deleted_by TEXT NOT NULL,
    task_id    INTEGER NOT NULL REFERENCES tasks (id),
    section    TEXT NOT NULL
);
