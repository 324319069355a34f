//! Tables of the desktop app: named settings, and the task alerts it has sent.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use super::{Error, Store};

/// A task alert that fell due and was sent or shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertRow {
    /// The task.
    pub task_id: i64,
    /// The alert kind (`early-warning`, `lead-120`, `overdue`).
    pub kind: String,
    /// When the alert was due, RFC 3339 UTC.
    pub fire_at: String,
    /// When the app recorded it, RFC 3339 UTC.
    pub fired_at: String,
    /// Whether it fell due while the app was not running, so it was shown in the summary
    /// at start rather than as its own notification.
    pub missed: bool,
    /// When the user acknowledged it, or none.
    pub acknowledged_at: Option<String>,
}

impl Store {
    /// Returns the JSON value of setting `key`, or `None` when it was never saved.
    pub fn setting(&self, key: &str) -> Result<Option<String>, Error> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM app_settings WHERE key = ?1",
                [key],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Saves the JSON `value` of setting `key`, replacing any earlier value.
    pub fn save_setting(&mut self, key: &str, value: &str) -> Result<(), Error> {
        self.conn.execute(
            "INSERT INTO app_settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Records that the alert `kind` of task `task_id` due at `fire_at` was sent at
    /// `fired_at`. Returns `false` when it was already recorded, so that no alert is sent twice.
    pub fn record_alert(
        &mut self,
        task_id: i64,
        kind: &str,
        fire_at: &str,
        fired_at: &str,
        missed: bool,
    ) -> Result<bool, Error> {
        let inserted = self.conn.execute(
            "INSERT OR IGNORE INTO alerts (task_id, kind, fire_at, fired_at, missed)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![task_id, kind, fire_at, fired_at, missed],
        )?;
        Ok(inserted == 1)
    }

    /// Returns whether the alert `kind` of task `task_id` due at `fire_at` was recorded.
    pub fn alert_recorded(&self, task_id: i64, kind: &str, fire_at: &str) -> Result<bool, Error> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM alerts WHERE task_id = ?1 AND kind = ?2 AND fire_at = ?3",
                params![task_id, kind, fire_at],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Returns the alerts not yet acknowledged, oldest first.
    pub fn unacknowledged_alerts(&self) -> Result<Vec<AlertRow>, Error> {
        let mut statement = self.conn.prepare(
            "SELECT task_id, kind, fire_at, fired_at, missed, acknowledged_at FROM alerts
             WHERE acknowledged_at IS NULL ORDER BY fire_at, task_id",
        )?;
        let rows = statement.query_map([], |row| {
            Ok(AlertRow {
                task_id: row.get(0)?,
                kind: row.get(1)?,
                fire_at: row.get(2)?,
                fired_at: row.get(3)?,
                missed: row.get(4)?,
                acknowledged_at: row.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<Vec<_>, _>>()?)
    }

    /// Acknowledges every unacknowledged alert of task `task_id`, or of every task when
    /// `task_id` is `None`, at `at`. Returns the number of alerts acknowledged.
    pub fn acknowledge_alerts(&mut self, task_id: Option<i64>, at: &str) -> Result<usize, Error> {
        let count = match task_id {
            Some(task_id) => self.conn.execute(
                "UPDATE alerts SET acknowledged_at = ?1 WHERE task_id = ?2 AND acknowledged_at IS NULL",
                params![at, task_id],
            )?,
            None => self.conn.execute(
                "UPDATE alerts SET acknowledged_at = ?1 WHERE acknowledged_at IS NULL",
                params![at],
            )?,
        };
        Ok(count)
    }
}
