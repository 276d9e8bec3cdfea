//! One parsed certificate.

use std::ops::Range;
use std::sync::{Arc, OnceLock, RwLock};

use sha1::Digest as _;
use time::OffsetDateTime;
use x509_parser::extensions::{AuthorityInfoAccess, GeneralName, SubjectAlternativeName};
use x509_parser::oid_registry::OID_PKIX_ACCESS_DESCRIPTOR_CA_ISSUERS;
use x509_parser::prelude::FromDer;
use x509_parser::public_key::PublicKey as X509PublicKey;
use x509_parser::x509::SubjectPublicKeyInfo;

use super::algorithm::{KeyAlgorithm, SignatureAlgorithm};
use super::hex::{KeyId, Serial, Sha1Thumbprint, Sha256Thumbprint, Thumbprint};
use super::name::DistinguishedName;
use super::parts::{self, Extensions, Parts, within};
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
    /// A key from its SubjectPublicKeyInfo DER alone (an allowlist's listed key).
    pub fn from_spki_der(der: &[u8]) -> Result<Self, String> {
        match SubjectPublicKeyInfo::from_der(der) {
            Ok(([], spki)) => public_key(&spki),
            Ok((rest, _)) => Err(format!("{} bytes after the key", rest.len())),
            Err(e) => Err(format!("not a SubjectPublicKeyInfo ({e})")),
        }
    }
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
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
    sha1: Sha1Thumbprint,
    sha256: Sha256Thumbprint,
    fields: Fields,
    /// The DNS names of the subjectAltName, decoded on first use.
    dns_names: OnceLock<Vec<String>>,
    /// The AIA caIssuers addresses: where the issuer's certificate can be downloaded.
    ca_issuers: OnceLock<Vec<String>>,
}

/// What is read from a certificate's fields, by either reader.
#[derive(Debug)]
struct Fields {
    /// Where the signed part and the signature bits lie in the DER: both are read for
    /// every signature check, and copies would cost two allocations per certificate.
    tbs: Range<usize>,
    signature_value: Range<usize>,
    signature_algorithm: SignatureAlgorithm,
    subject: DistinguishedName,
    issuer: DistinguishedName,
    serial: Serial,
    public_key: PublicKey,
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
    extensions: Extensions,
    version: u32,
}

impl Fields {
    fn new(der: &[u8], parts: Parts<'_>) -> Result<Self, String> {
        let Parts {
            tbs,
            signature_algorithm,
            signature_value,
            serial,
            issuer,
            subject,
            not_before,
            not_after,
            spki,
            extensions,
            version,
        } = parts;
        let public_key = public_key(&spki)?;
        Ok(Self {
            tbs: within(der, tbs).ok_or("the signed part is not inside the certificate")?,
            signature_value: within(der, signature_value)
                .ok_or("the signature is not inside the certificate")?,
            signature_algorithm,
            subject,
            issuer,
            serial: Serial::new(serial.to_vec()),
            public_key,
            not_before,
            not_after,
            extensions,
            version,
        })
    }
}

/// The subject public key: its type and size, and where its parts lie.
fn public_key(spki: &SubjectPublicKeyInfo<'_>) -> Result<PublicKey, String> {
    let inside_key = |part: &[u8]| {
        within(spki.raw, part)
            .ok_or_else(|| "the key is not inside its SubjectPublicKeyInfo".to_owned())
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
    Ok(PublicKey {
        algorithm,
        spki: spki.raw.to_vec(),
        spki_sha256: OnceLock::new(),
        key,
        rsa,
    })
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
        let fields = parts::by_x509(&der)
            .and_then(|parts| Fields::new(&der, parts))
            .map_err(|reason| ParseError {
                origin: origin.clone(),
                reason,
            })?;
        let parsed = Arc::new(Parsed {
            sha1: Thumbprint::new(sha1::Sha1::digest(&der).into()),
            sha256: Thumbprint::new(sha2::Sha256::digest(&der).into()),
            fields,
            dns_names: OnceLock::new(),
            ca_issuers: OnceLock::new(),
            der,
        });
        if parsed.fields.extensions.is_ca {
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
            .get(self.parsed.fields.tbs.clone())
            .unwrap_or_default()
    }
    pub fn signature_value(&self) -> &[u8] {
        self.parsed
            .der
            .get(self.parsed.fields.signature_value.clone())
            .unwrap_or_default()
    }
    pub fn signature_algorithm(&self) -> &SignatureAlgorithm {
        &self.parsed.fields.signature_algorithm
    }
    /// The thumbprint `Get-ExchangeCertificate` shows and `New-FederationTrust -Thumbprint` takes.
    pub fn sha1(&self) -> &Sha1Thumbprint {
        &self.parsed.sha1
    }
    pub fn sha256(&self) -> &Sha256Thumbprint {
        &self.parsed.sha256
    }
    pub fn subject(&self) -> &DistinguishedName {
        &self.parsed.fields.subject
    }
    pub fn issuer(&self) -> &DistinguishedName {
        &self.parsed.fields.issuer
    }
    pub fn serial(&self) -> &Serial {
        &self.parsed.fields.serial
    }
    /// Subject Key Identifier: required by the MFG on the federation certificate.
    pub fn ski(&self) -> Option<&KeyId> {
        self.parsed.fields.extensions.ski.as_ref()
    }
    /// The keyIdentifier of the Authority Key Identifier: which issuer key signed this.
    pub fn aki(&self) -> Option<&KeyId> {
        self.parsed.fields.extensions.aki.as_ref()
    }
    pub fn public_key(&self) -> &PublicKey {
        &self.parsed.fields.public_key
    }
    pub fn not_before(&self) -> OffsetDateTime {
        self.parsed.fields.not_before
    }
    pub fn not_after(&self) -> OffsetDateTime {
        self.parsed.fields.not_after
    }
    /// basicConstraints cA = TRUE.
    pub fn is_ca(&self) -> bool {
        self.parsed.fields.extensions.is_ca
    }
    /// Whether the certificate carries a basicConstraints extension at all.
    pub fn has_basic_constraints(&self) -> bool {
        self.parsed.fields.extensions.has_basic_constraints
    }
    /// basicConstraints' pathLenConstraint: how many intermediate CAs may follow below.
    pub fn path_len(&self) -> Option<u32> {
        self.parsed.fields.extensions.path_len
    }
    /// keyUsage's keyCertSign bit; `None` when the certificate has no keyUsage.
    pub fn key_cert_sign(&self) -> Option<bool> {
        self.parsed.fields.extensions.key_cert_sign
    }
    /// Critical extensions Windows does not know (dotted OIDs): it refuses the
    /// certificate, as RFC 5280 asks.
    pub fn unknown_critical_extensions(&self) -> &[String] {
        &self.parsed.fields.extensions.unknown_critical
    }

    /// Whether the certificate may sign other certificates (RFC 5280 6.1.4 (k), (n)):
    /// a v3 certificate needs basicConstraints cA=TRUE and, with a keyUsage, its
    /// keyCertSign bit. Two older forms count too: v1 and v2 certificates, which have
    /// no extensions to say so, and self-issued roots without basicConstraints (the
    /// 1999 Entrust.net (2048) root), whose own signature the path search still proves.
    /// A listed CA needs none of this: its identity decides, which is the caller's.
    pub fn may_issue(&self) -> bool {
        let ext = &self.parsed.fields.extensions;
        if ext.key_cert_sign == Some(false) {
            return false;
        }
        if self.version() < 3 {
            return true;
        }
        if ext.has_basic_constraints {
            ext.is_ca
        } else {
            self.is_self_issued()
        }
    }

    /// A self-issued root of the old forms that say they are a CA without
    /// basicConstraints: v1 (VeriSign Class 3 Public Primary, ValiCert), or a keyUsage
    /// with keyCertSign, or a Netscape CA type (the Entrust.net (2048) original). Such a
    /// file is a file of CA certificates, not a server's; a self-signed certificate of
    /// the Exchange wizard says none of this and stays a leaf.
    pub fn is_legacy_root(&self) -> bool {
        let ext = &self.parsed.fields.extensions;
        !ext.has_basic_constraints
            && self.is_self_issued()
            && (self.version() < 3 || ext.key_cert_sign == Some(true) || ext.netscape_ca)
    }

    /// A CA certificate by either form: basicConstraints cA=TRUE, or a legacy root.
    pub fn is_ca_like(&self) -> bool {
        self.is_ca() || self.is_legacy_root()
    }
    pub fn dns_names(&self) -> &[String] {
        let p = &*self.parsed;
        p.dns_names.get_or_init(|| {
            extension_values(&p.der, &p.fields.extensions.san)
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
            extension_values(&p.der, &p.fields.extensions.aia)
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
        self.parsed.fields.version
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
        self.parsed
            .fields
            .subject
            .matches(&self.parsed.fields.issuer)
    }

    /// Validity at `at`.
    pub fn validity_at(&self, at: OffsetDateTime) -> Validity {
        if at < self.parsed.fields.not_before {
            Validity::NotYetValid
        } else if at > self.parsed.fields.not_after {
            Validity::Expired
        } else {
            Validity::Valid
        }
    }

    /// Whether `issuer` may have issued this certificate by key identifiers alone:
    /// false only when both identifiers are present and differ.
    pub fn key_ids_compatible(&self, issuer: &Certificate) -> bool {
        match (
            &self.parsed.fields.extensions.aki,
            &issuer.parsed.fields.extensions.ski,
        ) {
            (Some(a), Some(s)) => a == s,
            _ => true,
        }
    }

    /// Both key identifiers present and equal: positive evidence, not mere compatibility.
    pub fn key_ids_match(&self, issuer: &Certificate) -> bool {
        matches!((&self.parsed.fields.extensions.aki, &issuer.parsed.fields.extensions.ski), (Some(a), Some(s)) if a == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The DER of every certificate in the fixture files (PEM, DER, PKCS#7, and the
    /// PKCS#12 files that open without a password), each once.
    fn fixture_certificates() -> Vec<Vec<u8>> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("certs-testdata");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("certs-testdata")
            .map(|e| e.expect("an entry").path())
            .collect();
        files.sort();
        let mut ders: Vec<Vec<u8>> = Vec::new();
        for file in files {
            let bytes = std::fs::read(&file).expect("a fixture");
            let Ok(loaded) = crate::load::load_with("fixture", &bytes, None, None) else {
                continue;
            };
            for raw in loaded.certificates {
                if !ders.iter().any(|d| d[..] == raw.der[..]) {
                    ders.push(raw.der.to_vec());
                }
            }
        }
        ders
    }

    #[test]
    fn certificates_outside_the_common_form_are_read_by_x509_parser() {
        // A fixture with its serial number's length in the long form, which DER
        // forbids and x509-parser accepts: the certificate still reads, with the
        // fixture's own names, serial and key.
        let der = fixture_certificates()
            .into_iter()
            .find(|d| d.get(1) == Some(&0x82) && d.get(5) == Some(&0x82))
            .expect("a fixture of two-byte lengths");
        let len = |at: usize| usize::from(der[at]) << 8 | usize::from(der[at + 1]);
        let tbs = &der[8..8 + len(6)];
        let serial_len = tbs[6];
        assert!(tbs.starts_with(&[0xA0, 0x03, 0x02, 0x01, 0x02, 0x02]) && serial_len < 0x80);
        let mut new_tbs = tbs[..6].to_vec();
        new_tbs.extend([0x81, serial_len]);
        new_tbs.extend(&tbs[7..]);
        let two = |n: usize| [0x82, (n >> 8) as u8, n as u8];
        let mut outer = vec![0x30];
        outer.extend(two(new_tbs.len()));
        outer.extend(&new_tbs);
        outer.extend(&der[8 + len(6)..]);
        let mut changed = vec![0x30];
        changed.extend(two(outer.len()));
        changed.extend(&outer);

        let raw = |der: &[u8]| crate::load::load_with("fixture", der, None, None).expect("loads");
        let read = |der: &[u8]| {
            let raw = raw(der)
                .certificates
                .into_iter()
                .next()
                .expect("a certificate");
            Certificate::from_raw(raw).expect("reads")
        };
        let (original, changed) = (read(&der), read(&changed));
        assert_eq!(changed.subject(), original.subject());
        assert_eq!(changed.issuer(), original.issuer());
        assert_eq!(changed.serial(), original.serial());
        assert_eq!(changed.ski(), original.ski());
        assert_eq!(
            changed.public_key().key_bytes(),
            original.public_key().key_bytes()
        );
        assert_ne!(changed.tbs(), original.tbs());
    }
}
