//! The stored copy of an email that is not accepted (SOPP 8119 V.B.2.a): marked for deletion
//! once the acknowledgement is done, deleted by the delete-after-contact task, never before,
//! and kept afterwards only as a tombstone with its audit entries.

use anyhow::Context;
use regmail::store::{DeletionState, Error, Store};

use super::store::{done_by, run, store_with, REVIEWER};

/// A reply with thread links, an attachment and a body, so that every kind of content has
/// something to delete.
pub(super) const REPLY: &[u8] =
    b"Received: from mx1.sponsor.example (mx1.sponsor.example [192.0.2.20]) by\r\n\
\x20mail.fda.hhs.gov with ESMTPS id 3Jx8Qa2; Wed, 05 Mar 2025 09:00:00 -0500\r\n\
Date: Wed, 05 Mar 2025 08:59:12 -0500\r\n\
From: Priya Raman <priya.raman@acmebio.example>\r\n\
To: Dana Whitfield <dana.whitfield@fda.hhs.gov>\r\n\
Cc: Marcus Ortega <marcus.ortega@fda.hhs.gov>\r\n\
Subject: Re: STN 125742/5 - lyophilization cycle data\r\n\
Message-ID: <deletion-reply@regmail.example>\r\n\
In-Reply-To: <deletion-root@regmail.example>\r\n\
References: <deletion-root@regmail.example>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b\"\r\n\
\r\n\
--b\r\n\
Content-Type: text/plain; charset=\"utf-8\"\r\n\
\r\n\
Attached is the full lyophilization cycle validation report.\r\n\
--b\r\n\
Content-Type: application/pdf\r\n\
Content-Transfer-Encoding: base64\r\n\
Content-Disposition: attachment; filename=\"cycle-validation.pdf\"\r\n\
\r\n\
JVBERi0xLjQKJSByZWdtYWlsIHRlc3QK\r\n\
--b--\r\n";

/// A stored message triaged as not accepted, with its task ids.
struct NotAccepted {
    store: Store,
    message: i64,
    acknowledge: i64,
    delete: i64,
    _dir: tempfile::TempDir,
}

fn not_accepted() -> anyhow::Result<NotAccepted> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("reply.eml");
    std::fs::write(&path, REPLY)?;
    let (mut store, message) = store_with(&path)?;
    let result = run(
        &mut store,
        message,
        &["kind=not-agreed"],
        "2025-03-05T15:00:00Z",
    )?;
    anyhow::ensure!(
        result.outcome.disposition.as_str() == "not-accepted",
        "not accepted: {}",
        result.outcome.disposition
    );
    let task = |kind: &str| {
        result
            .saved
            .open_tasks
            .iter()
            .find(|t| t.kind == kind)
            .map(|t| t.id)
            .with_context(|| format!("{kind} created"))
    };
    Ok(NotAccepted {
        acknowledge: task("acknowledge-and-redirect")?,
        delete: task("delete-after-contact")?,
        store,
        message,
        _dir: dir,
    })
}

fn count(store: &Store, sql: &str, id: i64) -> anyhow::Result<i64> {
    Ok(store.connection().query_row(sql, [id], |row| row.get(0))?)
}

/// Asserts that the content of message `id` is all still stored.
fn assert_content_kept(store: &Store, id: i64, when: &str) -> anyhow::Result<()> {
    assert_eq!(store.raw_message(id)?, REPLY, "{when}: raw bytes");
    let message = store.message(id)?;
    assert_eq!(
        message.parsed.subject.as_deref(),
        Some("Re: STN 125742/5 - lyophilization cycle data"),
        "{when}: subject"
    );
    assert_eq!(message.parsed.attachments.len(), 1, "{when}: attachments");
    assert_eq!(
        message.parsed.in_reply_to,
        ["deletion-root@regmail.example"],
        "{when}: thread links"
    );
    let found = store.list_messages(Some("lyophilization"), 10)?;
    assert_eq!(found.len(), 1, "{when}: full-text entry");
    Ok(())
}

#[test]
fn waiting_for_names_the_acknowledgement() -> anyhow::Result<()> {
    let NotAccepted {
        mut store,
        message,
        acknowledge,
        delete,
        ..
    } = not_accepted()?;
    let row = |store: &Store, id: i64| -> anyhow::Result<regmail::store::TaskRow> {
        store
            .message_tasks(message)?
            .into_iter()
            .find(|t| t.id == id)
            .with_context(|| format!("task {id} stored"))
    };

    let waiting = store.waiting_for(&row(&store, delete)?)?;
    assert_eq!(waiting.len(), 1, "one prerequisite: {waiting:?}");
    assert_eq!(waiting[0].kind, "acknowledge-and-redirect");
    assert_eq!(waiting[0].task_id, Some(acknowledge));
    assert!(
        waiting[0].title.starts_with("Acknowledge receipt"),
        "title from the task definition: {}",
        waiting[0].title
    );
    assert!(
        store.waiting_for(&row(&store, acknowledge)?)?.is_empty(),
        "the acknowledgement waits for nothing"
    );

    store.complete_task(acknowledge, &done_by(None, None, "2025-03-05T16:00:00Z"))?;
    assert!(
        store.waiting_for(&row(&store, delete)?)?.is_empty(),
        "nothing to wait for once the acknowledgement is done"
    );
    Ok(())
}

#[test]
fn deletion_before_acknowledgement_is_rejected() -> anyhow::Result<()> {
    let NotAccepted {
        mut store,
        message,
        acknowledge,
        delete,
        ..
    } = not_accepted()?;
    let before = store.audit_log()?.len();

    let err = store
        .complete_task(delete, &done_by(None, None, "2025-03-05T16:00:00Z"))
        .expect_err("deletion must wait for the acknowledgement");
    assert!(
        matches!(err, Error::TaskOutOfOrder { id, .. } if id == delete),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains(&format!(
            "before task {acknowledge} (acknowledge-and-redirect)"
        )),
        "names the task to do first: {text}"
    );
    assert!(
        text.contains("SOPP 8119 V.B.2.a.iii"),
        "names the section: {text}"
    );

    let tasks = store.message_tasks(message)?;
    let row = tasks
        .iter()
        .find(|t| t.id == delete)
        .context("task stored")?;
    assert_eq!(row.status, "open", "the task stays open");
    assert_eq!(store.audit_log()?.len(), before, "nothing audited");
    assert_eq!(store.deletion_state(message)?, DeletionState::Kept);
    assert_content_kept(&store, message, "after the rejected deletion")
}

#[test]
fn acknowledgement_marks_then_deletion_keeps_tombstone() -> anyhow::Result<()> {
    let NotAccepted {
        mut store,
        message,
        acknowledge,
        delete,
        _dir: dir,
    } = not_accepted()?;
    let stored = store.message(message)?;
    assert_eq!(store.deletion_state(message)?, DeletionState::Kept);

    store.complete_task(
        acknowledge,
        &done_by(Some("telecon: use ESG"), None, "2025-03-05T16:00:00Z"),
    )?;
    let marked = store.deletion_state(message)?;
    assert_eq!(
        marked,
        DeletionState::Marked {
            since: "2025-03-05T16:00:00Z".to_owned(),
            by: REVIEWER.to_owned(),
            delete_task_id: delete,
            section: "V.B.2.a.iii".to_owned(),
        }
    );
    assert_content_kept(&store, message, "marked")?;
    let log = store.audit_log()?;
    let mark = log
        .iter()
        .find(|e| e.entry.action == "marked-for-deletion")
        .context("marked-for-deletion audited")?;
    assert_eq!(mark.entry.section.as_deref(), Some("V.B.2.a.iii"));
    assert_eq!(mark.entry.task_id, Some(acknowledge));

    // Opened S/MIME content is a copy of the message's content; the report is evidence.
    store.connection().execute(
        "INSERT INTO smime_results (message_id, verdict, report_json, content, content_json, checked_at) \
         VALUES (?1, 'decrypted', '{}', x'6c796f', '{}', '2025-03-05T15:00:00Z')",
        [message],
    )?;
    let entries_before = store.audit_log()?.len();
    store.complete_task(delete, &done_by(None, None, "2025-03-05T17:00:00Z"))?;

    let DeletionState::Deleted(deletion) = store.deletion_state(message)? else {
        panic!("the message is deleted");
    };
    assert_eq!(deletion.deleted_at, "2025-03-05T17:00:00Z");
    assert_eq!(deletion.deleted_by, REVIEWER);
    assert_eq!(deletion.task_id, delete);
    assert_eq!(deletion.section, "V.B.2.a.iii");

    let tombstone = store.message(message)?;
    assert_eq!(tombstone.id, message, "id kept");
    assert_eq!(tombstone.sha256, stored.sha256, "SHA-256 kept");
    assert_eq!(tombstone.size, stored.size, "size kept");
    assert_eq!(tombstone.origins, stored.origins, "origins kept");
    assert_eq!(tombstone.status, "deleted");
    assert_eq!(tombstone.deleted.as_ref(), Some(&deletion));
    assert_eq!(tombstone.parsed.subject, None, "subject deleted");
    assert_eq!(tombstone.parsed.from, None, "sender deleted");
    assert!(tombstone.parsed.to.is_empty(), "recipients deleted");
    assert!(tombstone.parsed.cc.is_empty(), "Cc deleted");
    assert_eq!(tombstone.parsed.message_id, None, "Message-ID deleted");
    assert_eq!(tombstone.parsed.body_text, "", "body deleted");
    assert!(
        tombstone.parsed.attachments.is_empty(),
        "attachments deleted"
    );
    assert!(tombstone.parsed.in_reply_to.is_empty(), "links deleted");
    assert!(tombstone.parsed.references.is_empty(), "references deleted");

    for (table, sql) in [
        (
            "message_raw",
            "SELECT count(*) FROM message_raw WHERE message_id = ?1",
        ),
        (
            "attachments",
            "SELECT count(*) FROM attachments WHERE message_id = ?1",
        ),
        (
            "message_links",
            "SELECT count(*) FROM message_links WHERE message_id = ?1",
        ),
    ] {
        assert_eq!(count(&store, sql, message)?, 0, "{table} rows deleted");
    }
    assert!(
        store.list_messages(Some("lyophilization"), 10)?.is_empty(),
        "full-text entry deleted"
    );
    let smime: (Option<Vec<u8>>, Option<String>, String) = store.connection().query_row(
        "SELECT content, content_json, verdict FROM smime_results WHERE message_id = ?1",
        [message],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )?;
    assert_eq!(smime.0, None, "opened S/MIME content deleted");
    assert_eq!(smime.1, None, "opened S/MIME summary deleted");
    assert_eq!(smime.2, "decrypted", "S/MIME verdict kept");
    let listed = store.list_messages(None, 10)?;
    assert_eq!(listed.len(), 1, "the tombstone is listed");
    assert_eq!(listed[0].status, "deleted");
    assert_eq!(listed[0].subject, None);

    let raw = store.raw_message(message).expect_err("raw bytes are gone");
    assert!(
        matches!(&raw, Error::MessageDeleted { section, deleted_by, .. }
            if section == "V.B.2.a.iii" && deleted_by == REVIEWER),
        "{raw:?}"
    );

    let log = store.audit_log()?;
    assert!(log.len() > entries_before, "completion audited");
    let deleted = log
        .iter()
        .find(|e| e.entry.action == "message-deleted")
        .context("message-deleted audited")?;
    assert_eq!(deleted.entry.section.as_deref(), Some("V.B.2.a.iii"));
    assert_eq!(deleted.entry.user, REVIEWER);
    assert!(
        deleted.entry.detail.contains(&stored.sha256),
        "{}",
        deleted.entry.detail
    );
    assert!(
        log.iter().any(|e| e.entry.action == "decision"),
        "earlier entries kept"
    );
    assert!(store.verify_audit()?.is_ok(), "chain intact");

    let again = run(&mut store, message, &[], "2025-03-06T15:00:00Z");
    let again = again.expect_err("a deleted message cannot be triaged");
    assert!(again.to_string().contains("was deleted"), "{again}");

    let reimport = crate::import_into(&mut store, &[dir.path().join("reply.eml")]);
    assert_eq!(reimport.duplicates, 1, "the same bytes are a duplicate");
    assert!(
        store.raw_message(message).is_err(),
        "importing again does not restore the content"
    );
    Ok(())
}

#[test]
fn retriage_as_accepted_clears_mark() -> anyhow::Result<()> {
    let NotAccepted {
        mut store,
        message,
        acknowledge,
        delete,
        ..
    } = not_accepted()?;
    store.complete_task(acknowledge, &done_by(None, None, "2025-03-05T16:00:00Z"))?;
    assert!(
        matches!(store.deletion_state(message)?, DeletionState::Marked { .. }),
        "marked after the acknowledgement"
    );

    let accepted = run(
        &mut store,
        message,
        &["kind=agreed"],
        "2025-03-05T16:30:00Z",
    )?;
    assert_eq!(accepted.outcome.disposition.as_str(), "accept");
    let cancelled: Vec<i64> = accepted.saved.cancelled.iter().map(|t| t.id).collect();
    assert_eq!(cancelled, [delete], "the deleting task is cancelled");
    assert_eq!(store.deletion_state(message)?, DeletionState::Kept);
    assert_content_kept(&store, message, "accepted after all")
}

#[test]
fn deletion_needs_confirmed_triage() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("reply.eml");
    std::fs::write(&path, REPLY)?;
    let (mut store, message) = store_with(&path)?;
    let inferred = run(&mut store, message, &[], "2025-03-05T15:00:00Z")?;
    assert_eq!(inferred.outcome.disposition.as_str(), "not-accepted");
    let open: Vec<&str> = inferred
        .outcome
        .open_questions
        .iter()
        .map(|q| q.key.as_str())
        .collect();
    assert_eq!(open, ["kind"], "kind is only inferred");
    let task = |kind: &str| {
        inferred
            .saved
            .open_tasks
            .iter()
            .find(|t| t.kind == kind)
            .map(|t| t.id)
            .with_context(|| format!("{kind} created"))
    };
    let (acknowledge, delete) = (
        task("acknowledge-and-redirect")?,
        task("delete-after-contact")?,
    );
    store.complete_task(acknowledge, &done_by(None, None, "2025-03-05T16:00:00Z"))?;

    let err = store
        .complete_task(delete, &done_by(None, None, "2025-03-05T16:30:00Z"))
        .expect_err("an unconfirmed disposition deletes nothing");
    assert!(
        matches!(&err, Error::UnconfirmedDecision { questions, .. } if questions == "kind"),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("`regmail triage 1 --answer KEY=VALUE`"),
        "says how to confirm: {err}"
    );
    assert_content_kept(&store, message, "unconfirmed")?;

    run(
        &mut store,
        message,
        &["kind=unsolicited"],
        "2025-03-05T16:40:00Z",
    )?;
    store.complete_task(delete, &done_by(None, None, "2025-03-05T16:45:00Z"))?;
    assert!(
        matches!(store.deletion_state(message)?, DeletionState::Deleted(_)),
        "deleted once confirmed"
    );
    Ok(())
}
