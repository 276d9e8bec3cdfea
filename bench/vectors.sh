#!/usr/bin/env bash
# Runs every x509, pkcs12 and pkcs7 test vector of the PyPI package
# `cryptography_vectors` (NIST PKITS included) through `mfgcheck inspect`. Each file must
# either load (exit 0) or be refused with exit 2 and one line on stderr starting with
# "mfgcheck: error:"; a crash, a panic ("internal error"), a hang (10 s), another exit code
# or more stderr lines is a failure, listed at the end. Not part of `cargo test`.
#
# Usage: bench/vectors.sh [DIR]   (downloads the package with pip into DIR, default
#                                  target/vectors, unless it is already there)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-target/vectors}
if [ ! -d "$dir/cryptography_vectors" ]; then
  mkdir -p "$dir"
  pip download --quiet --no-deps cryptography_vectors -d "$dir/wheel"
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$(ls "$dir"/wheel/*.whl | head -n 1)" "$dir"
fi
cargo build --release --quiet
bin=$PWD/target/release/mfgcheck
# The vectors' PKCS#12 files use the password "cryptography" or "password" (PKITS), or
# none; on "wrong password" the next is tried.
err=$(mktemp)
trap 'rm -f "$err"' EXIT
inspect() { # inspect FILE PASSWORD|-  -> exit code; stderr in $err
  local code=0
  if [ "$2" = - ]; then
    timeout 10 "$bin" inspect "$1" --at 2020-01-01 </dev/null >/dev/null 2>"$err" || code=$?
  else
    MFGCHECK_VECTORS_PASSWORD=$2 timeout 10 "$bin" inspect "$1" --password-env MFGCHECK_VECTORS_PASSWORD \
      --at 2020-01-01 >/dev/null 2>"$err" || code=$?
  fi
  return "$code"
}
loaded=0 refused=0 failed=0
failures=()
while IFS= read -r -d '' f; do
  code=0
  for password in cryptography password -; do
    code=0
    inspect "$f" "$password" || code=$?
    grep -q 'wrong password\|needs a password' "$err" || break
  done
  lines=$(wc -l < "$err")
  if [ "$code" = 0 ]; then
    loaded=$((loaded + 1))
  elif [ "$code" = 2 ] && [ "$lines" = 1 ] && grep -q '^mfgcheck: error: ' "$err" && ! grep -q 'internal error' "$err"; then
    refused=$((refused + 1))
  else
    failed=$((failed + 1))
    failures+=("$f: exit $code: $(head -c 300 "$err")")
  fi
done < <(find "$dir/cryptography_vectors/x509" "$dir/cryptography_vectors/pkcs12" "$dir/cryptography_vectors/pkcs7" -type f -print0 | sort -z)
total=$((loaded + refused + failed))
echo "cryptography_vectors $(ls "$dir"/wheel/*.whl 2>/dev/null | sed 's/.*vectors-\([0-9.]*\)-.*/\1/'): $total files: $loaded loaded, $refused refused with a message, $failed failed"
for f in "${failures[@]}"; do echo "FAILED $f"; done
[ "$failed" = 0 ]
