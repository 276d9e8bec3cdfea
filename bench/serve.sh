#!/usr/bin/env bash
# Load on mfgcheck serve (release build): 32 concurrent clients, 2,000 mixed requests.
# Usage: bench/serve.sh [CLIENTS] [REQUESTS]. Needs python3.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
out=$(mktemp)
target/release/mfgcheck serve --listen 127.0.0.1:0 --allowlist certs-testdata/allowlist.yaml >"$out" 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 50); do [ -s "$out" ] && break; sleep 0.1; done
url=$(head -n 1 "$out")
# The floor every figure is read against: one RSA-2048 verification by `openssl speed`,
# measured in the same run (before and after the cases).
floor() {
  command -v openssl >/dev/null 2>&1 || return 0
  openssl speed -seconds 1 rsa2048 2>/dev/null |
    awk '/^rsa 2048 bits/ { sub(/s$/, "", $5); printf "floor: one RSA-2048 verification (openssl speed) %.1f us\n", $5 * 1e6 }'
}
echo "mfgcheck $(target/release/mfgcheck --version | cut -d' ' -f2), $(nproc) cores, $url"
floor
python3 bench/serve.py "$url" "$pid" "${1:-32}" "${2:-2000}"
floor
