//! Transport types: what crosses the IPC boundary, built from core types with `From`
//! impls. Field names are camelCase in JSON and TypeScript; times are RFC 3339 strings,
//! and each due time also comes formatted in Eastern Time for display.

pub mod alerts;
pub mod decision;
pub mod drafts;
pub mod error;
pub mod events;
pub mod import;
pub mod message;
pub mod queue;
pub mod settings;
pub mod smime;
pub mod tasks;

pub use error::{ErrorCode, IpcError, IpcResult};
