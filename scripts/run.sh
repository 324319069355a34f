#!/usr/bin/env bash
# Builds Regmail, imports the given mailbox exports (or the bundled sample mailbox when
# none is given) into the store, and lists the messages.
#
# Usage: scripts/run.sh [MAILBOX...]
# The store is REGMAIL_DB when set, else the platform data folder (see README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-debian.sh
# shellcheck disable=SC1091
[ -f "$HOME/.cargo/env" ] && source "$HOME/.cargo/env"

cargo build --release --quiet
regmail=target/release/regmail

if (($# == 0)); then
    set -- samples/cber-sample.mbox
    # The sample's RPM directory, so that triage can name each submission's RPM.
    "$regmail" directory import samples/directory.csv
fi
"$regmail" import "$@"
"$regmail" list --limit 50
