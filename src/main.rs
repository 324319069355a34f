//! The `regmail` command-line tool: a thin layer of subcommands over the core library.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
