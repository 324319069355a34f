//! The business calendar and "within one business day" deadlines: a table of receipts with
//! their due times under both policies, published holiday lists, properties that must hold for
//! any receipt, and the `due`, `holidays` and `closures` commands.

use std::process::{Command, Output};

use jiff::civil::{date, time, Date, Time};
use jiff::Timestamp;
use proptest::prelude::*;
use regmail::calendar::{
    observed_holidays, BusinessCalendar, Closure, ClosureOrigin, Deadline, Policy, ReceiptSource,
};

/// One receipt and its expected results. Times carry their Eastern Time offset.
struct Case {
    name: &'static str,
    /// The rule or fact that gives the result.
    reason: &'static str,
    received: &'static str,
    /// The opening the business day counts from.
    counted_from: &'static str,
    /// The due time under the "close" policy.
    close: &'static str,
    /// The due time under the "elapsed" policy.
    elapsed: &'static str,
}

#[rustfmt::skip]
const CASES: &[Case] = &[
    // Reference receipts T01 to T25: hour edges, DST weekends, holidays, closures, offsets.
    Case { name: "T01 ordinary weekday", reason: "Tuesday receipt is due at close on Wednesday",
        received: "2025-03-04T10:15:00-05:00", counted_from: "2025-03-04T10:15:00-05:00",
        close: "2025-03-05T16:30:00-05:00", elapsed: "2025-03-05T10:15:00-05:00" },
    Case { name: "T02 Friday 16:29:59", reason: "one second of Friday counts, and Monday is EDT",
        received: "2025-03-07T16:29:59-05:00", counted_from: "2025-03-07T16:29:59-05:00",
        close: "2025-03-10T16:30:00-04:00", elapsed: "2025-03-10T16:29:59-04:00" },
    Case { name: "T03 Friday 16:30 exactly", reason: "half-open window: 16:30 is after hours",
        received: "2025-03-07T16:30:00-05:00", counted_from: "2025-03-10T08:00:00-04:00",
        close: "2025-03-11T16:30:00-04:00", elapsed: "2025-03-10T16:30:00-04:00" },
    Case { name: "T04 Friday after hours", reason: "Monday is the day of receipt",
        received: "2025-03-07T17:45:00-05:00", counted_from: "2025-03-10T08:00:00-04:00",
        close: "2025-03-11T16:30:00-04:00", elapsed: "2025-03-10T16:30:00-04:00" },
    Case { name: "T05 Saturday", reason: "weekend receipt counts from Monday's opening",
        received: "2025-03-08T11:00:00-05:00", counted_from: "2025-03-10T08:00:00-04:00",
        close: "2025-03-11T16:30:00-04:00", elapsed: "2025-03-10T16:30:00-04:00" },
    Case { name: "T06 before opening", reason: "07:15 counts from 08:00 the same day",
        received: "2026-03-09T07:15:00-04:00", counted_from: "2026-03-09T08:00:00-04:00",
        close: "2026-03-10T16:30:00-04:00", elapsed: "2026-03-09T16:30:00-04:00" },
    Case { name: "T07 DST spring weekend", reason: "same wall time Monday is 71 h later in UTC",
        received: "2026-03-06T15:00:00Z", counted_from: "2026-03-06T10:00:00-05:00",
        close: "2026-03-09T20:30:00Z", elapsed: "2026-03-09T14:00:00Z" },
    Case { name: "T08 DST fall weekend", reason: "same wall time Monday is 73 h later in UTC",
        received: "2026-10-30T14:00:00Z", counted_from: "2026-10-30T10:00:00-04:00",
        close: "2026-11-02T21:30:00Z", elapsed: "2026-11-02T15:00:00Z" },
    Case { name: "T09 fold first 01:30 EDT", reason: "Sunday receipt counts from Monday",
        received: "2026-11-01T05:30:00Z", counted_from: "2026-11-02T08:00:00-05:00",
        close: "2026-11-03T16:30:00-05:00", elapsed: "2026-11-02T16:30:00-05:00" },
    Case { name: "T10 fold second 01:30 EST", reason: "both readings of the fold give Monday",
        received: "2026-11-01T06:30:00Z", counted_from: "2026-11-02T08:00:00-05:00",
        close: "2026-11-03T16:30:00-05:00", elapsed: "2026-11-02T16:30:00-05:00" },
    Case { name: "T11 day before Thanksgiving", reason: "Thanksgiving Thursday is skipped",
        received: "2026-11-25T15:00:00-05:00", counted_from: "2026-11-25T15:00:00-05:00",
        close: "2026-11-27T16:30:00-05:00", elapsed: "2026-11-27T15:00:00-05:00" },
    Case { name: "T12 July 4 on Saturday", reason: "Independence Day 2026 observed Friday July 3",
        received: "2026-07-02T11:00:00-04:00", counted_from: "2026-07-02T11:00:00-04:00",
        close: "2026-07-06T16:30:00-04:00", elapsed: "2026-07-06T11:00:00-04:00" },
    Case { name: "T13 Juneteenth on Saturday", reason: "Juneteenth 2027 is observed Friday June 18",
        received: "2027-06-17T09:00:00-04:00", counted_from: "2027-06-17T09:00:00-04:00",
        close: "2027-06-21T16:30:00-04:00", elapsed: "2027-06-21T09:00:00-04:00" },
    Case { name: "T14 Christmas Eve 2024 order", reason: "EO 14129 closes Dec 24, then Christmas",
        received: "2024-12-23T12:00:00-05:00", counted_from: "2024-12-23T12:00:00-05:00",
        close: "2024-12-26T16:30:00-05:00", elapsed: "2024-12-26T12:00:00-05:00" },
    Case { name: "T15 Christmas Eve 2024 after hours", reason: "counted from Thursday Dec 26",
        received: "2024-12-23T17:00:00-05:00", counted_from: "2024-12-26T08:00:00-05:00",
        close: "2024-12-27T16:30:00-05:00", elapsed: "2024-12-26T16:30:00-05:00" },
    Case { name: "T16 Dec 24 and 26 2025 orders", reason: "EO 14371, Christmas and a weekend",
        received: "2025-12-23T09:00:00-05:00", counted_from: "2025-12-23T09:00:00-05:00",
        close: "2025-12-29T16:30:00-05:00", elapsed: "2025-12-29T09:00:00-05:00" },
    Case { name: "T17 Carter day of mourning", reason: "EO 14133 closes January 9, 2025",
        received: "2025-01-08T10:00:00-05:00", counted_from: "2025-01-08T10:00:00-05:00",
        close: "2025-01-10T16:30:00-05:00", elapsed: "2025-01-10T10:00:00-05:00" },
    Case { name: "T18 MLK Day and Inauguration 2025", reason: "both fall on Monday January 20",
        received: "2025-01-17T12:00:00-05:00", counted_from: "2025-01-17T12:00:00-05:00",
        close: "2025-01-21T16:30:00-05:00", elapsed: "2025-01-21T12:00:00-05:00" },
    Case { name: "T19 New Year 2028 on Dec 31", reason: "Jan 1, 2028 is a Saturday",
        received: "2027-12-30T14:00:00-05:00", counted_from: "2027-12-30T14:00:00-05:00",
        close: "2028-01-03T16:30:00-05:00", elapsed: "2028-01-03T14:00:00-05:00" },
    Case { name: "T20 Inauguration 2029 Saturday", reason: "6103(c) gives no Friday or Monday",
        received: "2029-01-19T11:00:00-05:00", counted_from: "2029-01-19T11:00:00-05:00",
        close: "2029-01-22T16:30:00-05:00", elapsed: "2029-01-22T11:00:00-05:00" },
    Case { name: "T21 Inauguration 2029 after hours", reason: "Monday January 22 is open",
        received: "2029-01-19T17:00:00-05:00", counted_from: "2029-01-22T08:00:00-05:00",
        close: "2029-01-23T16:30:00-05:00", elapsed: "2029-01-22T16:30:00-05:00" },
    Case { name: "T22 Los Angeles 13:45 PST", reason: "16:45 in Eastern Time is after hours",
        received: "2026-01-09T13:45:00-08:00", counted_from: "2026-01-12T08:00:00-05:00",
        close: "2026-01-13T16:30:00-05:00", elapsed: "2026-01-12T16:30:00-05:00" },
    Case { name: "T23 Berlin 23:10 CET", reason: "17:10 in Eastern Time is after hours",
        received: "2026-02-02T23:10:00+01:00", counted_from: "2026-02-03T08:00:00-05:00",
        close: "2026-02-04T16:30:00-05:00", elapsed: "2026-02-03T16:30:00-05:00" },
    Case { name: "T24 UTC 12:30Z first EDT Monday", reason: "08:30 EDT is inside business hours",
        received: "2026-03-09T12:30:00Z", counted_from: "2026-03-09T08:30:00-04:00",
        close: "2026-03-10T16:30:00-04:00", elapsed: "2026-03-10T08:30:00-04:00" },
    Case { name: "T25 Tokyo Tuesday 06:00 JST", reason: "it is still Monday 16:00 in Eastern Time",
        received: "2026-02-03T06:00:00+09:00", counted_from: "2026-02-02T16:00:00-05:00",
        close: "2026-02-03T16:30:00-05:00", elapsed: "2026-02-03T16:00:00-05:00" },

    // Each legal public holiday, received the business day before it.
    Case { name: "New Year's Day 2026", reason: "Thursday January 1 is closed",
        received: "2025-12-31T10:00:00-05:00", counted_from: "2025-12-31T10:00:00-05:00",
        close: "2026-01-02T16:30:00-05:00", elapsed: "2026-01-02T10:00:00-05:00" },
    Case { name: "MLK Day 2026", reason: "third Monday in January is January 19",
        received: "2026-01-16T10:00:00-05:00", counted_from: "2026-01-16T10:00:00-05:00",
        close: "2026-01-20T16:30:00-05:00", elapsed: "2026-01-20T10:00:00-05:00" },
    Case { name: "Washington's Birthday 2026", reason: "third Monday in February is February 16",
        received: "2026-02-13T10:00:00-05:00", counted_from: "2026-02-13T10:00:00-05:00",
        close: "2026-02-17T16:30:00-05:00", elapsed: "2026-02-17T10:00:00-05:00" },
    Case { name: "Memorial Day 2026", reason: "last Monday in May is May 25",
        received: "2026-05-22T10:00:00-04:00", counted_from: "2026-05-22T10:00:00-04:00",
        close: "2026-05-26T16:30:00-04:00", elapsed: "2026-05-26T10:00:00-04:00" },
    Case { name: "Juneteenth 2026", reason: "Friday June 19 is closed",
        received: "2026-06-18T10:00:00-04:00", counted_from: "2026-06-18T10:00:00-04:00",
        close: "2026-06-22T16:30:00-04:00", elapsed: "2026-06-22T10:00:00-04:00" },
    Case { name: "Independence Day 2025", reason: "Friday July 4 is closed",
        received: "2025-07-03T10:00:00-04:00", counted_from: "2025-07-03T10:00:00-04:00",
        close: "2025-07-07T16:30:00-04:00", elapsed: "2025-07-07T10:00:00-04:00" },
    Case { name: "Labor Day 2026", reason: "first Monday in September is September 7",
        received: "2026-09-04T10:00:00-04:00", counted_from: "2026-09-04T10:00:00-04:00",
        close: "2026-09-08T16:30:00-04:00", elapsed: "2026-09-08T10:00:00-04:00" },
    Case { name: "Columbus Day 2026", reason: "second Monday in October is October 12",
        received: "2026-10-09T10:00:00-04:00", counted_from: "2026-10-09T10:00:00-04:00",
        close: "2026-10-13T16:30:00-04:00", elapsed: "2026-10-13T10:00:00-04:00" },
    Case { name: "Veterans Day 2026", reason: "Wednesday November 11 is closed",
        received: "2026-11-10T10:00:00-05:00", counted_from: "2026-11-10T10:00:00-05:00",
        close: "2026-11-12T16:30:00-05:00", elapsed: "2026-11-12T10:00:00-05:00" },
    Case { name: "received on Thanksgiving 2026", reason: "counts from Friday's opening",
        received: "2026-11-26T10:00:00-05:00", counted_from: "2026-11-27T08:00:00-05:00",
        close: "2026-11-30T16:30:00-05:00", elapsed: "2026-11-27T16:30:00-05:00" },
    Case { name: "day before Thanksgiving after hours", reason: "counts from Friday's opening",
        received: "2026-11-25T17:00:00-05:00", counted_from: "2026-11-27T08:00:00-05:00",
        close: "2026-11-30T16:30:00-05:00", elapsed: "2026-11-27T16:30:00-05:00" },
    Case { name: "Christmas Day 2026", reason: "Friday December 25 is closed (no order known)",
        received: "2026-12-24T10:00:00-05:00", counted_from: "2026-12-24T10:00:00-05:00",
        close: "2026-12-28T16:30:00-05:00", elapsed: "2026-12-28T10:00:00-05:00" },

    // Weekend observance: Saturday to Friday (6103(b)), Sunday to Monday (EO 11582).
    Case { name: "July 4 2027 on Sunday", reason: "observed Monday July 5",
        received: "2027-07-02T10:00:00-04:00", counted_from: "2027-07-02T10:00:00-04:00",
        close: "2027-07-06T16:30:00-04:00", elapsed: "2027-07-06T10:00:00-04:00" },
    Case { name: "Veterans Day 2028 on Saturday", reason: "observed Friday November 10",
        received: "2028-11-09T10:00:00-05:00", counted_from: "2028-11-09T10:00:00-05:00",
        close: "2028-11-13T16:30:00-05:00", elapsed: "2028-11-13T10:00:00-05:00" },
    Case { name: "Veterans Day 2029 on Sunday", reason: "observed Monday November 12",
        received: "2029-11-09T10:00:00-05:00", counted_from: "2029-11-09T10:00:00-05:00",
        close: "2029-11-13T16:30:00-05:00", elapsed: "2029-11-13T10:00:00-05:00" },
    Case { name: "Christmas 2027 on Saturday", reason: "observed Friday December 24",
        received: "2027-12-23T10:00:00-05:00", counted_from: "2027-12-23T10:00:00-05:00",
        close: "2027-12-27T16:30:00-05:00", elapsed: "2027-12-27T10:00:00-05:00" },
    Case { name: "Christmas 2022 on Sunday", reason: "observed Monday December 26",
        received: "2022-12-23T10:00:00-05:00", counted_from: "2022-12-23T10:00:00-05:00",
        close: "2022-12-27T16:30:00-05:00", elapsed: "2022-12-27T10:00:00-05:00" },
    Case { name: "New Year 2023 on Sunday", reason: "observed Monday January 2",
        received: "2022-12-30T10:00:00-05:00", counted_from: "2022-12-30T10:00:00-05:00",
        close: "2023-01-03T16:30:00-05:00", elapsed: "2023-01-03T10:00:00-05:00" },
    Case { name: "New Year 2022 on Saturday", reason: "observed Friday December 31, 2021",
        received: "2021-12-30T10:00:00-05:00", counted_from: "2021-12-30T10:00:00-05:00",
        close: "2022-01-03T16:30:00-05:00", elapsed: "2022-01-03T10:00:00-05:00" },
    Case { name: "Juneteenth 2022 on Sunday", reason: "observed Monday June 20",
        received: "2022-06-17T10:00:00-04:00", counted_from: "2022-06-17T10:00:00-04:00",
        close: "2022-06-21T16:30:00-04:00", elapsed: "2022-06-21T10:00:00-04:00" },
    Case { name: "Juneteenth 2021 first year", reason: "June 19, 2021 Saturday, observed June 18",
        received: "2021-06-17T10:00:00-04:00", counted_from: "2021-06-17T10:00:00-04:00",
        close: "2021-06-21T16:30:00-04:00", elapsed: "2021-06-21T10:00:00-04:00" },
    Case { name: "June 19 2020 before Juneteenth", reason: "not yet a holiday, so Friday is open",
        received: "2020-06-18T10:00:00-04:00", counted_from: "2020-06-18T10:00:00-04:00",
        close: "2020-06-19T16:30:00-04:00", elapsed: "2020-06-19T10:00:00-04:00" },
    Case { name: "July 4 2020 on Saturday", reason: "observed Friday July 3",
        received: "2020-07-02T10:00:00-04:00", counted_from: "2020-07-02T10:00:00-04:00",
        close: "2020-07-06T16:30:00-04:00", elapsed: "2020-07-06T10:00:00-04:00" },

    // Inauguration Day (5 U.S.C. 6103(c)), observed at White Oak in Montgomery County.
    Case { name: "Inauguration 2021 Wednesday", reason: "January 20, 2021 is closed",
        received: "2021-01-19T10:00:00-05:00", counted_from: "2021-01-19T10:00:00-05:00",
        close: "2021-01-21T16:30:00-05:00", elapsed: "2021-01-21T10:00:00-05:00" },
    Case { name: "Inauguration 2033 Thursday", reason: "January 20, 2033 is closed",
        received: "2033-01-19T10:00:00-05:00", counted_from: "2033-01-19T10:00:00-05:00",
        close: "2033-01-21T16:30:00-05:00", elapsed: "2033-01-21T10:00:00-05:00" },
    Case { name: "Inauguration 2037 after MLK Day", reason: "Monday 19 and Tuesday 20 are closed",
        received: "2037-01-16T10:00:00-05:00", counted_from: "2037-01-16T10:00:00-05:00",
        close: "2037-01-21T16:30:00-05:00", elapsed: "2037-01-21T10:00:00-05:00" },
    Case { name: "Inauguration 2041 on Sunday", reason: "moves to Monday 21, which is MLK Day",
        received: "2041-01-18T10:00:00-05:00", counted_from: "2041-01-18T10:00:00-05:00",
        close: "2041-01-22T16:30:00-05:00", elapsed: "2041-01-22T10:00:00-05:00" },
    Case { name: "Inauguration 1993 Wednesday", reason: "old mail: January 20, 1993 is closed",
        received: "1993-01-19T10:00:00-05:00", counted_from: "1993-01-19T10:00:00-05:00",
        close: "1993-01-21T16:30:00-05:00", elapsed: "1993-01-21T10:00:00-05:00" },

    // Daylight saving time changes on the weekend between receipt and due time.
    Case { name: "DST spring 2025 weekend", reason: "Friday EST to Monday EDT",
        received: "2025-03-07T10:00:00-05:00", counted_from: "2025-03-07T10:00:00-05:00",
        close: "2025-03-10T16:30:00-04:00", elapsed: "2025-03-10T10:00:00-04:00" },
    Case { name: "DST fall 2025 weekend", reason: "Friday EDT to Monday EST",
        received: "2025-10-31T10:00:00-04:00", counted_from: "2025-10-31T10:00:00-04:00",
        close: "2025-11-03T16:30:00-05:00", elapsed: "2025-11-03T10:00:00-05:00" },
    Case { name: "DST gap Sunday 2026", reason: "03:30 EDT just after the skipped hour",
        received: "2026-03-08T07:30:00Z", counted_from: "2026-03-09T08:00:00-04:00",
        close: "2026-03-10T16:30:00-04:00", elapsed: "2026-03-09T16:30:00-04:00" },

    // The edges of business hours.
    Case { name: "exactly 08:00", reason: "opening is inside business hours",
        received: "2026-02-03T08:00:00-05:00", counted_from: "2026-02-03T08:00:00-05:00",
        close: "2026-02-04T16:30:00-05:00", elapsed: "2026-02-03T16:30:00-05:00" },
    Case { name: "one second before 08:00", reason: "counts from 08:00 the same day",
        received: "2026-02-03T07:59:59-05:00", counted_from: "2026-02-03T08:00:00-05:00",
        close: "2026-02-04T16:30:00-05:00", elapsed: "2026-02-03T16:30:00-05:00" },
    Case { name: "one second after 08:00", reason: "one second into the day",
        received: "2026-02-03T08:00:01-05:00", counted_from: "2026-02-03T08:00:01-05:00",
        close: "2026-02-04T16:30:00-05:00", elapsed: "2026-02-04T08:00:01-05:00" },
    Case { name: "exactly 16:30", reason: "closing time is after hours",
        received: "2026-02-03T16:30:00-05:00", counted_from: "2026-02-04T08:00:00-05:00",
        close: "2026-02-05T16:30:00-05:00", elapsed: "2026-02-04T16:30:00-05:00" },
    Case { name: "one second before 16:30", reason: "the last second of the day counts",
        received: "2026-02-03T16:29:59-05:00", counted_from: "2026-02-03T16:29:59-05:00",
        close: "2026-02-04T16:30:00-05:00", elapsed: "2026-02-04T16:29:59-05:00" },
    Case { name: "one second after 16:30", reason: "after hours",
        received: "2026-02-03T16:30:01-05:00", counted_from: "2026-02-04T08:00:00-05:00",
        close: "2026-02-05T16:30:00-05:00", elapsed: "2026-02-04T16:30:00-05:00" },
    Case { name: "last nanosecond before 16:30", reason: "sub-second precision is kept",
        received: "2026-02-03T16:29:59.999999999-05:00",
        counted_from: "2026-02-03T16:29:59.999999999-05:00",
        close: "2026-02-04T16:30:00-05:00", elapsed: "2026-02-04T16:29:59.999999999-05:00" },
    Case { name: "midnight", reason: "counts from 08:00 the same day",
        received: "2026-02-03T00:00:00-05:00", counted_from: "2026-02-03T08:00:00-05:00",
        close: "2026-02-04T16:30:00-05:00", elapsed: "2026-02-03T16:30:00-05:00" },
    Case { name: "last second of Sunday", reason: "counts from Monday 08:00",
        received: "2026-02-08T23:59:59-05:00", counted_from: "2026-02-09T08:00:00-05:00",
        close: "2026-02-10T16:30:00-05:00", elapsed: "2026-02-09T16:30:00-05:00" },

    // Receipt instants written with other offsets.
    Case { name: "UTC just inside hours", reason: "21:29:59Z is 16:29:59 EST",
        received: "2026-02-03T21:29:59Z", counted_from: "2026-02-03T16:29:59-05:00",
        close: "2026-02-04T16:30:00-05:00", elapsed: "2026-02-04T16:29:59-05:00" },
    Case { name: "UTC at closing", reason: "21:30Z is 16:30 EST",
        received: "2026-02-03T21:30:00Z", counted_from: "2026-02-04T08:00:00-05:00",
        close: "2026-02-05T16:30:00-05:00", elapsed: "2026-02-04T16:30:00-05:00" },
    Case { name: "India +05:30 next day", reason: "02:45 IST is 16:15 EST the day before",
        received: "2026-02-04T02:45:00+05:30", counted_from: "2026-02-03T16:15:00-05:00",
        close: "2026-02-04T16:30:00-05:00", elapsed: "2026-02-04T16:15:00-05:00" },
    Case { name: "Newfoundland -03:30", reason: "10:00 NST is 08:30 EST",
        received: "2026-02-03T10:00:00-03:30", counted_from: "2026-02-03T08:30:00-05:00",
        close: "2026-02-04T16:30:00-05:00", elapsed: "2026-02-04T08:30:00-05:00" },
    Case { name: "EST offset in summer", reason: "09:00-05:00 in July is 10:00 EDT",
        received: "2026-07-07T09:00:00-05:00", counted_from: "2026-07-07T10:00:00-04:00",
        close: "2026-07-08T16:30:00-04:00", elapsed: "2026-07-08T10:00:00-04:00" },

    // Closures by executive order, including half days from 12:15.
    Case { name: "Christmas Eve 2019 order", reason: "EO 13900 closes Dec 24, then Christmas",
        received: "2019-12-23T10:00:00-05:00", counted_from: "2019-12-23T10:00:00-05:00",
        close: "2019-12-26T16:30:00-05:00", elapsed: "2019-12-26T10:00:00-05:00" },
    Case { name: "Christmas Eve 2020 order", reason: "EO 13965 closes Thursday, Christmas Friday",
        received: "2020-12-23T10:00:00-05:00", counted_from: "2020-12-23T10:00:00-05:00",
        close: "2020-12-28T16:30:00-05:00", elapsed: "2020-12-28T10:00:00-05:00" },
    Case { name: "received on Christmas Eve 2024", reason: "the closure counts as after hours",
        received: "2024-12-24T10:00:00-05:00", counted_from: "2024-12-26T08:00:00-05:00",
        close: "2024-12-27T16:30:00-05:00", elapsed: "2024-12-26T16:30:00-05:00" },
    Case { name: "Bush day of mourning 2018", reason: "EO 13852 closes December 5, 2018",
        received: "2018-12-04T10:00:00-05:00", counted_from: "2018-12-04T10:00:00-05:00",
        close: "2018-12-06T16:30:00-05:00", elapsed: "2018-12-06T10:00:00-05:00" },
    Case { name: "half day 2015 after 12:15", reason: "EO 13713 closes the afternoon",
        received: "2015-12-24T13:00:00-05:00", counted_from: "2015-12-28T08:00:00-05:00",
        close: "2015-12-29T16:30:00-05:00", elapsed: "2015-12-28T16:30:00-05:00" },
    Case { name: "half day 2015 before 12:15", reason: "only 1 h 15 min of Dec 24 counts",
        received: "2015-12-24T11:00:00-05:00", counted_from: "2015-12-24T11:00:00-05:00",
        close: "2015-12-28T16:30:00-05:00", elapsed: "2015-12-28T15:15:00-05:00" },
    Case { name: "half day 2015 is the due day", reason: "close of business that day is 12:15",
        received: "2015-12-23T10:00:00-05:00", counted_from: "2015-12-23T10:00:00-05:00",
        close: "2015-12-24T12:15:00-05:00", elapsed: "2015-12-24T10:00:00-05:00" },
    Case { name: "half day 2015 shortens elapsed", reason: "elapsed runs past the early close",
        received: "2015-12-23T15:00:00-05:00", counted_from: "2015-12-23T15:00:00-05:00",
        close: "2015-12-24T12:15:00-05:00", elapsed: "2015-12-28T10:45:00-05:00" },

    // The ends of the supported range.
    Case { name: "New Year's Day 1990", reason: "first supported day is a holiday",
        received: "1990-01-01T10:00:00-05:00", counted_from: "1990-01-02T08:00:00-05:00",
        close: "1990-01-03T16:30:00-05:00", elapsed: "1990-01-02T16:30:00-05:00" },
    Case { name: "New Year 2101 on Dec 31, 2100", reason: "the due day is in 2101",
        received: "2100-12-30T14:00:00-05:00", counted_from: "2100-12-30T14:00:00-05:00",
        close: "2101-01-03T16:30:00-05:00", elapsed: "2101-01-03T14:00:00-05:00" },
];

/// Receipts around closures users add. Their dates differ from every date in `CASES`.
#[rustfmt::skip]
const USER_CLOSURE_CASES: &[Case] = &[
    Case { name: "snow closure on the due day", reason: "OPM closure of Wed Feb 18 pushes to Thu",
        received: "2026-02-17T10:00:00-05:00", counted_from: "2026-02-17T10:00:00-05:00",
        close: "2026-02-19T16:30:00-05:00", elapsed: "2026-02-19T10:00:00-05:00" },
    Case { name: "receipt after a 12:15 early closure", reason: "13:00 is after hours that day",
        received: "2026-02-24T13:00:00-05:00", counted_from: "2026-02-25T08:00:00-05:00",
        close: "2026-02-26T16:30:00-05:00", elapsed: "2026-02-25T16:30:00-05:00" },
    Case { name: "delayed arrival until 10:00", reason: "the due day opens at 10:00",
        received: "2026-03-03T09:00:00-05:00", counted_from: "2026-03-03T09:00:00-05:00",
        close: "2026-03-04T16:30:00-05:00", elapsed: "2026-03-04T11:00:00-05:00" },
    Case { name: "receipt in a midday closure", reason: "counts from the reopening at 12:00",
        received: "2026-03-17T11:00:00-04:00", counted_from: "2026-03-17T12:00:00-04:00",
        close: "2026-03-18T16:30:00-04:00", elapsed: "2026-03-18T12:00:00-04:00" },
];

fn user_closures() -> Vec<Closure> {
    let closure = |d: Date, start: Option<Time>, end: Option<Time>, reason: &str| {
        Closure::partial(d, start, end, reason, "OPM", ClosureOrigin::User).expect("valid closure")
    };
    vec![
        closure(date(2026, 2, 18), None, None, "snow closure"),
        closure(
            date(2026, 2, 24),
            Some(time(12, 15, 0, 0)),
            None,
            "early dismissal",
        ),
        closure(
            date(2026, 3, 4),
            None,
            Some(time(10, 0, 0, 0)),
            "delayed arrival",
        ),
        closure(
            date(2026, 3, 17),
            Some(time(10, 0, 0, 0)),
            Some(time(12, 0, 0, 0)),
            "outage",
        ),
    ]
}

fn instant(text: &str) -> Timestamp {
    text.parse()
        .unwrap_or_else(|err| panic!("test timestamp {text:?}: {err}"))
}

fn check_cases(calendar: &BusinessCalendar, cases: &[Case]) {
    for case in cases {
        let name = case.name;
        let received = instant(case.received);
        let close = calendar
            .due(received, ReceiptSource::ReceivedHeader, Policy::Close)
            .unwrap_or_else(|err| panic!("{name}: {err}"));
        let elapsed = calendar
            .due(received, ReceiptSource::ReceivedHeader, Policy::Elapsed)
            .unwrap_or_else(|err| panic!("{name}: {err}"));
        let show = |t: Timestamp| calendar.format_rfc3339(t);

        assert_eq!(
            show(close.counted_from),
            show(instant(case.counted_from)),
            "{name}: counted from ({})",
            case.reason
        );
        assert_eq!(
            show(close.due_at),
            show(instant(case.close)),
            "{name}: close ({})",
            case.reason
        );
        assert_eq!(
            show(elapsed.due_at),
            show(instant(case.elapsed)),
            "{name}: elapsed ({})",
            case.reason
        );
        assert_eq!(
            close.warn_at,
            elapsed.due_at.min(close.due_at),
            "{name}: close warn_at is the elapsed mark, capped at the due time"
        );
        assert_eq!(elapsed.warn_at, elapsed.due_at, "{name}: elapsed warn_at");
        assert_eq!(close.policy, Policy::Close, "{name}: policy stored");
        assert_eq!(elapsed.policy, Policy::Elapsed, "{name}: policy stored");
        assert_eq!(close.received_at, received, "{name}: received_at");
    }
}

fn standard_calendar() -> BusinessCalendar {
    BusinessCalendar::with_shipped_closures(Vec::new()).expect("calendar builds")
}

#[test]
fn due_table_has_enough_cases() {
    assert!(
        CASES.len() + USER_CLOSURE_CASES.len() >= 60,
        "{} cases",
        CASES.len()
    );
    let names: std::collections::HashSet<&str> = CASES.iter().map(|c| c.name).collect();
    assert_eq!(names.len(), CASES.len(), "case names are unique");
}

#[test]
fn due_table_both_policies() {
    check_cases(&standard_calendar(), CASES);
}

#[test]
fn due_table_with_user_closures() {
    let calendar =
        BusinessCalendar::with_shipped_closures(user_closures()).expect("calendar builds");
    check_cases(&calendar, USER_CLOSURE_CASES);
    // The standard table must not depend on these closures.
    check_cases(&calendar, CASES);
}

#[test]
fn deadline_lists_skipped_days() {
    let calendar = standard_calendar();
    let deadline = calendar
        .due(
            instant("2025-12-23T09:00:00-05:00"),
            ReceiptSource::ReceivedHeader,
            Policy::Close,
        )
        .expect("due");
    let skipped: Vec<(Date, Vec<String>)> = deadline
        .skipped
        .iter()
        .map(|day| {
            (
                day.date,
                day.causes.iter().map(|cause| cause.describe()).collect(),
            )
        })
        .collect();
    assert_eq!(
        skipped,
        vec![
            (
                date(2025, 12, 24),
                vec!["closure: Christmas Eve (Executive Order 14371)".to_owned()]
            ),
            (
                date(2025, 12, 25),
                vec!["Christmas Day (5 U.S.C. 6103(a))".to_owned()]
            ),
            (
                date(2025, 12, 26),
                vec!["closure: Day after Christmas (Executive Order 14371)".to_owned()]
            ),
            (date(2025, 12, 27), vec!["weekend".to_owned()]),
            (date(2025, 12, 28), vec!["weekend".to_owned()]),
        ]
    );
}

#[test]
fn deadline_round_trips_through_json() {
    let calendar = standard_calendar();
    let deadline = calendar
        .due(
            instant("2025-01-17T12:00:00-05:00"),
            ReceiptSource::DateHeader,
            Policy::Elapsed,
        )
        .expect("due");
    let json = serde_json::to_value(&deadline).expect("serializes");
    assert_eq!(json["policy"], "elapsed");
    assert_eq!(json["receipt_source"], "date_header");
    assert_eq!(
        json["due_at"], "2025-01-21T17:00:00Z",
        "stored instants are UTC"
    );
    let back: Deadline = serde_json::from_value(json).expect("deserializes");
    assert_eq!(back, deadline);
}

#[test]
fn receipt_out_of_range_is_an_error() {
    let calendar = standard_calendar();
    for text in ["1989-12-29T10:00:00-05:00", "2101-01-03T10:00:00-05:00"] {
        let result = calendar.due(instant(text), ReceiptSource::Manual, Policy::Close);
        assert!(result.is_err(), "{text}: {result:?}");
    }
}

/// Observed legal public holidays of a year as published, with the publication.
struct PublishedYear {
    year: i16,
    source: &'static str,
    dates: &'static [(i8, i8)],
}

#[rustfmt::skip]
const PUBLISHED: &[PublishedYear] = &[
    PublishedYear { year: 2020,
        source: "OPM 2020 federal holidays table, as reproduced at \
                 sandersbrokerage.com/dev/2020-federal-holidays",
        dates: &[(1, 1), (1, 20), (2, 17), (5, 25), (7, 3), (9, 7), (10, 12), (11, 11), (11, 26),
                 (12, 25)] },
    PublishedYear { year: 2021,
        source: "OPM 2021 table as reproduced by FedSmith (2020-12-29), with Juneteenth \
                 (Friday June 18, calendardate.com) and New Year's Day 2022 observed Friday \
                 December 31 (FedSmith 2022 table; Federal Times, 2021-12-28)",
        dates: &[(1, 1), (1, 18), (1, 20), (2, 15), (5, 31), (6, 18), (7, 5), (9, 6), (10, 11),
                 (11, 11), (11, 25), (12, 24), (12, 31)] },
    PublishedYear { year: 2022,
        source: "OPM 2022 table as reproduced by FedSmith (2021-12-21)",
        dates: &[(1, 17), (2, 21), (5, 30), (6, 20), (7, 4), (9, 5), (10, 10), (11, 11),
                 (11, 24), (12, 26)] },
    PublishedYear { year: 2023,
        source: "OPM 2023 table with its footnotes, as reproduced at j4neiros.us",
        dates: &[(1, 2), (1, 16), (2, 20), (5, 29), (6, 19), (7, 4), (9, 4), (10, 9), (11, 10),
                 (11, 23), (12, 25)] },
    PublishedYear { year: 2024,
        source: "The Independent, \"Full list of US 2024 federal holiday dates\"",
        dates: &[(1, 1), (1, 15), (2, 19), (5, 27), (6, 19), (7, 4), (9, 2), (10, 14), (11, 11),
                 (11, 28), (12, 25)] },
    PublishedYear { year: 2025,
        source: "U.S. District Court, W.D. Pa., official holidays 2025, with New Year's Day \
                 (Wednesday January 1) and Inauguration Day on MLK Day as OPM's 2025 list is \
                 quoted in news reports",
        dates: &[(1, 1), (1, 20), (2, 17), (5, 26), (6, 19), (7, 4), (9, 1), (10, 13), (11, 11),
                 (11, 27), (12, 25)] },
    PublishedYear { year: 2026,
        source: "U.S. Court of Appeals for the Eleventh Circuit, federal holidays 2026",
        dates: &[(1, 1), (1, 19), (2, 16), (5, 25), (6, 19), (7, 3), (9, 7), (10, 12), (11, 11),
                 (11, 26), (12, 25)] },
    PublishedYear { year: 2027,
        source: "federalholidays.net 2027 table with in-lieu footnotes (June 18, July 5, \
                 December 24); December 31 is New Year's Day 2028 under 5 U.S.C. 6103(b)",
        dates: &[(1, 1), (1, 18), (2, 15), (5, 31), (6, 18), (7, 5), (9, 6), (10, 11), (11, 11),
                 (11, 25), (12, 24), (12, 31)] },
    // Years without an official table yet are checked against an independent implementation
    // of the rules: the Python `holidays` package, version 0.109, `holidays.US(subdiv="DC")`,
    // whose DC Emancipation Day (a District holiday, not one of 5 U.S.C. 6103) is left out.
    PublishedYear { year: 2028,
        source: "python holidays 0.109, US/DC (New Year's Day observed Friday December 31, 2027)",
        dates: &[(1, 17), (2, 21), (5, 29), (6, 19), (7, 4), (9, 4), (10, 9), (11, 10), (11, 23),
                 (12, 25)] },
    PublishedYear { year: 2029,
        source: "python holidays 0.109, US/DC (Inauguration Day falls on Saturday: no holiday)",
        dates: &[(1, 1), (1, 15), (2, 19), (5, 28), (6, 19), (7, 4), (9, 3), (10, 8), (11, 12),
                 (11, 22), (12, 25)] },
    PublishedYear { year: 2030, source: "python holidays 0.109, US/DC",
        dates: &[(1, 1), (1, 21), (2, 18), (5, 27), (6, 19), (7, 4), (9, 2), (10, 14), (11, 11),
                 (11, 28), (12, 25)] },
];

#[test]
fn holidays_match_published_lists() {
    assert_eq!(PUBLISHED.len(), 11, "2020 to 2030");
    for published in PUBLISHED {
        let year = published.year;
        let mut computed: Vec<Date> = observed_holidays(year.into())
            .expect("supported year")
            .iter()
            .map(|holiday| holiday.date)
            .collect();
        computed.dedup();
        let expected: Vec<Date> = published
            .dates
            .iter()
            .map(|&(month, day)| date(year, month, day))
            .collect();
        assert_eq!(computed, expected, "{year} against {}", published.source);
    }
}

#[test]
fn executive_order_closures_by_year() {
    let calendar = standard_calendar();
    let closure_dates = |year: i64| -> Vec<Date> {
        calendar
            .closed_days(year)
            .expect("supported year")
            .iter()
            .filter(|day| {
                day.causes
                    .iter()
                    .any(|cause| matches!(cause, regmail::calendar::ClosureCause::Closure(_)))
            })
            .map(|day| day.date)
            .collect()
    };
    assert_eq!(closure_dates(2019), vec![date(2019, 12, 24)], "EO 13900");
    assert_eq!(closure_dates(2020), vec![date(2020, 12, 24)], "EO 13965");
    assert_eq!(closure_dates(2021), Vec::<Date>::new());
    assert_eq!(closure_dates(2024), vec![date(2024, 12, 24)], "EO 14129");
    assert_eq!(
        closure_dates(2025),
        vec![date(2025, 1, 9), date(2025, 12, 24), date(2025, 12, 26)],
        "EO 14133 and EO 14371"
    );
    assert_eq!(
        closure_dates(2026),
        Vec::<Date>::new(),
        "no 2026 order is known"
    );
}

/// Seconds from 1990-01-01 to 2100-12-31 in UTC, the span of supported receipts.
/// Receipt instants whose deadlines stay inside the supported years, even for a second
/// receipt up to ten days later: the last due time of 2100 is on December 31.
fn supported_seconds() -> std::ops::Range<i64> {
    instant("1990-01-01T06:00:00Z").as_second()..instant("2100-12-15T00:00:00Z").as_second()
}

/// Returns whether `t` is inside business hours, counting a closing time as inside.
fn within_hours_or_closing(calendar: &BusinessCalendar, t: Timestamp) -> bool {
    let local = calendar.time_zone().to_datetime(t);
    calendar
        .open_periods(local.date())
        .iter()
        .any(|period| period.opens <= local.time() && local.time() <= period.closes)
}

fn check_properties(
    calendar: &BusinessCalendar,
    received: Timestamp,
    later: Timestamp,
) -> Result<(), TestCaseError> {
    for policy in [Policy::Close, Policy::Elapsed] {
        let deadline = calendar
            .due(received, ReceiptSource::ReceivedHeader, policy)
            .map_err(|err| TestCaseError::fail(format!("{received}: {err}")))?;
        let later_deadline = calendar
            .due(later, ReceiptSource::ReceivedHeader, policy)
            .map_err(|err| TestCaseError::fail(format!("{later}: {err}")))?;

        prop_assert!(
            within_hours_or_closing(calendar, deadline.due_at),
            "{policy}: due {} outside business hours",
            calendar.format_eastern(deadline.due_at)
        );
        prop_assert!(deadline.due_at > received, "{policy}: due before receipt");
        prop_assert!(
            deadline.counted_from >= received,
            "{policy}: counted from before receipt"
        );
        prop_assert!(
            calendar.is_business_hours(deadline.counted_from),
            "{policy}: counted from {} outside business hours",
            calendar.format_eastern(deadline.counted_from)
        );
        prop_assert!(
            deadline.warn_at <= deadline.due_at,
            "{policy}: warning after due"
        );
        prop_assert!(
            later_deadline.due_at >= deadline.due_at,
            "{policy}: receipt {} after {} moved due from {} to {}",
            calendar.format_eastern(later),
            calendar.format_eastern(received),
            calendar.format_eastern(deadline.due_at),
            calendar.format_eastern(later_deadline.due_at)
        );
    }
    Ok(())
}

proptest! {
    #[test]
    fn due_properties_hold_for_any_receipt(
        second in supported_seconds(),
        nanosecond in 0..1_000_000_000i32,
        delay in 0i64..(10 * 86_400),
    ) {
        let calendar = standard_calendar();
        let received = Timestamp::new(second, nanosecond).expect("in range");
        let later = Timestamp::new(second + delay, nanosecond).expect("in range");
        check_properties(&calendar, received, later)?;
    }

    #[test]
    fn due_properties_hold_with_partial_closures(
        closures in proptest::collection::vec(
            (0i32..60, 0i8..48, 1i8..48, proptest::bool::ANY),
            0..25,
        ),
        offset in 0i64..(50 * 86_400),
        delay in 0i64..(5 * 86_400),
    ) {
        // Closures in January and February 2026, on half-hour boundaries, some open-ended.
        let first = date(2026, 1, 1);
        let closures: Vec<Closure> = closures
            .into_iter()
            .map(|(day, start, length, open_ended)| {
                let d = first.checked_add(jiff::Span::new().days(day)).expect("date");
                let start_time = time(start / 2, (start % 2) * 30, 0, 0);
                let end = (start + length).min(47);
                let end_time =
                    (!open_ended && end > start).then(|| time(end / 2, (end % 2) * 30, 0, 0));
                Closure::partial(d, Some(start_time), end_time, "test", "test", ClosureOrigin::User)
                    .expect("valid closure")
            })
            .collect();
        let calendar = BusinessCalendar::with_shipped_closures(closures).expect("calendar");
        let start = instant("2026-01-01T05:00:00Z").as_second();
        let received = Timestamp::from_second(start + offset).expect("in range");
        let later = Timestamp::from_second(start + offset + delay).expect("in range");
        check_properties(&calendar, received, later)?;
    }
}

fn regmail(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_regmail"))
        .args(args)
        .env_remove("REGMAIL_DB")
        .output()
        .expect("regmail runs")
}

fn stdout_json(output: &Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "exit {:?}, stderr: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

#[test]
fn cli_due_prints_json() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    let output = regmail(&[
        "due",
        "--received",
        "2025-03-07T17:45:00-05:00",
        "--now",
        "2025-03-10T12:00:00-04:00",
        "--json",
        "--db",
        db.to_str().expect("utf-8 path"),
    ]);
    let json = stdout_json(&output);
    assert_eq!(json["due_at"], "2025-03-11T16:30:00-04:00");
    assert_eq!(json["warn_at"], "2025-03-10T16:30:00-04:00");
    assert_eq!(json["policy"], "close");
    assert_eq!(json["received_at"], "2025-03-07T17:45:00-05:00");
    assert_eq!(json["counted_from"], "2025-03-10T08:00:00-04:00");
    assert_eq!(json["business_seconds_left"], 13 * 3600);
    assert_eq!(json["skipped"][0]["date"], "2025-03-08");
    assert_eq!(json["skipped"][0]["reasons"][0], "weekend");
    assert_eq!(json["skipped"].as_array().map(Vec::len), Some(2));
    assert!(json["explanation"]
        .as_array()
        .is_some_and(|lines| lines.len() >= 4));
    assert!(!db.exists(), "due must not create the database");
}

#[test]
fn cli_due_elapsed_policy() {
    let output = regmail(&[
        "due",
        "--received",
        "2025-03-07T20:00:00Z",
        "--policy",
        "elapsed",
        "--json",
        "--db",
        "/nonexistent/regmail.db",
    ]);
    let json = stdout_json(&output);
    assert_eq!(json["policy"], "elapsed");
    assert_eq!(
        json["due_at"], "2025-03-10T15:00:00-04:00",
        "Friday 15:00 EST to Monday 15:00"
    );
}

#[test]
fn cli_holidays_prints_json() {
    let output = regmail(&[
        "holidays",
        "--year",
        "2025",
        "--json",
        "--db",
        "/nonexistent/x.db",
    ]);
    let json = stdout_json(&output);
    let entries = json.as_array().expect("array");
    let on = |d: &str| {
        entries
            .iter()
            .filter(|e| e["date"] == d)
            .collect::<Vec<_>>()
    };
    assert_eq!(on("2025-01-20").len(), 2, "MLK Day and Inauguration Day");
    assert_eq!(on("2025-01-09")[0]["kind"], "closure");
    assert_eq!(on("2025-01-09")[0]["source"], "Executive Order 14133");
    assert_eq!(on("2025-12-25")[0]["name"], "Christmas Day");
    assert_eq!(on("2025-12-25")[0]["source"], "5 U.S.C. 6103(a)");
    assert_eq!(
        entries.len(),
        15,
        "11 holidays, Inauguration Day and 3 closures"
    );
}

#[test]
fn cli_closures_add_and_list() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    let db = db.to_str().expect("utf-8 path");

    let added = regmail(&[
        "closures",
        "add",
        "2026-02-04",
        "--reason",
        "snow closure",
        "--source",
        "OPM",
        "--db",
        db,
    ]);
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let partial = regmail(&[
        "closures",
        "add",
        "2026-02-05",
        "--reason",
        "early dismissal",
        "--from",
        "12:15",
        "--db",
        db,
    ]);
    assert!(
        partial.status.success(),
        "{}",
        String::from_utf8_lossy(&partial.stderr)
    );

    let list = stdout_json(&regmail(&["closures", "list", "--json", "--db", db]));
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    assert_eq!(list[0]["date"], "2026-02-04");
    assert_eq!(list[0]["reason"], "snow closure");
    assert_eq!(list[0]["origin"], "user");
    assert_eq!(list[1]["start"], "12:15:00");

    // The stored snow day moves the due time of a Tuesday receipt to Thursday, which closes
    // at 12:15.
    let due = stdout_json(&regmail(&[
        "due",
        "--received",
        "2026-02-03T10:00:00-05:00",
        "--json",
        "--db",
        db,
    ]));
    assert_eq!(due["due_at"], "2026-02-05T12:15:00-05:00");
    assert_eq!(
        due["skipped"][0]["reasons"][0],
        "closure: snow closure (OPM)"
    );
}

#[test]
fn cli_closures_import_ics() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    let db = db.to_str().expect("utf-8 path");
    let ics = dir.path().join("closures.ics");
    std::fs::write(
        &ics,
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260210\r\n\
         DTEND;VALUE=DATE:20260212\r\nSUMMARY:Ice storm\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    .expect("write ICS");
    let ics = ics.to_str().expect("utf-8 path");

    let imported = regmail(&["closures", "import", ics, "--db", db]);
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    let again = regmail(&["closures", "import", ics, "--db", db]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("Imported 0 closures"));

    let list = stdout_json(&regmail(&["closures", "list", "--json", "--db", db]));
    let dates: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|c| c["date"].as_str())
        .collect();
    assert_eq!(dates, vec!["2026-02-10", "2026-02-11"]);
}

#[test]
fn cli_rejects_invalid_input() {
    let cases: &[(&str, &[&str], &str)] = &[
        (
            "timestamp without offset",
            &["due", "--received", "2025-03-07T17:45:00"],
            "expected an RFC 3339 timestamp with an offset",
        ),
        (
            "not a timestamp",
            &["due", "--received", "tuesday"],
            "'tuesday'",
        ),
        (
            "year out of range",
            &["holidays", "--year", "1850"],
            "year 1850 is out of range: expected a year from 1990 to 2100",
        ),
        (
            "year not a number",
            &["holidays", "--year", "20x6"],
            "expected a four-digit year",
        ),
        (
            "invalid date",
            &["closures", "add", "2026-02-30", "--reason", "x"],
            "expected a date as YYYY-MM-DD",
        ),
        (
            "receipt too old",
            &["due", "--received", "1985-01-01T10:00:00Z"],
            "out of range",
        ),
    ];
    for (name, args, message) in cases {
        let mut all = args.to_vec();
        all.extend(["--db", "/nonexistent/regmail.db"]);
        let output = regmail(&all);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{name}: exit status, stderr: {stderr}"
        );
        assert!(stderr.contains(message), "{name}: stderr {stderr:?}");
        assert!(!stderr.contains("panicked"), "{name}: no panic");
    }
}

#[test]
fn cli_rejects_empty_closure_window() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    let output = regmail(&[
        "closures",
        "add",
        "2026-02-04",
        "--reason",
        "x",
        "--from",
        "14:00",
        "--to",
        "10:00",
        "--db",
        db.to_str().expect("utf-8 path"),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("the start 14:00:00 must be before the end 10:00:00"),
        "{stderr}"
    );
    assert!(
        !db.exists(),
        "a rejected closure must not create the database"
    );
}

#[test]
fn cli_due_warning_capped_by_closures() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("regmail.db");
    let db = db.to_str().expect("utf-8 path");
    let added = regmail(&[
        "closures",
        "add",
        "2026-02-03",
        "--reason",
        "snow",
        "--db",
        db,
    ]);
    assert!(added.status.success(), "snow closure");
    let added = regmail(&[
        "closures",
        "add",
        "2026-02-04",
        "--reason",
        "early dismissal",
        "--from",
        "12:15",
        "--db",
        db,
    ]);
    assert!(added.status.success(), "early dismissal");

    let json = stdout_json(&regmail(&[
        "due",
        "--received",
        "2026-02-02T14:00:00-05:00",
        "--json",
        "--db",
        db,
    ]));
    assert_eq!(json["due_at"], "2026-02-04T12:15:00-05:00");
    assert_eq!(json["warn_at"], "2026-02-04T12:15:00-05:00");

    let lines: Vec<&str> = json["explanation"]
        .as_array()
        .expect("explanation")
        .iter()
        .filter_map(|line| line.as_str())
        .collect();
    let warning = lines
        .iter()
        .find(|line| line.starts_with("Early warning"))
        .expect("early-warning line");
    assert!(
        warning.contains("closures leave less than one business day"),
        "{warning}"
    );
}
