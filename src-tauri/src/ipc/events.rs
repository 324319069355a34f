//! Events the shell sends to the UI.

use serde::{Deserialize, Serialize};
use specta::Type;

use super::alerts::AlertDto;
use super::import::{ImportProgressDto, ImportReportDto};
use super::IpcError;

/// Progress of the running import, sent after each written batch.
#[derive(Debug, Clone, Serialize, Deserialize, Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct ImportProgressEvent {
    /// Counts so far.
    pub progress: ImportProgressDto,
}

/// The end of an import: its report, or the error that stopped it.
#[derive(Debug, Clone, Serialize, Deserialize, Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct ImportFinishedEvent {
    /// The report, when the import completed.
    pub report: Option<ImportReportDto>,
    /// The failure, when it did not.
    pub error: Option<ImportError>,
}

/// A failed import as carried in [`ImportFinishedEvent`].
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ImportError {
    /// What failed.
    pub message: String,
}

impl From<IpcError> for ImportError {
    fn from(err: IpcError) -> ImportError {
        ImportError {
            message: err.message,
        }
    }
}

/// Alerts that fell due: new ones, or at start the ones missed while the app was closed.
#[derive(Debug, Clone, Serialize, Deserialize, Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct AlertsFiredEvent {
    /// The alerts.
    pub alerts: Vec<AlertDto>,
    /// Whether they fell due while the app was not running.
    pub missed: bool,
}

/// A request to show a task, sent when the user activates its notification.
#[derive(Debug, Clone, Serialize, Deserialize, Type, tauri_specta::Event)]
#[serde(rename_all = "camelCase")]
pub struct OpenTaskEvent {
    /// The task.
    pub task_id: i64,
    /// Its message.
    pub message_id: i64,
}
