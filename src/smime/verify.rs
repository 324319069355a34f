//! Verification of CMS SignedData (RFC 5652 §5) for S/MIME (RFC 8551, RFC 8550).
//!
//! Each SignerInfo is checked in turn. The message digest is computed over the content as
//! received, and over its CRLF-canonical form when that fails (RFC 8551 §3.1.1). Then come
//! the signed attributes and the signature. The certificate chain must reach one of the
//! user's trust anchors and be valid at the signing time; validity at the checked time is
//! reported apart. Key usage, emailProtection, revocation by CRL and the signer's address
//! against From follow. Each failure becomes a named [`Reason`].

use cms::signed_data::{EncapsulatedContentInfo, SignerIdentifier, SignerInfo};
use const_oid::ObjectIdentifier;
use der::asn1::{OctetString, SetOfVec};
use der::Decode;
use jiff::{SignedDuration, Timestamp};
use x509_cert::attr::Attribute;

use super::algorithms::{self, oid, oid_name, AlgorithmError, DigestAlgorithm, PublicKey};
use super::ber::{self, BerError};
use super::certs::{self, Cert, Crl, ANY_EXTENDED_KEY_USAGE, EMAIL_PROTECTION};
use super::mime::canonicalize_line_endings;
use super::report::{HealthFinding, Reason, ReasonCode, Revocation, SignerReport};
use super::TrustStore;

/// Maximum number of certificates in an issuer chain.
const MAX_CHAIN: usize = 10;

/// The parts of a SignedData, with the raw bytes that signatures cover.
#[derive(Debug, Clone)]
pub struct SignedDataParts {
    /// The encapsulated content info.
    pub encap: EncapsulatedContentInfo,
    /// The eContent octets, when the content is encapsulated.
    pub econtent: Option<Vec<u8>>,
    /// Certificates carried in the message.
    pub certs: Vec<Cert>,
    /// CRLs carried in the message.
    pub crls: Vec<Crl>,
    /// SignerInfos in message order, each with the DER of its signed attributes.
    pub signers: Vec<RawSigner>,
}

/// One SignerInfo with the exact DER of its signed attributes re-tagged as a SET, which
/// is what the signature covers (RFC 5652 §5.4).
#[derive(Debug, Clone)]
pub struct RawSigner {
    /// The decoded SignerInfo.
    pub info: SignerInfo,
    /// DER of the signed attributes with the SET tag, when present.
    pub signed_attrs_der: Option<Vec<u8>>,
}

/// Failure to read a SignedData.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StructureError {
    /// The BER is invalid.
    #[error(transparent)]
    Ber(#[from] BerError),
    /// A field did not decode.
    #[error("invalid {what}: {detail}")]
    Field {
        /// The field.
        what: &'static str,
        /// The decoder's message.
        detail: String,
    },
    /// The ContentInfo contains another content type.
    #[error("the CMS content is {found}, not {expected}")]
    ContentType {
        /// The expected content type.
        expected: &'static str,
        /// The content type found.
        found: String,
    },
}

fn field(what: &'static str) -> impl Fn(der::Error) -> StructureError {
    move |err| StructureError::Field {
        what,
        detail: err.to_string(),
    }
}

/// Splits a DER ContentInfo (RFC 5652 §3) into its content type and the content element.
///
/// # Errors
///
/// [`StructureError`] when the bytes are not a ContentInfo.
pub fn content_info(der: &[u8]) -> Result<(ObjectIdentifier, ber::Tlv<'_>), StructureError> {
    let (outer, _) = ber::read_der(der)?;
    let children = outer.children()?;
    let [oid_tlv, explicit] = children.as_slice() else {
        return Err(StructureError::Field {
            what: "ContentInfo",
            detail: format!("expected 2 elements, found {}", children.len()),
        });
    };
    let content_type = ObjectIdentifier::from_der(oid_tlv.raw).map_err(field("content type"))?;
    let (content, _) = ber::read_der(explicit.value)?;
    Ok((content_type, content))
}

/// Reads a DER ContentInfo holding SignedData, keeping raw bytes where signatures need them.
///
/// # Errors
///
/// [`StructureError`] when it is not a readable SignedData.
pub fn signed_data_parts(der: &[u8]) -> Result<SignedDataParts, StructureError> {
    let (content_type, content) = content_info(der)?;
    if content_type != oid::SIGNED_DATA {
        return Err(StructureError::ContentType {
            expected: "signed-data",
            found: oid_name(&content_type),
        });
    }
    let children = content.children()?;
    if children.len() < 4 {
        return Err(StructureError::Field {
            what: "SignedData",
            detail: format!("expected at least 4 elements, found {}", children.len()),
        });
    }
    let encap = EncapsulatedContentInfo::from_der(children[2].raw)
        .map_err(field("EncapsulatedContentInfo"))?;
    let econtent = match &encap.econtent {
        Some(any) => Some(
            any.decode_as::<OctetString>()
                .map_err(field("eContent"))?
                .as_bytes()
                .to_vec(),
        ),
        None => None,
    };

    let mut certs = Vec::new();
    let mut crls = Vec::new();
    for optional in &children[3..children.len() - 1] {
        match optional.tag {
            0xa0 => {
                for cert in optional.children()? {
                    // Attribute certificates and other formats ([1], [2], [3]) are skipped.
                    if cert.tag == 0x30 {
                        if let Ok(cert) = Cert::from_der(cert.raw) {
                            certs.push(cert);
                        } else {
                            tracing::warn!(
                                "a certificate in the message could not be decoded and was skipped"
                            );
                        }
                    }
                }
            }
            0xa1 => {
                for crl in optional.children()? {
                    if crl.tag == 0x30 {
                        if let Ok(crl) = Crl::from_der(crl.raw) {
                            crls.push(crl);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    let signer_set = children.last().expect("at least 4 elements");
    let mut signers = Vec::new();
    for raw in signer_set.children()? {
        let info = SignerInfo::from_der(raw.raw).map_err(field("SignerInfo"))?;
        let signed_attrs_der = raw
            .children()?
            .into_iter()
            .find(|child| child.tag == 0xa0)
            .map(|attrs| {
                let mut der = attrs.raw.to_vec();
                der[0] = 0x31;
                der
            });
        signers.push(RawSigner {
            info,
            signed_attrs_der,
        });
    }
    Ok(SignedDataParts {
        encap,
        econtent,
        certs,
        crls,
        signers,
    })
}

/// The trust settings, time and From address a verification uses.
#[derive(Debug, Clone, Copy)]
pub struct VerifyContext<'a> {
    /// Trust anchors, extra certificates and CRLs the user chose.
    pub trust: &'a TrustStore,
    /// The time to check validity "now" at.
    pub at: Timestamp,
    /// The From address of the message, lowercased.
    pub from: Option<&'a str>,
}

/// Verifies every signer of `parts` over `detached` content, or over the eContent when
/// `detached` is `None`.
pub fn verify_signers(
    parts: &SignedDataParts,
    detached: Option<&[u8]>,
    context: &VerifyContext<'_>,
) -> Vec<SignerReport> {
    let content = detached.or(parts.econtent.as_deref());
    let mut pool: Vec<&Cert> = parts.certs.iter().collect();
    pool.extend(context.trust.certs.iter());
    let crls: Vec<&Crl> = parts.crls.iter().chain(context.trust.crls.iter()).collect();
    parts
        .signers
        .iter()
        .map(|signer| verify_signer(signer, &parts.encap, content, &pool, &crls, context))
        .collect()
}

fn blank_report(signer: &SignerInfo) -> SignerReport {
    SignerReport {
        address: None,
        addresses: Vec::new(),
        subject: None,
        issuer: None,
        serial: None,
        fingerprint: None,
        digest_algorithm: DigestAlgorithm::from_oid(&signer.digest_alg.oid)
            .map(|d| d.name().to_owned())
            .unwrap_or_else(|| oid_name(&signer.digest_alg.oid)),
        signature_algorithm: oid_name(&signer.signature_algorithm.oid),
        signing_time: None,
        intact: false,
        trusted: false,
        valid_at_signing: false,
        valid_now: false,
        revocation: Revocation::NotChecked {
            why: "the certificate chain was not checked".to_owned(),
        },
        address_matches_from: false,
        reasons: Vec::new(),
        health: Vec::new(),
        chain: Vec::new(),
        canonicalized: false,
        certificate_der: None,
    }
}

fn verify_signer(
    signer: &RawSigner,
    encap: &EncapsulatedContentInfo,
    content: Option<&[u8]>,
    pool: &[&Cert],
    crls: &[&Crl],
    context: &VerifyContext<'_>,
) -> SignerReport {
    let info = &signer.info;
    let mut report = blank_report(info);
    let attrs = info.signed_attrs.as_ref();
    report.signing_time = attrs.and_then(signing_time);

    let cert = find_signer_cert(&info.sid, pool, &context.trust.anchors);
    if let Some(cert) = cert {
        describe_cert(&mut report, cert, context.from);
    } else {
        report.reasons.push(Reason::new(
            ReasonCode::NoSignerCertificate,
            format!(
                "the signer's certificate ({}) is not in the message or the trust store",
                describe_sid(&info.sid)
            ),
        ));
    }

    report.intact = check_integrity(&mut report, signer, encap, content, cert);

    if let Some(cert) = cert {
        check_trust(&mut report, cert, pool, crls, context);
        check_address(&mut report, context.from);
        report.health.extend(health_of(cert, info, context.at));
    }
    report
}

/// Checks the message digest, the content-type attribute and the signature, returning
/// whether all hold. Failures are added to the report's reasons.
fn check_integrity(
    report: &mut SignerReport,
    signer: &RawSigner,
    encap: &EncapsulatedContentInfo,
    content: Option<&[u8]>,
    cert: Option<&Cert>,
) -> bool {
    let info = &signer.info;
    let Some(digest) = DigestAlgorithm::from_oid(&info.digest_alg.oid) else {
        report.reasons.push(Reason::new(
            ReasonCode::UnsupportedAlgorithm,
            format!(
                "the digest algorithm {} is not supported",
                oid_name(&info.digest_alg.oid)
            ),
        ));
        return false;
    };
    let Some(content) = content else {
        report.reasons.push(Reason::new(
            ReasonCode::Malformed,
            "the signature has no content: it is detached and the signed part is missing",
        ));
        return false;
    };
    let (scheme, signature_digest) =
        match algorithms::signature_scheme(&info.signature_algorithm, Some(digest)) {
            Ok(resolved) => resolved,
            Err(err) => {
                report.reasons.push(algorithm_reason(&err, "signature"));
                return false;
            }
        };
    let key = cert.map(Cert::public_key);
    report.signature_algorithm = scheme.name(key.as_ref().and_then(|k| k.as_ref().ok()));

    // The bytes the signature covers: the signed attributes, or the content itself.
    let signed_bytes: std::borrow::Cow<'_, [u8]> =
        match (&signer.signed_attrs_der, info.signed_attrs.as_ref()) {
            (Some(der), Some(attrs)) => {
                if !check_signed_attributes(report, attrs, encap, digest, content) {
                    return false;
                }
                std::borrow::Cow::Borrowed(der.as_slice())
            }
            _ => std::borrow::Cow::Borrowed(content),
        };

    let Some(key) = key else {
        return false;
    };
    let key = match key {
        Ok(key) => key,
        Err(err) => {
            report.reasons.push(algorithm_reason(&err, "signer key"));
            return false;
        }
    };
    let signature = info.signature.as_bytes();
    let mut result =
        algorithms::verify_signature(&key, scheme, signature_digest, &signed_bytes, signature);
    if result.is_err() && signer.signed_attrs_der.is_none() {
        let canonical = canonicalize_line_endings(content);
        if canonical.as_slice() != content
            && algorithms::verify_signature(&key, scheme, signature_digest, &canonical, signature)
                .is_ok()
        {
            report.canonicalized = true;
            result = Ok(());
        }
    }
    match result {
        Ok(()) => true,
        Err(AlgorithmError::BadSignature) => {
            report.reasons.push(Reason::new(
                ReasonCode::BadSignature,
                format!(
                    "the {} signature does not verify with the signer's public key",
                    report.signature_algorithm
                ),
            ));
            false
        }
        Err(err) => {
            report.reasons.push(algorithm_reason(&err, "signature"));
            false
        }
    }
}

/// Checks the content-type and message-digest attributes (RFC 5652 §5.3, §11.1, §11.2).
fn check_signed_attributes(
    report: &mut SignerReport,
    attrs: &SetOfVec<Attribute>,
    encap: &EncapsulatedContentInfo,
    digest: DigestAlgorithm,
    content: &[u8],
) -> bool {
    let content_type = attribute_value::<ObjectIdentifier>(attrs, oid::CONTENT_TYPE);
    if content_type.as_ref() != Some(&encap.econtent_type) {
        report.reasons.push(Reason::new(
            ReasonCode::Malformed,
            "the signed content-type attribute is missing or differs from the content type",
        ));
        return false;
    }
    let Some(expected) = attribute_value::<OctetString>(attrs, oid::MESSAGE_DIGEST) else {
        report.reasons.push(Reason::new(
            ReasonCode::Malformed,
            "the signed attributes have no message-digest attribute",
        ));
        return false;
    };
    let expected = expected.as_bytes();
    if digest.digest(content) == expected {
        return true;
    }
    let canonical = canonicalize_line_endings(content);
    if canonical.as_slice() != content && digest.digest(&canonical) == expected {
        report.canonicalized = true;
        return true;
    }
    report.reasons.push(Reason::new(
        ReasonCode::DigestMismatch,
        format!(
            "the {} digest of the content does not match the signed message digest: the content was changed after signing",
            digest.name()
        ),
    ));
    false
}

fn attribute_value<T: for<'a> Decode<'a>>(
    attrs: &SetOfVec<Attribute>,
    oid: ObjectIdentifier,
) -> Option<T> {
    let attribute = attrs.iter().find(|a| a.oid == oid)?;
    if attribute.values.len() != 1 {
        return None;
    }
    let value = attribute.values.iter().next()?;
    T::from_der(&der::Encode::to_der(value).ok()?).ok()
}

fn signing_time(attrs: &SetOfVec<Attribute>) -> Option<Timestamp> {
    let time = attribute_value::<x509_cert::time::Time>(attrs, oid::SIGNING_TIME)?;
    Some(certs::to_timestamp(&time))
}

fn algorithm_reason(err: &AlgorithmError, what: &str) -> Reason {
    match err {
        AlgorithmError::Unsupported(name) => Reason::new(
            ReasonCode::UnsupportedAlgorithm,
            format!("the {what} uses {name}, which is not supported"),
        ),
        AlgorithmError::Malformed(name) => Reason::new(
            ReasonCode::Malformed,
            format!("the {what} has a malformed {name}"),
        ),
        other => Reason::new(
            ReasonCode::BadSignature,
            format!("the {what} failed: {other}"),
        ),
    }
}

fn describe_sid(sid: &SignerIdentifier) -> String {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => format!(
            "issuer {}, serial {}",
            ias.issuer,
            hex::encode(ias.serial_number.as_bytes())
        ),
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            format!("key identifier {}", hex::encode(ski.0.as_bytes()))
        }
    }
}

fn find_signer_cert<'a>(
    sid: &SignerIdentifier,
    pool: &[&'a Cert],
    anchors: &'a [Cert],
) -> Option<&'a Cert> {
    let matches = |cert: &Cert| match sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            cert.cert.tbs_certificate.issuer == ias.issuer
                && cert.cert.tbs_certificate.serial_number == ias.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            cert.subject_key_id().as_deref() == Some(ski.0.as_bytes())
        }
    };
    pool.iter()
        .copied()
        .find(|c| matches(c))
        .or_else(|| anchors.iter().find(|c| matches(c)))
}

fn describe_cert(report: &mut SignerReport, cert: &Cert, from: Option<&str>) {
    report.addresses = cert.email_addresses();
    report.address = from
        .and_then(|from| report.addresses.iter().find(|a| a.as_str() == from))
        .or(report.addresses.first())
        .cloned();
    report.subject = Some(cert.subject());
    report.issuer = Some(cert.issuer());
    report.serial = Some(cert.serial_hex());
    report.fingerprint = Some(cert.fingerprint());
    report.certificate_der = Some(cert.der.clone());
}

/// The chain from a signer up to a trust anchor, or the reason none was found.
struct Chain<'a> {
    certs: Vec<&'a Cert>,
    anchored: bool,
    problem: Option<Reason>,
}

fn is_anchor(cert: &Cert, anchors: &[Cert]) -> bool {
    anchors.iter().any(|anchor| {
        anchor.der == cert.der
            || (anchor.cert.tbs_certificate.subject == cert.cert.tbs_certificate.subject
                && certs::spki_der(anchor) == certs::spki_der(cert))
    })
}

/// Builds the chain from `leaf` through `pool` to one of `anchors` (RFC 5280 §6.1, in the
/// simple form S/MIME needs: name chaining plus signatures, no policy or name constraints).
fn build_chain<'a>(leaf: &'a Cert, pool: &[&'a Cert], anchors: &'a [Cert]) -> Chain<'a> {
    let mut chain = vec![leaf];
    let mut current = leaf;
    loop {
        if is_anchor(current, anchors) {
            return Chain {
                certs: chain,
                anchored: true,
                problem: None,
            };
        }
        if chain.len() > MAX_CHAIN {
            return Chain {
                certs: chain,
                anchored: false,
                problem: Some(Reason::new(
                    ReasonCode::UntrustedRoot,
                    "the certificate chain is longer than 10 certificates",
                )),
            };
        }
        let issuer_name = &current.cert.tbs_certificate.issuer;
        let candidates: Vec<&'a Cert> = anchors
            .iter()
            .chain(pool.iter().copied())
            .filter(|c| &c.cert.tbs_certificate.subject == issuer_name)
            .collect();
        let mut unsupported = None;
        let mut next = None;
        for candidate in candidates {
            match current.verify_issued_by(candidate) {
                Ok(()) => {
                    next = Some(candidate);
                    break;
                }
                Err(AlgorithmError::Unsupported(name)) => unsupported = Some(name),
                Err(_) => {}
            }
        }
        let Some(issuer) = next else {
            let problem = match unsupported {
                Some(name) => Reason::new(
                    ReasonCode::UnsupportedAlgorithm,
                    format!(
                        "the certificate of {} is signed with {name}, which is not supported",
                        current.subject()
                    ),
                ),
                None => Reason::new(
                    ReasonCode::UntrustedRoot,
                    format!(
                        "the issuer {} of {} is not in the message or the trust store",
                        current.issuer(),
                        current.subject()
                    ),
                ),
            };
            return Chain {
                certs: chain,
                anchored: false,
                problem: Some(problem),
            };
        };
        if std::ptr::eq(issuer, current) || issuer.der == current.der {
            return Chain {
                certs: chain,
                anchored: false,
                problem: Some(Reason::new(
                    ReasonCode::UntrustedRoot,
                    format!(
                        "the chain ends at the self-signed root {}, which is not a trust anchor",
                        current.subject()
                    ),
                )),
            };
        }
        if chain.iter().any(|c| c.der == issuer.der) {
            return Chain {
                certs: chain,
                anchored: false,
                problem: Some(Reason::new(
                    ReasonCode::CircularChain,
                    format!("the issuer chain loops back to {}", issuer.subject()),
                )),
            };
        }
        chain.push(issuer);
        current = issuer;
    }
}

fn check_trust(
    report: &mut SignerReport,
    leaf: &Cert,
    pool: &[&Cert],
    crls: &[&Crl],
    context: &VerifyContext<'_>,
) {
    let chain = build_chain(leaf, pool, &context.trust.anchors);
    report.chain = chain.certs.iter().map(|c| c.subject()).collect();
    let signing_at = report.signing_time.unwrap_or(context.at);

    let mut trusted = chain.anchored;
    if let Some(problem) = chain.problem {
        report.reasons.push(problem);
    }

    report.valid_at_signing = true;
    report.valid_now = true;
    for cert in &chain.certs {
        let (not_before, not_after) = cert.validity();
        if signing_at < not_before {
            report.valid_at_signing = false;
            report.reasons.push(Reason::new(
                ReasonCode::NotYetValid,
                format!("the certificate of {} was not yet valid at signing time {signing_at} (valid from {not_before})", cert.subject()),
            ));
        } else if signing_at > not_after {
            report.valid_at_signing = false;
            report.reasons.push(Reason::new(
                ReasonCode::Expired,
                format!("the certificate of {} had expired at signing time {signing_at} (valid until {not_after})", cert.subject()),
            ));
        }
        if !cert.is_valid_at(context.at) {
            report.valid_now = false;
        }
    }
    trusted &= report.valid_at_signing;

    trusted &= check_purpose(report, &chain.certs, &context.trust.anchors);

    report.revocation = match chain.certs.get(1) {
        Some(issuer) => revocation(leaf, issuer, crls, context.at),
        None => Revocation::NotChecked {
            why: "the issuer of the signer's certificate was not found".to_owned(),
        },
    };
    if let Revocation::Revoked { at, reason } = &report.revocation {
        trusted = false;
        let when = at.map(|t| format!(" on {t}")).unwrap_or_default();
        let why = reason
            .as_ref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        report.reasons.push(Reason::new(
            ReasonCode::Revoked,
            format!("the issuer revoked the signer's certificate{when}{why}"),
        ));
    }
    report.trusted = trusted;
}

/// Checks key usage, extended key usage and CA flags the way OpenSSL's S/MIME signing
/// purpose does: the signer's key usage must allow digitalSignature or nonRepudiation, and
/// every certificate with an extended key usage must list emailProtection.
fn check_purpose(report: &mut SignerReport, chain: &[&Cert], anchors: &[Cert]) -> bool {
    let mut ok = true;
    for (index, cert) in chain.iter().enumerate() {
        if let Some(eku) = cert.extended_key_usage() {
            if !eku.contains(&EMAIL_PROTECTION) {
                ok = false;
                let any = if eku.contains(&ANY_EXTENDED_KEY_USAGE) {
                    " (anyExtendedKeyUsage is not accepted for S/MIME)"
                } else {
                    ""
                };
                report.reasons.push(Reason::new(
                    ReasonCode::NoEmailProtection,
                    format!(
                        "the certificate of {} is not issued for email protection{any}",
                        cert.subject()
                    ),
                ));
            }
        }
        if index == 0 {
            if let Some(ku) = cert.key_usage() {
                if !ku.digital_signature() && !ku.non_repudiation() {
                    ok = false;
                    report.reasons.push(Reason::new(
                        ReasonCode::KeyUsage,
                        format!(
                            "the key usage of {} does not allow digital signatures",
                            cert.subject()
                        ),
                    ));
                }
            }
            continue;
        }
        let v1 = cert.cert.tbs_certificate.version == x509_cert::Version::V1;
        let may_issue = cert.is_ca()
            || (v1 && !cert.has_basic_constraints())
            || (is_anchor(cert, anchors) && !cert.has_basic_constraints());
        let cert_sign = cert.key_usage().is_none_or(|ku| ku.key_cert_sign());
        if !may_issue || !cert_sign {
            ok = false;
            report.reasons.push(Reason::new(
                ReasonCode::KeyUsage,
                format!(
                    "{} is not a certification authority allowed to sign certificates",
                    cert.subject()
                ),
            ));
        }
    }
    ok
}

fn revocation(leaf: &Cert, issuer: &Cert, crls: &[&Crl], at: Timestamp) -> Revocation {
    let issuer_crls: Vec<&&Crl> = crls
        .iter()
        .filter(|crl| crl.crl.tbs_cert_list.issuer == leaf.cert.tbs_certificate.issuer)
        .filter(|crl| crl.verify_issued_by(issuer).is_ok())
        .collect();
    if issuer_crls.is_empty() {
        return Revocation::NotChecked {
            why: format!(
                "no CRL from {} was imported or carried in the message",
                leaf.issuer()
            ),
        };
    }
    for crl in &issuer_crls {
        if let Some((at, reason)) = crl.revocation_of(leaf) {
            return Revocation::Revoked {
                at: Some(at),
                reason,
            };
        }
    }
    let current = issuer_crls.iter().find(|crl| {
        let (this_update, next_update) = crl.updates();
        this_update <= at && next_update.is_none_or(|next| at <= next)
    });
    match current {
        Some(crl) => Revocation::Good {
            crl_issuer: crl.issuer(),
        },
        None => Revocation::NotChecked {
            why: format!(
                "the CRLs from {} do not cover {at}: they are out of date or not yet issued",
                leaf.issuer()
            ),
        },
    }
}

fn check_address(report: &mut SignerReport, from: Option<&str>) {
    if report.addresses.is_empty() {
        report.reasons.push(Reason::new(
            ReasonCode::NoAddress,
            "the signer's certificate names no email address, so the sender cannot be matched to From",
        ));
        return;
    }
    match from {
        Some(from) if report.addresses.iter().any(|a| a == from) => {
            report.address_matches_from = true
        }
        Some(from) => report.reasons.push(Reason::new(
            ReasonCode::AddressMismatch,
            format!(
                "the message is from {from}, but the signer's certificate is for {}",
                report.addresses.join(", ")
            ),
        )),
        None => report.reasons.push(Reason::new(
            ReasonCode::AddressMismatch,
            "the message has no From address to compare with the signer's certificate",
        )),
    }
}

/// Appendix A findings about a signer: short RSA keys, SHA-1, and a certificate that
/// expires within 30 days of `at`.
fn health_of(cert: &Cert, info: &SignerInfo, at: Timestamp) -> Vec<HealthFinding> {
    let mut findings = Vec::new();
    if let Ok(PublicKey::Rsa(_)) = cert.public_key() {
        let bits = cert
            .public_key()
            .ok()
            .and_then(|k| k.rsa_bits())
            .unwrap_or(0);
        if bits < 2048 {
            findings.push(HealthFinding {
                code: "rsa-key-under-2048".to_owned(),
                text: format!(
                    "the signer's RSA key has {bits} bits; Appendix A expects at least 2048"
                ),
            });
        }
    }
    if info.digest_alg.oid == oid::SHA1 {
        findings.push(HealthFinding {
            code: "sha1-signature".to_owned(),
            text: "the message is signed with SHA-1, which is no longer considered secure"
                .to_owned(),
        });
    }
    if matches!(
        cert.cert.signature_algorithm.oid,
        oid::SHA1_WITH_RSA | oid::ECDSA_WITH_SHA1
    ) {
        findings.push(HealthFinding {
            code: "weak-certificate-signature".to_owned(),
            text: format!(
                "the signer's certificate is signed with {}",
                cert.signature_algorithm_name()
            ),
        });
    }
    let (_, not_after) = cert.validity();
    let remaining = not_after.duration_since(at);
    if remaining >= SignedDuration::ZERO && remaining <= SignedDuration::from_hours(24 * 30) {
        findings.push(HealthFinding {
            code: "certificate-expires-soon".to_owned(),
            text: format!("the signer's certificate expires on {not_after}, within 30 days"),
        });
    }
    findings
}
