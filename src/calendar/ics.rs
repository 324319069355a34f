//! A small reader of iCalendar (RFC 5545) files that turns events into closures.
//!
//! Only what a closure needs is read: the `DTSTART`, `DTEND` and `SUMMARY` of each `VEVENT`
//! (and `UID` when present, for the source). Other components, such as `VTIMEZONE` and
//! `VALARM`, and other properties are skipped.
//!
//! - An all-day event (`DTSTART;VALUE=DATE:20260203`) closes each date from `DTSTART` up to,
//!   not including, `DTEND`; without `DTEND` it closes one day.
//! - A timed event closes the window from `DTSTART` to `DTEND`, converted to Eastern Time and
//!   split at midnight when it spans several days. Times ending in `Z` are UTC, times with a
//!   `TZID` parameter are in that IANA zone (from the bundled database), and floating times
//!   are taken as Eastern Time.
//! - `DURATION`, recurrence rules and events without a `SUMMARY` are rejected with an error
//!   naming the line, so that nothing is silently dropped.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{TimeZone, TimeZoneDatabase};
use jiff::Timestamp;

use super::closures::{Closure, ClosureOrigin};
use super::{Error, TIME_ZONE_NAME};

/// The maximum number of days one event may close, a guard against a mistyped year.
const MAX_EVENT_DAYS: usize = 366;

/// Parses the events of an iCalendar file into user closures, one per date.
///
/// `source` names the file in each closure's source, for example `"ICS file snow.ics"`.
///
/// # Errors
///
/// Returns [`Error::Ics`] with the line number for malformed input: a missing
/// `BEGIN:VCALENDAR`, a line without a colon, an unterminated component, a missing or invalid
/// `DTSTART`, an end before the start, an unknown `TZID`, or an unsupported property.
pub fn parse_ics(text: &str, source: &str) -> Result<Vec<Closure>, Error> {
    let eastern = TimeZoneDatabase::bundled()
        .get(TIME_ZONE_NAME)
        .map_err(|err| Error::TimeZone {
            name: TIME_ZONE_NAME.to_owned(),
            source: err,
        })?;
    let mut parser = Parser {
        eastern,
        source,
        closures: Vec::new(),
    };
    parser.parse(text)?;
    Ok(parser.closures)
}

/// One content line after unfolding, with the physical line it starts on.
struct ContentLine<'a> {
    number: usize,
    name: String,
    params: Vec<(String, String)>,
    value: &'a str,
}

impl ContentLine<'_> {
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    fn error(&self, reason: impl Into<String>) -> Error {
        Error::Ics {
            line: self.number,
            reason: reason.into(),
        }
    }
}

/// A `DTSTART` or `DTEND` value.
#[derive(Clone, Copy, Debug, PartialEq)]
enum IcsTime {
    Date(Date),
    Instant(Timestamp),
}

#[derive(Default)]
struct Event {
    begin_line: usize,
    start: Option<(IcsTime, usize)>,
    end: Option<(IcsTime, usize)>,
    summary: Option<String>,
    uid: Option<String>,
}

struct Parser<'a> {
    eastern: TimeZone,
    source: &'a str,
    closures: Vec<Closure>,
}

impl Parser<'_> {
    fn parse(&mut self, text: &str) -> Result<(), Error> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let lines = unfold(text);
        let mut lines = lines.iter();
        let Some(first) = lines.next() else {
            return Err(Error::Ics {
                line: 1,
                reason: "the file is empty".into(),
            });
        };
        let first = split_line(first.0, &first.1)?;
        if !(first.name == "BEGIN" && first.value.eq_ignore_ascii_case("VCALENDAR")) {
            return Err(first.error("expected BEGIN:VCALENDAR as the first line"));
        }

        // The stack of open components below VCALENDAR.
        let mut open: Vec<(String, usize)> = Vec::new();
        let mut event: Option<Event> = None;
        for (number, raw) in lines {
            let line = split_line(*number, raw)?;
            match line.name.as_str() {
                "BEGIN" => {
                    let component = line.value.to_ascii_uppercase();
                    if component == "VEVENT" && open.is_empty() {
                        event = Some(Event {
                            begin_line: line.number,
                            ..Event::default()
                        });
                    }
                    open.push((component, line.number));
                }
                "END" => {
                    let component = line.value.to_ascii_uppercase();
                    match open.pop() {
                        Some((begun, _)) if begun == component => {
                            if component == "VEVENT" && open.is_empty() {
                                let finished = event.take().expect("a VEVENT was begun");
                                self.finish_event(finished, line.number)?;
                            }
                        }
                        Some((begun, begun_line)) => {
                            return Err(line.error(format!(
                                "END:{component} does not match BEGIN:{begun} on line {begun_line}"
                            )));
                        }
                        None if component == "VCALENDAR" => return Ok(()),
                        None => {
                            return Err(line.error(format!("END:{component} without a BEGIN")));
                        }
                    }
                }
                _ => {
                    // Properties of nested components (VALARM inside VEVENT) are not the
                    // event's own.
                    if let (Some(event), 1) = (event.as_mut(), open.len()) {
                        self.event_property(event, &line)?;
                    }
                }
            }
        }

        let last_line = text.lines().count().max(1);
        match open.last() {
            Some((component, begun_line)) => Err(Error::Ics {
                line: last_line,
                reason: format!("BEGIN:{component} on line {begun_line} is never ended"),
            }),
            None => Err(Error::Ics {
                line: last_line,
                reason: "missing END:VCALENDAR".into(),
            }),
        }
    }

    fn event_property(&self, event: &mut Event, line: &ContentLine<'_>) -> Result<(), Error> {
        match line.name.as_str() {
            "DTSTART" | "DTEND" => {
                let slot = if line.name == "DTSTART" {
                    &mut event.start
                } else {
                    &mut event.end
                };
                if slot.is_some() {
                    return Err(line.error(format!("{} appears twice in one VEVENT", line.name)));
                }
                *slot = Some((self.parse_time(line)?, line.number));
            }
            "SUMMARY" => event.summary = Some(unescape_text(line.value)),
            "UID" => event.uid = Some(line.value.trim().to_owned()),
            "DURATION" | "RRULE" | "RDATE" => {
                return Err(line.error(format!(
                    "{} is not supported: give each closure as its own VEVENT with DTSTART and \
                     DTEND",
                    line.name
                )));
            }
            _ => {}
        }
        Ok(())
    }

    fn parse_time(&self, line: &ContentLine<'_>) -> Result<IcsTime, Error> {
        let value = line.value.trim();
        let is_date = line
            .param("VALUE")
            .is_some_and(|v| v.eq_ignore_ascii_case("DATE"))
            || (value.len() == 8 && !value.contains('T'));
        if is_date {
            return parse_basic_date(value).map(IcsTime::Date).ok_or_else(|| {
                line.error(format!(
                    "invalid {} date {value:?}: expected YYYYMMDD, such as 20260203",
                    line.name
                ))
            });
        }

        let invalid = || {
            line.error(format!(
                "invalid {} value {value:?}: expected YYYYMMDD or YYYYMMDDTHHMMSS, optionally \
                 followed by Z",
                line.name
            ))
        };
        let (local_text, utc) = match value.strip_suffix('Z') {
            Some(rest) => (rest, true),
            None => (value, false),
        };
        let (date_text, time_text) = local_text.split_once('T').ok_or_else(invalid)?;
        let date = parse_basic_date(date_text).ok_or_else(invalid)?;
        let time = parse_basic_time(time_text).ok_or_else(invalid)?;
        let local = date.to_datetime(time);

        let zone = if utc {
            TimeZone::UTC
        } else if let Some(tzid) = line.param("TZID") {
            TimeZoneDatabase::bundled().get(tzid).map_err(|_| {
                line.error(format!(
                    "unknown TZID {tzid:?}: expected an IANA time zone name, such as \
                     America/New_York"
                ))
            })?
        } else {
            self.eastern.clone()
        };
        let instant = zone
            .to_ambiguous_timestamp(local)
            .compatible()
            .map_err(|_| line.error(format!("{} value {value:?} is out of range", line.name)))?;
        Ok(IcsTime::Instant(instant))
    }

    fn finish_event(&mut self, event: Event, end_line: usize) -> Result<(), Error> {
        let Some((start, start_line)) = event.start else {
            return Err(Error::Ics {
                line: event.begin_line,
                reason: format!("the VEVENT ending on line {end_line} has no DTSTART"),
            });
        };
        let Some(summary) = event.summary.filter(|s| !s.trim().is_empty()) else {
            return Err(Error::Ics {
                line: event.begin_line,
                reason: "the VEVENT has no SUMMARY: add a SUMMARY line giving the reason for \
                         the closure"
                    .into(),
            });
        };
        let source = match &event.uid {
            Some(uid) => format!("{}, UID {uid}", self.source),
            None => self.source.to_owned(),
        };
        let closure = |date: Date, start: Option<Time>, end: Option<Time>| {
            Closure::partial(
                date,
                start,
                end,
                summary.clone(),
                source.clone(),
                ClosureOrigin::User,
            )
        };
        let too_long = |line: usize| Error::Ics {
            line,
            reason: format!("the event spans more than {MAX_EVENT_DAYS} days: check DTEND"),
        };

        match (start, event.end) {
            (IcsTime::Date(first), end) => {
                let end_date = match end {
                    None => first.tomorrow().map_err(|_| too_long(start_line))?,
                    Some((IcsTime::Date(end_date), _)) => end_date,
                    Some((IcsTime::Instant(_), line)) => {
                        return Err(Error::Ics {
                            line,
                            reason: "DTEND must be a date (VALUE=DATE) when DTSTART is a date"
                                .into(),
                        });
                    }
                };
                let end_line = event.end.map_or(start_line, |(_, line)| line);
                if end_date <= first {
                    return Err(Error::Ics {
                        line: end_line,
                        reason: format!("DTEND {end_date} is not after DTSTART {first}"),
                    });
                }
                let dates = dates_until(first, end_date, end_line)?;
                for date in dates {
                    self.closures.push(closure(date, None, None)?);
                }
            }
            (IcsTime::Instant(from), end) => {
                let Some((IcsTime::Instant(to), end_line)) = end else {
                    return Err(Error::Ics {
                        line: event.end.map_or(event.begin_line, |(_, line)| line),
                        reason: "a timed event needs a DTEND date-time giving when the \
                                 closure ends"
                            .into(),
                    });
                };
                if to <= from {
                    return Err(Error::Ics {
                        line: end_line,
                        reason: format!("DTEND {to} is not after DTSTART {from}"),
                    });
                }
                let from_local = self.eastern.to_datetime(from);
                let to_local = self.eastern.to_datetime(to);
                let last = last_touched_date(to_local);
                for date in dates_until(from_local.date(), day_after(last, end_line)?, end_line)? {
                    let start = (date == from_local.date()
                        && from_local.time() != Time::midnight())
                    .then(|| from_local.time());
                    let end = (date == to_local.date()).then(|| to_local.time());
                    self.closures.push(closure(date, start, end)?);
                }
            }
        }
        Ok(())
    }
}

/// Returns the last date on which a window ending at `end` (exclusive) covers any time.
fn last_touched_date(end: DateTime) -> Date {
    if end.time() == Time::midnight() {
        end.date().yesterday().unwrap_or(end.date())
    } else {
        end.date()
    }
}

fn day_after(date: Date, line: usize) -> Result<Date, Error> {
    date.tomorrow().map_err(|_| Error::Ics {
        line,
        reason: format!("date {date} is out of range"),
    })
}

/// Returns the dates from `first` up to, not including, `end`.
fn dates_until(first: Date, end: Date, line: usize) -> Result<Vec<Date>, Error> {
    let mut dates = Vec::new();
    let mut date = first;
    while date < end {
        if dates.len() == MAX_EVENT_DAYS {
            return Err(Error::Ics {
                line,
                reason: format!("the event spans more than {MAX_EVENT_DAYS} days: check DTEND"),
            });
        }
        dates.push(date);
        date = day_after(date, line)?;
    }
    Ok(dates)
}

/// Joins folded lines (RFC 5545 section 3.1) and numbers each logical line by the physical
/// line it starts on. Blank lines are dropped.
fn unfold(text: &str) -> Vec<(usize, String)> {
    let mut lines: Vec<(usize, String)> = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match raw.strip_prefix([' ', '\t']) {
            Some(continuation) if !lines.is_empty() => {
                lines
                    .last_mut()
                    .expect("checked non-empty")
                    .1
                    .push_str(continuation);
            }
            _ if raw.trim().is_empty() => {}
            _ => lines.push((index + 1, raw.to_owned())),
        }
    }
    lines
}

/// Splits `NAME;PARAM=VALUE:value` at the first colon outside a quoted parameter value.
fn split_line(number: usize, raw: &str) -> Result<ContentLine<'_>, Error> {
    let mut in_quotes = false;
    let colon = raw.char_indices().find_map(|(index, c)| match c {
        '"' => {
            in_quotes = !in_quotes;
            None
        }
        ':' if !in_quotes => Some(index),
        _ => None,
    });
    let Some(colon) = colon else {
        return Err(Error::Ics {
            line: number,
            reason: format!("expected NAME:VALUE, found {:?}", truncate(raw, 60)),
        });
    };

    let (head, value) = (&raw[..colon], &raw[colon + 1..]);
    let mut parts = head.split(';');
    let name = parts.next().unwrap_or_default().trim().to_ascii_uppercase();
    if name.is_empty() {
        return Err(Error::Ics {
            line: number,
            reason: "missing property name before ':'".into(),
        });
    }
    let params = parts
        .map(|param| {
            let (key, value) = param.split_once('=').unwrap_or((param, ""));
            (
                key.trim().to_owned(),
                value.trim().trim_matches('"').to_owned(),
            )
        })
        .collect();
    Ok(ContentLine {
        number,
        name,
        params,
        value,
    })
}

fn truncate(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}

/// Parses `YYYYMMDD`.
fn parse_basic_date(text: &str) -> Option<Date> {
    if text.len() != 8 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year = text[0..4].parse().ok()?;
    let month = text[4..6].parse().ok()?;
    let day = text[6..8].parse().ok()?;
    Date::new(year, month, day).ok()
}

/// Parses `HHMMSS`.
fn parse_basic_time(text: &str) -> Option<Time> {
    if text.len() != 6 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let hour = text[0..2].parse().ok()?;
    let minute = text[2..4].parse().ok()?;
    let second = text[4..6].parse().ok()?;
    Time::new(hour, minute, second, 0).ok()
}

/// Undoes the TEXT escapes of RFC 5545 section 3.3.11 and turns a newline into a space.
fn unescape_text(value: &str) -> String {
    let mut text = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            text.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => text.push(' '),
            Some(escaped) => text.push(escaped),
            None => text.push('\\'),
        }
    }
    text.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use jiff::civil::{date, time};

    use super::*;

    fn calendar(events: &str) -> String {
        format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{events}END:VCALENDAR\r\n")
    }

    #[test]
    fn all_day_events_close_each_date() {
        let text = calendar(
            "BEGIN:VEVENT\r\nUID:snow-1\r\nDTSTART;VALUE=DATE:20260203\r\n\
             DTEND;VALUE=DATE:20260205\r\nSUMMARY:Snow closure\\, OPM\r\nEND:VEVENT\r\n",
        );
        let closures = parse_ics(&text, "ICS file snow.ics").expect("parses");
        let dates: Vec<Date> = closures.iter().map(|c| c.date).collect();
        assert_eq!(dates, vec![date(2026, 2, 3), date(2026, 2, 4)]);
        assert!(closures.iter().all(Closure::is_all_day));
        assert_eq!(closures[0].reason, "Snow closure, OPM");
        assert_eq!(closures[0].source, "ICS file snow.ics, UID snow-1");
        assert_eq!(closures[0].origin, ClosureOrigin::User);
    }

    #[test]
    fn all_day_event_without_dtend() {
        let text = calendar("BEGIN:VEVENT\nDTSTART:20260203\nSUMMARY:Ice\nEND:VEVENT\n");
        let closures = parse_ics(&text, "f.ics").expect("parses");
        assert_eq!(closures.len(), 1);
        assert_eq!(closures[0].date, date(2026, 2, 3));
    }

    #[test]
    fn timed_events_become_partial_closures() {
        // 17:15Z on February 3, 2026 is 12:15 EST. The TZID event is in Chicago.
        let text = calendar(
            "BEGIN:VEVENT\nDTSTART:20260203T171500Z\nDTEND:20260203T213000Z\n\
             SUMMARY:Early dismissal\nEND:VEVENT\n\
             BEGIN:VEVENT\nDTSTART;TZID=America/Chicago:20260204T070000\n\
             DTEND;TZID=America/Chicago:20260204T090000\nSUMMARY:Delayed arrival\nEND:VEVENT\n\
             BEGIN:VEVENT\nDTSTART:20260205T120000\nDTEND:20260205T130000\nSUMMARY:Floating\n\
             END:VEVENT\n",
        );
        let closures = parse_ics(&text, "f.ics").expect("parses");
        assert_eq!(closures.len(), 3);
        assert_eq!(closures[0].start, Some(time(12, 15, 0, 0)));
        assert_eq!(closures[0].end, Some(time(16, 30, 0, 0)));
        assert_eq!(closures[1].date, date(2026, 2, 4));
        assert_eq!(closures[1].start, Some(time(8, 0, 0, 0)));
        assert_eq!(closures[1].end, Some(time(10, 0, 0, 0)));
        assert_eq!(closures[2].start, Some(time(12, 0, 0, 0)));
    }

    #[test]
    fn timed_event_over_midnight_is_split() {
        let text = calendar(
            "BEGIN:VEVENT\nDTSTART:20260203T200000\nDTEND:20260205T000000\nSUMMARY:Outage\n\
             END:VEVENT\n",
        );
        let closures = parse_ics(&text, "f.ics").expect("parses");
        assert_eq!(closures.len(), 2, "{closures:?}");
        assert_eq!(
            (closures[0].start, closures[0].end),
            (Some(time(20, 0, 0, 0)), None)
        );
        assert_eq!(closures[1].date, date(2026, 2, 4));
        assert!(closures[1].is_all_day());
    }

    #[test]
    fn folded_lines_and_nested_components() {
        let text = calendar(
            "BEGIN:VTIMEZONE\nTZID:X\nBEGIN:STANDARD\nDTSTART:19701101T020000\nEND:STANDARD\n\
             END:VTIMEZONE\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20260203\nSUMMARY:Snow\n  closure\n\
             BEGIN:VALARM\nTRIGGER:-PT15M\nDTSTART:20000101T000000\nEND:VALARM\nEND:VEVENT\n",
        );
        let closures = parse_ics(&text, "f.ics").expect("parses");
        assert_eq!(closures.len(), 1);
        assert_eq!(closures[0].reason, "Snow closure");
    }

    #[test]
    fn malformed_input_names_the_line() {
        let cases: &[(&str, &str, usize, &str)] = &[
            ("empty file", "", 1, "the file is empty"),
            (
                "no calendar",
                "BEGIN:VEVENT\nEND:VEVENT\n",
                1,
                "expected BEGIN:VCALENDAR",
            ),
            (
                "line without colon",
                "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART 20260203\nEND:VEVENT\nEND:VCALENDAR\n",
                3,
                "expected NAME:VALUE",
            ),
            (
                "bad date",
                "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;VALUE=DATE:20261303\nSUMMARY:x\n\
                 END:VEVENT\nEND:VCALENDAR\n",
                3,
                "invalid DTSTART date \"20261303\"",
            ),
            (
                "bad date-time",
                "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20260203T25\nSUMMARY:x\nEND:VEVENT\n\
                 END:VCALENDAR\n",
                3,
                "invalid DTSTART value",
            ),
            (
                "missing dtstart",
                "BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n",
                2,
                "has no DTSTART",
            ),
            (
                "missing summary",
                "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20260203\nEND:VEVENT\nEND:VCALENDAR\n",
                2,
                "has no SUMMARY",
            ),
            (
                "end before start",
                "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20260203T120000\n\
                 DTEND:20260203T110000\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n",
                4,
                "is not after DTSTART",
            ),
            (
                "unknown tzid",
                "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;TZID=Mars/Olympus:20260203T120000\n\
                 SUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n",
                3,
                "unknown TZID \"Mars/Olympus\"",
            ),
            (
                "duration",
                "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20260203T120000\nDURATION:PT1H\n\
                 SUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n",
                4,
                "DURATION is not supported",
            ),
            (
                "unterminated event",
                "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20260203\nSUMMARY:x\n",
                4,
                "BEGIN:VEVENT on line 2 is never ended",
            ),
            (
                "mismatched end",
                "BEGIN:VCALENDAR\nBEGIN:VEVENT\nEND:VTODO\nEND:VCALENDAR\n",
                3,
                "END:VTODO does not match BEGIN:VEVENT on line 2",
            ),
            (
                "missing end of calendar",
                "BEGIN:VCALENDAR\nVERSION:2.0\n",
                2,
                "missing END:VCALENDAR",
            ),
            (
                "timed event without end",
                "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20260203T120000\nSUMMARY:x\nEND:VEVENT\n\
                 END:VCALENDAR\n",
                2,
                "a timed event needs a DTEND",
            ),
            (
                "year-long typo",
                "BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:20260203\nDTEND:20280203\nSUMMARY:x\n\
                 END:VEVENT\nEND:VCALENDAR\n",
                4,
                "spans more than 366 days",
            ),
        ];
        for (name, text, line, reason) in cases {
            match parse_ics(text, "f.ics") {
                Err(Error::Ics {
                    line: got_line,
                    reason: got_reason,
                }) => {
                    assert_eq!(got_line, *line, "{name}: line ({got_reason})");
                    assert!(got_reason.contains(reason), "{name}: reason {got_reason:?}");
                }
                other => panic!("{name}: expected an ICS error, got {other:?}"),
            }
        }
    }
}
