//! The exported `.eml`: parsed back with mail-parser to the exact header values, read back
//! into a draft, and hashed.

use mail_parser::{HeaderValue, MessageParser, MimeHeaders};
use regmail::drafts::{export, parse_eml, Draft, DraftAttachment, EmlError};

use super::{clean_draft, named};

const SIGNED_PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Sig /SubFilter /adbe.pkcs7.detached /ByteRange [0 10 20 30] >> endobj\n";

fn accented_draft() -> Draft {
    let mut draft = clean_draft();
    draft.to = vec![named("Renée Müller", "renee.muller@acmebio.example")];
    draft.subject = "STN 125742/0 - Données de stabilité reçues, merci".into();
    draft.body = "Chère Renée,\n\nNous avons reçu les données.\nA line that is long enough to be folded by quoted-printable encoding at seventy-six characters.\n".into();
    draft.references = vec![
        "first@acmebio.example".into(),
        "rpm-missing@acmebio.example".into(),
    ];
    draft
}

fn addresses(value: Option<&mail_parser::Address<'_>>) -> Vec<(Option<String>, Option<String>)> {
    value
        .map(|a| {
            a.iter()
                .map(|addr| {
                    (
                        addr.name().map(str::to_owned),
                        addr.address().map(str::to_owned),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn headers_parse_back_exactly() -> Result<(), EmlError> {
    let draft = accented_draft();
    let at = "2025-03-04T16:00:00Z".parse().expect("time");
    let exported = export(&draft, at)?;
    let message = MessageParser::default()
        .parse(&exported.bytes)
        .expect("the export parses");

    assert_eq!(message.subject(), Some(draft.subject.as_str()));
    assert_eq!(
        addresses(message.from()),
        [(
            Some("Dana Whitfield".to_owned()),
            Some("dana.whitfield@fda.hhs.gov".to_owned())
        )]
    );
    assert_eq!(
        addresses(message.to()),
        [(
            Some("Renée Müller".to_owned()),
            Some("renee.muller@acmebio.example".to_owned())
        )]
    );
    assert_eq!(
        addresses(message.cc()),
        [(
            Some("Marcus Ortega".to_owned()),
            Some("marcus.ortega@fda.hhs.gov".to_owned())
        )]
    );
    assert_eq!(
        message.in_reply_to().as_text(),
        Some("rpm-missing@acmebio.example")
    );
    let references: Vec<String> = match message.references() {
        HeaderValue::TextList(list) => list.iter().map(|r| r.to_string()).collect(),
        HeaderValue::Text(one) => vec![one.to_string()],
        other => panic!("unexpected References {other:?}"),
    };
    assert_eq!(references, draft.references);
    assert_eq!(
        message.header_raw("X-Unsent").map(str::trim),
        Some("1"),
        "Outlook opens the file as an unsent draft"
    );
    assert_eq!(message.message_id(), Some(exported.message_id.as_str()));
    assert_eq!(
        message.date().map(|d| d.to_timestamp()),
        Some(exported.date.as_second())
    );
    let body = message.body_text(0).expect("text body");
    assert_eq!(body.replace("\r\n", "\n"), draft.body);
    let content_type = message.content_type().expect("content type");
    assert_eq!(content_type.ctype(), "text");
    assert_eq!(content_type.subtype(), Some("plain"));
    assert_eq!(content_type.attribute("charset"), Some("utf-8"));
    Ok(())
}

#[test]
fn non_ascii_subject_is_an_encoded_word() -> Result<(), EmlError> {
    let exported = export(
        &accented_draft(),
        "2025-03-04T16:00:00Z".parse().expect("time"),
    )?;
    let text = String::from_utf8(exported.bytes).expect("the export is ASCII");
    let subject = text
        .lines()
        .find(|line| line.starts_with("Subject:"))
        .expect("Subject header");
    assert!(subject.contains("=?utf-8?"), "{subject}");
    assert!(text.is_ascii(), "every byte is 7-bit");
    Ok(())
}

#[test]
fn hash_is_of_the_exact_bytes() -> Result<(), EmlError> {
    let exported = export(
        &clean_draft(),
        "2025-03-04T16:00:00Z".parse().expect("time"),
    )?;
    assert_eq!(
        regmail::message::sha256_hex(&exported.bytes),
        exported.sha256
    );
    let again = export(
        &clean_draft(),
        "2025-03-04T16:00:00Z".parse().expect("time"),
    )?;
    assert_eq!(
        again.bytes, exported.bytes,
        "same draft and time, same bytes"
    );
    Ok(())
}

#[test]
fn export_reads_back_into_the_same_draft() -> Result<(), EmlError> {
    let mut draft = accented_draft();
    draft.attachments.push(DraftAttachment::new(
        "IR letter.pdf",
        SIGNED_PDF.to_vec(),
        true,
    ));
    let exported = export(&draft, "2025-03-04T16:00:00Z".parse().expect("time"))?;
    let back = parse_eml(&exported.bytes)?;
    assert_eq!(back.from, draft.from);
    assert_eq!(back.to, draft.to);
    assert_eq!(back.cc, draft.cc);
    assert_eq!(back.subject, draft.subject);
    assert_eq!(back.body.replace("\r\n", "\n"), draft.body);
    assert_eq!(back.in_reply_to, draft.in_reply_to);
    assert_eq!(back.references, draft.references);
    assert_eq!(back.attachments.len(), 1);
    let attachment = &back.attachments[0];
    assert_eq!(attachment.name, "IR letter.pdf");
    assert_eq!(attachment.content_type, "application/pdf");
    assert_eq!(attachment.bytes, SIGNED_PDF);
    assert!(attachment.signed_pdf, "the signature is detected again");
    Ok(())
}

#[test]
fn attachment_parts_carry_their_names() -> Result<(), EmlError> {
    let mut draft = clean_draft();
    draft.attachments.push(DraftAttachment::new(
        "tables.pdf",
        b"%PDF-1.4\n".to_vec(),
        false,
    ));
    let exported = export(&draft, "2025-03-04T16:00:00Z".parse().expect("time"))?;
    let message = MessageParser::default()
        .parse(&exported.bytes)
        .expect("parses");
    let names: Vec<&str> = message
        .attachments()
        .filter_map(|part| part.attachment_name())
        .collect();
    assert_eq!(names, ["tables.pdf"]);
    assert_eq!(message.header_raw("X-Unsent").map(str::trim), Some("1"));
    Ok(())
}

#[test]
fn draft_without_from_is_not_exported() {
    let mut draft = clean_draft();
    draft.from = None;
    let err = export(&draft, "2025-03-04T16:00:00Z".parse().expect("time")).expect_err("no From");
    assert!(matches!(err, EmlError::NoFrom), "{err}");
}

#[test]
fn file_that_is_not_mail_is_rejected() {
    let err = parse_eml(b"\n\n").expect_err("empty");
    assert!(err.to_string().contains("not an email message"), "{err}");
}
