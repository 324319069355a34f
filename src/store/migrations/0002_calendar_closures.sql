-- Closures users add to the business calendar, such as an OPM snow closure or an early
-- dismissal. A row without start_time and end_time closes the whole date. The date and times
-- are Eastern Time (America/New_York); added_at is a UTC instant.

CREATE TABLE calendar_closures (
    id         INTEGER PRIMARY KEY,
    date       TEXT NOT NULL,
    start_time TEXT,
    end_time   TEXT,
    reason     TEXT NOT NULL CHECK (reason <> ''),
    source     TEXT NOT NULL,
    added_at   TEXT NOT NULL
);

-- Adding the same closure again, for example by importing one ICS file twice, changes nothing.
CREATE UNIQUE INDEX calendar_closures_unique
    ON calendar_closures (date, COALESCE(start_time, ''), COALESCE(end_time, ''), reason);
