//! The local SQLite store: one file holding every imported message byte for byte, its
//! parsed summary, and the SOPP 8119 decisions, tasks and audit log, plus a second file
//! beside it (`<store>-search`) holding the full-text index, which is rebuilt from the
//! first when missing.
//!
//! The store owns the schema and all SQL. It opens in WAL mode with foreign keys on, so
//! an import killed at any point leaves the last committed batch intact and a rerun
//! completes it (messages are deduplicated on the SHA-256 of their bytes).

mod closures;
mod desktop;
mod drafts;
mod messages;
mod migrations;
mod queue;
mod raw;
mod search;
mod settings;
mod smime;
mod sopp;

use std::path::{Path, PathBuf};

use rusqlite::Connection;

pub use desktop::AlertRow;
pub use drafts::{NewRecordCopy, RecordCopy, SettingError};
pub use messages::{MessageDeletion, MessageRow, NewMessage, StoredMessage, WriteOutcome};
pub use migrations::SCHEMA_VERSION;
pub use queue::{OpenTask, QueueRecord};
pub use raw::{pack, PackedBytes};
pub use search::{search_path, SearchIndexer, SearchText};
pub use settings::{SettingKey, SettingValue};
pub use smime::{verdict_name, SecurePartner, StoredKey, StoredSmime, TrustEntry};
pub use sopp::{
    DeletionState, Prerequisite, SavedTriage, StoredAnswer, TaskCompletion, TaskRow, TriageRecord,
};

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// SQLite failed.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database file or its folder could not be created.
    #[error("cannot create the database folder {path}: {source}")]
    CreateDir {
        /// The folder.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The database could not be opened.
    #[error(
        "cannot open the database {path}: {source}; check the path given by --db or REGMAIL_DB"
    )]
    Open {
        /// The database path.
        path: PathBuf,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// The database was written by a newer Regmail.
    #[error("the database has schema version {found}, newer than this Regmail supports ({supported}); upgrade Regmail")]
    NewerSchema {
        /// Version found in the file.
        found: i64,
        /// Newest version this build supports.
        supported: i64,
    },
    /// Stored original bytes could not be unpacked.
    #[error("the stored bytes of message {id} are corrupt ({detail}); restore the database from a backup")]
    CorruptRaw {
        /// The message id.
        id: i64,
        /// What failed.
        detail: String,
    },
    /// No message has this id.
    #[error("no message with id {id}; run `regmail list` to see message ids")]
    MessageNotFound {
        /// The id asked for.
        id: i64,
    },
    /// The message's stored copy was deleted; only its tombstone remains.
    #[error("message {id} was deleted under SOPP 8119 {section} on {deleted_at} by {deleted_by}; only its record (id, SHA-256, origins) and the audit log remain")]
    MessageDeleted {
        /// The message id.
        id: i64,
        /// When it was deleted, RFC 3339 UTC.
        deleted_at: String,
        /// The user who deleted it.
        deleted_by: String,
        /// The SOPP section the deletion applied.
        section: String,
    },
    /// The task must wait for other tasks of the same message.
    #[error("task {id} ({kind}, SOPP 8119 {section}) cannot be completed before {waiting_for} of message {message_id} is done; complete that first")]
    TaskOutOfOrder {
        /// The task id.
        id: i64,
        /// The task kind.
        kind: String,
        /// The task's SOPP section.
        section: String,
        /// The message.
        message_id: i64,
        /// The tasks still to be done, as `task 11 (acknowledge-and-redirect)`, or the
        /// kind alone when the message has no such task.
        waiting_for: String,
    },
    /// The task would delete the stored copy, but the message's latest triage rests on
    /// inferences the reviewer has not confirmed.
    #[error("task {id} ({kind}) deletes the stored copy of message {message_id}, but its latest triage left {questions} unconfirmed; answer each with `regmail triage {message_id} --answer KEY=VALUE` (for example `--answer kind=unsolicited`) first")]
    UnconfirmedDecision {
        /// The task id.
        id: i64,
        /// The task kind.
        kind: String,
        /// The message.
        message_id: i64,
        /// The open questions, comma-separated.
        questions: String,
    },
    /// The full-text query has no words.
    #[error("the search is empty; give at least one word to search for, or use `regmail list` to see every message")]
    EmptyQuery,
    /// The full-text query is not valid FTS5 syntax.
    #[error("invalid search query {query:?}: {detail}; put words in double quotes to search for them literally, and name only the fields subject, addresses, body and attachments")]
    InvalidQuery {
        /// The query as given.
        query: String,
        /// SQLite's description of the problem.
        detail: String,
    },
    /// A stored calendar closure could not be read back.
    #[error("corrupt closure {id} in the database: invalid {column} {value:?}")]
    CorruptClosure {
        /// The row id.
        id: i64,
        /// The column.
        column: &'static str,
        /// The stored text.
        value: String,
    },
    /// A stored calendar closure breaks a rule of the calendar, such as an empty window.
    #[error("invalid closure {id} in the database")]
    InvalidClosure {
        /// The row id.
        id: i64,
        /// The calendar's error.
        #[source]
        source: crate::calendar::Error,
    },
    /// No task has this id.
    #[error("no task with id {id}; run `regmail tasks` to see open task ids")]
    TaskNotFound {
        /// The id asked for.
        id: i64,
    },
    /// The task is already done or cancelled.
    #[error("task {id} is already {status}; only open tasks can be completed")]
    TaskClosed {
        /// The task id.
        id: i64,
        /// Its status.
        status: String,
    },
    /// The task records a decision, and none was given.
    #[error("task {id} ({kind}) requires a resolution; give one with --resolution: {expected}")]
    ResolutionRequired {
        /// The task id.
        id: i64,
        /// The task kind.
        kind: String,
        /// The accepted values, comma-separated.
        expected: String,
    },
    /// The resolution is not one the task offers.
    #[error("invalid resolution {value:?} for task {id} ({kind}); expected one of: {expected}")]
    InvalidResolution {
        /// The task id.
        id: i64,
        /// The task kind.
        kind: String,
        /// The value given.
        value: String,
        /// The accepted values, comma-separated.
        expected: String,
    },
    /// A resolution was given for a task that records no decision.
    #[error("task {id} ({kind}) records no decision; complete it without --resolution")]
    ResolutionNotAccepted {
        /// The task id.
        id: i64,
        /// The task kind.
        kind: String,
    },
    /// A value that the setting does not accept.
    #[error("invalid value {value:?} for setting {key}; expected one of: {expected}")]
    InvalidSetting {
        /// The setting's name.
        key: &'static str,
        /// The value given.
        value: String,
        /// The accepted values, comma-separated.
        expected: String,
    },
    /// A stored setting of drafting does not fit its setting.
    #[error("corrupt stored setting; set it again with `regmail settings set`")]
    CorruptSetting {
        /// Why the value does not fit.
        #[source]
        source: crate::drafts::settings::InvalidSetting,
    },
    /// A row of the secure-partner registry cannot be read.
    #[error("corrupt secure-partner entry {entry:?} in the database: {detail}")]
    CorruptPartner {
        /// The entry.
        entry: String,
        /// What is wrong.
        detail: String,
    },
    /// No record copy has this id.
    #[error("no record copy with id {id}; run `regmail records` to see record copy ids")]
    RecordCopyNotFound {
        /// The id asked for.
        id: i64,
    },
    /// A stored JSON column could not be read.
    #[error("corrupt stored value in column {column}: {source}")]
    CorruptValue {
        /// The column.
        column: &'static str,
        /// The JSON error.
        #[source]
        source: serde_json::Error,
    },
}

/// The Regmail database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Returns the default database location: `regmail/regmail.db` in the platform data folder
    /// (`~/.local/share` on Linux, `~/Library/Application Support` on macOS, `%APPDATA%`
    /// on Windows).
    pub fn default_path() -> PathBuf {
        dirs::data_dir()
            .unwrap_or_else(|| PathBuf::from("."))
            .join("regmail")
            .join("regmail.db")
    }

    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    pub fn open(path: &Path) -> Result<Self, Error> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| Error::CreateDir {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let conn = Connection::open(path).map_err(|source| Error::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Self::setup(conn, path.to_path_buf())
    }

    /// Opens a private in-memory database, for tests.
    pub fn open_in_memory() -> Result<Self, Error> {
        Self::setup(Connection::open_in_memory()?, PathBuf::from(":memory:"))
    }

    fn setup(mut conn: Connection, path: PathBuf) -> Result<Self, Error> {
        configure(&conn)?;
        // 16 KiB pages hold a typical message in one or two pages instead of a chain of
        // overflow pages. The size applies only to a new, empty database file.
        conn.pragma_update(None, "page_size", 16384)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // Checkpoint every 8192 pages (128 MiB) instead of SQLite's 1000: an import then
        // copies the WAL into the database in long sequential runs, and the file is cut
        // back to 64 MiB afterwards.
        conn.pragma_update(None, "wal_autocheckpoint", AUTO_CHECKPOINT_PAGES)?;
        conn.pragma_update(None, "journal_size_limit", 64 * 1024 * 1024)?;
        migrations::migrate(&mut conn)?;
        search::attach(&conn, &path)?;
        let mut store = Store { conn, path };
        store.catch_up_search()?;
        Ok(store)
    }

    /// Returns the database file path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Returns the underlying connection, for modules that own their own tables.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Returns the underlying connection mutably, for transactions.
    pub fn connection_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

/// Sets what every connection to a store needs, the store's own and those of the threads
/// that help an import.
fn configure(conn: &Connection) -> Result<(), Error> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    // Keep each prepared statement's plan. Without this, the bundled SQLite (built with
    // STAT4) prepares a statement again whenever a value bound to an indexed column
    // changes, which the import does for every message.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    // NORMAL in WAL mode survives a killed process; only a power loss can drop the last
    // transactions, never corrupt the file.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    Ok(())
}

/// Copies the write-ahead log into the database file on a connection of its own while an
/// import writes, so that the writing thread does not stop for checkpoints.
pub struct Checkpointer {
    conn: Connection,
}

impl Checkpointer {
    /// Runs one passive checkpoint: it copies what it can without waiting for anyone.
    pub fn checkpoint(&self) -> Result<(), Error> {
        self.conn
            .query_row("PRAGMA main.wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        Ok(())
    }
}

/// Pages of WAL after which the store's own connection checkpoints.
const AUTO_CHECKPOINT_PAGES: i64 = 8192;

impl Store {
    /// Hands checkpoints to a [`Checkpointer`] on a second connection and turns off this
    /// connection's own; returns `None` for an in-memory store. The caller runs the
    /// checkpointer on another thread and calls [`Store::end_background_checkpoints`]
    /// afterwards.
    ///
    /// A writer that never pauses keeps the log from ever being restarted, so the caller
    /// bounds it with [`Store::restart_wal`].
    pub fn begin_background_checkpoints(&mut self) -> Result<Option<Checkpointer>, Error> {
        if self.path.as_os_str() == ":memory:" {
            return Ok(None);
        }
        let conn = Connection::open(&self.path).map_err(|source| Error::Open {
            path: self.path.clone(),
            source,
        })?;
        configure(&conn)?;
        self.conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        Ok(Some(Checkpointer { conn }))
    }

    /// Returns the size of the WAL file in bytes (0 when there is none).
    pub fn wal_size(&self) -> u64 {
        let mut wal = self.path.clone().into_os_string();
        wal.push("-wal");
        std::fs::metadata(&wal).map_or(0, |m| m.len())
    }

    /// Copies the whole log into the database file, waiting for readers, so that the next
    /// transaction writes the log from its beginning. A reader that stays longer than the
    /// busy timeout leaves the log as it is, to be restarted later.
    pub fn restart_wal(&mut self) -> Result<(), Error> {
        let busy: i64 = self
            .conn
            .query_row("PRAGMA main.wal_checkpoint(RESTART)", [], |row| row.get(0))?;
        if busy != 0 {
            tracing::debug!(
                wal_bytes = self.wal_size(),
                "the log could not be restarted yet"
            );
        }
        Ok(())
    }

    /// Turns this connection's automatic checkpoints back on.
    pub fn end_background_checkpoints(&mut self) -> Result<(), Error> {
        self.conn
            .pragma_update(None, "wal_autocheckpoint", AUTO_CHECKPOINT_PAGES)?;
        Ok(())
    }

    /// Records the start of an import run and returns its id.
    pub fn begin_import(&mut self) -> Result<i64, Error> {
        self.conn.execute(
            "INSERT INTO imports (started_at) VALUES (?1)",
            [jiff::Timestamp::now().to_string()],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Records the end of import run `id` with its report.
    pub fn finish_import<T: serde::Serialize>(&mut self, id: i64, report: &T) -> Result<(), Error> {
        let report = serde_json::to_string(report).expect("import reports serialize to JSON");
        self.conn.execute(
            "UPDATE imports SET finished_at = ?1, report_json = ?2 WHERE id = ?3",
            rusqlite::params![jiff::Timestamp::now().to_string(), report, id],
        )?;
        Ok(())
    }
}
