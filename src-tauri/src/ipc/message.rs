//! A message as the message screen shows it.

use serde::{Deserialize, Serialize};
use specta::Type;

use regmail::calendar::BusinessCalendar;
use regmail::message::html::{self, SanitizedHtml};
use regmail::sopp::identifiers;
use regmail::sopp::{Identifier, Location};
use regmail::store::{MessageDeletion, StoredMessage};

use crate::attachments::safe_file_name;

/// An identifier found in the message, with where it is, for highlighting.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct IdentifierDto {
    /// The kind (`stn`, `ind`, …).
    pub kind: String,
    /// Canonical form (`STN 125742/0`).
    pub value: String,
    /// `subject`, `body` or `attachment`.
    pub part: String,
    /// For an attachment, its position.
    pub attachment_index: Option<u32>,
    /// The text as written.
    pub matched: String,
    /// Offset of the match in the part's text, in UTF-16 code units as JavaScript counts.
    pub start: u32,
    /// Offset just past the match, in UTF-16 code units.
    pub end: u32,
}

impl IdentifierDto {
    /// Builds the transport form of `identifier`, found in `text`.
    pub fn new(identifier: &Identifier, text: &str) -> IdentifierDto {
        let (part, attachment_index) = match &identifier.location {
            Location::Subject => ("subject", None),
            Location::Body => ("body", None),
            Location::Attachment { index, .. } => ("attachment", Some(*index as u32)),
            Location::Raw => ("raw", None),
        };
        IdentifierDto {
            kind: identifier.kind.as_str().to_owned(),
            value: identifier.value.clone(),
            part: part.to_owned(),
            attachment_index,
            matched: identifier.matched.clone(),
            start: utf16_offset(text, identifier.start),
            end: utf16_offset(text, identifier.end),
        }
    }
}

fn utf16_offset(text: &str, byte_offset: usize) -> u32 {
    text.get(..byte_offset)
        .map_or(0, |prefix| prefix.encode_utf16().count() as u32)
}

/// An attachment of the message.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentDto {
    /// Position among the message's attachments, used to open or save it.
    pub index: u32,
    /// File name as sent, for display only.
    pub name: Option<String>,
    /// Media type.
    pub mime_type: String,
    /// Size in bytes.
    pub size: u64,
    /// The name reduced to a safe file name, offered in the save dialog.
    pub safe_name: String,
}

/// The sanitized HTML body and what was removed from it.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct HtmlBodyDto {
    /// Sanitized HTML, without scripts, styles or network loads.
    pub html: String,
    /// Images blocked because they would load from the network or a path.
    pub remote_images_blocked: u32,
    /// Images that referred to message parts and are not shown.
    pub inline_images_omitted: u32,
    /// Links whose target was removed.
    pub links_disabled: u32,
}

impl From<SanitizedHtml> for HtmlBodyDto {
    fn from(s: SanitizedHtml) -> HtmlBodyDto {
        HtmlBodyDto {
            html: s.html,
            remote_images_blocked: s.remote_images_blocked as u32,
            inline_images_omitted: s.inline_images_omitted as u32,
            links_disabled: s.links_disabled as u32,
        }
    }
}

/// The deletion of a message's stored copy (SOPP 8119 V.B.2.a.iii).
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct DeletionDto {
    /// When, RFC 3339 UTC.
    pub deleted_at: String,
    /// When, formatted in Eastern Time for display.
    pub deleted_at_et: String,
    /// The user who completed the deleting task.
    pub deleted_by: String,
    /// The task whose completion deleted it.
    pub task_id: i64,
    /// The SOPP section the deletion applied.
    pub section: String,
}

impl DeletionDto {
    /// Builds the transport form of `deletion`, formatting its time with `calendar`.
    pub fn new(deletion: MessageDeletion, calendar: &BusinessCalendar) -> DeletionDto {
        let deleted_at_et = deletion.deleted_at.parse::<jiff::Timestamp>().map_or_else(
            |_| deletion.deleted_at.clone(),
            |t| calendar.format_eastern(t),
        );
        DeletionDto {
            deleted_at: deletion.deleted_at,
            deleted_at_et,
            deleted_by: deletion.deleted_by,
            task_id: deletion.task_id,
            section: deletion.section,
        }
    }
}

/// A stored message with everything the message screen shows.
#[derive(Debug, Clone, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct MessageDto {
    /// Store id.
    pub id: i64,
    /// `Message-ID`.
    pub message_id: Option<String>,
    /// Sender.
    pub from: Option<String>,
    /// `To` recipients.
    pub to: Vec<String>,
    /// `Cc` recipients.
    pub cc: Vec<String>,
    /// Subject.
    pub subject: Option<String>,
    /// `Date` header, RFC 3339 with the sender's offset.
    pub date: Option<String>,
    /// Receipt time, RFC 3339 UTC.
    pub received_at: Option<String>,
    /// Receipt time in Eastern Time.
    pub received_at_et: Option<String>,
    /// The evidence the receipt time was taken from.
    pub received_source: Option<String>,
    /// `parsed`, `quarantined`, or `deleted` once the stored copy was deleted.
    pub status: String,
    /// The deletion of the stored copy, when it was deleted; the message then has no
    /// headers, body or attachments left.
    pub deleted: Option<DeletionDto>,
    /// Why the message was quarantined.
    pub quarantine_reason: Option<String>,
    /// The text body.
    pub body_text: String,
    /// The sanitized HTML body, when the message has one.
    pub html: Option<HtmlBodyDto>,
    /// Attachments.
    pub attachments: Vec<AttachmentDto>,
    /// Problems met while parsing.
    pub warnings: Vec<String>,
    /// Identifiers in the subject, body and attachment names.
    pub identifiers: Vec<IdentifierDto>,
}

impl MessageDto {
    /// Builds the message screen's view of `stored`, whose original bytes are `raw`, or
    /// none when the stored copy was deleted.
    pub fn new(
        stored: StoredMessage,
        raw: Option<&[u8]>,
        calendar: &BusinessCalendar,
    ) -> MessageDto {
        let parsed = stored.parsed;
        let subject = parsed.subject.clone().unwrap_or_default();
        let names: Vec<&str> = parsed
            .attachments
            .iter()
            .map(|a| a.name.as_deref().unwrap_or(""))
            .collect();
        let found =
            identifiers::detect_in_message(&subject, &parsed.body_text, names.iter().copied());
        let identifiers = found
            .iter()
            .map(|identifier| {
                let text = match &identifier.location {
                    Location::Subject => subject.as_str(),
                    Location::Body => parsed.body_text.as_str(),
                    Location::Attachment { name, .. } => name.as_str(),
                    // Identifiers of a message that did not parse are found in its raw
                    // bytes, which the view does not show as text; offsets then stay 0.
                    Location::Raw => "",
                };
                IdentifierDto::new(identifier, text)
            })
            .collect();

        MessageDto {
            id: stored.id,
            message_id: parsed.message_id,
            from: parsed.from.map(|m| m.to_string()),
            to: parsed.to.iter().map(ToString::to_string).collect(),
            cc: parsed.cc.iter().map(ToString::to_string).collect(),
            subject: parsed.subject,
            date: parsed.date,
            received_at: parsed.received_at.map(|t| t.to_string()),
            received_at_et: parsed.received_at.map(|t| calendar.format_eastern(t)),
            received_source: parsed.received_source.map(|s| s.as_str().to_owned()),
            status: stored.status,
            deleted: stored.deleted.map(|d| DeletionDto::new(d, calendar)),
            quarantine_reason: stored.quarantine_reason,
            html: raw
                .and_then(html::html_body)
                .map(|body| html::sanitize(&body).into()),
            attachments: parsed
                .attachments
                .iter()
                .enumerate()
                .map(|(index, a)| AttachmentDto {
                    index: index as u32,
                    name: a.name.clone(),
                    mime_type: a.mime_type.clone(),
                    size: a.size,
                    safe_name: safe_file_name(a.name.as_deref(), index as u32),
                })
                .collect(),
            body_text: parsed.body_text,
            warnings: parsed.warnings,
            identifiers,
        }
    }
}
