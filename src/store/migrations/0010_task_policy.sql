-- The deadline policy each due time was computed under, "close" or "elapsed" (see
-- calendar::Policy), so that a task keeps the rule it was given when the user later picks
-- the other one. Tasks without a due time have none. Rows from before this migration were
-- all computed under "close", the only policy the procedure used until then.
--
-- The user's choice itself is the `deadline-policy` entry of `app_settings` (0004).

ALTER TABLE tasks ADD COLUMN policy TEXT CHECK (policy IN ('close', 'elapsed'));
UPDATE tasks SET policy = 'close' WHERE due_at IS NOT NULL;
