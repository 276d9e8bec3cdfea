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
echo "mfgcheck $(target/release/mfgcheck --version | cut -d' ' -f2), $(nproc) cores, $url"
python3 bench/serve.py "$url" "$pid" "${1:-32}" "${2:-2000}"
