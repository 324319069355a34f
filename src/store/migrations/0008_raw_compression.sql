-- Original message bytes may be stored LZ4-compressed (lossless): text mail shrinks to a
-- third or less, which roughly halves what an import writes, because WAL mode writes every
-- page twice. `raw_message` always returns the original bytes.
ALTER TABLE message_raw ADD COLUMN compression TEXT NOT NULL DEFAULT 'none'
    CHECK (compression IN ('none', 'lz4'));
