//! Command-line parsing and dispatch. Each subcommand group lives in its own file and
//! exposes its `Args` types and run functions; this file only wires them together.

mod calendar;
mod drafts;
mod mail;
mod settings;
mod smime;
mod sopp;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use regmail::store::Store;

/// Regulatory email workbench for FDA CBER staff (SOPP 8119).
#[derive(Debug, Parser)]
#[command(name = "regmail", version, about)]
pub struct Cli {
    /// Path of the SQLite store; defaults to regmail/regmail.db in the platform data folder.
    #[arg(long, global = true, env = "REGMAIL_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Suppress progress bars and informational output.
    #[arg(long, short, global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import mailbox exports (mbox, Maildir, .eml files or folders of them) into the store.
    Import(mail::ImportArgs),
    /// List stored messages, newest receipt first.
    List(mail::ListArgs),
    /// Full-text search over subject, addresses, body and attachment names.
    Search(mail::SearchArgs),
    /// Show one message: headers, attachments, warnings and body text.
    Show(mail::ShowArgs),
    /// Write the stored original bytes of a message to standard output.
    Raw(mail::RawArgs),
    /// Run the SOPP 8119 decision tree for a stored message and record its tasks.
    Triage(sopp::TriageArgs),
    /// List open tasks, or mark one done.
    Tasks(sopp::TasksArgs),
    /// Import or list the RPM directory.
    Directory(sopp::DirectoryArgs),
    /// Verify or print the hash-chained audit log.
    Audit(sopp::AuditArgs),
    /// Compute when a "within one business day" action is due (SOPP 8119 VI.C.6, VII.A).
    Due(calendar::DueArgs),
    /// List the federal holidays and closures observed at FDA White Oak in a year.
    Holidays(calendar::HolidaysArgs),
    /// Add, import, list or remove closures such as snow days.
    Closures(calendar::ClosuresArgs),
    /// Verify or decrypt S/MIME messages; list the secure-partner registry.
    Smime(smime::SmimeArgs),
    /// Import or list your S/MIME private keys (stored sealed with a passphrase).
    Keys(smime::KeysArgs),
    /// Add, list or remove S/MIME trust anchors and CRLs.
    Trust(smime::TrustArgs),
    /// List, show or change settings: the deadline policy and the settings of drafting
    /// and checking outgoing email.
    Settings(settings::SettingsArgs),
    /// Draft a reply to a stored message from a template, check it, and export it as an
    /// unsent .eml record copy (SOPP 8119 V.A, V.C).
    Draft(drafts::DraftArgs),
    /// Check an outgoing .eml draft against SOPP 8119 V.A and V.C; exits with status 1
    /// when a blocking finding exists.
    Check(drafts::CheckArgs),
    /// List, show or describe the reply templates.
    Templates(drafts::TemplatesArgs),
    /// Import or list the secure-email partner registry.
    Partners(drafts::PartnersArgs),
    /// List, print or verify the record copies of exported drafts.
    Records(drafts::RecordsArgs),
}

/// Location of the last panic, recorded by the panic hook for the single error line that
/// the command prints.
static LAST_PANIC: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// Parses the command line, runs the subcommand and maps errors to an exit code.
pub fn main() -> ExitCode {
    // A panic is reported once, in plain words, by the catch below. The core also catches
    // panics of the MIME parser on single messages (and quarantines them), which must not
    // print anything.
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()));
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = location;
        }
    }));
    let cli = Cli::parse();
    init_logging(cli.quiet);
    let Ok(result) = std::panic::catch_unwind(|| run(cli)) else {
        let location = LAST_PANIC
            .lock()
            .ok()
            .and_then(|mut last| last.take())
            .unwrap_or_default();
        eprintln!("error: internal error at {location}; please report it with the command you ran");
        return ExitCode::from(101);
    };
    match result {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// Returns true when the error is a closed standard output (`regmail list | head`), which
/// is not a failure of the command.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .and_then(|json| json.io_error_kind())
                .is_some_and(|kind| kind == std::io::ErrorKind::BrokenPipe)
    })
}

fn init_logging(quiet: bool) {
    let default = if quiet { "error" } else { "warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("REGMAIL_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

/// Formats `count` with `noun`, adding an "s" unless the count is one (`1 file`,
/// `2 files`).
pub(crate) fn counted(count: u64, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// Parses a message id argument, naming where ids come from when it is not one.
pub(crate) fn message_id(value: &str) -> Result<i64, String> {
    parse_id(value, "message", "`regmail list` or `regmail search`")
}

/// Parses a task id argument, naming where ids come from when it is not one.
pub(crate) fn task_id(value: &str) -> Result<i64, String> {
    parse_id(value, "task", "`regmail tasks`")
}

fn parse_id(value: &str, noun: &str, listed_by: &str) -> Result<i64, String> {
    match value.trim().parse::<i64>() {
        Ok(id) if id > 0 => Ok(id),
        _ => Err(format!(
            "{value:?} is not a {noun} id; {noun} ids are the positive numbers {listed_by} shows"
        )),
    }
}

fn open_store(db: Option<PathBuf>) -> anyhow::Result<Store> {
    let path = db.unwrap_or_else(Store::default_path);
    Ok(Store::open(&path)?)
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let quiet = cli.quiet;
    match cli.command {
        Command::Import(args) => {
            // The paths are checked before the store is opened, so that a mistyped path
            // leaves no new, empty store behind.
            let plan = regmail::import::plan(&args.paths)?;
            mail::import(&mut open_store(cli.db)?, plan, args, quiet)
        }
        Command::List(args) => mail::list(&open_store(cli.db)?, args),
        Command::Search(args) => mail::search(&open_store(cli.db)?, args),
        Command::Show(args) => mail::show(&open_store(cli.db)?, args),
        Command::Raw(args) => mail::raw(&open_store(cli.db)?, args),
        Command::Triage(args) => sopp::run_triage(&mut open_store(cli.db)?, args),
        Command::Tasks(args) => sopp::run_tasks(&mut open_store(cli.db)?, args),
        Command::Directory(args) => sopp::run_directory(&mut open_store(cli.db)?, args),
        Command::Audit(args) => sopp::run_audit(&open_store(cli.db)?, args),
        Command::Due(args) => calendar::due(cli.db, args),
        Command::Holidays(args) => calendar::holidays(cli.db, args),
        Command::Closures(args) => calendar::closures(cli.db, args, quiet),
        Command::Smime(args) => smime::run(cli.db, args),
        Command::Keys(args) => smime::run_keys(cli.db, args, quiet),
        Command::Trust(args) => smime::run_trust(cli.db, args, quiet),
        Command::Settings(args) => settings::run(&mut open_store(cli.db)?, args),
        Command::Draft(args) => drafts::run_draft(&mut open_store(cli.db)?, args),
        Command::Check(args) => drafts::run_check(&open_store(cli.db)?, args),
        Command::Templates(args) => drafts::run_templates(&open_store(cli.db)?, args),
        Command::Partners(args) => drafts::run_partners(&mut open_store(cli.db)?, args),
        Command::Records(args) => drafts::run_records(&open_store(cli.db)?, args),
    }
}
