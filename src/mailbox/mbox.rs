//! A streaming mbox reader covering the variants found in the wild.
//!
//! - mboxo and mboxrd: body lines that start with `From ` were escaped as `>From `; mboxrd
//!   also escapes lines that already start with `>`s (`>>From `). By default the reader
//!   undoes the mboxrd escaping, which also undoes mboxo's single `>`. The mboxo variant
//!   removes a `>` only from `>From ` lines, for exports that never quoted `>>From `.
//! - mboxcl and mboxcl2: a `Content-Length` header gives the body length, and the body may
//!   hold unescaped `From ` lines. When the length lands exactly on the next separator
//!   (or the end of the file), the body is taken verbatim.
//! - Separator lines: `From sender date` (asctime date) as written by MTAs, and Mozilla's
//!   `From -` with or without a date, count wherever they stand. A bare `From ` or
//!   `From sender` line counts only after a blank line (or where a `Content-Length` body
//!   ends), so that an unescaped `From ` line inside a body does not split the message.
//!   `Content-Length` values are often wrong in old exports, so a dated separator past the
//!   declared end still splits.
//!
//! LF and CRLF files are both read; line endings are kept as they are.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Error, Format, Origin, RawMessage};

/// The rule for undoing `>From ` escaping.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MboxVariant {
    /// Remove one `>` from every line matching `^>+From `: the inverse of mboxrd escaping,
    /// and also right for mboxo files, whose escaped lines have exactly one `>`.
    #[default]
    Mboxrd,
    /// Remove one `>` only from lines matching `^>From `; `>>From ` stays as it is.
    Mboxo,
}

/// Streams the messages of one mbox file.
pub struct MboxReader {
    reader: BufReader<File>,
    path: PathBuf,
    variant: MboxVariant,
    /// Offset of the next unread byte.
    offset: u64,
    /// The separator line that opens the next message, with its offset.
    pending: Option<(Vec<u8>, u64)>,
    started: bool,
    line: Vec<u8>,
}

/// The strength of a `From ` line as a message separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Separator {
    /// `From sender date`, with a time of day and a four-digit year, or Mozilla's `From -`.
    Dated,
    /// `From ` or `From sender` alone.
    Bare,
}

impl MboxReader {
    /// Opens `path` for reading.
    pub fn open(path: &Path, variant: MboxVariant) -> Result<Self, Error> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        Ok(MboxReader {
            reader: BufReader::with_capacity(256 * 1024, file),
            path: path.to_path_buf(),
            variant,
            offset: 0,
            pending: None,
            started: false,
            line: Vec::with_capacity(1024),
        })
    }

    /// Offset of the next unread byte, for progress reporting.
    pub fn position(&self) -> u64 {
        self.offset
    }

    /// Reads one line into `self.line`; returns its offset, or `None` at the end of file.
    fn read_line(&mut self) -> Result<Option<u64>, Error> {
        self.line.clear();
        let n = self
            .reader
            .read_until(b'\n', &mut self.line)
            .map_err(|e| Error::io(&self.path, e))?;
        if n == 0 {
            return Ok(None);
        }
        let at = self.offset;
        self.offset += n as u64;
        Ok(Some(at))
    }

    /// Finds the first separator line, skipping a UTF-8 byte order mark and anything that
    /// precedes the first `From ` line.
    fn start(&mut self) -> Result<(), Error> {
        self.started = true;
        while let Some(at) = self.read_line()? {
            let (line, at) = match self.line.strip_prefix(b"\xEF\xBB\xBF") {
                Some(rest) if at == 0 => (rest.to_vec(), at + 3),
                _ => (self.line.clone(), at),
            };
            if line.starts_with(b"From ") {
                self.pending = Some((line, at));
                return Ok(());
            }
        }
        Ok(())
    }

    fn read_message(&mut self) -> Result<Option<RawMessage>, Error> {
        if !self.started {
            self.start()?;
        }
        let Some((separator, offset)) = self.pending.take() else {
            return Ok(None);
        };

        let mut bytes: Vec<u8> = Vec::with_capacity(8 * 1024);
        let mut escaped_lines: Vec<usize> = Vec::new();
        let mut in_headers = true;
        let mut content_length: Option<usize> = None;
        let mut body_start: Option<usize> = None;
        let mut last_line_blank = false;

        while let Some(line_offset) = self.read_line()? {
            if self.line.starts_with(b"From ") {
                if let Some(kind) = classify_separator(&self.line) {
                    let body_len = body_start.map(|start| bytes.len() - start);
                    let at_length_end = match (content_length, body_len) {
                        (Some(len), Some(body)) => {
                            body == len || (last_line_blank && body == len + blank_len(&bytes))
                        }
                        _ => false,
                    };
                    let inside_length = match (content_length, body_len) {
                        (Some(len), Some(body)) => body < len,
                        _ => false,
                    };
                    let accept = if at_length_end {
                        true
                    } else if inside_length {
                        // A declared body length protects unescaped `From ` lines; only a
                        // dated separator after a blank line overrides a wrong length.
                        kind == Separator::Dated && last_line_blank
                    } else {
                        kind == Separator::Dated || last_line_blank || bytes.is_empty()
                    };
                    if accept {
                        self.pending = Some((self.line.clone(), line_offset));
                        break;
                    }
                }
            }

            if in_headers {
                if is_blank(&self.line) {
                    in_headers = false;
                    body_start = Some(bytes.len() + self.line.len());
                } else if let Some(len) = parse_content_length(&self.line) {
                    content_length = Some(len);
                }
            }
            if is_escaped_from(&self.line, self.variant) {
                escaped_lines.push(bytes.len());
            }
            last_line_blank = is_blank(&self.line);
            bytes.extend_from_slice(&self.line);
        }

        // The body length the message declared, when it matches where the message ended.
        let exact_end = match (content_length, body_start) {
            (Some(len), Some(start)) => {
                let body = bytes.len() - start;
                if body == len || (last_line_blank && body == len + blank_len(&bytes)) {
                    Some(start + len)
                } else {
                    None
                }
            }
            _ => None,
        };

        match exact_end {
            Some(end) => bytes.truncate(end),
            None => {
                // The blank line before the next separator is mbox framing.
                if last_line_blank && !bytes.is_empty() {
                    let len = blank_len(&bytes);
                    bytes.truncate(bytes.len() - len);
                }
                for &at in escaped_lines.iter().rev() {
                    if at < bytes.len() {
                        bytes.remove(at);
                    }
                }
            }
        }

        let envelope =
            String::from_utf8_lossy(separator.strip_prefix(b"From ").unwrap_or(&separator))
                .trim_end()
                .to_string();
        Ok(Some(RawMessage {
            bytes,
            origin: Origin {
                path: self.path.clone(),
                offset,
                format: Format::Mbox,
            },
            envelope: Some(envelope),
            skip: 0,
        }))
    }
}

impl Iterator for MboxReader {
    type Item = Result<RawMessage, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        self.read_message().transpose()
    }
}

fn is_blank(line: &[u8]) -> bool {
    line == b"\n" || line == b"\r\n"
}

/// Length of the final line terminator of `bytes`, which ends with a blank line.
fn blank_len(bytes: &[u8]) -> usize {
    if bytes.ends_with(b"\r\n") {
        2
    } else {
        1
    }
}

fn is_escaped_from(line: &[u8], variant: MboxVariant) -> bool {
    let quotes = line.iter().take_while(|&&b| b == b'>').count();
    if quotes == 0 || !line[quotes..].starts_with(b"From ") {
        return false;
    }
    match variant {
        MboxVariant::Mboxrd => true,
        MboxVariant::Mboxo => quotes == 1,
    }
}

fn parse_content_length(line: &[u8]) -> Option<usize> {
    const NAME: &[u8] = b"content-length:";
    if line.len() < NAME.len() || !line[..NAME.len()].eq_ignore_ascii_case(NAME) {
        return None;
    }
    std::str::from_utf8(&line[NAME.len()..])
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Classifies a line that starts with `From `, or returns `None` when it is prose such as
/// `From Russia with love`.
fn classify_separator(line: &[u8]) -> Option<Separator> {
    let rest = line.strip_prefix(b"From ")?.trim_ascii();
    if rest.is_empty() {
        return Some(Separator::Bare);
    }
    // Mozilla clients write `From - ` with or without a date; prose never has a lone dash.
    if rest == b"-" {
        return Some(Separator::Dated);
    }
    let Some(space) = rest.iter().position(|b| b.is_ascii_whitespace()) else {
        return Some(Separator::Bare);
    };
    let date = &rest[space..];
    if has_time_of_day(date) && has_year(date) {
        Some(Separator::Dated)
    } else {
        None
    }
}

fn has_time_of_day(text: &[u8]) -> bool {
    text.windows(5).any(|w| {
        w[0].is_ascii_digit()
            && w[1].is_ascii_digit()
            && w[2] == b':'
            && w[3].is_ascii_digit()
            && w[4].is_ascii_digit()
    })
}

fn has_year(text: &[u8]) -> bool {
    text.split(|b| !b.is_ascii_digit())
        .any(|run| run.len() == 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(content: &[u8], variant: MboxVariant) -> Vec<RawMessage> {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("test.mbox");
        std::fs::write(&path, content).expect("write mbox");
        MboxReader::open(&path, variant)
            .expect("open")
            .collect::<Result<Vec<_>, _>>()
            .expect("read")
    }

    #[test]
    fn separator_classification() {
        let cases: &[(&str, &[u8], Option<Separator>)] = &[
            (
                "mta line",
                b"From alice@example.com Tue Mar  4 10:15:00 2025\n",
                Some(Separator::Dated),
            ),
            (
                "mozilla dated",
                b"From - Mon Jun  3 12:50:27 1996\r\n",
                Some(Separator::Dated),
            ),
            ("mozilla bare dash", b"From - \n", Some(Separator::Dated)),
            ("bare", b"From \n", Some(Separator::Bare)),
            (
                "sender only",
                b"From MAILER-DAEMON\n",
                Some(Separator::Bare),
            ),
            ("prose", b"From Russia with love\n", None),
            ("prose with year", b"From here on in 2025 we ship\n", None),
        ];
        for (name, line, expected) in cases {
            assert_eq!(classify_separator(line), *expected, "case {name}");
        }
    }

    #[test]
    fn mboxrd_unescapes_one_level() {
        let mbox = b"From a@b Tue Mar  4 10:15:00 2025\nSubject: one\n\n>From here\n>>From there\n> From quote\n\nFrom a@b Tue Mar  4 10:16:00 2025\nSubject: two\n\nbody\n";
        let messages = read_all(mbox, MboxVariant::Mboxrd);
        assert_eq!(messages.len(), 2);
        assert_eq!(
            messages[0].bytes,
            b"Subject: one\n\nFrom here\n>From there\n> From quote\n"
        );
        assert_eq!(messages[1].bytes, b"Subject: two\n\nbody\n");
        assert_eq!(messages[1].origin.offset, 86);
        assert_eq!(
            messages[0].envelope.as_deref(),
            Some("a@b Tue Mar  4 10:15:00 2025")
        );
    }

    #[test]
    fn mboxo_keeps_double_quoted_from() {
        let mbox = b"From a@b Tue Mar  4 10:15:00 2025\nSubject: one\n\n>From here\n>>From there\n";
        let messages = read_all(mbox, MboxVariant::Mboxo);
        assert_eq!(
            messages[0].bytes,
            b"Subject: one\n\nFrom here\n>>From there\n"
        );
    }

    #[test]
    fn crlf_framing_is_removed() {
        let mbox = b"From a Tue Mar  4 10:15:00 2025\r\nSubject: one\r\n\r\nbody\r\n\r\nFrom b Tue Mar  4 10:16:00 2025\r\nSubject: two\r\n\r\nbody\r\n";
        let messages = read_all(mbox, MboxVariant::Mboxrd);
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0].bytes, b"Subject: one\r\n\r\nbody\r\n");
        assert_eq!(messages[1].bytes, b"Subject: two\r\n\r\nbody\r\n");
    }

    #[test]
    fn bare_from_in_body_does_not_split() {
        let mbox =
            b"From \nSubject: one\n\nquote like this:\nFrom \nmore\n\nFrom \nSubject: two\n\nx\n";
        let messages = read_all(mbox, MboxVariant::Mboxrd);
        assert_eq!(messages.len(), 2);
        assert_eq!(
            messages[0].bytes,
            b"Subject: one\n\nquote like this:\nFrom \nmore\n"
        );
    }

    #[test]
    fn content_length_protects_unescaped_body() {
        let body = b"line\n\nFrom - not a separator\nend\n";
        let mut mbox = Vec::new();
        mbox.extend_from_slice(b"From - \nSubject: one\nContent-Length: ");
        mbox.extend_from_slice(body.len().to_string().as_bytes());
        mbox.extend_from_slice(b"\n\n");
        mbox.extend_from_slice(body);
        mbox.extend_from_slice(b"From - \nSubject: two\n\nx\n");
        let messages = read_all(&mbox, MboxVariant::Mboxrd);
        assert_eq!(messages.len(), 2);
        assert!(messages[0].bytes.ends_with(body));
    }

    #[test]
    fn leading_byte_order_mark_is_skipped() {
        let messages = read_all(
            b"\xEF\xBB\xBFFrom -\nSubject: one\n\nx\n",
            MboxVariant::Mboxrd,
        );
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].origin.offset, 3);
        assert_eq!(messages[0].bytes, b"Subject: one\n\nx\n");
    }
}
