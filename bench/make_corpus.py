#!/usr/bin/env python3
"""Writes a scan benchmark corpus: N three-certificate RSA-2048 bundles (leaf,
intermediate, root, as PEM) sharing a few dozen CAs, and an allowlist accepting
half of the intermediates.

usage: make_corpus.py DIR N [--intermediates 40] [--roots 4]

Layout: DIR/bundles/NNN/bundle-NNNNNN.pem (1,000 per directory), DIR/allowlist.yaml,
DIR/roots.pem and DIR/intermediates.pem (for the openssl peer). Deterministic names
and dates; keys are random. Needs Python 3 and the `cryptography` package.
"""

import argparse
import datetime
import os

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

START = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
END = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)


def key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def name(cn, org="Bench Corpus"):
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org), x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def cert(subject, subject_key, issuer, issuer_key, serial, ca, san=None):
    b = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(subject_key.public_key())
        .serial_number(serial)
        .not_valid_before(START)
        .not_valid_after(END)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(subject_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
    )
    if san:
        b = b.add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]), critical=False)
    return b.sign(issuer_key, hashes.SHA256())


def pem(c):
    return c.public_bytes(serialization.Encoding.PEM)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("dir")
    p.add_argument("n", type=int)
    p.add_argument("--intermediates", type=int, default=40)
    p.add_argument("--roots", type=int, default=4)
    args = p.parse_args()

    roots = []
    for r in range(args.roots):
        k = key()
        n = name(f"Bench Root CA {r}")
        roots.append((n, k, cert(n, k, n, k, 1000 + r, True)))
    ints = []
    for i in range(args.intermediates):
        rn, rk, rc = roots[i % len(roots)]
        k = key()
        n = name(f"Bench Issuing CA {i}")
        ints.append((n, k, cert(n, k, rn, rk, 2000 + i, True), rc))
    leaf_keys = [key() for _ in range(8)]

    os.makedirs(args.dir, exist_ok=True)
    with open(os.path.join(args.dir, "roots.pem"), "wb") as f:
        f.write(b"".join(pem(c) for _, _, c in roots))
    with open(os.path.join(args.dir, "intermediates.pem"), "wb") as f:
        f.write(b"".join(pem(c) for _, _, c, _ in ints))
    with open(os.path.join(args.dir, "allowlist.yaml"), "w") as f:
        f.write("version: 1\nauthorities:\n")
        for i, (n, _, c, _) in enumerate(ints):
            if i % 2 == 0:
                sha1 = c.fingerprint(hashes.SHA1()).hex().upper()
                f.write(f'  - name: "Bench Issuing CA {i}"\n    subject: "O=Bench Corpus, CN=Bench Issuing CA {i}"\n')
                f.write(f'    sha1: "{sha1}"\n    status: accepted\n')

    for j in range(args.n):
        iname, ikey, icert, rcert = ints[j % len(ints)]
        lk = leaf_keys[j % len(leaf_keys)]
        host = f"host{j}.bench.example"
        leaf = cert(name(host, "Bench Tenant"), lk, iname, ikey, 100000 + j, False, san=host)
        sub = os.path.join(args.dir, "bundles", f"{j // 1000:03d}")
        os.makedirs(sub, exist_ok=True)
        with open(os.path.join(sub, f"bundle-{j:06d}.pem"), "wb") as f:
            f.write(pem(leaf) + pem(icert) + pem(rcert))


if __name__ == "__main__":
    main()
