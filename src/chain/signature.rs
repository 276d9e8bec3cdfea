//! Signature checks across the algorithms real federation chains used.
//!
//! The 2010-era chains this tool exists for were signed with SHA-1 and MD5 by
//! 1024-bit roots. x509-parser's own `verify` reports those as bad signatures, which
//! would turn a weak-but-genuine chain into a forgery. So: aws-lc-rs (ring's API) for
//! everything it does (including the `*_FOR_LEGACY_USE_ONLY` RSA-1024 algorithms),
//! RustCrypto `rsa` for what it refuses (MD5, SHA-224, SHA-384 with keys under 2048
//! bits, PSS-SHA1, keys under 1024 bits), and an honest "unsupported" for MD2, MD4 and
//! DSA. A scan keeps each issuer's key parsed ([`SignatureCache`]): setting up an RSA
//! key costs about a third of a verification, and thousands of leaves share a few CAs.

use std::fmt;
use std::sync::{Arc, Mutex};

use aws_lc_rs::signature as rs;
use rsa::pkcs8::AssociatedOid;
use rsa::{BigUint, Pkcs1v15Sign, RsaPublicKey, pss::Pss};
use sha2::Digest;
use sha2::digest::DynDigest;

use crate::load::FastMap;
use crate::model::{
    Certificate, Curve, HashAlgorithm, KeyAlgorithm, PublicKey, Sha256Thumbprint,
    SignatureAlgorithm,
};

/// Why a genuine signature is still weak.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Weakness {
    /// A hash with known collisions (MD5, SHA-1, ...).
    pub hash: Option<HashAlgorithm>,
    /// An RSA key under 2048 bits.
    pub key_bits: Option<usize>,
}

impl fmt::Display for Weakness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.hash, self.key_bits) {
            (Some(h), Some(b)) => write!(f, "{h} hash and a {b}-bit key"),
            (Some(h), None) => write!(f, "{h} hash"),
            (None, Some(b)) => write!(f, "{b}-bit key"),
            (None, None) => f.write_str("no weakness"),
        }
    }
}

/// The outcome of checking one certificate's signature with one issuer key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verification {
    /// The issuer's key made this signature.
    Valid,
    /// The issuer's key made this signature, with a weak hash or a short key.
    Weak(Weakness),
    /// The issuer's key did not make this signature (or cannot have: wrong key type).
    Invalid,
    /// No verifier here for this algorithm; the signature was not checked.
    Unsupported(String),
}

impl Verification {
    /// The signature was made by the key (weak or not).
    pub fn is_genuine(&self) -> bool {
        matches!(self, Self::Valid | Self::Weak(_))
    }
}

/// Checks `cert`'s signature against `issuer_key`.
pub fn verify(cert: &Certificate, issuer_key: &PublicKey) -> Verification {
    verify_keyed(cert, issuer_key, None)
}

/// [`verify`], with issuer keys kept parsed in `keys` when given.
fn verify_keyed(cert: &Certificate, issuer_key: &PublicKey, keys: Option<&Keys>) -> Verification {
    let alg = cert.signature_algorithm();
    let message = cert.tbs();
    let signature = cert.signature_value();
    match (alg, issuer_key.algorithm()) {
        (SignatureAlgorithm::RsaPkcs1(hash), KeyAlgorithm::Rsa { bits }) => {
            verify_rsa_pkcs1(*hash, *bits, issuer_key, message, signature, keys)
        }
        (SignatureAlgorithm::RsaPss { hash, salt_len }, KeyAlgorithm::Rsa { bits }) => {
            verify_rsa_pss(*hash, *salt_len, *bits, issuer_key, message, signature)
        }
        (SignatureAlgorithm::Ecdsa(hash), KeyAlgorithm::Ec { curve }) => {
            let lc_alg: &dyn rs::VerificationAlgorithm = match (curve, hash) {
                (Curve::P256, HashAlgorithm::Sha256) => &rs::ECDSA_P256_SHA256_ASN1,
                (Curve::P256, HashAlgorithm::Sha384) => &rs::ECDSA_P256_SHA384_ASN1,
                (Curve::P384, HashAlgorithm::Sha256) => &rs::ECDSA_P384_SHA256_ASN1,
                (Curve::P384, HashAlgorithm::Sha384) => &rs::ECDSA_P384_SHA384_ASN1,
                _ => return Verification::Unsupported(format!("ECDSA with {hash} on {curve}")),
            };
            unparsed_verdict(lc_alg, issuer_key.key_bytes(), message, signature, None)
        }
        (SignatureAlgorithm::Ed25519, KeyAlgorithm::Ed25519) => unparsed_verdict(
            &rs::ED25519,
            issuer_key.key_bytes(),
            message,
            signature,
            None,
        ),
        (SignatureAlgorithm::Dsa(_), _) => Verification::Unsupported(alg.to_string()),
        (SignatureAlgorithm::Other(what), _) => Verification::Unsupported(what.clone()),
        // The algorithm names a key type the issuer does not have.
        _ => Verification::Invalid,
    }
}

fn weakness(hash: HashAlgorithm, bits: usize) -> Option<Weakness> {
    let w = Weakness {
        hash: hash.is_weak().then_some(hash),
        key_bits: (bits < 2048).then_some(bits),
    };
    (w.hash.is_some() || w.key_bits.is_some()).then_some(w)
}

fn unparsed_verdict(
    alg: &'static dyn rs::VerificationAlgorithm,
    key: &[u8],
    message: &[u8],
    signature: &[u8],
    weak: Option<Weakness>,
) -> Verification {
    match rs::UnparsedPublicKey::new(alg, key).verify(message, signature) {
        Ok(()) => weak.map_or(Verification::Valid, Verification::Weak),
        Err(_) => Verification::Invalid,
    }
}

fn genuine(ok: bool, weak: Option<Weakness>) -> Verification {
    match (ok, weak) {
        (true, None) => Verification::Valid,
        (true, Some(w)) => Verification::Weak(w),
        (false, _) => Verification::Invalid,
    }
}

fn verify_rsa_pkcs1(
    hash: HashAlgorithm,
    bits: usize,
    key: &PublicKey,
    message: &[u8],
    signature: &[u8],
    keys: Option<&Keys>,
) -> Verification {
    use HashAlgorithm as H;
    let weak = weakness(hash, bits);
    let lc_alg: Option<&'static rs::RsaParameters> = match (hash, bits) {
        (_, b) if !(1024..=8192).contains(&b) => None,
        (H::Sha1, _) => Some(&rs::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY),
        (H::Sha256, b) if b >= 2048 => Some(&rs::RSA_PKCS1_2048_8192_SHA256),
        (H::Sha256, _) => Some(&rs::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY),
        (H::Sha384, b) if b >= 2048 => Some(&rs::RSA_PKCS1_2048_8192_SHA384),
        (H::Sha512, b) if b >= 2048 => Some(&rs::RSA_PKCS1_2048_8192_SHA512),
        (H::Sha512, _) => Some(&rs::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY),
        _ => None,
    };
    if let Some(alg) = lc_alg {
        if let Some(parsed) = keys.and_then(|k| k.get(key, hash, alg)) {
            return genuine(verify_parsed(&parsed, hash, message, signature), weak);
        }
        return unparsed_verdict(alg, key.key_bytes(), message, signature, weak);
    }
    let Some(public) = rustcrypto_key(key) else {
        return Verification::Unsupported(format!("an RSA key of {bits} bits"));
    };
    let ok = match hash {
        H::Md5 => pkcs1::<md5::Md5>(&public, message, signature),
        H::Sha1 => pkcs1::<sha1::Sha1>(&public, message, signature),
        H::Sha224 => pkcs1::<sha2::Sha224>(&public, message, signature),
        H::Sha256 => pkcs1::<sha2::Sha256>(&public, message, signature),
        H::Sha384 => pkcs1::<sha2::Sha384>(&public, message, signature),
        H::Sha512 => pkcs1::<sha2::Sha512>(&public, message, signature),
        H::Md2 | H::Md4 => return Verification::Unsupported(format!("{}RSA", hash.windows_name())),
    };
    genuine(ok, weak)
}

fn verify_rsa_pss(
    hash: HashAlgorithm,
    salt_len: usize,
    bits: usize,
    key: &PublicKey,
    message: &[u8],
    signature: &[u8],
) -> Verification {
    use HashAlgorithm as H;
    let weak = weakness(hash, bits);
    // aws-lc-rs (like ring) supports PSS with salt length equal to the hash length and keys >= 2048.
    let lc_alg: Option<&'static dyn rs::VerificationAlgorithm> = match (hash, salt_len) {
        _ if !(2048..=8192).contains(&bits) => None,
        (H::Sha256, 32) => Some(&rs::RSA_PSS_2048_8192_SHA256),
        (H::Sha384, 48) => Some(&rs::RSA_PSS_2048_8192_SHA384),
        (H::Sha512, 64) => Some(&rs::RSA_PSS_2048_8192_SHA512),
        _ => None,
    };
    if let Some(alg) = lc_alg {
        return unparsed_verdict(alg, key.key_bytes(), message, signature, weak);
    }
    let Some(public) = rustcrypto_key(key) else {
        return Verification::Unsupported(format!("an RSA key of {bits} bits"));
    };
    let ok = match hash {
        H::Sha1 => pss::<sha1::Sha1>(&public, salt_len, message, signature),
        H::Sha224 => pss::<sha2::Sha224>(&public, salt_len, message, signature),
        H::Sha256 => pss::<sha2::Sha256>(&public, salt_len, message, signature),
        H::Sha384 => pss::<sha2::Sha384>(&public, salt_len, message, signature),
        H::Sha512 => pss::<sha2::Sha512>(&public, salt_len, message, signature),
        H::Md2 | H::Md4 | H::Md5 => {
            return Verification::Unsupported(format!("RSASSA-PSS with {hash}"));
        }
    };
    genuine(ok, weak)
}

/// A signature checked with a key set up before, on the message's digest: aws-lc
/// then skips the digest context it would build and copy for every verification.
fn verify_parsed(
    parsed: &rs::ParsedPublicKey,
    hash: HashAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> bool {
    use aws_lc_rs::digest;
    let algorithm = match hash {
        HashAlgorithm::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
        HashAlgorithm::Sha256 => &digest::SHA256,
        HashAlgorithm::Sha384 => &digest::SHA384,
        HashAlgorithm::Sha512 => &digest::SHA512,
        _ => return parsed.verify_sig(message, signature).is_ok(),
    };
    parsed
        .verify_digest_sig(&digest::digest(algorithm, message), signature)
        .is_ok()
}

/// PKCS#1 v1.5 verification with RustCrypto, hashing with `D`.
fn pkcs1<D: Digest + AssociatedOid>(key: &RsaPublicKey, message: &[u8], signature: &[u8]) -> bool {
    key.verify(Pkcs1v15Sign::new::<D>(), &D::digest(message), signature)
        .is_ok()
}

/// RSASSA-PSS verification with RustCrypto (MGF1 over `D`), hashing with `D`.
fn pss<D: Digest + DynDigest + Send + Sync + 'static>(
    key: &RsaPublicKey,
    salt_len: usize,
    message: &[u8],
    signature: &[u8],
) -> bool {
    key.verify(
        Pss::new_with_salt::<D>(salt_len),
        &D::digest(message),
        signature,
    )
    .is_ok()
}

/// The issuer key for RustCrypto, allowing up to 16384-bit moduli (its default cap is 4096).
fn rustcrypto_key(key: &PublicKey) -> Option<RsaPublicKey> {
    let (n, e) = key.rsa_components()?;
    RsaPublicKey::new_with_max_size(BigUint::from_bytes_be(n), BigUint::from_bytes_be(e), 16384)
        .ok()
}

/// Issuer RSA keys set up for verification, by the key's SPKI SHA-256 and the hash
/// of the signature (an aws-lc-rs key is bound to one algorithm).
#[derive(Default)]
struct Keys {
    parsed: Mutex<FastMap<(Sha256Thumbprint, HashAlgorithm), Option<ParsedKey>>>,
}

/// An issuer key set up once; `Arc` so a lookup does not hold the lock while verifying.
type ParsedKey = Arc<rs::ParsedPublicKey>;

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.parsed.lock().map_or(0, |m| m.len());
        write!(f, "Keys({n} parsed)")
    }
}

impl Keys {
    /// The parsed key; `None` when the key is refused (the caller then gets the
    /// library's own answer through the unparsed path).
    fn get(
        &self,
        key: &PublicKey,
        hash: HashAlgorithm,
        alg: &'static rs::RsaParameters,
    ) -> Option<ParsedKey> {
        let id = (*key.spki_sha256(), hash);
        if let Some(found) = self.parsed.lock().ok()?.get(&id) {
            return found.clone();
        }
        let parsed = rs::ParsedPublicKey::new(alg, key.key_bytes())
            .ok()
            .map(Arc::new);
        if let Ok(mut m) = self.parsed.lock() {
            m.insert(id, parsed.clone());
        }
        parsed
    }
}

/// Signature results for CA certificates, shared between the checks of a scan (and
/// its threads): thousands of bundles carry the same intermediate and root. Keyed by
/// the signed certificate's SHA-256 and the SHA-256 of the verifying key.
/// End-entity certificates are verified each time, with the issuer's key kept parsed.
#[derive(Debug, Default)]
pub struct SignatureCache {
    results: Mutex<FastMap<(Sha256Thumbprint, Sha256Thumbprint), Verification>>,
    keys: Keys,
}

impl SignatureCache {
    /// [`verify`], answered from the cache for CA certificates seen before.
    pub fn verify(&self, cert: &Certificate, issuer_key: &PublicKey) -> Verification {
        if !cert.is_ca() {
            return verify_keyed(cert, issuer_key, Some(&self.keys));
        }
        let key = (*cert.sha256(), *issuer_key.spki_sha256());
        if let Some(v) = self.results.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return v;
        }
        let v = verify_keyed(cert, issuer_key, Some(&self.keys));
        if let Ok(mut m) = self.results.lock() {
            m.insert(key, v.clone());
        }
        v
    }
}
