//! The state shared by commands: the store, the import job and the private folder for
//! attachments opened with the system viewer.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use jiff::Timestamp;
use regmail::calendar::BusinessCalendar;
use regmail::drafts::settings::DraftSettingKey;
use regmail::sopp::triage;
use regmail::store::{SettingError, Store};

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
        let mut store = Store::open(db_path).map_err(|err| err.to_string())?;
        migrate_reviewer_identity(&mut store).map_err(|err| err.message)?;
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

/// Fields of [`SettingsDto`] that are core settings, shared with the command-line tool,
/// and so are left out of the desktop's own JSON value.
const CORE_FIELDS: [&str; 4] = [
    "deadlinePolicy",
    "reviewerName",
    "reviewerEmail",
    "officialDomains",
];

/// Returns the saved settings of `store`, or the defaults, with the core's deadline policy,
/// reviewer identity and official domains.
pub fn load_settings(store: &Store) -> IpcResult<SettingsDto> {
    let drafting = store.draft_settings()?;
    let core = serde_json::json!({
        "deadlinePolicy": DeadlinePolicyDto::from(store.deadline_policy()?),
        "reviewerName": drafting.reviewer_name.unwrap_or_default(),
        "reviewerEmail": drafting.reviewer_email.unwrap_or_default(),
        "officialDomains": drafting.official_domains,
    });
    let invalid = |err: serde_json::Error| {
        IpcError::new(
            ErrorCode::Internal,
            format!("stored settings are invalid: {err}"),
        )
    };
    let mut fields = match store.setting(SETTINGS_KEY)? {
        Some(json) => serde_json::from_str(&json).map_err(invalid)?,
        None => serde_json::to_value(SettingsDto::default()).expect("settings serialize to JSON"),
    };
    if let (Some(fields), Some(core)) = (fields.as_object_mut(), core.as_object()) {
        fields.extend(core.clone());
    }
    serde_json::from_value(fields).map_err(invalid)
}

/// Saves `settings` in `store`: the deadline policy, reviewer identity and official
/// domains as the core's settings, each change audited under the reviewer the settings
/// name, and the rest under [`SETTINGS_KEY`]. Nothing is saved when a core value is
/// invalid.
pub fn save_settings(store: &mut Store, settings: &SettingsDto) -> IpcResult<()> {
    let current = store.draft_settings()?;
    let mut changed = current.clone();
    let values = [
        (
            DraftSettingKey::ReviewerName,
            settings.reviewer_name.clone(),
        ),
        (
            DraftSettingKey::ReviewerEmail,
            settings.reviewer_email.clone(),
        ),
        (
            DraftSettingKey::OfficialDomains,
            settings.official_domains.join(","),
        ),
    ];
    for (key, value) in &values {
        key.apply(&mut changed, value)
            .map_err(|err| IpcError::new(ErrorCode::InvalidInput, err.to_string()))?;
    }

    let user = settings.user();
    let now = Timestamp::now();
    for (key, value) in &values {
        if key.value_in(&changed) != key.value_in(&current) {
            store.save_draft_setting(*key, value, &user, now)?;
        }
    }
    store.save_deadline_policy(settings.deadline_policy.into(), &user, now)?;

    let mut json = serde_json::to_value(settings).expect("settings serialize to JSON");
    if let Some(fields) = json.as_object_mut() {
        for field in CORE_FIELDS {
            fields.remove(field);
        }
    }
    Ok(store.save_setting(SETTINGS_KEY, &json.to_string())?)
}

/// Moves a reviewer name and email that an earlier version of the app kept in its own
/// settings into the core's `reviewer-name` and `reviewer-email`, so that drafts and the
/// command-line tool use them. A core value already set is kept, and a desktop email that
/// the core rejects is dropped with a warning in the log.
pub fn migrate_reviewer_identity(store: &mut Store) -> IpcResult<()> {
    let Some(json) = store.setting(SETTINGS_KEY)? else {
        return Ok(());
    };
    let Ok(serde_json::Value::Object(mut fields)) = serde_json::from_str(&json) else {
        return Ok(());
    };

    let name = fields.remove("reviewerName");
    let email = fields.remove("reviewerEmail");
    if name.is_none() && email.is_none() {
        return Ok(());
    }
    let text = |value: Option<serde_json::Value>| {
        value
            .as_ref()
            .and_then(serde_json::Value::as_str)
            .map(str::trim)
            .unwrap_or_default()
            .to_owned()
    };
    let (name, email) = (text(name), text(email));

    let current = store.draft_settings()?;
    let user = [&email, &name]
        .into_iter()
        .find(|v| !v.is_empty())
        .cloned()
        .unwrap_or_else(|| "reviewer".to_owned());
    let now = Timestamp::now();

    let moves = [
        (
            DraftSettingKey::ReviewerEmail,
            email,
            current.reviewer_email.is_none(),
        ),
        (
            DraftSettingKey::ReviewerName,
            name,
            current.reviewer_name.is_none(),
        ),
    ];
    for (key, value, unset) in moves {
        if value.is_empty() || !unset {
            continue;
        }
        match store.save_draft_setting(key, &value, &user, now) {
            Ok(_) => tracing::info!(setting = %key, "moved the desktop setting to the core"),
            Err(SettingError::Invalid(err)) => {
                tracing::warn!(%err, "dropped an invalid desktop setting; enter it again in Settings");
            }
            Err(SettingError::Store(err)) => return Err(err.into()),
        }
    }

    store.save_setting(SETTINGS_KEY, &serde_json::Value::Object(fields).to_string())?;
    Ok(())
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
    fn reviewer_identity_is_the_core_setting() -> IpcResult<()> {
        let mut store = Store::open_in_memory()?;
        let mut settings = load_settings(&store)?;
        settings.reviewer_name = "Dana Whitfield".to_owned();
        settings.reviewer_email = "Dana.Whitfield@fda.hhs.gov".to_owned();
        settings.official_domains = vec!["fda.hhs.gov".to_owned(), "fda.gov".to_owned()];

        save_settings(&mut store, &settings)?;

        let core = store.draft_settings()?;
        assert_eq!(core.reviewer_name.as_deref(), Some("Dana Whitfield"));
        assert_eq!(
            core.reviewer_email.as_deref(),
            Some("dana.whitfield@fda.hhs.gov")
        );
        assert_eq!(core.official_domains, ["fda.hhs.gov", "fda.gov"]);
        let blob = store.setting(SETTINGS_KEY)?.unwrap_or_default();
        assert!(!blob.contains("reviewerEmail"), "stored once: {blob}");
        assert!(!blob.contains("officialDomains"), "stored once: {blob}");
        let loaded = load_settings(&store)?;
        assert_eq!(loaded.reviewer_email, "dana.whitfield@fda.hhs.gov");
        assert_eq!(loaded.reviewer_name, "Dana Whitfield");
        Ok(())
    }

    #[test]
    fn core_setting_changes_are_audited_once() -> IpcResult<()> {
        let mut store = Store::open_in_memory()?;
        let mut settings = load_settings(&store)?;
        settings.reviewer_email = "dana.whitfield@fda.hhs.gov".to_owned();
        save_settings(&mut store, &settings)?;
        let after_first = store.audit_log()?.len();

        save_settings(&mut store, &settings)?;

        assert_eq!(store.audit_log()?.len(), after_first, "unchanged values");
        Ok(())
    }

    #[test]
    fn invalid_reviewer_email_saves_nothing() -> IpcResult<()> {
        let mut store = Store::open_in_memory()?;
        let mut settings = load_settings(&store)?;
        settings.reviewer_name = "Dana Whitfield".to_owned();
        settings.reviewer_email = "dana".to_owned();
        settings.alert_lead_minutes = vec![30];

        let err = save_settings(&mut store, &settings).expect_err("invalid email");

        assert_eq!(err.code, ErrorCode::InvalidInput);
        assert!(err.message.contains("reviewer-email"), "{}", err.message);
        assert_eq!(store.draft_settings()?.reviewer_name, None);
        assert_eq!(store.setting(SETTINGS_KEY)?, None);
        Ok(())
    }

    #[test]
    fn desktop_reviewer_email_moves_to_core() -> IpcResult<()> {
        let mut store = Store::open_in_memory()?;
        store.save_setting(
            SETTINGS_KEY,
            r#"{"reviewerName":"Dana Whitfield","reviewerEmail":"dana.whitfield@fda.hhs.gov","alertEarlyWarning":true,"alertLeadMinutes":[60],"alertOverdue":false}"#,
        )?;

        migrate_reviewer_identity(&mut store)?;

        let core = store.draft_settings()?;
        assert_eq!(
            core.reviewer_email.as_deref(),
            Some("dana.whitfield@fda.hhs.gov")
        );
        assert_eq!(core.reviewer_name.as_deref(), Some("Dana Whitfield"));
        let blob = store.setting(SETTINGS_KEY)?.unwrap_or_default();
        assert!(!blob.contains("reviewerEmail"), "{blob}");
        assert_eq!(load_settings(&store)?.alert_lead_minutes, vec![60]);
        Ok(())
    }

    #[test]
    fn migration_keeps_core_reviewer_email() -> IpcResult<()> {
        let mut store = Store::open_in_memory()?;
        store.save_draft_setting(
            DraftSettingKey::ReviewerEmail,
            "dana.whitfield@fda.hhs.gov",
            "dana",
            Timestamp::now(),
        )?;
        store.save_setting(
            SETTINGS_KEY,
            r#"{"reviewerName":"","reviewerEmail":"old@fda.hhs.gov","alertEarlyWarning":true,"alertLeadMinutes":[60],"alertOverdue":false}"#,
        )?;

        migrate_reviewer_identity(&mut store)?;

        assert_eq!(
            store.draft_settings()?.reviewer_email.as_deref(),
            Some("dana.whitfield@fda.hhs.gov")
        );
        Ok(())
    }

    #[test]
    fn migration_drops_invalid_desktop_email() -> IpcResult<()> {
        let mut store = Store::open_in_memory()?;
        store.save_setting(
            SETTINGS_KEY,
            r#"{"reviewerName":"Dana","reviewerEmail":"dana","alertEarlyWarning":true,"alertLeadMinutes":[60],"alertOverdue":false}"#,
        )?;

        migrate_reviewer_identity(&mut store)?;

        let core = store.draft_settings()?;
        assert_eq!(core.reviewer_email, None);
        assert_eq!(core.reviewer_name.as_deref(), Some("Dana"));
        Ok(())
    }

    #[test]
    fn opening_the_app_migrates_settings() -> Result<(), String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let path = dir.path().join("regmail.db");
        {
            let mut store = Store::open(&path).map_err(|e| e.to_string())?;
            store
                .save_setting(
                    SETTINGS_KEY,
                    r#"{"reviewerName":"","reviewerEmail":"dana.whitfield@fda.hhs.gov","alertEarlyWarning":true,"alertLeadMinutes":[60],"alertOverdue":false}"#,
                )
                .map_err(|e| e.to_string())?;
        }

        let state = AppState::open(&path)?;

        let settings = load_settings(&state.store()).map_err(|e| e.message)?;
        assert_eq!(settings.reviewer_email, "dana.whitfield@fda.hhs.gov");
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
