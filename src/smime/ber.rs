//! BER to DER normalization and a minimal TLV reader.
//!
//! Mail clients write CMS in BER: NSS (Thunderbird) and Outlook use indefinite lengths
//! and split OCTET STRINGs into constructed chunks (X.690 §8.1.3.6, §8.7.3). The `der`
//! crate reads DER only, so every CMS object is normalized here first: lengths become
//! definite and minimal, and constructed OCTET STRINGs become primitive ones.
//!
//! DER is a subset of BER, so normalizing DER input returns it unchanged.

/// Deepest nesting accepted; real CMS objects stay far below it.
const MAX_DEPTH: usize = 64;

/// A BER encoding that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid BER at byte {offset}: {problem}")]
pub struct BerError {
    /// Byte offset of the problem in the input.
    pub offset: usize,
    /// The problem.
    pub problem: &'static str,
}

/// One TLV of a DER input: its tag byte, and where its value and the whole element lie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The identifier octet (single-byte tags only; CMS uses no others).
    pub tag: u8,
    /// The value octets.
    pub value: &'a [u8],
    /// The whole element: tag, length and value.
    pub raw: &'a [u8],
}

impl<'a> Tlv<'a> {
    /// Returns whether the constructed bit is set.
    pub fn is_constructed(&self) -> bool {
        self.tag & 0x20 != 0
    }

    /// Splits the value of a constructed DER element into its children.
    pub fn children(&self) -> Result<Vec<Tlv<'a>>, BerError> {
        let mut children = Vec::new();
        let mut rest = self.value;
        while !rest.is_empty() {
            let (child, after) = read_der(rest)?;
            children.push(child);
            rest = after;
        }
        Ok(children)
    }
}

/// Reads one DER element (definite length) from the start of `input`, returning it and
/// the bytes after it.
pub fn read_der(input: &[u8]) -> Result<(Tlv<'_>, &[u8]), BerError> {
    let header = read_header(input, 0)?;
    let Some(length) = header.length else {
        return Err(BerError {
            offset: 0,
            problem: "indefinite length in DER",
        });
    };
    let end = header
        .header_len
        .checked_add(length)
        .filter(|end| *end <= input.len())
        .ok_or(BerError {
            offset: header.header_len,
            problem: "length runs past the end of the input",
        })?;
    let tlv = Tlv {
        tag: header.tag,
        value: &input[header.header_len..end],
        raw: &input[..end],
    };
    Ok((tlv, &input[end..]))
}

struct Header {
    tag: u8,
    header_len: usize,
    /// `None` for the indefinite form.
    length: Option<usize>,
}

fn read_header(input: &[u8], base: usize) -> Result<Header, BerError> {
    let err = |offset: usize, problem| BerError {
        offset: base + offset,
        problem,
    };
    let &tag = input.first().ok_or(err(0, "unexpected end of input"))?;
    if tag & 0x1f == 0x1f {
        return Err(err(0, "multi-byte tags are not used in CMS"));
    }
    let &first = input.get(1).ok_or(err(1, "missing length"))?;
    if first < 0x80 {
        return Ok(Header {
            tag,
            header_len: 2,
            length: Some(first as usize),
        });
    }
    if first == 0x80 {
        if tag & 0x20 == 0 {
            return Err(err(1, "indefinite length on a primitive element"));
        }
        return Ok(Header {
            tag,
            header_len: 2,
            length: None,
        });
    }
    let count = (first & 0x7f) as usize;
    if count > 4 {
        return Err(err(1, "length longer than 4 bytes"));
    }
    let bytes = input
        .get(2..2 + count)
        .ok_or(err(2, "length runs past the end of the input"))?;
    let length = bytes.iter().fold(0usize, |acc, b| (acc << 8) | *b as usize);
    Ok(Header {
        tag,
        header_len: 2 + count,
        length: Some(length),
    })
}

/// Converts a BER encoding of one element to DER lengths. Trailing bytes after the first
/// element are ignored, as mail clients pad base64 bodies.
///
/// # Errors
///
/// Returns a [`BerError`] with the byte offset when the input is not BER.
pub fn normalize(input: &[u8]) -> Result<Vec<u8>, BerError> {
    let mut out = Vec::with_capacity(input.len());
    let (element, _) = normalize_element(input, 0, 0)?;
    element.write(&mut out);
    Ok(out)
}

/// A normalized element: a tag and either primitive content or children.
enum Element {
    Primitive(u8, Vec<u8>),
    Constructed(u8, Vec<Element>),
}

impl Element {
    fn tag(&self) -> u8 {
        match self {
            Element::Primitive(tag, _) | Element::Constructed(tag, _) => *tag,
        }
    }

    fn content_len(&self) -> usize {
        match self {
            Element::Primitive(_, content) => content.len(),
            Element::Constructed(_, children) => children.iter().map(Element::encoded_len).sum(),
        }
    }

    fn encoded_len(&self) -> usize {
        let len = self.content_len();
        1 + length_len(len) + len
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.push(self.tag());
        write_length(self.content_len(), out);
        match self {
            Element::Primitive(_, content) => out.extend_from_slice(content),
            Element::Constructed(_, children) => {
                for child in children {
                    child.write(out);
                }
            }
        }
    }

    /// Joins the content of a constructed string's chunks (X.690 §8.7.3).
    fn flatten_string(self, offset: usize) -> Result<Vec<u8>, BerError> {
        match self {
            Element::Primitive(_, content) => Ok(content),
            Element::Constructed(_, children) => {
                let mut content = Vec::new();
                for child in children {
                    if child.tag() & 0x1f != 0x04 {
                        return Err(BerError {
                            offset,
                            problem:
                                "constructed OCTET STRING holds a chunk that is not an OCTET STRING",
                        });
                    }
                    content.extend(child.flatten_string(offset)?);
                }
                Ok(content)
            }
        }
    }
}

fn length_len(len: usize) -> usize {
    match len {
        0..=0x7f => 1,
        0x80..=0xff => 2,
        0x100..=0xffff => 3,
        0x1_0000..=0xff_ffff => 4,
        _ => 5,
    }
}

fn write_length(len: usize, out: &mut Vec<u8>) {
    let count = length_len(len) - 1;
    if count == 0 {
        out.push(len as u8);
        return;
    }
    out.push(0x80 | count as u8);
    for i in (0..count).rev() {
        out.push((len >> (8 * i)) as u8);
    }
}

/// Reads one element at `input[0..]` (whose absolute offset is `base`) and returns it
/// with the number of bytes it took.
fn normalize_element(
    input: &[u8],
    base: usize,
    depth: usize,
) -> Result<(Element, usize), BerError> {
    if depth > MAX_DEPTH {
        return Err(BerError {
            offset: base,
            problem: "nesting deeper than 64 levels",
        });
    }
    let header = read_header(input, base)?;
    let start = header.header_len;
    if header.tag & 0x20 == 0 {
        let length = header
            .length
            .expect("primitive elements have definite lengths");
        let content = input.get(start..start + length).ok_or(BerError {
            offset: base + start,
            problem: "length runs past the end of the input",
        })?;
        return Ok((
            Element::Primitive(header.tag, content.to_vec()),
            start + length,
        ));
    }

    let mut children = Vec::new();
    let consumed = match header.length {
        Some(length) => {
            let end = start
                .checked_add(length)
                .filter(|end| *end <= input.len())
                .ok_or(BerError {
                    offset: base + start,
                    problem: "length runs past the end of the input",
                })?;
            let mut at = start;
            while at < end {
                let (child, used) = normalize_element(&input[at..end], base + at, depth + 1)?;
                children.push(child);
                at += used;
            }
            end
        }
        None => {
            let mut at = start;
            loop {
                match input.get(at..at + 2) {
                    Some([0, 0]) => break at + 2,
                    Some(_) => {}
                    None => {
                        return Err(BerError {
                            offset: base + at,
                            problem: "indefinite length without an end-of-contents marker",
                        })
                    }
                }
                let (child, used) = normalize_element(&input[at..], base + at, depth + 1)?;
                children.push(child);
                at += used;
            }
        }
    };

    let element = if header.tag == 0x24 {
        // A constructed OCTET STRING becomes a primitive one.
        let content = Element::Constructed(header.tag, children).flatten_string(base)?;
        Element::Primitive(0x04, content)
    } else {
        Element::Constructed(header.tag, flatten_implicit_octets(children, base)?)
    };
    Ok((element, consumed))
}

/// Turns the `[0] IMPLICIT OCTET STRING` of an EncryptedContentInfo (RFC 5652 §6.1),
/// which BER writers send constructed from chunks, into the primitive form.
///
/// The shape `SEQUENCE { OBJECT IDENTIFIER, SEQUENCE, [0] }` identifies the structure:
/// an EncapsulatedContentInfo has only two elements and its `[0]` is EXPLICIT.
fn flatten_implicit_octets(
    mut children: Vec<Element>,
    base: usize,
) -> Result<Vec<Element>, BerError> {
    let is_encrypted_content_info = children.len() == 3
        && children[0].tag() == 0x06
        && children[1].tag() == 0x30
        && children[2].tag() == 0xa0;
    if is_encrypted_content_info {
        let chunked = children.pop().expect("three children");
        let content = chunked.flatten_string(base)?;
        children.push(Element::Primitive(0x80, content));
    }
    Ok(children)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_input_is_unchanged() {
        let der = [0x30, 0x06, 0x02, 0x01, 0x05, 0x04, 0x01, 0xaa];
        assert_eq!(normalize(&der).expect("valid"), der);
    }

    #[test]
    fn indefinite_lengths_become_definite() {
        let ber = [0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00];
        assert_eq!(
            normalize(&ber).expect("valid"),
            [0x30, 0x03, 0x02, 0x01, 0x05]
        );
    }

    #[test]
    fn chunked_octet_string_is_joined() {
        let ber = [
            0x24, 0x80, 0x04, 0x01, 0xaa, 0x04, 0x02, 0xbb, 0xcc, 0x00, 0x00,
        ];
        assert_eq!(
            normalize(&ber).expect("valid"),
            [0x04, 0x03, 0xaa, 0xbb, 0xcc]
        );
    }

    #[test]
    fn long_form_length_is_minimized() {
        let ber = [0x04, 0x81, 0x01, 0xaa];
        assert_eq!(normalize(&ber).expect("valid"), [0x04, 0x01, 0xaa]);
    }

    #[test]
    fn encrypted_content_chunks_become_implicit_primitive() {
        let ber = [
            0x30, 0x80, 0x06, 0x01, 0x2a, 0x30, 0x00, 0xa0, 0x80, 0x04, 0x01, 0xaa, 0x04, 0x01,
            0xbb, 0x00, 0x00, 0x00, 0x00,
        ];
        assert_eq!(
            normalize(&ber).expect("valid"),
            [0x30, 0x09, 0x06, 0x01, 0x2a, 0x30, 0x00, 0x80, 0x02, 0xaa, 0xbb]
        );
    }

    #[test]
    fn truncated_input_is_rejected() {
        let err = normalize(&[0x30, 0x80, 0x02, 0x01]).expect_err("truncated");
        assert!(err.problem.contains("past the end") || err.problem.contains("end-of-contents"));
    }
}
