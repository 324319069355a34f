//! When to alert the reviewer about an open task: at the calendar's early-warning mark, at
//! chosen lead times before the due time, and when the task becomes overdue.
//!
//! Lead times count business time, so "two business hours before" a 10:00 AM due time is
//! 3:30 PM the business day before when the office opens at 8:00 AM. Sending the alerts and
//! remembering which were sent is left to the desktop app and the store.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::calendar::BusinessCalendar;
use crate::store::{self, Store, TaskRow};

/// Which alerts to raise for each open task with a due time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AlertPolicy {
    /// Alert at the early-warning mark the calendar computes (`warn_at`) when it is
    /// earlier than the due time, which it never is under the `elapsed` deadline policy.
    pub early_warning: bool,
    /// Alert this many business minutes before the due time, once per entry.
    pub lead_minutes: Vec<u32>,
    /// Alert when the task becomes overdue.
    pub overdue: bool,
}

impl Default for AlertPolicy {
    fn default() -> AlertPolicy {
        AlertPolicy {
            early_warning: true,
            lead_minutes: vec![120],
            overdue: true,
        }
    }
}

/// One alert of one task.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedAlert {
    /// The task.
    pub task_id: i64,
    /// The task's message.
    pub message_id: i64,
    /// The task's title.
    pub title: String,
    /// `early-warning`, `lead-N` (N business minutes before) or `overdue`.
    pub kind: String,
    /// When the alert is due.
    pub fire_at: Timestamp,
    /// The task's due time.
    pub due_at: Timestamp,
}

/// Returns the alerts of `task` under `policy`, earliest first; none for a closed task or
/// one without a due time.
pub fn plan_alerts(
    task: &TaskRow,
    policy: &AlertPolicy,
    calendar: &BusinessCalendar,
) -> Vec<PlannedAlert> {
    let Some(due_at) = parse_time(task.due_at.as_deref()) else {
        return Vec::new();
    };
    if task.status != "open" {
        return Vec::new();
    }
    let alert = |kind: String, fire_at: Timestamp| PlannedAlert {
        task_id: task.id,
        message_id: task.message_id,
        title: task.title.clone(),
        kind,
        fire_at,
        due_at,
    };

    let mut alerts = Vec::new();
    if policy.early_warning {
        if let Some(warn_at) = parse_time(task.warn_at.as_deref()).filter(|warn| *warn < due_at) {
            alerts.push(alert("early-warning".to_owned(), warn_at));
        }
    }
    for &minutes in &policy.lead_minutes {
        let lead = SignedDuration::from_mins(i64::from(minutes));
        alerts.push(alert(
            format!("lead-{minutes}"),
            business_time_before(calendar, due_at, lead),
        ));
    }
    if policy.overdue {
        alerts.push(alert("overdue".to_owned(), due_at));
    }
    alerts.sort_by_key(|a| a.fire_at);
    alerts
}

/// Returns the latest instant from which `lead` of business time remains until `due`, to
/// the minute.
pub fn business_time_before(
    calendar: &BusinessCalendar,
    due: Timestamp,
    lead: SignedDuration,
) -> Timestamp {
    if lead <= SignedDuration::ZERO {
        return due;
    }
    // Business time left is monotonic in the start instant, so bisect over a window wide
    // enough for any lead the settings allow (a business day is 8 h 30 min).
    let window = SignedDuration::from_hours(24 * 60);
    let mut early = due - window;
    let mut late = due;
    if calendar.business_time_between(early, due) < lead {
        return early;
    }
    while late.duration_since(early) > SignedDuration::from_secs(1) {
        let middle = early + late.duration_since(early) / 2;
        if calendar.business_time_between(middle, due) >= lead {
            early = middle;
        } else {
            late = middle;
        }
    }
    early.round(jiff::Unit::Minute).unwrap_or(early)
}

/// Returns the alerts of the open tasks that fell due by `now` and are not yet recorded in
/// the store. When one task has several, only the latest is returned, because it supersedes
/// the earlier ones (an overdue task needs no early warning).
pub fn due_alerts(
    store: &Store,
    policy: &AlertPolicy,
    calendar: &BusinessCalendar,
    now: Timestamp,
) -> Result<Vec<(PlannedAlert, Vec<PlannedAlert>)>, store::Error> {
    let mut due = Vec::new();
    for task in store.tasks(false)? {
        let mut pending = Vec::new();
        for alert in plan_alerts(&task, policy, calendar) {
            let fire_at = alert.fire_at.to_string();
            if alert.fire_at <= now
                && !store.alert_recorded(alert.task_id, &alert.kind, &fire_at)?
            {
                pending.push(alert);
            }
        }
        if let Some(latest) = pending.pop() {
            due.push((latest, pending));
        }
    }
    Ok(due)
}

fn parse_time(text: Option<&str>) -> Option<Timestamp> {
    text?.parse::<Timestamp>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calendar() -> BusinessCalendar {
        BusinessCalendar::with_shipped_closures(Vec::new()).expect("the shipped calendar builds")
    }

    fn task(due_at: &str, warn_at: Option<&str>) -> TaskRow {
        TaskRow {
            id: 7,
            message_id: 3,
            subject: Some("STN 125742/0 amendment".to_owned()),
            kind: "forward-to-rpm".to_owned(),
            title: "Forward the email to the RPM".to_owned(),
            role: "reviewer".to_owned(),
            section: "VI.C.6".to_owned(),
            due_at: Some(due_at.to_owned()),
            warn_at: warn_at.map(str::to_owned),
            status: "open".to_owned(),
            created_at: "2025-03-10T14:00:00Z".to_owned(),
            closed_at: None,
            closed_by: None,
            note: None,
            resolution: None,
            policy: Some(crate::calendar::Policy::Close),
        }
    }

    #[test]
    fn two_business_hours_before_crosses_the_night() {
        // Wednesday 2025-03-12 09:00 EDT: one business hour that morning (from 8:00), and the
        // other hour from 3:30 PM to 4:30 PM on Tuesday.
        let due: Timestamp = "2025-03-12T13:00:00Z".parse().unwrap();

        let fire = business_time_before(&calendar(), due, SignedDuration::from_hours(2));

        assert_eq!(fire, "2025-03-11T19:30:00Z".parse::<Timestamp>().unwrap());
    }

    #[test]
    fn lead_within_the_same_day() {
        // Tuesday 2025-03-11 16:30 EDT minus two business hours is 14:30 EDT.
        let due: Timestamp = "2025-03-11T20:30:00Z".parse().unwrap();

        let fire = business_time_before(&calendar(), due, SignedDuration::from_hours(2));

        assert_eq!(fire, "2025-03-11T18:30:00Z".parse::<Timestamp>().unwrap());
    }

    #[test]
    fn plan_orders_warning_lead_and_overdue() {
        let task = task(
            "2025-03-11T16:30:00-04:00",
            Some("2025-03-11T11:00:00-04:00"),
        );

        let alerts = plan_alerts(&task, &AlertPolicy::default(), &calendar());
        let kinds: Vec<&str> = alerts.iter().map(|a| a.kind.as_str()).collect();

        assert_eq!(kinds, ["early-warning", "lead-120", "overdue"]);
        assert_eq!(alerts[2].fire_at, alerts[2].due_at);
    }

    #[test]
    fn warning_equal_to_due_is_not_planned() {
        let task = task(
            "2025-03-11T16:30:00-04:00",
            Some("2025-03-11T16:30:00-04:00"),
        );

        let alerts = plan_alerts(&task, &AlertPolicy::default(), &calendar());

        assert!(
            alerts.iter().all(|a| a.kind != "early-warning"),
            "{alerts:?}"
        );
    }

    #[test]
    fn closed_or_undated_tasks_have_no_alerts() {
        let mut done = task("2025-03-11T16:30:00-04:00", None);
        done.status = "done".to_owned();
        let mut undated = task("2025-03-11T16:30:00-04:00", None);
        undated.due_at = None;

        assert!(plan_alerts(&done, &AlertPolicy::default(), &calendar()).is_empty());
        assert!(plan_alerts(&undated, &AlertPolicy::default(), &calendar()).is_empty());
    }
}
