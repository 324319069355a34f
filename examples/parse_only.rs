//! Parse-only throughput: splits an mbox with `MboxReader` and parses every message,
//! writing nothing, then prints one JSON line with the counts and the rates.
//!
//! Usage: `parse_only [--mode split|mail-parser|regmail|regmail-sha256] [--mboxo] FILE`
//!
//! Modes:
//! - `split`: only split the mbox into messages and undo the `>From ` escaping.
//! - `mail-parser` (default): `mail_parser::MessageParser::default().parse` on each
//!   message, the baseline the import is compared with.
//! - `regmail`: `regmail::message::parse`, which adds the decoding fixes, the receipt
//!   time and an SHA-256 of every attachment to the mail-parser parse.
//! - `regmail-sha256`: `regmail` plus the SHA-256 of the whole message, which is the work
//!   the import's reading thread does for each message.
//!
//! MB/s is the mbox file size in 10^6 bytes divided by the wall time, so it compares
//! directly with the import's MB/s over the same file.

use std::hint::black_box;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use regmail::mailbox::{MboxReader, MboxVariant};
use regmail::message::{self, Parsed};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Split,
    MailParser,
    Regmail,
    RegmailSha256,
}

impl Mode {
    fn from_name(name: &str) -> Option<Self> {
        match name {
            "split" => Some(Mode::Split),
            "mail-parser" => Some(Mode::MailParser),
            "regmail" => Some(Mode::Regmail),
            "regmail-sha256" => Some(Mode::RegmailSha256),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Mode::Split => "split",
            Mode::MailParser => "mail-parser",
            Mode::Regmail => "regmail",
            Mode::RegmailSha256 => "regmail-sha256",
        }
    }
}

struct Args {
    mode: Mode,
    variant: MboxVariant,
    path: PathBuf,
}

const USAGE: &str =
    "usage: parse_only [--mode split|mail-parser|regmail|regmail-sha256] [--mboxo] FILE";

fn parse_args() -> Result<Args, String> {
    let mut mode = Mode::MailParser;
    let mut variant = MboxVariant::Mboxrd;
    let mut path = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--mode" => {
                let name = args.next().ok_or("--mode needs a value")?;
                mode = Mode::from_name(&name).ok_or_else(|| {
                    format!(
                        "invalid --mode {name:?}; use split, mail-parser, regmail or regmail-sha256"
                    )
                })?;
            }
            "--mboxo" => variant = MboxVariant::Mboxo,
            "-h" | "--help" => return Err(USAGE.to_string()),
            _ if arg.starts_with('-') => return Err(format!("unknown option {arg}\n{USAGE}")),
            _ if path.is_none() => path = Some(PathBuf::from(arg)),
            _ => return Err(format!("only one FILE may be given\n{USAGE}")),
        }
    }
    let path = path.ok_or_else(|| format!("missing FILE\n{USAGE}"))?;
    Ok(Args {
        mode,
        variant,
        path,
    })
}

/// Counters of one run. `parts` and `failed` keep the parser's output observable, so the
/// compiler cannot drop the parse as dead code.
#[derive(Default)]
struct Totals {
    messages: u64,
    message_bytes: u64,
    parts: u64,
    failed: u64,
}

fn run(args: &Args) -> Result<Totals, regmail::mailbox::Error> {
    let parser = mail_parser::MessageParser::default();
    let mut totals = Totals::default();
    for raw in MboxReader::open(&args.path, args.variant)? {
        let raw = raw?;
        totals.messages += 1;
        totals.message_bytes += raw.bytes.len() as u64;
        let bytes = raw.message_bytes();
        match args.mode {
            Mode::Split => {
                black_box(bytes);
            }
            Mode::MailParser => match parser.parse(bytes) {
                Some(parsed) => totals.parts += black_box(parsed.parts.len()) as u64,
                None => totals.failed += 1,
            },
            Mode::Regmail | Mode::RegmailSha256 => {
                if args.mode == Mode::RegmailSha256 {
                    black_box(message::sha256_hex(&raw.bytes));
                }
                match black_box(message::parse(bytes, raw.envelope.as_deref())) {
                    Parsed::Message(parsed) => totals.parts += parsed.attachments.len() as u64,
                    Parsed::Quarantined { .. } => totals.failed += 1,
                }
            }
        }
    }
    Ok(totals)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let file_bytes = match std::fs::metadata(&args.path) {
        Ok(metadata) => metadata.len(),
        Err(err) => {
            eprintln!("error: cannot read {}: {err}", args.path.display());
            return ExitCode::FAILURE;
        }
    };

    let started = Instant::now();
    let totals = match run(&args) {
        Ok(totals) => totals,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::FAILURE;
        }
    };
    let seconds = started.elapsed().as_secs_f64();

    // `parts` counts MIME parts in mail-parser mode and attachments in the regmail modes.
    let line = serde_json::json!({
        "mode": args.mode.name(),
        "file": args.path.display().to_string(),
        "messages": totals.messages,
        "message_bytes": totals.message_bytes,
        "file_bytes": file_bytes,
        "parts": totals.parts,
        "failed": totals.failed,
        "seconds": seconds,
        "msg_per_s": totals.messages as f64 / seconds,
        "mb_per_s": file_bytes as f64 / 1e6 / seconds,
    });
    println!("{line}");
    ExitCode::SUCCESS
}
