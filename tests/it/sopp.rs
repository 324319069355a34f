//! The SOPP 8119 procedure: identifier detection quality, the scenarios of incoming email
//! evaluated directly and through the store, and the command-line contract.

mod cli;
mod identifiers;
mod scenarios;
mod store;
