#!/usr/bin/env python3
"""Print the markdown table of an import benchmark from the runs.tsv that bench/import.sh wrote.

Wall time and CPU time (user + system, all threads) are medians over the runs, and msg/s
and MB/s (10^6 bytes) are computed from the median wall time. Peak RSS is the maximum
over the runs, because the memory goal is a limit. Store size is from the last run.
The load column is the highest 1-minute load average seen before a run started: on a
shared machine, a load above the core count means other processes took CPU time from
the measured one.

Usage: summarize.py RUNS_TSV
"""

import csv
import statistics
import sys

# Goals for the ratios: (numerator row, denominator row, minimum ratio).
RATIOS = [
    ("regmail import (mbox)", "parse-only (mail-parser)", 0.25),
    ("regmail import (mbox)", "parse-only (regmail)", None),
    ("regmail import (Maildir)", "notmuch new", 15.0),
    ("regmail import (Maildir)", "mu index", 8.0),
]
RSS_GOAL_MB = 150


def load(path):
    rows = {}
    with open(path, newline="") as source:
        for row in csv.DictReader(source, delimiter="\t"):
            rows.setdefault(row["name"], []).append(row)
    return rows


def summarize(rows):
    summary = {}
    for name, runs in rows.items():
        wall = statistics.median(float(r["wall_s"]) for r in runs)
        cpu = statistics.median(float(r["user_s"]) + float(r["sys_s"]) for r in runs)
        messages = int(runs[0]["messages"])
        input_bytes = int(runs[0]["input_bytes"])
        store = runs[-1]["store_bytes"]
        summary[name] = {
            "runs": len(runs),
            "messages": messages,
            "wall": wall,
            "cpu": cpu,
            "load": max(float(r["load1"]) for r in runs),
            "msg_per_s": messages / wall,
            "mb_per_s": input_bytes / 1e6 / wall,
            "rss_mb": max(int(r["max_rss_kb"]) for r in runs) / 1024,
            "store_mb": int(store) / 1e6 if store else None,
        }
    return summary


def cpu_per_message(row):
    return row["cpu"] / row["messages"]


def print_tables(summary):
    print(
        "| measurement | messages | runs | median wall (s) | median CPU (s) | msg/s | MB/s "
        "| peak RSS (MiB) | store (MB) | max load |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, s in summary.items():
        store = f"{s['store_mb']:,.0f}" if s["store_mb"] is not None else ""
        print(
            f"| {name} | {s['messages']:,} | {s['runs']} | {s['wall']:.2f} | {s['cpu']:.2f} "
            f"| {s['msg_per_s']:,.0f} | {s['mb_per_s']:,.1f} | {s['rss_mb']:,.0f} | {store} "
            f"| {s['load']:.2f} |"
        )

    print()
    # The CPU-time ratio compares CPU seconds per message instead of wall time. It moves
    # less when other processes compete for the cores, but it ignores that the import
    # overlaps parsing and writing on two threads.
    print("| check | measured | goal | met | CPU-time ratio |")
    print("| --- | ---: | ---: | --- | ---: |")
    for numerator, denominator, goal in RATIOS:
        if numerator not in summary or denominator not in summary:
            continue
        ratio = summary[numerator]["msg_per_s"] / summary[denominator]["msg_per_s"]
        cpu_ratio = cpu_per_message(summary[denominator]) / cpu_per_message(summary[numerator])
        goal_text = ""
        met = ""
        if goal is not None:
            goal_text = f"≥ {goal:g}"
            met = "yes" if ratio >= goal else "no"
        print(
            f"| msg/s of {numerator} / {denominator} | {ratio:.2f} | {goal_text} | {met} "
            f"| {cpu_ratio:.2f} |"
        )
    for name in ("regmail import (mbox)", "regmail import (Maildir)"):
        if name in summary:
            rss = summary[name]["rss_mb"]
            met = "yes" if rss < RSS_GOAL_MB else "no"
            print(f"| peak RSS of {name} (MiB) | {rss:.0f} | < {RSS_GOAL_MB} | {met} | |")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: summarize.py RUNS_TSV")
    print_tables(summarize(load(sys.argv[1])))


if __name__ == "__main__":
    main()
