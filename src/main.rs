//! The `regmail` command-line tool.

fn main() {}
