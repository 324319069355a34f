//! Settings of the core that the user chooses and every front end reads, such as the
//! deadline policy. Each is a named JSON value in the `app_settings` table, and each
//! change is recorded in the audit log because it changes how due times are computed.
//!
//! The desktop app keeps its own display and alert settings in the same table; they are
//! not listed here.

use std::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::sopp::{append_audit, AuditStep};
use super::{Error, Store};
use crate::calendar::Policy;

/// A setting of the core.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SettingKey {
    /// The rule that turns "within one business day" into a due time (`close` or
    /// `elapsed`, see [`Policy`]).
    DeadlinePolicy,
}

impl SettingKey {
    /// Every setting, in the order they are listed.
    pub const ALL: [SettingKey; 1] = [SettingKey::DeadlinePolicy];

    /// Returns the name used on the command line and in the table (`deadline-policy`).
    pub fn as_str(self) -> &'static str {
        match self {
            SettingKey::DeadlinePolicy => "deadline-policy",
        }
    }

    /// Parses a setting name.
    pub fn parse(name: &str) -> Option<SettingKey> {
        SettingKey::ALL.into_iter().find(|key| key.as_str() == name)
    }

    /// Returns the values the setting accepts.
    pub fn values(self) -> &'static [&'static str] {
        match self {
            SettingKey::DeadlinePolicy => &["close", "elapsed"],
        }
    }

    /// Returns the value used while none is saved.
    pub fn default_value(self) -> &'static str {
        match self {
            SettingKey::DeadlinePolicy => Policy::default().as_str(),
        }
    }

    /// Returns what the setting changes, for help text and listings.
    pub fn description(self) -> &'static str {
        match self {
            SettingKey::DeadlinePolicy => {
                "how \"within one business day\" becomes a due time: close = 4:30 PM ET on the \
                 next business day after the day of receipt; elapsed = 8 h 30 min of business \
                 time after receipt"
            }
        }
    }
}

impl fmt::Display for SettingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// A setting's current value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingValue {
    /// The setting.
    pub key: SettingKey,
    /// Its value.
    pub value: String,
    /// Whether the value is the default because none was saved.
    pub is_default: bool,
}

impl Store {
    /// Returns the deadline policy the user chose, or [`Policy::Close`] when none was saved.
    ///
    /// # Errors
    ///
    /// Returns [`Error::CorruptValue`] when the stored value is not a policy.
    pub fn deadline_policy(&self) -> Result<Policy, Error> {
        Ok(self.saved_deadline_policy()?.unwrap_or_default())
    }

    /// Saves the deadline policy chosen by `user` at `at`, and records the change in the
    /// audit log. Returns `false`, and saves and records nothing, when `policy` is already
    /// in force, including the default while none is saved.
    ///
    /// Open tasks keep the due time and policy they were given until their message is
    /// triaged again.
    pub fn save_deadline_policy(
        &mut self,
        policy: Policy,
        user: &str,
        at: Timestamp,
    ) -> Result<bool, Error> {
        let previous = self.deadline_policy()?;
        if previous == policy {
            return Ok(false);
        }
        let key = SettingKey::DeadlinePolicy.as_str();
        let value = serde_json::to_string(&policy).expect("a policy serializes to JSON");
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO app_settings (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            rusqlite::params![key, value],
        )?;
        append_audit(
            &tx,
            at,
            AuditStep {
                user,
                action: "setting-changed",
                message_id: None,
                task_id: None,
                section: None,
                detail: serde_json::json!({
                    "key": key,
                    "value": policy.as_str(),
                    "previous": previous.as_str(),
                }),
            },
        )?;
        tx.commit()?;
        tracing::info!(policy = policy.as_str(), "deadline policy saved");
        Ok(true)
    }

    /// Returns the value of setting `key`.
    ///
    /// # Errors
    ///
    /// Returns [`Error::CorruptValue`] when the stored value cannot be read.
    pub fn core_setting(&self, key: SettingKey) -> Result<SettingValue, Error> {
        match key {
            SettingKey::DeadlinePolicy => {
                let saved = self.saved_deadline_policy()?;
                Ok(SettingValue {
                    key,
                    value: saved.unwrap_or_default().as_str().to_owned(),
                    is_default: saved.is_none(),
                })
            }
        }
    }

    /// Sets setting `key` to `value` for `user` at `at`, as [`Store::save_deadline_policy`]
    /// does. Returns whether the value changed.
    ///
    /// # Errors
    ///
    /// Returns [`Error::InvalidSetting`] when `value` is not one of [`SettingKey::values`].
    pub fn save_core_setting(
        &mut self,
        key: SettingKey,
        value: &str,
        user: &str,
        at: Timestamp,
    ) -> Result<bool, Error> {
        match key {
            SettingKey::DeadlinePolicy => {
                let policy = value.parse().map_err(|_| Error::InvalidSetting {
                    key: key.as_str(),
                    value: value.to_owned(),
                    expected: key.values().join(", "),
                })?;
                self.save_deadline_policy(policy, user, at)
            }
        }
    }

    fn saved_deadline_policy(&self) -> Result<Option<Policy>, Error> {
        self.setting(SettingKey::DeadlinePolicy.as_str())?
            .map(|json| {
                serde_json::from_str(&json).map_err(|source| Error::CorruptValue {
                    column: "app_settings.value (deadline-policy)",
                    source,
                })
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().expect("test timestamps are valid")
    }

    #[test]
    fn policy_defaults_to_close() -> Result<(), Error> {
        let store = Store::open_in_memory()?;
        assert_eq!(store.deadline_policy()?, Policy::Close);
        let value = store.core_setting(SettingKey::DeadlinePolicy)?;
        assert_eq!(value.value, "close");
        assert!(value.is_default, "nothing saved yet");
        Ok(())
    }

    #[test]
    fn policy_change_is_saved_and_audited_once() -> Result<(), Error> {
        let mut store = Store::open_in_memory()?;
        let changed = store.save_core_setting(
            SettingKey::DeadlinePolicy,
            "elapsed",
            "dana",
            at("2025-03-03T14:00:00Z"),
        )?;
        assert!(changed, "first save changes the policy");
        assert_eq!(store.deadline_policy()?, Policy::Elapsed);
        let again = store.save_core_setting(
            SettingKey::DeadlinePolicy,
            "elapsed",
            "dana",
            at("2025-03-03T14:05:00Z"),
        )?;
        assert!(!again, "saving the same policy changes nothing");

        let log = store.audit_log()?;
        assert_eq!(log.len(), 1, "one audit entry: {log:?}");
        assert_eq!(log[0].entry.action, "setting-changed");
        let detail: serde_json::Value =
            serde_json::from_str(&log[0].entry.detail).expect("detail is JSON");
        assert_eq!(detail["key"], "deadline-policy");
        assert_eq!(detail["value"], "elapsed");
        assert_eq!(detail["previous"], "close");
        Ok(())
    }

    #[test]
    fn invalid_policy_is_rejected() -> Result<(), Error> {
        let mut store = Store::open_in_memory()?;
        let err = store
            .save_core_setting(
                SettingKey::DeadlinePolicy,
                "strict",
                "dana",
                at("2025-03-03T14:00:00Z"),
            )
            .expect_err("not a policy");
        assert_eq!(
            err.to_string(),
            "invalid value \"strict\" for setting deadline-policy; expected one of: close, elapsed"
        );
        assert!(store.audit_log()?.is_empty(), "nothing audited");
        Ok(())
    }

    #[test]
    fn corrupt_stored_policy_is_reported() -> Result<(), Error> {
        let mut store = Store::open_in_memory()?;
        store.save_setting("deadline-policy", "\"strict\"")?;
        let err = store.deadline_policy().expect_err("corrupt value");
        assert!(
            matches!(err, Error::CorruptValue { .. }),
            "expected CorruptValue, got {err}"
        );
        Ok(())
    }
}
