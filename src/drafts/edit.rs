//! The reviewer's edits of a drafted reply as an editor sends them: the recipients as
//! text, the subject, the body, the V.A.1.a exception, the communication type, and the
//! V.C.7 marks that let a draft name other applications.
//!
//! Applying an edit is pure, like [`check()`](super::check()), so an editor can apply and
//! check on every change. Recipient lists are parsed leniently while the reviewer types:
//! entries that are not addresses are returned as [`InvalidAddress`] values, and the rest
//! of the edit still applies.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::settings::is_address;
use super::{CommunicationType, Draft, Exception, Marks};
use crate::sopp::facts::Mailbox;

/// The fields of a draft that the reviewer edits.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DraftEdit {
    /// The To recipients, comma- or semicolon-separated (`Lee Park <lee.park@x.example>`).
    pub to: String,
    /// The Cc recipients, written like `to`.
    pub cc: String,
    /// The subject.
    pub subject: String,
    /// The plain-text body.
    pub body: String,
    /// The V.A.1.a exception the communication falls under, or none.
    pub exception: Option<Exception>,
    /// The communication type entered in the regulatory system (SOPP 8119 VII.B.2).
    pub communication: CommunicationType,
    /// The draft concerns a trans-BLA communication, so other BLAs may be named (V.C.7).
    #[serde(default)]
    pub trans_bla: bool,
    /// The draft concerns a bundled submission, so the bundled ones may be named (V.C.7).
    #[serde(default)]
    pub bundled: bool,
    /// Related precursor submissions the draft may name (pre-IND, master file), comma- or
    /// semicolon-separated (`IND 12345, MF 1234`).
    #[serde(default)]
    pub related: String,
}

/// The recipient field an invalid entry was typed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AddressField {
    /// To.
    To,
    /// Cc.
    Cc,
}

impl AddressField {
    /// Returns the header name (`To`, `Cc`).
    pub fn as_str(self) -> &'static str {
        match self {
            AddressField::To => "To",
            AddressField::Cc => "Cc",
        }
    }
}

/// An entry of a recipient field that is not an email address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvalidAddress {
    /// The field.
    pub field: AddressField,
    /// The entry as typed.
    pub value: String,
}

impl fmt::Display for InvalidAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {:?} is not an email address; write it as name@domain.example or Name <name@domain.example>",
            self.field.as_str(),
            self.value
        )
    }
}

impl DraftEdit {
    /// Returns the edit that leaves `draft` as it is, to fill an editor's fields.
    pub fn of(draft: &Draft) -> DraftEdit {
        DraftEdit {
            to: format_mailboxes(&draft.to),
            cc: format_mailboxes(&draft.cc),
            subject: draft.subject.clone(),
            body: draft.body.clone(),
            exception: draft.exception,
            communication: draft.communication,
            trans_bla: draft.marks.trans_bla,
            bundled: draft.marks.bundled,
            related: draft.marks.related.join(", "),
        }
    }

    /// Applies the edit to `draft` and returns the recipient entries that are not email
    /// addresses. Those entries are left out of the draft, and every other field is applied.
    pub fn apply(&self, draft: &mut Draft) -> Vec<InvalidAddress> {
        let (to, mut invalid) = parse_mailboxes(&self.to, AddressField::To);
        let (cc, invalid_cc) = parse_mailboxes(&self.cc, AddressField::Cc);
        invalid.extend(invalid_cc);
        draft.to = to;
        draft.cc = cc;
        draft.subject = self.subject.trim().to_owned();
        draft.body = self.body.clone();
        draft.exception = self.exception;
        draft.communication = self.communication;
        draft.marks = Marks {
            trans_bla: self.trans_bla,
            bundled: self.bundled,
            related: self
                .related
                .split([',', ';'])
                .map(str::trim)
                .filter(|entry| !entry.is_empty())
                .map(str::to_owned)
                .collect(),
        };
        invalid
    }
}

/// Parses a recipient field: entries separated by commas or semicolons, each a bare address
/// or `Name <address>`, where a quoted name may contain commas. Addresses are lowercased.
/// Returns the mailboxes and the entries that are not addresses.
pub fn parse_mailboxes(text: &str, field: AddressField) -> (Vec<Mailbox>, Vec<InvalidAddress>) {
    let mut mailboxes: Vec<Mailbox> = Vec::new();
    let mut invalid = Vec::new();
    for entry in split_entries(text) {
        match parse_mailbox(&entry) {
            Some(mailbox) => {
                if !mailboxes.iter().any(|m| m.address == mailbox.address) {
                    mailboxes.push(mailbox);
                }
            }
            None => invalid.push(InvalidAddress {
                field,
                value: entry,
            }),
        }
    }
    (mailboxes, invalid)
}

/// Writes mailboxes as a recipient field that [`parse_mailboxes`] reads back, quoting
/// names that contain separators.
pub fn format_mailboxes(mailboxes: &[Mailbox]) -> String {
    mailboxes
        .iter()
        .map(|mailbox| match &mailbox.name {
            Some(name) if name.contains([',', ';', '<', '>', '"']) => {
                format!("\"{}\" <{}>", name.replace('"', "'"), mailbox.address)
            }
            Some(name) => format!("{name} <{}>", mailbox.address),
            None => mailbox.address.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Splits a recipient field at commas and semicolons outside quotes and angle brackets,
/// dropping empty entries.
fn split_entries(text: &str) -> Vec<String> {
    let mut entries = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut bracketed = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '<' if !quoted => bracketed = true,
            '>' if !quoted => bracketed = false,
            ',' | ';' if !quoted && !bracketed => {
                entries.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    entries.push(current);
    entries
        .into_iter()
        .map(|entry| entry.trim().to_owned())
        .filter(|entry| !entry.is_empty())
        .collect()
}

/// Parses one entry: `address`, `<address>` or `Name <address>`.
fn parse_mailbox(entry: &str) -> Option<Mailbox> {
    let (name, address) = match entry.rfind('<') {
        Some(open) => {
            let rest = entry[open + 1..].trim_end();
            let address = rest.strip_suffix('>')?;
            let name = entry[..open].trim().trim_matches('"').trim();
            (Some(name).filter(|n| !n.is_empty()), address.trim())
        }
        None => (None, entry),
    };
    if !is_address(address) || address.contains(['<', '>', '"', ',', ';']) {
        return None;
    }
    Some(Mailbox {
        name: name.map(str::to_owned),
        address: address.to_ascii_lowercase(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_parse_names_and_addresses() {
        let (mailboxes, invalid) = parse_mailboxes(
            r#"Lee Park <Lee.Park@IVD.example>; "Ortega, Marcus" <marcus.ortega@fda.hhs.gov>, dana@sponsor.example"#,
            AddressField::To,
        );
        assert_eq!(invalid, []);
        assert_eq!(mailboxes.len(), 3);
        assert_eq!(mailboxes[0].name.as_deref(), Some("Lee Park"));
        assert_eq!(mailboxes[0].address, "lee.park@ivd.example");
        assert_eq!(mailboxes[1].name.as_deref(), Some("Ortega, Marcus"));
        assert_eq!(mailboxes[1].address, "marcus.ortega@fda.hhs.gov");
        assert_eq!(mailboxes[2].name, None);
        assert_eq!(mailboxes[2].address, "dana@sponsor.example");
    }

    #[test]
    fn recipients_report_invalid_entries() {
        let (mailboxes, invalid) = parse_mailboxes(
            "dana@sponsor.example, dana@spon, Lee <lee",
            AddressField::Cc,
        );
        assert_eq!(mailboxes.len(), 1);
        assert_eq!(invalid.len(), 2);
        assert_eq!(invalid[0].value, "dana@spon");
        assert_eq!(invalid[0].field, AddressField::Cc);
        assert_eq!(invalid[1].value, "Lee <lee");
        assert!(invalid[0].to_string().starts_with("Cc: \"dana@spon\""));
    }

    #[test]
    fn recipients_drop_empty_and_repeated_entries() {
        let (mailboxes, invalid) = parse_mailboxes(
            " , dana@sponsor.example;; DANA@sponsor.example ,",
            AddressField::To,
        );
        assert_eq!(invalid, []);
        assert_eq!(mailboxes.len(), 1);
    }

    #[test]
    fn formatted_recipients_parse_back() {
        let mailboxes = vec![
            Mailbox {
                name: Some("Ortega, Marcus".into()),
                address: "marcus.ortega@fda.hhs.gov".into(),
            },
            Mailbox::address("dana@sponsor.example"),
        ];
        let text = format_mailboxes(&mailboxes);
        assert_eq!(
            text,
            "\"Ortega, Marcus\" <marcus.ortega@fda.hhs.gov>, dana@sponsor.example"
        );
        assert_eq!(
            parse_mailboxes(&text, AddressField::To),
            (mailboxes, vec![])
        );
    }

    #[test]
    fn edit_of_draft_applies_unchanged() {
        let mut draft = Draft {
            to: vec![Mailbox::address("dana@sponsor.example")],
            subject: "STN 125742/0 - Potency data".into(),
            body: "Dear Dana,\n".into(),
            exception: Some(Exception::GeneralInformation),
            ..Draft::default()
        };
        let before = draft.clone();
        let invalid = DraftEdit::of(&draft).apply(&mut draft);
        assert_eq!(invalid, []);
        assert_eq!(draft, before);
    }

    #[test]
    fn edit_applies_valid_fields_beside_invalid_ones() {
        let mut draft = Draft {
            to: vec![Mailbox::address("dana@sponsor.example")],
            ..Draft::default()
        };
        let edit = DraftEdit {
            to: "dana@spon".into(),
            cc: "marcus.ortega@fda.hhs.gov".into(),
            subject: "  STN 125742/0 - Potency data ".into(),
            body: "Body".into(),
            exception: None,
            communication: CommunicationType::Telecon,
            trans_bla: true,
            bundled: false,
            related: " IND 12345;MF 1234, ,".into(),
        };
        let invalid = edit.apply(&mut draft);
        assert_eq!(invalid.len(), 1);
        assert!(draft.to.is_empty());
        assert_eq!(draft.cc, [Mailbox::address("marcus.ortega@fda.hhs.gov")]);
        assert_eq!(draft.subject, "STN 125742/0 - Potency data");
        assert_eq!(draft.communication, CommunicationType::Telecon);
        assert!(draft.marks.trans_bla, "trans-BLA mark");
        assert!(!draft.marks.bundled, "bundled mark");
        assert_eq!(draft.marks.related, ["IND 12345", "MF 1234"]);
        assert_eq!(DraftEdit::of(&draft).related, "IND 12345, MF 1234");
    }
}
