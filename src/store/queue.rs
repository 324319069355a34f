//! The rows of the review queue: each message with its latest decision and open tasks.
//!
//! Ordering and filtering by due time need the business calendar, so they are left to
//! [`crate::sopp::queue`].

use std::collections::HashMap;

use rusqlite::{params_from_iter, Row};

use super::messages::{error_is_meant, literal_query, MessageDeletion};
use super::{Error, Store};
use crate::message::Mailbox;

/// One message as the queue needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueRecord {
    /// Store id.
    pub id: i64,
    /// Sender, as `Name <address>`.
    pub from: Option<String>,
    /// Decoded subject.
    pub subject: Option<String>,
    /// Receipt time, RFC 3339 UTC.
    pub received_at: Option<String>,
    /// `parsed` or `quarantined`; a deleted message keeps the status it was imported with,
    /// and `deleted` is set.
    pub status: String,
    /// The disposition of the latest decision, or none before the first triage.
    pub disposition: Option<String>,
    /// The latest decision's outcome as stored (JSON), or none.
    pub outcome_json: Option<String>,
    /// Open tasks of the message.
    pub open_tasks: Vec<OpenTask>,
    /// The deletion of the message's stored copy, if it was deleted.
    pub deleted: Option<MessageDeletion>,
}

/// An open task as the queue needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenTask {
    /// The action.
    pub title: String,
    /// Due time, RFC 3339 with offset, or none.
    pub due_at: Option<String>,
    /// The deadline policy of `due_at` (`close` or `elapsed`), or none.
    pub policy: Option<String>,
}

const QUEUE_SELECT: &str = "SELECT m.id, m.from_name, m.from_address, m.subject, m.received_at, \
     m.status, d.disposition, d.outcome_json, x.deleted_at, x.deleted_by, x.task_id, x.section \
     FROM messages m \
     LEFT JOIN (SELECT message_id, disposition, outcome_json, MAX(id) AS id \
                FROM decisions GROUP BY message_id) d ON d.message_id = m.id \
     LEFT JOIN message_deletions x ON x.message_id = m.id";

impl Store {
    /// Returns every message matching the FTS5 `search` (all messages when `None`) as a
    /// queue record, in no particular order.
    ///
    /// # Errors
    ///
    /// Returns [`Error::InvalidQuery`] when `search` is not valid FTS5 syntax even with its
    /// words quoted.
    pub fn queue_records(&self, search: Option<&str>) -> Result<Vec<QueueRecord>, Error> {
        let mut records = match search.map(str::trim).filter(|s| !s.is_empty()) {
            None => self.select_queue(&format!("{QUEUE_SELECT} ORDER BY m.id"), &[])?,
            Some(query) => {
                let sql = format!(
                    "{QUEUE_SELECT} WHERE m.id IN \
                     (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?1) ORDER BY m.id"
                );
                match self.select_queue(&sql, &[query.to_owned()]) {
                    // As in `list_messages`: `STN 125742/0` means the words literally, and
                    // the query's own error is reported only when `error_is_meant` returns true.
                    Err(Error::InvalidQuery { detail, .. }) if !query.contains('"') => {
                        match self.select_queue(&sql, &[literal_query(query)]) {
                            Ok(records)
                                if !records.is_empty() || !error_is_meant(query, &detail) =>
                            {
                                records
                            }
                            _ => {
                                return Err(Error::InvalidQuery {
                                    query: query.to_owned(),
                                    detail,
                                })
                            }
                        }
                    }
                    other => other?,
                }
            }
        };
        self.attach_open_tasks(&mut records)?;
        Ok(records)
    }

    /// Returns the queue records of the messages `ids`, in the order given; ids that are not
    /// stored are left out.
    pub fn queue_records_by_id(&self, ids: &[i64]) -> Result<Vec<QueueRecord>, Error> {
        let mut records = Vec::with_capacity(ids.len());
        // SQLite limits the parameters of one statement, so ask in chunks.
        for chunk in ids.chunks(500) {
            let placeholders = vec!["?"; chunk.len()].join(",");
            let sql = format!("{QUEUE_SELECT} WHERE m.id IN ({placeholders})");
            let params: Vec<String> = chunk.iter().map(i64::to_string).collect();
            records.extend(self.select_queue(&sql, &params)?);
        }
        let position: HashMap<i64, usize> =
            ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        records.sort_by_key(|record| position[&record.id]);
        self.attach_open_tasks(&mut records)?;
        Ok(records)
    }

    fn select_queue(&self, sql: &str, params: &[String]) -> Result<Vec<QueueRecord>, Error> {
        let mut statement = self.conn.prepare_cached(sql)?;
        let rows = statement
            .query_map(params_from_iter(params.iter()), queue_record)
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>());
        rows.map_err(|err| match err {
            rusqlite::Error::SqliteFailure(_, Some(detail)) if detail.contains("fts5") => {
                Error::InvalidQuery {
                    query: params.first().cloned().unwrap_or_default(),
                    detail,
                }
            }
            other => Error::Sqlite(other),
        })
    }

    fn attach_open_tasks(&self, records: &mut [QueueRecord]) -> Result<(), Error> {
        let mut statement = self.conn.prepare_cached(
            "SELECT message_id, title, due_at, policy FROM tasks WHERE status = 'open' ORDER BY id",
        )?;
        let mut by_message: HashMap<i64, Vec<OpenTask>> = HashMap::new();
        let rows = statement.query_map([], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                OpenTask {
                    title: row.get(1)?,
                    due_at: row.get(2)?,
                    policy: row.get(3)?,
                },
            ))
        })?;
        for row in rows {
            let (message_id, task) = row?;
            by_message.entry(message_id).or_default().push(task);
        }
        for record in records {
            if let Some(tasks) = by_message.remove(&record.id) {
                record.open_tasks = tasks;
            }
        }
        Ok(())
    }
}

fn queue_record(row: &Row<'_>) -> rusqlite::Result<QueueRecord> {
    let name: Option<String> = row.get(1)?;
    let address: Option<String> = row.get(2)?;
    let from = match (name, address) {
        (None, None) => None,
        (name, address) => Some(Mailbox { name, address }.to_string()),
    };
    Ok(QueueRecord {
        id: row.get(0)?,
        from,
        subject: row.get(3)?,
        received_at: row.get(4)?,
        status: row.get(5)?,
        disposition: row.get(6)?,
        outcome_json: row.get(7)?,
        open_tasks: Vec::new(),
        deleted: match row.get::<_, Option<String>>(8)? {
            Some(deleted_at) => Some(MessageDeletion {
                deleted_at,
                deleted_by: row.get(9)?,
                task_id: row.get(10)?,
                section: row.get(11)?,
            }),
            None => None,
        },
    })
}
