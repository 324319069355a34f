//! Format detection from file content, with the file name only as a tie-breaker.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use super::Error;

/// What a file's first bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetectedFormat {
    /// Starts with an mbox `From ` separator (after an optional UTF-8 byte order mark).
    Mbox,
    /// Starts with an RFC 5322 header field.
    Eml,
    /// A `.eml` file that starts with a single `From ` envelope line, as some clients
    /// save one message; the line is kept in the stored bytes but skipped for parsing.
    EmlWithEnvelope,
    /// Empty file.
    Empty,
    /// Neither a mailbox nor a message.
    Unknown,
}

const SNIFF_LEN: usize = 8192;

/// Detects the format of the file at `path` from its first few kilobytes.
pub fn detect_format(path: &Path) -> Result<DetectedFormat, Error> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut head = vec![0u8; SNIFF_LEN];
    let mut filled = 0;
    while filled < head.len() {
        let n = file
            .read(&mut head[filled..])
            .map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    head.truncate(filled);
    let has_eml_extension = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("eml"));
    Ok(classify(&head, has_eml_extension))
}

pub(crate) fn classify(head: &[u8], has_eml_extension: bool) -> DetectedFormat {
    if head.is_empty() {
        return DetectedFormat::Empty;
    }
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    if head.starts_with(b"From ") {
        if has_eml_extension {
            return DetectedFormat::EmlWithEnvelope;
        }
        return DetectedFormat::Mbox;
    }
    if starts_with_header_block(head) && has_mail_field(head) {
        return DetectedFormat::Eml;
    }
    DetectedFormat::Unknown
}

/// Returns true when the header block at the start of `head` (up to the first blank line,
/// or all of `head`) names at least one field that email uses. Text such as OpenSSL's
/// certificate dump (`Certificate:` then indented lines) also looks like header fields.
fn has_mail_field(head: &[u8]) -> bool {
    const FIELDS: &[&str] = &[
        "from",
        "to",
        "cc",
        "bcc",
        "subject",
        "date",
        "message-id",
        "received",
        "return-path",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
        "delivered-to",
        "reply-to",
        "sender",
        "in-reply-to",
        "references",
        "envelope-to",
        "dkim-signature",
        "authentication-results",
        "thread-topic",
        "thread-index",
        "importance",
    ];
    const PREFIXES: &[&str] = &["x-", "resent-", "arc-", "list-"];
    for line in head.split(|&b| b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            continue;
        }
        let Some(colon) = memchr::memchr(b':', line) else {
            return false;
        };
        let name = String::from_utf8_lossy(line[..colon].trim_ascii_end()).to_ascii_lowercase();
        if FIELDS.contains(&name.as_str()) || PREFIXES.iter().any(|p| name.starts_with(p)) {
            return true;
        }
    }
    false
}

/// Returns true when `head` opens with at least one RFC 5322 header field (`Name: value`)
/// and the first line break is reached before any byte that a field name cannot hold.
fn starts_with_header_block(head: &[u8]) -> bool {
    let line_end = memchr::memchr(b'\n', head).unwrap_or(head.len());
    let line = &head[..line_end];
    let Some(colon) = memchr::memchr(b':', line) else {
        return false;
    };
    let name = &line[..colon];
    // RFC 5322 field names are printable US-ASCII without the colon; some writers put
    // white space before the colon, which parsers tolerate.
    let name = name.trim_ascii_end();
    !name.is_empty() && name.iter().all(|&b| (33..=126).contains(&b) && b != b':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_table() {
        let cases: &[(&str, &[u8], bool, DetectedFormat)] = &[
            ("empty", b"", false, DetectedFormat::Empty),
            (
                "mbox",
                b"From a@b Tue Mar  4 10:15:00 2025\nSubject: x\n",
                false,
                DetectedFormat::Mbox,
            ),
            (
                "mbox with bom",
                b"\xEF\xBB\xBFFrom -\nSubject: x\n",
                false,
                DetectedFormat::Mbox,
            ),
            ("eml", b"Subject: x\r\n\r\nbody", false, DetectedFormat::Eml),
            (
                "eml with envelope",
                b"From - Mon\nSubject: x\n",
                true,
                DetectedFormat::EmlWithEnvelope,
            ),
            (
                "plain text",
                b"Lorem ipsum dolor sit amet\n",
                false,
                DetectedFormat::Unknown,
            ),
            ("binary", b"\x00\x01\x02PK", false, DetectedFormat::Unknown),
            (
                "colon after space",
                b"Hello world: this is prose\n",
                false,
                DetectedFormat::Unknown,
            ),
            (
                "openssl certificate dump",
                b"Certificate:\n    Data:\n        Version: 3 (0x2)\n-----BEGIN CERTIFICATE-----\n",
                false,
                DetectedFormat::Unknown,
            ),
            (
                "fields without a mail field",
                b"Name: value\nOther: value\n\nbody",
                true,
                DetectedFormat::Unknown,
            ),
            (
                "mail field after others",
                b"Name: value\r\nX-Mailer: test\r\n\r\nbody",
                false,
                DetectedFormat::Eml,
            ),
            (
                "folded subject",
                b"Subject: a\r\n long subject\r\nDate: x\r\n\r\n",
                false,
                DetectedFormat::Eml,
            ),
        ];
        for (name, head, eml_ext, expected) in cases {
            assert_eq!(classify(head, *eml_ext), *expected, "case {name}");
        }
    }
}
