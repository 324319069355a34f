//! S/MIME: verifying signed and decrypting encrypted mail (RFC 8551, RFC 5652) with the
//! RustCrypto `cms` and `x509-cert` crates.
//!
//! [`process`] walks the protective layers of a message from the outside in. A
//! `multipart/signed` or opaque signed-data layer is verified, and its content becomes the
//! next layer. An enveloped layer is decrypted with the unlocked keys, and its plaintext
//! becomes the next layer. The result is an [`SmimeReport`] with a result per signer, per
//! layer and for the message, and the innermost content as a MIME entity of its own. The
//! message bytes are never changed.
//!
//! This module does no I/O of its own: trust anchors, CRLs and keys are passed in, and
//! storing results, keys and trust settings is the store's job. Key material is never
//! logged.

pub mod algorithms;
pub mod ber;
pub mod certs;
pub mod decrypt;
pub mod keys;
pub mod mime;
pub mod report;
pub mod vault;
pub mod verify;

use jiff::Timestamp;

pub use certs::{read_bundle, Bundle, Cert, Crl};
pub use keys::{read_key_file, KeyError, KeyPair, PrivateKey};
pub use report::{
    EncryptedLayer, HealthFinding, Layer, Reason, ReasonCode, Revocation, SignedForm, SignedLayer,
    SignerReport, SmimeReport, Verdict,
};

use mime::{Entity, Protection};

/// Deepest nesting of protective layers followed; triple wrapping needs three.
const MAX_LAYERS: usize = 8;

/// The certificates and CRLs the user chose to rely on.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    /// Trust anchors: chains must end at one of these.
    pub anchors: Vec<Cert>,
    /// Other certificates that may complete a chain (intermediates), not trusted as such.
    pub certs: Vec<Cert>,
    /// CRLs to check revocation with.
    pub crls: Vec<Crl>,
}

impl TrustStore {
    /// Adds everything in `bundle`: certificates as anchors, CRLs as CRLs.
    pub fn add_anchors(&mut self, bundle: Bundle) {
        self.anchors.extend(bundle.certs);
        self.crls.extend(bundle.crls);
    }
}

/// The inputs of [`process`]: trust store, keys and time.
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    /// Trust anchors, intermediates and CRLs.
    pub trust: &'a TrustStore,
    /// Unlocked keys for decryption.
    pub keys: &'a [KeyPair],
    /// The time validity is checked at "now".
    pub at: Timestamp,
}

/// The result of [`process`].
#[derive(Debug, Clone)]
pub struct Processed {
    /// The S/MIME result.
    pub report: SmimeReport,
    /// The innermost content as a MIME entity (headers and body), when at least one layer
    /// was opened: the signed content, or the decrypted plaintext.
    pub content: Option<Vec<u8>>,
    /// The plaintext of the outermost encrypted layer, when it was decrypted.
    pub decrypted: Option<Vec<u8>>,
}

/// Verifies and decrypts the S/MIME layers of `message` (an RFC 5322 message or a bare
/// MIME entity).
pub fn process(message: &[u8], options: &Options<'_>) -> Processed {
    let message = strip_envelope_line(message);
    let from = from_address(message);
    let context = verify::VerifyContext {
        trust: options.trust,
        at: options.at,
        from: from.as_deref(),
    };

    let mut layers = Vec::new();
    let mut current: Vec<u8> = message.to_vec();
    let mut opened = false;
    let mut decrypted = None;
    while layers.len() < MAX_LAYERS {
        let entity = Entity::parse(&current);
        let next = match mime::protection(&entity) {
            Protection::MultipartSigned => {
                let (layer, content) = detached_layer(&entity, &context);
                layers.push(Layer::Signed(layer));
                content
            }
            Protection::Pkcs7Mime => {
                let (layer, content) = pkcs7_mime_layer(&entity, &context, options.keys);
                if matches!(layer, Layer::Encrypted(_)) && decrypted.is_none() {
                    decrypted.clone_from(&content);
                }
                layers.push(layer);
                content
            }
            Protection::LoneSignature => {
                layers.push(Layer::Signed(SignedLayer {
                    form: SignedForm::Detached,
                    signers: Vec::new(),
                    reasons: vec![Reason::new(
                        ReasonCode::Malformed,
                        "the message is a detached signature alone, without the content it signs",
                    )],
                    notes: Vec::new(),
                }));
                None
            }
            // A wrapped message inside a protective layer is followed (RFC 8551 §3.1);
            // an ordinary forwarded message at the top is not a layer.
            Protection::Message if opened => Some(entity.decoded_body()),
            Protection::Message | Protection::None => None,
        };
        match next {
            Some(content) => {
                current = content;
                opened = true;
            }
            None => break,
        }
    }

    let report = summarize(layers, from, options.at);
    tracing::debug!(verdict = ?report.verdict, layers = report.layers.len(), "processed S/MIME layers");
    Processed {
        report,
        content: opened.then_some(current),
        decrypted,
    }
}

fn detached_layer(
    entity: &Entity<'_>,
    context: &verify::VerifyContext<'_>,
) -> (SignedLayer, Option<Vec<u8>>) {
    let mut layer = SignedLayer {
        form: SignedForm::Detached,
        signers: Vec::new(),
        reasons: Vec::new(),
        notes: Vec::new(),
    };
    let parts = match mime::split_multipart(entity) {
        Ok(parts) if parts.len() >= 2 => parts,
        Ok(parts) => {
            layer.reasons.push(Reason::new(
                ReasonCode::Malformed,
                format!(
                    "multipart/signed has {} body part, not 2 (content and signature)",
                    parts.len()
                ),
            ));
            return (layer, parts.first().map(|p| p.to_vec()));
        }
        Err(problem) => {
            layer.reasons.push(Reason::new(
                ReasonCode::Malformed,
                format!("multipart/signed cannot be split: {problem}"),
            ));
            return (layer, None);
        }
    };
    let content = parts[0];
    let signature_part = Entity::parse(parts[1]);
    let signature_type = signature_part.media_type();
    let protocol = entity
        .content_type_param("protocol")
        .map(|p| p.to_ascii_lowercase());
    if !matches!(
        signature_type.as_str(),
        "application/pkcs7-signature" | "application/x-pkcs7-signature"
    ) {
        layer.reasons.push(Reason::new(
            ReasonCode::Malformed,
            format!(
                "the second part of multipart/signed is {signature_type}, not an S/MIME signature"
            ),
        ));
        return (layer, Some(content.to_vec()));
    }
    if let Some(protocol) = protocol.filter(|p| *p != signature_type) {
        layer.notes.push(format!(
            "the protocol parameter {protocol} differs from the signature part's type {signature_type}; both name S/MIME signatures"
        ));
    }

    match read_cms(&signature_part.decoded_body()) {
        Ok(der) => match verify::signed_data_parts(&der) {
            Ok(parts) => {
                if parts.econtent.is_some() {
                    layer.notes.push(
                        "the detached signature also encapsulates content; the first body part was verified, as RFC 8551 §3.5.3 requires"
                            .to_owned(),
                    );
                }
                layer.signers = verify::verify_signers(&parts, Some(content), context);
                if layer.signers.is_empty() {
                    layer.reasons.push(Reason::new(
                        ReasonCode::Malformed,
                        "the signature has no signers",
                    ));
                }
            }
            Err(err) => layer.reasons.push(Reason::new(
                ReasonCode::Malformed,
                format!("the signature is not valid CMS SignedData: {err}"),
            )),
        },
        Err(reason) => layer.reasons.push(reason),
    }
    (layer, Some(content.to_vec()))
}

fn pkcs7_mime_layer(
    entity: &Entity<'_>,
    context: &verify::VerifyContext<'_>,
    keys: &[KeyPair],
) -> (Layer, Option<Vec<u8>>) {
    // A body that cannot be read is reported as the kind of layer it claims to be: a
    // damaged encrypted message is unreadable (SOPP 8119 VII.A.1), not a broken signature.
    let claimed = claimed_encryption(entity);
    let malformed = |text: String| match claimed {
        Some(kind) => Layer::Encrypted(EncryptedLayer {
            kind: kind.to_owned(),
            content_algorithm: String::new(),
            recipients: Vec::new(),
            decrypted: false,
            opened_with: None,
            reasons: vec![Reason::new(ReasonCode::Malformed, text)],
            health: Vec::new(),
        }),
        None => Layer::Signed(SignedLayer {
            form: SignedForm::Opaque,
            signers: Vec::new(),
            reasons: vec![Reason::new(ReasonCode::Malformed, text)],
            notes: Vec::new(),
        }),
    };
    let der = match read_cms(&entity.decoded_body()) {
        Ok(der) => der,
        Err(reason) => return (malformed(reason.text), None),
    };
    let content_type = match verify::content_info(&der) {
        Ok((content_type, _)) => content_type,
        Err(err) => {
            return (
                malformed(format!("the S/MIME body is not valid CMS: {err}")),
                None,
            )
        }
    };
    // The CMS content type decides, not the smime-type parameter, which some senders
    // get wrong (a .NET client labels EnvelopedData as signed-data).
    if decrypt::is_encrypted_type(&content_type) {
        let decryption = decrypt::decrypt(&der, keys);
        return (Layer::Encrypted(decryption.layer), decryption.plaintext);
    }
    if content_type != algorithms::oid::SIGNED_DATA {
        return (
            malformed(format!(
                "the S/MIME body holds {}, which is neither signed nor encrypted data",
                algorithms::oid_name(&content_type)
            )),
            None,
        );
    }
    let mut layer = SignedLayer {
        form: SignedForm::Opaque,
        signers: Vec::new(),
        reasons: Vec::new(),
        notes: Vec::new(),
    };
    let parts = match verify::signed_data_parts(&der) {
        Ok(parts) => parts,
        Err(err) => {
            layer.reasons.push(Reason::new(
                ReasonCode::Malformed,
                format!("the signed data is not valid CMS: {err}"),
            ));
            return (Layer::Signed(layer), None);
        }
    };
    if parts.econtent.is_none() {
        layer.reasons.push(Reason::new(
            ReasonCode::Malformed,
            "the signed data carries no content (certificates only, or a detached signature sent alone)",
        ));
        return (Layer::Signed(layer), None);
    }
    layer.signers = verify::verify_signers(&parts, None, context);
    if layer.signers.is_empty() {
        layer.reasons.push(Reason::new(
            ReasonCode::Malformed,
            "the signed data has no signers",
        ));
    }
    (Layer::Signed(layer), parts.econtent)
}

/// DER of the OIDs of EnvelopedData (RFC 5652 §6) and AuthEnvelopedData (RFC 5083).
const ENVELOPED_OID_DER: &[u8] = &[
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03,
];
const AUTH_ENVELOPED_OID_DER: &[u8] = &[
    0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x17,
];

/// Returns `enveloped-data` or `auth-enveloped-data` when `entity` claims to be encrypted,
/// by its `smime-type` parameter or by the content type at the start of its CMS body.
fn claimed_encryption(entity: &Entity<'_>) -> Option<&'static str> {
    let smime_type = entity
        .content_type_param("smime-type")
        .map(|t| t.to_ascii_lowercase());
    match smime_type.as_deref() {
        Some("enveloped-data") => return Some("enveloped-data"),
        Some("authenveloped-data" | "auth-enveloped-data") => return Some("auth-enveloped-data"),
        _ => {}
    }
    let body = entity.decoded_body();
    let binary = if body.first() == Some(&0x30) {
        body
    } else {
        mime::decode_base64(body.trim_ascii())?
    };
    // The content type OID follows the outer SEQUENCE header, within the first 8 bytes.
    let head = &binary[..binary.len().min(8 + AUTH_ENVELOPED_OID_DER.len())];
    let contains = |oid: &[u8]| head.windows(oid.len()).any(|w| w == oid);
    if contains(ENVELOPED_OID_DER) {
        Some("enveloped-data")
    } else if contains(AUTH_ENVELOPED_OID_DER) {
        Some("auth-enveloped-data")
    } else {
        None
    }
}

/// Normalizes a CMS body to DER. Bodies sent as base64 without a transfer encoding
/// header are decoded too.
fn read_cms(body: &[u8]) -> Result<Vec<u8>, Reason> {
    let binary = if body.first() == Some(&0x30) {
        body.to_vec()
    } else {
        mime::decode_base64(body.trim_ascii())
            .filter(|decoded| decoded.first() == Some(&0x30))
            .ok_or_else(|| {
                Reason::new(
                    ReasonCode::Malformed,
                    "the S/MIME body is neither DER nor base64 CMS",
                )
            })?
    };
    ber::normalize(&binary).map_err(|err| {
        Reason::new(
            ReasonCode::Malformed,
            format!("the CMS encoding is invalid: {err}"),
        )
    })
}

fn summarize(layers: Vec<Layer>, from: Option<String>, at: Timestamp) -> SmimeReport {
    let signed: Vec<&SignedLayer> = layers
        .iter()
        .filter_map(|l| match l {
            Layer::Signed(s) => Some(s),
            Layer::Encrypted(_) => None,
        })
        .collect();
    let encrypted: Vec<&EncryptedLayer> = layers
        .iter()
        .filter_map(|l| match l {
            Layer::Encrypted(e) => Some(e),
            Layer::Signed(_) => None,
        })
        .collect();
    let intact = !signed.is_empty() && signed.iter().all(|s| s.intact());
    let trusted = !signed.is_empty() && signed.iter().all(|s| s.trusted());
    let decrypted = encrypted.iter().all(|e| e.decrypted);
    let address_ok = signed
        .iter()
        .flat_map(|s| &s.signers)
        .all(|s| s.address_matches_from);

    let verdict = if layers.is_empty() {
        Verdict::NotSmime
    } else if !decrypted {
        Verdict::Unreadable
    } else if signed.is_empty() {
        Verdict::EncryptedOnly
    } else if !intact {
        Verdict::Broken
    } else if !trusted {
        Verdict::Untrusted
    } else if !address_ok {
        Verdict::AddressMismatch
    } else {
        Verdict::Verified
    };

    let mut health: Vec<HealthFinding> = Vec::new();
    let all_findings = signed
        .iter()
        .flat_map(|s| s.signers.iter().flat_map(|signer| signer.health.iter()))
        .chain(encrypted.iter().flat_map(|e| e.health.iter()));
    for finding in all_findings {
        if !health.contains(finding) {
            health.push(finding.clone());
        }
    }

    SmimeReport {
        verdict,
        intact,
        trusted,
        encrypted: !encrypted.is_empty(),
        decrypted: !encrypted.is_empty() && decrypted,
        layers,
        health,
        checked_at: at,
        from,
    }
}

/// Returns the address of the first From mailbox, lowercased.
fn from_address(message: &[u8]) -> Option<String> {
    let parsed = mail_parser::MessageParser::default().parse_headers(message)?;
    let address = parsed.from()?.first()?.address()?;
    Some(address.trim().to_ascii_lowercase())
}

/// Skips an mbox `From ` line at the start, as [`crate::message::parse`] does.
fn strip_envelope_line(bytes: &[u8]) -> &[u8] {
    if !bytes.starts_with(b"From ") {
        return bytes;
    }
    match memchr::memchr(b'\n', bytes) {
        Some(end) => &bytes[end + 1..],
        None => &bytes[bytes.len()..],
    }
}

/// Returns whether `message` has an S/MIME layer at the top, without verifying anything.
pub fn is_smime(message: &[u8]) -> bool {
    let entity = Entity::parse(strip_envelope_line(message));
    !matches!(
        mime::protection(&entity),
        Protection::None | Protection::Message
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds an S/MIME message whose body is `body`, sent as binary, with the given smime-type.
    fn message(smime_type: &str, body: &[u8]) -> Vec<u8> {
        let mut message = format!(
            "From: a@example.com\r\nContent-Type: application/pkcs7-mime; smime-type={smime_type}; name=smime.p7m\r\nContent-Transfer-Encoding: binary\r\n\r\n"
        )
        .into_bytes();
        message.extend_from_slice(body);
        message
    }

    fn verdict_of(message: &[u8]) -> SmimeReport {
        let trust = TrustStore::default();
        let options = Options {
            trust: &trust,
            keys: &[],
            at: Timestamp::now(),
        };
        process(message, &options).report
    }

    #[test]
    fn damaged_encrypted_body_is_unreadable() {
        // A ContentInfo header, the EnvelopedData OID, then a length field that cannot be.
        let mut damaged = vec![0x30, 0x82, 0x09, 0x6f];
        damaged.extend_from_slice(ENVELOPED_OID_DER);
        damaged.extend_from_slice(&[0xa0, 0x89, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
        let cases: [(&str, &[u8], Verdict, bool); 4] = [
            ("enveloped-data", &damaged, Verdict::Unreadable, true),
            ("signed-data", &damaged, Verdict::Unreadable, true),
            (
                "enveloped-data",
                b"not CMS at all",
                Verdict::Unreadable,
                true,
            ),
            ("signed-data", b"not CMS at all", Verdict::Broken, false),
        ];
        for (smime_type, body, verdict, encrypted) in cases {
            let report = verdict_of(&message(smime_type, body));
            assert_eq!(report.verdict, verdict, "{smime_type}: verdict");
            assert_eq!(report.encrypted, encrypted, "{smime_type}: encrypted");
            let codes: Vec<ReasonCode> = report
                .layers
                .iter()
                .flat_map(|layer| match layer {
                    Layer::Signed(signed) => signed.reasons.iter(),
                    Layer::Encrypted(encrypted) => encrypted.reasons.iter(),
                })
                .map(|reason| reason.code)
                .collect();
            assert!(
                codes.contains(&ReasonCode::Malformed),
                "{smime_type}: malformed reason in {codes:?}"
            );
        }
    }
}
