#!/usr/bin/env bash
# Builds the desktop app with its UI embedded and runs the end-to-end tests in a real
# window under Xvfb: the WebDriver run (tauri-driver + WebKitWebDriver), then the
# notification test against a real notification daemon on a private D-Bus session bus.
# Screenshots of each screen are written to docs/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck disable=SC1091
[ -f "$HOME/.cargo/env" ] && source "$HOME/.cargo/env"

npm --prefix ui ci --no-audit --no-fund --silent
npm --prefix ui run build --silent
# `tauri build --debug` embeds ui/dist in a debug build, which compiles faster than release.
(cd src-tauri && ../ui/node_modules/.bin/tauri build --debug --no-bundle --ci)

# WebKitGTK needs a display and a session bus; the app's alerts use the bus too.
xvfb-run -a -s "-screen 0 1400x900x24" dbus-run-session -- bash -c '
    set -e
    dunst -config /dev/null >/tmp/regmail-dunst.log 2>&1 &
    dunst_pid=$!
    trap "kill $dunst_pid" EXIT
    sleep 1
    node ui/e2e/run.mjs target/debug/regmail-desktop
    REGMAIL_NOTIFY_TEST=1 cargo test -p regmail-desktop --test notification
'
