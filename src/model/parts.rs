//! What a certificate reader gives ([`Parts`]: parts of the DER, and what was read
//! from them), and x509-parser's reading, which takes any certificate it accepts. The
//! lean reader ([`super::lean`]) gives the same for the common form, faster. Both
//! locate what they read in the DER with [`within`].

use std::borrow::Cow;
use std::ops::Range;

use time::OffsetDateTime;
use x509_parser::certificate::X509CertificateParser;
use x509_parser::extensions::{AuthorityKeyIdentifier, BasicConstraints, KeyIdentifier};
use x509_parser::nom::Parser as _;
use x509_parser::oid_registry::{
    OID_PKIX_AUTHORITY_INFO_ACCESS, OID_X509_EXT_AUTHORITY_KEY_IDENTIFIER,
    OID_X509_EXT_BASIC_CONSTRAINTS, OID_X509_EXT_SUBJECT_ALT_NAME,
    OID_X509_EXT_SUBJECT_KEY_IDENTIFIER,
};
use x509_parser::prelude::{FromDer, X509Version};
use x509_parser::x509::SubjectPublicKeyInfo;

use super::algorithm::SignatureAlgorithm;
use super::hex::KeyId;
use super::name::DistinguishedName;

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
    pub(super) san: Vec<Range<usize>>,
    pub(super) aia: Vec<Range<usize>>,
}

impl Extensions {
    /// Takes in one extension, given its OID's contents and its value, both inside
    /// `der`. A malformed value is passed over, as a deep parse would record it and
    /// move on; a repeated extension is taken again, the last one counting.
    pub(super) fn take(&mut self, der: &[u8], oid: &[u8], value: &[u8]) {
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
        extensions.take(der, ext.oid.as_bytes(), ext.value);
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
