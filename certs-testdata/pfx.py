#!/usr/bin/env python3
"""Builds PKCS#12 files that the openssl CLI cannot make, for certs-testdata/generate.sh.

  * the absent (NULL) password: the MAC key is derived from no bytes at all, where
    OpenSSL's empty password gives two zero bytes; Windows writes this form;
  * PBES2 with the HMAC-SHA1 PRF (openssl pkcs12 always picks HMAC-SHA256);
  * BER with indefinite lengths and a chunked OCTET STRING, as Java tools write;
  * hostile files: every derivation at --iterations, or --declared-bags more shrouded
    keys that each declare --iterations but hold 16 bytes of noise (the tool must
    refuse them from what they declare, before deriving anything), or the key under
    scrypt with N = 2^LOG2N and r = 8 (2^18 takes 256 MiB, the most the tool allows).

Needs Python 3 and the `cryptography` package. The certificates are stored in a
PBES2-encrypted safe and the key in a shrouded key bag, like `openssl pkcs12 -export`.

usage: pfx.py OUT KEY.pem CERT.pem [CERT.pem...] [--password P | --null-password]
              [--prf sha1|sha256] [--mac sha1|sha256] [--name NAME] [--ber]
              [--iterations N] [--declared-bags N] [--scrypt-key LOG2N]
"""

import argparse
import hashlib
import hmac
import os

from cryptography import x509
from cryptography.hazmat.primitives import padding, serialization
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.hashes import SHA1, SHA256
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

ITERATIONS = 2048
BER = False


def oid(dotted):
    parts = [int(p) for p in dotted.split(".")]
    body = bytes([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        chunk = [p & 0x7F]
        p >>= 7
        while p:
            chunk.insert(0, 0x80 | (p & 0x7F))
            p >>= 7
        body += bytes(chunk)
    return tlv(0x06, body)


def length(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def tlv(tag, body):
    # Constructed elements use indefinite lengths in BER mode.
    if BER and tag & 0x20:
        return bytes([tag, 0x80]) + body + b"\x00\x00"
    return bytes([tag]) + length(len(body)) + body


def seq(*items):
    return tlv(0x30, b"".join(items))


def set_(*items):
    return tlv(0x31, b"".join(items))


def octets(data):
    if BER and len(data) > 1000:
        # A constructed OCTET STRING in 1000-byte chunks.
        chunks = b"".join(tlv(0x04, data[i : i + 1000]) for i in range(0, len(data), 1000))
        return tlv(0x24, chunks)
    return tlv(0x04, data)


def integer(n):
    return tlv(0x02, n.to_bytes(max(1, (n.bit_length() + 8) // 8), "big"))


def explicit0(inner):
    return tlv(0xA0, inner)


def bmp(text):
    return tlv(0x1E, text.encode("utf-16-be"))


NULL = b"\x05\x00"


def pkcs12_kdf(hashname, password, salt, ident, iterations, n):
    """RFC 7292 appendix B.2."""
    u = hashlib.new(hashname).digest_size
    v = hashlib.new(hashname).block_size

    def stretch(data):
        if not data:
            return b""
        size = v * ((len(data) + v - 1) // v)
        return (data * (size // len(data) + 1))[:size]

    d = bytes([ident]) * v
    i = stretch(salt) + stretch(password)
    out = b""
    while len(out) < n:
        a = hashlib.new(hashname, d + i).digest()
        for _ in range(iterations - 1):
            a = hashlib.new(hashname, a).digest()
        out += a
        b = int.from_bytes((a * (v // u + 1))[:v], "big")
        i = b"".join(
            ((int.from_bytes(i[j : j + v], "big") + b + 1) % (1 << (8 * v))).to_bytes(v, "big")
            for j in range(0, len(i), v)
        )
    return out[:n]


def pbes2_params(prf, salt, iv):
    kdf_params = [tlv(0x04, salt), integer(ITERATIONS)]
    if prf == "sha256":  # HMAC-SHA1 is the default, so DER leaves it out.
        kdf_params.append(seq(oid("1.2.840.113549.2.9"), NULL))
    return seq(
        oid("1.2.840.113549.1.5.13"),
        seq(
            seq(oid("1.2.840.113549.1.5.12"), seq(*kdf_params)),
            seq(oid("2.16.840.1.101.3.4.1.42"), tlv(0x04, iv)),
        ),
    )


def pbes2_encrypt(password, prf, data):
    salt, iv = os.urandom(8), os.urandom(16)
    algorithm = SHA1() if prf == "sha1" else SHA256()
    key = PBKDF2HMAC(algorithm=algorithm, length=32, salt=salt, iterations=ITERATIONS).derive(password)
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padder.update(data) + padder.finalize()) + encryptor.finalize()
    algorithm_id = pbes2_params(prf, salt, iv)
    return algorithm_id, ciphertext


def scrypt_encrypt(password, log2n, data):
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    salt, iv = os.urandom(8), os.urandom(16)
    key = Scrypt(salt=salt, length=32, n=1 << log2n, r=8, p=1).derive(password)
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padder.update(data) + padder.finalize()) + encryptor.finalize()
    algorithm_id = seq(
        oid("1.2.840.113549.1.5.13"),
        seq(
            seq(
                oid("1.3.6.1.4.1.11591.4.11"),
                seq(tlv(0x04, salt), integer(1 << log2n), integer(8), integer(1), integer(32)),
            ),
            seq(oid("2.16.840.1.101.3.4.1.42"), tlv(0x04, iv)),
        ),
    )
    return algorithm_id, ciphertext


def main():
    global BER, ITERATIONS
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out")
    p.add_argument("key")
    p.add_argument("certs", nargs="+")
    p.add_argument("--password", default="")
    p.add_argument("--null-password", action="store_true")
    p.add_argument("--prf", choices=["sha1", "sha256"], default="sha256")
    p.add_argument("--mac", choices=["sha1", "sha256"], default="sha256")
    p.add_argument("--name")
    p.add_argument("--ber", action="store_true")
    p.add_argument("--iterations", type=int, default=ITERATIONS)
    p.add_argument("--declared-bags", type=int, default=0)
    p.add_argument("--scrypt-key", type=int)
    args = p.parse_args()
    BER = args.ber
    ITERATIONS = args.iterations

    # PBES2 takes the UTF-8 bytes (absent and empty are the same there); the PKCS#12
    # KDF of the MAC takes UTF-16BE plus a terminator, or nothing for the absent password.
    pbes2_password = args.password.encode()
    mac_password = b"" if args.null_password else args.password.encode("utf-16-be") + b"\x00\x00"

    with open(args.key, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), password=None)
    pkcs8 = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    certs = []
    for path in args.certs:
        with open(path, "rb") as f:
            certs.append(x509.load_pem_x509_certificate(f.read()))
    leaf = certs[0]
    local_key_id = hashlib.sha1(leaf.public_bytes(serialization.Encoding.DER)).digest()

    def attributes(with_name):
        attrs = [seq(oid("1.2.840.113549.1.9.21"), set_(tlv(0x04, local_key_id)))]
        if with_name and args.name:
            attrs.append(seq(oid("1.2.840.113549.1.9.20"), set_(bmp(args.name))))
        return set_(*attrs)

    cert_bags = []
    for n, cert in enumerate(certs):
        der = cert.public_bytes(serialization.Encoding.DER)
        bag = seq(oid("1.2.840.113549.1.9.22.1"), explicit0(tlv(0x04, der)))
        extra = [attributes(True)] if n == 0 else []
        cert_bags.append(seq(oid("1.2.840.113549.1.12.10.1.3"), explicit0(bag), *extra))
    cert_safe_contents = seq(*cert_bags)
    algorithm_id, encrypted = pbes2_encrypt(pbes2_password, args.prf, cert_safe_contents)
    encrypted_data = seq(
        integer(0),
        seq(oid("1.2.840.113549.1.7.1"), algorithm_id, tlv(0x80, encrypted)),
    )
    cert_safe = seq(oid("1.2.840.113549.1.7.6"), explicit0(encrypted_data))

    if args.scrypt_key:
        algorithm_id, encrypted = scrypt_encrypt(pbes2_password, args.scrypt_key, pkcs8)
    else:
        algorithm_id, encrypted = pbes2_encrypt(pbes2_password, args.prf, pkcs8)
    shrouded = seq(algorithm_id, tlv(0x04, encrypted))
    key_bag = seq(oid("1.2.840.113549.1.12.10.1.2"), explicit0(shrouded), attributes(True))
    noise = seq(pbes2_params(args.prf, os.urandom(8), os.urandom(16)), tlv(0x04, os.urandom(16)))
    decoys = [seq(oid("1.2.840.113549.1.12.10.1.2"), explicit0(noise))] * args.declared_bags
    key_safe = seq(oid("1.2.840.113549.1.7.1"), explicit0(octets(seq(key_bag, *decoys))))

    auth_safe = seq(cert_safe, key_safe)
    mac_salt = os.urandom(8)
    digest = hashlib.new(args.mac)
    mac_key = pkcs12_kdf(args.mac, mac_password, mac_salt, 3, ITERATIONS, digest.digest_size)
    mac = hmac.new(mac_key, auth_safe, args.mac).digest()
    digest_oid = "1.3.14.3.2.26" if args.mac == "sha1" else "2.16.840.1.101.3.4.2.1"
    mac_data = seq(seq(seq(oid(digest_oid), NULL), tlv(0x04, mac)), tlv(0x04, mac_salt), integer(ITERATIONS))
    pfx = seq(integer(3), seq(oid("1.2.840.113549.1.7.1"), explicit0(octets(auth_safe))), mac_data)
    with open(args.out, "wb") as f:
        f.write(pfx)


if __name__ == "__main__":
    main()
