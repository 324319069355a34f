//! Importing mailbox exports into the store.
//!
//! [`plan`] expands the paths a user gave into input files with their formats; [`run`]
//! reads, parses and writes them. Reading and parsing run on one thread and writing on
//! another, joined by a bounded channel, so memory stays flat whatever the export size.
//! Every message found is accounted for: `imported + duplicates + quarantined = found`.

use std::path::{Path, PathBuf};
use std::sync::mpsc;

use serde::Serialize;

use crate::mailbox::{
    self, detect_format, DetectedFormat, Format, MboxReader, MboxVariant, Origin, RawMessage,
};
use crate::message::{self, Parsed};
use crate::smime::{self, KeyPair, Processed, TrustStore};
use crate::store::{self, NewMessage, Store, WriteOutcome};

/// Errors that stop an import.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A path could not be listed or read.
    #[error(transparent)]
    Mailbox(#[from] mailbox::Error),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] store::Error),
}

/// Import settings.
#[derive(Debug, Clone, Copy)]
pub struct ImportOptions {
    /// The rule for undoing mbox `>From ` escaping.
    pub mbox_variant: MboxVariant,
    /// Messages written per transaction.
    pub batch_size: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            mbox_variant: MboxVariant::Mboxrd,
            batch_size: 512,
        }
    }
}

/// One file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// An mbox file: many messages.
    Mbox(PathBuf),
    /// A file holding one message.
    Message {
        /// The file.
        path: PathBuf,
        /// `Maildir` or `Eml`.
        format: Format,
        /// Whether the file opens with a `From ` envelope line to skip when parsing.
        envelope_line: bool,
    },
}

impl Input {
    fn path(&self) -> &Path {
        match self {
            Input::Mbox(path) | Input::Message { path, .. } => path,
        }
    }
}

/// A path that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skipped {
    /// The path.
    pub path: PathBuf,
    /// The reason it was not imported, and what to do.
    pub reason: String,
    /// Whether the user named this path (rather than it being found in a folder).
    pub explicit: bool,
}

/// The files an import will read.
#[derive(Debug, Default)]
pub struct Plan {
    /// Files to read, with their sizes.
    pub inputs: Vec<(Input, u64)>,
    /// Paths left out.
    pub skipped: Vec<Skipped>,
}

impl Plan {
    /// Total bytes to read.
    pub fn total_bytes(&self) -> u64 {
        self.inputs.iter().map(|(_, size)| size).sum()
    }
}

/// Expands `paths` (files and folders) into the files to import.
pub fn plan(paths: &[PathBuf]) -> Result<Plan, Error> {
    let mut plan = Plan::default();
    for path in paths {
        // Origins are stored as absolute paths so they stay meaningful after a `cd`.
        let path = &std::fs::canonicalize(path).map_err(|e| mailbox::Error::io(path, e))?;
        let metadata = std::fs::metadata(path).map_err(|e| mailbox::Error::io(path, e))?;
        if metadata.is_dir() {
            plan_folder(path, &mut plan)?;
        } else {
            plan_file(path, true, &mut plan)?;
        }
    }
    Ok(plan)
}

fn plan_folder(dir: &Path, plan: &mut Plan) -> Result<(), Error> {
    if mailbox::is_maildir(dir) {
        for file in mailbox::maildir_files(dir)? {
            let size = file_size(&file)?;
            plan.inputs.push((
                Input::Message {
                    path: file,
                    format: Format::Maildir,
                    envelope_line: false,
                },
                size,
            ));
        }
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| mailbox::Error::io(dir, e))?
        .map(|entry| {
            entry
                .map(|e| e.path())
                .map_err(|e| mailbox::Error::io(dir, e))
        })
        .collect::<Result<_, _>>()?;
    entries.sort();
    for entry in entries {
        let is_hidden = entry
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if entry.is_dir() {
            if !is_hidden || mailbox::is_maildir(&entry) {
                plan_folder(&entry, plan)?;
            }
        } else if entry.is_file() && !is_hidden {
            plan_file(&entry, false, plan)?;
        }
    }
    Ok(())
}

fn plan_file(path: &Path, explicit: bool, plan: &mut Plan) -> Result<(), Error> {
    let size = file_size(path)?;
    let input = match detect_format(path)? {
        DetectedFormat::Mbox => Input::Mbox(path.to_path_buf()),
        DetectedFormat::Eml => Input::Message {
            path: path.to_path_buf(),
            format: Format::Eml,
            envelope_line: false,
        },
        DetectedFormat::EmlWithEnvelope => Input::Message {
            path: path.to_path_buf(),
            format: Format::Eml,
            envelope_line: true,
        },
        DetectedFormat::Empty => {
            plan.skipped.push(Skipped {
                path: path.to_path_buf(),
                reason: "empty file: it holds no messages".to_string(),
                explicit,
            });
            return Ok(());
        }
        DetectedFormat::Unknown => {
            plan.skipped.push(Skipped {
                path: path.to_path_buf(),
                reason: unknown_reason(path),
                explicit,
            });
            return Ok(());
        }
    };
    plan.inputs.push((input, size));
    Ok(())
}

fn unknown_reason(path: &Path) -> String {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match extension.as_str() {
        "msg" => {
            "Outlook .msg files are not supported yet; export the message as .eml from Outlook"
                .to_string()
        }
        "pst" => {
            "Outlook .pst files are not supported yet; export the folder as mbox or .eml files"
                .to_string()
        }
        _ => "not a mailbox or message (no mbox `From ` line and no header fields at the start); \
              give an mbox file, a Maildir, an .eml file or a folder of .eml files"
            .to_string(),
    }
}

fn file_size(path: &Path) -> Result<u64, Error> {
    Ok(std::fs::metadata(path)
        .map_err(|e| mailbox::Error::io(path, e))?
        .len())
}

/// A message that was stored raw and flagged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quarantined {
    /// Store id of the flagged message.
    pub id: i64,
    /// The place it was found: the path, and for mbox the byte offset.
    pub source: String,
    /// The reason it did not parse.
    pub reason: String,
}

/// A newly imported message whose `Message-ID` is already stored with different bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SameMessageId {
    /// Store id of the new message.
    pub id: i64,
    /// The shared `Message-ID`.
    pub message_id: String,
    /// Ids of the other stored messages with it.
    pub other_ids: Vec<i64>,
}

/// The outcome of an import.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Messages found in the inputs.
    pub found: u64,
    /// Messages newly stored and parsed.
    pub imported: u64,
    /// Messages whose exact bytes were already stored.
    pub duplicates: u64,
    /// Messages stored raw and flagged because they did not parse.
    pub quarantined: Vec<Quarantined>,
    /// New messages sharing a `Message-ID` with different stored bytes.
    pub same_message_id: Vec<SameMessageId>,
    /// Paths not imported, with the reason.
    pub skipped: Vec<Skipped>,
    /// New messages with an S/MIME layer that were verified or decrypted on import.
    pub smime_checked: u64,
    /// Ids of new encrypted messages that could not be decrypted (no matching key, or a
    /// failure); SOPP 8119 VII.A.1 applies to them.
    pub smime_unreadable: Vec<i64>,
    /// Files read.
    pub files: u64,
    /// Bytes read.
    pub bytes: u64,
}

/// Progress of a running import, for a progress bar.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    /// Bytes read so far.
    pub bytes_done: u64,
    /// Bytes to read in all.
    pub bytes_total: u64,
    /// Messages found so far.
    pub found: u64,
    /// Messages imported so far.
    pub imported: u64,
    /// Duplicates so far.
    pub duplicates: u64,
    /// Quarantined so far.
    pub quarantined: u64,
}

struct ReadMessage {
    message: NewMessage,
    smime: Option<Processed>,
    bytes_done: u64,
}

/// What S/MIME processing on import works with: the trust store and the keys unlocked for
/// this session.
#[derive(Debug, Default)]
pub struct SmimeSession {
    /// Trust anchors and CRLs.
    pub trust: TrustStore,
    /// Unlocked private keys.
    pub keys: Vec<KeyPair>,
}

enum Item {
    Message(Box<ReadMessage>),
    Failed(Skipped),
}

/// Imports the files of `plan` into `store`, calling `progress` after each batch. S/MIME
/// messages are verified against the stored trust anchors; none is decrypted, because no
/// key is unlocked.
pub fn run(
    store: &mut Store,
    plan: Plan,
    options: ImportOptions,
    progress: &mut dyn FnMut(&Progress),
) -> Result<ImportReport, Error> {
    let session = SmimeSession {
        trust: store.trust_store()?,
        keys: Vec::new(),
    };
    run_with_smime(store, plan, options, &session, progress)
}

/// Imports as [`run`] does, verifying signed messages and decrypting encrypted ones with
/// `session`. The results are stored with each new message.
pub fn run_with_smime(
    store: &mut Store,
    plan: Plan,
    options: ImportOptions,
    session: &SmimeSession,
    progress: &mut dyn FnMut(&Progress),
) -> Result<ImportReport, Error> {
    let mut report = ImportReport {
        skipped: plan.skipped.clone(),
        files: plan.inputs.len() as u64,
        ..Default::default()
    };
    let mut state = Progress {
        bytes_total: plan.total_bytes(),
        ..Default::default()
    };
    let import_id = store.begin_import()?;
    let batch_size = options.batch_size.max(1);

    let (sender, receiver) = mpsc::sync_channel::<Item>(batch_size * 2);
    let budget = ByteBudget::new(IN_FLIGHT_BYTES);
    let inputs = plan.inputs;
    let variant = options.mbox_variant;
    std::thread::scope(|scope| -> Result<(), Error> {
        let outbox = Outbox {
            sender,
            budget: &budget,
        };
        scope.spawn(move || read_inputs(inputs, variant, session, outbox));
        // Dropped when this closure returns, before the scope joins the reading thread:
        // a writer that stops on an error then unblocks a reader waiting for memory or
        // for room in the channel.
        let receiver = receiver;
        let _close_budget = CloseOnDrop(&budget);

        let mut batch: Vec<(NewMessage, Option<Processed>)> = Vec::with_capacity(batch_size);
        let mut batch_bytes = 0usize;
        let mut bytes_done = 0;
        loop {
            let item = match receiver.recv_timeout(IDLE_FLUSH) {
                Ok(item) => Some(item),
                Err(mpsc::RecvTimeoutError::Timeout) => None,
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            };
            let idle = item.is_none();
            match item {
                Some(Item::Message(parsed)) => {
                    bytes_done = parsed.bytes_done;
                    batch_bytes +=
                        parsed.message.raw.bytes.len() + parsed.message.packed.data.len();
                    batch.push((parsed.message, parsed.smime));
                }
                Some(Item::Failed(skipped)) => report.skipped.push(skipped),
                None => {}
            }
            // Flush on count, on size, and when the reader is waiting for memory to be
            // released (no message arrived for a while), so that it never stalls.
            if batch.len() >= batch_size
                || batch_bytes >= IN_FLIGHT_BYTES / 2
                || (idle && !batch.is_empty())
            {
                flush(store, &mut batch, &mut report, &mut state)?;
                budget.release(batch_bytes);
                batch_bytes = 0;
                state.bytes_done = bytes_done;
                progress(&state);
            }
        }
        flush(store, &mut batch, &mut report, &mut state)?;
        budget.release(batch_bytes);
        state.bytes_done = state.bytes_total;
        progress(&state);
        Ok(())
    })?;

    report.bytes = state.bytes_total;
    store.finish_import(import_id, &report)?;
    tracing::info!(
        found = report.found,
        imported = report.imported,
        duplicates = report.duplicates,
        quarantined = report.quarantined.len(),
        "import finished"
    );
    Ok(report)
}

fn flush(
    store: &mut Store,
    batch: &mut Vec<(NewMessage, Option<Processed>)>,
    report: &mut ImportReport,
    state: &mut Progress,
) -> Result<(), Error> {
    if batch.is_empty() {
        return Ok(());
    }
    let (messages, processed): (Vec<NewMessage>, Vec<Option<Processed>>) =
        std::mem::take(batch).into_iter().unzip();
    let outcomes = store.write_messages(&messages)?;
    let mut smime_results = Vec::new();
    for ((message, outcome), processed) in messages.iter().zip(outcomes).zip(&processed) {
        report.found += 1;
        match outcome {
            WriteOutcome::Imported {
                id,
                same_message_id,
            } => {
                report.imported += 1;
                if let Some(processed) = processed {
                    let received_at = match &message.parsed {
                        Parsed::Message(parsed) => parsed.received_at,
                        Parsed::Quarantined { .. } => None,
                    };
                    report.smime_checked += 1;
                    if processed.report.verdict == smime::Verdict::Unreadable {
                        report.smime_unreadable.push(id);
                    }
                    smime_results.push((id, processed, received_at));
                }
                if let (false, Parsed::Message(parsed)) =
                    (same_message_id.is_empty(), &message.parsed)
                {
                    report.same_message_id.push(SameMessageId {
                        id,
                        message_id: parsed.message_id.clone().unwrap_or_default(),
                        other_ids: same_message_id,
                    });
                }
            }
            WriteOutcome::Duplicate { .. } => report.duplicates += 1,
            WriteOutcome::Quarantined { id } => {
                let reason = match &message.parsed {
                    Parsed::Quarantined { reason } => reason.clone(),
                    Parsed::Message(_) => String::new(),
                };
                report.quarantined.push(Quarantined {
                    id,
                    source: describe_origin(&message.raw.origin),
                    reason,
                });
            }
        }
    }
    store.save_smime_results(&smime_results)?;
    state.found = report.found;
    state.imported = report.imported;
    state.duplicates = report.duplicates;
    state.quarantined = report.quarantined.len() as u64;
    Ok(())
}

/// Bytes of messages read but not yet written that the reading thread may hold. It keeps
/// memory flat for mailboxes of large messages; one message larger than this is still read
/// when nothing else is in flight.
const IN_FLIGHT_BYTES: usize = 64 * 1024 * 1024;

/// How long the writer waits for the next message before it writes what it has.
const IDLE_FLUSH: std::time::Duration = std::time::Duration::from_millis(200);

/// A count of in-flight bytes that the reading thread waits on.
struct ByteBudget {
    state: std::sync::Mutex<(usize, bool)>,
    changed: std::sync::Condvar,
    limit: usize,
}

impl ByteBudget {
    fn new(limit: usize) -> Self {
        ByteBudget {
            state: std::sync::Mutex::new((0, false)),
            changed: std::sync::Condvar::new(),
            limit,
        }
    }

    /// Waits until `bytes` fit, then takes them; returns false once the budget is closed.
    fn acquire(&self, bytes: usize) -> bool {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while !state.1 && state.0 > 0 && state.0 + bytes > self.limit {
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        state.0 += bytes;
        !state.1
    }

    fn release(&self, bytes: usize) {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        state.0 = state.0.saturating_sub(bytes);
        self.changed.notify_all();
    }

    fn close(&self) {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        state.1 = true;
        self.changed.notify_all();
    }
}

/// Closes the budget when the writer leaves, whether it finished or failed.
struct CloseOnDrop<'a>(&'a ByteBudget);

impl Drop for CloseOnDrop<'_> {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// The reading thread's end of the pipeline: the channel and the memory budget.
struct Outbox<'a> {
    sender: mpsc::SyncSender<Item>,
    budget: &'a ByteBudget,
}

impl Outbox<'_> {
    /// Sends `item`, which holds `cost` bytes, after waiting for room; returns false when
    /// the writer has stopped.
    fn send(&self, item: Item, cost: usize) -> bool {
        self.budget.acquire(cost) && self.sender.send(item).is_ok()
    }
}

/// Describes where a message was found: the path, plus the byte offset inside an mbox.
pub fn describe_origin(origin: &Origin) -> String {
    match origin.format {
        Format::Mbox => format!("{} (byte offset {})", origin.path.display(), origin.offset),
        _ => origin.path.display().to_string(),
    }
}

/// Reads every input, parses each message and sends it to the writer (the reading thread).
fn read_inputs(
    inputs: Vec<(Input, u64)>,
    variant: MboxVariant,
    session: &SmimeSession,
    sender: Outbox<'_>,
) {
    let mut done_before = 0u64;
    for (input, size) in inputs {
        let result = match &input {
            Input::Mbox(path) => read_mbox(path, variant, done_before, session, &sender),
            Input::Message {
                path,
                format,
                envelope_line,
            } => read_single(
                path,
                *format,
                *envelope_line,
                done_before + size,
                session,
                &sender,
            ),
        };
        match result {
            Ok(true) => {}
            // The writer stopped (it failed); nothing more to do.
            Ok(false) => return,
            Err(err) => {
                let skipped = Skipped {
                    path: input.path().to_path_buf(),
                    reason: format!("reading stopped: {err}"),
                    explicit: true,
                };
                if !sender.send(Item::Failed(skipped), 0) {
                    return;
                }
            }
        }
        done_before += size;
    }
}

fn read_mbox(
    path: &Path,
    variant: MboxVariant,
    done_before: u64,
    session: &SmimeSession,
    sender: &Outbox<'_>,
) -> Result<bool, mailbox::Error> {
    let mut reader = MboxReader::open(path, variant)?;
    while let Some(raw) = reader.next() {
        let raw = raw?;
        let bytes_done = done_before + reader.position();
        if !send_parsed(raw, bytes_done, session, sender) {
            return Ok(false);
        }
    }
    Ok(true)
}

fn read_single(
    path: &Path,
    format: Format,
    envelope_line: bool,
    bytes_done: u64,
    session: &SmimeSession,
    sender: &Outbox<'_>,
) -> Result<bool, mailbox::Error> {
    let bytes = std::fs::read(path).map_err(|e| mailbox::Error::io(path, e))?;
    let (skip, envelope) = if envelope_line {
        let end = memchr::memchr(b'\n', &bytes).map_or(bytes.len(), |i| i + 1);
        let line = String::from_utf8_lossy(&bytes[..end]);
        (
            end,
            Some(line.trim_end().trim_start_matches("From ").to_string()),
        )
    } else {
        (0, None)
    };
    let raw = RawMessage {
        bytes,
        origin: Origin {
            path: path.to_path_buf(),
            offset: 0,
            format,
        },
        envelope,
        skip,
    };
    Ok(send_parsed(raw, bytes_done, session, sender))
}

fn send_parsed(
    raw: RawMessage,
    bytes_done: u64,
    session: &SmimeSession,
    sender: &Outbox<'_>,
) -> bool {
    let sha256 = message::sha256_hex(&raw.bytes);
    let parsed = message::parse(raw.message_bytes(), raw.envelope.as_deref());
    let is_smime = matches!(parsed, Parsed::Message(_)) && smime::is_smime(raw.message_bytes());
    let smime = is_smime.then(|| {
        let options = smime::Options {
            trust: &session.trust,
            keys: &session.keys,
            at: jiff::Timestamp::now(),
        };
        smime::process(raw.message_bytes(), &options)
    });
    let packed = store::pack(&raw.bytes);
    let cost = raw.bytes.len() + packed.data.len();
    let item = Item::Message(Box::new(ReadMessage {
        message: NewMessage {
            packed,
            raw,
            sha256,
            parsed,
        },
        smime,
        bytes_done,
    }));
    sender.send(item, cost)
}
