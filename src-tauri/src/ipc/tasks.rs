//! Tasks and the audit trail.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use specta::Type;

use regmail::calendar::BusinessCalendar;
use regmail::sopp::audit::ChainedEntry;
use regmail::sopp::Tree;
use regmail::store::{Prerequisite, Store, TaskRow};

use crate::ipc::settings::DeadlinePolicyDto;
use crate::ipc::IpcResult;

/// A decision the reviewer can record when completing a task.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ResolutionDto {
    /// The value sent back on completion (`refer-to-dcc`).
    pub value: String,
    /// Its meaning, as shown to the reviewer.
    pub label: String,
}

/// A task that must be done before this one.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct PrerequisiteDto {
    /// Its kind (`acknowledge-and-redirect`).
    pub kind: String,
    /// The action.
    pub title: String,
    /// The open task of that kind, or none when the message has no such task.
    pub task_id: Option<i64>,
}

impl From<Prerequisite> for PrerequisiteDto {
    fn from(p: Prerequisite) -> PrerequisiteDto {
        PrerequisiteDto {
            kind: p.kind,
            title: p.title,
            task_id: p.task_id,
        }
    }
}

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
    /// The decisions to choose from on completion, one of which is required; empty for a
    /// task that records no decision.
    pub resolutions: Vec<ResolutionDto>,
    /// The decision recorded on completion, as its value.
    pub resolution: Option<String>,
    /// The meaning of the recorded decision.
    pub resolution_label: Option<String>,
    /// The tasks that must be done before this one can be completed; empty when none.
    pub waiting_for: Vec<PrerequisiteDto>,
}

impl TaskDto {
    /// Builds the transport form of `task`, with the business time left at `now` and the
    /// tasks it waits for.
    pub fn new(
        task: TaskRow,
        waiting_for: Vec<Prerequisite>,
        calendar: &BusinessCalendar,
        now: Timestamp,
    ) -> TaskDto {
        let due = task
            .due_at
            .as_deref()
            .and_then(|d| d.parse::<Timestamp>().ok());
        let definition = Tree::sopp_8119_v11().tasks.get(&task.kind);
        let resolutions: Vec<ResolutionDto> = definition
            .map(|d| d.resolutions.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|r| ResolutionDto {
                value: r.value.clone(),
                label: r.label.clone(),
            })
            .collect();
        let resolution_label = task.resolution.as_deref().map(|value| {
            definition
                .and_then(|d| d.resolution(value))
                .map_or_else(|| value.to_owned(), |r| r.label.clone())
        });
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
            resolutions,
            resolution: task.resolution,
            resolution_label,
            waiting_for: waiting_for.into_iter().map(PrerequisiteDto::from).collect(),
        }
    }
}

/// Returns the transport form of `tasks`, each with the tasks it waits for in `store`.
pub fn task_dtos(
    store: &Store,
    tasks: Vec<TaskRow>,
    calendar: &BusinessCalendar,
    now: Timestamp,
) -> IpcResult<Vec<TaskDto>> {
    tasks
        .into_iter()
        .map(|task| {
            let waiting_for = store.waiting_for(&task)?;
            Ok(TaskDto::new(task, waiting_for, calendar, now))
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn row(kind: &str, resolution: Option<&str>) -> TaskRow {
        TaskRow {
            id: 7,
            message_id: 3,
            subject: None,
            kind: kind.to_owned(),
            title: "Record the decision".to_owned(),
            role: "reviewer".to_owned(),
            section: "VII.A.1".to_owned(),
            due_at: None,
            warn_at: None,
            policy: None,
            status: if resolution.is_some() { "done" } else { "open" }.to_owned(),
            created_at: "2025-03-13T18:20:00Z".to_owned(),
            closed_at: None,
            closed_by: None,
            note: None,
            resolution: resolution.map(str::to_owned),
        }
    }

    fn calendar() -> BusinessCalendar {
        BusinessCalendar::with_shipped_closures(Vec::new()).expect("the shipped calendar builds")
    }

    #[test]
    fn resolutions_come_from_the_task_definition() {
        let now: Timestamp = "2025-03-14T12:00:00Z".parse().expect("valid time");
        let open = TaskDto::new(
            row("record-unreadable-resolution", None),
            Vec::new(),
            &calendar(),
            now,
        );
        let values: Vec<&str> = open.resolutions.iter().map(|r| r.value.as_str()).collect();
        assert_eq!(values, ["resend", "reject", "refer-to-dcc", "other-format"]);
        assert_eq!(open.resolution_label, None);

        let done = TaskDto::new(
            row("record-unreadable-resolution", Some("refer-to-dcc")),
            Vec::new(),
            &calendar(),
            now,
        );
        assert_eq!(done.resolution.as_deref(), Some("refer-to-dcc"));
        assert_eq!(
            done.resolution_label.as_deref(),
            Some("The email is referred to DCC")
        );

        let plain = TaskDto::new(row("forward-to-rpm", None), Vec::new(), &calendar(), now);
        assert!(
            plain.resolutions.is_empty(),
            "forward-to-rpm records no decision"
        );
    }
}
