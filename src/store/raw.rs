//! Storage form of original message bytes: LZ4 block compression when it saves space.

use super::Error;

/// Original bytes in the form they are written to `message_raw`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackedBytes {
    /// Stored as they are.
    Plain,
    /// An LZ4 block with the original length prepended.
    Lz4(Vec<u8>),
}

impl PackedBytes {
    /// Returns the value of the `compression` column.
    pub fn compression(&self) -> &'static str {
        match self {
            PackedBytes::Plain => "none",
            PackedBytes::Lz4(_) => "lz4",
        }
    }

    /// Returns the bytes to store for `original`.
    pub fn stored<'a>(&'a self, original: &'a [u8]) -> &'a [u8] {
        match self {
            PackedBytes::Plain => original,
            PackedBytes::Lz4(data) => data,
        }
    }
}

/// Compression is kept only when it saves at least this share of the size, because
/// already-compressed attachments (PDF streams, images) do not shrink and would only cost
/// decompression time on every read.
const MIN_SAVING_PERCENT: usize = 10;

/// Messages at least this long are first probed: one sample from their middle is
/// compressed, and the whole message only when the sample shrinks. In a long message the
/// middle is usually an attachment, whose base64 text of compressed data LZ4 cannot
/// shrink, so the probe saves compressing it in full for nothing.
const PROBE_FROM: usize = 64 * 1024;
const PROBE_LEN: usize = 16 * 1024;

/// Packs `bytes` for storage, compressing them when that saves space.
pub fn pack(bytes: &[u8]) -> PackedBytes {
    if bytes.len() >= PROBE_FROM {
        let start = bytes.len() / 2;
        let sample = &bytes[start..start + PROBE_LEN];
        if !saves_enough(lz4_flex::compress(sample).len(), sample.len()) {
            return PackedBytes::Plain;
        }
    }
    let compressed = lz4_flex::compress_prepend_size(bytes);
    if saves_enough(compressed.len(), bytes.len()) {
        PackedBytes::Lz4(compressed)
    } else {
        PackedBytes::Plain
    }
}

fn saves_enough(packed: usize, original: usize) -> bool {
    packed * 100 <= original * (100 - MIN_SAVING_PERCENT)
}

/// Returns the original bytes of a stored value.
pub(super) fn unpack(id: i64, compression: &str, data: Vec<u8>) -> Result<Vec<u8>, Error> {
    match compression {
        "none" => Ok(data),
        "lz4" => lz4_flex::decompress_size_prepended(&data).map_err(|err| Error::CorruptRaw {
            id,
            detail: err.to_string(),
        }),
        other => Err(Error::CorruptRaw {
            id,
            detail: format!("unknown compression {other:?}"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_round_trips() {
        let text = "Subject: STN 125742/0\r\n\r\nThe response is attached.\r\n".repeat(50);
        // xorshift64: bytes with no repeats for LZ4 to find.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let random: Vec<u8> = (0..200_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        let long_text = text.repeat(60);
        // A text part before and after an incompressible attachment in the middle.
        let attachment_in_middle = [
            &long_text.as_bytes()[..30_000],
            &random[..100_000],
            &long_text.as_bytes()[..30_000],
        ]
        .concat();
        // Text in the middle, where the probe looks, and the rest incompressible: the
        // whole message is compressed and then stored as is, because it saves too little.
        let text_in_middle = [
            &random[..100_000],
            &long_text.as_bytes()[..20_000],
            &random[100_000..200_000],
        ]
        .concat();
        let cases: &[(&str, &[u8], &str)] = &[
            ("empty", b"", "none"),
            ("repetitive text", text.as_bytes(), "lz4"),
            ("incompressible", &random[..4096], "none"),
            ("long text, probed", long_text.as_bytes(), "lz4"),
            ("long, incompressible middle", &attachment_in_middle, "none"),
            ("long, text only in the middle", &text_in_middle, "none"),
            ("long incompressible", &random, "none"),
        ];
        for (name, bytes, compression) in cases {
            let packed = pack(bytes);
            assert_eq!(packed.compression(), *compression, "case {name}");
            let stored = packed.stored(bytes).to_vec();
            let back = unpack(1, packed.compression(), stored).expect("unpack");
            assert_eq!(back, *bytes, "case {name}");
        }
    }

    #[test]
    fn corrupt_lz4_is_an_error() {
        let err = unpack(7, "lz4", vec![0xff, 0xff, 0xff, 0x7f, 1, 2]).expect_err("must fail");
        assert!(err.to_string().contains("message 7"), "{err}");
    }
}
