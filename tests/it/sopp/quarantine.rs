//! Messages quarantined on import, stored raw because they could not be parsed, triage to
//! unreadable (SOPP 8119 VII.A.1). The phone call is due one business day after receipt,
//! which comes from the raw bytes, the mbox envelope line or the import time.

use anyhow::Context;
use regmail::calendar::Policy;
use regmail::sopp::clock::rfc3339;
use regmail::sopp::triage::{self, Triage};
use regmail::sopp::{Answers, FactKey, Location, Settings};
use regmail::store::Store;

use super::scenarios::{self, fixtures};
use super::store::{at, REVIEWER};
use crate::{import_into, memory_store};

/// Imports the quarantine mbox and the scenarios' RPM directory.
fn quarantine_store() -> anyhow::Result<Store> {
    let mut store = memory_store();
    let report = import_into(&mut store, &[fixtures().join("quarantine/export.mbox")]);
    anyhow::ensure!(
        report.quarantined.len() == 3 && report.imported == 0,
        "every message is quarantined: {report:?}"
    );
    store.import_directory(
        &scenarios::directory()?,
        REVIEWER,
        at("2025-03-01T12:00:00Z"),
    )?;
    Ok(store)
}

fn run(store: &mut Store, id: i64, answers: &[&str]) -> anyhow::Result<Triage> {
    let answers = Answers::parse_pairs(answers.iter().copied())?;
    Ok(triage::triage(
        store,
        id,
        &answers,
        &Settings::default(),
        REVIEWER,
        at("2025-03-10T12:00:00Z"),
    )?)
}

struct Case {
    name: &'static str,
    id: i64,
    received: &'static str,
    source: &'static str,
    due: &'static str,
    identifiers: &'static [&'static str],
    rpm_addressed: &'static str,
    regulatory_evidence: &'static str,
}

#[test]
fn quarantined_messages_are_unreadable() -> anyhow::Result<()> {
    let cases = [
        Case {
            name: "Received header after blank lines",
            id: 1,
            received: "2025-03-04T10:15:00-05:00",
            source: "taken from the newest Received header found in the raw bytes",
            due: "2025-03-05T16:30:00-05:00",
            identifiers: &["STN 125742/0"],
            rpm_addressed: "yes",
            regulatory_evidence: "the raw message text names STN 125742/0",
        },
        Case {
            name: "no Received header",
            id: 2,
            received: "2025-03-06T16:05:00-05:00",
            source: "taken from the mbox envelope line",
            due: "2025-03-07T16:30:00-05:00",
            identifiers: &[],
            rpm_addressed: "not-applicable",
            regulatory_evidence: "the raw message text mentions \"Amendment\"",
        },
        Case {
            name: "empty message",
            id: 3,
            received: "2025-03-07T09:00:00-05:00",
            source: "taken from the mbox envelope line",
            due: "2025-03-10T16:30:00-04:00",
            identifiers: &[],
            rpm_addressed: "not-applicable",
            regulatory_evidence: "no submission number and no regulatory terms",
        },
    ];
    for case in cases {
        let name = case.name;
        let mut store = quarantine_store()?;
        let result = run(&mut store, case.id, &[])?;
        let outcome = &result.outcome;

        assert_eq!(
            outcome.disposition.as_str(),
            "unreadable",
            "{name}: disposition"
        );
        assert_eq!(outcome.section, "VII.A.1", "{name}: section");
        assert_eq!(
            rfc3339(&outcome.received_at),
            case.received,
            "{name}: received"
        );

        let phone = outcome.task("phone-notify-sponsor");
        let due = phone.and_then(|t| t.due_at.as_ref()).map(rfc3339);
        assert_eq!(due.as_deref(), Some(case.due), "{name}: phone call due");
        assert!(
            outcome.task("record-unreadable-resolution").is_some(),
            "{name}: resolution task"
        );
        assert!(
            outcome.task("forward-to-rpm").is_none(),
            "{name}: no forwarding"
        );

        let readable = outcome.fact(FactKey::Readable).context("readable fact")?;
        assert_eq!(readable.value, "no", "{name}: readable");
        assert!(readable.certain, "{name}: unreadable is certain");
        assert!(
            readable.evidence.iter().any(|e| e.contains(case.source)),
            "{name}: receipt source in {:?}",
            readable.evidence
        );
        assert!(
            readable
                .evidence
                .iter()
                .any(|e| e.contains("could not be parsed on import")),
            "{name}: quarantine in {:?}",
            readable.evidence
        );

        let regulatory = outcome.fact(FactKey::Regulatory).context("regulatory")?;
        assert_eq!(regulatory.value, "yes", "{name}: treated as regulatory");
        assert!(!regulatory.certain, "{name}: regulatory is unknown");
        assert!(
            regulatory
                .evidence
                .iter()
                .any(|e| e.contains(case.regulatory_evidence)),
            "{name}: {:?}",
            regulatory.evidence
        );
        let open: Vec<FactKey> = outcome.open_questions.iter().map(|q| q.key).collect();
        assert_eq!(
            open,
            [
                FactKey::Regulatory,
                FactKey::RpmAddressed,
                FactKey::FdaSender
            ],
            "{name}: open questions"
        );

        let values: Vec<&str> = outcome
            .identifiers
            .iter()
            .map(|i| i.value.as_str())
            .collect();
        assert_eq!(values, case.identifiers, "{name}: identifiers");
        for identifier in &outcome.identifiers {
            assert_eq!(identifier.location, Location::Raw, "{name}: raw location");
        }
        let rpm = outcome.fact(FactKey::RpmAddressed).context("rpm fact")?;
        assert_eq!(rpm.value, case.rpm_addressed, "{name}: rpm-addressed");

        let stored = result
            .saved
            .open_tasks
            .iter()
            .find(|t| t.kind == "phone-notify-sponsor");
        assert_eq!(
            stored.and_then(|t| t.due_at.as_deref()),
            Some(case.due),
            "{name}: stored due time"
        );
        assert!(store.verify_audit()?.is_ok(), "{name}: audit chain");
    }
    Ok(())
}

#[test]
fn quarantined_receipt_falls_back_to_import_time() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("box/cur/1.host:2,S");
    std::fs::create_dir_all(file.parent().context("parent")?)?;
    std::fs::create_dir_all(dir.path().join("box/new"))?;
    std::fs::create_dir_all(dir.path().join("box/tmp"))?;
    std::fs::write(&file, b"\x00\x01\x02 not mail \xff\xfe\n")?;
    let mut store = memory_store();
    let report = import_into(&mut store, &[dir.path().join("box")]);
    assert_eq!(report.quarantined.len(), 1, "quarantined");
    let id = report.quarantined[0].id;
    let imported_at: jiff::Timestamp = store.message(id)?.imported_at.parse()?;

    let result = run(&mut store, id, &[])?;
    let outcome = &result.outcome;
    assert_eq!(outcome.disposition.as_str(), "unreadable");
    assert_eq!(
        outcome.received_at.timestamp(),
        imported_at,
        "receipt is the import time"
    );
    let readable = outcome.fact(FactKey::Readable).context("readable")?;
    assert!(
        readable
            .evidence
            .iter()
            .any(|e| e.contains("taken from the import time") && e.contains("may be late")),
        "{:?}",
        readable.evidence
    );

    let calendar = scenarios::calendar()?;
    let expected = calendar.due(
        imported_at,
        regmail::calendar::ReceiptSource::ImportTime,
        Policy::Close,
    )?;
    let phone = outcome.task("phone-notify-sponsor").context("phone task")?;
    assert_eq!(
        phone.due_at.as_ref().map(|d| d.timestamp()),
        Some(expected.due_at),
        "due one business day after the import"
    );
    assert!(
        phone
            .deadline_explanation
            .first()
            .is_some_and(|line| line.contains("time the message was imported")),
        "{:?}",
        phone.deadline_explanation
    );
    Ok(())
}

#[test]
fn quarantined_message_answered_not_regulatory() -> anyhow::Result<()> {
    let mut store = quarantine_store()?;
    let result = run(&mut store, 3, &["regulatory=no"])?;
    assert_eq!(result.outcome.disposition.as_str(), "not-regulatory");
    assert!(result.outcome.tasks.is_empty(), "no tasks");
    assert!(result.saved.open_tasks.is_empty(), "none stored");
    assert!(
        result.outcome.open_questions.is_empty(),
        "the reviewer answered"
    );
    Ok(())
}
