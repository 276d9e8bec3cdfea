//! The signature dispatcher on real fixtures: genuine, weak, invalid, unsupported.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::{by_cn, pool};
use mfgcheck::chain::signature::{SignatureCache, verify};
use mfgcheck::chain::{Verification, Weakness};
use mfgcheck::model::HashAlgorithm;

/// Checks the leaf of `file` (first certificate) with the key of the CA called `issuer_cn`;
/// a scan's cache, which sets the issuer's key up once and verifies the digest with
/// it, must give the same answer every time.
fn check(file: &str, leaf_cn: &str, issuer_cn: &str) -> Verification {
    let p = pool(&[file]);
    let (_, leaf) = by_cn(&p, leaf_cn);
    let (_, issuer) = by_cn(&p, issuer_cn);
    let fresh = verify(leaf, issuer.public_key());
    let cache = SignatureCache::default();
    for round in 0..2 {
        assert_eq!(
            cache.verify(leaf, issuer.public_key()),
            fresh,
            "{file}, round {round}"
        );
    }
    fresh
}

fn weak(hash: Option<HashAlgorithm>, key_bits: Option<usize>) -> Verification {
    Verification::Weak(Weakness { hash, key_bits })
}

#[test]
fn modern_rsa_is_valid() {
    assert_eq!(
        check(
            "direct-bundle.pem",
            "mail.fabrikam.com",
            "Test Global Root CA"
        ),
        Verification::Valid
    );
    assert_eq!(
        check(
            "strong-pss-sha256.pem",
            "strong-pss-sha256.fabrikam.com",
            "Test Global Root CA"
        ),
        Verification::Valid
    );
}

#[test]
fn legacy_hashes_are_genuine_but_weak() {
    let md5 = check(
        "weak-md5.pem",
        "weak-md5.fabrikam.com",
        "Test Global Root CA",
    );
    assert_eq!(md5, weak(Some(HashAlgorithm::Md5), None));
    let sha1 = check(
        "weak-sha1.pem",
        "weak-sha1.fabrikam.com",
        "Test Global Root CA",
    );
    assert_eq!(sha1, weak(Some(HashAlgorithm::Sha1), None));
    // RSASSA-PSS with SHA-1: RustCrypto, since ring only does PSS with SHA-2.
    let pss = check(
        "weak-pss-sha1.pem",
        "weak-pss-sha1.fabrikam.com",
        "Test Global Root CA",
    );
    assert_eq!(pss, weak(Some(HashAlgorithm::Sha1), None));
}

#[test]
fn rsa_1024_issuers_verify_with_every_hash() {
    let root = "Test.net Secure Server Certification Authority";
    // ring's *_FOR_LEGACY_USE_ONLY for SHA-256 and SHA-512, RustCrypto for SHA-384.
    for (file, cn) in [
        ("weak-1024-sha256.pem", "weak-1024-sha256.fabrikam.com"),
        ("weak-1024-sha384.pem", "weak-1024-sha384.fabrikam.com"),
        ("weak-1024-sha512.pem", "weak-1024-sha512.fabrikam.com"),
    ] {
        assert_eq!(check(file, cn, root), weak(None, Some(1024)), "{file}");
    }
    // The seed's root: RSA-1024 signing with SHA-1.
    assert_eq!(
        check(
            "story-bundle.pem",
            "TestTrust Legacy Secure Server CA",
            root
        ),
        weak(Some(HashAlgorithm::Sha1), Some(1024))
    );
}

#[test]
fn altered_signature_is_invalid_not_weak() {
    assert_eq!(
        check(
            "bad-signature.pem",
            "mail.fabrikam.com",
            "Test Global Root CA"
        ),
        Verification::Invalid
    );
}

#[test]
fn another_key_is_invalid() {
    let p = pool(&["direct-leaf.pem", "ca-impostor-root.pem"]);
    let (_, leaf) = by_cn(&p, "mail.fabrikam.com");
    let (_, impostor) = by_cn(&p, "Test Global Root CA");
    assert_eq!(verify(leaf, impostor.public_key()), Verification::Invalid);
}

#[test]
fn key_type_not_matching_the_algorithm_is_invalid() {
    // An RSA signature checked against an EC key cannot be genuine.
    let p = pool(&["not-rsa.pem", "direct-leaf.pem"]);
    let (_, rsa_signed) = by_cn(&p, "mail.fabrikam.com");
    let (_, ec) = by_cn(&p, "ec.fabrikam.com");
    assert_eq!(verify(rsa_signed, ec.public_key()), Verification::Invalid);
}

#[test]
fn dsa_is_unsupported_not_bad() {
    let v = check(
        "unsupported-signature.pem",
        "dsa.fabrikam.com",
        "Test DSA Root CA",
    );
    assert!(
        matches!(&v, Verification::Unsupported(alg) if alg.contains("DSA")),
        "{v:?}"
    );
}
