//! Reply templates: plain-text files with a header block and a body with `{{field}}`
//! placeholders, versioned so that each record copy names the text it came from.
//!
//! A template file looks like this:
//!
//! ```text
//! name: include-rpm
//! version: 1
//! section: VI.C.6
//! description: Remind the sponsor to include the RPM on all emails about the submission.
//! for: remind-include-rpm
//! subject: {{stn}} - Please include the Regulatory Project Manager: {{original_topic}}
//! ---
//! Dear {{recipient_name}},
//! {{#rpm_missing}}
//! Please include {{rpm_name}} ({{rpm_email}}) on all future emails.
//! {{/rpm_missing}}
//! ```
//!
//! Header keys: `name` (the file name without `.txt`), `version` (a whole number, raised on
//! every change of the text), `section` (the SOPP 8119 section the reply serves),
//! `description`, `subject`, and optionally `for` (the dispositions and task kinds the
//! template replies to, comma-separated), `exception` (the V.A.1.a exception the reply falls
//! under), `submission` (`no` when the reply does not pertain to the submission) and
//! `communication` (`email` or `telecon`, SOPP 8119 VII.B.2). Lines starting with `#` in
//! the header are comments.
//!
//! In the subject and body, `{{field}}` is replaced by the field's value (see [`FIELDS`]).
//! `{{#field}}…{{/field}}` keeps its content only when the field has a value, and
//! `{{^field}}…{{/field}}` only when it has none. A section tag alone on its line takes the
//! whole line with it. A field outside any section must have a value when the draft is
//! rendered; wrap it in a section to make it optional.
//!
//! The built-in templates are the files in the repository's `templates/` folder, embedded
//! in the binary. A folder of user templates overrides a built-in template of the same name
//! and adds new ones.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

use super::{CommunicationType, Exception, TemplateRef};
use crate::sopp::{Outcome, Tree};

/// The built-in templates, by name, as shipped in `templates/`.
pub const BUILT_IN: [(&str, &str); 7] = [
    (
        "acknowledge-not-accepted",
        include_str!("../../templates/acknowledge-not-accepted.txt"),
    ),
    (
        "include-rpm",
        include_str!("../../templates/include-rpm.txt"),
    ),
    (
        "acknowledge-spind",
        include_str!("../../templates/acknowledge-spind.txt"),
    ),
    (
        "redirect-emergency",
        include_str!("../../templates/redirect-emergency.txt"),
    ),
    (
        "request-electronic-media",
        include_str!("../../templates/request-electronic-media.txt"),
    ),
    (
        "secure-email-setup",
        include_str!("../../templates/secure-email-setup.txt"),
    ),
    (
        "general-information",
        include_str!("../../templates/general-information.txt"),
    ),
];

/// A placeholder a template may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Field {
    /// The name written between the braces.
    pub name: &'static str,
    /// The value it is filled with.
    pub description: &'static str,
}

/// Every field a template may use.
pub const FIELDS: [Field; 27] = [
    Field { name: "recipient_name", description: "the display name of the sender of the message replied to, or the address" },
    Field { name: "recipient_email", description: "the address of the sender of the message replied to" },
    Field { name: "sponsor", description: "the sponsor on file in the RPM directory for the submission" },
    Field { name: "stn", description: "the submission the reply is about, as written in the message (STN 125742/0)" },
    Field { name: "product", description: "the product on file in the RPM directory" },
    Field { name: "original_subject", description: "the subject of the message replied to" },
    Field { name: "original_topic", description: "that subject without Re:/Fwd: and without a leading submission number" },
    Field { name: "received_date", description: "the date the message reached FDA, Eastern Time (March 4, 2025)" },
    Field { name: "received_time", description: "the time the message reached FDA, Eastern Time (10:15 AM ET)" },
    Field { name: "attachment_count", description: "the number of attachments of the message replied to" },
    Field { name: "attachment_size", description: "their total size (12.5 MB)" },
    Field { name: "rpm_name", description: "the Regulatory Project Manager (RPM) on file for the submission" },
    Field { name: "rpm_email", description: "the RPM's address" },
    Field { name: "rpm_missing", description: "\"yes\" when the message replied to did not include the RPM (SOPP 8119 VI.C.6), else empty" },
    Field { name: "reviewer_name", description: "your name (setting reviewer-name)" },
    Field { name: "reviewer_email", description: "your official address (setting reviewer-email)" },
    Field { name: "redirect_name", description: "the contact an initial emergency-use request goes to (OCOD or Emergency Call Center)" },
    Field { name: "redirect_full_name", description: "that contact's full name" },
    Field { name: "redirect_phones", description: "that contact's telephone numbers" },
    Field { name: "redirect_email", description: "that contact's address, where the SOPP gives one" },
    Field { name: "redirect_when", description: "when that contact applies" },
    Field { name: "ocod_phones", description: "OCOD's telephone numbers (SOPP 8119 V.B.3)" },
    Field { name: "ocod_email", description: "OCOD's address (SOPP 8119 V.B.3)" },
    Field { name: "emergency_call_center_phones", description: "the FDA Emergency Call Center's telephone numbers (SOPP 8119 V.B.3)" },
    Field { name: "spind_mailbox", description: "the SPIND mailbox, CBERSPIND@fda.hhs.gov" },
    Field { name: "spind_subject_unlabelled", description: "\"yes\" when a SPIND subject marks neither a new request nor an IND number (SOPP 8119 V.B.3), else empty" },
    Field { name: "attachment_names", description: "the attachment names of the message replied to, comma-separated" },
];

/// The kind of problem in a template file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TemplateErrorKind {
    /// The file cannot be read as UTF-8 text.
    Unreadable,
    /// The file does not start with a header block.
    MissingHeader,
    /// No `---` line ends the header block.
    NoSeparator,
    /// A required header key is missing.
    MissingHeaderKey,
    /// A header key is not one of the known keys.
    UnknownHeaderKey,
    /// A header key appears twice.
    DuplicateHeaderKey,
    /// A header value is invalid.
    InvalidHeaderValue,
    /// The `name` does not match the file name.
    NameMismatch,
    /// A `{{` has no `}}` on the same line.
    UnclosedPlaceholder,
    /// A placeholder names an unknown field.
    UnknownField,
    /// A section is opened and never closed.
    UnclosedSection,
    /// A section end does not match the open section.
    UnexpectedSectionEnd,
    /// The body is empty.
    EmptyBody,
}

/// A problem in a template file, with where it is and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct TemplateError {
    /// The file: its path, or `built-in NAME`.
    pub file: String,
    /// The line, from 1, or 0 when the problem concerns the whole file.
    pub line: usize,
    /// The kind of problem.
    pub kind: TemplateErrorKind,
    /// The problem.
    pub problem: String,
    /// How to fix it.
    pub fix: String,
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "template {}: {}; {}", self.file, self.problem, self.fix)
        } else {
            write!(
                f,
                "template {} line {}: {}; {}",
                self.file, self.line, self.problem, self.fix
            )
        }
    }
}

/// Errors finding a template.
#[derive(Debug, thiserror::Error)]
pub enum TemplatesError {
    /// No template has the name.
    #[error("no template named {name:?}; available: {available}")]
    NotFound {
        /// The name asked for.
        name: String,
        /// The names available, comma-separated.
        available: String,
    },
    /// The template's file has a problem.
    #[error(transparent)]
    Broken(#[from] TemplateError),
    /// The templates folder cannot be read.
    #[error(
        "cannot read the templates folder {path}; create it, or change the setting templates-dir"
    )]
    ReadDir {
        /// The folder.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}

/// The source a template was loaded from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Origin {
    /// Shipped in the binary.
    BuiltIn,
    /// A user's file.
    File {
        /// The file path.
        path: PathBuf,
    },
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::BuiltIn => f.write_str("built-in"),
            Origin::File { path } => write!(f, "{}", path.display()),
        }
    }
}

/// A piece of a parsed subject or body.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Text(String),
    Field {
        name: &'static str,
        line: usize,
    },
    Section {
        name: &'static str,
        inverted: bool,
        children: Vec<Node>,
    },
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Template {
    /// The name, which is also the file name without `.txt`.
    pub name: String,
    /// The version.
    pub version: u32,
    /// The SOPP section the reply serves.
    pub section: String,
    /// The purpose of the reply.
    pub description: String,
    /// The dispositions and task kinds the template replies to.
    pub serves: Vec<String>,
    /// The V.A.1.a exception the reply falls under, which the draft starts with.
    pub exception: Option<Exception>,
    /// Whether the reply pertains to the submission of the message replied to.
    pub about_submission: bool,
    /// The communication type the draft starts with.
    pub communication: CommunicationType,
    /// The source it was loaded from.
    pub origin: Origin,
    /// The file text as read.
    pub text: String,
    #[serde(skip)]
    subject: Vec<Node>,
    #[serde(skip)]
    body: Vec<Node>,
}

/// A field outside any section that has no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingValue {
    /// The field.
    pub field: &'static str,
    /// The line of the template where it is used.
    pub line: usize,
}

impl Template {
    /// Parses the template text of `file`, which is named `expected_name` (its file name
    /// without `.txt`).
    ///
    /// # Errors
    ///
    /// Returns [`TemplateError`] for a missing or malformed header, a `name` that differs
    /// from `expected_name`, an unknown field, an unclosed `{{` or a section that is not
    /// closed.
    pub fn parse(
        text: &str,
        expected_name: &str,
        origin: Origin,
    ) -> Result<Template, TemplateError> {
        let file = match &origin {
            Origin::BuiltIn => format!("built-in {expected_name}"),
            Origin::File { path } => path.display().to_string(),
        };
        let err =
            |line: usize, kind: TemplateErrorKind, problem: String, fix: &str| TemplateError {
                file: file.clone(),
                line,
                kind,
                problem,
                fix: fix.to_owned(),
            };

        let lines: Vec<&str> = text.split_inclusive('\n').collect();
        let mut header: BTreeMap<&str, (usize, String)> = BTreeMap::new();
        let mut separator = None;
        for (index, raw) in lines.iter().enumerate() {
            let line = index + 1;
            let content = raw.trim_end_matches(['\n', '\r']);
            if content.trim() == "---" {
                separator = Some(index);
                break;
            }
            if content.trim().is_empty() || content.trim_start().starts_with('#') {
                continue;
            }
            let plausible_key = |key: &str| {
                !key.trim().is_empty()
                    && key
                        .trim()
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '-')
            };
            let split = content
                .split_once(':')
                .filter(|(key, _)| !header.is_empty() || plausible_key(key));
            let Some((key, value)) = split else {
                return Err(if header.is_empty() {
                    err(
                        line,
                        TemplateErrorKind::MissingHeader,
                        format!("expected a header line `key: value`, found {content:?}"),
                        "start the file with a header block (name, version, section, description, subject) and end it with a line containing only ---",
                    )
                } else {
                    err(
                        line,
                        TemplateErrorKind::NoSeparator,
                        format!("expected a header line `key: value` or ---, found {content:?}"),
                        "end the header block with a line containing only ---",
                    )
                });
            };
            let key = key.trim();
            let Some(known) = HEADER_KEYS.iter().find(|k| **k == key) else {
                return Err(err(
                    line,
                    TemplateErrorKind::UnknownHeaderKey,
                    format!("unknown header key {key:?}"),
                    &format!("use one of: {}", HEADER_KEYS.join(", ")),
                ));
            };
            if let Some((first, _)) = header.get(known) {
                return Err(err(
                    line,
                    TemplateErrorKind::DuplicateHeaderKey,
                    format!("header key {key:?} is already set on line {first}"),
                    "keep one of the two lines",
                ));
            }
            header.insert(known, (line, value.trim().to_owned()));
        }
        let Some(separator) = separator else {
            return Err(err(
                lines.len().max(1),
                if header.is_empty() {
                    TemplateErrorKind::MissingHeader
                } else {
                    TemplateErrorKind::NoSeparator
                },
                "the header block is not ended by a line containing only ---".to_owned(),
                "add a line --- between the header block and the body",
            ));
        };

        let required = |key: &str| -> Result<(usize, String), TemplateError> {
            match header.get(key) {
                Some((line, value)) if !value.is_empty() => Ok((*line, value.clone())),
                Some((line, _)) => Err(err(
                    *line,
                    TemplateErrorKind::InvalidHeaderValue,
                    format!("header key {key:?} is empty"),
                    "give it a value",
                )),
                None => Err(err(
                    separator + 1,
                    TemplateErrorKind::MissingHeaderKey,
                    format!("header key {key:?} is missing"),
                    &format!("add a line `{key}: …` before the --- line"),
                )),
            }
        };
        let (name_line, name) = required("name")?;
        if name != expected_name {
            return Err(err(
                name_line,
                TemplateErrorKind::NameMismatch,
                format!("the name {name:?} differs from the file name {expected_name}.txt"),
                &format!("rename the file to {name}.txt or set `name: {expected_name}`"),
            ));
        }
        let (version_line, version) = required("version")?;
        let version: u32 = version.parse().ok().filter(|v| *v > 0).ok_or_else(|| {
            err(
                version_line,
                TemplateErrorKind::InvalidHeaderValue,
                format!("version {version:?} is not a whole number above 0"),
                "write the version as 1, 2, 3…, raised on every change of the text",
            )
        })?;
        let (_, section) = required("section")?;
        let (_, description) = required("description")?;
        let (subject_line, subject_text) = required("subject")?;

        let serves = match header.get("for") {
            None => Vec::new(),
            Some((line, value)) => parse_serves(value).map_err(|unknown| {
                err(
                    *line,
                    TemplateErrorKind::InvalidHeaderValue,
                    format!(
                        "`for` names {unknown:?}, which is neither a disposition nor a task kind"
                    ),
                    &format!(
                        "use any of: {}",
                        serve_values()
                            .iter()
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?,
        };
        let exception = match header.get("exception") {
            None => None,
            Some((_, value)) if value.is_empty() || value == "none" => None,
            Some((line, value)) => Some(value.parse::<Exception>().map_err(|problem| {
                err(
                    *line,
                    TemplateErrorKind::InvalidHeaderValue,
                    problem,
                    "name a SOPP 8119 V.A.1.a exception, or remove the line",
                )
            })?),
        };
        let about_submission = match header.get("submission").map(|(l, v)| (*l, v.as_str())) {
            None | Some((_, "yes")) => true,
            Some((_, "no")) => false,
            Some((line, value)) => {
                return Err(err(
                    line,
                    TemplateErrorKind::InvalidHeaderValue,
                    format!("submission {value:?} is invalid"),
                    "write yes (the reply pertains to the submission) or no",
                ))
            }
        };
        let communication = match header.get("communication") {
            None => CommunicationType::Email,
            Some((line, value)) => value.parse().map_err(|problem| {
                err(
                    *line,
                    TemplateErrorKind::InvalidHeaderValue,
                    problem,
                    "write email or telecon (SOPP 8119 VII.B.2)",
                )
            })?,
        };

        let subject = parse_part(&subject_text, subject_line, &file)?;
        let body_text: String = lines[separator + 1..].concat();
        if body_text.trim().is_empty() {
            return Err(err(
                separator + 1,
                TemplateErrorKind::EmptyBody,
                "the body after the --- line is empty".to_owned(),
                "write the reply's text after the --- line",
            ));
        }
        let body = parse_part(&body_text, separator + 2, &file)?;

        Ok(Template {
            name,
            version,
            section,
            description,
            serves,
            exception,
            about_submission,
            communication,
            origin,
            text: text.to_owned(),
            subject,
            body,
        })
    }

    /// Returns the reference a draft keeps to this template.
    pub fn reference(&self) -> TemplateRef {
        TemplateRef {
            name: self.name.clone(),
            version: self.version,
            section: self.section.clone(),
            origin: self.origin.to_string(),
        }
    }

    /// Returns the fields the template uses, in order of first use.
    pub fn fields(&self) -> Vec<&'static str> {
        fn walk(nodes: &[Node], out: &mut Vec<&'static str>) {
            for node in nodes {
                match node {
                    Node::Text(_) => {}
                    Node::Field { name, .. } => {
                        if !out.contains(name) {
                            out.push(name);
                        }
                    }
                    Node::Section { name, children, .. } => {
                        if !out.contains(name) {
                            out.push(name);
                        }
                        walk(children, out);
                    }
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.subject, &mut out);
        walk(&self.body, &mut out);
        out
    }

    /// Fills the subject and body with `values`. The subject's whitespace is collapsed to
    /// single spaces, and the body ends with one newline.
    ///
    /// # Errors
    ///
    /// Returns the first field outside any section that has no value.
    pub fn fill(
        &self,
        values: &BTreeMap<&'static str, String>,
    ) -> Result<(String, String), MissingValue> {
        let mut subject = String::new();
        fill_nodes(&self.subject, values, false, &mut subject)?;
        let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut body = String::new();
        fill_nodes(&self.body, values, false, &mut body)?;
        let body = format!("{}\n", body.trim_end());
        Ok((subject, body))
    }
}

const HEADER_KEYS: [&str; 9] = [
    "name",
    "version",
    "section",
    "description",
    "subject",
    "for",
    "exception",
    "submission",
    "communication",
];

/// Returns every value `for` accepts: the dispositions and task kinds of the tree.
fn serve_values() -> &'static BTreeSet<String> {
    static VALUES: LazyLock<BTreeSet<String>> = LazyLock::new(|| {
        let tree = Tree::sopp_8119_v11();
        let mut values: BTreeSet<String> = tree.tasks.keys().cloned().collect();
        for node in &tree.nodes {
            for answer in &node.answers {
                if let Some(disposition) = answer.disposition {
                    values.insert(disposition.as_str().to_owned());
                }
            }
        }
        values
    });
    &VALUES
}

fn parse_serves(value: &str) -> Result<Vec<String>, String> {
    let mut serves = Vec::new();
    for item in value.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        if !serve_values().contains(item) {
            return Err(item.to_owned());
        }
        serves.push(item.to_owned());
    }
    Ok(serves)
}

/// A token of a subject or body before sections are nested.
enum Token {
    Text(String),
    Field(&'static str, usize),
    Open(&'static str, bool, usize),
    Close(&'static str, usize),
}

/// Parses a subject or body whose first line is line `first_line` of `file`.
fn parse_part(text: &str, first_line: usize, file: &str) -> Result<Vec<Node>, TemplateError> {
    let mut tokens = Vec::new();
    for (index, raw) in text.split_inclusive('\n').enumerate() {
        let line = first_line + index;
        let trimmed = raw.trim();
        if let Some(tag) = standalone_tag(trimmed) {
            tokens.push(parse_tag(tag, line, file)?);
            continue;
        }
        let mut rest = raw;
        while let Some(open) = rest.find("{{") {
            if open > 0 {
                tokens.push(Token::Text(rest[..open].to_owned()));
            }
            let after = &rest[open + 2..];
            let Some(close) = after.find("}}") else {
                return Err(TemplateError {
                    file: file.to_owned(),
                    line,
                    kind: TemplateErrorKind::UnclosedPlaceholder,
                    problem: format!(
                        "`{{{{` is not closed: {:?}",
                        raw.trim_end_matches(['\n', '\r'])
                    ),
                    fix: "close the placeholder with }} on the same line, as in {{stn}}".to_owned(),
                });
            };
            tokens.push(parse_tag(&after[..close], line, file)?);
            rest = &after[close + 2..];
        }
        if !rest.is_empty() {
            tokens.push(Token::Text(rest.to_owned()));
        }
    }
    nest(tokens, file)
}

/// Returns the inside of a line that is one section tag and nothing else.
fn standalone_tag(trimmed: &str) -> Option<&str> {
    let inner = trimmed.strip_prefix("{{")?.strip_suffix("}}")?;
    (inner.starts_with(['#', '^', '/']) && !inner.contains("{{") && !inner.contains("}}"))
        .then_some(inner)
}

fn parse_tag(inner: &str, line: usize, file: &str) -> Result<Token, TemplateError> {
    let inner = inner.trim();
    let (marker, name) = match inner.chars().next() {
        Some(c @ ('#' | '^' | '/')) => (Some(c), inner[1..].trim()),
        _ => (None, inner),
    };
    let field = FIELDS
        .iter()
        .find(|f| f.name == name)
        .map(|f| f.name)
        .ok_or_else(|| unknown_field(name, line, file))?;
    Ok(match marker {
        Some('#') => Token::Open(field, false, line),
        Some('^') => Token::Open(field, true, line),
        Some(_) => Token::Close(field, line),
        None => Token::Field(field, line),
    })
}

fn unknown_field(name: &str, line: usize, file: &str) -> TemplateError {
    let closest = FIELDS
        .iter()
        .map(|f| (strsim::damerau_levenshtein(name, f.name), f.name))
        .min()
        .filter(|(distance, _)| *distance <= 3);
    let fix = match closest {
        Some((_, suggestion)) => format!(
            "did you mean {{{{{suggestion}}}}}? `regmail templates fields` lists every field"
        ),
        None => "`regmail templates fields` lists every field".to_owned(),
    };
    TemplateError {
        file: file.to_owned(),
        line,
        kind: TemplateErrorKind::UnknownField,
        problem: format!("unknown field {{{{{name}}}}}"),
        fix,
    }
}

/// Nests the tokens of sections into a tree.
fn nest(tokens: Vec<Token>, file: &str) -> Result<Vec<Node>, TemplateError> {
    let mut stack: Vec<(&'static str, bool, usize, Vec<Node>)> = Vec::new();
    let mut top: Vec<Node> = Vec::new();
    for token in tokens {
        let node = match token {
            Token::Text(text) => Node::Text(text),
            Token::Field(name, line) => Node::Field { name, line },
            Token::Open(name, inverted, line) => {
                stack.push((name, inverted, line, Vec::new()));
                continue;
            }
            Token::Close(name, line) => {
                let Some((open, inverted, open_line, children)) = stack.pop() else {
                    return Err(TemplateError {
                        file: file.to_owned(),
                        line,
                        kind: TemplateErrorKind::UnexpectedSectionEnd,
                        problem: format!("{{{{/{name}}}}} ends a section that was never opened"),
                        fix: format!("open it with {{{{#{name}}}}} or remove the {{{{/{name}}}}}"),
                    });
                };
                if open != name {
                    return Err(TemplateError {
                        file: file.to_owned(),
                        line,
                        kind: TemplateErrorKind::UnexpectedSectionEnd,
                        problem: format!(
                            "{{{{/{name}}}}} ends a section, but the open section is {{{{{}{open}}}}} from line {open_line}",
                            if inverted { '^' } else { '#' }
                        ),
                        fix: format!("close {{{{{}{open}}}}} with {{{{/{open}}}}} first", if inverted { '^' } else { '#' }),
                    });
                }
                Node::Section {
                    name,
                    inverted,
                    children,
                }
            }
        };
        match stack.last_mut() {
            Some((_, _, _, children)) => children.push(node),
            None => top.push(node),
        }
    }
    if let Some((name, inverted, line, _)) = stack.pop() {
        return Err(TemplateError {
            file: file.to_owned(),
            line,
            kind: TemplateErrorKind::UnclosedSection,
            problem: format!(
                "section {{{{{}{name}}}}} is not closed",
                if inverted { '^' } else { '#' }
            ),
            fix: format!("add {{{{/{name}}}}} where the section ends"),
        });
    }
    Ok(top)
}

fn fill_nodes(
    nodes: &[Node],
    values: &BTreeMap<&'static str, String>,
    in_section: bool,
    out: &mut String,
) -> Result<(), MissingValue> {
    for node in nodes {
        match node {
            Node::Text(text) => out.push_str(text),
            Node::Field { name, line } => {
                let value = values.get(name).map(String::as_str).unwrap_or_default();
                if value.is_empty() && !in_section {
                    return Err(MissingValue {
                        field: name,
                        line: *line,
                    });
                }
                out.push_str(value);
            }
            Node::Section {
                name,
                inverted,
                children,
            } => {
                let present = values.get(name).is_some_and(|v| !v.is_empty());
                if present != *inverted {
                    fill_nodes(children, values, true, out)?;
                }
            }
        }
    }
    Ok(())
}

/// The templates available: the built-in ones, overridden and extended by a folder.
#[derive(Debug, Clone, Default)]
pub struct Templates {
    templates: Vec<Template>,
    broken: Vec<(String, TemplateError)>,
}

impl Templates {
    /// Returns the built-in templates.
    pub fn built_in() -> Templates {
        let templates = BUILT_IN
            .iter()
            .map(|(name, text)| {
                Template::parse(text, name, Origin::BuiltIn)
                    .expect("the built-in templates are checked by the unit tests")
            })
            .collect();
        Templates {
            templates,
            broken: Vec::new(),
        }
    }

    /// Returns the built-in templates with the `*.txt` files of `dir` on top: a file named
    /// like a built-in template replaces it. A file that does not parse is kept as broken,
    /// and asking for its name returns its error.
    ///
    /// # Errors
    ///
    /// Returns [`TemplatesError::ReadDir`] when `dir` cannot be listed.
    pub fn load(dir: Option<&Path>) -> Result<Templates, TemplatesError> {
        let mut templates = Templates::built_in();
        let Some(dir) = dir else {
            return Ok(templates);
        };
        let read_dir = |source| TemplatesError::ReadDir {
            path: dir.to_path_buf(),
            source,
        };
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(read_dir)?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .map_err(read_dir)?;
        paths.retain(|path| path.extension().is_some_and(|ext| ext == "txt") && path.is_file());
        paths.sort();
        for path in paths {
            let name = path
                .file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
                .unwrap_or_default();
            let parsed = match std::fs::read(&path) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => Template::parse(&text, &name, Origin::File { path: path.clone() }),
                    Err(_) => Err(unreadable(&path, "it is not UTF-8 text")),
                },
                Err(err) => Err(unreadable(&path, &err.to_string())),
            };
            templates.templates.retain(|t| t.name != name);
            templates.broken.retain(|(n, _)| *n != name);
            match parsed {
                Ok(template) => {
                    tracing::debug!(template = %name, path = %path.display(), "loaded a user template");
                    templates.templates.push(template);
                }
                Err(error) => {
                    tracing::debug!(template = %name, %error, "a user template does not parse");
                    templates.broken.push((name, error));
                }
            }
        }
        Ok(templates)
    }

    /// Returns the templates that parsed, built-in ones first.
    pub fn list(&self) -> &[Template] {
        &self.templates
    }

    /// Returns the names and errors of the template files that do not parse.
    pub fn broken(&self) -> impl Iterator<Item = (&str, &TemplateError)> {
        self.broken
            .iter()
            .map(|(name, error)| (name.as_str(), error))
    }

    /// Returns the template named `name`.
    ///
    /// # Errors
    ///
    /// Returns [`TemplatesError::Broken`] when its file does not parse, and
    /// [`TemplatesError::NotFound`] when no template has the name.
    pub fn get(&self, name: &str) -> Result<&Template, TemplatesError> {
        if let Some((_, error)) = self.broken.iter().find(|(n, _)| n == name) {
            return Err(TemplatesError::Broken(error.clone()));
        }
        self.templates
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| TemplatesError::NotFound {
                name: name.to_owned(),
                available: self
                    .templates
                    .iter()
                    .map(|t| t.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// Returns the templates that reply to `outcome`: those whose `for` names its
    /// disposition or one of its tasks.
    pub fn suggest(&self, outcome: &Outcome) -> Vec<&Template> {
        self.templates
            .iter()
            .filter(|t| {
                t.serves.iter().any(|s| {
                    s == outcome.disposition.as_str()
                        || outcome.tasks.iter().any(|task| &task.kind == s)
                })
            })
            .collect()
    }
}

fn unreadable(path: &Path, why: &str) -> TemplateError {
    TemplateError {
        file: path.display().to_string(),
        line: 0,
        kind: TemplateErrorKind::Unreadable,
        problem: format!("cannot be read: {why}"),
        fix: "save it as UTF-8 text".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Template, TemplateError> {
        Template::parse(text, "sample", Origin::BuiltIn)
    }

    const HEADER: &str = "name: sample\nversion: 2\nsection: V.C.3\ndescription: A test.\nsubject: {{#stn}}{{stn}} - {{/stn}}Topic\n---\n";

    fn values(pairs: &[(&'static str, &str)]) -> BTreeMap<&'static str, String> {
        pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()
    }

    #[test]
    fn built_in_templates_parse() {
        let templates = Templates::built_in();
        assert_eq!(templates.list().len(), BUILT_IN.len());
        for template in templates.list() {
            assert!(template.version >= 1, "{}", template.name);
            assert!(!template.fields().is_empty(), "{}", template.name);
        }
    }

    #[test]
    fn sections_keep_or_drop_their_lines() -> Result<(), TemplateError> {
        let template = parse(&format!(
            "{HEADER}Dear {{{{recipient_name}}}},\n{{{{#rpm_missing}}}}\nPlease include {{{{rpm_name}}}}.\n{{{{/rpm_missing}}}}\n{{{{^rpm_missing}}}}\nThanks.\n{{{{/rpm_missing}}}}\nBye\n"
        ))?;
        let (subject, body) = template
            .fill(&values(&[
                ("recipient_name", "Priya"),
                ("rpm_missing", "yes"),
                ("rpm_name", "Marcus Ortega"),
                ("stn", "STN 125742/0"),
            ]))
            .expect("filled");
        assert_eq!(subject, "STN 125742/0 - Topic");
        assert_eq!(body, "Dear Priya,\nPlease include Marcus Ortega.\nBye\n");
        let (subject, body) = template
            .fill(&values(&[("recipient_name", "Priya")]))
            .expect("filled");
        assert_eq!(subject, "Topic");
        assert_eq!(body, "Dear Priya,\nThanks.\nBye\n");
        Ok(())
    }

    #[test]
    fn field_without_value_outside_a_section_is_missing() -> Result<(), TemplateError> {
        let template = parse(&format!(
            "{HEADER}Dear {{{{recipient_name}}}},\n\nFrom {{{{reviewer_name}}}}\n"
        ))?;
        let missing = template
            .fill(&values(&[("recipient_name", "Priya")]))
            .expect_err("reviewer_name is empty");
        assert_eq!(
            missing,
            MissingValue {
                field: "reviewer_name",
                line: 9
            }
        );
        Ok(())
    }

    #[test]
    fn errors_name_line_and_fix() {
        let cases: &[(&str, String, TemplateErrorKind, usize)] = &[
            (
                "unknown field",
                format!("{HEADER}Dear {{{{recipent_name}}}},\n"),
                TemplateErrorKind::UnknownField,
                7,
            ),
            (
                "unclosed placeholder",
                format!("{HEADER}Line one\nDear {{{{recipient_name,\n"),
                TemplateErrorKind::UnclosedPlaceholder,
                8,
            ),
            (
                "unclosed section",
                format!("{HEADER}{{{{#rpm_missing}}}}\ntext\n"),
                TemplateErrorKind::UnclosedSection,
                7,
            ),
            (
                "stray section end",
                format!("{HEADER}text\n{{{{/rpm_missing}}}}\n"),
                TemplateErrorKind::UnexpectedSectionEnd,
                8,
            ),
            (
                "no header",
                "Dear {{recipient_name}},\n".to_owned(),
                TemplateErrorKind::MissingHeader,
                1,
            ),
            (
                "no separator",
                "name: sample\nversion: 1\n".to_owned(),
                TemplateErrorKind::NoSeparator,
                2,
            ),
            (
                "missing subject",
                "name: sample\nversion: 1\nsection: V.C.3\ndescription: d\n---\nbody\n".to_owned(),
                TemplateErrorKind::MissingHeaderKey,
                5,
            ),
            (
                "bad version",
                HEADER.replace("version: 2", "version: two") + "body\n",
                TemplateErrorKind::InvalidHeaderValue,
                2,
            ),
            (
                "unknown key",
                HEADER.replace("description:", "summary:") + "body\n",
                TemplateErrorKind::UnknownHeaderKey,
                4,
            ),
            (
                "name mismatch",
                HEADER.replace("name: sample", "name: other") + "body\n",
                TemplateErrorKind::NameMismatch,
                1,
            ),
            (
                "bad for",
                HEADER.replace("---", "for: reply-to-all\n---") + "body\n",
                TemplateErrorKind::InvalidHeaderValue,
                6,
            ),
            (
                "bad exception",
                HEADER.replace("---", "exception: urgent\n---") + "body\n",
                TemplateErrorKind::InvalidHeaderValue,
                6,
            ),
            (
                "empty body",
                HEADER.to_owned(),
                TemplateErrorKind::EmptyBody,
                6,
            ),
        ];
        for (name, text, kind, line) in cases {
            let err = parse(text).expect_err(name);
            assert_eq!(err.kind, *kind, "{name}: {err}");
            assert_eq!(err.line, *line, "{name}: {err}");
            assert!(
                err.to_string().starts_with("template built-in sample line"),
                "{name}: {err}"
            );
            assert!(!err.fix.is_empty(), "{name}");
        }
    }

    #[test]
    fn unknown_field_suggests_the_closest() {
        let err = parse(&format!("{HEADER}Dear {{{{recipent_name}}}},\n")).expect_err("unknown");
        assert!(err.fix.contains("{{recipient_name}}"), "{err}");
    }

    #[test]
    fn folder_overrides_and_keeps_broken_files() -> Result<(), TemplatesError> {
        let dir = tempfile::tempdir().expect("temp dir");
        let own = BUILT_IN[1].1.replace("version: 1", "version: 7");
        std::fs::write(dir.path().join("include-rpm.txt"), own).expect("write");
        std::fs::write(dir.path().join("broken.txt"), "name: broken\n").expect("write");
        std::fs::write(dir.path().join("notes.md"), "ignored").expect("write");
        let templates = Templates::load(Some(dir.path()))?;
        let include = templates.get("include-rpm")?;
        assert_eq!(include.version, 7);
        assert!(matches!(include.origin, Origin::File { .. }));
        assert_eq!(templates.list().len(), BUILT_IN.len());
        let err = templates.get("broken").expect_err("broken");
        assert!(
            matches!(err, TemplatesError::Broken(ref e) if e.kind == TemplateErrorKind::NoSeparator),
            "{err}"
        );
        assert!(err.to_string().contains("broken.txt line 1"), "{err}");
        assert!(matches!(
            templates.get("nothing"),
            Err(TemplatesError::NotFound { .. })
        ));
        Ok(())
    }
}
