-- Outgoing regulatory email (SOPP 8119 V.A, V.C, VII.B): the secure-partner registry also
-- holds entries imported from a verified list, and every exported draft is kept as the
-- record copy (IV.E).

-- The registry is rebuilt so that one table holds both kinds of entry: certificates of
-- verified signers (`signed-mail`, an address with method `smime`) and imported entries
-- (`import`, a domain with method `tls` or an address with method `smime`). An imported
-- entry has no certificate, and its fingerprint is the empty string so that the primary
-- key still applies.
CREATE TABLE secure_partners_new (
    entry       TEXT NOT NULL,
    method      TEXT NOT NULL CHECK (method IN ('smime', 'tls')),
    source      TEXT NOT NULL CHECK (source IN ('signed-mail', 'import')),
    fingerprint TEXT NOT NULL DEFAULT '',
    subject     TEXT,
    not_after   TEXT,
    cert_der    BLOB,
    verified_on TEXT,
    first_seen  TEXT NOT NULL,
    last_seen   TEXT NOT NULL,
    message_id  INTEGER REFERENCES messages (id) ON DELETE SET NULL,
    added_by    TEXT,
    PRIMARY KEY (entry, method, source, fingerprint),
    CHECK ((source = 'signed-mail') = (cert_der IS NOT NULL))
);
INSERT INTO secure_partners_new
    (entry, method, source, fingerprint, subject, not_after, cert_der, first_seen, last_seen, message_id)
    SELECT address, 'smime', 'signed-mail', fingerprint, subject, not_after, cert_der,
           first_seen, last_seen, message_id
    FROM secure_partners;
DROP TABLE secure_partners;
ALTER TABLE secure_partners_new RENAME TO secure_partners;

-- One row per exported draft. `bytes` are the exact bytes written to the .eml file and
-- `sha256` their hash.
CREATE TABLE drafts (
    id                 INTEGER PRIMARY KEY,
    message_id         INTEGER REFERENCES messages (id) ON DELETE SET NULL,
    template           TEXT,
    template_version   INTEGER,
    subject            TEXT NOT NULL,
    from_address       TEXT NOT NULL,
    to_json            TEXT NOT NULL,
    cc_json            TEXT NOT NULL,
    bcc_json           TEXT NOT NULL,
    stn                TEXT,
    exception          TEXT,
    communication_type TEXT NOT NULL CHECK (communication_type IN ('email', 'telecon')),
    cer_upload         INTEGER NOT NULL CHECK (cer_upload IN (0, 1)),
    warnings_json      TEXT NOT NULL DEFAULT '[]',
    rfc_message_id     TEXT NOT NULL,
    sha256             TEXT NOT NULL,
    bytes              BLOB NOT NULL,
    exported_path      TEXT,
    created_by         TEXT NOT NULL,
    created_at         TEXT NOT NULL
);
CREATE INDEX drafts_message ON drafts (message_id);
