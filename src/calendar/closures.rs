//! Closures of federal offices that no holiday rule predicts.
//!
//! Presidents close executive agencies by executive order, for example on Christmas Eve or for
//! a national day of mourning, and OPM announces closures for weather and other emergencies.
//! None of these can be computed in advance. The known ones ship as data
//! (`data/closures.toml`, built into the binary); users add the rest, each with its reason.
//!
//! A closure covers one date, either the whole day or a window of it. Executive orders have
//! closed agencies for "the last half of the scheduled workday"; such a closure is stored with
//! a start time and no end.

use jiff::civil::{Date, Time};
use serde::{Deserialize, Serialize};

use super::Error;

/// The closure table shipped with Regmail.
const SHIPPED_CLOSURES_TOML: &str = include_str!("../../data/closures.toml");

/// The origin of a closure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosureOrigin {
    /// The closure table shipped with Regmail.
    Shipped,
    /// Added by a user, by hand or from an ICS file.
    User,
}

/// A closure of the office on one date, for the whole day or for a window of it.
///
/// With neither `start` nor `end` the closure covers the whole day. With only `start` it runs
/// from that time to the end of the day, and with only `end` from midnight to that time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closure {
    /// The date, in Eastern Time.
    pub date: Date,
    /// The time the closure starts, if it does not start at midnight.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Time>,
    /// The time the closure ends, if it does not run to the end of the day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<Time>,
    /// The reason for the closure, such as "Christmas Eve" or "snow closure".
    pub reason: String,
    /// The authority or announcement, such as "Executive Order 13900" or "OPM".
    pub source: String,
    /// Whether the closure was shipped or added by a user.
    pub origin: ClosureOrigin,
}

impl Closure {
    /// Creates a closure of the whole of `date`.
    ///
    /// # Errors
    ///
    /// Returns [`Error::MissingClosureReason`] when `reason` is blank.
    pub fn all_day(
        date: Date,
        reason: impl Into<String>,
        source: impl Into<String>,
        origin: ClosureOrigin,
    ) -> Result<Closure, Error> {
        Closure::partial(date, None, None, reason, source, origin)
    }

    /// Creates a closure of `date` from `start` (or midnight) to `end` (or the end of the day).
    ///
    /// # Errors
    ///
    /// Returns [`Error::MissingClosureReason`] when `reason` is blank and
    /// [`Error::InvalidClosureWindow`] when `start` is not before `end`.
    pub fn partial(
        date: Date,
        start: Option<Time>,
        end: Option<Time>,
        reason: impl Into<String>,
        source: impl Into<String>,
        origin: ClosureOrigin,
    ) -> Result<Closure, Error> {
        let closure = Closure {
            date,
            start,
            end,
            reason: reason.into().trim().to_owned(),
            source: source.into().trim().to_owned(),
            origin,
        };
        closure.validate()?;
        Ok(closure)
    }

    /// Checks that the reason is not blank and that the window is not empty.
    ///
    /// # Errors
    ///
    /// Returns [`Error::MissingClosureReason`] or [`Error::InvalidClosureWindow`].
    pub fn validate(&self) -> Result<(), Error> {
        if self.reason.trim().is_empty() {
            return Err(Error::MissingClosureReason { date: self.date });
        }
        if let (Some(start), Some(end)) = (self.start, self.end) {
            if start >= end {
                return Err(Error::InvalidClosureWindow {
                    date: self.date,
                    start,
                    end,
                });
            }
        }
        Ok(())
    }

    /// Returns whether the closure covers the whole day.
    pub fn is_all_day(&self) -> bool {
        self.start.is_none() && self.end.is_none()
    }

    /// Returns the closed window as text, such as "12:15 to end of day".
    pub fn window_text(&self) -> String {
        let start = self
            .start
            .map_or_else(|| "start of day".to_owned(), format_time);
        let end = self
            .end
            .map_or_else(|| "end of day".to_owned(), format_time);
        if self.is_all_day() {
            "all day".to_owned()
        } else {
            format!("{start} to {end}")
        }
    }
}

/// Formats a time of day as `HH:MM`, or `HH:MM:SS` when it has seconds.
pub(super) fn format_time(time: Time) -> String {
    if time.second() == 0 && time.subsec_nanosecond() == 0 {
        format!("{:02}:{:02}", time.hour(), time.minute())
    } else {
        format!(
            "{:02}:{:02}:{:02}",
            time.hour(),
            time.minute(),
            time.second()
        )
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShippedTable {
    closure: Vec<ShippedEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShippedEntry {
    date: String,
    start: Option<String>,
    end: Option<String>,
    reason: String,
    source: String,
}

/// Returns the closures shipped with Regmail, ordered by date.
///
/// # Errors
///
/// Returns [`Error::ShippedClosures`] when the built-in table does not parse. A unit test parses
/// the table, so this error means the table was edited without running the tests.
pub fn shipped_closures() -> Result<Vec<Closure>, Error> {
    parse_shipped(SHIPPED_CLOSURES_TOML)
}

fn parse_shipped(text: &str) -> Result<Vec<Closure>, Error> {
    let table: ShippedTable = toml::from_str(text).map_err(|err| Error::ShippedClosures {
        message: err.to_string(),
    })?;

    let mut closures = Vec::with_capacity(table.closure.len());
    for entry in table.closure {
        let invalid = |what: &str, value: &str| Error::ShippedClosures {
            message: format!(
                "entry dated {:?} has an invalid {what} {value:?}",
                entry.date
            ),
        };
        let date: Date = entry
            .date
            .parse()
            .map_err(|_| invalid("date", &entry.date))?;
        let parse_time = |value: &Option<String>, what: &str| {
            value
                .as_deref()
                .map(|text| text.parse::<Time>().map_err(|_| invalid(what, text)))
                .transpose()
        };
        let start = parse_time(&entry.start, "start")?;
        let end = parse_time(&entry.end, "end")?;
        let closure = Closure::partial(
            date,
            start,
            end,
            entry.reason,
            entry.source,
            ClosureOrigin::Shipped,
        )
        .map_err(|err| Error::ShippedClosures {
            message: err.to_string(),
        })?;
        closures.push(closure);
    }
    closures.sort_by_key(|closure| closure.date);
    Ok(closures)
}

#[cfg(test)]
mod tests {
    use jiff::civil::{date, time};

    use super::*;

    #[test]
    fn shipped_table_parses() {
        let closures = shipped_closures().expect("the shipped table parses");
        assert!(closures.len() >= 8, "only {} closures", closures.len());
        assert!(closures.iter().all(|c| c.origin == ClosureOrigin::Shipped));
        assert!(
            closures.iter().all(|c| !c.source.is_empty()),
            "every entry names a source"
        );
        assert!(
            closures.windows(2).all(|pair| pair[0].date <= pair[1].date),
            "entries are sorted by date"
        );
    }

    #[test]
    fn shipped_table_has_the_closures_since_2019() {
        let closures = shipped_closures().expect("the shipped table parses");
        let find = |d: Date| closures.iter().find(|c| c.date == d);
        for (d, order) in [
            (date(2019, 12, 24), "13900"),
            (date(2020, 12, 24), "13965"),
            (date(2024, 12, 24), "14129"),
            (date(2025, 1, 9), "14133"),
            (date(2025, 12, 24), "14371"),
            (date(2025, 12, 26), "14371"),
        ] {
            let closure = find(d).unwrap_or_else(|| panic!("no closure on {d}"));
            assert!(closure.is_all_day(), "{d} is a full-day closure");
            assert!(
                closure.source.contains(order),
                "{d} cites {order}: {}",
                closure.source
            );
        }
    }

    #[test]
    fn shipped_half_days_close_after_midday() {
        let closures = shipped_closures().expect("the shipped table parses");
        let half_day = closures
            .iter()
            .find(|c| c.date == date(2015, 12, 24))
            .expect("Dec 24, 2015 was a half-day closure");
        assert_eq!(half_day.start, Some(time(12, 15, 0, 0)));
        assert_eq!(half_day.end, None);
    }

    #[test]
    fn shipped_parser_rejects_bad_entries() {
        let bad_date = "[[closure]]\ndate = \"2019-13-24\"\nreason = \"x\"\nsource = \"y\"\n";
        let err = parse_shipped(bad_date).unwrap_err().to_string();
        assert!(err.contains("invalid date \"2019-13-24\""), "{err}");

        let empty_window = "[[closure]]\ndate = \"2019-12-24\"\nstart = \"12:00\"\n\
                            end = \"12:00\"\nreason = \"x\"\nsource = \"y\"\n";
        let err = parse_shipped(empty_window).unwrap_err().to_string();
        assert!(err.contains("must be before the end"), "{err}");

        let unknown_field = "[[closure]]\ndate = \"2019-12-24\"\nreasons = \"x\"\n";
        assert!(parse_shipped(unknown_field).is_err());
    }

    #[test]
    fn closure_requires_a_reason_and_a_window() {
        let err = Closure::all_day(date(2026, 2, 3), "  ", "OPM", ClosureOrigin::User);
        assert!(
            matches!(err, Err(Error::MissingClosureReason { .. })),
            "{err:?}"
        );

        let err = Closure::partial(
            date(2026, 2, 3),
            Some(time(14, 0, 0, 0)),
            Some(time(10, 0, 0, 0)),
            "snow",
            "OPM",
            ClosureOrigin::User,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid closure window on 2026-02-03: the start 14:00:00 must be before the end \
             10:00:00"
        );
    }

    #[test]
    fn window_text_names_open_ends() {
        let closure = Closure::partial(
            date(2026, 2, 3),
            Some(time(12, 15, 0, 0)),
            None,
            "half day",
            "EO",
            ClosureOrigin::User,
        )
        .expect("valid closure");
        assert_eq!(closure.window_text(), "12:15 to end of day");
        let closure = Closure::all_day(date(2026, 2, 3), "snow", "OPM", ClosureOrigin::User)
            .expect("valid closure");
        assert_eq!(closure.window_text(), "all day");
    }
}
