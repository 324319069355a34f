//! Detection of FDA submission identifiers in message text.
//!
//! SOPP 8119 IV.G makes a message regulatory when it carries a submission tracking number
//! (STN):
//!
//! ```text
//! The inclusion of a submission's STN makes the email regulatory.
//! ```
//!
//! The detector favours precision. Purely numeric identifiers are only taken after a keyword
//! (`STN`, `BL`, `IND`, `NDA`, `EUA`, `MF`), and prefixed ones that look like lot or part
//! numbers (`P150012`, `G123456`) need a nearby keyword or a supplement suffix. A bare
//! five- or six-digit number is never an identifier. Deciding what the identifiers mean for
//! the procedure is left to the engine.

use std::fmt;
use std::sync::LazyLock;

use regex::{Captures, Regex};
use serde::{Deserialize, Serialize};

/// The kind of submission an identifier names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum IdentifierKind {
    /// Biologics License Application STN, CBER or CDER (`STN 125742/0`).
    #[serde(rename = "bla")]
    Bla,
    /// Investigational New Drug application (`IND 12345`).
    #[serde(rename = "ind")]
    Ind,
    /// Investigational Device Exemption (`G123456`).
    #[serde(rename = "ide")]
    Ide,
    /// Premarket notification, 510(k): `K` numbers, and `BK` numbers cleared by CBER.
    #[serde(rename = "510k")]
    PremarketNotification,
    /// Premarket approval application: `P` numbers, and `BP` numbers at CBER.
    #[serde(rename = "pma")]
    Pma,
    /// De Novo classification request (`DEN200001`).
    #[serde(rename = "de-novo")]
    DeNovo,
    /// Emergency Use Authorization or pre-EUA request (`EUA 27034`).
    #[serde(rename = "eua")]
    Eua,
    /// Master file: MF, BMF, DMF or device MAF.
    #[serde(rename = "master-file")]
    MasterFile,
    /// New Drug Application or abbreviated NDA (`NDA 203341`).
    #[serde(rename = "nda")]
    Nda,
}

impl IdentifierKind {
    /// Returns the kind's name as used in serialized output.
    pub fn as_str(self) -> &'static str {
        match self {
            IdentifierKind::Bla => "bla",
            IdentifierKind::Ind => "ind",
            IdentifierKind::Ide => "ide",
            IdentifierKind::PremarketNotification => "510k",
            IdentifierKind::Pma => "pma",
            IdentifierKind::DeNovo => "de-novo",
            IdentifierKind::Eua => "eua",
            IdentifierKind::MasterFile => "master-file",
            IdentifierKind::Nda => "nda",
        }
    }

    /// Returns whether the kind is a medical device submission, which SOPP 8119 V.B.4
    /// handles under MDUFA and the eCopy program.
    pub fn is_device(self) -> bool {
        matches!(
            self,
            IdentifierKind::Ide
                | IdentifierKind::PremarketNotification
                | IdentifierKind::Pma
                | IdentifierKind::DeNovo
        )
    }
}

impl fmt::Display for IdentifierKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The part of a message an identifier was found in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "part", rename_all = "kebab-case")]
pub enum Location {
    /// The decoded Subject header.
    Subject,
    /// The text body.
    Body,
    /// The file name of an attachment.
    Attachment {
        /// Position of the attachment in the message, from 0.
        index: usize,
        /// The attachment's file name.
        name: String,
    },
    /// The raw bytes, read as text, of a message that could not be parsed.
    Raw,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Subject => f.write_str("subject"),
            Location::Body => f.write_str("body"),
            Location::Attachment { name, .. } => write!(f, "attachment {name:?}"),
            Location::Raw => f.write_str("raw message text"),
        }
    }
}

/// One identifier found in a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identifier {
    /// The kind of submission.
    pub kind: IdentifierKind,
    /// Canonical written form, such as `STN 125742/0`, `IND 12345` or `BK251234`.
    pub value: String,
    /// Canonical form of the application without its supplement or sequence number, used
    /// to look the submission up in the RPM directory (`STN 125742` for `STN 125742/0`).
    pub application: String,
    /// Where the identifier was found.
    pub location: Location,
    /// The text that matched, exactly as written.
    pub matched: String,
    /// Byte offset of the match in the searched text.
    pub start: usize,
    /// Byte offset just past the match.
    pub end: usize,
}

/// Finds the identifiers in a message's subject, body text and attachment names, in that
/// order.
pub fn detect_in_message<'a>(
    subject: &str,
    body: &str,
    attachment_names: impl IntoIterator<Item = &'a str>,
) -> Vec<Identifier> {
    let mut found = detect(subject, &Location::Subject);
    found.extend(detect(body, &Location::Body));
    for (index, name) in attachment_names.into_iter().enumerate() {
        let location = Location::Attachment {
            index,
            name: name.to_owned(),
        };
        found.extend(detect(name, &location));
    }
    found
}

/// Finds the identifiers in `text`, reporting each at `location`.
///
/// File names often use `_` where prose uses a space (`IR_STN_125742.pdf`), so in
/// attachment names an underscore counts as a space unless it joins two digits, where it
/// separates an STN from its sequence number (`STN 125742_0`).
pub fn detect(text: &str, location: &Location) -> Vec<Identifier> {
    let searched = match location {
        Location::Attachment { .. } => underscores_as_spaces(text),
        _ => text.to_owned(),
    };

    let mut hits: Vec<Hit> = Vec::new();
    for rule in rules() {
        for caps in rule.regex.captures_iter(&searched) {
            let whole = caps.get(0).expect("group 0 is always present");
            if !has_clean_edges(&searched, whole.start(), whole.end()) {
                continue;
            }
            if rule.needs_context && !has_device_context(&searched, whole.start(), whole.end()) {
                continue;
            }
            if rule.bare_prefix && follows_lot_or_order_label(&searched[..whole.start()]) {
                continue;
            }
            for (kind, value, application) in (rule.normalize)(&caps) {
                hits.push(Hit {
                    kind,
                    value,
                    application,
                    start: whole.start(),
                    end: whole.end(),
                });
            }
        }
    }

    // Rules can match overlapping text, so keep the earliest and longest match and drop any
    // hit inside it. Hits with exactly the same span come from one match that names two
    // applications ("STN 125787/125785") and are all kept.
    hits.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut kept: Vec<Hit> = Vec::new();
    for hit in hits {
        let overlaps = kept.iter().any(|k| {
            hit.start < k.end && k.start < hit.end && !(hit.start == k.start && hit.end == k.end)
        });
        if !overlaps {
            kept.push(hit);
        }
    }

    kept.into_iter()
        .map(|hit| Identifier {
            kind: hit.kind,
            value: hit.value,
            application: hit.application,
            location: location.clone(),
            matched: text[hit.start..hit.end].to_owned(),
            start: hit.start,
            end: hit.end,
        })
        .collect()
}

/// Returns the distinct canonical values of `identifiers`, in order of first appearance.
pub fn distinct_values(identifiers: &[Identifier]) -> Vec<&str> {
    let mut values: Vec<&str> = Vec::new();
    for identifier in identifiers {
        if !values.contains(&identifier.value.as_str()) {
            values.push(&identifier.value);
        }
    }
    values
}

/// Parses a single identifier written on its own, as in the RPM directory: any form the
/// detector accepts, or a bare six-digit number, which is taken as a BLA STN.
pub fn parse_application(text: &str) -> Option<Identifier> {
    let trimmed = text.trim();
    if trimmed.len() == 6 && trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return detect(&format!("STN {trimmed}"), &Location::Body)
            .into_iter()
            .next();
    }
    let found = detect(trimmed, &Location::Body);
    match found.as_slice() {
        [only] if only.start == 0 && only.end == trimmed.len() => Some(only.clone()),
        _ => None,
    }
}

struct Hit {
    kind: IdentifierKind,
    value: String,
    application: String,
    start: usize,
    end: usize,
}

/// Canonical value and application key produced by a rule for one match.
type Normalized = Vec<(IdentifierKind, String, String)>;

struct Rule {
    regex: Regex,
    /// Whether the match needs a device keyword nearby (see [`has_device_context`]).
    needs_context: bool,
    /// Whether the identifier is a letter prefix and digits with no keyword, so that a
    /// preceding "Lot" or "PO" label makes it something else.
    bare_prefix: bool,
    normalize: fn(&Captures<'_>) -> Normalized,
}

fn rules() -> &'static [Rule] {
    static RULES: LazyLock<Vec<Rule>> = LazyLock::new(build_rules);
    &RULES
}

fn build_rules() -> Vec<Rule> {
    let rule = |pattern: &str, needs_context: bool, bare_prefix: bool, normalize| Rule {
        regex: Regex::new(pattern).expect("identifier patterns are valid"),
        needs_context,
        bare_prefix,
        normalize,
    };
    vec![
        // BLA STNs: "STN 125742/0", "Our STN: BL 125462/0", "BLA STN# :125644/0",
        // "BL125090/3", "STN 125742_0", "sBLA 125742/123", "BLA761040".
        rule(
            r"(?:(?i:our)\s+)?(?:(?i:submission\s+tracking\s+number)\s*\(STN\)|(?i:STNs?)|sBLA|BLA|BL)(?:\s*[#:]?\s*(?:STN|BLA|BL))?[\s#:]*(?P<app>\d{6})(?:\s*[/_]\s*(?P<seq>\d{1,6}))?",
            false,
            false,
            normalize_bla,
        ),
        // Drugs@FDA document names: "125117Orig1s129ltr.pdf".
        rule(
            r"(?P<app>\d{6})Orig\d[sS](?P<supp>\d{3})(?:ltr|lbl)?",
            false,
            false,
            normalize_drugs_at_fda,
        ),
        rule(
            r"(?P<kw>sNDA|ANDA|NDA)\s*(?:No\.?\s*)?#?\s*(?P<num>\d{6}|\d{2}-\d{3})(?:\s*/\s*S-?(?P<supp>\d{1,3}))?",
            false,
            false,
            normalize_nda,
        ),
        // INDs, with the legacy CBER "BB-IND" prefix. Only the plural keyword starts a list
        // ("BB-INDs 5139, 5613"); after "IND 19736," the next number is something else.
        rule(
            r"(?:BB-?)?IND\s*(?:(?:No\.?|Number|#)\s*)?:?\s*(?P<num>\d{1,3},\d{3}|\d{4,6})",
            false,
            false,
            normalize_ind,
        ),
        rule(
            r"(?:BB-?)?INDs\s*(?:(?:No\.?|Number|#)\s*)?:?\s*(?P<num>\d{1,3},\d{3}|\d{4,6})(?P<more>(?:\s*(?:,|,?\s*and)\s*(?:\d{1,3},\d{3}|\d{4,6}))*)",
            false,
            false,
            normalize_ind,
        ),
        rule(r"(?P<pfx>BK|K)(?P<num>\d{6})", false, true, normalize_510k),
        rule(r"DEN(?P<num>\d{6})", false, true, normalize_de_novo),
        rule(
            r"BP(?P<num>\d{6})(?:\s*/\s*S(?P<supp>\d{3,4}))?",
            false,
            true,
            normalize_pma,
        ),
        // "P" and "N" numbers are PMAs only next to a device keyword: "N" is also CDER's
        // shorthand for an NDA, and "P" plus digits is a common part number.
        rule(
            r"(?P<pfx>P|N)(?P<num>\d{5,6})(?:\s*/\s*S(?P<supp>\d{3,4}))?",
            true,
            true,
            normalize_pma,
        ),
        rule(
            r"G(?P<num>\d{6})(?:\s*/\s*(?P<sub>[SA])(?P<subnum>\d{3}))?",
            true,
            true,
            normalize_ide,
        ),
        rule(
            r"(?P<pre>(?i:pre-?)|P)?EUA\s*(?:(?:No\.?|Number|#)\s*)?:?\s*(?P<num>\d{5,6})",
            false,
            false,
            normalize_eua,
        ),
        rule(
            r"(?P<kw>BB-?MF|BMF|DMF|MAF|MF)\s*(?:(?:No\.?|Number|#)\s*)?:?\s*(?P<num>\d{3,6})",
            false,
            false,
            normalize_master_file,
        ),
    ]
}

fn one(kind: IdentifierKind, value: String, application: String) -> Normalized {
    vec![(kind, value, application)]
}

fn normalize_bla(caps: &Captures<'_>) -> Normalized {
    let app = &caps["app"];
    let application = format!("STN {app}");
    match caps.name("seq").map(|m| m.as_str()) {
        // "STN 125787/125785" joins two applications; a sequence number is never six digits.
        Some(seq) if seq.len() == 6 => vec![
            (IdentifierKind::Bla, application.clone(), application),
            (
                IdentifierKind::Bla,
                format!("STN {seq}"),
                format!("STN {seq}"),
            ),
        ],
        Some(seq) => one(
            IdentifierKind::Bla,
            format!("{application}/{}", strip_zeros(seq)),
            application,
        ),
        None => one(IdentifierKind::Bla, application.clone(), application),
    }
}

fn normalize_drugs_at_fda(caps: &Captures<'_>) -> Normalized {
    let app = &caps["app"];
    let supplement = strip_zeros(&caps["supp"]);
    // BLAs are numbered 1xxxxx (CBER-era 125xxx) and 761xxx (CDER); NDAs use the rest.
    if app.starts_with('1') || app.starts_with("761") {
        let application = format!("STN {app}");
        one(
            IdentifierKind::Bla,
            format!("{application}/{supplement}"),
            application,
        )
    } else {
        let application = format!("NDA {app}");
        let value = if supplement == "0" {
            application.clone()
        } else {
            format!(
                "{application}/S-{:03}",
                supplement.parse::<u32>().unwrap_or(0)
            )
        };
        one(IdentifierKind::Nda, value, application)
    }
}

fn normalize_nda(caps: &Captures<'_>) -> Normalized {
    let prefix = if &caps["kw"] == "ANDA" { "ANDA" } else { "NDA" };
    let number = caps["num"].replace('-', "");
    let number = format!("{number:0>6}");
    let application = format!("{prefix} {number}");
    let value = match caps.name("supp") {
        Some(supp) => format!(
            "{application}/S-{:03}",
            supp.as_str().parse::<u32>().unwrap_or(0)
        ),
        None => application.clone(),
    };
    one(IdentifierKind::Nda, value, application)
}

fn normalize_ind(caps: &Captures<'_>) -> Normalized {
    static NUMBER: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\d{1,3},\d{3}|\d{4,6}").expect("valid pattern"));
    let mut numbers = vec![caps["num"].to_owned()];
    if let Some(more) = caps.name("more") {
        numbers.extend(
            NUMBER
                .find_iter(more.as_str())
                .map(|m| m.as_str().to_owned()),
        );
    }
    numbers
        .iter()
        .map(|raw| {
            let value = format!("IND {}", strip_zeros(&raw.replace(',', "")));
            (IdentifierKind::Ind, value.clone(), value)
        })
        .collect()
}

fn normalize_510k(caps: &Captures<'_>) -> Normalized {
    let value = format!("{}{}", &caps["pfx"], &caps["num"]);
    one(IdentifierKind::PremarketNotification, value.clone(), value)
}

fn normalize_de_novo(caps: &Captures<'_>) -> Normalized {
    let value = format!("DEN{}", &caps["num"]);
    one(IdentifierKind::DeNovo, value.clone(), value)
}

fn normalize_pma(caps: &Captures<'_>) -> Normalized {
    let prefix = caps.name("pfx").map_or("BP", |m| m.as_str());
    let application = format!("{prefix}{}", &caps["num"]);
    let value = match caps.name("supp") {
        Some(supp) => format!("{application}/S{}", supp.as_str()),
        None => application.clone(),
    };
    one(IdentifierKind::Pma, value, application)
}

fn normalize_ide(caps: &Captures<'_>) -> Normalized {
    let application = format!("G{}", &caps["num"]);
    let value = match (caps.name("sub"), caps.name("subnum")) {
        (Some(sub), Some(num)) => format!("{application}/{}{}", sub.as_str(), num.as_str()),
        _ => application.clone(),
    };
    one(IdentifierKind::Ide, value, application)
}

fn normalize_eua(caps: &Captures<'_>) -> Normalized {
    let number = strip_zeros(&caps["num"]);
    let value = if caps.name("pre").is_some() {
        format!("pre-EUA {number}")
    } else {
        format!("EUA {number}")
    };
    one(IdentifierKind::Eua, value, format!("EUA {number}"))
}

fn normalize_master_file(caps: &Captures<'_>) -> Normalized {
    let prefix = match &caps["kw"] {
        "BB-MF" | "BBMF" => "BB-MF",
        other => other,
    };
    let value = format!("{prefix} {}", strip_zeros(&caps["num"]));
    one(IdentifierKind::MasterFile, value.clone(), value)
}

fn strip_zeros(digits: &str) -> String {
    let trimmed = digits.trim_start_matches('0');
    if trimmed.is_empty() {
        "0".to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// Returns whether the match stands on its own: no letter or digit runs into it on either
/// side, and it is not part of an amount, percentage, decimal, date or phone number.
fn has_clean_edges(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    if before.is_some_and(|c| c.is_alphanumeric() || c == '$') {
        return false;
    }

    let mut after = text[end..].chars();
    match after.next() {
        None => true,
        Some(c) if c.is_alphanumeric() || c == '%' => false,
        Some('.' | ',' | '-' | '/') => !after.next().is_some_and(|c| c.is_ascii_digit()),
        Some(_) => true,
    }
}

/// Returns whether a device keyword (PMA, HDE, IDE, premarket approval, supplement,
/// investigational device) occurs within 40 characters of the match.
fn has_device_context(text: &str, start: usize, end: usize) -> bool {
    static DEVICE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\b(?:PMA|HDE|IDE|premarket\s+approval|supplement|investigational\s+device)\b|/\s*S\d{3}")
            .expect("valid pattern")
    });
    let from = floor_char_boundary(text, start.saturating_sub(40));
    let to = ceil_char_boundary(text, (end + 40).min(text.len()));
    DEVICE.is_match(&text[from..to])
}

/// Returns whether `before` ends with a label that makes the next token a lot, order,
/// invoice, serial, part or catalog number (`Lot K123456`, `PO# P123456`).
fn follows_lot_or_order_label(before: &str) -> bool {
    static LABEL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)\b(?:lot|batch|order|po|p\.o\.|invoice|serial|part|cat\.?|catalog(?:ue)?|sku|item|model|room|tracking|confirmation)\s*(?:no\.?|number|#)?\s*[:#]?\s*$",
        )
        .expect("valid pattern")
    });
    let from = floor_char_boundary(before, before.len().saturating_sub(32));
    LABEL.is_match(&before[from..])
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

fn ceil_char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index += 1;
    }
    index
}

fn underscores_as_spaces(name: &str) -> String {
    let bytes = name.as_bytes();
    let mut out = String::with_capacity(name.len());
    for (i, c) in name.char_indices() {
        let joins_digits = c == '_'
            && i > 0
            && bytes[i - 1].is_ascii_digit()
            && bytes.get(i + 1).is_some_and(|b| b.is_ascii_digit());
        if c == '_' && !joins_digits {
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<String> {
        detect(text, &Location::Body)
            .into_iter()
            .map(|i| i.value)
            .collect()
    }

    #[test]
    fn stn_with_sequence_is_canonical() {
        assert_eq!(values("Our STN: BL 125462/0"), ["STN 125462/0"]);
        assert_eq!(values("BLA STN# :125644/0"), ["STN 125644/0"]);
        assert_eq!(values("see BL125090/3."), ["STN 125090/3"]);
    }

    #[test]
    fn two_stns_joined_by_slash_are_two_applications() {
        assert_eq!(values("STN 125787/125785"), ["STN 125787", "STN 125785"]);
    }

    #[test]
    fn attachment_underscores_separate_words() {
        let location = Location::Attachment {
            index: 0,
            name: "IR_STN_125742_0.pdf".into(),
        };
        let found = detect("IR_STN_125742_0.pdf", &location);
        assert_eq!(found.len(), 1, "one identifier in {found:?}");
        assert_eq!(found[0].value, "STN 125742/0");
        assert_eq!(found[0].matched, "STN_125742_0");
    }

    #[test]
    fn bare_numbers_are_not_identifiers() {
        assert!(values("PO 125742 and invoice #125742").is_empty());
        assert!(values("call 240-402-8010").is_empty());
    }

    #[test]
    fn lot_label_blocks_prefixed_number() {
        assert!(values("Lot K123456").is_empty());
        assert_eq!(values("510(k) K123456"), ["K123456"]);
    }

    #[test]
    fn directory_keys_parse() {
        let bla = parse_application("125742").expect("bare STN parses");
        assert_eq!(bla.application, "STN 125742");
        let bk = parse_application("BK251234").expect("BK number parses");
        assert_eq!(bk.kind, IdentifierKind::PremarketNotification);
        assert!(parse_application("125742 extra").is_none());
    }
}
