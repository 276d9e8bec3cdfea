//! A private key an input holds, known only by its public half and its attributes.
//!
//! The MFG check needs three things from a PFX's key: which certificate it belongs
//! to (that is the certificate New-FederationTrust will use), whether it is there at
//! all, and which Windows key provider it names, because Exchange 2010 cannot use a
//! key kept by a CNG key storage provider.

use std::fmt;
use std::sync::Arc;

use super::algorithm::KeyAlgorithm;
use super::certificate::{Certificate, bit_length, without_leading_zeros};
use crate::load::{PublicHalf, RawKey};

/// The family of a Windows key provider, judged by its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ProviderKind {
    /// A legacy CryptoAPI cryptographic service provider (CSP): what Exchange 2010 needs.
    CryptoApi,
    /// A CNG key storage provider (KSP).
    Cng,
    /// A name that is neither (a third-party provider, say).
    Unknown,
}

impl ProviderKind {
    /// CNG providers are called "... Key Storage Provider", except the TPM's
    /// "Microsoft Platform Crypto Provider"; CryptoAPI ones "... Cryptographic Provider".
    pub fn of(name: &str) -> Self {
        let lower = name.to_ascii_lowercase();
        if lower.contains("key storage provider") || lower.contains("platform crypto provider") {
            Self::Cng
        } else if lower.contains("cryptographic provider") {
            Self::CryptoApi
        } else {
            Self::Unknown
        }
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::CryptoApi => "CryptoAPI",
            Self::Cng => "CNG",
            Self::Unknown => "unknown type",
        })
    }
}

/// The Microsoft CSP name attribute of a key bag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provider {
    pub name: String,
    pub kind: ProviderKind,
}

/// `provider "NAME" (KIND)`, as the reports show it.
impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "provider \"{}\" ({})", self.name, self.kind)
    }
}

/// How a key was tied to its certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum KeyMatch {
    /// The certificate's public key is the private key's public half: proof.
    PublicKey,
    /// Only the PKCS#12 localKeyId attributes agree (the key's public half is unknown).
    LocalKeyId,
}

/// The private keys of a check's inputs, and which inputs were PKCS#12 files
/// (only those can hold a key, so only they can lack one).
#[derive(Clone, Debug, Default)]
pub struct KeyRing {
    pub keys: Vec<PrivateKey>,
    pub pkcs12_files: Vec<String>,
    /// How each PKCS#12 file protects its contents: whether old Windows can import it.
    pub protections: Vec<PfxProtection>,
}

/// The protection of one PKCS#12 input.
#[derive(Clone, Debug)]
pub struct PfxProtection {
    pub file: String,
    pub protection: crate::load::Protection,
}

/// A private key from a PKCS#12 input.
#[derive(Clone, Debug)]
pub struct PrivateKey {
    file: Arc<str>,
    friendly_name: Option<String>,
    local_key_id: Option<Vec<u8>>,
    provider: Option<Provider>,
    public: PublicHalf,
}

impl PrivateKey {
    pub fn from_raw(raw: RawKey) -> Self {
        Self {
            file: raw.file,
            friendly_name: raw.bag.friendly_name,
            local_key_id: raw.bag.local_key_id,
            provider: raw.provider.map(|name| Provider {
                kind: ProviderKind::of(&name),
                name,
            }),
            public: raw.public,
        }
    }

    /// The input file that held the key.
    pub fn file(&self) -> &str {
        &self.file
    }
    pub fn friendly_name(&self) -> Option<&str> {
        self.friendly_name.as_deref()
    }
    pub fn provider(&self) -> Option<&Provider> {
        self.provider.as_ref()
    }

    /// Type and size, as far as the public half tells.
    pub fn algorithm(&self) -> KeyAlgorithm {
        match &self.public {
            PublicHalf::Rsa { modulus, .. } => KeyAlgorithm::Rsa {
                bits: bit_length(without_leading_zeros(modulus)),
            },
            PublicHalf::Ec { .. } => KeyAlgorithm::Other("EC".into()),
            PublicHalf::Other { algorithm } => KeyAlgorithm::Other(algorithm.clone()),
        }
    }

    /// Whether this is `cert`'s private key. Keys are compared when the public half
    /// is known, so a PFX whose localKeyId attributes lie is not believed; the
    /// localKeyId decides only when there is nothing to compare.
    pub fn pairs_with(&self, cert: &Certificate) -> Option<KeyMatch> {
        let key = cert.public_key();
        let same = match &self.public {
            PublicHalf::Rsa { modulus, exponent } => {
                Some(key.rsa_components().is_some_and(|(n, e)| {
                    n == without_leading_zeros(modulus) && e == without_leading_zeros(exponent)
                }))
            }
            PublicHalf::Ec { point: Some(point) } => Some(key.key_bytes() == point.as_slice()),
            PublicHalf::Ec { point: None } | PublicHalf::Other { .. } => None,
        };
        match same {
            Some(true) => Some(KeyMatch::PublicKey),
            Some(false) => None,
            None => {
                let same_file = *cert.origin().file == *self.file;
                match (&self.local_key_id, cert.local_key_id()) {
                    (Some(k), Some(c)) if same_file && k.as_slice() == c => {
                        Some(KeyMatch::LocalKeyId)
                    }
                    _ => None,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_kinds_by_name() {
        for cng in [
            "Microsoft Software Key Storage Provider",
            "Microsoft Smart Card Key Storage Provider",
            "Microsoft Platform Crypto Provider",
            "SafeNet Key Storage Provider",
        ] {
            assert_eq!(ProviderKind::of(cng), ProviderKind::Cng, "{cng}");
        }
        for capi in [
            "Microsoft RSA SChannel Cryptographic Provider",
            "Microsoft Enhanced RSA and AES Cryptographic Provider",
            "Microsoft Strong Cryptographic Provider",
        ] {
            assert_eq!(ProviderKind::of(capi), ProviderKind::CryptoApi, "{capi}");
        }
        assert_eq!(
            ProviderKind::of("Luna Cryptographic Services for Microsoft Windows"),
            ProviderKind::Unknown
        );
    }
}
