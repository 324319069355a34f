//! Import behaviour: accounting, deduplication, quarantine, search and thread links.

use std::path::PathBuf;

use regmail::store::Store;

use crate::{import_into, memory_store};

fn write(dir: &std::path::Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create folder");
    }
    std::fs::write(&path, bytes).expect("write file");
    path
}

const REPLY: &[u8] = b"Message-ID: <reply-1@example.com>\r\n\
In-Reply-To: <root-1@example.com>\r\n\
References: <root-1@example.com>\r\n\
From: Alice <alice@acmebio.example>\r\n\
To: reviewer@fda.hhs.gov\r\n\
Subject: Re: STN 125742/0 response to information request\r\n\
Date: Tue, 04 Mar 2025 10:00:00 -0500\r\n\
\r\n\
Attached is our response about the potency assay.\r\n";

#[test]
fn reimport_adds_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), "one.eml", REPLY);
    let mut store = memory_store();
    let first = import_into(&mut store, std::slice::from_ref(&path));
    let second = import_into(&mut store, &[path]);
    assert_eq!((first.found, first.imported, first.duplicates), (1, 1, 0));
    assert_eq!(
        (second.found, second.imported, second.duplicates),
        (1, 0, 1)
    );
    assert_eq!(store.message_count().expect("count"), 1);
}

#[test]
fn same_message_id_with_other_bytes_is_reported() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut changed = REPLY.to_vec();
    changed.extend_from_slice(b"A second line added by a forwarding system.\r\n");
    let a = write(dir.path(), "a.eml", REPLY);
    let b = write(dir.path(), "b.eml", &changed);
    let mut store = memory_store();
    let report = import_into(&mut store, &[a, b]);
    assert_eq!(report.imported, 2);
    assert_eq!(report.same_message_id.len(), 1);
    assert_eq!(report.same_message_id[0].message_id, "reply-1@example.com");
    assert_eq!(report.same_message_id[0].other_ids, vec![1]);
}

#[test]
fn unparseable_message_is_stored_raw_and_flagged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let garbage: &[u8] = b"\x00\x01\x02 this is not mail \xff\xfe\n";
    write(dir.path(), "box/cur/1.host:2,S", garbage);
    write(dir.path(), "box/cur/2.host:2,S", REPLY);
    let mut store = memory_store();
    let report = import_into(&mut store, &[dir.path().join("box")]);
    assert_eq!(report.found, 2);
    assert_eq!(report.imported, 1);
    assert_eq!(report.quarantined.len(), 1);
    let flagged = &report.quarantined[0];
    assert!(
        flagged.source.ends_with("1.host:2,S"),
        "source: {}",
        flagged.source
    );
    assert!(!flagged.reason.is_empty());
    assert_eq!(store.raw_message(flagged.id).expect("raw"), garbage);
    assert_eq!(
        store.message(flagged.id).expect("message").status,
        "quarantined"
    );
}

#[test]
fn summary_fields_and_thread_links() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), "reply.eml", REPLY);
    let mut store = memory_store();
    import_into(&mut store, std::slice::from_ref(&path));
    let m = store.message(1).expect("message");
    assert_eq!(m.parsed.message_id.as_deref(), Some("reply-1@example.com"));
    assert_eq!(m.parsed.in_reply_to, vec!["root-1@example.com"]);
    assert_eq!(m.parsed.references, vec!["root-1@example.com"]);
    assert_eq!(m.parsed.date.as_deref(), Some("2025-03-04T10:00:00-05:00"));
    assert_eq!(
        m.parsed.received_at.map(|t| t.to_string()).as_deref(),
        Some("2025-03-04T15:00:00Z")
    );
    assert_eq!(m.origins.len(), 1);
    assert_eq!(m.origins[0].format, "eml");
    assert_eq!(
        PathBuf::from(&m.origins[0].path),
        std::fs::canonicalize(&path).expect("canonical")
    );
}

#[test]
fn search_covers_subject_addresses_body_and_attachment_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    let with_attachment: &[u8] = b"From: sponsor@acmebio.example\r\n\
Subject: Quarterly report\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=b\r\n\
\r\n\
--b\r\n\
Content-Type: text/plain\r\n\
\r\n\
See attached.\r\n\
--b\r\n\
Content-Type: application/pdf\r\n\
Content-Disposition: attachment; filename=\"lyophilization-summary.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
JVBERi0xLjQK\r\n\
--b--\r\n";
    let a = write(dir.path(), "reply.eml", REPLY);
    let b = write(dir.path(), "report.eml", with_attachment);
    let mut store = memory_store();
    import_into(&mut store, &[a, b]);
    let cases: &[(&str, &[i64])] = &[
        ("information", &[1]),
        ("potency", &[1]),
        ("acmebio", &[1, 2]),
        ("lyophilization", &[2]),
        ("STN 125742/0", &[1]),
        ("subject:quarterly", &[2]),
        ("nonexistentword", &[]),
    ];
    for (query, expected) in cases {
        let mut ids: Vec<i64> = store
            .list_messages(Some(query), 100)
            .expect("search")
            .iter()
            .map(|r| r.id)
            .collect();
        ids.sort();
        assert_eq!(ids, *expected, "query {query:?}");
    }
}

#[test]
fn invalid_query_names_the_query() {
    let store = memory_store();
    let err = store
        .list_messages(Some("\"unclosed"), 10)
        .expect_err("must fail");
    assert!(err.to_string().contains("\\\"unclosed"), "error: {err}");
}

#[test]
fn store_file_reopens_with_schema() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("nested/folder/regmail.db");
    let path = write(dir.path(), "reply.eml", REPLY);
    {
        let mut store = Store::open(&db).expect("open");
        import_into(&mut store, &[path]);
    }
    let store = Store::open(&db).expect("reopen");
    assert_eq!(store.message_count().expect("count"), 1);
    let version: i64 = store
        .connection()
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("version");
    assert_eq!(version, regmail::store::SCHEMA_VERSION);
}

#[test]
fn references_move_to_the_message_row_on_upgrade() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/store/migrations");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .expect("migrations folder")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| {
            path.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n < "0009")
        })
        .collect();
    files.sort();
    assert_eq!(files.len(), 8, "migrations before the references column");
    {
        let conn = rusqlite::Connection::open(&db).expect("open");
        for file in &files {
            conn.execute_batch(&std::fs::read_to_string(file).expect("read migration"))
                .expect("migrate");
        }
        conn.execute_batch(
            "PRAGMA user_version = 8;
             INSERT INTO messages (id, sha256, size, status, imported_at)
                 VALUES (1, 'aa', 10, 'parsed', '2025-03-01T12:00:00Z'),
                        (2, 'bb', 10, 'parsed', '2025-03-01T12:00:00Z');
             INSERT INTO message_links (message_id, kind, position, target) VALUES
                 (1, 'in-reply-to', 0, 'parent@example.com'),
                 (1, 'references', 1, 'parent@example.com'),
                 (1, 'references', 0, 'root@example.com');",
        )
        .expect("seed version 8");
    }
    let store = Store::open(&db).expect("upgrade");
    let first = store.message(1).expect("message 1");
    assert_eq!(
        first.parsed.references,
        vec!["root@example.com", "parent@example.com"]
    );
    assert_eq!(first.parsed.in_reply_to, vec!["parent@example.com"]);
    let second = store.message(2).expect("message 2");
    assert!(
        second.parsed.references.is_empty(),
        "no references stays empty"
    );
    let rows: i64 = store
        .connection()
        .query_row(
            "SELECT count(*) FROM message_links WHERE kind = 'references'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(rows, 0, "reference rows removed");
}
