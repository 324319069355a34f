//! The MIME side of S/MIME: finding the protective layers of a message (RFC 8551 §3.5)
//! and the exact bytes each signature covers.
//!
//! Entities are split here by hand rather than through `mail-parser`, because the hash
//! must cover exactly the received bytes. A detached signature covers the first body part
//! of `multipart/signed` from the end of the delimiter line to the line break before the
//! next delimiter (RFC 1847 §2.1).

use crate::message::{params, transfer};

/// A MIME entity: its header fields and body, borrowed from the input.
#[derive(Debug, Clone)]
pub struct Entity<'a> {
    /// Header fields as (lowercase name, unfolded raw value).
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body, after the blank line.
    pub body: &'a [u8],
}

impl<'a> Entity<'a> {
    /// Splits `bytes` into header fields and body. Lines before the first header field
    /// that are not fields (an HTTP request line in AS2 captures) are skipped.
    pub fn parse(bytes: &'a [u8]) -> Self {
        let mut headers: Vec<(String, Vec<u8>)> = Vec::new();
        let mut at = 0;
        let body_start = loop {
            let Some(line_end) = memchr::memchr(b'\n', &bytes[at..]).map(|i| at + i + 1) else {
                // No blank line: the whole input is header text and the body is empty.
                break bytes.len();
            };
            let line = trim_eol(&bytes[at..line_end]);
            if line.is_empty() {
                break line_end;
            }
            if (line[0] == b' ' || line[0] == b'\t') && !headers.is_empty() {
                let last = headers.last_mut().expect("checked non-empty");
                last.1.push(b' ');
                last.1.extend_from_slice(trim_ascii(line));
            } else if let Some(colon) = memchr::memchr(b':', line) {
                let name = String::from_utf8_lossy(&line[..colon])
                    .trim()
                    .to_ascii_lowercase();
                headers.push((name, trim_ascii(&line[colon + 1..]).to_vec()));
            }
            at = line_end;
        };
        Entity {
            headers,
            body: &bytes[body_start.min(bytes.len())..],
        }
    }

    /// Returns the raw value of header `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_slice())
    }

    /// Returns the media type as lowercase `type/subtype`; `text/plain` when absent
    /// (RFC 2045 §5.2).
    pub fn media_type(&self) -> String {
        let Some(value) = self.header("content-type") else {
            return "text/plain".to_owned();
        };
        let end = memchr::memchr(b';', value).unwrap_or(value.len());
        String::from_utf8_lossy(&value[..end])
            .trim()
            .to_ascii_lowercase()
    }

    /// Returns parameter `name` of Content-Type.
    pub fn content_type_param(&self, name: &str) -> Option<String> {
        let value = self.header("content-type")?;
        let start = memchr::memchr(b';', value)?;
        params::parameter(&value[start..], name)
    }

    /// Returns the file name from Content-Disposition or the Content-Type `name`.
    pub fn file_name(&self) -> Option<String> {
        self.header("content-disposition")
            .and_then(|value| {
                memchr::memchr(b';', value).and_then(|i| params::parameter(&value[i..], "filename"))
            })
            .or_else(|| self.content_type_param("name"))
    }

    /// Returns the body after transfer decoding (RFC 2045 §6).
    pub fn decoded_body(&self) -> Vec<u8> {
        let encoding = self
            .header("content-transfer-encoding")
            .map(|v| String::from_utf8_lossy(v).trim().to_ascii_lowercase())
            .unwrap_or_default();
        match encoding.as_str() {
            "base64" => transfer::decode_base64(self.body),
            "quoted-printable" => transfer::decode_quoted_printable(self.body),
            _ => self.body.to_vec(),
        }
    }
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    while end > 0 && (line[end - 1] == b'\n' || line[end - 1] == b'\r') {
        end -= 1;
    }
    &line[..end]
}

fn trim_ascii(bytes: &[u8]) -> &[u8] {
    bytes.trim_ascii()
}

/// The S/MIME role of an entity, from its media type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Protection {
    /// `multipart/signed` (RFC 1847, RFC 8551 §3.5.3).
    MultipartSigned,
    /// `application/pkcs7-mime` or its `x-` form, or a `.p7m` file (RFC 8551 §3.2).
    Pkcs7Mime,
    /// A bare `application/pkcs7-signature` with no signed content beside it.
    LoneSignature,
    /// `message/rfc822`: a wrapped message (RFC 8551 §3.1).
    Message,
    /// Not a protective layer.
    None,
}

/// Classifies `entity`.
pub fn protection(entity: &Entity<'_>) -> Protection {
    let media_type = entity.media_type();
    match media_type.as_str() {
        "multipart/signed" => Protection::MultipartSigned,
        "application/pkcs7-mime" | "application/x-pkcs7-mime" => Protection::Pkcs7Mime,
        "application/pkcs7-signature" | "application/x-pkcs7-signature" => {
            Protection::LoneSignature
        }
        "message/rfc822" => Protection::Message,
        "application/octet-stream" => {
            let is_p7m = entity
                .file_name()
                .is_some_and(|name| name.to_ascii_lowercase().ends_with(".p7m"));
            if is_p7m {
                Protection::Pkcs7Mime
            } else {
                Protection::None
            }
        }
        _ => Protection::None,
    }
}

/// Splits a multipart entity into its body parts, as exact byte ranges of the body.
///
/// # Errors
///
/// Returns a description when the boundary is missing or no part is delimited.
pub fn split_multipart<'a>(entity: &Entity<'a>) -> Result<Vec<&'a [u8]>, String> {
    let boundary = entity
        .content_type_param("boundary")
        .ok_or_else(|| "the multipart has no boundary parameter".to_owned())?;
    let delimiter = format!("--{boundary}");
    let body = entity.body;

    // Each delimiter line: where the line break before it starts, and where the line after
    // it starts. The break before a delimiter belongs to the delimiter (RFC 2046 §5.1.1).
    let mut delimiters: Vec<(usize, usize, bool)> = Vec::new();
    let mut at = 0;
    while at < body.len() {
        let line_end = memchr::memchr(b'\n', &body[at..]).map_or(body.len(), |i| at + i + 1);
        let line = trim_eol(&body[at..line_end]);
        if let Some(rest) = line.strip_prefix(delimiter.as_bytes()) {
            let rest = rest.trim_ascii_end();
            if rest.is_empty() || rest == b"--" {
                let break_start = if at >= 2 && &body[at - 2..at] == b"\r\n" {
                    at - 2
                } else if at >= 1 && body[at - 1] == b'\n' {
                    at - 1
                } else {
                    at
                };
                delimiters.push((break_start, line_end, rest == b"--"));
                if rest == b"--" {
                    break;
                }
            }
        }
        at = line_end;
    }
    let parts: Vec<&[u8]> = delimiters
        .windows(2)
        .filter(|pair| !pair[0].2)
        .map(|pair| &body[pair[0].1..pair[1].0.max(pair[0].1)])
        .collect();
    if parts.is_empty() {
        return Err(format!(
            "no body part is delimited by the boundary {boundary:?}"
        ));
    }
    Ok(parts)
}

/// Converts every line ending (LF, CR LF, or extra CRs before LF) to CR LF, the canonical
/// form text is signed in (RFC 8551 §3.1.1). Bytes without a final line break keep none.
pub fn canonicalize_line_endings(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 32);
    for line in bytes.split_inclusive(|b| *b == b'\n') {
        if line.ends_with(b"\n") {
            let mut end = line.len() - 1;
            while end > 0 && line[end - 1] == b'\r' {
                end -= 1;
            }
            out.extend_from_slice(&line[..end]);
            out.extend_from_slice(b"\r\n");
        } else {
            out.extend_from_slice(line);
        }
    }
    out
}

/// Decodes base64 text strictly enough to tell it from binary: returns `None` when a byte
/// outside the base64 alphabet and whitespace occurs.
pub fn decode_base64(text: &[u8]) -> Option<Vec<u8>> {
    let valid = text.iter().all(|b| {
        b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'\r' | b'\n' | b' ' | b'\t')
    });
    valid.then(|| transfer::decode_base64(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIGNED: &[u8] = b"Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\";\r\n boundary=\"b1\"\r\n\r\npreamble\r\n--b1\r\nContent-Type: text/plain\r\n\r\nhello\r\n--b1\r\nContent-Type: application/pkcs7-signature\r\n\r\nAAAA\r\n--b1--\r\n";

    #[test]
    fn first_part_excludes_break_before_delimiter() {
        let entity = Entity::parse(SIGNED);
        let parts = split_multipart(&entity).expect("two parts");
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], b"Content-Type: text/plain\r\n\r\nhello");
        assert_eq!(
            parts[1],
            b"Content-Type: application/pkcs7-signature\r\n\r\nAAAA"
        );
    }

    #[test]
    fn lf_only_multipart_splits_the_same_way() {
        let lf: Vec<u8> = SIGNED.iter().copied().filter(|b| *b != b'\r').collect();
        let entity = Entity::parse(&lf);
        let parts = split_multipart(&entity).expect("two parts");
        assert_eq!(parts[0], b"Content-Type: text/plain\n\nhello");
    }

    #[test]
    fn folded_content_type_keeps_parameters() {
        let entity = Entity::parse(SIGNED);
        assert_eq!(entity.media_type(), "multipart/signed");
        assert_eq!(entity.content_type_param("boundary").as_deref(), Some("b1"));
    }

    #[test]
    fn canonical_form_uses_crlf() {
        assert_eq!(
            canonicalize_line_endings(b"a\nb\r\nc\r\r\nd"),
            b"a\r\nb\r\nc\r\nd"
        );
    }

    #[test]
    fn p7m_attachment_is_pkcs7_mime() {
        let entity =
            Entity::parse(b"Content-Type: application/octet-stream; name=\"smime.p7m\"\r\n\r\n");
        assert_eq!(protection(&entity), Protection::Pkcs7Mime);
    }
}
