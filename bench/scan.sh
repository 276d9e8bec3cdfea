#!/usr/bin/env bash
# Scan throughput: mfgcheck scan on a generated corpus of N three-certificate RSA-2048
# bundles sharing 40 intermediates and 4 roots, on one core and on all of them, each
# beside the floor of the same moment (the skeleton of examples/scan_floor.rs, and one
# RSA-2048 verification by `openssl speed`), with the goal of each figure met or missed,
# as set and scaled to that floor; then the same work done by `openssl verify`
# in a per-file loop and by a Python `cryptography` script (each run when installed; on
# the first PEERS files, default 1000, and reported per second).
#
# Usage: bench/scan.sh [N]   (default 10000; the corpus is kept in target/bench-corpus-N)
# Needs python3 with `cryptography` to make the corpus, and python3 for the CPU time
# (bench/timed.py); GNU time for the peak memory; valgrind (optional) for the
# instruction count. NO_VALGRIND=1 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
peers=${PEERS:-1000}
corpus=target/bench-corpus-$n
if [ ! -d "$corpus/bundles" ]; then
  echo "making the corpus ($n bundles) in $corpus ..." >&2
  python3 bench/make_corpus.py "$corpus" "$n"
fi
# The binary as `cargo build --release` and `cargo install` make it. Built together with
# the example, it would get the features the dev-dependencies turn on (regex's Unicode
# tables, hyper's client): 0.54 MB larger, and 6% more CPU on 2 cores (12 alternating
# rounds, lower without them in 9), 2% with --jobs 1. So two builds, the example second:
# building it leaves target/release/mfgcheck as it is.
cargo build --release --quiet --bin mfgcheck
cargo build --release --quiet --example scan_floor
bin=target/release/mfgcheck
skeleton=target/release/examples/scan_floor
find "$corpus/bundles" -type f -exec cat {} + > /dev/null # warm the page cache
args=(scan "$corpus/bundles" --allowlist "$corpus/allowlist.yaml" --at 2025-01-01 --format jsonl --output /dev/null)

measure=$(mktemp)
trap 'rm -f "$measure"' EXIT

rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%8.0f bundles/s", n / s }'; }

echo "mfgcheck $($bin --version | cut -d' ' -f2), $(nproc) cores, $n bundles"
# Two floors, because the machine's speed moves from minute to minute (by a third on a
# shared VM), and each is measured again beside every timed run:
# - one RSA-2048 verification, as `openssl speed` gives it: what every bundle's leaf
#   costs at least;
# - the skeleton (examples/scan_floor.rs): the least work any checker must do per bundle
#   (read the file, decode and parse the leaf, verify its signature with its issuer's
#   key, set up once), on the same libraries and threads, with nothing else. Run just
#   before mfgcheck, with the same number of threads, its figures are the floor of that
#   moment, on one core and on all of them.
floor_now() {
  command -v openssl >/dev/null 2>&1 || return 0
  openssl speed -seconds 1 rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ { sub(/s$/, "", $5); printf "%.1f", $5 * 1e6 }'
}
# Times one run: sets secs, cpu (us per bundle; empty without python3) and rss (KB), to
# the microsecond by bench/timed.py (GNU time cuts to hundredths of a second, in the
# run's favour: up to 5% of a 0.2 s scan).
timed() {
  if command -v python3 >/dev/null 2>&1; then
    python3 bench/timed.py "$@" > "$measure" || true
    read -r secs user sys rss < <(tail -n 1 "$measure")
    cpu=$(awk -v u="$user" -v s="$sys" -v n="$n" 'BEGIN { printf "%.1f", (u + s) * 1e6 / n }')
  else
    local start
    start=$(date +%s%N)
    "$@" > /dev/null 2>&1 || true
    secs=$(awk -v ns=$(( $(date +%s%N) - start )) 'BEGIN { print ns / 1e9 }')
    cpu=
    rss=
  fi
}
line() { # label secs cpu rss [extra]
  printf '%-40s %7.3f s  %s  CPU %s us/bundle%s  peak RSS %s KB\n' "$1" "$2" "$(rate "$n" "$2")" "${3:-?}" "${5:-}" "${4:-?}"
}
# Steal and all CPU ticks so far (Linux): a shared VM's host can take the CPUs away,
# which slows wall times and not CPU times, so the rounds say how much it took.
ticks() { [ -r /proc/stat ] && awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print $9, t }' /proc/stat; }
# Whether the number $1 is less than $2.
less() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
# The median of a few numbers, one per line.
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }'; }
rounds=${ROUNDS:-5}
for jobs in 1 0; do
  # Rounds of the RSA floor, the skeleton and then mfgcheck. The best run of each is
  # printed; mfgcheck is set against the skeleton round by round (the two runs of a
  # round are seconds apart, at the same speed of the machine), and the median of the
  # rounds' ratios printed.
  best=
  floor_secs=
  cpu_ratios=
  rate_ratios=
  before=$(ticks || true)
  # mfgcheck's --jobs takes 1 and up (its default is one per core); the skeleton's 0 is all cores.
  mjobs=$jobs
  [ "$jobs" = 0 ] && mjobs=$(nproc)
  for _ in $(seq "$rounds"); do
    this_floor=$(floor_now)
    timed "$skeleton" "$corpus/bundles" "$jobs"
    if [ -z "$floor_secs" ] || less "$secs" "$floor_secs"; then
      floor_secs=$secs; floor_cpu=$cpu; floor_rss=$rss
    fi
    skeleton_secs=$secs; skeleton_cpu=$cpu
    timed "$bin" "${args[@]}" --jobs "$mjobs"
    if [ -z "$best" ] || less "$secs" "$best"; then
      best=$secs; best_cpu=$cpu; best_rss=$rss; floor=$this_floor
    fi
    if [ -n "$cpu" ] && [ -n "$skeleton_cpu" ]; then
      cpu_ratios+="$(awk -v a="$cpu" -v b="$skeleton_cpu" 'BEGIN { print a / b }')"$'\n'
    fi
    rate_ratios+="$(awk -v a="$skeleton_secs" -v b="$secs" 'BEGIN { print a / b }')"$'\n'
  done
  cores="--jobs 1"
  [ "$jobs" = 0 ] && cores="all cores"
  # The goal of 45 us was set when the RSA floor was 23 us: 1.96 RSA floors.
  extra=
  [ -n "$floor" ] && [ -n "$best_cpu" ] && extra=$(awk -v c="$best_cpu" -v f="$floor" \
    'BEGIN { printf "; %.2f RSA floors of %s us", c / f, f }')
  skeletons=$(printf '%s' "$cpu_ratios" | median)
  share=$(printf '%s' "$rate_ratios" | median)
  extra+=$(awk -v k="$skeletons" -v r="$share" -v n="$rounds" \
    'BEGIN { printf "; by round, median of %d: ", n; if (k != "") printf "%.2f skeletons of CPU, ", k; printf "%.0f%% of its rate", 100 * r }')
  line "floor: skeleton ($cores)" "$floor_secs" "$floor_cpu" "$floor_rss"
  line "mfgcheck scan ($cores)" "$best" "$best_cpu" "$best_rss" " (${extra#; })"
  # Issue 12's goals, on the best run: at most 45 us of CPU per bundle with --jobs 1, at
  # least 40,000 bundles/s on all cores (set on this 2-core machine). They were set when
  # the floor was "about 30 us" per bundle, as the skeleton takes in this machine's fast
  # stretches: 45 us is 1.5 floors, and 40,000/s is 60% of the 66,667/s of two cores at
  # the floor. In its slow stretches the skeleton itself takes up to 44 us, so each goal
  # is also given scaled to the floor of the moment, from the rounds' medians above: a
  # miss there is the scan's, a miss only of the goal as set may be the machine's.
  if [ "$jobs" = 1 ]; then
    [ -n "$best_cpu" ] && awk -v c="$best_cpu" 'BEGIN { printf "%-40s %s (%.1f us)\n", "  goal: at most 45 us per bundle", (c <= 45 ? "met" : "MISSED"), c }'
    [ -n "$skeletons" ] && awk -v k="$skeletons" 'BEGIN { printf "%-40s %s (%.2f skeletons of CPU, at most 1.5)\n", "  scaled to this moment\047s floor", (k <= 1.5 ? "met" : "MISSED"), k }'
  else
    awk -v n="$n" -v s="$best" -v k="$(nproc)" 'BEGIN { r = n / s; printf "%-40s %s (%.0f/s on %d cores)\n", "  goal: at least 40,000 bundles/s", (r >= 40000 ? "met" : "MISSED"), r, k }'
    [ -n "$share" ] && awk -v r="$share" 'BEGIN { printf "%-40s %s (%.0f%% of the skeleton\047s rate, at least 60%%)\n", "  scaled to this moment\047s floor", (r >= 0.6 ? "met" : "MISSED"), 100 * r }'
  fi
  after=$(ticks || true)
  if [ -n "$before" ] && [ -n "$after" ]; then
    echo "$before $after" | awk '$4 > $2 { printf "%-40s %.1f%% of the CPU time of these rounds\n", "  steal (taken by the VM host)", 100 * ($3 - $1) / ($4 - $2) }'
  fi
done

# Instructions per bundle on the first directory (1,000 bundles), under callgrind: unlike
# times, the count does not move with the load of a shared machine. Valgrind runs the
# portable SHA code (no SHA extensions) and RSA without ADX, so the count overstates those.
if command -v valgrind >/dev/null 2>&1 && [ -z "${NO_VALGRIND:-}" ]; then
  first=$(find "$corpus/bundles" -mindepth 1 -maxdepth 1 -type d | sort | head -n 1)
  files=$(find "$first" -type f | wc -l)
  ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" scan "$first" --allowlist "$corpus/allowlist.yaml" \
        --at 2025-01-01 --format jsonl --output /dev/null --jobs 1 2>&1 | awk '/refs:/ { gsub(",", "", $NF); print $NF }' || true)
  [ -n "$ir" ] && printf '%-40s %7.0f k instructions per bundle (callgrind, %d bundles)\n' "mfgcheck scan --jobs 1" "$(awk -v i="$ir" -v n="$files" 'BEGIN { print i / n / 1000 }')" "$files"
fi

m=$(( n < peers ? n : peers ))
files=$(find "$corpus/bundles" -type f | sort | head -n "$m" || true)
if command -v openssl >/dev/null 2>&1; then
  start=$(date +%s%N)
  for f in $files; do openssl verify -CAfile "$corpus/roots.pem" -untrusted "$f" "$f" >/dev/null; done
  secs=$(awk -v ns=$(( $(date +%s%N) - start )) 'BEGIN { print ns / 1e9 }')
  printf '%-40s %7.2f s  %s  (first %d files)\n' "openssl verify, one process per file" "$secs" "$(rate "$m" "$secs")" "$m"
fi
if python3 -c 'import cryptography' 2>/dev/null; then
  read -r done secs < <(python3 bench/peer_cryptography.py "$corpus/bundles" "$m")
  printf '%-40s %7.2f s  %s  (first %d files, one process)\n' "python cryptography" "$secs" "$(rate "$done" "$secs")" "$done"
fi
