//! The deadline policy through triage: the policy saved in the store, the policy stored
//! with each task, re-triage after the policy changes, and databases from before tasks
//! stored a policy.

use std::path::{Path, PathBuf};

use anyhow::Context;
use regmail::calendar::Policy;
use regmail::sopp::clock::rfc3339;
use regmail::sopp::triage;
use regmail::sopp::Answers;
use regmail::store::{SettingKey, Store};

use super::scenarios::fixtures;
use super::store::{at, done_by, store_with, REVIEWER};

/// One message triaged under one policy, and the due time and early-warning mark of one
/// of its tasks.
struct Case {
    name: &'static str,
    file: &'static str,
    answers: &'static [&'static str],
    policy: Policy,
    task: &'static str,
    due_at: &'static str,
    warn_at: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "in hours, close",
        file: "scenarios/rpm-missing.eml",
        answers: &["kind=agreed"],
        policy: Policy::Close,
        task: "forward-to-rpm",
        due_at: "2025-03-05T16:30:00-05:00",
        warn_at: "2025-03-05T10:15:00-05:00",
    },
    Case {
        name: "in hours, elapsed",
        file: "scenarios/rpm-missing.eml",
        answers: &["kind=agreed"],
        policy: Policy::Elapsed,
        task: "forward-to-rpm",
        due_at: "2025-03-05T10:15:00-05:00",
        warn_at: "2025-03-05T10:15:00-05:00",
    },
    Case {
        name: "unreadable, close",
        file: "scenarios/encrypted-no-key.eml",
        answers: &[],
        policy: Policy::Close,
        task: "phone-notify-sponsor",
        due_at: "2025-03-14T16:30:00-04:00",
        warn_at: "2025-03-14T14:20:00-04:00",
    },
    Case {
        name: "unreadable, elapsed",
        file: "scenarios/encrypted-no-key.eml",
        answers: &[],
        policy: Policy::Elapsed,
        task: "phone-notify-sponsor",
        due_at: "2025-03-14T14:20:00-04:00",
        warn_at: "2025-03-14T14:20:00-04:00",
    },
    // Thursday before Independence Day (Friday): the weekend and the holiday are skipped.
    Case {
        name: "before a holiday, close",
        file: "scenarios/holiday-rpm-missing.eml",
        answers: &["kind=agreed"],
        policy: Policy::Close,
        task: "forward-to-rpm",
        due_at: "2025-07-07T16:30:00-04:00",
        warn_at: "2025-07-07T11:00:00-04:00",
    },
    Case {
        name: "before a holiday, elapsed",
        file: "scenarios/holiday-rpm-missing.eml",
        answers: &["kind=agreed"],
        policy: Policy::Elapsed,
        task: "forward-to-rpm",
        due_at: "2025-07-07T11:00:00-04:00",
        warn_at: "2025-07-07T11:00:00-04:00",
    },
    // Friday 17:45 EST counts from Monday 08:00 EDT, after the change to daylight time.
    Case {
        name: "after hours, close",
        file: AFTER_HOURS,
        answers: &["kind=agreed"],
        policy: Policy::Close,
        task: "forward-to-rpm",
        due_at: "2025-03-11T16:30:00-04:00",
        warn_at: "2025-03-10T16:30:00-04:00",
    },
    Case {
        name: "after hours, elapsed",
        file: AFTER_HOURS,
        answers: &["kind=agreed"],
        policy: Policy::Elapsed,
        task: "forward-to-rpm",
        due_at: "2025-03-10T16:30:00-04:00",
        warn_at: "2025-03-10T16:30:00-04:00",
    },
];

/// Stands for `rpm-missing.eml` received on Friday, March 7, 2025 at 17:45 EST.
const AFTER_HOURS: &str = "after-hours";

/// Returns the message file of `case`, writing the after-hours variant into `dir`.
fn message_file(case: &Case, dir: &Path) -> anyhow::Result<PathBuf> {
    if case.file != AFTER_HOURS {
        return Ok(fixtures().join(case.file));
    }
    let text = std::fs::read_to_string(fixtures().join("scenarios/rpm-missing.eml"))?;
    let moved = text.replace(
        "Tue, 04 Mar 2025 10:15:00 -0500",
        "Fri, 07 Mar 2025 17:45:00 -0500",
    );
    anyhow::ensure!(
        moved != text,
        "the Received date of rpm-missing.eml changed"
    );
    let path = dir.join("after-hours.eml");
    std::fs::write(&path, moved)?;
    Ok(path)
}

#[test]
fn both_policies_through_triage() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    for case in CASES {
        let name = case.name;
        let (mut store, id) = store_with(&message_file(case, dir.path())?)?;
        store.save_deadline_policy(case.policy, REVIEWER, at("2025-03-01T12:00:00Z"))?;

        let settings = triage::stored_settings(&store)?;
        assert_eq!(settings.deadline_policy, case.policy, "{name}: settings");
        let answers = Answers::parse_pairs(case.answers.iter().copied())?;
        let result = triage::triage(
            &mut store,
            id,
            &answers,
            &settings,
            REVIEWER,
            at("2025-12-01T12:00:00Z"),
        )
        .with_context(|| format!("{name}: triage"))?;

        let outcome = result
            .outcome
            .task(case.task)
            .with_context(|| format!("{name}: no {} task", case.task))?;
        assert_eq!(outcome.policy, Some(case.policy), "{name}: outcome policy");
        assert_eq!(
            outcome.due_at.as_ref().map(rfc3339).as_deref(),
            Some(case.due_at),
            "{name}: outcome due_at"
        );
        assert_eq!(
            outcome.warn_at.as_ref().map(rfc3339).as_deref(),
            Some(case.warn_at),
            "{name}: outcome warn_at"
        );
        let explanation = outcome.deadline_explanation.join(" ");
        assert!(
            explanation.contains(&format!("Policy \"{}\"", case.policy)),
            "{name}: explanation names the policy: {explanation}"
        );

        let row = result
            .saved
            .open_tasks
            .iter()
            .find(|t| t.kind == case.task)
            .with_context(|| format!("{name}: {} not stored", case.task))?;
        assert_eq!(row.policy, Some(case.policy), "{name}: stored policy");
        assert_eq!(
            row.due_at.as_deref(),
            Some(case.due_at),
            "{name}: stored due_at"
        );
        assert_eq!(
            row.warn_at.as_deref(),
            Some(case.warn_at),
            "{name}: stored warn_at"
        );
    }
    Ok(())
}

#[test]
fn tasks_without_deadline_have_no_policy() -> anyhow::Result<()> {
    let (mut store, id) = store_with(&fixtures().join("scenarios/rpm-missing.eml"))?;
    store.save_deadline_policy(Policy::Elapsed, REVIEWER, at("2025-03-01T12:00:00Z"))?;
    let settings = triage::stored_settings(&store)?;
    let answers = Answers::parse_pairs(["kind=agreed"])?;
    let result = triage::triage(
        &mut store,
        id,
        &answers,
        &settings,
        REVIEWER,
        at("2025-03-04T16:00:00Z"),
    )?;

    let send = result
        .saved
        .open_tasks
        .iter()
        .find(|t| t.kind == "send-to-dcc")
        .context("send-to-dcc created")?;
    assert_eq!(send.due_at, None, "send-to-dcc has no deadline");
    assert_eq!(send.policy, None, "no deadline, no policy");
    Ok(())
}

/// Triages message `id` again with no new answers, under the policy saved in the store.
fn retriage(store: &mut Store, id: i64, time: &str) -> anyhow::Result<triage::Triage> {
    let settings = triage::stored_settings(store)?;
    Ok(triage::triage(
        store,
        id,
        &Answers::new(),
        &settings,
        REVIEWER,
        at(time),
    )?)
}

#[test]
fn retriage_after_policy_change_moves_open_tasks() -> anyhow::Result<()> {
    let (mut store, id) = store_with(&fixtures().join("scenarios/holiday-rpm-missing.eml"))?;
    let answers = Answers::parse_pairs(["kind=agreed"])?;

    let settings = triage::stored_settings(&store)?;
    let first = triage::triage(
        &mut store,
        id,
        &answers,
        &settings,
        REVIEWER,
        at("2025-07-03T16:00:00Z"),
    )?;
    let forward = first
        .saved
        .open_tasks
        .iter()
        .find(|t| t.kind == "forward-to-rpm")
        .context("forward-to-rpm created")?
        .clone();
    assert_eq!(forward.policy, Some(Policy::Close), "default policy");
    assert_eq!(forward.due_at.as_deref(), Some("2025-07-07T16:30:00-04:00"));

    store.save_core_setting(
        SettingKey::DeadlinePolicy,
        "elapsed",
        "grace.liu",
        at("2025-07-03T16:10:00Z"),
    )?;
    let unchanged = store.message_tasks(id)?;
    let before = unchanged
        .iter()
        .find(|t| t.id == forward.id)
        .context("task still stored")?;
    assert_eq!(
        before.due_at, forward.due_at,
        "saving the setting alone moves nothing"
    );

    let second = retriage(&mut store, id, "2025-07-03T16:20:00Z")?;
    let moved = second
        .saved
        .open_tasks
        .iter()
        .find(|t| t.kind == "forward-to-rpm")
        .context("forward-to-rpm still open")?;
    assert_eq!(moved.id, forward.id, "the task keeps its id");
    assert_eq!(moved.policy, Some(Policy::Elapsed), "policy updated");
    assert_eq!(moved.due_at.as_deref(), Some("2025-07-07T11:00:00-04:00"));
    assert_eq!(moved.warn_at, moved.due_at, "no earlier mark under elapsed");

    let log = store.audit_log()?;
    let setting = log
        .iter()
        .find(|e| e.entry.action == "setting-changed")
        .context("the policy change is audited")?;
    assert_eq!(setting.entry.user, "grace.liu");
    let update = log
        .iter()
        .rev()
        .find(|e| e.entry.action == "task-updated" && e.entry.task_id == Some(forward.id))
        .context("the moved due time is audited")?;
    let detail: serde_json::Value = serde_json::from_str(&update.entry.detail)?;
    assert_eq!(detail["policy"], "elapsed");
    assert_eq!(detail["previous_policy"], "close");
    assert_eq!(detail["due_at"], "2025-07-07T11:00:00-04:00");
    assert_eq!(detail["previous_due_at"], "2025-07-07T16:30:00-04:00");
    assert!(store.verify_audit()?.is_ok(), "audit chain intact");

    // A task already done keeps the due time and policy it was completed under.
    store.complete_task(forward.id, &done_by(None, None, "2025-07-07T14:00:00Z"))?;
    store.save_deadline_policy(Policy::Close, REVIEWER, at("2025-07-07T14:05:00Z"))?;
    retriage(&mut store, id, "2025-07-07T14:10:00Z")?;
    let done = store
        .message_tasks(id)?
        .into_iter()
        .find(|t| t.id == forward.id)
        .context("done task still stored")?;
    assert_eq!(done.status, "done");
    assert_eq!(
        done.policy,
        Some(Policy::Elapsed),
        "done task keeps its policy"
    );
    Ok(())
}

#[test]
fn version_9_database_gets_close_policy() -> anyhow::Result<()> {
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
             INSERT INTO messages (id, sha256, size, status, imported_at)
                 VALUES (1, 'aa', 10, 'parsed', '2025-03-01T12:00:00Z');
             INSERT INTO decisions (id, message_id, sopp, disposition, section, outcome_json, decided_by, decided_at)
                 VALUES (1, 1, 'SOPP 8119 v11', 'accept', 'VII.A.3', '{}', 'dana', '2025-03-01T12:00:00Z');
             INSERT INTO tasks (id, message_id, decision_id, kind, title, role, section, due_at, warn_at, status, created_at)
                 VALUES (1, 1, 1, 'forward-to-rpm', 'Forward', 'reviewer', 'VII.A.2.a',
                         '2025-03-05T16:30:00-05:00', '2025-03-05T10:15:00-05:00', 'open', '2025-03-01T12:00:00Z'),
                        (2, 1, 1, 'send-to-dcc', 'Send', 'rpm-or-designee', 'VII.A.3',
                         NULL, NULL, 'open', '2025-03-01T12:00:00Z');",
        )?;
    }

    let store = Store::open(&path)?;
    let tasks = store.tasks(false)?;
    let policy = |id: i64| tasks.iter().find(|t| t.id == id).map(|t| t.policy);
    assert_eq!(
        policy(1),
        Some(Some(Policy::Close)),
        "a dated task was computed under close"
    );
    assert_eq!(policy(2), Some(None), "an undated task has no policy");
    assert_eq!(
        store.deadline_policy()?,
        Policy::Close,
        "no setting saved yet"
    );
    Ok(())
}
