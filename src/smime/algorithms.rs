//! The algorithms S/MIME mail uses: digests, signatures and content ciphers.
//!
//! Each is identified by its OID from RFC 3370, RFC 4055, RFC 5754, RFC 5758 and
//! RFC 8551 §2. An algorithm not listed here is reported as unsupported by name.

use aes::cipher::{BlockDecryptMut, KeyInit, KeyIvInit};
use cbc::cipher::block_padding::Pkcs7;
use const_oid::ObjectIdentifier;
use der::asn1::OctetString;
use der::{Decode, Encode, Sequence};
use sha2::Digest as _;
use spki::AlgorithmIdentifierOwned;

/// OIDs used across the module, named as in their RFCs.
pub mod oid {
    use const_oid::ObjectIdentifier as Oid;

    /// id-data (RFC 5652 §4).
    pub const DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
    /// id-signedData (RFC 5652 §5.1).
    pub const SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
    /// id-envelopedData (RFC 5652 §6.1).
    pub const ENVELOPED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.3");
    /// id-encryptedData (RFC 5652 §8).
    pub const ENCRYPTED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.6");
    /// id-ct-authEnvelopedData (RFC 5083 §1).
    pub const AUTH_ENVELOPED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.1.23");
    /// id-contentType attribute (RFC 5652 §11.1).
    pub const CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
    /// id-messageDigest attribute (RFC 5652 §11.2).
    pub const MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
    /// id-signingTime attribute (RFC 5652 §11.3).
    pub const SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");

    /// sha1 (RFC 3370 §2.1).
    pub const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
    /// id-sha224 (RFC 5754 §2).
    pub const SHA224: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.4");
    /// id-sha256.
    pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
    /// id-sha384.
    pub const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
    /// id-sha512.
    pub const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");
    /// md5, reported as unsupported.
    pub const MD5: Oid = Oid::new_unwrap("1.2.840.113549.2.5");

    /// rsaEncryption (RFC 3370 §3.2): used as a signature and key transport algorithm.
    pub const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
    /// id-RSAES-OAEP (RFC 4055 §4.1).
    pub const RSAES_OAEP: Oid = Oid::new_unwrap("1.2.840.113549.1.1.7");
    /// id-mgf1 (RFC 4055 §2.2).
    pub const MGF1: Oid = Oid::new_unwrap("1.2.840.113549.1.1.8");
    /// id-pSpecified (RFC 4055 §4.1).
    pub const P_SPECIFIED: Oid = Oid::new_unwrap("1.2.840.113549.1.1.9");
    /// id-RSASSA-PSS (RFC 4055 §3.1).
    pub const RSASSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
    /// md5WithRSAEncryption.
    pub const MD5_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.4");
    /// sha1WithRSAEncryption.
    pub const SHA1_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.5");
    /// sha256WithRSAEncryption (RFC 4055 §5).
    pub const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
    /// sha384WithRSAEncryption.
    pub const SHA384_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
    /// sha512WithRSAEncryption.
    pub const SHA512_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
    /// sha224WithRSAEncryption.
    pub const SHA224_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.14");

    /// id-ecPublicKey (RFC 5480 §2.1.1).
    pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
    /// secp256r1 (P-256).
    pub const SECP256R1: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
    /// secp384r1 (P-384).
    pub const SECP384R1: Oid = Oid::new_unwrap("1.3.132.0.34");
    /// ecdsa-with-SHA1 (RFC 3279 §2.2.3).
    pub const ECDSA_WITH_SHA1: Oid = Oid::new_unwrap("1.2.840.10045.4.1");
    /// ecdsa-with-SHA224 (RFC 5758 §3.2).
    pub const ECDSA_WITH_SHA224: Oid = Oid::new_unwrap("1.2.840.10045.4.3.1");
    /// ecdsa-with-SHA256.
    pub const ECDSA_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
    /// ecdsa-with-SHA384.
    pub const ECDSA_WITH_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
    /// ecdsa-with-SHA512.
    pub const ECDSA_WITH_SHA512: Oid = Oid::new_unwrap("1.2.840.10045.4.3.4");

    /// dhSinglePass-stdDH-sha1kdf-scheme (RFC 5753 §7.1.4).
    pub const ECDH_STD_SHA1_KDF: Oid = Oid::new_unwrap("1.3.133.16.840.63.0.2");
    /// dhSinglePass-stdDH-sha224kdf-scheme.
    pub const ECDH_STD_SHA224_KDF: Oid = Oid::new_unwrap("1.3.132.1.11.0");
    /// dhSinglePass-stdDH-sha256kdf-scheme.
    pub const ECDH_STD_SHA256_KDF: Oid = Oid::new_unwrap("1.3.132.1.11.1");
    /// dhSinglePass-stdDH-sha384kdf-scheme.
    pub const ECDH_STD_SHA384_KDF: Oid = Oid::new_unwrap("1.3.132.1.11.2");
    /// dhSinglePass-stdDH-sha512kdf-scheme.
    pub const ECDH_STD_SHA512_KDF: Oid = Oid::new_unwrap("1.3.132.1.11.3");
    /// dhSinglePass-cofactorDH-sha1kdf-scheme (RFC 5753 §7.1.4).
    pub const ECDH_COFACTOR_SHA1_KDF: Oid = Oid::new_unwrap("1.3.133.16.840.63.0.3");
    /// dhSinglePass-cofactorDH-sha224kdf-scheme.
    pub const ECDH_COFACTOR_SHA224_KDF: Oid = Oid::new_unwrap("1.3.132.1.14.0");
    /// dhSinglePass-cofactorDH-sha256kdf-scheme.
    pub const ECDH_COFACTOR_SHA256_KDF: Oid = Oid::new_unwrap("1.3.132.1.14.1");
    /// dhSinglePass-cofactorDH-sha384kdf-scheme.
    pub const ECDH_COFACTOR_SHA384_KDF: Oid = Oid::new_unwrap("1.3.132.1.14.2");
    /// dhSinglePass-cofactorDH-sha512kdf-scheme.
    pub const ECDH_COFACTOR_SHA512_KDF: Oid = Oid::new_unwrap("1.3.132.1.14.3");

    /// id-aes128-wrap (RFC 3565 §2.3.2).
    pub const AES128_WRAP: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.5");
    /// id-aes192-wrap.
    pub const AES192_WRAP: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.25");
    /// id-aes256-wrap.
    pub const AES256_WRAP: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.45");

    /// id-aes128-CBC (RFC 3565 §4.1).
    pub const AES128_CBC: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.2");
    /// id-aes192-CBC.
    pub const AES192_CBC: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.22");
    /// id-aes256-CBC.
    pub const AES256_CBC: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.42");
    /// id-aes128-GCM (RFC 5084 §3.2).
    pub const AES128_GCM: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.6");
    /// id-aes192-GCM.
    pub const AES192_GCM: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.26");
    /// id-aes256-GCM.
    pub const AES256_GCM: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.46");
    /// des-ede3-cbc (RFC 3370 §5.1).
    pub const DES_EDE3_CBC: Oid = Oid::new_unwrap("1.2.840.113549.3.7");
    /// rc2-cbc (RFC 3370 §5.2).
    pub const RC2_CBC: Oid = Oid::new_unwrap("1.2.840.113549.3.2");
    /// desCBC (single DES), reported as unsupported.
    pub const DES_CBC: Oid = Oid::new_unwrap("1.3.14.3.2.7");
}

/// A digest algorithm of RFC 5754 or RFC 3370.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestAlgorithm {
    /// MD5, accepted only for certificate signatures, as OpenSSL 3.0 accepts it there.
    Md5,
    /// SHA-1 (weak; reported under Appendix A).
    Sha1,
    /// SHA-224.
    Sha224,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl DigestAlgorithm {
    /// Returns the algorithm for `oid`, or `None` when it is not supported.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<Self> {
        match *oid {
            oid::SHA1 => Some(DigestAlgorithm::Sha1),
            oid::SHA224 => Some(DigestAlgorithm::Sha224),
            oid::SHA256 => Some(DigestAlgorithm::Sha256),
            oid::SHA384 => Some(DigestAlgorithm::Sha384),
            oid::SHA512 => Some(DigestAlgorithm::Sha512),
            _ => None,
        }
    }

    /// Returns the lowercase name (`sha256`).
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Md5 => "md5",
            DigestAlgorithm::Sha1 => "sha1",
            DigestAlgorithm::Sha224 => "sha224",
            DigestAlgorithm::Sha256 => "sha256",
            DigestAlgorithm::Sha384 => "sha384",
            DigestAlgorithm::Sha512 => "sha512",
        }
    }

    /// Hashes `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            DigestAlgorithm::Md5 => md5::Md5::digest(data).to_vec(),
            DigestAlgorithm::Sha1 => sha1::Sha1::digest(data).to_vec(),
            DigestAlgorithm::Sha224 => sha2::Sha224::digest(data).to_vec(),
            DigestAlgorithm::Sha256 => sha2::Sha256::digest(data).to_vec(),
            DigestAlgorithm::Sha384 => sha2::Sha384::digest(data).to_vec(),
            DigestAlgorithm::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }

    /// Returns the PKCS#1 v1.5 signature scheme with this digest's DigestInfo prefix.
    fn pkcs1v15(self) -> rsa::Pkcs1v15Sign {
        match self {
            DigestAlgorithm::Md5 => rsa::Pkcs1v15Sign::new::<md5::Md5>(),
            DigestAlgorithm::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
            DigestAlgorithm::Sha224 => rsa::Pkcs1v15Sign::new::<sha2::Sha224>(),
            DigestAlgorithm::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
            DigestAlgorithm::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
            DigestAlgorithm::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
        }
    }

    fn pss(self, salt_len: usize) -> rsa::Pss {
        match self {
            DigestAlgorithm::Md5 => rsa::Pss::new_with_salt::<md5::Md5>(salt_len),
            DigestAlgorithm::Sha1 => rsa::Pss::new_with_salt::<sha1::Sha1>(salt_len),
            DigestAlgorithm::Sha224 => rsa::Pss::new_with_salt::<sha2::Sha224>(salt_len),
            DigestAlgorithm::Sha256 => rsa::Pss::new_with_salt::<sha2::Sha256>(salt_len),
            DigestAlgorithm::Sha384 => rsa::Pss::new_with_salt::<sha2::Sha384>(salt_len),
            DigestAlgorithm::Sha512 => rsa::Pss::new_with_salt::<sha2::Sha512>(salt_len),
        }
    }
}

/// Returns the name of an OID for messages: the algorithm name when known, else the dotted
/// form.
pub fn oid_name(oid: &ObjectIdentifier) -> String {
    const_oid::db::DB
        .by_oid(oid)
        .map(str::to_owned)
        .unwrap_or_else(|| oid.to_string())
}

/// A public key taken from a certificate.
#[derive(Debug, Clone)]
pub enum PublicKey {
    /// RSA, with its modulus size in bits.
    Rsa(rsa::RsaPublicKey),
    /// ECDSA or ECDH on P-256.
    P256(p256::PublicKey),
    /// ECDSA or ECDH on P-384.
    P384(p384::PublicKey),
}

impl PublicKey {
    /// Reads the SubjectPublicKeyInfo of a certificate.
    ///
    /// # Errors
    ///
    /// Returns the algorithm or curve name when it is not supported, or a description of
    /// the encoding problem.
    pub fn from_spki(spki: &spki::SubjectPublicKeyInfoOwned) -> Result<Self, AlgorithmError> {
        let key_bytes = spki.subject_public_key.raw_bytes();
        match spki.algorithm.oid {
            oid::RSA_ENCRYPTION => {
                let key = rsa::pkcs1::RsaPublicKey::from_der(key_bytes)
                    .map_err(|_| AlgorithmError::Malformed("RSA public key".into()))?;
                let n = rsa::BigUint::from_bytes_be(key.modulus.as_bytes());
                let e = rsa::BigUint::from_bytes_be(key.public_exponent.as_bytes());
                // Allow keys up to 16384 bits, above the `rsa` crate's 4096-bit default.
                rsa::RsaPublicKey::new_with_max_size(n, e, 16384)
                    .map(PublicKey::Rsa)
                    .map_err(|_| AlgorithmError::Malformed("RSA public key".into()))
            }
            oid::EC_PUBLIC_KEY => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
                match curve {
                    Some(oid::SECP256R1) => p256::PublicKey::from_sec1_bytes(key_bytes)
                        .map(PublicKey::P256)
                        .map_err(|_| AlgorithmError::Malformed("P-256 public key".into())),
                    Some(oid::SECP384R1) => p384::PublicKey::from_sec1_bytes(key_bytes)
                        .map(PublicKey::P384)
                        .map_err(|_| AlgorithmError::Malformed("P-384 public key".into())),
                    Some(other) => Err(AlgorithmError::Unsupported(format!(
                        "elliptic curve {}",
                        oid_name(&other)
                    ))),
                    None => Err(AlgorithmError::Malformed(
                        "EC key without a named curve".into(),
                    )),
                }
            }
            other => Err(AlgorithmError::Unsupported(format!(
                "public key algorithm {}",
                oid_name(&other)
            ))),
        }
    }

    /// Returns the RSA modulus size in bits, or `None` for EC keys.
    pub fn rsa_bits(&self) -> Option<usize> {
        match self {
            PublicKey::Rsa(key) => Some(rsa::traits::PublicKeyParts::size(key) * 8),
            _ => None,
        }
    }

    /// Returns a short description (`RSA 2048`, `EC P-256`).
    pub fn describe(&self) -> String {
        match self {
            PublicKey::Rsa(_) => format!("RSA {}", self.rsa_bits().unwrap_or(0)),
            PublicKey::P256(_) => "EC P-256".to_owned(),
            PublicKey::P384(_) => "EC P-384".to_owned(),
        }
    }
}

/// Failure of an algorithm step.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AlgorithmError {
    /// The algorithm, curve or parameter is not supported.
    #[error("unsupported {0}")]
    Unsupported(String),
    /// The input is not well formed for the algorithm.
    #[error("malformed {0}")]
    Malformed(String),
    /// The signature does not verify.
    #[error("the signature does not verify")]
    BadSignature,
    /// The content did not decrypt.
    #[error("{0}")]
    DecryptFailed(String),
    /// The GCM tag did not verify.
    #[error("the authentication tag does not verify")]
    AuthenticationFailed,
}

/// A signature algorithm resolved from a SignerInfo or a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureScheme {
    /// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2).
    RsaPkcs1v15,
    /// RSASSA-PSS with a salt length (RFC 4055 §3.1).
    RsaPss {
        /// Salt length in bytes.
        salt_len: usize,
    },
    /// ECDSA with a DER-encoded `Ecdsa-Sig-Value` (RFC 5753 §7.2).
    Ecdsa,
}

impl SignatureScheme {
    /// Returns the name used in reports.
    pub fn name(self, key: Option<&PublicKey>) -> String {
        match (self, key) {
            (SignatureScheme::RsaPkcs1v15, _) => "rsa-pkcs1v15".to_owned(),
            (SignatureScheme::RsaPss { .. }, _) => "rsa-pss".to_owned(),
            (SignatureScheme::Ecdsa, Some(PublicKey::P384(_))) => "ecdsa-p384".to_owned(),
            (SignatureScheme::Ecdsa, _) => "ecdsa-p256".to_owned(),
        }
    }
}

/// RSASSA-PSS-params (RFC 4055 §3.1).
#[derive(Debug, Clone, Sequence)]
struct PssParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    hash: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    mask_gen: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    salt_len: Option<u32>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    trailer: Option<u32>,
}

/// RSAES-OAEP-params (RFC 4055 §4.1).
#[derive(Debug, Clone, Sequence)]
struct OaepParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    hash: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    mask_gen: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    label: Option<AlgorithmIdentifierOwned>,
}

/// Resolves a signature algorithm identifier with the digest it is used with.
///
/// `digest` is the SignerInfo's digest algorithm; for a certificate signature it is `None`
/// and the digest comes from the signature OID.
///
/// # Errors
///
/// Returns [`AlgorithmError::Unsupported`] with the algorithm name.
pub fn signature_scheme(
    algorithm: &AlgorithmIdentifierOwned,
    digest: Option<DigestAlgorithm>,
) -> Result<(SignatureScheme, DigestAlgorithm), AlgorithmError> {
    use DigestAlgorithm as D;
    use SignatureScheme as S;
    let unsupported =
        || AlgorithmError::Unsupported(format!("signature algorithm {}", oid_name(&algorithm.oid)));
    let with = |scheme, implied: D| Ok((scheme, implied));
    match algorithm.oid {
        oid::RSA_ENCRYPTION => digest.map(|d| (S::RsaPkcs1v15, d)).ok_or_else(unsupported),
        // MD5 only in certificates (no SignerInfo digest), where OpenSSL 3.0 accepts it.
        oid::MD5_WITH_RSA if digest.is_none() => with(S::RsaPkcs1v15, D::Md5),
        oid::SHA1_WITH_RSA => with(S::RsaPkcs1v15, D::Sha1),
        oid::SHA224_WITH_RSA => with(S::RsaPkcs1v15, D::Sha224),
        oid::SHA256_WITH_RSA => with(S::RsaPkcs1v15, D::Sha256),
        oid::SHA384_WITH_RSA => with(S::RsaPkcs1v15, D::Sha384),
        oid::SHA512_WITH_RSA => with(S::RsaPkcs1v15, D::Sha512),
        oid::ECDSA_WITH_SHA1 => with(S::Ecdsa, D::Sha1),
        oid::ECDSA_WITH_SHA224 => with(S::Ecdsa, D::Sha224),
        oid::ECDSA_WITH_SHA256 => with(S::Ecdsa, D::Sha256),
        oid::ECDSA_WITH_SHA384 => with(S::Ecdsa, D::Sha384),
        oid::ECDSA_WITH_SHA512 => with(S::Ecdsa, D::Sha512),
        // Some writers put id-ecPublicKey where the signature algorithm belongs.
        oid::EC_PUBLIC_KEY => digest.map(|d| (S::Ecdsa, d)).ok_or_else(unsupported),
        oid::RSASSA_PSS => {
            let params = match &algorithm.parameters {
                Some(any) => any
                    .decode_as::<PssParams>()
                    .map_err(|_| AlgorithmError::Malformed("RSASSA-PSS parameters".into()))?,
                None => {
                    return Err(AlgorithmError::Malformed(
                        "RSASSA-PSS without parameters".into(),
                    ))
                }
            };
            let hash = match &params.hash {
                Some(hash) => DigestAlgorithm::from_oid(&hash.oid).ok_or_else(|| {
                    AlgorithmError::Unsupported(format!("PSS hash {}", oid_name(&hash.oid)))
                })?,
                None => D::Sha1,
            };
            let mgf_hash = mgf1_hash(params.mask_gen.as_ref())?;
            if mgf_hash != hash {
                return Err(AlgorithmError::Unsupported(format!(
                    "PSS with {} and MGF1 over {}",
                    hash.name(),
                    mgf_hash.name()
                )));
            }
            if params.trailer.is_some_and(|t| t != 1) {
                return Err(AlgorithmError::Unsupported(
                    "PSS trailer field other than 1".into(),
                ));
            }
            let salt_len = params.salt_len.unwrap_or(20) as usize;
            Ok((S::RsaPss { salt_len }, hash))
        }
        _ => Err(unsupported()),
    }
}

fn mgf1_hash(
    mask_gen: Option<&AlgorithmIdentifierOwned>,
) -> Result<DigestAlgorithm, AlgorithmError> {
    let Some(mask_gen) = mask_gen else {
        return Ok(DigestAlgorithm::Sha1);
    };
    if mask_gen.oid != oid::MGF1 {
        return Err(AlgorithmError::Unsupported(format!(
            "mask generation function {}",
            oid_name(&mask_gen.oid)
        )));
    }
    let hash = mask_gen
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<AlgorithmIdentifierOwned>().ok())
        .ok_or_else(|| AlgorithmError::Malformed("MGF1 parameters".into()))?;
    DigestAlgorithm::from_oid(&hash.oid)
        .ok_or_else(|| AlgorithmError::Unsupported(format!("MGF1 hash {}", oid_name(&hash.oid))))
}

/// Verifies `signature` over `message` with `key`.
///
/// # Errors
///
/// [`AlgorithmError::BadSignature`] when it does not verify; other variants when the
/// scheme does not fit the key.
pub fn verify_signature(
    key: &PublicKey,
    scheme: SignatureScheme,
    digest: DigestAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<(), AlgorithmError> {
    let hashed = digest.digest(message);
    match (key, scheme) {
        (PublicKey::Rsa(key), SignatureScheme::RsaPkcs1v15) => key
            .verify(digest.pkcs1v15(), &hashed, signature)
            .map_err(|_| AlgorithmError::BadSignature),
        (PublicKey::Rsa(key), SignatureScheme::RsaPss { salt_len }) => key
            .verify(digest.pss(salt_len), &hashed, signature)
            .map_err(|_| AlgorithmError::BadSignature),
        (PublicKey::P256(key), SignatureScheme::Ecdsa) => {
            use p256::ecdsa::signature::hazmat::PrehashVerifier;
            let signature = p256::ecdsa::Signature::from_der(signature)
                .map_err(|_| AlgorithmError::Malformed("ECDSA signature value".into()))?;
            p256::ecdsa::VerifyingKey::from(key)
                .verify_prehash(&hashed, &signature)
                .map_err(|_| AlgorithmError::BadSignature)
        }
        (PublicKey::P384(key), SignatureScheme::Ecdsa) => {
            use p384::ecdsa::signature::hazmat::PrehashVerifier;
            let signature = p384::ecdsa::Signature::from_der(signature)
                .map_err(|_| AlgorithmError::Malformed("ECDSA signature value".into()))?;
            // SEC 1 §4.1.4 reads a hash shorter than the curve order as an integer, which
            // equals left-padding it with zeros. Without the padding, `ecdsa` rejects hashes
            // shorter than half the field size, such as SHA-1 on P-384.
            let mut padded = vec![0u8; 48usize.saturating_sub(hashed.len())];
            padded.extend_from_slice(&hashed);
            p384::ecdsa::VerifyingKey::from(key)
                .verify_prehash(&padded, &signature)
                .map_err(|_| AlgorithmError::BadSignature)
        }
        (key, scheme) => Err(AlgorithmError::Unsupported(format!(
            "{} signature with a {} key",
            scheme.name(Some(key)),
            key.describe()
        ))),
    }
}

/// RSA-OAEP parameters resolved from RFC 4055 §4.1, defaults filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OaepHashes {
    /// Hash of the label.
    pub hash: DigestAlgorithm,
    /// Hash of MGF1.
    pub mgf: DigestAlgorithm,
}

/// Reads RSAES-OAEP-params. A non-empty label is not supported.
///
/// # Errors
///
/// Returns the unsupported hash or the malformed field.
pub fn oaep_hashes(algorithm: &AlgorithmIdentifierOwned) -> Result<OaepHashes, AlgorithmError> {
    let params = match &algorithm.parameters {
        Some(any) if der::Tagged::tag(any) == der::Tag::Null => None,
        Some(any) => Some(
            any.decode_as::<OaepParams>()
                .map_err(|_| AlgorithmError::Malformed("RSAES-OAEP parameters".into()))?,
        ),
        None => None,
    };
    let Some(params) = params else {
        return Ok(OaepHashes {
            hash: DigestAlgorithm::Sha1,
            mgf: DigestAlgorithm::Sha1,
        });
    };
    let hash = match &params.hash {
        Some(hash) => DigestAlgorithm::from_oid(&hash.oid).ok_or_else(|| {
            AlgorithmError::Unsupported(format!("OAEP hash {}", oid_name(&hash.oid)))
        })?,
        None => DigestAlgorithm::Sha1,
    };
    let mgf = mgf1_hash(params.mask_gen.as_ref())?;
    if let Some(label) = &params.label {
        let empty = label.oid == oid::P_SPECIFIED
            && label
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<OctetString>().ok())
                .is_none_or(|l| l.as_bytes().is_empty());
        if !empty {
            return Err(AlgorithmError::Unsupported("OAEP with a label".into()));
        }
    }
    Ok(OaepHashes { hash, mgf })
}

/// Decrypts an RSA-OAEP key transport value with `key`.
///
/// # Errors
///
/// [`AlgorithmError::DecryptFailed`] when the padding does not check out.
pub fn rsa_oaep_decrypt(
    key: &rsa::RsaPrivateKey,
    hashes: OaepHashes,
    encrypted: &[u8],
) -> Result<Vec<u8>, AlgorithmError> {
    use DigestAlgorithm as D;
    macro_rules! oaep {
        ($h:ty, $m:ty) => {
            rsa::Oaep::new_with_mgf_hash::<$h, $m>()
        };
    }
    let padding = match (hashes.hash, hashes.mgf) {
        (D::Sha1, D::Sha1) => oaep!(sha1::Sha1, sha1::Sha1),
        (D::Sha256, D::Sha256) => oaep!(sha2::Sha256, sha2::Sha256),
        (D::Sha256, D::Sha1) => oaep!(sha2::Sha256, sha1::Sha1),
        (D::Sha224, D::Sha224) => oaep!(sha2::Sha224, sha2::Sha224),
        (D::Sha384, D::Sha384) => oaep!(sha2::Sha384, sha2::Sha384),
        (D::Sha512, D::Sha512) => oaep!(sha2::Sha512, sha2::Sha512),
        (hash, mgf) => {
            return Err(AlgorithmError::Unsupported(format!(
                "OAEP with {} and MGF1 over {}",
                hash.name(),
                mgf.name()
            )))
        }
    };
    key.decrypt(padding, encrypted).map_err(|_| {
        AlgorithmError::DecryptFailed(
            "the RSA-OAEP key transport does not decrypt with this key".into(),
        )
    })
}

/// A content encryption algorithm of RFC 3370, RFC 3565 or RFC 5084.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContentCipher {
    /// AES-CBC with the key size in bytes and the IV.
    AesCbc {
        /// Key size in bytes (16, 24 or 32).
        key_len: usize,
        /// The IV.
        iv: Vec<u8>,
    },
    /// AES-GCM with the key size, nonce and tag length (RFC 5084 §3.2).
    AesGcm {
        /// Key size in bytes.
        key_len: usize,
        /// The nonce.
        nonce: Vec<u8>,
        /// The tag length in bytes.
        tag_len: usize,
    },
    /// Triple DES (EDE3) in CBC mode.
    DesEde3Cbc {
        /// The IV.
        iv: Vec<u8>,
    },
    /// RC2 in CBC mode with its effective key bits (RFC 3370 §5.2).
    Rc2Cbc {
        /// Effective key bits.
        effective_bits: usize,
        /// The IV.
        iv: Vec<u8>,
    },
}

/// RC2-CBC-Parameter (RFC 3370 §5.2).
#[derive(Debug, Clone, Sequence)]
struct Rc2Params {
    version: Option<u32>,
    iv: OctetString,
}

/// GCMParameters (RFC 5084 §3.2).
#[derive(Debug, Clone, Sequence)]
struct GcmParams {
    nonce: OctetString,
    #[asn1(default = "default_icv_len")]
    icv_len: u32,
}

fn default_icv_len() -> u32 {
    12
}

impl ContentCipher {
    /// Resolves a content encryption algorithm identifier.
    ///
    /// # Errors
    ///
    /// [`AlgorithmError::Unsupported`] with the algorithm name.
    pub fn from_algorithm(algorithm: &AlgorithmIdentifierOwned) -> Result<Self, AlgorithmError> {
        let octets = || {
            algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<OctetString>().ok())
                .map(|iv| iv.as_bytes().to_vec())
                .ok_or_else(|| {
                    AlgorithmError::Malformed(format!("{} IV", oid_name(&algorithm.oid)))
                })
        };
        let gcm = |key_len| -> Result<Self, AlgorithmError> {
            let params = algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<GcmParams>().ok())
                .ok_or_else(|| AlgorithmError::Malformed("GCM parameters".into()))?;
            Ok(ContentCipher::AesGcm {
                key_len,
                nonce: params.nonce.as_bytes().to_vec(),
                tag_len: params.icv_len as usize,
            })
        };
        match algorithm.oid {
            oid::AES128_CBC => Ok(ContentCipher::AesCbc {
                key_len: 16,
                iv: octets()?,
            }),
            oid::AES192_CBC => Ok(ContentCipher::AesCbc {
                key_len: 24,
                iv: octets()?,
            }),
            oid::AES256_CBC => Ok(ContentCipher::AesCbc {
                key_len: 32,
                iv: octets()?,
            }),
            oid::AES128_GCM => gcm(16),
            oid::AES192_GCM => gcm(24),
            oid::AES256_GCM => gcm(32),
            oid::DES_EDE3_CBC => Ok(ContentCipher::DesEde3Cbc { iv: octets()? }),
            oid::RC2_CBC => {
                let params = algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.decode_as::<Rc2Params>().ok())
                    .ok_or_else(|| AlgorithmError::Malformed("RC2 parameters".into()))?;
                // RFC 3370 §5.2: versions 160, 120 and 58 encode 40, 64 and 128 bits;
                // a value of 256 or more is the bit count itself.
                let effective_bits = match params.version {
                    None | Some(160) => 40,
                    Some(120) => 64,
                    Some(58) => 128,
                    Some(bits) if bits >= 256 => bits as usize,
                    Some(other) => {
                        return Err(AlgorithmError::Unsupported(format!(
                            "RC2 parameter version {other}"
                        )))
                    }
                };
                Ok(ContentCipher::Rc2Cbc {
                    effective_bits,
                    iv: params.iv.as_bytes().to_vec(),
                })
            }
            _ => Err(AlgorithmError::Unsupported(format!(
                "content encryption {}",
                oid_name(&algorithm.oid)
            ))),
        }
    }

    /// Returns the name used in reports (`aes-256-cbc`).
    pub fn name(&self) -> String {
        match self {
            ContentCipher::AesCbc { key_len, .. } => format!("aes-{}-cbc", key_len * 8),
            ContentCipher::AesGcm { key_len, .. } => format!("aes-{}-gcm", key_len * 8),
            ContentCipher::DesEde3Cbc { .. } => "des-ede3-cbc".to_owned(),
            ContentCipher::Rc2Cbc { effective_bits, .. } => format!("rc2-{effective_bits}-cbc"),
        }
    }

    /// Returns whether the cipher is weak under SOPP 8119 Appendix A (3DES or RC2).
    pub fn is_weak(&self) -> bool {
        matches!(
            self,
            ContentCipher::DesEde3Cbc { .. } | ContentCipher::Rc2Cbc { .. }
        )
    }

    /// Returns whether the cipher authenticates (AES-GCM in AuthEnvelopedData).
    pub fn is_authenticated(&self) -> bool {
        matches!(self, ContentCipher::AesGcm { .. })
    }

    /// Decrypts a CBC content, checking the PKCS#7 padding (RFC 5652 §6.3).
    ///
    /// # Errors
    ///
    /// [`AlgorithmError::DecryptFailed`] when the key size is wrong or the padding does
    /// not check out (the usual sign of a wrong key).
    pub fn decrypt(&self, key: &[u8], ciphertext: &[u8]) -> Result<Vec<u8>, AlgorithmError> {
        let bad_key = || {
            AlgorithmError::DecryptFailed(format!(
                "the content key is {} bytes, which does not fit {}",
                key.len(),
                self.name()
            ))
        };
        let bad_padding = || {
            AlgorithmError::DecryptFailed(format!(
                "{} content does not decrypt to valid padding (wrong key or damaged content)",
                self.name()
            ))
        };
        macro_rules! cbc {
            ($cipher:ty, $iv:expr) => {
                cbc::Decryptor::<$cipher>::new_from_slices(key, $iv)
                    .map_err(|_| bad_key())?
                    .decrypt_padded_vec_mut::<Pkcs7>(ciphertext)
                    .map_err(|_| bad_padding())
            };
        }
        match self {
            ContentCipher::AesCbc { key_len, iv } => {
                if key.len() != *key_len {
                    return Err(bad_key());
                }
                match key_len {
                    16 => cbc!(aes::Aes128, iv),
                    24 => cbc!(aes::Aes192, iv),
                    _ => cbc!(aes::Aes256, iv),
                }
            }
            ContentCipher::DesEde3Cbc { iv } => cbc!(des::TdesEde3, iv),
            ContentCipher::Rc2Cbc { effective_bits, iv } => {
                use cbc::cipher::InnerIvInit;
                let cipher = rc2::Rc2::new_with_eff_key_len(key, *effective_bits);
                cbc::Decryptor::<rc2::Rc2>::inner_iv_slice_init(cipher, iv)
                    .map_err(|_| bad_key())?
                    .decrypt_padded_vec_mut::<Pkcs7>(ciphertext)
                    .map_err(|_| bad_padding())
            }
            ContentCipher::AesGcm { .. } => Err(AlgorithmError::Malformed(
                "AES-GCM content outside AuthEnvelopedData".into(),
            )),
        }
    }

    /// Decrypts AES-GCM content with its tag and additional data (RFC 5083 §2.2).
    ///
    /// # Errors
    ///
    /// [`AlgorithmError::AuthenticationFailed`] when the tag does not verify.
    pub fn decrypt_gcm(
        &self,
        key: &[u8],
        ciphertext: &[u8],
        tag: &[u8],
        aad: &[u8],
    ) -> Result<Vec<u8>, AlgorithmError> {
        use aes_gcm::aead::{Aead, Payload};
        let ContentCipher::AesGcm {
            key_len,
            nonce,
            tag_len,
        } = self
        else {
            return Err(AlgorithmError::Malformed("not an AES-GCM algorithm".into()));
        };
        if key.len() != *key_len {
            return Err(AlgorithmError::DecryptFailed(format!(
                "the content key is {} bytes, which does not fit {}",
                key.len(),
                self.name()
            )));
        }
        if nonce.len() != 12 || *tag_len != 16 || tag.len() != 16 {
            return Err(AlgorithmError::Unsupported(format!(
                "AES-GCM with a {}-byte nonce and a {}-byte tag (only 12 and 16 are supported)",
                nonce.len(),
                tag.len()
            )));
        }
        let mut sealed = ciphertext.to_vec();
        sealed.extend_from_slice(tag);
        let payload = Payload { msg: &sealed, aad };
        let nonce = aes_gcm::Nonce::from_slice(nonce);
        let result = match key_len {
            16 => aes_gcm::Aes128Gcm::new_from_slice(key).map(|c| c.decrypt(nonce, payload)),
            24 => aes_gcm::AesGcm::<aes::Aes192, aes_gcm::aead::consts::U12>::new_from_slice(key)
                .map(|c| c.decrypt(nonce, payload)),
            _ => aes_gcm::Aes256Gcm::new_from_slice(key).map(|c| c.decrypt(nonce, payload)),
        };
        result
            .map_err(|_| AlgorithmError::DecryptFailed("invalid AES-GCM key".into()))?
            .map_err(|_| AlgorithmError::AuthenticationFailed)
    }
}

/// Returns the DER of `value`, for algorithm parameters built here.
pub fn to_der<T: Encode>(value: &T) -> Vec<u8> {
    value.to_der().expect("values built in this module encode")
}

/// Unwraps a content key with AES Key Wrap (RFC 3394), as ECDH key agreement uses.
///
/// # Errors
///
/// [`AlgorithmError::DecryptFailed`] when the integrity check fails.
pub fn aes_key_unwrap(kek: &[u8], wrapped: &[u8]) -> Result<Vec<u8>, AlgorithmError> {
    let failed =
        || AlgorithmError::DecryptFailed("the AES key wrap does not unwrap with this key".into());
    match kek.len() {
        16 => aes_kw::KekAes128::new(kek.into())
            .unwrap_vec(wrapped)
            .map_err(|_| failed()),
        24 => aes_kw::KekAes192::new(kek.into())
            .unwrap_vec(wrapped)
            .map_err(|_| failed()),
        32 => aes_kw::KekAes256::new(kek.into())
            .unwrap_vec(wrapped)
            .map_err(|_| failed()),
        _ => Err(failed()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rc2_versions_map_to_effective_bits() {
        for (version, bits) in [(160u32, 40usize), (120, 64), (58, 128), (256, 256)] {
            let params = Rc2Params {
                version: Some(version),
                iv: OctetString::new(vec![0u8; 8]).expect("octets"),
            };
            let algorithm = AlgorithmIdentifierOwned {
                oid: oid::RC2_CBC,
                parameters: Some(der::Any::from_der(&to_der(&params)).expect("any")),
            };
            let cipher = ContentCipher::from_algorithm(&algorithm).expect("supported");
            assert_eq!(
                cipher,
                ContentCipher::Rc2Cbc {
                    effective_bits: bits,
                    iv: vec![0; 8]
                },
                "version {version}"
            );
        }
    }

    #[test]
    fn oaep_without_parameters_defaults_to_sha1() {
        let algorithm = AlgorithmIdentifierOwned {
            oid: oid::RSAES_OAEP,
            parameters: None,
        };
        let hashes = oaep_hashes(&algorithm).expect("defaults");
        assert_eq!(hashes.hash, DigestAlgorithm::Sha1);
        assert_eq!(hashes.mgf, DigestAlgorithm::Sha1);
    }

    #[test]
    fn md5_with_rsa_is_only_for_certificates() {
        let algorithm = AlgorithmIdentifierOwned {
            oid: oid::MD5_WITH_RSA,
            parameters: None,
        };
        assert!(matches!(
            signature_scheme(&algorithm, Some(DigestAlgorithm::Sha256)),
            Err(AlgorithmError::Unsupported(_))
        ));
        assert!(matches!(
            signature_scheme(&algorithm, None),
            Ok((SignatureScheme::RsaPkcs1v15, DigestAlgorithm::Md5))
        ));
    }
}
