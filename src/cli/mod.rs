//! Command-line parsing and dispatch. Each subcommand group lives in its own file and
//! exposes an `Args` type and a `run` function; this file only wires them together.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Regulatory email workbench for FDA CBER staff (SOPP 8119).
#[derive(Debug, Parser)]
#[command(name = "regmail", version, about)]
pub struct Cli {
    /// Path of the SQLite store; defaults to the platform data directory.
    #[arg(long, global = true, env = "REGMAIL_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Suppress progress bars and informational output.
    #[arg(long, short, global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {}

/// Parses the command line, runs the subcommand and maps errors to an exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {}
}
