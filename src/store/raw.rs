//! Storage form of original message bytes: LZ4 block compression when it saves space.

use super::Error;

/// Original bytes in the form they are written to `message_raw`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedBytes {
    /// `none` or `lz4`, as stored in the `compression` column.
    pub compression: &'static str,
    /// The stored data: the original bytes, or their LZ4 block with the length prepended.
    pub data: Vec<u8>,
}

/// Compression is kept only when it saves at least this share of the size, because
/// already-compressed attachments (PDF streams, images) do not shrink and would only cost
/// decompression time on every read.
const MIN_SAVING_PERCENT: usize = 10;

/// Packs `bytes` for storage, compressing them when that saves space.
pub fn pack(bytes: &[u8]) -> PackedBytes {
    let compressed = lz4_flex::compress_prepend_size(bytes);
    if compressed.len() * 100 <= bytes.len() * (100 - MIN_SAVING_PERCENT) {
        PackedBytes {
            compression: "lz4",
            data: compressed,
        }
    } else {
        PackedBytes {
            compression: "none",
            data: bytes.to_vec(),
        }
    }
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
        let random: Vec<u8> = (0..4096)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        let cases: &[(&str, &[u8], &str)] = &[
            ("empty", b"", "none"),
            ("repetitive text", text.as_bytes(), "lz4"),
            ("incompressible", &random, "none"),
        ];
        for (name, bytes, compression) in cases {
            let packed = pack(bytes);
            assert_eq!(packed.compression, *compression, "case {name}");
            let back = unpack(1, packed.compression, packed.data).expect("unpack");
            assert_eq!(back, *bytes, "case {name}");
        }
    }

    #[test]
    fn corrupt_lz4_is_an_error() {
        let err = unpack(7, "lz4", vec![0xff, 0xff, 0xff, 0x7f, 1, 2]).expect_err("must fail");
        assert!(err.to_string().contains("message 7"), "{err}");
    }
}
