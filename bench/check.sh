#!/usr/bin/env bash
# Whole-process timings of `mfgcheck check` on the fixtures, release build.
# Usage: bench/check.sh [RUNS]   (default 200 runs per case)
# Uses hyperfine when installed; otherwise a plain loop (mean wall time per run).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-200}
cargo build --release --quiet
bin=target/release/mfgcheck
data=certs-testdata
cases=(
  "story, 3 certificates, legacy RSA-1024/SHA-1|check $data/story-bundle.pem --allowlist $data/allowlist.yaml --at 2011-06-01"
  "leaf alone, built-in allowlist|check $data/lookalike-godaddy-leaf.pem --at 2011-06-01"
  "PKCS#7 BER bundle|check $data/story-ber.p7b --allowlist $data/allowlist.yaml --at 2011-06-01"
  "PFX, legacy export (RC2-40, 3DES, SHA-1 MAC; 2,048 iterations)|check $data/story-legacy.pfx --password-file $data/pfx-password.txt --allowlist $data/allowlist.yaml --at 2011-06-01"
  "PFX, PBES2 AES-256 (PBKDF2-SHA256; 2,048 iterations)|check $data/story-aes.pfx --password-file $data/pfx-password.txt --allowlist $data/allowlist.yaml --at 2011-06-01"
  "120 same-name cross-signing CAs (budget: 100 checks)|check $data/mesh-120.pem --allowlist $data/allowlist.yaml --at 2011-06-01"
)
# The floor every figure is read against: one RSA-2048 verification by `openssl speed`,
# measured in the same run (before and after the cases).
floor() {
  command -v openssl >/dev/null 2>&1 || return 0
  openssl speed -seconds 1 rsa2048 2>/dev/null |
    awk '/^rsa 2048 bits/ { sub(/s$/, "", $5); printf "floor: one RSA-2048 verification (openssl speed) %.1f us\n", $5 * 1e6 }'
}
echo "mfgcheck $($bin --version | cut -d' ' -f2), $(nproc) cores, $runs runs per case"
floor
for c in "${cases[@]}"; do
  name=${c%%|*}
  args=${c#*|}
  if command -v hyperfine >/dev/null 2>&1; then
    hyperfine --warmup 5 --runs "$runs" -N -i --style basic "$bin $args" | sed -n 's/^ *Time (mean ± σ): */  /p' | sed "s|^|$name: |"
  else
    # shellcheck disable=SC2086
    $bin $args >/dev/null || true
    start=$(date +%s%N)
    for _ in $(seq "$runs"); do
      # shellcheck disable=SC2086
      $bin $args >/dev/null || true
    done
    end=$(date +%s%N)
    awk -v n="$runs" -v ns=$((end - start)) -v name="$name" 'BEGIN { printf "%-66s %7.2f ms per run\n", name ":", ns / n / 1e6 }'
  fi
done
floor
