//! The parts several JSON documents share, as types: what a document says is what its
//! type says, and `docs/schema/*.json` is generated from these types (see
//! [`super::schema`]). Field names are a public interface: add fields, never rename them.
//!
//! Documents are written through [`to_text`], which sorts keys alphabetically (every
//! document has always been written so) whatever order a type declares them in.

use schemars::JsonSchema;
use serde::Serialize;

use crate::chain::Verification;
use crate::load::{Format, Scheme};
use crate::model::{Certificate as Model, Provider};
use crate::policy::{Allowlist, Code, Identity, MatchedBy, Severity, Status as ListStatus};

/// Bumped when a field changes meaning or disappears. 2: certificate numbers (`index`)
/// count from 1, as the text reports show them ("certificate 1", "[1]"). 3: the finding
/// code `unrelated-cert` is now `chain-extra-cert`, with the other chain hygiene codes.
/// 4: commands stand apart from words: `next_steps` and triage's `fix` are objects
/// (`text`, `commands`), and a finding's `fix` no longer holds its `commands`.
pub const JSON_SCHEMA_VERSION: u32 = 4;

/// A document as the commands print it: pretty, keys in alphabetical order, a final
/// newline. Serialising these types cannot fail (string keys, no non-finite floats);
/// should it, the answer is an empty object rather than a panic.
pub fn to_text<T: Serialize>(document: &T) -> String {
    let mut text = serde_json::to_value(document)
        .and_then(|v| serde_json::to_string_pretty(&v))
        .unwrap_or_else(|_| "{}".to_owned());
    text.push('\n');
    text
}

/// One certificate, as every document describes it.
#[derive(Serialize, JsonSchema)]
#[serde(rename = "Certificate")]
pub struct CertificateDoc {
    /// Windows form: CN=..., O=..., C=US
    pub subject: String,
    pub issuer: String,
    /// Hex
    pub serial: String,
    /// Upper-case hex, no separators
    pub sha1: String,
    pub sha256: String,
    pub ski: Option<String>,
    pub aki: Option<String>,
    /// RSA 2048, EC P-256, ...
    pub key: String,
    pub key_bits: Option<usize>,
    pub spki_sha256: String,
    /// sha256RSA, ...
    pub signature_algorithm: String,
    /// RFC 3339
    #[schemars(extend("format" = "date-time"))]
    pub not_before: String,
    #[schemars(extend("format" = "date-time"))]
    pub not_after: String,
    pub is_ca: bool,
    pub dns_names: Vec<String>,
    /// From a PFX bag
    pub friendly_name: Option<String>,
    pub source: Source,
}

/// Where a certificate came from.
#[derive(Serialize, JsonSchema)]
pub struct Source {
    /// The file as given, or the address it was fetched from
    pub file: String,
    /// Its number in the file, from 1
    pub index: usize,
    pub format: Format,
    /// Fetched by --fetch-missing
    pub fetched: bool,
}

impl CertificateDoc {
    pub fn of(c: &Model) -> Self {
        let algorithm = c.public_key().algorithm();
        Self {
            subject: c.subject().to_string(),
            issuer: c.issuer().to_string(),
            serial: c.serial().to_string(),
            sha1: c.sha1().to_string(),
            sha256: c.sha256().to_string(),
            ski: c.ski().map(ToString::to_string),
            aki: c.aki().map(ToString::to_string),
            key: algorithm.to_string(),
            key_bits: algorithm.bits(),
            spki_sha256: c.public_key().spki_sha256().to_string(),
            signature_algorithm: c.signature_algorithm().to_string(),
            not_before: super::rfc3339(c.not_before()),
            not_after: super::rfc3339(c.not_after()),
            is_ca: c.is_ca(),
            dns_names: c.dns_names().to_vec(),
            friendly_name: c.friendly_name().map(str::to_owned),
            source: Source {
                file: c.origin().file.to_string(),
                index: c.origin().index + 1,
                format: c.origin().format,
                fetched: c.origin().fetched,
            },
        }
    }
}

/// The listed authority a certificate is.
#[derive(Serialize, JsonSchema)]
pub struct Authority {
    pub name: String,
    pub status: ListStatus,
    pub accepted_at_evaluation_time: bool,
    pub matched_by: MatchedBy,
}

/// What the allowlist makes of one certificate: whether it is listed, as whom, and
/// whose name it carries without being it.
pub struct Listing {
    pub allowlisted: bool,
    pub authority: Option<Authority>,
    pub impostor_of: Option<String>,
    pub new_key_of: Option<String>,
}

impl Listing {
    pub fn of(identity: &Identity, allowlist: &Allowlist, at: time::OffsetDateTime) -> Self {
        let name = |i: usize| allowlist.authority(i).name.clone();
        Self {
            allowlisted: identity.listed().is_some(),
            authority: match identity {
                Identity::Listed { authority, by } => Some(Authority {
                    name: name(*authority),
                    status: allowlist.authority(*authority).status,
                    accepted_at_evaluation_time: allowlist
                        .accepted_authority(identity, at)
                        .is_some(),
                    matched_by: *by,
                }),
                _ => None,
            },
            impostor_of: match identity {
                Identity::Impostor { authority, .. } => Some(name(*authority)),
                _ => None,
            },
            new_key_of: match identity {
                Identity::NewKey { authority } => Some(name(*authority)),
                _ => None,
            },
        }
    }
}

/// How a signature was checked, in the words of every document: the first four are the
/// outcome of a verification, the others say why there was none (check's chain uses
/// `self-signed`, `self-signed-unchecked` and `not-checked`; inspect's `unproven`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureCheck {
    /// Verified with its issuer's key.
    Valid,
    /// Verified, with an algorithm to move away from.
    Weak,
    /// Does not verify.
    Invalid,
    /// An algorithm mfgcheck cannot check.
    Unsupported,
    /// The top of the path, verified with its own key.
    SelfSigned,
    /// The top of the path, its own algorithm not checkable.
    SelfSignedUnchecked,
    /// Not checked: the issuer was not supplied.
    NotChecked,
    /// A certificate of the right name and key identifier, signature not proven.
    Unproven,
}

impl SignatureCheck {
    pub fn of(v: &Verification) -> Self {
        match v {
            Verification::Valid => Self::Valid,
            Verification::Weak(_) => Self::Weak,
            Verification::Invalid => Self::Invalid,
            Verification::Unsupported(_) => Self::Unsupported,
        }
    }
}

/// A key's cryptographic provider, as a PFX names it.
#[derive(Serialize, JsonSchema)]
#[serde(rename = "Provider")]
pub struct ProviderDoc {
    pub name: String,
    pub kind: crate::model::ProviderKind,
}

impl ProviderDoc {
    pub fn of(p: &Provider) -> Self {
        Self {
            name: p.name.clone(),
            kind: p.kind,
        }
    }
}

/// A finding of a check.
#[derive(Serialize, JsonSchema)]
pub struct Finding {
    pub code: Code,
    /// What the code means, in one sentence (the first of its summary)
    pub title: String,
    pub severity: Severity,
    pub message: String,
    /// What to do, in words (null when nothing is to be done)
    pub fix: Option<String>,
    /// The fix's commands, each whole, in the order to run them
    pub commands: Vec<String>,
    /// SHA-1 thumbprints of the certificates concerned, most relevant first
    pub certificates: Vec<String>,
}

impl Finding {
    pub fn of(f: &crate::policy::Finding) -> Self {
        Self {
            code: f.code,
            title: f.code.title().to_owned(),
            severity: f.severity(),
            message: f.message.clone(),
            fix: f.fix.as_deref().map(str::to_owned),
            commands: f.commands.clone(),
            certificates: f.certificates.iter().map(ToString::to_string).collect(),
        }
    }
}

/// Which allowlist judged.
#[derive(Serialize, JsonSchema)]
pub struct AllowlistRef {
    pub source: String,
    pub version: u32,
}

impl AllowlistRef {
    pub fn of(allowlist: &Allowlist) -> Self {
        Self {
            source: allowlist.source().to_owned(),
            version: allowlist.version(),
        }
    }
}

/// How a server was reached and the certificates it sent (with `--connect`).
#[derive(Serialize, JsonSchema)]
pub struct Connection {
    /// HOST:PORT as asked
    pub endpoint: String,
    pub address: String,
    pub port: u16,
    /// The SNI sent
    pub servername: Option<String>,
    /// smtp
    pub starttls: Option<String>,
    /// TLS 1.3, TLS 1.2, TLS 1.0, ...
    pub tls_version: String,
    /// In the order the server sent them
    pub certificates: Vec<Presented>,
}

/// One certificate a server sent.
#[derive(Serialize, JsonSchema)]
pub struct Presented {
    pub sha1: String,
    pub subject: String,
}

/// What any command that fails with exit 2 writes with `--format json`.
#[derive(Serialize, JsonSchema)]
pub struct ErrorDocument {
    pub schema_version: u32,
    /// The stderr line without "mfgcheck: error: "
    pub error: String,
    /// The file or server it concerns
    pub input: Option<String>,
}

impl ErrorDocument {
    pub fn new(error: impl Into<String>, input: Option<String>) -> Self {
        Self {
            schema_version: JSON_SCHEMA_VERSION,
            error: error.into(),
            input,
        }
    }
}

/// What `serve` answers for input that cannot be checked (422) and for its other
/// failures: the CLI's exit-2 message.
#[derive(Serialize, JsonSchema)]
pub struct ApiError {
    pub error: String,
    /// Present (true) when a PFX needs a password, or another one
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub password_needed: bool,
    /// Present when the certificate to check could not be chosen: the certificates to
    /// choose from (send one's SHA-1 as `leaf` with the same input)
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<Presented>,
}

/// How one PKCS#12 file is protected.
#[derive(Serialize, JsonSchema)]
pub struct PfxFile {
    pub file: String,
    pub certificates: Vec<Scheme>,
    pub keys: Vec<Scheme>,
    pub mac: Option<Scheme>,
    pub modern_encryption: bool,
}

impl PfxFile {
    pub fn of(p: &crate::model::PfxProtection) -> Self {
        Self {
            file: p.file.clone(),
            certificates: p.protection.certificates.clone(),
            keys: p.protection.keys.clone(),
            mac: p.protection.mac.clone(),
            modern_encryption: p.protection.modern(),
        }
    }
}
