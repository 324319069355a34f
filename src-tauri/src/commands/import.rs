//! Import of mailbox exports, run on a background thread.

use tauri::{AppHandle, State};

use crate::ipc::import::ImportStatusDto;
use crate::ipc::IpcResult;
use crate::jobs;
use crate::state::AppState;

/// Starts importing `paths` (mbox files, Maildir folders, .eml files and folders of them)
/// in the background. Progress and the report arrive as events.
#[tauri::command]
#[specta::specta]
pub async fn start_import(
    app: AppHandle,
    state: State<'_, AppState>,
    paths: Vec<String>,
) -> IpcResult<()> {
    jobs::start_import(app, &state, paths)
}

/// Returns the state of the running or last import.
#[tauri::command]
#[specta::specta]
pub async fn import_status(state: State<'_, AppState>) -> IpcResult<ImportStatusDto> {
    Ok(state.import_status().clone())
}
