//! `regmail smime`, `regmail keys` and `regmail trust`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use jiff::Timestamp;
use regmail::import::SmimeSession;
use regmail::smime::{self, KeyPair, Layer, SmimeReport, TrustStore};
use regmail::smime_session::{self, RecheckOptions, RecheckReport};
use regmail::store::{verdict_name, Store};
use serde::Serialize;
use zeroize::Zeroizing;

/// Arguments of `regmail smime`.
#[derive(Debug, Args)]
pub struct SmimeArgs {
    #[command(subcommand)]
    pub command: SmimeCommand,
}

/// The `smime` subcommands.
#[derive(Debug, Subcommand)]
pub enum SmimeCommand {
    /// Verify the signatures of a message file or stored message; exit 0 when every signer
    /// is intact and trusted, 1 otherwise.
    Verify(VerifyArgs),
    /// Decrypt a message file or stored message and print the decrypted MIME entity.
    Decrypt(DecryptArgs),
    /// List the secure-partner registry: senders whose S/MIME signatures verified, and the
    /// entries imported with `regmail partners import`.
    Partners(PartnersArgs),
    /// Verify and decrypt the stored S/MIME messages again, with the trust store and the
    /// stored keys the passphrase unlocks, and triage again the decided messages that
    /// became readable.
    Recheck(RecheckArgs),
}

/// Arguments of `regmail smime verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// A message file (.eml, or a bare S/MIME entity), or a stored message id.
    #[arg(value_name = "FILE|ID")]
    pub message: String,
    /// A trust anchor file (PEM, DER or .p7b); may be repeated. Added to the anchors in the
    /// store.
    #[arg(long, value_name = "PEM")]
    pub trust: Vec<PathBuf>,
    /// Extra certificates (intermediates) that may complete a chain; not trusted as such.
    #[arg(long, value_name = "PEM")]
    pub certfile: Vec<PathBuf>,
    /// A CRL file (PEM or DER) to check revocation with; may be repeated.
    #[arg(long, value_name = "FILE")]
    pub crl: Vec<PathBuf>,
    /// Check validity at this time (RFC 3339) instead of now.
    #[arg(long, value_name = "RFC3339")]
    pub at: Option<Timestamp>,
    /// A key file (PKCS#12 or PEM) to open encrypted layers with.
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// Name of the environment variable holding the key file's passphrase.
    #[arg(long, value_name = "VAR")]
    pub passphrase_env: Option<String>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `regmail smime decrypt`.
#[derive(Debug, Args)]
pub struct DecryptArgs {
    /// A message file, or a stored message id.
    #[arg(value_name = "FILE|ID")]
    pub message: String,
    /// The key file: PKCS#12 (.p12, .pfx) or PEM. Without it, the keys stored with
    /// `regmail keys import` are unlocked with the passphrase.
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
    /// The certificate of a PEM key, when the key file has none.
    #[arg(long, value_name = "PEM")]
    pub cert: Option<PathBuf>,
    /// Name of the environment variable holding the passphrase.
    #[arg(long, value_name = "VAR")]
    pub passphrase_env: Option<String>,
}

/// Arguments of `regmail smime partners`.
#[derive(Debug, Args)]
pub struct PartnersArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `regmail smime recheck`.
#[derive(Debug, Args)]
pub struct RecheckArgs {
    /// Name of the environment variable holding the passphrase of the keys stored with
    /// `regmail keys import`. Without it, only signatures are checked again and messages
    /// decrypted before keep their result.
    #[arg(long, value_name = "VAR")]
    pub passphrase_env: Option<String>,
    #[command(flatten)]
    pub user: super::sopp::UserArg,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `regmail keys`.
#[derive(Debug, Args)]
pub struct KeysArgs {
    #[command(subcommand)]
    pub command: KeysCommand,
}

/// The `keys` subcommands.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Import your private key (PKCS#12 or PEM) into the store, sealed with a passphrase.
    Import(KeysImportArgs),
    /// List the stored keys (certificates only; keys stay sealed).
    List,
}

/// Arguments of `regmail keys import`.
#[derive(Debug, Args)]
pub struct KeysImportArgs {
    /// The key file: PKCS#12 (.p12, .pfx) or PEM.
    pub file: PathBuf,
    /// The certificate of a PEM key, when the key file has none.
    #[arg(long, value_name = "PEM")]
    pub cert: Option<PathBuf>,
    /// Name of the environment variable holding the key file's passphrase.
    #[arg(long, value_name = "VAR")]
    pub passphrase_env: Option<String>,
    /// Name of the environment variable holding the passphrase to seal the stored key
    /// with; defaults to the key file's passphrase.
    #[arg(long, value_name = "VAR")]
    pub store_passphrase_env: Option<String>,
}

/// Arguments of `regmail trust`.
#[derive(Debug, Args)]
pub struct TrustArgs {
    #[command(subcommand)]
    pub command: TrustCommand,
}

/// The `trust` subcommands.
#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Add trust anchors and CRLs from PEM, DER or PKCS#7 (.p7b) files.
    Add {
        /// The files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List trust anchors and CRLs.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Remove the anchor or CRL whose SHA-256 fingerprint starts with the given hex.
    Remove {
        /// Fingerprint (or a unique prefix of at least 8 hex digits).
        fingerprint: String,
    },
}

fn read_passphrase(var: Option<&str>) -> anyhow::Result<Option<Zeroizing<String>>> {
    let Some(var) = var else {
        return Ok(None);
    };
    let value = std::env::var(var).with_context(|| {
        format!("the environment variable {var} named by --passphrase-env is not set")
    })?;
    Ok(Some(Zeroizing::new(value)))
}

/// Prompts for a passphrase on the terminal without echoing it. Returns `None` when standard
/// input is not a terminal (scripts pass passphrases with `--passphrase-env`) or when the
/// user enters nothing.
fn prompt_passphrase(prompt: &str) -> anyhow::Result<Option<Zeroizing<String>>> {
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    let value = Zeroizing::new(
        rpassword::prompt_password(prompt)
            .context("cannot read the passphrase from the terminal")?,
    );
    Ok(Some(value).filter(|value| !value.is_empty()))
}

/// Reads the keys in `key` as [`read_keys`] does. When no passphrase was given and the
/// file does not open without one, prompts for it on the terminal.
fn read_keys_or_prompt(
    key: &Path,
    cert: Option<&Path>,
    passphrase: Option<Zeroizing<String>>,
) -> anyhow::Result<(Vec<KeyPair>, Option<Zeroizing<String>>)> {
    let first = read_keys(key, cert, passphrase.as_deref().map(String::as_str));
    match first {
        Err(err) if passphrase.is_none() => {
            let prompt = format!("Passphrase of {}: ", key.display());
            let Some(asked) = prompt_passphrase(&prompt)? else {
                return Err(err);
            };
            let pairs = read_keys(key, cert, Some(&asked))?;
            Ok((pairs, Some(asked)))
        }
        other => Ok((other?, passphrase)),
    }
}

/// Reads the message named by `spec`: a file when one exists at that path, else a store id.
fn read_message(spec: &str, db: Option<PathBuf>) -> anyhow::Result<Vec<u8>> {
    let path = Path::new(spec);
    if path.exists() {
        return std::fs::read(path).with_context(|| format!("cannot read {}", path.display()));
    }
    let Ok(id) = spec.parse::<i64>() else {
        bail!("{spec} is not a file and not a message id; give an .eml file or an id from `regmail list`");
    };
    let store = super::open_store(db)?;
    Ok(store.raw_message(id)?)
}

/// Returns the stored trust store, when a database exists.
fn stored_trust(db: Option<PathBuf>) -> anyhow::Result<TrustStore> {
    let path = db.unwrap_or_else(Store::default_path);
    if !path.exists() {
        return Ok(TrustStore::default());
    }
    Ok(Store::open(&path)?.trust_store()?)
}

fn read_keys(
    key: &Path,
    cert: Option<&Path>,
    passphrase: Option<&str>,
) -> anyhow::Result<Vec<KeyPair>> {
    let bytes = Zeroizing::new(
        std::fs::read(key).with_context(|| format!("cannot read {}", key.display()))?,
    );
    let cert_bytes = cert
        .map(|cert| std::fs::read(cert).with_context(|| format!("cannot read {}", cert.display())))
        .transpose()?;
    smime_session::read_key_pairs(&bytes, passphrase, cert_bytes.as_deref()).with_context(|| {
        match cert {
            Some(cert) => format!(
                "cannot use the key file {} with the certificate {}",
                key.display(),
                cert.display()
            ),
            None => format!("cannot open the key file {}", key.display()),
        }
    })
}

/// Unlocks the keys stored with `regmail keys import`.
fn unlock_stored_keys(store: &Store, passphrase: &str) -> anyhow::Result<Vec<KeyPair>> {
    Ok(smime_session::unlock_keys(store, passphrase)?.keys)
}

/// Returns the keys unlocked by the passphrase in `var`, for `regmail import`.
pub fn session_keys(store: &Store, var: Option<&str>) -> anyhow::Result<Vec<KeyPair>> {
    let stored = store.keys()?.len();
    let passphrase = match var {
        Some(_) => read_passphrase(var)?,
        None if stored > 0 => prompt_passphrase(&format!(
            "Passphrase of your {} (Enter to import without decrypting): ",
            super::counted(stored as u64, "stored S/MIME key")
        ))?,
        None => None,
    };
    let Some(passphrase) = passphrase else {
        return Ok(Vec::new());
    };
    let keys = unlock_stored_keys(store, &passphrase)?;
    if keys.is_empty() && !store.keys()?.is_empty() {
        bail!("the passphrase unlocks none of the stored keys; give the passphrase the keys were sealed with in `regmail keys import` (by default the key file's own), or import without decrypting");
    }
    Ok(keys)
}

pub fn run(db: Option<PathBuf>, args: SmimeArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        SmimeCommand::Verify(args) => verify(db, args),
        SmimeCommand::Decrypt(args) => decrypt(db, args),
        SmimeCommand::Partners(args) => partners(db, args),
        SmimeCommand::Recheck(args) => recheck(db, args),
    }
}

/// The JSON object of `smime verify --json`.
#[derive(Debug, Serialize)]
struct VerifyOutput<'a> {
    intact: bool,
    trusted: bool,
    verdict: regmail::smime::Verdict,
    signers: Vec<&'a regmail::smime::SignerReport>,
    encrypted: bool,
    decrypted: bool,
    from: Option<&'a str>,
    checked_at: Timestamp,
    health: &'a [regmail::smime::HealthFinding],
    layers: &'a [Layer],
}

fn verify(db: Option<PathBuf>, args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let bytes = read_message(&args.message, db.clone())?;
    let mut trust = stored_trust(db)?;
    for path in &args.trust {
        let bundle = smime::read_bundle(
            &std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?,
        )
        .with_context(|| format!("cannot read the trust file {}", path.display()))?;
        trust.add_anchors(bundle);
    }
    for path in args.certfile.iter().chain(&args.crl) {
        let bundle = smime::read_bundle(
            &std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?,
        )
        .with_context(|| format!("cannot read {}", path.display()))?;
        trust.certs.extend(bundle.certs);
        trust.crls.extend(bundle.crls);
    }
    let passphrase = read_passphrase(args.passphrase_env.as_deref())?;
    let keys = match &args.key {
        Some(key) => read_keys_or_prompt(key, None, passphrase)?.0,
        None => Vec::new(),
    };
    let options = smime::Options {
        trust: &trust,
        keys: &keys,
        at: args.at.unwrap_or_else(Timestamp::now),
    };
    let processed = smime::process(&bytes, &options);
    let report = &processed.report;
    let ok = report.intact && report.trusted;

    let mut out = std::io::stdout().lock();
    if args.json {
        let output = VerifyOutput {
            intact: report.intact,
            trusted: report.trusted,
            verdict: report.verdict,
            signers: report.signers().collect(),
            encrypted: report.encrypted,
            decrypted: report.decrypted,
            from: report.from.as_deref(),
            checked_at: report.checked_at,
            health: &report.health,
            layers: &report.layers,
        };
        serde_json::to_writer_pretty(&mut out, &output)?;
        writeln!(out)?;
    } else {
        print_report(&mut out, report)?;
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn print_report(out: &mut impl Write, report: &SmimeReport) -> anyhow::Result<()> {
    writeln!(out, "verdict: {}", verdict_name(report.verdict))?;
    writeln!(
        out,
        "intact: {}  trusted: {}",
        yes_no(report.intact),
        yes_no(report.trusted)
    )?;
    if report.layers.is_empty() {
        writeln!(out, "the message has no S/MIME signature or encryption")?;
    }
    for (index, layer) in report.layers.iter().enumerate() {
        match layer {
            Layer::Signed(signed) => {
                let form = match signed.form {
                    smime::SignedForm::Detached => "detached",
                    smime::SignedForm::Opaque => "opaque",
                };
                writeln!(out, "layer {}: signed ({form})", index + 1)?;
                for note in &signed.notes {
                    writeln!(out, "  note: {note}")?;
                }
                for reason in &signed.reasons {
                    writeln!(
                        out,
                        "  {}: {} Fix: {}",
                        reason.code.as_str(),
                        reason.text,
                        reason.fix
                    )?;
                }
                for signer in &signed.signers {
                    writeln!(
                        out,
                        "  signer {}: intact {}, trusted {}, valid at signing {}, valid now {}, revocation {}",
                        signer.address.as_deref().or(signer.subject.as_deref()).unwrap_or("(unknown)"),
                        yes_no(signer.intact),
                        yes_no(signer.trusted),
                        yes_no(signer.valid_at_signing),
                        yes_no(signer.valid_now),
                        revocation_name(&signer.revocation),
                    )?;
                    writeln!(
                        out,
                        "    {} with {}",
                        signer.signature_algorithm, signer.digest_algorithm
                    )?;
                    for reason in &signer.reasons {
                        writeln!(
                            out,
                            "    {}: {} Fix: {}",
                            reason.code.as_str(),
                            reason.text,
                            reason.fix
                        )?;
                    }
                }
            }
            Layer::Encrypted(encrypted) => {
                writeln!(
                    out,
                    "layer {}: encrypted ({}, {}), {}",
                    index + 1,
                    encrypted.kind,
                    if encrypted.content_algorithm.is_empty() {
                        "algorithm unknown"
                    } else {
                        &encrypted.content_algorithm
                    },
                    if encrypted.decrypted {
                        "decrypted"
                    } else {
                        "not decrypted"
                    }
                )?;
                for reason in &encrypted.reasons {
                    writeln!(
                        out,
                        "  {}: {} Fix: {}",
                        reason.code.as_str(),
                        reason.text,
                        reason.fix
                    )?;
                }
            }
        }
    }
    for finding in &report.health {
        writeln!(out, "Appendix A: {}", finding.text)?;
    }
    Ok(())
}

fn yes_no(value: bool) -> &'static str {
    if value {
        "yes"
    } else {
        "no"
    }
}

fn revocation_name(revocation: &smime::Revocation) -> String {
    match revocation {
        smime::Revocation::Good { .. } => "good".to_owned(),
        smime::Revocation::Revoked { .. } => "revoked".to_owned(),
        smime::Revocation::NotChecked { why } => format!("not checked ({why})"),
    }
}

fn decrypt(db: Option<PathBuf>, args: DecryptArgs) -> anyhow::Result<ExitCode> {
    let bytes = read_message(&args.message, db.clone())?;
    let passphrase = read_passphrase(args.passphrase_env.as_deref())?;
    let keys = match &args.key {
        Some(key) => read_keys_or_prompt(key, args.cert.as_deref(), passphrase)?.0,
        None => {
            let passphrase = match passphrase {
                Some(passphrase) => Some(passphrase),
                None => prompt_passphrase("Passphrase of your stored S/MIME keys: ")?,
            };
            let Some(passphrase) = &passphrase else {
                bail!("give --key FILE, or --passphrase-env VAR to unlock the keys stored with `regmail keys import`");
            };
            let store = super::open_store(db)?;
            unlock_stored_keys(&store, passphrase)?
        }
    };
    let trust = TrustStore::default();
    let options = smime::Options {
        trust: &trust,
        keys: &keys,
        at: Timestamp::now(),
    };
    let processed = smime::process(&bytes, &options);
    let encrypted = processed
        .report
        .layers
        .iter()
        .find_map(|layer| match layer {
            Layer::Encrypted(encrypted) => Some(encrypted),
            Layer::Signed(_) => None,
        });
    let Some(encrypted) = encrypted else {
        eprintln!("error: the message is not encrypted (no S/MIME enveloped-data layer was found)");
        return Ok(ExitCode::from(1));
    };
    match (&processed.decrypted, encrypted.decrypted) {
        (Some(plaintext), true) => {
            let mut out = std::io::stdout().lock();
            out.write_all(plaintext)?;
            out.flush()?;
            for finding in &encrypted.health {
                eprintln!("warning: {}", finding.text);
            }
            Ok(ExitCode::SUCCESS)
        }
        _ => {
            for reason in &encrypted.reasons {
                eprintln!("error: {}: {}", reason.code.as_str(), reason.text);
                eprintln!("fix: {}", reason.fix);
            }
            Ok(ExitCode::from(1))
        }
    }
}

/// The JSON object of `smime recheck --json`.
#[derive(Debug, Serialize)]
struct RecheckOutput {
    checked: usize,
    changed: Vec<ChangeOutput>,
    now_readable: Vec<i64>,
    retriaged: Vec<i64>,
    kept: Vec<i64>,
}

#[derive(Debug, Serialize)]
struct ChangeOutput {
    id: i64,
    before: regmail::smime::Verdict,
    after: regmail::smime::Verdict,
}

fn recheck(db: Option<PathBuf>, args: RecheckArgs) -> anyhow::Result<ExitCode> {
    let mut store = super::open_store(db)?;
    let passphrase = match read_passphrase(args.passphrase_env.as_deref())? {
        Some(passphrase) => Some(passphrase),
        None if !store.keys()?.is_empty() => prompt_passphrase(
            "Passphrase of your stored S/MIME keys (Enter to re-check without decrypting): ",
        )?,
        None => None,
    };
    let keys = match &passphrase {
        Some(passphrase) => {
            let unlocked = smime_session::unlock_keys(&store, passphrase)?;
            if unlocked.stored == 0 {
                bail!("no keys are stored; import yours with `regmail keys import` first");
            }
            if unlocked.keys.is_empty() {
                bail!(
                    "the passphrase unlocks none of the {} stored keys; check it and try again",
                    unlocked.stored
                );
            }
            unlocked.keys
        }
        None => Vec::new(),
    };
    let session = SmimeSession {
        trust: store.trust_store()?,
        keys,
    };
    let user = args.user.name();
    let report = smime_session::recheck(
        &mut store,
        &session,
        &RecheckOptions {
            at: Timestamp::now(),
            user: &user,
        },
    )?;

    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &recheck_output(&report))?;
        writeln!(out)?;
    } else {
        print_recheck(&mut out, &report)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn recheck_output(report: &RecheckReport) -> RecheckOutput {
    RecheckOutput {
        checked: report.checked,
        changed: report
            .changed
            .iter()
            .map(|change| ChangeOutput {
                id: change.id,
                before: change.before,
                after: change.after,
            })
            .collect(),
        now_readable: report.now_readable.clone(),
        retriaged: report.retriaged.clone(),
        kept: report.kept.clone(),
    }
}

fn print_recheck(out: &mut impl Write, report: &RecheckReport) -> anyhow::Result<()> {
    writeln!(
        out,
        "checked {}, {} changed",
        super::counted(report.checked as u64, "S/MIME message"),
        report.changed.len()
    )?;
    for change in &report.changed {
        writeln!(
            out,
            "message {}: {} -> {}",
            change.id,
            verdict_name(change.before),
            verdict_name(change.after)
        )?;
    }
    if !report.now_readable.is_empty() {
        writeln!(out, "now readable: {}", join_ids(&report.now_readable))?;
    }
    if !report.retriaged.is_empty() {
        writeln!(out, "triaged again: {}", join_ids(&report.retriaged))?;
    }
    if !report.kept.is_empty() {
        writeln!(
            out,
            "kept the earlier result of {} {}: decrypted before, and no unlocked key opens {} now; give the passphrase to check again",
            if report.kept.len() == 1 { "message" } else { "messages" },
            join_ids(&report.kept),
            if report.kept.len() == 1 { "it" } else { "them" }
        )?;
    }
    Ok(())
}

fn join_ids(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn partners(db: Option<PathBuf>, args: PartnersArgs) -> anyhow::Result<ExitCode> {
    let store = super::open_store(db)?;
    super::drafts::list_partners(&store.secure_partners()?, args.json)?;
    Ok(ExitCode::SUCCESS)
}

/// Prompts twice on the terminal for a new passphrase to seal a key with.
fn new_store_passphrase() -> anyhow::Result<Option<Zeroizing<String>>> {
    let Some(first) = prompt_passphrase("New passphrase to seal the key in the store: ")? else {
        return Ok(None);
    };
    let again = prompt_passphrase("The same passphrase again: ")?;
    if again.as_deref() != Some(&first) {
        bail!("the two passphrases differ; run the import again");
    }
    Ok(Some(first))
}

pub fn run_keys(db: Option<PathBuf>, args: KeysArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    let mut store = super::open_store(db)?;
    match args.command {
        KeysCommand::Import(args) => {
            let passphrase = read_passphrase(args.passphrase_env.as_deref())?;
            let (pairs, passphrase) =
                read_keys_or_prompt(&args.file, args.cert.as_deref(), passphrase)?;
            let seal_with = match (&args.store_passphrase_env, passphrase) {
                (Some(var), _) => read_passphrase(Some(var))?,
                (None, Some(passphrase)) if !passphrase.is_empty() => Some(passphrase),
                (None, _) => new_store_passphrase()?,
            };
            let Some(seal_with) = seal_with.filter(|p| !p.is_empty()) else {
                bail!("keys are stored only sealed with a passphrase; the key file has none, so give --store-passphrase-env VAR");
            };
            let stored = smime_session::store_keys(&mut store, &pairs, &seal_with)
                .with_context(|| format!("cannot store the key in {}", args.file.display()))?;
            if !quiet {
                for key in stored {
                    println!(
                        "stored key {}: {} ({})",
                        key.id,
                        key.subject,
                        key.addresses.join(", ")
                    );
                }
            }
        }
        KeysCommand::List => {
            for key in store.keys()? {
                println!(
                    "{}  {}  {}  expires {}",
                    key.id,
                    key.subject,
                    key.addresses.join(", "),
                    key.not_after
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_trust(db: Option<PathBuf>, args: TrustArgs, quiet: bool) -> anyhow::Result<ExitCode> {
    let mut store = super::open_store(db)?;
    match args.command {
        TrustCommand::Add { files } => {
            for file in files {
                let bundle = smime::read_bundle(
                    &std::fs::read(&file)
                        .with_context(|| format!("cannot read {}", file.display()))?,
                )
                .with_context(|| format!("cannot read {}", file.display()))?;
                let added = store.add_trust(&bundle.certs, &bundle.crls)?;
                if !quiet {
                    println!(
                        "{}: {} certificates, {} CRLs, {added} new",
                        file.display(),
                        bundle.certs.len(),
                        bundle.crls.len()
                    );
                }
            }
        }
        TrustCommand::List { json } => {
            let entries = store.trust_entries()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&entries)?);
            } else {
                for entry in entries {
                    println!("{}  {}  {}", entry.kind, &entry.fingerprint, entry.subject);
                }
            }
        }
        TrustCommand::Remove { fingerprint } => {
            if fingerprint.len() < 8 {
                bail!("give at least 8 hex digits of the fingerprint, as `regmail trust list` shows it");
            }
            let removed = store.remove_trust(&fingerprint)?;
            if removed == 0 {
                bail!("no trust anchor or CRL has a fingerprint starting with {fingerprint}");
            }
            if !quiet {
                println!("removed {removed}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
