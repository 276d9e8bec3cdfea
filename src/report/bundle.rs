//! Chains written out for deployment (`mfgcheck bundle`, `--save`): PEM, or a PKCS#7
//! certs-only `.p7b` as Windows' certificate import wizard and IIS take it.

use data_encoding::BASE64;

/// Certificates as PEM blocks, in the order given, 64 characters a line.
pub fn pem<'a>(certificates: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut out = String::new();
    for der in certificates {
        out.push_str("-----BEGIN CERTIFICATE-----\n");
        let text = BASE64.encode(der);
        let mut rest = text.as_str();
        while !rest.is_empty() {
            let (line, more) = rest.split_at(rest.len().min(64));
            out.push_str(line);
            out.push('\n');
            rest = more;
        }
        out.push_str("-----END CERTIFICATE-----\n");
    }
    out
}

/// A DER tag-length-value.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.extend(u8::try_from(len));
    } else {
        let bytes = len.to_be_bytes();
        let significant: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
        out.extend(u8::try_from(0x80 + significant.len()));
        out.extend(significant);
    }
    out.extend_from_slice(content);
    out
}

/// id-signedData (1.2.840.113549.1.7.2) and id-data (1.2.840.113549.1.7.1), encoded.
const SIGNED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
const DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];

/// A PKCS#7 SignedData with certificates and nothing signed (RFC 2315 "degenerate"
/// certs-only), in the order given: a SET has no order, but importers keep the one
/// they read, and the leaf first is what people expect to see.
pub fn pkcs7<'a>(certificates: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let certs: Vec<u8> = certificates.into_iter().flatten().copied().collect();
    let signed_data = [
        tlv(0x02, &[1]),             // version 1
        tlv(0x31, &[]),              // digestAlgorithms: none
        tlv(0x30, &tlv(0x06, DATA)), // encapContentInfo: data, no content
        tlv(0xa0, &certs),           // certificates [0] IMPLICIT
        tlv(0x31, &[]),              // signerInfos: none
    ]
    .concat();
    tlv(
        0x30,
        &[tlv(0x06, SIGNED_DATA), tlv(0xa0, &tlv(0x30, &signed_data))].concat(),
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn long_lengths_are_encoded_in_the_fewest_bytes() {
        assert_eq!(tlv(0x04, &[0; 5])[..2], [0x04, 5]);
        assert_eq!(tlv(0x04, &[0; 200])[..3], [0x04, 0x81, 200]);
        assert_eq!(tlv(0x04, &[0; 300])[..4], [0x04, 0x82, 0x01, 0x2c]);
    }

    #[test]
    fn pem_lines_are_64_characters() {
        let text = pem([&[0u8; 100][..]]);
        let body: Vec<&str> = text.lines().filter(|l| !l.starts_with("-----")).collect();
        assert_eq!(
            body.iter().map(|l| l.len()).collect::<Vec<_>>(),
            [64, 64, 8]
        );
        assert!(text.starts_with("-----BEGIN CERTIFICATE-----\n"));
    }
}
