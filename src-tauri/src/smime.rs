//! The reviewer's S/MIME session in the desktop app: the keys unlocked for this run of the
//! app, and the work behind the S/MIME commands.
//!
//! Unlocked keys live only in memory, in [`SmimeState`], until the reviewer locks them or
//! the app exits; each key zeroizes its secret when dropped. Passphrases are wrapped in
//! [`Zeroizing`] as soon as they arrive, used once and never stored, logged or returned.
//! Unlocking and re-checking run scrypt and public-key operations, so the commands run
//! these functions on a blocking thread with a store connection of their own.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use jiff::Timestamp;
use zeroize::Zeroizing;

use regmail::import::SmimeSession;
use regmail::smime::{self, KeyPair};
use regmail::smime_session::{self, RecheckOptions};
use regmail::store::Store;

use crate::ipc::smime::{
    KeyImportDto, KeysDto, RecheckDto, SmimeDto, StoredKeyDto, TrustAddedDto, UnlockDto,
};
use crate::ipc::{ErrorCode, IpcError, IpcResult};

/// The keys unlocked for this session, managed by Tauri.
#[derive(Default)]
pub struct SmimeState {
    keys: Mutex<Vec<KeyPair>>,
}

impl SmimeState {
    fn keys(&self) -> MutexGuard<'_, Vec<KeyPair>> {
        // Key pairs have no invariant a panic could break, so a poisoned lock is taken over.
        self.keys
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Returns how many keys are unlocked.
    pub fn unlocked(&self) -> usize {
        self.keys().len()
    }

    /// Returns a session with the trust store of `store` and copies of the unlocked keys,
    /// for an import or a re-check.
    pub fn session(&self, store: &Store) -> IpcResult<SmimeSession> {
        Ok(SmimeSession {
            trust: store.trust_store()?,
            keys: self.keys().clone(),
        })
    }

    /// Drops the unlocked keys, which zeroizes them. Copies held by an import or re-check
    /// that is running are dropped when it ends.
    pub fn lock(&self) {
        let count = {
            let mut keys = self.keys();
            let count = keys.len();
            keys.clear();
            count
        };
        tracing::info!(keys = count, "locked the unlocked keys");
    }
}

/// Returns the S/MIME result of message `id`, or none for a message that is not S/MIME or
/// whose stored copy was deleted.
pub fn message_smime(store: &Store, id: i64) -> IpcResult<Option<SmimeDto>> {
    if store.message_deletion(id)?.is_some() {
        return Ok(None);
    }
    Ok(store.smime_result(id)?.map(SmimeDto::from))
}

/// Returns the stored keys and how many are unlocked.
pub fn list_keys(store: &Store, state: &SmimeState) -> IpcResult<KeysDto> {
    Ok(KeysDto {
        keys: store.keys()?.into_iter().map(StoredKeyDto::from).collect(),
        unlocked: state.unlocked() as u32,
    })
}

/// Reads the key file of `request`, seals its keys with the store passphrase and stores
/// them. The passphrases of `request` are zeroized when it is dropped here.
pub fn import_key(store: &mut Store, request: KeyImportDto) -> IpcResult<Vec<StoredKeyDto>> {
    let KeyImportDto {
        path,
        cert_path,
        file_passphrase,
        store_passphrase,
    } = request;
    let file_passphrase = file_passphrase.map(Zeroizing::new);
    let store_passphrase = Zeroizing::new(store_passphrase);
    if store_passphrase.is_empty() {
        return Err(IpcError::new(
            ErrorCode::InvalidInput,
            "the passphrase to store the key with is missing; keys are stored only sealed, so type one",
        ));
    }

    let file = Zeroizing::new(read_file(&path, "key file")?);
    let certificate = cert_path
        .as_deref()
        .filter(|p| !p.is_empty())
        .map(|p| read_file(p, "certificate file"))
        .transpose()?;
    let passphrase = file_passphrase
        .as_deref()
        .map(String::as_str)
        .filter(|p| !p.is_empty());
    let pairs = smime_session::read_key_pairs(&file, passphrase, certificate.as_deref())?;
    let stored = smime_session::store_keys(store, &pairs, &store_passphrase)?;
    Ok(store
        .keys()?
        .into_iter()
        .filter(|key| stored.iter().any(|s| s.id == key.id))
        .map(StoredKeyDto::from)
        .collect())
}

/// Unlocks the keys of the store at `db_path` that `passphrase` opens and keeps them in
/// `state` for this session, replacing the keys unlocked before.
///
/// # Errors
///
/// [`ErrorCode::InvalidInput`] when no key is stored or the passphrase opens none; the
/// keys unlocked before stay unlocked then.
pub fn unlock(db_path: &Path, state: &SmimeState, passphrase: &str) -> IpcResult<UnlockDto> {
    let store = Store::open(db_path)?;
    let unlocked = smime_session::unlock_keys(&store, passphrase)?;
    if unlocked.stored == 0 {
        return Err(IpcError::new(
            ErrorCode::InvalidInput,
            "no keys are stored; import your key file first",
        ));
    }
    if unlocked.keys.is_empty() {
        return Err(IpcError::new(
            ErrorCode::InvalidInput,
            format!(
                "the passphrase unlocks none of the {} stored keys; check it and try again",
                unlocked.stored
            ),
        ));
    }
    let result = UnlockDto::from(&unlocked);
    *state.keys() = unlocked.keys;
    Ok(result)
}

/// Adds the certificates of the PEM, DER or PKCS#7 file at `path` as trust anchors, and its
/// CRLs as CRLs.
pub fn add_trust(store: &mut Store, path: &str) -> IpcResult<TrustAddedDto> {
    let bytes = read_file(path, "trust file")?;
    let bundle = smime::read_bundle(&bytes).map_err(|err| {
        IpcError::new(
            ErrorCode::InvalidInput,
            format!(
                "{path} is not a certificate or CRL file ({err}); choose a PEM, DER or .p7b file"
            ),
        )
    })?;
    if bundle.certs.is_empty() && bundle.crls.is_empty() {
        return Err(IpcError::new(
            ErrorCode::InvalidInput,
            format!("{path} contains no certificate or CRL; choose a PEM, DER or .p7b file"),
        ));
    }
    let added = store.add_trust(&bundle.certs, &bundle.crls)?;
    tracing::info!(
        certificates = bundle.certs.len(),
        crls = bundle.crls.len(),
        added,
        "added trust anchors and CRLs"
    );
    Ok(TrustAddedDto {
        certificates: bundle.certs.len() as u32,
        crls: bundle.crls.len() as u32,
        added: added as u32,
    })
}

/// Removes the trust anchor or CRL with the full SHA-256 `fingerprint`.
pub fn remove_trust(store: &mut Store, fingerprint: &str) -> IpcResult<()> {
    let valid = fingerprint.len() == 64 && fingerprint.bytes().all(|b| b.is_ascii_hexdigit());
    if !valid {
        return Err(IpcError::new(
            ErrorCode::InvalidInput,
            format!(
                "invalid fingerprint {fingerprint:?}; expected the 64 hex digits of a listed entry"
            ),
        ));
    }
    match store.remove_trust(fingerprint)? {
        0 => Err(IpcError::new(
            ErrorCode::NotFound,
            format!("no trust anchor or CRL has the fingerprint {fingerprint}"),
        )),
        _ => {
            tracing::info!("removed a trust anchor or CRL");
            Ok(())
        }
    }
}

/// Re-checks the stored S/MIME messages of the store at `db_path` with its trust store and
/// the keys unlocked in `state`, recording triages run again under `user`.
pub fn recheck(db_path: &Path, state: &SmimeState, user: &str) -> IpcResult<RecheckDto> {
    let mut store = Store::open(db_path)?;
    let session = state.session(&store)?;
    let report = smime_session::recheck(
        &mut store,
        &session,
        &RecheckOptions {
            at: Timestamp::now(),
            user,
        },
    )?;
    Ok(report.into())
}

fn read_file(path: &str, what: &str) -> IpcResult<Vec<u8>> {
    std::fs::read(path).map_err(|err| {
        IpcError::new(
            ErrorCode::Io,
            format!("cannot read the {what} {path}: {err}; choose another file"),
        )
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use regmail::import::{self, ImportOptions};

    use super::*;
    use crate::ipc::smime::{InnerKindDto, RevocationDto, VerdictDto};

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    const STORE_PASSPHRASE: &str = "correct horse battery";

    fn case(relative: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/fixtures/cases")
            .join(relative)
    }

    fn path(relative: &str) -> String {
        case(relative).to_string_lossy().into_owned()
    }

    fn import_message(store: &mut Store, state: &SmimeState, relative: &str) -> TestResult {
        let session = state.session(store)?;
        let plan = import::plan(&[case(relative)])?;
        import::run_with_smime(store, plan, ImportOptions::default(), &session, &mut |_| {})?;
        Ok(())
    }

    fn bob_key_request() -> KeyImportDto {
        KeyImportDto {
            path: path("smime-rsa-oaep-recipient/bob.key"),
            cert_path: Some(path("smime-rsa-oaep-recipient/bob.pem")),
            file_passphrase: None,
            store_passphrase: STORE_PASSPHRASE.to_owned(),
        }
    }

    /// Opens a store in a temporary folder, because unlocking and re-checking open their
    /// own connection.
    fn file_store() -> Result<(tempfile::TempDir, PathBuf, Store), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let db = dir.path().join("regmail.db");
        let store = Store::open(&db)?;
        Ok((dir, db, store))
    }

    #[test]
    fn imported_key_is_listed_locked() -> TestResult {
        let mut store = Store::open_in_memory()?;
        let state = SmimeState::default();

        let stored = import_key(&mut store, bob_key_request())?;

        assert_eq!(stored.len(), 1, "stored");
        assert_eq!(stored[0].addresses, vec!["bob@example.com".to_owned()]);
        let listed = list_keys(&store, &state)?;
        assert_eq!(listed.keys.len(), 1, "listed");
        assert!(
            listed.keys[0].subject.contains("Bob Example"),
            "{}",
            listed.keys[0].subject
        );
        assert!(
            listed.keys[0].not_after.starts_with("2046-"),
            "{}",
            listed.keys[0].not_after
        );
        assert_eq!(listed.unlocked, 0, "nothing unlocked by an import");
        Ok(())
    }

    #[test]
    fn key_import_needs_store_passphrase() -> TestResult {
        let mut store = Store::open_in_memory()?;
        let request = KeyImportDto {
            store_passphrase: String::new(),
            ..bob_key_request()
        };

        let err = import_key(&mut store, request).err().ok_or("accepted")?;

        assert_eq!(err.code, ErrorCode::InvalidInput);
        assert!(err.message.contains("passphrase"), "{}", err.message);
        assert!(store.keys()?.is_empty(), "nothing stored");
        Ok(())
    }

    #[test]
    fn key_import_names_a_missing_file() -> TestResult {
        let mut store = Store::open_in_memory()?;
        let request = KeyImportDto {
            path: "/nonexistent/me.p12".to_owned(),
            ..bob_key_request()
        };

        let err = import_key(&mut store, request).err().ok_or("accepted")?;

        assert_eq!(err.code, ErrorCode::Io);
        assert!(
            err.message.contains("/nonexistent/me.p12"),
            "{}",
            err.message
        );
        Ok(())
    }

    #[test]
    fn key_import_debug_hides_passphrases() {
        let request = KeyImportDto {
            file_passphrase: Some("file-secret".to_owned()),
            ..bob_key_request()
        };
        let printed = format!("{request:?}");
        assert!(!printed.contains("file-secret"), "{printed}");
        assert!(!printed.contains(STORE_PASSPHRASE), "{printed}");
    }

    #[test]
    fn unlock_keeps_keys_until_locked() -> TestResult {
        let (_dir, db, mut store) = file_store()?;
        let state = SmimeState::default();
        import_key(&mut store, bob_key_request())?;

        let wrong = unlock(&db, &state, "wrong")
            .err()
            .ok_or("wrong passphrase accepted")?;
        assert_eq!(wrong.code, ErrorCode::InvalidInput);
        assert!(
            wrong.message.contains("unlocks none of the 1 stored keys"),
            "{}",
            wrong.message
        );
        assert!(!wrong.message.contains("wrong"), "{}", wrong.message);
        assert_eq!(state.unlocked(), 0, "locked after a wrong passphrase");

        let unlocked = unlock(&db, &state, STORE_PASSPHRASE)?;
        assert_eq!(unlocked.unlocked, 1, "unlocked");
        assert_eq!(unlocked.stored, 1, "stored");
        assert_eq!(list_keys(&store, &state)?.unlocked, 1, "listed as unlocked");

        state.lock();
        assert_eq!(state.unlocked(), 0, "locked");
        Ok(())
    }

    #[test]
    fn unlock_without_stored_keys_is_rejected() -> TestResult {
        let (_dir, db, _store) = file_store()?;
        let err = unlock(&db, &SmimeState::default(), STORE_PASSPHRASE)
            .err()
            .ok_or("accepted")?;
        assert_eq!(err.code, ErrorCode::InvalidInput);
        assert!(
            err.message.contains("no keys are stored"),
            "{}",
            err.message
        );
        Ok(())
    }

    #[test]
    fn imports_decrypt_after_unlock() -> TestResult {
        let (_dir, db, mut store) = file_store()?;
        let state = SmimeState::default();
        import_key(&mut store, bob_key_request())?;
        unlock(&db, &state, STORE_PASSPHRASE)?;

        import_message(
            &mut store,
            &state,
            "smime-rsa-oaep-recipient/oaep-sha256.eml",
        )?;

        let smime = message_smime(&store, 1)?.ok_or("no S/MIME result")?;
        assert_eq!(smime.verdict, VerdictDto::EncryptedOnly);
        assert!(smime.decrypted, "decrypted");
        let inner = smime.inner.ok_or("no inner content")?;
        assert_eq!(inner.kind, InnerKindDto::Decrypted);
        assert!(
            inner
                .body_text
                .contains("confidential response for IND 100001"),
            "{}",
            inner.body_text
        );
        assert_eq!(inner.attachments.len(), 1, "inner attachments");
        Ok(())
    }

    #[test]
    fn unreadable_message_names_the_desktop_fix() -> TestResult {
        let mut store = Store::open_in_memory()?;
        import_message(
            &mut store,
            &SmimeState::default(),
            "smime-rsa-oaep-recipient/oaep-sha256.eml",
        )?;

        let smime = message_smime(&store, 1)?.ok_or("no S/MIME result")?;

        assert_eq!(smime.verdict, VerdictDto::Unreadable);
        assert!(smime.inner.is_none(), "no inner content");
        let reason = smime.reasons.first().ok_or("no reason")?;
        assert_eq!(reason.code, "no-matching-recipient");
        assert!(reason.fix.contains("Settings"), "{}", reason.fix);
        Ok(())
    }

    #[test]
    fn signer_details_reach_the_badge() -> TestResult {
        let mut store = Store::open_in_memory()?;
        import_message(
            &mut store,
            &SmimeState::default(),
            "smime-lf-line-endings/message-lf.eml",
        )?;

        let smime = message_smime(&store, 1)?.ok_or("no S/MIME result")?;

        assert_eq!(smime.verdict, VerdictDto::Untrusted);
        assert!(smime.signed, "signed");
        assert!(smime.inner.is_none(), "detached content is the body");
        let signer = smime.signers.first().ok_or("no signer")?;
        assert_eq!(signer.address.as_deref(), Some("alice@example.com"));
        assert!(signer.intact, "intact");
        assert!(!signer.trusted, "trusted");
        assert!(
            matches!(signer.revocation, RevocationDto::NotChecked { .. }),
            "{:?}",
            signer.revocation
        );
        let reason = signer.reasons.first().ok_or("no reason")?;
        assert_eq!(reason.code, "untrusted-root");
        assert!(reason.fix.contains("Settings"), "{}", reason.fix);
        Ok(())
    }

    #[test]
    fn opaque_signature_shows_its_content() -> TestResult {
        let mut store = Store::open_in_memory()?;
        import_message(
            &mut store,
            &SmimeState::default(),
            "smime-opaque-x-pkcs7-mime-signed/message.eml",
        )?;

        let smime = message_smime(&store, 1)?.ok_or("no S/MIME result")?;

        let inner = smime.inner.ok_or("no inner content")?;
        assert_eq!(inner.kind, InnerKindDto::Signed);
        assert!(!inner.body_text.is_empty(), "inner body text");
        Ok(())
    }

    #[test]
    fn trust_anchor_added_then_recheck_verifies() -> TestResult {
        let (_dir, db, mut store) = file_store()?;
        let state = SmimeState::default();
        import_message(&mut store, &state, "smime-lf-line-endings/message-lf.eml")?;

        let added = add_trust(&mut store, &path("smime-lf-line-endings/ca.pem"))?;
        assert_eq!(added.certificates, 1, "certificates");
        assert_eq!(added.added, 1, "added");
        let report = recheck(&db, &state, "dana.whitfield@fda.hhs.gov")?;

        assert_eq!(report.checked, 1, "checked");
        assert_eq!(report.changed.len(), 1, "changed");
        assert_eq!(report.changed[0].after, VerdictDto::Verified);
        let smime = message_smime(&store, 1)?.ok_or("no S/MIME result")?;
        assert_eq!(smime.verdict, VerdictDto::Verified, "saved");
        Ok(())
    }

    #[test]
    fn recheck_after_unlock_decrypts() -> TestResult {
        let (_dir, db, mut store) = file_store()?;
        let state = SmimeState::default();
        import_message(
            &mut store,
            &state,
            "smime-rsa-oaep-recipient/oaep-sha256.eml",
        )?;
        import_key(&mut store, bob_key_request())?;
        unlock(&db, &state, STORE_PASSPHRASE)?;

        let report = recheck(&db, &state, "dana.whitfield@fda.hhs.gov")?;

        assert_eq!(report.now_readable, vec![1], "now readable");
        let smime = message_smime(&store, 1)?.ok_or("no S/MIME result")?;
        assert_eq!(smime.verdict, VerdictDto::EncryptedOnly, "saved");
        Ok(())
    }

    #[test]
    fn trust_entries_are_removed_by_fingerprint() -> TestResult {
        let mut store = Store::open_in_memory()?;
        add_trust(&mut store, &path("smime-lf-line-endings/ca.pem"))?;
        let entries = store.trust_entries()?;
        assert_eq!(entries.len(), 1, "added");

        let short = remove_trust(&mut store, &entries[0].fingerprint[..8])
            .err()
            .ok_or("prefix accepted")?;
        assert_eq!(short.code, ErrorCode::InvalidInput, "prefix");
        remove_trust(&mut store, &entries[0].fingerprint)?;
        assert!(store.trust_entries()?.is_empty(), "removed");
        let again = remove_trust(&mut store, &entries[0].fingerprint)
            .err()
            .ok_or("removed twice")?;
        assert_eq!(again.code, ErrorCode::NotFound, "removed twice");
        Ok(())
    }

    #[test]
    fn trust_file_that_is_not_pki_is_rejected() -> TestResult {
        let mut store = Store::open_in_memory()?;
        let err = add_trust(&mut store, &path("smime-lf-line-endings/part.txt"))
            .err()
            .ok_or("accepted")?;
        assert_eq!(err.code, ErrorCode::InvalidInput);
        assert!(err.message.contains("part.txt"), "{}", err.message);
        Ok(())
    }
}
