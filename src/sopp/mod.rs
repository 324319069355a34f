//! The SOPP 8119 procedure for incoming regulatory email: identifier detection, the
//! decision tree as data, the facts inferred from a message, and the pure engine that
//! walks the tree to a disposition and its tasks.
//!
//! The module does no I/O. Loading messages, storing decisions and computing business
//! days belong to the store and calendar modules; the engine reaches the calendar only
//! through [`engine::BusinessClock`].

pub mod clock;
pub mod directory;
pub mod engine;
pub mod facts;
pub mod identifiers;
pub mod mail;
pub mod tree;

pub use clock::{BusinessClock, ClockError, Deadline};
pub use directory::{Directory, DirectoryEntry, DirectoryError};
pub use engine::{evaluate, Answers, EngineError, Outcome};
pub use facts::{FactKey, MessageFacts, Settings};
pub use identifiers::{Identifier, IdentifierKind, Location};
pub use mail::{facts_from_eml, MailError};
pub use tree::{Disposition, Role, Tree, TreeError};
