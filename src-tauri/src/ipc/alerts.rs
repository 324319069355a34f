//! Alerts as the UI lists them.

use serde::{Deserialize, Serialize};
use specta::Type;

/// An alert that fell due.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AlertDto {
    /// The task.
    pub task_id: i64,
    /// Its message.
    pub message_id: i64,
    /// `early-warning`, `lead-N` or `overdue`.
    pub kind: String,
    /// Notification title.
    pub title: String,
    /// Notification text: identifier, task, due time and time left.
    pub body: String,
    /// When the alert was due, RFC 3339.
    pub fire_at: String,
    /// Whether it fell due while the app was closed.
    pub missed: bool,
}
