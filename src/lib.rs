//! Regmail core: the regulatory email workbench for FDA CBER staff working under
//! SOPP 8119 ("Use of Email for Regulatory Communications", version 11, effective
//! April 9, 2024).
//!
//! The core has no GUI and no Tauri dependency, so every rule can be tested headless.
//! The `regmail` command-line tool and the desktop shell are thin layers over it.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod calendar;
pub mod drafts;
pub mod import;
pub mod mailbox;
pub mod message;
pub mod smime;
pub mod smime_session;
pub mod sopp;
pub mod store;
