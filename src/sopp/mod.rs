//! The SOPP 8119 procedure for incoming regulatory email: identifier detection, the
//! decision tree as data, the facts inferred from a message, and the pure engine that
//! walks the tree to a disposition and its tasks.
//!
//! Everything but [`triage`] is pure. Storing messages and decisions belongs to the store,
//! and business days belong to the calendar module. The engine reaches the calendar only
//! through [`clock::BusinessClock`], and [`triage`] joins the three for a stored message.

pub mod alerts;
pub mod audit;
pub mod clock;
pub mod directory;
pub mod engine;
pub mod facts;
pub mod identifiers;
pub mod mail;
pub mod queue;
pub mod tree;
pub mod triage;

pub use clock::{BusinessClock, ClockError, Deadline};
pub use directory::{Directory, DirectoryEntry, DirectoryError};
pub use engine::{evaluate, Answers, EngineError, Outcome};
pub use facts::{FactKey, MessageFacts, Settings};
pub use identifiers::{Identifier, IdentifierKind, Location};
pub use mail::{facts_from_eml, facts_from_stored, MailError};
pub use tree::{Disposition, Role, Tree, TreeError};
