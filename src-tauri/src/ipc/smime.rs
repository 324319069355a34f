//! S/MIME as the message screen and the settings show it: the stored result of a message
//! with its decrypted or signed content, the stored keys, the trust store and the result of
//! a re-check. Nothing here carries key material or a passphrase.

use serde::{Deserialize, Serialize};
use specta::Type;

use regmail::message::html;
use regmail::smime::{
    HealthFinding, Layer, Reason, ReasonCode, Revocation, SignedForm, SignerReport, Verdict,
};
use regmail::smime_session::{RecheckReport, Unlocked};
use regmail::store::{StoredKey, StoredSmime, TrustEntry};

use super::message::HtmlBodyDto;

/// The verdict of a message, for its badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "kebab-case")]
pub enum VerdictDto {
    /// Every signer is intact and trusted, and the From address matches.
    Verified,
    /// Intact and trusted, but a signer's certificate does not name the From address.
    AddressMismatch,
    /// Intact, but not every signer is trusted.
    Untrusted,
    /// A digest or signature check failed, or a signed layer is malformed.
    Broken,
    /// Encrypted and not decrypted.
    Unreadable,
    /// Encrypted and decrypted, with no signature inside.
    EncryptedOnly,
    /// No S/MIME layer.
    NotSmime,
}

impl From<Verdict> for VerdictDto {
    fn from(verdict: Verdict) -> VerdictDto {
        match verdict {
            Verdict::Verified => VerdictDto::Verified,
            Verdict::AddressMismatch => VerdictDto::AddressMismatch,
            Verdict::Untrusted => VerdictDto::Untrusted,
            Verdict::Broken => VerdictDto::Broken,
            Verdict::Unreadable => VerdictDto::Unreadable,
            Verdict::EncryptedOnly => VerdictDto::EncryptedOnly,
            Verdict::NotSmime => VerdictDto::NotSmime,
        }
    }
}

/// A named failure with its plain-language text and fix.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ReasonDto {
    /// Stable code (`untrusted-root`, `no-matching-recipient`, …).
    pub code: String,
    /// The failure in plain words.
    pub text: String,
    /// The reviewer's next step, naming the desktop screen where one exists.
    pub fix: String,
}

impl From<&Reason> for ReasonDto {
    fn from(reason: &Reason) -> ReasonDto {
        ReasonDto {
            code: reason.code.as_str().to_owned(),
            text: reason.text.clone(),
            fix: desktop_fix(reason),
        }
    }
}

/// Returns the fix of `reason`, naming the Settings screen where the stored fix names only a
/// command of the command-line tool.
fn desktop_fix(reason: &Reason) -> String {
    match reason.code {
        ReasonCode::UntrustedRoot => "if the sender's certification authority is acceptable, add its root certificate under Settings, S/MIME trust anchors, then re-check; otherwise treat the sender as unverified".to_owned(),
        ReasonCode::NoMatchingRecipient => "import and unlock your key under Settings, S/MIME keys, then re-check; if the sender used another certificate of yours, phone the sponsor within one business day (SOPP 8119 VII.A.1)".to_owned(),
        _ => reason.fix.clone(),
    }
}

/// An Appendix A finding about the sender's setup (SOPP 8119 Appendix A).
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HealthDto {
    /// Stable code (`sha1-signature`, `weak-content-encryption`, …).
    pub code: String,
    /// The finding in plain words.
    pub text: String,
}

impl From<&HealthFinding> for HealthDto {
    fn from(finding: &HealthFinding) -> HealthDto {
        HealthDto {
            code: finding.code.clone(),
            text: finding.text.clone(),
        }
    }
}

/// Revocation state of a signer's certificate. `not-checked` claims nothing.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum RevocationDto {
    /// A current CRL of the issuer does not list the certificate.
    #[serde(rename_all = "camelCase")]
    Good {
        /// The CRL issuer.
        crl_issuer: String,
    },
    /// The issuer's CRL lists the certificate.
    Revoked {
        /// When it was revoked, RFC 3339.
        at: Option<String>,
        /// The CRL reason, when given.
        reason: Option<String>,
    },
    /// No usable CRL was found.
    NotChecked {
        /// Why not.
        why: String,
    },
}

impl From<&Revocation> for RevocationDto {
    fn from(revocation: &Revocation) -> RevocationDto {
        match revocation {
            Revocation::Good { crl_issuer } => RevocationDto::Good {
                crl_issuer: crl_issuer.clone(),
            },
            Revocation::Revoked { at, reason } => RevocationDto::Revoked {
                at: at.map(|t| t.to_string()),
                reason: reason.clone(),
            },
            Revocation::NotChecked { why } => RevocationDto::NotChecked { why: why.clone() },
        }
    }
}

/// The verification result of one signer.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SignerDto {
    /// The address in the certificate that matched From, else its first one.
    pub address: Option<String>,
    /// Certificate subject.
    pub subject: Option<String>,
    /// Certificate issuer.
    pub issuer: Option<String>,
    /// Whether the digest and the signature verify.
    pub intact: bool,
    /// Whether the certificate chains to a trust anchor, was valid at signing time, allows
    /// email signing and is not revoked.
    pub trusted: bool,
    /// Whether the chain was within its validity at the signing time.
    pub valid_at_signing: bool,
    /// Whether the chain is within its validity at the time of the check.
    pub valid_now: bool,
    /// Revocation of the certificate.
    pub revocation: RevocationDto,
    /// Whether the certificate names the From address.
    pub address_matches_from: bool,
    /// The signingTime attribute, RFC 3339.
    pub signing_time: Option<String>,
    /// Signature and digest algorithm (`rsa-pkcs1v15 with sha256`).
    pub algorithm: String,
    /// Every failure, named.
    pub reasons: Vec<ReasonDto>,
}

impl From<&SignerReport> for SignerDto {
    fn from(signer: &SignerReport) -> SignerDto {
        SignerDto {
            address: signer.address.clone(),
            subject: signer.subject.clone(),
            issuer: signer.issuer.clone(),
            intact: signer.intact,
            trusted: signer.trusted,
            valid_at_signing: signer.valid_at_signing,
            valid_now: signer.valid_now,
            revocation: RevocationDto::from(&signer.revocation),
            address_matches_from: signer.address_matches_from,
            signing_time: signer.signing_time.map(|t| t.to_string()),
            algorithm: format!(
                "{} with {}",
                signer.signature_algorithm, signer.digest_algorithm
            ),
            reasons: signer.reasons.iter().map(ReasonDto::from).collect(),
        }
    }
}

/// An attachment of the decrypted or signed content, listed for information.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct InnerAttachmentDto {
    /// File name as sent, for display only.
    pub name: Option<String>,
    /// Media type.
    pub mime_type: String,
    /// Size in bytes.
    pub size: u64,
}

/// The origin of the content inside the S/MIME layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "kebab-case")]
pub enum InnerKindDto {
    /// The plaintext of an encrypted message.
    Decrypted,
    /// The content carried inside an opaque signature.
    Signed,
}

/// The content inside the S/MIME layers, shown beside the message as received.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct InnerContentDto {
    /// The origin of the content.
    pub kind: InnerKindDto,
    /// The text body.
    pub body_text: String,
    /// The HTML body, sanitized as the message body is.
    pub html: Option<HtmlBodyDto>,
    /// Attachments of the content.
    pub attachments: Vec<InnerAttachmentDto>,
}

/// The S/MIME result of a message.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SmimeDto {
    /// The verdict for the badge.
    pub verdict: VerdictDto,
    /// Whether the message has a signature.
    pub signed: bool,
    /// Whether the message was encrypted.
    pub encrypted: bool,
    /// Whether every encrypted layer was decrypted.
    pub decrypted: bool,
    /// Whether an Appendix A finding names a weak algorithm or key (all findings but a
    /// certificate that expires soon).
    pub weak_algorithm: bool,
    /// The signers of every signed layer, outermost first.
    pub signers: Vec<SignerDto>,
    /// Failures of the layers themselves: a malformed signature, or why an encrypted layer
    /// did not open.
    pub reasons: Vec<ReasonDto>,
    /// Appendix A findings.
    pub health: Vec<HealthDto>,
    /// The content encryption algorithm of the outermost encrypted layer.
    pub encryption_algorithm: Option<String>,
    /// Subject of the certificate of the key that decrypted the message.
    pub opened_with: Option<String>,
    /// When the result was computed, RFC 3339.
    pub checked_at: String,
    /// The decrypted content, or the content of an opaque signature; none for a detached
    /// signature, whose content is the message body itself.
    pub inner: Option<InnerContentDto>,
}

impl From<StoredSmime> for SmimeDto {
    fn from(stored: StoredSmime) -> SmimeDto {
        let report = &stored.report;
        let mut reasons = Vec::new();
        let mut encryption_algorithm = None;
        let mut opened_with = None;
        let mut opaque = false;
        for layer in &report.layers {
            match layer {
                Layer::Signed(signed) => {
                    opaque |= signed.form == SignedForm::Opaque;
                    reasons.extend(signed.reasons.iter().map(ReasonDto::from));
                }
                Layer::Encrypted(encrypted) => {
                    reasons.extend(encrypted.reasons.iter().map(ReasonDto::from));
                    if encryption_algorithm.is_none() {
                        // Empty when the algorithm could not be read from a damaged body.
                        encryption_algorithm = Some(encrypted.content_algorithm.clone())
                            .filter(|algorithm| !algorithm.is_empty());
                        opened_with.clone_from(&encrypted.opened_with);
                    }
                }
            }
        }
        let kind = if report.encrypted && report.decrypted {
            Some(InnerKindDto::Decrypted)
        } else if opaque {
            Some(InnerKindDto::Signed)
        } else {
            None
        };
        let inner = kind.and_then(|kind| inner_content(kind, &stored));
        SmimeDto {
            verdict: report.verdict.into(),
            signed: report
                .layers
                .iter()
                .any(|layer| matches!(layer, Layer::Signed(_))),
            encrypted: report.encrypted,
            decrypted: report.decrypted,
            weak_algorithm: report
                .health
                .iter()
                .any(|finding| finding.code != "certificate-expires-soon"),
            signers: report.signers().map(SignerDto::from).collect(),
            reasons,
            health: report.health.iter().map(HealthDto::from).collect(),
            encryption_algorithm,
            opened_with,
            checked_at: stored.checked_at.clone(),
            inner,
        }
    }
}

fn inner_content(kind: InnerKindDto, stored: &StoredSmime) -> Option<InnerContentDto> {
    let summary = stored.content_summary.as_ref()?;
    Some(InnerContentDto {
        kind,
        body_text: summary.body_text.clone(),
        html: stored
            .content
            .as_deref()
            .and_then(html::html_body)
            .map(|body| html::sanitize(&body).into()),
        attachments: summary
            .attachments
            .iter()
            .map(|attachment| InnerAttachmentDto {
                name: attachment.name.clone(),
                mime_type: attachment.mime_type.clone(),
                size: attachment.size,
            })
            .collect(),
    })
}

/// A stored private key, described by its certificate; the key stays sealed.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct StoredKeyDto {
    /// Row id.
    pub id: i64,
    /// Certificate subject.
    pub subject: String,
    /// Email addresses of the certificate.
    pub addresses: Vec<String>,
    /// Certificate expiry, RFC 3339.
    pub not_after: String,
    /// SHA-256 fingerprint of the certificate, hex.
    pub fingerprint: String,
}

impl From<StoredKey> for StoredKeyDto {
    fn from(key: StoredKey) -> StoredKeyDto {
        StoredKeyDto {
            id: key.id,
            subject: key.subject,
            addresses: key.addresses,
            not_after: key.not_after,
            fingerprint: key.fingerprint,
        }
    }
}

/// The stored keys and how many of them are unlocked for this session.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct KeysDto {
    /// The stored keys.
    pub keys: Vec<StoredKeyDto>,
    /// How many keys are unlocked in memory for this session.
    pub unlocked: u32,
}

/// The result of an unlock.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct UnlockDto {
    /// Keys the passphrase unlocked.
    pub unlocked: u32,
    /// Keys stored.
    pub stored: u32,
}

impl From<&Unlocked> for UnlockDto {
    fn from(unlocked: &Unlocked) -> UnlockDto {
        UnlockDto {
            unlocked: unlocked.keys.len() as u32,
            stored: unlocked.stored as u32,
        }
    }
}

/// A key file to import. The passphrases are used once and zeroized; they are never
/// stored, logged or returned.
#[derive(Clone, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct KeyImportDto {
    /// Path of the PKCS#12 (.p12, .pfx) or PEM key file.
    pub path: String,
    /// Path of the certificate, for a PEM key file without one.
    pub cert_path: Option<String>,
    /// The key file's passphrase; none or empty for an unencrypted file.
    pub file_passphrase: Option<String>,
    /// The passphrase to seal the stored key with; unlocks it later.
    pub store_passphrase: String,
}

impl std::fmt::Debug for KeyImportDto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the passphrases.
        f.debug_struct("KeyImportDto")
            .field("path", &self.path)
            .field("cert_path", &self.cert_path)
            .finish_non_exhaustive()
    }
}

/// A trust anchor or CRL.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TrustEntryDto {
    /// `anchor` or `crl`.
    pub kind: String,
    /// SHA-256 of the DER, hex; identifies the entry for removal.
    pub fingerprint: String,
    /// Subject of the certificate, or issuer of the CRL.
    pub subject: String,
    /// When it was added, RFC 3339.
    pub added_at: String,
}

impl From<TrustEntry> for TrustEntryDto {
    fn from(entry: TrustEntry) -> TrustEntryDto {
        TrustEntryDto {
            kind: entry.kind,
            fingerprint: entry.fingerprint,
            subject: entry.subject,
            added_at: entry.added_at,
        }
    }
}

/// The result of adding a trust file.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct TrustAddedDto {
    /// Certificates in the file.
    pub certificates: u32,
    /// CRLs in the file.
    pub crls: u32,
    /// Entries that were not stored before.
    pub added: u32,
}

/// A message whose verdict a re-check changed.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct VerdictChangeDto {
    /// The message id.
    pub id: i64,
    /// The verdict before.
    pub before: VerdictDto,
    /// The verdict now.
    pub after: VerdictDto,
}

/// The result of a re-check of the stored S/MIME messages.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct RecheckDto {
    /// Messages checked again.
    pub checked: u32,
    /// Messages whose verdict changed.
    pub changed: Vec<VerdictChangeDto>,
    /// Messages that became readable.
    pub now_readable: Vec<i64>,
    /// Messages whose saved decision was made again.
    pub retriaged: Vec<i64>,
    /// Messages decrypted before that no unlocked key opens; their result was kept.
    pub kept: Vec<i64>,
}

impl From<RecheckReport> for RecheckDto {
    fn from(report: RecheckReport) -> RecheckDto {
        RecheckDto {
            checked: report.checked as u32,
            changed: report
                .changed
                .iter()
                .map(|change| VerdictChangeDto {
                    id: change.id,
                    before: change.before.into(),
                    after: change.after.into(),
                })
                .collect(),
            now_readable: report.now_readable,
            retriaged: report.retriaged,
            kept: report.kept,
        }
    }
}
