//! `regmail triage`, `tasks`, `directory` and `audit`: the SOPP 8119 procedure for
//! incoming regulatory email.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use jiff::SignedDuration;
use regmail::calendar::BusinessCalendar;
use regmail::sopp::clock::rfc3339;
use regmail::sopp::engine::{OpenQuestion, Outcome, Source};
use regmail::sopp::triage::{self, Triage};
use regmail::sopp::{Answers, Directory, Settings};
use regmail::store::{DeletionState, Store, TaskCompletion, TaskRow};
use serde::Serialize;

use super::calendar::PolicyArg;

/// Arguments of `regmail triage`.
#[derive(Debug, Args)]
pub struct TriageArgs {
    /// Message id, as shown by `regmail list`.
    #[arg(value_parser = super::message_id)]
    pub id: i64,
    /// An answer to a question, as KEY=VALUE. Keys: regulatory (yes/no), readable (yes/no),
    /// kind (agreed, formal-submission, unsolicited, not-agreed, spind, emergency-initial,
    /// emergency-followup, mdufa, internal-record), rpm-addressed (yes/no/not-applicable), spind-subject,
    /// receipt-hours, attachment-volume. Repeat for several answers.
    #[arg(long = "answer", value_name = "KEY=VALUE")]
    pub answers: Vec<String>,
    /// Print the outcome as JSON and ask nothing.
    #[arg(long)]
    pub json: bool,
    /// Ask nothing, even on a terminal: open questions keep their inferred answers.
    #[arg(long)]
    pub no_input: bool,
    /// More attachments than this are "many" (SOPP 8119 V.B.4).
    #[arg(long, value_name = "COUNT", default_value_t = Settings::default().max_attachments)]
    pub max_attachments: usize,
    /// A total attachment size above this many bytes is "large" (SOPP 8119 V.B.4).
    #[arg(long, value_name = "BYTES", default_value_t = Settings::default().max_attachment_bytes)]
    pub max_attachment_bytes: u64,
    /// An official FDA email domain (SOPP 8119 V.C.2); a message whose sender and recipients
    /// are all at one is internal, and one whose sender is at one is FDA's own record
    /// (VI.C.7), even when it went to a sponsor. Repeat for several domains.
    #[arg(long = "official-domain", value_name = "DOMAIN", default_values_t = Settings::default().official_domains)]
    pub official_domains: Vec<String>,
    /// The deadline policy for this run only: close (4:30 PM ET on the next business day)
    /// or elapsed (8 h 30 min of business time). Defaults to the deadline-policy setting.
    #[arg(long, value_enum)]
    pub policy: Option<PolicyArg>,
    #[command(flatten)]
    pub user: UserArg,
}

/// The user recorded in the audit log.
#[derive(Debug, Args)]
pub struct UserArg {
    /// Name recorded in the audit log; defaults to the login name.
    #[arg(long, env = "REGMAIL_USER", value_name = "NAME")]
    pub user: Option<String>,
}

impl UserArg {
    pub(super) fn name(&self) -> String {
        self.user
            .clone()
            .or_else(|| std::env::var("USER").ok())
            .or_else(|| std::env::var("LOGNAME").ok())
            .or_else(|| std::env::var("USERNAME").ok())
            .filter(|name| !name.trim().is_empty())
            .or_else(account_name)
            .unwrap_or_else(|| "unknown".to_owned())
    }
}

/// Returns the name of the account this process runs as, from `/etc/passwd`, for shells
/// and services that set none of USER, LOGNAME and USERNAME.
fn account_name() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let uid = status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))?
        .split_whitespace()
        .next()?
        .to_owned();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        (fields.nth(1)? == uid).then(|| name.to_owned())
    })
}

/// Arguments of `regmail tasks`.
#[derive(Debug, Args)]
pub struct TasksArgs {
    #[command(subcommand)]
    pub action: Option<TasksAction>,
    /// Include done and cancelled tasks.
    #[arg(long)]
    pub all: bool,
    /// Print a JSON array.
    #[arg(long)]
    pub json: bool,
}

/// `regmail tasks` subcommands.
#[derive(Debug, Subcommand)]
pub enum TasksAction {
    /// Mark an open task done.
    Done(TaskDoneArgs),
}

/// Arguments of `regmail tasks done`.
#[derive(Debug, Args)]
pub struct TaskDoneArgs {
    /// Task id, as shown by `regmail tasks`.
    #[arg(value_parser = super::task_id)]
    pub id: i64,
    /// A note on the work done, recorded with the task and in the audit log.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// The decision reached, required for a record-unreadable-resolution task (SOPP 8119
    /// VII.A.1): resend, reject, refer-to-dcc or other-format.
    #[arg(long, value_name = "VALUE")]
    pub resolution: Option<String>,
    /// Print the task as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub user: UserArg,
}

/// Arguments of `regmail directory`.
#[derive(Debug, Args)]
pub struct DirectoryArgs {
    #[command(subcommand)]
    pub action: DirectoryAction,
}

/// `regmail directory` subcommands.
#[derive(Debug, Subcommand)]
pub enum DirectoryAction {
    /// Add or replace RPM directory entries from a CSV file with the columns
    /// stn,product,sponsor,sponsor_domains,rpm_name,rpm_email.
    Import {
        /// The CSV file.
        file: PathBuf,
        #[command(flatten)]
        user: UserArg,
    },
    /// List the RPM directory.
    List {
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
}

/// Arguments of `regmail audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub action: AuditAction,
}

/// `regmail audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditAction {
    /// Check the audit log's hash chain; exits with status 1 when it is broken.
    Verify {
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the audit log.
    Log {
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
}

/// Runs `regmail triage`.
pub fn run_triage(store: &mut Store, args: TriageArgs) -> anyhow::Result<ExitCode> {
    let deadline_policy = match args.policy {
        Some(policy) => policy.into(),
        None => store.deadline_policy()?,
    };
    let settings = Settings {
        max_attachments: args.max_attachments,
        max_attachment_bytes: args.max_attachment_bytes,
        official_domains: args.official_domains.clone(),
        deadline_policy,
        ..Settings::default()
    };
    let mut given = Answers::parse_pairs(args.answers.iter().map(String::as_str))?;
    let interactive = !args.json
        && !args.no_input
        && std::io::stdin().is_terminal()
        && std::io::stdout().is_terminal();
    if interactive {
        ask_open_questions(store, args.id, &mut given, &settings)?;
    }

    let user = args.user.name();
    let result = triage::triage(
        store,
        args.id,
        &given,
        &settings,
        &user,
        jiff::Timestamp::now(),
    )?;
    // A task the outcome calls for is either open or was done after an earlier triage.
    let rows: Vec<TaskRow> = store
        .message_tasks(args.id)?
        .into_iter()
        .filter(|row| row.status != "cancelled")
        .collect();
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &triage_json(&result, &rows))?;
        writeln!(out)?;
    } else {
        print_triage(&mut out, &result, &rows)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Walks the reviewer through each open question, showing its evidence and SOPP text.
/// The walk is evaluated again after every answer because an answer can change the path.
fn ask_open_questions(
    store: &Store,
    id: i64,
    given: &mut Answers,
    settings: &Settings,
) -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    let mut asked = Vec::new();
    loop {
        let (outcome, _) = triage::preview(store, id, given, settings)?;
        let Some(question) = outcome
            .open_questions
            .iter()
            .find(|q| !asked.contains(&q.key))
        else {
            return Ok(());
        };
        asked.push(question.key);
        print_question(&mut out, question)?;

        loop {
            write!(out, "Answer [{}]: ", question.inferred)?;
            out.flush()?;
            let mut line = String::new();
            if stdin.lock().read_line(&mut line)? == 0 {
                writeln!(out)?;
                return Ok(());
            }
            let line = line.trim();
            let value = if line.is_empty() {
                question.inferred.as_str()
            } else {
                line
            };
            if question.choices.iter().any(|c| c.value == value) {
                given.set(question.key, value);
                writeln!(out)?;
                break;
            }
            writeln!(
                out,
                "{value:?} is not one of the answers; type one of the values listed, or press Enter for {}",
                question.inferred
            )?;
        }
    }
}

fn print_question(out: &mut impl Write, question: &OpenQuestion) -> std::io::Result<()> {
    writeln!(
        out,
        "{} (SOPP 8119 {})",
        question.question, question.section
    )?;
    writeln!(out, "  SOPP: \"{}\"", question.quote)?;
    for line in &question.evidence {
        writeln!(out, "  Evidence: {line}")?;
    }
    writeln!(out, "  Inferred: {}", question.inferred)?;
    for choice in &question.choices {
        writeln!(out, "    {:<20} {}", choice.value, choice.label)?;
    }
    Ok(())
}

/// Returns the outcome as JSON with the store's message, decision and task ids and task
/// statuses added.
fn triage_json(result: &Triage, rows: &[TaskRow]) -> serde_json::Value {
    let mut value = serde_json::to_value(&result.outcome).expect("outcomes serialize to JSON");
    value["message_id"] = result.message_id.into();
    value["decision_id"] = result.saved.decision_id.into();
    if let Some(tasks) = value["tasks"].as_array_mut() {
        for task in tasks {
            let row = rows
                .iter()
                .find(|row| Some(row.kind.as_str()) == task["kind"].as_str());
            task["id"] = row.map(|row| row.id).into();
            task["status"] = row.map(|row| row.status.clone()).into();
        }
    }
    value["cancelled_tasks"] =
        serde_json::to_value(&result.saved.cancelled).expect("task rows serialize to JSON");
    value
}

fn source_word(source: Source) -> &'static str {
    match source {
        Source::Inferred => "inferred",
        Source::Answered => "answered",
    }
}

fn print_triage(out: &mut impl Write, result: &Triage, rows: &[TaskRow]) -> std::io::Result<()> {
    let outcome: &Outcome = &result.outcome;
    writeln!(
        out,
        "Message {} under SOPP {} v{} (effective {})",
        result.message_id, outcome.sopp.number, outcome.sopp.version, outcome.sopp.effective
    )?;
    writeln!(out, "Received:    {}", rfc3339(&outcome.received_at))?;
    writeln!(
        out,
        "Regulatory:  {}",
        if outcome.regulatory { "yes" } else { "no" }
    )?;
    // One line per identifier: an STN named in the subject and in each of ten attachment
    // names is one identifier found in several places.
    let mut grouped: Vec<(String, String, Vec<String>)> = Vec::new();
    for identifier in &outcome.identifiers {
        let place = format!("the {} ({:?})", identifier.location, identifier.matched);
        let (value, kind) = (identifier.value.to_string(), identifier.kind.to_string());
        match grouped
            .iter_mut()
            .find(|(v, k, _)| *v == value && *k == kind)
        {
            Some((_, _, places)) if places.contains(&place) => {}
            Some((_, _, places)) => places.push(place),
            None => grouped.push((value, kind, vec![place])),
        }
    }
    for (value, kind, places) in &grouped {
        writeln!(
            out,
            "Identifier:  {value} ({kind}), in {}",
            places.join(", ")
        )?;
    }

    writeln!(out, "\nSteps:")?;
    for step in &outcome.steps {
        let fact = outcome.fact(step.fact);
        let source = match fact {
            Some(fact) if step.source == Source::Answered && fact.inferred != step.answer => {
                format!("answered; inferred {}", fact.inferred)
            }
            _ => source_word(step.source).to_owned(),
        };
        writeln!(
            out,
            "  [{}] {} -> {} ({source})",
            step.section, step.question, step.answer
        )?;
        for line in fact.map(|f| f.evidence.as_slice()).unwrap_or_default() {
            writeln!(out, "        {line}")?;
        }
    }

    writeln!(
        out,
        "\nDisposition: {} (SOPP 8119 {})",
        outcome.disposition, outcome.section
    )?;
    if let Some(redirect) = &outcome.redirect {
        writeln!(
            out,
            "Redirect to: {} ({}), {}{}; {}",
            redirect.name,
            redirect.full_name,
            redirect.phones.join(" or "),
            redirect
                .email
                .as_ref()
                .map(|e| format!(", {e}"))
                .unwrap_or_default(),
            redirect.when
        )?;
    }

    if outcome.tasks.is_empty() {
        writeln!(out, "\nNo tasks.")?;
    } else {
        writeln!(out, "\nTasks:")?;
        for task in &outcome.tasks {
            let id = match rows.iter().find(|row| row.kind == task.kind) {
                Some(row) if row.status == "open" => format!("#{}", row.id),
                Some(row) => format!("#{} {}", row.id, row.status),
                None => String::new(),
            };
            let policy = task.policy.map(|p| p.as_str()).unwrap_or_default();
            let due = match (&task.due_at, &task.warn_at) {
                (Some(due), Some(warn)) if warn != due => format!(
                    "due {} (policy {policy}, warning {})",
                    rfc3339(due),
                    rfc3339(warn)
                ),
                (Some(due), _) => format!("due {} (policy {policy})", rfc3339(due)),
                _ => "no deadline".to_owned(),
            };
            writeln!(
                out,
                "  {id:<8} {:<28} {:<16} {:<11} {due}",
                task.kind,
                task.role.as_str(),
                task.section
            )?;
            writeln!(out, "        {}", task.title)?;
            for line in &task.deadline_explanation {
                writeln!(out, "        Deadline: {line}")?;
            }
        }
    }
    for task in &result.saved.cancelled {
        writeln!(
            out,
            "  #{} {} cancelled: {}",
            task.id,
            task.kind,
            task.note.as_deref().unwrap_or_default()
        )?;
    }

    if !outcome.open_questions.is_empty() {
        writeln!(out, "\nOpen questions (inferred, please confirm):")?;
        for question in &outcome.open_questions {
            writeln!(
                out,
                "  {} = {}: {} Answer with --answer {}=VALUE.",
                question.key, question.inferred, question.question, question.key
            )?;
        }
    }
    Ok(())
}

/// Runs `regmail tasks` and `regmail tasks done`.
pub fn run_tasks(store: &mut Store, args: TasksArgs) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    if let Some(TasksAction::Done(done)) = args.action {
        let user = done.user.name();
        let completion = TaskCompletion {
            note: done.note.as_deref(),
            resolution: done.resolution.as_deref(),
            user: &user,
            at: jiff::Timestamp::now(),
        };
        let task = store.complete_task(done.id, &completion)?;
        let deletion = store.deletion_state(task.message_id)?;
        if done.json || args.json {
            let mut value = serde_json::to_value(&task)?;
            value["deletion"] = serde_json::to_value(&deletion)?;
            serde_json::to_writer_pretty(&mut out, &value)?;
            writeln!(out)?;
            return Ok(ExitCode::SUCCESS);
        }
        match &task.resolution {
            Some(resolution) => writeln!(
                out,
                "Task {} ({}) done, resolution {resolution}.",
                task.id, task.kind
            )?,
            None => writeln!(out, "Task {} ({}) done.", task.id, task.kind)?,
        }
        print_deletion(&mut out, task.message_id, &deletion)?;
        return Ok(ExitCode::SUCCESS);
    }

    let tasks = store.tasks(args.all)?;
    let calendar = BusinessCalendar::with_shipped_closures(store.closures()?)?;
    let now = jiff::Timestamp::now();
    let timed: Vec<TimedTask<'_>> = tasks
        .iter()
        .map(|task| TimedTask::new(task, &calendar, now))
        .collect();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &timed)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if tasks.is_empty() {
        writeln!(out, "No open tasks.")?;
    }
    for task in &timed {
        print_task(&mut out, task, &calendar)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// A task with its business time left as of now, for open tasks with a due time.
#[derive(Serialize)]
struct TimedTask<'a> {
    #[serde(flatten)]
    task: &'a TaskRow,
    /// Whether the task is open and its due time has passed.
    overdue: bool,
    /// Business seconds from now to the due time, negative once overdue.
    business_seconds_left: Option<i64>,
}

impl<'a> TimedTask<'a> {
    fn new(task: &'a TaskRow, calendar: &BusinessCalendar, now: jiff::Timestamp) -> Self {
        let due = task
            .due_at
            .as_deref()
            .filter(|_| task.status == "open")
            .and_then(|due| due.parse::<jiff::Timestamp>().ok());
        TimedTask {
            task,
            overdue: due.is_some_and(|due| due < now),
            business_seconds_left: due
                .map(|due| calendar.business_time_between(now, due).as_secs()),
        }
    }
}

fn print_deletion(
    out: &mut impl Write,
    message_id: i64,
    deletion: &DeletionState,
) -> std::io::Result<()> {
    match deletion {
        DeletionState::Kept => Ok(()),
        DeletionState::Marked {
            delete_task_id,
            section,
            ..
        } => writeln!(
            out,
            "Message {message_id} is marked for deletion (SOPP 8119 {section}); `regmail tasks done {delete_task_id}` deletes its stored copy."
        ),
        DeletionState::Deleted(deleted) => writeln!(
            out,
            "The stored copy of message {message_id} was deleted under SOPP 8119 {}; its record and the audit log remain.",
            deleted.section
        ),
    }
}

fn print_task(
    out: &mut impl Write,
    timed: &TimedTask<'_>,
    calendar: &BusinessCalendar,
) -> std::io::Result<()> {
    let task = timed.task;
    let due = task.due_at.as_deref().unwrap_or("no deadline");
    let policy = task.policy.map(|p| p.as_str()).unwrap_or("-");
    let status = if timed.overdue {
        "OVERDUE"
    } else {
        &task.status
    };
    writeln!(
        out,
        "#{:<5} {:<9} {:<28} {:<25} {:<7} msg {} {:<16} SOPP 8119 {}",
        task.id, status, task.kind, due, policy, task.message_id, task.role, task.section
    )?;
    if let (Some(left), Some(due)) = (
        timed.business_seconds_left,
        task.due_at.as_deref().and_then(|d| d.parse().ok()),
    ) {
        writeln!(
            out,
            "       Due {}; {}",
            calendar.format_eastern(due),
            match super::calendar::describe_time_left(SignedDuration::from_secs(left)) {
                text if left < 0 => text,
                text => format!("{text} of business time left"),
            }
        )?;
    }
    writeln!(out, "       {}", task.title)?;
    if let Some(subject) = &task.subject {
        writeln!(out, "       Subject: {subject}")?;
    }
    if let Some(resolution) = &task.resolution {
        writeln!(out, "       Resolution: {resolution}")?;
    }
    if let Some(note) = &task.note {
        writeln!(out, "       Note: {note}")?;
    }
    Ok(())
}

/// Runs `regmail directory import` and `regmail directory list`.
pub fn run_directory(store: &mut Store, args: DirectoryArgs) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match args.action {
        DirectoryAction::Import { file, user } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let directory = Directory::parse_csv(&text)
                .with_context(|| format!("invalid RPM directory {}", file.display()))?;
            let count = store.import_directory(&directory, &user.name(), jiff::Timestamp::now())?;
            let entries = if count == 1 { "entry" } else { "entries" };
            writeln!(
                out,
                "Imported {count} RPM directory {entries} from {}.",
                file.display()
            )?;
        }
        DirectoryAction::List { json } => {
            let directory = store.directory()?;
            if json {
                serde_json::to_writer_pretty(&mut out, directory.entries())?;
                writeln!(out)?;
            } else {
                for entry in directory.entries() {
                    writeln!(
                        out,
                        "{:<14} {:<24} {:<18} {} <{}>",
                        entry.application,
                        entry.product,
                        entry.sponsor,
                        entry.rpm_name,
                        entry.rpm_email
                    )?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `regmail audit verify` and `regmail audit log`.
pub fn run_audit(store: &Store, args: AuditArgs) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match args.action {
        AuditAction::Verify { json } => {
            let verdict = store.verify_audit()?;
            if json {
                let value = match &verdict {
                    Ok(head) => {
                        serde_json::json!({ "ok": true, "entries": head.entries, "head": head.hash })
                    }
                    Err(problem) => {
                        serde_json::json!({ "ok": false, "error": problem, "message": problem.to_string() })
                    }
                };
                serde_json::to_writer_pretty(&mut out, &value)?;
                writeln!(out)?;
            }
            match verdict {
                Ok(head) => {
                    if !json {
                        let entries = if head.entries == 1 {
                            "entry"
                        } else {
                            "entries"
                        };
                        writeln!(
                            out,
                            "Audit log intact: {} {entries}, head {}. Keep the head hash elsewhere to detect entries cut from the end.",
                            head.entries, head.hash
                        )?;
                    }
                    Ok(ExitCode::SUCCESS)
                }
                Err(problem) => {
                    if !json {
                        eprintln!("error: audit log broken: {problem}");
                    }
                    Ok(ExitCode::from(1))
                }
            }
        }
        AuditAction::Log { json } => {
            let entries = store.audit_log()?;
            if json {
                serde_json::to_writer_pretty(&mut out, &entries)?;
                writeln!(out)?;
            } else {
                for chained in &entries {
                    let entry = &chained.entry;
                    writeln!(
                        out,
                        "{:>5} {} {:<16} {:<16} msg {:<5} task {:<5} {:<10} {}",
                        entry.seq,
                        entry.at,
                        entry.user,
                        entry.action,
                        entry
                            .message_id
                            .map(|id| id.to_string())
                            .unwrap_or_default(),
                        entry.task_id.map(|id| id.to_string()).unwrap_or_default(),
                        entry.section.as_deref().unwrap_or_default(),
                        entry.detail
                    )?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
