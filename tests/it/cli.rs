//! The `regmail` binary, driven as a user would: the JSON contracts, exit codes and errors.

use std::path::Path;
use std::process::{Command, Output};

use crate::fixture;

fn regmail(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_regmail"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("REGMAIL_DB")
        .output()
        .expect("run regmail")
}

fn json(output: &Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON output")
}

#[test]
fn import_list_show_raw_contract() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    let mbox = fixture("cases/mboxrd-from-unescape/export.mboxrd");
    let mbox = mbox.to_str().expect("utf-8 path");

    let report = json(&regmail(&db, &["import", mbox, "--json"]));
    assert_eq!(report["found"], 2);
    assert_eq!(report["imported"], 2);
    assert_eq!(report["duplicates"], 0);
    assert_eq!(report["quarantined"], serde_json::json!([]));

    let again = json(&regmail(&db, &["import", mbox, "--json"]));
    assert_eq!(again["duplicates"], 2);

    let rows = json(&regmail(&db, &["list", "--json"]));
    let rows = rows.as_array().expect("array");
    assert_eq!(rows.len(), 2);
    for key in [
        "id",
        "message_id",
        "from",
        "subject",
        "date",
        "received_at",
        "sha256",
    ] {
        assert!(rows[0].get(key).is_some(), "list row lacks {key}");
    }

    let found = json(&regmail(&db, &["list", "--query", "archive", "--json"]));
    assert_eq!(found.as_array().expect("array").len(), 1);
    let searched = json(&regmail(&db, &["search", "Second", "--json"]));
    assert_eq!(searched[0]["subject"], "Second message");

    let id = searched[0]["id"].as_i64().expect("id").to_string();
    let shown = json(&regmail(&db, &["show", &id, "--json"]));
    assert_eq!(shown["parsed"]["subject"], "Second message");

    let raw = regmail(&db, &["raw", &id]);
    assert!(raw.status.success());
    let sha = regmail::message::sha256_hex(&raw.stdout);
    assert_eq!(serde_json::Value::String(sha), shown["sha256"]);
}

#[test]
fn errors_name_the_value_and_exit_non_zero() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "Just some notes, not mail.\n").expect("write");
    let missing = dir.path().join("missing.mbox");
    let cases: Vec<(&str, Vec<String>, &str)> = vec![
        (
            "missing path",
            vec!["import".into(), missing.display().to_string()],
            "does not exist",
        ),
        (
            "not mail",
            vec!["import".into(), text.display().to_string()],
            "not a mailbox",
        ),
        (
            "unknown id",
            vec!["show".into(), "42".into()],
            "no message with id 42",
        ),
        (
            "raw unknown id",
            vec!["raw".into(), "42".into()],
            "no message with id 42",
        ),
        (
            "bad id",
            vec!["show".into(), "abc".into()],
            "\"abc\" is not a message id",
        ),
        (
            "zero id",
            vec!["raw".into(), "0".into()],
            "\"0\" is not a message id",
        ),
        (
            "bad task id",
            vec!["tasks".into(), "done".into(), "first".into()],
            "\"first\" is not a task id",
        ),
        (
            "unknown field",
            vec!["search".into(), "nosuchfield:potency".into()],
            "no such column: nosuchfield",
        ),
        (
            "bad syntax with no literal match",
            vec!["search".into(), "NEAR(".into()],
            "invalid search query",
        ),
        (
            "empty query",
            vec!["search".into(), "  ".into()],
            "the search is empty",
        ),
        (
            "bad query",
            vec!["search".into(), "\"open".into()],
            "invalid search query",
        ),
    ];
    for (name, args, needle) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = regmail(&db, &args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{name}: should fail");
        assert!(
            stderr.contains(needle),
            "{name}: stderr {stderr:?} lacks {needle:?}"
        );
        assert!(!stderr.contains("panicked"), "{name}: panic printed");
    }

    // A mistyped path leaves no store behind.
    let fresh = dir.path().join("fresh.db");
    let output = regmail(&fresh, &["import", missing.to_str().expect("utf-8")]);
    assert!(!output.status.success(), "missing path fails");
    assert!(!fresh.exists(), "no store created for a missing path");
}

#[test]
fn killed_import_rerun_completes() {
    const MESSAGES: usize = 20_000;
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    let mbox_path = dir.path().join("big.mbox");
    let mut mbox = Vec::new();
    for i in 0..MESSAGES {
        mbox.extend_from_slice(
            format!(
                "From sender@acmebio.example Tue Mar  4 10:15:00 2025\n\
                 Message-ID: <m{i}@acmebio.example>\n\
                 From: sender@acmebio.example\n\
                 Subject: message {i} about STN 125742/0\n\n\
                 Body of message {i}, long enough to take a little time to index.\n\n"
            )
            .as_bytes(),
        );
    }
    std::fs::write(&mbox_path, &mbox).expect("write mbox");

    let mut child = Command::new(env!("CARGO_BIN_EXE_regmail"))
        .arg("--db")
        .arg(&db)
        .args(["import", "--quiet"])
        .arg(&mbox_path)
        .spawn()
        .expect("start import");
    std::thread::sleep(std::time::Duration::from_millis(400));
    // SIGKILL: no chance to clean up, as after a crash or a power button.
    child.kill().expect("kill import");
    child.wait().expect("reap import");

    let store = regmail::store::Store::open(&db).expect("store opens after a kill");
    let check: String = store
        .connection()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("check");
    assert_eq!(check, "ok");
    let partial = store.message_count().expect("count");
    drop(store);

    let report = json(&regmail(
        &db,
        &["import", mbox_path.to_str().expect("utf-8"), "--json"],
    ));
    assert_eq!(report["found"], MESSAGES);
    assert_eq!(report["duplicates"], partial);
    assert_eq!(
        report["imported"].as_u64().expect("imported") + partial,
        MESSAGES as u64
    );
    let store = regmail::store::Store::open(&db).expect("reopen");
    assert_eq!(store.message_count().expect("count"), MESSAGES as u64);
    // The index file is written apart from the messages; every message is found.
    let found = store
        .list_messages(Some("STN 125742/0"), MESSAGES + 1)
        .expect("search");
    assert_eq!(found.len(), MESSAGES, "every message in the search index");
}

#[test]
fn folder_without_mail_is_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    let folder = dir.path().join("exports");
    std::fs::create_dir(&folder).expect("folder");
    std::fs::write(folder.join("notes.txt"), "Meeting notes, not mail.\n").expect("write");
    let output = regmail(&db, &["import", folder.to_str().expect("utf-8")]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "a folder is not an error: {output:?}"
    );
    assert!(stdout.contains("found 0 messages"), "{stdout}");
    assert!(
        stdout.contains("no messages found: give an mbox file"),
        "{stdout}"
    );
    assert!(
        stdout.contains("notes.txt"),
        "the skipped file is listed: {stdout}"
    );
}
