//! `regmail settings`: the settings of the core that every front end reads, such as the
//! deadline policy.

use std::io::Write;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use regmail::store::{SettingKey, SettingValue, Store};

use super::mail::print_json;
use super::sopp::UserArg;

/// Arguments of `regmail settings`.
#[derive(Debug, Args)]
pub struct SettingsArgs {
    #[command(subcommand)]
    pub action: SettingsAction,
}

/// `regmail settings` subcommands.
#[derive(Debug, Subcommand)]
pub enum SettingsAction {
    /// List every setting with its value and whether it is the default.
    List {
        /// Print a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Print the value of one setting.
    Get {
        /// The setting.
        key: KeyArg,
        /// Print a JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Change one setting; the change is recorded in the audit log.
    Set {
        /// The setting.
        key: KeyArg,
        /// The new value. deadline-policy: close (4:30 PM ET on the next business day after
        /// the day of receipt) or elapsed (8 h 30 min of business time after receipt).
        value: String,
        #[command(flatten)]
        user: UserArg,
    },
}

/// The setting names accepted on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KeyArg {
    /// The rule that turns "within one business day" into a due time: close or elapsed.
    DeadlinePolicy,
}

impl From<KeyArg> for SettingKey {
    fn from(arg: KeyArg) -> SettingKey {
        match arg {
            KeyArg::DeadlinePolicy => SettingKey::DeadlinePolicy,
        }
    }
}

/// Runs `regmail settings`.
pub fn run(store: &mut Store, args: SettingsArgs) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match args.action {
        SettingsAction::List { json } => {
            let values = SettingKey::ALL
                .into_iter()
                .map(|key| store.core_setting(key))
                .collect::<Result<Vec<_>, _>>()?;
            if json {
                print_json(&values)?;
                return Ok(ExitCode::SUCCESS);
            }
            for value in &values {
                print_value(&mut out, value)?;
                writeln!(out, "    {}", value.key.description())?;
            }
        }
        SettingsAction::Get { key, json } => {
            let value = store.core_setting(key.into())?;
            if json {
                print_json(&value)?;
            } else {
                writeln!(out, "{}", value.value)?;
            }
        }
        SettingsAction::Set { key, value, user } => {
            let key = SettingKey::from(key);
            let changed =
                store.save_core_setting(key, value.trim(), &user.name(), jiff::Timestamp::now())?;
            if changed {
                writeln!(out, "{key} set to {}.", value.trim())?;
                if key == SettingKey::DeadlinePolicy {
                    writeln!(
                        out,
                        "Open tasks keep their due times until their message is triaged again."
                    )?;
                }
            } else {
                writeln!(out, "{key} is already {}; nothing changed.", value.trim())?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_value(out: &mut impl Write, value: &SettingValue) -> std::io::Result<()> {
    let origin = if value.is_default { " (default)" } else { "" };
    writeln!(out, "{:<16} {}{origin}", value.key, value.value)
}
