//! Storage of the SOPP 8119 procedure: the RPM directory, the reviewer's answers, triage
//! decisions, tasks and the hash-chained audit log.
//!
//! Every write that changes the procedure's state appends its audit entries in the same
//! transaction, so the log and the state cannot drift apart.

use jiff::Timestamp;
use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};

use super::messages::{self, MessageDeletion};
use super::{Error, Store};
use crate::sopp::audit::{self, AuditEntry, ChainBreak, ChainHead, ChainedEntry};
use crate::sopp::clock::rfc3339;
use crate::sopp::engine::{Outcome, Source};
use crate::sopp::tree::{TaskDefinition, TaskEffect};
use crate::sopp::{Directory, DirectoryEntry, FactKey, Tree};

/// An answer the reviewer gave for a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredAnswer {
    /// The question.
    pub key: FactKey,
    /// The answer.
    pub value: String,
    /// The user who gave it.
    pub answered_by: String,
    /// When, RFC 3339 UTC.
    pub answered_at: String,
}

/// A triage result to save.
#[derive(Debug, Clone, Copy)]
pub struct TriageRecord<'a> {
    /// The message triaged.
    pub message_id: i64,
    /// The engine's outcome.
    pub outcome: &'a Outcome,
    /// The answers given in this run, which replace earlier answers to the same questions.
    pub given_answers: &'a [(FactKey, String)],
    /// The user who ran the triage.
    pub user: &'a str,
    /// When.
    pub at: Timestamp,
}

/// The result of saving a triage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedTriage {
    /// The id of the decision row.
    pub decision_id: i64,
    /// The message's open tasks after the save.
    pub open_tasks: Vec<TaskRow>,
    /// Tasks closed because the new outcome no longer calls for them.
    pub cancelled: Vec<TaskRow>,
}

/// A stored task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskRow {
    /// Task id.
    pub id: i64,
    /// The message it concerns.
    pub message_id: i64,
    /// The message's subject.
    pub subject: Option<String>,
    /// The task kind (`forward-to-rpm`).
    pub kind: String,
    /// The action.
    pub title: String,
    /// The person responsible (`reviewer`, `rpm-or-designee`).
    pub role: String,
    /// The SOPP section.
    pub section: String,
    /// When it falls due, RFC 3339 with the America/New_York offset, or none.
    pub due_at: Option<String>,
    /// The early-warning mark, or none.
    pub warn_at: Option<String>,
    /// `open`, `done` or `cancelled`.
    pub status: String,
    /// When it was created, RFC 3339 UTC.
    pub created_at: String,
    /// When it was completed or cancelled.
    pub closed_at: Option<String>,
    /// The user who completed or cancelled it.
    pub closed_by: Option<String>,
    /// The completion note.
    pub note: Option<String>,
    /// The decision recorded on completion, for a task that records one
    /// (`refer-to-dcc`).
    pub resolution: Option<String>,
}

/// The reviewer's completion of a task.
#[derive(Debug, Clone, Copy)]
pub struct TaskCompletion<'a> {
    /// A note on the work done.
    pub note: Option<&'a str>,
    /// The decision recorded, required for a task whose definition lists resolutions and
    /// rejected for any other.
    pub resolution: Option<&'a str>,
    /// The user who completed the task.
    pub user: &'a str,
    /// When.
    pub at: Timestamp,
}

const TASK_COLUMNS: &str = "t.id, t.message_id, m.subject, t.kind, t.title, t.role, t.section, \
     t.due_at, t.warn_at, t.status, t.created_at, t.closed_at, t.closed_by, t.note, t.resolution";

fn task_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<TaskRow> {
    Ok(TaskRow {
        id: row.get(0)?,
        message_id: row.get(1)?,
        subject: row.get(2)?,
        kind: row.get(3)?,
        title: row.get(4)?,
        role: row.get(5)?,
        section: row.get(6)?,
        due_at: row.get(7)?,
        warn_at: row.get(8)?,
        status: row.get(9)?,
        created_at: row.get(10)?,
        closed_at: row.get(11)?,
        closed_by: row.get(12)?,
        note: row.get(13)?,
        resolution: row.get(14)?,
    })
}

/// Sorts tasks by due time (earliest first, tasks without one last), then by id.
fn sort_by_due(tasks: &mut [TaskRow]) {
    let key = |task: &TaskRow| {
        task.due_at
            .as_deref()
            .and_then(|due| due.parse::<Timestamp>().ok())
    };
    tasks.sort_by(|a, b| match (key(a), key(b)) {
        (Some(x), Some(y)) => x.cmp(&y).then(a.id.cmp(&b.id)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.id.cmp(&b.id),
    });
}

/// An audit entry to append.
pub(super) struct AuditStep<'a> {
    pub(super) user: &'a str,
    pub(super) action: &'a str,
    pub(super) message_id: Option<i64>,
    pub(super) task_id: Option<i64>,
    pub(super) section: Option<&'a str>,
    pub(super) detail: serde_json::Value,
}

/// Appends one entry to the audit log inside `tx` and returns its sequence number.
pub(super) fn append_audit(
    tx: &Transaction<'_>,
    at: Timestamp,
    step: AuditStep<'_>,
) -> Result<i64, Error> {
    let last: Option<(i64, String)> = tx
        .query_row(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, audit::GENESIS_HASH.to_owned()),
    };
    let entry = AuditEntry {
        seq,
        at: at.to_string(),
        user: step.user.to_owned(),
        action: step.action.to_owned(),
        message_id: step.message_id,
        task_id: step.task_id,
        section: step.section.map(str::to_owned),
        detail: step.detail.to_string(),
    };
    let hash = entry.hash(&prev_hash);
    tx.execute(
        "INSERT INTO audit_log (seq, at, user, action, message_id, task_id, section, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            entry.seq,
            entry.at,
            entry.user,
            entry.action,
            entry.message_id,
            entry.task_id,
            entry.section,
            entry.detail,
            prev_hash,
            hash
        ],
    )?;
    Ok(seq)
}

impl Store {
    /// Adds or replaces the entries of `directory`, keyed by application, and records the
    /// import in the audit log. Returns the number of entries written.
    pub fn import_directory(
        &mut self,
        directory: &Directory,
        user: &str,
        at: Timestamp,
    ) -> Result<usize, Error> {
        let tx = self.conn.transaction()?;
        for entry in directory.entries() {
            let domains = serde_json::to_string(&entry.sponsor_domains)
                .expect("a list of strings serializes");
            tx.execute(
                "INSERT INTO rpm_directory (application, stn, product, sponsor, sponsor_domains, rpm_name, rpm_email, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (application) DO UPDATE SET
                     stn = excluded.stn, product = excluded.product, sponsor = excluded.sponsor,
                     sponsor_domains = excluded.sponsor_domains, rpm_name = excluded.rpm_name,
                     rpm_email = excluded.rpm_email, updated_at = excluded.updated_at",
                params![
                    entry.application,
                    entry.stn,
                    entry.product,
                    entry.sponsor,
                    domains,
                    entry.rpm_name,
                    entry.rpm_email,
                    at.to_string()
                ],
            )?;
        }
        let applications: Vec<&str> = directory
            .entries()
            .iter()
            .map(|e| e.application.as_str())
            .collect();
        append_audit(
            &tx,
            at,
            AuditStep {
                user,
                action: "directory-import",
                message_id: None,
                task_id: None,
                section: Some("VI.C.6"),
                detail: serde_json::json!({ "applications": applications }),
            },
        )?;
        tx.commit()?;
        Ok(directory.entries().len())
    }

    /// Returns the RPM directory, ordered by application.
    pub fn directory(&self) -> Result<Directory, Error> {
        let mut statement = self.conn.prepare(
            "SELECT stn, application, product, sponsor, sponsor_domains, rpm_name, rpm_email
             FROM rpm_directory ORDER BY application",
        )?;
        let rows = statement.query_map([], |row| {
            Ok((
                DirectoryEntry {
                    stn: row.get(0)?,
                    application: row.get(1)?,
                    product: row.get(2)?,
                    sponsor: row.get(3)?,
                    sponsor_domains: Vec::new(),
                    rpm_name: row.get(5)?,
                    rpm_email: row.get(6)?,
                },
                row.get::<_, String>(4)?,
            ))
        })?;
        let mut entries = Vec::new();
        for row in rows {
            let (mut entry, domains) = row?;
            entry.sponsor_domains =
                serde_json::from_str(&domains).map_err(|source| Error::CorruptValue {
                    column: "rpm_directory.sponsor_domains",
                    source,
                })?;
            entries.push(entry);
        }
        Ok(Directory::from_entries(entries))
    }

    /// Returns the answers the reviewer gave for message `message_id`.
    pub fn message_answers(&self, message_id: i64) -> Result<Vec<StoredAnswer>, Error> {
        let mut statement = self.conn.prepare(
            "SELECT key, value, answered_by, answered_at FROM message_answers
             WHERE message_id = ?1 ORDER BY key",
        )?;
        let rows = statement.query_map([message_id], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
            ))
        })?;
        let mut answers = Vec::new();
        for row in rows {
            let (key, value, answered_by, answered_at) = row?;
            // Keys were checked when written; one this build does not know is skipped so
            // that an older Regmail can still triage with the rest.
            let Some(key) = FactKey::parse(&key) else {
                tracing::warn!(message_id, key = %key, "skipping stored answer to an unknown question");
                continue;
            };
            answers.push(StoredAnswer {
                key,
                value,
                answered_by,
                answered_at,
            });
        }
        Ok(answers)
    }

    /// Saves a triage: the answers given, the decision with the answer used at each step,
    /// the tasks, and an audit entry for every step, override, task change and the
    /// decision. Open tasks of the message that the outcome no longer calls for are
    /// cancelled. Open tasks it still calls for keep their id, with the due time updated,
    /// and tasks already done are not created again.
    pub fn save_triage(&mut self, record: &TriageRecord<'_>) -> Result<SavedTriage, Error> {
        let at = record.at.to_string();
        let user = record.user;
        let message_id = record.message_id;
        let outcome = record.outcome;
        let tx = self.conn.transaction()?;

        for (key, value) in record.given_answers {
            tx.execute(
                "INSERT INTO message_answers (message_id, key, value, answered_by, answered_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (message_id, key) DO UPDATE SET
                     value = excluded.value, answered_by = excluded.answered_by,
                     answered_at = excluded.answered_at",
                params![message_id, key.as_str(), value, user, at],
            )?;
        }

        let sopp = format!("SOPP {} v{}", outcome.sopp.number, outcome.sopp.version);
        let outcome_json = serde_json::to_string(outcome).expect("outcomes serialize to JSON");
        tx.execute(
            "INSERT INTO decisions (message_id, sopp, disposition, section, outcome_json, decided_by, decided_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                message_id,
                sopp,
                outcome.disposition.as_str(),
                outcome.section,
                outcome_json,
                user,
                at
            ],
        )?;
        let decision_id = tx.last_insert_rowid();

        for (position, step) in outcome.steps.iter().enumerate() {
            let fact = outcome.fact(step.fact);
            let inferred = fact.map_or(step.answer.as_str(), |f| f.inferred.as_str());
            let answered_by: Option<String> = match step.source {
                Source::Answered => tx
                    .query_row(
                        "SELECT answered_by FROM message_answers WHERE message_id = ?1 AND key = ?2",
                        params![message_id, step.fact.as_str()],
                        |row| row.get(0),
                    )
                    .optional()?,
                Source::Inferred => None,
            };
            let source = match step.source {
                Source::Inferred => "inferred",
                Source::Answered => "answered",
            };
            tx.execute(
                "INSERT INTO decision_answers (decision_id, position, key, value, source, inferred, answered_by, section)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    decision_id,
                    position as i64,
                    step.fact.as_str(),
                    step.answer,
                    source,
                    inferred,
                    answered_by,
                    step.section
                ],
            )?;
            let evidence = fact.map(|f| f.evidence.clone()).unwrap_or_default();
            append_audit(
                &tx,
                record.at,
                AuditStep {
                    user,
                    action: "answer",
                    message_id: Some(message_id),
                    task_id: None,
                    section: Some(&step.section),
                    detail: serde_json::json!({
                        "decision": decision_id,
                        "question": step.fact.as_str(),
                        "answer": step.answer,
                        "source": source,
                        "answered_by": answered_by,
                        "evidence": evidence,
                    }),
                },
            )?;
            if step.source == Source::Answered && step.answer != inferred {
                append_audit(
                    &tx,
                    record.at,
                    AuditStep {
                        user,
                        action: "override",
                        message_id: Some(message_id),
                        task_id: None,
                        section: Some(&step.section),
                        detail: serde_json::json!({
                            "decision": decision_id,
                            "question": step.fact.as_str(),
                            "inferred": inferred,
                            "answer": step.answer,
                            "answered_by": answered_by,
                        }),
                    },
                )?;
            }
        }

        append_audit(
            &tx,
            record.at,
            AuditStep {
                user,
                action: "decision",
                message_id: Some(message_id),
                task_id: None,
                section: Some(&outcome.section),
                detail: serde_json::json!({
                    "decision": decision_id,
                    "sopp": sopp,
                    "disposition": outcome.disposition.as_str(),
                    "redirect": outcome.redirect.as_ref().map(|r| r.name.as_str()),
                    "regulatory": outcome.regulatory,
                }),
            },
        )?;

        let cancelled = reconcile_tasks(&tx, record, decision_id)?;
        tx.commit()?;

        let open_tasks = self
            .message_tasks(message_id)?
            .into_iter()
            .filter(|t| t.status == "open")
            .collect();
        Ok(SavedTriage {
            decision_id,
            open_tasks,
            cancelled,
        })
    }

    /// Returns the tasks of message `message_id`, in due order.
    pub fn message_tasks(&self, message_id: i64) -> Result<Vec<TaskRow>, Error> {
        let sql = format!(
            "SELECT {TASK_COLUMNS} FROM tasks t LEFT JOIN messages m ON m.id = t.message_id
             WHERE t.message_id = ?1"
        );
        let mut statement = self.conn.prepare(&sql)?;
        let mut tasks = statement
            .query_map([message_id], task_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        sort_by_due(&mut tasks);
        Ok(tasks)
    }

    /// Returns the open tasks, or every task with `include_closed`, in due order.
    pub fn tasks(&self, include_closed: bool) -> Result<Vec<TaskRow>, Error> {
        let filter = if include_closed {
            ""
        } else {
            "WHERE t.status = 'open'"
        };
        let sql = format!(
            "SELECT {TASK_COLUMNS} FROM tasks t LEFT JOIN messages m ON m.id = t.message_id {filter}"
        );
        let mut statement = self.conn.prepare(&sql)?;
        let mut tasks = statement
            .query_map([], task_from_row)?
            .collect::<Result<Vec<_>, _>>()?;
        sort_by_due(&mut tasks);
        Ok(tasks)
    }

    /// Marks open task `id` done as `completion` describes, and records it in the audit
    /// log with the task's SOPP section.
    ///
    /// The task's definition in the SOPP 8119 v11 tree decides whether a resolution is
    /// required: a task that lists resolutions needs one of them, and any other task
    /// takes none.
    ///
    /// A task may also have to wait for other tasks of the same message, and completing it
    /// may mark the stored copy for deletion or delete it, as its definition sets. A task
    /// that deletes the stored copy also needs the message's latest triage to have no open
    /// question.
    ///
    /// # Errors
    ///
    /// Returns [`Error::TaskNotFound`], [`Error::TaskClosed`],
    /// [`Error::ResolutionRequired`], [`Error::InvalidResolution`],
    /// [`Error::ResolutionNotAccepted`], [`Error::TaskOutOfOrder`], or
    /// [`Error::UnconfirmedDecision`] for a deleting task whose message's latest triage
    /// left open questions.
    pub fn complete_task(
        &mut self,
        id: i64,
        completion: &TaskCompletion<'_>,
    ) -> Result<TaskRow, Error> {
        let user = completion.user;
        let at = completion.at;
        let tx = self.conn.transaction()?;
        let row: Option<(i64, String, String, String)> = tx
            .query_row(
                "SELECT message_id, kind, section, status FROM tasks WHERE id = ?1",
                [id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .optional()?;
        let Some((message_id, kind, section, status)) = row else {
            return Err(Error::TaskNotFound { id });
        };
        if status != "open" {
            return Err(Error::TaskClosed { id, status });
        }
        let definition = Tree::sopp_8119_v11().tasks.get(&kind);
        check_resolution(id, &kind, definition, completion.resolution)?;
        if let Some(definition) = definition {
            check_order(&tx, id, &kind, &section, message_id, &definition.after)?;
            if definition.effect == Some(TaskEffect::DeleteStoredCopy) {
                check_confirmed(&tx, id, &kind, message_id)?;
            }
        }

        tx.execute(
            "UPDATE tasks SET status = 'done', closed_at = ?1, closed_by = ?2, note = ?3, resolution = ?4
             WHERE id = ?5",
            params![at.to_string(), user, completion.note, completion.resolution, id],
        )?;
        append_audit(
            &tx,
            at,
            AuditStep {
                user,
                action: "task-done",
                message_id: Some(message_id),
                task_id: Some(id),
                section: Some(&section),
                detail: serde_json::json!({
                    "kind": kind,
                    "note": completion.note,
                    "resolution": completion.resolution,
                }),
            },
        )?;
        let step = TaskStep {
            id,
            message_id,
            section: &section,
            user,
            at,
        };
        match definition.and_then(|d| d.effect) {
            Some(TaskEffect::MarkForDeletion) => mark_for_deletion(&tx, &step)?,
            Some(TaskEffect::DeleteStoredCopy) => delete_stored_copy(&tx, &step)?,
            None => {}
        }
        tx.commit()?;

        let sql = format!(
            "SELECT {TASK_COLUMNS} FROM tasks t LEFT JOIN messages m ON m.id = t.message_id WHERE t.id = ?1"
        );
        Ok(self.conn.query_row(&sql, [id], task_from_row)?)
    }

    /// Returns whether message `message_id`'s stored copy is kept, marked for deletion or
    /// deleted.
    ///
    /// A copy is marked for deletion while a task with [`TaskEffect::MarkForDeletion`] is
    /// done and a task with [`TaskEffect::DeleteStoredCopy`] is open, that is, after the
    /// sponsor was contacted and before the reviewer deletes it.
    pub fn deletion_state(&self, message_id: i64) -> Result<DeletionState, Error> {
        if let Some(deletion) = self.message_deletion(message_id)? {
            return Ok(DeletionState::Deleted(deletion));
        }
        let tasks = self.message_tasks(message_id)?;
        let with_effect = |effect: TaskEffect, status: &str| {
            tasks
                .iter()
                .filter(|t| t.status == status)
                .find(|t| task_effect(&t.kind) == Some(effect))
        };
        let marked = with_effect(TaskEffect::MarkForDeletion, "done");
        let delete = with_effect(TaskEffect::DeleteStoredCopy, "open");
        match (marked, delete) {
            (Some(marked), Some(delete)) => Ok(DeletionState::Marked {
                since: marked.closed_at.clone().unwrap_or_default(),
                by: marked.closed_by.clone().unwrap_or_default(),
                delete_task_id: delete.id,
                section: delete.section.clone(),
            }),
            _ => Ok(DeletionState::Kept),
        }
    }

    /// Returns the audit log in sequence order.
    pub fn audit_log(&self) -> Result<Vec<ChainedEntry>, Error> {
        let mut statement = self.conn.prepare(
            "SELECT seq, at, user, action, message_id, task_id, section, detail, prev_hash, hash
             FROM audit_log ORDER BY seq",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(ChainedEntry {
                entry: AuditEntry {
                    seq: row.get(0)?,
                    at: row.get(1)?,
                    user: row.get(2)?,
                    action: row.get(3)?,
                    message_id: row.get(4)?,
                    task_id: row.get(5)?,
                    section: row.get(6)?,
                    detail: row.get(7)?,
                },
                prev_hash: row.get(8)?,
                hash: row.get(9)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Checks the audit log's hash chain. The outer error is a database failure; the inner
    /// result is the verdict.
    pub fn verify_audit(&self) -> Result<Result<ChainHead, ChainBreak>, Error> {
        Ok(audit::verify_chain(&self.audit_log()?))
    }
}

/// Whether a message's stored copy is kept, marked for deletion or deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum DeletionState {
    /// Kept: nothing calls for its deletion yet.
    Kept,
    /// Marked for deletion: the sponsor was contacted and the deleting task is open.
    Marked {
        /// When the marking task was done, RFC 3339 UTC.
        since: String,
        /// The user who did it.
        by: String,
        /// The open task whose completion deletes the stored copy.
        delete_task_id: i64,
        /// The SOPP section of the deleting task.
        section: String,
    },
    /// Deleted: only the tombstone remains.
    Deleted(MessageDeletion),
}

/// A task being completed, as the effects of completion need it.
struct TaskStep<'a> {
    id: i64,
    message_id: i64,
    section: &'a str,
    user: &'a str,
    at: Timestamp,
}

fn task_effect(kind: &str) -> Option<TaskEffect> {
    Tree::sopp_8119_v11()
        .tasks
        .get(kind)
        .and_then(|definition| definition.effect)
}

/// Checks that every task kind in `after` has a done task for the message.
fn check_order(
    tx: &Transaction<'_>,
    id: i64,
    kind: &str,
    section: &str,
    message_id: i64,
    after: &[String],
) -> Result<(), Error> {
    let mut waiting = Vec::new();
    for prerequisite in after {
        let rows: Vec<(i64, String)> = tx
            .prepare(
                "SELECT id, status FROM tasks WHERE message_id = ?1 AND kind = ?2 ORDER BY id",
            )?
            .query_map(params![message_id, prerequisite], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })?
            .collect::<Result<_, _>>()?;
        if rows.iter().any(|(_, status)| status == "done") {
            continue;
        }
        match rows.iter().find(|(_, status)| status == "open") {
            Some((task, _)) => waiting.push(format!("task {task} ({prerequisite})")),
            None => waiting.push(format!("a {prerequisite} task")),
        }
    }
    if waiting.is_empty() {
        return Ok(());
    }
    Err(Error::TaskOutOfOrder {
        id,
        kind: kind.to_owned(),
        section: section.to_owned(),
        message_id,
        waiting_for: waiting.join(" and "),
    })
}

/// Checks that the latest triage of the message left no open question, because deleting
/// the stored copy cannot be undone and must not rest on an unconfirmed inference.
fn check_confirmed(
    tx: &Transaction<'_>,
    id: i64,
    kind: &str,
    message_id: i64,
) -> Result<(), Error> {
    let outcome: Option<String> = tx
        .query_row(
            "SELECT outcome_json FROM decisions WHERE message_id = ?1 ORDER BY id DESC LIMIT 1",
            [message_id],
            |row| row.get(0),
        )
        .optional()?;
    let Some(outcome) = outcome else {
        return Ok(());
    };
    let outcome: serde_json::Value =
        serde_json::from_str(&outcome).map_err(|source| Error::CorruptValue {
            column: "decisions.outcome_json",
            source,
        })?;
    let open: Vec<&str> = outcome["open_questions"]
        .as_array()
        .map(|questions| {
            questions
                .iter()
                .filter_map(|question| question["key"].as_str())
                .collect()
        })
        .unwrap_or_default();
    if open.is_empty() {
        return Ok(());
    }
    Err(Error::UnconfirmedDecision {
        id,
        kind: kind.to_owned(),
        message_id,
        questions: open.join(", "),
    })
}

/// Records that the message is marked for deletion, when a task of the message would
/// delete it.
fn mark_for_deletion(tx: &Transaction<'_>, step: &TaskStep<'_>) -> Result<(), Error> {
    let open: Vec<(i64, String, String)> = tx
        .prepare("SELECT id, kind, section FROM tasks WHERE message_id = ?1 AND status = 'open'")?
        .query_map([step.message_id], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })?
        .collect::<Result<_, _>>()?;
    let delete = open
        .iter()
        .find(|(_, kind, _)| task_effect(kind) == Some(TaskEffect::DeleteStoredCopy));
    let Some((delete_task, _, section)) = delete else {
        return Ok(());
    };
    append_audit(
        tx,
        step.at,
        AuditStep {
            user: step.user,
            action: "marked-for-deletion",
            message_id: Some(step.message_id),
            task_id: Some(step.id),
            section: Some(section),
            detail: serde_json::json!({ "delete_task": delete_task }),
        },
    )?;
    Ok(())
}

/// Deletes the message's stored copy, keeping its tombstone, and records the deletion.
fn delete_stored_copy(tx: &Transaction<'_>, step: &TaskStep<'_>) -> Result<(), Error> {
    let (sha256, size): (String, i64) = tx.query_row(
        "SELECT sha256, size FROM messages WHERE id = ?1",
        [step.message_id],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    let deletion = MessageDeletion {
        deleted_at: step.at.to_string(),
        deleted_by: step.user.to_owned(),
        task_id: step.id,
        section: step.section.to_owned(),
    };
    let attachments = messages::delete_content(tx, step.message_id, &deletion)?;
    append_audit(
        tx,
        step.at,
        AuditStep {
            user: step.user,
            action: "message-deleted",
            message_id: Some(step.message_id),
            task_id: Some(step.id),
            section: Some(step.section),
            detail: serde_json::json!({
                "sha256": sha256,
                "bytes": size,
                "attachments": attachments,
            }),
        },
    )?;
    tracing::info!(
        message_id = step.message_id,
        task_id = step.id,
        "deleted the stored copy of a message"
    );
    Ok(())
}

/// Checks `resolution` against the resolutions task `id` of kind `kind` offers.
fn check_resolution(
    id: i64,
    kind: &str,
    definition: Option<&TaskDefinition>,
    resolution: Option<&str>,
) -> Result<(), Error> {
    let offered = definition.filter(|d| !d.resolutions.is_empty());
    match (offered, resolution) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(Error::ResolutionNotAccepted {
            id,
            kind: kind.to_owned(),
        }),
        (Some(definition), None) => Err(Error::ResolutionRequired {
            id,
            kind: kind.to_owned(),
            expected: definition.resolution_values(),
        }),
        (Some(definition), Some(value)) if definition.resolution(value).is_none() => {
            Err(Error::InvalidResolution {
                id,
                kind: kind.to_owned(),
                value: value.to_owned(),
                expected: definition.resolution_values(),
            })
        }
        (Some(_), Some(_)) => Ok(()),
    }
}

/// Brings the message's open tasks in line with the outcome and returns the tasks it
/// cancelled.
fn reconcile_tasks(
    tx: &Transaction<'_>,
    record: &TriageRecord<'_>,
    decision_id: i64,
) -> Result<Vec<TaskRow>, Error> {
    let at = record.at.to_string();
    let message_id = record.message_id;
    let sql = format!(
        "SELECT {TASK_COLUMNS} FROM tasks t LEFT JOIN messages m ON m.id = t.message_id
         WHERE t.message_id = ?1 AND t.status IN ('open', 'done')"
    );
    let (open, done): (Vec<TaskRow>, Vec<TaskRow>) = tx
        .prepare(&sql)?
        .query_map([message_id], task_from_row)?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .partition(|t| t.status == "open");

    for task in &record.outcome.tasks {
        // A task already done for this message stays done; triaging again does not
        // ask for it a second time.
        if done.iter().any(|t| t.kind == task.kind) {
            continue;
        }
        let due_at = task.due_at.as_ref().map(rfc3339);
        let warn_at = task.warn_at.as_ref().map(rfc3339);
        match open.iter().find(|t| t.kind == task.kind) {
            Some(existing) if existing.due_at == due_at && existing.warn_at == warn_at => {}
            Some(existing) => {
                tx.execute(
                    "UPDATE tasks SET due_at = ?1, warn_at = ?2, decision_id = ?3 WHERE id = ?4",
                    params![due_at, warn_at, decision_id, existing.id],
                )?;
                append_audit(
                    tx,
                    record.at,
                    AuditStep {
                        user: record.user,
                        action: "task-updated",
                        message_id: Some(message_id),
                        task_id: Some(existing.id),
                        section: Some(&task.section),
                        detail: serde_json::json!({
                            "kind": task.kind,
                            "due_at": due_at,
                            "previous_due_at": existing.due_at,
                        }),
                    },
                )?;
            }
            None => {
                tx.execute(
                    "INSERT INTO tasks (message_id, decision_id, kind, title, role, section, due_at, warn_at, status, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'open', ?9)",
                    params![
                        message_id,
                        decision_id,
                        task.kind,
                        task.title,
                        task.role.as_str(),
                        task.section,
                        due_at,
                        warn_at,
                        at
                    ],
                )?;
                let task_id = tx.last_insert_rowid();
                append_audit(
                    tx,
                    record.at,
                    AuditStep {
                        user: record.user,
                        action: "task-created",
                        message_id: Some(message_id),
                        task_id: Some(task_id),
                        section: Some(&task.section),
                        detail: serde_json::json!({
                            "kind": task.kind,
                            "role": task.role.as_str(),
                            "due_at": due_at,
                        }),
                    },
                )?;
            }
        }
    }

    let mut cancelled = Vec::new();
    for task in open {
        if record.outcome.task(&task.kind).is_some() {
            continue;
        }
        let note = "no longer required after the message was triaged again";
        tx.execute(
            "UPDATE tasks SET status = 'cancelled', closed_at = ?1, closed_by = ?2, note = ?3 WHERE id = ?4",
            params![at, record.user, note, task.id],
        )?;
        append_audit(
            tx,
            record.at,
            AuditStep {
                user: record.user,
                action: "task-cancelled",
                message_id: Some(message_id),
                task_id: Some(task.id),
                section: Some(&task.section),
                detail: serde_json::json!({ "kind": task.kind, "decision": decision_id }),
            },
        )?;
        cancelled.push(TaskRow {
            status: "cancelled".to_owned(),
            closed_at: Some(at.clone()),
            closed_by: Some(record.user.to_owned()),
            note: Some(note.to_owned()),
            ..task
        });
    }
    Ok(cancelled)
}
