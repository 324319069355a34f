//! The procedure through the real store: import, RPM directory import, triage, task
//! completion, re-triage and the audit chain.

use std::path::Path;

use anyhow::Context;
use regmail::sopp::audit::ChainBreak;
use regmail::sopp::clock::rfc3339;
use regmail::sopp::engine::Source;
use regmail::sopp::triage::{self, Triage};
use regmail::sopp::{Answers, FactKey, Settings};
use regmail::store::{Store, TaskCompletion};

use super::scenarios::{self, fixtures};
use crate::{import_into, memory_store};

pub(super) const REVIEWER: &str = "dana.whitfield";

pub(super) fn at(text: &str) -> jiff::Timestamp {
    text.parse().expect("test timestamps are valid")
}

/// Returns a completion by the reviewer at `time`.
pub(super) fn done_by<'a>(
    note: Option<&'a str>,
    resolution: Option<&'a str>,
    time: &str,
) -> TaskCompletion<'a> {
    TaskCompletion {
        note,
        resolution,
        user: REVIEWER,
        at: at(time),
    }
}

/// Imports one message and the scenarios' RPM directory into a fresh store and returns
/// the store with the message's id.
pub(super) fn store_with(eml: &Path) -> anyhow::Result<(Store, i64)> {
    let mut store = memory_store();
    let report = import_into(&mut store, &[eml.to_path_buf()]);
    anyhow::ensure!(
        report.imported == 1,
        "{} did not import: {report:?}",
        eml.display()
    );
    store.import_directory(
        &scenarios::directory()?,
        REVIEWER,
        at("2025-03-01T12:00:00Z"),
    )?;
    Ok((store, 1))
}

pub(super) fn run(
    store: &mut Store,
    id: i64,
    answers: &[&str],
    time: &str,
) -> anyhow::Result<Triage> {
    let answers = Answers::parse_pairs(answers.iter().copied())?;
    Ok(triage::triage(
        store,
        id,
        &answers,
        &Settings::default(),
        REVIEWER,
        at(time),
    )?)
}

fn run_dir(dir: &Path) -> anyhow::Result<usize> {
    let scenarios = scenarios::load(dir)?;
    for (name, expected) in &scenarios {
        let (mut store, id) = store_with(&dir.join(&expected.file))?;
        let answers: Vec<String> = expected
            .answers
            .iter()
            .map(|(key, value)| format!("{key}={value}"))
            .collect();
        let given = Answers::parse_pairs(answers.iter().map(String::as_str))?;
        let settings = expected.settings.clone().unwrap_or_default();
        let result = triage::triage(
            &mut store,
            id,
            &given,
            &settings,
            REVIEWER,
            at("2025-12-01T12:00:00Z"),
        )
        .with_context(|| format!("{name}: triage"))?;
        scenarios::check(name, expected, &result.outcome);

        for task in &result.outcome.tasks {
            let row = result
                .saved
                .open_tasks
                .iter()
                .find(|row| row.kind == task.kind);
            assert!(row.is_some(), "{name}: task {} not stored", task.kind);
            let due = task.due_at.as_ref().map(rfc3339);
            assert_eq!(
                row.and_then(|r| r.due_at.clone()),
                due,
                "{name}: stored due_at of {}",
                task.kind
            );
        }
        assert_eq!(
            result.saved.open_tasks.len(),
            result.outcome.tasks.len(),
            "{name}: stored tasks"
        );
        let verdict = store.verify_audit()?;
        assert!(verdict.is_ok(), "{name}: audit chain {verdict:?}");
    }
    Ok(scenarios.len())
}

#[test]
fn shared_scenarios_through_store() -> anyhow::Result<()> {
    assert_eq!(run_dir(&fixtures().join("scenarios"))?, 10);
    Ok(())
}

#[test]
fn extra_scenarios_through_store() -> anyhow::Result<()> {
    assert!(run_dir(&fixtures().join("extra"))? >= 17);
    Ok(())
}

#[test]
fn retriage_updates_open_tasks() -> anyhow::Result<()> {
    let (mut store, id) = store_with(&fixtures().join("scenarios/rpm-missing.eml"))?;

    let first = run(&mut store, id, &[], "2025-03-04T16:00:00Z")?;
    let kinds: Vec<&str> = first
        .saved
        .open_tasks
        .iter()
        .map(|t| t.kind.as_str())
        .collect();
    assert!(
        kinds.contains(&"send-to-dcc"),
        "first triage accepts: {kinds:?}"
    );
    let forward = first
        .saved
        .open_tasks
        .iter()
        .find(|t| t.kind == "forward-to-rpm")
        .context("forward-to-rpm created")?
        .clone();

    let second = run(
        &mut store,
        id,
        &["kind=unsolicited"],
        "2025-03-04T16:05:00Z",
    )?;
    let kinds: Vec<&str> = second
        .saved
        .open_tasks
        .iter()
        .map(|t| t.kind.as_str())
        .collect();
    let cancelled: Vec<&str> = second
        .saved
        .cancelled
        .iter()
        .map(|t| t.kind.as_str())
        .collect();
    assert_eq!(second.outcome.disposition.as_str(), "not-accepted");
    assert!(
        kinds.contains(&"acknowledge-and-redirect"),
        "new task added: {kinds:?}"
    );
    assert!(
        !kinds.contains(&"send-to-dcc"),
        "send-to-dcc no longer open: {kinds:?}"
    );
    assert!(
        cancelled.contains(&"send-to-dcc"),
        "send-to-dcc cancelled: {cancelled:?}"
    );
    let kept = second
        .saved
        .open_tasks
        .iter()
        .find(|t| t.kind == "forward-to-rpm");
    assert_eq!(
        kept.map(|t| t.id),
        Some(forward.id),
        "forward-to-rpm kept its id"
    );

    store.complete_task(
        forward.id,
        &done_by(
            Some("forwarded to Marcus Ortega"),
            None,
            "2025-03-04T17:00:00Z",
        ),
    )?;
    let third = run(&mut store, id, &[], "2025-03-04T17:05:00Z")?;
    let open_forward = third
        .saved
        .open_tasks
        .iter()
        .any(|t| t.kind == "forward-to-rpm");
    assert!(!open_forward, "a done task is not created again");
    let done = store.message_tasks(id)?;
    let done = done
        .iter()
        .find(|t| t.id == forward.id)
        .context("task still stored")?;
    assert_eq!(done.status, "done");
    assert_eq!(done.note.as_deref(), Some("forwarded to Marcus Ortega"));
    assert_eq!(done.closed_by.as_deref(), Some(REVIEWER));

    let log = store.audit_log()?;
    for action in ["task-cancelled", "task-done"] {
        assert!(
            log.iter().any(|e| e.entry.action == action),
            "audit log has {action}"
        );
    }
    Ok(())
}

#[test]
fn stored_answers_apply_and_overrides_are_audited() -> anyhow::Result<()> {
    let (mut store, id) = store_with(&fixtures().join("scenarios/rpm-missing.eml"))?;
    let answers = Answers::parse_pairs(["kind=unsolicited"])?;
    triage::triage(
        &mut store,
        id,
        &answers,
        &Settings::default(),
        "grace.liu",
        at("2025-03-04T16:00:00Z"),
    )?;

    let again = run(&mut store, id, &[], "2025-03-05T16:00:00Z")?;
    assert_eq!(
        again.outcome.disposition.as_str(),
        "not-accepted",
        "stored answer applies"
    );
    let step = again.outcome.steps.iter().find(|s| s.fact == FactKey::Kind);
    assert_eq!(
        step.map(|s| s.source),
        Some(Source::Answered),
        "kind step is answered"
    );

    let stored = store.message_answers(id)?;
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0].answered_by, "grace.liu",
        "answer keeps who gave it"
    );

    let log = store.audit_log()?;
    let overrides: Vec<_> = log
        .iter()
        .filter(|e| e.entry.action == "override")
        .collect();
    assert_eq!(overrides.len(), 2, "each triage records the override");
    assert_eq!(overrides[0].entry.user, "grace.liu");
    assert_eq!(overrides[0].entry.section.as_deref(), Some("V.B.2"));
    assert!(
        overrides[0]
            .entry
            .detail
            .contains("\"inferred\":\"agreed\""),
        "{}",
        overrides[0].entry.detail
    );
    for action in ["answer", "decision", "task-created", "directory-import"] {
        assert!(
            log.iter().any(|e| e.entry.action == action),
            "audit log has {action}"
        );
    }
    Ok(())
}

#[test]
fn audit_chain_detects_edit_and_delete() -> anyhow::Result<()> {
    let (mut store, id) = store_with(&fixtures().join("scenarios/rpm-missing.eml"))?;
    run(&mut store, id, &["kind=agreed"], "2025-03-04T16:00:00Z")?;
    let head = store.verify_audit()?;
    assert!(head.is_ok(), "fresh chain verifies: {head:?}");

    let blocked = store
        .connection()
        .execute("UPDATE audit_log SET user = 'mallory' WHERE seq = 2", []);
    assert!(blocked.is_err(), "the trigger blocks updates");

    store.connection().execute_batch(
        "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;
         UPDATE audit_log SET user = 'mallory' WHERE seq = 2;",
    )?;
    assert_eq!(store.verify_audit()?, Err(ChainBreak::Altered { seq: 2 }));

    store.connection().execute_batch(
        "UPDATE audit_log SET user = 'dana.whitfield' WHERE seq = 2; DELETE FROM audit_log WHERE seq = 3;",
    )?;
    assert_eq!(
        store.verify_audit()?,
        Err(ChainBreak::Gap {
            expected: 3,
            found: 4
        })
    );
    Ok(())
}

#[test]
fn completing_closed_task_fails() -> anyhow::Result<()> {
    let (mut store, id) = store_with(&fixtures().join("scenarios/rpm-missing.eml"))?;
    let result = run(&mut store, id, &["kind=agreed"], "2025-03-04T16:00:00Z")?;
    let task = result.saved.open_tasks.first().context("a task")?.id;
    store.complete_task(task, &done_by(None, None, "2025-03-04T17:00:00Z"))?;
    let again = store.complete_task(task, &done_by(None, None, "2025-03-04T17:01:00Z"));
    assert!(
        matches!(again, Err(regmail::store::Error::TaskClosed { .. })),
        "{again:?}"
    );
    let missing = store.complete_task(9999, &done_by(None, None, "2025-03-04T17:01:00Z"));
    assert!(
        matches!(
            missing,
            Err(regmail::store::Error::TaskNotFound { id: 9999 })
        ),
        "{missing:?}"
    );
    Ok(())
}

/// Triages the encrypted scenario, which is unreadable, and returns the store with the ids
/// of its phone-notify-sponsor and record-unreadable-resolution tasks.
fn unreadable_store() -> anyhow::Result<(Store, i64, i64)> {
    let (mut store, id) = store_with(&fixtures().join("scenarios/encrypted-no-key.eml"))?;
    let result = run(&mut store, id, &[], "2025-03-13T19:00:00Z")?;
    anyhow::ensure!(
        result.outcome.disposition.as_str() == "unreadable",
        "encrypted scenario is unreadable"
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
    let phone = task("phone-notify-sponsor")?;
    let record = task("record-unreadable-resolution")?;
    Ok((store, phone, record))
}

#[test]
fn unreadable_resolution_is_stored_and_audited() -> anyhow::Result<()> {
    for value in ["resend", "reject", "refer-to-dcc", "other-format"] {
        let (mut store, _, record) = unreadable_store()?;
        let done = store.complete_task(
            record,
            &done_by(
                Some("called Priya Raman"),
                Some(value),
                "2025-03-14T15:00:00Z",
            ),
        )?;
        assert_eq!(done.status, "done", "{value}: status");
        assert_eq!(done.resolution.as_deref(), Some(value), "{value}: stored");
        assert_eq!(
            done.note.as_deref(),
            Some("called Priya Raman"),
            "{value}: note"
        );

        let listed = store.tasks(true)?;
        let listed = listed.iter().find(|t| t.id == record);
        assert_eq!(
            listed.and_then(|t| t.resolution.as_deref()),
            Some(value),
            "{value}: listed"
        );

        let log = store.audit_log()?;
        let entry = log
            .iter()
            .find(|e| e.entry.action == "task-done" && e.entry.task_id == Some(record))
            .context("task-done audit entry")?;
        assert_eq!(
            entry.entry.section.as_deref(),
            Some("VII.A.1"),
            "{value}: section"
        );
        let detail: serde_json::Value = serde_json::from_str(&entry.entry.detail)?;
        assert_eq!(detail["resolution"], value, "{value}: audited");
        assert_eq!(
            detail["kind"], "record-unreadable-resolution",
            "{value}: kind"
        );
    }
    Ok(())
}

#[test]
fn resolution_rules_reject_bad_completions() -> anyhow::Result<()> {
    use regmail::store::Error;

    struct Case {
        name: &'static str,
        phone_task: bool,
        resolution: Option<&'static str>,
        check: fn(&Error) -> bool,
        message: &'static str,
    }
    let cases = [
        Case {
            name: "missing resolution",
            phone_task: false,
            resolution: None,
            check: |e| matches!(e, Error::ResolutionRequired { .. }),
            message: "requires a resolution; give one with --resolution: resend, reject, refer-to-dcc, other-format",
        },
        Case {
            name: "unknown resolution",
            phone_task: false,
            resolution: Some("ignore"),
            check: |e| matches!(e, Error::InvalidResolution { value, .. } if value == "ignore"),
            message: "invalid resolution \"ignore\" for task",
        },
        Case {
            name: "resolution on a task without one",
            phone_task: true,
            resolution: Some("resend"),
            check: |e| matches!(e, Error::ResolutionNotAccepted { kind, .. } if kind == "phone-notify-sponsor"),
            message: "records no decision; complete it without --resolution",
        },
    ];
    for case in cases {
        let (mut store, phone, record) = unreadable_store()?;
        let task = if case.phone_task { phone } else { record };
        let before = store.audit_log()?.len();
        let err = store
            .complete_task(
                task,
                &done_by(None, case.resolution, "2025-03-14T15:00:00Z"),
            )
            .expect_err(case.name);
        assert!((case.check)(&err), "{}: {err:?}", case.name);
        assert!(
            err.to_string().contains(case.message),
            "{}: {err}",
            case.name
        );

        let row = store.message_tasks(1)?;
        let row = row.iter().find(|t| t.id == task).context("task stored")?;
        assert_eq!(row.status, "open", "{}: task stays open", case.name);
        assert_eq!(
            store.audit_log()?.len(),
            before,
            "{}: nothing audited",
            case.name
        );
    }

    let (mut store, phone, _) = unreadable_store()?;
    let done = store.complete_task(phone, &done_by(None, None, "2025-03-14T15:00:00Z"))?;
    assert_eq!(done.resolution, None, "the phone call records no decision");
    Ok(())
}

#[test]
fn version_3_database_upgrades() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("regmail.db");
    let migrations = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store/migrations");
    {
        let conn = rusqlite::Connection::open(&path)?;
        for file in [
            "0001_messages.sql",
            "0002_calendar_closures.sql",
            "0003_sopp.sql",
        ] {
            conn.execute_batch(&std::fs::read_to_string(migrations.join(file))?)?;
        }
        conn.execute_batch(
            "PRAGMA user_version = 3;
             INSERT INTO messages (id, sha256, size, status, imported_at)
                 VALUES (1, 'aa', 10, 'parsed', '2025-03-01T12:00:00Z');
             INSERT INTO decisions (id, message_id, sopp, disposition, section, outcome_json, decided_by, decided_at)
                 VALUES (1, 1, 'SOPP 8119 v11', 'unreadable', 'VII.A.1', '{}', 'dana', '2025-03-01T12:00:00Z');
             INSERT INTO tasks (id, message_id, decision_id, kind, title, role, section, status, created_at)
                 VALUES (1, 1, 1, 'record-unreadable-resolution', 'Record', 'reviewer', 'VII.A.1', 'open', '2025-03-01T12:00:00Z');",
        )?;
    }

    let mut store = Store::open(&path)?;
    let version: i64 = store
        .connection()
        .pragma_query_value(None, "user_version", |row| row.get(0))?;
    assert_eq!(
        version,
        regmail::store::SCHEMA_VERSION,
        "migrated to the latest"
    );
    let tasks = store.tasks(false)?;
    assert_eq!(tasks.len(), 1, "the old task is kept");
    assert_eq!(tasks[0].resolution, None, "no resolution yet");
    assert!(store.message_deletion(1)?.is_none(), "no deletion yet");

    let done = store.complete_task(1, &done_by(None, Some("resend"), "2025-03-02T12:00:00Z"))?;
    assert_eq!(done.resolution.as_deref(), Some("resend"));
    Ok(())
}
