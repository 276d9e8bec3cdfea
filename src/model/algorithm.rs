//! Signature and public-key algorithms, named the way Windows names them.
//!
//! The federation rules care about RSA versus anything else and about weak hashes,
//! so algorithms are decoded once into small enums that the signature dispatcher
//! and the policy can match on.

use std::fmt;

use x509_parser::oid_registry::Oid;
use x509_parser::signature_algorithm::SignatureAlgorithm as X509SigAlg;
use x509_parser::x509::AlgorithmIdentifier;

use super::oid::OidTable;

/// Hash functions seen in certificate signatures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    Md2,
    Md4,
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl HashAlgorithm {
    fn from_oid(oid: &str) -> Option<Self> {
        Some(match oid {
            "1.2.840.113549.2.2" => Self::Md2,
            "1.2.840.113549.2.4" => Self::Md4,
            "1.2.840.113549.2.5" => Self::Md5,
            "1.3.14.3.2.26" => Self::Sha1,
            "2.16.840.1.101.3.4.2.4" => Self::Sha224,
            "2.16.840.1.101.3.4.2.1" => Self::Sha256,
            "2.16.840.1.101.3.4.2.2" => Self::Sha384,
            "2.16.840.1.101.3.4.2.3" => Self::Sha512,
            _ => return None,
        })
    }

    /// Broken for signatures: collisions can be made (MD2, MD4, MD5, SHA-1).
    pub fn is_weak(self) -> bool {
        matches!(self, Self::Md2 | Self::Md4 | Self::Md5 | Self::Sha1)
    }

    /// Lower-case name as Windows uses it inside algorithm names (`sha256RSA`).
    pub fn windows_name(self) -> &'static str {
        match self {
            Self::Md2 => "md2",
            Self::Md4 => "md4",
            Self::Md5 => "md5",
            Self::Sha1 => "sha1",
            Self::Sha224 => "sha224",
            Self::Sha256 => "sha256",
            Self::Sha384 => "sha384",
            Self::Sha512 => "sha512",
        }
    }
}

impl fmt::Display for HashAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Md2 => "MD2",
            Self::Md4 => "MD4",
            Self::Md5 => "MD5",
            Self::Sha1 => "SHA-1",
            Self::Sha224 => "SHA-224",
            Self::Sha256 => "SHA-256",
            Self::Sha384 => "SHA-384",
            Self::Sha512 => "SHA-512",
        })
    }
}

/// Signature algorithms named by their OID alone (RSASSA-PSS also needs its
/// parameters).
static SIGNATURE_ALGORITHMS: OidTable<SignatureAlgorithm> = OidTable::new(&[
    (
        "1.2.840.113549.1.1.2",
        SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Md2),
    ),
    (
        "1.2.840.113549.1.1.3",
        SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Md4),
    ),
    (
        "1.2.840.113549.1.1.4",
        SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Md5),
    ),
    (
        "1.2.840.113549.1.1.5",
        SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha1),
    ),
    (
        "1.3.14.3.2.29",
        SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha1),
    ),
    (
        "1.2.840.113549.1.1.14",
        SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha224),
    ),
    (
        "1.2.840.113549.1.1.11",
        SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha256),
    ),
    (
        "1.2.840.113549.1.1.12",
        SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha384),
    ),
    (
        "1.2.840.113549.1.1.13",
        SignatureAlgorithm::RsaPkcs1(HashAlgorithm::Sha512),
    ),
    (
        "1.2.840.10045.4.1",
        SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha1),
    ),
    (
        "1.2.840.10045.4.3.1",
        SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha224),
    ),
    (
        "1.2.840.10045.4.3.2",
        SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha256),
    ),
    (
        "1.2.840.10045.4.3.3",
        SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha384),
    ),
    (
        "1.2.840.10045.4.3.4",
        SignatureAlgorithm::Ecdsa(HashAlgorithm::Sha512),
    ),
    ("1.3.101.112", SignatureAlgorithm::Ed25519),
    (
        "1.2.840.10040.4.3",
        SignatureAlgorithm::Dsa(HashAlgorithm::Sha1),
    ),
    (
        "2.16.840.1.101.3.4.3.1",
        SignatureAlgorithm::Dsa(HashAlgorithm::Sha224),
    ),
    (
        "2.16.840.1.101.3.4.3.2",
        SignatureAlgorithm::Dsa(HashAlgorithm::Sha256),
    ),
]);

/// How a certificate was signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignatureAlgorithm {
    RsaPkcs1(HashAlgorithm),
    /// RSASSA-PSS with MGF1 over the same hash.
    RsaPss {
        hash: HashAlgorithm,
        salt_len: usize,
    },
    Ecdsa(HashAlgorithm),
    Ed25519,
    Dsa(HashAlgorithm),
    /// Anything else, by OID (or a PSS variant we do not verify, described).
    Other(String),
}

impl SignatureAlgorithm {
    /// Decodes a certificate's signatureAlgorithm field.
    pub fn from_x509(alg: &AlgorithmIdentifier<'_>) -> Self {
        if let Some((_, known)) = SIGNATURE_ALGORITHMS.find(&alg.algorithm) {
            return known.clone();
        }
        let oid = alg.algorithm.to_id_string();
        if oid == "1.2.840.113549.1.1.10" {
            return Self::pss(alg);
        }
        Self::Other(oid)
    }

    fn pss(alg: &AlgorithmIdentifier<'_>) -> Self {
        let Ok(X509SigAlg::RSASSA_PSS(params)) = X509SigAlg::try_from(alg) else {
            return Self::Other("RSASSA-PSS with unreadable parameters".into());
        };
        let hash_oid = params.hash_algorithm_oid().to_id_string();
        let Some(hash) = HashAlgorithm::from_oid(&hash_oid) else {
            return Self::Other(format!("RSASSA-PSS with hash {hash_oid}"));
        };
        // MGF1 over a different hash than the message hash is legal but unheard of in
        // practice; describe it rather than verify it wrongly.
        if let Ok(mgf) = params.mask_gen_algorithm() {
            let mgf_hash = mgf.hash.to_id_string();
            if HashAlgorithm::from_oid(&mgf_hash) != Some(hash) {
                return Self::Other(format!("RSASSA-PSS with {hash} and MGF1 over {mgf_hash}"));
            }
        }
        Self::RsaPss {
            hash,
            salt_len: params.salt_length() as usize,
        }
    }

    /// The hash the signature was made over, when known.
    pub fn hash(&self) -> Option<HashAlgorithm> {
        match self {
            Self::RsaPkcs1(h) | Self::Ecdsa(h) | Self::Dsa(h) => Some(*h),
            Self::RsaPss { hash, .. } => Some(*hash),
            Self::Ed25519 | Self::Other(_) => None,
        }
    }
}

/// Windows' names (`sha256RSA`, `md5RSA`, `RSASSA-PSS`, `sha256ECDSA`).
impl fmt::Display for SignatureAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RsaPkcs1(h) => write!(f, "{}RSA", h.windows_name()),
            Self::RsaPss { hash, .. } => write!(f, "RSASSA-PSS ({hash})"),
            Self::Ecdsa(h) => write!(f, "{}ECDSA", h.windows_name()),
            Self::Ed25519 => f.write_str("Ed25519"),
            Self::Dsa(h) => write!(f, "{}DSA", h.windows_name()),
            Self::Other(s) => write!(f, "unknown ({s})"),
        }
    }
}

/// Named elliptic curves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Curve {
    P256,
    P384,
    P521,
    Other(String),
}

impl fmt::Display for Curve {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::P256 => f.write_str("P-256"),
            Self::P384 => f.write_str("P-384"),
            Self::P521 => f.write_str("P-521"),
            Self::Other(oid) => write!(f, "curve {oid}"),
        }
    }
}

/// The type and size of a public key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyAlgorithm {
    Rsa { bits: usize },
    Ec { curve: Curve },
    Ed25519,
    Dsa { bits: usize },
    Other(String),
}

impl KeyAlgorithm {
    pub(crate) fn ec_curve(params_oid: Option<&Oid<'_>>) -> Curve {
        match params_oid.map(|o| o.to_id_string()).as_deref() {
            Some("1.2.840.10045.3.1.7") => Curve::P256,
            Some("1.3.132.0.34") => Curve::P384,
            Some("1.3.132.0.35") => Curve::P521,
            Some(other) => Curve::Other(other.to_owned()),
            None => Curve::Other("unnamed".into()),
        }
    }

    /// Key size in bits where it means something for strength (RSA, DSA).
    pub fn bits(&self) -> Option<usize> {
        match self {
            Self::Rsa { bits } | Self::Dsa { bits } => Some(*bits),
            _ => None,
        }
    }
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rsa { bits } => write!(f, "RSA {bits}"),
            Self::Ec { curve } => write!(f, "ECC {curve}"),
            Self::Ed25519 => f.write_str("Ed25519"),
            Self::Dsa { bits } => write!(f, "DSA {bits}"),
            Self::Other(oid) => write!(f, "unknown key type {oid}"),
        }
    }
}
