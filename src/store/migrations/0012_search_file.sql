-- The full-text index moves to a file of its own beside the store, attached as `search`,
-- so that an import can index on a second connection while another writes messages. The
-- new index is built from the stored summaries when the store is next opened.
DROP TABLE IF EXISTS messages_fts;

-- A random id for this store, which the index file records, so that an index left from
-- another store (a database file deleted or replaced beside it) is rebuilt, not trusted.
CREATE TABLE store_identity (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    store_id TEXT NOT NULL
);
INSERT INTO store_identity (id, store_id) VALUES (1, lower(hex(randomblob(16))));
