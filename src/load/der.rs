//! DER and BER framing: where one object ends, and what kind of object it is.

use x509_parser::asn1_rs::{Any, Class, FromBer, Header, Length, Tag};

use super::ber::element;
use super::{Bag, Der, Format, Found, Password, Problem, pkcs7, pkcs12};

/// A SEQUENCE header whose length is plausible: the start of a DER file.
/// Text cannot start this way except by accident, and then the length is wrong
/// and the bytes are printable, which [`certificates`] does not insist on.
pub(super) fn looks_like_der(bytes: &[u8]) -> bool {
    if bytes.first() != Some(&0x30) {
        return false;
    }
    let Ok((rest, header)) = Header::from_ber(bytes) else {
        return false;
    };
    match header.length() {
        Length::Indefinite => true,
        Length::Definite(n) => n <= rest.len() || bytes.iter().take(64).any(|b| !b.is_ascii()),
    }
}

/// What a top-level SEQUENCE is, judged by its first elements.
enum Kind {
    Certificate,
    /// A certificate revocation list: shaped like a certificate, holds none.
    Crl,
    /// A certificate request (PKCS#10).
    Request,
    ContentInfo,
    Pfx,
    Other,
}

/// Tells a certificate's TBSCertificate from a CRL's TBSCertList and a request's
/// CertificationRequestInfo, which all sit first in an outer SEQUENCE:
///
/// ```text
/// TBSCertificate   [0] version?, INTEGER serial, AlgorithmIdentifier, Name, Validity (SEQUENCE), ...
/// TBSCertList      INTEGER version?, AlgorithmIdentifier, Name, Time thisUpdate, ...
/// CertRequestInfo  INTEGER version, Name (SEQUENCE OF SET), SubjectPublicKeyInfo, [0] ...
/// ```
/// Too damaged to tell counts as a certificate, so that its parser explains it.
fn signed_kind(tbs: &[u8]) -> Kind {
    let mut fields = Vec::with_capacity(5);
    let mut rest = tbs;
    let mut damaged = false;
    while fields.len() < 5 && !rest.is_empty() {
        let Ok((any, _, next)) = element(rest) else {
            damaged = true;
            break;
        };
        let first_inner = Header::from_ber(any.data).map(|(_, h)| h.tag()).ok();
        fields.push((any.class(), any.tag(), first_inner));
        rest = next;
    }
    let fields = match fields.split_first() {
        Some(((Class::ContextSpecific, Tag(0), _), after)) => after,
        _ => fields.as_slice(),
    };
    match fields {
        [(Class::Universal, Tag::Sequence, Some(Tag::Oid)), ..] => Kind::Crl,
        [
            (Class::Universal, Tag::Integer, _),
            (Class::Universal, Tag::Sequence, Some(Tag::Set)),
            ..,
        ] => Kind::Request,
        [
            (Class::Universal, Tag::Integer, _),
            (Class::Universal, Tag::Sequence, Some(Tag::Oid)),
            _,
            (Class::Universal, Tag::UtcTime | Tag::GeneralizedTime, _),
            ..,
        ] => Kind::Crl,
        [
            (Class::Universal, Tag::Integer, _),
            (Class::Universal, Tag::Sequence, Some(Tag::Oid)),
            ..,
        ] => Kind::Certificate,
        // Too damaged to tell: the certificate parser says what is wrong.
        _ if damaged => Kind::Certificate,
        // Well-formed, but no serial and algorithm: an OCSP message or the like.
        _ => Kind::Other,
    }
}

fn kind(outer: &Any<'_>) -> Kind {
    let Ok((rest, first)) = Header::from_ber(outer.data) else {
        return Kind::Other;
    };
    match first.tag() {
        Tag::Sequence => match element(outer.data) {
            Ok((tbs, _, _)) => signed_kind(tbs.data),
            Err(_) => Kind::Certificate,
        },
        Tag::Oid => Kind::ContentInfo,
        // PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo, macData OPTIONAL }
        Tag::Integer if rest.first() == Some(&3) && first.length() == Length::Definite(1) => {
            Kind::Pfx
        }
        _ => Kind::Other,
    }
}

/// Whether `bytes` starts with a PKCS#12 PFX: a SEQUENCE whose first element is the
/// INTEGER 3. Only the two headers are read (every PEM certificate block is asked,
/// and walking a whole certificate to answer would cost more than the answer).
pub(super) fn is_pfx(bytes: &[u8]) -> bool {
    let Ok((inner, outer)) = Header::from_ber(bytes) else {
        return false;
    };
    if outer.tag() != Tag::Sequence {
        return false;
    }
    matches!(Header::from_ber(inner), Ok((rest, first))
        if first.tag() == Tag::Integer
            && first.length() == Length::Definite(1)
            && rest.first() == Some(&3))
}

/// Every certificate in a run of DER objects: certificates themselves, PKCS#7
/// SignedData holding them, or PKCS#12 files (opened with `password`). Trailing white
/// space and NUL padding are ignored.
pub(super) fn certificates(
    bytes: &[u8],
    plain: Format,
    wrapped: Format,
    password: Option<&Password>,
) -> Result<Found, Problem> {
    let mut out = Vec::new();
    let mut keys = Vec::new();
    let mut protections = Vec::new();
    let mut pfx = false;
    let mut rest = bytes;
    while !rest.iter().all(|b| b.is_ascii_whitespace() || *b == 0) {
        let (any, raw, next) = element(rest)?;
        if any.class() != Class::Universal || any.tag() != Tag::Sequence {
            return Err(Problem::BadDer(format!(
                "expected a SEQUENCE, found {} {}",
                any.class(),
                any.tag()
            )));
        }
        match kind(&any) {
            Kind::Certificate => out.push((Der::Owned(raw.to_vec()), plain, Bag::default())),
            Kind::ContentInfo => {
                let certs = pkcs7::certificates(raw)?;
                out.extend(
                    certs
                        .into_iter()
                        .map(|c| (Der::Owned(c.to_vec()), wrapped, Bag::default())),
                );
            }
            Kind::Pfx => {
                pfx = true;
                let contents = pkcs12::open(raw, password)?;
                out.extend(
                    contents
                        .certificates
                        .into_iter()
                        .map(|(der, bag)| (Der::Owned(der), Format::Pkcs12, bag)),
                );
                keys.extend(contents.keys);
                protections.push(contents.protection);
            }
            Kind::Crl => {
                return Err(Problem::NoCertificate(
                    "a certificate revocation list (CRL), not a certificate".into(),
                ));
            }
            Kind::Request => {
                return Err(Problem::NoCertificate(
                    "a certificate request (CSR), not a certificate: submit it to the CA and check what it returns"
                        .into(),
                ));
            }
            Kind::Other => {
                return Err(Problem::NoCertificate(
                    "DER data that is not a certificate, PKCS#7 or PKCS#12 (a private key or a request?)"
                        .into(),
                ));
            }
        }
        rest = next;
    }
    if out.is_empty() && keys.is_empty() {
        return Err(Problem::NoCertificate(
            if pfx {
                "the PKCS#12 file holds no certificate and no private key"
            } else {
                "the PKCS#7 holds no certificates"
            }
            .into(),
        ));
    }
    Ok(Found {
        certificates: out,
        keys,
        pfx: protections,
    })
}
