//! Test support: a business calendar with the 2025 federal holidays written out, so that
//! the engine's tests do not depend on how holidays are computed.

use jiff::civil::{date, time, Date, Time};
use jiff::Timestamp;
use regmail::sopp::clock::{in_business_zone, ClockError, Deadline, TIME_ZONE};
use regmail::sopp::tree::DeadlineRule;
use regmail::sopp::BusinessClock;

/// Observed federal holidays of 2025 (5 U.S.C. 6103), with Inauguration Day on
/// January 20 falling on Martin Luther King Jr. Day.
const HOLIDAYS_2025: [(i16, i8, i8); 11] = [
    (2025, 1, 1),
    (2025, 1, 20),
    (2025, 2, 17),
    (2025, 5, 26),
    (2025, 6, 19),
    (2025, 7, 4),
    (2025, 9, 1),
    (2025, 10, 13),
    (2025, 11, 11),
    (2025, 11, 27),
    (2025, 12, 25),
];

const OPEN: Time = time(8, 0, 0, 0);
const CLOSE: Time = time(16, 30, 0, 0);

/// A calendar of weekdays from 8:00 AM to 4:30 PM America/New_York, less the 2025
/// holidays. A task due "within one business day" is due at 4:30 PM on the business day
/// after the day of receipt, and receipt outside business hours counts as receipt at the
/// next opening.
pub struct Holidays2025;

impl Holidays2025 {
    fn is_business_day(&self, day: Date) -> bool {
        let weekend = matches!(
            day.weekday(),
            jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
        );
        !weekend && !HOLIDAYS_2025.iter().any(|&(y, m, d)| date(y, m, d) == day)
    }

    fn next_business_day(&self, day: Date) -> Date {
        let mut next = day
            .tomorrow()
            .expect("test dates are far from the end of time");
        while !self.is_business_day(next) {
            next = next
                .tomorrow()
                .expect("test dates are far from the end of time");
        }
        next
    }
}

impl BusinessClock for Holidays2025 {
    fn is_business_hours(&self, at: Timestamp) -> bool {
        let local = in_business_zone(at);
        self.is_business_day(local.date()) && local.time() >= OPEN && local.time() < CLOSE
    }

    fn deadline(&self, received: Timestamp, rule: DeadlineRule) -> Result<Deadline, ClockError> {
        let DeadlineRule::OneBusinessDay = rule;
        let local = in_business_zone(received);
        if local.year() != 2025 {
            return Err(ClockError {
                message: format!("the test calendar covers 2025 only, not {}", local.year()),
            });
        }
        let (counted_day, counted_time) = if self.is_business_hours(received) {
            (local.date(), local.time())
        } else if self.is_business_day(local.date()) && local.time() < OPEN {
            (local.date(), OPEN)
        } else {
            (self.next_business_day(local.date()), OPEN)
        };
        let due_day = self.next_business_day(counted_day);
        let zoned = |time: Time| {
            due_day
                .to_datetime(time)
                .in_tz(TIME_ZONE)
                .expect("New York times of 2025 exist")
        };
        Ok(Deadline {
            due_at: zoned(CLOSE),
            warn_at: zoned(counted_time),
            explanation: vec![format!("due at 4:30 PM ET on {due_day}")],
        })
    }
}
