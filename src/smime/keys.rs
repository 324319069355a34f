//! The reviewer's private keys: reading PKCS#12 (RFC 7292) and PEM files, and matching a
//! key to the recipients of an encrypted message.
//!
//! Keys live in memory only as [`KeyPair`]s, whose key material is zeroized on drop (the
//! `rsa`, `p256` and `p384` secret key types do this). Decrypted PKCS#8 buffers are held in
//! [`Zeroizing`] and never logged. Storing keys at rest is [`super::vault`]'s job.

use der::asn1::OctetString;
use der::{Decode, Encode, Sequence};
use hmac::Mac;
use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use super::algorithms::{oid, oid_name, PublicKey};
use super::ber;
use super::certs::{self, Cert};

/// pkcs-12 PBE with SHA-1 and 3-key triple DES (RFC 7292 Appendix C).
const PBE_SHA1_3DES: der::oid::ObjectIdentifier =
    pkcs12::PKCS_12_PBE_WITH_SHAAND3_KEY_TRIPLE_DES_CBC;
const PBE_SHA1_2DES: der::oid::ObjectIdentifier =
    pkcs12::PKCS_12_PBE_WITH_SHAAND2_KEY_TRIPLE_DES_CBC;
const PBE_SHA1_RC2_128: der::oid::ObjectIdentifier = pkcs12::PKCS_12_PBE_WITH_SHAAND128_BIT_RC2_CBC;
const PBE_SHA1_RC2_40: der::oid::ObjectIdentifier = pkcs12::PKCS_12_PBEWITH_SHAAND40_BIT_RC2_CBC;
/// id-PBES2 (RFC 8018 §6.2).
const PBES2: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");
/// x509Certificate cert bag type (RFC 7292 §4.2.3).
const X509_CERTIFICATE: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.22.1");

/// Failure to read a key file.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The passphrase does not open the file.
    #[error("the passphrase does not open the key file; check it and try again")]
    WrongPassphrase,
    /// The file is encrypted and no passphrase was given.
    #[error("the key file is encrypted; give its passphrase (--passphrase-env)")]
    PassphraseNeeded,
    /// The file uses an algorithm this build does not implement.
    #[error("the key file uses {0}, which is not supported; convert it with `openssl pkcs12 -export` using AES-256")]
    Unsupported(String),
    /// The file is not a key file.
    #[error("not a PKCS#12 or PEM private key file: {0}")]
    Malformed(String),
    /// The file contains no private key.
    #[error("the file holds no private key")]
    NoKey,
}

/// A private key of a supported kind. Each variant zeroizes its secret on drop, and so does
/// each clone.
#[derive(Clone)]
pub enum PrivateKey {
    /// RSA, boxed because it is ten times the size of an EC key.
    Rsa(Box<rsa::RsaPrivateKey>),
    /// EC on P-256.
    P256(p256::SecretKey),
    /// EC on P-384.
    P384(p384::SecretKey),
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material.
        f.write_str(self.kind())
    }
}

impl PrivateKey {
    /// Decodes a PKCS#8 PrivateKeyInfo (RFC 5208).
    ///
    /// # Errors
    ///
    /// [`KeyError::Unsupported`] for other algorithms or curves.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        let info = pkcs8::PrivateKeyInfo::from_der(der)
            .map_err(|e| KeyError::Malformed(format!("PKCS#8: {e}")))?;
        // Some exporters (NSS) write the inner key structure in BER as well.
        let inner = Zeroizing::new(
            ber::normalize(info.private_key)
                .map_err(|e| KeyError::Malformed(format!("private key: {e}")))?,
        );
        match info.algorithm.oid {
            oid::RSA_ENCRYPTION => {
                use rsa::pkcs1::DecodeRsaPrivateKey;
                rsa::RsaPrivateKey::from_pkcs1_der(&inner)
                    .map(|key| PrivateKey::Rsa(Box::new(key)))
                    .map_err(|e| KeyError::Malformed(format!("RSA key: {e}")))
            }
            oid::EC_PUBLIC_KEY => {
                let curve = info.algorithm.parameters_oid().ok();
                match curve {
                    Some(oid::SECP256R1) => p256::SecretKey::from_sec1_der(&inner)
                        .map(PrivateKey::P256)
                        .map_err(|e| KeyError::Malformed(format!("P-256 key: {e}"))),
                    Some(oid::SECP384R1) => p384::SecretKey::from_sec1_der(&inner)
                        .map(PrivateKey::P384)
                        .map_err(|e| KeyError::Malformed(format!("P-384 key: {e}"))),
                    Some(other) => Err(KeyError::Unsupported(format!(
                        "the elliptic curve {}",
                        oid_name(&other)
                    ))),
                    None => Err(KeyError::Malformed("EC key without a named curve".into())),
                }
            }
            other => Err(KeyError::Unsupported(format!(
                "the key algorithm {}",
                oid_name(&other)
            ))),
        }
    }

    /// Encodes the key as PKCS#8 DER, for encryption at rest.
    pub fn to_pkcs8_der(&self) -> Zeroizing<Vec<u8>> {
        use pkcs8::EncodePrivateKey;
        let document = match self {
            PrivateKey::Rsa(key) => key.to_pkcs8_der(),
            PrivateKey::P256(key) => key.to_pkcs8_der(),
            PrivateKey::P384(key) => key.to_pkcs8_der(),
        }
        .expect("supported keys encode as PKCS#8");
        Zeroizing::new(document.as_bytes().to_vec())
    }

    /// Returns the key type (`RSA`, `EC P-256`).
    pub fn kind(&self) -> &'static str {
        match self {
            PrivateKey::Rsa(_) => "RSA",
            PrivateKey::P256(_) => "EC P-256",
            PrivateKey::P384(_) => "EC P-384",
        }
    }

    /// Returns whether `public` is this key's public half.
    pub fn matches(&self, public: &PublicKey) -> bool {
        match (self, public) {
            (PrivateKey::Rsa(key), PublicKey::Rsa(public)) => &key.to_public_key() == public,
            (PrivateKey::P256(key), PublicKey::P256(public)) => &key.public_key() == public,
            (PrivateKey::P384(key), PublicKey::P384(public)) => &key.public_key() == public,
            _ => false,
        }
    }
}

/// A private key with the certificate that names it, when known.
#[derive(Debug, Clone)]
pub struct KeyPair {
    /// The key.
    pub key: PrivateKey,
    /// Its certificate, which identifies the recipient in an encrypted message.
    pub cert: Option<Cert>,
}

impl KeyPair {
    /// Returns a label for messages: the certificate subject, else the key type.
    pub fn label(&self) -> String {
        match &self.cert {
            Some(cert) => cert.subject(),
            None => format!("{} key without a certificate", self.key.kind()),
        }
    }
}

/// Reads the key pairs of a PKCS#12 file (DER, or PEM-armoured as gpgsm writes it) or a PEM
/// file with private keys and certificates. Certificates are matched to keys by public key.
///
/// # Errors
///
/// [`KeyError`] when the file is not readable, the passphrase is wrong or it has no key.
pub fn read_key_file(bytes: &[u8], passphrase: Option<&str>) -> Result<Vec<KeyPair>, KeyError> {
    let mut keys = Vec::new();
    let mut certs = Vec::new();
    if bytes.windows(11).any(|w| w == b"-----BEGIN ") {
        if let Some(header) = encrypted_pem_header(bytes) {
            return Err(KeyError::Unsupported(format!(
                "legacy PEM encryption ({header}); convert the key to PKCS#8 with `openssl pkcs8 -topk8`"
            )));
        }
        let blocks = certs::pem_blocks(bytes).map_err(|e| KeyError::Malformed(e.to_string()))?;
        for (label, der) in blocks {
            let der = Zeroizing::new(der);
            match label.as_str() {
                "PRIVATE KEY" => keys.push(PrivateKey::from_pkcs8_der(&der)?),
                "ENCRYPTED PRIVATE KEY" => {
                    let passphrase = passphrase.ok_or(KeyError::PassphraseNeeded)?;
                    let plain = decrypt_shrouded_key(&der, passphrase)?;
                    keys.push(PrivateKey::from_pkcs8_der(&plain)?);
                }
                "RSA PRIVATE KEY" => {
                    use rsa::pkcs1::DecodeRsaPrivateKey;
                    let key = rsa::RsaPrivateKey::from_pkcs1_der(&der)
                        .map_err(|e| KeyError::Malformed(format!("RSA key: {e}")))?;
                    keys.push(PrivateKey::Rsa(Box::new(key)));
                }
                "EC PRIVATE KEY" => keys.push(sec1_key(&der)?),
                "CERTIFICATE" => {
                    if let Ok(cert) = Cert::from_der(&der) {
                        certs.push(cert);
                    }
                }
                "PKCS12" => {
                    let (more_keys, more_certs) = read_pkcs12(&der, passphrase.unwrap_or(""))?;
                    keys.extend(more_keys);
                    certs.extend(more_certs);
                }
                _ => {}
            }
        }
    } else {
        if pkcs8::PrivateKeyInfo::from_der(bytes).is_ok() {
            keys.push(PrivateKey::from_pkcs8_der(bytes)?);
        } else {
            let (more_keys, more_certs) = read_pkcs12(bytes, passphrase.unwrap_or(""))?;
            keys.extend(more_keys);
            certs.extend(more_certs);
        }
    }
    if keys.is_empty() {
        return Err(KeyError::NoKey);
    }
    Ok(pair_keys(keys, certs))
}

/// Pairs each key with the certificate of its public key.
pub fn pair_keys(keys: Vec<PrivateKey>, certs: Vec<Cert>) -> Vec<KeyPair> {
    keys.into_iter()
        .map(|key| {
            let cert = certs
                .iter()
                .find(|cert| cert.public_key().is_ok_and(|public| key.matches(&public)))
                .cloned();
            KeyPair { key, cert }
        })
        .collect()
}

fn encrypted_pem_header(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    text.lines()
        .find(|line| line.starts_with("DEK-Info:"))
        .map(|line| line.trim().to_owned())
}

fn sec1_key(der: &[u8]) -> Result<PrivateKey, KeyError> {
    let key = sec1::EcPrivateKey::from_der(der)
        .map_err(|e| KeyError::Malformed(format!("EC key: {e}")))?;
    let curve = key.parameters.and_then(|p| p.named_curve());
    match curve {
        Some(oid::SECP256R1) => p256::SecretKey::from_sec1_der(der)
            .map(PrivateKey::P256)
            .map_err(|e| KeyError::Malformed(format!("P-256 key: {e}"))),
        Some(oid::SECP384R1) => p384::SecretKey::from_sec1_der(der)
            .map(PrivateKey::P384)
            .map_err(|e| KeyError::Malformed(format!("P-384 key: {e}"))),
        Some(other) => Err(KeyError::Unsupported(format!(
            "the elliptic curve {}",
            oid_name(&other)
        ))),
        None => Err(KeyError::Malformed("EC key without a named curve".into())),
    }
}

/// EncryptedPrivateKeyInfo (RFC 5208 §6), read with an owned algorithm identifier so that
/// PKCS#12 PBE algorithms, which `pkcs8` does not know, can be read too.
#[derive(Debug, Clone, Sequence)]
struct EncryptedKeyInfo {
    algorithm: AlgorithmIdentifierOwned,
    data: OctetString,
}

fn decrypt_shrouded_key(der: &[u8], passphrase: &str) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let info = EncryptedKeyInfo::from_der(der)
        .map_err(|e| KeyError::Malformed(format!("encrypted key: {e}")))?;
    let plain = pbe_decrypt(&info.algorithm, passphrase, info.data.as_bytes())?;
    // NSS writes the decrypted PrivateKeyInfo in BER.
    let plain = Zeroizing::new(ber::normalize(&plain).map_err(|_| KeyError::WrongPassphrase)?);
    // A wrong passphrase usually fails the padding check; when it does not, the result is
    // not a PrivateKeyInfo.
    if pkcs8::PrivateKeyInfo::from_der(&plain).is_err() {
        return Err(KeyError::WrongPassphrase);
    }
    Ok(plain)
}

/// Decrypts with a password-based scheme: PBES2 (RFC 8018 §6.2) or a PKCS#12 PBE scheme
/// (RFC 7292 Appendix C) with the PKCS#12 key derivation of Appendix B.
fn pbe_decrypt(
    algorithm: &AlgorithmIdentifierOwned,
    passphrase: &str,
    data: &[u8],
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    use cbc::cipher::block_padding::Pkcs7;
    use cbc::cipher::{BlockDecryptMut, InnerIvInit, KeyIvInit};
    use pkcs12::kdf::{derive_key_utf8, Pkcs12KeyType};

    if algorithm.oid == PBES2 {
        let der = pbes2_with_null_prf_parameters(algorithm)?;
        let scheme = pkcs5::EncryptionScheme::from_der(&der)
            .map_err(|e| KeyError::Unsupported(format!("PBES2 parameters ({e})")))?;
        return scheme
            .decrypt(passphrase.as_bytes(), data)
            .map(Zeroizing::new)
            .map_err(|_| KeyError::WrongPassphrase);
    }

    let (key_len, cipher) = match algorithm.oid {
        PBE_SHA1_3DES => (24, "3des"),
        PBE_SHA1_2DES => (16, "2des"),
        PBE_SHA1_RC2_128 => (16, "rc2"),
        PBE_SHA1_RC2_40 => (5, "rc2"),
        other => {
            return Err(KeyError::Unsupported(format!(
                "the encryption scheme {}",
                oid_name(&other)
            )))
        }
    };
    let params = algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<pkcs12::pbe_params::Pkcs12PbeParams>().ok())
        .ok_or_else(|| KeyError::Malformed("PKCS#12 PBE parameters".into()))?;
    let salt = params.salt.as_bytes();
    let derive = |id, len| {
        derive_key_utf8::<sha1::Sha1>(passphrase, salt, id, params.iterations, len)
            .map(Zeroizing::new)
            .map_err(|_| KeyError::Malformed("passphrase is not valid for PKCS#12".into()))
    };
    let key = derive(Pkcs12KeyType::EncryptionKey, key_len)?;
    let iv = derive(Pkcs12KeyType::Iv, 8)?;
    let wrong = |_| KeyError::WrongPassphrase;
    let plain = match cipher {
        "3des" => cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
            .map_err(|_| KeyError::Malformed("3DES key".into()))?
            .decrypt_padded_vec_mut::<Pkcs7>(data)
            .map_err(wrong)?,
        "2des" => cbc::Decryptor::<des::TdesEde2>::new_from_slices(&key, &iv)
            .map_err(|_| KeyError::Malformed("3DES key".into()))?
            .decrypt_padded_vec_mut::<Pkcs7>(data)
            .map_err(wrong)?,
        _ => {
            let rc2 = rc2::Rc2::new_with_eff_key_len(&key, key_len * 8);
            cbc::Decryptor::<rc2::Rc2>::inner_iv_slice_init(rc2, &iv)
                .map_err(|_| KeyError::Malformed("RC2 IV".into()))?
                .decrypt_padded_vec_mut::<Pkcs7>(data)
                .map_err(wrong)?
        }
    };
    Ok(Zeroizing::new(plain))
}

/// PBES2-params (RFC 8018 §A.4).
#[derive(Debug, Clone, Sequence)]
struct Pbes2Params {
    kdf: AlgorithmIdentifierOwned,
    scheme: AlgorithmIdentifierOwned,
}

/// PBKDF2-params (RFC 8018 §A.2).
#[derive(Debug, Clone, Sequence)]
struct Pbkdf2Params {
    salt: OctetString,
    iterations: u32,
    key_length: Option<u32>,
    prf: Option<AlgorithmIdentifierOwned>,
}

/// Returns the DER of a PBES2 algorithm identifier with NULL parameters on its PRF.
///
/// NSS omits the parameters of the PRF (`hmacWithSHA256` with nothing after the OID),
/// which OpenSSL accepts but `pkcs5` 0.7 rejects.
fn pbes2_with_null_prf_parameters(
    algorithm: &AlgorithmIdentifierOwned,
) -> Result<Vec<u8>, KeyError> {
    let malformed = |e: der::Error| KeyError::Malformed(format!("PBES2 parameters: {e}"));
    let mut params = algorithm
        .parameters
        .as_ref()
        .ok_or_else(|| KeyError::Malformed("PBES2 without parameters".into()))?
        .decode_as::<Pbes2Params>()
        .map_err(malformed)?;
    if let Some(kdf_params) = params.kdf.parameters.as_ref() {
        let mut kdf = kdf_params.decode_as::<Pbkdf2Params>().map_err(malformed)?;
        if let Some(prf) = kdf.prf.as_mut().filter(|prf| prf.parameters.is_none()) {
            prf.parameters = Some(der::Any::from(der::asn1::Null));
        }
        params.kdf.parameters = Some(der::Any::encode_from(&kdf).map_err(malformed)?);
    }
    let rebuilt = AlgorithmIdentifierOwned {
        oid: algorithm.oid,
        parameters: Some(der::Any::encode_from(&params).map_err(malformed)?),
    };
    rebuilt.to_der().map_err(malformed)
}

/// Reads the keys and certificates of a PKCS#12 PFX (RFC 7292 §4).
///
/// # Errors
///
/// [`KeyError::Malformed`] when it is not a PFX, [`KeyError::WrongPassphrase`] when the
/// MAC does not verify.
fn read_pkcs12(der: &[u8], passphrase: &str) -> Result<(Vec<PrivateKey>, Vec<Cert>), KeyError> {
    let normalized = ber::normalize(der).map_err(|e| KeyError::Malformed(e.to_string()))?;
    let pfx = pkcs12::pfx::Pfx::from_der(&normalized)
        .map_err(|e| KeyError::Malformed(format!("PKCS#12: {e}")))?;
    if pfx.auth_safe.content_type != oid::DATA {
        return Err(KeyError::Unsupported(
            "a PKCS#12 file protected by a public key".into(),
        ));
    }
    let auth_safe = pfx
        .auth_safe
        .content
        .decode_as::<OctetString>()
        .map_err(|e| KeyError::Malformed(format!("PKCS#12 authSafe: {e}")))?;
    if let Some(mac) = &pfx.mac_data {
        verify_mac(mac, passphrase, auth_safe.as_bytes())?;
    }

    let auth_safe_der =
        ber::normalize(auth_safe.as_bytes()).map_err(|e| KeyError::Malformed(e.to_string()))?;
    let contents = Vec::<cms::content_info::ContentInfo>::from_der(&auth_safe_der)
        .map_err(|e| KeyError::Malformed(format!("PKCS#12 AuthenticatedSafe: {e}")))?;
    let mut keys = Vec::new();
    let mut certs = Vec::new();
    for content in contents {
        let safe_contents: Zeroizing<Vec<u8>> = match content.content_type {
            oid::DATA => {
                let data = content
                    .content
                    .decode_as::<OctetString>()
                    .map_err(|e| KeyError::Malformed(format!("PKCS#12 data: {e}")))?;
                Zeroizing::new(
                    ber::normalize(data.as_bytes())
                        .map_err(|e| KeyError::Malformed(e.to_string()))?,
                )
            }
            oid::ENCRYPTED_DATA => {
                let encrypted = content
                    .content
                    .decode_as::<cms::encrypted_data::EncryptedData>()
                    .map_err(|e| KeyError::Malformed(format!("PKCS#12 encryptedData: {e}")))?;
                let info = &encrypted.enc_content_info;
                let data = info.encrypted_content.as_ref().ok_or_else(|| {
                    KeyError::Malformed("PKCS#12 encryptedData without content".into())
                })?;
                let plain = pbe_decrypt(&info.content_enc_alg, passphrase, data.as_bytes())?;
                Zeroizing::new(ber::normalize(&plain).map_err(|_| KeyError::WrongPassphrase)?)
            }
            other => {
                return Err(KeyError::Unsupported(format!(
                    "PKCS#12 content {}",
                    oid_name(&other)
                )))
            }
        };
        let bags = Vec::<pkcs12::safe_bag::SafeBag>::from_der(&safe_contents)
            .map_err(|e| KeyError::Malformed(format!("PKCS#12 SafeContents: {e}")))?;
        for bag in bags {
            let (explicit, _) =
                ber::read_der(&bag.bag_value).map_err(|e| KeyError::Malformed(e.to_string()))?;
            let value = explicit.value;
            match bag.bag_id {
                pkcs12::PKCS_12_KEY_BAG_OID => keys.push(PrivateKey::from_pkcs8_der(value)?),
                pkcs12::PKCS_12_PKCS8_KEY_BAG_OID => {
                    let plain = decrypt_shrouded_key(value, passphrase)?;
                    keys.push(PrivateKey::from_pkcs8_der(&plain)?);
                }
                pkcs12::PKCS_12_CERT_BAG_OID => {
                    let bag = pkcs12::cert_type::CertBag::from_der(value)
                        .map_err(|e| KeyError::Malformed(format!("PKCS#12 certBag: {e}")))?;
                    if bag.cert_id == X509_CERTIFICATE {
                        if let Ok(cert) = Cert::from_der(bag.cert_value.as_bytes()) {
                            certs.push(cert);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    Ok((keys, certs))
}

/// Verifies the PKCS#12 integrity MAC (RFC 7292 §5), which distinguishes a wrong passphrase
/// from a damaged file. An empty passphrase is tried both as the empty BMPString
/// with its terminator (OpenSSL) and as no bytes at all (some exporters).
fn verify_mac(
    mac: &pkcs12::mac_data::MacData,
    passphrase: &str,
    data: &[u8],
) -> Result<(), KeyError> {
    use pkcs12::kdf::{derive_key, derive_key_utf8, Pkcs12KeyType};
    let salt = mac.mac_salt.as_bytes();
    let expected = mac.mac.digest.as_bytes();
    let iterations = mac.iterations;
    macro_rules! check {
        ($hash:ty) => {{
            let mut candidates = vec![Zeroizing::new(
                derive_key_utf8::<$hash>(
                    passphrase,
                    salt,
                    Pkcs12KeyType::Mac,
                    iterations,
                    <$hash as sha2::digest::OutputSizeUser>::output_size(),
                )
                .map_err(|_| KeyError::Malformed("passphrase is not valid for PKCS#12".into()))?,
            )];
            if passphrase.is_empty() {
                candidates.push(Zeroizing::new(derive_key::<$hash>(
                    &[],
                    salt,
                    Pkcs12KeyType::Mac,
                    iterations,
                    <$hash as sha2::digest::OutputSizeUser>::output_size(),
                )));
            }
            candidates.iter().any(|key| {
                let mut hmac =
                    hmac::Hmac::<$hash>::new_from_slice(key).expect("HMAC takes any key size");
                hmac.update(data);
                hmac.verify_slice(expected).is_ok()
            })
        }};
    }
    let ok = match mac.mac.algorithm.oid {
        oid::SHA1 => check!(sha1::Sha1),
        oid::SHA224 => check!(sha2::Sha224),
        oid::SHA256 => check!(sha2::Sha256),
        oid::SHA384 => check!(sha2::Sha384),
        oid::SHA512 => check!(sha2::Sha512),
        other => {
            return Err(KeyError::Unsupported(format!(
                "the PKCS#12 MAC algorithm {}",
                oid_name(&other)
            )))
        }
    };
    if ok {
        Ok(())
    } else {
        Err(KeyError::WrongPassphrase)
    }
}
