#!/usr/bin/env bash
# Runs every check CI runs: formatting, lints, the Rust tests, the UI checks and
# component tests, and the desktop end-to-end tests. The tests read the third-party mail
# corpus in place from REGMAIL_CORPUS (default: ../shared/corpus beside the repository)
# and fail when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-debian.sh
# shellcheck disable=SC1091
[ -f "$HOME/.cargo/env" ] && source "$HOME/.cargo/env"

# A CI run builds once from scratch; incremental caches there only cost disk and time.
if [ -n "${CI:-}" ]; then
    export CARGO_INCREMENTAL=0
fi

npm --prefix ui ci --no-audit --no-fund --silent
# The shell embeds ui/dist, so the UI is built before the Rust crates are checked.
npm --prefix ui run build --silent

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace

npm --prefix ui run check
npm --prefix ui test
bash scripts/e2e.sh
