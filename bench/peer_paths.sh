#!/usr/bin/env bash
# Path validation against a peer: each path graph of certs-testdata (generate.sh graph) is
# checked by mfgcheck (its verdict against graph-allowlist.yaml at 2011-06-01) and by
# `openssl verify` with the same anchor (-partial_chain: the anchor may be an intermediate)
# at the same time, once as it is and once with -x509_strict; they should agree on whether a
# valid path to the anchor exists. -x509_strict adds checks beyond RFC 5280 path validation
# (an AKI on every certificate, no v1 CA even as the anchor), which the MFG does not make.
# Prints one line per graph and the counts.
#
# Usage: bench/peer_paths.sh   (needs the openssl CLI; builds mfgcheck in debug)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --bin mfgcheck
bin=$PWD/target/debug/mfgcheck
cd certs-testdata
at=$(date -u -d 2011-06-01 +%s)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# graph file, anchor (the CA the allowlist names for that graph)
graphs=(
  "graph-cross-expired.pem graph-anchor-root.pem"
  "graph-expired-copy.pem graph-anchor-root.pem"
  "graph-unverifiable-copy.pem graph-anchor-ec-root.pem"
  "graph-notca-false.pem graph-anchor-root.pem"
  "graph-notca-nobc.pem graph-anchor-root.pem"
  "graph-notca-nocertsign.pem graph-anchor-root.pem"
  "graph-pathlen.pem graph-anchor-root.pem"
  "graph-pathlen-ok.pem graph-anchor-root.pem"
  "graph-critical-ca.pem graph-anchor-root.pem"
  "graph-critical-leaf.pem graph-anchor-issuing.pem"
  "graph-leaf-alone.pem graph-anchor-issuing.pem"
  "graph-lookalike-leaf.pem graph-anchor-issuing.pem"
  "graph-lookalike-bundle.pem graph-anchor-issuing.pem"
  "graph-stale-copy.pem graph-anchor-root.pem"
  "graph-v1-leaf.pem+graph-v1-roots.pem graph-anchor-v1-root.pem"
)
agree=0
agree_strict=0
total=0
printf '%-40s %-9s %-9s %-9s\n' graph mfgcheck openssl strict
for row in "${graphs[@]}"; do
  read -r files anchor <<< "$row"
  IFS=+ read -r -a inputs <<< "$files"
  # The leaf is the first certificate of the first file; everything else is untrusted.
  cat "${inputs[@]}" > "$work/all.pem"
  awk -v dir="$work" '/BEGIN CERTIFICATE/ { n++ } { print > (dir "/c" n ".pem") }' "$work/all.pem"
  : > "$work/untrusted.pem"
  for f in "$work"/c*.pem; do [ "$f" = "$work/c1.pem" ] || cat "$f" >> "$work/untrusted.pem"; done
  untrusted=()
  [ -s "$work/untrusted.pem" ] && untrusted=(-untrusted "$work/untrusted.pem")
  peer() {
    if openssl verify "$@" -partial_chain -attime "$at" -CAfile "$anchor" "${untrusted[@]}" "$work/c1.pem" > /dev/null 2>&1; then
      echo valid
    else
      echo invalid
    fi
  }
  plain=$(peer)
  strict=$(peer -x509_strict)
  # mfgcheck exits 1 on a rejection; the verdict is in the JSON either way.
  verdict=$({ "$bin" check "${inputs[@]}" --allowlist graph-allowlist.yaml --at 2011-06-01 --format json 2>/dev/null || true; } \
    | grep -o '"verdict": *"[a-z]*"' | tail -n 1 | cut -d'"' -f4)
  ours=invalid
  [ "$verdict" = accepted ] && ours=valid
  total=$((total + 1))
  [ "$ours" = "$plain" ] && agree=$((agree + 1))
  [ "$ours" = "$strict" ] && agree_strict=$((agree_strict + 1))
  printf '%-40s %-9s %-9s %-9s\n' "$files" "$ours" "$plain" "$strict"
  rm -f "$work"/c*.pem
done
echo "$agree of $total graphs agree with openssl verify; $agree_strict of $total with openssl verify -x509_strict"
