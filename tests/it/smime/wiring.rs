//! S/MIME wired into the rest of Regmail. Import stores a result per message, and the
//! secure-partner registry fills from verified senders. The decision engine reads the
//! result for its `readable` fact. The `regmail` commands keep their contracts: JSON, exit
//! codes, and no plaintext or key material where none may appear.

use std::path::Path;
use std::process::{Command, Output};

use regmail::import::{self, ImportOptions, SmimeSession};
use regmail::smime::{self, Verdict};
use regmail::sopp::facts::Encryption;
use regmail::sopp::triage::{preview, stored_facts};
use regmail::sopp::{Answers, FactKey, Settings};
use regmail::store::Store;

use crate::{fixture, memory_store};

fn case(relative: &str) -> std::path::PathBuf {
    fixture(&format!("cases/{relative}"))
}

fn bob_keys() -> Vec<smime::KeyPair> {
    let mut pem = std::fs::read(case("smime-rsa-oaep-recipient/bob.key")).expect("bob.key");
    pem.extend(std::fs::read(case("smime-rsa-oaep-recipient/bob.pem")).expect("bob.pem"));
    smime::read_key_file(&pem, None).expect("PEM key")
}

fn import_file(store: &mut Store, file: &Path, keys: Vec<smime::KeyPair>) -> import::ImportReport {
    let session = SmimeSession {
        trust: store.trust_store().expect("trust store"),
        keys,
    };
    let plan = import::plan(&[file.to_path_buf()]).expect("plan");
    import::run_with_smime(store, plan, ImportOptions::default(), &session, &mut |_| {})
        .expect("import")
}

fn readable(store: &Store, id: i64) -> String {
    let (outcome, _) = preview(store, id, &Answers::new(), &Settings::default()).expect("preview");
    outcome
        .facts
        .iter()
        .find(|fact| fact.key == FactKey::Readable)
        .expect("readable fact")
        .value
        .clone()
}

#[test]
fn import_verifies_and_harvests_partner() {
    let mut store = memory_store();
    let ca = smime::read_bundle(&std::fs::read(case("smime-lf-line-endings/ca.pem")).expect("ca"))
        .expect("bundle");
    store.add_trust(&ca.certs, &ca.crls).expect("add trust");
    let report = import_file(
        &mut store,
        &case("smime-lf-line-endings/message-lf.eml"),
        Vec::new(),
    );
    assert_eq!(report.smime_checked, 1);
    assert!(report.smime_unreadable.is_empty());

    let result = store.smime_result(1).expect("read").expect("stored result");
    assert_eq!(result.report.verdict, Verdict::Verified);
    assert!(result.content.is_some(), "signed content kept");
    let partners = store.secure_partners().expect("partners");
    assert_eq!(partners.len(), 1);
    assert_eq!(partners[0].entry, "alice@example.com");
    assert_eq!(partners[0].method, "smime");
    assert_eq!(partners[0].source, "signed-mail");
    assert_eq!(partners[0].first_seen, partners[0].last_seen);
}

#[test]
fn untrusted_sender_is_not_harvested() {
    let mut store = memory_store();
    import_file(
        &mut store,
        &case("smime-lf-line-endings/message-crlf.eml"),
        Vec::new(),
    );
    let result = store.smime_result(1).expect("read").expect("stored result");
    assert_eq!(result.report.verdict, Verdict::Untrusted);
    assert!(store.secure_partners().expect("partners").is_empty());
}

#[test]
fn decrypted_message_is_readable() {
    let mut store = memory_store();
    let report = import_file(
        &mut store,
        &case("smime-rsa-oaep-recipient/oaep-sha256.eml"),
        bob_keys(),
    );
    assert!(report.smime_unreadable.is_empty());
    let facts = stored_facts(&store, 1).expect("facts");
    assert_eq!(facts.encryption, Encryption::Decrypted);
    assert!(
        facts
            .body_text
            .contains("confidential response for IND 100001"),
        "{}",
        facts.body_text
    );
    assert_eq!(facts.attachments.len(), 1);
    assert_eq!(facts.attachments[0].name, "Confidential response.pdf");
    assert!(
        facts.parse_problems.is_empty(),
        "a bare MIME entity inside is no parse problem: {:?}",
        facts.parse_problems
    );
    assert_eq!(readable(&store, 1), "yes");
}

/// Search terms that occur only inside the encrypted layer of the OAEP sample, and one from
/// its outer headers.
const INNER_TERMS: &[(&str, bool)] = &[
    ("confidential", true),
    ("\"IND 100001\"", true),
    ("\"Confidential response.pdf\"", true),
];

#[test]
fn decrypted_text_is_searchable() {
    let mut store = memory_store();
    import_file(
        &mut store,
        &case("smime-rsa-oaep-recipient/oaep-sha256.eml"),
        bob_keys(),
    );
    for (query, found) in INNER_TERMS {
        let hits = store.list_messages(Some(query), 10).expect("search");
        assert_eq!(hits.len() == 1, *found, "search {query}: {hits:?}");
    }
    let outer = store.message(1).expect("message");
    let subject = outer.parsed.subject.expect("outer subject");
    let word = subject
        .split_whitespace()
        .find(|w| w.len() > 3 && w.chars().all(char::is_alphanumeric))
        .expect("a word in the subject");
    assert_eq!(
        store.list_messages(Some(word), 10).expect("search").len(),
        1,
        "outer subject word {word} still found"
    );
}

#[test]
fn encrypted_text_is_not_searchable_without_key() {
    let mut store = memory_store();
    import_file(
        &mut store,
        &case("smime-rsa-oaep-recipient/oaep-sha256.eml"),
        Vec::new(),
    );
    for (query, _) in INNER_TERMS {
        let hits = store.list_messages(Some(query), 10).expect("search");
        assert!(
            hits.is_empty(),
            "search {query} before decryption: {hits:?}"
        );
    }
}

#[test]
fn encrypted_without_key_is_unreadable() {
    let mut store = memory_store();
    let report = import_file(
        &mut store,
        &case("smime-rsa-oaep-recipient/oaep-sha1.eml"),
        Vec::new(),
    );
    assert_eq!(report.smime_unreadable, vec![1]);
    let facts = stored_facts(&store, 1).expect("facts");
    let Encryption::NoKey { reason } = &facts.encryption else {
        panic!("encrypted without key: {:?}", facts.encryption);
    };
    assert!(reason.contains("no-matching-recipient"), "{reason}");
    assert_eq!(readable(&store, 1), "no");
}

fn regmail(db: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_regmail"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("REGMAIL_DB")
        .envs(env.iter().copied())
        .output()
        .expect("run regmail")
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

#[test]
fn verify_command_json_and_exit_codes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    let message = case("smime-lf-line-endings/message-lf.eml");
    let ca = case("smime-lf-line-endings/ca.pem");

    let output = regmail(
        &db,
        &[
            "smime",
            "verify",
            arg(&message),
            "--trust",
            arg(&ca),
            "--at",
            "2027-01-01T00:00:00Z",
            "--json",
        ],
        &[],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["intact"], true);
    assert_eq!(json["trusted"], true);
    let signer = &json["signers"][0];
    assert_eq!(signer["address"], "alice@example.com");
    assert_eq!(signer["intact"], true);
    assert_eq!(signer["trusted"], true);
    assert_eq!(signer["valid_at_signing"], true);
    assert_eq!(signer["valid_now"], true);
    assert_eq!(signer["revocation"]["state"], "not-checked");
    assert_eq!(signer["reasons"], serde_json::json!([]));

    let untrusted = regmail(&db, &["smime", "verify", arg(&message), "--json"], &[]);
    assert_eq!(untrusted.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&untrusted.stdout).expect("JSON");
    assert_eq!(json["intact"], true);
    assert_eq!(json["trusted"], false);
    assert_eq!(json["signers"][0]["reasons"][0]["code"], "untrusted-root");
    assert!(json["signers"][0]["reasons"][0]["fix"]
        .as_str()
        .is_some_and(|f| f.contains("regmail trust add")));
}

#[test]
fn decrypt_command_prints_plaintext_or_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    let message = case("smime-rsa-oaep-recipient/oaep-sha256.eml");
    let part = std::fs::read(case("smime-rsa-oaep-recipient/part.txt")).expect("part");

    let key = case("smime-rsa-oaep-recipient/bob.key");
    let cert = case("smime-rsa-oaep-recipient/bob.pem");
    let output = regmail(
        &db,
        &[
            "smime",
            "decrypt",
            arg(&message),
            "--key",
            arg(&key),
            "--cert",
            arg(&cert),
        ],
        &[],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(output.stdout, part);

    // Another person's key is no recipient: no plaintext, a named reason, exit 1.
    let other_key = crate::corpus_dir().join("smime/bouncycastle/key.pem");
    let other_cert = crate::corpus_dir().join("smime/bouncycastle/cert.pem");
    let wrong = regmail(
        &db,
        &[
            "smime",
            "decrypt",
            arg(&message),
            "--key",
            arg(&other_key),
            "--cert",
            arg(&other_cert),
        ],
        &[],
    );
    assert_eq!(
        wrong.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&wrong.stderr)
    );
    assert!(wrong.stdout.is_empty(), "no partial plaintext");
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("no-matching-recipient"));
}

#[test]
fn stored_keys_are_sealed_and_unlock() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    let key = case("smime-rsa-oaep-recipient/bob.key");
    let cert = case("smime-rsa-oaep-recipient/bob.pem");
    let env = [("KEY_PASS", "correct horse battery")];

    let refused = regmail(
        &db,
        &["keys", "import", arg(&key), "--cert", arg(&cert)],
        &[],
    );
    assert_ne!(
        refused.status.code(),
        Some(0),
        "a key without a passphrase is not stored"
    );

    import_bob_key(&db, &env);

    // The database must not hold the key in clear: neither the PKCS#8 DER nor its base64.
    let pem = std::fs::read_to_string(&key).expect("bob.key");
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = regmail::smime::mime::decode_base64(body.as_bytes()).expect("base64");
    let stored = std::fs::read(&db).expect("db");
    let wal = std::fs::read(dir.path().join("regmail.db-wal")).unwrap_or_default();
    for bytes in [&stored, &wal] {
        assert!(
            !bytes.windows(64).any(|w| w == &der[der.len() - 64..]),
            "key bytes in clear"
        );
        assert!(
            !bytes.windows(40).any(|w| w == &body.as_bytes()[100..140]),
            "key base64 in clear"
        );
    }

    let message = case("smime-rsa-oaep-recipient/oaep-sha1.eml");
    let opened = regmail(
        &db,
        &[
            "smime",
            "decrypt",
            arg(&message),
            "--passphrase-env",
            "KEY_PASS",
        ],
        &env,
    );
    assert_eq!(
        opened.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&opened.stderr)
    );
    let part = std::fs::read(case("smime-rsa-oaep-recipient/part.txt")).expect("part");
    assert_eq!(opened.stdout, part);

    let wrong = regmail(
        &db,
        &[
            "smime",
            "decrypt",
            arg(&message),
            "--passphrase-env",
            "KEY_PASS",
        ],
        &[("KEY_PASS", "wrong")],
    );
    assert_ne!(wrong.status.code(), Some(0));
    assert!(wrong.stdout.is_empty());
}

/// Runs `regmail` inside a pseudo-terminal made by util-linux `script`, typing `input`, so
/// that it prompts for passphrases as it does for a person at a terminal.
fn regmail_at_terminal(db: &Path, args: &[&str], input: &str) -> Output {
    use std::io::Write as _;

    let mut command = vec![env!("CARGO_BIN_EXE_regmail").to_owned(), "--db".to_owned()];
    command.push(db.display().to_string());
    command.extend(args.iter().map(|a| (*a).to_owned()));
    let quoted: Vec<String> = command
        .iter()
        .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
        .collect();
    let mut child = Command::new("script")
        .args(["-qec", &quoted.join(" "), "/dev/null"])
        .env_remove("REGMAIL_DB")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run script (util-linux)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("type input");
    child.wait_with_output().expect("script output")
}

#[test]
fn passphrases_asked_at_terminal() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    let p12 = dir.path().join("bob.p12");
    let made = Command::new("openssl")
        .args(["pkcs12", "-export", "-inkey"])
        .arg(case("smime-rsa-oaep-recipient/bob.key"))
        .arg("-in")
        .arg(case("smime-rsa-oaep-recipient/bob.pem"))
        .arg("-out")
        .arg(&p12)
        .args(["-passout", "pass:file pass"])
        .status()
        .expect("run openssl");
    assert!(made.success(), "openssl pkcs12 -export");

    // The key file's passphrase, which also seals the key in the store.
    let imported = regmail_at_terminal(&db, &["keys", "import", arg(&p12)], "file pass\n");
    let shown = String::from_utf8_lossy(&imported.stdout);
    assert!(imported.status.success(), "keys import: {shown}");
    assert!(
        shown.contains("Passphrase of "),
        "asks for the file's: {shown}"
    );
    assert!(shown.contains("stored key 1"), "{shown}");

    let message = case("smime-rsa-oaep-recipient/oaep-sha256.eml");
    let wrong = regmail_at_terminal(&db, &["import", arg(&message)], "not it\n");
    let shown = String::from_utf8_lossy(&wrong.stdout);
    assert!(!wrong.status.success(), "wrong passphrase fails: {shown}");
    assert!(shown.contains("unlocks none of the stored keys"), "{shown}");

    let imported = regmail_at_terminal(&db, &["import", arg(&message)], "file pass\n");
    let shown = String::from_utf8_lossy(&imported.stdout);
    assert!(imported.status.success(), "import: {shown}");
    assert!(
        shown.contains("Passphrase of your 1 stored S/MIME key"),
        "{shown}"
    );
    let found = regmail(&db, &["search", "confidential", "--json"], &[]);
    let hits: serde_json::Value = serde_json::from_slice(&found.stdout).expect("search JSON");
    assert_eq!(
        hits.as_array().map(Vec::len),
        Some(1),
        "decrypted on import: {hits}"
    );
}

#[test]
fn unprotected_key_sealed_with_new_passphrase() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    let key = case("smime-rsa-oaep-recipient/bob.key");
    let cert = case("smime-rsa-oaep-recipient/bob.pem");
    let args = ["keys", "import", arg(&key), "--cert", arg(&cert)];

    let differ = regmail_at_terminal(&db, &args, "first try\nsecond try\n");
    let shown = String::from_utf8_lossy(&differ.stdout);
    assert!(!differ.status.success(), "differing passphrases: {shown}");
    assert!(shown.contains("the two passphrases differ"), "{shown}");

    let sealed = regmail_at_terminal(&db, &args, "store pass\nstore pass\n");
    let shown = String::from_utf8_lossy(&sealed.stdout);
    assert!(sealed.status.success(), "keys import: {shown}");
    assert!(shown.contains("New passphrase to seal the key"), "{shown}");
    assert!(shown.contains("stored key 1"), "{shown}");

    let message = case("smime-rsa-oaep-recipient/oaep-sha256.eml");
    let imported = regmail_at_terminal(&db, &["import", arg(&message)], "store pass\n");
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stdout)
    );
    let found = regmail(&db, &["search", "confidential", "--json"], &[]);
    let hits: serde_json::Value = serde_json::from_slice(&found.stdout).expect("search JSON");
    assert_eq!(hits.as_array().map(Vec::len), Some(1), "decrypted: {hits}");
}

/// Imports Bob's key into `db`, sealed with the passphrase in `KEY_PASS` of `env`.
fn import_bob_key(db: &Path, env: &[(&str, &str)]) {
    let key = case("smime-rsa-oaep-recipient/bob.key");
    let cert = case("smime-rsa-oaep-recipient/bob.pem");
    let imported = regmail(
        db,
        &[
            "keys",
            "import",
            arg(&key),
            "--cert",
            arg(&cert),
            "--store-passphrase-env",
            "KEY_PASS",
        ],
        env,
    );
    assert_eq!(
        imported.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
}

#[test]
fn recheck_command_decrypts_stored_messages() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    let env = [("KEY_PASS", "correct horse battery")];
    let message = case("smime-rsa-oaep-recipient/oaep-sha256.eml");
    let imported = regmail(&db, &["import", "--quiet", arg(&message)], &[]);
    assert_eq!(imported.status.code(), Some(0), "import");
    import_bob_key(&db, &env);

    let output = regmail(
        &db,
        &["smime", "recheck", "--passphrase-env", "KEY_PASS", "--json"],
        &env,
    );

    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["checked"], 1, "checked");
    assert_eq!(json["changed"][0]["id"], 1, "changed id");
    assert_eq!(json["changed"][0]["before"], "unreadable", "before");
    assert_eq!(json["changed"][0]["after"], "encrypted-only", "after");
    assert_eq!(json["now_readable"], serde_json::json!([1]), "now readable");
    assert_eq!(json["kept"], serde_json::json!([]), "kept");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        !stdout.contains("confidential response"),
        "no plaintext in the output"
    );
}

#[test]
fn recheck_command_prints_changes_and_keeps_decryption() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    let env = [("KEY_PASS", "correct horse battery")];
    let message = case("smime-rsa-oaep-recipient/oaep-sha256.eml");
    regmail(&db, &["import", "--quiet", arg(&message)], &[]);
    import_bob_key(&db, &env);

    let first = regmail(
        &db,
        &["smime", "recheck", "--passphrase-env", "KEY_PASS"],
        &env,
    );
    let text = String::from_utf8_lossy(&first.stdout);
    assert_eq!(first.status.code(), Some(0), "exit status");
    assert!(
        text.contains("checked 1 S/MIME message, 1 changed"),
        "{text}"
    );
    assert!(
        text.contains("message 1: unreadable -> encrypted-only"),
        "{text}"
    );
    assert!(text.contains("now readable: 1"), "{text}");

    // Without the passphrase no key is unlocked; the decryption is kept.
    let second = regmail(&db, &["smime", "recheck"], &[]);
    let text = String::from_utf8_lossy(&second.stdout);
    assert_eq!(second.status.code(), Some(0), "exit status without keys");
    assert!(
        text.contains("kept the earlier result of message 1: decrypted before"),
        "{text}"
    );
    let verified = regmail(&db, &["smime", "verify", "1", "--json"], &[]);
    let json: serde_json::Value = serde_json::from_slice(&verified.stdout).expect("JSON");
    assert_eq!(json["verdict"], "unreadable", "verify without keys");
}

#[test]
fn recheck_command_rejects_a_wrong_passphrase() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    import_bob_key(&db, &[("KEY_PASS", "correct horse battery")]);

    let output = regmail(
        &db,
        &["smime", "recheck", "--passphrase-env", "KEY_PASS"],
        &[("KEY_PASS", "wrong")],
    );

    assert_eq!(output.status.code(), Some(2), "exit status");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the passphrase unlocks none of the 1 stored keys"),
        "{stderr}"
    );
    assert!(!stderr.contains("wrong"), "passphrase echoed: {stderr}");
}

#[test]
fn show_reports_smime_and_decrypted_content() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    let env = [("KEY_PASS", "correct horse battery")];
    import_bob_key(&db, &env);
    let decrypted = case("smime-rsa-oaep-recipient/oaep-sha256.eml");
    let unreadable = case("smime-rsa-oaep-recipient/oaep-sha1.eml");
    let imported = regmail(
        &db,
        &[
            "import",
            "--quiet",
            arg(&decrypted),
            "--key-passphrase-env",
            "KEY_PASS",
        ],
        &env,
    );
    assert!(imported.status.success(), "import with the key");
    let imported = regmail(&db, &["import", "--quiet", arg(&unreadable)], &[]);
    assert!(imported.status.success(), "import without the key");

    let json = regmail(&db, &["show", "1", "--json"], &[]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("show JSON");
    assert_eq!(value["smime"]["verdict"], "encrypted-only");
    assert_eq!(value["smime"]["decrypted"], true);
    let body = value["smime"]["content"]["body_text"]
        .as_str()
        .unwrap_or("");
    assert!(
        body.contains("confidential response for IND 100001"),
        "{body}"
    );

    let text = regmail(&db, &["show", "1"], &[]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("s/mime:      decrypted with your key"),
        "{text}"
    );
    assert!(text.contains("----- decrypted content"), "{text}");
    assert!(text.contains("Confidential response.pdf"), "{text}");

    let json = regmail(&db, &["show", "2", "--json"], &[]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).expect("show JSON");
    assert_eq!(value["smime"]["verdict"], "unreadable");
    assert_eq!(value["smime"]["content"], serde_json::Value::Null);
    let codes: Vec<&str> = value["smime"]["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .filter_map(|r| r["code"].as_str())
        .collect();
    assert!(codes.contains(&"no-matching-recipient"), "{codes:?}");
    let text = regmail(&db, &["show", "2"], &[]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("s/mime:      encrypted and unreadable"),
        "{text}"
    );
}
