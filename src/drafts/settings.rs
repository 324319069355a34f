//! Settings of drafting and checking outgoing email that the user may change: the official
//! domains, the ISP domains that cannot be secured, the reviewer's name and address, the
//! templates folder and the email-string limit. Storing them is the store's job.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::sopp::facts::OFFICIAL_DOMAIN;

/// The ISP domains that SOPP 8119 Appendix A names as impossible to secure.
///
/// ```text
/// To setup secure email with the FDA you must have a non-ISP email domain. Thus,
/// @yahoo.com, @gmail.com, @hotmail.com, @earthlink.net, @verizon.net, etc., accounts
/// cannot be secured.
/// ```
pub const APPENDIX_A_ISP_DOMAINS: [&str; 5] = [
    "yahoo.com",
    "gmail.com",
    "hotmail.com",
    "earthlink.net",
    "verizon.net",
];

/// Settings of drafting and checking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DraftSettings {
    /// The official FDA email domains (SOPP 8119 V.C.2); their subdomains count too.
    /// Default `fda.hhs.gov`.
    pub official_domains: Vec<String>,
    /// Domains of internet service providers whose addresses cannot be secured (Appendix A);
    /// their subdomains count too. Default: the five Appendix A names.
    pub isp_domains: Vec<String>,
    /// The reviewer's name, shown in From and in the signature.
    pub reviewer_name: Option<String>,
    /// The reviewer's official address, used as From.
    pub reviewer_email: Option<String>,
    /// A folder of template files that override and add to the built-in templates.
    pub templates_dir: Option<PathBuf>,
    /// A draft may quote this many earlier messages before it counts as an email string
    /// (SOPP 8119 V.C.4). Default 1: quoting the message replied to is not warned about.
    pub max_quoted_messages: usize,
}

impl Default for DraftSettings {
    fn default() -> DraftSettings {
        DraftSettings {
            official_domains: vec![OFFICIAL_DOMAIN.to_owned()],
            isp_domains: APPENDIX_A_ISP_DOMAINS.map(str::to_owned).to_vec(),
            reviewer_name: None,
            reviewer_email: None,
            templates_dir: None,
            max_quoted_messages: 1,
        }
    }
}

/// A setting of drafting and checking, as named on the command line and in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DraftSettingKey {
    /// [`DraftSettings::official_domains`].
    OfficialDomains,
    /// [`DraftSettings::isp_domains`].
    IspDomains,
    /// [`DraftSettings::reviewer_name`].
    ReviewerName,
    /// [`DraftSettings::reviewer_email`].
    ReviewerEmail,
    /// [`DraftSettings::templates_dir`].
    TemplatesDir,
    /// [`DraftSettings::max_quoted_messages`].
    MaxQuotedMessages,
}

/// A value that does not fit its setting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid value {value:?} for setting {key}: {expected}")]
pub struct InvalidSetting {
    /// The setting.
    pub key: DraftSettingKey,
    /// The value given.
    pub value: String,
    /// The values the setting accepts.
    pub expected: String,
}

impl DraftSettingKey {
    /// Every setting, in the order they are listed.
    pub const ALL: [DraftSettingKey; 6] = [
        DraftSettingKey::OfficialDomains,
        DraftSettingKey::IspDomains,
        DraftSettingKey::ReviewerName,
        DraftSettingKey::ReviewerEmail,
        DraftSettingKey::TemplatesDir,
        DraftSettingKey::MaxQuotedMessages,
    ];

    /// Returns the name used on the command line and as the key in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            DraftSettingKey::OfficialDomains => "official-domains",
            DraftSettingKey::IspDomains => "isp-domains",
            DraftSettingKey::ReviewerName => "reviewer-name",
            DraftSettingKey::ReviewerEmail => "reviewer-email",
            DraftSettingKey::TemplatesDir => "templates-dir",
            DraftSettingKey::MaxQuotedMessages => "max-quoted-messages",
        }
    }

    /// Parses a setting name.
    pub fn parse(name: &str) -> Option<DraftSettingKey> {
        DraftSettingKey::ALL
            .into_iter()
            .find(|key| key.as_str() == name.trim())
    }

    /// Returns what the setting changes and how to write its value, for help and listings.
    pub fn description(self) -> &'static str {
        match self {
            DraftSettingKey::OfficialDomains => {
                "official FDA email domains, comma-separated; From must be at one (SOPP 8119 V.C.2)"
            }
            DraftSettingKey::IspDomains => {
                "ISP domains whose addresses cannot be secured, comma-separated (SOPP 8119 Appendix A)"
            }
            DraftSettingKey::ReviewerName => "your name, shown in From and in the signature",
            DraftSettingKey::ReviewerEmail => "your official email address, used as From",
            DraftSettingKey::TemplatesDir => {
                "a folder of template files that override or add to the built-in templates; empty for none"
            }
            DraftSettingKey::MaxQuotedMessages => {
                "how many earlier messages a draft may quote before it is warned about as an email string (SOPP 8119 V.C.4)"
            }
        }
    }

    /// Returns the setting's value in `settings`, as written on the command line.
    pub fn value_in(self, settings: &DraftSettings) -> String {
        match self {
            DraftSettingKey::OfficialDomains => settings.official_domains.join(","),
            DraftSettingKey::IspDomains => settings.isp_domains.join(","),
            DraftSettingKey::ReviewerName => settings.reviewer_name.clone().unwrap_or_default(),
            DraftSettingKey::ReviewerEmail => settings.reviewer_email.clone().unwrap_or_default(),
            DraftSettingKey::TemplatesDir => settings
                .templates_dir
                .as_ref()
                .map(|dir| dir.display().to_string())
                .unwrap_or_default(),
            DraftSettingKey::MaxQuotedMessages => settings.max_quoted_messages.to_string(),
        }
    }

    /// Sets the setting in `settings` from `value` as written on the command line.
    ///
    /// # Errors
    ///
    /// Returns [`InvalidSetting`] for an empty domain list, a domain or address that is not
    /// one, or a count that is not a number.
    pub fn apply(self, settings: &mut DraftSettings, value: &str) -> Result<(), InvalidSetting> {
        let invalid = |expected: &str| InvalidSetting {
            key: self,
            value: value.to_owned(),
            expected: expected.to_owned(),
        };
        let value = value.trim();
        match self {
            DraftSettingKey::OfficialDomains | DraftSettingKey::IspDomains => {
                let domains = parse_domains(value).ok_or_else(|| {
                    invalid("expected domains such as fda.hhs.gov, comma-separated")
                })?;
                if self == DraftSettingKey::OfficialDomains {
                    if domains.is_empty() {
                        return Err(invalid("expected at least one official domain"));
                    }
                    settings.official_domains = domains;
                } else {
                    settings.isp_domains = domains;
                }
            }
            DraftSettingKey::ReviewerName => {
                settings.reviewer_name = Some(value.to_owned()).filter(|v| !v.is_empty());
            }
            DraftSettingKey::ReviewerEmail => {
                if !value.is_empty() && !is_address(value) {
                    return Err(invalid(
                        "expected an email address such as dana.whitfield@fda.hhs.gov",
                    ));
                }
                settings.reviewer_email =
                    Some(value.to_ascii_lowercase()).filter(|v| !v.is_empty());
            }
            DraftSettingKey::TemplatesDir => {
                settings.templates_dir = Some(PathBuf::from(value)).filter(|_| !value.is_empty());
            }
            DraftSettingKey::MaxQuotedMessages => {
                settings.max_quoted_messages = value
                    .parse()
                    .map_err(|_| invalid("expected a whole number such as 1"))?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for DraftSettingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Parses a comma-separated list of domains, lowercase, dropping a leading `@`. Returns
/// none when an item is not a domain.
fn parse_domains(text: &str) -> Option<Vec<String>> {
    let mut domains = Vec::new();
    for item in text.split([',', ';', ' ']).map(str::trim) {
        if item.is_empty() {
            continue;
        }
        let domain = item.trim_start_matches('@').to_ascii_lowercase();
        if !is_domain(&domain) {
            return None;
        }
        if !domains.contains(&domain) {
            domains.push(domain);
        }
    }
    Some(domains)
}

/// Returns whether `text` is a domain name: labels of letters, digits and hyphens, at least
/// two of them.
pub(crate) fn is_domain(text: &str) -> bool {
    let labels: Vec<&str> = text.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// Returns whether `text` is an email address with a non-empty local part and a domain.
pub(crate) fn is_address(text: &str) -> bool {
    match text.trim().rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !local.contains(char::is_whitespace)
                && is_domain(&domain.to_ascii_lowercase())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_sopp() {
        let settings = DraftSettings::default();
        assert_eq!(settings.official_domains, ["fda.hhs.gov"]);
        assert_eq!(settings.isp_domains.len(), 5);
        assert!(settings.isp_domains.contains(&"gmail.com".to_owned()));
    }

    #[test]
    fn domain_list_is_parsed_and_checked() {
        let mut settings = DraftSettings::default();
        DraftSettingKey::OfficialDomains
            .apply(&mut settings, "fda.hhs.gov, @FDA.gov")
            .expect("valid domains");
        assert_eq!(settings.official_domains, ["fda.hhs.gov", "fda.gov"]);
        let err = DraftSettingKey::IspDomains
            .apply(&mut settings, "gmail.com, not a domain!")
            .expect_err("invalid domain");
        assert_eq!(err.key, DraftSettingKey::IspDomains);
        assert!(DraftSettingKey::OfficialDomains
            .apply(&mut settings, "")
            .is_err());
    }

    #[test]
    fn reviewer_email_must_be_an_address() {
        let mut settings = DraftSettings::default();
        assert!(DraftSettingKey::ReviewerEmail
            .apply(&mut settings, "dana")
            .is_err());
        DraftSettingKey::ReviewerEmail
            .apply(&mut settings, "Dana.Whitfield@fda.hhs.gov")
            .expect("valid address");
        assert_eq!(
            settings.reviewer_email.as_deref(),
            Some("dana.whitfield@fda.hhs.gov")
        );
        DraftSettingKey::ReviewerEmail
            .apply(&mut settings, "")
            .expect("empty clears");
        assert_eq!(settings.reviewer_email, None);
    }

    #[test]
    fn every_key_round_trips_its_value() {
        let settings = DraftSettings {
            reviewer_name: Some("Dana Whitfield".into()),
            ..DraftSettings::default()
        };
        for key in DraftSettingKey::ALL {
            let value = key.value_in(&settings);
            let mut copy = settings.clone();
            key.apply(&mut copy, &value).expect("own value applies");
            assert_eq!(copy, settings, "{key}");
            assert_eq!(DraftSettingKey::parse(key.as_str()), Some(key));
        }
    }
}
