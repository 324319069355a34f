//! Tasks and the audit trail.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use specta::Type;

use regmail::calendar::BusinessCalendar;
use regmail::sopp::audit::ChainedEntry;
use regmail::store::TaskRow;

use crate::ipc::settings::DeadlinePolicyDto;

/// A stored task.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TaskDto {
    /// Task id.
    pub id: i64,
    /// Its message.
    pub message_id: i64,
    /// The message's subject.
    pub subject: Option<String>,
    /// Task kind.
    pub kind: String,
    /// The action.
    pub title: String,
    /// The person responsible.
    pub role: String,
    /// The SOPP section.
    pub section: String,
    /// Due time, RFC 3339 Eastern Time.
    pub due_at: Option<String>,
    /// Due time formatted for display.
    pub due_at_et: Option<String>,
    /// The deadline policy the due time was computed under, or none without a due time.
    pub policy: Option<DeadlinePolicyDto>,
    /// Business seconds left at the time of the request, negative once overdue.
    pub business_seconds_left: Option<i64>,
    /// `open`, `done` or `cancelled`.
    pub status: String,
    /// When it was completed or cancelled.
    pub closed_at: Option<String>,
    /// Who completed or cancelled it.
    pub closed_by: Option<String>,
    /// The completion note.
    pub note: Option<String>,
}

impl TaskDto {
    /// Builds the transport form of `task`, with the business time left at `now`.
    pub fn new(task: TaskRow, calendar: &BusinessCalendar, now: Timestamp) -> TaskDto {
        let due = task
            .due_at
            .as_deref()
            .and_then(|d| d.parse::<Timestamp>().ok());
        TaskDto {
            id: task.id,
            message_id: task.message_id,
            subject: task.subject,
            kind: task.kind,
            title: task.title,
            role: task.role,
            section: task.section,
            due_at: task.due_at,
            due_at_et: due.map(|d| calendar.format_eastern(d)),
            policy: task.policy.map(DeadlinePolicyDto::from),
            business_seconds_left: due
                .filter(|_| task.status == "open")
                .map(|d| calendar.business_time_between(now, d).as_secs()),
            status: task.status,
            closed_at: task.closed_at,
            closed_by: task.closed_by,
            note: task.note,
        }
    }
}

/// One entry of the audit trail.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntryDto {
    /// Sequence number in the log.
    pub seq: i64,
    /// When, RFC 3339.
    pub at: String,
    /// Who.
    pub user: String,
    /// What (`triage`, `task-done`).
    pub action: String,
    /// The task, if any.
    pub task_id: Option<i64>,
    /// The SOPP section.
    pub section: Option<String>,
    /// Details, as JSON text.
    pub detail: String,
}

impl From<ChainedEntry> for AuditEntryDto {
    fn from(e: ChainedEntry) -> AuditEntryDto {
        AuditEntryDto {
            seq: e.entry.seq,
            at: e.entry.at,
            user: e.entry.user,
            action: e.entry.action,
            task_id: e.entry.task_id,
            section: e.entry.section,
            detail: e.entry.detail,
        }
    }
}
