//! Byte-to-text conversion by MIME charset label.

use std::borrow::Cow;

/// Decodes `bytes` labelled with the MIME charset `label`, or returns `None` when the
/// label is unknown.
///
/// Labels follow the WHATWG Encoding Standard, which mail clients also apply: `iso-8859-1`
/// and `us-ascii` decode as windows-1252, whose 0x80-0x9F range contains the quotes, dashes
/// and the euro sign that Outlook writes under a Latin-1 label. Text labelled `us-ascii`
/// that is valid UTF-8 decodes as UTF-8, because senders often label UTF-8 that way.
pub(crate) fn decode(label: &str, bytes: &[u8]) -> Option<String> {
    let label = label.trim().trim_matches('"');
    // RFC 2231 section 5 allows a language suffix: `utf-8*en`.
    let label = label.split('*').next().unwrap_or(label);
    let lower = label.to_ascii_lowercase();
    // UTF-7 and ISO-2022 text is all ASCII bytes, so only labels known to be ASCII
    // supersets may take the shortcut.
    if bytes.is_ascii()
        && !lower.starts_with("utf-7")
        && !lower.starts_with("utf7")
        && !lower.starts_with("iso-2022")
    {
        return Some(String::from_utf8_lossy(bytes).into_owned());
    }
    // Microsoft code page names that the WHATWG list lacks.
    let lower = match lower.as_str() {
        "cp932" | "ms932" | "ms_kanji" | "windows-932" => "shift_jis".to_string(),
        "cp936" | "ms936" | "windows-936" => "gbk".to_string(),
        "cp949" | "ms949" | "windows-949" => "euc-kr".to_string(),
        "cp950" | "ms950" | "windows-950" => "big5".to_string(),
        "utf-7" | "utf7" | "unicode-1-1-utf-7" => "utf_7".to_string(),
        _ => lower,
    };
    if matches!(
        lower.as_str(),
        "us-ascii" | "ascii" | "us_ascii" | "ansi_x3.4-1968" | ""
    ) {
        if let Ok(text) = std::str::from_utf8(bytes) {
            return Some(text.to_string());
        }
    }
    if let Some(encoding) = encoding_rs::Encoding::for_label(lower.as_bytes()) {
        let (text, _, _) = encoding.decode(bytes);
        return Some(text.into_owned());
    }
    mail_parser::decoders::charsets::map::charset_decoder(lower.as_bytes())
        .map(|decoder| decoder(bytes))
}

/// Decodes bytes of unknown charset: UTF-8 when valid, windows-1252 otherwise.
pub(crate) fn decode_unlabelled(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_table() {
        let cases: &[(&str, &str, &[u8], Option<&str>)] = &[
            ("utf-8", "utf-8", "Grüße".as_bytes(), Some("Grüße")),
            (
                "latin1 label is cp1252",
                "iso-8859-1",
                b"\x93quoted\x94 \x85",
                Some("\u{201c}quoted\u{201d} \u{2026}"),
            ),
            (
                "ascii label with utf-8",
                "us-ascii",
                "a – b".as_bytes(),
                Some("a – b"),
            ),
            ("language suffix", "UTF-8*en", "ü".as_bytes(), Some("ü")),
            ("shift_jis", "shift_jis", b"\x93\xfa\x96\x7b", Some("日本")),
            ("cp932 alias", "cp932", b"\x82\xb1", Some("こ")),
            ("utf-7", "utf-7", b"Fr+APY-sche", Some("Fr\u{f6}sche")),
            ("iso-2022-jp", "iso-2022-jp", b"\x1b$B$3\x1b(B", Some("こ")),
            ("unknown", "x-no-such-charset", b"\xff", None),
        ];
        for (name, label, bytes, expected) in cases {
            assert_eq!(decode(label, bytes).as_deref(), *expected, "case {name}");
        }
    }
}
