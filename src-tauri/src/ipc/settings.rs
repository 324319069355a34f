//! Settings, the RPM directory and calendar closures.

use serde::{Deserialize, Serialize};
use specta::Type;

use regmail::calendar::{Closure, Policy};
use regmail::drafts::DraftSettings;
use regmail::sopp::alerts::AlertPolicy;
use regmail::sopp::DirectoryEntry;

/// The rule that turns "within one business day" into a due time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum DeadlinePolicyDto {
    /// 4:30 PM Eastern Time on the first business day after the day of receipt.
    #[default]
    Close,
    /// 8 h 30 min of business time after receipt.
    Elapsed,
}

impl From<Policy> for DeadlinePolicyDto {
    fn from(policy: Policy) -> DeadlinePolicyDto {
        match policy {
            Policy::Close => DeadlinePolicyDto::Close,
            Policy::Elapsed => DeadlinePolicyDto::Elapsed,
        }
    }
}

impl From<DeadlinePolicyDto> for Policy {
    fn from(policy: DeadlinePolicyDto) -> Policy {
        match policy {
            DeadlinePolicyDto::Close => Policy::Close,
            DeadlinePolicyDto::Elapsed => Policy::Elapsed,
        }
    }
}

/// The reviewer's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct SettingsDto {
    /// The reviewer's name, shown in From and the signature of drafts. It is the core's
    /// `reviewer-name` setting, which the command-line tool reads too.
    pub reviewer_name: String,
    /// The reviewer's official email address: From of drafts (SOPP 8119 V.C.2) and the user
    /// recorded in the audit trail. It is the core's `reviewer-email` setting.
    pub reviewer_email: String,
    /// The official FDA email domains that From must be at (SOPP 8119 V.C.2), the core's
    /// `official-domains` setting.
    pub official_domains: Vec<String>,
    /// Alert at the calendar's early-warning mark.
    pub alert_early_warning: bool,
    /// Alert this many business minutes before each due time.
    pub alert_lead_minutes: Vec<u32>,
    /// Alert when a task becomes overdue.
    pub alert_overdue: bool,
    /// The deadline policy of the next triage. It is the core's `deadline-policy` setting,
    /// which the command-line tool reads too, so it is stored apart from the other fields.
    pub deadline_policy: DeadlinePolicyDto,
}

impl Default for SettingsDto {
    fn default() -> SettingsDto {
        let policy = AlertPolicy::default();
        SettingsDto {
            reviewer_name: String::new(),
            reviewer_email: String::new(),
            official_domains: DraftSettings::default().official_domains,
            alert_early_warning: policy.early_warning,
            alert_lead_minutes: policy.lead_minutes,
            alert_overdue: policy.overdue,
            deadline_policy: DeadlinePolicyDto::default(),
        }
    }
}

impl SettingsDto {
    /// Returns the alert policy these settings select.
    pub fn alert_policy(&self) -> AlertPolicy {
        AlertPolicy {
            early_warning: self.alert_early_warning,
            lead_minutes: self.alert_lead_minutes.clone(),
            overdue: self.alert_overdue,
        }
    }

    /// Returns the user name recorded in the audit trail: the email when set, else the name,
    /// else the login name of the operating system.
    pub fn user(&self) -> String {
        match (self.reviewer_email.trim(), self.reviewer_name.trim()) {
            ("", "") => std::env::var("USER")
                .or_else(|_| std::env::var("USERNAME"))
                .ok()
                .filter(|name| !name.trim().is_empty())
                .unwrap_or_else(|| "reviewer".to_owned()),
            ("", name) => name.to_owned(),
            (email, _) => email.to_owned(),
        }
    }
}

/// One entry of the RPM directory.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryEntryDto {
    /// The identifier as written (`125742`).
    pub stn: String,
    /// Product name.
    pub product: String,
    /// Sponsor.
    pub sponsor: String,
    /// Sponsor email domains.
    pub sponsor_domains: Vec<String>,
    /// RPM name.
    pub rpm_name: String,
    /// RPM email.
    pub rpm_email: String,
}

impl From<&DirectoryEntry> for DirectoryEntryDto {
    fn from(e: &DirectoryEntry) -> DirectoryEntryDto {
        DirectoryEntryDto {
            stn: e.stn.clone(),
            product: e.product.clone(),
            sponsor: e.sponsor.clone(),
            sponsor_domains: e.sponsor_domains.clone(),
            rpm_name: e.rpm_name.clone(),
            rpm_email: e.rpm_email.clone(),
        }
    }
}

/// A closure of the office.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ClosureDto {
    /// Date, `YYYY-MM-DD`, Eastern Time.
    pub date: String,
    /// Start time `HH:MM`, or none for midnight.
    pub start: Option<String>,
    /// End time `HH:MM`, or none for the end of the day.
    pub end: Option<String>,
    /// Reason.
    pub reason: String,
    /// Authority or announcement.
    pub source: String,
    /// Whether it was added by a user (rather than shipped).
    pub user: bool,
}

impl From<&Closure> for ClosureDto {
    fn from(c: &Closure) -> ClosureDto {
        ClosureDto {
            date: c.date.to_string(),
            start: c.start.map(|t| t.strftime("%H:%M").to_string()),
            end: c.end.map(|t| t.strftime("%H:%M").to_string()),
            reason: c.reason.clone(),
            source: c.source.clone(),
            user: c.origin == regmail::calendar::ClosureOrigin::User,
        }
    }
}
