//! The editing cycle of a reply to a stored message, as the desktop editor runs it: open
//! the reply with the template the decision calls for, check the reviewer's edits, and
//! export the edited draft as the record copy.
//!
//! Each step renders the template again from the store and applies the reviewer's
//! [`DraftEdit`], so the editor keeps no draft state in the backend and every check reads
//! the current RPM directory, partner registry and settings.

use std::path::Path;

use jiff::Timestamp;

use super::check::{check, Finding};
use super::edit::{DraftEdit, InvalidAddress};
use super::eml::Export;
use super::stored::{self, engine_settings, DraftError, Prepared};
use super::template::{Template, Templates};
use super::Draft;
use crate::sopp::{triage, Answers, Outcome};
use crate::store::{RecordCopy, Store};

/// A reply opened for a stored message.
#[derive(Debug, Clone)]
pub struct OpenedReply {
    /// The templates the reviewer may choose from, built-in ones first.
    pub templates: Vec<Template>,
    /// The names of the templates that reply to the message's decision.
    pub suggested: Vec<String>,
    /// The decision of the message.
    pub outcome: Outcome,
    /// The draft of the chosen template, or none when no template was given and none or
    /// several reply to the decision.
    pub prepared: Option<Prepared>,
}

/// A draft with the reviewer's edits applied, and its findings.
#[derive(Debug, Clone)]
pub struct CheckedReply {
    /// The edited draft.
    pub draft: Draft,
    /// The findings of the edited draft.
    pub findings: Vec<Finding>,
    /// The recipient entries that are not addresses, left out of the draft.
    pub invalid_addresses: Vec<InvalidAddress>,
}

/// Opens a reply to stored message `id` with `template`, or without it with the one
/// template that replies to the message's decision.
///
/// # Errors
///
/// Returns [`DraftError::Templates`] when the templates folder cannot be read or the named
/// template does not exist or does not parse, and the errors of [`stored::draft_reply`].
pub fn open_reply(
    store: &Store,
    id: i64,
    template: Option<&str>,
    at: Timestamp,
) -> Result<OpenedReply, DraftError> {
    let settings = store.draft_settings()?;
    let templates = Templates::load(settings.templates_dir.as_deref())?;
    for (name, error) in templates.broken() {
        tracing::warn!(template = name, %error, "a user template does not parse; it is not offered");
    }
    let (outcome, _) = triage::preview(store, id, &Answers::new(), &engine_settings(&settings))?;
    let suggested: Vec<String> = templates
        .suggest(&outcome)
        .into_iter()
        .map(|t| t.name.clone())
        .collect();
    let chosen = match (template, suggested.as_slice()) {
        (Some(name), _) => Some(templates.get(name)?),
        (None, [only]) => Some(templates.get(only)?),
        (None, _) => None,
    };
    let prepared = chosen
        .map(|template| stored::draft_reply(store, id, template, &settings, at))
        .transpose()?;
    Ok(OpenedReply {
        templates: templates.list().to_vec(),
        suggested,
        outcome,
        prepared,
    })
}

/// Renders `template` for stored message `id`, applies `edit` and checks the result with
/// the context the store gives for the message.
///
/// # Errors
///
/// Returns the errors of [`open_reply`] with a named template.
pub fn check_reply(
    store: &Store,
    id: i64,
    template: &str,
    edit: &DraftEdit,
    at: Timestamp,
) -> Result<CheckedReply, DraftError> {
    let (mut prepared, invalid_addresses) = edited(store, id, template, edit, at)?;
    let findings = check(&prepared.draft, &prepared.context);
    prepared.findings.clone_from(&findings);
    Ok(CheckedReply {
        draft: prepared.draft,
        findings,
        invalid_addresses,
    })
}

/// Renders `template` for stored message `id`, applies `edit`, checks the result once more
/// and exports it as the record copy, written to `path`, which must not exist.
///
/// # Errors
///
/// Returns [`DraftError::InvalidAddresses`] when a recipient entry is not an address, and
/// the errors of [`stored::export_record_copy`], among them [`DraftError::Blocked`] while a
/// blocking finding remains.
pub fn export_reply(
    store: &mut Store,
    id: i64,
    template: &str,
    edit: &DraftEdit,
    path: &Path,
    user: &str,
    at: Timestamp,
) -> Result<(Export, RecordCopy), DraftError> {
    let (prepared, invalid) = edited(store, id, template, edit, at)?;
    if !invalid.is_empty() {
        return Err(DraftError::InvalidAddresses { entries: invalid });
    }
    stored::export_record_copy(
        store,
        &prepared.draft,
        &prepared.context,
        Some(path),
        user,
        at,
    )
}

fn edited(
    store: &Store,
    id: i64,
    template: &str,
    edit: &DraftEdit,
    at: Timestamp,
) -> Result<(Prepared, Vec<InvalidAddress>), DraftError> {
    let settings = store.draft_settings()?;
    let templates = Templates::load(settings.templates_dir.as_deref())?;
    let mut prepared = stored::draft_reply(store, id, templates.get(template)?, &settings, at)?;
    let invalid = edit.apply(&mut prepared.draft);
    Ok((prepared, invalid))
}
