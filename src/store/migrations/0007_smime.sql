-- S/MIME: trust anchors and CRLs the user chose, the reviewer's sealed private keys, the
-- verification and decryption result of each message, and the secure-partner registry of
-- senders whose signatures verified.

CREATE TABLE smime_trust (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('anchor', 'crl')),
    fingerprint TEXT NOT NULL UNIQUE,
    subject     TEXT NOT NULL,
    der         BLOB NOT NULL,
    added_at    TEXT NOT NULL
);

-- The private key is stored only sealed (AES-256-GCM under a scrypt key from the
-- reviewer's passphrase); the certificate is public.
CREATE TABLE smime_keys (
    id             INTEGER PRIMARY KEY,
    fingerprint    TEXT NOT NULL UNIQUE,
    subject        TEXT NOT NULL,
    addresses_json TEXT NOT NULL DEFAULT '[]',
    not_after      TEXT NOT NULL,
    cert_der       BLOB NOT NULL,
    sealed_json    TEXT NOT NULL,
    added_at       TEXT NOT NULL
);

CREATE TABLE smime_results (
    message_id   INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    verdict      TEXT NOT NULL,
    report_json  TEXT NOT NULL,
    content      BLOB,
    content_json TEXT,
    checked_at   TEXT NOT NULL
);

CREATE TABLE secure_partners (
    address     TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    subject     TEXT NOT NULL,
    not_after   TEXT NOT NULL,
    cert_der    BLOB NOT NULL,
    first_seen  TEXT NOT NULL,
    last_seen   TEXT NOT NULL,
    message_id  INTEGER REFERENCES messages (id) ON DELETE SET NULL,
    PRIMARY KEY (address, fingerprint)
);
