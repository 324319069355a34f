//! The S/MIME samples of the third-party corpus, each with the outcome its MANIFEST.md
//! records for `openssl cms` (and the source project's own tests).
//!
//! Deliberate differences from the recorded OpenSSL walk:
//! - `alice.env.dsig.SHA256.multipart.dave.sig.SHA256.opaque.eml`: the manifest's walk
//!   wrote Dave's opaque content with `-out` in text mode, which turns CRLF into LF, so
//!   the inner Alice signature then failed. Regmail verifies the received bytes, and
//!   `openssl cms -verify -binary` on the same layer succeeds too.
//! - `validator.noEmail.eml`: OpenSSL does not compare addresses; Regmail reports the
//!   missing address (intact and trusted, verdict address-mismatch).
//! - `basicAS2.message`: OpenSSL cannot read the HTTP capture; Regmail reads the headers
//!   after the request line and verifies the signature, as Bouncy Castle does.
//! - `test128.message` and `test256.message`: the content key is 24 bytes for an AES-128
//!   or AES-256 label; Regmail rejects it as OpenSSL does (Bouncy Castle accepts it).
//!
//! The four Outlook `.msg` samples are tested through their S/MIME attachment, taken from
//! the compound file as the manifest describes: Outlook keeps the received S/MIME body as
//! attachment 0 of an `IPM.Note.SMIME` item, in the `PR_ATTACH_DATA_BIN` stream. Importing
//! `.msg` files as messages is a separate feature of the mailbox importer.

use std::path::PathBuf;

use regmail::smime::{self, KeyPair, Options, ReasonCode, Verdict};

use super::{assert_layers, at, trust_from, Expect, GOOD, OPENED};
use crate::corpus_dir;

/// The `.msg` samples: file, whether the attachment is DER enveloped data (else a whole
/// multipart/signed entity), and the expected layers.
const MSG_SAMPLES: &[(&str, bool, &[Expect])] = &[
    (
        "hiraoka-outlook-thunderbird/outlook-received-from-thunderbird_encrypted.msg",
        true,
        &[OPENED],
    ),
    (
        "hiraoka-outlook-thunderbird/outlook-received-from-thunderbird_signed.msg",
        false,
        &[GOOD],
    ),
    (
        "hiraoka-outlook-thunderbird/outlook-sent_signed-and-encrypted.msg",
        true,
        &[OPENED, GOOD],
    ),
    (
        "hiraoka-outlook-thunderbird/outlook-sent_signed.msg",
        false,
        &[GOOD],
    ),
];

/// Returns the S/MIME entity Outlook keeps in the `.msg` file `file`: its first
/// attachment's data, wrapped in a `application/pkcs7-mime` header when it is bare DER.
/// The sender's SMTP address, which Outlook keeps as a property, becomes its From header,
/// so that signers are compared with it as for any message.
fn msg_smime_entity(file: &str, der: bool) -> Vec<u8> {
    let mut compound = cfb::open(path(file)).expect("open the .msg compound file");
    let mut read = |stream: &str| -> Option<Vec<u8>> {
        let mut stream = compound.open_stream(stream).ok()?;
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut stream, &mut data).ok()?;
        Some(data)
    };
    // PR_SENDER_SMTP_ADDRESS, else PR_SENDER_EMAIL_ADDRESS, both UTF-16LE strings.
    let sender = ["/__substg1.0_5D01001F", "/__substg1.0_0C1F001F"]
        .iter()
        .find_map(|stream| read(stream))
        .map(|utf16| {
            let units: Vec<u16> = utf16
                .chunks_exact(2)
                .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
                .collect();
            String::from_utf16_lossy(&units)
                .trim_end_matches('\0')
                .to_owned()
        })
        .expect("the sender's address property");
    let data = read("/__attach_version1.0_#00000000/__substg1.0_37010102")
        .expect("attachment 0 data stream");
    let mut entity = format!("From: {sender}\r\n").into_bytes();
    if der {
        entity.extend_from_slice(
            b"Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\n\
Content-Transfer-Encoding: binary\r\n\r\n",
        );
    }
    entity.extend_from_slice(&data);
    entity
}

fn path(relative: &str) -> PathBuf {
    corpus_dir().join("smime").join(relative)
}

/// How a sample is checked: anchors, extra certificates and CRLs, a key with its
/// passphrase, and the time.
struct Setup {
    anchors: &'static [&'static str],
    others: &'static [&'static str],
    key: Option<(&'static str, &'static str)>,
    at: &'static str,
}

const THUNDERBIRD: Setup = Setup {
    anchors: &["thunderbird/TestCA.pem"],
    others: &[],
    key: Some(("thunderbird/Bob.p12", "nss")),
    at: "2026-06-01T00:00:00Z",
};

const FRAN: Setup = Setup {
    anchors: &[],
    others: &[],
    key: Some(("thunderbird/Fran.p12", "nss")),
    at: "2026-06-01T00:00:00Z",
};

const FRAN_EC: Setup = Setup {
    anchors: &[],
    others: &[],
    key: Some(("thunderbird/Fran-ec.p12", "nss")),
    at: "2026-06-01T00:00:00Z",
};

const BOUNCY_CASTLE: Setup = Setup {
    anchors: &["bouncycastle/validator.root.crt"],
    others: &["bouncycastle/validator.revoked.crl"],
    key: None,
    at: "2026-06-01T00:00:00Z",
};

const HIRAOKA: Setup = Setup {
    anchors: &["hiraoka-outlook-thunderbird/ca_smime.crt"],
    others: &[],
    key: Some(("hiraoka-outlook-thunderbird/smime-2-secret.pfx", "smime2")),
    at: "2026-06-01T00:00:00Z",
};

const LAMPS: Setup = Setup {
    anchors: &["lamps-notmuch/ca.crt"],
    others: &[],
    key: Some(("lamps-notmuch/bob.p12", "")),
    at: "2026-06-01T00:00:00Z",
};

const MIMEKIT: Setup = Setup {
    anchors: &["mimekit/StartComCertificationAuthority.crt"],
    others: &["mimekit/StartComClass1PrimaryIntermediateClientCA.crt"],
    key: None,
    at: "2013-11-02T20:08:04Z",
};

fn keys(setup: &Setup) -> Vec<KeyPair> {
    match setup.key {
        Some((file, passphrase)) => {
            let bytes = std::fs::read(path(file)).expect("read key file");
            smime::read_key_file(&bytes, Some(passphrase)).expect("open key file")
        }
        None => Vec::new(),
    }
}

fn run(file: &str, setup: &Setup, bc_key: bool) -> smime::Processed {
    let anchors: Vec<PathBuf> = setup.anchors.iter().map(|p| path(p)).collect();
    let others: Vec<PathBuf> = setup.others.iter().map(|p| path(p)).collect();
    let trust = trust_from(&anchors, &others);
    let mut keys = keys(setup);
    if bc_key {
        let key = std::fs::read(path("bouncycastle/key.pem")).expect("read key");
        let cert = std::fs::read(path("bouncycastle/cert.pem")).expect("read cert");
        let mut pem = key;
        pem.extend_from_slice(&cert);
        keys = smime::read_key_file(&pem, None).expect("PEM key and certificate");
    }
    let bytes = std::fs::read(path(file)).expect("read sample");
    smime::process(
        &bytes,
        &Options {
            trust: &trust,
            keys: &keys,
            at: at(setup.at),
        },
    )
}

/// One test per sample: the file, its setup, the expected layers and a text the
/// innermost content holds.
macro_rules! sample {
    ($name:ident, $file:expr, $setup:expr, $layers:expr, $content:expr) => {
        sample!($name, $file, $setup, false, $layers, $content);
    };
    ($name:ident, $file:expr, $setup:expr, $bc_key:expr, $layers:expr, $content:expr) => {
        #[test]
        fn $name() {
            let processed = run($file, &$setup, $bc_key);
            assert_layers($file, &processed.report, &$layers);
            let content: Option<&str> = $content;
            if let Some(text) = content {
                let inner = processed.content.as_deref().expect("innermost content");
                assert!(
                    String::from_utf8_lossy(inner).contains(text),
                    "{}: content holds {text:?}",
                    $file
                );
            }
        }
    };
}

const ALICE_TEXT: Option<&str> = Some("This is a test message from Alice to Bob.");
const FRAN_TEXT: Option<&str> = Some("This is a test message to Fran.");
const BC_TEXT: Option<&str> = Some("This is a Test Mail!");

const fn signed(intact: bool, trusted: bool, codes: &'static [ReasonCode]) -> Expect {
    Expect::Signed {
        intact,
        trusted,
        codes,
    }
}

const fn failed(code: ReasonCode) -> Expect {
    Expect::Encrypted {
        decrypted: false,
        code: Some(code),
    }
}

use ReasonCode::*;

sample!(
    tb_dsig_sha1,
    "thunderbird/alice.dsig.SHA1.multipart.eml",
    THUNDERBIRD,
    [GOOD],
    ALICE_TEXT
);
sample!(
    tb_dsig_sha256,
    "thunderbird/alice.dsig.SHA256.multipart.eml",
    THUNDERBIRD,
    [GOOD],
    ALICE_TEXT
);
sample!(
    tb_dsig_sha512,
    "thunderbird/alice.dsig.SHA512.multipart.eml",
    THUNDERBIRD,
    [GOOD],
    ALICE_TEXT
);
sample!(
    tb_dsig_then_encrypt,
    "thunderbird/alice.dsig.SHA256.multipart.env.eml",
    THUNDERBIRD,
    [OPENED, GOOD],
    ALICE_TEXT
);
sample!(
    tb_dsig_mismatched_econtent,
    "thunderbird/alice.dsig.SHA256.multipart.mismatch-econtent.eml",
    THUNDERBIRD,
    [signed(false, true, &[DigestMismatch])],
    None
);
sample!(
    tb_dsig_tampered_body,
    "thunderbird/alice.dsig.SHA512.multipart.bad.eml",
    THUNDERBIRD,
    [signed(false, true, &[DigestMismatch])],
    None
);
sample!(
    tb_triple_wrap_dave_dsig,
    "thunderbird/alice.env.dsig.SHA256.multipart.dave.sig.SHA256.opaque.eml",
    THUNDERBIRD,
    [GOOD, signed(true, true, &[AddressMismatch]), OPENED],
    ALICE_TEXT
);
sample!(
    tb_encrypt_then_dsig,
    "thunderbird/alice.env.dsig.SHA256.multipart.eml",
    THUNDERBIRD,
    [signed(false, true, &[DigestMismatch]), OPENED],
    ALICE_TEXT
);
sample!(
    tb_enveloped_only,
    "thunderbird/alice.env.eml",
    THUNDERBIRD,
    [OPENED],
    ALICE_TEXT
);
sample!(
    tb_triple_wrap_opaque,
    "thunderbird/alice.env.sig.SHA256.opaque.dave.sig.SHA256.opaque.eml",
    THUNDERBIRD,
    [GOOD, signed(true, true, &[AddressMismatch]), OPENED],
    ALICE_TEXT
);
sample!(
    tb_future_date_header,
    "thunderbird/alice.future.dsig.SHA256.multipart.eml",
    THUNDERBIRD,
    [GOOD],
    ALICE_TEXT
);
sample!(
    tb_opaque_html,
    "thunderbird/alice.html.sig.SHA256.opaque.eml",
    THUNDERBIRD,
    [GOOD],
    Some("<html><body>This is a test message")
);
sample!(
    tb_double_opaque,
    "thunderbird/alice.plain.sig.SHA256.opaque.dave.sig.SHA256.opaque.eml",
    THUNDERBIRD,
    [GOOD, signed(true, true, &[AddressMismatch])],
    ALICE_TEXT
);
sample!(
    tb_dsig_over_opaque_sha384,
    "thunderbird/alice.plain.sig.SHA384.opaque.dave.dsig.SHA384.multipart.eml",
    THUNDERBIRD,
    [GOOD, signed(true, true, &[AddressMismatch])],
    ALICE_TEXT
);
sample!(
    tb_opaque_sha1,
    "thunderbird/alice.sig.SHA1.opaque.eml",
    THUNDERBIRD,
    [GOOD],
    ALICE_TEXT
);
sample!(
    tb_opaque_then_encrypt,
    "thunderbird/alice.sig.SHA256.opaque.env.eml",
    THUNDERBIRD,
    [OPENED, GOOD],
    ALICE_TEXT
);
sample!(
    tb_opaque_sha512_then_encrypt,
    "thunderbird/alice.sig.SHA512.opaque.env.eml",
    THUNDERBIRD,
    [OPENED, GOOD],
    ALICE_TEXT
);
sample!(
    tb_nested_signatures_in_mixed,
    "thunderbird/browser_nested-sigs.eml",
    THUNDERBIRD,
    [signed(false, false, &[DigestMismatch, UntrustedRoot])],
    Some("level 2")
);
sample!(
    tb_ecdh_p384,
    "thunderbird/interop_fran-ec_ossl-aes256-sha512.env.eml",
    FRAN_EC,
    [OPENED],
    FRAN_TEXT
);
sample!(
    tb_oaep_sha256,
    "thunderbird/interop_fran-oaep-sha256hash-sha256mgf_ossl.env.eml",
    FRAN,
    [OPENED],
    FRAN_TEXT
);
sample!(
    tb_oaep_sha1_3des,
    "thunderbird/interop_fran-oaep_ossl.env.eml",
    FRAN,
    [OPENED],
    FRAN_TEXT
);
sample!(
    tb_ecdh_with_rsa_key_has_no_recipient,
    "thunderbird/interop_fran-ec_ossl-aes256-sha512.env.eml",
    FRAN,
    [failed(NoMatchingRecipient)],
    None
);
sample!(
    tb_stale_outer_dsig_over_good_inner,
    "thunderbird/manual_alice.dsig.SHA256.multipart.env.dsig.eml",
    THUNDERBIRD,
    [signed(false, true, &[DigestMismatch]), OPENED, GOOD],
    ALICE_TEXT
);
sample!(
    tb_dsig_over_mixed,
    "thunderbird/manual_alice.env.mixed.dsig.SHA256.multipart.eml",
    THUNDERBIRD,
    [signed(false, false, &[DigestMismatch, UntrustedRoot])],
    None
);
sample!(
    tb_bad_outer_inner_signed,
    "thunderbird/manual_outer-smime-bad-sig-inner-smime-enc-sig.eml",
    THUNDERBIRD,
    [signed(false, false, &[DigestMismatch]), OPENED, GOOD],
    ALICE_TEXT
);
sample!(
    tb_bad_outer_inner_encrypted,
    "thunderbird/manual_outer-smime-bad-sig-inner-smime-enc.eml",
    THUNDERBIRD,
    [signed(false, false, &[DigestMismatch]), OPENED],
    ALICE_TEXT
);

sample!(
    bc_circular_chain,
    "bouncycastle/circular.eml",
    BOUNCY_CASTLE,
    [signed(true, false, &[CircularChain])],
    Some("hello world")
);
sample!(
    bc_dotnet_mislabelled_enveloped,
    "bouncycastle/dotnet_encrypted_mail.eml",
    BOUNCY_CASTLE,
    true,
    [failed(NoMatchingRecipient)],
    None
);
sample!(
    bc_extra_newline_issuer_missing,
    "bouncycastle/extra-nl.eml",
    BOUNCY_CASTLE,
    [signed(true, false, &[UntrustedRoot])],
    None
);
sample!(
    bc_pss_non_default_salt,
    "bouncycastle/openssl-signed-sha256-non-default-salt-length.eml",
    BOUNCY_CASTLE,
    [signed(true, false, &[UntrustedRoot])],
    Some("test")
);
sample!(
    bc_outlook_2010_no_key,
    "bouncycastle/outlook_2010_beta_sime_msg.eml",
    BOUNCY_CASTLE,
    true,
    [failed(NoMatchingRecipient)],
    None
);
sample!(
    bc_ext_key_usage,
    "bouncycastle/validator.extKeyUsage.eml",
    BOUNCY_CASTLE,
    [signed(true, false, &[NoEmailProtection])],
    BC_TEXT
);
sample!(
    bc_long_validity,
    "bouncycastle/validator.longValidity.eml",
    BOUNCY_CASTLE,
    [GOOD],
    BC_TEXT
);
sample!(
    bc_no_email,
    "bouncycastle/validator.noEmail.eml",
    BOUNCY_CASTLE,
    [signed(true, true, &[NoAddress])],
    BC_TEXT
);
sample!(
    bc_not_yet_valid,
    "bouncycastle/validator.notYetValid.eml",
    BOUNCY_CASTLE,
    [signed(true, false, &[NotYetValid])],
    BC_TEXT
);
sample!(
    bc_revoked,
    "bouncycastle/validator.revoked.eml",
    BOUNCY_CASTLE,
    [signed(true, false, &[Revoked])],
    BC_TEXT
);
sample!(
    bc_short_key,
    "bouncycastle/validator.shortKey.eml",
    BOUNCY_CASTLE,
    [GOOD],
    BC_TEXT
);
sample!(
    bc_valid_mail,
    "bouncycastle/validator.validMail.eml",
    BOUNCY_CASTLE,
    [GOOD],
    BC_TEXT
);
sample!(
    bc_as2_binary_signature,
    "bouncycastle/basicAS2.message",
    BOUNCY_CASTLE,
    [signed(true, false, &[UntrustedRoot])],
    None
);
sample!(
    bc_lone_detached_signature,
    "bouncycastle/brokenEnv.message",
    BOUNCY_CASTLE,
    [Expect::SignedMalformed],
    None
);
sample!(
    bc_aes128_label_with_24_byte_key,
    "bouncycastle/test128.message",
    BOUNCY_CASTLE,
    true,
    [failed(DecryptionFailed)],
    None
);
sample!(
    bc_aes192,
    "bouncycastle/test192.message",
    BOUNCY_CASTLE,
    true,
    [OPENED],
    None
);
sample!(
    bc_aes256_label_with_24_byte_key,
    "bouncycastle/test256.message",
    BOUNCY_CASTLE,
    true,
    [failed(DecryptionFailed)],
    None
);

sample!(
    hiraoka_outlook_encrypted,
    "hiraoka-outlook-thunderbird/outlook_encrypted.eml",
    HIRAOKA,
    [OPENED],
    None
);
sample!(
    hiraoka_outlook_plain,
    "hiraoka-outlook-thunderbird/outlook_plain.eml",
    HIRAOKA,
    [],
    None
);
sample!(
    hiraoka_outlook_signed,
    "hiraoka-outlook-thunderbird/outlook_signed.eml",
    HIRAOKA,
    [GOOD],
    None
);
sample!(
    hiraoka_thunderbird_encrypted,
    "hiraoka-outlook-thunderbird/thunderbird_encrypted.eml",
    HIRAOKA,
    [OPENED],
    None
);
sample!(
    hiraoka_thunderbird_plain,
    "hiraoka-outlook-thunderbird/thunderbird_plain.eml",
    HIRAOKA,
    [],
    None
);
sample!(
    hiraoka_thunderbird_sign_then_encrypt,
    "hiraoka-outlook-thunderbird/thunderbird_signed-and-encrypted.eml",
    HIRAOKA,
    [OPENED, GOOD],
    None
);

sample!(
    lamps_opaque_signed_with_received,
    "lamps-notmuch/pkcs7_smime-onepart-signed.eml",
    LAMPS,
    [GOOD],
    Some("Bob, we need to cancel this contract.")
);
sample!(
    lamps_encrypted_legacy_display,
    "lamps-notmuch/protected-headers_smime-enc+legacy-disp.eml",
    LAMPS,
    [OPENED],
    None
);
sample!(
    lamps_opaque_signed,
    "lamps-notmuch/protected-headers_smime-onepart-signed.eml",
    LAMPS,
    [GOOD],
    Some("Bob, we need to cancel this contract.")
);
sample!(
    lamps_sign_then_encrypt,
    "lamps-notmuch/protected-headers_smime-sign+enc+legacy-disp.eml",
    LAMPS,
    [OPENED, GOOD],
    None
);

sample!(
    mimekit_thunderbird_startcom,
    "mimekit/thunderbird-signed.eml",
    MIMEKIT,
    [GOOD],
    None
);

#[test]
fn msg_samples_verify_and_decrypt() {
    let anchors: Vec<PathBuf> = HIRAOKA.anchors.iter().map(|p| path(p)).collect();
    let trust = trust_from(&anchors, &[]);
    let keys = keys(&HIRAOKA);
    for (file, der, layers) in MSG_SAMPLES {
        let entity = msg_smime_entity(file, *der);
        let processed = smime::process(
            &entity,
            &Options {
                trust: &trust,
                keys: &keys,
                at: at(HIRAOKA.at),
            },
        );
        assert_layers(file, &processed.report, layers);
        let inner = processed.content.as_deref().expect("innermost content");
        assert!(
            String::from_utf8_lossy(inner)
                .to_ascii_lowercase()
                .contains("multipart/mixed"),
            "{file}: the content is the multipart/mixed message"
        );
    }
}

#[test]
fn msg_sample_list_matches_corpus() {
    let dir = corpus_dir().join("smime/hiraoka-outlook-thunderbird");
    let mut found: Vec<String> = std::fs::read_dir(&dir)
        .expect("list corpus folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".msg"))
        .map(|name| format!("hiraoka-outlook-thunderbird/{name}"))
        .collect();
    found.sort();
    let listed: Vec<&str> = MSG_SAMPLES.iter().map(|(file, _, _)| *file).collect();
    assert_eq!(found, listed);
}

#[test]
fn corpus_pkcs12_files_open() {
    let cases: &[(&str, &str)] = &[
        (
            "cms-rustcrypto/ValidCertificatePathTest1EE_firefox.p12",
            "password",
        ),
        (
            "cms-rustcrypto/ValidCertificatePathTest1EE_windows_aes.p12.pfx",
            "password",
        ),
        (
            "cms-rustcrypto/ValidCertificatePathTest1EE_windows_tdes.p12.pfx",
            "password",
        ),
        ("hiraoka-outlook-thunderbird/smime-1-secret.pfx", "smime1"),
        ("thunderbird/Alice.p12", "nss"),
        ("thunderbird/Dave.p12", "nss"),
        ("lamps-notmuch/bob.p12", ""),
    ];
    for (file, passphrase) in cases {
        let bytes = std::fs::read(path(file)).expect("read");
        let pairs = smime::read_key_file(&bytes, Some(passphrase))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(pairs.len(), 1, "{file}: one key");
        assert!(
            pairs[0].cert.is_some(),
            "{file}: key paired with its certificate"
        );
    }
}

#[test]
fn wrong_pkcs12_passphrase_is_named() {
    let bytes = std::fs::read(path("thunderbird/Bob.p12")).expect("read");
    let err = smime::read_key_file(&bytes, Some("not nss")).expect_err("wrong passphrase");
    assert!(matches!(err, smime::KeyError::WrongPassphrase), "{err}");
}

#[test]
fn password_recipient_is_reported_unsupported() {
    // PWRI (RFC 3211) is not for mail between people; the layer names the recipient kind.
    let bytes = std::fs::read(path("cms-rustcrypto/enveloped_data_pwri.bin")).expect("read");
    let mut message =
        b"Content-Type: application/pkcs7-mime; smime-type=enveloped-data\r\n\r\n".to_vec();
    message.extend_from_slice(&bytes);
    let trust = smime::TrustStore::default();
    let processed = smime::process(
        &message,
        &Options {
            trust: &trust,
            keys: &[],
            at: at("2026-06-01T00:00:00Z"),
        },
    );
    assert_layers("pwri", &processed.report, &[failed(NoMatchingRecipient)]);
    let smime::Layer::Encrypted(layer) = &processed.report.layers[0] else {
        panic!("encrypted layer")
    };
    assert!(
        layer.recipients.iter().any(|r| r.contains("password")),
        "{:?}",
        layer.recipients
    );
}

#[test]
fn unreadable_verdict_without_key() {
    let processed = run(
        "thunderbird/alice.env.eml",
        &Setup {
            key: None,
            ..THUNDERBIRD
        },
        false,
    );
    assert_eq!(processed.report.verdict, Verdict::Unreadable);
    assert!(processed.content.is_none(), "no plaintext without a key");
}
