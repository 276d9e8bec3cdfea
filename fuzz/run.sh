#!/usr/bin/env bash
# Runs the fuzz targets, each until SECONDS have passed or RUNS executions are done,
# whichever comes first, two at a time. Seeds come from certs-testdata/ and tests/data/.
#
# Usage: fuzz/run.sh [SECONDS] [RUNS] [TARGET...]   (defaults: 600, 1000000, all targets)
# Needs cargo-fuzz (cargo install cargo-fuzz). On a stable toolchain RUSTC_BOOTSTRAP=1
# lets it use the sanitizer flags. Crashes land in fuzz/artifacts/TARGET/; each one
# becomes a regression test in tests/fuzz_regressions.rs.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
runs=${2:-1000000}
shift $(( $# > 2 ? 2 : $# ))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(check load allowlist names thumbprint triage lync)
export RUSTC_BOOTSTRAP=1

seed() { # seed TARGET FILES...
  local dir=corpus/$1
  shift
  mkdir -p "$dir"
  for f in "$@"; do cp "$f" "$dir/$(basename "$f")"; done
}
seed check ../certs-testdata/*.pem ../certs-testdata/*.cer ../certs-testdata/*.p7b ../certs-testdata/*.pfx ../certs-testdata/*.b64
seed load ../certs-testdata/*.pem ../certs-testdata/*.cer ../certs-testdata/*.p7b ../certs-testdata/*.pfx ../certs-testdata/*.txt
seed allowlist ../certs-testdata/allowlist.yaml ../data/mfg-allowlist.yaml
seed names ../certs-testdata/README.md
seed thumbprint ../tests/data/triage/certificate-not-found.txt
seed triage ../tests/data/triage/*.txt ../tests/data/ems/* ../data/triage-kb.yaml
seed lync ../tests/data/lync/* ../tests/data/ems/*

cargo fuzz build --release
for target in "${targets[@]}"; do
  echo "$target"
done | xargs -P 2 -I{} sh -c \
  "cargo fuzz run --release {} -- -max_total_time=$seconds -runs=$runs -rss_limit_mb=2048 -print_final_stats=1 > logs-{}.txt 2>&1; echo \"{}: exit \$?\"; grep -E 'stat::number_of_executed_units|Done [0-9]+ runs|SUMMARY' logs-{}.txt | tail -n 3"
