//! The third-party corpus of real mail, imported in place: counts per file, and every
//! stored message byte-identical to where it came from.

use std::path::{Path, PathBuf};

use regmail::mailbox::Format;
use regmail::store::Store;

use crate::{corpus_dir, import_into, memory_store};

/// Checks that every stored copy of every message matches its source bytes. For `.eml`
/// and Maildir that is the whole file. For mbox it is the bytes right after the `From `
/// line at the recorded offset, because none of the corpus mboxes has `>From ` escapes.
fn assert_byte_exact(store: &Store, count: u64) {
    for id in 1..=count as i64 {
        let stored = store.message(id).expect("stored message");
        let raw = store.raw_message(id).expect("raw bytes");
        assert_eq!(
            regmail::message::sha256_hex(&raw),
            stored.sha256,
            "message {id}: stored hash"
        );
        for origin in &stored.origins {
            let file = std::fs::read(&origin.path).expect("read source");
            match Format::from_name(&origin.format).expect("known format") {
                Format::Eml | Format::Maildir => {
                    assert_eq!(raw, file, "message {id} differs from {}", origin.path)
                }
                Format::Mbox => {
                    let start = origin.offset as usize;
                    let line_end = start
                        + file[start..]
                            .iter()
                            .position(|&b| b == b'\n')
                            .expect("From line")
                        + 1;
                    assert!(
                        file[start..].starts_with(b"From "),
                        "message {id}: offset is not a From line"
                    );
                    assert_eq!(
                        &file[line_end..line_end + raw.len()],
                        raw.as_slice(),
                        "message {id} differs from {} at offset {}",
                        origin.path,
                        origin.offset
                    );
                }
            }
        }
    }
}

fn import_one(path: &Path) -> (Store, regmail::import::ImportReport) {
    let mut store = memory_store();
    let report = import_into(&mut store, &[path.to_path_buf()]);
    (store, report)
}

#[test]
fn mbox_files_have_expected_counts() {
    let dir = corpus_dir().join("mbox");
    let cases: &[(&str, u64)] = &[
        ("mimekit_jwz-content-length.mbox", 29),
        ("mimekit_unmunged-from_bom.mbox", 2),
        ("mozilla_modern-space-quoted.mbox", 2),
        ("mozilla_movemailspool.mbox", 3),
        ("mozilla_unquoted.mbox", 2),
        ("neomutt_banana.mbox", 1),
        ("neomutt_empty.mbox", 0),
    ];
    for (file, expected) in cases {
        let (store, report) = import_one(&dir.join(file));
        assert_eq!(report.found, *expected, "{file}: found");
        assert_eq!(report.imported, *expected, "{file}: imported");
        assert!(
            report.quarantined.is_empty(),
            "{file}: quarantined {:?}",
            report.quarantined
        );
        assert_byte_exact(&store, *expected);
    }
}

#[test]
fn unmunged_from_lines_stay_in_the_body() {
    let (store, _) = import_one(&corpus_dir().join("mbox/mimekit_unmunged-from_bom.mbox"));
    for id in 1..=2 {
        let body = store.message(id).expect("message").parsed.body_text;
        assert!(
            body.contains("From Russia with love"),
            "message {id} lost its From line: {body:?}"
        );
    }
}

#[test]
fn text_file_named_mbox_is_rejected() {
    let path = corpus_dir().join("mbox/neomutt_not-an-mbox.mbox");
    let (store, report) = import_one(&path);
    assert_eq!(report.found, 0);
    assert_eq!(report.skipped.len(), 1);
    assert!(
        report.skipped[0].explicit,
        "named file must count as rejected"
    );
    assert!(
        report.skipped[0].reason.contains("not a mailbox"),
        "reason: {}",
        report.skipped[0].reason
    );
    assert_eq!(store.message_count().expect("count"), 0);
}

#[test]
fn maildirs_read_cur_new_and_subfolders() {
    let cases: &[(&str, u64)] = &[
        ("maildir/notmuch-thread", 7),
        ("maildir/windows-separator", 2),
    ];
    for (folder, expected) in cases {
        let (store, report) = import_one(&corpus_dir().join(folder));
        assert_eq!(report.found, *expected, "{folder}: found");
        assert_eq!(report.imported, *expected, "{folder}: imported");
        assert_byte_exact(&store, *expected);
    }
}

#[test]
fn every_eml_imports_byte_exact() {
    let dir = corpus_dir().join("eml");
    let count = std::fs::read_dir(&dir).expect("eml folder").count() as u64;
    let (store, report) = import_one(&dir);
    assert_eq!(report.found, count);
    assert_eq!(
        report.imported + report.duplicates + report.quarantined.len() as u64,
        report.found
    );
    assert!(
        report.quarantined.is_empty(),
        "quarantined: {:?}",
        report.quarantined
    );
    assert_byte_exact(&store, report.imported);
}

#[test]
fn decoded_values_of_corpus_messages() {
    let dir = corpus_dir().join("eml");
    let cases: &[(&str, &str)] = &[
        ("dovecot_010_rfc2047-subject.eml", "こんにちは"),
        (
            "hunny_outlook2000_utf7-subject.eml",
            "Die Hasen und die Fr\u{f6}sche (Microsoft Outlook 00)",
        ),
        ("mozilla_cp932-subject.eml", "ここに本文がきます。"),
        ("mail-gem_rfc6532-utf8-headers.eml", "S\u{e4}ying Hello"),
    ];
    for (file, fragment) in cases {
        let (store, report) = import_one(&dir.join(file));
        assert_eq!(report.imported, 1, "{file}");
        let subject = store
            .message(1)
            .expect("message")
            .parsed
            .subject
            .unwrap_or_default();
        assert!(
            !subject.contains("=?"),
            "{file}: undecoded subject {subject:?}"
        );
        assert!(
            !subject.contains('\u{fffd}'),
            "{file}: replacement character in {subject:?}"
        );
        assert_eq!(subject, *fragment, "{file}");
    }
}

#[test]
fn whole_corpus_is_accounted_for() {
    let mut store = memory_store();
    let report = import_into(&mut store, &[corpus_dir()]);
    assert!(report.found > 100, "found only {}", report.found);
    assert_eq!(
        report.imported + report.duplicates + report.quarantined.len() as u64,
        report.found,
        "imported + duplicates + quarantined must equal found"
    );
    assert_eq!(
        store.message_count().expect("count"),
        report.imported + report.quarantined.len() as u64
    );

    let again = import_into(&mut store, &[corpus_dir()]);
    assert_eq!(
        again.found, report.found,
        "second import finds the same messages"
    );
    assert_eq!(again.imported, 0, "second import adds nothing");
    assert_eq!(
        again.duplicates, again.found,
        "second import sees only duplicates"
    );
    let skipped: Vec<PathBuf> = again.skipped.iter().map(|s| s.path.clone()).collect();
    assert!(
        skipped
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "pst")),
        "pst files are listed as skipped"
    );
}
