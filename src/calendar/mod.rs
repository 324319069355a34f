//! The federal business calendar at FDA White Oak and "within one business day" deadlines.
//!
//! SOPP 8119 gives a CBER recipient one business day to forward an email that left out the
//! Regulatory Project Manager (VI.C.6, VII.A.2) and to phone a sponsor about an email that is
//! inadequate or cannot be read (VII.A.1). This module owns everything needed to turn a receipt
//! instant into such a due time:
//!
//! - business hours, 8:00 AM to 4:30 PM in `America/New_York`, Monday to Friday (SOPP 8119
//!   V.B.3), with the zone loaded from the time zone database bundled into the binary, so the
//!   host's zoneinfo files are never read;
//! - the legal public holidays of 5 U.S.C. 6103(a) on their observed dates, and Inauguration
//!   Day under 5 U.S.C. 6103(c), which applies at White Oak ([`holidays`]);
//! - closures by executive order or OPM announcement, shipped as data, and closures users add,
//!   including partial-day closures ([`closures`], [`ics`]);
//! - the arithmetic on business time and the deadline with its explanation ([`deadline`]).
//!
//! The calendar is a pure value: it never reads a database or a clock. The caller loads the
//! closures users add (the store keeps them) and passes them in.
//!
//! Instants are [`jiff::Timestamp`] values (UTC). Calendar arithmetic happens on civil dates and
//! times in `America/New_York` and is converted back through the time zone rules, so results
//! are exact across weekends, holidays and daylight saving time changes.
//!
//! # Example
//!
//! ```
//! use regmail::calendar::{BusinessCalendar, Policy, ReceiptSource};
//!
//! let calendar = BusinessCalendar::with_shipped_closures(Vec::new())?;
//! let received: jiff::Timestamp = "2025-03-07T22:45:00Z".parse()?; // Friday 17:45 EST
//! let deadline = calendar.due(received, ReceiptSource::ReceivedHeader, Policy::Close)?;
//! assert_eq!(calendar.format_rfc3339(deadline.due_at), "2025-03-11T16:30:00-04:00");
//! assert_eq!(calendar.format_rfc3339(deadline.warn_at), "2025-03-10T16:30:00-04:00");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod business;
pub mod closures;
pub mod deadline;
pub mod holidays;
pub mod ics;

use jiff::civil::{Date, DateTime, Time};
use jiff::SignedDuration;

pub use business::{BusinessCalendar, ClosureCause, DayClosure, OpenPeriod};
pub use closures::{shipped_closures, Closure, ClosureOrigin};
pub use deadline::{Deadline, Policy, ReceiptSource};
pub use holidays::{observed_holidays, Holiday, ObservedHoliday};
pub use ics::parse_ics;

/// The IANA name of the time zone of FDA White Oak (Silver Spring, Maryland).
pub const TIME_ZONE_NAME: &str = "America/New_York";

/// The start of business hours, 8:00 AM Eastern Time (SOPP 8119 V.B.3).
pub const OPENING_TIME: Time = Time::constant(8, 0, 0, 0);

/// The end of business hours, 4:30 PM Eastern Time (SOPP 8119 V.B.3).
///
/// Business hours are the half-open window `[08:00, 16:30)`: an email that arrives at
/// exactly 16:30:00 arrives after hours.
pub const CLOSING_TIME: Time = Time::constant(16, 30, 0, 0);

/// The business time in one full business day, 8 h 30 min.
pub const BUSINESS_DAY: SignedDuration = SignedDuration::from_mins(8 * 60 + 30);

/// The first year whose dates the calendar accepts as input.
pub const FIRST_YEAR: i16 = 1990;

/// The last year whose dates the calendar accepts as input.
///
/// Computations that start in this year may end early in the following year.
pub const LAST_YEAR: i16 = 2100;

/// The maximum number of consecutive days without business hours that a search for the next
/// business day crosses before it gives up. It allows for a year-long run of closures, such as
/// a long lapse in appropriations entered day by day.
pub const MAX_CLOSED_RUN_DAYS: i32 = 366;

/// The errors of the calendar module.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A year outside [`FIRST_YEAR`]..=[`LAST_YEAR`].
    #[error("year {year} is out of range: expected a year from {FIRST_YEAR} to {LAST_YEAR}")]
    YearOutOfRange {
        /// The year given.
        year: i64,
    },

    /// An instant whose Eastern Time date falls outside the supported years.
    #[error(
        "{datetime} (Eastern Time) is out of range: expected a date in the years \
         {FIRST_YEAR} to {LAST_YEAR}"
    )]
    InstantOutOfRange {
        /// The instant as a civil date and time in `America/New_York`.
        datetime: DateTime,
    },

    /// A text that is not a deadline policy.
    #[error("invalid policy {value:?}: expected \"close\" or \"elapsed\"")]
    InvalidPolicy {
        /// The text given.
        value: String,
    },

    /// A text that is not a receipt source.
    #[error(
        "invalid receipt source {value:?}: expected \"received-header\", \"delivery-time\", \
         \"date-header\" or \"manual\""
    )]
    InvalidReceiptSource {
        /// The text given.
        value: String,
    },

    /// A partial-day closure whose start is not before its end.
    #[error("invalid closure window on {date}: the start {start} must be before the end {end}")]
    InvalidClosureWindow {
        /// The date of the closure.
        date: Date,
        /// The start of the closed window.
        start: Time,
        /// The end of the closed window.
        end: Time,
    },

    /// A closure without a reason.
    #[error("closure on {date} has no reason: give the reason, such as \"snow closure (OPM)\"")]
    MissingClosureReason {
        /// The date of the closure.
        date: Date,
    },

    /// The closure table built into the binary does not parse.
    #[error("invalid built-in closure data: {message}")]
    ShippedClosures {
        /// The problem and the entry it concerns.
        message: String,
    },

    /// An ICS file that cannot be read as closures.
    #[error("invalid ICS data at line {line}: {reason}")]
    Ics {
        /// The 1-based number of the physical line where the problem starts.
        line: usize,
        /// What is wrong and what was expected.
        reason: String,
    },

    /// A search for the next business day that crossed too many closed days.
    #[error(
        "no business day within {MAX_CLOSED_RUN_DAYS} days after {date}: check the closures \
         entered for that period"
    )]
    NoBusinessDay {
        /// The date the search started from.
        date: Date,
    },

    /// A negative duration given where business time is added.
    #[error("invalid business duration {duration}: expected zero or a positive duration")]
    NegativeDuration {
        /// The duration given.
        duration: SignedDuration,
    },

    /// The bundled time zone database does not contain `America/New_York`.
    #[error("time zone {name} is missing from the bundled time zone database")]
    TimeZone {
        /// The IANA name looked up.
        name: String,
        /// The lookup error.
        #[source]
        source: jiff::Error,
    },

    /// A civil date and time that cannot be converted to an instant.
    #[error("cannot convert {datetime} in {TIME_ZONE_NAME} to an instant")]
    Conversion {
        /// The civil date and time.
        datetime: DateTime,
        /// The conversion error.
        #[source]
        source: jiff::Error,
    },
}

/// Checks that `year` lies in [`FIRST_YEAR`]..=[`LAST_YEAR`].
///
/// # Errors
///
/// Returns [`Error::YearOutOfRange`] naming the year otherwise.
pub fn check_year(year: i64) -> Result<i16, Error> {
    i16::try_from(year)
        .ok()
        .filter(|year| (FIRST_YEAR..=LAST_YEAR).contains(year))
        .ok_or(Error::YearOutOfRange { year })
}
