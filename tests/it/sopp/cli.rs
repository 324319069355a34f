//! `regmail directory`, `triage`, `tasks` and `audit` run as a user would, against a
//! temporary database.

use std::path::Path;
use std::process::{Command, Output};

use super::scenarios::fixtures;

fn regmail(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_regmail"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("REGMAIL_DB")
        .env("REGMAIL_USER", "dana.whitfield")
        .output()
        .expect("run regmail")
}

fn ok(output: &Output, what: &str) -> String {
    assert!(
        output.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn json(output: &Output, what: &str) -> serde_json::Value {
    serde_json::from_str(&ok(output, what)).expect("JSON output")
}

#[test]
fn triage_tasks_audit_contract() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    let eml = fixtures().join("scenarios/rpm-missing.eml");
    let csv = fixtures().join("scenarios/directory.csv");

    let report = ok(
        &regmail(&db, &["import", eml.to_str().expect("utf-8 path")]),
        "import",
    );
    assert!(
        report.starts_with("found 1 message in 1 file ("),
        "singular counts: {report}"
    );
    let imported = ok(
        &regmail(
            &db,
            &["directory", "import", csv.to_str().expect("utf-8 path")],
        ),
        "directory import",
    );
    assert!(imported.contains("3 RPM directory entries"), "{imported}");
    let listed = json(
        &regmail(&db, &["directory", "list", "--json"]),
        "directory list",
    );
    assert_eq!(
        listed.as_array().map(Vec::len),
        Some(3),
        "directory entries"
    );

    let outcome = json(
        &regmail(&db, &["triage", "1", "--answer", "kind=agreed", "--json"]),
        "triage",
    );
    assert_eq!(outcome["regulatory"], true);
    assert_eq!(outcome["disposition"], "accept");
    assert_eq!(outcome["redirect"], serde_json::Value::Null);
    assert_eq!(outcome["received_at"], "2025-03-04T10:15:00-05:00");
    assert_eq!(outcome["identifiers"][0]["kind"], "bla");
    assert_eq!(outcome["identifiers"][0]["value"], "STN 125742/0");
    let facts = outcome["facts"].as_array().expect("facts array");
    for fact in facts {
        for key in ["key", "value", "evidence", "source"] {
            assert!(fact.get(key).is_some(), "fact lacks {key}: {fact}");
        }
    }
    let kind = facts
        .iter()
        .find(|f| f["key"] == "kind")
        .expect("kind fact");
    assert_eq!(kind["source"], "answered");
    assert!(
        outcome["open_questions"].is_array(),
        "open_questions present"
    );

    let tasks = outcome["tasks"].as_array().expect("tasks array");
    let forward = tasks
        .iter()
        .find(|t| t["kind"] == "forward-to-rpm")
        .expect("forward-to-rpm task");
    assert_eq!(forward["due_at"], "2025-03-05T16:30:00-05:00");
    assert_eq!(forward["role"], "reviewer");
    assert_eq!(forward["section"], "VII.A.2.a");
    let remind = tasks
        .iter()
        .find(|t| t["kind"] == "remind-include-rpm")
        .expect("remind-include-rpm task");
    assert_eq!(remind["due_at"], serde_json::Value::Null);
    let forward_id = forward["id"].as_i64().expect("task id");

    let open = json(&regmail(&db, &["tasks", "--json"]), "tasks");
    assert_eq!(
        open.as_array().map(Vec::len),
        Some(tasks.len()),
        "open tasks"
    );
    assert_eq!(open[0]["kind"], "forward-to-rpm", "earliest due first");
    // Received in March 2025, so the forwarding deadline has passed.
    assert_eq!(open[0]["overdue"], true, "past due time is overdue");
    let left = open[0]["business_seconds_left"]
        .as_i64()
        .expect("seconds left");
    assert!(left < 0, "negative time left once overdue: {left}");
    let undated = open
        .as_array()
        .and_then(|tasks| tasks.iter().find(|t| t["kind"] == "remind-include-rpm"))
        .expect("remind-include-rpm listed");
    assert_eq!(undated["overdue"], false, "no deadline, never overdue");
    assert_eq!(undated["business_seconds_left"], serde_json::Value::Null);
    let listing = ok(&regmail(&db, &["tasks"]), "tasks");
    let forward_line = listing
        .lines()
        .find(|line| line.contains("forward-to-rpm"))
        .expect("forward-to-rpm line");
    assert!(forward_line.contains("OVERDUE"), "{forward_line}");
    assert!(listing.contains("overdue by "), "{listing}");

    let id = forward_id.to_string();
    let done = json(
        &regmail(
            &db,
            &["tasks", "done", &id, "--note", "forwarded", "--json"],
        ),
        "tasks done",
    );
    assert_eq!(done["status"], "done");
    assert_eq!(done["note"], "forwarded");
    assert_eq!(done["closed_by"], "dana.whitfield");

    let verify = json(
        &regmail(&db, &["audit", "verify", "--json"]),
        "audit verify",
    );
    assert_eq!(verify["ok"], true);
    assert!(verify["entries"].as_i64().unwrap_or(0) > 5, "{verify}");

    let bad = regmail(&db, &["triage", "1", "--answer", "kind=maybe"]);
    assert_eq!(bad.status.code(), Some(2), "invalid answer exit code");
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("invalid value \"maybe\" for answer kind"),
        "{stderr}"
    );
    assert!(
        stderr.contains("agreed"),
        "error lists the values: {stderr}"
    );
}

#[test]
fn tasks_done_records_resolution() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    let eml = fixtures().join("scenarios/encrypted-no-key.eml");
    ok(
        &regmail(&db, &["import", eml.to_str().expect("utf-8 path")]),
        "import",
    );
    let outcome = json(&regmail(&db, &["triage", "1", "--json"]), "triage");
    assert_eq!(outcome["disposition"], "unreadable");
    let tasks = outcome["tasks"].as_array().expect("tasks array");
    let record = tasks
        .iter()
        .find(|t| t["kind"] == "record-unreadable-resolution")
        .and_then(|t| t["id"].as_i64())
        .expect("record-unreadable-resolution task id")
        .to_string();

    let missing = regmail(&db, &["tasks", "done", &record]);
    assert_eq!(
        missing.status.code(),
        Some(2),
        "missing resolution exit code"
    );
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(
        stderr.contains("--resolution"),
        "names the option: {stderr}"
    );
    assert!(
        stderr.contains("resend, reject, refer-to-dcc, other-format"),
        "names the values: {stderr}"
    );

    let invalid = regmail(&db, &["tasks", "done", &record, "--resolution", "later"]);
    assert_eq!(
        invalid.status.code(),
        Some(2),
        "invalid resolution exit code"
    );
    let stderr = String::from_utf8_lossy(&invalid.stderr);
    assert!(
        stderr.contains("invalid resolution \"later\""),
        "names the value: {stderr}"
    );

    let open = json(&regmail(&db, &["tasks", "--json"]), "tasks");
    let row = open
        .as_array()
        .and_then(|rows| {
            rows.iter()
                .find(|t| t["kind"] == "record-unreadable-resolution")
        })
        .expect("task still open");
    assert_eq!(
        row["resolution"],
        serde_json::Value::Null,
        "open: no resolution"
    );

    let done = json(
        &regmail(
            &db,
            &[
                "tasks",
                "done",
                &record,
                "--resolution",
                "refer-to-dcc",
                "--note",
                "sponsor agreed by phone",
                "--json",
            ],
        ),
        "tasks done",
    );
    assert_eq!(done["status"], "done");
    assert_eq!(done["resolution"], "refer-to-dcc");
    assert_eq!(done["note"], "sponsor agreed by phone");

    let all = json(&regmail(&db, &["tasks", "--all", "--json"]), "tasks --all");
    let row = all
        .as_array()
        .and_then(|rows| {
            rows.iter()
                .find(|t| t["kind"] == "record-unreadable-resolution")
        })
        .expect("task listed");
    assert_eq!(
        row["resolution"], "refer-to-dcc",
        "listed with its resolution"
    );

    let text = ok(&regmail(&db, &["tasks", "--all"]), "tasks --all");
    assert!(text.contains("Resolution: refer-to-dcc"), "{text}");

    let record_id = record.parse::<i64>().ok();
    let log = json(&regmail(&db, &["audit", "log", "--json"]), "audit log");
    let entry = log
        .as_array()
        .and_then(|entries| {
            entries
                .iter()
                .find(|e| e["action"] == "task-done" && e["task_id"].as_i64() == record_id)
        })
        .expect("task-done entry");
    assert_eq!(entry["section"], "VII.A.1");
    assert!(
        entry["detail"]
            .as_str()
            .is_some_and(|d| d.contains("\"resolution\":\"refer-to-dcc\"")),
        "{entry}"
    );
}

#[test]
fn resolution_help_lists_tree_values() {
    let dir = tempfile::tempdir().expect("temp dir");
    let help = ok(
        &regmail(&dir.path().join("regmail.db"), &["tasks", "done", "--help"]),
        "tasks done --help",
    );
    let tree = regmail::sopp::Tree::sopp_8119_v11();
    for resolution in &tree.tasks["record-unreadable-resolution"].resolutions {
        assert!(
            help.contains(&resolution.value),
            "help lists {}: {help}",
            resolution.value
        );
    }
}

#[test]
fn deleted_message_show_and_raw() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    let eml = fixtures().join("scenarios/unsolicited-new-bla.eml");
    ok(
        &regmail(&db, &["import", eml.to_str().expect("utf-8 path")]),
        "import",
    );
    let outcome = json(
        &regmail(
            &db,
            &[
                "triage",
                "1",
                "--answer",
                "regulatory=yes",
                "--answer",
                "kind=formal-submission",
                "--json",
            ],
        ),
        "triage",
    );
    let task_id = |kind: &str| {
        outcome["tasks"]
            .as_array()
            .and_then(|tasks| tasks.iter().find(|t| t["kind"] == kind))
            .and_then(|t| t["id"].as_i64())
            .unwrap_or_else(|| panic!("{kind} task id"))
            .to_string()
    };
    let acknowledge = task_id("acknowledge-and-redirect");
    let delete = task_id("delete-after-contact");

    let early = regmail(&db, &["tasks", "done", &delete]);
    assert_eq!(early.status.code(), Some(2), "out-of-order exit code");
    let stderr = String::from_utf8_lossy(&early.stderr);
    assert!(
        stderr.contains(&format!("task {acknowledge} (acknowledge-and-redirect)")),
        "names the acknowledgement: {stderr}"
    );

    let marked = ok(
        &regmail(&db, &["tasks", "done", &acknowledge]),
        "acknowledge",
    );
    assert!(
        marked.contains(&format!(
            "marked for deletion (SOPP 8119 V.B.2.a.iii); `regmail tasks done {delete}`"
        )),
        "{marked}"
    );
    let shown = ok(&regmail(&db, &["show", "1"]), "show marked");
    assert!(shown.contains("deletion:    marked on"), "{shown}");

    let deleted = json(
        &regmail(&db, &["tasks", "done", &delete, "--json"]),
        "delete",
    );
    assert_eq!(deleted["status"], "done");
    assert_eq!(deleted["deletion"]["state"], "deleted");
    assert_eq!(deleted["deletion"]["deleted_by"], "dana.whitfield");

    let shown = ok(&regmail(&db, &["show", "1"]), "show deleted");
    assert!(
        shown.contains("deleted under SOPP 8119 V.B.2.a.iii on "),
        "{shown}"
    );
    assert!(shown.contains("by dana.whitfield"), "{shown}");
    assert!(!shown.contains("NW-201"), "no content: {shown}");
    let shown = json(&regmail(&db, &["show", "1", "--json"]), "show --json");
    assert_eq!(shown["status"], "deleted");
    assert_eq!(shown["deleted"]["section"], "V.B.2.a.iii");
    assert_eq!(shown["deleted"]["deleted_by"], "dana.whitfield");
    assert_eq!(shown["parsed"]["subject"], serde_json::Value::Null);

    let raw = regmail(&db, &["raw", "1"]);
    assert_eq!(raw.status.code(), Some(2), "raw of a deleted message fails");
    assert!(raw.stdout.is_empty(), "no bytes written");
    let stderr = String::from_utf8_lossy(&raw.stderr);
    assert!(
        stderr.contains("message 1 was deleted under SOPP 8119 V.B.2.a.iii on "),
        "{stderr}"
    );
    assert!(stderr.contains("by dana.whitfield"), "{stderr}");

    let listed = ok(&regmail(&db, &["list"]), "list");
    assert!(listed.contains("[deleted]"), "{listed}");
}

#[test]
fn quarantined_message_triages_unreadable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    let mbox = fixtures().join("quarantine/export.mbox");
    let report = json(
        &regmail(
            &db,
            &["import", mbox.to_str().expect("utf-8 path"), "--json"],
        ),
        "import",
    );
    assert_eq!(
        report["quarantined"].as_array().map(Vec::len),
        Some(3),
        "quarantined on import"
    );

    let outcome = json(&regmail(&db, &["triage", "1", "--json"]), "triage");
    assert_eq!(outcome["disposition"], "unreadable");
    assert_eq!(outcome["received_at"], "2025-03-04T10:15:00-05:00");
    assert_eq!(outcome["identifiers"][0]["value"], "STN 125742/0");
    assert_eq!(outcome["identifiers"][0]["location"]["part"], "raw");
    let phone = outcome["tasks"]
        .as_array()
        .and_then(|tasks| tasks.iter().find(|t| t["kind"] == "phone-notify-sponsor"))
        .expect("phone-notify-sponsor task");
    assert_eq!(phone["due_at"], "2025-03-05T16:30:00-05:00");
    assert_eq!(phone["status"], "open");
    let open: Vec<&str> = outcome["open_questions"]
        .as_array()
        .expect("open questions")
        .iter()
        .filter_map(|q| q["key"].as_str())
        .collect();
    assert!(open.contains(&"regulatory"), "regulatory is open: {open:?}");

    let text = ok(&regmail(&db, &["triage", "3", "--no-input"]), "triage text");
    assert!(
        text.contains("Disposition: unreadable (SOPP 8119 VII.A.1)"),
        "{text}"
    );
    assert!(text.contains("taken from the mbox envelope line"), "{text}");
}

#[test]
fn deadline_policy_setting_and_override() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    let eml = fixtures().join("scenarios/rpm-missing.eml");
    let csv = fixtures().join("scenarios/directory.csv");
    ok(
        &regmail(&db, &["import", eml.to_str().expect("utf-8 path")]),
        "import",
    );
    ok(
        &regmail(
            &db,
            &["directory", "import", csv.to_str().expect("utf-8 path")],
        ),
        "directory import",
    );

    let listed = json(
        &regmail(&db, &["settings", "list", "--json"]),
        "settings list",
    );
    assert_eq!(listed[0]["key"], "deadline-policy");
    assert_eq!(listed[0]["value"], "close");
    assert_eq!(listed[0]["is_default"], true);
    let text = ok(&regmail(&db, &["settings", "list"]), "settings list");
    assert!(text.contains("deadline-policy  close (default)"), "{text}");

    // A per-run override leaves the setting alone.
    let outcome = json(
        &regmail(
            &db,
            &[
                "triage",
                "1",
                "--answer",
                "kind=agreed",
                "--policy",
                "elapsed",
                "--json",
            ],
        ),
        "triage --policy elapsed",
    );
    let forward = |outcome: &serde_json::Value| {
        outcome["tasks"]
            .as_array()
            .and_then(|tasks| tasks.iter().find(|t| t["kind"] == "forward-to-rpm"))
            .cloned()
            .expect("forward-to-rpm task")
    };
    assert_eq!(forward(&outcome)["policy"], "elapsed");
    assert_eq!(forward(&outcome)["due_at"], "2025-03-05T10:15:00-05:00");
    let got = ok(
        &regmail(&db, &["settings", "get", "deadline-policy"]),
        "settings get",
    );
    assert_eq!(got.trim(), "close", "the override is not saved");

    // Setting the policy in force changes nothing, and the next triage moves the open task
    // back to it.
    let set = ok(
        &regmail(&db, &["settings", "set", "deadline-policy", "close"]),
        "settings set close",
    );
    assert!(
        set.contains("deadline-policy is already close; nothing changed."),
        "{set}"
    );
    let outcome = json(&regmail(&db, &["triage", "1", "--json"]), "triage");
    assert_eq!(forward(&outcome)["policy"], "close");
    assert_eq!(forward(&outcome)["due_at"], "2025-03-05T16:30:00-05:00");

    let set = ok(
        &regmail(&db, &["settings", "set", "deadline-policy", "elapsed"]),
        "settings set elapsed",
    );
    assert!(set.contains("Open tasks keep their due times"), "{set}");
    let got = json(
        &regmail(&db, &["settings", "get", "deadline-policy", "--json"]),
        "settings get --json",
    );
    assert_eq!(got["value"], "elapsed");
    assert_eq!(got["is_default"], false);
    let tasks = json(&regmail(&db, &["tasks", "--json"]), "tasks");
    let stored = tasks
        .as_array()
        .and_then(|rows| rows.iter().find(|t| t["kind"] == "forward-to-rpm"))
        .expect("forward-to-rpm listed");
    assert_eq!(
        stored["policy"], "close",
        "open task keeps its policy until re-triage"
    );
    json(&regmail(&db, &["triage", "1", "--json"]), "triage again");
    let tasks = json(&regmail(&db, &["tasks", "--json"]), "tasks");
    let rows = tasks.as_array().expect("tasks array");
    let stored = rows
        .iter()
        .find(|t| t["kind"] == "forward-to-rpm")
        .expect("forward-to-rpm listed");
    assert_eq!(stored["policy"], "elapsed");
    assert_eq!(stored["due_at"], "2025-03-05T10:15:00-05:00");
    assert_eq!(
        stored["warn_at"], stored["due_at"],
        "no earlier mark under elapsed"
    );
    let undated = rows
        .iter()
        .find(|t| t["kind"] == "send-to-dcc")
        .expect("send-to-dcc listed");
    assert_eq!(undated["policy"], serde_json::Value::Null);

    let text = ok(&regmail(&db, &["tasks"]), "tasks");
    assert!(text.contains("2025-03-05T10:15:00-05:00 elapsed"), "{text}");

    let bad = regmail(&db, &["settings", "set", "deadline-policy", "strict"]);
    assert_eq!(bad.status.code(), Some(2), "invalid value exit code");
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains(
            "invalid value \"strict\" for setting deadline-policy; expected one of: close, elapsed"
        ),
        "{stderr}"
    );

    let log = json(&regmail(&db, &["audit", "log", "--json"]), "audit log");
    let changes: Vec<&serde_json::Value> = log
        .as_array()
        .expect("audit array")
        .iter()
        .filter(|e| e["action"] == "setting-changed")
        .collect();
    assert_eq!(changes.len(), 1, "only the change to elapsed: {changes:?}");

    let due = json(
        &regmail(
            &db,
            &["due", "--received", "2025-03-04T10:15:00-05:00", "--json"],
        ),
        "due",
    );
    assert_eq!(due["policy"], "elapsed", "regmail due reads the setting");
}

/// A submission whose STN appears in the subject and in the name of every attachment.
const MANY_PLACES: &str =
    "Received: from mx1.acmebio.example by mail.fda.hhs.gov; Tue, 04 Mar 2025 10:15:00 -0500\r
Date: Tue, 04 Mar 2025 10:12:00 -0500\r
From: Priya Raman <priya.raman@acmebio.example>\r
To: Dana Whitfield <dana.whitfield@fda.hhs.gov>\r
Subject: STN 125742 amendment\r
Message-ID: <many-places@acmebio.example>\r
MIME-Version: 1.0\r
Content-Type: multipart/mixed; boundary=\"b\"\r
\r
--b\r
Content-Type: text/plain\r
\r
Please find the amendment to STN 125742 attached.\r
--b\r
Content-Type: application/pdf\r
Content-Disposition: attachment; filename=\"STN 125742 cover letter.pdf\"\r
\r
%PDF-1.4\r
--b\r
Content-Type: application/pdf\r
Content-Disposition: attachment; filename=\"STN 125742 form 356h.pdf\"\r
\r
%PDF-1.4\r
--b\r
Content-Type: application/pdf\r
Content-Disposition: attachment; filename=\"STN 125742 module 1.pdf\"\r
\r
%PDF-1.4\r
--b--\r
";

#[test]
fn triage_lists_each_identifier_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    let eml = dir.path().join("many-places.eml");
    std::fs::write(&eml, MANY_PLACES).expect("write eml");
    ok(
        &regmail(&db, &["import", eml.to_str().expect("utf-8 path")]),
        "import",
    );
    let text = ok(&regmail(&db, &["triage", "1"]), "triage");
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| line.starts_with("Identifier:"))
        .collect();
    let bla: Vec<&&str> = lines
        .iter()
        .filter(|line| line.contains("125742"))
        .collect();
    assert_eq!(bla.len(), 1, "one line for the STN: {lines:?}");
    assert!(bla[0].contains("subject"), "{}", bla[0]);
    assert!(bla[0].contains("module 1.pdf"), "{}", bla[0]);
    assert!(bla[0].contains("cover letter.pdf"), "{}", bla[0]);
}

#[test]
fn audit_user_falls_back_to_account_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    let eml = fixtures().join("scenarios/rpm-missing.eml");
    ok(
        &regmail(&db, &["import", eml.to_str().expect("utf-8 path")]),
        "import",
    );

    let account = Command::new("id").arg("-un").output().expect("run id -un");
    let account = String::from_utf8_lossy(&account.stdout).trim().to_owned();
    let triaged = Command::new(env!("CARGO_BIN_EXE_regmail"))
        .arg("--db")
        .arg(&db)
        .args(["triage", "1", "--json"])
        .env_remove("REGMAIL_DB")
        .env_remove("REGMAIL_USER")
        .env_remove("USER")
        .env_remove("LOGNAME")
        .env_remove("USERNAME")
        .output()
        .expect("run regmail");
    ok(&triaged, "triage without USER");

    let log = json(&regmail(&db, &["audit", "log", "--json"]), "audit log");
    let users: Vec<&str> = log
        .as_array()
        .expect("audit entries")
        .iter()
        .filter_map(|entry| entry["user"].as_str())
        .collect();
    assert!(!users.is_empty(), "entries written");
    assert!(
        users.iter().all(|user| *user == account),
        "every entry by {account}: {users:?}"
    );
}
