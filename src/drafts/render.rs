//! Filling a template from the message replied to and the decision reached for it.
//!
//! The reply goes to the sender of the message (To) and copies the RPM of the submission on
//! file in the RPM directory (Cc, SOPP 8119 VII.B.1). It comes from the reviewer's official
//! address (From, V.C.2), carries the submission in the subject (V.C.3), and threads under
//! the message (`In-Reply-To`, `References`).

use std::collections::BTreeMap;

use super::settings::DraftSettings;
use super::template::{MissingValue, Template};
use super::Draft;
use crate::message::ParsedMessage;
use crate::sopp::facts::{FactKey, Mailbox, SPIND_MAILBOX};
use crate::sopp::identifiers::{self, Identifier, Location};
use crate::sopp::{DirectoryEntry, Outcome, Tree};

/// Errors filling a template.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// The message has no sender address to reply to.
    #[error("the message has no From address to reply to; write the reply by hand")]
    NoSender,
    /// A field the template needs has no value for this message.
    #[error("template {template} ({origin}) line {line} uses {{{{{field}}}}}, which has no value for this message: {why}; or wrap it in {{{{#{field}}}}}…{{{{/{field}}}}} in the template to make it optional")]
    MissingValue {
        /// The template name.
        template: String,
        /// The source the template was loaded from.
        origin: String,
        /// The line of the template.
        line: usize,
        /// The field.
        field: &'static str,
        /// The reason it has no value, and how to give it one.
        why: String,
    },
}

/// Renders `template` as a reply to `message`, whose decision is `outcome`.
///
/// # Errors
///
/// Returns [`RenderError::NoSender`] when the message has no From address, and
/// [`RenderError::MissingValue`] when the template needs a field this message and
/// decision do not give, such as the RPM of a submission missing from the directory.
pub fn render(
    template: &Template,
    message: &ParsedMessage,
    outcome: &Outcome,
    settings: &DraftSettings,
) -> Result<Draft, RenderError> {
    let sender = message
        .from
        .as_ref()
        .and_then(|from| {
            from.address.as_ref().map(|address| Mailbox {
                name: from.name.clone().filter(|n| !n.trim().is_empty()),
                address: address.to_ascii_lowercase(),
            })
        })
        .ok_or(RenderError::NoSender)?;
    let values = field_values(message, outcome, settings);
    let (subject, body) = template
        .fill(&values)
        .map_err(|missing| missing_value(template, &missing, outcome))?;

    let (identifier, entry) = submission(outcome);
    let from = settings.reviewer_email.as_ref().map(|address| Mailbox {
        name: settings.reviewer_name.clone(),
        address: address.clone(),
    });
    let mut cc = Vec::new();
    if template.about_submission {
        if let Some(entry) = entry {
            let is_from = from
                .as_ref()
                .is_some_and(|f| f.address.eq_ignore_ascii_case(&entry.rpm_email));
            if !is_from {
                cc.push(Mailbox {
                    name: Some(entry.rpm_name.clone()).filter(|n| !n.is_empty()),
                    address: entry.rpm_email.clone(),
                });
            }
        }
    }
    let mut references = message.references.clone();
    if let Some(id) = &message.message_id {
        if !references.contains(id) {
            references.push(id.clone());
        }
    }

    Ok(Draft {
        message_id: None,
        template: Some(template.reference()),
        from,
        to: vec![sender],
        cc,
        bcc: Vec::new(),
        subject,
        body,
        in_reply_to: message.message_id.clone(),
        references,
        stn: identifier
            .filter(|_| template.about_submission)
            .map(|i| i.value.clone()),
        about_submission: template.about_submission,
        exception: template.exception,
        communication: template.communication,
        marks: Default::default(),
        attachments: Vec::new(),
    })
}

/// Returns the submission a reply is about: the first identifier with an RPM directory
/// entry, with that entry, or else the first identifier found.
pub fn submission(outcome: &Outcome) -> (Option<&Identifier>, Option<&DirectoryEntry>) {
    for entry in &outcome.rpms {
        if let Some(identifier) = outcome
            .identifiers
            .iter()
            .find(|i| i.application == entry.application)
        {
            return (Some(identifier), Some(entry));
        }
    }
    (outcome.identifiers.first(), None)
}

/// Returns the value of every template field for a reply to `message`.
pub fn field_values(
    message: &ParsedMessage,
    outcome: &Outcome,
    settings: &DraftSettings,
) -> BTreeMap<&'static str, String> {
    let mut values: BTreeMap<&'static str, String> = BTreeMap::new();
    let mut set = |field: &'static str, value: String| {
        values.insert(field, value);
    };

    if let Some(from) = &message.from {
        let address = from.address.clone().unwrap_or_default();
        let name = from
            .name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| address.clone());
        set("recipient_name", name);
        set("recipient_email", address);
    }
    let (identifier, entry) = submission(outcome);
    if let Some(identifier) = identifier {
        set("stn", identifier.value.clone());
    }
    if let Some(entry) = entry {
        set("sponsor", entry.sponsor.clone());
        set("product", entry.product.clone());
        set("rpm_name", entry.rpm_name.clone());
        set("rpm_email", entry.rpm_email.clone());
    }
    let subject = message.subject.clone().unwrap_or_default();
    set("original_topic", topic_of(&subject));
    set("original_subject", subject.trim().to_owned());
    set(
        "received_date",
        outcome.received_at.strftime("%B %-d, %Y").to_string(),
    );
    set(
        "received_time",
        outcome.received_at.strftime("%-I:%M %p ET").to_string(),
    );
    if !message.attachments.is_empty() {
        let total: u64 = message.attachments.iter().map(|a| a.size).sum();
        set("attachment_count", message.attachments.len().to_string());
        set("attachment_size", human_size(total));
        let names: Vec<&str> = message
            .attachments
            .iter()
            .filter_map(|a| a.name.as_deref())
            .collect();
        set("attachment_names", names.join(", "));
    }
    if outcome
        .fact(FactKey::RpmAddressed)
        .is_some_and(|fact| fact.value == "no")
    {
        set("rpm_missing", "yes".to_owned());
    }
    if outcome.task("remind-spind-subject").is_some() {
        set("spind_subject_unlabelled", "yes".to_owned());
    }
    if let Some(name) = &settings.reviewer_name {
        set("reviewer_name", name.clone());
    }
    if let Some(email) = &settings.reviewer_email {
        set("reviewer_email", email.clone());
    }
    if let Some(redirect) = &outcome.redirect {
        set("redirect_name", redirect.name.clone());
        set("redirect_full_name", redirect.full_name.clone());
        set("redirect_phones", redirect.phones.join(" or "));
        set("redirect_email", redirect.email.clone().unwrap_or_default());
        set("redirect_when", redirect.when.clone());
    }
    let contacts = &Tree::sopp_8119_v11().contacts;
    if let Some(ocod) = contacts.get("ocod") {
        set("ocod_phones", ocod.phones.join(" or "));
        set("ocod_email", ocod.email.clone().unwrap_or_default());
    }
    if let Some(center) = contacts.get("emergency-call-center") {
        set("emergency_call_center_phones", center.phones.join(" or "));
    }
    set("spind_mailbox", SPIND_MAILBOX.to_owned());
    values.retain(|_, value| !value.trim().is_empty());
    values
}

/// Returns `subject` without leading `Re:`/`Fwd:` prefixes and without a leading
/// submission number and its separator, or the trimmed subject when nothing else is left.
pub fn topic_of(subject: &str) -> String {
    let mut topic = subject.trim();
    loop {
        let before = topic;
        for prefix in ["re:", "fw:", "fwd:", "aw:"] {
            if topic.len() >= prefix.len() && topic[..prefix.len()].eq_ignore_ascii_case(prefix) {
                topic = topic[prefix.len()..].trim_start();
            }
        }
        let leading = identifiers::detect(topic, &Location::Subject)
            .into_iter()
            .find(|identifier| identifier.start == 0);
        if let Some(identifier) = leading {
            topic = topic[identifier.end..].trim_start_matches([' ', '-', ':', '–', '—', ',', ';']);
        }
        if topic == before {
            break;
        }
    }
    if topic.trim().is_empty() {
        subject.trim().to_owned()
    } else {
        topic.trim().to_owned()
    }
}

/// Formats a size in bytes with decimal units, as the V.B.4 limit is set (20 MB is
/// 20,000,000 bytes).
fn human_size(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} bytes"),
        1_000..1_000_000 => format!("{:.1} KB", bytes as f64 / 1_000.0),
        _ => format!("{:.1} MB", bytes as f64 / 1_000_000.0),
    }
}

fn missing_value(template: &Template, missing: &MissingValue, outcome: &Outcome) -> RenderError {
    let submission = submission(outcome)
        .0
        .map(|i| i.value.clone())
        .unwrap_or_else(|| "the submission".to_owned());
    let why = match missing.field {
        "stn" => "the message names no submission".to_owned(),
        "sponsor" | "product" | "rpm_name" | "rpm_email" => format!(
            "the RPM directory has no entry for {submission}; add one with `regmail directory import`"
        ),
        "reviewer_name" => {
            "your name is not set; set it with `regmail settings set reviewer-name \"NAME\"`".to_owned()
        }
        "reviewer_email" => {
            "your address is not set; set it with `regmail settings set reviewer-email ADDRESS`".to_owned()
        }
        "rpm_missing" => "the message included the RPM".to_owned(),
        "spind_subject_unlabelled" => "the SPIND subject follows the convention".to_owned(),
        field if field.starts_with("redirect_") => format!(
            "the decision ({}) has no redirect contact; this template is for initial emergency-use requests",
            outcome.disposition
        ),
        "original_subject" | "original_topic" => "the message has no subject".to_owned(),
        "attachment_count" | "attachment_size" | "attachment_names" => {
            "the message has no attachments".to_owned()
        }
        "recipient_name" | "recipient_email" => "the message has no From address".to_owned(),
        _ => "the message and its decision do not give it".to_owned(),
    };
    RenderError::MissingValue {
        template: template.name.clone(),
        origin: template.origin.to_string(),
        line: missing.line,
        field: missing.field,
        why,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_drops_prefixes_and_leading_submission() {
        let cases = [
            (
                "STN 125742/0 - Updated stability data (agreed by email)",
                "Updated stability data (agreed by email)",
            ),
            ("RE: Fwd: BK251234 - eCopy response", "eCopy response"),
            ("Parking at White Oak", "Parking at White Oak"),
            ("STN 125742/0", "STN 125742/0"),
            ("Question about STN 125742/0", "Question about STN 125742/0"),
        ];
        for (subject, expected) in cases {
            assert_eq!(topic_of(subject), expected, "{subject}");
        }
    }

    #[test]
    fn sizes_use_decimal_units() {
        assert_eq!(human_size(999), "999 bytes");
        assert_eq!(human_size(12_500), "12.5 KB");
        assert_eq!(human_size(20_000_000), "20.0 MB");
    }
}
