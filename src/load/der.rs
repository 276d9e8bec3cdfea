//! DER and BER framing: where one object ends, and what kind of object it is.

use x509_parser::asn1_rs::{Any, Class, FromBer, Header, Length, Tag};
use x509_parser::nom;

use super::{Format, Problem, pkcs7};

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

/// What a top-level SEQUENCE is, judged by its first element.
enum Kind {
    Certificate,
    ContentInfo,
    Pfx,
    Other,
}

fn kind(element: &Any<'_>) -> Kind {
    let Ok((rest, first)) = Header::from_ber(element.data) else {
        return Kind::Other;
    };
    match first.tag() {
        Tag::Sequence => Kind::Certificate,
        Tag::Oid => Kind::ContentInfo,
        // PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo, macData OPTIONAL }
        Tag::Integer if rest.first() == Some(&3) && first.length() == Length::Definite(1) => {
            Kind::Pfx
        }
        _ => Kind::Other,
    }
}

/// Reads one BER element, returning it with its exact encoded bytes.
pub(super) fn element(bytes: &[u8]) -> Result<(Any<'_>, &[u8], &[u8]), Problem> {
    match Any::from_ber(bytes) {
        Ok((rest, any)) => {
            let used = bytes.len() - rest.len();
            Ok((any, &bytes[..used], rest))
        }
        Err(nom::Err::Incomplete(_)) => Err(truncated(bytes)),
        Err(e) => Err(Problem::BadDer(e.to_string())),
    }
}

fn truncated(bytes: &[u8]) -> Problem {
    match Header::from_ber(bytes) {
        Ok((rest, h)) => match h.length() {
            Length::Definite(n) => Problem::Truncated {
                declared: bytes.len() - rest.len() + n,
                available: bytes.len(),
            },
            Length::Indefinite => Problem::BadDer("indefinite-length data ends early".into()),
        },
        Err(_) => Problem::BadDer("the data ends inside a header".into()),
    }
}

/// Every certificate in a run of DER objects: certificates themselves, or PKCS#7
/// SignedData holding them. Trailing white space and NUL padding are ignored.
pub(super) fn certificates(
    bytes: &[u8],
    plain: Format,
    wrapped: Format,
) -> Result<Vec<(Vec<u8>, Format)>, Problem> {
    let mut out = Vec::new();
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
            Kind::Certificate => out.push((raw.to_vec(), plain)),
            Kind::ContentInfo => {
                let certs = pkcs7::certificates(raw)?;
                out.extend(certs.into_iter().map(|c| (c.to_vec(), wrapped)));
            }
            Kind::Pfx => return Err(Problem::Pkcs12),
            Kind::Other => {
                return Err(Problem::NoCertificate(
                    "DER data that is not a certificate, PKCS#7 or PKCS#12 (a private key or a request?)"
                        .into(),
                ));
            }
        }
        rest = next;
    }
    if out.is_empty() {
        return Err(Problem::NoCertificate(
            "the PKCS#7 holds no certificates".into(),
        ));
    }
    Ok(out)
}
