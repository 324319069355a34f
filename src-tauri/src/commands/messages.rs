//! The queue and the message screen.

use jiff::Timestamp;
use tauri::{AppHandle, State};
use tauri_plugin_opener::OpenerExt;

use regmail::message;
use regmail::sopp::queue;

use crate::attachments;
use crate::ipc::message::MessageDto;
use crate::ipc::queue::{QueueFilterDto, QueueOrderDto, QueueRowDto};
use crate::ipc::{ErrorCode, IpcError, IpcResult};
use crate::state::{self, AppState};

/// Returns the ids of the messages passing `filter`, in queue order.
#[tauri::command]
#[specta::specta]
pub async fn queue_order(
    state: State<'_, AppState>,
    filter: QueueFilterDto,
) -> IpcResult<QueueOrderDto> {
    let store = state.store();
    let calendar = state::calendar(&store)?;
    let ids = queue::queue_order(&store, &filter.into(), &calendar, Timestamp::now())?;
    Ok(QueueOrderDto { ids })
}

/// Returns the queue rows of messages `ids`, in the order given.
#[tauri::command]
#[specta::specta]
pub async fn queue_rows(state: State<'_, AppState>, ids: Vec<i64>) -> IpcResult<Vec<QueueRowDto>> {
    let store = state.store();
    let calendar = state::calendar(&store)?;
    let entries = queue::queue_entries(&store, &ids, &calendar, Timestamp::now())?;
    Ok(entries
        .into_iter()
        .map(|e| QueueRowDto::new(e, &calendar))
        .collect())
}

/// Returns message `id` with its sanitized HTML body and highlighted identifiers, or, when
/// its stored copy was deleted, what remains of it and who deleted it when.
#[tauri::command]
#[specta::specta]
pub async fn get_message(state: State<'_, AppState>, id: i64) -> IpcResult<MessageDto> {
    let store = state.store();
    let stored = store.message(id)?;
    let raw = match stored.deleted {
        Some(_) => None,
        None => Some(store.raw_message(id)?),
    };
    let calendar = state::calendar(&store)?;
    Ok(MessageDto::new(stored, raw.as_deref(), &calendar))
}

/// Writes attachment `index` of message `message_id` to `path`, a file the user chose in
/// a save dialog.
#[tauri::command]
#[specta::specta]
pub async fn save_attachment(
    state: State<'_, AppState>,
    message_id: i64,
    index: u32,
    path: String,
) -> IpcResult<()> {
    let raw = state.store().raw_message(message_id)?;
    let contents = attachment_contents(&raw, message_id, index)?;
    std::fs::write(&path, contents)?;
    tracing::info!(message_id, index, "attachment saved");
    Ok(())
}

/// Writes attachment `index` of message `message_id` to the private folder under a
/// sanitized name and opens it with the system's default viewer.
#[tauri::command]
#[specta::specta]
pub async fn open_attachment(
    app: AppHandle,
    state: State<'_, AppState>,
    message_id: i64,
    index: u32,
) -> IpcResult<()> {
    let stored = state.store().message(message_id)?;
    let raw = state.store().raw_message(message_id)?;
    let contents = attachment_contents(&raw, message_id, index)?;
    let name = stored
        .parsed
        .attachments
        .get(index as usize)
        .and_then(|a| a.name.as_deref());
    let path = attachments::write_private(state.temp_dir(), message_id, index, name, &contents)?;
    app.opener()
        .open_path(path.to_string_lossy(), None::<&str>)
        .map_err(|err| {
            IpcError::new(
                ErrorCode::Io,
                format!("cannot open the attachment with the system viewer: {err}"),
            )
        })?;
    tracing::info!(
        message_id,
        index,
        "attachment opened with the system viewer"
    );
    Ok(())
}

fn attachment_contents(raw: &[u8], message_id: i64, index: u32) -> IpcResult<Vec<u8>> {
    message::attachment_contents(raw, index as usize).ok_or_else(|| {
        IpcError::new(
            ErrorCode::NotFound,
            format!("message {message_id} has no attachment {index}"),
        )
    })
}
