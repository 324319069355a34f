//! Tauri commands, one file per screen. Each command locks the store, calls one core
//! function and converts the result to a transport type; errors become [`IpcError`].
//!
//! [`IpcError`]: crate::ipc::IpcError

pub mod alerts;
pub mod decision;
pub mod drafts;
pub mod import;
pub mod messages;
pub mod settings;
pub mod smime;
pub mod tasks;
