//! **Load**: bytes in, DER certificates out, each tagged with where it came from.
//!
//! The format is sniffed from the content, never from the file name: admins rename
//! `.cer` files freely, and a `.cer` from Windows may be DER or Base-64. Every way a
//! file can fail to hold a certificate gets a [`Problem`] that says what *was* found.

mod ber;
pub(crate) mod buffer;
mod der;
mod pem;
mod pkcs12;
mod pkcs7;
pub mod powershell;
mod repeats;
mod text;
mod work;

use std::fmt;
use std::sync::Arc;

use zeroize::Zeroizing;

pub use pkcs12::{MAX_ITERATIONS, Protection, Scheme};
pub use repeats::{ByContent, FastMap, PemBodies};
pub use text::decode_text;
pub use work::{MAX_TOTAL_ITERATIONS, StopFlag, watching};

/// How a certificate was stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
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
    /// Inside a PKCS#12 file (`.pfx`, `.p12`), binary or base64.
    Pkcs12,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Pem => "PEM",
            Self::Der => "DER",
            Self::Base64 => "base64",
            Self::Pkcs7 => "PKCS#7",
            Self::Pkcs7Pem => "PKCS#7 (PEM)",
            Self::Pkcs12 => "PKCS#12",
        })
    }
}

/// Where a certificate was found: file name as the user gave it, and its position
/// in that file (0-based), so that findings can point at the right place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The file as given, or the address a fetched certificate came from.
    pub file: Arc<str>,
    pub index: usize,
    pub format: Format,
    /// Fetched from an AIA address (`--fetch-missing`), not given by the user: the
    /// bundle lacks it.
    pub fetched: bool,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.fetched {
            return write!(f, "fetched from {}", self.file);
        }
        write!(f, "{} (certificate {})", self.file, self.index + 1)
    }
}

/// A certificate's DER bytes: its own, or shared with the decoded PEM body kept for
/// it. A scan meets the same CA certificates in thousands of files; sharing their
/// bytes spares a copy of each for every file.
#[derive(Clone, Debug)]
pub enum Der {
    Owned(Vec<u8>),
    Shared(Arc<[u8]>),
}

impl Der {
    /// The bytes as a vector of their own (copied only when shared).
    pub fn into_vec(self) -> Vec<u8> {
        match self {
            Self::Owned(bytes) => bytes,
            Self::Shared(bytes) => bytes.to_vec(),
        }
    }

    /// Keeps the first `len` bytes (copying them when shared and cut).
    fn truncate(&mut self, len: usize) {
        match self {
            Self::Owned(bytes) => bytes.truncate(len),
            Self::Shared(bytes) if len < bytes.len() => {
                *self = Self::Owned(bytes.get(..len).unwrap_or_default().to_vec());
            }
            Self::Shared(_) => {}
        }
    }
}

impl std::ops::Deref for Der {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Self::Owned(bytes) => bytes,
            Self::Shared(bytes) => bytes,
        }
    }
}

/// One certificate's DER bytes, not yet parsed.
#[derive(Clone, Debug)]
pub struct RawCertificate {
    pub der: Der,
    pub origin: Origin,
    /// The PKCS#12 bag attributes it came with (empty for other formats).
    pub bag: Bag,
}

/// PKCS#12 bag attributes that tie certificates, keys and the Windows store together.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bag {
    /// The name the Windows certificate store shows (friendlyName).
    pub friendly_name: Option<String>,
    /// Pairs a key bag with its certificate bag (localKeyId).
    pub local_key_id: Option<Vec<u8>>,
}

/// A private key found in an input, reduced to its public half: the private
/// material is wiped as soon as this is read from it.
#[derive(Clone, Debug)]
pub struct RawKey {
    pub file: Arc<str>,
    pub bag: Bag,
    /// The Microsoft CSP or KSP name attribute (1.3.6.1.4.1.311.17.1), verbatim.
    pub provider: Option<String>,
    pub public: PublicHalf,
}

/// The public key that belongs to a private key, to find its certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublicHalf {
    /// Big-endian modulus and exponent, as stored (possibly with a leading zero).
    Rsa {
        modulus: Vec<u8>,
        exponent: Vec<u8>,
    },
    /// The public point, when the key file records it.
    Ec {
        point: Option<Vec<u8>>,
    },
    Other {
        algorithm: String,
    },
}

/// Everything one input held.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    pub certificates: Vec<RawCertificate>,
    pub keys: Vec<RawKey>,
    /// The protection of each PKCS#12 file in the input (none for other formats).
    pub pfx: Vec<Protection>,
}

/// A PKCS#12 password. Wiped from memory when dropped, and never shown by `Debug`.
#[derive(Clone)]
pub struct Password(Zeroizing<String>);

impl Password {
    /// Takes ownership of `text`; the caller's copy is moved in, not duplicated.
    pub fn new(text: String) -> Self {
        Self(Zeroizing::new(text))
    }

    /// The first line of a password file, without its line ending. The file may be
    /// UTF-8 (with or without BOM) or UTF-16 with BOM, as PowerShell's `>` and
    /// `Out-File` write it.
    pub fn from_file_contents(bytes: &[u8]) -> Self {
        Self::from_file(bytes).0
    }

    /// [`Password::from_file_contents`], and whether the file was read as
    /// Windows-1252: a file that is not valid UTF-8 and has no UTF-16 mark was saved
    /// as "ANSI" (Notepad's default, Windows PowerShell 5.1's `Set-Content`), where
    /// `é` is one byte, 0xE9; read as UTF-8 it would become U+FFFD and the password
    /// would be wrong.
    pub fn from_file(bytes: &[u8]) -> (Self, bool) {
        let ansi = std::str::from_utf8(bytes).is_err() && !text::has_utf16_mark(bytes);
        let text = Zeroizing::new(if ansi {
            text::windows_1252(bytes)
        } else {
            decode_text(bytes).into_owned()
        });
        let line = text.split('\n').next().unwrap_or_default();
        (Self::new(line.trim_end_matches('\r').to_owned()), ansi)
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// What was found in one input, before it is tied to the file name.
struct Found {
    certificates: Vec<(Der, Format, Bag)>,
    keys: Vec<pkcs12::FoundKey>,
    /// How each PKCS#12 file in the input protects its contents.
    pfx: Vec<Protection>,
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
    #[error("wrong password: the PKCS#12 integrity check (MAC) fails with it")]
    WrongPassword,
    #[error(
        "this PKCS#12 file is protected by a password, and neither the empty nor the absent password opens it"
    )]
    PasswordNeeded,
    #[error("PKCS#12: {0}")]
    BadPkcs12(String),
    #[error("PKCS#12: {0} is not supported")]
    Pkcs12Unsupported(String),
    /// The caller raised its [`StopFlag`]: nobody waits for the answer any more.
    #[error("PKCS#12: stopped before the next key derivation (the answer is no longer wanted)")]
    Stopped,
}

/// An input that could not be used, naming the file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {problem}")]
pub struct LoadError {
    pub file: String,
    pub problem: Problem,
}

/// What the CLI and the page say of a PFX that neither the empty nor the absent
/// password opens (each adds how to give one there): shorter than
/// [`Problem::PasswordNeeded`], which names no way out.
pub fn password_needed(file: &str) -> String {
    format!(
        "{file}: this PKCS#12 file needs a password (neither the empty nor the absent password opens it)"
    )
}

/// A YAML parse error as (1-based line, message), for the allowlist and the triage
/// knowledge base, which report their own `line N:` prefix. `text` is parsed once more
/// without any schema: when that fails too the problem is the YAML itself, and the
/// message says "YAML syntax" with the column, so that a stray quote is not reported
/// as the "missing field" the schema stumbled on after it.
pub fn yaml_error(text: &str, e: &serde_saphyr::Error) -> (usize, String) {
    let strip = |e: &serde_saphyr::Error| {
        let message = e.without_snippet().to_string();
        message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(m, _)| m)
            .to_owned()
    };
    if let Err(syntax) = serde_saphyr::from_str::<serde::de::IgnoredAny>(text) {
        let (line, column) = syntax
            .location()
            .map_or((0, 0), |l| (l.line() as usize, l.column() as usize));
        let at = if column > 0 {
            format!(" (column {column})")
        } else {
            String::new()
        };
        return (line, format!("YAML syntax: {}{at}", strip(&syntax)));
    }
    (e.location().map_or(0, |l| l.line() as usize), strip(e))
}

/// Reads every certificate (and PKCS#12 private key) in `bytes`. `file` names the
/// input in messages and origins; `password` opens PKCS#12 files, which are tried
/// with the empty and the absent password when it is `None`.
pub fn load(file: &str, bytes: &[u8], password: Option<&Password>) -> Result<Loaded, LoadError> {
    load_with(file, bytes, password, None)
}

/// [`load`], taking PEM bodies met before from `bodies` (and noting new ones there).
pub fn load_with(
    file: &str,
    bytes: &[u8],
    password: Option<&Password>,
    bodies: Option<&PemBodies>,
) -> Result<Loaded, LoadError> {
    let fail = |problem| LoadError {
        file: file.to_owned(),
        problem,
    };
    let name: Arc<str> = Arc::from(file);
    let found = sniff(bytes, password, bodies).map_err(fail)?;
    let certificates = found
        .certificates
        .into_iter()
        .enumerate()
        .map(|(index, (der, format, bag))| RawCertificate {
            der,
            origin: Origin {
                file: Arc::clone(&name),
                index,
                format,
                fetched: false,
            },
            bag,
        })
        .collect();
    let keys = found
        .keys
        .into_iter()
        .map(|k| RawKey {
            file: Arc::clone(&name),
            bag: k.bag,
            provider: k.provider,
            public: k.public,
        })
        .collect();
    Ok(Loaded {
        certificates,
        keys,
        pfx: found.pfx,
    })
}

fn sniff(
    bytes: &[u8],
    password: Option<&Password>,
    bodies: Option<&PemBodies>,
) -> Result<Found, Problem> {
    if bytes.iter().all(|b| b.is_ascii_whitespace() || *b == 0) {
        return Err(Problem::Empty);
    }
    if der::looks_like_der(bytes) {
        return der::certificates(bytes, Format::Der, Format::Pkcs7, password);
    }
    let text = text::decode_text(bytes);
    if text.contains("-----BEGIN ") {
        return pem::certificates(&text, password, bodies);
    }
    if let Some(decoded) = text::bare_base64(&text) {
        if der::looks_like_der(&decoded) {
            return der::certificates(&decoded, Format::Base64, Format::Pkcs7, password);
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
    fn password_files_give_their_first_line() {
        let first = |bytes: &[u8]| Password::from_file_contents(bytes).0.to_string();
        assert_eq!(first(b"Fed2010!\r\nsecond line\r\n"), "Fed2010!");
        assert_eq!(first(b"\xEF\xBB\xBFp\xC3\xA4ss\n"), "p\u{e4}ss");
        assert_eq!(first(b"\xFF\xFEp\0w\0\r\0\n\0"), "pw");
        assert_eq!(first(b" spaces kept \n"), " spaces kept ");
        assert_eq!(first(b""), "");
        assert_eq!(
            format!("{:?}", Password::new("secret".into())),
            "Password(<redacted>)"
        );
    }

    #[test]
    fn empty_and_blank_inputs_say_so() {
        assert_eq!(load("a", b"", None).unwrap_err().problem, Problem::Empty);
        assert_eq!(
            load("a", b" \r\n\t", None).unwrap_err().problem,
            Problem::Empty
        );
    }

    #[test]
    fn plain_text_is_described() {
        let err = load("notes.txt", b"Thumbprint 7C4656C3\r\nmore\r\n", None).unwrap_err();
        assert_eq!(err.file, "notes.txt");
        let msg = err.to_string();
        assert!(
            msg.contains("no certificate found") && msg.contains("Thumbprint 7C4656C3"),
            "{msg}"
        );
    }

    #[test]
    fn binary_garbage_shows_its_first_bytes() {
        let err = load("x.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", None).unwrap_err();
        assert!(err.to_string().contains("89 50 4E 47"), "{err}");
    }

    #[test]
    fn truncated_der_names_both_lengths() {
        let err = load("t.cer", &[0x30, 0x82, 0x01, 0x00, 0x30, 0x01], None).unwrap_err();
        assert_eq!(
            err.problem,
            Problem::Truncated {
                declared: 260,
                available: 6
            }
        );
    }

    #[test]
    fn der_requests_and_crls_are_named() {
        // request.csr's PEM body, as DER.
        let pem = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/certs-testdata/request.csr"
        ))
        .unwrap();
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = data_encoding::BASE64.decode(body.as_bytes()).unwrap();
        let err = load("req.der", &der, None).unwrap_err();
        assert!(
            err.to_string().contains("a certificate request (CSR)"),
            "{err}"
        );

        // A minimal v2 CRL: TBSCertList { version, sha256RSA, CN=x, thisUpdate }.
        let alg = [
            0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0B, 0x05,
            0x00,
        ];
        let name = [
            0x30, 0x0C, 0x31, 0x0A, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0C, 0x01, b'x',
        ];
        let time = *b"\x17\x0D110601000000Z";
        let mut tbs = vec![0x02, 0x01, 0x01];
        tbs.extend_from_slice(&alg);
        tbs.extend_from_slice(&name);
        tbs.extend_from_slice(&time);
        let mut inner = vec![0x30, tbs.len() as u8];
        inner.extend_from_slice(&tbs);
        inner.extend_from_slice(&alg);
        inner.extend_from_slice(&[0x03, 0x02, 0x00, 0x00]);
        let mut crl = vec![0x30, inner.len() as u8];
        crl.extend_from_slice(&inner);
        let err = load("list.crl", &crl, None).unwrap_err();
        assert!(err.to_string().contains("revocation list (CRL)"), "{err}");
    }

    #[test]
    fn csr_is_not_mistaken_for_a_certificate() {
        let csr = "-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n";
        let err = load("req.csr", csr.as_bytes(), None).unwrap_err();
        assert!(err.to_string().contains("CERTIFICATE REQUEST"), "{err}");
    }
}
