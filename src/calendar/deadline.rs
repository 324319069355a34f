//! "Within one business day of receipt": the due time of SOPP 8119 VI.C.6, VII.A.1 and
//! VII.A.2, with its explanation.
//!
//! Receipt is the instant the message reached the FDA mail server. A receipt outside business
//! hours, or on a day without business hours, counts from the next opening. Two policies turn
//! that opening into a due time:
//!
//! - [`Policy::Close`], the default: 4:30 PM Eastern Time on the first business day after the
//!   day counted from. FDA dates electronic submissions that arrive after hours the same way,
//!   as received on the next day the office is open, and a daylight saving time change cannot
//!   move the result.
//! - [`Policy::Elapsed`]: one business day of business time, 8 h 30 min, after the opening
//!   counted from. This is the stricter reading; under [`Policy::Close`] it is still computed
//!   and reported as the early-warning mark.

use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::business::{BusinessCalendar, DayClosure};
use super::{Error, BUSINESS_DAY};

/// The rule that turns "within one business day" into a due time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Policy {
    /// Due at close of business (4:30 PM Eastern Time) on the first business day after the day
    /// of receipt.
    #[default]
    Close,
    /// Due after 8 h 30 min of business time from the receipt.
    Elapsed,
}

impl Policy {
    /// Returns the name used in settings and JSON, "close" or "elapsed".
    pub fn as_str(self) -> &'static str {
        match self {
            Policy::Close => "close",
            Policy::Elapsed => "elapsed",
        }
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Policy {
    type Err = Error;

    fn from_str(value: &str) -> Result<Policy, Error> {
        match value {
            "close" => Ok(Policy::Close),
            "elapsed" => Ok(Policy::Elapsed),
            _ => Err(Error::InvalidPolicy {
                value: value.to_owned(),
            }),
        }
    }
}

/// The origin of the receipt instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptSource {
    /// The newest `Received` header, added by the FDA mail server (RFC 5321 section 4.4).
    ReceivedHeader,
    /// The delivery time recorded by the mailbox, as in an Outlook or Exchange export.
    DeliveryTime,
    /// The sender's `Date` header, which makes the receipt time an estimate.
    DateHeader,
    /// Entered by a user.
    Manual,
    /// The time the message was imported, for a message with no readable receipt time.
    /// FDA received it earlier, so a due time counted from it may be late.
    ImportTime,
}

impl ReceiptSource {
    /// Returns a description for explanations, such as "newest Received header, added by the
    /// FDA mail server".
    pub fn describe(self) -> &'static str {
        match self {
            ReceiptSource::ReceivedHeader => "newest Received header, added by the FDA mail server",
            ReceiptSource::DeliveryTime => "mailbox delivery time",
            ReceiptSource::DateHeader => "sender's Date header, so the receipt time is an estimate",
            ReceiptSource::Manual => "entered by hand",
            ReceiptSource::ImportTime => {
                "time the message was imported, because it has no readable receipt time; FDA received it earlier, so the due time may be late"
            }
        }
    }

    /// Returns whether the receipt time is only an estimate of when FDA received the message.
    pub fn is_estimate(self) -> bool {
        matches!(self, ReceiptSource::DateHeader | ReceiptSource::ImportTime)
    }
}

impl FromStr for ReceiptSource {
    type Err = Error;

    /// Parses the snake_case name used in JSON or the kebab-case name used on the command line.
    fn from_str(value: &str) -> Result<ReceiptSource, Error> {
        match value.replace('-', "_").as_str() {
            "received_header" => Ok(ReceiptSource::ReceivedHeader),
            "delivery_time" => Ok(ReceiptSource::DeliveryTime),
            "date_header" => Ok(ReceiptSource::DateHeader),
            "manual" => Ok(ReceiptSource::Manual),
            "import_time" => Ok(ReceiptSource::ImportTime),
            _ => Err(Error::InvalidReceiptSource {
                value: value.to_owned(),
            }),
        }
    }
}

/// A due time with everything needed to explain it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    /// The policy the due time was computed under.
    pub policy: Policy,
    /// When the message was received.
    pub received_at: Timestamp,
    /// The origin of `received_at`.
    pub receipt_source: ReceiptSource,
    /// The instant the business day is counted from: `received_at` during business hours,
    /// otherwise the next opening.
    pub counted_from: Timestamp,
    /// The due time.
    pub due_at: Timestamp,
    /// The early-warning mark: 8 h 30 min of business time after `counted_from`, and never
    /// later than `due_at`. Under [`Policy::Elapsed`] it equals `due_at`.
    pub warn_at: Timestamp,
    /// The days from the day of receipt to the due day that are not ordinary business days:
    /// weekends, holidays, full and partial closures.
    pub skipped: Vec<DayClosure>,
    /// The reasoning, one sentence per step, with times in Eastern Time.
    pub explanation: Vec<String>,
}

impl BusinessCalendar {
    /// Computes when an action due "within one business day" of receipt is due.
    ///
    /// # Errors
    ///
    /// Returns [`Error::InstantOutOfRange`] when `received` falls outside the supported years,
    /// and [`Error::NoBusinessDay`] when closures leave no business day to be due on.
    ///
    /// # Example
    ///
    /// ```
    /// use regmail::calendar::{BusinessCalendar, Policy, ReceiptSource};
    ///
    /// let calendar = BusinessCalendar::with_shipped_closures(Vec::new())?;
    /// // Tuesday, March 4, 2025, 10:15 EST.
    /// let received = "2025-03-04T10:15:00-05:00".parse()?;
    /// let close = calendar.due(received, ReceiptSource::Manual, Policy::Close)?;
    /// assert_eq!(calendar.format_rfc3339(close.due_at), "2025-03-05T16:30:00-05:00");
    /// let elapsed = calendar.due(received, ReceiptSource::Manual, Policy::Elapsed)?;
    /// assert_eq!(calendar.format_rfc3339(elapsed.due_at), "2025-03-05T10:15:00-05:00");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn due(
        &self,
        received: Timestamp,
        source: ReceiptSource,
        policy: Policy,
    ) -> Result<Deadline, Error> {
        let received_local = self.local_in_range(received)?;
        let counted_from_local = self.opening_at_or_after(received_local)?;
        let counted_from = if counted_from_local == received_local {
            received
        } else {
            self.to_instant(counted_from_local)?
        };

        let due_day = self.next_business_day(counted_from_local.date())?;
        let close_local = self
            .close_of_business(due_day)
            .expect("a business day has at least one open period");
        let elapsed_local = self.add_business_local(counted_from_local, BUSINESS_DAY)?;
        let (due_local, warn_local) = match policy {
            Policy::Close => (close_local, elapsed_local.min(close_local)),
            Policy::Elapsed => (elapsed_local, elapsed_local),
        };
        let due_at = self.to_instant(due_local)?;
        let warn_at = self.to_instant(warn_local)?;

        tracing::debug!(
            %received,
            %counted_from,
            %due_at,
            %warn_at,
            policy = policy.as_str(),
            "computed one-business-day deadline"
        );

        let skipped = self.closures_between(received_local.date(), due_local.date());
        let mut deadline = Deadline {
            policy,
            received_at: received,
            receipt_source: source,
            counted_from,
            due_at,
            warn_at,
            skipped,
            explanation: Vec::new(),
        };
        deadline.explanation = self.explain(&deadline, counted_from_local.date());
        Ok(deadline)
    }

    fn closures_between(&self, first: Date, last: Date) -> Vec<DayClosure> {
        let mut days = Vec::new();
        let mut date = first;
        while date <= last {
            days.extend(self.day_closure(date));
            match date.tomorrow() {
                Ok(next) => date = next,
                Err(_) => break,
            }
        }
        days
    }

    fn explain(&self, deadline: &Deadline, counted_day: Date) -> Vec<String> {
        let mut lines = vec![format!(
            "Received {} ({}).",
            self.format_eastern(deadline.received_at),
            deadline.receipt_source.describe()
        )];

        if deadline.counted_from == deadline.received_at {
            lines.push("Received during business hours, so the business day starts then.".into());
        } else {
            lines.push(format!(
                "Received outside business hours (8:00 AM to 4:30 PM Eastern Time on business \
                 days), so it counts as received at the next opening, {}.",
                self.format_eastern(deadline.counted_from)
            ));
        }

        for day in &deadline.skipped {
            let causes: Vec<String> = day.causes.iter().map(|cause| cause.describe()).collect();
            let effect = if day.all_day {
                "no business hours"
            } else {
                "shortened business hours"
            };
            lines.push(format!(
                "{} {}: {effect}: {}.",
                day.date.strftime("%a"),
                day.date,
                causes.join("; ")
            ));
        }

        let warn = self.format_eastern(deadline.warn_at);
        match deadline.policy {
            Policy::Close => {
                lines.push(format!(
                    "Policy \"close\": due at close of business on the first business day after \
                     {}: {}.",
                    counted_day,
                    self.format_eastern(deadline.due_at)
                ));
                let counted_from = self.format_eastern(deadline.counted_from);
                if self.business_time_between(deadline.counted_from, deadline.warn_at)
                    < super::BUSINESS_DAY
                {
                    // Closures left less than one business day before the due time.
                    lines.push(format!(
                        "Early warning at {warn}, the due time: closures leave less than one \
                         business day (8 h 30 min) of business time after {counted_from}."
                    ));
                } else {
                    lines.push(format!(
                        "Early warning at {warn}, one business day (8 h 30 min) of business \
                         time after {counted_from}."
                    ));
                }
            }
            Policy::Elapsed => lines.push(format!(
                "Policy \"elapsed\": due after one business day (8 h 30 min) of business time: \
                 {warn}."
            )),
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_names_round_trip() {
        for policy in [Policy::Close, Policy::Elapsed] {
            assert_eq!(policy.as_str().parse::<Policy>().expect("parses"), policy);
            let json = serde_json::to_string(&policy).expect("serializes");
            assert_eq!(json, format!("\"{policy}\""));
        }
        let err = "strict".parse::<Policy>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid policy \"strict\": expected \"close\" or \"elapsed\""
        );
    }

    #[test]
    fn receipt_source_accepts_both_spellings() {
        assert_eq!(
            "received-header".parse::<ReceiptSource>().ok(),
            Some(ReceiptSource::ReceivedHeader)
        );
        assert_eq!(
            "date_header".parse::<ReceiptSource>().ok(),
            Some(ReceiptSource::DateHeader)
        );
        assert!("header".parse::<ReceiptSource>().is_err());
        assert!(ReceiptSource::DateHeader.is_estimate());
        assert!(!ReceiptSource::ReceivedHeader.is_estimate());
    }

    #[test]
    fn import_time_is_an_estimate() {
        assert_eq!(
            "import-time".parse::<ReceiptSource>().ok(),
            Some(ReceiptSource::ImportTime)
        );
        assert!(ReceiptSource::ImportTime.is_estimate());
        assert!(
            ReceiptSource::ImportTime.describe().contains("may be late"),
            "{}",
            ReceiptSource::ImportTime.describe()
        );
    }

    #[test]
    fn explanation_names_skipped_days() {
        let calendar = BusinessCalendar::with_shipped_closures(Vec::new()).expect("calendar");
        // Monday, December 23, 2024, 17:00 EST: Dec 24 closed by Executive Order 14129 and
        // Dec 25 is Christmas Day.
        let received: Timestamp = "2024-12-23T22:00:00Z".parse().expect("timestamp");
        let deadline = calendar
            .due(received, ReceiptSource::ReceivedHeader, Policy::Close)
            .expect("due");
        let text = deadline.explanation.join("\n");
        assert!(
            text.contains(
                "Tue 2024-12-24: no business hours: closure: Christmas Eve (Executive Order 14129)"
            ),
            "{text}"
        );
        assert!(
            text.contains("Wed 2024-12-25: no business hours: Christmas Day (5 U.S.C. 6103(a))"),
            "{text}"
        );
        assert!(text.contains("Received outside business hours"), "{text}");
        assert!(text.contains("Fri 2024-12-27 16:30 EST (-05:00)"), "{text}");
    }
}
