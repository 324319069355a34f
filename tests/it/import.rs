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
    let a = write(dir.path(), "reply.eml", REPLY);
    let b = write(dir.path(), "report.eml", REPORT);
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
        // Punctuation that FTS5 reads as syntax: the words are searched literally, and a
        // query that finds nothing is not an error.
        ("potency-assay", &[1]),
        ("assay-potency", &[]),
        ("STN 125742-0001", &[]),
        ("sponsor's", &[]),
        ("125742/0", &[1]),
    ];
    for (query, expected) in cases {
        assert_eq!(found(&store, query), *expected, "query {query:?}");
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

/// A message with an attachment, for search tests that need a second message.
const REPORT: &[u8] = b"Message-ID: <report-1@example.com>\r\n\
From: sponsor@acmebio.example\r\n\
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

/// Returns the sorted ids a search finds.
fn found(store: &Store, query: &str) -> Vec<i64> {
    let mut ids: Vec<i64> = store
        .list_messages(Some(query), 100)
        .expect("search")
        .iter()
        .map(|r| r.id)
        .collect();
    ids.sort();
    ids
}

/// Creates a store file with `REPLY` (id 1) and `REPORT` (id 2), and returns its folder.
fn store_file_with_two() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    let a = write(dir.path(), "mail/reply.eml", REPLY);
    let b = write(dir.path(), "mail/report.eml", REPORT);
    let mut store = Store::open(&db).expect("open");
    let report = import_into(&mut store, &[a, b]);
    assert_eq!(report.imported, 2);
    (dir, db)
}

/// Runs `sql` on the index file of the store at `db`, as a crash or a lost file would
/// leave it.
fn damage_index(db: &std::path::Path, sql: &str) {
    let conn = rusqlite::Connection::open(regmail::store::search_path(db)).expect("open index");
    conn.execute_batch(sql).expect("change index");
}

#[test]
fn search_index_file_rebuilt() {
    let (dir, db) = store_file_with_two();
    let index = regmail::store::search_path(&db);
    assert_eq!(index, dir.path().join("regmail.db-search"));
    assert!(index.is_file(), "index file {}", index.display());
    let expected: &[(&str, &[i64])] = &[
        ("potency", &[1]),
        ("acmebio", &[1, 2]),
        ("lyophilization", &[2]),
        ("subject:quarterly", &[2]),
    ];
    let check = |when: &str| {
        let store = Store::open(&db).expect("open");
        for (query, ids) in expected {
            assert_eq!(found(&store, query), *ids, "{when}: query {query:?}");
        }
    };
    check("after import");

    // Index entries lost after the messages were committed, as when an import is killed
    // between the two files.
    damage_index(
        &db,
        "DELETE FROM messages_fts WHERE rowid = 2; UPDATE search_state SET indexed_through = 1;",
    );
    check("after catching up");

    for suffix in ["", "-wal", "-shm"] {
        let mut path = index.clone().into_os_string();
        path.push(suffix);
        let _ = std::fs::remove_file(path);
    }
    check("after the index file was deleted");
}

#[test]
fn interrupted_deletion_finished_at_open() {
    let (_dir, db) = store_file_with_two();
    // A deletion that reached the store but not the index. No task exists with the
    // row's task id, so foreign keys are off on this connection.
    {
        let conn = rusqlite::Connection::open(&db).expect("open store");
        conn.execute_batch(
            "PRAGMA foreign_keys = OFF;
             UPDATE messages SET subject = NULL, body_text = '' WHERE id = 2;
             INSERT INTO message_deletions (message_id, deleted_at, deleted_by, task_id, section)
                 VALUES (2, '2025-03-05T17:00:00Z', 'reviewer', 99, 'V.B.2.a.iii');",
        )
        .expect("delete in the store only");
    }
    let store = Store::open(&db).expect("open");
    assert_eq!(
        found(&store, "lyophilization"),
        Vec::<i64>::new(),
        "deleted entry"
    );
    assert_eq!(found(&store, "potency"), vec![1], "other entries kept");
    drop(store);

    // A deletion recorded in the index for a message the store kept: its entry comes back.
    damage_index(&db, "INSERT INTO search_deleted (message_id) VALUES (1);");
    {
        let conn = rusqlite::Connection::open(regmail::store::search_path(&db)).expect("open");
        conn.execute("DELETE FROM messages_fts WHERE rowid = 1", [])
            .expect("remove entry");
    }
    let store = Store::open(&db).expect("open");
    assert_eq!(found(&store, "potency"), vec![1], "entry restored");
    assert_eq!(
        found(&store, "lyophilization"),
        Vec::<i64>::new(),
        "still deleted"
    );
}

/// Builds an mbox of `count` messages with Message-IDs `<{prefix}-{i}@acmebio.example>`, subject
/// `message {i}` and the body `body(i)`.
fn mbox_of(count: usize, prefix: &str, body: impl Fn(usize) -> String) -> Vec<u8> {
    let mut mbox = Vec::new();
    for i in 0..count {
        mbox.extend_from_slice(
            format!(
                "From sender@acmebio.example Tue Mar  4 10:15:00 2025\n\
                 Message-ID: <{prefix}-{i}@acmebio.example>\n\
                 From: sender@acmebio.example\n\
                 Subject: message {i}\n\n{}\n",
                body(i)
            )
            .as_bytes(),
        );
    }
    mbox
}

#[test]
fn message_order_any_worker_count() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Sizes vary so that chunks close on size as well as on count.
    let mbox = mbox_of(150, "order", |i| {
        "Stability data for lot {i}.\n".repeat(1 + (i * 37) % 400)
    });
    let mbox_path = write(dir.path(), "mail/all.mbox", &mbox);
    for i in 0..40 {
        let message = format!(
            "Message-ID: <file-{i}@acmebio.example>\r\nFrom: sender@acmebio.example\r\n\
             Subject: file {i:02}\r\n\r\nBody {i}.\r\n"
        );
        write(
            dir.path(),
            &format!("mail/files/{i:02}.eml"),
            message.as_bytes(),
        );
    }
    let paths = [mbox_path, dir.path().join("mail/files")];
    let imported = |workers: usize, batch_size: usize| {
        let mut store = memory_store();
        let options = regmail::import::ImportOptions {
            workers,
            batch_size,
            ..Default::default()
        };
        let report = crate::import_with(&mut store, &paths, options);
        assert_eq!(report.imported, 190, "{workers} workers: {report:?}");
        let mut rows = store.list_messages(None, 1000).expect("list");
        rows.sort_by_key(|r| r.id);
        rows.into_iter()
            .map(|r| (r.id, r.message_id.unwrap_or_default()))
            .collect::<Vec<_>>()
    };
    let one = imported(1, 512);
    let expected: Vec<String> = (0..150)
        .map(|i| format!("order-{i}@acmebio.example"))
        .chain((0..40).map(|i| format!("file-{i}@acmebio.example")))
        .collect();
    assert_eq!(
        one.iter().map(|(_, m)| m.clone()).collect::<Vec<_>>(),
        expected,
        "one worker stores messages in the order found"
    );
    for (workers, batch_size) in [(2, 512), (3, 7), (8, 1)] {
        assert_eq!(
            imported(workers, batch_size),
            one,
            "{workers} workers, batches of {batch_size}"
        );
    }
}

#[test]
fn foreign_or_newer_index_rebuilt() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    let reply = write(dir.path(), "mail/reply.eml", REPLY);
    let report = write(dir.path(), "mail/report.eml", REPORT);
    let remove_store = || {
        for suffix in ["", "-wal", "-shm"] {
            let mut path = db.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    };

    // An older copy of the store (one message) put back beside the index of two.
    {
        let mut store = Store::open(&db).expect("open");
        import_into(&mut store, std::slice::from_ref(&reply));
        store
            .connection()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
            .expect("checkpoint");
    }
    let copy = dir.path().join("copy.db");
    std::fs::copy(&db, &copy).expect("copy store");
    {
        let mut store = Store::open(&db).expect("open");
        import_into(&mut store, std::slice::from_ref(&report));
        assert_eq!(found(&store, "acmebio"), vec![1, 2], "both indexed");
    }
    remove_store();
    std::fs::copy(&copy, &db).expect("restore copy");
    {
        let mut store = Store::open(&db).expect("open the older copy");
        assert_eq!(
            found(&store, "lyophilization"),
            Vec::<i64>::new(),
            "newer entry dropped"
        );
        assert_eq!(found(&store, "potency"), vec![1], "own entry rebuilt");
        import_into(&mut store, std::slice::from_ref(&report));
        assert_eq!(found(&store, "lyophilization"), vec![2], "imported again");
    }

    // A new store created where another one was deleted, beside that one's index.
    remove_store();
    let mut store = Store::open(&db).expect("open a new store");
    import_into(&mut store, std::slice::from_ref(&report));
    let cases: &[(&str, &[i64])] = &[
        ("potency", &[]),
        ("lyophilization", &[1]),
        ("acmebio", &[1]),
    ];
    for (query, expected) in cases {
        assert_eq!(
            found(&store, query),
            *expected,
            "new store: query {query:?}"
        );
    }
}

#[test]
fn wal_stays_bounded_during_import() {
    const LIMIT: u64 = 2 * 1024 * 1024;
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    let mbox = mbox_of(3000, "wal", |i| {
        format!("Line {i} of the stability report, lot {}.\n", i * 7).repeat(200)
    });
    let mbox_path = write(dir.path(), "big.mbox", &mbox);
    let wal = regmail::store::search_path(&db).with_file_name("regmail.db-wal");
    let mut store = Store::open(&db).expect("open");
    let plan = regmail::import::plan(&[mbox_path]).expect("plan");
    let options = regmail::import::ImportOptions {
        batch_size: 64,
        wal_limit: LIMIT,
        ..Default::default()
    };
    let mut largest = 0;
    let report = regmail::import::run(&mut store, plan, options, &mut |_| {
        largest = largest.max(std::fs::metadata(&wal).map_or(0, |m| m.len()));
    })
    .expect("import");
    assert_eq!(report.imported, 3000);
    assert!(
        mbox.len() as u64 > 8 * LIMIT,
        "the export ({} bytes) must dwarf the limit",
        mbox.len()
    );
    assert!(largest > 0, "the WAL was seen");
    assert!(
        largest < 4 * LIMIT,
        "WAL grew to {largest} bytes with a limit of {LIMIT}"
    );
}
