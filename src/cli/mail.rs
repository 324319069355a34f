//! `regmail import`, `list`, `search`, `show` and `raw`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use regmail::import::{self, ImportOptions, ImportReport};
use regmail::mailbox::MboxVariant;
use regmail::message::Attachment;
use regmail::smime::{Layer, Reason, SmimeReport, Verdict};
use regmail::store::{
    DeletionState, MessageDeletion, MessageRow, Store, StoredMessage, StoredSmime,
};

use super::counted;

/// Arguments of `regmail import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files and folders to import: mbox files, Maildir folders, .eml files, folders of .eml files.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// How to undo `>From ` escaping in mbox files: mboxrd removes one `>` from every
    /// `>+From ` line (right for mboxrd and mboxo exports); mboxo only from `>From ` lines.
    #[arg(long, value_enum, default_value = "mboxrd")]
    pub mbox_variant: MboxVariantArg,
    /// Name of the environment variable holding the passphrase of the keys stored with
    /// `regmail keys import`; when given, encrypted messages are decrypted on import.
    #[arg(long, value_name = "VAR")]
    pub key_passphrase_env: Option<String>,
}

/// The `--mbox-variant` values.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MboxVariantArg {
    /// Undo mboxrd escaping.
    Mboxrd,
    /// Undo mboxo escaping only.
    Mboxo,
}

/// Arguments of `regmail list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Full-text query (SQLite FTS5 syntax) over subject, addresses, body and attachment
    /// names. Words match anywhere; `subject:`, `addresses:`, `body:` and `attachments:`
    /// limit a word to one field; AND, OR, NOT, "exact phrases" and prefix* work.
    #[arg(long, value_name = "FTS")]
    pub query: Option<String>,
    /// Maximum number of rows.
    #[arg(long, default_value_t = 1000)]
    pub limit: usize,
    /// Print a JSON array.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `regmail search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Full-text query (SQLite FTS5 syntax), for example `STN 125742` or `subject:amendment`.
    /// The fields are `subject`, `addresses`, `body` and `attachments`; AND, OR, NOT,
    /// "exact phrases" and prefix* work.
    #[arg(value_name = "QUERY")]
    pub query: String,
    /// Maximum number of rows.
    #[arg(long, default_value_t = 1000)]
    pub limit: usize,
    /// Print a JSON array.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `regmail show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Message id, as shown by `regmail list`.
    #[arg(value_parser = super::message_id)]
    pub id: i64,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `regmail raw`.
#[derive(Debug, Args)]
pub struct RawArgs {
    /// Message id, as shown by `regmail list`.
    #[arg(value_parser = super::message_id)]
    pub id: i64,
}

pub fn import(
    store: &mut Store,
    plan: import::Plan,
    args: ImportArgs,
    quiet: bool,
) -> anyhow::Result<ExitCode> {
    let options = ImportOptions {
        mbox_variant: match args.mbox_variant {
            MboxVariantArg::Mboxrd => MboxVariant::Mboxrd,
            MboxVariantArg::Mboxo => MboxVariant::Mboxo,
        },
        ..ImportOptions::default()
    };
    let bar = if quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let bar = ProgressBar::new(plan.total_bytes());
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} ({eta}) {msg}")
                .expect("the progress template is valid"),
        );
        bar
    };
    let session = import::SmimeSession {
        trust: store.trust_store()?,
        keys: super::smime::session_keys(store, args.key_passphrase_env.as_deref())?,
    };
    let report = import::run_with_smime(store, plan, options, &session, &mut |p| {
        bar.set_position(p.bytes_done);
        bar.set_message(format!(
            "{} found, {} imported, {}, {} quarantined",
            p.found,
            p.imported,
            counted(p.duplicates, "duplicate"),
            p.quarantined
        ));
    })?;
    bar.finish_and_clear();

    if args.json {
        print_json(&report)?;
    } else if !quiet {
        print_report(&report)?;
    }
    let rejected = report.skipped.iter().filter(|s| s.explicit).count();
    for skipped in report.skipped.iter().filter(|s| s.explicit) {
        eprintln!(
            "error: {} was not imported: {}",
            skipped.path.display(),
            skipped.reason
        );
    }
    Ok(if rejected > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_report(report: &ImportReport) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "found {} in {} ({})",
        counted(report.found, "message"),
        counted(report.files, "file"),
        counted(report.bytes, "byte")
    )?;
    writeln!(out, "  imported     {}", report.imported)?;
    writeln!(out, "  duplicates   {}", report.duplicates)?;
    writeln!(out, "  quarantined  {}", report.quarantined.len())?;
    for q in &report.quarantined {
        writeln!(out, "    #{} {}: {}", q.id, q.source, q.reason)?;
    }
    if !report.same_message_id.is_empty() {
        writeln!(
            out,
            "  same Message-ID, different bytes: {}",
            report.same_message_id.len()
        )?;
        for s in &report.same_message_id {
            let others: Vec<String> = s.other_ids.iter().map(|id| format!("#{id}")).collect();
            writeln!(
                out,
                "    #{} <{}> also in {}",
                s.id,
                s.message_id,
                others.join(", ")
            )?;
        }
    }
    let folder_skips: Vec<_> = report.skipped.iter().filter(|s| !s.explicit).collect();
    if !folder_skips.is_empty() {
        writeln!(out, "  skipped files: {}", folder_skips.len())?;
        for s in folder_skips {
            writeln!(out, "    {}: {}", s.path.display(), s.reason)?;
        }
    }
    if report.found == 0 {
        writeln!(
            out,
            "no messages found: give an mbox file, a Maildir, an .eml file or a folder of \
             .eml files"
        )?;
    }
    Ok(())
}

pub fn list(store: &Store, args: ListArgs) -> anyhow::Result<ExitCode> {
    let rows = store.list_messages(args.query.as_deref(), args.limit)?;
    print_rows(&rows, args.json)
}

pub fn search(store: &Store, args: SearchArgs) -> anyhow::Result<ExitCode> {
    let rows = store.list_messages(Some(&args.query), args.limit)?;
    print_rows(&rows, args.json)
}

fn print_rows(rows: &[MessageRow], json: bool) -> anyhow::Result<ExitCode> {
    if json {
        print_json(&rows)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = std::io::stdout().lock();
    for row in rows {
        let flag = match row.status.as_str() {
            "quarantined" => " [quarantined]",
            "deleted" => " [deleted]",
            _ => "",
        };
        writeln!(
            out,
            "{:>6}  {:<20}  {:<32}  {}{}",
            row.id,
            row.received_at.as_deref().unwrap_or("-"),
            truncate(row.from.as_deref().unwrap_or("-"), 32),
            row.subject.as_deref().unwrap_or("(no subject)"),
            flag
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut short: String = text.chars().take(width - 1).collect();
    short.push('…');
    short
}

pub fn show(store: &Store, args: ShowArgs) -> anyhow::Result<ExitCode> {
    let message = store.message(args.id)?;
    let deletion = store.deletion_state(args.id)?;
    let smime = store.smime_result(args.id)?;
    if args.json {
        let mut value = serde_json::to_value(&message)?;
        value["deletion"] = serde_json::to_value(&deletion)?;
        value["smime"] = match &smime {
            Some(smime) => smime_json(smime),
            None => serde_json::Value::Null,
        };
        print_json(&value)?;
        return Ok(ExitCode::SUCCESS);
    }

    let mut out = std::io::stdout().lock();
    if let Some(deleted) = &message.deleted {
        return show_tombstone(&mut out, &message, deleted);
    }

    let p = &message.parsed;
    let list = |boxes: &[regmail::message::Mailbox]| {
        boxes
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    writeln!(out, "id:          {}", message.id)?;
    writeln!(out, "status:      {}", message.status)?;
    if let Some(reason) = &message.quarantine_reason {
        writeln!(out, "quarantined: {reason}")?;
    }
    if let DeletionState::Marked {
        since,
        by,
        delete_task_id,
        section,
    } = &deletion
    {
        writeln!(
            out,
            "deletion:    marked on {since} by {by} (SOPP 8119 {section}); `regmail tasks done {delete_task_id}` deletes the stored copy"
        )?;
    }
    writeln!(out, "sha256:      {}", message.sha256)?;
    writeln!(out, "size:        {}", counted(message.size, "byte"))?;
    for origin in &message.origins {
        writeln!(
            out,
            "source:      {} ({}, byte offset {})",
            origin.path, origin.format, origin.offset
        )?;
    }
    writeln!(
        out,
        "message-id:  {}",
        p.message_id.as_deref().unwrap_or("-")
    )?;
    writeln!(
        out,
        "from:        {}",
        p.from
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_else(|| "-".into())
    )?;
    writeln!(out, "to:          {}", list(&p.to))?;
    if !p.cc.is_empty() {
        writeln!(out, "cc:          {}", list(&p.cc))?;
    }
    writeln!(out, "subject:     {}", p.subject.as_deref().unwrap_or("-"))?;
    writeln!(out, "date:        {}", p.date.as_deref().unwrap_or("-"))?;
    let source = p.received_source.map(|s| s.as_str()).unwrap_or("none");
    writeln!(
        out,
        "received:    {} (from {})",
        p.received_at
            .map(|t| t.to_string())
            .unwrap_or_else(|| "-".into()),
        source
    )?;
    print_attachments(&mut out, &p.attachments)?;
    for w in &p.warnings {
        writeln!(out, "warning:     {w}")?;
    }
    if let Some(smime) = &smime {
        writeln!(out, "s/mime:      {}", smime_words(&smime.report))?;
        for reason in smime_reasons(&smime.report) {
            writeln!(
                out,
                "             {} ({}); fix: {}",
                reason.text,
                reason.code.as_str(),
                reason.fix
            )?;
        }
    }
    writeln!(out)?;
    writeln!(out, "{}", p.body_text)?;
    if let Some(inner) = smime.as_ref().and_then(|s| s.content_summary.as_ref()) {
        let heading = if smime
            .as_ref()
            .is_some_and(|s| s.report.decrypted && s.report.encrypted)
        {
            "decrypted content"
        } else {
            "signed content"
        };
        writeln!(
            out,
            "----- {heading} (the message as received stays the record) -----"
        )?;
        print_attachments(&mut out, &inner.attachments)?;
        writeln!(out)?;
        writeln!(out, "{}", inner.body_text)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints one line per attachment: name, media type, size and SHA-256.
fn print_attachments(out: &mut impl Write, attachments: &[Attachment]) -> std::io::Result<()> {
    for a in attachments {
        writeln!(
            out,
            "attachment:  {} ({}, {}, sha256 {})",
            a.name.as_deref().unwrap_or("(unnamed)"),
            a.mime_type,
            counted(a.size, "byte"),
            a.sha256
        )?;
    }
    Ok(())
}

/// Returns the S/MIME verdict of a stored message in words.
fn smime_words(report: &SmimeReport) -> &'static str {
    match report.verdict {
        Verdict::NotSmime => "not signed or encrypted",
        Verdict::Unreadable => {
            "encrypted and unreadable: no unlocked key opens it, or it is damaged"
        }
        Verdict::Verified => "signature verified",
        Verdict::AddressMismatch => {
            "signed, but the signer's certificate does not name the From address"
        }
        Verdict::Untrusted => "signed, but not by a trusted certificate",
        Verdict::Broken => "signature broken: changed after signing, or malformed",
        Verdict::EncryptedOnly => "decrypted with your key; not signed",
    }
}

/// Returns every reason of every layer and signer of `report`, outermost first.
fn smime_reasons(report: &SmimeReport) -> Vec<&Reason> {
    let mut reasons = Vec::new();
    for layer in &report.layers {
        match layer {
            Layer::Signed(signed) => {
                reasons.extend(&signed.reasons);
                for signer in &signed.signers {
                    reasons.extend(&signer.reasons);
                }
            }
            Layer::Encrypted(encrypted) => reasons.extend(&encrypted.reasons),
        }
    }
    reasons
}

/// Builds the `smime` object of `show --json`.
fn smime_json(smime: &StoredSmime) -> serde_json::Value {
    let report = &smime.report;
    serde_json::json!({
        "verdict": regmail::store::verdict_name(report.verdict),
        "intact": report.intact,
        "trusted": report.trusted,
        "encrypted": report.encrypted,
        "decrypted": report.decrypted,
        "reasons": smime_reasons(report),
        "content": smime.content_summary,
        "checked_at": smime.checked_at,
    })
}

/// Prints what remains of a message whose stored copy was deleted.
fn show_tombstone(
    out: &mut impl Write,
    message: &StoredMessage,
    deleted: &MessageDeletion,
) -> anyhow::Result<ExitCode> {
    writeln!(out, "id:          {}", message.id)?;
    writeln!(out, "status:      deleted")?;
    writeln!(
        out,
        "deleted:     {} by {} under SOPP 8119 {} (task #{})",
        deleted.deleted_at, deleted.deleted_by, deleted.section, deleted.task_id
    )?;
    writeln!(out, "sha256:      {}", message.sha256)?;
    writeln!(out, "size:        {}", counted(message.size, "byte"))?;
    for origin in &message.origins {
        writeln!(
            out,
            "source:      {} ({}, byte offset {})",
            origin.path, origin.format, origin.offset
        )?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "The stored copy of message {} was deleted under SOPP 8119 {} on {} by {}. Its content \
         is no longer stored; this record and the audit log remain.",
        message.id, deleted.section, deleted.deleted_at, deleted.deleted_by
    )?;
    Ok(ExitCode::SUCCESS)
}

pub fn raw(store: &Store, args: RawArgs) -> anyhow::Result<ExitCode> {
    let bytes = store.raw_message(args.id)?;
    let mut out = std::io::stdout().lock();
    match out.write_all(&bytes).and_then(|()| out.flush()) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        // A closed pipe (`regmail raw 1 | head`) is not an error.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        Err(err) => Err(err).context("cannot write the message to standard output"),
    }
}

/// Prints `value` as pretty JSON on standard output.
pub(super) fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}
