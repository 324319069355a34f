//! The `regmail draft`, `check`, `templates`, `partners`, `settings` and `records`
//! commands, driven as a user would: JSON contracts, exit codes and errors.

use std::path::Path;
use std::process::{Command, Output};

use crate::fixture;

fn regmail(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_regmail"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("REGMAIL_DB")
        .env("REGMAIL_USER", "dana")
        .output()
        .expect("run regmail")
}

fn stdout_json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "not JSON ({err}): {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn succeed(output: &Output) -> &Output {
    assert!(
        output.status.success(),
        "failed: {}\n{}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    );
    output
}

/// A database with the scenarios imported, the directory loaded, the reviewer set and
/// acmebio.example registered; returns the id of the rpm-missing scenario.
fn prepared(dir: &Path) -> (std::path::PathBuf, String) {
    let db = dir.join("regmail.db");
    let scenarios = fixture("sopp/scenarios");
    let mut import = vec!["import".to_owned(), "--json".to_owned()];
    for name in [
        "rpm-missing.eml",
        "unsolicited-new-bla.eml",
        "emergency-initial-after-hours.eml",
    ] {
        import.push(scenarios.join(name).display().to_string());
    }
    let import: Vec<&str> = import.iter().map(String::as_str).collect();
    succeed(&regmail(&db, &import));
    let directory = scenarios.join("directory.csv");
    succeed(&regmail(
        &db,
        &["directory", "import", directory.to_str().expect("utf-8")],
    ));
    succeed(&regmail(
        &db,
        &["settings", "set", "reviewer-name", "Dana Whitfield"],
    ));
    succeed(&regmail(
        &db,
        &[
            "settings",
            "set",
            "reviewer-email",
            "dana.whitfield@fda.hhs.gov",
        ],
    ));
    let partners = dir.join("partners.csv");
    std::fs::write(
        &partners,
        "entry,method,verified_on\nacmebio.example,tls,2025-01-15\n",
    )
    .expect("write");
    succeed(&regmail(
        &db,
        &["partners", "import", partners.to_str().expect("utf-8")],
    ));

    let listed = stdout_json(succeed(&regmail(&db, &["list", "--json"])));
    let id = listed
        .as_array()
        .expect("array")
        .iter()
        .find(|row| row["message_id"] == "rpm-missing@acmebio.example")
        .expect("rpm-missing imported")["id"]
        .to_string();
    succeed(&regmail(
        &db,
        &["triage", &id, "--answer", "kind=agreed", "--json"],
    ));
    (db, id)
}

#[test]
fn draft_export_check_and_verify() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (db, id) = prepared(dir.path());
    let out = dir.path().join("reply.eml");
    let out_text = out.to_str().expect("utf-8");

    let shown = stdout_json(succeed(&regmail(&db, &["draft", &id, "--json"])));
    assert_eq!(
        shown["draft"]["template"]["name"], "include-rpm",
        "chosen from the decision"
    );
    assert_eq!(
        shown["draft"]["cc"][0]["address"],
        "marcus.ortega@fda.hhs.gov"
    );
    assert_eq!(shown["blocking"], 0);
    assert_eq!(shown["record_copy"], serde_json::Value::Null);
    assert!(!out.exists());

    let exported = stdout_json(succeed(&regmail(
        &db,
        &[
            "draft",
            &id,
            "--template",
            "include-rpm",
            "--out",
            out_text,
            "--json",
        ],
    )));
    let record = &exported["record_copy"];
    let bytes = std::fs::read(&out).expect("exported file");
    assert_eq!(
        serde_json::Value::String(regmail::message::sha256_hex(&bytes)),
        record["sha256"]
    );
    assert!(String::from_utf8_lossy(&bytes).contains("X-Unsent: 1\r\n"));

    let checked = regmail(&db, &["check", out_text, "--json"]);
    let checked_json = stdout_json(succeed(&checked));
    assert_eq!(checked_json["findings"], serde_json::json!([]));
    assert_eq!(checked_json["replied_message_id"].to_string(), id);

    let record_id = record["id"].to_string();
    succeed(&regmail(&db, &["records", "verify", &record_id]));
    let raw = succeed(&regmail(&db, &["records", "raw", &record_id]))
        .stdout
        .clone();
    assert_eq!(raw, bytes);
    std::fs::write(&out, b"changed").expect("write");
    let verify = regmail(&db, &["records", "verify", &record_id]);
    assert_eq!(verify.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&verify.stderr).contains("changed after export"));

    let again = regmail(
        &db,
        &["draft", &id, "--template", "include-rpm", "--out", out_text],
    );
    assert_eq!(
        again.status.code(),
        Some(2),
        "an existing file is never overwritten"
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

#[test]
fn blocking_finding_stops_export() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (db, id) = prepared(dir.path());
    let out = dir.path().join("blocked.eml");
    let out_text = out.to_str().expect("utf-8");

    let blocked = regmail(
        &db,
        &[
            "draft",
            &id,
            "--template",
            "include-rpm",
            "--to",
            "priya@gmail.com",
            "--out",
            out_text,
            "--json",
        ],
    );
    assert_eq!(blocked.status.code(), Some(1));
    let json = stdout_json(&blocked);
    assert_eq!(json["blocking"], 1);
    assert_eq!(json["findings"][0]["rule"], "isp-domain");
    assert_eq!(json["record_copy"], serde_json::Value::Null);
    assert!(!out.exists(), "nothing is written while a finding blocks");
    assert!(String::from_utf8_lossy(&blocked.stderr).contains("was not written"));

    let eml = dir.path().join("outgoing.eml");
    std::fs::write(
        &eml,
        "From: Dana Whitfield <dana.whitfield@fda.hhs.gov>\r\n\
         To: Priya Raman <priya.raman@acmebio.example>\r\n\
         Subject: Stability data\r\n\
         In-Reply-To: <rpm-missing@acmebio.example>\r\n\
         \r\n\
         About STN 125742/0: received, thank you.\r\n",
    )
    .expect("write");
    let checked = regmail(&db, &["check", eml.to_str().expect("utf-8"), "--json"]);
    assert_eq!(checked.status.code(), Some(1));
    let json = stdout_json(&checked);
    let rules: Vec<&str> = json["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| f["rule"].as_str().expect("rule"))
        .collect();
    assert_eq!(rules, ["subject-stn", "rpm-cc", "rpm-reminder"], "{json:#}");
    for finding in json["findings"].as_array().expect("findings") {
        for key in ["rule", "severity", "section", "value", "fix"] {
            assert!(finding[key].is_string(), "{key} in {finding}");
        }
        assert_eq!(finding["severity"], "blocking");
    }
    assert_eq!(json["findings"][0]["section"], "V.C.3");
    assert_eq!(json["findings"][0]["value"], "STN 125742/0");

    let text = regmail(&db, &["check", eml.to_str().expect("utf-8")]);
    assert_eq!(text.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(
        stdout.contains("BLOCKING subject-stn (SOPP 8119 V.C.3) STN 125742/0"),
        "{stdout}"
    );
}

#[test]
fn exception_flag_lifts_the_secure_email_rule() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (db, _) = prepared(dir.path());
    let listed = stdout_json(succeed(&regmail(&db, &["list", "--json"])));
    let id = listed
        .as_array()
        .expect("array")
        .iter()
        .find(|row| row["message_id"] == "emergency-initial-after-hours@acmebio.example")
        .expect("imported")["id"]
        .to_string();
    let without = regmail(&db, &["draft", &id, "--exception", "none", "--json"]);
    assert_eq!(without.status.code(), Some(1));
    assert_eq!(stdout_json(&without)["findings"][0]["rule"], "secure-email");
    let with = stdout_json(succeed(&regmail(&db, &["draft", &id, "--json"])));
    assert_eq!(with["draft"]["exception"], "individual-patient-ind");
    assert_eq!(with["draft"]["template"]["name"], "redirect-emergency");
    let bad = regmail(&db, &["draft", &id, "--exception", "urgent"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("expected one of: individual-patient-ind")
    );
}

#[test]
fn templates_list_show_and_broken_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    let listed = stdout_json(succeed(&regmail(&db, &["templates", "list", "--json"])));
    let names: Vec<&str> = listed["templates"]
        .as_array()
        .expect("array")
        .iter()
        .map(|t| t["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        [
            "acknowledge-not-accepted",
            "include-rpm",
            "acknowledge-spind",
            "redirect-emergency",
            "request-electronic-media",
            "secure-email-setup",
            "general-information"
        ]
    );
    let shown = succeed(&regmail(&db, &["templates", "show", "include-rpm"]))
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&shown).starts_with("# Reminder sent"));
    let fields = succeed(&regmail(&db, &["templates", "fields"]))
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&fields).contains("{{rpm_email}}"));

    let own = dir.path().join("templates");
    std::fs::create_dir(&own).expect("mkdir");
    std::fs::write(
        own.join("thanks.txt"),
        "name: thanks\nversion: 1\nsection: V.C.3\ndescription: d\nsubject: {{stn}} - Thanks\n---\nDear {{recipient_nam}},\n",
    )
    .expect("write");
    let broken = regmail(
        &db,
        &[
            "templates",
            "list",
            "--templates",
            own.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(broken.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&broken.stderr);
    assert!(
        stderr.contains("thanks.txt line 7: unknown field {{recipient_nam}}"),
        "{stderr}"
    );
    assert!(
        stderr.contains("did you mean {{recipient_name}}?"),
        "{stderr}"
    );

    succeed(&regmail(
        &db,
        &[
            "settings",
            "set",
            "templates-dir",
            own.to_str().expect("utf-8"),
        ],
    ));
    let draft = regmail(&db, &["draft", "1", "--template", "thanks"]);
    assert_eq!(draft.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&draft.stderr).contains("unknown field {{recipient_nam}}"));
}

#[test]
fn partners_and_settings_round_trip() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    let csv = dir.path().join("partners.csv");
    std::fs::write(
        &csv,
        "entry,method,verified_on\nacmebio.example,tls,2025-01-15\nlee.park@ivd-systems.example,smime,2025-02-01\n",
    )
    .expect("write");
    let imported = succeed(&regmail(
        &db,
        &["partners", "import", csv.to_str().expect("utf-8")],
    ))
    .stdout
    .clone();
    assert!(String::from_utf8_lossy(&imported).contains("Imported 2 secure-email partners"));
    let listed = stdout_json(succeed(&regmail(&db, &["partners", "list", "--json"])));
    assert_eq!(listed[0]["entry"], "acmebio.example");
    assert_eq!(listed[0]["method"], "tls");
    assert_eq!(listed[0]["source"], "import");
    assert_eq!(listed[1]["method"], "smime");
    let same = stdout_json(succeed(&regmail(&db, &["smime", "partners", "--json"])));
    assert_eq!(same, listed, "one registry behind both commands");

    std::fs::write(
        &csv,
        "entry,method,verified_on\nfriend@gmail.com,smime,2025-01-15\n",
    )
    .expect("write");
    let rejected = regmail(&db, &["partners", "import", csv.to_str().expect("utf-8")]);
    assert_eq!(rejected.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&rejected.stderr)
        .contains("line 2: \"friend@gmail.com\" is at the ISP domain gmail.com"));

    let defaults = stdout_json(succeed(&regmail(&db, &["settings", "list", "--json"])));
    let setting = |key: &str| {
        defaults
            .as_array()
            .expect("settings list is an array")
            .iter()
            .find(|entry| entry["key"] == key)
            .map(|entry| entry["value"].clone())
            .unwrap_or(serde_json::Value::Null)
    };
    assert_eq!(setting("official-domains"), "fda.hhs.gov");
    assert_eq!(
        setting("isp-domains"),
        "yahoo.com,gmail.com,hotmail.com,earthlink.net,verizon.net"
    );
    succeed(&regmail(
        &db,
        &["settings", "set", "isp-domains", "gmail.com, aol.com"],
    ));
    let got = succeed(&regmail(&db, &["settings", "get", "isp-domains"]))
        .stdout
        .clone();
    assert_eq!(String::from_utf8_lossy(&got), "gmail.com,aol.com\n");
    let bad = regmail(&db, &["settings", "set", "reviewer-email", "dana"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr)
        .contains("invalid value \"dana\" for setting reviewer-email"));
    let unknown = regmail(&db, &["settings", "get", "colour"]);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown setting \"colour\""));
}
