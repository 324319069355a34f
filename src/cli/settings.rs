//! `regmail settings`: one command over the settings of the core that every front end
//! reads, such as the deadline policy, and the settings of drafting outgoing email, which
//! `super::drafts` owns.

use std::io::Write;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use regmail::drafts::settings::DraftSettingKey;
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
        /// The setting: deadline-policy, official-domains, isp-domains, reviewer-name,
        /// reviewer-email, templates-dir or max-quoted-messages.
        key: String,
        /// Print a JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Change one setting; the change is recorded in the audit log.
    Set {
        /// The setting: deadline-policy, official-domains, isp-domains, reviewer-name,
        /// reviewer-email, templates-dir or max-quoted-messages.
        key: String,
        /// The new value. deadline-policy: close (4:30 PM ET on the next business day after
        /// the day of receipt) or elapsed (8 h 30 min of business time after receipt). Lists
        /// of domains are comma-separated.
        value: String,
        #[command(flatten)]
        user: UserArg,
    },
}

/// Runs `regmail settings`.
pub fn run(store: &mut Store, args: SettingsArgs) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match args.action {
        SettingsAction::List { json } => {
            if json {
                // One array: the core settings with whether each is the default, then
                // the settings of drafting.
                let mut all = Vec::new();
                for key in SettingKey::ALL {
                    all.push(serde_json::to_value(store.core_setting(key)?)?);
                }
                let settings = store.draft_settings()?;
                for key in DraftSettingKey::ALL {
                    all.push(serde_json::json!({ "key": key.as_str(), "value": key.value_in(&settings) }));
                }
                print_json(&all)?;
                return Ok(ExitCode::SUCCESS);
            }
            let values = SettingKey::ALL
                .into_iter()
                .map(|key| store.core_setting(key))
                .collect::<Result<Vec<_>, _>>()?;
            for value in &values {
                print_value(&mut out, value)?;
                writeln!(out, "    {}", value.key.description())?;
            }
            drop(out);
            return super::drafts::run_settings(
                store,
                super::drafts::SettingsArgs {
                    action: super::drafts::SettingsAction::List { json: false },
                },
            );
        }
        SettingsAction::Get { key, json } => {
            let Some(key) = SettingKey::parse(&key) else {
                drop(out);
                return super::drafts::run_settings(
                    store,
                    super::drafts::SettingsArgs {
                        action: super::drafts::SettingsAction::Get { key },
                    },
                );
            };
            let value = store.core_setting(key)?;
            if json {
                print_json(&value)?;
            } else {
                writeln!(out, "{}", value.value)?;
            }
        }
        SettingsAction::Set { key, value, user } => {
            let Some(key) = SettingKey::parse(&key) else {
                drop(out);
                return super::drafts::run_settings(
                    store,
                    super::drafts::SettingsArgs {
                        action: super::drafts::SettingsAction::Set { key, value, user },
                    },
                );
            };
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
