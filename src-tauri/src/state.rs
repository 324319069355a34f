//! The state shared by commands: the store, the import job and the private folder for
//! attachments opened with the system viewer.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use jiff::Timestamp;
use regmail::calendar::BusinessCalendar;
use regmail::sopp::triage;
use regmail::store::Store;

use crate::ipc::import::ImportStatusDto;
use crate::ipc::settings::{DeadlinePolicyDto, SettingsDto};
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

/// Returns the saved settings of `store`, or the defaults, with the core's deadline policy.
pub fn load_settings(store: &Store) -> IpcResult<SettingsDto> {
    let policy = DeadlinePolicyDto::from(store.deadline_policy()?);
    let Some(json) = store.setting(SETTINGS_KEY)? else {
        return Ok(SettingsDto {
            deadline_policy: policy,
            ..SettingsDto::default()
        });
    };
    let invalid = |err: serde_json::Error| {
        IpcError::new(
            ErrorCode::Internal,
            format!("stored settings are invalid: {err}"),
        )
    };
    let mut fields: serde_json::Value = serde_json::from_str(&json).map_err(invalid)?;
    if let Some(fields) = fields.as_object_mut() {
        fields.insert(
            "deadlinePolicy".to_owned(),
            serde_json::to_value(policy).expect("a policy serializes to JSON"),
        );
    }
    serde_json::from_value(fields).map_err(invalid)
}

/// Saves `settings` in `store`: the deadline policy as the core's setting, audited under
/// the reviewer the settings name, and the rest under [`SETTINGS_KEY`].
pub fn save_settings(store: &mut Store, settings: &SettingsDto) -> IpcResult<()> {
    let mut json = serde_json::to_value(settings).expect("settings serialize to JSON");
    if let Some(fields) = json.as_object_mut() {
        fields.remove("deadlinePolicy");
    }
    store.save_deadline_policy(
        settings.deadline_policy.into(),
        &settings.user(),
        Timestamp::now(),
    )?;
    Ok(store.save_setting(SETTINGS_KEY, &json.to_string())?)
}

/// Returns the business calendar with the user's closures.
pub fn calendar(store: &Store) -> IpcResult<BusinessCalendar> {
    Ok(triage::stored_calendar(store)?)
}

#[cfg(test)]
mod tests {
    use regmail::calendar::Policy;

    use super::*;

    #[test]
    fn deadline_policy_is_the_core_setting() -> IpcResult<()> {
        let mut store = Store::open_in_memory()?;
        let mut settings = load_settings(&store)?;
        assert_eq!(
            settings.deadline_policy,
            DeadlinePolicyDto::Close,
            "default"
        );

        settings.deadline_policy = DeadlinePolicyDto::Elapsed;
        settings.reviewer_email = "dana.whitfield@fda.hhs.gov".to_owned();
        save_settings(&mut store, &settings)?;

        assert_eq!(store.deadline_policy()?, Policy::Elapsed, "core setting");
        let blob = store.setting(SETTINGS_KEY)?.unwrap_or_default();
        assert!(!blob.contains("deadlinePolicy"), "stored once: {blob}");
        assert_eq!(load_settings(&store)?, settings, "read back");
        let log = store.audit_log()?;
        let change = log.last().map(|e| (&e.entry.action, &e.entry.user));
        assert_eq!(
            change,
            Some((
                &"setting-changed".to_owned(),
                &"dana.whitfield@fda.hhs.gov".to_owned()
            )),
            "audited under the reviewer"
        );
        Ok(())
    }

    #[test]
    fn settings_saved_before_the_policy_load() -> IpcResult<()> {
        let mut store = Store::open_in_memory()?;
        store.save_setting(
            SETTINGS_KEY,
            r#"{"reviewerName":"Dana","reviewerEmail":"","alertEarlyWarning":true,"alertLeadMinutes":[60],"alertOverdue":false}"#,
        )?;
        let settings = load_settings(&store)?;
        assert_eq!(settings.alert_lead_minutes, vec![60]);
        assert_eq!(settings.deadline_policy, DeadlinePolicyDto::Close);
        Ok(())
    }
}
