//! Alerts not yet acknowledged.

use jiff::Timestamp;
use tauri::State;

use crate::alerts;
use crate::ipc::alerts::AlertDto;
use crate::ipc::IpcResult;
use crate::state::{self, AppState};

/// Returns the alerts not yet acknowledged, oldest first.
#[tauri::command]
#[specta::specta]
pub async fn list_alerts(state: State<'_, AppState>) -> IpcResult<Vec<AlertDto>> {
    let store = state.store();
    let calendar = state::calendar(&store)?;
    alerts::unacknowledged(&store, &calendar, Timestamp::now())
}

/// Acknowledges the alerts of task `task_id`, or all alerts when it is `None`; they are
/// never shown again.
#[tauri::command]
#[specta::specta]
pub async fn acknowledge_alerts(
    state: State<'_, AppState>,
    task_id: Option<i64>,
) -> IpcResult<u32> {
    let count = state
        .store()
        .acknowledge_alerts(task_id, &Timestamp::now().to_string())?;
    Ok(count as u32)
}
