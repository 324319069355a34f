//! Drafts as RFC 5322 messages: the export of the record copy, and the reading of an
//! `.eml` file back into a draft for `regmail check`.
//!
//! The export is built with `mail-builder`. It carries `X-Unsent: 1`, which makes Outlook
//! open the file as an unsent draft, and a plain-text UTF-8 body. Non-ASCII header text is
//! encoded as RFC 2047 encoded-words. SOPP 8119 IV.E requires the record copy to be "an
//! exact duplication of what the sponsor/applicant receives": the exported bytes are
//! returned with their SHA-256 so that the store keeps exactly them.
//!
//! NOTE: Outlook adds transport headers and may re-encode the body when it sends the
//! draft, so the bytes the sponsor receives can differ from the record copy outside the
//! visible content.

use jiff::Timestamp;
use mail_builder::headers::address::Address;
use mail_builder::headers::message_id::MessageId;
use mail_builder::headers::raw::Raw;
use mail_builder::MessageBuilder;
use mail_parser::{MessageParser, MimeHeaders};

use super::{domain_of, Draft, DraftAttachment};
use crate::message::{self, Parsed};
use crate::sopp::facts::Mailbox;

/// Errors exporting or reading a draft.
#[derive(Debug, thiserror::Error)]
pub enum EmlError {
    /// The draft has no From address to build the message with.
    #[error("the draft has no From address; set your official address with `regmail settings set reviewer-email ADDRESS`")]
    NoFrom,
    /// Writing the message failed.
    #[error("the message could not be written")]
    Write(#[from] std::io::Error),
    /// The file is not an RFC 5322 message.
    #[error(
        "the file is not an email message: {reason}; give an .eml file saved from a mail client"
    )]
    NotAMessage {
        /// The reason it could not be parsed.
        reason: String,
    },
}

/// An exported draft: the record copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    /// The message bytes, exactly as written to the file.
    pub bytes: Vec<u8>,
    /// SHA-256 of `bytes`, lowercase hex.
    pub sha256: String,
    /// The `Message-ID`, without angle brackets.
    pub message_id: String,
    /// The `Date`.
    pub date: Timestamp,
}

/// Builds the `.eml` of `draft`, dated `at`.
///
/// This only builds the bytes; whether a draft may be exported is decided by
/// [`super::check()`], and [`super::stored::export_record_copy`] runs both and keeps the
/// record copy.
///
/// # Errors
///
/// Returns [`EmlError::NoFrom`] when the draft has no From address.
pub fn export(draft: &Draft, at: Timestamp) -> Result<Export, EmlError> {
    let from = draft.from.as_ref().ok_or(EmlError::NoFrom)?;
    let domain = domain_of(&from.address).unwrap_or_else(|| "localhost".to_owned());
    let seed = format!(
        "{}\n{}\n{}\n{}",
        at, from.address, draft.subject, draft.body
    );
    let message_id = format!(
        "{}.regmail@{domain}",
        &message::sha256_hex(seed.as_bytes())[..32]
    );

    let mut builder = MessageBuilder::new()
        .message_id(message_id.clone())
        .date(at.as_second())
        .from(address(from));
    if !draft.to.is_empty() {
        builder = builder.to(address_list(&draft.to));
    }
    if !draft.cc.is_empty() {
        builder = builder.cc(address_list(&draft.cc));
    }
    if !draft.bcc.is_empty() {
        builder = builder.bcc(address_list(&draft.bcc));
    }
    builder = builder.subject(draft.subject.clone());
    if let Some(id) = &draft.in_reply_to {
        builder = builder.in_reply_to(id.clone());
    }
    if !draft.references.is_empty() {
        builder = builder.references(MessageId::new_list(draft.references.iter().cloned()));
    }
    builder = builder
        .header("X-Unsent", Raw::new("1"))
        .text_body(draft.body.clone());
    for attachment in &draft.attachments {
        builder = builder.attachment(
            attachment.content_type.clone(),
            attachment.name.clone(),
            attachment.bytes.clone(),
        );
    }

    let bytes = builder.write_to_vec()?;
    Ok(Export {
        sha256: message::sha256_hex(&bytes),
        bytes,
        message_id,
        date: Timestamp::from_second(at.as_second())
            .expect("a second of a valid timestamp is valid"),
    })
}

fn address(mailbox: &Mailbox) -> Address<'static> {
    Address::new_address(
        mailbox.name.clone().filter(|name| !name.trim().is_empty()),
        mailbox.address.clone(),
    )
}

fn address_list(mailboxes: &[Mailbox]) -> Address<'static> {
    Address::new_list(mailboxes.iter().map(address).collect())
}

/// Reads an `.eml` file into a draft: headers, body text, attachments. The draft names no
/// template, records no exception and is taken to pertain to a submission.
///
/// # Errors
///
/// Returns [`EmlError::NotAMessage`] when the bytes are not an RFC 5322 message.
pub fn parse_eml(bytes: &[u8]) -> Result<Draft, EmlError> {
    let parsed = match message::parse(bytes, None) {
        Parsed::Message(parsed) => parsed,
        Parsed::Quarantined { reason } => return Err(EmlError::NotAMessage { reason }),
    };
    let mailboxes = |list: &[message::Mailbox]| -> Vec<Mailbox> {
        list.iter()
            .filter_map(|m| {
                m.address.as_ref().map(|address| Mailbox {
                    name: m.name.clone(),
                    address: address.to_ascii_lowercase(),
                })
            })
            .collect()
    };

    let attachments = MessageParser::default()
        .parse(bytes)
        .map(|message| {
            message
                .attachments()
                .map(|part| {
                    let name = part.attachment_name().unwrap_or("attachment").to_owned();
                    let mut attachment =
                        DraftAttachment::new(&name, part.contents().to_vec(), false);
                    if let Some(content_type) = part.content_type() {
                        attachment.content_type = match content_type.subtype() {
                            Some(sub) => format!("{}/{sub}", content_type.ctype()),
                            None => content_type.ctype().to_owned(),
                        }
                        .to_ascii_lowercase();
                    }
                    attachment
                })
                .collect()
        })
        .unwrap_or_default();

    Ok(Draft {
        message_id: None,
        template: None,
        from: parsed
            .from
            .as_ref()
            .and_then(|from| mailboxes(std::slice::from_ref(from)).into_iter().next()),
        to: mailboxes(&parsed.to),
        cc: mailboxes(&parsed.cc),
        bcc: mailboxes(&parsed.bcc),
        subject: parsed.subject.clone().unwrap_or_default(),
        body: parsed.body_text.clone(),
        in_reply_to: parsed.in_reply_to.first().cloned(),
        references: parsed.references.clone(),
        stn: None,
        about_submission: true,
        exception: None,
        communication: Default::default(),
        marks: Default::default(),
        attachments,
    })
}
