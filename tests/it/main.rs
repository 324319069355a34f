//! Integration tests of the core library, one module per area.
mod calendar;
