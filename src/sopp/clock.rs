//! The engine's view of the business calendar: whether a time is within business hours,
//! and when a deadline rule falls due.
//!
//! The calendar itself (federal holidays, closures, the deadline definition) belongs to
//! the calendar module. The engine calls it through [`BusinessClock`] so that every deadline
//! is computed in one place; [`crate::calendar::BusinessCalendar`] implements it.

use jiff::{Timestamp, ZonedDateTime};

use super::tree::DeadlineRule;
use crate::calendar::{self, BusinessCalendar, Policy};
use crate::message::ReceiptSource;

/// The time zone of CBER business hours and of every due time the engine reports.
pub const TIME_ZONE: &str = "America/New_York";

/// When a task falls due, with the earlier mark used for the warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    /// The policy the due time was computed under.
    pub policy: Policy,
    /// The deadline.
    pub due_at: ZonedDateTime,
    /// The early-warning mark: one business day of business time after receipt. Under
    /// [`Policy::Elapsed`] that is the due time itself, so there is no earlier mark.
    pub warn_at: ZonedDateTime,
    /// The calendar's reasoning for the due time, one sentence per step, for display beside it.
    pub explanation: Vec<String>,
}

/// A deadline the calendar could not compute.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the business calendar could not compute the deadline: {message}")]
pub struct ClockError {
    /// The calendar's reason.
    pub message: String,
}

/// The business calendar as the engine uses it.
pub trait BusinessClock {
    /// Returns whether `at` falls within business hours (8:00 AM to 4:30 PM
    /// America/New_York on a business day, SOPP 8119 V.B.3).
    fn is_business_hours(&self, at: Timestamp) -> bool;

    /// Returns when a task under `rule` falls due for a message received at `received`,
    /// a time taken from `source`, under the deadline `policy`.
    ///
    /// # Errors
    ///
    /// Returns [`ClockError`] when the calendar cannot place `received`, for example a
    /// year it has no holidays for.
    fn deadline(
        &self,
        received: Timestamp,
        source: ReceiptSource,
        rule: DeadlineRule,
        policy: Policy,
    ) -> Result<Deadline, ClockError>;
}

impl BusinessClock for BusinessCalendar {
    fn is_business_hours(&self, at: Timestamp) -> bool {
        BusinessCalendar::is_business_hours(self, at)
    }

    /// Computes the due time with [`BusinessCalendar::due`], whose documentation describes
    /// both policies.
    fn deadline(
        &self,
        received: Timestamp,
        source: ReceiptSource,
        rule: DeadlineRule,
        policy: Policy,
    ) -> Result<Deadline, ClockError> {
        let DeadlineRule::OneBusinessDay = rule;
        let source = match source {
            ReceiptSource::ReceivedHeader => calendar::ReceiptSource::ReceivedHeader,
            ReceiptSource::MboxEnvelope => calendar::ReceiptSource::DeliveryTime,
            ReceiptSource::DateHeader => calendar::ReceiptSource::DateHeader,
            ReceiptSource::ImportTime => calendar::ReceiptSource::ImportTime,
        };
        let deadline = self
            .due(received, source, policy)
            .map_err(|err| ClockError {
                message: err.to_string(),
            })?;
        Ok(Deadline {
            policy: deadline.policy,
            due_at: in_business_zone(deadline.due_at),
            warn_at: in_business_zone(deadline.warn_at),
            explanation: deadline.explanation,
        })
    }
}

/// Returns `at` in [`TIME_ZONE`].
pub fn in_business_zone(at: Timestamp) -> ZonedDateTime {
    let zone =
        jiff::tz::TimeZone::get(TIME_ZONE).expect("the bundled tz database has America/New_York");
    at.to_zoned_datetime(zone)
}

/// Formats `at` as RFC 3339 with its UTC offset and no zone annotation
/// (`2025-03-05T16:30:00-05:00`).
pub fn rfc3339(at: &ZonedDateTime) -> String {
    at.timestamp().display_with_offset(at.offset()).to_string()
}

/// Serde helpers that write a [`ZonedDateTime`] as RFC 3339 with its offset and read it back in
/// [`TIME_ZONE`].
pub mod serde_rfc3339 {
    use jiff::{Timestamp, ZonedDateTime};
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serializes `at` as RFC 3339 with its offset.
    pub fn serialize<S: Serializer>(at: &ZonedDateTime, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::rfc3339(at))
    }

    /// Deserializes an RFC 3339 time into [`super::TIME_ZONE`].
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<ZonedDateTime, D::Error> {
        let text = String::deserialize(deserializer)?;
        let at: Timestamp = text.parse().map_err(serde::de::Error::custom)?;
        Ok(super::in_business_zone(at))
    }

    /// The same for an optional time, written as null when absent.
    pub mod option {
        use jiff::ZonedDateTime;
        use serde::{Deserialize, Deserializer, Serializer};

        /// Serializes `at` as RFC 3339 with its offset, or null.
        pub fn serialize<S: Serializer>(
            at: &Option<ZonedDateTime>,
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            match at {
                Some(at) => serializer.serialize_some(&super::super::rfc3339(at)),
                None => serializer.serialize_none(),
            }
        }

        /// Deserializes an optional RFC 3339 time into [`super::super::TIME_ZONE`].
        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Option<ZonedDateTime>, D::Error> {
            let text = Option::<String>::deserialize(deserializer)?;
            text.map(|text| {
                let at: jiff::Timestamp = text.parse().map_err(serde::de::Error::custom)?;
                Ok(super::super::in_business_zone(at))
            })
            .transpose()
        }
    }
}
