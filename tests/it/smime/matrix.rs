//! A matrix of S/MIME messages made at test time with the `openssl` CLI (OpenSSL 3.0).
//! Regmail and `openssl cms -verify` / `-decrypt` check each message. Their verdicts must
//! agree, and each must be the verdict the case is built for.
//!
//! Every certificate has a fixed validity window set with `openssl ca -startdate/-enddate`
//! and every check runs at 2030-01-01T00:00:00Z (`-attime 1893456000`), so nothing depends
//! on the wall clock except the signingTime OpenSSL writes, which falls inside the
//! 2020-2099 windows of the valid certificates and outside those of the expired
//! (2020-2021) and not-yet-valid (2090-2095) ones. The commands are in [`Pki::create`]
//! and the case tables; a failing case prints the command that made it.
//!
//! The address-mismatch case is the one deliberate difference in meaning: OpenSSL does
//! not compare addresses and accepts it, Regmail accepts it too (intact and trusted, exit
//! code 0) and names the mismatch in the verdict and the reasons.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use regmail::smime::{self, Options, ReasonCode, TrustStore, Verdict};

use super::{at, trust_from};

const AT: &str = "2030-01-01T00:00:00Z";
const ATTIME: &str = "1893456000";

const CA_CONFIG: &str = "\
[ca]
default_ca = matrix
[matrix]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
crlnumber = crlnumber
default_md = sha256
policy = any
copy_extensions = copy
unique_subject = no
[any]
commonName = supplied
[root]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[leaf_rsa]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = emailProtection
subjectKeyIdentifier = hash
[leaf_ec]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyAgreement
extendedKeyUsage = emailProtection
subjectKeyIdentifier = hash
[leaf_noeku]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = clientAuth
";

const ENTITY: &[u8] =
    b"Content-Type: text/plain; charset=us-ascii\r\n\r\nMatrix test body for IND 100001.\r\nSecond line.\r\n";

/// A leaf certificate to make: name, `openssl req` key options, extension section,
/// notBefore, notAfter and email address.
type Leaf = (
    &'static str,
    &'static [&'static str],
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

/// The generated PKI in a temporary folder.
struct Pki {
    dir: tempfile::TempDir,
}

/// Runs an `openssl cms` check and returns whether it succeeded. A failure must be a
/// verification or decryption failure, not a usage error, so a broken command line cannot
/// pass for an expected rejection.
fn openssl(dir: &Path, args: &[&str]) -> bool {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the openssl CLI is installed");
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let rejected = stderr.contains("Verification failure")
            || stderr.contains("verify error")
            || stderr.contains("Error decrypting");
        assert!(
            rejected,
            "openssl {} failed for another reason: {stderr}",
            args.join(" ")
        );
    }
    output.status.success()
}

fn openssl_ok(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the openssl CLI is installed");
    assert!(
        output.status.success(),
        "openssl {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
}

impl Pki {
    fn get() -> &'static Pki {
        static PKI: OnceLock<Pki> = OnceLock::new();
        PKI.get_or_init(Pki::create)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Creates the roots, the leaves and the CRL.
    fn create() -> Pki {
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path();
        std::fs::write(d.join("ca.cnf"), CA_CONFIG).expect("write config");
        std::fs::write(d.join("index.txt"), "").expect("write index");
        std::fs::write(d.join("serial"), "1000\n").expect("write serial");
        std::fs::write(d.join("crlnumber"), "01\n").expect("write crlnumber");
        std::fs::write(d.join("entity.txt"), ENTITY).expect("write entity");

        for root in ["ca", "other"] {
            let subject = format!("/CN=Matrix {root} root");
            openssl_ok(
                d,
                &[
                    "req",
                    "-new",
                    "-newkey",
                    "rsa:2048",
                    "-nodes",
                    "-keyout",
                    &format!("{root}.key"),
                    "-subj",
                    &subject,
                    "-out",
                    &format!("{root}.csr"),
                ],
            );
            openssl_ok(
                d,
                &[
                    "ca",
                    "-batch",
                    "-config",
                    "ca.cnf",
                    "-selfsign",
                    "-keyfile",
                    &format!("{root}.key"),
                    "-in",
                    &format!("{root}.csr"),
                    "-out",
                    &format!("{root}.pem"),
                    "-notext",
                    "-startdate",
                    "20200101000000Z",
                    "-enddate",
                    "20991231235959Z",
                    "-extensions",
                    "root",
                ],
            );
        }

        let leaves: &[Leaf] = &[
            (
                "rsa2048",
                &["-newkey", "rsa:2048"],
                "leaf_rsa",
                "20200101000000Z",
                "20991231235959Z",
                "alice@example.com",
            ),
            (
                "rsa3072",
                &["-newkey", "rsa:3072"],
                "leaf_rsa",
                "20200101000000Z",
                "20991231235959Z",
                "alice@example.com",
            ),
            (
                "rsa4096",
                &["-newkey", "rsa:4096"],
                "leaf_rsa",
                "20200101000000Z",
                "20991231235959Z",
                "alice@example.com",
            ),
            (
                "p256",
                &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
                "leaf_ec",
                "20200101000000Z",
                "20991231235959Z",
                "alice@example.com",
            ),
            (
                "p384",
                &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
                "leaf_ec",
                "20200101000000Z",
                "20991231235959Z",
                "alice@example.com",
            ),
            (
                "bob",
                &["-newkey", "rsa:2048"],
                "leaf_rsa",
                "20200101000000Z",
                "20991231235959Z",
                "bob@example.com",
            ),
            (
                "bobp256",
                &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
                "leaf_ec",
                "20200101000000Z",
                "20991231235959Z",
                "bob@example.com",
            ),
            (
                "bobp384",
                &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
                "leaf_ec",
                "20200101000000Z",
                "20991231235959Z",
                "bob@example.com",
            ),
            (
                "expired",
                &["-newkey", "rsa:2048"],
                "leaf_rsa",
                "20200101000000Z",
                "20210101000000Z",
                "alice@example.com",
            ),
            (
                "notyet",
                &["-newkey", "rsa:2048"],
                "leaf_rsa",
                "20900101000000Z",
                "20950101000000Z",
                "alice@example.com",
            ),
            (
                "noeku",
                &["-newkey", "rsa:2048"],
                "leaf_noeku",
                "20200101000000Z",
                "20991231235959Z",
                "alice@example.com",
            ),
            (
                "revoked",
                &["-newkey", "rsa:2048"],
                "leaf_rsa",
                "20200101000000Z",
                "20991231235959Z",
                "alice@example.com",
            ),
            (
                "mallory",
                &["-newkey", "rsa:2048"],
                "leaf_rsa",
                "20200101000000Z",
                "20991231235959Z",
                "mallory@example.org",
            ),
        ];
        for (name, key, extensions, start, end, address) in leaves {
            let mut req: Vec<String> = vec!["req".into(), "-new".into()];
            req.extend(key.iter().map(|s| s.to_string()));
            req.extend(
                [
                    "-nodes",
                    "-keyout",
                    &format!("{name}.key"),
                    "-subj",
                    &format!("/CN=Matrix {name}"),
                    "-addext",
                    &format!("subjectAltName=email:{address}"),
                    "-out",
                    &format!("{name}.csr"),
                ]
                .map(String::from),
            );
            openssl_ok(d, &req.iter().map(String::as_str).collect::<Vec<_>>());
            openssl_ok(
                d,
                &[
                    "ca",
                    "-batch",
                    "-config",
                    "ca.cnf",
                    "-cert",
                    "ca.pem",
                    "-keyfile",
                    "ca.key",
                    "-in",
                    &format!("{name}.csr"),
                    "-out",
                    &format!("{name}.pem"),
                    "-notext",
                    "-startdate",
                    start,
                    "-enddate",
                    end,
                    "-extensions",
                    extensions,
                ],
            );
        }
        openssl_ok(
            d,
            &[
                "ca",
                "-config",
                "ca.cnf",
                "-cert",
                "ca.pem",
                "-keyfile",
                "ca.key",
                "-revoke",
                "revoked.pem",
                "-crl_reason",
                "keyCompromise",
            ],
        );
        openssl_ok(
            d,
            &[
                "ca",
                "-config",
                "ca.cnf",
                "-cert",
                "ca.pem",
                "-keyfile",
                "ca.key",
                "-gencrl",
                "-out",
                "crl.pem",
                "-crl_lastupdate",
                "20200101000000Z",
                "-crl_nextupdate",
                "20991231000000Z",
            ],
        );
        // `openssl cms` reads CRLs from the -CAfile file.
        let mut with_crl = std::fs::read(d.join("ca.pem")).expect("ca.pem");
        with_crl.extend(std::fs::read(d.join("crl.pem")).expect("crl.pem"));
        std::fs::write(d.join("ca-crl.pem"), with_crl).expect("write ca-crl.pem");
        Pki { dir }
    }
}

/// How a signed case is made.
struct SignCase {
    name: &'static str,
    signer: &'static str,
    md: &'static str,
    pss: bool,
    opaque: bool,
    binary: bool,
    from: &'static str,
    tamper: Tamper,
    anchor: &'static str,
    crl: bool,
    expect_ok: bool,
    expect_code: Option<ReasonCode>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tamper {
    None,
    Body,
    SignedAttributes,
}

const BASE: SignCase = SignCase {
    name: "",
    signer: "rsa2048",
    md: "sha256",
    pss: false,
    opaque: false,
    binary: false,
    from: "alice@example.com",
    tamper: Tamper::None,
    anchor: "ca.pem",
    crl: false,
    expect_ok: true,
    expect_code: None,
};

/// Signs per `case`, returning the message bytes for Regmail and the file and extra
/// arguments for `openssl cms -verify`.
fn make_signed(pki: &Pki, case: &SignCase) -> (Vec<u8>, String, Vec<&'static str>) {
    let d = pki.dir.path();
    let stem = format!("signed-{}", case.name);
    let mut args: Vec<String> = [
        "cms",
        "-sign",
        "-binary",
        "-in",
        "entity.txt",
        "-signer",
        &format!("{}.pem", case.signer),
        "-inkey",
        &format!("{}.key", case.signer),
        "-md",
        case.md,
    ]
    .map(String::from)
    .to_vec();
    if case.pss {
        args.extend(["-keyopt", "rsa_padding_mode:pss"].map(String::from));
    }
    if case.opaque {
        args.push("-nodetach".into());
    }
    let file = if case.binary {
        args.extend(["-outform", "DER", "-out", &format!("{stem}.der")].map(String::from));
        format!("{stem}.der")
    } else {
        args.extend(
            [
                "-from",
                case.from,
                "-to",
                "bob@example.com",
                "-subject",
                "Matrix",
                "-out",
                &format!("{stem}.eml"),
            ]
            .map(String::from),
        );
        format!("{stem}.eml")
    };
    openssl_ok(d, &args.iter().map(String::as_str).collect::<Vec<_>>());

    let mut bytes = std::fs::read(d.join(&file)).expect("signed output");
    match case.tamper {
        Tamper::None => {}
        Tamper::Body => {
            let at = find(&bytes, b"Matrix test body").expect("body text in the message");
            bytes[at] = b'N';
        }
        Tamper::SignedAttributes => {
            // The last UTCTime of the SignerInfo is the signingTime attribute; change its
            // seconds digit.
            let at = rfind(&bytes, &[0x17, 0x0d]).expect("signingTime") + 2 + 11;
            bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
        }
    }
    std::fs::write(d.join(&file), &bytes).expect("write tampered");

    let message = if case.binary {
        let mut message = format!(
            "From: {}\r\nTo: bob@example.com\r\nSubject: Matrix\r\nMIME-Version: 1.0\r\n\
             Content-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m\r\n\
             Content-Transfer-Encoding: binary\r\n\r\n",
            case.from
        )
        .into_bytes();
        message.extend_from_slice(&bytes);
        message
    } else {
        bytes
    };
    let extra = if case.binary {
        vec!["-inform", "DER"]
    } else {
        Vec::new()
    };
    (message, file, extra)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

fn check_signed(pki: &Pki, case: &SignCase) {
    let d = pki.dir.path();
    let (message, file, extra) = make_signed(pki, case);
    let ca_file = if case.crl { "ca-crl.pem" } else { case.anchor };
    let mut args = vec![
        "cms",
        "-verify",
        "-in",
        file.as_str(),
        "-CAfile",
        ca_file,
        "-attime",
        ATTIME,
        "-out",
        "/dev/null",
    ];
    args.extend(extra);
    if case.crl {
        args.push("-crl_check");
    }
    let openssl_ok = openssl(d, &args);

    let others = if case.crl {
        vec![pki.path("crl.pem")]
    } else {
        Vec::new()
    };
    let trust = trust_from(&[pki.path(case.anchor)], &others);
    let processed = smime::process(
        &message,
        &Options {
            trust: &trust,
            keys: &[],
            at: at(AT),
        },
    );
    let report = &processed.report;
    let regmail_ok = report.intact && report.trusted;

    assert_eq!(
        openssl_ok,
        case.expect_ok,
        "{}: openssl verdict (openssl {})",
        case.name,
        args.join(" ")
    );
    assert_eq!(
        regmail_ok, openssl_ok,
        "{}: Regmail agrees with openssl; report {report:#?}",
        case.name
    );
    if let Some(code) = case.expect_code {
        let codes: Vec<ReasonCode> = report
            .signers()
            .flat_map(|s| s.reasons.iter().map(|r| r.code))
            .collect();
        assert!(
            codes.contains(&code),
            "{}: names {code:?}; found {codes:?}",
            case.name
        );
    }
}

#[test]
fn signature_algorithms_match_openssl() {
    let pki = Pki::get();
    let signers = ["rsa2048", "rsa3072", "rsa4096", "p256", "p384"];
    let digests = ["sha1", "sha256", "sha384", "sha512"];
    for signer in signers {
        for md in digests {
            for opaque in [false, true] {
                let name: &'static str = Box::leak(
                    format!(
                        "{signer}-{md}-{}",
                        if opaque { "opaque" } else { "detached" }
                    )
                    .into_boxed_str(),
                );
                check_signed(
                    pki,
                    &SignCase {
                        name,
                        signer,
                        md,
                        opaque,
                        ..BASE
                    },
                );
            }
        }
    }
}

#[test]
fn pss_and_binary_forms_match_openssl() {
    let pki = Pki::get();
    let cases = [
        SignCase {
            name: "pss-sha256-detached",
            pss: true,
            ..BASE
        },
        SignCase {
            name: "pss-sha384-opaque",
            pss: true,
            md: "sha384",
            opaque: true,
            ..BASE
        },
        SignCase {
            name: "pss-sha512-rsa4096",
            pss: true,
            md: "sha512",
            signer: "rsa4096",
            ..BASE
        },
        SignCase {
            name: "opaque-binary-rsa",
            opaque: true,
            binary: true,
            ..BASE
        },
        SignCase {
            name: "opaque-binary-p256",
            opaque: true,
            binary: true,
            signer: "p256",
            ..BASE
        },
    ];
    for case in &cases {
        check_signed(pki, case);
    }
}

#[test]
fn failure_cases_match_openssl() {
    let pki = Pki::get();
    let cases = [
        SignCase {
            name: "tampered-body-detached",
            tamper: Tamper::Body,
            expect_ok: false,
            expect_code: Some(ReasonCode::DigestMismatch),
            ..BASE
        },
        SignCase {
            name: "tampered-body-opaque",
            tamper: Tamper::Body,
            opaque: true,
            binary: true,
            expect_ok: false,
            expect_code: Some(ReasonCode::DigestMismatch),
            ..BASE
        },
        SignCase {
            name: "tampered-signed-attributes",
            tamper: Tamper::SignedAttributes,
            opaque: true,
            binary: true,
            expect_ok: false,
            expect_code: Some(ReasonCode::BadSignature),
            ..BASE
        },
        SignCase {
            name: "expired",
            signer: "expired",
            expect_ok: false,
            expect_code: Some(ReasonCode::Expired),
            ..BASE
        },
        SignCase {
            name: "not-yet-valid",
            signer: "notyet",
            expect_ok: false,
            expect_code: Some(ReasonCode::NotYetValid),
            ..BASE
        },
        SignCase {
            name: "untrusted-root",
            anchor: "other.pem",
            expect_ok: false,
            expect_code: Some(ReasonCode::UntrustedRoot),
            ..BASE
        },
        SignCase {
            name: "missing-email-protection",
            signer: "noeku",
            expect_ok: false,
            expect_code: Some(ReasonCode::NoEmailProtection),
            ..BASE
        },
        SignCase {
            name: "revoked-by-crl",
            signer: "revoked",
            crl: true,
            expect_ok: false,
            expect_code: Some(ReasonCode::Revoked),
            ..BASE
        },
        SignCase {
            name: "crl-good",
            crl: true,
            ..BASE
        },
        SignCase {
            name: "address-mismatch",
            signer: "mallory",
            expect_code: Some(ReasonCode::AddressMismatch),
            ..BASE
        },
    ];
    for case in &cases {
        check_signed(pki, case);
    }
}

#[test]
fn address_mismatch_and_revocation_are_reported() {
    let pki = Pki::get();
    let (message, _, _) = make_signed(
        pki,
        &SignCase {
            name: "mismatch-report",
            signer: "mallory",
            ..BASE
        },
    );
    let trust = trust_from(&[pki.path("ca.pem")], &[pki.path("crl.pem")]);
    let processed = smime::process(
        &message,
        &Options {
            trust: &trust,
            keys: &[],
            at: at(AT),
        },
    );
    assert_eq!(processed.report.verdict, Verdict::AddressMismatch);
    let signer = processed.report.signers().next().expect("signer");
    assert!(!signer.address_matches_from);
    assert!(
        matches!(signer.revocation, smime::Revocation::Good { .. }),
        "{:?}",
        signer.revocation
    );

    let (message, _, _) = make_signed(
        pki,
        &SignCase {
            name: "no-crl-report",
            ..BASE
        },
    );
    let trust = trust_from(&[pki.path("ca.pem")], &[]);
    let processed = smime::process(
        &message,
        &Options {
            trust: &trust,
            keys: &[],
            at: at(AT),
        },
    );
    let signer = processed.report.signers().next().expect("signer");
    assert!(
        matches!(signer.revocation, smime::Revocation::NotChecked { .. }),
        "never valid when not checked"
    );
}

/// How an encrypted case is made.
struct EncryptCase {
    name: &'static str,
    cipher: &'static str,
    recipient: &'static str,
    keyopts: &'static [&'static str],
    key: &'static str,
    expect_ok: bool,
}

fn keys_of(pki: &Pki, name: &str) -> Vec<smime::KeyPair> {
    let mut pem = std::fs::read(pki.path(&format!("{name}.key"))).expect("key");
    pem.extend(std::fs::read(pki.path(&format!("{name}.pem"))).expect("cert"));
    smime::read_key_file(&pem, None).expect("PEM key")
}

#[test]
fn decryption_matches_openssl() {
    let pki = Pki::get();
    let d = pki.dir.path();
    let base = EncryptCase {
        name: "",
        cipher: "-aes-256-cbc",
        recipient: "bob",
        keyopts: &[],
        key: "bob",
        expect_ok: true,
    };
    let cases = [
        EncryptCase {
            name: "aes128-cbc",
            cipher: "-aes-128-cbc",
            ..base
        },
        EncryptCase {
            name: "aes192-cbc",
            cipher: "-aes-192-cbc",
            ..base
        },
        EncryptCase {
            name: "aes256-cbc",
            ..base
        },
        EncryptCase {
            name: "aes128-gcm",
            cipher: "-aes-128-gcm",
            ..base
        },
        EncryptCase {
            name: "aes256-gcm",
            cipher: "-aes-256-gcm",
            ..base
        },
        EncryptCase {
            name: "des3",
            cipher: "-des3",
            ..base
        },
        EncryptCase {
            name: "oaep-sha1",
            keyopts: &["rsa_padding_mode:oaep"],
            ..base
        },
        EncryptCase {
            name: "oaep-sha256",
            keyopts: &[
                "rsa_padding_mode:oaep",
                "rsa_oaep_md:sha256",
                "rsa_mgf1_md:sha256",
            ],
            ..base
        },
        EncryptCase {
            name: "ecdh-p256",
            recipient: "bobp256",
            key: "bobp256",
            ..base
        },
        EncryptCase {
            name: "ecdh-p384-gcm",
            recipient: "bobp384",
            key: "bobp384",
            cipher: "-aes-256-gcm",
            ..base
        },
        EncryptCase {
            name: "wrong-key",
            key: "rsa2048",
            expect_ok: false,
            ..base
        },
        EncryptCase {
            name: "wrong-ec-key",
            recipient: "bobp256",
            key: "p256",
            expect_ok: false,
            ..base
        },
    ];
    for case in &cases {
        let file = format!("enc-{}.eml", case.name);
        let recipient = format!("{}.pem", case.recipient);
        let mut args = vec![
            "cms",
            "-encrypt",
            "-binary",
            "-in",
            "entity.txt",
            case.cipher,
            "-recip",
            recipient.as_str(),
        ];
        for opt in case.keyopts {
            args.extend(["-keyopt", opt]);
        }
        args.extend([
            "-from",
            "alice@example.com",
            "-to",
            "bob@example.com",
            "-subject",
            "Matrix",
            "-out",
            file.as_str(),
        ]);
        openssl_ok(d, &args);

        let out = format!("dec-{}.txt", case.name);
        let (key_pem, key_file) = (format!("{}.pem", case.key), format!("{}.key", case.key));
        let decrypt = [
            "cms",
            "-decrypt",
            "-binary",
            "-in",
            file.as_str(),
            "-recip",
            key_pem.as_str(),
            "-inkey",
            key_file.as_str(),
            "-out",
            out.as_str(),
        ];
        let openssl_ok = openssl(d, &decrypt);

        let message = std::fs::read(d.join(&file)).expect("encrypted message");
        let keys = keys_of(pki, case.key);
        let trust = TrustStore::default();
        let processed = smime::process(
            &message,
            &Options {
                trust: &trust,
                keys: &keys,
                at: at(AT),
            },
        );

        assert_eq!(
            openssl_ok,
            case.expect_ok,
            "{}: openssl verdict (openssl {})",
            case.name,
            decrypt.join(" ")
        );
        assert_eq!(
            processed.report.decrypted, openssl_ok,
            "{}: Regmail agrees with openssl; {:#?}",
            case.name, processed.report
        );
        if openssl_ok {
            let expected = std::fs::read(d.join(&out)).expect("openssl plaintext");
            assert_eq!(
                processed.decrypted.as_deref(),
                Some(expected.as_slice()),
                "{}: same plaintext as openssl",
                case.name
            );
        } else {
            assert!(
                processed.decrypted.is_none(),
                "{}: no partial plaintext",
                case.name
            );
        }
        let weak = processed
            .report
            .health
            .iter()
            .any(|h| h.code == "weak-content-encryption");
        assert_eq!(
            weak,
            case.cipher == "-des3",
            "{}: 3DES flagged as weak",
            case.name
        );
    }
}
