-- State of the desktop app: its settings as named JSON values, and the task alerts it has
-- sent, so that an alert is sent once and, once acknowledged, never shown again.

CREATE TABLE app_settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One row per alert that fell due. `fire_at` is part of the key because triaging a message
-- again can move a task's due time, and the alerts for the new time are new alerts.
CREATE TABLE alerts (
    task_id         INTEGER NOT NULL REFERENCES tasks (id),
    kind            TEXT NOT NULL,
    fire_at         TEXT NOT NULL,
    fired_at        TEXT NOT NULL,
    missed          INTEGER NOT NULL CHECK (missed IN (0, 1)),
    acknowledged_at TEXT,
    PRIMARY KEY (task_id, kind, fire_at)
);
CREATE INDEX alerts_unacknowledged ON alerts (acknowledged_at) WHERE acknowledged_at IS NULL;
