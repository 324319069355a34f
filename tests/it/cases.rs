//! Parsing cases distilled from public bug reports of mail software; each folder under
//! `tests/fixtures/cases` has an `expected.md` that these asserts follow.

use regmail::import::ImportOptions;
use regmail::mailbox::MboxVariant;
use regmail::message::{self, Parsed, ParsedMessage};
use regmail::store::StoredMessage;

use crate::{fixture, import_into, import_with, memory_store};

fn parse_fixture(relative: &str) -> ParsedMessage {
    let bytes = std::fs::read(fixture(relative)).expect("read fixture");
    match message::parse(&bytes, None) {
        Parsed::Message(m) => m,
        Parsed::Quarantined { reason } => panic!("{relative} was quarantined: {reason}"),
    }
}

fn normalized(text: &str) -> String {
    text.replace("\r\n", "\n").trim_end().to_string()
}

fn has_c1_or_replacement(text: &str) -> bool {
    text.chars()
        .any(|c| ('\u{80}'..='\u{9f}').contains(&c) || c == '\u{fffd}')
}

#[test]
fn windows_1252_labelled_latin1() {
    let m = parse_fixture("cases/charset-win1252-as-latin1/latin1-label.eml");
    let subject = m.subject.as_deref().unwrap_or_default();
    assert_eq!(
        subject,
        "Re: \u{201c}Complete Response\u{201d} letter \u{2013} next steps\u{2026}"
    );
    assert_eq!(
        normalized(&m.body_text),
        "Thank you for your submission\u{2026} We\u{2019}ll send the \u{201c}Filing Communication\u{201d} within 60 days.\n\
         Fee paid: \u{20ac} 1.200,00 \u{2013} r\u{e9}f. 2025-0001."
    );
    assert!(!has_c1_or_replacement(subject), "subject has C1 or U+FFFD");
    assert!(
        !has_c1_or_replacement(&m.body_text),
        "body has C1 or U+FFFD"
    );
}

fn body_lines(stored: &StoredMessage) -> Vec<String> {
    let text = normalized(&stored.parsed.body_text);
    text.lines().map(str::to_string).collect()
}

#[test]
fn mboxrd_from_lines_are_unescaped() {
    let mut store = memory_store();
    let report = import_into(
        &mut store,
        &[fixture("cases/mboxrd-from-unescape/export.mboxrd")],
    );
    assert_eq!(report.found, 2);
    assert_eq!(report.imported, 2);

    let first = store.message(1).expect("message 1");
    let second = store.message(2).expect("message 2");
    assert_eq!(first.parsed.subject.as_deref(), Some("First message"));
    assert_eq!(second.parsed.subject.as_deref(), Some("Second message"));
    assert_eq!(normalized(&first.parsed.body_text), "Short first message.");
    assert_eq!(
        body_lines(&second),
        [
            "Dear Alice,",
            "",
            "From here on, please send all correspondence to the new address.",
            ">From the archive: the earlier letter is quoted below.",
            "> From a normal reply quote, this line is not an escape.",
            "Last line.",
        ]
    );
}

#[test]
fn mboxo_variant_keeps_double_quoted_from() {
    let mut store = memory_store();
    let options = ImportOptions {
        mbox_variant: MboxVariant::Mboxo,
        ..ImportOptions::default()
    };
    import_with(
        &mut store,
        &[fixture("cases/mboxrd-from-unescape/export.mboxrd")],
        options,
    );
    let lines = body_lines(&store.message(2).expect("message 2"));
    assert_eq!(
        lines[2],
        "From here on, please send all correspondence to the new address."
    );
    assert_eq!(
        lines[3],
        ">>From the archive: the earlier letter is quoted below."
    );
}

#[test]
fn multipart_without_closing_boundary() {
    let path = "cases/multipart-missing-close-boundary/no-closing-boundary.eml";
    let m = parse_fixture(path);
    assert_eq!(m.subject.as_deref(), Some("Response letter attached"));
    assert_eq!(
        m.from.as_ref().and_then(|f| f.address.as_deref()),
        Some("alice@example.com")
    );
    let body = m.body_text.replace("\r\n", "\n");
    assert_eq!(
        body.trim_end(),
        "Hello Bob,\nthe response letter is attached.\nAlice"
    );
    assert!(
        !m.body_text.contains("This is a multi-part message"),
        "preamble shown as body"
    );
    assert_eq!(m.attachments.len(), 1);
    let pdf = &m.attachments[0];
    assert_eq!(pdf.name.as_deref(), Some("Response letter.pdf"));
    assert_eq!(pdf.mime_type, "application/pdf");
    assert_eq!(pdf.size, 316);
    assert_eq!(
        pdf.sha256,
        "6caa079e3a78f0f5fe8a2a9e66f3ac8b435119765fbb381d68ef0fd6a9ee558c"
    );

    let bytes = std::fs::read(fixture(path)).expect("read fixture");
    let contents = message::attachment_contents(&bytes, 0).expect("attachment 0");
    assert_eq!(message::sha256_hex(&contents), pdf.sha256);
}

#[test]
fn forwarded_message_attachment() {
    for file in ["forwarded-7bit.eml", "forwarded-base64.eml"] {
        let path = format!("cases/nested-rfc822-attachment/{file}");
        let outer = parse_fixture(&path);
        assert_eq!(
            outer.subject.as_deref(),
            Some("Fwd: Acknowledgement of receipt"),
            "{file}"
        );
        assert_eq!(
            outer.from.as_ref().and_then(|f| f.address.as_deref()),
            Some("alice@example.com"),
            "{file}"
        );
        assert_eq!(
            outer.body_text.trim(),
            "See the forwarded message attached.",
            "{file}"
        );
        assert_eq!(outer.attachments.len(), 1, "{file}: top-level attachments");
        let attached = &outer.attachments[0];
        assert_eq!(
            attached.name.as_deref(),
            Some("Original message.eml"),
            "{file}"
        );
        assert_eq!(attached.mime_type, "message/rfc822", "{file}");
        assert_eq!(attached.size, 694, "{file}");
        assert_eq!(
            attached.sha256, "e8299e4041dc31bcbdab17a02ce838523fecd5c1f5cf55fce8ed9db8896d0c23",
            "{file}"
        );

        let bytes = std::fs::read(fixture(&path)).expect("read fixture");
        let inner_bytes = message::attachment_contents(&bytes, 0).expect("attached message");
        let Parsed::Message(inner) = message::parse(&inner_bytes, None) else {
            panic!("{file}: attached message did not parse");
        };
        assert_eq!(
            inner.subject.as_deref(),
            Some("Acknowledgement of receipt \u{2013} IND 100001"),
            "{file}"
        );
        let from = inner.from.as_ref().expect("inner From");
        assert_eq!(from.name.as_deref(), Some("Submissions Office"), "{file}");
        assert_eq!(
            from.address.as_deref(),
            Some("submissions@example.org"),
            "{file}"
        );
        assert_eq!(
            inner.date.as_deref(),
            Some("2025-12-01T13:45:00-05:00"),
            "{file}"
        );
        assert_eq!(
            inner.message_id.as_deref(),
            Some("inner-ack-0001@example.org"),
            "{file}"
        );
        assert_eq!(
            inner.body_text.trim(),
            "Your submission was received on 01 Dec 2025.",
            "{file}"
        );
        assert_eq!(inner.attachments.len(), 1, "{file}: inner attachments");
        let pdf = &inner.attachments[0];
        assert_eq!(
            pdf.name.as_deref(),
            Some("Acknowledgement letter.pdf"),
            "{file}"
        );
        assert_eq!(pdf.mime_type, "application/pdf", "{file}");
        assert_eq!(pdf.size, 56, "{file}");
        assert_eq!(
            pdf.sha256, "c169431d0a35b26d65940da59d292e4d493d6b20e4c91bf7b5285513eae2b3f6",
            "{file}"
        );
    }
}

#[test]
fn encoded_word_glued_to_text() {
    let m = parse_fixture("cases/rfc2047-no-space-prefix/gateway-prefix.eml");
    assert_eq!(
        m.subject.as_deref(),
        Some("[EXTERNAL]Antwort: Informationsanfrage zur Einreichung")
    );
    let m = parse_fixture("cases/rfc2047-no-space-prefix/empty-word.eml");
    assert_eq!(
        m.subject.as_deref().map(str::trim_end),
        Some("Status of submission 0003")
    );
    assert!(
        !m.subject.unwrap_or_default().contains("=?"),
        "undecoded encoded-word"
    );
}

#[test]
fn encoded_words_split_inside_a_character() {
    let m = parse_fixture("cases/rfc2047-split-multibyte/q-split.eml");
    assert_eq!(
        m.subject.as_deref(),
        Some("R\u{fc}ckmeldung zur Einreichung \u{2013} IND 100001 gepr\u{fc}ft")
    );
    let m = parse_fixture("cases/rfc2047-split-multibyte/b-split.eml");
    assert_eq!(
        m.subject.as_deref(),
        Some("Antwort auf M\u{e4}ngelbescheid \u{2013} 审评意见 NDA 200002")
    );
    let from = m.from.expect("From");
    assert_eq!(from.name.as_deref(), Some("B\u{fc}ro Zulassung"));
    assert_eq!(from.address.as_deref(), Some("office@example.net"));
}

#[test]
fn rfc2231_filename_continuations() {
    let m = parse_fixture("cases/rfc2231-filename-continuation/continuations.eml");
    assert_eq!(m.body_text.trim(), "Three attachments follow.");
    let expected = [
        (
            "Protocol amendment 3 \u{2013} Pr\u{fc}fplan \u{c4}nderung.pdf",
            "application/pdf",
            43,
            "dba04275441b8def3d36ed64ca059f4b3ee94202a49f5bb1c4fa142471f356eb",
        ),
        (
            "Site inspection report for facility 3001234567 - final version with annexes.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            49,
            "ca96adcd92f0603aa4f008799dbfa17900ee791fe08696f60e63d5dfc69e7c42",
        ),
        (
            "Cover letter \u{2013} signed.pdf",
            "application/pdf",
            43,
            "91cc4a538d5ec1f87375da9dbf6b8bfcfc9d3ad12473d8fe076b31a021d13007",
        ),
    ];
    assert_eq!(m.attachments.len(), expected.len());
    for (attachment, (name, mime, size, sha)) in m.attachments.iter().zip(expected) {
        assert_eq!(attachment.name.as_deref(), Some(name));
        assert_eq!(attachment.mime_type, mime, "{name}");
        assert_eq!(attachment.size, size, "{name}");
        assert_eq!(attachment.sha256, sha, "{name}");
        for bad in ["%", "*0", "''", "\"", "\u{fffd}"] {
            assert!(
                !name.contains(bad) && !attachment.name.as_deref().unwrap_or("").contains(bad),
                "{name} has {bad}"
            );
        }
    }
}
