//! BER framing, read and written: where one element ends, and BER re-encoded as DER.
//! The readers of DER, PKCS#7 and PKCS#12 all stand on it.

use x509_parser::asn1_rs::{Any, Class, FromBer, Header, Length, Tag};
use x509_parser::nom;

use super::Problem;

/// The bytes of the first element of `bytes` when its length is definite, from its
/// header alone: a certificate's DER, without anything after it (the trust settings
/// of an OpenSSL TRUSTED CERTIFICATE).
pub(super) fn first_element(bytes: &[u8]) -> Option<&[u8]> {
    let (content, header) = Header::from_ber(bytes).ok()?;
    let Length::Definite(n) = header.length() else {
        return None;
    };
    let total = (bytes.len() - content.len()).checked_add(n)?;
    bytes.get(..total)
}

/// Reads one BER element, returning it with its exact encoded bytes.
pub(super) fn element(bytes: &[u8]) -> Result<(Any<'_>, &[u8], &[u8]), Problem> {
    match Any::from_ber(bytes) {
        Ok((rest, any)) => {
            let used = bytes.len() - rest.len();
            let (raw, _) = bytes.split_at_checked(used).unwrap_or((bytes, &[]));
            Ok((any, raw, rest))
        }
        Err(nom::Err::Incomplete(_)) => Err(truncated(bytes)),
        Err(e) if e.to_string().contains("MaxDepth") => Err(Problem::BadDer(
            "nested too deeply (no certificate format nests that far)".into(),
        )),
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

/// Deepest BER nesting [`normalize_ber`] follows; certificates and PFX files use
/// about ten levels.
const MAX_DEPTH: usize = 32;

/// Re-encodes BER as DER: definite lengths, and constructed OCTET STRINGs joined
/// into one. Java and some vendor portals write PFX files this way, and the DER
/// decoders refuse them. (SET ordering is left alone; the decoder sorts.)
pub(super) fn normalize_ber(bytes: &[u8]) -> Result<Vec<u8>, Problem> {
    let mut out = Vec::with_capacity(bytes.len());
    normalize_into(bytes, 0, &mut out)?;
    Ok(out)
}

fn normalize_into(mut bytes: &[u8], depth: usize, out: &mut Vec<u8>) -> Result<(), Problem> {
    if depth > MAX_DEPTH {
        return Err(Problem::BadDer(format!(
            "nested more than {MAX_DEPTH} levels deep"
        )));
    }
    while !bytes.is_empty() {
        let (any, _, rest) = element(bytes)?;
        let class = any.class() as u8;
        let tag = any.tag().0;
        if !any.header.is_constructed() {
            write_tlv(out, class, false, tag, any.data);
        } else {
            let mut inner = Vec::with_capacity(any.data.len());
            normalize_into(any.data, depth + 1, &mut inner)?;
            if any.class() == Class::Universal && any.tag() == Tag::OctetString {
                // Chunked OCTET STRING: the value is the chunks' contents joined.
                let mut joined = Vec::with_capacity(inner.len());
                let mut chunks = inner.as_slice();
                while !chunks.is_empty() {
                    let (chunk, _, next) = element(chunks)?;
                    joined.extend_from_slice(chunk.data);
                    chunks = next;
                }
                write_tlv(out, class, false, tag, &joined);
            } else {
                write_tlv(out, class, true, tag, &inner);
            }
        }
        bytes = rest;
    }
    Ok(())
}

fn write_tlv(out: &mut Vec<u8>, class: u8, constructed: bool, tag: u32, value: &[u8]) {
    let first = (class << 6) | if constructed { 0x20 } else { 0 };
    if tag < 31 {
        out.push(first | tag as u8);
    } else {
        out.push(first | 0x1F);
        let mut groups = Vec::new();
        let mut t = tag;
        loop {
            groups.push((t & 0x7F) as u8);
            t >>= 7;
            if t == 0 {
                break;
            }
        }
        let last = groups.len() - 1;
        for (i, g) in groups.iter().rev().enumerate() {
            out.push(if i < last { g | 0x80 } else { *g });
        }
    }
    let len = value.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(bytes.get(skip..).unwrap_or_default());
    }
    out.extend_from_slice(value);
}
