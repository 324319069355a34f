//! S/MIME: the badge of a message, the reviewer's keys, trust anchors and CRLs, and the
//! re-check of stored messages. Unlocking and re-checking run on a blocking thread.

use tauri::{AppHandle, Manager, State};
use zeroize::Zeroizing;

use crate::ipc::smime::{
    KeyImportDto, KeysDto, RecheckDto, SmimeDto, StoredKeyDto, TrustAddedDto, TrustEntryDto,
    UnlockDto,
};
use crate::ipc::{ErrorCode, IpcError, IpcResult};
use crate::smime::{self, SmimeState};
use crate::state::{self, AppState};

/// Returns the S/MIME result of message `id`, or null when it has none.
#[tauri::command]
#[specta::specta]
pub async fn message_smime(state: State<'_, AppState>, id: i64) -> IpcResult<Option<SmimeDto>> {
    smime::message_smime(&state.store(), id)
}

/// Returns the stored keys and how many are unlocked for this session.
#[tauri::command]
#[specta::specta]
pub async fn list_keys(
    state: State<'_, AppState>,
    smime_state: State<'_, SmimeState>,
) -> IpcResult<KeysDto> {
    smime::list_keys(&state.store(), &smime_state)
}

/// Imports the key file of `request`, sealed with its store passphrase.
#[tauri::command]
#[specta::specta]
pub async fn import_key(
    state: State<'_, AppState>,
    request: KeyImportDto,
) -> IpcResult<Vec<StoredKeyDto>> {
    smime::import_key(&mut state.store(), request)
}

/// Unlocks the stored keys that `passphrase` opens, for this session.
#[tauri::command]
#[specta::specta]
pub async fn unlock_keys(app: AppHandle, passphrase: String) -> IpcResult<UnlockDto> {
    let passphrase = Zeroizing::new(passphrase);
    blocking(app, move |app| {
        let db_path = app.state::<AppState>().db_path().to_path_buf();
        smime::unlock(&db_path, &app.state::<SmimeState>(), &passphrase)
    })
    .await
}

/// Locks the keys again: they are dropped from memory.
#[tauri::command]
#[specta::specta]
pub async fn lock_keys(smime_state: State<'_, SmimeState>) -> IpcResult<()> {
    smime_state.lock();
    Ok(())
}

/// Returns the trust anchors and CRLs.
#[tauri::command]
#[specta::specta]
pub async fn list_trust(state: State<'_, AppState>) -> IpcResult<Vec<TrustEntryDto>> {
    Ok(state
        .store()
        .trust_entries()?
        .into_iter()
        .map(TrustEntryDto::from)
        .collect())
}

/// Adds the certificates and CRLs of the file at `path`.
#[tauri::command]
#[specta::specta]
pub async fn add_trust(state: State<'_, AppState>, path: String) -> IpcResult<TrustAddedDto> {
    smime::add_trust(&mut state.store(), &path)
}

/// Removes the trust anchor or CRL with SHA-256 `fingerprint`.
#[tauri::command]
#[specta::specta]
pub async fn remove_trust(state: State<'_, AppState>, fingerprint: String) -> IpcResult<()> {
    smime::remove_trust(&mut state.store(), &fingerprint)
}

/// Verifies and decrypts the stored S/MIME messages again with the trust store and the
/// unlocked keys.
#[tauri::command]
#[specta::specta]
pub async fn recheck_smime(app: AppHandle) -> IpcResult<RecheckDto> {
    blocking(app, |app| {
        let state = app.state::<AppState>();
        let user = state::load_settings(&state.store())?.user();
        smime::recheck(state.db_path(), &app.state::<SmimeState>(), &user)
    })
    .await
}

async fn blocking<T: Send + 'static>(
    app: AppHandle,
    work: impl FnOnce(&AppHandle) -> IpcResult<T> + Send + 'static,
) -> IpcResult<T> {
    tauri::async_runtime::spawn_blocking(move || work(&app))
        .await
        .map_err(|err| {
            tracing::error!(%err, "an S/MIME task on a blocking thread failed");
            IpcError::new(
                ErrorCode::Internal,
                "the S/MIME task stopped unexpectedly; see the log",
            )
        })?
}
