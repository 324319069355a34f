//! `regmail draft`, `check`, `templates`, `partners`, `settings` and `records`: outgoing
//! regulatory email under SOPP 8119 V.A and V.C.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use jiff::Timestamp;
use regmail::drafts::check::{check, Finding, Severity};
use regmail::drafts::partners::parse_partner_list;
use regmail::drafts::settings::DraftSettingKey;
use regmail::drafts::stored::{self, engine_settings};
use regmail::drafts::template::{Templates, FIELDS};
use regmail::drafts::{
    parse_eml, CommunicationType, Draft, DraftAttachment, DraftSettings, Exception,
};
use regmail::sopp::facts::Mailbox;
use regmail::sopp::triage;
use regmail::sopp::Answers;
use regmail::store::{RecordCopy, SecurePartner, Store};

use super::mail::print_json;
use super::sopp::UserArg;

/// Arguments of `regmail draft`.
#[derive(Debug, Args)]
pub struct DraftArgs {
    /// Message id to reply to, as shown by `regmail list`.
    #[arg(value_parser = super::message_id)]
    pub id: i64,
    /// The template (see `regmail templates list`); without it, the one template that
    /// replies to the message's decision.
    #[arg(long, value_name = "NAME")]
    pub template: Option<String>,
    /// Write the draft as an unsent .eml file and keep its bytes as the record copy;
    /// refused while a blocking finding remains. The file must not exist.
    #[arg(long, value_name = "FILE.eml")]
    pub out: Option<PathBuf>,
    /// Print the draft, its findings and the record copy as JSON.
    #[arg(long)]
    pub json: bool,
    /// A folder of templates that override or add to the built-in ones; defaults to the
    /// setting templates-dir.
    #[arg(long = "templates", value_name = "DIR")]
    pub templates_dir: Option<PathBuf>,
    /// The From address; defaults to the setting reviewer-email.
    #[arg(long, value_name = "ADDRESS")]
    pub from: Option<String>,
    /// A To recipient, replacing the sender of the message; repeat for several.
    #[arg(long, value_name = "ADDRESS")]
    pub to: Vec<String>,
    /// A Cc recipient added to the RPM; repeat for several.
    #[arg(long, value_name = "ADDRESS")]
    pub cc: Vec<String>,
    /// A UTF-8 text file whose content replaces the template's body.
    #[arg(long, value_name = "FILE")]
    pub body: Option<PathBuf>,
    /// The communication type entered for data entry (SOPP 8119 VII.B.2): email, or
    /// telecon when the content would normally be discussed by phone.
    #[arg(long, value_name = "TYPE")]
    pub communication: Option<String>,
    /// A file to attach; repeat for several.
    #[arg(long, value_name = "FILE")]
    pub attach: Vec<PathBuf>,
    /// The PIV-signed letter (a signed PDF) this email covers (SOPP 8119 V.C.5).
    #[arg(long, value_name = "FILE.pdf")]
    pub letter: Option<PathBuf>,
    #[command(flatten)]
    pub marks: MarkArgs,
    #[command(flatten)]
    pub user: UserArg,
}

/// The reviewer's markings of a draft, shared by `draft` and `check`.
#[derive(Debug, Args)]
pub struct MarkArgs {
    /// The SOPP 8119 V.A.1.a exception the communication falls under, which lifts the
    /// secure-email rule: individual-patient-ind, compassionate-use-ide, eua,
    /// general-information or cfr-640-120; `none` clears the template's.
    #[arg(long, value_name = "NAME")]
    pub exception: Option<String>,
    /// The draft concerns a trans-BLA, so other BLAs may be named (SOPP 8119 V.C.7).
    #[arg(long)]
    pub trans_bla: bool,
    /// The draft concerns a bundled submission, so the bundled ones may be named.
    #[arg(long)]
    pub bundled: bool,
    /// A related precursor submission the draft may name (pre-IND, master file); repeat
    /// for several.
    #[arg(long, value_name = "IDENTIFIER")]
    pub related: Vec<String>,
}

/// Arguments of `regmail check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The draft to check, an .eml file.
    pub file: PathBuf,
    /// Print an object with `findings` as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub marks: MarkArgs,
}

/// Arguments of `regmail templates`.
#[derive(Debug, Args)]
pub struct TemplatesArgs {
    #[command(subcommand)]
    pub action: TemplatesAction,
    /// A folder of templates that override or add to the built-in ones; defaults to the
    /// setting templates-dir.
    #[arg(long = "templates", global = true, value_name = "DIR")]
    pub templates_dir: Option<PathBuf>,
}

/// `regmail templates` subcommands.
#[derive(Debug, Subcommand)]
pub enum TemplatesAction {
    /// List the templates; exits with status 1 when a template file does not parse.
    List {
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Print a template's file, to copy into your templates folder and edit.
    Show {
        /// The template name.
        name: String,
    },
    /// List the fields a template may use.
    Fields,
}

/// Arguments of `regmail partners`.
#[derive(Debug, Args)]
pub struct PartnersArgs {
    #[command(subcommand)]
    pub action: PartnersAction,
}

/// `regmail partners` subcommands.
#[derive(Debug, Subcommand)]
pub enum PartnersAction {
    /// Add or refresh secure-email partners from a CSV file with the columns
    /// entry,method,verified_on: a domain with method tls (enforced TLS), or an address
    /// with method smime, and the date it was verified (YYYY-MM-DD).
    Import {
        /// The CSV file.
        file: PathBuf,
        #[command(flatten)]
        user: UserArg,
    },
    /// List the registry: imported entries and certificates harvested from verified
    /// signed mail.
    List {
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
}

/// Arguments of `regmail settings`.
#[derive(Debug, Args)]
pub struct SettingsArgs {
    #[command(subcommand)]
    pub action: SettingsAction,
}

/// `regmail settings` subcommands.
#[derive(Debug, Subcommand)]
pub enum SettingsAction {
    /// List every setting with its value.
    List {
        /// Print a JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Print the value of one setting.
    Get {
        /// The setting: official-domains, isp-domains, reviewer-name, reviewer-email,
        /// templates-dir or max-quoted-messages.
        key: String,
    },
    /// Change one setting; the change is recorded in the audit log.
    Set {
        /// The setting: official-domains, isp-domains, reviewer-name, reviewer-email,
        /// templates-dir or max-quoted-messages.
        key: String,
        /// The new value; lists of domains are comma-separated, and an empty value clears
        /// reviewer-name, reviewer-email and templates-dir.
        value: String,
        #[command(flatten)]
        user: UserArg,
    },
}

/// Arguments of `regmail records`.
#[derive(Debug, Args)]
pub struct RecordsArgs {
    #[command(subcommand)]
    pub action: RecordsAction,
}

/// `regmail records` subcommands.
#[derive(Debug, Subcommand)]
pub enum RecordsAction {
    /// List the record copies of exported drafts.
    List {
        /// Only the record copies of replies to this message.
        #[arg(long, value_name = "ID")]
        message: Option<i64>,
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Write the exact bytes of a record copy to standard output.
    Raw {
        /// The record copy id.
        id: i64,
    },
    /// Check that the exported file still has the record copy's SHA-256; exits with
    /// status 1 when it differs or is missing.
    Verify {
        /// The record copy id.
        id: i64,
    },
}

fn templates_for(dir: Option<&Path>, settings: &DraftSettings) -> anyhow::Result<Templates> {
    let dir = dir.or(settings.templates_dir.as_deref());
    Ok(Templates::load(dir)?)
}

fn mailbox(address: &str) -> anyhow::Result<Mailbox> {
    let address = address.trim();
    if !address.contains('@') {
        bail!("{address:?} is not an email address");
    }
    Ok(Mailbox::address(&address.to_ascii_lowercase()))
}

/// Applies the reviewer's markings to `draft`.
fn apply_marks(draft: &mut Draft, marks: &MarkArgs) -> anyhow::Result<()> {
    if let Some(exception) = &marks.exception {
        draft.exception = match exception.trim() {
            "none" | "" => None,
            name => Some(name.parse::<Exception>().map_err(anyhow::Error::msg)?),
        };
    }
    draft.marks.trans_bla |= marks.trans_bla;
    draft.marks.bundled |= marks.bundled;
    draft.marks.related.extend(marks.related.iter().cloned());
    Ok(())
}

/// Applies the edits given on the command line to a rendered draft.
fn apply_edits(draft: &mut Draft, args: &DraftArgs) -> anyhow::Result<()> {
    if let Some(from) = &args.from {
        draft.from = Some(mailbox(from)?);
    }
    if !args.to.is_empty() {
        draft.to = args
            .to
            .iter()
            .map(|a| mailbox(a))
            .collect::<Result<_, _>>()?;
    }
    for cc in &args.cc {
        draft.cc.push(mailbox(cc)?);
    }
    if let Some(path) = &args.body {
        draft.body = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the body file {}", path.display()))?;
    }
    if let Some(communication) = &args.communication {
        draft.communication = communication
            .parse::<CommunicationType>()
            .map_err(anyhow::Error::msg)?;
    }
    let attach = |path: &Path, letter: bool| -> anyhow::Result<DraftAttachment> {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "attachment".to_owned());
        Ok(DraftAttachment::new(&name, bytes, letter))
    };
    for path in &args.attach {
        draft.attachments.push(attach(path, false)?);
    }
    if let Some(path) = &args.letter {
        draft.attachments.push(attach(path, true)?);
    }
    apply_marks(draft, &args.marks)
}

/// Runs `regmail draft`.
pub fn run_draft(store: &mut Store, args: DraftArgs) -> anyhow::Result<ExitCode> {
    let settings = store.draft_settings()?;
    let templates = templates_for(args.templates_dir.as_deref(), &settings)?;
    for (name, error) in templates.broken() {
        if args.template.as_deref() != Some(name) {
            eprintln!("warning: {error}");
        }
    }
    let template = match &args.template {
        Some(name) => templates.get(name)?,
        None => {
            let (outcome, _) =
                triage::preview(store, args.id, &Answers::new(), &engine_settings(&settings))?;
            let suggested = templates.suggest(&outcome);
            match suggested.as_slice() {
                [one] => *one,
                [] => bail!(
                    "no template replies to the decision of message {} ({}); choose one with --template (see `regmail templates list`)",
                    args.id,
                    outcome.disposition
                ),
                several => bail!(
                    "several templates reply to the decision of message {}: {}; choose one with --template",
                    args.id,
                    several.iter().map(|t| t.name.as_str()).collect::<Vec<_>>().join(", ")
                ),
            }
        }
    };

    let now = Timestamp::now();
    let mut prepared = stored::draft_reply(store, args.id, template, &settings, now)?;
    apply_edits(&mut prepared.draft, &args)?;
    let findings = check(&prepared.draft, &prepared.context);
    let blocking = findings
        .iter()
        .filter(|f| f.severity == Severity::Blocking)
        .count();

    let mut record: Option<RecordCopy> = None;
    if let (Some(path), 0) = (&args.out, blocking) {
        let user = args.user.name();
        let (_, saved) = stored::export_record_copy(
            store,
            &prepared.draft,
            &prepared.context,
            Some(path),
            &user,
            now,
        )?;
        record = Some(saved);
    }

    if args.json {
        print_json(&serde_json::json!({
            "message_id": args.id,
            "disposition": prepared.outcome.disposition,
            "open_questions": prepared.outcome.open_questions.iter().map(|q| q.key).collect::<Vec<_>>(),
            "draft": prepared.draft,
            "findings": findings,
            "blocking": blocking,
            "warnings": findings.len() - blocking,
            "record_copy": record,
        }))?;
    } else {
        let mut out = std::io::stdout().lock();
        print_draft(&mut out, &prepared.draft, &prepared.outcome)?;
        print_findings(&mut out, &findings)?;
        if let Some(record) = &record {
            writeln!(
                out,
                "\nExported to {} as record copy {} (SHA-256 {}). Open it in Outlook to send it.",
                record.exported_path.as_deref().unwrap_or_default(),
                record.id,
                record.sha256
            )?;
        }
    }
    if blocking > 0 {
        if let Some(path) = &args.out {
            eprintln!(
                "error: {} was not written: the draft has {blocking} blocking finding(s); fix them and run the command again",
                path.display()
            );
        }
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn print_draft(
    out: &mut impl Write,
    draft: &Draft,
    outcome: &regmail::sopp::Outcome,
) -> std::io::Result<()> {
    if let Some(template) = &draft.template {
        writeln!(
            out,
            "Template:      {} v{} ({}), SOPP 8119 {}",
            template.name, template.version, template.origin, template.section
        )?;
    }
    writeln!(
        out,
        "Decision:      {} (SOPP 8119 {})",
        outcome.disposition, outcome.section
    )?;
    if !outcome.open_questions.is_empty() {
        let keys: Vec<&str> = outcome
            .open_questions
            .iter()
            .map(|q| q.key.as_str())
            .collect();
        writeln!(
            out,
            "               rests on unconfirmed inferences ({}); confirm them with `regmail triage`",
            keys.join(", ")
        )?;
    }
    match draft.exception {
        Some(exception) => writeln!(
            out,
            "Exception:     {exception} (SOPP 8119 {}): {}",
            exception.section(),
            exception.label()
        )?,
        None => writeln!(out, "Exception:     none: secure email required")?,
    }
    writeln!(out, "Communication: {}", draft.communication)?;
    writeln!(out)?;
    print_headers(out, draft)?;
    writeln!(out)?;
    write!(out, "{}", draft.body)?;
    Ok(())
}

fn print_headers(out: &mut impl Write, draft: &Draft) -> std::io::Result<()> {
    let list = |mailboxes: &[Mailbox]| {
        mailboxes
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    writeln!(
        out,
        "From: {}",
        draft
            .from
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default()
    )?;
    writeln!(out, "To: {}", list(&draft.to))?;
    if !draft.cc.is_empty() {
        writeln!(out, "Cc: {}", list(&draft.cc))?;
    }
    if !draft.bcc.is_empty() {
        writeln!(out, "Bcc: {}", list(&draft.bcc))?;
    }
    writeln!(out, "Subject: {}", draft.subject)?;
    if let Some(id) = &draft.in_reply_to {
        writeln!(out, "In-Reply-To: <{id}>")?;
    }
    for attachment in &draft.attachments {
        writeln!(
            out,
            "Attachment: {} ({}, {} bytes{})",
            attachment.name,
            attachment.content_type,
            attachment.size,
            if attachment.signed_pdf {
                ", signed PDF"
            } else {
                ""
            }
        )?;
    }
    Ok(())
}

fn print_findings(out: &mut impl Write, findings: &[Finding]) -> std::io::Result<()> {
    writeln!(out)?;
    if findings.is_empty() {
        return writeln!(out, "No findings.");
    }
    writeln!(out, "Findings:")?;
    for finding in findings {
        let severity = match finding.severity {
            Severity::Blocking => "BLOCKING",
            Severity::Warning => "warning ",
        };
        writeln!(
            out,
            "  {severity} {} (SOPP 8119 {}) {}",
            finding.rule, finding.section, finding.value
        )?;
        writeln!(out, "           {}", finding.message)?;
        writeln!(out, "           Fix: {}", finding.fix)?;
    }
    Ok(())
}

/// Runs `regmail check`.
pub fn run_check(store: &Store, args: CheckArgs) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let mut draft =
        parse_eml(&bytes).with_context(|| format!("cannot check {}", args.file.display()))?;
    apply_marks(&mut draft, &args.marks)?;
    let settings = store.draft_settings()?;
    let replied = stored::replied_message(store, &draft)?;
    let context = stored::context(store, &draft, &settings, Timestamp::now())?;
    let findings = check(&draft, &context);
    let blocking = findings
        .iter()
        .filter(|f| f.severity == Severity::Blocking)
        .count();

    if args.json {
        print_json(&serde_json::json!({
            "file": args.file.display().to_string(),
            "replied_message_id": replied,
            "findings": findings,
            "blocking": blocking,
            "warnings": findings.len() - blocking,
        }))?;
    } else {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", args.file.display())?;
        match replied {
            Some(id) => writeln!(out, "Replies to stored message {id}.")?,
            None => writeln!(out, "Replies to no stored message.")?,
        }
        print_headers(&mut out, &draft)?;
        print_findings(&mut out, &findings)?;
    }
    Ok(if blocking > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Runs `regmail templates`.
pub fn run_templates(store: &Store, args: TemplatesArgs) -> anyhow::Result<ExitCode> {
    let settings = store.draft_settings()?;
    let templates = templates_for(args.templates_dir.as_deref(), &settings)?;
    let mut out = std::io::stdout().lock();
    match args.action {
        TemplatesAction::List { json } => {
            let broken: Vec<_> = templates.broken().map(|(_, error)| error).collect();
            if json {
                print_json(&serde_json::json!({
                    "templates": templates.list(),
                    "broken": broken,
                }))?;
            } else {
                for template in templates.list() {
                    writeln!(
                        out,
                        "{:<26} v{:<3} {:<12} {:<9} {}",
                        template.name,
                        template.version,
                        template.section,
                        template.origin,
                        template.description
                    )?;
                    if !template.serves.is_empty() {
                        writeln!(out, "{:<31} for: {}", "", template.serves.join(", "))?;
                    }
                }
                for error in &broken {
                    eprintln!("error: {error}");
                }
            }
            if !broken.is_empty() {
                return Ok(ExitCode::from(1));
            }
        }
        TemplatesAction::Show { name } => {
            write!(out, "{}", templates.get(&name)?.text)?;
        }
        TemplatesAction::Fields => {
            for field in FIELDS {
                writeln!(out, "{{{{{}}}}}  {}", field.name, field.description)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `regmail partners` and `regmail smime partners`.
pub fn run_partners(store: &mut Store, args: PartnersArgs) -> anyhow::Result<ExitCode> {
    match args.action {
        PartnersAction::Import { file, user } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let settings = store.draft_settings()?;
            let partners = parse_partner_list(&text, &settings.isp_domains)
                .with_context(|| format!("invalid partner list {}", file.display()))?;
            let count = store.import_partners(&partners, &user.name(), Timestamp::now())?;
            println!(
                "Imported {} from {}.",
                super::counted(count as u64, "secure-email partner"),
                file.display()
            );
        }
        PartnersAction::List { json } => list_partners(&store.secure_partners()?, json)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints the secure-partner registry.
pub fn list_partners(partners: &[SecurePartner], json: bool) -> anyhow::Result<()> {
    if json {
        return print_json(&partners);
    }
    let mut out = std::io::stdout().lock();
    for partner in partners {
        match (&partner.fingerprint, &partner.not_after) {
            (Some(fingerprint), Some(not_after)) => writeln!(
                out,
                "{:<40} {:<5} signed mail, certificate {} expires {}, seen {} .. {}",
                partner.entry,
                partner.method,
                &fingerprint[..fingerprint.len().min(16)],
                not_after,
                partner.first_seen,
                partner.last_seen
            )?,
            _ => writeln!(
                out,
                "{:<40} {:<5} imported, verified {}",
                partner.entry,
                partner.method,
                partner
                    .verified_on
                    .as_deref()
                    .unwrap_or("on an unknown date")
            )?,
        }
    }
    Ok(())
}

/// Runs `regmail settings`.
pub fn run_settings(store: &mut Store, args: SettingsArgs) -> anyhow::Result<ExitCode> {
    let parse_key = |key: &str| {
        DraftSettingKey::parse(key).with_context(|| {
            format!(
                "unknown setting {key:?}; expected one of: {}",
                DraftSettingKey::ALL.map(DraftSettingKey::as_str).join(", ")
            )
        })
    };
    let mut out = std::io::stdout().lock();
    match args.action {
        SettingsAction::List { json } => {
            let settings = store.draft_settings()?;
            if json {
                let values: serde_json::Map<String, serde_json::Value> = DraftSettingKey::ALL
                    .into_iter()
                    .map(|key| (key.as_str().to_owned(), key.value_in(&settings).into()))
                    .collect();
                return print_json(&values).map(|()| ExitCode::SUCCESS);
            }
            for key in DraftSettingKey::ALL {
                writeln!(out, "{key:<20} {}", key.value_in(&settings))?;
                writeln!(out, "{:<20} {}", "", key.description())?;
            }
        }
        SettingsAction::Get { key } => {
            let key = parse_key(&key)?;
            writeln!(out, "{}", key.value_in(&store.draft_settings()?))?;
        }
        SettingsAction::Set { key, value, user } => {
            let key = parse_key(&key)?;
            let settings = store.save_draft_setting(key, &value, &user.name(), Timestamp::now())?;
            writeln!(out, "{key} = {}", key.value_in(&settings))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `regmail records`.
pub fn run_records(store: &Store, args: RecordsArgs) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match args.action {
        RecordsAction::List { message, json } => {
            let records = store.record_copies(message)?;
            if json {
                return print_json(&records).map(|()| ExitCode::SUCCESS);
            }
            for record in &records {
                writeln!(
                    out,
                    "#{:<4} {} msg {:<5} {:<26} {:<7} {} {}",
                    record.id,
                    record.created_at,
                    record
                        .message_id
                        .map(|id| id.to_string())
                        .unwrap_or_default(),
                    record.template.as_deref().unwrap_or("-"),
                    record.communication_type,
                    &record.sha256[..16],
                    record.subject
                )?;
            }
        }
        RecordsAction::Raw { id } => {
            out.write_all(&store.record_copy_bytes(id)?)?;
        }
        RecordsAction::Verify { id } => {
            let record = store.record_copy(id)?;
            let Some(path) = &record.exported_path else {
                bail!("record copy {id} was not written to a file; `regmail records raw {id}` prints its bytes");
            };
            let actual = match std::fs::read(path) {
                Ok(bytes) => regmail::message::sha256_hex(&bytes),
                Err(err) => {
                    eprintln!("error: cannot read {path}: {err}");
                    return Ok(ExitCode::from(1));
                }
            };
            if actual != record.sha256 {
                eprintln!(
                    "error: {path} has SHA-256 {actual}, but record copy {id} has {}; the file was changed after export",
                    record.sha256
                );
                return Ok(ExitCode::from(1));
            }
            writeln!(
                out,
                "{path} matches record copy {id} (SHA-256 {}).",
                record.sha256
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
