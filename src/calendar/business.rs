//! The business calendar value: which days and hours are open, and arithmetic on business time.

use std::collections::HashMap;

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::{TimeZone, TimeZoneDatabase};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::closures::{shipped_closures, Closure};
use super::holidays::{observed_in_year, ObservedHoliday};
use super::{
    check_year, Error, CLOSING_TIME, FIRST_YEAR, LAST_YEAR, MAX_CLOSED_RUN_DAYS, OPENING_TIME,
    TIME_ZONE_NAME,
};

/// A stretch of business hours within one day, from `opens` (inclusive) to `closes`
/// (exclusive).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenPeriod {
    /// The time the office opens.
    pub opens: Time,
    /// The time the office closes.
    pub closes: Time,
}

impl OpenPeriod {
    fn length(self) -> SignedDuration {
        self.opens.duration_until(self.closes)
    }
}

/// The hours of an ordinary business day.
const FULL_DAY: [OpenPeriod; 1] = [OpenPeriod {
    opens: OPENING_TIME,
    closes: CLOSING_TIME,
}];

/// A cause of a closed or shortened business day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ClosureCause {
    /// Saturday or Sunday.
    Weekend,
    /// A legal public holiday observed on the date.
    Holiday(ObservedHoliday),
    /// A closure by executive order, OPM announcement or user entry, for the whole day or a
    /// window of it.
    Closure(Closure),
}

impl ClosureCause {
    /// Returns a short description, such as "Christmas Day (5 U.S.C. 6103(a))".
    pub fn describe(&self) -> String {
        match self {
            ClosureCause::Weekend => "weekend".to_owned(),
            ClosureCause::Holiday(holiday) if holiday.is_in_lieu() => format!(
                "{} ({}), observed in lieu of {}",
                holiday.name, holiday.authority, holiday.actual_date
            ),
            ClosureCause::Holiday(holiday) => format!("{} ({})", holiday.name, holiday.authority),
            ClosureCause::Closure(closure) if closure.is_all_day() => {
                format!("closure: {} ({})", closure.reason, closure.source)
            }
            ClosureCause::Closure(closure) => format!(
                "partial closure {}: {} ({})",
                closure.window_text(),
                closure.reason,
                closure.source
            ),
        }
    }
}

/// A date that is not an ordinary business day, with the causes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayClosure {
    /// The date.
    pub date: Date,
    /// Whether the office has no business hours at all on the date.
    pub all_day: bool,
    /// The business hours left on the date, empty when `all_day` is set.
    pub open: Vec<OpenPeriod>,
    /// The causes of the closure or of the shortened hours.
    pub causes: Vec<ClosureCause>,
}

/// A weekday with holidays or closures.
#[derive(Clone, Debug)]
struct SpecialDay {
    holidays: Vec<ObservedHoliday>,
    closures: Vec<Closure>,
    open: Vec<OpenPeriod>,
}

/// The federal business calendar of FDA White Oak: business hours, holidays and closures.
///
/// Construct it once from the shipped closures plus the user's, and share it. Queries on dates
/// in the supported years read tables built at construction.
#[derive(Clone, Debug)]
pub struct BusinessCalendar {
    time_zone: TimeZone,
    closures: Vec<Closure>,
    special_days: HashMap<Date, SpecialDay>,
}

impl BusinessCalendar {
    /// Builds a calendar from the holiday rules and the given closures only.
    ///
    /// Most callers want [`BusinessCalendar::with_shipped_closures`], which adds the known
    /// executive-order closures.
    ///
    /// # Errors
    ///
    /// Returns an error when a closure is invalid or the bundled time zone database lacks
    /// `America/New_York`.
    pub fn new(closures: Vec<Closure>) -> Result<BusinessCalendar, Error> {
        let time_zone = TimeZoneDatabase::bundled()
            .get(TIME_ZONE_NAME)
            .map_err(|source| Error::TimeZone {
                name: TIME_ZONE_NAME.to_owned(),
                source,
            })?;
        for closure in &closures {
            closure.validate()?;
        }

        let mut special_days: HashMap<Date, SpecialDay> = HashMap::new();
        // One year on each side of the supported range, so that searches starting at its ends
        // still see the holidays they cross.
        for year in (FIRST_YEAR - 1)..=(LAST_YEAR + 1) {
            for holiday in observed_in_year(year) {
                special_day(&mut special_days, holiday.date)
                    .holidays
                    .push(holiday);
            }
        }
        for closure in &closures {
            special_day(&mut special_days, closure.date)
                .closures
                .push(closure.clone());
        }
        for (date, day) in &mut special_days {
            day.open = open_periods_after(&day.holidays, &day.closures, *date);
        }

        let mut closures = closures;
        closures.sort_by_key(|closure| (closure.date, closure.start));
        Ok(BusinessCalendar {
            time_zone,
            closures,
            special_days,
        })
    }

    /// Builds a calendar from the holiday rules, the closures shipped with Regmail and
    /// `user_closures`.
    ///
    /// # Errors
    ///
    /// As for [`BusinessCalendar::new`], and when the shipped table does not parse.
    pub fn with_shipped_closures(user_closures: Vec<Closure>) -> Result<BusinessCalendar, Error> {
        let mut closures = shipped_closures()?;
        closures.extend(user_closures);
        BusinessCalendar::new(closures)
    }

    /// Returns the time zone of the calendar, `America/New_York` from the bundled database.
    pub fn time_zone(&self) -> &TimeZone {
        &self.time_zone
    }

    /// Returns all closures of the calendar, shipped and user, ordered by date.
    pub fn closures(&self) -> &[Closure] {
        &self.closures
    }

    /// Returns the business hours of `date`: empty on weekends, holidays and full-day closures,
    /// shortened by partial closures, otherwise 8:00 to 16:30.
    pub fn open_periods(&self, date: Date) -> &[OpenPeriod] {
        if is_weekend(date) {
            return &[];
        }
        match self.special_days.get(&date) {
            Some(day) => &day.open,
            None if in_holiday_table(date) => &FULL_DAY,
            // Outside the precomputed years the holidays are computed on each call, and a
            // holiday closes the whole day.
            None if observed_in_year(date.year()).iter().any(|h| h.date == date) => &[],
            None => &FULL_DAY,
        }
    }

    /// Returns whether `date` has any business hours.
    pub fn is_business_day(&self, date: Date) -> bool {
        !self.open_periods(date).is_empty()
    }

    /// Returns whether `instant` falls within business hours (8:00 inclusive to 16:30
    /// exclusive, Eastern Time, on a business day, outside partial closures).
    pub fn is_business_hours(&self, instant: Timestamp) -> bool {
        let local = self.to_local(instant);
        self.open_periods(local.date())
            .iter()
            .any(|period| period.opens <= local.time() && local.time() < period.closes)
    }

    /// Returns why `date` is not an ordinary business day, or `None` when it is one.
    pub fn day_closure(&self, date: Date) -> Option<DayClosure> {
        let mut causes = Vec::new();
        if is_weekend(date) {
            causes.push(ClosureCause::Weekend);
        }
        if let Some(day) = self.special_days.get(&date) {
            causes.extend(day.holidays.iter().cloned().map(ClosureCause::Holiday));
            causes.extend(day.closures.iter().cloned().map(ClosureCause::Closure));
        } else if !in_holiday_table(date) {
            causes.extend(
                observed_in_year(date.year())
                    .into_iter()
                    .filter(|holiday| holiday.date == date)
                    .map(ClosureCause::Holiday),
            );
        }
        if causes.is_empty() {
            return None;
        }
        let open = self.open_periods(date).to_vec();
        Some(DayClosure {
            date,
            all_day: open.is_empty(),
            open,
            causes,
        })
    }

    /// Returns the observed holidays and the closures of `year` (weekends left out), in date
    /// order.
    ///
    /// # Errors
    ///
    /// Returns [`Error::YearOutOfRange`] for a year outside the supported range.
    pub fn closed_days(&self, year: i64) -> Result<Vec<DayClosure>, Error> {
        let year = check_year(year)?;
        let mut dates: Vec<Date> = self
            .special_days
            .keys()
            .copied()
            .filter(|date| date.year() == year)
            .collect();
        dates.sort();
        Ok(dates
            .into_iter()
            .filter_map(|date| self.day_closure(date))
            .map(|mut day| {
                day.causes.retain(|cause| *cause != ClosureCause::Weekend);
                day
            })
            .collect())
    }

    /// Returns the first business day after `date`.
    ///
    /// # Errors
    ///
    /// Returns [`Error::NoBusinessDay`] when closures leave no business day within
    /// [`MAX_CLOSED_RUN_DAYS`](super::MAX_CLOSED_RUN_DAYS) days.
    pub fn next_business_day(&self, date: Date) -> Result<Date, Error> {
        let mut day = date;
        for _ in 0..MAX_CLOSED_RUN_DAYS {
            day = day.tomorrow().map_err(|_| Error::NoBusinessDay { date })?;
            if self.is_business_day(day) {
                return Ok(day);
            }
        }
        Err(Error::NoBusinessDay { date })
    }

    /// Returns the business day that comes `days` business days after `date`. With `days == 0`
    /// it returns the first business day on or after `date`.
    ///
    /// # Errors
    ///
    /// Returns [`Error::NoBusinessDay`] as [`BusinessCalendar::next_business_day`] does.
    pub fn add_business_days(&self, date: Date, days: u32) -> Result<Date, Error> {
        let mut day = if self.is_business_day(date) {
            date
        } else {
            self.next_business_day(date)?
        };
        for _ in 0..days {
            day = self.next_business_day(day)?;
        }
        Ok(day)
    }

    /// Returns the first instant at or after `instant` that is within business hours: the
    /// instant itself during business hours, otherwise the next opening.
    ///
    /// # Errors
    ///
    /// Returns [`Error::InstantOutOfRange`] outside the supported years and
    /// [`Error::NoBusinessDay`] when closures leave no opening within
    /// [`MAX_CLOSED_RUN_DAYS`](super::MAX_CLOSED_RUN_DAYS) days.
    pub fn next_opening(&self, instant: Timestamp) -> Result<Timestamp, Error> {
        let local = self.local_in_range(instant)?;
        let opening = self.opening_at_or_after(local)?;
        if opening == local {
            Ok(instant)
        } else {
            self.to_instant(opening)
        }
    }

    /// Returns the instant at which `duration` of business time has passed after `from`.
    ///
    /// Time outside business hours does not count. A result that lands exactly at the end of
    /// an open period is that closing time, not the next opening.
    ///
    /// # Errors
    ///
    /// Returns [`Error::NegativeDuration`] for a negative `duration`, and the errors of
    /// [`BusinessCalendar::next_opening`].
    pub fn add_business_time(
        &self,
        from: Timestamp,
        duration: SignedDuration,
    ) -> Result<Timestamp, Error> {
        if duration.is_negative() {
            return Err(Error::NegativeDuration { duration });
        }
        let local = self.local_in_range(from)?;
        let start = self.opening_at_or_after(local)?;
        let end = self.add_business_local(start, duration)?;
        if end == local {
            Ok(from)
        } else {
            self.to_instant(end)
        }
    }

    /// Returns the business time from `from` to `to`, negative when `to` is before `from`.
    ///
    /// Use it for the business time left until a due time, which turns negative once the due
    /// time has passed.
    pub fn business_time_between(&self, from: Timestamp, to: Timestamp) -> SignedDuration {
        if to < from {
            return -self.business_time_between(to, from);
        }
        let start = self.to_local(from);
        let end = self.to_local(to);
        let mut total = SignedDuration::ZERO;
        let mut date = start.date();
        while date <= end.date() {
            for period in self.open_periods(date) {
                let opens = if date == start.date() {
                    period.opens.max(start.time())
                } else {
                    period.opens
                };
                let closes = if date == end.date() {
                    period.closes.min(end.time())
                } else {
                    period.closes
                };
                if opens < closes {
                    total += opens.duration_until(closes);
                }
            }
            match date.tomorrow() {
                Ok(next) => date = next,
                Err(_) => break,
            }
        }
        total
    }

    /// Formats `instant` in Eastern Time with the zone abbreviation and offset, such as
    /// "Tue 2025-03-11 16:30 EDT (-04:00)". Seconds are shown only when not zero.
    pub fn format_eastern(&self, instant: Timestamp) -> String {
        let zoned = instant.to_zoned_datetime(self.time_zone.clone());
        let format = if zoned.second() == 0 && zoned.subsec_nanosecond() == 0 {
            "%a %Y-%m-%d %H:%M %Z (%:z)"
        } else {
            "%a %Y-%m-%d %H:%M:%S %Z (%:z)"
        };
        zoned.strftime(format).to_string()
    }

    /// Formats `instant` as RFC 3339 with its Eastern Time offset, such as
    /// "2025-03-11T16:30:00-04:00".
    pub fn format_rfc3339(&self, instant: Timestamp) -> String {
        instant
            .display_with_offset(self.time_zone.to_offset(instant))
            .to_string()
    }

    /// Converts an instant to the civil date and time in Eastern Time.
    pub(super) fn to_local(&self, instant: Timestamp) -> DateTime {
        self.time_zone.to_datetime(instant)
    }

    /// Converts an instant to Eastern Time, checking that its year is supported.
    pub(super) fn local_in_range(&self, instant: Timestamp) -> Result<DateTime, Error> {
        let local = self.to_local(instant);
        if (FIRST_YEAR..=LAST_YEAR).contains(&local.year()) {
            Ok(local)
        } else {
            Err(Error::InstantOutOfRange { datetime: local })
        }
    }

    /// Converts a civil date and time in Eastern Time to an instant.
    ///
    /// Business hours never contain a daylight saving time change, which in `America/New_York`
    /// happens at 2:00 AM on a Sunday, so the times converted here are never ambiguous.
    pub(super) fn to_instant(&self, local: DateTime) -> Result<Timestamp, Error> {
        self.time_zone
            .to_ambiguous_timestamp(local)
            .compatible()
            .map_err(|source| Error::Conversion {
                datetime: local,
                source,
            })
    }

    /// Returns `local` when it is within business hours, otherwise the next opening.
    pub(super) fn opening_at_or_after(&self, local: DateTime) -> Result<DateTime, Error> {
        let date = local.date();
        let time = local.time();
        if let Some(period) = self.open_periods(date).iter().find(|p| time < p.closes) {
            return Ok(date.to_datetime(period.opens.max(time)));
        }
        let next = self.next_business_day(date)?;
        Ok(next.to_datetime(self.open_periods(next)[0].opens))
    }

    /// Returns the close of business of `date`, the end of its last open period.
    pub(super) fn close_of_business(&self, date: Date) -> Option<DateTime> {
        self.open_periods(date)
            .last()
            .map(|period| date.to_datetime(period.closes))
    }

    /// Adds business time to a position that is within business hours.
    pub(super) fn add_business_local(
        &self,
        start: DateTime,
        duration: SignedDuration,
    ) -> Result<DateTime, Error> {
        let mut remaining = duration;
        let mut date = start.date();
        let mut time = start.time();
        loop {
            for period in self.open_periods(date) {
                if period.closes <= time {
                    continue;
                }
                let from = period.opens.max(time);
                let available = from.duration_until(period.closes);
                if remaining <= available {
                    let end = from
                        .checked_add(remaining)
                        .expect("the sum stays within the open period of this day");
                    return Ok(date.to_datetime(end));
                }
                remaining -= available;
            }
            date = self.next_business_day(date)?;
            time = Time::midnight();
        }
    }
}

fn special_day(days: &mut HashMap<Date, SpecialDay>, date: Date) -> &mut SpecialDay {
    days.entry(date).or_insert_with(|| SpecialDay {
        holidays: Vec::new(),
        closures: Vec::new(),
        open: Vec::new(),
    })
}

fn is_weekend(date: Date) -> bool {
    matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// Returns whether the holidays of `date` are in the table built at construction.
fn in_holiday_table(date: Date) -> bool {
    ((FIRST_YEAR - 1)..=(LAST_YEAR + 1)).contains(&date.year())
}

/// Returns the business hours of a weekday after its holidays and closures are taken out.
fn open_periods_after(
    holidays: &[ObservedHoliday],
    closures: &[Closure],
    date: Date,
) -> Vec<OpenPeriod> {
    if !holidays.is_empty() || is_weekend(date) {
        return Vec::new();
    }
    let mut open = FULL_DAY.to_vec();
    for closure in closures {
        let closed_from = closure.start.unwrap_or(Time::midnight());
        open = open
            .into_iter()
            .flat_map(|period| {
                let before = OpenPeriod {
                    opens: period.opens,
                    closes: closed_from.min(period.closes),
                };
                let after = closure.end.map(|end| OpenPeriod {
                    opens: end.max(period.opens),
                    closes: period.closes,
                });
                [Some(before), after].into_iter().flatten()
            })
            .filter(|period| period.opens < period.closes)
            .collect();
    }
    debug_assert!(open.iter().all(|p| p.length() > SignedDuration::ZERO));
    open
}

#[cfg(test)]
mod tests {
    use jiff::civil::{date, time};

    use super::super::ClosureOrigin;
    use super::*;

    fn calendar_with(closures: Vec<Closure>) -> BusinessCalendar {
        BusinessCalendar::new(closures).expect("calendar builds")
    }

    fn user_closure(d: Date, start: Option<Time>, end: Option<Time>) -> Closure {
        Closure::partial(d, start, end, "test closure", "test", ClosureOrigin::User)
            .expect("valid closure")
    }

    fn eastern(calendar: &BusinessCalendar, text: &str) -> Timestamp {
        let local: DateTime = text.parse().expect("civil datetime");
        calendar.to_instant(local).expect("converts")
    }

    #[test]
    fn partial_closure_splits_or_trims_the_day() {
        let d = date(2026, 2, 3);
        let calendar = calendar_with(vec![
            user_closure(d, Some(time(10, 0, 0, 0)), Some(time(12, 0, 0, 0))),
            user_closure(date(2026, 2, 4), Some(time(12, 15, 0, 0)), None),
            user_closure(date(2026, 2, 5), None, Some(time(10, 0, 0, 0))),
        ]);
        assert_eq!(
            calendar.open_periods(d),
            &[
                OpenPeriod {
                    opens: time(8, 0, 0, 0),
                    closes: time(10, 0, 0, 0)
                },
                OpenPeriod {
                    opens: time(12, 0, 0, 0),
                    closes: time(16, 30, 0, 0)
                },
            ]
        );
        assert_eq!(
            calendar.open_periods(date(2026, 2, 4)),
            &[OpenPeriod {
                opens: time(8, 0, 0, 0),
                closes: time(12, 15, 0, 0)
            }]
        );
        assert_eq!(
            calendar.open_periods(date(2026, 2, 5)),
            &[OpenPeriod {
                opens: time(10, 0, 0, 0),
                closes: time(16, 30, 0, 0)
            }]
        );
    }

    #[test]
    fn closure_covering_business_hours_closes_the_day() {
        let d = date(2026, 2, 3);
        let calendar = calendar_with(vec![user_closure(
            d,
            Some(time(7, 0, 0, 0)),
            Some(time(17, 0, 0, 0)),
        )]);
        assert!(!calendar.is_business_day(d));
        let day = calendar.day_closure(d).expect("closed day");
        assert!(day.all_day);
    }

    #[test]
    fn business_hours_are_half_open() {
        let calendar = calendar_with(Vec::new());
        let cases = [
            ("2026-02-03T07:59:59", false),
            ("2026-02-03T08:00:00", true),
            ("2026-02-03T16:29:59", true),
            ("2026-02-03T16:30:00", false),
            ("2026-02-07T10:00:00", false),
            ("2026-01-19T10:00:00", false),
        ];
        for (text, expected) in cases {
            assert_eq!(
                calendar.is_business_hours(eastern(&calendar, text)),
                expected,
                "{text}"
            );
        }
    }

    #[test]
    fn next_opening_skips_closed_time() {
        let calendar = calendar_with(Vec::new());
        let friday_evening = eastern(&calendar, "2026-01-16T17:00:00");
        let opening = calendar.next_opening(friday_evening).expect("opening");
        // Monday January 19, 2026 is the Birthday of Martin Luther King, Jr.
        assert_eq!(opening, eastern(&calendar, "2026-01-20T08:00:00"));

        let inside = eastern(&calendar, "2026-01-20T09:12:13");
        assert_eq!(calendar.next_opening(inside).expect("opening"), inside);
    }

    #[test]
    fn business_time_is_added_across_days() {
        let calendar = calendar_with(Vec::new());
        let from = eastern(&calendar, "2026-02-06T15:00:00");
        let cases = [
            (SignedDuration::from_hours(1), "2026-02-06T16:00:00"),
            (SignedDuration::from_mins(90), "2026-02-06T16:30:00"),
            (SignedDuration::from_hours(2), "2026-02-09T08:30:00"),
            (SignedDuration::from_hours(17), "2026-02-10T15:00:00"),
            (SignedDuration::ZERO, "2026-02-06T15:00:00"),
        ];
        for (duration, expected) in cases {
            let end = calendar.add_business_time(from, duration).expect("adds");
            assert_eq!(end, eastern(&calendar, expected), "{duration:?}");
        }
        assert!(matches!(
            calendar.add_business_time(from, SignedDuration::from_secs(-1)),
            Err(Error::NegativeDuration { .. })
        ));
    }

    #[test]
    fn business_time_between_is_signed() {
        let calendar = calendar_with(Vec::new());
        let friday = eastern(&calendar, "2026-02-06T15:00:00");
        let monday = eastern(&calendar, "2026-02-09T09:00:00");
        assert_eq!(
            calendar.business_time_between(friday, monday),
            SignedDuration::from_mins(150)
        );
        assert_eq!(
            calendar.business_time_between(monday, friday),
            SignedDuration::from_mins(-150)
        );
        assert_eq!(
            calendar.business_time_between(friday, friday),
            SignedDuration::ZERO
        );
    }

    #[test]
    fn add_business_days_counts_only_business_days() {
        let calendar = calendar_with(Vec::new());
        // Thursday before the Independence Day weekend of 2026 (observed Friday July 3).
        assert_eq!(
            calendar
                .add_business_days(date(2026, 7, 2), 1)
                .expect("adds"),
            date(2026, 7, 6)
        );
        assert_eq!(
            calendar
                .add_business_days(date(2026, 7, 4), 0)
                .expect("adds"),
            date(2026, 7, 6)
        );
        assert_eq!(
            calendar
                .add_business_days(date(2026, 7, 2), 0)
                .expect("adds"),
            date(2026, 7, 2)
        );
        assert_eq!(
            calendar
                .add_business_days(date(2026, 7, 2), 5)
                .expect("adds"),
            date(2026, 7, 10)
        );
    }

    #[test]
    fn holidays_outside_the_table_are_still_found() {
        let calendar = calendar_with(Vec::new());
        assert!(
            !calendar.is_business_day(date(2150, 12, 25)),
            "Christmas 2150 is a Friday"
        );
        assert!(calendar.is_business_day(date(2150, 12, 24)));
        let day = calendar.day_closure(date(2150, 12, 25)).expect("holiday");
        assert!(
            matches!(day.causes.as_slice(), [ClosureCause::Holiday(_)]),
            "{day:?}"
        );
    }

    #[test]
    fn instants_outside_the_supported_years_are_rejected() {
        let calendar = calendar_with(Vec::new());
        let old = eastern(&calendar, "1989-12-29T10:00:00");
        let err = calendar.next_opening(old).unwrap_err();
        assert_eq!(
            err.to_string(),
            "1989-12-29T10:00:00 (Eastern Time) is out of range: expected a date in the years \
             1990 to 2100"
        );
    }

    #[test]
    fn long_closure_run_is_an_error() {
        let start = date(2026, 1, 1);
        let closures = (0..400)
            .map(|offset| {
                let d = start
                    .checked_add(jiff::Span::new().days(offset))
                    .expect("date");
                user_closure(d, None, None)
            })
            .collect();
        let calendar = calendar_with(closures);
        let err = calendar.next_business_day(start).unwrap_err();
        assert!(matches!(err, Error::NoBusinessDay { .. }), "{err}");
    }
}
