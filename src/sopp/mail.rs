//! Builds [`MessageFacts`] from a message parsed by `mail-parser`.
//!
//! This is the one place the procedure touches MIME. S/MIME decryption is not done here:
//! an enveloped message is reported as encrypted with no key, and [`apply_smime`] replaces
//! that with the stored S/MIME result (decrypted content, or the reason it is unreadable).

use jiff::Timestamp;
use mail_parser::{Address, MessageParser, MimeHeaders};

use super::facts::{AttachmentFacts, Encryption, Mailbox, MessageFacts, Unparsed};
use crate::message::{ParsedMessage, ReceiptSource};
use crate::store::StoredSmime;

/// Errors building message facts.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MailError {
    /// The bytes are not a MIME message.
    #[error("the message could not be parsed as MIME; check that the file is an RFC 5322 message (.eml)")]
    Unparsable,
    /// Neither a `Received` header nor a `Date` header gives the receipt time.
    #[error("the message has no Received or Date header with a valid date, so its receipt time is unknown")]
    NoReceiptTime,
}

/// Parses `raw` and builds its facts; see [`facts_from_message`].
///
/// # Errors
///
/// Returns [`MailError::Unparsable`] when the bytes are not a message and
/// [`MailError::NoReceiptTime`] when no header dates it.
pub fn facts_from_eml(raw: &[u8]) -> Result<MessageFacts, MailError> {
    let message = MessageParser::default()
        .parse(raw)
        .ok_or(MailError::Unparsable)?;
    facts_from_message(&message)
}

/// Builds the facts of a parsed message.
///
/// The receipt time is the date of the newest (topmost) dated `Received` header, because
/// that is when the FDA mail server took the message. The sender's `Date` is used only
/// when no `Received` header is dated.
///
/// # Errors
///
/// Returns [`MailError::NoReceiptTime`] when neither header gives a date.
pub fn facts_from_message(message: &mail_parser::Message<'_>) -> Result<MessageFacts, MailError> {
    let (received, receipt_source) = match message.received_all().find_map(|r| r.date()) {
        Some(date) => (date, ReceiptSource::ReceivedHeader),
        None => (
            message.date().cloned().ok_or(MailError::NoReceiptTime)?,
            ReceiptSource::DateHeader,
        ),
    };
    let received_at =
        Timestamp::from_second(received.to_timestamp()).map_err(|_| MailError::NoReceiptTime)?;

    let encryption = encryption_state(message);
    let encrypted = matches!(encryption, Encryption::NoKey { .. });
    let mut parse_problems = Vec::new();

    let mut body_text = String::new();
    for (index, part) in message.text_bodies().enumerate() {
        if part.is_encoding_problem {
            parse_problems.push(format!(
                "text body {} has a transfer-encoding problem",
                index + 1
            ));
        }
        if let Some(text) = message.body_text(index) {
            if !body_text.is_empty() {
                body_text.push('\n');
            }
            body_text.push_str(&text);
        }
    }

    // The envelope of an encrypted message is the whole message, not an attachment.
    let attachments: Vec<AttachmentFacts> = if encrypted {
        Vec::new()
    } else {
        message.attachments().map(attachment_facts).collect()
    };
    if !encrypted && body_text.trim().is_empty() && attachments.is_empty() {
        parse_problems.push("the message has no text and no attachments".to_owned());
    }

    Ok(MessageFacts {
        subject: message.subject().unwrap_or_default().to_owned(),
        body_text,
        attachments,
        from: mailboxes(message.from()),
        to: message.all_to().flat_map(|a| mailboxes(Some(a))).collect(),
        cc: message.all_cc().flat_map(|a| mailboxes(Some(a))).collect(),
        bcc: message.all_bcc().flat_map(|a| mailboxes(Some(a))).collect(),
        received_at,
        receipt_source,
        parse_problems,
        encryption,
        unparsed: None,
    })
}

/// Builds the facts of a stored message from its parsed summary and its original bytes.
///
/// The summary gives the text, addresses, attachments and receipt time as the store
/// recorded them. The bytes are read again only for the encryption state and for the
/// attachments whose transfer encoding was damaged. Parse warnings become parse problems.
///
/// # Errors
///
/// Returns [`MailError::NoReceiptTime`] when the summary has no receipt time.
pub fn facts_from_stored(parsed: &ParsedMessage, raw: &[u8]) -> Result<MessageFacts, MailError> {
    let received_at = parsed.received_at.ok_or(MailError::NoReceiptTime)?;
    let receipt_source = parsed.received_source.unwrap_or(ReceiptSource::DateHeader);
    let message = MessageParser::default().parse(raw);
    let encryption = message.as_ref().map_or(Encryption::None, encryption_state);
    let encrypted = matches!(encryption, Encryption::NoKey { .. });
    let damaged: Vec<bool> = message
        .as_ref()
        .map(|m| {
            m.attachments()
                .map(|part| part.is_encoding_problem)
                .collect()
        })
        .unwrap_or_default();

    let attachments = if encrypted {
        Vec::new()
    } else {
        parsed
            .attachments
            .iter()
            .enumerate()
            .map(|(index, attachment)| AttachmentFacts {
                name: attachment.name.clone().unwrap_or_default(),
                size: attachment.size,
                mime: attachment.mime_type.clone(),
                empty: attachment.size == 0,
                corrupt: damaged.get(index).copied().unwrap_or(false),
            })
            .collect()
    };
    let mailboxes = |list: &[crate::message::Mailbox]| -> Vec<Mailbox> {
        list.iter()
            .filter_map(|m| {
                Some(Mailbox {
                    name: m.name.clone(),
                    address: m.address.clone()?,
                })
            })
            .collect()
    };

    Ok(MessageFacts {
        subject: parsed.subject.clone().unwrap_or_default(),
        body_text: parsed.body_text.clone(),
        attachments,
        from: mailboxes(parsed.from.as_slice()),
        to: mailboxes(&parsed.to),
        cc: mailboxes(&parsed.cc),
        bcc: mailboxes(&parsed.bcc),
        received_at,
        receipt_source,
        parse_problems: parsed.warnings.clone(),
        encryption,
        unparsed: None,
    })
}

/// Updates `facts` with the stored S/MIME result of the message.
///
/// An encrypted message that was decrypted becomes [`Encryption::Decrypted`] with the text
/// and attachments of the decrypted content; one that was not becomes
/// [`Encryption::NoKey`] with the named reasons, which makes it unreadable (SOPP 8119
/// VII.A.1). Signed content (opaque signatures carry it only inside the CMS) replaces the
/// outer text and attachments, so the signature file is not counted as an attachment.
pub fn apply_smime(facts: &mut MessageFacts, smime: &StoredSmime) {
    let report = &smime.report;
    if report.encrypted && !report.decrypted {
        let reasons: Vec<String> = report
            .unreadable_reasons()
            .iter()
            .map(|reason| format!("{} ({})", reason.text, reason.code.as_str()))
            .collect();
        facts.encryption = Encryption::NoKey {
            reason: reasons.join("; "),
        };
        facts.attachments.clear();
        return;
    }
    if report.encrypted {
        facts.encryption = Encryption::Decrypted;
    }
    if let Some(content) = &smime.content_summary {
        facts.body_text.clone_from(&content.body_text);
        facts.attachments = content
            .attachments
            .iter()
            .map(|attachment| AttachmentFacts {
                name: attachment.name.clone().unwrap_or_default(),
                size: attachment.size,
                mime: attachment.mime_type.clone(),
                empty: attachment.size == 0,
                corrupt: false,
            })
            .collect();
        facts.parse_problems.extend(
            content
                .warnings
                .iter()
                // A layer's content is a MIME entity, which need not carry message headers.
                .filter(|w| *w != crate::message::NO_MESSAGE_HEADERS)
                .map(|w| format!("decrypted or signed content: {w}")),
        );
    }
}

/// Builds the facts of a message that could not be parsed on import (quarantined), from
/// its raw bytes, the quarantine `reason`, the mbox envelope lines it was found with, and
/// the time it was first imported.
///
/// The receipt time is the date of the newest `Received` header that a lenient read of the
/// raw bytes finds ([`newest_received_date`]). Without one, it is the date of the first
/// mbox envelope line that has a date, and without that, `imported_at`, which is later
/// than the real receipt. The facts have no subject, body, attachments or addresses, but
/// they keep the raw text for the identifiers, terms and addresses it may still show.
pub fn facts_from_quarantined<'a>(
    raw: &[u8],
    reason: &str,
    envelopes: impl IntoIterator<Item = &'a str>,
    imported_at: Timestamp,
) -> MessageFacts {
    let raw_text = String::from_utf8_lossy(raw).into_owned();
    let (received_at, receipt_source) = match newest_received_date(&raw_text) {
        Some(at) => (at, ReceiptSource::ReceivedHeader),
        None => match envelopes
            .into_iter()
            .find_map(crate::message::parse_envelope_date)
        {
            Some(at) => (at, ReceiptSource::MboxEnvelope),
            None => (imported_at, ReceiptSource::ImportTime),
        },
    };
    MessageFacts {
        subject: String::new(),
        body_text: String::new(),
        attachments: Vec::new(),
        from: Vec::new(),
        to: Vec::new(),
        cc: Vec::new(),
        bcc: Vec::new(),
        received_at,
        receipt_source,
        parse_problems: Vec::new(),
        encryption: Encryption::None,
        unparsed: Some(Unparsed {
            reason: reason.to_owned(),
            raw_text,
        }),
    }
}

/// Returns the date of the newest (topmost) dated `Received` header in the header block of
/// `text`, read leniently.
///
/// Lines before the first header field (blank lines, junk, an mbox `From ` line) are
/// skipped, and the block ends at the first empty line. Folded lines are joined, and lines
/// in the block that are not header fields are ignored. A `Received` header further down,
/// such as one of a forwarded message in the body, is not used.
pub fn newest_received_date(text: &str) -> Option<Timestamp> {
    let mut fields: Vec<String> = Vec::new();
    for line in text.lines() {
        if fields.is_empty() {
            if is_field_start(line) {
                fields.push(line.to_owned());
            }
            continue;
        }
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some(field) = fields.last_mut() {
                field.push(' ');
                field.push_str(line.trim());
            }
        } else if is_field_start(line) {
            fields.push(line.to_owned());
        }
    }
    fields
        .iter()
        .filter(|field| {
            field
                .split_once(':')
                .is_some_and(|(name, _)| name.eq_ignore_ascii_case("received"))
        })
        .find_map(|field| received_date(field))
}

/// Returns whether `line` starts a header field: a name of printable characters other than
/// the colon, then a colon (RFC 5322 section 2.2).
fn is_field_start(line: &str) -> bool {
    match line.split_once(':') {
        Some((name, _)) => {
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_graphic() && b != b':')
        }
        None => false,
    }
}

/// Parses the date of one unfolded `Received` field with mail-parser, so that it is read
/// the same way as in a message that parsed.
fn received_date(field: &str) -> Option<Timestamp> {
    let header = format!("{field}\r\n\r\n");
    let message = MessageParser::default().parse(header.as_bytes())?;
    let date = message
        .received_all()
        .find_map(|received| received.date())
        .filter(|date| date.is_valid())?;
    Timestamp::from_second(date.to_timestamp()).ok()
}

fn attachment_facts(part: &mail_parser::MessagePart<'_>) -> AttachmentFacts {
    let mime = part
        .content_type()
        .map(|ct| match ct.subtype() {
            Some(subtype) => format!("{}/{subtype}", ct.ctype()),
            None => ct.ctype().to_owned(),
        })
        .unwrap_or_else(|| "application/octet-stream".to_owned())
        .to_ascii_lowercase();
    let contents = part.contents();
    AttachmentFacts {
        name: part.attachment_name().unwrap_or_default().to_owned(),
        size: contents.len() as u64,
        mime,
        empty: contents.is_empty(),
        corrupt: part.is_encoding_problem,
    }
}

/// Returns [`Encryption::NoKey`] for an S/MIME enveloped message (RFC 8551 3.3), which
/// this module cannot open.
fn encryption_state(message: &mail_parser::Message<'_>) -> Encryption {
    let Some(content_type) = message.root_part().content_type() else {
        return Encryption::None;
    };
    let subtype = content_type
        .subtype()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let is_pkcs7 = content_type.ctype().eq_ignore_ascii_case("application")
        && (subtype == "pkcs7-mime" || subtype == "x-pkcs7-mime");
    if !is_pkcs7 {
        return Encryption::None;
    }
    let smime_type = content_type
        .attribute("smime-type")
        .unwrap_or_default()
        .to_ascii_lowercase();
    // An opaque signed message is also pkcs7-mime but carries readable content.
    if smime_type == "signed-data" || smime_type == "certs-only" {
        return Encryption::None;
    }
    Encryption::NoKey {
        reason: "S/MIME enveloped data, and no decryption key is configured".to_owned(),
    }
}

fn mailboxes(address: Option<&Address<'_>>) -> Vec<Mailbox> {
    let Some(address) = address else {
        return Vec::new();
    };
    address
        .iter()
        .filter_map(|addr| {
            let email = addr.address.as_deref()?.trim();
            Some(Mailbox {
                name: addr.name.as_deref().map(str::to_owned),
                address: email.to_owned(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENVELOPED: &[u8] = b"Received: from mx (mx [192.0.2.1]) by mail.fda.hhs.gov; Thu, 13 Mar 2025 14:20:00 -0400\r\n\
From: a@acmebio.example\r\n\
To: dana@fda.hhs.gov\r\n\
Subject: STN 125742/0 - Confidential\r\n\
Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
MIAGCSqGSIb3DQEHA6CAMIACAQA=\r\n";

    const NO_RECEIVED: &[u8] = b"From: a@acmebio.example\r\n\
To: dana@fda.hhs.gov\r\n\
Bcc: marcus.ortega@fda.hhs.gov\r\n\
Date: Tue, 04 Mar 2025 10:12:00 -0500\r\n\
Subject: hello\r\n\
\r\n\
text\r\n";

    #[test]
    fn enveloped_message_has_no_key() {
        let facts = facts_from_eml(ENVELOPED).expect("parses");
        assert!(
            matches!(facts.encryption, Encryption::NoKey { .. }),
            "{:?}",
            facts.encryption
        );
        assert!(
            facts.attachments.is_empty(),
            "the envelope is not an attachment"
        );
        assert_eq!(facts.receipt_source, ReceiptSource::ReceivedHeader);
        assert_eq!(facts.received_at.to_string(), "2025-03-13T18:20:00Z");
    }

    #[test]
    fn date_header_is_fallback_receipt() {
        let facts = facts_from_eml(NO_RECEIVED).expect("parses");
        assert_eq!(facts.receipt_source, ReceiptSource::DateHeader);
        assert_eq!(facts.received_at.to_string(), "2025-03-04T15:12:00Z");
        assert_eq!(facts.bcc.len(), 1, "Bcc is kept");
    }

    #[test]
    fn undated_message_is_rejected() {
        let err = facts_from_eml(b"From: a@b.example\r\nSubject: x\r\n\r\nbody\r\n")
            .expect_err("no date");
        assert_eq!(err, MailError::NoReceiptTime);
    }

    #[test]
    fn received_date_is_read_leniently() {
        const DATE: &str = "2025-03-04T15:15:00Z";
        let cases: &[(&str, &str, Option<&str>)] = &[
            (
                "leading blank lines",
                "\n\nReceived: from mx by mail.fda.hhs.gov; Tue, 04 Mar 2025 10:15:00 -0500\nSubject: x\n\nbody\n",
                Some(DATE),
            ),
            (
                "junk line before the headers",
                "\u{1}\u{2} junk line\nReceived: from mx by mail.fda.hhs.gov; Tue, 04 Mar 2025 10:15:00 -0500\n\nbody\n",
                Some(DATE),
            ),
            (
                "mbox envelope line first",
                "From sponsor@acmebio.example Tue Mar  4 10:15:00 2025\nReceived: from mx by mail.fda.hhs.gov; Tue, 04 Mar 2025 10:15:00 -0500\n\nbody\n",
                Some(DATE),
            ),
            (
                "folded field",
                "Received: from mx (mx [192.0.2.1]) by\n mail.fda.hhs.gov with ESMTPS id 1;\n\tTue, 04 Mar 2025 10:15:00 -0500\n\nbody\n",
                Some(DATE),
            ),
            (
                "CRLF and lower-case name",
                "received: from mx by mail.fda.hhs.gov; Tue, 04 Mar 2025 10:15:00 -0500\r\nSubject: x\r\n\r\nbody\r\n",
                Some(DATE),
            ),
            (
                "newest of two",
                "Received: from relay by mail.fda.hhs.gov; Tue, 04 Mar 2025 10:15:00 -0500\nReceived: from client by relay; Tue, 04 Mar 2025 10:14:00 -0500\n\nbody\n",
                Some(DATE),
            ),
            (
                "newest has no date",
                "Received: from relay by mail.fda.hhs.gov\nReceived: from client by relay; Tue, 04 Mar 2025 10:15:00 -0500\n\nbody\n",
                Some(DATE),
            ),
            (
                "junk line inside the block",
                "Subject: x\n\u{1} not a field\nReceived: from mx by mail.fda.hhs.gov; Tue, 04 Mar 2025 10:15:00 -0500\n\nbody\n",
                Some(DATE),
            ),
            (
                "only in the body",
                "Subject: x\n\nReceived: from mx by mail.fda.hhs.gov; Tue, 04 Mar 2025 10:15:00 -0500\n",
                None,
            ),
            (
                "no date",
                "Received: from mx by mail.fda.hhs.gov; not a date\n\nbody\n",
                None,
            ),
            ("no header fields", "\u{0}\u{1}\u{2} this is not mail\n", None),
            ("empty", "", None),
        ];
        for (name, text, expected) in cases {
            let found = newest_received_date(text).map(|at| at.to_string());
            assert_eq!(found.as_deref(), *expected, "{name}");
        }
    }

    #[test]
    fn quarantined_receipt_falls_back_in_order() {
        let imported: Timestamp = "2025-03-20T18:00:00Z".parse().expect("valid time");
        let received = b"\n\nReceived: from mx by mail.fda.hhs.gov; Tue, 04 Mar 2025 10:15:00 -0500\nSubject: STN 125742/0\n\nbody\n";
        let garbage = b"\x00\x01 not mail \xff\n";
        const ENVELOPE: &str = "sponsor@acmebio.example Wed Mar  5 14:30:00 2025";
        struct Case {
            name: &'static str,
            raw: &'static [u8],
            envelopes: &'static [&'static str],
            at: &'static str,
            source: ReceiptSource,
        }
        let cases = [
            Case {
                name: "Received header wins",
                raw: received,
                envelopes: &[ENVELOPE],
                at: "2025-03-04T15:15:00Z",
                source: ReceiptSource::ReceivedHeader,
            },
            Case {
                name: "envelope without Received",
                raw: garbage,
                envelopes: &[ENVELOPE],
                at: "2025-03-05T14:30:00Z",
                source: ReceiptSource::MboxEnvelope,
            },
            Case {
                name: "first dated envelope",
                raw: garbage,
                envelopes: &["not a date", ENVELOPE],
                at: "2025-03-05T14:30:00Z",
                source: ReceiptSource::MboxEnvelope,
            },
            Case {
                name: "import time last",
                raw: garbage,
                envelopes: &[],
                at: "2025-03-20T18:00:00Z",
                source: ReceiptSource::ImportTime,
            },
            Case {
                name: "undated envelope",
                raw: garbage,
                envelopes: &["MAILER-DAEMON"],
                at: "2025-03-20T18:00:00Z",
                source: ReceiptSource::ImportTime,
            },
        ];
        for case in cases {
            let name = case.name;
            let facts = facts_from_quarantined(
                case.raw,
                "no header fields",
                case.envelopes.iter().copied(),
                imported,
            );
            assert_eq!(facts.received_at.to_string(), case.at, "{name}: time");
            assert_eq!(facts.receipt_source, case.source, "{name}: source");
            let unparsed = facts.unparsed.as_ref().expect("unparsed");
            assert_eq!(unparsed.reason, "no header fields", "{name}: reason");
            assert!(facts.subject.is_empty(), "{name}: no subject");
            assert!(facts.to.is_empty(), "{name}: no recipients");
        }
    }

    #[test]
    fn quarantined_raw_text_is_searched_for_identifiers() {
        let raw = b"\n\nSubject: Amendment to STN 125742/0\n\nSee IND 27123.\n";
        let facts = facts_from_quarantined(raw, "no header fields", [], Timestamp::UNIX_EPOCH);
        let identifiers = facts.identifiers();
        let values: Vec<&str> = identifiers.iter().map(|i| i.value.as_str()).collect();
        assert_eq!(values, ["STN 125742/0", "IND 27123"]);
        for identifier in &identifiers {
            assert_eq!(
                identifier.location,
                crate::sopp::Location::Raw,
                "{}",
                identifier.value
            );
        }
    }
}
