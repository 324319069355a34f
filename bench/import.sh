#!/usr/bin/env bash
# Import benchmark: parse-only throughput, full `regmail import` throughput, peak RSS and
# store size on a generated mbox, and `notmuch new` and `mu index` beside `regmail import`
# on the first 10,000 of its messages as a Maildir. Prints a markdown table of medians.
#
# Usage: bench/import.sh [--messages N] [--runs R] [--seed S] [--large] [--no-maildir]
#
# Environment:
#   BENCH_DIR   scratch folder for mailboxes, databases and results
#               (default /tmp/regmail-bench; it must lie outside the repository)
#   SHARED_DIR  folder that contains bench/make_mbox.py, the mailbox generator
#               (default ../shared relative to the repository root)
#
# The script installs nothing. It needs cargo, python3, GNU time (/usr/bin/time),
# notmuch and mu (Debian packages time, notmuch and maildir-utils), and names the
# packages to install when one is missing.
set -euo pipefail

repo_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench_dir=${BENCH_DIR:-/tmp/regmail-bench}
shared_dir=${SHARED_DIR:-$repo_dir/../shared}
generator=$shared_dir/bench/make_mbox.py

messages=100000
runs=3
seed=1
large=false
maildir_compare=true
# Messages copied into the Maildir that notmuch, mu and regmail all index.
maildir_messages=10000
# --large: 300,000 messages make an mbox of about 4.7 GB (4.4 GiB), over the 4 GiB mark
# where 32-bit offsets and sizes would wrap.
large_messages=300000
large_min_bytes=$((4 * 1024 * 1024 * 1024))

usage() {
    cat <<EOF
usage: bench/import.sh [--messages N] [--runs R] [--seed S] [--large] [--no-maildir]

  --messages N   messages in the generated mbox (default 100000)
  --runs R       repetitions of every measurement; the table shows medians (default 3)
  --seed S       seed given to make_mbox.py (default 1)
  --large        generate $large_messages messages (an mbox over 4 GiB), run once,
                 and skip the Maildir comparison unless --runs is also given
  --no-maildir   skip notmuch, mu and the Maildir import

BENCH_DIR (default /tmp/regmail-bench) is the scratch folder; SHARED_DIR (default
../shared next to the repository) contains bench/make_mbox.py.
EOF
}

invocation="bench/import.sh${*:+ $*}"
runs_given=false
while [[ $# -gt 0 ]]; do
    case $1 in
        --messages) messages=${2:?--messages needs a number}; shift 2 ;;
        --runs) runs=${2:?--runs needs a number}; runs_given=true; shift 2 ;;
        --seed) seed=${2:?--seed needs a number}; shift 2 ;;
        --large) large=true; shift ;;
        --no-maildir) maildir_compare=false; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "error: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
done
for value in "$messages" "$runs" "$seed"; do
    if ! [[ $value =~ ^[0-9]+$ ]] || [[ $value -lt 1 ]]; then
        echo "error: --messages, --runs and --seed take a positive whole number, got '$value'" >&2
        exit 2
    fi
done
if $large; then
    messages=$large_messages
    if ! $runs_given; then
        runs=1
        maildir_compare=false
    fi
fi

# --- tools ---------------------------------------------------------------------------
missing=()
command -v cargo >/dev/null || missing+=("cargo (install Rust with rustup)")
command -v python3 >/dev/null || missing+=("python3 (apt-get install python3)")
[[ -x /usr/bin/time ]] || missing+=("/usr/bin/time (apt-get install time)")
if $maildir_compare; then
    command -v notmuch >/dev/null || missing+=("notmuch (apt-get install notmuch)")
    command -v mu >/dev/null || missing+=("mu (apt-get install maildir-utils)")
fi
if [[ ${#missing[@]} -gt 0 ]]; then
    echo "error: missing tools:" >&2
    printf '  %s\n' "${missing[@]}" >&2
    exit 1
fi
if [[ ! -f $generator ]]; then
    echo "error: mailbox generator not found at $generator; set SHARED_DIR to the folder that contains bench/make_mbox.py" >&2
    exit 1
fi

bench_dir=$(realpath -m "$bench_dir")
case $bench_dir/ in
    "$repo_dir"/*)
        echo "error: BENCH_DIR ($bench_dir) is inside the repository; choose a folder outside it" >&2
        exit 1 ;;
esac
mkdir -p "$bench_dir"

# --- mailbox -------------------------------------------------------------------------
data_dir=$bench_dir/data
mkdir -p "$data_dir"
mbox=$data_dir/synth-$messages-seed$seed.mbox
# Generated files are deterministic for a given count and seed, so they are reused.
if [[ ! -f $mbox ]]; then
    # Room for the mbox (~15.7 KB a message) and a store of about 1.5 times that.
    need_kb=$((messages * 16 * 5 / 2))
    free_kb=$(df -Pk "$bench_dir" | awk 'NR == 2 { print $4 }')
    if [[ $free_kb -lt $need_kb ]]; then
        echo "error: $bench_dir has $((free_kb / 1024)) MiB free; about $((need_kb / 1024)) MiB are needed for $messages messages" >&2
        exit 1
    fi
    echo "generating $mbox ($messages messages, seed $seed)" >&2
    python3 "$generator" --messages "$messages" --seed "$seed" --out "$mbox.part"
    mv "$mbox.part" "$mbox"
fi
mbox_bytes=$(stat -c %s "$mbox")
# The store of the import is about 1.5 times the mbox size (1.42 measured with seed 1).
store_kb=$((mbox_bytes * 3 / 2 / 1024))
free_kb=$(df -Pk "$bench_dir" | awk 'NR == 2 { print $4 }')
if [[ $free_kb -lt $store_kb ]]; then
    echo "error: $bench_dir has $((free_kb / 1024)) MiB free; the store of $mbox needs about $((store_kb / 1024)) MiB" >&2
    exit 1
fi
if $large && [[ $mbox_bytes -le $large_min_bytes ]]; then
    echo "error: $mbox has $mbox_bytes bytes, not over 4 GiB; raise large_messages in this script" >&2
    exit 1
fi

# --- build ---------------------------------------------------------------------------
echo "building release binaries" >&2
(cd "$repo_dir" && cargo build --release --quiet --bin regmail --example parse_only)
regmail=$repo_dir/target/release/regmail
parse_only=$repo_dir/target/release/examples/parse_only

# --- results folder ------------------------------------------------------------------
stamp=$(date -u +%Y%m%dT%H%M%SZ)
results=$bench_dir/results/$stamp
work=$bench_dir/work
mkdir -p "$results"
rm -rf "$work"
mkdir -p "$work"
runs_file=$results/runs.tsv
printf 'run\tname\tmessages\tinput_bytes\twall_s\tuser_s\tsys_s\tmax_rss_kb\tstore_bytes\tload1\n' >"$runs_file"

# Runs a command under GNU time; its standard output goes to $2. Sets the globals
# wall_s, user_s, sys_s, max_rss_kb and load1 (the 1-minute load average before the
# command started, which shows how busy the machine was).
timed() {
    local label=$1 output=$2
    shift 2
    local time_file=$results/$label.time
    # Write out what earlier commands left dirty, so that no command waits on another's
    # writeback when it syncs its own files.
    sync
    read -r load1 _ </proc/loadavg
    if ! /usr/bin/time -f '%e %U %S %M' -o "$time_file" "$@" >"$output" 2>"$results/$label.stderr"; then
        echo "error: $label failed; see $results/$label.stderr" >&2
        cat "$results/$label.stderr" >&2
        exit 1
    fi
    read -r wall_s user_s sys_s max_rss_kb <"$time_file"
}

record() {
    local run=$1 name=$2 count=$3 bytes=$4 store=$5
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$name" "$count" "$bytes" \
        "$wall_s" "$user_s" "$sys_s" "$max_rss_kb" "$store" "$load1" >>"$runs_file"
    printf '  %-26s %8.2f s wall %8.2f s CPU %6d MiB RSS  load %s\n' "$name" "$wall_s" \
        "$(awk -v u="$user_s" -v s="$sys_s" 'BEGIN { print u + s }')" "$((max_rss_kb / 1024))" "$load1" >&2
}

# Checks that an import report accounts for every message and imported `expected`.
check_import() {
    local report=$1 expected=$2
    python3 - "$report" "$expected" <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
expected = int(sys.argv[2])
found = report["found"]
accounted = report["imported"] + report["duplicates"] + len(report["quarantined"])
if found != expected or accounted != found:
    sys.exit(f"error: import found {found} messages (expected {expected}); "
             f"imported {report['imported']}, duplicates {report['duplicates']}, "
             f"quarantined {len(report['quarantined'])}")
EOF
}

# Size of a store: the database, its search index file, and their WAL and shared-memory
# files, if any.
store_size() {
    local total=0 file
    for file in "$1" "$1-wal" "$1-shm" "$1-search" "$1-search-wal" "$1-search-shm"; do
        [[ -f $file ]] && total=$((total + $(stat -c %s "$file")))
    done
    echo "$total"
}

# --- Maildir of the first messages ---------------------------------------------------
if $maildir_compare; then
    maildir=$data_dir/synth-$messages-seed$seed.head$maildir_messages.maildir
    if [[ ! -d $maildir ]]; then
        echo "writing the first $maildir_messages messages to $maildir" >&2
        python3 "$repo_dir/bench/mbox_to_maildir.py" "$mbox" "$maildir.part" "$maildir_messages" >/dev/null
        mv "$maildir.part" "$maildir"
    fi
    maildir_bytes=$(du -sb "$maildir/cur" | cut -f1)
    notmuch_config=$work/notmuch-config
    notmuch_db=$work/notmuch
    cat >"$notmuch_config" <<EOF
[database]
path=$notmuch_db
mail_root=$maildir
[user]
name=Regmail Benchmark
primary_email=bench@example.com
[new]
tags=inbox;unread;
ignore=
[search]
exclude_tags=
[maildir]
synchronize_flags=true
EOF
fi

# --- runs ----------------------------------------------------------------------------
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "command: $invocation"
    echo "settings: $messages messages, $runs runs, seed $seed, Maildir comparison: $($maildir_compare && echo "$maildir_messages messages" || echo no)"
    echo "commit: $(git -C "$repo_dir" rev-parse --short HEAD)$(git -C "$repo_dir" diff --quiet HEAD -- src Cargo.toml Cargo.lock || echo ' (with uncommitted changes)')"
    echo "cpu: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
    echo "memory: $(free -g | awk '/^Mem:/ { print $2 }') GiB"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "mbox: $mbox ($mbox_bytes bytes)"
    echo "rustc: $(rustc --version)"
    if $maildir_compare; then
        echo "notmuch: $(notmuch --version)"
        echo "mu: $(mu --version | head -n1)"
    fi
} >"$results/environment.txt"

# Reading the mbox once puts it in the page cache, so every run reads it warm.
cat "$mbox" >/dev/null
db=$work/regmail.db
for run in $(seq "$runs"); do
    echo "run $run of $runs" >&2
    for mode in mail-parser regmail; do
        timed "parse-$mode-$run" "$results/parse-$mode-$run.json" \
            "$parse_only" --mode "$mode" "$mbox"
        record "$run" "parse-only ($mode)" "$messages" "$mbox_bytes" ""
    done

    rm -f "$db" "$db"-*
    timed "import-mbox-$run" "$results/import-mbox-$run.json" \
        "$regmail" --db "$db" import "$mbox" --json -q
    check_import "$results/import-mbox-$run.json" "$messages"
    record "$run" "regmail import (mbox)" "$messages" "$mbox_bytes" "$(store_size "$db")"

    if $maildir_compare; then
        rm -rf "$notmuch_db"
        mkdir -p "$notmuch_db"
        timed "notmuch-$run" /dev/null env NOTMUCH_CONFIG="$notmuch_config" notmuch new --quiet
        record "$run" "notmuch new" "$maildir_messages" "$maildir_bytes" \
            "$(du -sb "$notmuch_db" | cut -f1)"

        muhome=$work/mu
        rm -rf "$muhome"
        mu init --quiet --muhome="$muhome" --maildir="$maildir" --my-address=bench@example.com >/dev/null
        timed "mu-$run" /dev/null mu index --quiet --muhome="$muhome"
        record "$run" "mu index" "$maildir_messages" "$maildir_bytes" "$(du -sb "$muhome" | cut -f1)"

        maildir_db=$work/regmail-maildir.db
        rm -f "$maildir_db" "$maildir_db"-*
        timed "import-maildir-$run" "$results/import-maildir-$run.json" \
            "$regmail" --db "$maildir_db" import "$maildir" --json -q
        check_import "$results/import-maildir-$run.json" "$maildir_messages"
        record "$run" "regmail import (Maildir)" "$maildir_messages" "$maildir_bytes" \
            "$(store_size "$maildir_db")"
    fi
done

python3 "$repo_dir/bench/summarize.py" "$runs_file" >"$results/table.md"
cat "$results/environment.txt"
echo
cat "$results/table.md"
echo
echo "per-run numbers: $runs_file" >&2
