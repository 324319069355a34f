#!/usr/bin/env bash
# Runs every check CI runs: formatting, lints and the test suite. The tests read the
# third-party mail corpus in place from REGMAIL_CORPUS (default: ../shared/corpus beside
# the repository) and fail when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-debian.sh
# shellcheck disable=SC1091
[ -f "$HOME/.cargo/env" ] && source "$HOME/.cargo/env"

cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace
