//! The closures users add to the business calendar.

use jiff::civil::{Date, Time};
use rusqlite::{params, Row};

use super::{Error, Store};
use crate::calendar::{Closure, ClosureOrigin};

impl Store {
    /// Saves a user closure and returns whether it was new. An identical closure (same date,
    /// window and reason) is stored only once.
    pub fn add_closure(&mut self, closure: &Closure) -> Result<bool, Error> {
        let added = self.add_closures(std::slice::from_ref(closure))?;
        Ok(added == 1)
    }

    /// Saves user closures in one transaction and returns how many were new.
    pub fn add_closures(&mut self, closures: &[Closure]) -> Result<usize, Error> {
        let added_at = jiff::Timestamp::now().to_string();
        let tx = self.conn.transaction()?;
        let mut added = 0;
        {
            let mut insert = tx.prepare(
                "INSERT OR IGNORE INTO calendar_closures
                     (date, start_time, end_time, reason, source, added_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for closure in closures {
                added += insert.execute(params![
                    closure.date.to_string(),
                    closure.start.map(|time| time.to_string()),
                    closure.end.map(|time| time.to_string()),
                    closure.reason,
                    closure.source,
                    added_at,
                ])?;
            }
        }
        tx.commit()?;
        Ok(added)
    }

    /// Returns every user closure, ordered by date and start time.
    pub fn closures(&self) -> Result<Vec<Closure>, Error> {
        let mut select = self.conn.prepare(
            "SELECT id, date, start_time, end_time, reason, source FROM calendar_closures
             ORDER BY date, COALESCE(start_time, ''), id",
        )?;
        let rows = select.query_map([], closure_row)?;
        let mut closures = Vec::new();
        for row in rows {
            closures.push(row?.into_closure()?);
        }
        Ok(closures)
    }

    /// Removes every user closure on `date` and returns how many were removed.
    pub fn remove_closures(&mut self, date: Date) -> Result<usize, Error> {
        Ok(self.conn.execute(
            "DELETE FROM calendar_closures WHERE date = ?1",
            [date.to_string()],
        )?)
    }
}

/// A `calendar_closures` row as stored.
struct ClosureRow {
    id: i64,
    date: String,
    start: Option<String>,
    end: Option<String>,
    reason: String,
    source: String,
}

fn closure_row(row: &Row<'_>) -> rusqlite::Result<ClosureRow> {
    Ok(ClosureRow {
        id: row.get(0)?,
        date: row.get(1)?,
        start: row.get(2)?,
        end: row.get(3)?,
        reason: row.get(4)?,
        source: row.get(5)?,
    })
}

impl ClosureRow {
    fn into_closure(self) -> Result<Closure, Error> {
        let id = self.id;
        let corrupt = |column: &'static str, value: &str| Error::CorruptClosure {
            id,
            column,
            value: value.to_owned(),
        };
        let date: Date = self.date.parse().map_err(|_| corrupt("date", &self.date))?;
        let time = |column: &'static str, value: &Option<String>| {
            value
                .as_deref()
                .map(|text| text.parse::<Time>().map_err(|_| corrupt(column, text)))
                .transpose()
        };
        let start = time("start_time", &self.start)?;
        let end = time("end_time", &self.end)?;
        Closure::partial(
            date,
            start,
            end,
            self.reason,
            self.source,
            ClosureOrigin::User,
        )
        .map_err(|source| Error::InvalidClosure { id, source })
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::{date, time};

    use super::*;

    fn snow(d: Date) -> Closure {
        Closure::all_day(d, "Snow closure", "OPM", ClosureOrigin::User).expect("valid closure")
    }

    #[test]
    fn closures_round_trip() -> Result<(), Error> {
        let mut store = Store::open_in_memory()?;
        let half_day = Closure::partial(
            date(2026, 2, 3),
            Some(time(12, 15, 0, 0)),
            None,
            "Early dismissal",
            "OPM",
            ClosureOrigin::User,
        )
        .expect("valid closure");
        assert!(store.add_closure(&snow(date(2026, 2, 4)))?);
        assert!(store.add_closure(&half_day)?);

        let stored = store.closures()?;
        assert_eq!(stored, vec![half_day, snow(date(2026, 2, 4))]);
        Ok(())
    }

    #[test]
    fn identical_closure_is_stored_once() -> Result<(), Error> {
        let mut store = Store::open_in_memory()?;
        assert!(store.add_closure(&snow(date(2026, 2, 4)))?);
        assert!(!store.add_closure(&snow(date(2026, 2, 4)))?);
        assert_eq!(
            store.add_closures(&[snow(date(2026, 2, 4)), snow(date(2026, 2, 5))])?,
            1
        );
        assert_eq!(store.closures()?.len(), 2);
        Ok(())
    }

    #[test]
    fn remove_deletes_one_date() -> Result<(), Error> {
        let mut store = Store::open_in_memory()?;
        store.add_closures(&[snow(date(2026, 2, 4)), snow(date(2026, 2, 5))])?;
        assert_eq!(store.remove_closures(date(2026, 2, 4))?, 1);
        assert_eq!(store.remove_closures(date(2026, 2, 4))?, 0);
        assert_eq!(store.closures()?, vec![snow(date(2026, 2, 5))]);
        Ok(())
    }

    #[test]
    fn corrupt_row_names_the_column() -> Result<(), Error> {
        let store = Store::open_in_memory()?;
        store.connection().execute(
            "INSERT INTO calendar_closures (date, reason, source, added_at)
             VALUES ('2026-02-30', 'x', 'y', 'z')",
            [],
        )?;
        let err = store.closures().unwrap_err();
        assert_eq!(
            err.to_string(),
            "corrupt closure 1 in the database: invalid date \"2026-02-30\""
        );
        Ok(())
    }
}
