//! The hash chain of the audit log (SOPP 8119 requires every step to be documented,
//! VI.C.8: "Document all emails appropriately as described in the procedures section").
//!
//! Each entry's hash is SHA-256 over the previous entry's hash and the entry's canonical
//! form, so editing or deleting any entry changes every hash after it. This module computes
//! and checks hashes; the store appends and reads the rows.
//!
//! NOTE: a chain cannot show that entries were cut from its end. Keep the head hash that
//! `regmail audit verify` prints somewhere else to detect that.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The previous hash of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit entry as stored, without its hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the log, from 1 with no gaps.
    pub seq: i64,
    /// When the step happened, RFC 3339 UTC.
    pub at: String,
    /// The user who took the step.
    pub user: String,
    /// The step (`answer`, `override`, `decision`, `task-created`, `task-done`, …).
    pub action: String,
    /// The message concerned, if any.
    pub message_id: Option<i64>,
    /// The task concerned, if any.
    pub task_id: Option<i64>,
    /// The SOPP section the step applied, if any.
    pub section: Option<String>,
    /// The step's details, as the JSON text stored.
    pub detail: String,
}

impl AuditEntry {
    /// Returns the text that is hashed: a JSON array of the fields in a fixed order, with
    /// the detail as the exact stored string.
    pub fn canonical(&self) -> String {
        serde_json::json!([
            self.seq,
            self.at,
            self.user,
            self.action,
            self.message_id,
            self.task_id,
            self.section,
            self.detail,
        ])
        .to_string()
    }

    /// Returns the hash of this entry chained after `prev_hash`.
    pub fn hash(&self, prev_hash: &str) -> String {
        let mut hasher = Sha256::new();
        hasher.update(prev_hash.as_bytes());
        hasher.update(b"\n");
        hasher.update(self.canonical().as_bytes());
        hex::encode(hasher.finalize())
    }
}

/// An entry with the hashes stored beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainedEntry {
    /// The entry.
    #[serde(flatten)]
    pub entry: AuditEntry,
    /// The hash of the entry before, or [`GENESIS_HASH`].
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

/// The end of a verified chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    /// The number of entries.
    pub entries: i64,
    /// The hash of the last entry, or [`GENESIS_HASH`] for an empty log.
    pub hash: String,
}

/// The first place where a chain fails to verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "kebab-case")]
pub enum ChainBreak {
    /// An entry is missing: the sequence jumps.
    #[error("audit entry {expected} is missing (the next entry is {found}); entries were deleted")]
    Gap {
        /// The sequence number expected.
        expected: i64,
        /// The sequence number found.
        found: i64,
    },
    /// An entry does not point to the hash of the entry before it.
    #[error(
        "audit entry {seq} does not follow entry {previous}: the chain was rewritten from here"
    )]
    BrokenLink {
        /// The entry.
        seq: i64,
        /// The entry before.
        previous: i64,
    },
    /// An entry's content does not match its hash.
    #[error(
        "audit entry {seq} was changed after it was written: its hash does not match its content"
    )]
    Altered {
        /// The entry.
        seq: i64,
    },
}

/// Checks that `entries`, in sequence order, form an unbroken chain from the start.
///
/// # Errors
///
/// Returns the first [`ChainBreak`] found.
pub fn verify_chain(entries: &[ChainedEntry]) -> Result<ChainHead, ChainBreak> {
    let mut prev_hash = GENESIS_HASH.to_owned();
    let mut expected = 1;
    for chained in entries {
        let seq = chained.entry.seq;
        if seq != expected {
            return Err(ChainBreak::Gap {
                expected,
                found: seq,
            });
        }
        if chained.prev_hash != prev_hash {
            return Err(ChainBreak::BrokenLink {
                seq,
                previous: seq - 1,
            });
        }
        if chained.entry.hash(&prev_hash) != chained.hash {
            return Err(ChainBreak::Altered { seq });
        }
        prev_hash = chained.hash.clone();
        expected += 1;
    }
    Ok(ChainHead {
        entries: expected - 1,
        hash: prev_hash,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(count: i64) -> Vec<ChainedEntry> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=count)
            .map(|seq| {
                let entry = AuditEntry {
                    seq,
                    at: format!("2025-03-04T15:{seq:02}:00Z"),
                    user: "dana.whitfield".into(),
                    action: "answer".into(),
                    message_id: Some(1),
                    task_id: None,
                    section: Some("IV.G".into()),
                    detail: format!("{{\"answer\":\"yes\",\"seq\":{seq}}}"),
                };
                let hash = entry.hash(&prev);
                let chained = ChainedEntry {
                    entry,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                chained
            })
            .collect()
    }

    #[test]
    fn intact_chain_verifies() {
        let entries = chain(3);
        let head = verify_chain(&entries).expect("chain verifies");
        assert_eq!(head.entries, 3);
        assert_eq!(head.hash, entries[2].hash);
    }

    #[test]
    fn edited_entry_is_detected() {
        let mut entries = chain(3);
        entries[1].entry.detail = "{\"answer\":\"no\",\"seq\":2}".into();
        assert_eq!(verify_chain(&entries), Err(ChainBreak::Altered { seq: 2 }));
    }

    #[test]
    fn deleted_entry_is_detected() {
        let mut entries = chain(3);
        entries.remove(1);
        assert_eq!(
            verify_chain(&entries),
            Err(ChainBreak::Gap {
                expected: 2,
                found: 3
            })
        );
    }

    #[test]
    fn rehashed_entry_breaks_next_link() {
        let mut entries = chain(3);
        entries[1].entry.user = "someone.else".into();
        entries[1].hash = entries[1].entry.hash(&entries[1].prev_hash);
        assert_eq!(
            verify_chain(&entries),
            Err(ChainBreak::BrokenLink {
                seq: 3,
                previous: 2
            })
        );
    }
}
