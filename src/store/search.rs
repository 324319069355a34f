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

/// The text the full-text index holds for one message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchText {
    subject: String,
    addresses: Vec<String>,
    body: String,
    attachments: Vec<String>,
}

impl SearchText {
    /// The text of a parsed message: subject, addresses, body and attachment names.
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
    // journal_mode answers with the mode now in force.
    conn.query_row("PRAGMA search.journal_mode = WAL", [], |_| Ok(()))?;
    conn.execute_batch("PRAGMA search.synchronous = NORMAL")?;
    let version: i64 = conn.query_row("PRAGMA search.user_version", [], |row| row.get(0))?;
    let rebuild = if version != SEARCH_SCHEMA_VERSION {
        (version != 0).then_some("it was written by another version of Regmail")
    } else {
        // The same file name beside another store, or beside an older copy of this one,
        // holds entries this store does not have.
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
            Some("it holds messages the store does not")
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

/// A connection of its own to the index file, for a thread that indexes messages while an
/// import writes them.
pub struct SearchIndexer {
    conn: Connection,
}

impl SearchIndexer {
    /// Indexes `entries` (message id and text, in id order) in one transaction. Call it
    /// only once the messages' rows are committed.
    pub fn index(&mut self, entries: &[(i64, SearchText)]) -> Result<(), Error> {
        let tx = self.conn.transaction()?;
        insert_entries(&tx, entries)?;
        tx.commit()?;
        Ok(())
    }
}

fn insert_entries(tx: &Transaction<'_>, entries: &[(i64, SearchText)]) -> Result<(), Error> {
    for (id, text) in entries {
        insert_search_text(tx, *id, text)?;
    }
    if let Some(last) = entries.iter().map(|(id, _)| *id).max() {
        tx.execute(
            "UPDATE search_state SET indexed_through = max(indexed_through, ?1)",
            [last],
        )?;
    }
    Ok(())
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

/// Returns the highest message id the index holds every message up to.
pub(super) fn indexed_through(conn: &Connection) -> Result<i64, Error> {
    Ok(conn.query_row(
        "SELECT indexed_through FROM search.search_state WHERE id = 1",
        [],
        |row| row.get(0),
    )?)
}

/// Rebuilds the index entry of message `id` from what the store holds: the summary, the
/// attachment names and the content an S/MIME layer opened. Does nothing for a message the
/// index has not reached yet, or one that is deleted or quarantined.
pub(super) fn reindex(tx: &Transaction<'_>, id: i64) -> Result<(), Error> {
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
    if id <= indexed_through(tx)? {
        tx.execute("DELETE FROM messages_fts WHERE rowid = ?1", [id])?;
    }
    tx.execute(
        "INSERT OR IGNORE INTO search_deleted (message_id) VALUES (?1)",
        [id],
    )?;
    Ok(())
}

/// The index text of stored message `id`, or none for a deleted or quarantined message.
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
    /// Opens a connection of its own to the index file, for indexing on another thread
    /// during an import; returns `None` for an in-memory store, whose index only this
    /// connection can reach.
    pub fn search_indexer(&self) -> Result<Option<SearchIndexer>, Error> {
        if self.path.as_os_str() == ":memory:" {
            return Ok(None);
        }
        let file = search_path(&self.path);
        let conn = Connection::open(&file).map_err(|source| Error::Open { path: file, source })?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        Ok(Some(SearchIndexer { conn }))
    }

    /// Indexes `entries` (message id and text, in id order) on this connection.
    pub fn index_search(&mut self, entries: &[(i64, SearchText)]) -> Result<(), Error> {
        let tx = self.conn.transaction()?;
        insert_entries(&tx, entries)?;
        tx.commit()?;
        Ok(())
    }

    /// Brings the index up to date with the store: finishes deletions that reached only
    /// the store, restores entries whose deletion reached only the index, and indexes the
    /// messages above `indexed_through`. Returns the number of messages indexed.
    pub(super) fn catch_up_search(&mut self) -> Result<u64, Error> {
        let tx = self.conn.transaction()?;
        let through = indexed_through(&tx)?;
        let unfinished: Vec<i64> = tx
            .prepare(
                "SELECT message_id FROM message_deletions WHERE message_id <= ?1 \
                 EXCEPT SELECT message_id FROM search.search_deleted",
            )?
            .query_map([through], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        for id in unfinished {
            remove_deleted(&tx, id)?;
        }
        let restored: Vec<i64> = tx
            .prepare(
                "SELECT message_id FROM search.search_deleted \
                 EXCEPT SELECT message_id FROM message_deletions",
            )?
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        for id in restored {
            tx.execute(
                "DELETE FROM search.search_deleted WHERE message_id = ?1",
                [id],
            )?;
            reindex(&tx, id)?;
        }
        tx.commit()?;

        let last: i64 =
            self.conn
                .query_row("SELECT coalesce(max(id), 0) FROM messages", [], |row| {
                    row.get(0)
                })?;
        let mut indexed = 0u64;
        let mut from = through;
        while from < last {
            let to = (from + CATCH_UP_BATCH).min(last);
            let tx = self.conn.transaction()?;
            let ids: Vec<i64> = tx
                .prepare("SELECT id FROM messages WHERE id > ?1 AND id <= ?2 ORDER BY id")?
                .query_map([from, to], |row| row.get(0))?
                .collect::<Result<_, _>>()?;
            for id in ids {
                match stored_search_text(&tx, id)? {
                    Some(text) => {
                        insert_search_text(&tx, id, &text)?;
                        indexed += 1;
                    }
                    None => {
                        tx.execute(
                            "INSERT OR IGNORE INTO search.search_deleted (message_id) \
                             SELECT message_id FROM message_deletions WHERE message_id = ?1",
                            [id],
                        )?;
                    }
                }
            }
            tx.execute(
                "UPDATE search.search_state SET indexed_through = max(indexed_through, ?1)",
                [to],
            )?;
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
    fn removing_an_entry_never_indexed_keeps_the_index_sound() {
        let mut store = Store::open_in_memory().expect("store");
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
