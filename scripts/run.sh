#!/usr/bin/env bash
# Builds Regmail and opens the desktop app on the given mailbox exports, or on the bundled
# sample mailbox when none is given. The exports are imported first with the `regmail`
# command-line tool, so the app opens on a filled queue.
#
# Usage: scripts/run.sh [MAILBOX...]
# The store is REGMAIL_DB when set, else the platform data folder (see README.md).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-debian.sh
# shellcheck disable=SC1091
[ -f "$HOME/.cargo/env" ] && source "$HOME/.cargo/env"

npm --prefix ui ci --no-audit --no-fund --silent
npm --prefix ui run build --silent
cargo build --release --quiet -p regmail
(cd src-tauri && ../ui/node_modules/.bin/tauri build --no-bundle --ci)

if (($# == 0)) && [ -f samples/cber-sample.mbox ]; then
    set -- samples/cber-sample.mbox
    # The sample's RPM directory, so that triage can name each submission's RPM.
    target/release/regmail directory import samples/directory.csv
fi
if (($# > 0)); then
    target/release/regmail import "$@"
fi
exec target/release/regmail-desktop
