//! A lean reader for certificates in the form nearly every CA writes: DER with
//! lengths in their shortest form, version 3, no unique identifiers, and nothing after
//! the last field of the structures it walks.
//!
//! It walks the structure itself and reads the names, the extension list and the
//! serial number directly, without the vectors x509-parser builds for them (about ten
//! allocations per certificate). The parts whose meaning lies in their details
//! (the algorithm identifiers, the validity times, the public key, the signature bits)
//! go to x509-parser's own parsers, each given exactly its element, so they read the
//! same either way.
//!
//! It answers only for what it reads in full and returns `None` for anything else,
//! which x509-parser then reads whole: whatever this reader accepts, x509-parser
//! accepts with the same values. The tests hold the two to each other on every
//! fixture and on damaged copies of them, and so does the `lean` fuzz target.

use std::borrow::Cow;

use x509_parser::asn1_rs::{BitString, FromDer, Oid, Tag};
use x509_parser::certificate::Validity;
use x509_parser::x509::{AlgorithmIdentifier, SubjectPublicKeyInfo};

use super::algorithm::SignatureAlgorithm;
use super::name::{DistinguishedName, IssuerNames};
use super::parts::{Extensions, Parts};

const BOOLEAN: u8 = 0x01;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OCTET_STRING: u8 = 0x04;
const OID: u8 = 0x06;
const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
/// `[0] EXPLICIT INTEGER 2`: version 3.
const VERSION_3: [u8; 5] = [0xA0, 0x03, 0x02, 0x01, 0x02];
/// `[3] EXPLICIT Extensions`.
const EXTENSIONS: u8 = 0xA3;

/// One DER element: its tag byte, its contents, and the whole element.
#[derive(Clone, Copy)]
struct Element<'a> {
    tag: u8,
    contents: &'a [u8],
    whole: &'a [u8],
}

/// The first element of `input`, and what follows it. Only a one-byte tag and a
/// definite length in its shortest form (as DER asks) are read here: x509-parser
/// accepts both, and more besides, which is left to it.
fn element(input: &[u8]) -> Option<(Element<'_>, &[u8])> {
    let (&tag, rest) = input.split_first()?;
    if tag & 0x1F == 0x1F {
        return None;
    }
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7F);
        // No indefinite lengths, no certificates of 16 MiB or more.
        if count == 0 || count > 3 {
            return None;
        }
        let (bytes, rest) = rest.split_at_checked(count)?;
        if bytes.first() == Some(&0) {
            return None;
        }
        let len = bytes
            .iter()
            .fold(0usize, |len, &b| (len << 8) | usize::from(b));
        if len < 0x80 {
            return None;
        }
        (len, rest)
    };
    let header = input.len() - rest.len();
    let (contents, after) = rest.split_at_checked(len)?;
    let whole = input.get(..header + len)?;
    Some((
        Element {
            tag,
            contents,
            whole,
        },
        after,
    ))
}

/// The first element of `input` when its tag byte is `tag`.
fn expect(input: &[u8], tag: u8) -> Option<(Element<'_>, &[u8])> {
    element(input).filter(|(e, _)| e.tag == tag)
}

/// The elements `input` is made of, one after the other, stopping at the first that
/// does not read. Used on contents already checked to be read in full.
fn elements(mut input: &[u8]) -> impl Iterator<Item = Element<'_>> {
    std::iter::from_fn(move || {
        let (e, rest) = element(input)?;
        input = rest;
        Some(e)
    })
}

/// `T` read by its x509-parser parser from exactly `bytes`.
fn exactly<'a, T: FromDer<'a, E>, E>(bytes: &'a [u8]) -> Option<T> {
    match T::from_der(bytes) {
        Ok(([], value)) => Some(value),
        _ => None,
    }
}

/// The string types name values are decoded from; x509-parser hands any other value
/// over as it is, which the name then shows in hex. Those names are left to it.
fn is_string(tag: u8) -> bool {
    // UTF8String, NumericString, PrintableString, TeletexString, IA5String,
    // VisibleString, UniversalString, BMPString: universal, primitive.
    matches!(tag, 0x0C | 0x12 | 0x13 | 0x14 | 0x16 | 0x1A | 0x1C | 0x1E)
}

/// Calls `f` on each element of `contents`, which must all have `tag` and be read in
/// full (as must `contents` itself); `None` as soon as one is not, or `f` says so.
fn each<'a>(
    mut contents: &'a [u8],
    tag: u8,
    mut f: impl FnMut(Element<'a>) -> Option<()>,
) -> Option<()> {
    while !contents.is_empty() {
        let (e, rest) = expect(contents, tag)?;
        contents = rest;
        f(e)?;
    }
    Some(())
}

/// A name's RDNs, each a non-empty SET of `SEQUENCE { OID, string }`, read in full.
fn name(contents: &[u8]) -> Option<DistinguishedName> {
    each(contents, SET, |set| {
        if set.contents.is_empty() {
            return None;
        }
        each(set.contents, SEQUENCE, |attribute| {
            let (oid, value) = expect(attribute.contents, OID)?;
            let (value, end) = element(value)?;
            (!oid.contents.is_empty() && end.is_empty() && is_string(value.tag)).then_some(())
        })
    })?;
    // Every element reads (checked above): the walk below sees them all.
    Some(DistinguishedName::from_encoded(elements(contents).map(
        |set| {
            elements(set.contents).filter_map(|attribute| {
                let (oid, value) = expect(attribute.contents, OID)?;
                let (value, _) = element(value)?;
                Some((
                    Oid::new(Cow::Borrowed(oid.contents)),
                    Tag(u32::from(value.tag & 0x1F)),
                    value.contents,
                ))
            })
        },
    )))
}

/// The extensions after the key, if any: `[3] { SEQUENCE OF SEQUENCE { OID,
/// BOOLEAN OPTIONAL, OCTET STRING } }`, and nothing after them.
fn extensions(der: &[u8], rest: &[u8]) -> Option<Extensions> {
    let mut found = Extensions::default();
    if rest.is_empty() {
        return Some(found);
    }
    let (explicit, after) = expect(rest, EXTENSIONS)?;
    let (list, inside) = expect(explicit.contents, SEQUENCE)?;
    if !after.is_empty() || !inside.is_empty() {
        return None;
    }
    each(list.contents, SEQUENCE, |extension| {
        let (oid, fields) = expect(extension.contents, OID)?;
        // Any non-zero byte is TRUE, as x509-parser reads it (BER, for CAs that wrote 0x01).
        let (critical, fields) = match expect(fields, BOOLEAN) {
            Some((critical, fields)) => match critical.contents {
                [flag] => (*flag != 0, fields),
                _ => return None,
            },
            None => (false, fields),
        };
        let (value, end) = expect(fields, OCTET_STRING)?;
        if oid.contents.is_empty() || !end.is_empty() {
            return None;
        }
        found.take(der, oid.contents, critical, value.contents);
        Some(())
    })?;
    Some(found)
}

/// The parts of `der` when it is a certificate in the common form; `None` when it is
/// anything else (x509-parser then decides). The issuer's name comes from `issuers`
/// when it was read before.
pub(super) fn read<'a>(der: &'a [u8], issuers: Option<&IssuerNames>) -> Option<Parts<'a>> {
    let (certificate, after) = expect(der, SEQUENCE)?;
    let (tbs, rest) = expect(certificate.contents, SEQUENCE)?;
    let (algorithm, rest) = expect(rest, SEQUENCE)?;
    let (signature, rest) = expect(rest, BIT_STRING)?;
    if !after.is_empty() || !rest.is_empty() {
        return None;
    }
    let signature_algorithm: AlgorithmIdentifier<'_> = exactly(algorithm.whole)?;
    let signature: BitString<'_> = exactly(signature.whole)?;
    let Cow::Borrowed(signature_value) = signature.data else {
        return None;
    };

    let fields = tbs.contents.strip_prefix(&VERSION_3)?;
    let (serial, fields) = expect(fields, INTEGER)?;
    let (inner_algorithm, fields) = expect(fields, SEQUENCE)?;
    let (issuer, fields) = expect(fields, SEQUENCE)?;
    let (validity, fields) = expect(fields, SEQUENCE)?;
    let (subject, fields) = expect(fields, SEQUENCE)?;
    let (spki, fields) = expect(fields, SEQUENCE)?;
    if serial.contents.is_empty() {
        return None;
    }
    // Read only to be sure it reads, as x509-parser insists.
    let _: AlgorithmIdentifier<'_> = exactly(inner_algorithm.whole)?;
    let validity: Validity = exactly(validity.whole)?;
    let spki: SubjectPublicKeyInfo<'_> = exactly(spki.whole)?;
    Some(Parts {
        tbs: tbs.whole,
        signature_algorithm: SignatureAlgorithm::from_x509(&signature_algorithm),
        signature_value,
        serial: serial.contents,
        issuer: match issuers {
            Some(kept) => kept.get_or_read(issuer.whole, || name(issuer.contents))?,
            None => name(issuer.contents)?,
        },
        subject: name(subject.contents)?,
        not_before: validity.not_before.to_datetime(),
        not_after: validity.not_after.to_datetime(),
        spki,
        extensions: extensions(der, fields)?,
        version: 3,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_read_only_in_their_shortest_form() {
        let read =
            |bytes: &[u8]| element(bytes).map(|(e, rest)| (e.tag, e.contents.len(), rest.len()));
        assert_eq!(read(&[0x04, 0x02, 1, 2, 9]), Some((0x04, 2, 1)));
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend([0; 0x80]);
        assert_eq!(read(&long), Some((0x04, 0x80, 0)));
        // A long form for a short length, a leading zero, indefinite, cut short,
        // a multi-byte tag.
        assert_eq!(read(&[0x04, 0x81, 0x02, 1, 2]), None);
        assert_eq!(read(&[0x04, 0x82, 0x00, 0x80]), None);
        assert_eq!(read(&[0x30, 0x80, 0, 0]), None);
        assert_eq!(read(&[0x04, 0x03, 1, 2]), None);
        assert_eq!(read(&[0x1F, 0x81, 0x01, 0x00]), None);
    }
}
