//! The store's side of outgoing email: the registry rebuilt by the migration keeps the
//! certificates harvested before it, and record copies keep the exact exported bytes.

use std::path::Path;

use regmail::drafts::stored::{self, DraftError};
use regmail::drafts::{CheckContext, Rule};
use regmail::store::Store;

use super::{clean_context, clean_draft};

#[test]
fn version_9_registry_is_kept_by_the_migration() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("regmail.db");
    let migrations = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store/migrations");
    {
        let conn = rusqlite::Connection::open(&path)?;
        for file in [
            "0001_messages.sql",
            "0002_calendar_closures.sql",
            "0003_sopp.sql",
            "0004_desktop.sql",
            "0005_task_resolutions.sql",
            "0006_message_deletions.sql",
            "0007_smime.sql",
            "0008_raw_compression.sql",
            "0009_references_json.sql",
        ] {
            conn.execute_batch(&std::fs::read_to_string(migrations.join(file))?)?;
        }
        conn.execute_batch(
            "PRAGMA user_version = 9;
             INSERT INTO secure_partners (address, fingerprint, subject, not_after, cert_der, first_seen, last_seen, message_id)
                 VALUES ('alice@example.com', 'ab12', 'CN=Alice', '2030-01-01T00:00:00Z', x'3000',
                         '2025-03-01T12:00:00Z', '2025-03-02T12:00:00Z', NULL);",
        )?;
    }

    let store = Store::open(&path)?;
    let partners = store.secure_partners()?;
    assert_eq!(partners.len(), 1);
    let alice = &partners[0];
    assert_eq!(alice.entry, "alice@example.com");
    assert_eq!(alice.method, "smime");
    assert_eq!(alice.source, "signed-mail");
    assert_eq!(alice.fingerprint.as_deref(), Some("ab12"));
    assert_eq!(alice.not_after.as_deref(), Some("2030-01-01T00:00:00Z"));

    let registry = store.partner_registry()?;
    let at = "2025-06-01T00:00:00Z".parse()?;
    assert!(matches!(
        registry.lookup("Alice@example.com", at),
        regmail::drafts::partners::PartnerStatus::Partner(_)
    ));
    assert_eq!(
        registry.entries()[0]
            .verified_on
            .map(|d| d.to_string())
            .as_deref(),
        Some("2025-03-02"),
        "a harvested entry is verified when last seen"
    );
    Ok(())
}

fn context_and_store() -> (Store, CheckContext) {
    (crate::memory_store(), clean_context())
}

#[test]
fn record_copy_keeps_bytes_and_hash() -> anyhow::Result<()> {
    let (mut store, context) = context_and_store();
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("reply.eml");
    let at = "2025-03-04T16:00:00Z".parse()?;
    let (exported, record) = stored::export_record_copy(
        &mut store,
        &clean_draft(),
        &context,
        Some(&path),
        "dana",
        at,
    )?;

    let file = std::fs::read(&path)?;
    assert_eq!(file, exported.bytes);
    assert_eq!(regmail::message::sha256_hex(&file), record.sha256);
    assert_eq!(store.record_copy_bytes(record.id)?, file);
    assert_eq!(record.to, ["priya.raman@acmebio.example"]);
    assert_eq!(record.cc, ["marcus.ortega@fda.hhs.gov"]);
    assert_eq!(record.stn.as_deref(), Some("STN 125742/0"));
    assert!(record.cer_upload);

    assert_eq!(
        record.exported_path.as_deref(),
        Some(path.to_str().expect("utf-8"))
    );
    assert_eq!(store.record_copies(None)?, std::slice::from_ref(&record));
    assert!(store.record_copies(Some(99))?.is_empty());
    assert!(
        store.verify_audit()?.is_ok(),
        "the audit chain stays intact"
    );
    Ok(())
}

#[test]
fn record_copy_is_never_overwritten() -> anyhow::Result<()> {
    let (mut store, context) = context_and_store();
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("reply.eml");
    std::fs::write(&path, "earlier")?;
    let at = "2025-03-04T16:00:00Z".parse()?;
    let err = stored::export_record_copy(
        &mut store,
        &clean_draft(),
        &context,
        Some(&path),
        "dana",
        at,
    )
    .expect_err("file exists");
    assert!(matches!(err, DraftError::Exists { .. }), "{err}");
    assert_eq!(std::fs::read_to_string(&path)?, "earlier");
    assert!(store.record_copies(None)?.is_empty());
    Ok(())
}

#[test]
fn blocked_draft_is_not_kept() -> anyhow::Result<()> {
    let (mut store, context) = context_and_store();
    let mut draft = clean_draft();
    draft.cc.clear();
    let at = "2025-03-04T16:00:00Z".parse()?;
    let err = stored::export_record_copy(&mut store, &draft, &context, None, "dana", at)
        .expect_err("RPM missing");
    match err {
        DraftError::Blocked { findings } => {
            assert_eq!(findings.len(), 1);
            assert_eq!(findings[0].rule, Rule::RpmCc);
        }
        other => panic!("unexpected {other}"),
    }
    assert!(store.record_copies(None)?.is_empty());
    Ok(())
}

#[test]
fn signed_letter_email_skips_cer() -> anyhow::Result<()> {
    let (mut store, context) = context_and_store();
    let mut draft = clean_draft();
    draft
        .attachments
        .push(regmail::drafts::DraftAttachment::new(
            "letter.pdf",
            b"%PDF-1.7\n<< /Type /Sig /ByteRange [0 1 2 3] >>\n".to_vec(),
            true,
        ));
    let at = "2025-03-04T16:00:00Z".parse()?;
    let (_, record) = stored::export_record_copy(&mut store, &draft, &context, None, "dana", at)?;
    assert!(!record.cer_upload);
    assert_eq!(record.warnings, ["piv-letter-cer"]);
    Ok(())
}

#[test]
fn thread_address_near_miss_warns() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let first = dir.path().join("first.eml");
    std::fs::write(
        &first,
        "Received: from mx1.acmebio.example by mail.fda.hhs.gov; Tue, 04 Mar 2025 09:00:00 -0500\r\n\
         From: Regulatory Affairs <regulatory.affairs@acmebio.example>\r\n\
         To: Dana Whitfield <dana.whitfield@fda.hhs.gov>\r\n\
         Cc: Marcus Ortega <marcus.ortega@fda.hhs.gov>\r\n\
         Subject: STN 125742/0 - Question on stability\r\n\
         Message-ID: <thread-first@acmebio.example>\r\n\r\nA question.\r\n",
    )?;
    let second = dir.path().join("second.eml");
    std::fs::write(
        &second,
        "Received: from mx1.acmebio.example by mail.fda.hhs.gov; Tue, 04 Mar 2025 10:00:00 -0500\r\n\
         From: Priya Raman <priya.raman@acmebio.example>\r\n\
         To: Dana Whitfield <dana.whitfield@fda.hhs.gov>\r\n\
         Cc: Marcus Ortega <marcus.ortega@fda.hhs.gov>\r\n\
         Subject: RE: STN 125742/0 - Question on stability\r\n\
         Message-ID: <thread-second@acmebio.example>\r\n\
         In-Reply-To: <thread-first@acmebio.example>\r\n\
         References: <thread-first@acmebio.example>\r\n\r\nAs agreed, the data.\r\n",
    )?;
    let mut store = crate::memory_store();
    crate::import_into(&mut store, &[first, second]);
    let at = "2025-03-05T15:00:00Z".parse()?;
    store.import_directory(&super::directory(), "dana", at)?;
    let second_id = store.messages_with_message_id("thread-second@acmebio.example")?[0];

    let mut draft = clean_draft();
    draft.message_id = Some(second_id);
    draft.in_reply_to = Some("thread-second@acmebio.example".into());
    draft.cc.push(regmail::sopp::facts::Mailbox::address(
        "regulatory.afairs@acmebio.example",
    ));
    let context = stored::context(&store, &draft, &super::settings(), at)?;
    let original = context.original.as_ref().expect("replied message found");
    assert!(original
        .addresses
        .contains(&"regulatory.affairs@acmebio.example".to_owned()));
    let findings = regmail::drafts::check(&draft, &context);
    let near: Vec<_> = findings
        .iter()
        .filter(|f| f.rule == Rule::NearMissAddress)
        .collect();
    assert_eq!(near.len(), 1, "{findings:#?}");
    assert_eq!(near[0].value, "regulatory.afairs@acmebio.example");
    assert!(near[0].fix.contains("regulatory.affairs@acmebio.example"));
    Ok(())
}
