//! RFC 2047 encoded-words in unstructured header fields (Subject), decoded leniently.
//!
//! Two departures from a strict reading match what mail clients show:
//! - adjacent encoded-words of the same charset are joined as bytes before conversion to
//!   text, so a character split across two words (against RFC 2047 section 5, but common
//!   from .NET and some gateways) decodes whole;
//! - an encoded-word glued to preceding text (`[EXTERNAL]=?utf-8?...`) is still decoded.

use super::charset;

enum Token<'a> {
    Text(&'a str),
    Encoded { charset: &'a str, bytes: Vec<u8> },
}

/// Decodes the raw value of an unstructured header field. Returns `None` when a charset is
/// unknown, so the caller can fall back to another decoder.
pub(crate) fn decode_unstructured(raw: &str) -> Option<String> {
    let unfolded = unfold(raw);
    let tokens = tokenize(&unfolded);

    let mut out = String::with_capacity(unfolded.len());
    let mut pending: Option<(&str, Vec<u8>)> = None;
    let mut iter = tokens.into_iter().peekable();
    while let Some(token) = iter.next() {
        match token {
            Token::Encoded { charset, bytes } => match &mut pending {
                Some((pending_charset, pending_bytes))
                    if pending_charset.eq_ignore_ascii_case(charset) =>
                {
                    pending_bytes.extend_from_slice(&bytes);
                }
                _ => {
                    if let Some((c, b)) = pending.take() {
                        out.push_str(&charset::decode(c, &b)?);
                    }
                    pending = Some((charset, bytes));
                }
            },
            Token::Text(text) => {
                // White space between two encoded-words is not displayed (RFC 2047 section 6.2).
                let between_words = text.chars().all(|c| c == ' ' || c == '\t')
                    && pending.is_some()
                    && matches!(iter.peek(), Some(Token::Encoded { .. }));
                if between_words {
                    continue;
                }
                if let Some((c, b)) = pending.take() {
                    out.push_str(&charset::decode(c, &b)?);
                }
                out.push_str(text);
            }
        }
    }
    if let Some((c, b)) = pending.take() {
        out.push_str(&charset::decode(c, &b)?);
    }
    Some(out.trim().to_string())
}

/// Removes folding line breaks; the white space after each break stays (RFC 5322 3.2.2).
fn unfold(raw: &str) -> String {
    raw.replace("\r\n", "").replace('\n', "")
}

fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("=?") {
        match parse_encoded_word(&rest[start..]) {
            Some((charset, bytes, len)) => {
                if start > 0 {
                    tokens.push(Token::Text(&rest[..start]));
                }
                tokens.push(Token::Encoded { charset, bytes });
                rest = &rest[start + len..];
            }
            None => {
                tokens.push(Token::Text(&rest[..start + 2]));
                rest = &rest[start + 2..];
            }
        }
    }
    if !rest.is_empty() {
        tokens.push(Token::Text(rest));
    }
    tokens
}

/// Parses `=?charset?encoding?text?=` at the start of `input`; returns the charset, the
/// decoded bytes and the length consumed.
fn parse_encoded_word(input: &str) -> Option<(&str, Vec<u8>, usize)> {
    let body = input.strip_prefix("=?")?;
    let q1 = body.find('?')?;
    let charset = &body[..q1];
    if charset.is_empty() || charset.contains(|c: char| c.is_whitespace() || c == '=') {
        return None;
    }
    let after_charset = &body[q1 + 1..];
    let mut chars = after_charset.chars();
    let encoding = chars.next()?;
    if chars.next()? != '?' {
        return None;
    }
    let text_start = &after_charset[2..];
    let end = text_start.find("?=")?;
    let encoded = &text_start[..end];
    if encoded.contains(|c: char| c.is_whitespace()) {
        return None;
    }
    let bytes = match encoding {
        'B' | 'b' => super::transfer::decode_base64(encoded.as_bytes()),
        'Q' | 'q' => decode_q(encoded.as_bytes()),
        _ => return None,
    };
    let consumed = 2 + q1 + 1 + 2 + end + 2;
    Some((charset, bytes, consumed))
}

fn decode_q(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'_' => out.push(b' '),
            b'=' => match (text.get(i + 1).and_then(hex), text.get(i + 2).and_then(hex)) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'='),
            },
            b => out.push(b),
        }
        i += 1;
    }
    out
}

fn hex(b: &u8) -> Option<u8> {
    (*b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_table() {
        let cases: &[(&str, &str, &str)] = &[
            ("plain", " Hello world", "Hello world"),
            ("q word", " =?utf-8?Q?Gr=C3=BC=C3=9Fe?=", "Grüße"),
            ("b word", " =?UTF-8?B?R3LDvMOfZQ==?=", "Grüße"),
            ("underscore is space", " =?utf-8?q?a_b?=", "a b"),
            (
                "space between words dropped",
                " =?utf-8?q?a?= =?utf-8?q?b?=",
                "ab",
            ),
            ("folded words", " =?utf-8?q?a?=\r\n =?utf-8?q?b?=", "ab"),
            (
                "text between words kept",
                " =?utf-8?q?a?= x =?utf-8?q?b?=",
                "a x b",
            ),
            (
                "split multibyte q",
                " =?UTF-8?Q?x_=E2=80?= =?UTF-8?Q?=93_y?=",
                "x – y",
            ),
            ("glued prefix", " [EXT]=?utf-8?Q?Antwort?=", "[EXT]Antwort"),
            ("empty word", " Status 0003 =?utf-8?Q??=", "Status 0003"),
            ("not a word", " price =? 5", "price =? 5"),
            (
                "latin1 label",
                " =?iso-8859-1?Q?=93x=94?=",
                "\u{201c}x\u{201d}",
            ),
        ];
        for (name, raw, expected) in cases {
            assert_eq!(
                decode_unstructured(raw).as_deref(),
                Some(*expected),
                "case {name}"
            );
        }
    }

    #[test]
    fn unknown_charset_returns_none() {
        assert_eq!(decode_unstructured(" =?x-unknown?Q?=FF?="), None);
    }
}
