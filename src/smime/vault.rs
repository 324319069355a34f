//! Encryption at rest of the reviewer's private keys.
//!
//! A key is stored as its PKCS#8 DER sealed with AES-256-GCM under a key derived from the
//! reviewer's passphrase with scrypt (RFC 7914). The additional data binds the sealed key
//! to its certificate fingerprint, so a sealed key cannot be moved to another certificate
//! row. The OS keyring is not used: the Secret Service is often absent on Linux desktops
//! and CI, and a sealed blob in the store works the same on every platform.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// scrypt cost used for new keys: N = 2^15, r = 8, p = 1 (32 MiB, the interactive-login
/// setting of RFC 7914 §2).
pub const DEFAULT_LOG_N: u8 = 15;

/// A sealed private key and the parameters needed to open it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedKey {
    /// scrypt log2(N).
    pub log_n: u8,
    /// scrypt r.
    pub r: u32,
    /// scrypt p.
    pub p: u32,
    /// 16 random bytes.
    pub salt: Vec<u8>,
    /// 12 random bytes.
    pub nonce: Vec<u8>,
    /// AES-256-GCM ciphertext with its tag.
    pub ciphertext: Vec<u8>,
}

/// Failure to seal or open a key.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VaultError {
    /// The passphrase is wrong, or the sealed data was changed.
    #[error("the passphrase does not unlock the stored key")]
    WrongPassphrase,
    /// The stored scrypt parameters are invalid.
    #[error("the stored key has invalid scrypt parameters")]
    InvalidParameters,
    /// An empty passphrase was given for sealing.
    #[error("a passphrase is required to store a key; keys are never stored unprotected")]
    EmptyPassphrase,
}

fn derive(
    passphrase: &str,
    salt: &[u8],
    log_n: u8,
    r: u32,
    p: u32,
) -> Result<Zeroizing<[u8; 32]>, VaultError> {
    let params = scrypt::Params::new(log_n, r, p, 32).map_err(|_| VaultError::InvalidParameters)?;
    let mut key = Zeroizing::new([0u8; 32]);
    scrypt::scrypt(passphrase.as_bytes(), salt, &params, key.as_mut())
        .map_err(|_| VaultError::InvalidParameters)?;
    Ok(key)
}

/// Seals `secret` (PKCS#8 DER) for the certificate with SHA-256 fingerprint `binding`.
///
/// # Errors
///
/// [`VaultError::EmptyPassphrase`] for an empty passphrase.
pub fn seal(
    secret: &[u8],
    passphrase: &str,
    binding: &str,
    log_n: u8,
) -> Result<SealedKey, VaultError> {
    if passphrase.is_empty() {
        return Err(VaultError::EmptyPassphrase);
    }
    let mut salt = vec![0u8; 16];
    let mut nonce = vec![0u8; 12];
    OsRng.fill_bytes(&mut salt);
    OsRng.fill_bytes(&mut nonce);
    let (r, p) = (8, 1);
    let key = derive(passphrase, &salt, log_n, r, p)?;
    let cipher = aes_gcm::Aes256Gcm::new_from_slice(key.as_ref()).expect("32-byte key");
    let ciphertext = cipher
        .encrypt(
            aes_gcm::Nonce::from_slice(&nonce),
            Payload {
                msg: secret,
                aad: binding.as_bytes(),
            },
        )
        .expect("AES-GCM encryption of a key does not fail");
    Ok(SealedKey {
        log_n,
        r,
        p,
        salt,
        nonce,
        ciphertext,
    })
}

/// Opens a sealed key.
///
/// # Errors
///
/// [`VaultError::WrongPassphrase`] when the tag does not verify.
pub fn open(
    sealed: &SealedKey,
    passphrase: &str,
    binding: &str,
) -> Result<Zeroizing<Vec<u8>>, VaultError> {
    if sealed.nonce.len() != 12 {
        return Err(VaultError::InvalidParameters);
    }
    let key = derive(passphrase, &sealed.salt, sealed.log_n, sealed.r, sealed.p)?;
    let cipher = aes_gcm::Aes256Gcm::new_from_slice(key.as_ref()).expect("32-byte key");
    cipher
        .decrypt(
            aes_gcm::Nonce::from_slice(&sealed.nonce),
            Payload {
                msg: &sealed.ciphertext,
                aad: binding.as_bytes(),
            },
        )
        .map(Zeroizing::new)
        .map_err(|_| VaultError::WrongPassphrase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_key_opens_with_its_passphrase() {
        let sealed = seal(b"secret key bytes", "correct horse", "fp1", 4).expect("seals");
        let opened = open(&sealed, "correct horse", "fp1").expect("opens");
        assert_eq!(opened.as_slice(), b"secret key bytes");
    }

    #[test]
    fn wrong_passphrase_is_rejected() {
        let sealed = seal(b"secret", "right", "fp1", 4).expect("seals");
        assert_eq!(
            open(&sealed, "wrong", "fp1"),
            Err(VaultError::WrongPassphrase)
        );
    }

    #[test]
    fn sealed_key_is_bound_to_its_certificate() {
        let sealed = seal(b"secret", "right", "fp1", 4).expect("seals");
        assert_eq!(
            open(&sealed, "right", "fp2"),
            Err(VaultError::WrongPassphrase)
        );
    }

    #[test]
    fn ciphertext_does_not_contain_the_secret() {
        let sealed = seal(b"very secret key material", "pw", "fp", 4).expect("seals");
        let found = sealed.ciphertext.windows(11).any(|w| w == b"very secret");
        assert!(!found, "plaintext leaked into the sealed form");
    }

    #[test]
    fn empty_passphrase_is_refused() {
        assert_eq!(
            seal(b"secret", "", "fp", 4),
            Err(VaultError::EmptyPassphrase)
        );
    }
}
