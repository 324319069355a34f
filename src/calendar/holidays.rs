//! The legal public holidays of 5 U.S.C. 6103 and the days on which federal offices observe them.
//!
//! The statute fixes eleven holidays for every federal employee (6103(a)) and adds Inauguration
//! Day for employees in the Washington, DC area (6103(c)). FDA White Oak is in Montgomery
//! County, Maryland, which is inside that area, so both lists close the office.
//!
//! The rules are those in force since the Monday holiday law took effect in 1971:
//!
//! - Washington's Birthday, Memorial Day and Columbus Day fall on Mondays;
//! - Veterans Day fell on the fourth Monday in October from 1971 to 1977 and has been
//!   November 11 since 1978;
//! - the Birthday of Martin Luther King, Jr. is a holiday from 1986;
//! - Juneteenth National Independence Day is a holiday from 2021.
//!
//! A holiday that falls on a Saturday is observed on the Friday before (5 U.S.C. 6103(b)), and
//! one that falls on a Sunday on the Monday after (Executive Order 11582, section 3(a)). Because
//! of the Saturday rule, New Year's Day of one year can be observed on December 31 of the year
//! before, as on Friday, December 31, 2021. Inauguration Day has its own rule in 6103(c): a
//! Sunday moves it to Monday, and a Saturday gives no holiday at all.
//!
//! NOTE: dates before 1971 follow the same rules, which is not how those years were observed.
//! The calendar accepts input from 1990 on, so those years are never reached through it.

use std::borrow::Cow;

use jiff::civil::{Date, Weekday};
use serde::{Deserialize, Serialize};

use super::{check_year, Error};

/// A legal public holiday of 5 U.S.C. 6103, named as the statute names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Holiday {
    /// New Year's Day, January 1.
    NewYearsDay,
    /// Birthday of Martin Luther King, Jr., the third Monday in January, from 1986.
    BirthdayOfMartinLutherKingJr,
    /// Washington's Birthday, the third Monday in February.
    WashingtonsBirthday,
    /// Memorial Day, the last Monday in May.
    MemorialDay,
    /// Juneteenth National Independence Day, June 19, from 2021.
    JuneteenthNationalIndependenceDay,
    /// Independence Day, July 4.
    IndependenceDay,
    /// Labor Day, the first Monday in September.
    LaborDay,
    /// Columbus Day, the second Monday in October.
    ColumbusDay,
    /// Veterans Day, November 11 (the fourth Monday in October from 1971 to 1977).
    VeteransDay,
    /// Thanksgiving Day, the fourth Thursday in November.
    ThanksgivingDay,
    /// Christmas Day, December 25.
    ChristmasDay,
    /// Inauguration Day, January 20 of every fourth year from 1965, for the Washington, DC area.
    InaugurationDay,
}

impl Holiday {
    /// All holidays. Holidays observed on the same date are listed in this order.
    pub const ALL: [Holiday; 12] = [
        Holiday::NewYearsDay,
        Holiday::BirthdayOfMartinLutherKingJr,
        Holiday::InaugurationDay,
        Holiday::WashingtonsBirthday,
        Holiday::MemorialDay,
        Holiday::JuneteenthNationalIndependenceDay,
        Holiday::IndependenceDay,
        Holiday::LaborDay,
        Holiday::ColumbusDay,
        Holiday::VeteransDay,
        Holiday::ThanksgivingDay,
        Holiday::ChristmasDay,
    ];

    /// Returns the name used in 5 U.S.C. 6103.
    pub fn name(self) -> &'static str {
        match self {
            Holiday::NewYearsDay => "New Year's Day",
            Holiday::BirthdayOfMartinLutherKingJr => "Birthday of Martin Luther King, Jr.",
            Holiday::WashingtonsBirthday => "Washington's Birthday",
            Holiday::MemorialDay => "Memorial Day",
            Holiday::JuneteenthNationalIndependenceDay => "Juneteenth National Independence Day",
            Holiday::IndependenceDay => "Independence Day",
            Holiday::LaborDay => "Labor Day",
            Holiday::ColumbusDay => "Columbus Day",
            Holiday::VeteransDay => "Veterans Day",
            Holiday::ThanksgivingDay => "Thanksgiving Day",
            Holiday::ChristmasDay => "Christmas Day",
            Holiday::InaugurationDay => "Inauguration Day",
        }
    }

    /// Returns the provision of the statute that makes the day a holiday.
    pub fn authority(self) -> &'static str {
        match self {
            Holiday::InaugurationDay => "5 U.S.C. 6103(c)",
            _ => "5 U.S.C. 6103(a)",
        }
    }

    /// Returns the date of the holiday in `year` before any weekend observance rule, or `None`
    /// when it is not a holiday that year.
    pub fn actual_date(self, year: i16) -> Option<Date> {
        let nth_weekday = |month: i8, nth: i8, weekday: Weekday| {
            Date::new(year, month, 1)
                .and_then(|first| first.nth_weekday_of_month(nth, weekday))
                .ok()
        };
        let fixed = |month: i8, day: i8| Date::new(year, month, day).ok();

        match self {
            Holiday::NewYearsDay => fixed(1, 1),
            Holiday::BirthdayOfMartinLutherKingJr if year >= 1986 => {
                nth_weekday(1, 3, Weekday::Monday)
            }
            Holiday::BirthdayOfMartinLutherKingJr => None,
            Holiday::WashingtonsBirthday => nth_weekday(2, 3, Weekday::Monday),
            Holiday::MemorialDay => nth_weekday(5, -1, Weekday::Monday),
            Holiday::JuneteenthNationalIndependenceDay if year >= 2021 => fixed(6, 19),
            Holiday::JuneteenthNationalIndependenceDay => None,
            Holiday::IndependenceDay => fixed(7, 4),
            Holiday::LaborDay => nth_weekday(9, 1, Weekday::Monday),
            Holiday::ColumbusDay => nth_weekday(10, 2, Weekday::Monday),
            Holiday::VeteransDay if (1971..=1977).contains(&year) => {
                nth_weekday(10, 4, Weekday::Monday)
            }
            Holiday::VeteransDay => fixed(11, 11),
            Holiday::ThanksgivingDay => nth_weekday(11, 4, Weekday::Thursday),
            Holiday::ChristmasDay => fixed(12, 25),
            Holiday::InaugurationDay if year >= 1965 && (year - 1965) % 4 == 0 => fixed(1, 20),
            Holiday::InaugurationDay => None,
        }
    }

    /// Returns the day on which offices close for the holiday of rule year `year`, or `None`
    /// when there is no such day.
    ///
    /// The observed date can fall in the previous year: New Year's Day on a Saturday is
    /// observed on December 31.
    pub fn observed_date(self, year: i16) -> Option<Date> {
        let actual = self.actual_date(year)?;
        match (self, actual.weekday()) {
            // 5 U.S.C. 6103(c) moves a Sunday inauguration to Monday and gives no other day.
            (Holiday::InaugurationDay, Weekday::Saturday) => None,
            (_, Weekday::Saturday) => actual.yesterday().ok(),
            (_, Weekday::Sunday) => actual.tomorrow().ok(),
            _ => Some(actual),
        }
    }
}

/// A holiday on the day offices observe it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservedHoliday {
    /// The holiday.
    pub holiday: Holiday,
    /// The statutory name of the holiday.
    pub name: Cow<'static, str>,
    /// The provision of 5 U.S.C. 6103 that establishes it.
    pub authority: Cow<'static, str>,
    /// The day offices are closed.
    pub date: Date,
    /// The date of the holiday itself, which differs from `date` when it falls on a weekend.
    pub actual_date: Date,
}

impl ObservedHoliday {
    /// Returns the holiday of rule year `year` on its observed date, or `None` when offices do
    /// not close for it that year.
    pub fn of_rule_year(holiday: Holiday, year: i16) -> Option<ObservedHoliday> {
        Some(ObservedHoliday {
            holiday,
            name: Cow::Borrowed(holiday.name()),
            authority: Cow::Borrowed(holiday.authority()),
            date: holiday.observed_date(year)?,
            actual_date: holiday.actual_date(year)?,
        })
    }

    /// Returns whether the observed date differs from the holiday's own date.
    pub fn is_in_lieu(&self) -> bool {
        self.date != self.actual_date
    }
}

/// Returns the holidays whose observed date falls in `year`, in date order.
///
/// The list includes New Year's Day of the next year when it is observed on December 31, and
/// leaves out New Year's Day of `year` in that case. Holidays sharing a day, such as Inauguration
/// Day and the Birthday of Martin Luther King, Jr. in 2025, are listed one after the other.
///
/// # Errors
///
/// Returns [`Error::YearOutOfRange`] for a year outside the supported range.
pub fn observed_holidays(year: i64) -> Result<Vec<ObservedHoliday>, Error> {
    let year = check_year(year)?;
    Ok(observed_in_year(year))
}

/// Returns the holidays observed in `year` without checking the supported range.
pub(super) fn observed_in_year(year: i16) -> Vec<ObservedHoliday> {
    let mut observed: Vec<ObservedHoliday> = [year, year.saturating_add(1)]
        .into_iter()
        .flat_map(|rule_year| {
            Holiday::ALL
                .into_iter()
                .filter_map(move |holiday| ObservedHoliday::of_rule_year(holiday, rule_year))
        })
        .filter(|observed| observed.date.year() == year)
        .collect();
    observed.sort_by_key(|observed| observed.date);
    observed
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn observed_on(year: i16, holiday: Holiday) -> Option<Date> {
        holiday.observed_date(year)
    }

    #[test]
    fn monday_holidays_follow_the_1971_rules() {
        assert_eq!(
            observed_on(2024, Holiday::WashingtonsBirthday),
            Some(date(2024, 2, 19))
        );
        assert_eq!(
            observed_on(2021, Holiday::MemorialDay),
            Some(date(2021, 5, 31))
        );
        assert_eq!(
            observed_on(2025, Holiday::ColumbusDay),
            Some(date(2025, 10, 13))
        );
        assert_eq!(observed_on(2026, Holiday::LaborDay), Some(date(2026, 9, 7)));
        assert_eq!(
            observed_on(2026, Holiday::ThanksgivingDay),
            Some(date(2026, 11, 26))
        );
    }

    #[test]
    fn veterans_day_october_1971_to_1977() {
        assert_eq!(
            observed_on(1971, Holiday::VeteransDay),
            Some(date(1971, 10, 25))
        );
        assert_eq!(
            observed_on(1977, Holiday::VeteransDay),
            Some(date(1977, 10, 24))
        );
        assert_eq!(
            observed_on(1978, Holiday::VeteransDay),
            Some(date(1978, 11, 10))
        );
    }

    #[test]
    fn late_holidays_start_in_their_first_year() {
        assert_eq!(
            observed_on(1985, Holiday::BirthdayOfMartinLutherKingJr),
            None
        );
        assert_eq!(
            observed_on(1986, Holiday::BirthdayOfMartinLutherKingJr),
            Some(date(1986, 1, 20))
        );
        assert_eq!(
            observed_on(2020, Holiday::JuneteenthNationalIndependenceDay),
            None
        );
        assert_eq!(
            observed_on(2021, Holiday::JuneteenthNationalIndependenceDay),
            Some(date(2021, 6, 18)),
            "June 19, 2021 was a Saturday"
        );
    }

    #[test]
    fn saturday_new_years_day_moves_to_previous_year() {
        let list_2027: Vec<Date> = observed_in_year(2027).iter().map(|h| h.date).collect();
        assert!(
            list_2027.contains(&date(2027, 12, 31)),
            "2027 list: {list_2027:?}"
        );

        let list_2028 = observed_in_year(2028);
        assert!(
            list_2028.iter().all(|h| h.holiday != Holiday::NewYearsDay),
            "2028 list: {list_2028:?}"
        );
    }

    #[test]
    fn inauguration_day_follows_6103c() {
        assert_eq!(
            observed_on(2025, Holiday::InaugurationDay),
            Some(date(2025, 1, 20))
        );
        assert_eq!(
            observed_on(2029, Holiday::InaugurationDay),
            None,
            "Saturday"
        );
        assert_eq!(
            observed_on(2033, Holiday::InaugurationDay),
            Some(date(2033, 1, 20))
        );
        assert_eq!(
            observed_on(2013, Holiday::InaugurationDay),
            Some(date(2013, 1, 21))
        );
        assert_eq!(
            observed_on(2041, Holiday::InaugurationDay),
            Some(date(2041, 1, 21))
        );
        assert_eq!(
            observed_on(2026, Holiday::InaugurationDay),
            None,
            "not an inauguration year"
        );
        assert_eq!(
            observed_on(1961, Holiday::InaugurationDay),
            None,
            "before 1965"
        );
    }

    #[test]
    fn every_supported_year_has_its_holidays() {
        for year in super::super::FIRST_YEAR..=super::super::LAST_YEAR {
            let list = observed_in_year(year);
            let juneteenth = i32::from(year >= 2021);
            let inauguration = i32::from(Holiday::InaugurationDay.observed_date(year).is_some());
            // New Year's Day moves out of a year when January 1 is a Saturday, and into the
            // year before. Both ends are counted.
            let new_year_out = i32::from(date(year, 1, 1).weekday() == Weekday::Saturday);
            let new_year_in = i32::from(
                Date::new(year + 1, 1, 1).is_ok_and(|d| d.weekday() == Weekday::Saturday),
            );
            let expected = 10 + juneteenth + inauguration - new_year_out + new_year_in;
            assert_eq!(list.len() as i32, expected, "year {year}: {list:?}");
            assert!(
                list.iter()
                    .all(|h| !matches!(h.date.weekday(), Weekday::Saturday | Weekday::Sunday)),
                "year {year} has a weekend observance: {list:?}"
            );
        }
    }

    #[test]
    fn year_outside_range_is_rejected() {
        let err = observed_holidays(1989).unwrap_err();
        assert_eq!(
            err.to_string(),
            "year 1989 is out of range: expected a year from 1990 to 2100"
        );
        assert!(observed_holidays(2101).is_err());
        assert!(observed_holidays(2100).is_ok());
    }
}
