//! Triage of a stored message: build its facts, merge the reviewer's stored and new
//! answers, walk the tree on the business calendar, and save the decision, tasks and audit
//! entries.
//!
//! This is the one part of the procedure that reads and writes the store; the rules stay
//! in [`super::engine`].

use jiff::Timestamp;

use super::engine::{evaluate, Answers, EngineError, Outcome};
use super::facts::{MessageFacts, Settings};
use super::mail::{apply_smime, facts_from_quarantined, facts_from_stored, MailError};
use super::tree::Tree;
use crate::calendar::{self, BusinessCalendar};
use crate::store::{self, SavedTriage, Store, TriageRecord};

/// Errors of a triage.
#[derive(Debug, thiserror::Error)]
pub enum TriageError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] store::Error),
    /// The stored import time of a quarantined message is not a valid timestamp.
    #[error("message {id} has an invalid import time {value:?} in the database")]
    CorruptImportTime {
        /// The message id.
        id: i64,
        /// The stored text.
        value: String,
    },
    /// The message's facts could not be built.
    #[error("message {id} cannot be triaged")]
    Mail {
        /// The message id.
        id: i64,
        /// The cause.
        #[source]
        source: MailError,
    },
    /// The answers do not fit the tree, or a deadline failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The business calendar could not be built from the stored closures.
    #[error("the business calendar could not be built")]
    Calendar {
        /// The calendar's error.
        #[source]
        source: calendar::Error,
    },
}

/// A triage result and what saving it did.
#[derive(Debug, Clone)]
pub struct Triage {
    /// The message id.
    pub message_id: i64,
    /// The outcome.
    pub outcome: Outcome,
    /// The answers used: stored ones with this run's on top.
    pub answers: Answers,
    /// The saved decision and the message's tasks.
    pub saved: SavedTriage,
}

/// Returns the facts of stored message `id`.
///
/// A message quarantined on import was stored raw because it could not be parsed. Its
/// facts come from its raw bytes, its mbox envelope lines and its import time (see
/// [`facts_from_quarantined`]), and they make it unreadable (SOPP 8119 VII.A.1).
///
/// # Errors
///
/// Returns [`TriageError::Mail`] when a parsed message has no receipt time,
/// [`TriageError::CorruptImportTime`] when a quarantined message's import time cannot be
/// read, and [`TriageError::Store`] with [`store::Error::MessageDeleted`] when its stored
/// copy was deleted.
pub fn stored_facts(store: &Store, id: i64) -> Result<MessageFacts, TriageError> {
    let message = store.message(id)?;
    if let Some(deletion) = message.deleted {
        return Err(TriageError::Store(store::Error::MessageDeleted {
            id,
            deleted_at: deletion.deleted_at,
            deleted_by: deletion.deleted_by,
            section: deletion.section,
        }));
    }
    let raw = store.raw_message(id)?;
    if message.status == "quarantined" {
        let imported_at: Timestamp =
            message
                .imported_at
                .parse()
                .map_err(|_| TriageError::CorruptImportTime {
                    id,
                    value: message.imported_at.clone(),
                })?;
        let reason = message
            .quarantine_reason
            .as_deref()
            .unwrap_or("no reason stored");
        let envelopes = message.origins.iter().filter_map(|o| o.envelope.as_deref());
        let facts = facts_from_quarantined(&raw, reason, envelopes, imported_at);
        tracing::debug!(
            message_id = id,
            receipt_source = facts.receipt_source.as_str(),
            "built facts of a quarantined message from its raw bytes"
        );
        return Ok(facts);
    }
    let mut facts = facts_from_stored(&message.parsed, &raw)
        .map_err(|source| TriageError::Mail { id, source })?;
    if let Some(smime) = store.smime_result(id)? {
        apply_smime(&mut facts, &smime);
    }
    Ok(facts)
}

/// Returns the business calendar with the user's closures from the store.
///
/// # Errors
///
/// Returns [`TriageError::Calendar`] when a stored closure breaks the calendar's rules.
pub fn stored_calendar(store: &Store) -> Result<BusinessCalendar, TriageError> {
    BusinessCalendar::with_shipped_closures(store.closures()?)
        .map_err(|source| TriageError::Calendar { source })
}

/// Returns the default inference settings with the deadline policy the user saved in the
/// store (see [`Store::deadline_policy`]).
///
/// # Errors
///
/// Returns [`TriageError::Store`] when the stored policy cannot be read.
pub fn stored_settings(store: &Store) -> Result<Settings, TriageError> {
    Ok(Settings {
        deadline_policy: store.deadline_policy()?,
        ..Settings::default()
    })
}

/// Evaluates stored message `id` with its stored answers and `given` on top, without
/// saving anything. Returns the outcome and the answers used.
///
/// # Errors
///
/// As for [`stored_facts`], and [`TriageError::Engine`] for an answer that does not fit
/// the tree.
pub fn preview(
    store: &Store,
    id: i64,
    given: &Answers,
    settings: &Settings,
) -> Result<(Outcome, Answers), TriageError> {
    let facts = stored_facts(store, id)?;
    let mut answers = Answers::new();
    for stored in store.message_answers(id)? {
        answers.set(stored.key, &stored.value);
    }
    for (key, value) in given.iter() {
        answers.set(key, value);
    }
    let directory = store.directory()?;
    let calendar = stored_calendar(store)?;
    let outcome = evaluate(
        Tree::sopp_8119_v11(),
        &facts,
        &answers,
        settings,
        &directory,
        &calendar,
    )?;
    Ok((outcome, answers))
}

/// Triages stored message `id` with the answers `given` now by `user`, and saves the
/// decision, tasks and audit entries.
///
/// # Errors
///
/// As for [`preview`], and [`TriageError::Store`] when saving fails.
pub fn triage(
    store: &mut Store,
    id: i64,
    given: &Answers,
    settings: &Settings,
    user: &str,
    at: Timestamp,
) -> Result<Triage, TriageError> {
    let (outcome, answers) = preview(store, id, given, settings)?;
    let given_answers: Vec<(super::FactKey, String)> = given
        .iter()
        .map(|(key, value)| (key, value.to_owned()))
        .collect();
    let saved = store.save_triage(&TriageRecord {
        message_id: id,
        outcome: &outcome,
        given_answers: &given_answers,
        user,
        at,
    })?;
    tracing::info!(
        message_id = id,
        disposition = %outcome.disposition,
        tasks = saved.open_tasks.len(),
        "triaged message"
    );
    Ok(Triage {
        message_id: id,
        outcome,
        answers,
        saved,
    })
}
