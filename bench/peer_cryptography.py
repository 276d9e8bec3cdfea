#!/usr/bin/env python3
"""Peer for bench/scan.sh: the same per-bundle work in Python's `cryptography`, in one
process: parse the three PEM certificates of each bundle, verify the leaf's signature
with the intermediate's key and the intermediate's with the root's, check the dates.

usage: peer_cryptography.py DIR [LIMIT]   (prints: files seconds)
"""

import datetime
import os
import sys
import time

from cryptography import x509


def main():
    root = sys.argv[1]
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else None
    paths = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs)[:limit]
    at = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
    start = time.perf_counter()
    ok = 0
    for p in paths:
        with open(p, "rb") as f:
            leaf, inter, top = x509.load_pem_x509_certificates(f.read())
        leaf.verify_directly_issued_by(inter)
        inter.verify_directly_issued_by(top)
        if leaf.not_valid_before_utc <= at <= leaf.not_valid_after_utc:
            ok += 1
    print(len(paths), f"{time.perf_counter() - start:.3f}")


if __name__ == "__main__":
    main()
