//! The reviewer's S/MIME session over the store: importing a private key sealed, unlocking
//! the stored keys, and re-checking the stored S/MIME messages with the trust store and the
//! unlocked keys.
//!
//! Verifying and decrypting belong to [`crate::smime`], sealing to [`crate::smime::vault`]
//! and the tables to [`crate::store`]. This module joins them for the command-line tool and
//! the desktop app, so that both unlock, import and re-check the same way. Passphrases and
//! key material are never logged.

use jiff::Timestamp;

use crate::import::SmimeSession;
use crate::smime::{self, vault, Cert, KeyError, KeyPair, SmimeReport, Verdict};
use crate::sopp::triage::{self, TriageError};
use crate::sopp::Answers;
use crate::store::{self, Store};

/// Messages re-checked and saved per transaction; bounds the decrypted content held in
/// memory at once.
const RECHECK_BATCH: usize = 50;

/// Errors of the S/MIME session.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] store::Error),
    /// The key file could not be read or opened.
    #[error("cannot read the key file")]
    KeyFile {
        /// The cause, which names the fix.
        #[source]
        source: KeyError,
    },
    /// The certificate file given for a PEM key could not be read.
    #[error("cannot read the certificate file: {detail}")]
    CertificateFile {
        /// The problem found in the file.
        detail: String,
    },
    /// The certificate file does not contain the certificate of a key.
    #[error("the certificate file has no certificate for the {kind} key in the key file; choose the certificate issued for that key")]
    CertificateNotForKey {
        /// The key type (`RSA`, `EC P-256`).
        kind: &'static str,
    },
    /// A key has no certificate, so encrypted messages cannot name it as a recipient.
    #[error("the {kind} key in the key file has no certificate; use a PKCS#12 file, or give the certificate with the key")]
    NoCertificate {
        /// The key type.
        kind: &'static str,
    },
    /// Sealing the key failed.
    #[error("cannot store the key")]
    Seal {
        /// The cause.
        #[source]
        source: vault::VaultError,
    },
    /// A stored key opened but does not decode, because the store was changed outside
    /// Regmail.
    #[error("stored key {id} does not decode; import it again")]
    CorruptKey {
        /// The key's row id.
        id: i64,
        /// The cause.
        #[source]
        source: KeyError,
    },
    /// Re-running the triage of a re-checked message failed.
    #[error("cannot triage message {id} again after its S/MIME re-check")]
    Triage {
        /// The message id.
        id: i64,
        /// The cause.
        #[source]
        source: TriageError,
    },
}

/// Reads the key pairs of a PKCS#12 or PEM key file, opened with `passphrase` when it is
/// encrypted. Keys without a certificate in the file get one from `certificate` (PEM, DER
/// or PKCS#7), matched by public key.
///
/// # Errors
///
/// [`SessionError::KeyFile`] when the file does not open, [`SessionError::CertificateFile`]
/// when `certificate` does not decode, and [`SessionError::CertificateNotForKey`] when it
/// contains no certificate for a key.
pub fn read_key_pairs(
    file: &[u8],
    passphrase: Option<&str>,
    certificate: Option<&[u8]>,
) -> Result<Vec<KeyPair>, SessionError> {
    let mut pairs = smime::read_key_file(file, passphrase)
        .map_err(|source| SessionError::KeyFile { source })?;
    let Some(certificate) = certificate else {
        return Ok(pairs);
    };
    let bundle = smime::read_bundle(certificate).map_err(|err| SessionError::CertificateFile {
        detail: err.to_string(),
    })?;
    for pair in pairs.iter_mut().filter(|p| p.cert.is_none()) {
        pair.cert = bundle
            .certs
            .iter()
            .find(|c| c.public_key().is_ok_and(|public| pair.key.matches(&public)))
            .cloned();
        if pair.cert.is_none() {
            return Err(SessionError::CertificateNotForKey {
                kind: pair.key.kind(),
            });
        }
    }
    Ok(pairs)
}

/// A key stored by [`store_keys`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredKeyInfo {
    /// Row id.
    pub id: i64,
    /// Certificate subject.
    pub subject: String,
    /// Email addresses of the certificate.
    pub addresses: Vec<String>,
}

/// Seals each of `pairs` with `seal_passphrase` (scrypt and AES-256-GCM, see
/// [`vault::seal`]) and stores it with its certificate, replacing an earlier copy for the
/// same certificate.
///
/// # Errors
///
/// [`SessionError::NoCertificate`] when a key has no certificate (nothing is stored then),
/// [`SessionError::Seal`] for an empty passphrase, and [`SessionError::Store`].
pub fn store_keys(
    store: &mut Store,
    pairs: &[KeyPair],
    seal_passphrase: &str,
) -> Result<Vec<StoredKeyInfo>, SessionError> {
    let mut certified: Vec<(&KeyPair, &Cert)> = Vec::with_capacity(pairs.len());
    for pair in pairs {
        let Some(cert) = &pair.cert else {
            return Err(SessionError::NoCertificate {
                kind: pair.key.kind(),
            });
        };
        certified.push((pair, cert));
    }
    let mut stored = Vec::with_capacity(certified.len());
    for (pair, cert) in certified {
        let sealed = vault::seal(
            &pair.key.to_pkcs8_der(),
            seal_passphrase,
            &cert.fingerprint(),
            vault::DEFAULT_LOG_N,
        )
        .map_err(|source| SessionError::Seal { source })?;
        let id = store.save_key(cert, &sealed)?;
        tracing::info!(key = id, "stored sealed key");
        stored.push(StoredKeyInfo {
            id,
            subject: cert.subject(),
            addresses: cert.email_addresses(),
        });
    }
    Ok(stored)
}

/// The keys [`unlock_keys`] opened.
#[derive(Debug)]
pub struct Unlocked {
    /// The keys the passphrase opened, with their certificates.
    pub keys: Vec<KeyPair>,
    /// How many keys are stored.
    pub stored: usize,
}

/// Opens the stored keys that `passphrase` unlocks. Keys sealed with another passphrase are
/// left locked, so [`Unlocked::keys`] may be empty.
///
/// # Errors
///
/// [`SessionError::CorruptKey`] when a key opens but does not decode, and
/// [`SessionError::Store`].
pub fn unlock_keys(store: &Store, passphrase: &str) -> Result<Unlocked, SessionError> {
    let stored = store.keys()?;
    let mut keys = Vec::new();
    for key in &stored {
        let Ok(secret) = vault::open(&key.sealed, passphrase, &key.fingerprint) else {
            tracing::debug!(
                key = key.id,
                "the passphrase does not unlock this stored key"
            );
            continue;
        };
        let private = smime::PrivateKey::from_pkcs8_der(&secret)
            .map_err(|source| SessionError::CorruptKey { id: key.id, source })?;
        let cert = Cert::from_der(&key.cert_der).map_err(|err| SessionError::CorruptKey {
            id: key.id,
            source: KeyError::Malformed(format!("certificate: {err}")),
        })?;
        keys.push(KeyPair {
            key: private,
            cert: Some(cert),
        });
    }
    tracing::info!(
        unlocked = keys.len(),
        stored = stored.len(),
        "unlocked stored keys"
    );
    Ok(Unlocked {
        keys,
        stored: stored.len(),
    })
}

/// The inputs of [`recheck`] besides the session.
#[derive(Debug, Clone)]
pub struct RecheckOptions<'a> {
    /// The time validity is checked at ("now").
    pub at: Timestamp,
    /// The user recorded in the audit log for triages run again.
    pub user: &'a str,
}

/// A message whose verdict changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerdictChange {
    /// The message id.
    pub id: i64,
    /// The stored verdict before the re-check.
    pub before: Verdict,
    /// The verdict now.
    pub after: Verdict,
}

/// The outcome of [`recheck`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecheckReport {
    /// Messages checked again.
    pub checked: usize,
    /// Messages whose verdict changed, in id order.
    pub changed: Vec<VerdictChange>,
    /// Messages that became readable: encrypted, and decrypted now but not before.
    pub now_readable: Vec<i64>,
    /// Messages whose saved decision was made again because their readability changed.
    pub retriaged: Vec<i64>,
    /// Messages decrypted before that the session's keys do not open. Their earlier result
    /// is kept, because a re-check never discards a decryption.
    pub kept: Vec<i64>,
}

/// Verifies and decrypts again every stored S/MIME message whose stored copy still exists,
/// with `session`, and saves the new results. Messages that became readable and had a
/// saved decision are triaged again with their stored answers, so their disposition and
/// tasks follow (an unreadable message's tasks are cancelled, SOPP 8119 VII.A.1).
///
/// NOTE: messages imported before Regmail checked S/MIME have no stored result and are
/// not found here; import them again to check them.
///
/// # Errors
///
/// [`SessionError::Store`] when reading or saving fails, and [`SessionError::Triage`] when
/// a triage run again fails. Results saved before the error stay saved.
pub fn recheck(
    store: &mut Store,
    session: &SmimeSession,
    options: &RecheckOptions<'_>,
) -> Result<RecheckReport, SessionError> {
    let ids = store.smime_message_ids()?;
    let mut report = RecheckReport::default();
    let mut readable_changed = Vec::new();
    for chunk in ids.chunks(RECHECK_BATCH) {
        let mut batch = Vec::with_capacity(chunk.len());
        for &id in chunk {
            let Some(before) = store.smime_result(id)? else {
                continue;
            };
            let message = store.message(id)?;
            let raw = store.raw_message(id)?;
            let processed = smime::process(
                &raw,
                &smime::Options {
                    trust: &session.trust,
                    keys: &session.keys,
                    at: options.at,
                },
            );
            report.checked += 1;
            let after = &processed.report;
            if was_decrypted(&before.report) && unreadable(after) {
                report.kept.push(id);
                continue;
            }
            if before.report.verdict != after.verdict {
                report.changed.push(VerdictChange {
                    id,
                    before: before.report.verdict,
                    after: after.verdict,
                });
            }
            if unreadable(&before.report) && !unreadable(after) {
                report.now_readable.push(id);
                readable_changed.push(id);
            }
            batch.push((id, processed, message.parsed.received_at));
        }
        let results: Vec<_> = batch
            .iter()
            .map(|(id, processed, seen)| (*id, processed, *seen))
            .collect();
        store.save_smime_results(&results)?;
    }

    retriage(store, &readable_changed, options, &mut report)?;
    tracing::info!(
        checked = report.checked,
        changed = report.changed.len(),
        now_readable = report.now_readable.len(),
        retriaged = report.retriaged.len(),
        kept = report.kept.len(),
        "re-checked stored S/MIME messages"
    );
    Ok(report)
}

/// Triages again the messages of `ids` that have a saved decision.
fn retriage(
    store: &mut Store,
    ids: &[i64],
    options: &RecheckOptions<'_>,
    report: &mut RecheckReport,
) -> Result<(), SessionError> {
    if ids.is_empty() {
        return Ok(());
    }
    let decided: Vec<i64> = store
        .queue_records_by_id(ids)?
        .into_iter()
        .filter(|record| record.disposition.is_some())
        .map(|record| record.id)
        .collect();
    if decided.is_empty() {
        return Ok(());
    }
    let settings =
        triage::stored_settings(store).map_err(|source| SessionError::Triage { id: 0, source })?;
    for id in decided {
        triage::triage(
            store,
            id,
            &Answers::new(),
            &settings,
            options.user,
            options.at,
        )
        .map_err(|source| SessionError::Triage { id, source })?;
        report.retriaged.push(id);
    }
    Ok(())
}

fn was_decrypted(report: &SmimeReport) -> bool {
    report.encrypted && report.decrypted
}

fn unreadable(report: &SmimeReport) -> bool {
    report.encrypted && !report.decrypted
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::import::{self, ImportOptions};

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn case(relative: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/cases")
            .join(relative)
    }

    /// Bob's key and certificate as one PEM file, as a reviewer exports them.
    fn bob_pem() -> Result<Vec<u8>, std::io::Error> {
        let mut pem = std::fs::read(case("smime-rsa-oaep-recipient/bob.key"))?;
        pem.extend(std::fs::read(case("smime-rsa-oaep-recipient/bob.pem"))?);
        Ok(pem)
    }

    fn import_without_keys(store: &mut Store, file: &Path) -> TestResult {
        let session = SmimeSession {
            trust: store.trust_store()?,
            keys: Vec::new(),
        };
        let plan = import::plan(&[file.to_path_buf()])?;
        import::run_with_smime(store, plan, ImportOptions::default(), &session, &mut |_| {})?;
        Ok(())
    }

    fn options() -> RecheckOptions<'static> {
        RecheckOptions {
            at: Timestamp::now(),
            user: "dana.whitfield@fda.hhs.gov",
        }
    }

    fn verdict(store: &Store, id: i64) -> Result<Option<Verdict>, store::Error> {
        Ok(store.smime_result(id)?.map(|s| s.report.verdict))
    }

    #[test]
    fn stored_key_unlocks_with_its_passphrase() -> TestResult {
        let mut store = Store::open_in_memory()?;
        let pairs = read_key_pairs(&bob_pem()?, None, None)?;
        let stored = store_keys(&mut store, &pairs, "seal-pass")?;
        assert_eq!(stored.len(), 1, "one key stored");
        assert_eq!(stored[0].addresses, vec!["bob@example.com".to_owned()]);

        let unlocked = unlock_keys(&store, "seal-pass")?;
        assert_eq!(unlocked.stored, 1, "stored count");
        assert_eq!(unlocked.keys.len(), 1, "unlocked count");
        let wrong = unlock_keys(&store, "not the passphrase")?;
        assert!(wrong.keys.is_empty(), "a wrong passphrase unlocks nothing");
        assert_eq!(wrong.stored, 1, "stored count with a wrong passphrase");
        Ok(())
    }

    #[test]
    fn key_without_certificate_is_not_stored() -> TestResult {
        let mut store = Store::open_in_memory()?;
        let key = std::fs::read(case("smime-rsa-oaep-recipient/bob.key"))?;
        let pairs = read_key_pairs(&key, None, None)?;
        let result = store_keys(&mut store, &pairs, "seal-pass");
        assert!(
            matches!(result, Err(SessionError::NoCertificate { .. })),
            "{result:?}"
        );
        assert!(store.keys()?.is_empty(), "nothing stored");
        Ok(())
    }

    #[test]
    fn separate_certificate_completes_pem_key() -> TestResult {
        let key = std::fs::read(case("smime-rsa-oaep-recipient/bob.key"))?;
        let cert = std::fs::read(case("smime-rsa-oaep-recipient/bob.pem"))?;
        let pairs = read_key_pairs(&key, None, Some(&cert))?;
        assert_eq!(pairs.len(), 1, "one pair");
        assert!(pairs[0].cert.is_some(), "certificate attached");

        let other = std::fs::read(case("smime-lf-line-endings/alice.pem"))?;
        let result = read_key_pairs(&key, None, Some(&other));
        assert!(
            matches!(result, Err(SessionError::CertificateNotForKey { .. })),
            "{result:?}"
        );
        Ok(())
    }

    #[test]
    fn empty_seal_passphrase_is_rejected() -> TestResult {
        let mut store = Store::open_in_memory()?;
        let pairs = read_key_pairs(&bob_pem()?, None, None)?;
        let result = store_keys(&mut store, &pairs, "");
        assert!(
            matches!(result, Err(SessionError::Seal { .. })),
            "{result:?}"
        );
        assert!(store.keys()?.is_empty(), "nothing stored");
        Ok(())
    }

    #[test]
    fn recheck_decrypts_with_unlocked_keys() -> TestResult {
        let mut store = Store::open_in_memory()?;
        import_without_keys(
            &mut store,
            &case("smime-rsa-oaep-recipient/oaep-sha256.eml"),
        )?;
        assert_eq!(verdict(&store, 1)?, Some(Verdict::Unreadable), "on import");

        let session = SmimeSession {
            trust: store.trust_store()?,
            keys: read_key_pairs(&bob_pem()?, None, None)?,
        };
        let report = recheck(&mut store, &session, &options())?;

        assert_eq!(report.checked, 1, "checked");
        assert_eq!(
            report.changed,
            vec![VerdictChange {
                id: 1,
                before: Verdict::Unreadable,
                after: Verdict::EncryptedOnly
            }],
            "changed"
        );
        assert_eq!(report.now_readable, vec![1], "now readable");
        assert!(report.retriaged.is_empty(), "no decision to make again");
        assert_eq!(verdict(&store, 1)?, Some(Verdict::EncryptedOnly), "saved");
        let stored = store.smime_result(1)?.ok_or("result missing")?;
        let summary = stored.content_summary.ok_or("no content summary")?;
        assert!(
            summary
                .body_text
                .contains("confidential response for IND 100001"),
            "decrypted text: {}",
            summary.body_text
        );
        Ok(())
    }

    #[test]
    fn recheck_applies_a_new_trust_anchor() -> TestResult {
        let mut store = Store::open_in_memory()?;
        import_without_keys(&mut store, &case("smime-lf-line-endings/message-lf.eml"))?;
        assert_eq!(verdict(&store, 1)?, Some(Verdict::Untrusted), "on import");

        let ca = smime::read_bundle(&std::fs::read(case("smime-lf-line-endings/ca.pem"))?)?;
        store.add_trust(&ca.certs, &ca.crls)?;
        let session = SmimeSession {
            trust: store.trust_store()?,
            keys: Vec::new(),
        };
        let report = recheck(&mut store, &session, &options())?;

        assert_eq!(report.checked, 1, "checked");
        assert_eq!(report.changed.len(), 1, "changed");
        assert_eq!(report.changed[0].after, Verdict::Verified, "verdict now");
        assert!(report.now_readable.is_empty(), "was readable already");
        assert_eq!(verdict(&store, 1)?, Some(Verdict::Verified), "saved");
        let partners = store.secure_partners()?;
        assert_eq!(partners.len(), 1, "sender harvested");
        assert_eq!(partners[0].entry, "alice@example.com");
        Ok(())
    }

    #[test]
    fn recheck_without_keys_keeps_decryption() -> TestResult {
        let mut store = Store::open_in_memory()?;
        let session = SmimeSession {
            trust: store.trust_store()?,
            keys: read_key_pairs(&bob_pem()?, None, None)?,
        };
        let plan = import::plan(&[case("smime-rsa-oaep-recipient/oaep-sha256.eml")])?;
        import::run_with_smime(
            &mut store,
            plan,
            ImportOptions::default(),
            &session,
            &mut |_| {},
        )?;
        assert_eq!(
            verdict(&store, 1)?,
            Some(Verdict::EncryptedOnly),
            "on import"
        );

        let report = recheck(&mut store, &SmimeSession::default(), &options())?;

        assert_eq!(report.kept, vec![1], "kept");
        assert!(report.changed.is_empty(), "no change");
        assert_eq!(
            verdict(&store, 1)?,
            Some(Verdict::EncryptedOnly),
            "still decrypted"
        );
        Ok(())
    }

    #[test]
    fn recheck_triages_a_decided_message_again() -> TestResult {
        let mut store = Store::open_in_memory()?;
        import_without_keys(
            &mut store,
            &case("smime-rsa-oaep-recipient/oaep-sha256.eml"),
        )?;
        let settings = triage::stored_settings(&store)?;
        let first = triage::triage(
            &mut store,
            1,
            &Answers::new(),
            &settings,
            "dana.whitfield@fda.hhs.gov",
            Timestamp::now(),
        )?;
        assert_eq!(
            first.outcome.disposition.as_str(),
            "unreadable",
            "disposition before"
        );

        let session = SmimeSession {
            trust: store.trust_store()?,
            keys: read_key_pairs(&bob_pem()?, None, None)?,
        };
        let report = recheck(&mut store, &session, &options())?;

        assert_eq!(report.retriaged, vec![1], "retriaged");
        let record = store
            .queue_records_by_id(&[1])?
            .pop()
            .ok_or("queue record missing")?;
        let disposition = record.disposition.ok_or("no disposition")?;
        assert_ne!(disposition, "unreadable", "disposition after");
        let open: Vec<String> = store
            .message_tasks(1)?
            .into_iter()
            .filter(|t| t.status == "open")
            .map(|t| t.kind)
            .collect();
        assert!(
            !open
                .iter()
                .any(|kind| kind == "record-unreadable-resolution"),
            "unreadable tasks left open: {open:?}"
        );
        Ok(())
    }

    #[test]
    fn recheck_leaves_plain_messages_out() -> TestResult {
        let mut store = Store::open_in_memory()?;
        import_without_keys(&mut store, &case("rfc2047-no-space-prefix/empty-word.eml"))?;
        import_without_keys(&mut store, &case("smime-lf-line-endings/message-lf.eml"))?;
        assert_eq!(store.smime_message_ids()?, vec![2], "S/MIME messages");

        let report = recheck(&mut store, &SmimeSession::default(), &options())?;

        assert_eq!(report.checked, 1, "one S/MIME message checked");
        assert!(report.changed.is_empty(), "nothing changed");
        assert_eq!(verdict(&store, 1)?, None, "plain message has no result");
        Ok(())
    }
}
