//! The editing cycle of the desktop editor: open a reply with the suggested template, check
//! the reviewer's edits, and export the edited draft as the record copy.

use jiff::Timestamp;
use regmail::drafts::partners::parse_partner_list;
use regmail::drafts::reply::{check_reply, export_reply, open_reply};
use regmail::drafts::settings::DraftSettingKey;
use regmail::drafts::{DraftEdit, DraftError, Rule, Severity};
use regmail::sopp::{triage, Answers, Settings};
use regmail::store::Store;

use super::{directory, REVIEWER};
use crate::{fixture, import_into, memory_store};

fn at() -> Timestamp {
    "2025-07-07T14:00:00Z".parse().expect("time")
}

/// Returns a store with the rpm-missing scenario triaged as agreed by email, the
/// directory, the reviewer and acmebio.example registered with enforced TLS, and the
/// message id.
fn setup() -> anyhow::Result<(Store, i64)> {
    let mut store = memory_store();
    import_into(&mut store, &[fixture("sopp/scenarios/rpm-missing.eml")]);
    store.import_directory(&directory(), "dana", at())?;
    let id = *store
        .messages_with_message_id("rpm-missing@acmebio.example")?
        .first()
        .expect("scenario imported");
    let answers = Answers::parse_pairs(["kind=agreed"])?;
    triage::triage(&mut store, id, &answers, &Settings::default(), "dana", at())?;
    store.save_draft_setting(
        DraftSettingKey::ReviewerName,
        "Dana Whitfield",
        "dana",
        at(),
    )?;
    store.save_draft_setting(DraftSettingKey::ReviewerEmail, REVIEWER, "dana", at())?;
    let partners = parse_partner_list(
        "entry,method,verified_on\nacmebio.example,tls,2025-01-15\n",
        &store.draft_settings()?.isp_domains,
    )?;
    store.import_partners(&partners, "dana", at())?;
    Ok((store, id))
}

fn blocking_rules(findings: &[regmail::drafts::Finding]) -> Vec<Rule> {
    findings
        .iter()
        .filter(|f| f.severity == Severity::Blocking)
        .map(|f| f.rule)
        .collect()
}

/// Returns the edit that leaves the draft of the suggested template unchanged.
fn suggested_edit(store: &Store, id: i64) -> anyhow::Result<DraftEdit> {
    let prepared = open_reply(store, id, None, at())?
        .prepared
        .expect("one template suggested");
    Ok(DraftEdit::of(&prepared.draft))
}

#[test]
fn open_reply_selects_suggested_template() -> anyhow::Result<()> {
    let (store, id) = setup()?;
    let opened = open_reply(&store, id, None, at())?;
    let prepared = opened.prepared.expect("one template suggested");
    assert_eq!(opened.suggested, ["include-rpm"]);
    assert_eq!(
        prepared.draft.template.as_ref().map(|t| t.name.as_str()),
        Some("include-rpm")
    );
    assert!(opened.templates.len() >= 7, "{}", opened.templates.len());
    assert_eq!(blocking_rules(&prepared.findings), []);
    Ok(())
}

#[test]
fn open_reply_with_named_template() -> anyhow::Result<()> {
    let (store, id) = setup()?;
    let opened = open_reply(&store, id, Some("secure-email-setup"), at())?;
    let draft = opened.prepared.expect("drafted").draft;
    assert_eq!(
        draft.template.map(|t| t.name),
        Some("secure-email-setup".to_owned())
    );
    assert_eq!(opened.suggested, ["include-rpm"]);
    Ok(())
}

#[test]
fn open_reply_rejects_unknown_template() -> anyhow::Result<()> {
    let (store, id) = setup()?;
    let err = open_reply(&store, id, Some("no-such-template"), at()).expect_err("unknown");
    assert!(matches!(err, DraftError::Templates(_)), "{err}");
    assert!(err.to_string().contains("include-rpm"), "{err}");
    Ok(())
}

#[test]
fn check_reply_follows_edits() -> anyhow::Result<()> {
    let (store, id) = setup()?;
    let mut edit = suggested_edit(&store, id)?;
    edit.cc = String::new();

    let without_rpm = check_reply(&store, id, "include-rpm", &edit, at())?;
    edit.cc = "marcus.ortega@fda.hhs.gov".to_owned();
    let fixed = check_reply(&store, id, "include-rpm", &edit, at())?;

    assert_eq!(blocking_rules(&without_rpm.findings), [Rule::RpmCc]);
    assert!(without_rpm.draft.cc.is_empty());
    assert_eq!(blocking_rules(&fixed.findings), []);
    assert_eq!(fixed.draft.cc.len(), 1);
    Ok(())
}

#[test]
fn check_reply_lists_invalid_addresses() -> anyhow::Result<()> {
    let (store, id) = setup()?;
    let mut edit = suggested_edit(&store, id)?;
    edit.to = "priya.raman@acmebio".to_owned();

    let checked = check_reply(&store, id, "include-rpm", &edit, at())?;

    assert_eq!(checked.invalid_addresses.len(), 1);
    assert_eq!(checked.invalid_addresses[0].value, "priya.raman@acmebio");
    assert!(checked.draft.to.is_empty());
    Ok(())
}

#[test]
fn export_reply_refuses_blocking_draft() -> anyhow::Result<()> {
    let (mut store, id) = setup()?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("reply.eml");
    let mut edit = suggested_edit(&store, id)?;
    edit.cc = String::new();

    let err = export_reply(&mut store, id, "include-rpm", &edit, &path, "dana", at())
        .expect_err("blocked");

    assert!(matches!(err, DraftError::Blocked { .. }), "{err}");
    assert!(!path.exists());
    assert_eq!(store.record_copies(Some(id))?.len(), 0);
    Ok(())
}

#[test]
fn export_reply_refuses_invalid_address() -> anyhow::Result<()> {
    let (mut store, id) = setup()?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("reply.eml");
    let mut edit = suggested_edit(&store, id)?;
    edit.cc = format!("{}, grace.liu@fda", edit.cc);

    let err = export_reply(&mut store, id, "include-rpm", &edit, &path, "dana", at())
        .expect_err("invalid address");

    assert!(matches!(err, DraftError::InvalidAddresses { .. }), "{err}");
    assert!(err.to_string().contains("grace.liu@fda"), "{err}");
    assert!(!path.exists());
    Ok(())
}

#[test]
fn export_reply_keeps_edited_record_copy() -> anyhow::Result<()> {
    let (mut store, id) = setup()?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("reply.eml");
    let mut edit = suggested_edit(&store, id)?;
    edit.body
        .push_str("\nThe stability tables are under review.\n");
    edit.communication = regmail::drafts::CommunicationType::Telecon;

    let (exported, record) =
        export_reply(&mut store, id, "include-rpm", &edit, &path, "dana", at())?;

    let written = std::fs::read(&path)?;
    assert_eq!(written, exported.bytes);
    assert_eq!(record.sha256, regmail::message::sha256_hex(&written));
    assert_eq!(record.communication_type, "telecon");
    assert_eq!(record.message_id, Some(id));
    assert!(String::from_utf8_lossy(&written).contains("under review"));
    assert_eq!(store.record_copies(Some(id))?.len(), 1);
    Ok(())
}
