-- The decision a reviewer records when completing a task that calls for one, such as the
-- outcome of the phone call about an unreadable email (SOPP 8119 VII.A.1: resent,
-- rejected, referred to DCC, or submitted in another format). The allowed values come from
-- the decision tree, so the column has no CHECK.

ALTER TABLE tasks ADD COLUMN resolution TEXT;
