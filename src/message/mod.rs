//! Message parsing: raw RFC 5322 bytes to the summary Regmail stores and searches.
//!
//! Parsing wraps `mail-parser` and corrects what it gets wrong on real mail (split
//! encoded-words, RFC 2231 filename continuations, parts left undecoded by a missing
//! closing boundary). Problems are recorded as warnings on the message, never as errors:
//! a message that cannot be parsed at all is [`Parsed::Quarantined`] with the reason, and
//! its raw bytes are still stored by the caller.

mod charset;
pub mod html;
pub(crate) mod params;
mod rfc2047;
pub(crate) mod transfer;

use std::panic::{catch_unwind, AssertUnwindSafe};

use jiff::Timestamp;
use mail_parser::{Address, HeaderName, HeaderValue, MessageParser, MimeHeaders, PartType};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The parse warning of a message without any of the header fields every email has. The
/// content inside an S/MIME layer is often a bare MIME entity, for which it is expected.
pub const NO_MESSAGE_HEADERS: &str = "no From, To, Subject, Date or Message-ID header";

/// A mailbox in an address header: display name and address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mailbox {
    /// Display name, decoded.
    pub name: Option<String>,
    /// The address (`local@domain`), if the header had one.
    pub address: Option<String>,
}

impl std::fmt::Display for Mailbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.name, &self.address) {
            (Some(name), Some(address)) => write!(f, "{name} <{address}>"),
            (None, Some(address)) => f.write_str(address),
            (Some(name), None) => f.write_str(name),
            (None, None) => Ok(()),
        }
    }
}

/// The evidence a receipt time was taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReceiptSource {
    /// The date of the newest (topmost) `Received` header: when the receiving server took it.
    ReceivedHeader,
    /// The date on the mbox `From ` separator line, written by the delivering agent.
    MboxEnvelope,
    /// The sender's `Date` header, used only when nothing better exists.
    DateHeader,
    /// The time Regmail imported the message, used only for a message that could not be
    /// parsed and carries no readable date; FDA received it earlier.
    ImportTime,
}

impl ReceiptSource {
    /// The name stored in the database and shown in output.
    pub fn as_str(self) -> &'static str {
        match self {
            ReceiptSource::ReceivedHeader => "received-header",
            ReceiptSource::MboxEnvelope => "mbox-envelope",
            ReceiptSource::DateHeader => "date-header",
            ReceiptSource::ImportTime => "import-time",
        }
    }

    /// Parses the stored name back.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "received-header" => Some(ReceiptSource::ReceivedHeader),
            "mbox-envelope" => Some(ReceiptSource::MboxEnvelope),
            "date-header" => Some(ReceiptSource::DateHeader),
            "import-time" => Some(ReceiptSource::ImportTime),
            _ => None,
        }
    }
}

/// An attachment of the message (top level; attachments of a forwarded message stay with
/// that message).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// Decoded file name (RFC 2231 / RFC 2047), if the part had one.
    pub name: Option<String>,
    /// Media type, lowercase `type/subtype`.
    pub mime_type: String,
    /// Size in bytes after transfer decoding.
    pub size: u64,
    /// SHA-256 of the decoded content, lowercase hex.
    pub sha256: String,
}

/// The parsed summary of a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParsedMessage {
    /// `Message-ID` without angle brackets.
    pub message_id: Option<String>,
    /// Decoded `Subject`.
    pub subject: Option<String>,
    /// First mailbox of `From`.
    pub from: Option<Mailbox>,
    /// `To` mailboxes.
    pub to: Vec<Mailbox>,
    /// `Cc` mailboxes.
    pub cc: Vec<Mailbox>,
    /// `Bcc` mailboxes (present in sent copies and some exports).
    pub bcc: Vec<Mailbox>,
    /// The `Date` header as RFC 3339 with the sender's original UTC offset.
    pub date: Option<String>,
    /// When the message was received, as a UTC instant.
    pub received_at: Option<Timestamp>,
    /// The evidence `received_at` was taken from.
    pub received_source: Option<ReceiptSource>,
    /// `In-Reply-To` message ids.
    pub in_reply_to: Vec<String>,
    /// `References` message ids, oldest first.
    pub references: Vec<String>,
    /// Text of the body (HTML turned into text), for display and search.
    pub body_text: String,
    /// Top-level attachments.
    pub attachments: Vec<Attachment>,
    /// Problems met while parsing; the message is still usable.
    pub warnings: Vec<String>,
}

/// The result of parsing one message.
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)]
pub enum Parsed {
    /// The message parsed; warnings may still be present.
    Message(ParsedMessage),
    /// The bytes are not a message that can be parsed, for the given reason.
    Quarantined {
        /// The reason for the quarantine, in plain words.
        reason: String,
    },
}

/// Parses `bytes` as an RFC 5322 message. `envelope` is the mbox `From ` line text, used
/// for the receipt time when no `Received` header has a date.
pub fn parse(bytes: &[u8], envelope: Option<&str>) -> Parsed {
    let bytes = strip_envelope_line(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Parsed::Quarantined {
            reason: "empty message: no header fields and no body".into(),
        };
    }
    match catch_unwind(AssertUnwindSafe(|| parse_message(bytes, envelope))) {
        Ok(parsed) => parsed,
        Err(_) => Parsed::Quarantined {
            reason: "the MIME parser failed on this message".into(),
        },
    }
}

fn parse_message(bytes: &[u8], envelope: Option<&str>) -> Parsed {
    let Some(message) = MessageParser::default().parse(bytes) else {
        return Parsed::Quarantined {
            reason: "no RFC 5322 header block found".into(),
        };
    };
    if message.headers().is_empty() {
        return Parsed::Quarantined {
            reason: "no RFC 5322 header fields found at the start of the message".into(),
        };
    }
    let mut warnings = Vec::new();
    if !message.headers().iter().any(|h| is_core_header(&h.name)) {
        warnings.push(NO_MESSAGE_HEADERS.to_string());
    }

    let subject = decode_subject(&message);
    let date = message.date().filter(|d| d.is_valid());
    if message.header(HeaderName::Date).is_some() && date.is_none() {
        warnings.push("the Date header could not be parsed".to_string());
    }
    let (received_at, received_source) = receipt_time(&message, envelope, date, &mut warnings);

    let mut body_text = String::new();
    for i in 0..message.text_body_count() {
        if let Some(text) = message.body_text(i) {
            if !body_text.is_empty() {
                body_text.push('\n');
            }
            body_text.push_str(&text);
        }
    }

    let attachments = message
        .attachments()
        .enumerate()
        .map(|(index, part)| attachment(&message, index, part, &mut warnings))
        .collect();

    for (index, part) in message.parts.iter().enumerate() {
        if part.is_encoding_problem
            && !matches!(part.body, PartType::Binary(_) | PartType::InlineBinary(_))
        {
            warnings.push(format!(
                "MIME part {index} could not be decoded and is kept as raw text"
            ));
        }
    }

    Parsed::Message(ParsedMessage {
        message_id: message.message_id().map(str::to_string),
        subject,
        from: message.from().and_then(|a| mailboxes(a).into_iter().next()),
        to: message.to().map(mailboxes).unwrap_or_default(),
        cc: message.cc().map(mailboxes).unwrap_or_default(),
        bcc: message.bcc().map(mailboxes).unwrap_or_default(),
        date: date.map(|d| d.to_rfc3339()),
        received_at,
        received_source,
        in_reply_to: id_list(message.in_reply_to()),
        references: id_list(message.references()),
        body_text,
        attachments,
        warnings,
    })
}

fn is_core_header(name: &HeaderName<'_>) -> bool {
    matches!(
        name,
        HeaderName::From
            | HeaderName::To
            | HeaderName::Subject
            | HeaderName::Date
            | HeaderName::MessageId
    )
}

fn decode_subject(message: &mail_parser::Message<'_>) -> Option<String> {
    let fallback = message.subject().map(|s| s.trim().to_string());
    let raw = message.header_raw(HeaderName::Subject)?;
    rfc2047::decode_unstructured(raw).or(fallback)
}

/// Picks the receipt time: the newest `Received` header with a date, else the mbox
/// envelope date, else the `Date` header.
fn receipt_time(
    message: &mail_parser::Message<'_>,
    envelope: Option<&str>,
    date: Option<&mail_parser::DateTime>,
    warnings: &mut Vec<String>,
) -> (Option<Timestamp>, Option<ReceiptSource>) {
    let mut received_headers = 0;
    for received in message.received_all() {
        received_headers += 1;
        if let Some(at) = received
            .date()
            .filter(|d| d.is_valid())
            .and_then(|d| to_timestamp(&d))
        {
            if received_headers > 1 {
                warnings.push(
                    "the newest Received header has no date; an older one was used".to_string(),
                );
            }
            return (Some(at), Some(ReceiptSource::ReceivedHeader));
        }
    }
    if received_headers > 0 {
        warnings.push("no Received header has a readable date".to_string());
    }
    if let Some(at) = envelope.and_then(parse_envelope_date) {
        return (Some(at), Some(ReceiptSource::MboxEnvelope));
    }
    if let Some(at) = date.and_then(to_timestamp) {
        return (Some(at), Some(ReceiptSource::DateHeader));
    }
    (None, None)
}

fn to_timestamp(date: &mail_parser::DateTime) -> Option<Timestamp> {
    Timestamp::from_second(date.to_timestamp()).ok()
}

/// Parses the asctime date of an mbox `From ` line (`sender Tue Mar  4 10:15:00 2025`),
/// read as UTC because the line carries no offset.
pub(crate) fn parse_envelope_date(envelope: &str) -> Option<Timestamp> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let words: Vec<&str> = envelope.split_whitespace().collect();
    let month_at = words.iter().position(|w| {
        let lower = w.to_ascii_lowercase();
        MONTHS.iter().any(|m| lower.starts_with(m) && w.len() <= 9) && words.len() > 1
    })?;
    let month = MONTHS
        .iter()
        .position(|m| words[month_at].to_ascii_lowercase().starts_with(m))? as i8
        + 1;
    let day: i8 = words.get(month_at + 1)?.parse().ok()?;
    let time = words.get(month_at + 2)?;
    let mut hms = time.split(':').map(|p| p.parse::<i8>());
    let hour = hms.next()?.ok()?;
    let minute = hms.next()?.ok()?;
    let second = hms.next().and_then(Result::ok).unwrap_or(0);
    let year: i16 = words[month_at + 3..]
        .iter()
        .find_map(|w| w.parse::<i16>().ok().filter(|y| *y > 1900))?;
    let civil = jiff::civil::DateTime::new(year, month, day, hour, minute, second, 0).ok()?;
    jiff::tz::TimeZone::UTC.to_timestamp(civil).ok()
}

fn mailboxes(address: &Address<'_>) -> Vec<Mailbox> {
    address
        .iter()
        .map(|addr| Mailbox {
            name: addr
                .name()
                .map(|n| n.trim().to_string())
                .filter(|n| !n.is_empty()),
            address: addr
                .address()
                .map(|a| a.trim().to_string())
                .filter(|a| !a.is_empty()),
        })
        .filter(|m| m.name.is_some() || m.address.is_some())
        .collect()
}

fn id_list(value: &HeaderValue<'_>) -> Vec<String> {
    match value {
        HeaderValue::Text(id) => vec![id.to_string()],
        HeaderValue::TextList(ids) => ids.iter().map(|id| id.to_string()).collect(),
        _ => Vec::new(),
    }
}

fn attachment(
    message: &mail_parser::Message<'_>,
    index: usize,
    part: &mail_parser::MessagePart<'_>,
    warnings: &mut Vec<String>,
) -> Attachment {
    let raw = message.raw_message();
    let raw_header = |name: HeaderName<'_>| {
        part.headers
            .iter()
            .find(|h| h.name == name)
            .and_then(|h| raw.get(h.offset_start as usize..h.offset_end as usize))
    };
    let name = raw_header(HeaderName::ContentDisposition)
        .and_then(|value| params::parameter(value, "filename"))
        .or_else(|| {
            raw_header(HeaderName::ContentType).and_then(|value| params::parameter(value, "name"))
        })
        .or_else(|| part.attachment_name().map(str::to_string))
        .filter(|n| !n.is_empty());

    let mime_type = part
        .content_type()
        .map(|ct| match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub),
            None => ct.ctype().to_string(),
        })
        .unwrap_or_else(|| "application/octet-stream".to_string())
        .to_ascii_lowercase();

    let label = name.as_deref().unwrap_or("unnamed");
    let contents = decoded_contents(raw, part, |problem| {
        warnings.push(format!("attachment {index} ({label}) {problem}"));
    });
    let contents: &[u8] = &contents;
    Attachment {
        name,
        mime_type,
        size: contents.len() as u64,
        sha256: sha256_hex(contents),
    }
}

/// Returns the content of a part after transfer decoding.
///
/// A part the parser could not decode, typically because its closing boundary is
/// missing, is decoded leniently from its raw body, and `report` receives a description
/// of the problem.
fn decoded_contents<'a>(
    raw: &'a [u8],
    part: &'a mail_parser::MessagePart<'_>,
    mut report: impl FnMut(&str),
) -> std::borrow::Cow<'a, [u8]> {
    if !part.is_encoding_problem {
        return std::borrow::Cow::Borrowed(part.contents());
    }
    let encoding = part
        .headers
        .iter()
        .find(|h| h.name == HeaderName::ContentTransferEncoding)
        .and_then(|h| raw.get(h.offset_start as usize..h.offset_end as usize))
        .map(|v| String::from_utf8_lossy(v).trim().to_ascii_lowercase())
        .unwrap_or_default();
    let body = raw
        .get(part.offset_body as usize..part.offset_end as usize)
        .unwrap_or_default();
    match encoding.as_str() {
        "base64" => {
            report("ends without its closing MIME boundary; decoded leniently");
            std::borrow::Cow::Owned(transfer::decode_base64(body))
        }
        "quoted-printable" => {
            report("ends without its closing MIME boundary; decoded leniently");
            std::borrow::Cow::Owned(transfer::decode_quoted_printable(body))
        }
        _ => {
            report("could not be decoded");
            std::borrow::Cow::Borrowed(part.contents())
        }
    }
}

/// Returns the decoded content of top-level attachment `index` (in the order of
/// [`ParsedMessage::attachments`]) of the message in `bytes`, or `None` when there is no
/// such attachment.
pub fn attachment_contents(bytes: &[u8], index: usize) -> Option<Vec<u8>> {
    let bytes = strip_envelope_line(bytes);
    let message = MessageParser::default().parse(bytes)?;
    let part = message.attachments().nth(index)?;
    Some(decoded_contents(message.raw_message(), part, |_| {}).into_owned())
}

/// Skips a leading mbox-style `From ` envelope line, which some clients write at the top
/// of a saved `.eml`. No header field starts with `From ` (the header is `From:`), so the
/// line cannot be part of the message.
fn strip_envelope_line(bytes: &[u8]) -> &[u8] {
    if !bytes.starts_with(b"From ") {
        return bytes;
    }
    match memchr::memchr(b'\n', bytes) {
        Some(end) => &bytes[end + 1..],
        None => &bytes[bytes.len()..],
    }
}

/// SHA-256 of `bytes` as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_dates() {
        let cases: &[(&str, &str, Option<&str>)] = &[
            (
                "mta",
                "alice@example.com Tue Mar  4 10:15:00 2025",
                Some("2025-03-04T10:15:00Z"),
            ),
            (
                "mozilla",
                "- Mon Jun  3 12:50:27 1996",
                Some("1996-06-03T12:50:27Z"),
            ),
            ("no date", "-", None),
            ("garbage", "MAILER-DAEMON", None),
        ];
        for (name, envelope, expected) in cases {
            let got = parse_envelope_date(envelope).map(|t| t.to_string());
            assert_eq!(got.as_deref(), *expected, "case {name}");
        }
    }

    #[test]
    fn receipt_prefers_newest_received_header() {
        let raw = b"Received: from b by fda.example; Tue, 04 Mar 2025 10:15:00 -0500\r\n\
Received: from a by b; Tue, 04 Mar 2025 10:14:00 -0500\r\n\
Date: Tue, 04 Mar 2025 09:00:00 -0500\r\nSubject: x\r\n\r\nbody\r\n";
        let Parsed::Message(m) = parse(raw, Some("x Tue Mar  4 20:00:00 2025")) else {
            panic!("message should parse");
        };
        assert_eq!(
            m.received_at.map(|t| t.to_string()).as_deref(),
            Some("2025-03-04T15:15:00Z")
        );
        assert_eq!(m.received_source, Some(ReceiptSource::ReceivedHeader));
        assert_eq!(m.date.as_deref(), Some("2025-03-04T09:00:00-05:00"));
    }

    #[test]
    fn receipt_falls_back_to_envelope_then_date() {
        let raw = b"Date: Tue, 04 Mar 2025 09:00:00 -0500\r\nSubject: x\r\n\r\nbody\r\n";
        let Parsed::Message(m) = parse(raw, Some("x Tue Mar  4 20:00:00 2025")) else {
            panic!("message should parse");
        };
        assert_eq!(m.received_source, Some(ReceiptSource::MboxEnvelope));
        let Parsed::Message(m) = parse(raw, None) else {
            panic!("message should parse");
        };
        assert_eq!(m.received_source, Some(ReceiptSource::DateHeader));
        assert_eq!(
            m.received_at.map(|t| t.to_string()).as_deref(),
            Some("2025-03-04T14:00:00Z")
        );
    }

    #[test]
    fn text_without_headers_is_quarantined() {
        for (name, raw) in [
            ("prose", &b"Lorem ipsum dolor sit amet.\n"[..]),
            ("blank", b"\n\n"),
        ] {
            assert!(
                matches!(parse(raw, None), Parsed::Quarantined { .. }),
                "case {name}"
            );
        }
    }
}
