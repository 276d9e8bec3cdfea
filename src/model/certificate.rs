//! One parsed certificate.

use std::ops::Range;
use std::sync::{Arc, OnceLock, RwLock};

use sha1::Digest as _;
use time::OffsetDateTime;
use x509_parser::certificate::X509CertificateParser;
use x509_parser::extensions::{
    AuthorityInfoAccess, AuthorityKeyIdentifier, BasicConstraints, GeneralName, KeyIdentifier,
    SubjectAlternativeName,
};
use x509_parser::nom::Parser as _;
use x509_parser::oid_registry::{
    OID_PKIX_ACCESS_DESCRIPTOR_CA_ISSUERS, OID_PKIX_AUTHORITY_INFO_ACCESS,
    OID_X509_EXT_AUTHORITY_KEY_IDENTIFIER, OID_X509_EXT_BASIC_CONSTRAINTS,
    OID_X509_EXT_SUBJECT_ALT_NAME, OID_X509_EXT_SUBJECT_KEY_IDENTIFIER,
};
use x509_parser::prelude::{FromDer, X509Version};
use x509_parser::public_key::PublicKey as X509PublicKey;

use super::algorithm::{KeyAlgorithm, SignatureAlgorithm};
use super::hex::{KeyId, Serial, Sha1Thumbprint, Sha256Thumbprint, Thumbprint};
use super::name::DistinguishedName;
use crate::load::{Bag, ByContent, Origin, RawCertificate};

/// A certificate that does not parse, with where it came from.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: not a valid X.509 certificate: {reason}")]
pub struct ParseError {
    pub origin: Origin,
    pub reason: String,
}

/// A subject public key: its type and size, plus the bytes verifiers need.
#[derive(Clone, Debug)]
pub struct PublicKey {
    algorithm: KeyAlgorithm,
    /// The SubjectPublicKeyInfo DER; the parts below are ranges in it, one copy
    /// for all of them.
    spki: Vec<u8>,
    /// Worked out on first use: a CA's key identity is asked for often, a leaf's
    /// hardly ever.
    spki_sha256: OnceLock<Sha256Thumbprint>,
    /// The subjectPublicKey BIT STRING content (RSAPublicKey DER, EC point, ...).
    key: Range<usize>,
    /// RSA modulus and exponent, big-endian, leading zeros removed.
    rsa: Option<(Range<usize>, Range<usize>)>,
}

impl PublicKey {
    pub fn algorithm(&self) -> &KeyAlgorithm {
        &self.algorithm
    }
    /// SHA-256 of the SubjectPublicKeyInfo DER: the key's identity across the
    /// re-issued and cross-signed copies of one CA.
    pub fn spki_sha256(&self) -> &Sha256Thumbprint {
        self.spki_sha256
            .get_or_init(|| Thumbprint::new(sha2::Sha256::digest(&self.spki).into()))
    }
    pub fn key_bytes(&self) -> &[u8] {
        self.spki.get(self.key.clone()).unwrap_or_default()
    }
    pub fn rsa_components(&self) -> Option<(&[u8], &[u8])> {
        let (n, e) = self.rsa.as_ref()?;
        Some((self.spki.get(n.clone())?, self.spki.get(e.clone())?))
    }
}

/// Where a certificate stands at a given time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validity {
    NotYetValid,
    Valid,
    Expired,
}

/// A parsed certificate with the identities Exchange and the MFG use.
///
/// The parsed part is shared (`Arc`): the same CA certificate arrives in thousands of
/// bundles during a scan, and is parsed once; only where it was found differs.
#[derive(Clone, Debug)]
pub struct Certificate {
    origin: Origin,
    bag: Bag,
    parsed: Arc<Parsed>,
}

/// Everything read from the DER; identical for every copy of a certificate.
#[derive(Debug)]
struct Parsed {
    der: Vec<u8>,
    /// Where the signed part and the signature bits lie in `der`: both are read for
    /// every signature check, and copies would cost two allocations per certificate.
    tbs: Range<usize>,
    signature_value: Range<usize>,
    signature_algorithm: SignatureAlgorithm,
    sha1: Sha1Thumbprint,
    sha256: Sha256Thumbprint,
    subject: DistinguishedName,
    issuer: DistinguishedName,
    serial: Serial,
    ski: Option<KeyId>,
    aki: Option<KeyId>,
    public_key: PublicKey,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    is_ca: bool,
    /// Where the subjectAltName and authorityInfoAccess extensions' values lie in
    /// `der`, decoded on first use: a scan never asks for a leaf's DNS names, and
    /// asks for an issuer's address only when the issuer is missing.
    san: Vec<Range<usize>>,
    dns_names: OnceLock<Vec<String>>,
    aia: Vec<Range<usize>>,
    /// The AIA caIssuers addresses: where the issuer's certificate can be downloaded.
    ca_issuers: OnceLock<Vec<String>>,
    version: u32,
}

/// How many CA certificates a [`ParseCache`] keeps.
const PARSED_CA_CERTIFICATES: usize = 1 << 14;

/// CA certificates already parsed, shared between checks (and threads). End-entity
/// certificates are not kept: each appears once.
#[derive(Debug)]
pub struct ParseCache {
    /// Keyed by the DER itself, found by its end: a hit computes no digest and hashes
    /// no more than a few bytes.
    parsed: RwLock<ByContent<Arc<Parsed>>>,
}

impl Default for ParseCache {
    fn default() -> Self {
        Self {
            parsed: RwLock::new(ByContent::with_capacity(PARSED_CA_CERTIFICATES)),
        }
    }
}

impl ParseCache {
    /// How many certificates the cache holds.
    pub fn len(&self) -> usize {
        self.parsed.read().map_or(0, |m| m.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The values of extensions found at `ranges` of `der`.
fn extension_values<'a>(
    der: &'a [u8],
    ranges: &'a [Range<usize>],
) -> impl Iterator<Item = &'a [u8]> {
    ranges.iter().filter_map(|r| der.get(r.clone()))
}

/// Where `part`, a slice the parser took from `whole`, lies in it.
fn within(whole: &[u8], part: &[u8]) -> Option<Range<usize>> {
    let start = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    let range = start..start.checked_add(part.len())?;
    whole
        .get(range.clone())
        .is_some_and(|found| std::ptr::eq(found, part))
        .then_some(range)
}

/// A big-endian unsigned integer without its leading zero bytes.
pub(crate) fn without_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes.get(first..).unwrap_or_default()
}

/// Bit length of a big-endian unsigned integer.
pub(crate) fn bit_length(bytes: &[u8]) -> usize {
    match bytes.first() {
        Some(top) => bytes.len() * 8 - top.leading_zeros() as usize,
        None => 0,
    }
}

impl Certificate {
    /// Parses one certificate's DER.
    pub fn from_raw(raw: RawCertificate) -> Result<Self, ParseError> {
        Self::from_raw_cached(raw, None)
    }

    /// Parses one certificate's DER, reusing (and filling) `cache` for CA certificates.
    pub fn from_raw_cached(
        raw: RawCertificate,
        cache: Option<&ParseCache>,
    ) -> Result<Self, ParseError> {
        let RawCertificate { der, origin, bag } = raw;
        if let Some(hit) = cache.and_then(|c| c.parsed.read().ok()?.get(&der).cloned()) {
            return Ok(Self {
                origin,
                bag,
                parsed: hit,
            });
        }
        let der = der.into_vec();
        let fail = |reason: String| ParseError {
            origin: origin.clone(),
            reason,
        };
        // Extensions are read shallow, and only the five used here are parsed (the
        // names and addresses when first asked for): a public CA's leaf carries
        // others (SCT lists, policies, CRL points) that deep parsing would decode for
        // nothing. A malformed extension is passed over, as the deep parser would
        // record it and move on.
        let (rest, x509) = X509CertificateParser::new()
            .with_deep_parse_extensions(false)
            .parse(&der)
            .map_err(|e| fail(e.to_string()))?;
        if !rest.is_empty() {
            return Err(fail(format!(
                "{} unexpected bytes after the certificate",
                rest.len()
            )));
        }
        let tbs = &x509.tbs_certificate;

        let mut ski = None;
        let mut aki = None;
        let mut is_ca = false;
        let mut san = Vec::new();
        let mut aia = Vec::new();
        for ext in tbs.extensions() {
            let value = ext.value;
            if ext.oid == OID_X509_EXT_SUBJECT_KEY_IDENTIFIER {
                if let Ok((_, id)) = KeyIdentifier::from_der(value) {
                    ski = Some(KeyId::new(id.0.to_vec()));
                }
            } else if ext.oid == OID_X509_EXT_AUTHORITY_KEY_IDENTIFIER {
                if let Ok((_, a)) = AuthorityKeyIdentifier::from_der(value) {
                    aki = a.key_identifier.map(|id| KeyId::new(id.0.to_vec()));
                }
            } else if ext.oid == OID_X509_EXT_BASIC_CONSTRAINTS {
                if let Ok((_, bc)) = BasicConstraints::from_der(value) {
                    is_ca = bc.ca;
                }
            } else if ext.oid == OID_X509_EXT_SUBJECT_ALT_NAME {
                san.extend(within(&der, value));
            } else if ext.oid == OID_PKIX_AUTHORITY_INFO_ACCESS {
                aia.extend(within(&der, value));
            }
        }

        let spki = tbs.public_key();
        let inside_key = |part: &[u8]| {
            within(spki.raw, part)
                .ok_or_else(|| fail("the key is not inside its SubjectPublicKeyInfo".into()))
        };
        let key = inside_key(&spki.subject_public_key.data)?;
        let (algorithm, rsa) = match spki.parsed() {
            Ok(X509PublicKey::RSA(k)) => {
                let n = without_leading_zeros(k.modulus);
                let e = without_leading_zeros(k.exponent);
                (
                    KeyAlgorithm::Rsa {
                        bits: bit_length(n),
                    },
                    Some((inside_key(n)?, inside_key(e)?)),
                )
            }
            Ok(X509PublicKey::EC(_)) => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.as_oid().ok());
                (
                    KeyAlgorithm::Ec {
                        curve: KeyAlgorithm::ec_curve(curve.as_ref()),
                    },
                    None,
                )
            }
            Ok(X509PublicKey::DSA(y)) => (
                KeyAlgorithm::Dsa {
                    bits: bit_length(without_leading_zeros(y)),
                },
                None,
            ),
            _ if spki.algorithm.algorithm.to_id_string() == "1.3.101.112" => {
                (KeyAlgorithm::Ed25519, None)
            }
            _ => (
                KeyAlgorithm::Other(spki.algorithm.algorithm.to_id_string()),
                None,
            ),
        };
        let public_key = PublicKey {
            algorithm,
            spki: spki.raw.to_vec(),
            spki_sha256: OnceLock::new(),
            key,
            rsa,
        };

        let sha256 = Thumbprint::new(sha2::Sha256::digest(&der).into());
        let parsed = Arc::new(Parsed {
            tbs: within(&der, tbs.as_ref())
                .ok_or_else(|| fail("the signed part is not inside the certificate".into()))?,
            signature_value: within(&der, &x509.signature_value.data)
                .ok_or_else(|| fail("the signature is not inside the certificate".into()))?,
            signature_algorithm: SignatureAlgorithm::from_x509(&x509.signature_algorithm),
            sha1: Thumbprint::new(sha1::Sha1::digest(&der).into()),
            sha256,
            subject: DistinguishedName::from_x509(x509.subject()),
            issuer: DistinguishedName::from_x509(x509.issuer()),
            serial: Serial::new(x509.raw_serial().to_vec()),
            ski,
            aki,
            public_key,
            not_before: x509.validity().not_before.to_datetime(),
            not_after: x509.validity().not_after.to_datetime(),
            is_ca,
            san,
            dns_names: OnceLock::new(),
            aia,
            ca_issuers: OnceLock::new(),
            version: match x509.version() {
                X509Version::V1 => 1,
                X509Version::V2 => 2,
                X509Version::V3 => 3,
                X509Version(v) => v + 1,
            },
            der,
        });
        if parsed.is_ca {
            if let Some(mut map) = cache.and_then(|c| c.parsed.write().ok()) {
                map.insert(&parsed.der, Arc::clone(&parsed));
            }
        }
        Ok(Self {
            origin,
            bag,
            parsed,
        })
    }

    /// Where the certificate was first found.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }
    /// The certificate's DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.parsed.der
    }
    /// The signed part (TBSCertificate), exactly as encoded.
    pub fn tbs(&self) -> &[u8] {
        self.parsed
            .der
            .get(self.parsed.tbs.clone())
            .unwrap_or_default()
    }
    pub fn signature_value(&self) -> &[u8] {
        self.parsed
            .der
            .get(self.parsed.signature_value.clone())
            .unwrap_or_default()
    }
    pub fn signature_algorithm(&self) -> &SignatureAlgorithm {
        &self.parsed.signature_algorithm
    }
    /// The thumbprint `Get-ExchangeCertificate` shows and `New-FederationTrust -Thumbprint` takes.
    pub fn sha1(&self) -> &Sha1Thumbprint {
        &self.parsed.sha1
    }
    pub fn sha256(&self) -> &Sha256Thumbprint {
        &self.parsed.sha256
    }
    pub fn subject(&self) -> &DistinguishedName {
        &self.parsed.subject
    }
    pub fn issuer(&self) -> &DistinguishedName {
        &self.parsed.issuer
    }
    pub fn serial(&self) -> &Serial {
        &self.parsed.serial
    }
    /// Subject Key Identifier: required by the MFG on the federation certificate.
    pub fn ski(&self) -> Option<&KeyId> {
        self.parsed.ski.as_ref()
    }
    /// The keyIdentifier of the Authority Key Identifier: which issuer key signed this.
    pub fn aki(&self) -> Option<&KeyId> {
        self.parsed.aki.as_ref()
    }
    pub fn public_key(&self) -> &PublicKey {
        &self.parsed.public_key
    }
    pub fn not_before(&self) -> OffsetDateTime {
        self.parsed.not_before
    }
    pub fn not_after(&self) -> OffsetDateTime {
        self.parsed.not_after
    }
    /// basicConstraints cA = TRUE.
    pub fn is_ca(&self) -> bool {
        self.parsed.is_ca
    }
    pub fn dns_names(&self) -> &[String] {
        let p = &*self.parsed;
        p.dns_names.get_or_init(|| {
            extension_values(&p.der, &p.san)
                .filter_map(|v| SubjectAlternativeName::from_der(v).ok())
                .flat_map(|(_, san)| {
                    san.general_names.into_iter().filter_map(|g| match g {
                        GeneralName::DNSName(d) => Some(d.to_owned()),
                        _ => None,
                    })
                })
                .collect()
        })
    }
    /// Where the issuer's certificate can be downloaded (AIA caIssuers URIs).
    pub fn ca_issuers(&self) -> &[String] {
        let p = &*self.parsed;
        p.ca_issuers.get_or_init(|| {
            extension_values(&p.der, &p.aia)
                .filter_map(|v| AuthorityInfoAccess::from_der(v).ok())
                .flat_map(|(_, aia)| {
                    aia.accessdescs.into_iter().filter_map(|d| {
                        match (
                            d.access_location,
                            d.access_method == OID_PKIX_ACCESS_DESCRIPTOR_CA_ISSUERS,
                        ) {
                            (GeneralName::URI(uri), true) => Some(uri.to_owned()),
                            _ => None,
                        }
                    })
                })
                .collect()
        })
    }
    pub fn version(&self) -> u32 {
        self.parsed.version
    }
    /// The name the Windows certificate store shows, when a PKCS#12 file gave one.
    pub fn friendly_name(&self) -> Option<&str> {
        self.bag.friendly_name.as_deref()
    }
    /// The PKCS#12 localKeyId that pairs this certificate with its key bag.
    pub fn local_key_id(&self) -> Option<&[u8]> {
        self.bag.local_key_id.as_deref()
    }

    /// Subject and issuer are the same name (a root, or a CA's own re-key certificate).
    pub fn is_self_issued(&self) -> bool {
        self.parsed.subject.matches(&self.parsed.issuer)
    }

    /// Validity at `at`.
    pub fn validity_at(&self, at: OffsetDateTime) -> Validity {
        if at < self.parsed.not_before {
            Validity::NotYetValid
        } else if at > self.parsed.not_after {
            Validity::Expired
        } else {
            Validity::Valid
        }
    }

    /// Whether `issuer` may have issued this certificate by key identifiers alone:
    /// false only when both identifiers are present and differ.
    pub fn key_ids_compatible(&self, issuer: &Certificate) -> bool {
        match (&self.parsed.aki, &issuer.parsed.ski) {
            (Some(a), Some(s)) => a == s,
            _ => true,
        }
    }

    /// Both key identifiers present and equal: positive evidence, not mere compatibility.
    pub fn key_ids_match(&self, issuer: &Certificate) -> bool {
        matches!((&self.parsed.aki, &issuer.parsed.ski), (Some(a), Some(s)) if a == s)
    }
}
