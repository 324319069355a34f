//! Importing mailbox exports into the store.
//!
//! [`plan`] expands the paths a user gave into input files with their formats; [`run`]
//! reads, parses and writes them. One thread reads, parsing workers (one per core) hash
//! and parse, and the calling thread writes, joined by bounded channels and a budget of
//! bytes in flight, so memory stays flat whatever the export size.
//! Every message found is accounted for: `imported + duplicates + quarantined = found`.

use std::path::{Path, PathBuf};
use std::sync::mpsc;

use serde::Serialize;

use crate::mailbox::{
    self, detect_format, DetectedFormat, Format, MboxReader, MboxVariant, Origin, RawMessage,
};
use crate::message::{self, Parsed};
use crate::smime::{self, KeyPair, Processed, TrustStore};
use crate::store::{self, NewMessage, SearchText, Store, WriteOutcome};

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
    /// Threads that parse messages; at least 1, at most 8.
    pub workers: usize,
    /// WAL size in bytes past which the writer restarts the log (see [`WAL_LIMIT`]).
    pub wal_limit: u64,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            mbox_variant: MboxVariant::Mboxrd,
            batch_size: 512,
            workers: std::thread::available_parallelism().map_or(1, |n| n.get()),
            wal_limit: WAL_LIMIT,
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
        for (file, size) in mailbox::maildir_files(dir)? {
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
                reason: "empty file: it contains no messages; check that the export finished"
                    .to_string(),
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

/// What S/MIME processing on import works with: the trust store and the keys unlocked for
/// this session.
#[derive(Debug, Default)]
pub struct SmimeSession {
    /// Trust anchors and CRLs.
    pub trust: TrustStore,
    /// Unlocked private keys.
    pub keys: Vec<KeyPair>,
}

/// A message read and parsed, on its way to the writer.
struct ReadMessage {
    pending: Pending,
    bytes_done: u64,
}

/// A message waiting in the writer's batch: the row to write, its S/MIME result and the
/// text to index once it is stored.
struct Pending {
    message: NewMessage,
    smime: Option<Processed>,
    search: Option<SearchText>,
}

/// Destination of the index entries of stored messages: a thread with a connection of its
/// own to the index file, or, for an in-memory store, the writer's own connection.
enum Index<'scope> {
    Thread {
        sender: mpsc::SyncSender<Vec<(i64, SearchText)>>,
        thread: std::thread::ScopedJoinHandle<'scope, Result<(), store::Error>>,
    },
    Inline,
}

impl Index<'_> {
    fn send(&mut self, store: &mut Store, entries: Vec<(i64, SearchText)>) -> Result<(), Error> {
        if entries.is_empty() {
            return Ok(());
        }
        match self {
            Index::Thread { sender, .. } => {
                if sender.send(entries).is_err() {
                    // The thread stopped on an error; finishing it returns that error.
                    let thread = std::mem::replace(self, Index::Inline);
                    thread.finish()?;
                }
                Ok(())
            }
            Index::Inline => Ok(store.index_search(&entries)?),
        }
    }

    /// Waits for the index thread to index everything sent, and returns its error.
    fn finish(self) -> Result<(), Error> {
        match self {
            Index::Thread { sender, thread } => {
                drop(sender);
                match thread.join() {
                    Ok(result) => Ok(result?),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            Index::Inline => Ok(()),
        }
    }
}

/// The share of the input (1/20, by bytes) at whose end batches hold at most
/// [`TAIL_BATCH`] messages.
const TAIL_SHARE: u64 = 20;
const TAIL_BATCH: usize = 64;

/// WAL size past which the writer restarts the log itself, when checkpoints run in the
/// background: the log starts again from its beginning only after a checkpoint copies all
/// of it, which a checkpoint racing a busy writer never does. The writer runs the restart
/// between its own transactions, which a restart on another connection would make fail.
pub const WAL_LIMIT: u64 = 256 * 1024 * 1024;

/// Output of a parsing worker for one job. `cost` is the share of the in-flight byte
/// budget the item takes up until the writer has stored it.
enum Item {
    Message { read: Box<ReadMessage>, cost: usize },
    Failed { skipped: Skipped, cost: usize },
}

/// Work for a parsing worker: a message cut from an mbox, a file holding one message, or a
/// read failure to pass on in its place.
enum Job {
    Raw {
        raw: RawMessage,
        bytes_done: u64,
        cost: usize,
    },
    File {
        path: PathBuf,
        format: Format,
        envelope_line: bool,
        bytes_done: u64,
        cost: usize,
    },
    Failed(Skipped),
}

/// Jobs are handed out in chunks of this many messages, or fewer when they reach
/// [`CHUNK_BYTES`], so that a worker wakes the writer once per chunk rather than once per
/// message.
const CHUNK_MESSAGES: usize = 16;
const CHUNK_BYTES: usize = 2 * 1024 * 1024;

/// Maximum number of parsing workers an import starts, whatever the core count.
const MAX_WORKERS: usize = 8;

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
///
/// One thread reads the inputs (it splits mbox files, and names the files of a Maildir or
/// folder) and deals the messages out in chunks, in turn, to the parsing workers. The
/// writer takes the workers' chunks back in the same turn, so messages are stored in the
/// order they were found whatever the number of workers.
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
    let workers = options.workers.clamp(1, MAX_WORKERS);

    let budget = ByteBudget::new(IN_FLIGHT_BYTES);
    let indexer = store.search_indexer()?;
    let checkpointer = store.begin_background_checkpoints()?;
    // Held by whichever of the writer and the checkpoint thread is checkpointing.
    let checkpoint_turn = std::sync::Mutex::new(());
    let inputs = plan.inputs;
    let variant = options.mbox_variant;
    let written = std::thread::scope(|scope| -> Result<(), Error> {
        let mut job_senders = Vec::with_capacity(workers);
        let mut outputs = Vec::with_capacity(workers);
        // Room for two batches in all, shared out among the workers.
        let output_chunks = (2 * batch_size).div_ceil(CHUNK_MESSAGES * workers).max(2);
        for _ in 0..workers {
            let (job_sender, jobs) = mpsc::sync_channel::<Vec<Job>>(2);
            let (output, receiver) = mpsc::sync_channel::<Vec<Item>>(output_chunks);
            scope.spawn(move || parse_jobs(jobs, session, output));
            job_senders.push(job_sender);
            outputs.push(receiver);
        }
        let dealer = Dealer {
            senders: job_senders,
            next: 0,
            chunk: Vec::new(),
            chunk_bytes: 0,
            budget: &budget,
        };
        scope.spawn(move || read_inputs(inputs, variant, dealer));
        let mut index = match indexer {
            Some(mut indexer) => {
                let (sender, batches) = mpsc::sync_channel::<Vec<(i64, SearchText)>>(2);
                let thread = scope.spawn(move || -> Result<(), store::Error> {
                    for entries in batches {
                        indexer.index(&entries)?;
                    }
                    Ok(())
                });
                Index::Thread { sender, thread }
            }
            None => Index::Inline,
        };
        let checkpoints = checkpointer.map(|checkpointer| {
            let (sender, requests) = mpsc::sync_channel::<()>(1);
            let turn = &checkpoint_turn;
            scope.spawn(move || {
                for () in requests {
                    let _turn = turn
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    if let Err(err) = checkpointer.checkpoint() {
                        tracing::warn!(%err, "background checkpoint failed");
                    }
                }
            });
            sender
        });
        // Dropped when this closure returns, before the scope joins the other threads: a
        // writer that stops on an error then unblocks a reader waiting for memory and
        // workers waiting for room in their output.
        let outputs = outputs;
        let _close_budget = CloseOnDrop(&budget);

        let mut batch: Vec<Pending> = Vec::with_capacity(batch_size);
        let mut held_bytes = 0usize;
        let mut bytes_done = 0;
        let mut turn = 0;
        loop {
            let chunk = match outputs[turn].recv_timeout(IDLE_FLUSH) {
                Ok(chunk) => {
                    turn = (turn + 1) % outputs.len();
                    Some(chunk)
                }
                Err(mpsc::RecvTimeoutError::Timeout) => None,
                // Chunks are dealt in turn, so the worker whose turn it is has no more only
                // when the reading thread has finished.
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            };
            let idle = chunk.is_none();
            for item in chunk.into_iter().flatten() {
                match item {
                    Item::Message { read, cost } => {
                        bytes_done = read.bytes_done;
                        held_bytes += cost;
                        batch.push(read.pending);
                    }
                    Item::Failed { skipped, cost } => {
                        held_bytes += cost;
                        report.skipped.push(skipped);
                    }
                }
            }
            // Flush on count, on size, and when the reader is waiting for memory to be
            // released (nothing arrived for a while), so that it never stalls. Near the end
            // the batches shrink, so that the index thread and the checkpoint have little
            // left to do once the last message is written.
            let near_end = bytes_done >= state.bytes_total - state.bytes_total / TAIL_SHARE;
            let limit = if near_end {
                batch_size.min(TAIL_BATCH)
            } else {
                batch_size
            };
            if batch.len() >= limit || held_bytes >= IN_FLIGHT_BYTES / 2 || (idle && held_bytes > 0)
            {
                let entries = flush(store, &mut batch, &mut report, &mut state)?;
                budget.release(held_bytes);
                held_bytes = 0;
                index.send(store, entries)?;
                if let Some(checkpoints) = &checkpoints {
                    // A request already waiting covers this batch too.
                    let _ = checkpoints.try_send(());
                    if store.wal_size() > options.wal_limit {
                        // SQLite runs one checkpoint at a time: waiting for the turn keeps
                        // the restart from failing on a background checkpoint in progress.
                        let _turn = checkpoint_turn
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner);
                        store.restart_wal()?;
                    }
                }
                state.bytes_done = bytes_done;
                progress(&state);
            }
        }
        let entries = flush(store, &mut batch, &mut report, &mut state)?;
        budget.release(held_bytes);
        index.send(store, entries)?;
        if let Some(checkpoints) = &checkpoints {
            // Copied while the index thread finishes, not when the store is closed.
            let _ = checkpoints.try_send(());
        }
        index.finish()?;
        state.bytes_done = state.bytes_total;
        progress(&state);
        Ok(())
    });
    store.end_background_checkpoints()?;
    written?;

    report.bytes = state.bytes_total;
    store.finish_import(import_id, &report)?;
    tracing::info!(
        found = report.found,
        imported = report.imported,
        duplicates = report.duplicates,
        quarantined = report.quarantined.len(),
        workers,
        "import finished"
    );
    Ok(report)
}

/// Writes `batch` in one transaction with the S/MIME results, and returns the index
/// entries of the messages it stored.
fn flush(
    store: &mut Store,
    batch: &mut Vec<Pending>,
    report: &mut ImportReport,
    state: &mut Progress,
) -> Result<Vec<(i64, SearchText)>, Error> {
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    let mut messages = Vec::with_capacity(batch.len());
    let mut extras = Vec::with_capacity(batch.len());
    for pending in batch.drain(..) {
        messages.push(pending.message);
        extras.push((pending.smime, pending.search));
    }
    let outcomes = store.write_messages(&messages)?;
    let mut smime_results = Vec::new();
    let mut entries = Vec::new();
    for ((message, outcome), (processed, search)) in
        messages.iter().zip(outcomes).zip(extras.iter_mut())
    {
        report.found += 1;
        match outcome {
            WriteOutcome::Imported {
                id,
                same_message_id,
            } => {
                report.imported += 1;
                if let Some(text) = search.take() {
                    entries.push((id, text));
                }
                if let Some(processed) = processed {
                    let received_at = match &message.parsed {
                        Parsed::Message(parsed) => parsed.received_at,
                        Parsed::Quarantined { .. } => None,
                    };
                    report.smime_checked += 1;
                    if processed.report.verdict == smime::Verdict::Unreadable {
                        report.smime_unreadable.push(id);
                    }
                    smime_results.push((id, &*processed, received_at));
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
    Ok(entries)
}

/// Bytes of messages read but not yet written (counted as their size in the export) that
/// the pipeline may hold. It keeps memory flat for mailboxes of large messages; one message
/// larger than this is still read when nothing else is in flight. A compressed copy of
/// each message adds at most its size again.
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

/// The reading thread's end of the pipeline: deals jobs out in chunks, in turn, to the
/// parsing workers, after taking their bytes from the in-flight budget.
struct Dealer<'a> {
    senders: Vec<mpsc::SyncSender<Vec<Job>>>,
    next: usize,
    chunk: Vec<Job>,
    chunk_bytes: usize,
    budget: &'a ByteBudget,
}

impl Dealer<'_> {
    /// Queues `job`, of `cost` bytes, after waiting for room in the budget;
    /// returns false when the writer has stopped.
    fn deal(&mut self, job: Job, cost: usize) -> bool {
        if !self.budget.acquire(cost) {
            return false;
        }
        self.chunk.push(job);
        self.chunk_bytes += cost;
        if self.chunk.len() >= CHUNK_MESSAGES || self.chunk_bytes >= CHUNK_BYTES {
            return self.send_chunk();
        }
        true
    }

    /// Sends the chunk being filled to the worker whose turn it is.
    fn send_chunk(&mut self) -> bool {
        if self.chunk.is_empty() {
            return true;
        }
        let chunk = std::mem::take(&mut self.chunk);
        self.chunk_bytes = 0;
        let sent = self.senders[self.next].send(chunk).is_ok();
        self.next = (self.next + 1) % self.senders.len();
        sent
    }
}

/// Describes where a message was found: the path, plus the byte offset inside an mbox.
pub fn describe_origin(origin: &Origin) -> String {
    match origin.format {
        Format::Mbox => format!("{} (byte offset {})", origin.path.display(), origin.offset),
        _ => origin.path.display().to_string(),
    }
}

/// Reads every input and deals its messages out to the parsing workers (the reading
/// thread).
fn read_inputs(inputs: Vec<(Input, u64)>, variant: MboxVariant, mut dealer: Dealer<'_>) {
    let mut done_before = 0u64;
    for (input, size) in inputs {
        let result = match input {
            Input::Mbox(path) => read_mbox(&path, variant, done_before, &mut dealer),
            Input::Message {
                path,
                format,
                envelope_line,
            } => {
                let cost = usize::try_from(size).unwrap_or(usize::MAX);
                let job = Job::File {
                    path,
                    format,
                    envelope_line,
                    bytes_done: done_before + size,
                    cost,
                };
                Ok(dealer.deal(job, cost))
            }
        };
        match result {
            Ok(true) => {}
            // The writer stopped (it failed); nothing more to do.
            Ok(false) => return,
            Err((path, err)) => {
                let skipped = Skipped {
                    path,
                    reason: format!("reading stopped: {err}"),
                    explicit: true,
                };
                if !dealer.deal(Job::Failed(skipped), 0) {
                    return;
                }
            }
        }
        done_before += size;
    }
    dealer.send_chunk();
}

fn read_mbox(
    path: &Path,
    variant: MboxVariant,
    done_before: u64,
    dealer: &mut Dealer<'_>,
) -> Result<bool, (PathBuf, mailbox::Error)> {
    let fail = |err| (path.to_path_buf(), err);
    let mut reader = MboxReader::open(path, variant).map_err(fail)?;
    while let Some(raw) = reader.next() {
        let raw = raw.map_err(fail)?;
        let bytes_done = done_before + reader.position();
        let cost = raw.bytes.len();
        let job = Job::Raw {
            raw,
            bytes_done,
            cost,
        };
        if !dealer.deal(job, cost) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Parses each chunk of jobs and sends the results to the writer in the order of the jobs
/// (a parsing worker).
fn parse_jobs(
    jobs: mpsc::Receiver<Vec<Job>>,
    session: &SmimeSession,
    output: mpsc::SyncSender<Vec<Item>>,
) {
    for chunk in jobs {
        let items = chunk
            .into_iter()
            .map(|job| parse_job(job, session))
            .collect();
        if output.send(items).is_err() {
            // The writer stopped.
            return;
        }
    }
}

fn parse_job(job: Job, session: &SmimeSession) -> Item {
    match job {
        Job::Raw {
            raw,
            bytes_done,
            cost,
        } => Item::Message {
            read: parse_raw(raw, bytes_done, session),
            cost,
        },
        Job::File {
            path,
            format,
            envelope_line,
            bytes_done,
            cost,
        } => match read_file(path, format, envelope_line) {
            Ok(raw) => Item::Message {
                read: parse_raw(raw, bytes_done, session),
                cost,
            },
            Err((path, err)) => Item::Failed {
                skipped: Skipped {
                    path,
                    reason: format!("reading stopped: {err}"),
                    explicit: true,
                },
                cost,
            },
        },
        Job::Failed(skipped) => Item::Failed { skipped, cost: 0 },
    }
}

/// Reads a file with one message in it.
fn read_file(
    path: PathBuf,
    format: Format,
    envelope_line: bool,
) -> Result<RawMessage, (PathBuf, mailbox::Error)> {
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(err) => {
            let err = mailbox::Error::io(&path, err);
            return Err((path, err));
        }
    };
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
    Ok(RawMessage {
        bytes,
        origin: Origin {
            path,
            offset: 0,
            format,
        },
        envelope,
        skip,
    })
}

/// Hashes, parses and packs one message, verifies or decrypts its S/MIME layer, and
/// gathers the text to index.
fn parse_raw(raw: RawMessage, bytes_done: u64, session: &SmimeSession) -> Box<ReadMessage> {
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
    let search = match &parsed {
        Parsed::Message(outer) => {
            let mut text = SearchText::of(outer);
            // Decrypted or unwrapped content is found by search like the outer message.
            let content = smime.as_ref().and_then(|s| s.content.as_deref());
            if let Some(Parsed::Message(inner)) = content.map(|c| message::parse(c, None)) {
                text.append(&inner);
            }
            Some(text)
        }
        Parsed::Quarantined { .. } => None,
    };
    let packed = store::pack(&raw.bytes);
    Box::new(ReadMessage {
        pending: Pending {
            message: NewMessage {
                packed,
                raw,
                sha256,
                parsed,
            },
            smime,
            search,
        },
        bytes_done,
    })
}
