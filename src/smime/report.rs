//! The outcomes of S/MIME processing: per signer, per layer and per message.
//!
//! Outcomes are data, not errors: a bad signature or a missing key is recorded with a
//! named [`ReasonCode`], a plain-language text and a fix, kept in the store and shown to
//! the reviewer. Every type here serializes to JSON for the store, the CLI and the desktop.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Stable code of a signer or decryption failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReasonCode {
    /// The signer's certificate is not in the message and not in the trust store.
    NoSignerCertificate,
    /// The chain ends at a root the user has not chosen to trust, or an issuer is missing.
    UntrustedRoot,
    /// A certificate of the chain had expired at the signing time.
    Expired,
    /// A certificate of the chain was not yet valid at the signing time.
    NotYetValid,
    /// The signature value does not verify with the signer's public key.
    BadSignature,
    /// The content does not hash to the signed message digest.
    DigestMismatch,
    /// An algorithm is unknown or not supported.
    UnsupportedAlgorithm,
    /// The signer's certificate does not name the From address.
    AddressMismatch,
    /// The signer's certificate names no email address at all.
    NoAddress,
    /// The CMS or MIME structure is invalid.
    Malformed,
    /// The signer's certificate is listed on a CRL of its issuer.
    Revoked,
    /// The signer's certificate is not for email protection (extended key usage).
    NoEmailProtection,
    /// The signer's certificate key usage forbids signatures, or an issuer may not sign
    /// certificates.
    KeyUsage,
    /// The issuer chain loops back on itself.
    CircularChain,
    /// No recipient of an encrypted message matches an unlocked key.
    NoMatchingRecipient,
    /// The content key was recovered but the content did not decrypt (wrong key, bad
    /// padding or a key of the wrong size).
    DecryptionFailed,
    /// The authentication tag of AES-GCM content did not verify.
    AuthenticationFailed,
}

impl ReasonCode {
    /// Returns the code as written in JSON and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            ReasonCode::NoSignerCertificate => "no-signer-certificate",
            ReasonCode::UntrustedRoot => "untrusted-root",
            ReasonCode::Expired => "expired",
            ReasonCode::NotYetValid => "not-yet-valid",
            ReasonCode::BadSignature => "bad-signature",
            ReasonCode::DigestMismatch => "digest-mismatch",
            ReasonCode::UnsupportedAlgorithm => "unsupported-algorithm",
            ReasonCode::AddressMismatch => "address-mismatch",
            ReasonCode::NoAddress => "no-address",
            ReasonCode::Malformed => "malformed",
            ReasonCode::Revoked => "revoked",
            ReasonCode::NoEmailProtection => "no-email-protection",
            ReasonCode::KeyUsage => "key-usage",
            ReasonCode::CircularChain => "circular-chain",
            ReasonCode::NoMatchingRecipient => "no-matching-recipient",
            ReasonCode::DecryptionFailed => "decryption-failed",
            ReasonCode::AuthenticationFailed => "authentication-failed",
        }
    }

    /// Returns what the reviewer can do about it.
    pub fn fix(self) -> &'static str {
        match self {
            ReasonCode::NoSignerCertificate => "ask the sender to sign again with the certificate included, or import the sender's certificate",
            ReasonCode::UntrustedRoot => "if the sender's certification authority is acceptable, add its root certificate with `regmail trust add`; otherwise treat the sender as unverified",
            ReasonCode::Expired => "ask the sender to renew the certificate and sign again",
            ReasonCode::NotYetValid => "check the sender's clock and certificate dates; ask the sender to sign again",
            ReasonCode::BadSignature | ReasonCode::DigestMismatch => "the message was changed after signing or the signature is forged; do not rely on it and confirm the content with the sender by phone",
            ReasonCode::UnsupportedAlgorithm => "ask the sender to use RSA or ECDSA signatures with SHA-256 and AES encryption",
            ReasonCode::AddressMismatch => "confirm by phone that the signer is entitled to send for the From address",
            ReasonCode::NoAddress => "ask the sender for a certificate that names the sending address",
            ReasonCode::Malformed => "ask the sender to send the message again; keep the original as received",
            ReasonCode::Revoked => "do not trust this signature; contact the sender by phone",
            ReasonCode::NoEmailProtection => "ask the sender for a certificate issued for email protection (S/MIME)",
            ReasonCode::KeyUsage => "ask the sender for a certificate that allows digital signatures",
            ReasonCode::CircularChain => "ask the sender's certification authority for a proper chain",
            ReasonCode::NoMatchingRecipient => "import and unlock your key with `regmail keys import`; if the sender used another certificate of yours, phone the sponsor within one business day (SOPP 8119 VII.A.1)",
            ReasonCode::DecryptionFailed => "the message cannot be opened with your key; phone the sponsor within one business day and ask them to send it again (SOPP 8119 VII.A.1)",
            ReasonCode::AuthenticationFailed => "the encrypted content was changed in transit; phone the sponsor within one business day and ask them to send it again (SOPP 8119 VII.A.1)",
        }
    }
}

/// A named failure with its plain-language explanation and fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// The stable code.
    pub code: ReasonCode,
    /// Plain-language description of the failure, naming the certificate or algorithm.
    pub text: String,
    /// The action that resolves it.
    pub fix: String,
}

impl Reason {
    /// Creates a reason with the standard fix of its code.
    pub fn new(code: ReasonCode, text: impl Into<String>) -> Self {
        Reason {
            code,
            text: text.into(),
            fix: code.fix().to_owned(),
        }
    }
}

/// Revocation state of the signer's certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Revocation {
    /// A CRL signed by the issuer and current at the checked time does not list the
    /// certificate.
    Good {
        /// The CRL issuer.
        crl_issuer: String,
    },
    /// The issuer's CRL lists the certificate.
    Revoked {
        /// When it was revoked.
        at: Option<Timestamp>,
        /// The CRL reason, when given.
        reason: Option<String>,
    },
    /// No usable CRL was found; nothing is claimed about revocation.
    NotChecked {
        /// Why not.
        why: String,
    },
}

/// An Appendix A finding about the sender's setup (SOPP 8119 Appendix A).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthFinding {
    /// Stable code: `rsa-key-under-2048`, `sha1-signature`, `weak-content-encryption`,
    /// `certificate-expires-soon`.
    pub code: String,
    /// The finding in plain words.
    pub text: String,
}

/// The verification result of one signer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignerReport {
    /// The email address in the signer's certificate that matched From, else the first one.
    pub address: Option<String>,
    /// Every email address the certificate names.
    pub addresses: Vec<String>,
    /// Subject of the signer's certificate (RFC 4514 string), when it was found.
    pub subject: Option<String>,
    /// Issuer of the signer's certificate.
    pub issuer: Option<String>,
    /// Serial number, hex.
    pub serial: Option<String>,
    /// SHA-256 fingerprint of the signer's certificate, hex.
    pub fingerprint: Option<String>,
    /// Digest algorithm name (`sha256`).
    pub digest_algorithm: String,
    /// Signature algorithm name (`rsa-pkcs1v15`, `rsa-pss`, `ecdsa-p256`).
    pub signature_algorithm: String,
    /// The signingTime attribute.
    pub signing_time: Option<Timestamp>,
    /// Whether the digest and the signature verify.
    pub intact: bool,
    /// Whether the certificate chains to a trust anchor, every certificate of the chain was
    /// valid at signing time, its purpose allows email signing and it is not revoked.
    pub trusted: bool,
    /// Whether the chain was within its validity at the signing time (the checked time
    /// when the signature has no signingTime).
    pub valid_at_signing: bool,
    /// Whether the chain is within its validity at the checked time ("now").
    pub valid_now: bool,
    /// Revocation of the signer's certificate.
    pub revocation: Revocation,
    /// Whether the certificate names the From address.
    pub address_matches_from: bool,
    /// Every failure, named.
    pub reasons: Vec<Reason>,
    /// Appendix A findings about this signer.
    pub health: Vec<HealthFinding>,
    /// Subjects of the chain from the signer up to the anchor, when built.
    pub chain: Vec<String>,
    /// Whether the digest matched only after converting bare LF to CRLF (RFC 8551 §3.1.1).
    pub canonicalized: bool,
    /// DER of the signer's certificate, for the secure-partner registry; not serialized.
    #[serde(skip)]
    pub certificate_der: Option<Vec<u8>>,
}

/// The form in which a signed layer carries its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignedForm {
    /// `multipart/signed` with a detached signature (RFC 8551 §3.5.3).
    Detached,
    /// `application/pkcs7-mime; smime-type=signed-data` (RFC 8551 §3.5.2).
    Opaque,
}

/// The result of one signed layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedLayer {
    /// Detached or opaque.
    pub form: SignedForm,
    /// One report per SignerInfo.
    pub signers: Vec<SignerReport>,
    /// Problems of the layer itself (no signers, unreadable CMS).
    pub reasons: Vec<Reason>,
    /// Notes that do not change the outcome (a protocol parameter that differs from the
    /// signature part's type).
    pub notes: Vec<String>,
}

impl SignedLayer {
    /// Returns whether the layer has signers and each one's digest and signature verify.
    pub fn intact(&self) -> bool {
        self.reasons.is_empty() && !self.signers.is_empty() && self.signers.iter().all(|s| s.intact)
    }

    /// Returns whether the layer has signers and each one is trusted.
    pub fn trusted(&self) -> bool {
        self.reasons.is_empty()
            && !self.signers.is_empty()
            && self.signers.iter().all(|s| s.trusted)
    }
}

/// The result of one encrypted layer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EncryptedLayer {
    /// `enveloped-data` or `auth-enveloped-data`.
    pub kind: String,
    /// The content encryption algorithm (`aes-256-cbc`, `aes-128-gcm`, `des-ede3-cbc`).
    pub content_algorithm: String,
    /// The recipients the message was encrypted to, as `issuer / serial` or `ski:…`.
    pub recipients: Vec<String>,
    /// Whether it was decrypted.
    pub decrypted: bool,
    /// The key that opened it: subject of the matching certificate.
    pub opened_with: Option<String>,
    /// The reasons it was not decrypted.
    pub reasons: Vec<Reason>,
    /// Appendix A findings (3DES or RC2 content encryption).
    pub health: Vec<HealthFinding>,
}

/// One S/MIME layer, outermost first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "layer", rename_all = "kebab-case")]
pub enum Layer {
    /// A signature.
    Signed(SignedLayer),
    /// An encryption.
    Encrypted(EncryptedLayer),
}

/// The overall verdict of a message, for the badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// No S/MIME layer.
    NotSmime,
    /// Encrypted and not decrypted; the content is unreadable.
    Unreadable,
    /// Signed; every signer is intact and trusted and the From address matches.
    Verified,
    /// Intact and trusted, but a signer's certificate does not name the From address.
    AddressMismatch,
    /// Intact, but not every signer is trusted.
    Untrusted,
    /// A digest or signature check failed, or a signed layer is malformed.
    Broken,
    /// Encrypted and decrypted, with no signature inside.
    EncryptedOnly,
}

/// Everything found about the S/MIME protection of one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmimeReport {
    /// The verdict for the badge.
    pub verdict: Verdict,
    /// Whether the message has a signed layer and every signer's digest and signature
    /// verify.
    pub intact: bool,
    /// Whether the message has a signed layer and every signer is trusted.
    pub trusted: bool,
    /// Whether the message was encrypted.
    pub encrypted: bool,
    /// Whether every encrypted layer was decrypted.
    pub decrypted: bool,
    /// The layers, outermost first.
    pub layers: Vec<Layer>,
    /// Appendix A findings for the whole message.
    pub health: Vec<HealthFinding>,
    /// The time the chains were checked at ("now").
    pub checked_at: Timestamp,
    /// The From address the signers were compared with.
    pub from: Option<String>,
}

impl SmimeReport {
    /// Returns every signer of every signed layer, outermost first.
    pub fn signers(&self) -> impl Iterator<Item = &SignerReport> {
        self.layers.iter().flat_map(|layer| match layer {
            Layer::Signed(signed) => signed.signers.as_slice(),
            Layer::Encrypted(_) => &[],
        })
    }

    /// Returns the reasons an encrypted layer could not be opened, if one could not.
    pub fn unreadable_reasons(&self) -> Vec<&Reason> {
        self.layers
            .iter()
            .filter_map(|layer| match layer {
                Layer::Encrypted(encrypted) if !encrypted.decrypted => Some(&encrypted.reasons),
                _ => None,
            })
            .flatten()
            .collect()
    }
}
