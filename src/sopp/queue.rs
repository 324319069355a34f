//! The review queue: which message to work on next.
//!
//! Regulatory messages come first, nearest due time first. A message not yet triaged whose
//! subject names a submission is taken as likely regulatory. Its due time is projected as
//! one business day from receipt (SOPP 8119 VI.C.6) under the deadline policy in force,
//! which is the deadline its forwarding task will get. Then come messages that still need
//! a decision, then triaged messages with no open task, then messages triaged as not
//! regulatory.
//!
//! A message whose stored copy was deleted (SOPP 8119 V.B.2.a.iii) stays in the queue as
//! a tombstone: no sender or subject, the identifiers and disposition of its last
//! decision, and who deleted it when.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::identifiers::{self, Location};
use crate::calendar::{self, BusinessCalendar, Policy};
use crate::store::{self, MessageDeletion, QueueRecord, Store};

/// Which messages the queue shows, by due time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DueFilter {
    /// Every message.
    #[default]
    All,
    /// Messages whose due time has passed.
    Overdue,
    /// Messages due today, Eastern Time, and not yet overdue.
    DueToday,
    /// Messages with no decision yet.
    NeedsDecision,
}

/// The queue's filters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueFilter {
    /// An FTS5 query over subject, addresses, body and attachment names.
    pub search: Option<String>,
    /// The due-time filter.
    pub due: DueFilter,
    /// Only messages whose latest decision has this disposition (`accept`).
    pub disposition: Option<String>,
    /// Only messages naming an identifier that contains this text (`125742`), ignoring case.
    pub identifier: Option<String>,
}

/// One message in the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueEntry {
    /// Store id.
    pub id: i64,
    /// Sender, as `Name <address>`.
    pub from: Option<String>,
    /// Decoded subject.
    pub subject: Option<String>,
    /// Receipt time.
    pub received_at: Option<Timestamp>,
    /// `parsed`, `quarantined`, or `deleted` once the stored copy was deleted.
    pub status: String,
    /// The deletion of the stored copy, if it was deleted.
    pub deleted: Option<MessageDeletion>,
    /// Identifiers in canonical form: from the latest decision, else from the subject.
    pub identifiers: Vec<String>,
    /// Whether the latest decision found the message regulatory, or none before triage.
    pub regulatory: Option<bool>,
    /// The latest decision's disposition, or none.
    pub disposition: Option<String>,
    /// The title of the open task due first, or none.
    pub next_task: Option<String>,
    /// The due time of that task, or the projected one (see `due_projected`).
    pub due_at: Option<Timestamp>,
    /// Whether `due_at` is projected for a message not yet triaged.
    pub due_projected: bool,
    /// The deadline policy `due_at` was computed under, or none without a due time.
    pub due_policy: Option<Policy>,
    /// Business time from now to `due_at`, negative once overdue.
    pub business_time_left: Option<SignedDuration>,
}

impl QueueEntry {
    fn group(&self) -> u8 {
        let likely_regulatory = self.regulatory.unwrap_or(!self.identifiers.is_empty());
        match (self.regulatory, self.due_at) {
            (_, Some(_)) if likely_regulatory => 0,
            (None, _) => 1,
            (Some(true), None) => 2,
            _ => 3,
        }
    }
}

/// Returns the ids of the messages passing `filter`, in queue order at `now`.
///
/// # Errors
///
/// Returns [`store::Error::InvalidQuery`] for a search that is not valid FTS5 syntax.
pub fn queue_order(
    store: &Store,
    filter: &QueueFilter,
    calendar: &BusinessCalendar,
    now: Timestamp,
) -> Result<Vec<i64>, store::Error> {
    let records = store.queue_records(filter.search.as_deref())?;
    let policy = store.deadline_policy()?;
    let mut entries: Vec<QueueEntry> = records
        .into_iter()
        .map(|record| entry(record, calendar, policy, None))
        .filter(|entry| passes(entry, filter, calendar, now))
        .collect();
    entries.sort_by(|a, b| {
        let by_group = a.group().cmp(&b.group());
        let by_time = if a.group() == 0 {
            a.due_at.cmp(&b.due_at)
        } else {
            b.received_at.cmp(&a.received_at)
        };
        by_group.then(by_time).then(a.id.cmp(&b.id))
    });
    Ok(entries.into_iter().map(|entry| entry.id).collect())
}

/// Returns the queue entries of messages `ids`, in the order given, with the business
/// time left at `now`.
pub fn queue_entries(
    store: &Store,
    ids: &[i64],
    calendar: &BusinessCalendar,
    now: Timestamp,
) -> Result<Vec<QueueEntry>, store::Error> {
    let policy = store.deadline_policy()?;
    Ok(store
        .queue_records_by_id(ids)?
        .into_iter()
        .map(|record| entry(record, calendar, policy, Some(now)))
        .collect())
}

/// Builds the queue entry of `record`. An untriaged message's due time is projected under
/// `policy`, the policy its tasks will get.
fn entry(
    record: QueueRecord,
    calendar: &BusinessCalendar,
    policy: Policy,
    now: Option<Timestamp>,
) -> QueueEntry {
    let received_at = record
        .received_at
        .as_deref()
        .and_then(|t| t.parse::<Timestamp>().ok());
    let decided = record
        .outcome_json
        .as_deref()
        .and_then(|json| serde_json::from_str::<DecidedOutcome>(json).ok());
    let identifiers = match &decided {
        Some(outcome) => distinct(outcome.identifiers.iter().map(|i| i.value.clone())),
        None => distinct(
            identifiers::detect(record.subject.as_deref().unwrap_or(""), &Location::Subject)
                .into_iter()
                .map(|i| i.value),
        ),
    };

    let next = record
        .open_tasks
        .iter()
        .filter_map(|task| {
            let due = task.due_at.as_deref()?.parse::<Timestamp>().ok()?;
            Some((due, task))
        })
        .min_by_key(|(due, _)| *due);
    let (next_task, due_at, due_projected, due_policy) = match (next, &decided) {
        (Some((due, task)), _) => (
            Some(task.title.clone()),
            Some(due),
            false,
            task.policy.as_deref().and_then(|p| p.parse().ok()),
        ),
        (None, None) if !identifiers.is_empty() => {
            let projected = received_at.and_then(|received| {
                calendar
                    .due(received, calendar::ReceiptSource::ReceivedHeader, policy)
                    .ok()
                    .map(|deadline| deadline.due_at)
            });
            (
                None,
                projected,
                projected.is_some(),
                projected.map(|_| policy),
            )
        }
        (None, _) => (
            record.open_tasks.first().map(|task| task.title.clone()),
            None,
            false,
            None,
        ),
    };
    let status = if record.deleted.is_some() {
        "deleted".to_owned()
    } else {
        record.status
    };

    QueueEntry {
        id: record.id,
        from: record.from,
        subject: record.subject,
        received_at,
        status,
        deleted: record.deleted,
        identifiers,
        regulatory: decided.map(|outcome| outcome.regulatory),
        disposition: record.disposition,
        next_task,
        due_at,
        due_projected,
        due_policy,
        business_time_left: now
            .zip(due_at)
            .map(|(now, due)| calendar.business_time_between(now, due)),
    }
}

fn passes(
    entry: &QueueEntry,
    filter: &QueueFilter,
    calendar: &BusinessCalendar,
    now: Timestamp,
) -> bool {
    let due = match filter.due {
        DueFilter::All => true,
        DueFilter::Overdue => entry.due_at.is_some_and(|due| due < now),
        DueFilter::DueToday => entry.due_at.is_some_and(|due| {
            let zone = calendar.time_zone();
            due >= now && zone.to_datetime(due).date() == zone.to_datetime(now).date()
        }),
        DueFilter::NeedsDecision => entry.disposition.is_none(),
    };
    let disposition = filter
        .disposition
        .as_deref()
        .is_none_or(|wanted| entry.disposition.as_deref() == Some(wanted));
    let identifier = filter
        .identifier
        .as_deref()
        .map(str::trim)
        .is_none_or(|wanted| {
            let wanted = wanted.to_ascii_lowercase();
            entry
                .identifiers
                .iter()
                .any(|value| value.to_ascii_lowercase().contains(&wanted))
        });
    due && disposition && identifier
}

fn distinct(values: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for value in values {
        if !out.contains(&value) {
            out.push(value);
        }
    }
    out
}

/// The part of a stored outcome the queue reads.
#[derive(Deserialize)]
struct DecidedOutcome {
    regulatory: bool,
    identifiers: Vec<DecidedIdentifier>,
}

#[derive(Deserialize)]
struct DecidedIdentifier {
    value: String,
}
