#!/usr/bin/env bash
# Two (or more) builds of mfgcheck, timed against each other on the scan corpus: runs
# alternate between the binaries, so that the machine's swings (a third from one minute
# to the next on a shared VM) fall on all of them alike. Prints, per binary, the CPU per
# bundle (user + system) at the minimum, lower quartile, median and maximum.
#
# Usage: bench/compare.sh [ROUNDS] [JOBS] BINARY...   (defaults: 20 rounds, --jobs 1)
#   e.g. cp target/release/mfgcheck /tmp/new; git stash; cargo build --release
#        bench/compare.sh 30 1 target/release/mfgcheck /tmp/new
# Needs the corpus of bench/scan.sh (target/bench-corpus-10000) and python3 (bench/timed.py).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=20
jobs=1
[[ ${1:-} =~ ^[0-9]+$ ]] && { rounds=$1; shift; }
[[ ${1:-} =~ ^[0-9]+$ ]] && { jobs=$1; shift; }
[ $# -ge 2 ] || { echo "usage: bench/compare.sh [ROUNDS] [JOBS] BINARY BINARY..." >&2; exit 2; }
corpus=target/bench-corpus-10000
[ -d "$corpus/bundles" ] || { echo "no corpus: run bench/scan.sh 10000 first" >&2; exit 2; }
n=$(find "$corpus/bundles" -type f | wc -l)
find "$corpus/bundles" -type f -exec cat {} + > /dev/null # warm the page cache
measure=$(mktemp)
results=$(mktemp)
trap 'rm -f "$measure" "$results"' EXIT
for _ in $(seq "$rounds"); do
  for bin in "$@"; do
    python3 bench/timed.py "$bin" scan "$corpus/bundles" --allowlist "$corpus/allowlist.yaml" \
      --at 2025-01-01 --format jsonl --output /dev/null --jobs "$jobs" > "$measure" || true
    read -r _ user sys _ < <(tail -n 1 "$measure")
    awk -v b="$bin" -v u="$user" -v s="$sys" -v n="$n" 'BEGIN { printf "%s %.1f\n", b, (u + s) * 1e6 / n }' >> "$results"
  done
done
echo "CPU per bundle (us), $rounds alternating runs each, --jobs $jobs, $n bundles"
for bin in "$@"; do
  awk -v b="$bin" '$1 == b { print $2 }' "$results" | sort -n | awk -v b="$bin" '
    { v[NR] = $1 }
    END { printf "%-40s min %6.1f  q1 %6.1f  median %6.1f  max %6.1f\n", b, v[1], v[int(NR / 4) + 1], v[int((NR + 1) / 2)], v[NR] }'
done
