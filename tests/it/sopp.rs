//! The SOPP 8119 procedure: identifier detection quality, the scenarios of incoming email
//! evaluated directly and through the store, the deadline policy, the review queue,
//! quarantined messages, the deletion of emails not accepted, and the command-line contract.

mod cli;
mod deletion;
mod identifiers;
mod policy;
mod quarantine;
mod queue;
mod scenarios;
mod store;
