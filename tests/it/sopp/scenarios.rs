//! The scenarios of incoming email: each message is parsed, the RPM directory loaded, the
//! tree walked with the reviewer's answers, and the disposition, redirect, identifiers,
//! facts and every task with its exact due time compared with the expected result.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use regmail::calendar::BusinessCalendar;
use regmail::sopp::clock::rfc3339;
use regmail::sopp::{evaluate, facts_from_eml, Answers, Directory, Outcome, Settings, Tree};
use serde::Deserialize;

/// One scenario as written in an `expected.json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    pub file: String,
    pub received: String,
    pub answers: BTreeMap<String, String>,
    pub regulatory: bool,
    pub identifiers: Vec<String>,
    pub disposition: String,
    #[serde(default)]
    pub redirect: Option<String>,
    /// Task kinds that must be created, with their due time or null.
    pub tasks: BTreeMap<String, Option<String>>,
    #[serde(default)]
    pub warn_at: BTreeMap<String, String>,
    /// Settings that differ from the defaults.
    #[serde(default)]
    pub settings: Option<Settings>,
    /// Fact values to check, by fact key.
    #[serde(default)]
    pub facts: BTreeMap<String, String>,
    /// The exact open questions, when given.
    #[serde(default)]
    pub open_questions: Option<Vec<String>>,
    /// Task kinds that must not be created.
    #[serde(default)]
    pub absent_tasks: Vec<String>,
}

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sopp")
}

/// Reads the scenarios of `dir/expected.json`, by name.
pub fn load(dir: &Path) -> anyhow::Result<BTreeMap<String, Expected>> {
    let path = dir.join("expected.json");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

pub fn directory() -> anyhow::Result<Directory> {
    let text = std::fs::read_to_string(fixtures().join("scenarios/directory.csv"))?;
    Ok(Directory::parse_csv(&text)?)
}

/// Compares `outcome` with `expected`, one assert per condition.
pub fn check(name: &str, expected: &Expected, outcome: &Outcome) {
    assert_eq!(
        rfc3339(&outcome.received_at),
        expected.received,
        "{name}: received_at"
    );
    assert_eq!(
        outcome.regulatory, expected.regulatory,
        "{name}: regulatory"
    );
    assert_eq!(
        outcome.disposition.as_str(),
        expected.disposition,
        "{name}: disposition"
    );

    let mut identifiers: Vec<&str> = Vec::new();
    for identifier in &outcome.identifiers {
        if !identifiers.contains(&identifier.value.as_str()) {
            identifiers.push(&identifier.value);
        }
    }
    assert_eq!(identifiers, expected.identifiers, "{name}: identifiers");

    let redirect = outcome.redirect.as_ref().map(|r| r.name.as_str());
    assert_eq!(redirect, expected.redirect.as_deref(), "{name}: redirect");

    for (kind, due) in &expected.tasks {
        let task = outcome.task(kind);
        assert!(
            task.is_some(),
            "{name}: task {kind} missing from {:?}",
            task_kinds(outcome)
        );
        let due_at = task.and_then(|t| t.due_at.as_ref()).map(rfc3339);
        assert_eq!(due_at.as_ref(), due.as_ref(), "{name}: due_at of {kind}");
    }
    for (kind, warn) in &expected.warn_at {
        let warn_at = outcome
            .task(kind)
            .and_then(|t| t.warn_at.as_ref())
            .map(rfc3339);
        assert_eq!(warn_at.as_ref(), Some(warn), "{name}: warn_at of {kind}");
    }
    for task in &outcome.tasks {
        if !expected.tasks.contains_key(&task.kind) {
            assert!(
                task.due_at.is_none(),
                "{name}: unexpected task {} carries a deadline",
                task.kind
            );
        }
    }
    for kind in &expected.absent_tasks {
        assert!(
            outcome.task(kind).is_none(),
            "{name}: task {kind} must not be created"
        );
    }

    for (key, value) in &expected.facts {
        let fact = outcome.facts.iter().find(|f| f.key.as_str() == key);
        assert_eq!(
            fact.map(|f| f.value.as_str()),
            Some(value.as_str()),
            "{name}: fact {key}"
        );
    }
    if let Some(open) = &expected.open_questions {
        let keys: Vec<&str> = outcome
            .open_questions
            .iter()
            .map(|q| q.key.as_str())
            .collect();
        assert_eq!(keys, *open, "{name}: open questions");
    }
}

fn task_kinds(outcome: &Outcome) -> Vec<&str> {
    outcome.tasks.iter().map(|t| t.kind.as_str()).collect()
}

/// Returns the business calendar with the holiday rules and shipped closures only.
pub fn calendar() -> anyhow::Result<BusinessCalendar> {
    Ok(BusinessCalendar::with_shipped_closures(Vec::new())?)
}

fn run_dir(dir: &Path) -> anyhow::Result<usize> {
    let directory = directory()?;
    let calendar = calendar()?;
    let scenarios = load(dir)?;
    for (name, expected) in &scenarios {
        let raw = std::fs::read(dir.join(&expected.file))?;
        let facts =
            facts_from_eml(&raw).with_context(|| format!("{name}: parsing {}", expected.file))?;
        let answers = Answers::parse_pairs(
            expected
                .answers
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str),
        )?;
        let settings = expected.settings.clone().unwrap_or_default();
        let outcome = evaluate(
            Tree::sopp_8119_v11(),
            &facts,
            &answers,
            &settings,
            &directory,
            &calendar,
        )
        .with_context(|| format!("{name}: evaluating"))?;
        check(name, expected, &outcome);
    }
    Ok(scenarios.len())
}

#[test]
fn shared_scenarios_match() -> anyhow::Result<()> {
    let count = run_dir(&fixtures().join("scenarios"))?;
    assert_eq!(count, 10, "every shared scenario ran");
    Ok(())
}

#[test]
fn extra_scenarios_match() -> anyhow::Result<()> {
    let count = run_dir(&fixtures().join("extra"))?;
    assert!(count >= 17, "only {count} extra scenarios ran");
    Ok(())
}
