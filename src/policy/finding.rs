//! Finding codes: the one place they are defined.
//!
//! Codes are a public interface: CI pipelines grep for them and docs/verdict.md lists
//! them, so they are stable kebab-case strings with a fixed severity each. A test
//! keeps that table in step with [`Code::ALL`].

use std::borrow::Cow;
use std::fmt;

use crate::model::Sha1Thumbprint;

/// How much a finding matters. Any `Error` makes the verdict `rejected`; a
/// `Warning` fails `--fail-on warning`; `Info` never fails anything: it says what a
/// careful admin would want to know about a bundle before deploying it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    /// The word reports and JSON use.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Severity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl schemars::JsonSchema for Severity {
    fn schema_name() -> Cow<'static, str> {
        "Severity".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "error: the federation trust fails; warning: fails --fail-on warning; info: never fails anything",
            "type": "string",
            "enum": [Self::Error.as_str(), Self::Warning.as_str(), Self::Info.as_str()],
        })
    }
}

macro_rules! codes {
    ($( $variant:ident = $code:literal, $severity:ident, $summary:literal; )*) => {
        /// A kind of finding.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $( $variant ),* }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[ $( Code::$variant ),* ];

            /// The stable kebab-case name.
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $code ),* }
            }

            pub fn severity(self) -> Severity {
                match self { $( Code::$variant => Severity::$severity ),* }
            }

            /// One sentence saying what the code means, for docs/verdict.md and `--help`.
            pub fn summary(self) -> &'static str {
                match self { $( Code::$variant => $summary ),* }
            }

            /// The summary's first sentence: what the page's banner names the finding by.
            pub fn title(self) -> &'static str {
                let summary = self.summary();
                summary
                    .find(". ")
                    .and_then(|end| summary.get(..=end))
                    .unwrap_or(summary)
            }
        }
    };
}

codes! {
    IndirectIssuer = "indirect-issuer", Error,
        "A listed CA is reached only through unlisted intermediates. The MFG accepts only certificates issued directly by a listed CA, so New-FederationTrust fails with HTTP 403 Forbidden.";
    ChainedIssuer = "chained-issuer", Warning,
        "Accepted by the later list (issuance: chain): the certificate reaches a listed root through intermediates. The Exchange 2010 RTM gateway refused such chains with HTTP 403.";
    IssuerNotAllowlisted = "issuer-not-allowlisted", Error,
        "The certificate's issuer is not an accepted CA (at the evaluation time), and no listed CA is above it (or, when the rest of the chain was not supplied, what is above it cannot be seen; the MFG refuses it either way).";
    IssuerPending = "issuer-pending", Error,
        "Microsoft was asked to accept the issuer, but that was never confirmed (status requested).";
    IssuerRemoved = "issuer-removed", Error,
        "The issuer was on the list but is no longer accepted (status removed, or past its until date).";
    IssuerKeyMismatch = "issuer-key-mismatch", Error,
        "A certificate, or the leaf's Authority Key Identifier, carries a listed CA's name with a different key: it is not that CA.";
    IssuerUnconfirmed = "issuer-unconfirmed", Error,
        "The issuer is named like a listed CA, but nothing in the input ties it to the listed key (the issuer certificate is absent and the certificate has no Authority Key Identifier, or the allowlist has no key for that CA). Alone it makes the verdict undetermined, not rejected.";
    IssuerSignatureUnverified = "issuer-signature-unverified", Warning,
        "The issuer certificate was not supplied; it was identified by name and key identifier, but the leaf's signature was not checked.";
    IssuerNotCa = "issuer-not-ca", Error,
        "A certificate on the path signed the one below it but is not a CA certificate (no basicConstraints cA=TRUE, or a keyUsage without keyCertSign); no valid path avoids it.";
    PathLengthExceeded = "path-length-exceeded", Error,
        "A CA's pathLenConstraint allows fewer intermediate CAs below it than the path has; no valid path avoids it.";
    UnknownCriticalExtension = "unknown-critical-extension", Error,
        "A certificate on the path has a critical extension Windows does not know (the message names its OID); Windows refuses such certificates.";
    IssuerAddedLater = "issuer-added-later", Warning,
        "The issuer was added to the accepted CAs after a support case, on a date nobody published; until then New-FederationTrust refused its certificates with HTTP 403.";
    SignatureInvalid = "signature-invalid", Error,
        "A certificate's signature does not verify with the key of the certificate that matches its issuer.";
    UnsupportedSignature = "unsupported-signature", Error,
        "A signature uses an algorithm mfgcheck cannot verify (MD2, MD4, DSA, unusual ECDSA), so the chain is unproven.";
    WeakSignature = "weak-signature", Warning,
        "A signature is genuine but uses a weak hash (MD5, SHA-1) or an RSA key shorter than 2048 bits.";
    MissingSki = "missing-ski", Error,
        "The certificate has no Subject Key Identifier extension, which the MFG requires.";
    NotRsa = "not-rsa", Error,
        "The certificate's key is not RSA; the MFG requires RSA.";
    WeakKey = "weak-key", Warning,
        "The certificate's RSA key is shorter than 2048 bits.";
    Expired = "expired", Error,
        "The certificate has expired at the evaluation time.";
    NotYetValid = "not-yet-valid", Error,
        "The certificate is not valid yet at the evaluation time.";
    ExpiresSoon = "expires-soon", Warning,
        "The certificate expires within the warning period (30 days unless --warn-days says otherwise).";
    IssuerExpired = "issuer-expired", Error,
        "A CA certificate on the path is outside its validity period at the evaluation time.";
    StaleCaCopy = "stale-ca-copy", Warning,
        "A CA certificate on the path has expired, but the allowlist knows another certificate of the same CA with the same key not known to be expired (a copy without dates counts as valid); the gateway uses its own copy.";
    CngKeyProvider = "cng-key-provider", Error,
        "The PFX's private key names a CNG key storage provider; Exchange 2010 federation needs a key in a CryptoAPI CSP.";
    PfxModernEncryption = "pfx-modern-encryption", Warning,
        "The PFX is encrypted with PBES2 (AES): Windows Server 2016 and earlier, every server Exchange 2010 runs on, cannot import it and report a wrong password.";
    NoPrivateKey = "no-private-key", Error,
        "A PFX was given but holds no private key at all: imported, it gives the server a certificate New-FederationTrust cannot use.";
    PrivateKeyMismatch = "private-key-mismatch", Error,
        "The PFX holds a private key, but it belongs to another certificate, not to the checked one: imported, it gives the server a certificate New-FederationTrust cannot use.";
    CaCertificate = "ca-certificate", Error,
        "The checked certificate is a CA certificate; federation needs an end-entity certificate.";
    SelfSigned = "self-signed", Error,
        "The checked certificate is self-signed; the Exchange 2010 RTM rules need one issued by a listed CA.";
    ChainOrder = "chain-order", Warning,
        "A file holds the chain in another order than leaf first.";
    DuplicateCert = "duplicate-cert", Warning,
        "The same certificate was supplied more than once.";
    CaCopy = "ca-copy", Warning,
        "A supplied certificate is another copy (same subject and key, another thumbprint) of a certificate on the path, such as a re-issued or cross-signed copy; it is not needed.";
    ChainExtraCert = "chain-extra-cert", Warning,
        "A supplied certificate is not on the checked certificate's path (another copy of a path member, such as a cross-certificate, is ca-copy instead).";
    AiaFetchFailed = "aia-fetch-failed", Warning,
        "With --fetch-missing, a missing issuer could not be fetched from the address its certificate names (AIA caIssuers); the message says which address and why.";
    ChainIncomplete = "chain-incomplete", Info,
        "The path stops at a certificate that is not self-signed and whose issuer was not supplied: a server deploying this bundle cannot send its whole chain.";
    ChainContainsRoot = "chain-contains-root", Info,
        "The bundle holds the self-signed root at the top of the path; servers need not send it, clients have their own.";
    PathBudgetExceeded = "path-budget-exceeded", Warning,
        "Path building stopped at its budget (100 signature checks, depth 10); the path shown is the best found.";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Every code with its summary, so that the schema documents the codes as docs/verdict.md does.
impl schemars::JsonSchema for Code {
    fn schema_name() -> Cow<'static, str> {
        "Code".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let codes: Vec<serde_json::Value> = Self::ALL
            .iter()
            .map(|c| serde_json::json!({ "const": c.as_str(), "description": c.summary() }))
            .collect();
        schemars::json_schema!({
            "description": "A finding's stable code (see the finding codes)",
            "type": "string",
            "oneOf": codes,
        })
    }
}

/// Something to do: the words, and the commands that do it, kept apart so that every
/// front end shows each command whole, on its own, ready to copy (a command inside a
/// sentence gets copied with the sentence, or cut at its first full stop).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Step {
    /// What to do and why, in words; names no command the list below holds.
    pub text: String,
    /// The commands, in the order to run them: PowerShell, certutil, openssl or mfgcheck.
    pub commands: Vec<String>,
}

impl Step {
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            commands: Vec::new(),
        }
    }

    pub fn command(mut self, command: impl Into<String>) -> Self {
        self.commands.push(command.into());
        self
    }
}

/// One thing the check found, with what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub code: Code,
    pub message: String,
    /// Most fixes are fixed words, borrowed rather than copied into each finding.
    pub fix: Option<Cow<'static, str>>,
    /// The fix's commands, apart from its words (see [`Step`]).
    pub commands: Vec<String>,
    /// SHA-1 thumbprints of the certificates concerned, most relevant first.
    pub certificates: Vec<Sha1Thumbprint>,
}

impl Finding {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            fix: None,
            commands: Vec::new(),
            certificates: Vec::new(),
        }
    }

    pub fn fix(mut self, fix: impl Into<Cow<'static, str>>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    /// A command of the fix, after the ones already given.
    pub fn command(mut self, command: impl Into<String>) -> Self {
        self.commands.push(command.into());
        self
    }

    pub fn about(mut self, thumbprint: Sha1Thumbprint) -> Self {
        self.certificates.push(thumbprint);
        self
    }

    pub fn severity(&self) -> Severity {
        self.code.severity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "duplicate {s}");
            assert!(
                s.chars().all(|c| c.is_ascii_lowercase() || c == '-') && !s.starts_with('-'),
                "{s}"
            );
            assert!(code.summary().ends_with('.'), "{s}");
        }
    }
}
