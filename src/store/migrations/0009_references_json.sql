-- `References` lists are stored on the message as a JSON array. As rows they cost an
-- index entry per id, and replies deep in a thread carry dozens of ids; lookups by
-- parent use `In-Reply-To`, which stays in `message_links`.
ALTER TABLE messages ADD COLUMN references_json TEXT NOT NULL DEFAULT '[]';

UPDATE messages SET references_json = (
    SELECT json_group_array(target) FROM (
        SELECT target FROM message_links
        WHERE message_links.message_id = messages.id AND kind = 'references'
        ORDER BY position
    )
)
WHERE EXISTS (
    SELECT 1 FROM message_links
    WHERE message_links.message_id = messages.id AND kind = 'references'
);

DELETE FROM message_links WHERE kind = 'references';
