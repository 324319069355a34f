#!/usr/bin/env bash
# Installs what Regmail needs to build and test on Debian or Ubuntu: a C compiler and
# pkg-config for the bundled SQLite, OpenSSL for the S/MIME test fixtures, and Rust
# through rustup when cargo is missing. Safe to run again; it skips what is present.
set -euo pipefail

packages=(build-essential pkg-config curl ca-certificates openssl python3)

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
