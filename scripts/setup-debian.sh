#!/usr/bin/env bash
# Installs what Regmail needs to build and test on Debian or Ubuntu: a C compiler and
# pkg-config for the bundled SQLite, OpenSSL for the S/MIME test fixtures, the WebKitGTK,
# GTK and tray libraries of the desktop app, Node.js for its UI, Xvfb, WebKitWebDriver, a
# D-Bus session and a notification daemon for its end-to-end tests, Rust through rustup
# when cargo is missing, and tauri-driver. Safe to run again; it skips what is present.
set -euo pipefail

packages=(build-essential pkg-config curl ca-certificates openssl python3
    libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev
    libsoup-3.0-dev libxdo-dev webkit2gtk-driver xvfb xauth dbus-x11 dunst libnotify-bin)

# Node.js 20 or newer builds the UI; Debian 12 ships 18, so an older one is not used.
if ! command -v node >/dev/null 2>&1 || (( $(node -p 'process.versions.node.split(".")[0]') < 20 )); then
    echo "Node.js 20 or newer is required for the desktop UI: install it from your distribution or nodejs.org" >&2
    exit 1
fi

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]})); then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        sudo="sudo"
    fi
    echo "installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
    if [ -x "$HOME/.cargo/bin/cargo" ]; then
        echo "cargo is in ~/.cargo/bin; add it to PATH: source \"\$HOME/.cargo/env\"" >&2
    else
        echo "installing Rust with rustup (https://rustup.rs)"
        curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --component clippy,rustfmt
    fi
fi

# shellcheck disable=SC1091
[ -f "$HOME/.cargo/env" ] && source "$HOME/.cargo/env"
if ! command -v tauri-driver >/dev/null 2>&1; then
    echo "installing tauri-driver (the WebDriver bridge for the end-to-end tests)"
    cargo install tauri-driver --locked --quiet
fi
