//! PKCS#7 / CMS SignedData, certificates only (`.p7b`, `.p7c`).
//!
//! Walked with asn1-rs's BER reader because real files are BER: OpenSSL's
//! `cms -stream` and Windows both write indefinite lengths, which DER-only parsers refuse.

use x509_parser::asn1_rs::{Class, Tag};

use super::Problem;
use super::ber::element;

const SIGNED_DATA: &str = "1.2.840.113549.1.7.2";

/// The encoded certificates of a ContentInfo holding SignedData, in file order.
/// Attribute certificates and other CertificateChoices are skipped.
pub(super) fn certificates(content_info: &[u8]) -> Result<Vec<&[u8]>, Problem> {
    let bad = |what: &str| Problem::BadPkcs7(what.to_owned());
    let (ci, _, _) = element(content_info)?;
    let (oid, _, rest) = element(ci.data)?;
    let oid = oid
        .as_oid()
        .map_err(|_| bad("ContentInfo does not start with a content type"))?
        .to_id_string();
    if oid != SIGNED_DATA {
        return Err(Problem::BadPkcs7(format!(
            "content type {oid} holds no certificates (only SignedData, {SIGNED_DATA}, does)"
        )));
    }
    let (explicit, _, _) = element(rest)?;
    if explicit.class() != Class::ContextSpecific || explicit.tag() != Tag(0) {
        return Err(bad("SignedData content is missing"));
    }
    let (signed_data, _, _) = element(explicit.data)?;
    // version, digestAlgorithms, encapContentInfo, then the optional [0] certificates.
    let mut rest = signed_data.data;
    for _ in 0..3 {
        let (_, _, next) = element(rest)?;
        rest = next;
    }
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (field, _, next) = element(rest)?;
        if field.class() == Class::ContextSpecific && field.tag() == Tag(0) {
            let mut certs = field.data;
            while !certs.is_empty() {
                let (choice, raw, next) = element(certs)?;
                if choice.class() == Class::Universal && choice.tag() == Tag::Sequence {
                    out.push(raw);
                }
                certs = next;
            }
        }
        rest = next;
    }
    Ok(out)
}
