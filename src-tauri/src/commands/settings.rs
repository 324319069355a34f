//! Settings, the RPM directory and calendar closures.

use jiff::civil::{Date, Time};
use jiff::Timestamp;
use tauri::State;

use regmail::calendar::{Closure, ClosureOrigin};
use regmail::sopp::{Directory, DirectoryEntry};

use crate::ipc::settings::{ClosureDto, DirectoryEntryDto, SettingsDto};
use crate::ipc::{ErrorCode, IpcError, IpcResult};
use crate::state::{self, AppState};

/// Returns the reviewer's settings.
#[tauri::command]
#[specta::specta]
pub async fn get_settings(state: State<'_, AppState>) -> IpcResult<SettingsDto> {
    state::load_settings(&state.store())
}

/// Saves the reviewer's settings.
#[tauri::command]
#[specta::specta]
pub async fn save_settings(state: State<'_, AppState>, settings: SettingsDto) -> IpcResult<()> {
    if settings
        .alert_lead_minutes
        .iter()
        .any(|m| *m == 0 || *m > 8 * 60 + 30)
    {
        return Err(IpcError::new(
            ErrorCode::InvalidInput,
            "invalid alert lead time; give business minutes from 1 to 510 (one business day)",
        ));
    }
    state::save_settings(&mut state.store(), &settings)
}

/// Returns the RPM directory.
#[tauri::command]
#[specta::specta]
pub async fn list_directory(state: State<'_, AppState>) -> IpcResult<Vec<DirectoryEntryDto>> {
    Ok(state
        .store()
        .directory()?
        .entries()
        .iter()
        .map(DirectoryEntryDto::from)
        .collect())
}

/// Adds or replaces the RPM directory entries of the CSV file at `path`, and returns how
/// many were written.
#[tauri::command]
#[specta::specta]
pub async fn import_directory(state: State<'_, AppState>, path: String) -> IpcResult<u32> {
    let text = std::fs::read_to_string(&path)?;
    let directory = Directory::parse_csv(&text)?;
    let mut store = state.store();
    let user = state::load_settings(&store)?.user();
    Ok(store.import_directory(&directory, &user, Timestamp::now())? as u32)
}

/// Adds or replaces one RPM directory entry.
#[tauri::command]
#[specta::specta]
pub async fn save_directory_entry(
    state: State<'_, AppState>,
    entry: DirectoryEntryDto,
) -> IpcResult<()> {
    let domains = entry.sponsor_domains.join(";");
    let fields = [
        entry.stn.as_str(),
        entry.product.as_str(),
        entry.sponsor.as_str(),
        domains.as_str(),
        entry.rpm_name.as_str(),
        entry.rpm_email.as_str(),
    ];
    let parsed = DirectoryEntry::new(fields, 1)?;
    let mut store = state.store();
    let user = state::load_settings(&store)?.user();
    store.import_directory(
        &Directory::from_entries(vec![parsed]),
        &user,
        Timestamp::now(),
    )?;
    Ok(())
}

/// Returns the user's closures of the office.
#[tauri::command]
#[specta::specta]
pub async fn list_closures(state: State<'_, AppState>) -> IpcResult<Vec<ClosureDto>> {
    Ok(state
        .store()
        .closures()?
        .iter()
        .map(ClosureDto::from)
        .collect())
}

/// Adds a closure of the office on `closure.date`, for the whole day or a window of it.
#[tauri::command]
#[specta::specta]
pub async fn add_closure(state: State<'_, AppState>, closure: ClosureDto) -> IpcResult<()> {
    let date: Date = parse(&closure.date, "date", "YYYY-MM-DD")?;
    let start: Option<Time> = closure
        .start
        .as_deref()
        .map(|t| parse(t, "start time", "HH:MM"))
        .transpose()?;
    let end: Option<Time> = closure
        .end
        .as_deref()
        .map(|t| parse(t, "end time", "HH:MM"))
        .transpose()?;
    let closure = Closure::partial(
        date,
        start,
        end,
        closure.reason,
        closure.source,
        ClosureOrigin::User,
    )?;
    state.store().add_closure(&closure)?;
    Ok(())
}

/// Removes the user's closures on `date` (`YYYY-MM-DD`).
#[tauri::command]
#[specta::specta]
pub async fn remove_closures(state: State<'_, AppState>, date: String) -> IpcResult<u32> {
    let date: Date = parse(&date, "date", "YYYY-MM-DD")?;
    Ok(state.store().remove_closures(date)? as u32)
}

fn parse<T: std::str::FromStr>(text: &str, what: &str, form: &str) -> IpcResult<T> {
    text.trim().parse().map_err(|_| {
        IpcError::new(
            ErrorCode::InvalidInput,
            format!("invalid {what} {text:?}; expected {form}"),
        )
    })
}
