//! X.509 certificates and CRLs as the verifier needs them (RFC 5280).
//!
//! A [`Cert`] keeps the exact DER it was read from, because an issuer's signature covers
//! the original `tbsCertificate` bytes. Reading certificate files (PEM, DER, PKCS#7
//! bundles) also lives here.

use const_oid::ObjectIdentifier;
use der::{Decode, Encode};
use jiff::Timestamp;
use sha2::Digest as _;
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAltName,
    SubjectKeyIdentifier,
};
use x509_cert::Certificate;

use super::algorithms::{self, oid_name, AlgorithmError, PublicKey};
use super::ber;

/// id-kp-emailProtection (RFC 5280 §4.2.1.12).
pub const EMAIL_PROTECTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.4");
/// anyExtendedKeyUsage (RFC 5280 §4.2.1.12).
pub const ANY_EXTENDED_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37.0");
/// emailAddress attribute of a distinguished name (PKCS #9), still used by many CAs.
const EMAIL_ADDRESS_ATTRIBUTE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.1");

/// A certificate with its original DER.
#[derive(Debug, Clone)]
pub struct Cert {
    /// The certificate as decoded.
    pub cert: Certificate,
    /// The exact DER it was decoded from.
    pub der: Vec<u8>,
}

impl PartialEq for Cert {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

impl Cert {
    /// Decodes a DER certificate.
    ///
    /// # Errors
    ///
    /// Returns the `der` error when the bytes are not a certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, der::Error> {
        let cert = Certificate::from_der(der)?;
        Ok(Cert {
            cert,
            der: der.to_vec(),
        })
    }

    /// Returns the subject as an RFC 4514 string.
    pub fn subject(&self) -> String {
        self.cert.tbs_certificate.subject.to_string()
    }

    /// Returns the issuer as an RFC 4514 string.
    pub fn issuer(&self) -> String {
        self.cert.tbs_certificate.issuer.to_string()
    }

    /// Returns the serial number as lowercase hex.
    pub fn serial_hex(&self) -> String {
        hex::encode(self.cert.tbs_certificate.serial_number.as_bytes())
    }

    /// Returns the SHA-256 fingerprint of the DER as lowercase hex.
    pub fn fingerprint(&self) -> String {
        hex::encode(sha2::Sha256::digest(&self.der))
    }

    /// Returns the raw `tbsCertificate` bytes, which the issuer's signature covers.
    fn tbs_bytes(&self) -> Result<&[u8], ber::BerError> {
        let (outer, _) = ber::read_der(&self.der)?;
        let (tbs, _) = ber::read_der(outer.value)?;
        Ok(tbs.raw)
    }

    /// Returns whether subject and issuer are the same name.
    pub fn is_self_issued(&self) -> bool {
        self.cert.tbs_certificate.subject == self.cert.tbs_certificate.issuer
    }

    /// Returns the public key.
    ///
    /// # Errors
    ///
    /// Returns the unsupported algorithm or curve.
    pub fn public_key(&self) -> Result<PublicKey, AlgorithmError> {
        PublicKey::from_spki(&self.cert.tbs_certificate.subject_public_key_info)
    }

    /// Returns `notBefore` and `notAfter`.
    pub fn validity(&self) -> (Timestamp, Timestamp) {
        let validity = &self.cert.tbs_certificate.validity;
        (
            to_timestamp(&validity.not_before),
            to_timestamp(&validity.not_after),
        )
    }

    /// Returns whether `at` falls within the validity period.
    pub fn is_valid_at(&self, at: Timestamp) -> bool {
        let (not_before, not_after) = self.validity();
        not_before <= at && at <= not_after
    }

    fn extension<'a, T: Decode<'a>>(
        &'a self,
        oid: ObjectIdentifier,
    ) -> Option<Result<T, der::Error>> {
        let extensions = self.cert.tbs_certificate.extensions.as_ref()?;
        let extension = extensions.iter().find(|e| e.extn_id == oid)?;
        Some(T::from_der(extension.extn_value.as_bytes()))
    }

    /// Returns the key usage extension, when present and readable.
    pub fn key_usage(&self) -> Option<KeyUsage> {
        self.extension::<KeyUsage>(const_oid::db::rfc5280::ID_CE_KEY_USAGE)?
            .ok()
    }

    /// Returns the extended key usage purposes, when the extension is present.
    pub fn extended_key_usage(&self) -> Option<Vec<ObjectIdentifier>> {
        self.extension::<ExtendedKeyUsage>(const_oid::db::rfc5280::ID_CE_EXT_KEY_USAGE)?
            .ok()
            .map(|eku| eku.0)
    }

    /// Returns whether basicConstraints marks the certificate as a CA.
    pub fn is_ca(&self) -> bool {
        self.extension::<BasicConstraints>(const_oid::db::rfc5280::ID_CE_BASIC_CONSTRAINTS)
            .and_then(Result::ok)
            .is_some_and(|bc| bc.ca)
    }

    /// Returns whether the certificate carries basicConstraints at all. Version 1
    /// certificates do not, and OpenSSL accepts them as trust anchors.
    pub fn has_basic_constraints(&self) -> bool {
        self.extension::<BasicConstraints>(const_oid::db::rfc5280::ID_CE_BASIC_CONSTRAINTS)
            .is_some()
    }

    /// Returns the subject key identifier.
    pub fn subject_key_id(&self) -> Option<Vec<u8>> {
        self.extension::<SubjectKeyIdentifier>(
            const_oid::db::rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER,
        )?
        .ok()
        .map(|ski| ski.0.as_bytes().to_vec())
    }

    /// Returns the key identifier of the authority key identifier extension.
    pub fn authority_key_id(&self) -> Option<Vec<u8>> {
        self.extension::<AuthorityKeyIdentifier>(
            const_oid::db::rfc5280::ID_CE_AUTHORITY_KEY_IDENTIFIER,
        )?
        .ok()?
        .key_identifier
        .map(|id| id.as_bytes().to_vec())
    }

    /// Returns the email addresses: rfc822Name entries of subjectAltName, then the
    /// emailAddress attributes of the subject (RFC 8550 §3), lowercased and deduplicated.
    pub fn email_addresses(&self) -> Vec<String> {
        let mut addresses = Vec::new();
        if let Some(Ok(san)) =
            self.extension::<SubjectAltName>(const_oid::db::rfc5280::ID_CE_SUBJECT_ALT_NAME)
        {
            for name in san.0 {
                if let GeneralName::Rfc822Name(address) = name {
                    addresses.push(address.as_str().to_ascii_lowercase());
                }
            }
        }
        for rdn in &self.cert.tbs_certificate.subject.0 {
            for attribute in rdn.0.iter() {
                if attribute.oid == EMAIL_ADDRESS_ATTRIBUTE {
                    if let Ok(address) = attribute.value.decode_as::<der::asn1::Ia5StringRef<'_>>()
                    {
                        addresses.push(address.as_str().to_ascii_lowercase());
                    }
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        addresses.retain(|a| seen.insert(a.clone()));
        addresses
    }

    /// Verifies that `issuer`'s key signed this certificate.
    ///
    /// # Errors
    ///
    /// [`AlgorithmError::BadSignature`] when it did not; other variants for unsupported
    /// algorithms.
    pub fn verify_issued_by(&self, issuer: &Cert) -> Result<(), AlgorithmError> {
        let key = issuer.public_key()?;
        let (scheme, digest) = algorithms::signature_scheme(&self.cert.signature_algorithm, None)?;
        let tbs = self
            .tbs_bytes()
            .map_err(|_| AlgorithmError::Malformed("certificate encoding".into()))?;
        let signature = self
            .cert
            .signature
            .as_bytes()
            .ok_or_else(|| AlgorithmError::Malformed("certificate signature bits".into()))?;
        algorithms::verify_signature(&key, scheme, digest, tbs, signature)
    }

    /// Returns the name of the signature algorithm of the certificate (`sha1WithRSAEncryption`).
    pub fn signature_algorithm_name(&self) -> String {
        oid_name(&self.cert.signature_algorithm.oid)
    }
}

/// Converts an X.509 time to a timestamp.
pub fn to_timestamp(time: &x509_cert::time::Time) -> Timestamp {
    let seconds = time.to_unix_duration().as_secs();
    Timestamp::from_second(seconds as i64).unwrap_or(Timestamp::MAX)
}

/// A CRL with its original DER, for signature checks.
#[derive(Debug, Clone)]
pub struct Crl {
    /// The CRL as decoded.
    pub crl: CertificateList,
    /// The exact DER.
    pub der: Vec<u8>,
}

impl Crl {
    /// Decodes a DER CRL.
    ///
    /// # Errors
    ///
    /// Returns the `der` error when the bytes are not a CRL.
    pub fn from_der(der: &[u8]) -> Result<Self, der::Error> {
        Ok(Crl {
            crl: CertificateList::from_der(der)?,
            der: der.to_vec(),
        })
    }

    /// Returns the issuer as an RFC 4514 string.
    pub fn issuer(&self) -> String {
        self.crl.tbs_cert_list.issuer.to_string()
    }

    /// Verifies that `issuer`'s key signed this CRL.
    ///
    /// # Errors
    ///
    /// As for [`Cert::verify_issued_by`].
    pub fn verify_issued_by(&self, issuer: &Cert) -> Result<(), AlgorithmError> {
        let key = issuer.public_key()?;
        let (scheme, digest) = algorithms::signature_scheme(&self.crl.signature_algorithm, None)?;
        let (outer, _) = ber::read_der(&self.der)
            .map_err(|_| AlgorithmError::Malformed("CRL encoding".into()))?;
        let (tbs, _) = ber::read_der(outer.value)
            .map_err(|_| AlgorithmError::Malformed("CRL encoding".into()))?;
        let signature = self
            .crl
            .signature
            .as_bytes()
            .ok_or_else(|| AlgorithmError::Malformed("CRL signature bits".into()))?;
        algorithms::verify_signature(&key, scheme, digest, tbs.raw, signature)
    }

    /// Returns the revocation time and reason of `cert`, when the CRL lists its serial.
    pub fn revocation_of(&self, cert: &Cert) -> Option<(Timestamp, Option<String>)> {
        let serial = &cert.cert.tbs_certificate.serial_number;
        let entry = self
            .crl
            .tbs_cert_list
            .revoked_certificates
            .as_ref()?
            .iter()
            .find(|entry| &entry.serial_number == serial)?;
        let reason = entry.crl_entry_extensions.as_ref().and_then(|extensions| {
            let extension = extensions
                .iter()
                .find(|e| e.extn_id == const_oid::db::rfc5280::ID_CE_CRL_REASONS)?;
            let reason =
                x509_cert::ext::pkix::CrlReason::from_der(extension.extn_value.as_bytes()).ok()?;
            Some(format!("{reason:?}"))
        });
        Some((to_timestamp(&entry.revocation_date), reason))
    }

    /// Returns `thisUpdate` and `nextUpdate`.
    pub fn updates(&self) -> (Timestamp, Option<Timestamp>) {
        let tbs = &self.crl.tbs_cert_list;
        (
            to_timestamp(&tbs.this_update),
            tbs.next_update.as_ref().map(to_timestamp),
        )
    }
}

/// Certificates and CRLs read from a file.
#[derive(Debug, Clone, Default)]
pub struct Bundle {
    /// Certificates, in file order.
    pub certs: Vec<Cert>,
    /// CRLs, in file order.
    pub crls: Vec<Crl>,
}

/// Failure to read a certificate file.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// A PEM block did not decode.
    #[error("invalid PEM block {label:?}: {detail}")]
    Pem {
        /// The block label.
        label: String,
        /// The problem.
        detail: String,
    },
    /// The file contains no certificate or CRL.
    #[error("no certificate or CRL found; give a PEM, DER or PKCS#7 (.p7b) file")]
    Empty,
}

/// Reads certificates and CRLs from PEM (CERTIFICATE, X509 CRL, PKCS7 blocks), DER (a
/// certificate or CRL) or a DER PKCS#7 certificate bundle (.p7b).
///
/// # Errors
///
/// [`BundleError`] when nothing usable is in the file.
pub fn read_bundle(bytes: &[u8]) -> Result<Bundle, BundleError> {
    let mut bundle = Bundle::default();
    if bytes.windows(11).any(|w| w == b"-----BEGIN ") {
        for block in pem_blocks(bytes)? {
            match block.0.as_str() {
                "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => {
                    if let Ok(cert) = Cert::from_der(&block.1) {
                        bundle.certs.push(cert);
                    }
                }
                "X509 CRL" => {
                    if let Ok(crl) = Crl::from_der(&block.1) {
                        bundle.crls.push(crl);
                    }
                }
                "PKCS7" | "CMS" => read_pkcs7(&block.1, &mut bundle),
                _ => {}
            }
        }
    } else if let Ok(cert) = Cert::from_der(bytes) {
        bundle.certs.push(cert);
    } else if let Ok(crl) = Crl::from_der(bytes) {
        bundle.crls.push(crl);
    } else {
        read_pkcs7(bytes, &mut bundle);
    }
    if bundle.certs.is_empty() && bundle.crls.is_empty() {
        return Err(BundleError::Empty);
    }
    Ok(bundle)
}

/// Adds the certificates and CRLs of a PKCS#7/CMS SignedData (a .p7b bundle).
fn read_pkcs7(bytes: &[u8], bundle: &mut Bundle) {
    let Ok(normalized) = ber::normalize(bytes) else {
        return;
    };
    if let Ok(parts) = super::verify::signed_data_parts(&normalized) {
        bundle.certs.extend(parts.certs);
        bundle.crls.extend(parts.crls);
    }
}

/// Splits PEM text into (label, DER) blocks.
///
/// # Errors
///
/// [`BundleError::Pem`] when a block's base64 is invalid.
pub fn pem_blocks(bytes: &[u8]) -> Result<Vec<(String, Vec<u8>)>, BundleError> {
    let text = String::from_utf8_lossy(bytes);
    let mut blocks = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines() {
        let line = line.trim();
        if let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        {
            current = Some((label.to_owned(), String::new()));
        } else if line.starts_with("-----END ") {
            if let Some((label, body)) = current.take() {
                let der = super::mime::decode_base64(body.as_bytes()).ok_or_else(|| {
                    BundleError::Pem {
                        label: label.clone(),
                        detail: "the base64 does not decode".to_owned(),
                    }
                })?;
                blocks.push((label, der));
            }
        } else if let Some((_, body)) = current.as_mut() {
            // Skip RFC 1421 headers such as `Proc-Type:` of encrypted PEM keys.
            if !line.contains(':') {
                body.push_str(line);
            }
        }
    }
    Ok(blocks)
}

/// Returns the DER of `cert`'s public key info, to compare keys.
pub fn spki_der(cert: &Cert) -> Vec<u8> {
    cert.cert
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .unwrap_or_default()
}
