//! The facts the engine needs about a message, and how each is inferred with its evidence.
//!
//! [`MessageFacts`] is the engine's input: what a parsed message says, with no mail
//! parsing in this module. [`infer_facts`] turns it, the RPM directory, the settings and
//! the business calendar into [`Fact`]s, each with a value, the evidence for it and
//! whether the inference is certain enough to go unconfirmed. Which fact answers which
//! SOPP question is decided by the tree, not here.

use std::fmt;
use std::sync::LazyLock;

use jiff::Timestamp;
use regex::Regex;
use serde::{Deserialize, Serialize};

use super::clock::{self, BusinessClock};
use super::directory::{Directory, DirectoryEntry};
use super::identifiers::{self, Identifier, IdentifierKind, Location};
use crate::calendar::Policy;
use crate::message::ReceiptSource;

/// The mailbox for single patient expanded-access INDs, SOPP 8119 V.B.3.
pub const SPIND_MAILBOX: &str = "CBERSPIND@fda.hhs.gov";

/// The official FDA email domain, the default of [`Settings::official_domains`].
pub const OFFICIAL_DOMAIN: &str = "fda.hhs.gov";

/// A fact about a message that the engine infers or the reviewer answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FactKey {
    /// Whether the message is regulatory (SOPP 8119 IV.G): `yes` or `no`.
    Regulatory,
    /// Whether the RPM of each named submission is in To or Cc (VI.C.6): `yes`, `no` or
    /// `not-applicable`.
    RpmAddressed,
    /// Whether the message and its attachments can be read (VII.A.1): `yes` or `no`.
    Readable,
    /// The kind of communication (V.B.2 to V.B.4).
    Kind,
    /// Whether a SPIND subject follows V.B.3: `original`, `amendment` or `unlabelled`.
    SpindSubject,
    /// Whether the message arrived in business hours (V.B.3 NOTE): `business-hours` or
    /// `after-hours`.
    ReceiptHours,
    /// Whether the attachments are "many or large" (V.B.4): `within-limits` or
    /// `many-or-large`.
    AttachmentVolume,
    /// Whether the message was sent to the CBERSPIND mailbox: `yes` or `no`.
    SentToSpindMailbox,
    /// Whether the message is an emergency-use request: `initial`, `follow-up` or `none`.
    EmergencyRequest,
    /// Whether the message names a device submission under MDUFA: `yes` or `no`.
    MdufaIdentifier,
    /// Whether the sender and every recipient are at an official FDA domain: `yes` or `no`.
    Internal,
    /// Whether the sender is at an official FDA domain, so that the message is FDA's own
    /// correspondence rather than an incoming sponsor email: `yes` or `no`.
    FdaSender,
}

impl FactKey {
    /// Every fact, in the order they are reported.
    pub const ALL: [FactKey; 12] = [
        FactKey::Regulatory,
        FactKey::RpmAddressed,
        FactKey::Readable,
        FactKey::Kind,
        FactKey::SpindSubject,
        FactKey::ReceiptHours,
        FactKey::AttachmentVolume,
        FactKey::SentToSpindMailbox,
        FactKey::EmergencyRequest,
        FactKey::MdufaIdentifier,
        FactKey::Internal,
        FactKey::FdaSender,
    ];

    /// Returns the values the inference can produce for this fact.
    pub fn values(self) -> &'static [&'static str] {
        match self {
            FactKey::Regulatory
            | FactKey::Readable
            | FactKey::SentToSpindMailbox
            | FactKey::MdufaIdentifier
            | FactKey::Internal
            | FactKey::FdaSender => &["yes", "no"],
            FactKey::RpmAddressed => &["yes", "no", "not-applicable"],
            FactKey::Kind => &[
                "agreed",
                "formal-submission",
                "unsolicited",
                "not-agreed",
                "spind",
                "emergency-initial",
                "emergency-followup",
                "mdufa",
                "internal-record",
            ],
            FactKey::SpindSubject => &["original", "amendment", "unlabelled"],
            FactKey::ReceiptHours => &["business-hours", "after-hours"],
            FactKey::AttachmentVolume => &["within-limits", "many-or-large"],
            FactKey::EmergencyRequest => &["initial", "follow-up", "none"],
        }
    }

    /// Returns the fact's name as written in answers and output (`rpm-addressed`).
    pub fn as_str(self) -> &'static str {
        match self {
            FactKey::Regulatory => "regulatory",
            FactKey::RpmAddressed => "rpm-addressed",
            FactKey::Readable => "readable",
            FactKey::Kind => "kind",
            FactKey::SpindSubject => "spind-subject",
            FactKey::ReceiptHours => "receipt-hours",
            FactKey::AttachmentVolume => "attachment-volume",
            FactKey::SentToSpindMailbox => "sent-to-spind-mailbox",
            FactKey::EmergencyRequest => "emergency-request",
            FactKey::MdufaIdentifier => "mdufa-identifier",
            FactKey::Internal => "internal",
            FactKey::FdaSender => "fda-sender",
        }
    }

    /// Parses a fact name as written in answers.
    pub fn parse(name: &str) -> Option<FactKey> {
        FactKey::ALL.into_iter().find(|key| key.as_str() == name)
    }
}

impl fmt::Display for FactKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A sender or recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mailbox {
    /// The display name, if any.
    pub name: Option<String>,
    /// The address.
    pub address: String,
}

impl Mailbox {
    /// Builds a mailbox from an address with no display name.
    pub fn address(address: &str) -> Mailbox {
        Mailbox {
            name: None,
            address: address.to_owned(),
        }
    }

    fn is(&self, address: &str) -> bool {
        self.address.trim().eq_ignore_ascii_case(address.trim())
    }
}

impl fmt::Display for Mailbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(f, "{name} <{}>", self.address),
            None => f.write_str(&self.address),
        }
    }
}

/// The engine's input about one attachment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttachmentFacts {
    /// The file name, or an empty string when the part has none.
    pub name: String,
    /// The decoded size in bytes.
    pub size: u64,
    /// The MIME type (`application/pdf`).
    pub mime: String,
    /// Whether the attachment has no content.
    pub empty: bool,
    /// Whether the attachment could not be decoded (corrupt transfer encoding).
    pub corrupt: bool,
}

/// Whether the message was encrypted, and whether it could be opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Encryption {
    /// Not encrypted.
    None,
    /// Encrypted and decrypted; the facts describe the decrypted content.
    Decrypted,
    /// Encrypted with no key to open it.
    NoKey {
        /// The reason it could not be opened.
        reason: String,
    },
}

/// The engine's input: the content and headers of a parsed message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageFacts {
    /// The decoded subject.
    pub subject: String,
    /// The text body (HTML bodies converted to text).
    pub body_text: String,
    /// The attachments, in message order.
    pub attachments: Vec<AttachmentFacts>,
    /// The From addresses.
    pub from: Vec<Mailbox>,
    /// The To addresses.
    pub to: Vec<Mailbox>,
    /// The Cc addresses.
    pub cc: Vec<Mailbox>,
    /// The Bcc addresses, present only on the sender's or a Bcc recipient's copy.
    pub bcc: Vec<Mailbox>,
    /// When the message reached the FDA mail server (the newest `Received` header).
    pub received_at: Timestamp,
    /// The header or record `received_at` was taken from.
    pub receipt_source: ReceiptSource,
    /// Problems found while parsing, in words.
    pub parse_problems: Vec<String>,
    /// The encryption state.
    pub encryption: Encryption,
    /// The known parts of a message that could not be parsed, or none for a parsed one.
    /// Such a message has no subject, body, attachments or addresses.
    pub unparsed: Option<Unparsed>,
}

/// The known parts of a message that could not be parsed on import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unparsed {
    /// The reason it could not be parsed.
    pub reason: String,
    /// The raw bytes decoded as UTF-8 with invalid sequences replaced, searched for
    /// identifiers, regulatory terms and RPM addresses.
    pub raw_text: String,
}

impl MessageFacts {
    /// Returns the identifiers in the subject, body and attachment names, and in the raw
    /// text of a message that could not be parsed.
    pub fn identifiers(&self) -> Vec<Identifier> {
        let mut found = identifiers::detect_in_message(
            &self.subject,
            &self.body_text,
            self.attachments.iter().map(|a| a.name.as_str()),
        );
        if let Some(unparsed) = &self.unparsed {
            found.extend(identifiers::detect(&unparsed.raw_text, &Location::Raw));
        }
        found
    }

    fn addressed_to(&self, address: &str) -> Option<&'static str> {
        if self.to.iter().any(|m| m.is(address)) {
            Some("To")
        } else if self.cc.iter().any(|m| m.is(address)) {
            Some("Cc")
        } else if self.bcc.iter().any(|m| m.is(address)) {
            Some("Bcc")
        } else {
            None
        }
    }
}

/// Settings of the inference that the user may change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// More attachments than this are "many" (SOPP 8119 V.B.4). Default 10.
    pub max_attachments: usize,
    /// A total attachment size above this many bytes is "large" (V.B.4). Default
    /// 20,000,000 (20 MB).
    pub max_attachment_bytes: u64,
    /// The SPIND mailbox (V.B.3).
    pub spind_mailbox: String,
    /// The official FDA email domains (V.C.2). A message whose sender and recipients are
    /// all at one of them, or at a subdomain, is internal. Default `fda.hhs.gov`.
    pub official_domains: Vec<String>,
    /// The rule that turns "within one business day" (VI.C.6, VII.A.1, VII.A.2.a) into a
    /// due time. Default [`Policy::Close`].
    pub deadline_policy: Policy,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            max_attachments: 10,
            max_attachment_bytes: 20_000_000,
            spind_mailbox: SPIND_MAILBOX.to_owned(),
            official_domains: vec![OFFICIAL_DOMAIN.to_owned()],
            deadline_policy: Policy::Close,
        }
    }
}

/// One inferred fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fact {
    /// Which fact.
    pub key: FactKey,
    /// The inferred value, one of [`FactKey::values`].
    pub value: String,
    /// Why, in words the reviewer can check.
    pub evidence: Vec<String>,
    /// Whether the evidence settles the value. An uncertain fact that the tree asks about
    /// is an open question for the reviewer.
    pub certain: bool,
}

impl Fact {
    fn new(key: FactKey, value: &str, certain: bool, evidence: Vec<String>) -> Fact {
        debug_assert!(key.values().contains(&value), "{value} is a value of {key}");
        Fact {
            key,
            value: value.to_owned(),
            evidence,
            certain,
        }
    }
}

/// Everything inferred from one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InferredFacts {
    /// The identifiers found.
    pub identifiers: Vec<Identifier>,
    /// The directory entries of the submissions named.
    pub rpms: Vec<DirectoryEntry>,
    /// One fact per [`FactKey`], in [`FactKey::ALL`] order.
    pub facts: Vec<Fact>,
}

impl InferredFacts {
    /// Returns the fact for `key`.
    pub fn get(&self, key: FactKey) -> &Fact {
        self.facts
            .iter()
            .find(|fact| fact.key == key)
            .expect("infer_facts produces every fact")
    }
}

/// Infers every fact about `message`.
pub fn infer_facts(
    message: &MessageFacts,
    directory: &Directory,
    settings: &Settings,
    clock: &dyn BusinessClock,
) -> InferredFacts {
    let identifiers = message.identifiers();
    let rpms = directory_entries(&identifiers, directory);

    let spind_mailbox = infer_spind_mailbox(message, settings);
    let internal = infer_internal(message, settings);
    let fda_origin = infer_fda_origin(message, settings, &internal);
    let emergency = infer_emergency(message, &identifiers);
    let mdufa = infer_mdufa(message, &identifiers);
    let kind = infer_kind(message, &spind_mailbox, &fda_origin, &emergency, &mdufa);
    let facts = vec![
        infer_regulatory(message, &identifiers, &spind_mailbox),
        infer_rpm_addressed(message, &identifiers, &rpms, &spind_mailbox, &fda_origin),
        infer_readable(message),
        kind,
        infer_spind_subject(message, &identifiers),
        infer_receipt_hours(message, clock),
        infer_attachment_volume(message, settings),
        spind_mailbox,
        emergency,
        mdufa,
        internal,
        fda_origin,
    ];
    InferredFacts {
        identifiers,
        rpms,
        facts,
    }
}

fn directory_entries(identifiers: &[Identifier], directory: &Directory) -> Vec<DirectoryEntry> {
    let mut entries: Vec<DirectoryEntry> = Vec::new();
    for identifier in identifiers {
        if let Some(entry) = directory.lookup(identifier) {
            if !entries.iter().any(|e| e.application == entry.application) {
                entries.push(entry.clone());
            }
        }
    }
    entries
}

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("fact patterns are valid")
}

/// Terms that mark regulatory content on their own when no identifier is present (IV.H:
/// "Information related to products regulated by FDA, including product, manufacturing, and
/// facility or company information, adverse events, compliance actions"). Acronyms must be
/// upper case, so that "ind" or "ide" in prose do not count.
static REGULATORY_TERMS: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:expanded\s+access|single[\s-]+patient|individual\s+patient|SPINDs?|emergency\s+use|investigational|information\s+requests?|complete\s+response|clinical\s+hold|refuse[\s-]+to[\s-]+file|adverse\s+events?|amendments?|(?:prior\s+approval|efficacy|labeling|manufacturing|CMC)\s+supplements?|changes\s+being\s+effected|CBE-(?:0|30)|510\(k\)|premarket|de\s+novo|ecopy|MDUFA|PDUFA|Form\s+FDA\s+(?:1571|1572|3926|356h|3500A?|3674)|biologics\s+license|investigational\s+new\s+drug)\b|(?-i:\b(?:BLA|IND|NDA|IDE|PMA|EUA)s?\b)",
    )
});

/// Terms that are common in regulatory email but also in everyday mail ("submissions" for a
/// photo contest, "dietary supplements", "compliance training", a "CMC Reviewer" signature).
/// One of them alone does not make a message regulatory; two different ones, or one with a
/// term of [`REGULATORY_TERMS`], do.
static SUPPORTING_TERMS: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:submissions?|supplements?|labeling|manufacturing|compliance|protocols?)\b|(?-i:\bCMC\b)",
    )
});

/// Marks of newsletters and other bulk mail, which mention regulatory terms without being a
/// communication about a submission.
static BULK_MAIL: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\bunsubscribe\b|\bnewsletter\b|\bmailing\s+list\b|\bview\s+(?:this\s+(?:e-?mail|message)|it)\s+in\s+(?:your|a)\s+(?:web\s+)?browser\b|\byou\s+are\s+receiving\s+this\s+(?:e-?mail|message)\b|\bmanage\s+(?:your\s+)?(?:subscriptions?|email\s+preferences)\b",
    )
});

/// The regulatory terms found in a message's text, each once, in the order found.
#[derive(Debug, Default)]
struct Terms {
    regulatory: Vec<String>,
    supporting: Vec<String>,
}

impl Terms {
    fn find<'a>(texts: impl IntoIterator<Item = &'a str>) -> Terms {
        let mut terms = Terms::default();
        for text in texts {
            for found in REGULATORY_TERMS.find_iter(text) {
                push_distinct(&mut terms.regulatory, found.as_str());
            }
            for found in SUPPORTING_TERMS.find_iter(text) {
                push_distinct(&mut terms.supporting, found.as_str());
            }
        }
        terms
    }

    /// Returns whether the terms are enough to call the message regulatory.
    fn suffice(&self) -> bool {
        !self.regulatory.is_empty() || self.supporting.len() >= 2
    }

    fn is_empty(&self) -> bool {
        self.regulatory.is_empty() && self.supporting.is_empty()
    }

    fn quoted(&self) -> String {
        self.regulatory
            .iter()
            .chain(&self.supporting)
            .map(|term| format!("{term:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Adds `term` unless the list already has it, ignoring case, spacing and a plural "s".
fn push_distinct(list: &mut Vec<String>, term: &str) {
    let key = |text: &str| {
        let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let lower = words.to_ascii_lowercase();
        lower.strip_suffix('s').map(str::to_owned).unwrap_or(lower)
    };
    if !list.iter().any(|known| key(known) == key(term)) {
        list.push(term.to_owned());
    }
}

fn infer_regulatory(message: &MessageFacts, identifiers: &[Identifier], spind: &Fact) -> Fact {
    if let Some(unparsed) = &message.unparsed {
        return infer_regulatory_unparsed(unparsed, identifiers);
    }
    if !identifiers.is_empty() {
        let evidence = identifiers
            .iter()
            .take(5)
            .map(|i| format!("{} found in the {} ({:?}); an STN or other submission number makes an email regulatory (IV.G)", i.value, i.location, i.matched))
            .collect();
        return Fact::new(FactKey::Regulatory, "yes", true, evidence);
    }
    if spind.value == "yes" {
        return Fact::new(
            FactKey::Regulatory,
            "yes",
            true,
            vec![format!(
                "sent to {}, the mailbox for single patient expanded-access IND submissions (V.B.3)",
                SPIND_MAILBOX
            )],
        );
    }

    let texts = [message.subject.as_str(), message.body_text.as_str()]
        .into_iter()
        .chain(message.attachments.iter().map(|a| a.name.as_str()));
    let terms = Terms::find(texts);
    let bulk = BULK_MAIL
        .find(&message.subject)
        .or_else(|| BULK_MAIL.find(&message.body_text));
    if let (Some(mark), false) = (bulk, terms.is_empty()) {
        return Fact::new(
            FactKey::Regulatory,
            "no",
            false,
            vec![format!(
                "no submission number; it mentions {} but reads as a newsletter or bulk mail (says {:?}), which is not a communication about a submission",
                terms.quoted(),
                mark.as_str()
            )],
        );
    }
    if terms.suffice() {
        return Fact::new(
            FactKey::Regulatory,
            "yes",
            false,
            vec![format!(
                "no submission number, but regulatory terms: {}",
                terms.quoted()
            )],
        );
    }
    if let Encryption::NoKey { .. } = message.encryption {
        return Fact::new(
            FactKey::Regulatory,
            "yes",
            false,
            vec!["the content is encrypted and cannot be read; sponsors encrypt regulatory information (V.A)".to_owned()],
        );
    }
    if !terms.is_empty() {
        return Fact::new(
            FactKey::Regulatory,
            "no",
            false,
            vec![format!(
                "no submission number; the only term found, {}, is common in mail that is not regulatory",
                terms.quoted()
            )],
        );
    }
    Fact::new(
        FactKey::Regulatory,
        "no",
        false,
        vec![
            "no submission number and no regulatory terms in the subject, body or attachment names"
                .to_owned(),
        ],
    )
}

/// Infers whether a message that could not be parsed is regulatory. Whatever the raw text
/// shows, the answer stays open: the text may be encoded, so a number or term can be
/// missing, or be noise that only looks like one.
fn infer_regulatory_unparsed(unparsed: &Unparsed, identifiers: &[Identifier]) -> Fact {
    let mut evidence = vec!["the message could not be parsed, so whether it carries regulatory information is unknown; it is treated as regulatory until the reviewer answers".to_owned()];
    let values = identifiers::distinct_values(identifiers);
    if !values.is_empty() {
        evidence.push(format!("the raw message text names {}", values.join(", ")));
    }
    let terms = Terms::find([unparsed.raw_text.as_str()]);
    if !terms.is_empty() {
        evidence.push(format!("the raw message text mentions {}", terms.quoted()));
    }
    if values.is_empty() && terms.is_empty() {
        evidence.push(
            "no submission number and no regulatory terms in the raw message text".to_owned(),
        );
    }
    Fact::new(FactKey::Regulatory, "yes", false, evidence)
}

fn infer_rpm_addressed(
    message: &MessageFacts,
    identifiers: &[Identifier],
    rpms: &[DirectoryEntry],
    spind: &Fact,
    internal: &Fact,
) -> Fact {
    if let Some(unparsed) = &message.unparsed {
        return infer_rpm_addressed_unparsed(unparsed, identifiers, rpms);
    }
    if internal.value == "yes" {
        let mut evidence = internal.evidence.clone();
        evidence.push("forwarding to the RPM and reminding the sponsor (VI.C.6) apply to emails from sponsors, not to internal email".to_owned());
        return Fact::new(FactKey::RpmAddressed, "not-applicable", true, evidence);
    }
    if rpms.is_empty() {
        if spind.value == "yes" {
            return Fact::new(
                FactKey::RpmAddressed,
                "not-applicable",
                true,
                vec![format!("sent to {SPIND_MAILBOX}, the designated route for SPIND submissions (V.B.3), and no submission named is in the RPM directory")],
            );
        }
        if identifiers.is_empty() {
            return Fact::new(
                FactKey::RpmAddressed,
                "not-applicable",
                true,
                vec!["no submission is named, so there is no RPM to check".to_owned()],
            );
        }
        let named: Vec<&str> = identifiers::distinct_values(identifiers);
        let verb = if named.len() == 1 { "is" } else { "are" };
        return Fact::new(
            FactKey::RpmAddressed,
            "not-applicable",
            false,
            vec![format!(
                "{} {verb} not in the RPM directory; add the submission with `regmail directory import` or answer rpm-addressed",
                named.join(", ")
            )],
        );
    }

    let mut evidence = Vec::new();
    let mut all_addressed = true;
    for entry in rpms {
        let rpm = format!(
            "RPM {} <{}> of {}",
            entry.rpm_name, entry.rpm_email, entry.application
        );
        match message.addressed_to(&entry.rpm_email) {
            Some(field @ ("To" | "Cc")) => evidence.push(format!("{rpm} is in {field}")),
            Some(_) => {
                all_addressed = false;
                evidence.push(format!(
                    "{rpm} is only in Bcc, so the sponsor did not address the RPM (VI.C.6)"
                ));
            }
            None => {
                all_addressed = false;
                evidence.push(format!("{rpm} is not in To or Cc"));
            }
        }
    }
    let value = if all_addressed { "yes" } else { "no" };
    Fact::new(FactKey::RpmAddressed, value, true, evidence)
}

/// Infers whether the RPM was addressed on a message whose To and Cc could not be read,
/// from whether the RPM's address appears anywhere in the raw text. The answer stays open.
fn infer_rpm_addressed_unparsed(
    unparsed: &Unparsed,
    identifiers: &[Identifier],
    rpms: &[DirectoryEntry],
) -> Fact {
    let unknown = "the To and Cc fields could not be read".to_owned();
    if rpms.is_empty() {
        let found = if identifiers.is_empty() {
            "no submission number was found in the raw message text".to_owned()
        } else {
            let values = identifiers::distinct_values(identifiers);
            let verb = if values.len() == 1 { "is" } else { "are" };
            format!("{} {verb} not in the RPM directory", values.join(", "))
        };
        return Fact::new(
            FactKey::RpmAddressed,
            "not-applicable",
            false,
            vec![unknown, found],
        );
    }

    let raw = unparsed.raw_text.to_ascii_lowercase();
    let mut evidence = vec![unknown];
    let mut all_found = true;
    for entry in rpms {
        let rpm = format!(
            "RPM {} <{}> of {}",
            entry.rpm_name, entry.rpm_email, entry.application
        );
        if raw.contains(&entry.rpm_email.trim().to_ascii_lowercase()) {
            evidence.push(format!("{rpm} appears in the raw message text"));
        } else {
            all_found = false;
            evidence.push(format!("{rpm} does not appear in the raw message text"));
        }
    }
    let value = if all_found { "yes" } else { "no" };
    Fact::new(FactKey::RpmAddressed, value, false, evidence)
}

fn infer_readable(message: &MessageFacts) -> Fact {
    if let Some(unparsed) = &message.unparsed {
        let evidence = vec![
            format!(
                "the message could not be parsed on import ({}), so it cannot be read",
                unparsed.reason
            ),
            receipt_evidence(message),
        ];
        return Fact::new(FactKey::Readable, "no", true, evidence);
    }
    let mut evidence = Vec::new();
    let mut certain_failure = false;

    if let Encryption::NoKey { reason } = &message.encryption {
        certain_failure = true;
        evidence.push(format!(
            "the message is encrypted and cannot be opened: {reason}"
        ));
    }
    for problem in &message.parse_problems {
        evidence.push(format!("parse problem: {problem}"));
    }
    for attachment in &message.attachments {
        let name = display_name(&attachment.name);
        if attachment.empty {
            certain_failure = true;
            evidence.push(format!("attachment {name} is empty"));
        }
        if attachment.corrupt {
            certain_failure = true;
            evidence.push(format!("attachment {name} could not be decoded"));
        }
    }

    if evidence.is_empty() {
        let detail = match message.encryption {
            Encryption::Decrypted => "decrypted; the text and every attachment decoded",
            _ => "the text and every attachment decoded",
        };
        return Fact::new(FactKey::Readable, "yes", true, vec![detail.to_owned()]);
    }
    if certain_failure {
        return Fact::new(FactKey::Readable, "no", true, evidence);
    }
    // Parse problems alone are often recovered (a missing closing boundary decoded
    // leniently, an unparsable Date), so the content counts as readable until the
    // reviewer says otherwise.
    Fact::new(FactKey::Readable, "yes", false, evidence)
}

/// Describes where the receipt time of a message that could not be parsed came from.
fn receipt_evidence(message: &MessageFacts) -> String {
    let local = clock::in_business_zone(message.received_at);
    let when = local.strftime("%a %Y-%m-%d %H:%M %Z");
    let source = match message.receipt_source {
        ReceiptSource::ReceivedHeader => "the newest Received header found in the raw bytes",
        ReceiptSource::MboxEnvelope => {
            "the mbox envelope line, because the raw bytes have no dated Received header"
        }
        ReceiptSource::DateHeader => {
            "the sender's Date header, because no Received header is dated"
        }
        ReceiptSource::ImportTime => {
            "the import time, because neither a Received header nor an mbox envelope line gives a date; FDA received it earlier, so the due time may be late"
        }
    };
    format!("receipt time {when} taken from {source}")
}

fn display_name(name: &str) -> String {
    if name.is_empty() {
        "(unnamed)".to_owned()
    } else {
        format!("{name:?}")
    }
}

fn infer_spind_mailbox(message: &MessageFacts, settings: &Settings) -> Fact {
    if message.unparsed.is_some() {
        return Fact::new(
            FactKey::SentToSpindMailbox,
            "no",
            false,
            vec!["the recipients could not be read".to_owned()],
        );
    }
    match message.addressed_to(&settings.spind_mailbox) {
        Some(field) => Fact::new(
            FactKey::SentToSpindMailbox,
            "yes",
            true,
            vec![format!("{} is in {field}", settings.spind_mailbox)],
        ),
        None => Fact::new(
            FactKey::SentToSpindMailbox,
            "no",
            true,
            vec![format!("{} is not a recipient", settings.spind_mailbox)],
        ),
    }
}

static EMERGENCY: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)\bemergency[\s-]+use\b|\bemergency\s+(?:IND|request)\b|\beIND\b"));
static FOLLOW_UP: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?i)\bfollow[\s-]?ups?\b|\bamendments?\b|\bupdates?\b|\badditional\s+information\b")
});
static INITIAL: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)\binitial\b|\bnew\s+request\b|\bfirst\s+request\b"));

/// Emergency Use Authorizations (V.A.1.a.iii) are not emergency-use requests for a patient.
static EUA_NAME: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)\b(?:pre-?)?emergency[\s-]+use\s+authori[sz]ations?\b"));

fn infer_emergency(message: &MessageFacts, identifiers: &[Identifier]) -> Fact {
    let text = format!("{}\n{}", message.subject, message.body_text);
    let text = EUA_NAME.replace_all(&text, "EUA");
    let Some(found) = EMERGENCY.find(&text) else {
        return Fact::new(
            FactKey::EmergencyRequest,
            "none",
            true,
            vec!["no mention of emergency use".to_owned()],
        );
    };
    let mention = format!("mentions {:?}", found.as_str());

    // A follow-up carries the IND assigned to the initial request, or says it follows up.
    let ind = identifiers
        .iter()
        .find(|i| i.kind == IdentifierKind::Ind && i.location == Location::Subject);
    if let Some(ind) = ind {
        return Fact::new(
            FactKey::EmergencyRequest,
            "follow-up",
            true,
            vec![mention, format!("the subject carries {}", ind.value)],
        );
    }
    if let Some(word) = FOLLOW_UP.find(&text) {
        return Fact::new(
            FactKey::EmergencyRequest,
            "follow-up",
            true,
            vec![mention, format!("says {:?}", word.as_str())],
        );
    }
    if let Some(word) = INITIAL.find(&text) {
        return Fact::new(
            FactKey::EmergencyRequest,
            "initial",
            true,
            vec![mention, format!("says {:?}", word.as_str())],
        );
    }
    Fact::new(
        FactKey::EmergencyRequest,
        "initial",
        false,
        vec![
            mention,
            "no IND number and no sign of a follow-up".to_owned(),
        ],
    )
}

static DEVICE_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\beCopy\b|\bMDUFA\b|510\(k\)|\bde\s+novo\b|premarket\s+(?:notification|approval)|\bIVD\b|in\s+vitro\s+diagnostic|\bmedical\s+device\b",
    )
});

fn infer_mdufa(message: &MessageFacts, identifiers: &[Identifier]) -> Fact {
    let devices: Vec<&str> = identifiers
        .iter()
        .filter(|i| i.kind.is_device())
        .map(|i| i.value.as_str())
        .collect();
    if !devices.is_empty() {
        return Fact::new(
            FactKey::MdufaIdentifier,
            "yes",
            true,
            vec![format!("device submission {} (V.B.4)", devices.join(", "))],
        );
    }
    let text = format!("{}\n{}", message.subject, message.body_text);
    if let Some(word) = DEVICE_WORDS.find(&text) {
        return Fact::new(
            FactKey::MdufaIdentifier,
            "yes",
            false,
            vec![format!(
                "no device submission number, but mentions {:?}",
                word.as_str()
            )],
        );
    }
    Fact::new(
        FactKey::MdufaIdentifier,
        "no",
        true,
        vec!["no device submission number and no device terms".to_owned()],
    )
}

static SPIND_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\bSPINDs?\b|\bexpanded[\s-]+access\b|\bsingle[\s-]+patient\b|\bindividual[\s-]+patient\b|Form\s+(?:FDA\s+)?3926\b",
    )
});
static FORMAL_SUBMISSION: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\b(?:new|original|initial)\s+(?:BLA|IND|NDA|biologics\s+license\s+application|marketing\s+application)\b|\b(?:BLA|IND)\s+submission\b|\beCTD\b",
    )
});
static AGREEMENT: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\bas\s+agreed\b|\bagreed\s+(?:by|via|over)\s+e-?mail\b|\bagreed\s+to\s+receive\b|\bas\s+(?:you\s+)?requested\b|\byou\s+(?:asked\s+for|requested)\b|\bper\s+your\s+request\b|\bresponse\s+to\s+(?:the\s+)?(?:information\s+request|IR)\b",
    )
});

/// A subject that marks a forwarded message (`FW:`, `Fwd:`), possibly after `Re:`.
static FORWARD_SUBJECT: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)^\s*(?:re:\s*)*(?:fwd?|fw):"));

fn infer_internal(message: &MessageFacts, settings: &Settings) -> Fact {
    let domains = settings.official_domains.join(" or ");
    if message.unparsed.is_some() {
        return Fact::new(
            FactKey::Internal,
            "no",
            false,
            vec!["the sender and recipients could not be read".to_owned()],
        );
    }
    let Some(sender) = message.from.first() else {
        return Fact::new(
            FactKey::Internal,
            "no",
            true,
            vec!["the sender is unknown".to_owned()],
        );
    };
    let recipients: Vec<&Mailbox> = message
        .to
        .iter()
        .chain(&message.cc)
        .chain(&message.bcc)
        .collect();
    if recipients.is_empty() {
        return Fact::new(
            FactKey::Internal,
            "no",
            true,
            vec!["the message names no recipient".to_owned()],
        );
    }
    let outside = std::iter::once(sender)
        .chain(recipients.iter().copied())
        .find(|mailbox| !is_official(&mailbox.address, &settings.official_domains));
    if let Some(mailbox) = outside {
        return Fact::new(
            FactKey::Internal,
            "no",
            true,
            vec![format!("{} is not at {domains}", mailbox.address)],
        );
    }
    let recipients = if recipients.len() == 1 {
        "the recipient".to_owned()
    } else {
        format!("all {} recipients", recipients.len())
    };
    Fact::new(
        FactKey::Internal,
        "yes",
        true,
        vec![format!(
            "the sender {} and {recipients} are at {domains}: an internal email",
            sender.address
        )],
    )
}

/// Returns the `fda-sender` fact: whether the sender is at an official domain. Such a
/// message is FDA's own correspondence, even when it went to a sponsor. The rules for
/// incoming sponsor email (V.B, VI.C.6, VII.A.1) do not apply to it, and it belongs to the
/// administrative file like an internal record (VI.C.7).
fn infer_fda_origin(message: &MessageFacts, settings: &Settings, internal: &Fact) -> Fact {
    if internal.value == "yes" {
        return Fact::new(
            FactKey::FdaSender,
            "yes",
            internal.certain,
            internal.evidence.clone(),
        );
    }
    if message.unparsed.is_some() {
        return Fact::new(
            FactKey::FdaSender,
            "no",
            false,
            vec!["the sender could not be read, so the message is taken as incoming".to_owned()],
        );
    }
    match message.from.first() {
        Some(sender) if is_official(&sender.address, &settings.official_domains) => Fact::new(
            FactKey::FdaSender,
            "yes",
            true,
            vec![format!(
                "the sender {} is at {}: FDA's own outgoing email, not an incoming sponsor email",
                sender.address,
                settings.official_domains.join(" or ")
            )],
        ),
        Some(sender) => Fact::new(
            FactKey::FdaSender,
            "no",
            true,
            vec![format!(
                "the sender {} is not at {}",
                sender.address,
                settings.official_domains.join(" or ")
            )],
        ),
        None => Fact::new(
            FactKey::FdaSender,
            "no",
            true,
            vec!["the sender is unknown, so the message is taken as incoming".to_owned()],
        ),
    }
}

/// Returns whether `address` is at one of `domains` or at a subdomain of one.
fn is_official(address: &str, domains: &[String]) -> bool {
    let Some((_, domain)) = address.trim().rsplit_once('@') else {
        return false;
    };
    let domain = domain.to_ascii_lowercase();
    domains.iter().any(|official| {
        let official = official.trim().to_ascii_lowercase();
        domain == official || domain.ends_with(&format!(".{official}"))
    })
}

fn infer_kind(
    message: &MessageFacts,
    spind: &Fact,
    internal: &Fact,
    emergency: &Fact,
    mdufa: &Fact,
) -> Fact {
    let text = format!("{}\n{}", message.subject, message.body_text);
    let to_mailbox = spind.value == "yes";

    // Internal email comes first: its sender is FDA staff, so none of the kinds of
    // incoming sponsor email applies, even when it discusses a SPIND or emergency use.
    if internal.value == "yes" {
        let mut evidence = internal.evidence.clone();
        evidence.push("email from FDA staff that captures a regulatory action or decision, internal or sent to a sponsor, belongs to the administrative file (VI.C.7); confirm that this one does".to_owned());
        if let Some(mark) = FORWARD_SUBJECT.find(&message.subject) {
            evidence.push(format!(
                "the subject starts with {:?}: if it forwards a sponsor's email, answer the kind of that email",
                mark.as_str().trim()
            ));
        }
        return Fact::new(FactKey::Kind, "internal-record", false, evidence);
    }

    match emergency.value.as_str() {
        "initial" => {
            let mut evidence = emergency.evidence.clone();
            evidence.push("initial emergency-use requests go to OCOD or the Emergency Call Center, not CBERSPIND (V.B.3 NOTE)".to_owned());
            return Fact::new(
                FactKey::Kind,
                "emergency-initial",
                emergency.certain,
                evidence,
            );
        }
        "follow-up" => {
            let mut evidence = emergency.evidence.clone();
            evidence.push(
                "follow-up submissions for emergency use may come by email (V.B.3 NOTE)".to_owned(),
            );
            return Fact::new(
                FactKey::Kind,
                "emergency-followup",
                emergency.certain,
                evidence,
            );
        }
        _ => {}
    }

    let spind_word = SPIND_WORDS.find(&text);
    if to_mailbox || spind_word.is_some() {
        let mut evidence = Vec::new();
        if to_mailbox {
            evidence.push(format!("sent to {SPIND_MAILBOX}"));
        }
        if let Some(word) = spind_word {
            evidence.push(format!("mentions {:?}", word.as_str()));
        }
        let certain = to_mailbox || message.subject.to_ascii_uppercase().contains("SPIND");
        return Fact::new(FactKey::Kind, "spind", certain, evidence);
    }

    if mdufa.value == "yes" {
        let mut evidence = mdufa.evidence.clone();
        evidence.push(
            "prior agreement to receive device email is implicit in the eCopy program (V.B.4)"
                .to_owned(),
        );
        return Fact::new(FactKey::Kind, "mdufa", mdufa.certain, evidence);
    }

    if let Some(word) = FORMAL_SUBMISSION.find(&text) {
        return Fact::new(
            FactKey::Kind,
            "formal-submission",
            false,
            vec![format!(
                "mentions {:?}; formal submissions are not accepted by email (V.B.2)",
                word.as_str()
            )],
        );
    }
    if let Some(word) = AGREEMENT.find(&text) {
        return Fact::new(
            FactKey::Kind,
            "agreed",
            false,
            vec![format!(
                "says {:?}; confirm that FDA agreed to receive this by email (VII.A.3)",
                word.as_str()
            )],
        );
    }
    Fact::new(
        FactKey::Kind,
        "unsolicited",
        false,
        vec!["nothing in the message shows that FDA requested or agreed to receive it by email (V.B.2)".to_owned()],
    )
}

static ORIGINAL_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"(?i)\boriginal\s+(?:submission\s+)?SPIND\b|\bnew\s+(?:SPIND|request)\b|\bSPIND\s+(?:original|new\s+request)\b",
    )
});
static AMENDMENT_SUBJECT: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?i)\bamendments?\b|\bfollow[\s-]?ups?\b|\bupdates?\b"));

fn infer_spind_subject(message: &MessageFacts, identifiers: &[Identifier]) -> Fact {
    if let Some(found) = ORIGINAL_SUBJECT.find(&message.subject) {
        return Fact::new(
            FactKey::SpindSubject,
            "original",
            true,
            vec![format!(
                "the subject marks a new request: {:?}",
                found.as_str()
            )],
        );
    }
    let ind = identifiers
        .iter()
        .find(|i| i.kind == IdentifierKind::Ind && i.location == Location::Subject);
    if let Some(ind) = ind {
        return Fact::new(
            FactKey::SpindSubject,
            "amendment",
            true,
            vec![format!("the subject carries {}", ind.value)],
        );
    }
    if let Some(found) = AMENDMENT_SUBJECT.find(&message.subject) {
        let mut evidence = vec![format!(
            "the subject says {:?} but carries no IND number",
            found.as_str()
        )];
        if let Some(ind) = identifiers.iter().find(|i| i.kind == IdentifierKind::Ind) {
            evidence.push(format!(
                "{} appears in the {} only",
                ind.value, ind.location
            ));
        }
        return Fact::new(FactKey::SpindSubject, "unlabelled", true, evidence);
    }
    Fact::new(
        FactKey::SpindSubject,
        "unlabelled",
        false,
        vec!["the subject marks neither a new request nor an IND amendment".to_owned()],
    )
}

fn infer_receipt_hours(message: &MessageFacts, clock: &dyn BusinessClock) -> Fact {
    let local = clock::in_business_zone(message.received_at);
    let when = format!(
        "received {} ({})",
        local.strftime("%a %Y-%m-%d %H:%M %Z"),
        clock::TIME_ZONE
    );
    if clock.is_business_hours(message.received_at) {
        Fact::new(
            FactKey::ReceiptHours,
            "business-hours",
            true,
            vec![format!(
                "{when}, within 8:00 AM - 4:30 PM ET on a business day"
            )],
        )
    } else {
        Fact::new(
            FactKey::ReceiptHours,
            "after-hours",
            true,
            vec![format!("{when}, after hours, on a weekend or on a holiday")],
        )
    }
}

fn infer_attachment_volume(message: &MessageFacts, settings: &Settings) -> Fact {
    let count = message.attachments.len();
    let total: u64 = message.attachments.iter().map(|a| a.size).sum();
    let size = format!(
        "{}, {} in total",
        counted(count as u64, "attachment"),
        counted(total, "byte")
    );
    let mut reasons = Vec::new();
    if count > settings.max_attachments {
        reasons.push(format!(
            "more than {} (\"many\")",
            counted(settings.max_attachments as u64, "attachment")
        ));
    }
    if total > settings.max_attachment_bytes {
        reasons.push(format!(
            "more than {} in total (\"large\")",
            counted(settings.max_attachment_bytes, "byte")
        ));
    }
    if reasons.is_empty() {
        Fact::new(
            FactKey::AttachmentVolume,
            "within-limits",
            true,
            vec![format!(
                "{size}; limits are {} and {}",
                counted(settings.max_attachments as u64, "attachment"),
                counted(settings.max_attachment_bytes, "byte")
            )],
        )
    } else {
        Fact::new(
            FactKey::AttachmentVolume,
            "many-or-large",
            true,
            vec![format!("{size}: {}", reasons.join(" and "))],
        )
    }
}

/// Formats `count` with `noun`, adding an "s" unless the count is one (`1 attachment`,
/// `3 attachments`).
fn counted(count: u64, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(subject: &str, body: &str) -> MessageFacts {
        MessageFacts {
            subject: subject.to_owned(),
            body_text: body.to_owned(),
            attachments: Vec::new(),
            from: vec![Mailbox::address("priya.raman@acmebio.example")],
            to: vec![Mailbox::address("dana.whitfield@fda.hhs.gov")],
            cc: Vec::new(),
            bcc: Vec::new(),
            received_at: "2025-03-04T15:15:00Z".parse().expect("valid time"),
            receipt_source: ReceiptSource::ReceivedHeader,
            parse_problems: Vec::new(),
            encryption: Encryption::None,
            unparsed: None,
        }
    }

    fn attachment(size: u64) -> AttachmentFacts {
        AttachmentFacts {
            name: "part.pdf".into(),
            size,
            mime: "application/pdf".into(),
            empty: size == 0,
            corrupt: false,
        }
    }

    #[test]
    fn attachment_volume_evidence_uses_plurals() {
        struct Case {
            name: &'static str,
            sizes: &'static [u64],
            max_attachments: usize,
            max_bytes: u64,
            evidence: &'static str,
        }
        let cases = [
            Case {
                name: "none",
                sizes: &[],
                max_attachments: 10,
                max_bytes: 20_000_000,
                evidence: "0 attachments, 0 bytes in total; limits are 10 attachments and 20000000 bytes",
            },
            Case {
                name: "one of one byte",
                sizes: &[1],
                max_attachments: 10,
                max_bytes: 20_000_000,
                evidence: "1 attachment, 1 byte in total; limits are 10 attachments and 20000000 bytes",
            },
            Case {
                name: "limits of one",
                sizes: &[2, 3],
                max_attachments: 1,
                max_bytes: 1,
                evidence: "2 attachments, 5 bytes in total: more than 1 attachment (\"many\") and more than 1 byte in total (\"large\")",
            },
        ];
        for case in cases {
            let mut message = message("BK251234", "");
            message.attachments = case.sizes.iter().copied().map(attachment).collect();
            let settings = Settings {
                max_attachments: case.max_attachments,
                max_attachment_bytes: case.max_bytes,
                ..Settings::default()
            };
            let fact = infer_attachment_volume(&message, &settings);
            assert_eq!(fact.evidence, [case.evidence], "{}", case.name);
        }
    }

    #[test]
    fn unknown_submission_evidence_agrees_in_number() {
        let cases = [
            (
                "one",
                "STN 125999/0",
                "STN 125999/0 is not in the RPM directory;",
            ),
            (
                "two",
                "STN 125999/0 and IND 31001",
                "STN 125999/0, IND 31001 are not in the RPM directory;",
            ),
        ];
        for (name, subject, start) in cases {
            let message = message(subject, "");
            let identifiers = message.identifiers();
            let spind = infer_spind_mailbox(&message, &Settings::default());
            let internal = infer_internal(&message, &Settings::default());
            let fact = infer_rpm_addressed(&message, &identifiers, &[], &spind, &internal);
            assert_eq!(fact.value, "not-applicable", "{name}: value");
            assert!(
                fact.evidence[0].starts_with(start),
                "{name}: {:?}",
                fact.evidence
            );
        }
    }

    #[test]
    fn regulatory_terms_without_identifier() {
        struct Case {
            name: &'static str,
            subject: &'static str,
            body: &'static str,
            value: &'static str,
            evidence: &'static str,
        }
        let cases = [
            Case {
                name: "information request",
                subject: "Our response",
                body: "Attached is our response to the information request of March 3.",
                value: "yes",
                evidence: "\"information request\"",
            },
            Case {
                name: "complete response",
                subject: "Questions on the complete response letter",
                body: "",
                value: "yes",
                evidence: "\"complete response\"",
            },
            Case {
                name: "clinical hold",
                subject: "Clinical hold questions",
                body: "",
                value: "yes",
                evidence: "\"Clinical hold\"",
            },
            Case {
                name: "form 356h",
                subject: "Signed form",
                body: "Enclosed is the signed Form FDA 356h.",
                value: "yes",
                evidence: "\"Form FDA 356h\"",
            },
            Case {
                name: "amendment",
                subject: "Amendment 3 for AB-17",
                body: "",
                value: "yes",
                evidence: "\"Amendment\"",
            },
            Case {
                name: "prior approval supplement",
                subject: "Prior approval supplement for the new fill line",
                body: "",
                value: "yes",
                evidence: "\"Prior approval supplement\"",
            },
            Case {
                name: "two supporting terms",
                subject: "Labeling submission for AB-17",
                body: "",
                value: "yes",
                evidence: "\"Labeling\", \"submission\"",
            },
            Case {
                name: "upper-case acronym",
                subject: "A question about our BLA",
                body: "",
                value: "yes",
                evidence: "\"BLA\"",
            },
            Case {
                name: "parking",
                subject: "Parking at White Oak for Thursday's meeting",
                body: "Where should our team park on Thursday?",
                value: "no",
                evidence: "no regulatory terms",
            },
            Case {
                name: "newsletter with one everyday term",
                subject: "CBER staff newsletter - March",
                body: "Photo contest submissions are due Friday. To unsubscribe, reply STOP.",
                value: "no",
                evidence: "newsletter or bulk mail",
            },
            Case {
                name: "newsletter with regulatory terms",
                subject: "This week at FDA",
                body: "A clinical hold was lifted and a BLA approved. Unsubscribe from this list.",
                value: "no",
                evidence: "(says \"Unsubscribe\")",
            },
            Case {
                name: "one everyday term",
                subject: "Photo contest submissions due Friday",
                body: "",
                value: "no",
                evidence: "the only term found, \"submissions\"",
            },
            Case {
                name: "dietary supplements",
                subject: "Dietary supplements seminar",
                body: "",
                value: "no",
                evidence: "the only term found, \"supplements\"",
            },
            Case {
                name: "same term twice",
                subject: "Submission",
                body: "Two submissions for the photo contest.",
                value: "no",
                evidence: "the only term found, \"Submission\"",
            },
            Case {
                name: "CMC in a signature",
                subject: "RE: Holiday potluck sign-up",
                body: "I'll bring a lasagna.\n\nHarold Brennick\nChemist, CMC Reviewer",
                value: "no",
                evidence: "the only term found, \"CMC\"",
            },
            Case {
                name: "CMC with another term",
                subject: "CMC comments on the manufacturing changes",
                body: "",
                value: "yes",
                evidence: "\"CMC\", \"manufacturing\"",
            },
            Case {
                name: "lower-case acronym",
                subject: "Lunch by the ide pond",
                body: "",
                value: "no",
                evidence: "no regulatory terms",
            },
        ];
        for case in cases {
            let message = message(case.subject, case.body);
            let spind = infer_spind_mailbox(&message, &Settings::default());
            let fact = infer_regulatory(&message, &[], &spind);
            assert_eq!(fact.value, case.value, "{}: value", case.name);
            assert!(!fact.certain, "{}: a term is never certain", case.name);
            assert_eq!(fact.evidence.len(), 1, "{}: one line", case.name);
            assert!(
                fact.evidence[0].contains(case.evidence),
                "{}: evidence {:?}",
                case.name,
                fact.evidence
            );
        }
    }

    #[test]
    fn internal_needs_every_address_official() {
        struct Case {
            name: &'static str,
            from: &'static str,
            to: &'static [&'static str],
            cc: &'static [&'static str],
            bcc: &'static [&'static str],
            domains: &'static [&'static str],
            value: &'static str,
            evidence: &'static str,
        }
        const FDA: &[&str] = &["fda.hhs.gov"];
        let cases = [
            Case {
                name: "all at fda.hhs.gov",
                from: "dana.whitfield@fda.hhs.gov",
                to: &["elena.novak@FDA.HHS.GOV"],
                cc: &["grace.liu@fda.hhs.gov"],
                bcc: &[],
                domains: FDA,
                value: "yes",
                evidence:
                    "the sender dana.whitfield@fda.hhs.gov and all 2 recipients are at fda.hhs.gov",
            },
            Case {
                name: "subdomain",
                from: "dana.whitfield@fda.hhs.gov",
                to: &["product-review@cber.fda.hhs.gov"],
                cc: &[],
                bcc: &[],
                domains: FDA,
                value: "yes",
                evidence: "and the recipient are at fda.hhs.gov",
            },
            Case {
                name: "external sender",
                from: "priya.raman@acmebio.example",
                to: &["dana.whitfield@fda.hhs.gov"],
                cc: &[],
                bcc: &[],
                domains: FDA,
                value: "no",
                evidence: "priya.raman@acmebio.example is not at fda.hhs.gov",
            },
            Case {
                name: "external cc",
                from: "dana.whitfield@fda.hhs.gov",
                to: &["elena.novak@fda.hhs.gov"],
                cc: &["priya.raman@acmebio.example"],
                bcc: &[],
                domains: FDA,
                value: "no",
                evidence: "priya.raman@acmebio.example is not at fda.hhs.gov",
            },
            Case {
                name: "external bcc",
                from: "dana.whitfield@fda.hhs.gov",
                to: &["elena.novak@fda.hhs.gov"],
                cc: &[],
                bcc: &["priya.raman@acmebio.example"],
                domains: FDA,
                value: "no",
                evidence: "priya.raman@acmebio.example is not at fda.hhs.gov",
            },
            Case {
                name: "lookalike domain",
                from: "dana.whitfield@fda.hhs.gov",
                to: &["someone@notfda.hhs.gov"],
                cc: &[],
                bcc: &[],
                domains: FDA,
                value: "no",
                evidence: "someone@notfda.hhs.gov is not at fda.hhs.gov",
            },
            Case {
                name: "domain as a prefix",
                from: "dana.whitfield@fda.hhs.gov",
                to: &["someone@fda.hhs.gov.example"],
                cc: &[],
                bcc: &[],
                domains: FDA,
                value: "no",
                evidence: "someone@fda.hhs.gov.example is not at fda.hhs.gov",
            },
            Case {
                name: "no recipients",
                from: "dana.whitfield@fda.hhs.gov",
                to: &[],
                cc: &[],
                bcc: &[],
                domains: FDA,
                value: "no",
                evidence: "the message names no recipient",
            },
            Case {
                name: "second official domain",
                from: "dana.whitfield@fda.hhs.gov",
                to: &["elena.novak@fda.gov"],
                cc: &[],
                bcc: &[],
                domains: &["fda.hhs.gov", "fda.gov"],
                value: "yes",
                evidence: "are at fda.hhs.gov or fda.gov",
            },
        ];
        let boxes = |list: &[&str]| list.iter().map(|a| Mailbox::address(a)).collect();
        for case in cases {
            let mut message = message("STN 125742/0", "");
            message.from = vec![Mailbox::address(case.from)];
            message.to = boxes(case.to);
            message.cc = boxes(case.cc);
            message.bcc = boxes(case.bcc);
            let settings = Settings {
                official_domains: case.domains.iter().map(|d| d.to_string()).collect(),
                ..Settings::default()
            };
            let fact = infer_internal(&message, &settings);
            assert_eq!(fact.value, case.value, "{}: value", case.name);
            assert!(fact.certain, "{}: addresses settle it", case.name);
            assert!(
                fact.evidence[0].contains(case.evidence),
                "{}: evidence {:?}",
                case.name,
                fact.evidence
            );
        }
    }

    #[test]
    fn fda_sent_email_is_not_an_incoming_sponsor_email() {
        let settings = Settings::default();
        let mut message = message(
            "STN 125742/0 information request",
            "Please respond by email.",
        );
        message.from = vec![Mailbox::address("marcus.ortega@fda.hhs.gov")];
        message.to = vec![Mailbox::address("priya.raman@acmebio.example")];
        let internal = infer_internal(&message, &settings);
        assert_eq!(internal.value, "no", "internal keeps its meaning");
        let origin = infer_fda_origin(&message, &settings, &internal);
        assert_eq!(origin.value, "yes", "sent by FDA");
        let identifiers = message.identifiers();
        let spind = infer_spind_mailbox(&message, &settings);
        let emergency = infer_emergency(&message, &identifiers);
        let mdufa = infer_mdufa(&message, &identifiers);
        let kind = infer_kind(&message, &spind, &origin, &emergency, &mdufa);
        assert_eq!(kind.value, "internal-record", "kind");
        let rpm = infer_rpm_addressed(&message, &identifiers, &[], &spind, &origin);
        assert_eq!(rpm.value, "not-applicable", "no forward to the RPM");

        message.from = vec![Mailbox::address("priya.raman@acmebio.example")];
        message.to = vec![Mailbox::address("marcus.ortega@fda.hhs.gov")];
        let internal = infer_internal(&message, &settings);
        let origin = infer_fda_origin(&message, &settings, &internal);
        assert_eq!(origin.value, "no", "a sponsor's email is incoming");
    }

    #[test]
    fn internal_kind_is_uncertain_record() {
        let cases = [
            ("decision", "STN 125742/0 - review decision", None),
            (
                "forward",
                "FW: STN 125742/0 response to the IR",
                Some("the subject starts with \"FW:\""),
            ),
            (
                "reply to a forward",
                "Re: Fwd: STN 125742/0 response",
                Some("the subject starts with \"Re: Fwd:\""),
            ),
        ];
        for (name, subject, forward) in cases {
            let mut message = message(subject, "");
            message.from = vec![Mailbox::address("dana.whitfield@fda.hhs.gov")];
            message.to = vec![Mailbox::address("marcus.ortega@fda.hhs.gov")];
            let settings = Settings::default();
            let internal = infer_internal(&message, &settings);
            let spind = infer_spind_mailbox(&message, &settings);
            let identifiers = message.identifiers();
            let emergency = infer_emergency(&message, &identifiers);
            let mdufa = infer_mdufa(&message, &identifiers);
            let kind = infer_kind(&message, &spind, &internal, &emergency, &mdufa);
            assert_eq!(kind.value, "internal-record", "{name}: value");
            assert!(!kind.certain, "{name}: the reviewer confirms a record");
            assert!(
                kind.evidence.iter().any(|line| line.contains("(VI.C.7)")),
                "{name}: cites VI.C.7 in {:?}",
                kind.evidence
            );
            let forward_line = kind.evidence.iter().find(|line| line.contains("forwards"));
            match forward {
                Some(text) => assert!(
                    forward_line.is_some_and(|line| line.contains(text)),
                    "{name}: {:?}",
                    kind.evidence
                ),
                None => assert!(forward_line.is_none(), "{name}: {:?}", kind.evidence),
            }

            let rpm = infer_rpm_addressed(&message, &identifiers, &[], &spind, &internal);
            assert_eq!(rpm.value, "not-applicable", "{name}: rpm-addressed");
            assert!(rpm.certain, "{name}: rpm-addressed is certain");
        }
    }
}
