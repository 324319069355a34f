//! Tasks and the audit trail.

use jiff::Timestamp;
use regmail::store::TaskCompletion;
use tauri::State;

use crate::ipc::tasks::{task_dtos, AuditEntryDto, TaskDto};
use crate::ipc::IpcResult;
use crate::state::{self, AppState};

/// Returns the open tasks, or all tasks with `include_closed`, by due time.
#[tauri::command]
#[specta::specta]
pub async fn list_tasks(
    state: State<'_, AppState>,
    include_closed: bool,
) -> IpcResult<Vec<TaskDto>> {
    let store = state.store();
    let calendar = state::calendar(&store)?;
    let tasks = store.tasks(include_closed)?;
    task_dtos(&store, tasks, &calendar, Timestamp::now())
}

/// Returns the tasks of message `message_id`, by due time.
#[tauri::command]
#[specta::specta]
pub async fn message_tasks(state: State<'_, AppState>, message_id: i64) -> IpcResult<Vec<TaskDto>> {
    let store = state.store();
    let calendar = state::calendar(&store)?;
    let tasks = store.message_tasks(message_id)?;
    task_dtos(&store, tasks, &calendar, Timestamp::now())
}

/// Marks task `task_id` done with `note` and, for a task that records a decision, its
/// `resolution`; acknowledges the task's alerts.
#[tauri::command]
#[specta::specta]
pub async fn complete_task(
    state: State<'_, AppState>,
    task_id: i64,
    note: Option<String>,
    resolution: Option<String>,
) -> IpcResult<TaskDto> {
    let mut store = state.store();
    let user = state::load_settings(&store)?.user();
    let now = Timestamp::now();
    let note = note.filter(|n| !n.trim().is_empty());
    let completion = TaskCompletion {
        note: note.as_deref(),
        resolution: resolution.as_deref(),
        user: &user,
        at: now,
    };
    let task = store.complete_task(task_id, &completion)?;
    store.acknowledge_alerts(Some(task_id), &now.to_string())?;
    let calendar = state::calendar(&store)?;
    tracing::info!(task_id, "task completed");
    Ok(TaskDto::new(task, Vec::new(), &calendar, now))
}

/// Returns the audit trail of message `message_id`, oldest first.
#[tauri::command]
#[specta::specta]
pub async fn message_audit(
    state: State<'_, AppState>,
    message_id: i64,
) -> IpcResult<Vec<AuditEntryDto>> {
    Ok(state
        .store()
        .audit_log()?
        .into_iter()
        .filter(|entry| entry.entry.message_id == Some(message_id))
        .map(AuditEntryDto::from)
        .collect())
}
