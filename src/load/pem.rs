//! PEM armour, read with x509-parser's reader after the text is tidied: it wants
//! `-----BEGIN` at the start of a line and no RFC 1421 headers inside a block,
//! while real files carry indentation, BOMs and `Proc-Type:` lines.

use x509_parser::pem::Pem;
use x509_parser::prelude::PEMError;

use super::der::{self, element};
use super::{Bag, Format, Found, Password, Problem};

const CERTIFICATE_LABELS: &[&str] = &["CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"];
const PKCS7_LABELS: &[&str] = &["PKCS7", "PKCS #7 SIGNED DATA", "CMS"];
const PKCS12_LABELS: &[&str] = &["PKCS12", "PFX"];

/// Trims every line and drops `Key: value` header lines inside blocks.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut inside = false;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with("-----BEGIN ") {
            inside = true;
        } else if line.starts_with("-----END ") {
            inside = false;
        } else if inside && line.contains(':') {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Every certificate in the PEM blocks of `text`: certificates, PKCS#7, and PKCS#12
/// (`certutil -encode` armours a .pfx as CERTIFICATE). Other blocks (keys, requests,
/// CRLs) are skipped, and named if nothing else is found.
pub(super) fn certificates(text: &str, password: Option<&Password>) -> Result<Found, Problem> {
    let tidy = tidy(text);
    let mut out = Vec::new();
    let mut keys = Vec::new();
    let mut others: Vec<String> = Vec::new();
    for (i, block) in Pem::iter_from_buffer(tidy.as_bytes()).enumerate() {
        let block = block.map_err(|e| Problem::BadPem {
            block: i + 1,
            label: "unreadable".into(),
            reason: match e {
                PEMError::Base64DecodeError => "invalid base64".into(),
                PEMError::IncompletePEM => "no END line (is the file cut short?)".into(),
                PEMError::MissingHeader | PEMError::InvalidHeader => "bad BEGIN line".into(),
                other => other.to_string(),
            },
        })?;
        let bad = |reason: String| Problem::BadPem {
            block: i + 1,
            label: block.label.clone(),
            reason,
        };
        let label = block.label.as_str();
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
        } else if CERTIFICATE_LABELS.contains(&label) {
            // A TRUSTED CERTIFICATE carries OpenSSL trust settings after the
            // certificate; take the certificate alone.
            let (_, raw, _) = element(&block.contents).map_err(|p| bad(p.to_string()))?;
            out.push((raw.to_vec(), Format::Pem, Bag::default()));
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
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidy_drops_headers_inside_blocks_only() {
        let text = "Bag Attributes: x\n  -----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: DES\n\nQUJD\n-----END RSA PRIVATE KEY-----\n";
        assert_eq!(
            tidy(text),
            "Bag Attributes: x\n-----BEGIN RSA PRIVATE KEY-----\n\nQUJD\n-----END RSA PRIVATE KEY-----\n"
        );
    }
}
