//! Schema migrations, applied in order and tracked with `PRAGMA user_version`.

use rusqlite::Connection;

use super::Error;

/// Every migration, in order. Migration `i` (0-based) brings the schema to version `i + 1`.
/// Never edit a released migration; add a new one.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_messages.sql"),
    include_str!("migrations/0002_calendar_closures.sql"),
    include_str!("migrations/0003_sopp.sql"),
    include_str!("migrations/0004_desktop.sql"),
    include_str!("migrations/0005_task_resolutions.sql"),
    include_str!("migrations/0006_message_deletions.sql"),
    include_str!("migrations/0007_smime.sql"),
    include_str!("migrations/0008_raw_compression.sql"),
    include_str!("migrations/0009_references_json.sql"),
    include_str!("migrations/0010_task_policy.sql"),
    include_str!("migrations/0011_drafts.sql"),
    include_str!("migrations/0012_search_file.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Applies the migrations the database has not seen, each in its own transaction.
pub(super) fn migrate(conn: &mut Connection) -> Result<(), Error> {
    let current: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if current > SCHEMA_VERSION {
        return Err(Error::NewerSchema {
            found: current,
            supported: SCHEMA_VERSION,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let version = index as i64 + 1;
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::debug!(version, "applied schema migration");
    }
    Ok(())
}
