//! Outgoing regulatory email: every check with a draft that passes and one that fails it,
//! each template, the exported bytes, drafts for the scenarios that call for a reply, the
//! store's record copies and the command-line contract.

mod checks;
mod cli;
mod export;
mod reply;
mod scenarios;
mod store;

use regmail::drafts::partners::{PartnerEntry, PartnerMethod, PartnerSource};
use regmail::drafts::{CheckContext, Draft, DraftSettings, Original, PartnerRegistry};
use regmail::sopp::facts::Mailbox;
use regmail::sopp::{identifiers, Directory};

use crate::fixture;

/// The reviewer of the scenarios.
pub const REVIEWER: &str = "dana.whitfield@fda.hhs.gov";

/// Returns the RPM directory the scenarios assume.
pub fn directory() -> Directory {
    let text = std::fs::read_to_string(fixture("sopp/scenarios/directory.csv")).expect("directory");
    Directory::parse_csv(&text).expect("directory parses")
}

/// Returns the settings with the scenarios' reviewer.
pub fn settings() -> DraftSettings {
    DraftSettings {
        reviewer_name: Some("Dana Whitfield".into()),
        reviewer_email: Some(REVIEWER.into()),
        ..DraftSettings::default()
    }
}

/// Returns a registry entry.
pub fn partner(entry: &str, method: PartnerMethod, not_after: Option<&str>) -> PartnerEntry {
    PartnerEntry {
        entry: entry.into(),
        method,
        source: PartnerSource::Import,
        verified_on: None,
        not_after: not_after.map(|t| t.parse().expect("valid time")),
        fingerprint: None,
    }
}

/// Returns a mailbox with a display name.
pub fn named(name: &str, address: &str) -> Mailbox {
    Mailbox {
        name: Some(name.into()),
        address: address.into(),
    }
}

/// Returns a reply to Priya Raman about STN 125742/0 that passes every check.
pub fn clean_draft() -> Draft {
    Draft {
        from: Some(named("Dana Whitfield", REVIEWER)),
        to: vec![named("Priya Raman", "priya.raman@acmebio.example")],
        cc: vec![named("Marcus Ortega", "marcus.ortega@fda.hhs.gov")],
        subject: "STN 125742/0 - Stability data received".into(),
        body: "Dear Priya Raman,\n\nThank you for the updated stability tables.\n\nSincerely,\nDana Whitfield\n".into(),
        in_reply_to: Some("rpm-missing@acmebio.example".into()),
        references: vec!["rpm-missing@acmebio.example".into()],
        stn: Some("STN 125742/0".into()),
        about_submission: true,
        ..Draft::default()
    }
}

/// Returns the context of [`clean_draft`]: acmebio.example has enforced TLS, and the message
/// replied to included the RPM and had one attachment.
pub fn clean_context() -> CheckContext {
    let message_identifiers = identifiers::detect_in_message("STN 125742/0 - Stability", "", []);
    CheckContext {
        settings: settings(),
        directory: directory(),
        partners: PartnerRegistry::from_entries(vec![
            partner("acmebio.example", PartnerMethod::Tls, None),
            partner(
                "lee.park@ivd-systems.example",
                PartnerMethod::Smime,
                Some("2026-01-01T00:00:00Z"),
            ),
        ]),
        original: Some(Original {
            addresses: vec![
                "priya.raman@acmebio.example".into(),
                REVIEWER.into(),
                "marcus.ortega@fda.hhs.gov".into(),
            ],
            recipients: vec![REVIEWER.into(), "marcus.ortega@fda.hhs.gov".into()],
            identifiers: message_identifiers,
            rpm_addressed: Some(true),
            attachments: vec!["stability tables.pdf".into()],
        }),
        at: "2025-03-04T16:00:00Z".parse().expect("valid time"),
    }
}
