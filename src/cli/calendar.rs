//! `regmail due`, `holidays` and `closures`: the business calendar behind the one-business-day
//! deadlines of SOPP 8119.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use jiff::civil::{Date, Time};
use jiff::{SignedDuration, Timestamp};
use regmail::calendar::{
    self, BusinessCalendar, Closure, ClosureCause, ClosureOrigin, DayClosure, Deadline, Policy,
    ReceiptSource,
};
use regmail::store::Store;
use serde::Serialize;

use super::mail::print_json;
use super::open_store;

/// Arguments of `regmail due`.
#[derive(Debug, Args)]
pub struct DueArgs {
    /// When the message reached the FDA mail server, as RFC 3339 with an offset, such as
    /// 2025-03-04T10:15:00-05:00 or 2025-03-04T15:15:00Z.
    #[arg(long, value_name = "RFC3339", value_parser = parse_timestamp)]
    pub received: Timestamp,
    /// The rule that turns "within one business day" into a due time. Defaults to the
    /// deadline-policy setting (see `regmail settings`), which is close unless changed.
    #[arg(long, value_enum)]
    pub policy: Option<PolicyArg>,
    /// The origin of the receipt time.
    #[arg(long, value_enum, default_value = "manual")]
    pub source: SourceArg,
    /// The instant the business time left is counted from, as RFC 3339. Defaults to now.
    #[arg(long, value_name = "RFC3339", value_parser = parse_timestamp)]
    pub now: Option<Timestamp>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// The `--policy` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PolicyArg {
    /// Due at 4:30 PM ET on the first business day after the day of receipt.
    Close,
    /// Due after 8 h 30 min of business time.
    Elapsed,
}

impl From<PolicyArg> for Policy {
    fn from(arg: PolicyArg) -> Policy {
        match arg {
            PolicyArg::Close => Policy::Close,
            PolicyArg::Elapsed => Policy::Elapsed,
        }
    }
}

/// The `--source` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SourceArg {
    /// The newest Received header, added by the FDA mail server.
    ReceivedHeader,
    /// The delivery time recorded by the mailbox.
    DeliveryTime,
    /// The sender's Date header (an estimate).
    DateHeader,
    /// Typed in by hand.
    Manual,
}

impl From<SourceArg> for ReceiptSource {
    fn from(arg: SourceArg) -> ReceiptSource {
        match arg {
            SourceArg::ReceivedHeader => ReceiptSource::ReceivedHeader,
            SourceArg::DeliveryTime => ReceiptSource::DeliveryTime,
            SourceArg::DateHeader => ReceiptSource::DateHeader,
            SourceArg::Manual => ReceiptSource::Manual,
        }
    }
}

/// Arguments of `regmail holidays`.
#[derive(Debug, Args)]
pub struct HolidaysArgs {
    /// The year, from 1990 to 2100.
    #[arg(long, value_name = "YYYY", value_parser = parse_year)]
    pub year: i16,
    /// Print a JSON array.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `regmail closures`.
#[derive(Debug, Args)]
pub struct ClosuresArgs {
    /// The closure action.
    #[command(subcommand)]
    pub action: ClosuresAction,
}

/// The `regmail closures` subcommands.
#[derive(Debug, Subcommand)]
pub enum ClosuresAction {
    /// Add a closure of one date, for the whole day or, with --from and --to, part of it.
    Add(AddClosureArgs),
    /// Add the events of an iCalendar (.ics) file as closures.
    Import(ImportClosuresArgs),
    /// List the closures added by users (and with --shipped, the built-in ones).
    List(ListClosuresArgs),
    /// Remove every user closure on a date.
    Remove(RemoveClosuresArgs),
}

/// Arguments of `regmail closures add`.
#[derive(Debug, Args)]
pub struct AddClosureArgs {
    /// The date, as YYYY-MM-DD (Eastern Time).
    #[arg(value_name = "DATE", value_parser = parse_date)]
    pub date: Date,
    /// The reason for the closure, such as "snow closure".
    #[arg(long)]
    pub reason: String,
    /// The authority that announced the closure, such as "OPM".
    #[arg(long, default_value = "user entry")]
    pub source: String,
    /// Start of a partial-day closure, as HH:MM (24-hour, Eastern Time). Without it the
    /// closure starts at midnight.
    #[arg(long, value_name = "HH:MM", value_parser = parse_time)]
    pub from: Option<Time>,
    /// End of a partial-day closure, as HH:MM (24-hour, Eastern Time). Without it the closure
    /// runs to the end of the day.
    #[arg(long, value_name = "HH:MM", value_parser = parse_time)]
    pub to: Option<Time>,
}

/// Arguments of `regmail closures import`.
#[derive(Debug, Args)]
pub struct ImportClosuresArgs {
    /// The iCalendar file. All-day events close whole dates, and timed events close part of a
    /// day.
    #[arg(value_name = "FILE.ics")]
    pub file: PathBuf,
}

/// Arguments of `regmail closures list`.
#[derive(Debug, Args)]
pub struct ListClosuresArgs {
    /// Also list the closures built into Regmail (executive orders).
    #[arg(long)]
    pub shipped: bool,
    /// Print a JSON array.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `regmail closures remove`.
#[derive(Debug, Args)]
pub struct RemoveClosuresArgs {
    /// The date, as YYYY-MM-DD.
    #[arg(value_name = "DATE", value_parser = parse_date)]
    pub date: Date,
}

fn parse_timestamp(text: &str) -> Result<Timestamp, String> {
    text.trim().parse().map_err(|_| {
        "expected an RFC 3339 timestamp with an offset, such as 2025-03-04T10:15:00-05:00 or \
         2025-03-04T15:15:00Z"
            .to_owned()
    })
}

fn parse_year(text: &str) -> Result<i16, String> {
    let year: i64 = text.trim().parse().map_err(|_| {
        format!(
            "expected a four-digit year from {} to {}, such as 2026",
            calendar::FIRST_YEAR,
            calendar::LAST_YEAR
        )
    })?;
    calendar::check_year(year).map_err(|err| err.to_string())
}

fn parse_date(text: &str) -> Result<Date, String> {
    let date: Date = text
        .trim()
        .parse()
        .map_err(|_| "expected a date as YYYY-MM-DD, such as 2026-02-03".to_owned())?;
    calendar::check_year(date.year().into()).map_err(|err| err.to_string())?;
    Ok(date)
}

fn parse_time(text: &str) -> Result<Time, String> {
    text.trim()
        .parse()
        .map_err(|_| "expected a time as HH:MM (24-hour), such as 12:15".to_owned())
}

/// Runs `regmail due`.
pub fn due(db: Option<PathBuf>, args: DueArgs) -> anyhow::Result<ExitCode> {
    let policy = match args.policy {
        Some(policy) => policy.into(),
        None => stored_policy(db.clone())?,
    };
    let calendar = load_calendar(db)?;
    let deadline = calendar.due(args.received, args.source.into(), policy)?;
    let now = args.now.unwrap_or_else(Timestamp::now);
    let left = calendar.business_time_between(now, deadline.due_at);

    if args.json {
        print_json(&DueOutput::new(&calendar, &deadline, now, left))?;
        return Ok(ExitCode::SUCCESS);
    }

    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Due:            {}",
        calendar.format_eastern(deadline.due_at)
    )?;
    writeln!(
        out,
        "Early warning:  {}",
        calendar.format_eastern(deadline.warn_at)
    )?;
    writeln!(out, "Policy:         {}", deadline.policy)?;
    writeln!(
        out,
        "Time left:      {} (business time, as of {})",
        describe_time_left(left),
        calendar.format_eastern(now)
    )?;
    writeln!(out, "Why:")?;
    for line in &deadline.explanation {
        writeln!(out, "  - {line}")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `regmail holidays`.
pub fn holidays(db: Option<PathBuf>, args: HolidaysArgs) -> anyhow::Result<ExitCode> {
    let calendar = load_calendar(db)?;
    let days = calendar.closed_days(args.year.into())?;
    let entries: Vec<HolidayEntry> = days.iter().flat_map(HolidayEntry::from_day).collect();

    if args.json {
        print_json(&entries)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = std::io::stdout().lock();
    for entry in &entries {
        writeln!(
            out,
            "{} {}  {}",
            entry.weekday, entry.date, entry.description
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `regmail closures`.
pub fn closures(db: Option<PathBuf>, args: ClosuresArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    match args.action {
        ClosuresAction::Add(args) => add_closure(db, args, quiet),
        ClosuresAction::Import(args) => import_closures(db, args, quiet),
        ClosuresAction::List(args) => list_closures(db, args),
        ClosuresAction::Remove(args) => remove_closures(&mut open_store(db)?, args, quiet),
    }
}

fn add_closure(db: Option<PathBuf>, args: AddClosureArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    let closure = Closure::partial(
        args.date,
        args.from,
        args.to,
        args.reason,
        args.source,
        ClosureOrigin::User,
    )?;
    let added = open_store(db)?.add_closure(&closure)?;

    if !quiet {
        let verb = if added { "Added" } else { "Already stored:" };
        println!(
            "{verb} closure on {} {} ({}): {} ({})",
            closure.date.strftime("%a"),
            closure.date,
            closure.window_text(),
            closure.reason,
            closure.source
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn import_closures(
    db: Option<PathBuf>,
    args: ImportClosuresArgs,
    quiet: bool,
) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read the ICS file {}", args.file.display()))?;
    let name = args.file.file_name().map_or_else(
        || args.file.display().to_string(),
        |name| name.to_string_lossy().into_owned(),
    );
    let closures = calendar::parse_ics(&text, &format!("ICS file {name}"))
        .with_context(|| format!("cannot import {}", args.file.display()))?;
    for closure in &closures {
        calendar::check_year(closure.date.year().into())
            .with_context(|| format!("cannot import the closure on {}", closure.date))?;
    }

    let added = open_store(db)?.add_closures(&closures)?;
    if !quiet {
        println!(
            "Imported {} from {} ({} already stored).",
            count(added, "closure"),
            args.file.display(),
            closures.len() - added
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn list_closures(db: Option<PathBuf>, args: ListClosuresArgs) -> anyhow::Result<ExitCode> {
    let mut closures = load_user_closures(db)?;
    if args.shipped {
        closures.extend(calendar::shipped_closures()?);
        closures.sort_by_key(|closure| (closure.date, closure.start));
    }

    if args.json {
        print_json(&closures)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = std::io::stdout().lock();
    if closures.is_empty() {
        writeln!(
            out,
            "No closures. Add one with `regmail closures add DATE --reason TEXT`."
        )?;
    }
    for closure in &closures {
        let origin = match closure.origin {
            ClosureOrigin::Shipped => "built-in",
            ClosureOrigin::User => "user",
        };
        writeln!(
            out,
            "{} {}  {:<22}  {:<8}  {} ({})",
            closure.date.strftime("%a"),
            closure.date,
            closure.window_text(),
            origin,
            closure.reason,
            closure.source
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn remove_closures(
    store: &mut Store,
    args: RemoveClosuresArgs,
    quiet: bool,
) -> anyhow::Result<ExitCode> {
    let removed = store.remove_closures(args.date)?;
    if !quiet {
        println!("Removed {} on {}.", count(removed, "closure"), args.date);
    }
    Ok(ExitCode::SUCCESS)
}

/// Loads the user closures without creating a database that does not exist yet, so that
/// `due` and `holidays` leave no file behind.
fn load_user_closures(db: Option<PathBuf>) -> anyhow::Result<Vec<Closure>> {
    let path = db.unwrap_or_else(Store::default_path);
    if !Path::new(&path).exists() {
        return Ok(Vec::new());
    }
    let store = Store::open(&path)?;
    Ok(store.closures()?)
}

/// Returns the deadline policy saved in the store, or the default when there is no store.
fn stored_policy(db: Option<PathBuf>) -> anyhow::Result<Policy> {
    let path = db.unwrap_or_else(Store::default_path);
    if !Path::new(&path).exists() {
        return Ok(Policy::default());
    }
    Ok(Store::open(&path)?.deadline_policy()?)
}

fn load_calendar(db: Option<PathBuf>) -> anyhow::Result<BusinessCalendar> {
    let user_closures = load_user_closures(db)?;
    Ok(BusinessCalendar::with_shipped_closures(user_closures)?)
}

/// Returns `"1 closure"` or `"2 closures"`.
fn count(number: usize, noun: &str) -> String {
    if number == 1 {
        format!("1 {noun}")
    } else {
        format!("{number} {noun}s")
    }
}

pub(super) fn describe_time_left(left: SignedDuration) -> String {
    let minutes = left.abs().as_secs() / 60;
    let text = format!("{} h {} min", minutes / 60, minutes % 60);
    if left.is_negative() {
        format!("overdue by {text}")
    } else {
        text
    }
}

/// The JSON output of `regmail due`: the deadline with times in Eastern Time and their offset.
#[derive(Serialize)]
struct DueOutput {
    due_at: String,
    warn_at: String,
    policy: Policy,
    received_at: String,
    receipt_source: ReceiptSource,
    receipt_is_estimate: bool,
    counted_from: String,
    now: String,
    business_seconds_left: i64,
    skipped: Vec<SkippedOutput>,
    explanation: Vec<String>,
}

#[derive(Serialize)]
struct SkippedOutput {
    date: Date,
    weekday: String,
    all_day: bool,
    reasons: Vec<String>,
    causes: Vec<ClosureCause>,
}

impl DueOutput {
    fn new(
        calendar: &BusinessCalendar,
        deadline: &Deadline,
        now: Timestamp,
        left: SignedDuration,
    ) -> DueOutput {
        let skipped = deadline
            .skipped
            .iter()
            .map(|day| SkippedOutput {
                date: day.date,
                weekday: day.date.strftime("%a").to_string(),
                all_day: day.all_day,
                reasons: day.causes.iter().map(ClosureCause::describe).collect(),
                causes: day.causes.clone(),
            })
            .collect();
        DueOutput {
            due_at: calendar.format_rfc3339(deadline.due_at),
            warn_at: calendar.format_rfc3339(deadline.warn_at),
            policy: deadline.policy,
            received_at: calendar.format_rfc3339(deadline.received_at),
            receipt_source: deadline.receipt_source,
            receipt_is_estimate: deadline.receipt_source.is_estimate(),
            counted_from: calendar.format_rfc3339(deadline.counted_from),
            now: calendar.format_rfc3339(now),
            business_seconds_left: left.as_secs(),
            skipped,
            explanation: deadline.explanation.clone(),
        }
    }
}

/// One line of `regmail holidays`: a holiday or a closure on its date.
#[derive(Serialize)]
struct HolidayEntry {
    date: Date,
    weekday: String,
    kind: &'static str,
    name: String,
    source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    actual_date: Option<Date>,
    all_day: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<Time>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<Time>,
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<ClosureOrigin>,
    #[serde(skip)]
    description: String,
}

impl HolidayEntry {
    fn from_day(day: &DayClosure) -> Vec<HolidayEntry> {
        let weekday = day.date.strftime("%a").to_string();
        day.causes
            .iter()
            .filter_map(|cause| match cause {
                ClosureCause::Weekend => None,
                ClosureCause::Holiday(holiday) => Some(HolidayEntry {
                    date: day.date,
                    weekday: weekday.clone(),
                    kind: "holiday",
                    name: holiday.name.to_string(),
                    source: holiday.authority.to_string(),
                    actual_date: Some(holiday.actual_date),
                    all_day: true,
                    start: None,
                    end: None,
                    origin: None,
                    description: cause.describe(),
                }),
                ClosureCause::Closure(closure) => Some(HolidayEntry {
                    date: day.date,
                    weekday: weekday.clone(),
                    kind: "closure",
                    name: closure.reason.clone(),
                    source: closure.source.clone(),
                    actual_date: None,
                    all_day: closure.is_all_day(),
                    start: closure.start,
                    end: closure.end,
                    origin: Some(closure.origin),
                    description: cause.describe(),
                }),
            })
            .collect()
    }
}
