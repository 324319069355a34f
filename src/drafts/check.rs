//! The checks every outgoing draft must pass (SOPP 8119 V.A, V.C, VI.B.3, VI.C.1–3,
//! VII.B.1, Appendix A).
//!
//! [`check()`] is pure: it reads only the draft and the [`CheckContext`] (settings, RPM
//! directory, partner registry, the message replied to, the time), so a front end can run
//! it on every edit. Each [`Finding`] names its rule, whether it blocks the export, the SOPP
//! section, the offending value and the fix. A blocking finding means the draft would break
//! the SOPP as written. A warning points the reviewer to something to look at again.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::LazyLock;

use jiff::Timestamp;
use regex::Regex;
use serde::{Deserialize, Serialize};

use super::partners::{PartnerMethod, PartnerRegistry, PartnerStatus};
use super::settings::DraftSettings;
use super::{domain_of, domain_within, Draft};
use crate::message::ParsedMessage;
use crate::sopp::identifiers::{self, Identifier};
use crate::sopp::{Directory, DirectoryEntry, FactKey, Outcome};

/// Whether a finding stops the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// The draft breaks the SOPP as written; it cannot be exported until fixed.
    Blocking,
    /// The reviewer should look again; the draft can be exported.
    Warning,
}

impl Severity {
    /// Returns the name used in output (`blocking`, `warning`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Blocking => "blocking",
            Severity::Warning => "warning",
        }
    }
}

/// The rule a finding comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// The draft has no recipient (VI.C.2).
    NoRecipient,
    /// From is missing or not at an official FDA domain (V.C.2).
    OfficialFrom,
    /// A recipient is not a secure-email partner and no exception is recorded (V.A.1,
    /// V.C.1).
    SecureEmail,
    /// A recipient is at an ISP domain, which cannot be secured (Appendix A).
    IspDomain,
    /// The subject lacks the STN of the submission (V.C.3).
    SubjectStn,
    /// The subject states no topic (V.C.3).
    SubjectTopic,
    /// The RPM of the submission is not copied (VI.C.1, VII.B.1).
    RpmCc,
    /// The message replied to lacked the RPM and the draft does not ask the sponsor to
    /// include the RPM from now on (VII.B.1).
    RpmReminder,
    /// A recipient is not at a domain on file for the sponsor (VI.B.3, VI.C.2).
    SponsorDomain,
    /// A recipient is a small edit away from a known address or domain (VI.B.3, VI.C.2).
    NearMissAddress,
    /// The draft quotes a long email string (V.C.4).
    EmailString,
    /// The quoted string carries attachments that may belong in the final documentation
    /// (V.C.4).
    StringAttachment,
    /// The draft names another application (V.C.7).
    OtherApplication,
    /// The draft still contains a template instruction in `[[…]]` (IV.E).
    UnfilledText,
    /// An attachment marked as the letter is not a signed PDF (V.C.5).
    PivLetterUnsigned,
    /// The draft covers a signed letter, so it is not uploaded to CER (V.C.5).
    PivLetterCer,
}

impl Rule {
    /// Returns the rule's name as used in output (`secure-email`).
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::NoRecipient => "no-recipient",
            Rule::OfficialFrom => "official-from",
            Rule::SecureEmail => "secure-email",
            Rule::IspDomain => "isp-domain",
            Rule::SubjectStn => "subject-stn",
            Rule::SubjectTopic => "subject-topic",
            Rule::RpmCc => "rpm-cc",
            Rule::RpmReminder => "rpm-reminder",
            Rule::SponsorDomain => "sponsor-domain",
            Rule::NearMissAddress => "near-miss-address",
            Rule::EmailString => "email-string",
            Rule::StringAttachment => "string-attachment",
            Rule::OtherApplication => "other-application",
            Rule::UnfilledText => "unfilled-text",
            Rule::PivLetterUnsigned => "piv-letter-unsigned",
            Rule::PivLetterCer => "piv-letter-cer",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// One problem found in a draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule.
    pub rule: Rule,
    /// Whether it blocks the export.
    pub severity: Severity,
    /// The SOPP 8119 section the rule applies (`V.C.3`).
    pub section: String,
    /// The offending value: an address, a subject, an identifier.
    pub value: String,
    /// The problem, in a sentence.
    pub message: String,
    /// The action that resolves it.
    pub fix: String,
}

/// The message a draft replies to, as the checks need it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Original {
    /// The From, To and Cc addresses, lowercase, and those of the earlier messages of the
    /// thread that are stored.
    pub addresses: Vec<String>,
    /// The To and Cc addresses, lowercase.
    pub recipients: Vec<String>,
    /// The identifiers it carries.
    pub identifiers: Vec<Identifier>,
    /// Whether the RPM was in To or Cc, as decided for the message; none when no RPM
    /// applies or no decision is known.
    pub rpm_addressed: Option<bool>,
    /// Its attachment names.
    pub attachments: Vec<String>,
}

impl Original {
    /// Builds the view of `message` the checks need, taking the identifiers and whether the
    /// RPM was addressed from `outcome` when given.
    pub fn from_message(message: &ParsedMessage, outcome: Option<&Outcome>) -> Original {
        let address =
            |m: &crate::message::Mailbox| m.address.as_ref().map(|a| a.to_ascii_lowercase());
        let recipients: Vec<String> = message
            .to
            .iter()
            .chain(&message.cc)
            .filter_map(address)
            .collect();
        let mut addresses: Vec<String> = message.from.iter().filter_map(address).collect();
        addresses.extend(recipients.iter().cloned());
        let attachments: Vec<String> = message
            .attachments
            .iter()
            .filter_map(|a| a.name.clone())
            .collect();
        let identifiers = match outcome {
            Some(outcome) => outcome.identifiers.clone(),
            None => identifiers::detect_in_message(
                message.subject.as_deref().unwrap_or_default(),
                &message.body_text,
                attachments.iter().map(String::as_str),
            ),
        };
        let rpm_addressed = outcome
            .and_then(|o| o.fact(FactKey::RpmAddressed))
            .and_then(|fact| match fact.value.as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            });
        Original {
            addresses,
            recipients,
            identifiers,
            rpm_addressed,
            attachments,
        }
    }
}

/// The data the checks compare a draft with.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CheckContext {
    /// The settings: official and ISP domains, the email-string limit.
    pub settings: DraftSettings,
    /// The RPM directory: each submission's RPM and sponsor domains.
    pub directory: Directory,
    /// The secure-email partner registry.
    pub partners: PartnerRegistry,
    /// The message the draft replies to, when known.
    pub original: Option<Original>,
    /// The time certificates are checked at.
    pub at: Timestamp,
}

/// The submission a draft is about, with its RPM directory entry.
struct Submission<'a> {
    value: String,
    application: String,
    entry: Option<&'a DirectoryEntry>,
}

/// Checks `draft` and returns its findings, blocking ones first.
pub fn check(draft: &Draft, context: &CheckContext) -> Vec<Finding> {
    let mut findings = Vec::new();
    check_recipients_present(draft, &mut findings);
    check_from(draft, context, &mut findings);
    check_secure_email(draft, context, &mut findings);
    let submission = submission(draft, context);
    check_subject(draft, context, submission.as_ref(), &mut findings);
    if let Some(submission) = &submission {
        check_rpm(draft, context, submission, &mut findings);
        check_sponsor_domain(draft, context, submission, &mut findings);
    }
    check_near_miss(draft, context, &mut findings);
    check_email_string(draft, context, &mut findings);
    check_other_applications(draft, context, submission.as_ref(), &mut findings);
    check_unfilled_text(draft, &mut findings);
    check_letters(draft, &mut findings);
    findings.sort_by_key(|f| f.severity);
    findings
}

fn finding(
    rule: Rule,
    severity: Severity,
    section: &str,
    value: impl Into<String>,
    message: String,
    fix: String,
) -> Finding {
    Finding {
        rule,
        severity,
        section: section.to_owned(),
        value: value.into(),
        message,
        fix,
    }
}

/// Returns `noun` with an "s" unless `count` is one.
fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        noun.to_owned()
    } else {
        format!("{noun}s")
    }
}

fn is_official(address: &str, settings: &DraftSettings) -> bool {
    domain_of(address).is_some_and(|domain| {
        settings
            .official_domains
            .iter()
            .any(|official| domain_within(&domain, official))
    })
}

fn check_recipients_present(draft: &Draft, findings: &mut Vec<Finding>) {
    if draft.recipients().next().is_none() {
        findings.push(finding(
            Rule::NoRecipient,
            Severity::Blocking,
            "VI.C.2",
            "",
            "the draft has no recipient".to_owned(),
            "add the sponsor's address to To".to_owned(),
        ));
    }
}

/// SOPP 8119 V.C.2: "Emails must be sent from official FDA email accounts only as they are
/// secure."
fn check_from(draft: &Draft, context: &CheckContext, findings: &mut Vec<Finding>) {
    let domains = context.settings.official_domains.join(", ");
    match &draft.from {
        None => findings.push(finding(
            Rule::OfficialFrom,
            Severity::Blocking,
            "V.C.2",
            "",
            "the draft has no From address".to_owned(),
            "set your official address under Settings (`regmail settings set reviewer-email ADDRESS` on the command line, or --from for one draft)".to_owned(),
        )),
        Some(from) if !is_official(&from.address, &context.settings) => findings.push(finding(
            Rule::OfficialFrom,
            Severity::Blocking,
            "V.C.2",
            from.address.clone(),
            format!("From {} is not at an official FDA domain ({domains})", from.address),
            "send from your official FDA account; if this domain is official, add it with `regmail settings set official-domains`".to_owned(),
        )),
        Some(_) => {}
    }
}

/// SOPP 8119 V.A.1 and V.C.1: regulatory communications go to recipients only by secure
/// email, unless a V.A.1.a exception applies; Appendix A: ISP addresses cannot be secured.
fn check_secure_email(draft: &Draft, context: &CheckContext, findings: &mut Vec<Finding>) {
    if draft.exception.is_some() {
        return;
    }
    let alternatives =
        "send it by U.S. postal service or commercial carrier instead (a follow-up fax is allowed)";
    for recipient in draft.recipients() {
        let address = recipient.address.to_ascii_lowercase();
        if is_official(&address, &context.settings) {
            continue;
        }
        let domain = domain_of(&address).unwrap_or_default();
        if let Some(isp) = context
            .settings
            .isp_domains
            .iter()
            .find(|isp| domain_within(&domain, isp))
        {
            findings.push(finding(
                Rule::IspDomain,
                Severity::Blocking,
                "Appendix A",
                address.clone(),
                format!("{address} is at the ISP domain {isp}, which cannot be secured"),
                format!("{alternatives}, or ask the recipient for an address at their organization's own domain; if the communication is a V.A.1.a exception, record that exception for the draft (--exception on the command line)"),
            ));
            continue;
        }
        let message = match context.partners.lookup(&address, context.at) {
            PartnerStatus::Partner(_) => continue,
            PartnerStatus::Expired(entry) => format!(
                "the S/MIME certificate on file for {address} expired on {}, and {domain} has no enforced TLS on file",
                entry
                    .not_after
                    .map(|t| t.strftime("%Y-%m-%d").to_string())
                    .unwrap_or_default()
            ),
            PartnerStatus::Unknown => format!(
                "{address} is not a secure-email partner: {domain} has no enforced TLS on file and the address has no S/MIME certificate"
            ),
        };
        findings.push(finding(
            Rule::SecureEmail,
            Severity::Blocking,
            "V.A.1",
            address.clone(),
            message,
            format!("{alternatives}, and send the Appendix A instructions for setting up secure email (template secure-email-setup); record a verified partner with `regmail partners import`; if the communication is a V.A.1.a exception, record that exception for the draft (--exception on the command line)"),
        ));
    }
}

/// Returns the submission the draft is about: the one it records, or else the first
/// identifier in its subject and body with an RPM directory entry, or the first one.
fn submission<'a>(draft: &Draft, context: &'a CheckContext) -> Option<Submission<'a>> {
    let lookup = |identifier: &Identifier| Submission {
        value: identifier.value.clone(),
        application: identifier.application.clone(),
        entry: context.directory.lookup(identifier),
    };
    if let Some(stn) = &draft.stn {
        return Some(match identifiers::parse_application(stn) {
            Some(identifier) => lookup(&identifier),
            None => Submission {
                value: stn.clone(),
                application: stn.clone(),
                entry: None,
            },
        });
    }
    if !draft.about_submission {
        return None;
    }
    let named = identifiers::detect_in_message(&draft.subject, &draft.body, []);
    named
        .iter()
        .find(|i| context.directory.lookup(i).is_some())
        .or(named.first())
        .map(lookup)
}

/// SOPP 8119 V.C.3: "The email's subject line will clearly define the topic addressed in
/// the communication and the related submission tracking number (STN), if assigned."
fn check_subject(
    draft: &Draft,
    context: &CheckContext,
    submission: Option<&Submission<'_>>,
    findings: &mut Vec<Finding>,
) {
    let subject = draft.subject.trim();
    let in_subject = identifiers::detect(subject, &identifiers::Location::Subject);
    if subject.is_empty() {
        findings.push(finding(
            Rule::SubjectTopic,
            Severity::Blocking,
            "V.C.3",
            "",
            "the subject is empty".to_owned(),
            "write the topic of the communication and the STN in the subject".to_owned(),
        ));
    } else {
        let mut rest = subject.to_owned();
        for identifier in in_subject.iter().rev() {
            rest.replace_range(identifier.start..identifier.end, "");
        }
        let rest = rest
            .to_ascii_lowercase()
            .replace("re:", "")
            .replace("fw:", "");
        if !rest.chars().any(char::is_alphabetic) {
            findings.push(finding(
                Rule::SubjectTopic,
                Severity::Warning,
                "V.C.3",
                subject,
                "the subject names the submission but no topic".to_owned(),
                "add the topic of the communication to the subject".to_owned(),
            ));
        }
    }

    let original = context
        .original
        .as_ref()
        .and_then(|o| o.identifiers.first());
    match (submission, original) {
        (Some(submission), _)
            if !in_subject
                .iter()
                .any(|i| i.application == submission.application)
                && !contains_ignoring_case(subject, &submission.value) =>
        {
            let topic = super::render::topic_of(subject);
            findings.push(finding(
                Rule::SubjectStn,
                Severity::Blocking,
                "V.C.3",
                submission.value.clone(),
                format!(
                    "the subject does not carry {}, the submission the draft is about",
                    submission.value
                ),
                format!(
                    "put it in the subject, as in \"{} - {topic}\"",
                    submission.value
                ),
            ));
        }
        (None, Some(identifier)) if draft.about_submission => {
            findings.push(finding(
                Rule::SubjectStn,
                Severity::Warning,
                "V.C.3",
                identifier.value.clone(),
                format!(
                    "the message replied to concerns {}, but the draft names no submission",
                    identifier.value
                ),
                format!(
                    "if the reply pertains to {0}, put {0} in the subject; if it is general information, record the general-information exception for the draft (--exception general-information on the command line)",
                    identifier.value
                ),
            ));
        }
        _ => {}
    }
}

/// Returns whether `text` contains `needle`, ignoring ASCII case. A submission recorded in
/// a form the identifier detector does not read is looked for as written.
fn contains_ignoring_case(text: &str, needle: &str) -> bool {
    text.to_ascii_lowercase()
        .contains(&needle.trim().to_ascii_lowercase())
}

/// SOPP 8119 VII.B.1: "Always include the RPM as a courtesy copy (cc:) on secure emails …
/// and inform the sponsor/applicant in the secure email to include the RPM on any
/// responses or future emails, if the RPM was not included in the original email."
fn check_rpm(
    draft: &Draft,
    context: &CheckContext,
    submission: &Submission<'_>,
    findings: &mut Vec<Finding>,
) {
    let Some(entry) = submission.entry else {
        return;
    };
    let rpm = entry.rpm_email.to_ascii_lowercase();
    let copied = draft
        .to
        .iter()
        .chain(&draft.cc)
        .chain(draft.from.iter())
        .any(|m| m.address.eq_ignore_ascii_case(&rpm));
    if !copied {
        findings.push(finding(
            Rule::RpmCc,
            Severity::Blocking,
            "VII.B.1",
            rpm.clone(),
            format!(
                "the RPM of {}, {} <{rpm}>, is not copied",
                submission.value, entry.rpm_name
            ),
            format!("add {rpm} to Cc"),
        ));
    }

    let Some(original) = &context.original else {
        return;
    };
    let rpm_missing = match original.rpm_addressed {
        Some(addressed) => !addressed,
        None => !original.recipients.iter().any(|a| a == &rpm),
    };
    let body = draft.body.to_lowercase();
    let names_rpm = body.contains(&rpm) || body.contains(&entry.rpm_name.to_lowercase());
    if rpm_missing && !(names_rpm && body.contains("include")) {
        findings.push(finding(
            Rule::RpmReminder,
            Severity::Blocking,
            "VII.B.1",
            rpm.clone(),
            "the message replied to did not include the RPM, and the draft does not ask the sponsor to include the RPM from now on".to_owned(),
            format!(
                "add a sentence such as \"Please include {} ({rpm}) on any responses and all future emails about {}.\"",
                entry.rpm_name, submission.value
            ),
        ));
    }
}

/// SOPP 8119 VI.C.2: "Ensure email is only sent to recipients that have secure email and
/// that correct recipient is selected if auto-complete function of MS Outlook is used."
fn check_sponsor_domain(
    draft: &Draft,
    context: &CheckContext,
    submission: &Submission<'_>,
    findings: &mut Vec<Finding>,
) {
    let Some(entry) = submission.entry.filter(|e| !e.sponsor_domains.is_empty()) else {
        return;
    };
    for recipient in draft.recipients() {
        let address = recipient.address.to_ascii_lowercase();
        if is_official(&address, &context.settings) {
            continue;
        }
        let domain = domain_of(&address).unwrap_or_default();
        if !entry
            .sponsor_domains
            .iter()
            .any(|sponsor| domain_within(&domain, sponsor))
        {
            findings.push(finding(
                Rule::SponsorDomain,
                Severity::Warning,
                "VI.C.2",
                address.clone(),
                format!(
                    "{address} is not at a domain on file for {} for {} ({})",
                    entry.sponsor,
                    submission.value,
                    entry.sponsor_domains.join(", ")
                ),
                "check that Outlook auto-complete chose the right recipient; if the sponsor uses this domain, add it to the RPM directory".to_owned(),
            ));
        }
    }
}

/// Addresses and domains that differ from a known one by one or two edits
/// (Damerau-Levenshtein) are likely auto-complete or typing slips (SOPP 8119 VI.B.3,
/// VI.C.2).
fn check_near_miss(draft: &Draft, context: &CheckContext, findings: &mut Vec<Finding>) {
    let mut addresses: BTreeSet<String> = BTreeSet::new();
    let mut domains: BTreeSet<String> = BTreeSet::new();
    for entry in context.directory.entries() {
        addresses.insert(entry.rpm_email.to_ascii_lowercase());
        domains.extend(entry.sponsor_domains.iter().cloned());
    }
    for entry in context.partners.entries() {
        match entry.method {
            PartnerMethod::Smime => addresses.insert(entry.entry.clone()),
            PartnerMethod::Tls => domains.insert(entry.entry.clone()),
        };
    }
    if let Some(original) = &context.original {
        addresses.extend(original.addresses.iter().cloned());
    }
    if let Some(from) = &draft.from {
        addresses.insert(from.address.to_ascii_lowercase());
    }
    domains.extend(context.settings.official_domains.iter().cloned());
    domains.extend(addresses.iter().filter_map(|a| domain_of(a)));

    for recipient in draft.recipients() {
        let address = recipient.address.to_ascii_lowercase();
        if addresses.contains(&address) {
            continue;
        }
        if let Some((distance, known)) = closest(&address, &addresses, 8) {
            findings.push(finding(
                Rule::NearMissAddress,
                Severity::Warning,
                "VI.C.2",
                address.clone(),
                format!(
                    "{address} differs by {distance} {} from the known address {known}",
                    plural(distance, "character")
                ),
                format!("check the recipient; did you mean {known}?"),
            ));
            continue;
        }
        let domain = domain_of(&address).unwrap_or_default();
        if domains.contains(&domain) {
            continue;
        }
        if let Some((distance, known)) = closest(&domain, &domains, 6) {
            findings.push(finding(
                Rule::NearMissAddress,
                Severity::Warning,
                "VI.C.2",
                address.clone(),
                format!(
                    "the domain {domain} differs by {distance} {} from the known domain {known}",
                    plural(distance, "character")
                ),
                format!("check the recipient; did you mean an address at {known}?"),
            ));
        }
    }
}

/// Returns the known value closest to `value` when one or two edits away, ignoring known
/// values shorter than `min_len`, where two edits change too much.
fn closest<'a>(
    value: &str,
    known: &'a BTreeSet<String>,
    min_len: usize,
) -> Option<(usize, &'a str)> {
    known
        .iter()
        .filter(|k| k.len() >= min_len && k.len().abs_diff(value.len()) <= 2)
        .map(|k| (strsim::damerau_levenshtein(value, k), k.as_str()))
        .filter(|(distance, _)| (1..=2).contains(distance))
        .min()
}

static ORIGINAL_MESSAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?im)^[>\s]*-{2,}\s*(original message|forwarded message)\s*-{2,}\s*$")
        .expect("valid regex")
});
static WROTE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?im)^[>\s]*on .{4,200} wrote:\s*$").expect("valid regex"));
static HEADER_BLOCK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?im)^[>\s]*from:[^\n]*\n(?:[>\s]*[a-z-]+:[^\n]*\n){0,3}?[>\s]*(sent|date):")
        .expect("valid regex")
});
static ATTACHMENT_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?im)^[>\s]*attachments?:\s*(.+)$").expect("valid regex"));

/// Returns how many earlier messages `body` quotes: the deepest `>` quoting, or the number
/// of reply headers ("-----Original Message-----", "On … wrote:", a From/Sent block),
/// whichever is larger.
pub fn quoted_messages(body: &str) -> usize {
    let depth = body
        .lines()
        .map(|line| {
            line.chars()
                .take_while(|c| *c == '>' || *c == ' ')
                .filter(|c| *c == '>')
                .count()
        })
        .max()
        .unwrap_or(0);
    let separators = ORIGINAL_MESSAGE.find_iter(body).count()
        + WROTE.find_iter(body).count()
        + HEADER_BLOCK.find_iter(body).count();
    depth.max(separators)
}

/// SOPP 8119 V.C.4: "CBER staff is discouraged from creating email strings … If an email
/// string must be used and it contains an attachment with information used in regulatory
/// decision making, the attachment must be included in the final documentation."
fn check_email_string(draft: &Draft, context: &CheckContext, findings: &mut Vec<Finding>) {
    let quoted = quoted_messages(&draft.body);
    if quoted == 0 {
        return;
    }
    if quoted > context.settings.max_quoted_messages {
        findings.push(finding(
            Rule::EmailString,
            Severity::Warning,
            "V.C.4",
            format!("{quoted} earlier {} quoted", plural(quoted, "message")),
            format!(
                "the draft quotes an email string of {quoted} earlier {}",
                plural(quoted, "message")
            ),
            "write a new email that states the information instead of replying to the string"
                .to_owned(),
        ));
    }
    let mut attachments: Vec<String> = context
        .original
        .as_ref()
        .map(|o| o.attachments.clone())
        .unwrap_or_default();
    for caps in ATTACHMENT_LINE.captures_iter(&draft.body) {
        for name in caps[1]
            .split([';', ','])
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            if !attachments.iter().any(|a| a == name) {
                attachments.push(name.to_owned());
            }
        }
    }
    if !attachments.is_empty() {
        findings.push(finding(
            Rule::StringAttachment,
            Severity::Warning,
            "V.C.4",
            attachments.join(", "),
            format!("the quoted string carries attachments: {}", attachments.join(", ")),
            "if any of them was used in a regulatory decision, include it in the final documentation".to_owned(),
        ));
    }
}

/// SOPP 8119 V.C.7: "Communications via secure email should include only information
/// pertinent to the referenced application or a related precursor submission (e.g.,
/// pre-IND or Master File). Exceptions would include a trans-BLA or a bundled submission".
fn check_other_applications(
    draft: &Draft,
    context: &CheckContext,
    submission: Option<&Submission<'_>>,
    findings: &mut Vec<Finding>,
) {
    if draft.marks.trans_bla || draft.marks.bundled {
        return;
    }
    let related: Vec<String> = draft
        .marks
        .related
        .iter()
        .filter_map(|r| identifiers::parse_application(r).map(|i| i.application))
        .collect();
    let named = identifiers::detect_in_message(&draft.subject, &draft.body, []);
    let mut reported: Vec<&str> = Vec::new();
    for identifier in &named {
        let application = identifier.application.as_str();
        if submission.is_some_and(|s| s.application == application)
            || related.iter().any(|r| r == application)
            || reported.contains(&application)
        {
            continue;
        }
        reported.push(application);
        let message = match submission {
            Some(submission) => {
                let owner = context
                    .directory
                    .lookup(identifier)
                    .filter(|e| submission.entry.is_none_or(|s| s.sponsor != e.sponsor))
                    .map(|e| format!(", which is on file for another sponsor, {}", e.sponsor))
                    .unwrap_or_default();
                format!(
                    "the draft names {}, another application than {}{owner}",
                    identifier.value, submission.value
                )
            }
            None => format!(
                "the draft names {} although it is marked as not pertaining to a submission; an STN makes an email regulatory (IV.G)",
                identifier.value
            ),
        };
        findings.push(finding(
            Rule::OtherApplication,
            Severity::Warning,
            "V.C.7",
            identifier.value.clone(),
            message,
            format!(
                "remove it unless it is pertinent: mark it as a related precursor such as a pre-IND or master file, or mark the draft as trans-BLA or bundled (--related \"{}\", --trans-bla or --bundled on the command line)",
                identifier.value
            ),
        ));
    }
}

static UNFILLED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[\[([^\]]*)\]\]").expect("valid regex"));

/// SOPP 8119 IV.E: the record copy "must be an exact duplication of what the
/// sponsor/applicant receives", so a template's instructions must not be left in it.
fn check_unfilled_text(draft: &Draft, findings: &mut Vec<Finding>) {
    for text in [&draft.subject, &draft.body] {
        if let Some(caps) = UNFILLED.captures(text) {
            let inner: String = caps[1].chars().take(60).collect();
            findings.push(finding(
                Rule::UnfilledText,
                Severity::Blocking,
                "IV.E",
                format!("[[{inner}]]"),
                "the draft still contains a template instruction in [[…]]".to_owned(),
                "replace the instruction with the text to send (--body FILE, or edit the draft)"
                    .to_owned(),
            ));
        }
    }
}

/// SOPP 8119 V.C.5: letters signed and locked with the PIV badge "may be issued to the
/// sponsor/applicant by secure email … the email with the letter attached … should not be
/// uploaded into the CER (through CBER Connect)."
fn check_letters(draft: &Draft, findings: &mut Vec<Finding>) {
    for attachment in draft
        .attachments
        .iter()
        .filter(|a| a.letter && !a.signed_pdf)
    {
        findings.push(finding(
            Rule::PivLetterUnsigned,
            Severity::Blocking,
            "V.C.5",
            attachment.name.clone(),
            format!(
                "the letter {} is not a digitally signed PDF",
                attachment.name
            ),
            "sign and lock the letter with your PIV badge (SOPP 8116) and attach the signed PDF"
                .to_owned(),
        ));
    }
    if let Some(letter) = draft.attachments.iter().find(|a| a.letter || a.signed_pdf) {
        findings.push(finding(
            Rule::PivLetterCer,
            Severity::Warning,
            "V.C.5",
            letter.name.clone(),
            format!("the draft covers the signed letter {}, which may be issued by secure email", letter.name),
            "upload the letter through CBER Connect, not this covering email; the record copy is marked as not for CER upload".to_owned(),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_messages_counts_depth_and_headers() {
        assert_eq!(quoted_messages("Thanks.\n"), 0);
        assert_eq!(quoted_messages("Thanks.\n> earlier\n> > even earlier\n"), 2);
        let outlook = "Reply.\n\nFrom: Priya Raman <priya@acmebio.example>\nSent: Tuesday, March 4, 2025 10:12 AM\nTo: Dana\nSubject: x\n\nold\n\n-----Original Message-----\nolder\n";
        assert_eq!(quoted_messages(outlook), 2);
        assert_eq!(
            quoted_messages(
                "Reply.\n\nOn Tue, Mar 4, 2025 at 10:12 AM Priya Raman wrote:\n> old\n"
            ),
            1
        );
    }

    #[test]
    fn closest_ignores_exact_and_far_values() {
        let known: BTreeSet<String> = ["marcus.ortega@fda.hhs.gov".to_owned()].into();
        assert_eq!(
            closest("marcus.ortgea@fda.hhs.gov", &known, 8),
            Some((1, "marcus.ortega@fda.hhs.gov"))
        );
        assert_eq!(closest("marcus.ortega@fda.hhs.gov", &known, 8), None);
        assert_eq!(closest("grace.liu@fda.hhs.gov", &known, 8), None);
    }
}
