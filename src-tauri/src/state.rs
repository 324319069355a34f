//! The state shared by commands: the store, the import job and the private folder for
//! attachments opened with the system viewer.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use regmail::calendar::BusinessCalendar;
use regmail::sopp::triage;
use regmail::store::Store;

use crate::ipc::import::ImportStatusDto;
use crate::ipc::settings::SettingsDto;
use crate::ipc::{ErrorCode, IpcError, IpcResult};

/// The key under which [`SettingsDto`] is stored, as JSON.
const SETTINGS_KEY: &str = "desktop";

/// The app's state, managed by Tauri.
pub struct AppState {
    db_path: PathBuf,
    store: Mutex<Store>,
    /// The running or last import.
    pub import: Mutex<ImportStatusDto>,
    temp_dir: tempfile::TempDir,
}

impl AppState {
    /// Opens the store at `db_path` and creates the private attachment folder.
    pub fn open(db_path: &Path) -> Result<AppState, String> {
        let store = Store::open(db_path).map_err(|err| err.to_string())?;
        // The folder is created with owner-only permissions and removed when the app exits.
        let temp_dir = tempfile::Builder::new()
            .prefix("regmail-attachments-")
            .tempdir()
            .map_err(|err| format!("cannot create a private folder for attachments: {err}"))?;
        Ok(AppState {
            db_path: db_path.to_path_buf(),
            store: Mutex::new(store),
            import: Mutex::new(ImportStatusDto::default()),
            temp_dir,
        })
    }

    /// Returns the database path.
    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    /// Returns the private folder for attachments opened with the system viewer.
    pub fn temp_dir(&self) -> &Path {
        self.temp_dir.path()
    }

    /// Locks the store. A panic in another command leaves the connection usable, so a
    /// poisoned lock is taken over.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Returns the import status, taking over a poisoned lock like [`AppState::store`].
    pub fn import_status(&self) -> MutexGuard<'_, ImportStatusDto> {
        self.import
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Returns the saved settings of `store`, or the defaults.
pub fn load_settings(store: &Store) -> IpcResult<SettingsDto> {
    match store.setting(SETTINGS_KEY)? {
        None => Ok(SettingsDto::default()),
        Some(json) => serde_json::from_str(&json).map_err(|err| {
            IpcError::new(
                ErrorCode::Internal,
                format!("stored settings are invalid: {err}"),
            )
        }),
    }
}

/// Saves `settings` in `store`.
pub fn save_settings(store: &mut Store, settings: &SettingsDto) -> IpcResult<()> {
    let json = serde_json::to_string(settings).expect("settings serialize to JSON");
    Ok(store.save_setting(SETTINGS_KEY, &json)?)
}

/// Returns the business calendar with the user's closures.
pub fn calendar(store: &Store) -> IpcResult<BusinessCalendar> {
    Ok(triage::stored_calendar(store)?)
}
