//! The import job: one import at a time, on its own thread with its own store connection,
//! so the UI stays responsive and other commands keep working while it runs.

use std::path::{Path, PathBuf};

use tauri::{AppHandle, Manager};
use tauri_specta::Event;

use regmail::import::{self, ImportOptions};
use regmail::store::Store;

use crate::ipc::events::{ImportFinishedEvent, ImportProgressEvent};
use crate::ipc::import::{ImportProgressDto, ImportReportDto, ImportStatusDto};
use crate::ipc::{ErrorCode, IpcError, IpcResult};
use crate::smime::SmimeState;
use crate::state::AppState;

/// Starts importing `paths` on a background thread.
///
/// # Errors
///
/// Returns [`ErrorCode::Busy`] while another import runs, and [`ErrorCode::InvalidInput`]
/// when `paths` is empty.
pub fn start_import(app: AppHandle, state: &AppState, paths: Vec<String>) -> IpcResult<()> {
    if paths.is_empty() {
        return Err(IpcError::new(
            ErrorCode::InvalidInput,
            "no files or folders to import; choose or drop at least one",
        ));
    }
    {
        let mut status = state.import_status();
        if status.running {
            return Err(IpcError::new(
                ErrorCode::Busy,
                "an import is already running; wait for it to finish",
            ));
        }
        *status = ImportStatusDto {
            running: true,
            ..ImportStatusDto::default()
        };
    }
    let db_path = state.db_path().to_path_buf();
    tracing::info!(paths = paths.len(), "import started");
    let spawned = std::thread::Builder::new()
        .name("import".to_owned())
        .spawn(move || {
            let result = run(&app, &db_path, paths);
            finish(&app, result);
        });
    if let Err(err) = spawned {
        state.import_status().running = false;
        return Err(err.into());
    }
    Ok(())
}

fn run(app: &AppHandle, db_path: &Path, paths: Vec<String>) -> IpcResult<ImportReportDto> {
    let mut store = Store::open(db_path)?;
    let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    let plan = import::plan(&paths)?;
    let state = app.state::<AppState>();
    // Signed messages are verified against the trust store, and encrypted ones decrypted
    // with the keys unlocked when the import starts.
    let session = app.state::<SmimeState>().session(&store)?;
    let report = import::run_with_smime(
        &mut store,
        plan,
        ImportOptions::default(),
        &session,
        &mut |progress| {
            let progress = ImportProgressDto::from(progress);
            state.import_status().progress = Some(progress);
            if let Err(err) = (ImportProgressEvent { progress }).emit(app) {
                tracing::warn!(%err, "cannot send import progress to the window");
            }
        },
    )?;
    Ok(ImportReportDto::from(&report))
}

fn finish(app: &AppHandle, result: IpcResult<ImportReportDto>) {
    let state = app.state::<AppState>();
    let event = {
        let mut status = state.import_status();
        status.running = false;
        match result {
            Ok(report) => {
                tracing::info!(
                    found = report.found,
                    imported = report.imported,
                    "import finished"
                );
                status.report = Some(report.clone());
                ImportFinishedEvent {
                    report: Some(report),
                    error: None,
                }
            }
            Err(err) => {
                status.error = Some(err.message.clone());
                ImportFinishedEvent {
                    report: None,
                    error: Some(err.into()),
                }
            }
        }
    };
    if let Err(err) = event.emit(app) {
        tracing::warn!(%err, "cannot send the import report to the window");
    }
}
