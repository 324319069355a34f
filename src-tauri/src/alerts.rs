//! The alert scheduler: a thread that checks the open tasks, records each alert that fell
//! due and sends it as a desktop notification through `notify-rust`.
//!
//! It keeps running while the main window is hidden. Alerts that fell due while the app
//! was not running are recorded as missed at start and sent as one summary notification.
//! Every alert is recorded before it is sent, so none is sent twice; an acknowledged alert
//! is no longer listed.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use jiff::Timestamp;
use tauri::{AppHandle, Manager};
use tauri_specta::Event;

use regmail::calendar::BusinessCalendar;
use regmail::sopp::alerts::{self as planning, PlannedAlert};
use regmail::sopp::{queue, triage};
use regmail::store::Store;

use crate::ipc::alerts::AlertDto;
use crate::ipc::events::{AlertsFiredEvent, OpenTaskEvent};
use crate::ipc::IpcResult;
use crate::state::{self, AppState};

/// Starts the scheduler thread, which checks for due alerts every `interval`.
pub fn spawn_scheduler(app: AppHandle, db_path: PathBuf, interval: Duration) {
    let spawned = std::thread::Builder::new()
        .name("alerts".to_owned())
        .spawn(move || {
            let mut store = match Store::open(&db_path) {
                Ok(store) => store,
                Err(err) => {
                    tracing::error!(%err, "alert scheduler cannot open the store; no alerts will be sent");
                    return;
                }
            };
            let mut first = true;
            loop {
                match collect_due(&mut store, first, Timestamp::now()) {
                    Ok(alerts) if !alerts.is_empty() => deliver(&app, alerts, first),
                    Ok(_) => {}
                    Err(err) => tracing::warn!(error = %err.message, "alert check failed; retrying"),
                }
                first = false;
                std::thread::sleep(interval);
            }
        });
    if let Err(err) = spawned {
        tracing::error!(%err, "cannot start the alert scheduler");
    }
}

/// Records the alerts that fell due by `now` and returns them. With `missed`, they are
/// recorded as having fallen due while the app was not running.
pub fn collect_due(store: &mut Store, missed: bool, now: Timestamp) -> IpcResult<Vec<AlertDto>> {
    let settings = state::load_settings(store)?;
    let calendar = triage::stored_calendar(store)?;
    let due = planning::due_alerts(store, &settings.alert_policy(), &calendar, now)?;
    let fired_at = now.to_string();

    let mut alerts = Vec::new();
    for (latest, superseded) in due {
        for alert in superseded.iter().chain(std::iter::once(&latest)) {
            store.record_alert(
                alert.task_id,
                &alert.kind,
                &alert.fire_at.to_string(),
                &fired_at,
                missed,
            )?;
        }
        let subject = identifier_or_subject(store, latest.message_id, &calendar, now)?;
        alerts.push(describe(&latest, &subject, &calendar, now, missed));
    }
    Ok(alerts)
}

/// Returns the alerts not yet acknowledged, with their text as of `now`.
pub fn unacknowledged(
    store: &Store,
    calendar: &BusinessCalendar,
    now: Timestamp,
) -> IpcResult<Vec<AlertDto>> {
    let tasks: HashMap<i64, _> = store.tasks(true)?.into_iter().map(|t| (t.id, t)).collect();
    let mut alerts = Vec::new();
    for row in store.unacknowledged_alerts()? {
        let Some(task) = tasks.get(&row.task_id) else {
            continue;
        };
        let (Some(due_at), Ok(fire_at)) = (
            task.due_at
                .as_deref()
                .and_then(|d| d.parse::<Timestamp>().ok()),
            row.fire_at.parse::<Timestamp>(),
        ) else {
            continue;
        };
        let planned = PlannedAlert {
            task_id: task.id,
            message_id: task.message_id,
            title: task.title.clone(),
            kind: row.kind.clone(),
            fire_at,
            due_at,
        };
        let subject = identifier_or_subject(store, task.message_id, calendar, now)?;
        alerts.push(describe(&planned, &subject, calendar, now, row.missed));
    }
    Ok(alerts)
}

fn identifier_or_subject(
    store: &Store,
    message_id: i64,
    calendar: &BusinessCalendar,
    now: Timestamp,
) -> IpcResult<String> {
    let entry = queue::queue_entries(store, &[message_id], calendar, now)?.pop();
    Ok(entry
        .and_then(|e| e.identifiers.first().cloned().or(e.subject))
        .unwrap_or_else(|| format!("message {message_id}")))
}

/// Builds the notification text of `alert`: the identifier, the task, the due time and the
/// business time left.
pub fn describe(
    alert: &PlannedAlert,
    identifier: &str,
    calendar: &BusinessCalendar,
    now: Timestamp,
    missed: bool,
) -> AlertDto {
    let left = calendar.business_time_between(now, alert.due_at).as_secs();
    let heading = match alert.kind.as_str() {
        "overdue" => "Overdue".to_owned(),
        "early-warning" => "Early warning".to_owned(),
        kind => match kind
            .strip_prefix("lead-")
            .and_then(|m| m.parse::<i64>().ok())
        {
            Some(minutes) => format!("Due in {}", format_business(minutes * 60)),
            None => "Reminder".to_owned(),
        },
    };
    let time_left = if left < 0 {
        format!("overdue by {} of business time", format_business(-left))
    } else {
        format!("{} of business time left", format_business(left))
    };
    AlertDto {
        task_id: alert.task_id,
        message_id: alert.message_id,
        kind: alert.kind.clone(),
        title: format!("{heading}: {identifier}"),
        body: format!(
            "{}. Due {}; {time_left}.",
            alert.title,
            calendar.format_eastern(alert.due_at)
        ),
        fire_at: alert.fire_at.to_string(),
        missed,
    }
}

/// Formats business seconds as hours and minutes, such as "2 h 5 min".
pub fn format_business(seconds: i64) -> String {
    let minutes = seconds.max(0) / 60;
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

fn deliver(app: &AppHandle, alerts: Vec<AlertDto>, missed: bool) {
    if missed {
        let summary = AlertDto {
            title: format!(
                "{} Regmail alerts fell due while Regmail was closed",
                alerts.len()
            ),
            body: alerts
                .iter()
                .map(|a| a.title.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            ..alerts[0].clone()
        };
        send(app.clone(), summary);
    } else {
        for alert in &alerts {
            send(app.clone(), alert.clone());
        }
    }
    if let Err(err) = (AlertsFiredEvent { alerts, missed }).emit(app) {
        tracing::warn!(%err, "cannot send alerts to the window");
    }
}

/// Sends `alert` as a desktop notification, with an action that opens its task where the
/// platform supports it.
fn send(app: AppHandle, alert: AlertDto) {
    match show_notification(&alert) {
        Ok(handle) => {
            tracing::info!(task_id = alert.task_id, kind = %alert.kind, "alert sent");
            watch_activation(app, alert, handle);
        }
        Err(err) => {
            tracing::warn!(%err, task_id = alert.task_id, "cannot show the desktop notification")
        }
    }
}

/// Shows `alert` as a desktop notification.
pub fn show_notification(
    alert: &AlertDto,
) -> Result<notify_rust::NotificationHandle, notify_rust::error::Error> {
    let mut notification = notify_rust::Notification::new();
    notification
        .appname("Regmail")
        .summary(&alert.title)
        .body(&alert.body)
        .action("default", "Open task");
    #[cfg(all(unix, not(target_os = "macos")))]
    notification.urgency(if alert.kind == "overdue" {
        notify_rust::Urgency::Critical
    } else {
        notify_rust::Urgency::Normal
    });
    notification.show()
}

#[cfg(all(unix, not(target_os = "macos")))]
fn watch_activation(app: AppHandle, alert: AlertDto, handle: notify_rust::NotificationHandle) {
    // `wait_for_action` blocks until the notification is activated or closed.
    let spawned = std::thread::Builder::new()
        .name("notification".to_owned())
        .spawn(move || {
            handle.wait_for_action(|action| {
                if action == "default" {
                    open_task(&app, alert.task_id, alert.message_id);
                }
            });
        });
    if let Err(err) = spawned {
        tracing::warn!(%err, "cannot watch the notification for activation");
    }
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
fn watch_activation(_app: AppHandle, _alert: AlertDto, _handle: notify_rust::NotificationHandle) {
    // NOTE: notify-rust reports activation only on Linux and the BSDs; elsewhere a click on
    // the notification brings the app forward without opening the task.
}

/// Shows the main window on the task, and acknowledges the task's alerts.
pub fn open_task(app: &AppHandle, task_id: i64, message_id: i64) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.set_focus();
    }
    let state = app.state::<AppState>();
    if let Err(err) = state
        .store()
        .acknowledge_alerts(Some(task_id), &Timestamp::now().to_string())
    {
        tracing::warn!(%err, task_id, "cannot acknowledge the alerts of the task");
    }
    if let Err(err) = (OpenTaskEvent {
        task_id,
        message_id,
    })
    .emit(app)
    {
        tracing::warn!(%err, "cannot ask the window to open the task");
    }
}
