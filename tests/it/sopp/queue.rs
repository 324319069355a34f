//! The review queue over a real store: regulatory messages first by nearest due time,
//! then messages that need a decision, then finished ones; the due-time, disposition and
//! STN filters and full-text search; and the rows of quarantined and deleted messages.

use std::path::Path;

use anyhow::Context;
use jiff::Timestamp;
use regmail::calendar::{BusinessCalendar, Policy};
use regmail::sopp::queue::{queue_entries, queue_order, DueFilter, QueueEntry, QueueFilter};
use regmail::store::Store;

use super::deletion::REPLY;
use super::scenarios::{self, fixtures};
use super::store::{at, done_by, run, REVIEWER};
use crate::{import_into, memory_store};

/// Friday, March 14, 2025, 10:00 EDT.
const NOW: &str = "2025-03-14T14:00:00Z";

/// The ids of the messages of the queue store, in import order.
struct Ids {
    /// Accepted, forward-to-rpm due Wed 2025-03-05 16:30 EST: overdue.
    accepted: i64,
    /// Unreadable, phone-notify-sponsor due Fri 2025-03-14 16:30 EDT: due today.
    unreadable: i64,
    /// Not triaged, STN in the subject: projected due Mon 2025-07-07.
    untriaged_stn: i64,
    /// Triaged as not regulatory.
    newsletter: i64,
    /// Quarantined on import, then triaged as unreadable: due Wed 2025-03-05 16:30 EST.
    quarantined_triaged: i64,
    /// Quarantined on import, not triaged.
    quarantined: [i64; 2],
    /// Not triaged, no identifier.
    parking: i64,
    /// Not accepted, acknowledged, then deleted (SOPP 8119 V.B.2.a.iii).
    deleted: i64,
}

/// Imports `path` and returns the ids it added, checking that it added `count`.
fn import(store: &mut Store, path: &Path, count: u64) -> anyhow::Result<Vec<i64>> {
    let before = store.message_count()?;
    import_into(store, &[path.to_path_buf()]);
    let after = store.message_count()?;
    anyhow::ensure!(
        after - before == count,
        "{} added {} messages, expected {count}",
        path.display(),
        after - before
    );
    Ok(((before + 1) as i64..=after as i64).collect())
}

fn queue_store(dir: &Path) -> anyhow::Result<(Store, Ids)> {
    let mut store = memory_store();
    store.import_directory(
        &scenarios::directory()?,
        REVIEWER,
        at("2025-03-01T12:00:00Z"),
    )?;
    let one = |store: &mut Store, relative: &str| -> anyhow::Result<i64> {
        Ok(import(store, &fixtures().join(relative), 1)?[0])
    };
    let accepted = one(&mut store, "scenarios/rpm-missing.eml")?;
    let unreadable = one(&mut store, "scenarios/encrypted-no-key.eml")?;
    let untriaged_stn = one(&mut store, "scenarios/holiday-rpm-missing.eml")?;
    let newsletter = one(&mut store, "extra/newsletter.eml")?;
    let quarantined = import(&mut store, &fixtures().join("quarantine/export.mbox"), 3)?;
    let parking = one(&mut store, "scenarios/general-logistics.eml")?;
    let reply = dir.join("reply.eml");
    std::fs::write(&reply, REPLY)?;
    let deleted = import(&mut store, &reply, 1)?[0];

    run(
        &mut store,
        accepted,
        &["kind=agreed"],
        "2025-03-04T16:00:00Z",
    )?;
    run(&mut store, unreadable, &[], "2025-03-13T19:00:00Z")?;
    run(&mut store, newsletter, &[], "2025-03-13T19:00:00Z")?;
    run(&mut store, quarantined[0], &[], "2025-03-13T19:00:00Z")?;
    let not_accepted = run(
        &mut store,
        deleted,
        &["kind=not-agreed"],
        "2025-03-05T15:00:00Z",
    )?;
    let task = |kind: &str| {
        not_accepted
            .saved
            .open_tasks
            .iter()
            .find(|t| t.kind == kind)
            .map(|t| t.id)
            .with_context(|| format!("{kind} created"))
    };
    store.complete_task(
        task("acknowledge-and-redirect")?,
        &done_by(None, None, "2025-03-05T16:00:00Z"),
    )?;
    store.complete_task(
        task("delete-after-contact")?,
        &done_by(None, None, "2025-03-05T17:00:00Z"),
    )?;

    let ids = Ids {
        accepted,
        unreadable,
        untriaged_stn,
        newsletter,
        quarantined_triaged: quarantined[0],
        quarantined: [quarantined[1], quarantined[2]],
        parking,
        deleted,
    };
    Ok((store, ids))
}

fn calendar() -> BusinessCalendar {
    BusinessCalendar::with_shipped_closures(Vec::new()).expect("the shipped calendar builds")
}

fn order(store: &Store, filter: QueueFilter) -> anyhow::Result<Vec<i64>> {
    Ok(queue_order(store, &filter, &calendar(), at(NOW))?)
}

fn entry(store: &Store, id: i64) -> anyhow::Result<QueueEntry> {
    queue_entries(store, &[id], &calendar(), at(NOW))?
        .pop()
        .with_context(|| format!("queue entry {id}"))
}

#[test]
fn order_is_regulatory_first_nearest_due() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (store, ids) = queue_store(dir.path())?;

    let expected = vec![
        // Due Wed 2025-03-05 16:30 EST, both; the tie goes by id.
        ids.accepted,
        ids.quarantined_triaged,
        ids.unreadable,
        ids.untriaged_stn,
        // Need a decision, newest receipt first; no receipt time last.
        ids.parking,
        ids.quarantined[0],
        ids.quarantined[1],
        // Triaged, no open task.
        ids.deleted,
        // Not regulatory.
        ids.newsletter,
    ];
    assert_eq!(order(&store, QueueFilter::default())?, expected);
    Ok(())
}

#[test]
fn filters_select_by_due_decision_disposition_stn() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (store, ids) = queue_store(dir.path())?;
    let due = |due: DueFilter| QueueFilter {
        due,
        ..QueueFilter::default()
    };
    let disposition = |value: &str| QueueFilter {
        disposition: Some(value.to_owned()),
        ..QueueFilter::default()
    };
    let stn = |value: &str| QueueFilter {
        identifier: Some(value.to_owned()),
        ..QueueFilter::default()
    };
    let search = |value: &str| QueueFilter {
        search: Some(value.to_owned()),
        ..QueueFilter::default()
    };

    struct Case {
        name: &'static str,
        filter: QueueFilter,
        expected: Vec<i64>,
    }
    let cases = [
        Case {
            name: "overdue",
            filter: due(DueFilter::Overdue),
            expected: vec![ids.accepted, ids.quarantined_triaged],
        },
        Case {
            name: "due today",
            filter: due(DueFilter::DueToday),
            expected: vec![ids.unreadable],
        },
        Case {
            name: "needs a decision",
            filter: due(DueFilter::NeedsDecision),
            expected: vec![
                ids.untriaged_stn,
                ids.parking,
                ids.quarantined[0],
                ids.quarantined[1],
            ],
        },
        Case {
            name: "unreadable, including the quarantined one",
            filter: disposition("unreadable"),
            expected: vec![ids.quarantined_triaged, ids.unreadable],
        },
        Case {
            name: "not accepted, deleted since",
            filter: disposition("not-accepted"),
            expected: vec![ids.deleted],
        },
        Case {
            name: "STN in subjects and decisions",
            filter: stn("125742"),
            expected: vec![
                ids.accepted,
                ids.quarantined_triaged,
                ids.unreadable,
                ids.untriaged_stn,
                ids.deleted,
            ],
        },
        Case {
            name: "STN of the deleted message, kept in its decision",
            filter: stn(" stn 125742/5 "),
            expected: vec![ids.deleted],
        },
        Case {
            name: "overdue and unreadable together",
            filter: QueueFilter {
                due: DueFilter::Overdue,
                disposition: Some("unreadable".to_owned()),
                ..QueueFilter::default()
            },
            expected: vec![ids.quarantined_triaged],
        },
        Case {
            name: "full-text search",
            filter: search("stability"),
            expected: vec![ids.accepted],
        },
        Case {
            name: "full-text search misses deleted content",
            filter: search("lyophilization"),
            expected: vec![],
        },
    ];
    for case in cases {
        assert_eq!(order(&store, case.filter)?, case.expected, "{}", case.name);
    }
    Ok(())
}

#[test]
fn deleted_message_is_a_tombstone_row() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (store, ids) = queue_store(dir.path())?;

    let row = entry(&store, ids.deleted)?;
    assert_eq!(row.status, "deleted");
    let deletion = row.deleted.context("deletion record")?;
    assert_eq!(deletion.deleted_at, "2025-03-05T17:00:00Z");
    assert_eq!(deletion.deleted_by, REVIEWER);
    assert_eq!(deletion.section, "V.B.2.a.iii");
    assert_eq!(row.subject, None, "subject deleted");
    assert_eq!(row.from, None, "sender deleted");
    assert_eq!(
        row.identifiers,
        ["STN 125742/5"],
        "identifiers of the decision"
    );
    assert_eq!(row.disposition.as_deref(), Some("not-accepted"));
    assert_eq!(row.next_task, None, "no open task");
    assert_eq!(row.due_at, None);
    assert_eq!(row.due_policy, None);
    Ok(())
}

#[test]
fn quarantined_rows_before_and_after_triage() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (store, ids) = queue_store(dir.path())?;

    let untriaged = entry(&store, ids.quarantined[0])?;
    assert_eq!(untriaged.status, "quarantined");
    assert_eq!(untriaged.deleted, None);
    assert_eq!(untriaged.regulatory, None, "not triaged");
    assert_eq!(untriaged.disposition, None);
    assert_eq!(
        untriaged.due_at, None,
        "no subject, so no projected due time"
    );

    let triaged = entry(&store, ids.quarantined_triaged)?;
    assert_eq!(triaged.status, "quarantined");
    assert_eq!(triaged.disposition.as_deref(), Some("unreadable"));
    assert_eq!(triaged.regulatory, Some(true));
    assert!(
        triaged
            .next_task
            .as_deref()
            .is_some_and(|t| t.starts_with("Notify the sponsor by phone")),
        "{:?}",
        triaged.next_task
    );
    assert_eq!(triaged.due_at, Some(at("2025-03-05T21:30:00Z")));
    assert!(
        triaged
            .business_time_left
            .is_some_and(|left| left.is_negative()),
        "overdue: {:?}",
        triaged.business_time_left
    );
    Ok(())
}

#[test]
fn projection_follows_the_policy_setting() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let (mut store, ids) = queue_store(dir.path())?;

    let close = entry(&store, ids.untriaged_stn)?;
    assert!(close.due_projected, "not triaged, so projected");
    assert_eq!(close.due_policy, Some(Policy::Close));
    // Thursday 11:00 EDT before Independence Day: Monday 16:30 EDT.
    assert_eq!(close.due_at, Some(at("2025-07-07T20:30:00Z")));

    store.save_deadline_policy(Policy::Elapsed, REVIEWER, Timestamp::now())?;
    let elapsed = entry(&store, ids.untriaged_stn)?;
    assert_eq!(elapsed.due_policy, Some(Policy::Elapsed));
    assert_eq!(
        elapsed.due_at,
        Some(at("2025-07-07T15:00:00Z")),
        "Monday 11:00 EDT"
    );

    let stored = entry(&store, ids.accepted)?;
    assert!(!stored.due_projected, "a stored task's due time");
    assert_eq!(
        stored.due_policy,
        Some(Policy::Close),
        "the task keeps the policy it was triaged under"
    );
    Ok(())
}
