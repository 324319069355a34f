//! Lenient content-transfer decoders, used for encoded-words and to recover parts that
//! the MIME parser could not decode (for example when the closing boundary is missing).

/// Decodes base64, skipping line breaks and any byte outside the alphabet, and stopping at
/// the first `=` padding.
pub(crate) fn decode_base64(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for &b in input {
        let value = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => continue,
        };
        acc = acc << 6 | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// Decodes quoted-printable body text (RFC 2045 section 6.7); soft line breaks are joined
/// and malformed escapes are kept as they are.
pub(crate) fn decode_quoted_printable(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'=' {
            match input.get(i + 1..i + 3) {
                Some([b'\r', b'\n']) => {
                    i += 3;
                    continue;
                }
                Some([b'\n', _]) => {
                    i += 2;
                    continue;
                }
                Some([hi, lo]) if hi.is_ascii_hexdigit() && lo.is_ascii_hexdigit() => {
                    let hex = [*hi, *lo];
                    let text = std::str::from_utf8(&hex).expect("hex digits are ASCII");
                    out.push(u8::from_str_radix(text, 16).expect("checked hex digits"));
                    i += 3;
                    continue;
                }
                None if input.get(i + 1) == Some(&b'\n') => {
                    i += 2;
                    continue;
                }
                _ => {}
            }
        }
        out.push(input[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_table() {
        let cases: &[(&str, &[u8], &[u8])] = &[
            ("padded", b"aGVsbG8=", b"hello"),
            ("line breaks", b"aGVs\r\nbG8h", b"hello!"),
            ("unpadded", b"aGk", b"hi"),
            ("junk skipped", b"aG*Vs bG8=", b"hello"),
        ];
        for (name, input, expected) in cases {
            assert_eq!(decode_base64(input), *expected, "case {name}");
        }
    }

    #[test]
    fn quoted_printable_table() {
        let cases: &[(&str, &[u8], &[u8])] = &[
            ("escape", b"a=3Db", b"a=b"),
            ("soft break crlf", b"ab=\r\ncd", b"abcd"),
            ("soft break lf", b"ab=\ncd", b"abcd"),
            ("bad escape kept", b"a=ZZ", b"a=ZZ"),
            ("trailing equals", b"a=", b"a="),
        ];
        for (name, input, expected) in cases {
            assert_eq!(decode_quoted_printable(input), *expected, "case {name}");
        }
    }
}
