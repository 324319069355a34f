//! Drafting for a stored message: the decision is previewed with the reviewer's stored
//! replies to its questions, the template rendered, the draft checked against the store's RPM directory and
//! partner registry, and an exported draft kept as the record copy.
//!
//! This is the only part of [`crate::drafts`] that reads or writes the store or files.

use std::io::Write;
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use super::check::{check, CheckContext, Finding, Original, Severity};
use super::edit::InvalidAddress;
use super::eml::{export, EmlError, Export};
use super::render::{render, RenderError};
use super::settings::DraftSettings;
use super::template::{Template, TemplatesError};
use super::Draft;
use crate::sopp::triage::{self, TriageError};
use crate::sopp::{Answers, Outcome, Settings};
use crate::store::{self, NewRecordCopy, RecordCopy, Store};

/// Errors of drafting for a stored message.
#[derive(Debug, thiserror::Error)]
pub enum DraftError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] store::Error),
    /// The message's decision could not be evaluated.
    #[error(transparent)]
    Triage(#[from] TriageError),
    /// The template could not be filled for this message.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// The draft could not be written as a message.
    #[error(transparent)]
    Eml(#[from] EmlError),
    /// The templates could not be loaded, or the named one is missing or does not parse.
    #[error(transparent)]
    Templates(#[from] TemplatesError),
    /// A recipient entry is not an email address, so the draft is not exported.
    #[error("the draft was not exported: {}", entries.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    InvalidAddresses {
        /// The entries that are not addresses.
        entries: Vec<InvalidAddress>,
    },
    /// The draft has blocking findings, so it is not exported.
    #[error("the draft has {} blocking finding(s) and was not exported: {}", findings.len(), findings.iter().map(|f| format!("{} {}", f.rule, f.value)).collect::<Vec<_>>().join("; "))]
    Blocked {
        /// The blocking findings.
        findings: Vec<Finding>,
    },
    /// The export file exists already.
    #[error(
        "{path} already exists; choose another file name, since a record copy is never overwritten"
    )]
    Exists {
        /// The file.
        path: PathBuf,
    },
    /// The export file could not be written.
    #[error("cannot write {path}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// A reply drafted for a stored message, with what it was checked against.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The draft.
    pub draft: Draft,
    /// The decision the draft was rendered from.
    pub outcome: Outcome,
    /// The data the draft is checked against; check the draft again after every edit.
    pub context: CheckContext,
    /// The findings of the draft as rendered.
    pub findings: Vec<Finding>,
}

/// Returns the settings of the decision engine that follow the settings of drafting: the
/// official domains.
pub fn engine_settings(settings: &DraftSettings) -> Settings {
    Settings {
        official_domains: settings.official_domains.clone(),
        ..Settings::default()
    }
}

/// Returns the check context for a draft: the settings, the store's RPM directory and
/// partner registry, and the message the draft replies to (by its stored id, or else by
/// its `In-Reply-To`), checked at `at`.
///
/// # Errors
///
/// Returns [`DraftError::Store`] when the store fails.
pub fn context(
    store: &Store,
    draft: &Draft,
    settings: &DraftSettings,
    at: Timestamp,
) -> Result<CheckContext, DraftError> {
    let original = match replied_message(store, draft)? {
        Some(id) => original(store, id, settings)?,
        None => None,
    };
    Ok(CheckContext {
        settings: settings.clone(),
        directory: store.directory()?,
        partners: store.partner_registry()?,
        original,
        at,
    })
}

/// Returns the stored message `draft` replies to: its `message_id`, or else the first
/// stored message whose `Message-ID` is the draft's `In-Reply-To`.
pub fn replied_message(store: &Store, draft: &Draft) -> Result<Option<i64>, DraftError> {
    if let Some(id) = draft.message_id {
        return Ok(Some(id));
    }
    match &draft.in_reply_to {
        Some(message_id) => Ok(store.messages_with_message_id(message_id)?.first().copied()),
        None => Ok(None),
    }
}

/// Returns the view of stored message `id` that the checks need, with whether the RPM was
/// addressed as decided for it. A message whose stored copy was deleted has none.
fn original(
    store: &Store,
    id: i64,
    settings: &DraftSettings,
) -> Result<Option<Original>, DraftError> {
    let message = store.message(id)?;
    if message.deleted.is_some() {
        return Ok(None);
    }
    let outcome = match triage::preview(store, id, &Answers::new(), &engine_settings(settings)) {
        Ok((outcome, _)) => Some(outcome),
        Err(error) => {
            tracing::warn!(message_id = id, %error, "the decision of the message replied to could not be evaluated; checking without it");
            None
        }
    };
    let mut original = Original::from_message(&message.parsed, outcome.as_ref());
    add_thread_addresses(store, &message.parsed, &mut original)?;
    Ok(Some(original))
}

/// Adds the addresses of the stored messages that `message` replies to or references, so
/// that a near-miss of any address seen in the thread is noticed (SOPP 8119 VI.B.3).
fn add_thread_addresses(
    store: &Store,
    message: &crate::message::ParsedMessage,
    original: &mut Original,
) -> Result<(), DraftError> {
    let mut thread: Vec<&String> = message.references.iter().collect();
    thread.extend(&message.in_reply_to);
    for message_id in thread {
        for id in store.messages_with_message_id(message_id)? {
            let earlier = Original::from_message(&store.message(id)?.parsed, None);
            for address in earlier.addresses {
                if !original.addresses.contains(&address) {
                    original.addresses.push(address);
                }
            }
        }
    }
    Ok(())
}

/// Renders `template` as a reply to stored message `id` and checks it.
///
/// # Errors
///
/// Returns [`DraftError::Triage`] when the message is deleted or its decision cannot be
/// evaluated, and [`DraftError::Render`] when the template cannot be filled for it.
pub fn draft_reply(
    store: &Store,
    id: i64,
    template: &Template,
    settings: &DraftSettings,
    at: Timestamp,
) -> Result<Prepared, DraftError> {
    let (outcome, _) = triage::preview(store, id, &Answers::new(), &engine_settings(settings))?;
    let message = store.message(id)?;
    let mut draft = render(template, &message.parsed, &outcome, settings)?;
    draft.message_id = Some(id);
    let mut original = Original::from_message(&message.parsed, Some(&outcome));
    add_thread_addresses(store, &message.parsed, &mut original)?;
    let context = CheckContext {
        settings: settings.clone(),
        directory: store.directory()?,
        partners: store.partner_registry()?,
        original: Some(original),
        at,
    };
    let findings = check(&draft, &context);
    tracing::debug!(
        message_id = id,
        template = %template.name,
        findings = findings.len(),
        "drafted a reply"
    );
    Ok(Prepared {
        draft,
        outcome,
        context,
        findings,
    })
}

/// Checks `draft` once more, exports it, writes it to `path` when given (never over an
/// existing file), and keeps the exported bytes as the record copy with an audit entry.
///
/// # Errors
///
/// Returns [`DraftError::Blocked`] when a finding blocks the export, [`DraftError::Exists`]
/// when `path` exists, and [`DraftError::Write`] or [`DraftError::Store`] when writing
/// fails. A file written before the store failed is removed again.
pub fn export_record_copy(
    store: &mut Store,
    draft: &Draft,
    context: &CheckContext,
    path: Option<&Path>,
    user: &str,
    at: Timestamp,
) -> Result<(Export, RecordCopy), DraftError> {
    let findings = check(draft, context);
    let (blocking, warnings): (Vec<Finding>, Vec<Finding>) = findings
        .into_iter()
        .partition(|f| f.severity == Severity::Blocking);
    if !blocking.is_empty() {
        return Err(DraftError::Blocked { findings: blocking });
    }
    let exported = export(draft, at)?;
    let path = path
        .map(|p| {
            std::path::absolute(p).map_err(|source| DraftError::Write {
                path: p.to_path_buf(),
                source,
            })
        })
        .transpose()?;
    let path = path.as_deref();
    if let Some(path) = path {
        write_new(path, &exported.bytes)?;
    }
    let path_text = path.map(|p| p.display().to_string());
    let saved = store.save_record_copy(&NewRecordCopy {
        draft,
        export: &exported,
        warnings: &warnings,
        path: path_text.as_deref(),
        user,
        at,
    });
    match saved {
        Ok(record) => {
            tracing::info!(
                record_id = record.id,
                message_id = draft.message_id,
                warnings = warnings.len(),
                "exported a draft as the record copy"
            );
            Ok((exported, record))
        }
        Err(error) => {
            if let Some(path) = path {
                if let Err(remove) = std::fs::remove_file(path) {
                    tracing::warn!(path = %path.display(), %remove, "could not remove the export after the store failed");
                }
            }
            Err(error.into())
        }
    }
}

fn write_new(path: &Path, bytes: &[u8]) -> Result<(), DraftError> {
    let write_error = |source| DraftError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(DraftError::Exists {
                path: path.to_path_buf(),
            })
        }
        Err(err) => return Err(write_error(err)),
    };
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(write_error)
}
