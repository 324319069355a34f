//! The SOPP 8119 procedure for incoming regulatory email: identifier detection, the
//! decision tree as data, the facts inferred from a message, and the pure engine that
//! walks the tree to a disposition and its tasks.
//!
//! The module does no I/O. Loading messages, storing decisions and computing business
//! days belong to the store and calendar modules; the engine reaches the calendar only
//! through [`engine::BusinessClock`].

pub mod identifiers;
