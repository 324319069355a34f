//! Queue filters and rows.

use serde::{Deserialize, Serialize};
use specta::Type;

use regmail::calendar::BusinessCalendar;
use regmail::sopp::queue::{DueFilter, QueueEntry, QueueFilter};

use crate::ipc::message::DeletionDto;
use crate::ipc::settings::DeadlinePolicyDto;

/// The queue's due-time filter.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "kebab-case")]
pub enum DueFilterDto {
    /// Every message.
    #[default]
    All,
    /// Past their due time.
    Overdue,
    /// Due today, Eastern Time.
    DueToday,
    /// Not yet triaged.
    NeedsDecision,
}

/// The queue's filters.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct QueueFilterDto {
    /// Full-text search.
    pub search: Option<String>,
    /// Due-time filter.
    pub due: DueFilterDto,
    /// Disposition (`accept`).
    pub disposition: Option<String>,
    /// Text an identifier must contain (`125742`).
    pub identifier: Option<String>,
}

impl From<QueueFilterDto> for QueueFilter {
    fn from(f: QueueFilterDto) -> QueueFilter {
        QueueFilter {
            search: f.search.filter(|s| !s.trim().is_empty()),
            due: match f.due {
                DueFilterDto::All => DueFilter::All,
                DueFilterDto::Overdue => DueFilter::Overdue,
                DueFilterDto::DueToday => DueFilter::DueToday,
                DueFilterDto::NeedsDecision => DueFilter::NeedsDecision,
            },
            disposition: f.disposition.filter(|s| !s.is_empty()),
            identifier: f.identifier.filter(|s| !s.trim().is_empty()),
        }
    }
}

/// One row of the queue.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct QueueRowDto {
    /// Store id.
    pub id: i64,
    /// Sender.
    pub from: Option<String>,
    /// Subject.
    pub subject: Option<String>,
    /// Receipt time in Eastern Time.
    pub received_at_et: Option<String>,
    /// `parsed`, `quarantined`, or `deleted` once the stored copy was deleted.
    pub status: String,
    /// The deletion of the stored copy, when it was deleted.
    pub deleted: Option<DeletionDto>,
    /// Identifiers, canonical form.
    pub identifiers: Vec<String>,
    /// Whether the latest decision found it regulatory; none before triage.
    pub regulatory: Option<bool>,
    /// Latest disposition.
    pub disposition: Option<String>,
    /// The open task due first.
    pub next_task: Option<String>,
    /// Due time, RFC 3339.
    pub due_at: Option<String>,
    /// Due time in Eastern Time.
    pub due_at_et: Option<String>,
    /// Whether the due time is projected for an untriaged message.
    pub due_projected: bool,
    /// The deadline policy of the due time, or none without one.
    pub due_policy: Option<DeadlinePolicyDto>,
    /// Business seconds left until the due time, negative once overdue.
    pub business_seconds_left: Option<i64>,
}

impl QueueRowDto {
    /// Builds the transport form of `entry`, formatting times with `calendar`.
    pub fn new(entry: QueueEntry, calendar: &BusinessCalendar) -> QueueRowDto {
        QueueRowDto {
            id: entry.id,
            from: entry.from,
            subject: entry.subject,
            received_at_et: entry.received_at.map(|t| calendar.format_eastern(t)),
            status: entry.status,
            deleted: entry.deleted.map(|d| DeletionDto::new(d, calendar)),
            identifiers: entry.identifiers,
            regulatory: entry.regulatory,
            disposition: entry.disposition,
            next_task: entry.next_task,
            due_at: entry.due_at.map(|t| calendar.format_rfc3339(t)),
            due_at_et: entry.due_at.map(|t| calendar.format_eastern(t)),
            due_projected: entry.due_projected,
            due_policy: entry.due_policy.map(DeadlinePolicyDto::from),
            business_seconds_left: entry.business_time_left.map(|d| d.as_secs()),
        }
    }
}

/// The ordered ids of the messages passing a filter; rows are fetched for the visible ones.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct QueueOrderDto {
    /// Message ids in queue order.
    pub ids: Vec<i64>,
}
