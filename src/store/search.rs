//! The full-text index, kept in a database file of its own beside the store.
//!
//! The index is derived data: every entry can be rebuilt from the stored summaries. Keeping
//! it in its own file (`<store>-search`, attached to every connection as `search`) lets an
//! import index on a second connection, in parallel with the thread that writes messages,
//! because SQLite allows one writer per file. `search_state.indexed_through` records the
//! highest message id indexed: messages are indexed in id order and only after their rows
//! are committed, so after a crash or a deleted index file, [`Store::open`] indexes whatever
//! lies above it. Deletions are recorded in the index file too, so that one interrupted
//! between the two files is finished at the next open. The index file records the random
//! id of its store, so an index left beside a replaced database file is rebuilt.

use std::path::{Path, PathBuf};

use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::{Error, Store};
use crate::message::{Mailbox, ParsedMessage};

/// Version of the index schema. An index file of another version is emptied and rebuilt.
const SEARCH_SCHEMA_VERSION: i64 = 1;

const SEARCH_SCHEMA: &str = "
CREATE VIRTUAL TABLE search.messages_fts USING fts5 (
    subject, addresses, body, attachments,
    content = '', contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TABLE search.search_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    store_id        TEXT NOT NULL,
    indexed_through INTEGER NOT NULL
);
INSERT INTO search.search_state (id, store_id, indexed_through)
    SELECT 1, store_id, 0 FROM main.store_identity;
-- Messages whose stored copy was deleted and whose entry was removed from the index.
CREATE TABLE search.search_deleted (
    message_id INTEGER PRIMARY KEY
);
";

/// Messages indexed per transaction when the index catches up with the store.
const CATCH_UP_BATCH: i64 = 500;

/// Messages to catch up on past which a notice is logged at the default level.
const CATCH_UP_NOTICE: i64 = 2000;

/// The text the full-text index contains for one message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchText {
    subject: String,
    addresses: Vec<String>,
    body: String,
    attachments: Vec<String>,
}

impl SearchText {
    /// Returns the text of a parsed message: subject, addresses, body and attachment names.
    pub fn of(parsed: &ParsedMessage) -> Self {
        let mut text = SearchText::default();
        text.append(parsed);
        text
    }

    /// Adds the text of `parsed`, such as the content of an S/MIME layer, to what the
    /// outer message gave.
    pub fn append(&mut self, parsed: &ParsedMessage) {
        if let Some(subject) = parsed.subject.as_deref().filter(|s| *s != self.subject) {
            if !self.subject.is_empty() {
                self.subject.push('\n');
            }
            self.subject.push_str(subject);
        }
        for mailbox in parsed
            .from
            .iter()
            .chain(&parsed.to)
            .chain(&parsed.cc)
            .chain(&parsed.bcc)
        {
            let mailbox = mailbox.to_string();
            if !self.addresses.contains(&mailbox) {
                self.addresses.push(mailbox);
            }
        }
        if !parsed.body_text.is_empty() {
            if !self.body.is_empty() {
                self.body.push('\n');
            }
            self.body.push_str(&parsed.body_text);
        }
        self.attachments
            .extend(parsed.attachments.iter().filter_map(|a| a.name.clone()));
    }
}

/// Returns the path of the index file that belongs to the store at `store`.
pub fn search_path(store: &Path) -> PathBuf {
    let mut path = store.as_os_str().to_owned();
    path.push("-search");
    PathBuf::from(path)
}

/// Attaches the index file to `conn` as `search`, creating its schema when needed. An
/// index file of another version, of another store, or ahead of the store is emptied, and
/// opening the store then indexes every message again.
pub(super) fn attach(conn: &Connection, store: &Path) -> Result<(), Error> {
    let file = if store.as_os_str() == ":memory:" {
        PathBuf::from(":memory:")
    } else {
        search_path(store)
    };
    conn.execute(
        "ATTACH DATABASE ?1 AS search",
        [file.to_string_lossy().as_ref()],
    )
    .map_err(|source| Error::Open {
        path: file.clone(),
        source,
    })?;
    // PRAGMA journal_mode returns the mode now in force as a row.
    conn.query_row("PRAGMA search.journal_mode = WAL", [], |_| Ok(()))?;
    conn.execute_batch("PRAGMA search.synchronous = NORMAL")?;
    let version: i64 = conn.query_row("PRAGMA search.user_version", [], |row| row.get(0))?;
    let rebuild = if version != SEARCH_SCHEMA_VERSION {
        (version != 0).then_some("it was written by another version of Regmail")
    } else {
        // The same file name beside another store, or beside an older copy of this one,
        // contains entries this store does not have.
        let (same_store, ahead): (bool, bool) = conn.query_row(
            "SELECT s.store_id = i.store_id, \
             s.indexed_through > (SELECT coalesce(max(id), 0) FROM main.messages) \
             FROM search.search_state s, main.store_identity i",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        if !same_store {
            Some("it belongs to another store")
        } else if ahead {
            Some("it contains messages the store does not")
        } else {
            return Ok(());
        }
    };
    if let Some(reason) = rebuild {
        tracing::info!(index = %file.display(), reason, "rebuilding the search index");
    }
    conn.execute_batch(&format!(
        "BEGIN;
         DROP TABLE IF EXISTS search.messages_fts;
         DROP TABLE IF EXISTS search.search_state;
         DROP TABLE IF EXISTS search.search_deleted;
         {SEARCH_SCHEMA}
         PRAGMA search.user_version = {SEARCH_SCHEMA_VERSION};
         COMMIT;"
    ))?;
    Ok(())
}

/// A connection of its own to the store and its index file, for a thread that indexes
/// messages while an import writes them.
pub struct SearchIndexer {
    conn: Connection,
}

impl SearchIndexer {
    /// Indexes `entries` (message id and text, in id order) in one transaction. Call it
    /// only once the messages' rows are committed.
    pub fn index(&mut self, entries: &[(i64, SearchText)]) -> Result<(), Error> {
        let Some(&(last, _)) = entries.last() else {
            return Ok(());
        };
        let tx = self.conn.transaction()?;
        index_through(&tx, entries, last)?;
        tx.commit()?;
        Ok(())
    }
}

/// Takes the index file's write lock. It must come before anything else in the transaction
/// reads the file: a transaction that read an older snapshot could not write afterwards.
fn lock_index(tx: &Transaction<'_>) -> Result<(), Error> {
    tx.execute(
        "UPDATE search.search_state SET indexed_through = indexed_through WHERE id = 1",
        [],
    )?;
    Ok(())
}

/// Indexes every stored message above `indexed_through` up to id `last`, and moves the
/// mark to `last`. The text comes from `entries` (in id order) where given, else from the
/// store. Entries the mark has passed are skipped: another connection indexed them, such
/// as a store opened while this import ran. Returns the number of messages indexed.
fn index_through(
    tx: &Transaction<'_>,
    entries: &[(i64, SearchText)],
    last: i64,
) -> Result<u64, Error> {
    lock_index(tx)?;
    let from = indexed_through(tx)?;
    if last <= from {
        return Ok(0);
    }
    let ids: Vec<i64> = tx
        .prepare_cached("SELECT id FROM messages WHERE id > ?1 AND id <= ?2 ORDER BY id")?
        .query_map([from, last], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    let mut given = entries.iter().peekable();
    let mut indexed = 0;
    for id in ids {
        while given.next_if(|(entry, _)| *entry < id).is_some() {}
        let stored;
        let text = match given.next_if(|(entry, _)| *entry == id) {
            Some((_, text)) => Some(text),
            None => {
                stored = stored_search_text(tx, id)?;
                stored.as_ref()
            }
        };
        match text {
            Some(text) => {
                insert_search_text(tx, id, text)?;
                indexed += 1;
            }
            // Quarantined messages have no entry; deleted ones are recorded as removed.
            None => {
                tx.prepare_cached(
                    "INSERT OR IGNORE INTO search.search_deleted (message_id) \
                     SELECT message_id FROM message_deletions WHERE message_id = ?1",
                )?
                .execute([id])?;
            }
        }
    }
    tx.execute(
        "UPDATE search.search_state SET indexed_through = ?1 WHERE id = 1",
        [last],
    )?;
    Ok(indexed)
}

pub(super) fn insert_search_text(
    tx: &Transaction<'_>,
    id: i64,
    text: &SearchText,
) -> Result<(), Error> {
    tx.prepare_cached(
        "INSERT INTO messages_fts (rowid, subject, addresses, body, attachments) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        id,
        text.subject,
        text.addresses.join("\n"),
        text.body,
        text.attachments.join("\n"),
    ])?;
    Ok(())
}

/// Returns the mark below which every message is indexed: the highest id indexed in order.
pub(super) fn indexed_through(conn: &Connection) -> Result<i64, Error> {
    Ok(conn.query_row(
        "SELECT indexed_through FROM search.search_state WHERE id = 1",
        [],
        |row| row.get(0),
    )?)
}

/// Rebuilds the index entry of message `id` from what the store contains: the summary, the
/// attachment names and the content an S/MIME layer opened. Does nothing for a message the
/// index has not reached yet, or one that is deleted or quarantined.
pub(super) fn reindex(tx: &Transaction<'_>, id: i64) -> Result<(), Error> {
    lock_index(tx)?;
    if id > indexed_through(tx)? {
        return Ok(());
    }
    tx.execute("DELETE FROM messages_fts WHERE rowid = ?1", [id])?;
    if let Some(text) = stored_search_text(tx, id)? {
        insert_search_text(tx, id, &text)?;
    }
    Ok(())
}

/// Removes deleted message `id` from the index and records that it was removed.
pub(super) fn remove_deleted(tx: &Transaction<'_>, id: i64) -> Result<(), Error> {
    lock_index(tx)?;
    if id <= indexed_through(tx)? {
        tx.execute("DELETE FROM messages_fts WHERE rowid = ?1", [id])?;
    }
    tx.execute(
        "INSERT OR IGNORE INTO search_deleted (message_id) VALUES (?1)",
        [id],
    )?;
    Ok(())
}

/// Returns the index text of stored message `id`, or none for a deleted or quarantined
/// message.
fn stored_search_text(tx: &Transaction<'_>, id: i64) -> Result<Option<SearchText>, Error> {
    let row = tx
        .prepare_cached(
            "SELECT subject, from_name, from_address, to_json, cc_json, bcc_json, body_text, \
             (SELECT content_json FROM smime_results s WHERE s.message_id = messages.id) \
             FROM messages WHERE id = ?1 AND status = 'parsed' \
             AND NOT EXISTS (SELECT 1 FROM message_deletions d WHERE d.message_id = messages.id)",
        )?
        .query_row([id], |row| {
            Ok((
                row.get::<_, Option<String>>(0)?,
                (
                    row.get::<_, Option<String>>(1)?,
                    row.get::<_, Option<String>>(2)?,
                ),
                [
                    ("to_json", row.get::<_, String>(3)?),
                    ("cc_json", row.get::<_, String>(4)?),
                    ("bcc_json", row.get::<_, String>(5)?),
                ],
                row.get::<_, String>(6)?,
                row.get::<_, Option<String>>(7)?,
            ))
        })
        .optional()?;
    let Some((subject, (from_name, from_address), recipients, body, inner)) = row else {
        return Ok(None);
    };
    let from = (from_name.is_some() || from_address.is_some()).then_some(Mailbox {
        name: from_name,
        address: from_address,
    });
    let mut addresses: Vec<String> = from.iter().map(Mailbox::to_string).collect();
    for (column, json) in &recipients {
        let mailboxes: Vec<Mailbox> = super::messages::from_json(column, json)?;
        addresses.extend(mailboxes.iter().map(Mailbox::to_string));
    }
    let attachments = tx
        .prepare_cached(
            "SELECT name FROM attachments WHERE message_id = ?1 AND name IS NOT NULL ORDER BY position",
        )?
        .query_map([id], |row| row.get(0))?
        .collect::<Result<Vec<String>, _>>()?;
    let mut text = SearchText {
        subject: subject.unwrap_or_default(),
        addresses,
        body,
        attachments,
    };
    if let Some(inner) = inner {
        let inner: ParsedMessage =
            super::messages::from_json("smime_results.content_json", &inner)?;
        text.append(&inner);
    }
    Ok(Some(text))
}

impl Store {
    /// Opens a connection of its own to the store and its index file, for indexing on
    /// another thread during an import. Returns `None` for an in-memory store, because
    /// only this connection can reach its index.
    pub fn search_indexer(&self) -> Result<Option<SearchIndexer>, Error> {
        if self.path.as_os_str() == ":memory:" {
            return Ok(None);
        }
        let conn = Connection::open(&self.path).map_err(|source| Error::Open {
            path: self.path.clone(),
            source,
        })?;
        super::configure(&conn)?;
        attach(&conn, &self.path)?;
        Ok(Some(SearchIndexer { conn }))
    }

    /// Indexes `entries` (message id and text, in id order) on this connection.
    pub fn index_search(&mut self, entries: &[(i64, SearchText)]) -> Result<(), Error> {
        let Some(&(last, _)) = entries.last() else {
            return Ok(());
        };
        let tx = self.conn.transaction()?;
        index_through(&tx, entries, last)?;
        tx.commit()?;
        Ok(())
    }

    /// Brings the index up to date with the store: finishes deletions that reached only
    /// the store, restores entries whose deletion reached only the index, and indexes the
    /// messages above `indexed_through`. Returns the number of messages indexed.
    pub(super) fn catch_up_search(&mut self) -> Result<u64, Error> {
        const UNFINISHED: &str = "SELECT message_id FROM message_deletions \
             WHERE message_id <= (SELECT indexed_through FROM search.search_state) \
             EXCEPT SELECT message_id FROM search.search_deleted";
        const RESTORED: &str = "SELECT message_id FROM search.search_deleted \
             EXCEPT SELECT message_id FROM message_deletions";
        let ids = |conn: &Connection, sql: &str| -> Result<Vec<i64>, Error> {
            Ok(conn
                .prepare(sql)?
                .query_map([], |row| row.get(0))?
                .collect::<Result<_, _>>()?)
        };
        // Checked before any write, so that opening a store that needs nothing writes
        // nothing.
        if !ids(&self.conn, UNFINISHED)?.is_empty() || !ids(&self.conn, RESTORED)?.is_empty() {
            let tx = self.conn.transaction()?;
            lock_index(&tx)?;
            for id in ids(&tx, UNFINISHED)? {
                remove_deleted(&tx, id)?;
            }
            for id in ids(&tx, RESTORED)? {
                tx.execute(
                    "DELETE FROM search.search_deleted WHERE message_id = ?1",
                    [id],
                )?;
                reindex(&tx, id)?;
            }
            tx.commit()?;
        }

        let (mut from, last): (i64, i64) = self.conn.query_row(
            "SELECT (SELECT indexed_through FROM search.search_state), \
             (SELECT coalesce(max(id), 0) FROM messages)",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        if last - from > CATCH_UP_NOTICE {
            // Shown by default: a rebuilt index of many messages takes seconds.
            tracing::warn!(
                messages = last - from,
                index = %search_path(&self.path).display(),
                "indexing messages for search, because the index file was missing or behind"
            );
        }
        let mut indexed = 0;
        while from < last {
            let to = (from + CATCH_UP_BATCH).min(last);
            let tx = self.conn.transaction()?;
            indexed += index_through(&tx, &[], to)?;
            tx.commit()?;
            from = to;
        }
        if indexed > 0 {
            tracing::info!(indexed, "search index brought up to date");
        }
        Ok(indexed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(subject: &str, body: &str) -> SearchText {
        SearchText {
            subject: subject.to_string(),
            body: body.to_string(),
            ..SearchText::default()
        }
    }

    #[test]
    fn removing_unindexed_entry_is_harmless() {
        let mut store = Store::open_in_memory().expect("store");
        store
            .conn
            .execute_batch(
                "INSERT INTO messages (id, sha256, size, status, imported_at) VALUES \
                 (1, 'a', 1, 'parsed', 'now'), (2, 'b', 1, 'quarantined', 'now'), \
                 (3, 'c', 1, 'parsed', 'now');",
            )
            .expect("messages");
        store
            .index_search(&[(1, text("Potency", "assay")), (3, text("Stability", "lot"))])
            .expect("index");
        assert_eq!(indexed_through(&store.conn).expect("state"), 3);
        let tx = store.conn.transaction().expect("tx");
        // Id 2 was never indexed (a quarantined message, say).
        remove_deleted(&tx, 2).expect("remove 2");
        remove_deleted(&tx, 3).expect("remove 3");
        tx.commit().expect("commit");
        store
            .conn
            .execute(
                "INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')",
                [],
            )
            .expect("index integrity");
        let ids = |query: &str| -> Vec<i64> {
            store
                .conn
                .prepare("SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?1")
                .expect("prepare")
                .query_map([query], |row| row.get(0))
                .expect("query")
                .collect::<Result<_, _>>()
                .expect("rows")
        };
        let cases: &[(&str, &[i64])] = &[("potency", &[1]), ("stability", &[]), ("lot", &[])];
        for (query, expected) in cases {
            assert_eq!(ids(query), *expected, "query {query}");
        }
        let recorded: i64 = store
            .conn
            .query_row("SELECT count(*) FROM search_deleted", [], |row| row.get(0))
            .expect("count");
        assert_eq!(recorded, 2, "both deletions recorded");
    }

    #[test]
    fn index_fills_gaps_skips_indexed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("regmail.db");
        let store = Store::open(&db).expect("open");
        store
            .conn
            .execute_batch(
                "INSERT INTO messages (id, sha256, size, status, subject, imported_at) VALUES \
                 (1, 'a', 1, 'parsed', 'Potency assay', 'now'), \
                 (2, 'b', 1, 'parsed', 'Stability lot', 'now'), \
                 (3, 'c', 1, 'parsed', 'Potency lot', 'now');",
            )
            .expect("messages");
        let mut indexer = store
            .search_indexer()
            .expect("indexer")
            .expect("file store");
        // Message 1 was committed by another import whose entries never came: its text is
        // taken from the store.
        indexer
            .index(&[(2, text("Stability lot", "")), (3, text("Potency lot", ""))])
            .expect("index");
        // A store opened meanwhile finds nothing to catch up; entries sent again, as by an
        // import whose batch another connection already indexed, are skipped.
        let mut other = Store::open(&db).expect("open again");
        assert_eq!(other.catch_up_search().expect("catch up"), 0);
        indexer
            .index(&[(1, text("Potency assay", "")), (3, text("Potency lot", ""))])
            .expect("index again");
        let cases: &[(&str, &[i64])] = &[("potency", &[1, 3]), ("lot", &[2, 3]), ("assay", &[1])];
        for (query, expected) in cases {
            let mut ids: Vec<i64> = other
                .list_messages(Some(query), 10)
                .expect("search")
                .iter()
                .map(|row| row.id)
                .collect();
            ids.sort();
            assert_eq!(ids, *expected, "query {query}: one row per message");
        }
    }

    #[test]
    fn index_path_sits_beside_the_store() {
        let cases = [
            (
                "/data/regmail/regmail.db",
                "/data/regmail/regmail.db-search",
            ),
            ("store", "store-search"),
        ];
        for (store, expected) in cases {
            assert_eq!(
                search_path(Path::new(store)),
                PathBuf::from(expected),
                "{store}"
            );
        }
    }
}
