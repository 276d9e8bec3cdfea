//! How a PFX protects its contents, in words: what decides whether an older Windows
//! can import it.

use der::{Decode, Encode};

use super::oid::{OID_PBES2, OID_SHA1, OID_SHA224, OID_SHA256, OID_SHA384, OID_SHA512};

/// How a PFX protects its contents: what decides whether an older Windows can import
/// it. Windows Server 2016 and earlier know only the PKCS#12 schemes (3DES, RC2) and
/// report a wrong password for PBES2 (AES), the default of OpenSSL 3 and of Windows
/// Server 2019's AES256-SHA256 export.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Protection {
    /// The integrity check: `HMAC-SHA1, 2048 iterations`; `None` without one.
    pub mac: Option<Scheme>,
    /// The encryption of the safes that hold the certificates (`none` when clear).
    pub certificates: Vec<Scheme>,
    /// The encryption of each private key bag (`none` for a plain key bag).
    pub keys: Vec<Scheme>,
}

impl Protection {
    /// Whether any part uses PBES2, which Windows Server 2016 and earlier cannot open.
    pub fn modern(&self) -> bool {
        self.certificates.iter().chain(&self.keys).any(|s| s.pbes2)
    }
}

/// One protection scheme, in words.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Scheme {
    /// `PBES2 AES-256-CBC with PBKDF2-HMAC-SHA256`, `3DES (pbeWithSHAAnd3-KeyTripleDES-CBC)`.
    pub name: String,
    pub iterations: Option<u32>,
    /// PBES2 (RFC 8018): AES or 3DES keyed by PBKDF2, not the PKCS#12 key derivation.
    pub pbes2: bool,
}

impl Scheme {
    pub(super) fn none() -> Self {
        Self {
            name: "none".into(),
            iterations: None,
            pbes2: false,
        }
    }

    /// The scheme of an encryption algorithm identifier, whether or not it can be used.
    pub(super) fn of(algorithm: &cms::cert::x509::spki::AlgorithmIdentifierOwned) -> Self {
        let params = algorithm.parameters.as_ref().and_then(|p| p.to_der().ok());
        if algorithm.oid == OID_PBES2 {
            let parsed = params
                .as_deref()
                .and_then(|p| pkcs5::pbes2::Parameters::from_der(p).ok());
            let Some(parsed) = parsed else {
                return Self {
                    name: "PBES2 (parameters not readable)".into(),
                    iterations: None,
                    pbes2: true,
                };
            };
            let cipher = match parsed.encryption.oid().to_string().as_str() {
                "2.16.840.1.101.3.4.1.2" => "AES-128-CBC".to_owned(),
                "2.16.840.1.101.3.4.1.22" => "AES-192-CBC".to_owned(),
                "2.16.840.1.101.3.4.1.42" => "AES-256-CBC".to_owned(),
                "1.2.840.113549.3.7" => "3DES-CBC".to_owned(),
                "1.3.14.3.2.7" => "DES-CBC".to_owned(),
                other => other.to_owned(),
            };
            let (kdf, iterations) = match &parsed.kdf {
                pkcs5::pbes2::Kdf::Pbkdf2(p) => {
                    let prf = match p.prf {
                        pkcs5::pbes2::Pbkdf2Prf::HmacWithSha1 => "SHA1",
                        pkcs5::pbes2::Pbkdf2Prf::HmacWithSha224 => "SHA224",
                        pkcs5::pbes2::Pbkdf2Prf::HmacWithSha256 => "SHA256",
                        pkcs5::pbes2::Pbkdf2Prf::HmacWithSha384 => "SHA384",
                        pkcs5::pbes2::Pbkdf2Prf::HmacWithSha512 => "SHA512",
                        _ => "another hash",
                    };
                    (format!("PBKDF2-HMAC-{prf}"), Some(p.iteration_count))
                }
                pkcs5::pbes2::Kdf::Scrypt(_) => ("scrypt".to_owned(), None),
                _ => ("an unknown key derivation".to_owned(), None),
            };
            return Self {
                name: format!("PBES2 {cipher} with {kdf}"),
                iterations,
                pbes2: true,
            };
        }
        let iterations = params
            .as_deref()
            .and_then(|p| pkcs12::pbe_params::Pkcs12PbeParams::from_der(p).ok())
            .and_then(|p| u32::try_from(p.iterations).ok());
        let name = match algorithm.oid {
            pkcs12::PKCS_12_PBE_WITH_SHAAND3_KEY_TRIPLE_DES_CBC => {
                "3DES (pbeWithSHAAnd3-KeyTripleDES-CBC)".to_owned()
            }
            pkcs12::PKCS_12_PBE_WITH_SHAAND2_KEY_TRIPLE_DES_CBC => {
                "2-key 3DES (pbeWithSHAAnd2-KeyTripleDES-CBC)".to_owned()
            }
            pkcs12::PKCS_12_PBE_WITH_SHAAND128_BIT_RC2_CBC => {
                "RC2-128 (pbeWithSHAAnd128BitRC2-CBC)".to_owned()
            }
            pkcs12::PKCS_12_PBEWITH_SHAAND40_BIT_RC2_CBC => {
                "RC2-40 (pbeWithSHAAnd40BitRC2-CBC)".to_owned()
            }
            pkcs12::PKCS_12_PBE_WITH_SHAAND128_BIT_RC4 => "RC4-128".to_owned(),
            pkcs12::PKCS_12_PBE_WITH_SHAAND40_BIT_RC4 => "RC4-40".to_owned(),
            other => format!("algorithm {other}"),
        };
        Self {
            name,
            iterations,
            pbes2: false,
        }
    }
}

impl std::fmt::Display for Scheme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)?;
        if let Some(n) = self.iterations {
            write!(f, ", {n} iterations")?;
        }
        Ok(())
    }
}

/// The MAC of a PFX in words.
pub(super) fn mac_scheme(mac: &pkcs12::mac_data::MacData) -> Scheme {
    let digest = match mac.mac.algorithm.oid {
        OID_SHA1 => "HMAC-SHA1".to_owned(),
        OID_SHA224 => "HMAC-SHA224".to_owned(),
        OID_SHA256 => "HMAC-SHA256".to_owned(),
        OID_SHA384 => "HMAC-SHA384".to_owned(),
        OID_SHA512 => "HMAC-SHA512".to_owned(),
        other => format!("HMAC with {other}"),
    };
    Scheme {
        name: digest,
        iterations: u32::try_from(mac.iterations).ok(),
        pbes2: false,
    }
}
