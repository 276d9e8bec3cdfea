//! PEM armour, as real files carry it: indented lines, CRLF, BOMs, text between the
//! blocks, and RFC 1421 headers (`Proc-Type:`) inside a block. Read in one pass over
//! the text, without copying it line by line: a scan reads thousands of these.

use super::ber::{element, first_element};
use super::buffer::Spare;
use super::der;
use super::{Bag, Der, Format, Found, Password, PemBodies, Problem};

const CERTIFICATE_LABELS: &[&str] = &["CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"];
const PKCS7_LABELS: &[&str] = &["PKCS7", "PKCS #7 SIGNED DATA", "CMS"];
const PKCS12_LABELS: &[&str] = &["PKCS12", "PFX"];

/// One block: its label and its decoded contents (shared when the body was met
/// before).
struct Block<'a> {
    label: &'a str,
    contents: Der,
}

/// Why a block cannot be read.
enum BlockError<'a> {
    BadBegin,
    NoEnd(&'a str),
    Base64(&'a str),
}

/// Standard base64 that skips white space (line ends, indentation), built once.
fn base64() -> &'static data_encoding::Encoding {
    static ENCODING: std::sync::OnceLock<data_encoding::Encoding> = std::sync::OnceLock::new();
    ENCODING.get_or_init(|| {
        let mut spec = data_encoding::BASE64.specification();
        spec.ignore.push_str(" \t\r\n\x0b\x0c");
        spec.encoding()
            .unwrap_or_else(|_| data_encoding::BASE64.clone())
    })
}

/// A body of canonical base64 (what every tool writes), decoded with its white space
/// (line ends, indentation) dropped; `None` for anything else, which the tolerant
/// decoder then reads or refuses.
///
/// Lines are copied by the width of the one before: when that many bytes end in a
/// base64 character followed by white space, the line is taken without looking at
/// each byte. A guess that swallows white space makes the strict decoder fail (and
/// the tolerant one decide), so it never changes what a body decodes to.
fn decode_lines(raw: &str) -> Option<Vec<u8>> {
    LINES.with(|spare| {
        let mut lines = spare.take();
        let decoded = decode_lines_into(raw, &mut lines);
        spare.keep(lines);
        decoded
    })
}

thread_local! {
    /// The buffer this thread joined its last body's lines in.
    static LINES: Spare = const { Spare::new() };
}

/// [`decode_lines`], the lines joined in `scratch`.
fn decode_lines_into(raw: &str, scratch: &mut Vec<u8>) -> Option<Vec<u8>> {
    let bytes = raw.as_bytes();
    let is_space = |at: usize| bytes.get(at).is_some_and(u8::is_ascii_whitespace);
    scratch.clear();
    scratch.reserve(bytes.len());
    let mut at = 0;
    let mut width = 0;
    while at < bytes.len() {
        if is_space(at) {
            at += 1;
            continue;
        }
        let guess = at + width;
        let end = if width > 0 && (guess == bytes.len() || is_space(guess)) && !is_space(guess - 1)
        {
            guess
        } else {
            let rest = bytes.get(at..)?;
            at + rest
                .iter()
                .position(u8::is_ascii_whitespace)
                .unwrap_or(rest.len())
        };
        scratch.extend_from_slice(bytes.get(at..end)?);
        width = end - at;
        at = end;
    }
    // Canonical: padding only at the end (data-encoding also reads padded pieces
    // joined together, which no tool writes).
    let body = scratch
        .get(..scratch.len().saturating_sub(2))
        .unwrap_or_default();
    if body.contains(&b'=') {
        return None;
    }
    data_encoding::BASE64.decode(scratch).ok()
}

/// Where `marker`, which starts with a dash, first occurs in `text`. No base64
/// character is a dash, so a single-byte search crosses a body in one pass; a
/// substring search would set itself up at every call. The `memchr` crate's search
/// (vector instructions) takes a third of the time `str::find` did: crossing the
/// bodies was 2% of a scan.
fn find_marker(text: &str, marker: &str) -> Option<usize> {
    let mut at = 0;
    loop {
        let dash = at + memchr::memchr(b'-', text.as_bytes().get(at..)?)?;
        if text.get(dash..)?.starts_with(marker) {
            return Some(dash);
        }
        at = dash + 1;
    }
}

/// The offset of the next `-----BEGIN ` that starts a line (after white space).
fn next_begin(text: &str, from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        let found = at + find_marker(text.get(at..)?, "-----BEGIN ")?;
        let line_start = text.get(..found)?.rfind('\n').map_or(0, |i| i + 1);
        if text.get(line_start..found)?.trim().is_empty() {
            return Some(found);
        }
        at = found + 1;
    }
}

/// The PEM blocks of `text`, in order; a body met before comes from `bodies`.
fn blocks<'a>(
    text: &'a str,
    bodies: Option<&'a PemBodies>,
) -> impl Iterator<Item = Result<Block<'a>, BlockError<'a>>> {
    let mut at = 0;
    let mut body = String::new();
    std::iter::from_fn(move || {
        let begin = next_begin(text, at)?;
        let line_end = text
            .get(begin..)?
            .find('\n')
            .map_or(text.len(), |i| begin + i);
        let begin_line = text.get(begin..line_end)?.trim();
        let Some(label) = begin_line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        else {
            at = text.len();
            return Some(Err(BlockError::BadBegin));
        };
        let Some(end) = find_marker(text.get(line_end..)?, "-----END ").map(|i| line_end + i)
        else {
            at = text.len();
            return Some(Err(BlockError::NoEnd(label)));
        };
        at = end + "-----END ".len();
        let raw = text.get(line_end..end)?;
        // Base64 with white space anywhere is decoded in place; a block with
        // `Key: value` headers (an encrypted key) has them dropped first. The body
        // is searched with memchr, like the markers (3 k instructions per bundle
        // less than `<[u8]>::contains`).
        let decoded = if memchr::memchr(b':', raw.as_bytes()).is_some() {
            body.clear();
            for line in raw.lines() {
                let line = line.trim();
                if !line.contains(':') {
                    body.push_str(line);
                }
            }
            base64()
                .decode(body.as_bytes())
                .map(Der::Owned)
                .map_err(|_| BlockError::Base64(label))
        } else if let Some(der) = bodies.and_then(|b| b.get(raw.as_bytes())) {
            Ok(Der::Shared(der))
        } else {
            let decoded = match decode_lines(raw) {
                Some(der) => Ok(der),
                None => base64()
                    .decode(raw.as_bytes())
                    .map_err(|_| BlockError::Base64(label)),
            };
            if let (Ok(der), Some(bodies)) = (&decoded, bodies) {
                bodies.met(raw.as_bytes(), der);
            }
            decoded.map(Der::Owned)
        };
        Some(decoded.map(|contents| Block { label, contents }))
    })
}

/// Every certificate in the PEM blocks of `text`: certificates, PKCS#7, and PKCS#12
/// (`certutil -encode` armours a .pfx as CERTIFICATE). Other blocks (keys, requests,
/// CRLs) are skipped, and named if nothing else is found.
pub(super) fn certificates(
    text: &str,
    password: Option<&Password>,
    bodies: Option<&PemBodies>,
) -> Result<Found, Problem> {
    let mut out = Vec::new();
    let mut keys = Vec::new();
    let mut protections = Vec::new();
    let mut others: Vec<String> = Vec::new();
    for (i, block) in blocks(text, bodies).enumerate() {
        let block = block.map_err(|e| {
            let (label, reason) = match e {
                BlockError::BadBegin => ("unreadable", "bad BEGIN line"),
                BlockError::NoEnd(label) => (label, "no END line (is the file cut short?)"),
                BlockError::Base64(label) => (label, "invalid base64"),
            };
            Problem::BadPem {
                block: i + 1,
                label: label.to_owned(),
                reason: reason.to_owned(),
            }
        })?;
        let bad = |reason: String| Problem::BadPem {
            block: i + 1,
            label: block.label.to_owned(),
            reason,
        };
        let label = block.label;
        let pfx = PKCS12_LABELS.contains(&label)
            || (CERTIFICATE_LABELS.contains(&label) && der::is_pfx(&block.contents));
        if pfx {
            // Password problems pass through as they are: the caller may ask for one.
            let found = der::certificates(&block.contents, Format::Pem, Format::Pem, password)
                .map_err(|p| match p {
                    Problem::WrongPassword | Problem::PasswordNeeded => p,
                    other => bad(other.to_string()),
                })?;
            out.extend(found.certificates);
            keys.extend(found.keys);
            protections.extend(found.pfx);
        } else if CERTIFICATE_LABELS.contains(&label) {
            // A TRUSTED CERTIFICATE carries OpenSSL trust settings after the
            // certificate; take the certificate alone.
            // The certificate starts the block: the block's bytes become its DER
            // (cut after it), without a copy; a body met before stays shared.
            let len = match first_element(&block.contents) {
                Some(raw) => raw.len(),
                None => element(&block.contents)
                    .map_err(|p| bad(p.to_string()))?
                    .1
                    .len(),
            };
            let mut contents = block.contents;
            contents.truncate(len);
            out.push((contents, Format::Pem, Bag::default()));
        } else if PKCS7_LABELS.contains(&label) {
            let found =
                der::certificates(&block.contents, Format::Pkcs7Pem, Format::Pkcs7Pem, None)
                    .map_err(|p| bad(p.to_string()))?;
            out.extend(found.certificates);
        } else if !others.iter().any(|o| o == label) {
            others.push(label.to_owned());
        }
    }
    if out.is_empty() && keys.is_empty() {
        let found = if others.is_empty() {
            "PEM text with no complete block".to_owned()
        } else {
            let hint = if others.iter().any(|o| o.contains("REQUEST")) {
                " (a certificate request is not a certificate: submit it to the CA and check what it returns)"
            } else {
                ""
            };
            format!("the file holds only {}{hint}", others.join(", "))
        };
        return Err(Problem::NoCertificate(found));
    }
    Ok(Found {
        certificates: out,
        keys,
        pfx: protections,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The blocks of `text`, read without remembered bodies and then three times with
    /// (met once, kept, taken from memory), which must all agree.
    fn read(text: &str) -> Vec<Result<(String, Vec<u8>), String>> {
        let plain = read_with(text, None);
        let bodies = PemBodies::default();
        for _ in 0..3 {
            assert_eq!(read_with(text, Some(&bodies)), plain);
        }
        plain
    }

    fn read_with(text: &str, bodies: Option<&PemBodies>) -> Vec<Result<(String, Vec<u8>), String>> {
        blocks(text, bodies)
            .map(|b| {
                b.map(|b| (b.label.to_owned(), b.contents.into_vec()))
                    .map_err(|e| match e {
                        BlockError::BadBegin => "begin".to_owned(),
                        BlockError::NoEnd(l) => format!("end {l}"),
                        BlockError::Base64(l) => format!("base64 {l}"),
                    })
            })
            .collect()
    }

    #[test]
    fn bodies_met_before_are_shared_and_cut_like_any_other() {
        let cert = [0x30, 0x03, 0x02, 0x01, 0x05];
        // OpenSSL's trust settings after the certificate.
        let trusted = [&cert[..], &[0x30, 0x00]].concat();
        let pem = |label: &str, der: &[u8]| {
            let body = data_encoding::BASE64.encode(der);
            format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----\n")
        };
        let bodies = PemBodies::default();
        for round in 0..3 {
            for (label, der) in [
                ("CERTIFICATE", &cert[..]),
                ("TRUSTED CERTIFICATE", &trusted),
            ] {
                let found = certificates(&pem(label, der), None, Some(&bodies)).unwrap();
                let [(got, ..)] = found.certificates.as_slice() else {
                    panic!("one certificate expected");
                };
                assert_eq!(**got, cert, "{label}, round {round}");
                // Kept from the second meeting, shared from the third; a body with
                // more than the certificate is cut, into bytes of its own.
                let shared = matches!(got, Der::Shared(_));
                assert_eq!(shared, round == 2 && label == "CERTIFICATE", "{label}");
            }
        }
    }

    #[test]
    fn headers_indentation_and_text_between_blocks() {
        let text = "Bag Attributes: x\r\n  -----BEGIN RSA PRIVATE KEY-----\r\nProc-Type: 4,ENCRYPTED\nDEK-Info: DES\n\n  QUJD\r\n-----END RSA PRIVATE KEY-----\nsubject=/CN=-----BEGIN not a block\n-----BEGIN X-----\nQU\nJD\n-----END X-----\n";
        assert_eq!(
            read(text),
            [
                Ok(("RSA PRIVATE KEY".to_owned(), b"ABC".to_vec())),
                Ok(("X".to_owned(), b"ABC".to_vec()))
            ]
        );
    }

    #[test]
    fn cut_and_damaged_blocks_say_why() {
        assert_eq!(read("-----BEGIN X-----\nQUJD\n"), [Err("end X".to_owned())]);
        assert_eq!(
            read("-----BEGIN X-----\nQU*D\n-----END X-----"),
            [Err("base64 X".to_owned())]
        );
        assert_eq!(
            read("-----BEGIN X\nQUJD\n-----END X-----"),
            [Err("begin".to_owned())]
        );
        assert!(read("no armour here").is_empty());
    }

    #[test]
    fn lines_of_any_width_decode_as_the_tolerant_decoder_does() {
        // Bodies the width guess meets: equal lines, a short line in the middle (the
        // guess then crosses a line end), CRLF, indentation, a trailing short line,
        // white space inside a line, and a non-canonical end.
        let der: Vec<u8> = (0..=255u8).cycle().take(700).collect();
        let b64 = data_encoding::BASE64.encode(&der);
        let wrap = |widths: &[usize], end: &str, indent: &str| {
            let mut out = String::from(end);
            let mut rest = b64.as_str();
            let mut i = 0;
            while !rest.is_empty() {
                let w = widths[i % widths.len()].min(rest.len());
                out.push_str(indent);
                out.push_str(&rest[..w]);
                out.push_str(end);
                rest = &rest[w..];
                i += 1;
            }
            out
        };
        let whole = |body: &str| read(&format!("-----BEGIN X-----\n{body}-----END X-----"));
        // What tools write: taken by the strict decoder.
        for body in [
            wrap(&[64], "\n", ""),
            wrap(&[76], "\r\n", "    "),
            wrap(&[64, 63], "\n", " "),
            wrap(&[3, 64], "\r\n", "\t"),
            b64.clone(),
        ] {
            assert_eq!(decode_lines(&body).as_deref(), Some(&der[..]));
            assert_eq!(whole(&body), [Ok(("X".to_owned(), der.clone()))]);
        }
        // Short lines between long ones: the guess may take white space, and the
        // tolerant decoder answers; never a different result.
        for widths in [[64, 64, 10, 64], [64, 62, 1, 64], [64, 1, 1, 64]] {
            for indent in ["", " ", "  "] {
                let body = wrap(&widths, "\n", indent);
                let fast = decode_lines(&body);
                assert!(fast.as_deref().is_none_or(|d| d == der), "{widths:?}");
                assert_eq!(whole(&body), [Ok(("X".to_owned(), der.clone()))]);
            }
        }
        // White space inside a line is dropped like a line end.
        let spaced = format!("{} {}", &b64[..40], &b64[40..]);
        assert_eq!(decode_lines(&spaced).as_deref(), Some(&der[..]));
        // Not canonical base64: left to the tolerant decoder, which refuses it too.
        assert_eq!(decode_lines("QUJD\nQQ=\n"), None);
        assert_eq!(decode_lines("QUJ=\n"), None, "trailing bits");
        assert_eq!(whole("QUJ=\n"), [Err("base64 X".to_owned())]);
        assert_eq!(decode_lines("").as_deref(), Some(&[][..]));
    }

    #[test]
    fn the_strict_decoder_takes_exactly_canonical_base64() {
        // Every length up to 48 bytes, each character of the encoding replaced in turn
        // by letters, digits, padding, a URL-safe character and a stray byte: the strict
        // decoder takes exactly the bodies that are the canonical encoding of what they
        // decode to (padding where it belongs, no trailing bits), with the same bytes;
        // anything else is the tolerant decoder's to decide.
        let mut tried = 0;
        let mut refused = 0;
        for len in 0..=48usize {
            let der: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let b64 = data_encoding::BASE64.encode(&der).into_bytes();
            for at in 0..b64.len() {
                for c in *b"AQRgw09+/=-_.\0" {
                    let mut s = b64.clone();
                    if let Some(byte) = s.get_mut(at) {
                        *byte = c;
                    }
                    let text = String::from_utf8_lossy(&s);
                    let expected = data_encoding::BASE64
                        .decode(text.as_bytes())
                        .ok()
                        .filter(|d| data_encoding::BASE64.encode(d) == text);
                    assert_eq!(decode_lines(&text), expected, "{text}");
                    tried += 1;
                    refused += usize::from(expected.is_none());
                }
            }
        }
        assert!(tried > 10_000 && refused > tried / 4, "{tried} {refused}");
    }
}
