#!/usr/bin/env bash
# Regenerates the README's screenshots in docs/screenshots/, one per screen, from the real
# app on the bundled sample mailbox, in a window of the default size under Xvfb. Run it
# after a change to what a screen shows, and commit the new images.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck disable=SC1091
[ -f "$HOME/.cargo/env" ] && source "$HOME/.cargo/env"

npm --prefix ui ci --no-audit --no-fund --silent
npm --prefix ui run build --silent
cargo build --quiet -p regmail
(cd src-tauri && ../ui/node_modules/.bin/tauri build --debug --no-bundle --ci)

# The app sends its alerts over the session bus, so it gets one with a notification daemon.
xvfb-run -a -s "-screen 0 1400x900x24" dbus-run-session -- bash -c '
    dunst -config /dev/null >/tmp/regmail-dunst.log 2>&1 &
    dunst_pid=$!
    trap "kill $dunst_pid" EXIT
    sleep 1
    node ui/e2e/screenshots.mjs target/debug/regmail-desktop target/debug/regmail
'
