//! What the certificate reader gives ([`Parts`]: parts of the DER, and what was read
//! from them): x509-parser's reading, which takes any certificate it accepts, each part
//! located in the DER with [`within`].

use std::borrow::Cow;
use std::ops::Range;

use time::OffsetDateTime;
use x509_parser::asn1_rs::Oid;
use x509_parser::certificate::X509CertificateParser;
use x509_parser::extensions::{
    AuthorityKeyIdentifier, BasicConstraints, KeyIdentifier, KeyUsage, NSCertType,
};
use x509_parser::nom::Parser as _;
use x509_parser::oid_registry::{
    OID_PKIX_AUTHORITY_INFO_ACCESS, OID_X509_EXT_AUTHORITY_KEY_IDENTIFIER,
    OID_X509_EXT_BASIC_CONSTRAINTS, OID_X509_EXT_CERT_TYPE, OID_X509_EXT_KEY_USAGE,
    OID_X509_EXT_SUBJECT_ALT_NAME, OID_X509_EXT_SUBJECT_KEY_IDENTIFIER,
};
use x509_parser::prelude::{FromDer, X509Version};
use x509_parser::x509::SubjectPublicKeyInfo;

use super::algorithm::SignatureAlgorithm;
use super::hex::KeyId;
use super::name::DistinguishedName;
use super::oid::OidTable;

/// The extensions Windows (CryptoAPI) understands when they are marked critical: RFC
/// 5280's, the Netscape certificate type, Microsoft's template and application policy
/// extensions. A certificate with any other critical extension is refused by Windows
/// (and by RFC 5280 path validation), so it is reported, never silently passed.
static KNOWN_CRITICAL: OidTable<()> = OidTable::new(&[
    ("2.5.29.9", ()),              // subjectDirectoryAttributes
    ("2.5.29.14", ()),             // subjectKeyIdentifier
    ("2.5.29.15", ()),             // keyUsage
    ("2.5.29.17", ()),             // subjectAltName
    ("2.5.29.18", ()),             // issuerAltName
    ("2.5.29.19", ()),             // basicConstraints
    ("2.5.29.30", ()),             // nameConstraints
    ("2.5.29.31", ()),             // cRLDistributionPoints
    ("2.5.29.32", ()),             // certificatePolicies
    ("2.5.29.33", ()),             // policyMappings
    ("2.5.29.35", ()),             // authorityKeyIdentifier
    ("2.5.29.36", ()),             // policyConstraints
    ("2.5.29.37", ()),             // extendedKeyUsage
    ("2.5.29.46", ()),             // freshestCRL
    ("2.5.29.54", ()),             // inhibitAnyPolicy
    ("1.3.6.1.5.5.7.1.1", ()),     // authorityInfoAccess
    ("1.3.6.1.5.5.7.1.11", ()),    // subjectInfoAccess
    ("2.16.840.1.113730.1.1", ()), // Netscape certificate type
    ("1.3.6.1.4.1.311.20.2", ()),  // Microsoft certificate template name
    ("1.3.6.1.4.1.311.21.7", ()),  // Microsoft certificate template
    ("1.3.6.1.4.1.311.21.10", ()), // Microsoft application policies
]);

/// Where `part`, a slice the parser took from `whole`, lies in it.
pub(super) fn within(whole: &[u8], part: &[u8]) -> Option<Range<usize>> {
    let start = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    let range = start..start.checked_add(part.len())?;
    whole
        .get(range.clone())
        .is_some_and(|found| std::ptr::eq(found, part))
        .then_some(range)
}

/// The extensions used here, as found: the key identifiers and basic constraints
/// decoded, the names and addresses kept as where their values lie in the DER,
/// decoded on first use (a scan never asks for a leaf's DNS names, and asks for an
/// issuer's address only when the issuer is missing). Other extensions (a public
/// CA's leaf carries SCT lists, policies, CRL points) are passed over unread.
#[derive(Debug, Default)]
pub(super) struct Extensions {
    pub(super) ski: Option<KeyId>,
    pub(super) aki: Option<KeyId>,
    pub(super) is_ca: bool,
    /// Whether a basicConstraints extension is present at all: a v3 certificate without
    /// one is not a CA (RFC 5280 4.2.1.9), except a legacy self-signed root.
    pub(super) has_basic_constraints: bool,
    /// basicConstraints' pathLenConstraint.
    pub(super) path_len: Option<u32>,
    /// keyUsage's keyCertSign bit; `None` without a keyUsage extension.
    pub(super) key_cert_sign: Option<bool>,
    /// A Netscape certificate type naming a CA (SSL, S/MIME or object signing CA): how
    /// roots of the 1990s, such as the Entrust.net (2048) original, said they were CAs.
    pub(super) netscape_ca: bool,
    /// Critical extensions outside [`KNOWN_CRITICAL`], as dotted OIDs.
    pub(super) unknown_critical: Vec<String>,
    pub(super) san: Vec<Range<usize>>,
    pub(super) aia: Vec<Range<usize>>,
}

impl Extensions {
    /// Takes in one extension, given its OID's contents and its value, both inside
    /// `der`. A malformed value is passed over, as a deep parse would record it and
    /// move on; a repeated extension is taken again, the last one counting.
    pub(super) fn take(&mut self, der: &[u8], oid: &[u8], critical: bool, value: &[u8]) {
        if critical {
            let oid = Oid::new(Cow::Borrowed(oid));
            if KNOWN_CRITICAL.find(&oid).is_none() {
                self.unknown_critical.push(oid.to_id_string());
            }
        }
        if oid == OID_X509_EXT_SUBJECT_KEY_IDENTIFIER.as_bytes() {
            if let Ok((_, id)) = KeyIdentifier::from_der(value) {
                self.ski = Some(KeyId::new(id.0.to_vec()));
            }
        } else if oid == OID_X509_EXT_AUTHORITY_KEY_IDENTIFIER.as_bytes() {
            if let Ok((_, a)) = AuthorityKeyIdentifier::from_der(value) {
                self.aki = a.key_identifier.map(|id| KeyId::new(id.0.to_vec()));
            }
        } else if oid == OID_X509_EXT_BASIC_CONSTRAINTS.as_bytes() {
            if let Ok((_, bc)) = BasicConstraints::from_der(value) {
                self.is_ca = bc.ca;
                self.has_basic_constraints = true;
                self.path_len = bc.path_len_constraint;
            }
        } else if oid == OID_X509_EXT_KEY_USAGE.as_bytes() {
            if let Ok((_, ku)) = KeyUsage::from_der(value) {
                self.key_cert_sign = Some(ku.key_cert_sign());
            }
        } else if oid == OID_X509_EXT_CERT_TYPE.as_bytes() {
            if let Ok((_, t)) = NSCertType::from_der(value) {
                self.netscape_ca = t.ssl_ca() || t.smime_ca() || t.object_signing_ca();
            }
        } else if oid == OID_X509_EXT_SUBJECT_ALT_NAME.as_bytes() {
            self.san.extend(within(der, value));
        } else if oid == OID_PKIX_AUTHORITY_INFO_ACCESS.as_bytes() {
            self.aia.extend(within(der, value));
        }
    }
}

/// What either reader gives: parts of the DER, and what was read from them.
pub(super) struct Parts<'a> {
    pub(super) tbs: &'a [u8],
    pub(super) signature_algorithm: SignatureAlgorithm,
    /// The signature's bits (the BIT STRING's contents after its unused-bits count).
    pub(super) signature_value: &'a [u8],
    /// The serial number's INTEGER contents, as encoded.
    pub(super) serial: &'a [u8],
    pub(super) issuer: DistinguishedName,
    pub(super) subject: DistinguishedName,
    pub(super) not_before: OffsetDateTime,
    pub(super) not_after: OffsetDateTime,
    pub(super) spki: SubjectPublicKeyInfo<'a>,
    pub(super) extensions: Extensions,
    pub(super) version: u32,
}

/// The parts of `der` as x509-parser reads them: any certificate it accepts.
pub(super) fn by_x509(der: &[u8]) -> Result<Parts<'_>, String> {
    // Extensions are read shallow, and only those used here are decoded.
    let (rest, x509) = X509CertificateParser::new()
        .with_deep_parse_extensions(false)
        .parse(der)
        .map_err(|e| e.to_string())?;
    if !rest.is_empty() {
        return Err(format!(
            "{} unexpected bytes after the certificate",
            rest.len()
        ));
    }
    let mut extensions = Extensions::default();
    for ext in x509.tbs_certificate.extensions() {
        extensions.take(der, ext.oid.as_bytes(), ext.critical, ext.value);
    }
    let Cow::Borrowed(signature_value) = x509.signature_value.data else {
        return Err("the signature is not inside the certificate".into());
    };
    let tbs = x509.tbs_certificate;
    // The signed part as a slice of `der` itself, which the parts borrow.
    let signed = within(der, tbs.as_ref())
        .and_then(|range| der.get(range))
        .ok_or("the signed part is not inside the certificate")?;
    Ok(Parts {
        tbs: signed,
        signature_algorithm: SignatureAlgorithm::from_x509(&x509.signature_algorithm),
        signature_value,
        serial: tbs.raw_serial(),
        issuer: DistinguishedName::from_x509(tbs.issuer()),
        subject: DistinguishedName::from_x509(tbs.subject()),
        not_before: tbs.validity().not_before.to_datetime(),
        not_after: tbs.validity().not_after.to_datetime(),
        extensions,
        version: match tbs.version() {
            X509Version::V1 => 1,
            X509Version::V2 => 2,
            X509Version::V3 => 3,
            X509Version(v) => v + 1,
        },
        spki: tbs.subject_pki,
    })
}
