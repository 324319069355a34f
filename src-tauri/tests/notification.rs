//! Sends a task alert as a real desktop notification and checks that the notification
//! daemon received it.
//!
//! It needs a session bus with a notification daemon, which `scripts/e2e.sh` starts (a
//! private `dbus-run-session` with dunst under Xvfb) before it sets REGMAIL_NOTIFY_TEST=1.
//! Without that variable the test only checks that the overdue alert is planned.

use std::path::{Path, PathBuf};
use std::process::Command;

use jiff::Timestamp;
use regmail::import::{self, ImportOptions};
use regmail::sopp::{triage, Answers, Settings};
use regmail::store::Store;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/e2e/fixtures/review.mbox")
}

#[test]
fn overdue_task_alert_reaches_the_daemon() {
    let mut store = Store::open_in_memory().expect("in-memory store");
    let plan = import::plan(&[fixture()]).expect("fixture mailbox plans");
    import::run(&mut store, plan, ImportOptions::default(), &mut |_| {}).expect("fixture imports");
    let id = store
        .list_messages(Some("potency"), 1)
        .expect("search")
        .first()
        .expect("the regulatory message")
        .id;
    // The RPM was not an addressee, so the message must be forwarded within one business day.
    let answers = Answers::parse_pairs(["rpm-addressed=no"]).expect("answer parses");
    triage::triage(
        &mut store,
        id,
        &answers,
        &Settings::default(),
        "tester",
        Timestamp::now(),
    )
    .expect("triage");

    let alerts =
        regmail_desktop::alerts::collect_due(&mut store, false, Timestamp::now()).expect("alerts");
    let again =
        regmail_desktop::alerts::collect_due(&mut store, false, Timestamp::now()).expect("alerts");

    assert_eq!(alerts.len(), 1, "{alerts:?}");
    let alert = &alerts[0];
    assert_eq!(alert.kind, "overdue");
    assert_eq!(alert.title, "Overdue: STN 125742/0");
    assert!(
        alert.body.contains("Wed 2025-03-12 16:30 EDT"),
        "{}",
        alert.body
    );
    assert!(alert.body.contains("overdue by"), "{}", alert.body);
    assert!(again.is_empty(), "an alert was sent twice: {again:?}");

    if std::env::var_os("REGMAIL_NOTIFY_TEST").is_none() {
        eprintln!(
            "REGMAIL_NOTIFY_TEST is not set: the notification is not sent (scripts/e2e.sh sets it)"
        );
        return;
    }
    regmail_desktop::alerts::show_notification(alert).expect("the daemon accepts the notification");
    // dunst moves a notification to its history when it is closed.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let closed = Command::new("dunstctl")
        .arg("close-all")
        .status()
        .expect("dunstctl runs");
    assert!(closed.success(), "dunstctl close-all failed");
    std::thread::sleep(std::time::Duration::from_millis(300));
    let history = Command::new("dunstctl")
        .arg("history")
        .output()
        .expect("dunstctl runs");
    let shown = String::from_utf8_lossy(&history.stdout);

    assert!(
        shown.contains("Overdue: STN 125742/0"),
        "dunst did not receive the notification; history: {shown}"
    );
    assert!(
        shown.contains("Forward"),
        "the notification names no task; history: {shown}"
    );
}
