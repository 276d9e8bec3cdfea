//! **Load**: bytes in, DER certificates out, each tagged with where it came from.
//!
//! The format is sniffed from the content, never from the file name: admins rename
//! `.cer` files freely, and a `.cer` from Windows may be DER or Base-64. Every way a
//! file can fail to hold a certificate gets a [`Problem`] that says what *was* found.

mod der;
mod pem;
mod pkcs7;
mod text;

use std::fmt;
use std::sync::Arc;

pub use text::decode_text;

/// How a certificate was stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// PEM armour (`-----BEGIN CERTIFICATE-----`).
    Pem,
    /// Binary DER (a `.cer` saved as "DER encoded binary X.509").
    Der,
    /// Base64 of DER without PEM armour.
    Base64,
    /// Inside a PKCS#7 / CMS SignedData (`.p7b`, `.p7c`), DER or BER.
    Pkcs7,
    /// Inside a PKCS#7 in PEM armour (`-----BEGIN PKCS7-----`).
    Pkcs7Pem,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Pem => "PEM",
            Self::Der => "DER",
            Self::Base64 => "base64",
            Self::Pkcs7 => "PKCS#7",
            Self::Pkcs7Pem => "PKCS#7 (PEM)",
        })
    }
}

/// Where a certificate was found: file name as the user gave it, and its position
/// in that file (0-based), so that findings can point at the right place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub file: Arc<str>,
    pub index: usize,
    pub format: Format,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (certificate {})", self.file, self.index + 1)
    }
}

/// One certificate's DER bytes, not yet parsed.
#[derive(Clone, Debug)]
pub struct RawCertificate {
    pub der: Vec<u8>,
    pub origin: Origin,
}

/// What is wrong with an input, in words for the person who supplied it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("the file is empty")]
    Empty,
    #[error("no certificate found: {0}")]
    NoCertificate(String),
    #[error("truncated DER: the data announces {declared} bytes but only {available} are present")]
    Truncated { declared: usize, available: usize },
    #[error("not valid DER: {0}")]
    BadDer(String),
    #[error("PEM block {block} ({label}): {reason}")]
    BadPem {
        block: usize,
        label: String,
        reason: String,
    },
    #[error("PKCS#7: {0}")]
    BadPkcs7(String),
    #[error(
        "this is a PKCS#12 (.pfx/.p12) file, which mfgcheck cannot read yet; export the certificate \
         without its key (\"Base-64 encoded X.509 (.CER)\") and check that"
    )]
    Pkcs12,
}

/// An input that could not be used, naming the file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {problem}")]
pub struct LoadError {
    pub file: String,
    pub problem: Problem,
}

/// Reads every certificate in `bytes`. `file` names the input in messages and origins.
pub fn load(file: &str, bytes: &[u8]) -> Result<Vec<RawCertificate>, LoadError> {
    let fail = |problem| LoadError {
        file: file.to_owned(),
        problem,
    };
    let name: Arc<str> = Arc::from(file);
    let blobs = sniff(bytes).map_err(fail)?;
    Ok(blobs
        .into_iter()
        .enumerate()
        .map(|(index, (der, format))| RawCertificate {
            der,
            origin: Origin {
                file: Arc::clone(&name),
                index,
                format,
            },
        })
        .collect())
}

fn sniff(bytes: &[u8]) -> Result<Vec<(Vec<u8>, Format)>, Problem> {
    if bytes.iter().all(|b| b.is_ascii_whitespace() || *b == 0) {
        return Err(Problem::Empty);
    }
    if der::looks_like_der(bytes) {
        return der::certificates(bytes, Format::Der, Format::Pkcs7);
    }
    let text = text::decode_text(bytes);
    if text.contains("-----BEGIN ") {
        return pem::certificates(&text);
    }
    if let Some(decoded) = text::bare_base64(&text) {
        if der::looks_like_der(&decoded) {
            return der::certificates(&decoded, Format::Base64, Format::Pkcs7);
        }
        return Err(Problem::NoCertificate(
            "base64 text that does not decode to DER".into(),
        ));
    }
    Err(Problem::NoCertificate(text::describe(bytes, &text)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_blank_inputs_say_so() {
        assert_eq!(load("a", b"").unwrap_err().problem, Problem::Empty);
        assert_eq!(load("a", b" \r\n\t").unwrap_err().problem, Problem::Empty);
    }

    #[test]
    fn plain_text_is_described() {
        let err = load("notes.txt", b"Thumbprint 7C4656C3\r\nmore\r\n").unwrap_err();
        assert_eq!(err.file, "notes.txt");
        let msg = err.to_string();
        assert!(
            msg.contains("no certificate found") && msg.contains("Thumbprint 7C4656C3"),
            "{msg}"
        );
    }

    #[test]
    fn binary_garbage_shows_its_first_bytes() {
        let err = load("x.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap_err();
        assert!(err.to_string().contains("89 50 4E 47"), "{err}");
    }

    #[test]
    fn truncated_der_names_both_lengths() {
        let err = load("t.cer", &[0x30, 0x82, 0x01, 0x00, 0x30, 0x01]).unwrap_err();
        assert_eq!(
            err.problem,
            Problem::Truncated {
                declared: 260,
                available: 6
            }
        );
    }

    #[test]
    fn csr_is_not_mistaken_for_a_certificate() {
        let csr = "-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n";
        let err = load("req.csr", csr.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("CERTIFICATE REQUEST"), "{err}");
    }
}
