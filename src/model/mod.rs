//! **Model**: a certificate as the rest of the tool needs it, parsed once.
//!
//! x509-parser's types borrow the DER; ours own what they need (names, identities,
//! the signed bytes), so certificates from many files can sit in one pool and be
//! compared without re-parsing.

mod algorithm;
mod certificate;
pub mod date;
pub mod hex;
mod key;
pub mod name;
mod oid;
mod parts;

pub use algorithm::{Curve, HashAlgorithm, KeyAlgorithm, SignatureAlgorithm};
pub use certificate::{Certificate, ParseCache, ParseError, PublicKey, Validity};
pub use hex::{KeyId, Serial, Sha1Thumbprint, Sha256Thumbprint, Thumbprint};
pub use key::{KeyMatch, KeyRing, PfxProtection, PrivateKey, Provider, ProviderKind};
pub use name::{DistinguishedName, NameKey};
