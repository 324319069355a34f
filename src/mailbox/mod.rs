//! Mailbox readers: turn an export on disk (mbox, Maildir, a single `.eml`, a folder of
//! `.eml` files) into a stream of raw messages with their origin.
//!
//! Readers never parse MIME; they only split the export into messages and undo the
//! export's own framing (mbox `From ` lines and `>From ` escaping). Parsing belongs to
//! [`crate::message`]. Every reader streams: memory use is bounded by the largest single
//! message, not by the size of the export.

mod detect;
mod maildir;
mod mbox;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use detect::{detect_format, DetectedFormat};
pub use mbox::{MboxReader, MboxVariant};

/// Errors of the mailbox readers.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The path could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file or folder that failed.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The path does not exist.
    #[error("{path} does not exist; check the path and try again")]
    NotFound {
        /// The missing path.
        path: PathBuf,
    },
}

impl Error {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        if source.kind() == std::io::ErrorKind::NotFound {
            Error::NotFound {
                path: path.to_path_buf(),
            }
        } else {
            Error::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    }
}

/// The container format a message was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// A Unix mbox file (mboxo, mboxrd, mboxcl or mboxcl2).
    Mbox,
    /// One file of a Maildir (`cur/` or `new/`).
    Maildir,
    /// A single RFC 5322 message file.
    Eml,
}

impl Format {
    /// The name stored in the database and shown in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Mbox => "mbox",
            Format::Maildir => "maildir",
            Format::Eml => "eml",
        }
    }

    /// Parses the stored name back.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "mbox" => Some(Format::Mbox),
            "maildir" => Some(Format::Maildir),
            "eml" => Some(Format::Eml),
            _ => None,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The source of a message: the file, the byte offset of its first byte in that file
/// (for mbox, the offset of the `From ` line), and the container format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The file the message was read from.
    pub path: PathBuf,
    /// Byte offset of the message (mbox: of its `From ` separator line) in `path`.
    pub offset: u64,
    /// The container format.
    pub format: Format,
}

/// One message as it was in the export, before MIME parsing.
#[derive(Debug, Clone)]
pub struct RawMessage {
    /// The message bytes, exactly as exported (mbox escaping undone).
    pub bytes: Vec<u8>,
    /// The source of the bytes.
    pub origin: Origin,
    /// The text of the mbox `From ` separator line without the leading `From `, if any.
    /// It carries the envelope sender and the delivery date.
    pub envelope: Option<String>,
    /// Number of bytes from the start of `bytes` that are not part of the message proper
    /// and must be skipped by the parser (a `From ` envelope line at the top of a `.eml`).
    pub skip: usize,
}

impl RawMessage {
    /// The bytes the MIME parser should read: `bytes` without a leading envelope line.
    pub fn message_bytes(&self) -> &[u8] {
        &self.bytes[self.skip..]
    }
}

pub(crate) use maildir::{is_maildir, maildir_files};
