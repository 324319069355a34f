//! The S/MIME cases under `tests/fixtures/cases/smime-*`, each with the outcome its
//! `expected.md` gives. The certificates are valid from 2026-12-04 for 20 years, so every
//! check runs at a fixed time inside that window.

use regmail::smime::{self, Layer, Options, ReasonCode, Verdict};

use super::{assert_layers, at, trust_from, Expect, GOOD, OPENED};
use crate::fixture;

const AT: &str = "2027-01-01T00:00:00Z";

fn process(case: &str, file: &str, trusted: bool, keys: &[smime::KeyPair]) -> smime::Processed {
    let dir = fixture(&format!("cases/{case}"));
    let anchors = if trusted {
        vec![dir.join("ca.pem")]
    } else {
        Vec::new()
    };
    let trust = trust_from(&anchors, &[]);
    let bytes = std::fs::read(dir.join(file)).expect("read case");
    smime::process(
        &bytes,
        &Options {
            trust: &trust,
            keys,
            at: at(AT),
        },
    )
}

fn signer_subject(processed: &smime::Processed) -> (Option<String>, Option<String>) {
    let signer = processed.report.signers().next().expect("a signer");
    (signer.address.clone(), signer.subject.clone())
}

#[test]
fn lf_and_crlf_copies_verify() {
    for file in ["message-crlf.eml", "message-lf.eml"] {
        let processed = process("smime-lf-line-endings", file, true, &[]);
        assert_layers(file, &processed.report, &[GOOD]);
        assert_eq!(processed.report.verdict, Verdict::Verified, "{file}");
        let (address, subject) = signer_subject(&processed);
        assert_eq!(address.as_deref(), Some("alice@example.com"), "{file}");
        assert!(
            subject.is_some_and(|s| s.contains("Alice Example")),
            "{file}"
        );
        let signer = processed.report.signers().next().expect("signer");
        assert_eq!(signer.digest_algorithm, "sha256", "{file}");
        assert_eq!(
            signer.canonicalized,
            file == "message-lf.eml",
            "{file}: canonicalized only for LF"
        );
    }
}

#[test]
fn untrusted_root_is_not_tampering() {
    let processed = process("smime-lf-line-endings", "message-lf.eml", false, &[]);
    assert_layers(
        "untrusted",
        &processed.report,
        &[Expect::Signed {
            intact: true,
            trusted: false,
            codes: &[ReasonCode::UntrustedRoot],
        }],
    );
    assert_eq!(processed.report.verdict, Verdict::Untrusted);
}

#[test]
fn lf_signed_content_is_the_multipart() {
    let processed = process("smime-lf-line-endings", "message-crlf.eml", true, &[]);
    let content = processed.content.expect("signed content");
    let part = std::fs::read(fixture("cases/smime-lf-line-endings/part.txt")).expect("part.txt");
    assert_eq!(content, part, "the signed entity is part.txt byte for byte");
}

#[test]
fn opaque_x_pkcs7_mime_verifies() {
    let processed = process("smime-opaque-x-pkcs7-mime-signed", "message.eml", true, &[]);
    assert_layers("x-pkcs7-mime", &processed.report, &[GOOD]);
    let (address, _) = signer_subject(&processed);
    assert_eq!(address.as_deref(), Some("alice@example.com"));
    let part = std::fs::read(fixture("cases/smime-opaque-x-pkcs7-mime-signed/part.txt"))
        .expect("part.txt");
    assert_eq!(
        processed.content.as_deref(),
        Some(part.as_slice()),
        "encapsulated content is part.txt"
    );
}

#[test]
fn protocol_mismatch_verifies_with_note() {
    let processed = process("smime-protocol-x-pkcs7-mismatch", "message.eml", true, &[]);
    assert_layers("protocol mismatch", &processed.report, &[GOOD]);
    let Layer::Signed(layer) = &processed.report.layers[0] else {
        panic!("signed layer")
    };
    assert_eq!(layer.notes.len(), 1, "one note: {:?}", layer.notes);
    assert!(layer.notes[0].contains("protocol"), "{:?}", layer.notes);
}

fn bob() -> Vec<smime::KeyPair> {
    let dir = fixture("cases/smime-rsa-oaep-recipient");
    let mut pem = std::fs::read(dir.join("bob.key")).expect("bob.key");
    pem.extend(std::fs::read(dir.join("bob.pem")).expect("bob.pem"));
    smime::read_key_file(&pem, None).expect("PEM key with certificate")
}

#[test]
fn oaep_recipients_decrypt_to_part() {
    let part = std::fs::read(fixture("cases/smime-rsa-oaep-recipient/part.txt")).expect("part.txt");
    for file in ["oaep-sha1.eml", "oaep-sha256.eml"] {
        let processed = process("smime-rsa-oaep-recipient", file, false, &bob());
        assert_layers(file, &processed.report, &[OPENED]);
        assert_eq!(
            processed.decrypted.as_deref(),
            Some(part.as_slice()),
            "{file}: plaintext is part.txt"
        );
        assert_eq!(
            processed.report.verdict,
            Verdict::EncryptedOnly,
            "{file}: encrypted, not signed"
        );
    }
}

#[test]
fn oaep_without_key_names_the_recipient() {
    let processed = process("smime-rsa-oaep-recipient", "oaep-sha1.eml", false, &[]);
    assert_layers(
        "no key",
        &processed.report,
        &[Expect::Encrypted {
            decrypted: false,
            code: Some(ReasonCode::NoMatchingRecipient),
        }],
    );
    let Layer::Encrypted(layer) = &processed.report.layers[0] else {
        panic!("encrypted layer")
    };
    assert!(
        layer
            .recipients
            .iter()
            .any(|r| r.contains("Example Test Root CA") && r.contains("2001")),
        "{:?}",
        layer.recipients
    );
    assert!(processed.decrypted.is_none());
}
