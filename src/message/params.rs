//! MIME header parameters (`filename`, `name`) with RFC 2231 continuations and charsets,
//! read from the raw header value.
//!
//! Senders mix the forms: encoded and plain continuation sections in one value, a charset
//! given once in section 0, RFC 2047 encoded-words inside a quoted value, raw 8-bit bytes,
//! and UTF-8 labelled `us-ascii`. Each is decoded to the name a mail client shows.

use std::collections::BTreeMap;

use super::{charset, rfc2047};

/// Returns the decoded value of parameter `wanted` (case-insensitive) in the raw header
/// value `raw` (everything after the colon).
pub(crate) fn parameter(raw: &[u8], wanted: &str) -> Option<String> {
    let mut plain: Option<Vec<u8>> = None;
    let mut extended: Option<Vec<u8>> = None;
    let mut sections: BTreeMap<u32, (bool, Vec<u8>)> = BTreeMap::new();

    for (name, value) in split_parameters(raw) {
        let name = String::from_utf8_lossy(&name).to_ascii_lowercase();
        let Some(rest) = name.strip_prefix(&wanted.to_ascii_lowercase()) else {
            continue;
        };
        if rest.is_empty() {
            plain = Some(value);
        } else if rest == "*" {
            extended = Some(value);
        } else if let Some(section) = rest.strip_prefix('*') {
            let (number, encoded) = match section.strip_suffix('*') {
                Some(number) => (number, true),
                None => (section, false),
            };
            if let Ok(number) = number.parse::<u32>() {
                sections.insert(number, (encoded, value));
            }
        }
    }

    if let Some(value) = extended {
        return Some(decode_extended(&[(true, value)]));
    }
    if !sections.is_empty() {
        let parts: Vec<(bool, Vec<u8>)> = sections.into_values().collect();
        return Some(decode_extended(&parts));
    }
    let value = plain?;
    let text = charset::decode_unlabelled(&value);
    if text.contains("=?") {
        if let Some(decoded) = rfc2047::decode_unstructured(&text) {
            return Some(decoded);
        }
    }
    Some(text.trim().to_string())
}

/// Joins RFC 2231 sections: encoded sections are percent-decoded, plain ones appended as
/// they are, and the bytes decoded with the charset named in the first section.
fn decode_extended(sections: &[(bool, Vec<u8>)]) -> String {
    let mut label = String::new();
    let mut bytes = Vec::new();
    for (index, (encoded, value)) in sections.iter().enumerate() {
        if !*encoded {
            bytes.extend_from_slice(value);
            continue;
        }
        let mut value = value.as_slice();
        if index == 0 {
            // charset'language'value
            let mut pieces = value.splitn(3, |&b| b == b'\'');
            if let (Some(cs), Some(_lang), Some(rest)) =
                (pieces.next(), pieces.next(), pieces.next())
            {
                label = String::from_utf8_lossy(cs).into_owned();
                value = rest;
            }
        }
        bytes.extend(percent_decode(value));
    }
    charset::decode(&label, &bytes)
        .unwrap_or_else(|| charset::decode_unlabelled(&bytes).into_owned())
}

fn percent_decode(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len());
    let mut i = 0;
    while i < value.len() {
        if value[i] == b'%' && i + 2 < value.len() + 1 {
            if let Some(pair) = value.get(i + 1..i + 3) {
                if pair.iter().all(u8::is_ascii_hexdigit) {
                    let text = std::str::from_utf8(pair).expect("hex digits are ASCII");
                    out.push(u8::from_str_radix(text, 16).expect("checked hex digits"));
                    i += 3;
                    continue;
                }
            }
        }
        out.push(value[i]);
        i += 1;
    }
    out
}

/// Splits `type/subtype; a=b; c="d; e"` into (name, unquoted value) pairs, skipping the
/// leading media type or disposition token.
fn split_parameters(raw: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut params = Vec::new();
    let mut i = 0;
    // Skip the value before the first parameter.
    while i < raw.len() && raw[i] != b';' {
        if raw[i] == b'"' {
            i = skip_quoted(raw, i);
        } else {
            i += 1;
        }
    }
    while i < raw.len() {
        i += 1; // the ';'
        let name_start = i;
        while i < raw.len() && raw[i] != b'=' && raw[i] != b';' {
            i += 1;
        }
        let name: Vec<u8> = raw[name_start..i]
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        if i >= raw.len() || raw[i] == b';' {
            continue;
        }
        i += 1; // the '='
        while i < raw.len() && raw[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = Vec::new();
        if raw.get(i) == Some(&b'"') {
            i += 1;
            while i < raw.len() && raw[i] != b'"' {
                if raw[i] == b'\\' && i + 1 < raw.len() {
                    i += 1;
                }
                if raw[i] != b'\r' && raw[i] != b'\n' {
                    value.push(raw[i]);
                }
                i += 1;
            }
            // Skip the closing quote and anything up to the next ';'.
            while i < raw.len() && raw[i] != b';' {
                i += 1;
            }
        } else {
            while i < raw.len() && raw[i] != b';' {
                value.push(raw[i]);
                i += 1;
            }
            let trimmed = value.trim_ascii().to_vec();
            value = trimmed;
        }
        if !name.is_empty() {
            params.push((name, value));
        }
    }
    params
}

fn skip_quoted(raw: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < raw.len() && raw[i] != b'"' {
        if raw[i] == b'\\' {
            i += 1;
        }
        i += 1;
    }
    i + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_table() {
        let cases: &[(&str, &[u8], &str, Option<&str>)] = &[
            ("quoted", b" attachment; filename=\"a b.pdf\"", "filename", Some("a b.pdf")),
            ("token", b" attachment; filename=a.pdf", "filename", Some("a.pdf")),
            ("extended", b" attachment; filename*=UTF-8''%C3%BC.pdf", "filename", Some("ü.pdf")),
            (
                "mixed continuations",
                b" attachment;\r\n filename*0*=UTF-8''a%20%E2%80%93;\r\n filename*1*=%20b;\r\n filename*2=\".pdf\"",
                "filename",
                Some("a – b.pdf"),
            ),
            ("plain continuations", b" attachment; filename*0=\"long \"; filename*1=\"name.txt\"", "filename", Some("long name.txt")),
            ("ascii label utf-8 bytes", b" attachment; filename*0*=us-ascii''a%E2%80%93b.pdf", "filename", Some("a–b.pdf")),
            ("rfc 2047 in quotes", b" attachment; filename=\"=?utf-8?B?w7wucGRm?=\"", "filename", Some("ü.pdf")),
            ("raw utf-8", " attachment; filename=\"Grüße.txt\"".as_bytes(), "filename", Some("Grüße.txt")),
            ("other parameter", b" text/plain; charset=utf-8; name=x.txt", "name", Some("x.txt")),
            ("semicolon in quotes", b" attachment; filename=\"a;b.txt\"", "filename", Some("a;b.txt")),
            ("missing", b" attachment", "filename", None),
        ];
        for (name, raw, wanted, expected) in cases {
            assert_eq!(parameter(raw, wanted).as_deref(), *expected, "case {name}");
        }
    }
}
