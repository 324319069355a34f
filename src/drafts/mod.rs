//! Outgoing regulatory email under SOPP 8119 (V.A, V.C, VI.B.3, VI.C.1–3, VII.B): replies
//! drafted from a message and the decision reached for it, the checks every draft must pass
//! before export, and the export of the record copy as an RFC 5322 `.eml` file.
//!
//! The parts, from input to output:
//!
//! - [`template`]: plain-text templates with a header block and `{{field}}` placeholders,
//!   shipped in `templates/` and overridable from a folder.
//! - [`render()`]: fills a template from a parsed message and its [`Outcome`] into a
//!   [`Draft`].
//! - [`check()`]: the pure checks of a draft against the secure-email partner registry, the
//!   RPM directory and the settings, returning [`Finding`]s.
//! - [`eml`]: writes a draft as an unsent `.eml` (the record copy, SOPP 8119 IV.E) and reads
//!   an `.eml` back into a draft for `regmail check`.
//! - [`edit`]: the reviewer's edits of a draft as an editor sends them.
//! - [`reply`]: the editing cycle of a reply to a stored message (open, check, export).
//! - [`stored`]: the glue to the store (settings, directory, partners, the message replied
//!   to, saving the record copy).
//!
//! Everything but [`stored`] and [`reply`] is pure: rendering and checking read no files
//! and no database, so a front end can check a draft on every keystroke.
//!
//! [`Outcome`]: crate::sopp::Outcome

pub mod check;
pub mod edit;
pub mod eml;
pub mod partners;
pub mod pdf;
pub mod render;
pub mod reply;
pub mod settings;
pub mod stored;
pub mod template;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub use check::{check, CheckContext, Finding, Original, Rule, Severity};
pub use edit::{AddressField, DraftEdit, InvalidAddress};
pub use eml::{export, parse_eml, EmlError, Export};
pub use partners::{PartnerEntry, PartnerMethod, PartnerRegistry, PartnerSource};
pub use render::{render, RenderError};
pub use settings::DraftSettings;
pub use stored::{DraftError, Prepared};
pub use template::{Template, TemplateError, Templates};

use crate::sopp::facts::Mailbox;

/// A reply being drafted: headers, body, attachments and what the reviewer recorded about
/// it. The UI edits this value and calls [`check()`] on it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Draft {
    /// The stored message this draft replies to, or none for a draft read from a file.
    pub message_id: Option<i64>,
    /// The template the draft was rendered from, or none.
    pub template: Option<TemplateRef>,
    /// The sender: the reviewer's official address (SOPP 8119 V.C.2).
    pub from: Option<Mailbox>,
    /// The To recipients: the sponsor.
    pub to: Vec<Mailbox>,
    /// The Cc recipients: the RPM (SOPP 8119 VII.B.1).
    pub cc: Vec<Mailbox>,
    /// The Bcc recipients.
    pub bcc: Vec<Mailbox>,
    /// The subject: the topic and the STN (SOPP 8119 V.C.3).
    pub subject: String,
    /// The plain-text body.
    pub body: String,
    /// The `Message-ID` of the message replied to, without angle brackets.
    pub in_reply_to: Option<String>,
    /// The `References` chain, oldest first, without angle brackets.
    pub references: Vec<String>,
    /// The submission the draft is about (`STN 125742/0`), or none when it names none.
    pub stn: Option<String>,
    /// Whether the draft pertains to a regulatory submission. A template for general
    /// information or the secure-email instructions sets this to `false`, and then neither
    /// the STN of the message replied to nor its RPM is expected on the draft.
    pub about_submission: bool,
    /// The V.A.1.a exception the reviewer recorded, which lifts the secure-email rule.
    pub exception: Option<Exception>,
    /// How the communication is entered in the regulatory system (SOPP 8119 VII.B.2).
    pub communication: CommunicationType,
    /// Other applications the draft may name (SOPP 8119 V.C.7).
    pub marks: Marks,
    /// The attachments.
    pub attachments: Vec<DraftAttachment>,
}

impl Draft {
    /// Returns every recipient: To, then Cc, then Bcc.
    pub fn recipients(&self) -> impl Iterator<Item = &Mailbox> {
        self.to.iter().chain(&self.cc).chain(&self.bcc)
    }

    /// Returns whether the draft covers a PIV-signed letter (SOPP 8119 V.C.5): an attachment
    /// marked as the letter, or any signed PDF.
    pub fn covers_signed_letter(&self) -> bool {
        self.attachments.iter().any(|a| a.letter || a.signed_pdf)
    }
}

/// The template a draft came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateRef {
    /// The template name (`include-rpm`).
    pub name: String,
    /// The template version.
    pub version: u32,
    /// The SOPP section the template serves.
    pub section: String,
    /// Where it was loaded from: `built-in` or the file path.
    pub origin: String,
}

/// Other applications a draft may name without a warning (SOPP 8119 V.C.7).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Marks {
    /// The draft concerns a trans-BLA communication.
    pub trans_bla: bool,
    /// The draft concerns a bundled submission (MDUFA bundling and cited predicates).
    pub bundled: bool,
    /// Identifiers of related precursor submissions (pre-IND, master file) that the draft
    /// may name, in any written form (`IND 12345`, `MF 1234`).
    pub related: Vec<String>,
}

/// An attachment of a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftAttachment {
    /// The file name shown to the recipient.
    pub name: String,
    /// The media type (`application/pdf`).
    pub content_type: String,
    /// The content. Not serialized: a front end attaches files by path.
    #[serde(skip)]
    pub bytes: Vec<u8>,
    /// The size in bytes.
    pub size: u64,
    /// Whether the reviewer marked it as the signed letter this email covers.
    pub letter: bool,
    /// Whether it is a PDF with a digital signature (see [`pdf::signature`]).
    pub signed_pdf: bool,
}

impl DraftAttachment {
    /// Builds an attachment from its bytes, guessing the media type from the name and
    /// detecting a PDF signature.
    pub fn new(name: &str, bytes: Vec<u8>, letter: bool) -> DraftAttachment {
        let signed_pdf = pdf::signature(&bytes).signed;
        DraftAttachment {
            name: name.to_owned(),
            content_type: media_type(name).to_owned(),
            size: bytes.len() as u64,
            bytes,
            letter,
            signed_pdf,
        }
    }
}

/// Returns the media type of a file name, by extension.
fn media_type(name: &str) -> &'static str {
    let extension = name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "pdf" => "application/pdf",
        "txt" => "text/plain",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

/// The exceptions of SOPP 8119 V.A.1.a: communications for these purposes need no secure
/// email.
///
/// ```text
/// a. Exceptions - the following are exceptions and communication for these purposes do
///    not require email to be secure:
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Exception {
    /// V.A.1.a.i: requests for individual patient INDs under expanded access, including for
    /// emergency use and for oncology products.
    IndividualPatientInd,
    /// V.A.1.a.ii: compassionate use IDEs.
    CompassionateUseIde,
    /// V.A.1.a.iii: requests for Emergency Use Authorizations (EUAs) and pre-EUAs.
    Eua,
    /// V.A.1.a.iv: responses to requests for general information (a guidance document,
    /// meeting logistics at White Oak, where to find information on the FDA website).
    GeneralInformation,
    /// V.A.1.a.v: emergency alternative procedures or exemptions under 21 CFR 640.120.
    #[serde(rename = "cfr-640-120")]
    Cfr640_120,
}

impl Exception {
    /// Every exception, in the SOPP's order.
    pub const ALL: [Exception; 5] = [
        Exception::IndividualPatientInd,
        Exception::CompassionateUseIde,
        Exception::Eua,
        Exception::GeneralInformation,
        Exception::Cfr640_120,
    ];

    /// Returns the name used in templates, on the command line and in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Exception::IndividualPatientInd => "individual-patient-ind",
            Exception::CompassionateUseIde => "compassionate-use-ide",
            Exception::Eua => "eua",
            Exception::GeneralInformation => "general-information",
            Exception::Cfr640_120 => "cfr-640-120",
        }
    }

    /// Returns the SOPP section (`V.A.1.a.iv`).
    pub fn section(self) -> &'static str {
        match self {
            Exception::IndividualPatientInd => "V.A.1.a.i",
            Exception::CompassionateUseIde => "V.A.1.a.ii",
            Exception::Eua => "V.A.1.a.iii",
            Exception::GeneralInformation => "V.A.1.a.iv",
            Exception::Cfr640_120 => "V.A.1.a.v",
        }
    }

    /// Returns what the exception covers, in the SOPP's words.
    pub fn label(self) -> &'static str {
        match self {
            Exception::IndividualPatientInd => {
                "requests for individual patient INDs under expanded access, including for emergency use and for oncology products"
            }
            Exception::CompassionateUseIde => "compassionate use IDEs",
            Exception::Eua => "requests for Emergency Use Authorizations (EUAs) and pre-EUAs",
            Exception::GeneralInformation => {
                "responses to requests for information that are general in nature (guidance documents, meeting logistics, where to find information on the FDA website)"
            }
            Exception::Cfr640_120 => {
                "emergency alternative procedures or exemptions under 21 CFR 640.120"
            }
        }
    }

    /// Returns the accepted names, comma-separated, for error messages.
    pub fn names() -> String {
        Exception::ALL.map(Exception::as_str).join(", ")
    }
}

impl fmt::Display for Exception {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Exception {
    type Err = String;

    fn from_str(text: &str) -> Result<Exception, String> {
        Exception::ALL
            .into_iter()
            .find(|e| e.as_str() == text.trim())
            .ok_or_else(|| {
                format!(
                    "unknown exception {text:?}; expected one of: {}",
                    Exception::names()
                )
            })
    }
}

/// How an outgoing email is entered for data entry (SOPP 8119 VII.B.2).
///
/// ```text
/// Emails will be entered as telecons only if the information would generally have been
/// discussed in a telecon.
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CommunicationType {
    /// Entered as an email.
    #[default]
    Email,
    /// Entered as a telecon, because the content would normally be discussed by phone.
    Telecon,
}

impl CommunicationType {
    /// Returns the stored name (`email`, `telecon`).
    pub fn as_str(self) -> &'static str {
        match self {
            CommunicationType::Email => "email",
            CommunicationType::Telecon => "telecon",
        }
    }
}

impl fmt::Display for CommunicationType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CommunicationType {
    type Err = String;

    fn from_str(text: &str) -> Result<CommunicationType, String> {
        match text.trim() {
            "email" => Ok(CommunicationType::Email),
            "telecon" => Ok(CommunicationType::Telecon),
            other => Err(format!(
                "unknown communication type {other:?}; expected email or telecon"
            )),
        }
    }
}

/// Returns the domain of `address`, lowercase, or none when it has no `@`.
pub(crate) fn domain_of(address: &str) -> Option<String> {
    address
        .trim()
        .rsplit_once('@')
        .map(|(_, domain)| domain.trim_end_matches('>').to_ascii_lowercase())
        .filter(|domain| !domain.is_empty())
}

/// Returns whether `domain` is `parent` or one of its subdomains.
pub(crate) fn domain_within(domain: &str, parent: &str) -> bool {
    let domain = domain.to_ascii_lowercase();
    let parent = parent.trim().trim_start_matches('@').to_ascii_lowercase();
    !parent.is_empty()
        && (domain == parent
            || domain
                .strip_suffix(&parent)
                .is_some_and(|rest| rest.ends_with('.')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exception_names_round_trip() {
        for exception in Exception::ALL {
            assert_eq!(exception.as_str().parse::<Exception>(), Ok(exception));
            let json = serde_json::to_string(&exception).expect("serializes");
            assert_eq!(json, format!("\"{}\"", exception.as_str()));
        }
        assert!("urgent".parse::<Exception>().is_err());
    }

    #[test]
    fn subdomain_is_within_parent() {
        assert!(domain_within("fda.hhs.gov", "fda.hhs.gov"));
        assert!(domain_within("cber.fda.hhs.gov", "fda.hhs.gov"));
        assert!(!domain_within("notfda.hhs.gov", "fda.hhs.gov"));
        assert!(!domain_within("fda.hhs.gov.example", "fda.hhs.gov"));
    }

    #[test]
    fn domain_of_address_is_lowercase() {
        assert_eq!(
            domain_of("Priya.Raman@AcmeBio.Example").as_deref(),
            Some("acmebio.example")
        );
        assert_eq!(domain_of("no-at-sign"), None);
    }
}
