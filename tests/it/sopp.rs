//! The SOPP 8119 module: identifier detection quality and the scenarios of incoming email.

mod identifiers;
mod scenarios;
