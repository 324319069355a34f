//! Times S/MIME verification of 1,000 signed messages and compares it with the bare RSA
//! operations OpenSSL measures (`openssl speed rsa2048`).
//!
//! The messages are made with the `openssl` CLI at bench time: a root and an RSA-2048
//! signer, and 20 distinct detached multipart/signed messages (SHA-256), verified in turn
//! until 1,000 have been verified. Each verification does two RSA-2048 public-key
//! operations (the signature, and the root's signature on the signer's certificate) plus
//! parsing, hashing and the chain checks.
//!
//! Run with `cargo bench --bench smime`.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use regmail::smime::{self, Options, TrustStore};

const MESSAGES: usize = 1_000;
const DISTINCT: usize = 20;
const RUNS: usize = 5;

fn openssl(dir: &Path, args: &[&str]) -> String {
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
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    openssl(
        d,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-subj",
            "/CN=Bench root",
            "-days",
            "3650",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-new",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "signer.key",
            "-out",
            "signer.csr",
            "-subj",
            "/CN=Bench signer",
            "-addext",
            "subjectAltName=email:alice@example.com",
        ],
    );
    std::fs::write(d.join("ext.cnf"), "subjectAltName=email:alice@example.com\nkeyUsage=digitalSignature\nextendedKeyUsage=emailProtection\n").expect("ext");
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "signer.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "3650",
            "-extfile",
            "ext.cnf",
            "-out",
            "signer.pem",
        ],
    );

    let mut messages = Vec::with_capacity(DISTINCT);
    for i in 0..DISTINCT {
        let body =
            format!("Content-Type: text/plain\r\n\r\nBenchmark message {i} for IND 100001.\r\n");
        std::fs::write(d.join("body.txt"), body).expect("body");
        openssl(
            d,
            &[
                "cms",
                "-sign",
                "-binary",
                "-in",
                "body.txt",
                "-signer",
                "signer.pem",
                "-inkey",
                "signer.key",
                "-md",
                "sha256",
                "-from",
                "alice@example.com",
                "-to",
                "bob@example.com",
                "-subject",
                "Bench",
                "-out",
                "signed.eml",
            ],
        );
        messages.push(std::fs::read(d.join("signed.eml")).expect("signed"));
    }

    let mut trust = TrustStore::default();
    trust.add_anchors(
        smime::read_bundle(&std::fs::read(d.join("ca.pem")).expect("ca")).expect("bundle"),
    );
    let options = Options {
        trust: &trust,
        keys: &[],
        at: jiff::Timestamp::now(),
    };

    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = Instant::now();
        for i in 0..MESSAGES {
            let processed = smime::process(&messages[i % DISTINCT], &options);
            assert!(
                processed.report.intact && processed.report.trusted,
                "bench message verifies"
            );
        }
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let median = times[RUNS / 2];
    let per_message_us = median / MESSAGES as f64 * 1e6;
    println!(
        "verify {MESSAGES} signed messages: {:.1} ms ({per_message_us:.0} us each, {:.0} messages/s), median of {RUNS} runs",
        median * 1e3,
        MESSAGES as f64 / median
    );

    let speed = openssl(d, &["speed", "-seconds", "3", "rsa2048"]);
    let line = speed
        .lines()
        .find(|l| {
            l.trim_start().starts_with("rsa 2048 bits")
                || l.trim_start().starts_with("rsa  2048 bits")
        })
        .expect("openssl speed prints an rsa 2048 line");
    // After "rsa 2048 bits" come: sign seconds, verify seconds, sign/s, verify/s.
    let fields: Vec<f64> = line
        .split_whitespace()
        .skip(3)
        .filter_map(|f| f.trim_end_matches('s').parse().ok())
        .collect();
    let verify_us = fields[1] * 1e6;
    println!("openssl speed rsa2048: {line}");
    println!(
        "bare cost of 2 RSA-2048 verifications: {:.0} us; Regmail's verification costs {:.1} times that",
        2.0 * verify_us,
        per_message_us / (2.0 * verify_us)
    );
}
