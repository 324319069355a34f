//! Writing imported messages and reading them back.

use rusqlite::{params, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};

use super::{Error, Store};
use crate::mailbox::RawMessage;
use crate::message::{Attachment, Mailbox, Parsed, ParsedMessage};

/// A message ready to be written: its raw bytes with origin, their SHA-256 and the parse
/// result.
#[derive(Debug)]
pub struct NewMessage {
    /// The bytes as exported, with where they came from.
    pub raw: RawMessage,
    /// SHA-256 of `raw.bytes`, lowercase hex.
    pub sha256: String,
    /// The parse result.
    pub parsed: Parsed,
    /// `raw.bytes` in the form they are stored, packed on the reading thread so that the
    /// writing thread only writes.
    pub packed: super::PackedBytes,
}

/// The result of writing one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOutcome {
    /// A new message was stored.
    Imported {
        /// Its id.
        id: i64,
        /// Ids of stored messages with the same `Message-ID` but different bytes.
        same_message_id: Vec<i64>,
    },
    /// The bytes did not parse; they were stored raw and flagged.
    Quarantined {
        /// Its id.
        id: i64,
    },
    /// The same bytes were already stored; only the new origin was recorded.
    Duplicate {
        /// Id of the stored copy.
        id: i64,
    },
}

/// One row of a message listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageRow {
    /// Store id.
    pub id: i64,
    /// `Message-ID`.
    pub message_id: Option<String>,
    /// Sender, as `Name <address>`.
    pub from: Option<String>,
    /// Decoded subject.
    pub subject: Option<String>,
    /// `Date` as RFC 3339 with the original offset.
    pub date: Option<String>,
    /// Receipt time, RFC 3339 UTC.
    pub received_at: Option<String>,
    /// SHA-256 of the stored bytes.
    pub sha256: String,
    /// `parsed`, `quarantined`, or `deleted` once the stored copy was deleted.
    pub status: String,
}

/// A stored message with everything known about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredMessage {
    /// Store id.
    pub id: i64,
    /// SHA-256 of the stored bytes.
    pub sha256: String,
    /// Size of the stored bytes.
    pub size: u64,
    /// `parsed`, `quarantined`, or `deleted` once the stored copy was deleted.
    pub status: String,
    /// The reason for the quarantine.
    pub quarantine_reason: Option<String>,
    /// The places each copy was found.
    pub origins: Vec<StoredOrigin>,
    /// The parsed summary (empty fields for a quarantined or deleted message).
    pub parsed: ParsedMessage,
    /// When the message was first imported, RFC 3339 UTC.
    pub imported_at: String,
    /// The deletion of the stored copy, if it was deleted.
    pub deleted: Option<MessageDeletion>,
}

/// The deletion of a message's stored copy (SOPP 8119 V.B.2.a.iii).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageDeletion {
    /// When, RFC 3339 UTC.
    pub deleted_at: String,
    /// The user who completed the deleting task.
    pub deleted_by: String,
    /// The task whose completion deleted it.
    pub task_id: i64,
    /// The SOPP section the deletion applied.
    pub section: String,
}

/// One place a message was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredOrigin {
    /// File path.
    pub path: String,
    /// Byte offset in the file.
    pub offset: u64,
    /// Container format.
    pub format: String,
    /// mbox envelope line.
    pub envelope: Option<String>,
}

const LIST_COLUMNS: &str =
    "m.id, m.message_id, m.from_name, m.from_address, m.subject, m.date, m.received_at, m.sha256, \
     CASE WHEN EXISTS (SELECT 1 FROM message_deletions d WHERE d.message_id = m.id) \
     THEN 'deleted' ELSE m.status END";

/// Returns true when the error FTS5 gave for `query` is worth reporting even though its
/// words, quoted, find nothing. That is so when the query names a field that does not
/// exist (`subjet:potency` gives "no such column: subjet") or uses FTS5 operators
/// (parentheses, `*`, `^`, AND, OR, NOT, NEAR). Plain words with punctuation, such as
/// `STN 125742-0001` (which FTS5 reads as a column `0001`) or `sponsor's`, just find
/// nothing.
pub(super) fn error_is_meant(query: &str, detail: &str) -> bool {
    let names_field = detail
        .strip_prefix("no such column: ")
        .is_some_and(|column| {
            query
                .to_lowercase()
                .contains(&format!("{}:", column.to_lowercase()))
        });
    let uses_operators = query.contains(['(', ')', '*', '^'])
        || query
            .split_whitespace()
            .any(|word| matches!(word, "AND" | "OR" | "NOT" | "NEAR"));
    names_field || uses_operators
}

/// Quotes every word of `query` so FTS5 reads it as plain text.
pub(super) fn literal_query(query: &str) -> String {
    query
        .split_whitespace()
        .map(|word| format!("\"{}\"", word.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" ")
}

impl Store {
    /// Writes a batch of messages in one transaction and returns one outcome per message.
    pub fn write_messages(&mut self, batch: &[NewMessage]) -> Result<Vec<WriteOutcome>, Error> {
        let imported_at = jiff::Timestamp::now().to_string();
        let tx = self.conn.transaction()?;
        let mut outcomes = Vec::with_capacity(batch.len());
        for message in batch {
            outcomes.push(write_message(&tx, message, &imported_at)?);
        }
        tx.commit()?;
        Ok(outcomes)
    }

    /// Lists messages, newest receipt first, optionally filtered by an FTS5 query.
    ///
    /// # Errors
    ///
    /// Returns [`Error::EmptyQuery`] for a query of only white space, and
    /// [`Error::InvalidQuery`] for one that is not valid FTS5 syntax even with its words
    /// quoted.
    pub fn list_messages(
        &self,
        query: Option<&str>,
        limit: usize,
    ) -> Result<Vec<MessageRow>, Error> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = match query {
            None => {
                let sql = format!(
                    "SELECT {LIST_COLUMNS} FROM messages m ORDER BY m.received_at DESC, m.id DESC LIMIT ?1"
                );
                let mut stmt = self.conn.prepare_cached(&sql)?;
                let rows = stmt
                    .query_map([limit], message_row)?
                    .collect::<Result<Vec<_>, _>>()?;
                rows
            }
            Some(query) if query.trim().is_empty() => return Err(Error::EmptyQuery),
            Some(query) => match self.search_messages(query, limit) {
                // Text such as `STN 125742/0` is not valid FTS5 syntax; a reviewer means the
                // words literally, so retry with each word quoted. When that finds nothing
                // either, the error for the query as typed (an unknown column, say) is
                // returned.
                Err(Error::InvalidQuery { detail, .. }) if !query.contains('"') => {
                    match self.search_messages(&literal_query(query), limit) {
                        Ok(rows) if !rows.is_empty() || !error_is_meant(query, &detail) => rows,
                        _ => {
                            return Err(Error::InvalidQuery {
                                query: query.to_string(),
                                detail,
                            })
                        }
                    }
                }
                other => other?,
            },
        };
        Ok(rows)
    }

    fn search_messages(&self, query: &str, limit: i64) -> Result<Vec<MessageRow>, Error> {
        let sql = format!(
            "SELECT {LIST_COLUMNS} FROM messages_fts f JOIN messages m ON m.id = f.rowid \
             WHERE messages_fts MATCH ?1 ORDER BY f.rank LIMIT ?2"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let result = stmt
            .query_map(params![query, limit], message_row)
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>());
        result.map_err(|err| match err {
            rusqlite::Error::SqliteFailure(_, Some(detail)) => Error::InvalidQuery {
                query: query.to_string(),
                detail,
            },
            other => Error::Sqlite(other),
        })
    }

    /// Counts stored messages.
    pub fn message_count(&self) -> Result<u64, Error> {
        let count: i64 = self
            .conn
            .query_row("SELECT count(*) FROM messages", [], |row| row.get(0))?;
        Ok(count as u64)
    }

    /// Returns the original bytes of message `id`, exactly as imported.
    ///
    /// # Errors
    ///
    /// Returns [`Error::MessageDeleted`] when the stored copy was deleted, and
    /// [`Error::MessageNotFound`] when no message has this id.
    pub fn raw_message(&self, id: i64) -> Result<Vec<u8>, Error> {
        let stored: Option<(String, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT compression, bytes FROM message_raw WHERE message_id = ?1",
                [id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        if let Some((compression, data)) = stored {
            return super::raw::unpack(id, &compression, data);
        }
        match self.message_deletion(id)? {
            Some(deletion) => Err(Error::MessageDeleted {
                id,
                deleted_at: deletion.deleted_at,
                deleted_by: deletion.deleted_by,
                section: deletion.section,
            }),
            None => Err(Error::MessageNotFound { id }),
        }
    }

    /// Returns the deletion of message `id`'s stored copy, or none if it is kept.
    pub fn message_deletion(&self, id: i64) -> Result<Option<MessageDeletion>, Error> {
        Ok(self
            .conn
            .query_row(
                "SELECT deleted_at, deleted_by, task_id, section FROM message_deletions WHERE message_id = ?1",
                [id],
                |row| {
                    Ok(MessageDeletion {
                        deleted_at: row.get(0)?,
                        deleted_by: row.get(1)?,
                        task_id: row.get(2)?,
                        section: row.get(3)?,
                    })
                },
            )
            .optional()?)
    }

    /// Loads message `id` with its parsed summary, attachments, links and origins.
    pub fn message(&self, id: i64) -> Result<StoredMessage, Error> {
        let row = self
            .conn
            .query_row(
                "SELECT id, sha256, size, status, quarantine_reason, message_id, subject, from_name, \
                 from_address, to_json, cc_json, bcc_json, date, received_at, received_source, \
                 body_text, warnings_json, imported_at, references_json FROM messages WHERE id = ?1",
                [id],
                |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, i64>(2)?,
                        row.get::<_, String>(3)?,
                        row.get::<_, Option<String>>(4)?,
                        row.get::<_, Option<String>>(5)?,
                        row.get::<_, Option<String>>(6)?,
                        (row.get::<_, Option<String>>(7)?, row.get::<_, Option<String>>(8)?),
                        (row.get::<_, String>(9)?, row.get::<_, String>(10)?, row.get::<_, String>(11)?),
                        (row.get::<_, Option<String>>(12)?, row.get::<_, Option<String>>(13)?, row.get::<_, Option<String>>(14)?),
                        row.get::<_, String>(15)?,
                        (row.get::<_, String>(16)?, row.get::<_, String>(18)?),
                        row.get::<_, String>(17)?,
                    ))
                },
            )
            .optional()?
            .ok_or(Error::MessageNotFound { id })?;
        let (
            id,
            sha256,
            size,
            status,
            quarantine_reason,
            message_id,
            subject,
            from,
            addresses,
            dates,
            body_text,
            (warnings, references),
            imported_at,
        ) = row;

        let received_at = dates
            .1
            .as_deref()
            .and_then(|t| t.parse::<jiff::Timestamp>().ok());
        let parsed = ParsedMessage {
            message_id,
            subject,
            from: match from {
                (None, None) => None,
                (name, address) => Some(Mailbox { name, address }),
            },
            to: from_json("to_json", &addresses.0)?,
            cc: from_json("cc_json", &addresses.1)?,
            bcc: from_json("bcc_json", &addresses.2)?,
            date: dates.0,
            received_at,
            received_source: dates
                .2
                .as_deref()
                .and_then(crate::message::ReceiptSource::from_name),
            in_reply_to: self.links(id, "in-reply-to")?,
            references: from_json("references_json", &references)?,
            body_text,
            attachments: self.attachments(id)?,
            warnings: from_json("warnings_json", &warnings)?,
        };
        let deleted = self.message_deletion(id)?;
        Ok(StoredMessage {
            id,
            sha256,
            size: size as u64,
            status: if deleted.is_some() {
                "deleted".to_owned()
            } else {
                status
            },
            quarantine_reason,
            origins: self.origins(id)?,
            parsed,
            imported_at,
            deleted,
        })
    }

    fn links(&self, id: i64, kind: &str) -> Result<Vec<String>, Error> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT target FROM message_links WHERE message_id = ?1 AND kind = ?2 ORDER BY position")?;
        let links = stmt
            .query_map(params![id, kind], |row| row.get(0))?
            .collect::<Result<_, _>>()?;
        Ok(links)
    }

    fn attachments(&self, id: i64) -> Result<Vec<Attachment>, Error> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT name, mime_type, size, sha256 FROM attachments WHERE message_id = ?1 ORDER BY position",
        )?;
        let attachments = stmt
            .query_map([id], |row| {
                Ok(Attachment {
                    name: row.get(0)?,
                    mime_type: row.get(1)?,
                    size: row.get::<_, i64>(2)? as u64,
                    sha256: row.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(attachments)
    }

    fn origins(&self, id: i64) -> Result<Vec<StoredOrigin>, Error> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT path, offset, format, envelope FROM message_origins WHERE message_id = ?1 ORDER BY id",
        )?;
        let origins = stmt
            .query_map([id], |row| {
                Ok(StoredOrigin {
                    path: row.get(0)?,
                    offset: row.get::<_, i64>(1)? as u64,
                    format: row.get(2)?,
                    envelope: row.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok(origins)
    }
}

/// Deletes the content of message `id` inside `tx` and records `deletion`: the raw bytes,
/// the parsed fields, the attachments rows, the thread links and the full-text entry. The
/// `messages` row stays with its id, SHA-256, size, import time and origins. Returns the
/// number of attachments rows removed.
///
/// NOTE: the decisions and the audit log are not touched, so the evidence they recorded at
/// triage (identifiers, matched words, attachment names) outlives the deletion.
pub(super) fn delete_content(
    tx: &Transaction<'_>,
    id: i64,
    deletion: &MessageDeletion,
) -> Result<usize, Error> {
    tx.execute("DELETE FROM message_raw WHERE message_id = ?1", [id])?;
    let attachments = tx.execute("DELETE FROM attachments WHERE message_id = ?1", [id])?;
    tx.execute("DELETE FROM message_links WHERE message_id = ?1", [id])?;
    super::search::remove_deleted(tx, id)?;
    // Decrypted or unwrapped content is a copy of the message's content and goes with it;
    // the verification report stays as evidence.
    tx.execute(
        "UPDATE smime_results SET content = NULL, content_json = NULL WHERE message_id = ?1",
        [id],
    )?;
    tx.execute(
        "UPDATE messages SET message_id = NULL, subject = NULL, from_name = NULL, \
         from_address = NULL, to_json = '[]', cc_json = '[]', bcc_json = '[]', date = NULL, \
         received_at = NULL, received_source = NULL, body_text = '', warnings_json = '[]', \
         references_json = '[]' \
         WHERE id = ?1",
        [id],
    )?;
    tx.execute(
        "INSERT INTO message_deletions (message_id, deleted_at, deleted_by, task_id, section) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            id,
            deletion.deleted_at,
            deletion.deleted_by,
            deletion.task_id,
            deletion.section
        ],
    )?;
    Ok(attachments)
}

pub(super) fn from_json<T: serde::de::DeserializeOwned>(
    column: &'static str,
    text: &str,
) -> Result<T, Error> {
    serde_json::from_str(text).map_err(|source| Error::CorruptValue { column, source })
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain data serializes to JSON")
}

fn message_row(row: &Row<'_>) -> rusqlite::Result<MessageRow> {
    let name: Option<String> = row.get(2)?;
    let address: Option<String> = row.get(3)?;
    let from = match (name, address) {
        (None, None) => None,
        (name, address) => Some(Mailbox { name, address }.to_string()),
    };
    Ok(MessageRow {
        id: row.get(0)?,
        message_id: row.get(1)?,
        from,
        subject: row.get(4)?,
        date: row.get(5)?,
        received_at: row.get(6)?,
        sha256: row.get(7)?,
        status: row.get(8)?,
    })
}

fn write_message(
    tx: &Transaction<'_>,
    message: &NewMessage,
    imported_at: &str,
) -> Result<WriteOutcome, Error> {
    let existing: Option<i64> = tx
        .prepare_cached("SELECT id FROM messages WHERE sha256 = ?1")?
        .query_row([&message.sha256], |row| row.get(0))
        .optional()?;
    if let Some(id) = existing {
        insert_origin(tx, id, &message.raw)?;
        return Ok(WriteOutcome::Duplicate { id });
    }

    let bytes = &message.raw.bytes;
    let outcome = match &message.parsed {
        Parsed::Quarantined { reason } => {
            tx.prepare_cached(
                "INSERT INTO messages (sha256, size, status, quarantine_reason, imported_at) \
                 VALUES (?1, ?2, 'quarantined', ?3, ?4)",
            )?
            .execute(params![
                message.sha256,
                bytes.len() as i64,
                reason,
                imported_at
            ])?;
            WriteOutcome::Quarantined {
                id: tx.last_insert_rowid(),
            }
        }
        Parsed::Message(parsed) => {
            let id = insert_parsed(tx, message, parsed, imported_at)?;
            let same_message_id = match &parsed.message_id {
                Some(message_id) => tx
                    .prepare_cached("SELECT id FROM messages WHERE message_id = ?1 AND id <> ?2 ORDER BY id LIMIT 20")?
                    .query_map(params![message_id, id], |row| row.get(0))?
                    .collect::<Result<Vec<i64>, _>>()?,
                None => Vec::new(),
            };
            WriteOutcome::Imported {
                id,
                same_message_id,
            }
        }
    };
    let id = match outcome {
        WriteOutcome::Imported { id, .. }
        | WriteOutcome::Quarantined { id }
        | WriteOutcome::Duplicate { id } => id,
    };
    tx.prepare_cached(
        "INSERT INTO message_raw (message_id, compression, bytes) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![
        id,
        message.packed.compression(),
        message.packed.stored(&message.raw.bytes)
    ])?;
    insert_origin(tx, id, &message.raw)?;
    Ok(outcome)
}

fn insert_parsed(
    tx: &Transaction<'_>,
    message: &NewMessage,
    parsed: &ParsedMessage,
    imported_at: &str,
) -> Result<i64, Error> {
    let from = parsed.from.as_ref();
    tx.prepare_cached(
        "INSERT INTO messages (sha256, size, status, message_id, subject, from_name, from_address, \
         to_json, cc_json, bcc_json, date, received_at, received_source, body_text, warnings_json, imported_at, \
         references_json) \
         VALUES (?1, ?2, 'parsed', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?
    .execute(params![
        message.sha256,
        message.raw.bytes.len() as i64,
        parsed.message_id,
        parsed.subject,
        from.and_then(|f| f.name.as_deref()),
        from.and_then(|f| f.address.as_deref()),
        to_json(&parsed.to),
        to_json(&parsed.cc),
        to_json(&parsed.bcc),
        parsed.date,
        parsed.received_at.map(|t| t.to_string()),
        parsed.received_source.map(|s| s.as_str()),
        parsed.body_text,
        to_json(&parsed.warnings),
        imported_at,
        to_json(&parsed.references),
    ])?;
    let id = tx.last_insert_rowid();

    let mut attachment_stmt = tx.prepare_cached(
        "INSERT INTO attachments (message_id, position, name, mime_type, size, sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (position, attachment) in parsed.attachments.iter().enumerate() {
        attachment_stmt.execute(params![
            id,
            position as i64,
            attachment.name,
            attachment.mime_type,
            attachment.size as i64,
            attachment.sha256
        ])?;
    }

    let mut link_stmt = tx.prepare_cached(
        "INSERT INTO message_links (message_id, kind, position, target) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for (position, target) in parsed.in_reply_to.iter().enumerate() {
        link_stmt.execute(params![id, "in-reply-to", position as i64, target])?;
    }

    Ok(id)
}

fn insert_origin(tx: &Transaction<'_>, id: i64, raw: &RawMessage) -> Result<(), Error> {
    tx.prepare_cached(
        "INSERT OR IGNORE INTO message_origins (message_id, path, offset, format, envelope) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        id,
        raw.origin.path.to_string_lossy(),
        raw.origin.offset as i64,
        raw.origin.format.as_str(),
        raw.envelope
    ])?;
    Ok(())
}
