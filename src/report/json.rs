//! The check's machine report: one JSON document per check, typed, its schema in
//! `docs/schema/check.json`. Field names are a public interface; add fields, never
//! rename them.

use schemars::JsonSchema;
use serde::Serialize;

use super::document::{
    Authority, CertificateDoc, Connection, Finding, JSON_SCHEMA_VERSION, Listing, PfxFile,
    ProviderDoc, SignatureCheck,
};
use super::rfc3339;
use crate::Outcome;
use crate::chain::{Top, Verification};
use crate::model::{KeyMatch, KeyRing};
use crate::policy::{
    Allowlist, DirectIssuer, Identity, Issuance, KeyStatus, Profile, Step, Verdict,
};

/// `mfgcheck check --format json` (also `bundle`'s check).
#[derive(Serialize, JsonSchema)]
pub struct CheckDocument {
    pub schema_version: u32,
    pub mfgcheck_version: String,
    pub verdict: Verdict,
    /// RFC 3339, UTC
    #[schemars(extend("format" = "date-time"))]
    pub evaluated_at: String,
    pub profile: Profile,
    pub leaf: CertificateDoc,
    /// Null when no input was a PKCS#12 file
    pub private_key: Option<PrivateKey>,
    /// Null for a self-signed leaf or an unproven issuer
    pub direct_issuer: Option<DirectIssuerDoc>,
    /// Leaf first
    pub chain: Vec<ChainCertificate>,
    pub chain_end: ChainEnd,
    pub unused: Vec<Unused>,
    pub findings: Vec<Finding>,
    pub summary: Summary,
    pub allowlist: AllowlistUsed,
    pub signature_checks: usize,
    /// What to do next, most important first, each with its commands apart
    pub next_steps: Vec<Step>,
    /// How each PKCS#12 input is protected (empty without one)
    pub pfx_files: Vec<PfxFile>,
    /// Only with --connect
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub connections: Vec<Connection>,
}

/// What lies above the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ChainEnd {
    /// A self-signed certificate.
    Root,
    /// The issuer of the top certificate was not supplied.
    IssuerAbsent,
    /// The issuers go round in a circle.
    Loop,
    /// The top certificate's signature does not verify with its issuer's key.
    SignatureInvalid,
    /// Path building stopped at its budget.
    Truncated,
}

impl ChainEnd {
    fn of(top: &Top) -> Self {
        match top {
            Top::SelfSigned(_) => Self::Root,
            Top::IssuerAbsent { .. } => Self::IssuerAbsent,
            Top::Loop { .. } => Self::Loop,
            Top::SignatureInvalid { .. } => Self::SignatureInvalid,
            Top::Truncated(_) => Self::Truncated,
        }
    }
}

/// One certificate of the path, with the allowlist's view of it.
#[derive(Serialize, JsonSchema)]
pub struct ChainCertificate {
    #[serde(flatten)]
    pub certificate: CertificateDoc,
    pub allowlisted: bool,
    pub authority: Option<Authority>,
    /// The listed CA whose name it carries with another key
    pub impostor_of: Option<String>,
    /// The listed CA whose listed key signed this new key
    pub new_key_of: Option<String>,
    pub signature: SignatureCheck,
    pub signature_weakness: Option<String>,
}

/// Whether the leaf's private key is there, and which provider it names.
#[derive(Serialize, JsonSchema)]
#[serde(untagged)]
pub enum PrivateKey {
    /// A PKCS#12 input, but not the leaf's key.
    Missing {
        #[schemars(extend("const" = false))]
        present: bool,
    },
    Held {
        #[schemars(extend("const" = true))]
        present: bool,
        file: String,
        matched_by: KeyMatch,
        key: String,
        key_bits: Option<usize>,
        friendly_name: Option<String>,
        provider: Option<ProviderDoc>,
    },
}

/// The leaf's issuer.
#[derive(Serialize, JsonSchema)]
#[serde(rename = "DirectIssuer")]
pub struct DirectIssuerDoc {
    pub subject: String,
    pub in_input: bool,
    /// Null when not in the input
    pub sha1: Option<String>,
    pub key_id: Option<String>,
    pub allowlisted: bool,
    pub authority: Option<Authority>,
    pub impostor_of: Option<String>,
}

/// A certificate of the input that is not on the path.
#[derive(Serialize, JsonSchema)]
pub struct Unused {
    pub subject: String,
    pub sha1: String,
    pub source: UnusedSource,
}

#[derive(Serialize, JsonSchema)]
pub struct UnusedSource {
    pub file: String,
    pub index: usize,
}

#[derive(Serialize, JsonSchema)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub info: usize,
}

/// The allowlist that judged.
#[derive(Serialize, JsonSchema)]
pub struct AllowlistUsed {
    pub source: String,
    pub version: u32,
    pub issuance: Issuance,
    pub authorities: usize,
}

fn private_key(status: Option<KeyStatus>, keys: &KeyRing) -> Option<PrivateKey> {
    match status? {
        KeyStatus::Missing => Some(PrivateKey::Missing { present: false }),
        KeyStatus::Held { index, by } => {
            let key = keys.keys.get(index)?;
            let algorithm = key.algorithm();
            Some(PrivateKey::Held {
                present: true,
                file: key.file().to_owned(),
                matched_by: by,
                key: algorithm.to_string(),
                key_bits: algorithm.bits(),
                friendly_name: key.friendly_name().map(str::to_owned),
                provider: key.provider().map(ProviderDoc::of),
            })
        }
    }
}

/// Each certificate of the path, leaf first, with the allowlist's view and how its
/// signature was checked.
fn chain_entries(outcome: &Outcome, allowlist: &Allowlist) -> Vec<ChainCertificate> {
    let Outcome {
        pool,
        chain,
        assessment,
        ..
    } = outcome;
    chain
        .path
        .iter()
        .enumerate()
        .map(|(i, &id)| {
            let identity = assessment.identities.get(i).unwrap_or(&Identity::Unlisted);
            let signature = match (chain.signatures.get(i), &chain.top) {
                (Some(v), _) => SignatureCheck::of(v),
                (None, Top::SelfSigned(Verification::Unsupported(_))) => {
                    SignatureCheck::SelfSignedUnchecked
                }
                (None, Top::SelfSigned(_)) => SignatureCheck::SelfSigned,
                (None, Top::SignatureInvalid { .. }) => SignatureCheck::Invalid,
                // Checked with the key the allowlist lists for the absent issuer.
                (
                    None,
                    Top::IssuerAbsent {
                        listed_key: Some(v),
                        ..
                    },
                ) => SignatureCheck::of(v),
                (None, _) => SignatureCheck::NotChecked,
            };
            let listing = Listing::of(identity, allowlist, assessment.at);
            ChainCertificate {
                certificate: CertificateDoc::of(pool.get(id)),
                allowlisted: listing.allowlisted,
                authority: listing.authority,
                impostor_of: listing.impostor_of,
                new_key_of: listing.new_key_of,
                signature,
                signature_weakness: match chain.signatures.get(i) {
                    Some(Verification::Weak(w)) => Some(w.to_string()),
                    _ => None,
                },
            }
        })
        .collect()
}

/// Who issued the leaf (`None` when self-signed or unproven).
fn direct_issuer(outcome: &Outcome, allowlist: &Allowlist) -> Option<DirectIssuerDoc> {
    let Outcome {
        pool, assessment, ..
    } = outcome;
    let (subject, sha1, key_id, identity) = match &assessment.direct_issuer {
        DirectIssuer::InInput { cert: id, identity } => {
            let c = pool.get(*id);
            let key_id = c.ski().map(ToString::to_string);
            (
                c.subject().to_string(),
                Some(c.sha1().to_string()),
                key_id,
                identity,
            )
        }
        DirectIssuer::Absent {
            name,
            key_id,
            identity,
        } => (
            name.to_string(),
            None,
            key_id.as_ref().map(ToString::to_string),
            identity,
        ),
        DirectIssuer::SelfSigned | DirectIssuer::Unproven => return None,
    };
    let listing = Listing::of(identity, allowlist, assessment.at);
    Some(DirectIssuerDoc {
        subject,
        in_input: sha1.is_some(),
        sha1,
        key_id,
        allowlisted: listing.allowlisted,
        authority: listing.authority,
        impostor_of: listing.impostor_of,
    })
}

/// A check's outcome as its JSON document.
pub fn json(outcome: &Outcome, allowlist: &Allowlist) -> CheckDocument {
    let Outcome {
        pool,
        keys,
        chain,
        assessment,
    } = outcome;
    let findings = &assessment.findings;
    CheckDocument {
        schema_version: JSON_SCHEMA_VERSION,
        mfgcheck_version: env!("CARGO_PKG_VERSION").to_owned(),
        verdict: assessment.verdict,
        evaluated_at: rfc3339(assessment.at),
        profile: assessment.profile,
        leaf: CertificateDoc::of(pool.get(chain.leaf())),
        private_key: private_key(assessment.private_key, keys),
        direct_issuer: direct_issuer(outcome, allowlist),
        chain: chain_entries(outcome, allowlist),
        chain_end: ChainEnd::of(&chain.top),
        unused: chain
            .unused
            .iter()
            .map(|&id| {
                let c = pool.get(id);
                Unused {
                    subject: c.subject().to_string(),
                    sha1: c.sha1().to_string(),
                    source: UnusedSource {
                        file: c.origin().file.to_string(),
                        index: c.origin().index + 1,
                    },
                }
            })
            .collect(),
        findings: findings.iter().map(Finding::of).collect(),
        summary: Summary {
            errors: assessment.errors(),
            warnings: assessment.warnings(),
            info: findings
                .len()
                .saturating_sub(assessment.errors() + assessment.warnings()),
        },
        allowlist: AllowlistUsed {
            source: allowlist.source().to_owned(),
            version: allowlist.version(),
            issuance: allowlist.issuance(),
            authorities: allowlist.authorities().len(),
        },
        signature_checks: chain.signature_checks,
        next_steps: assessment.next_steps.clone(),
        pfx_files: keys.protections.iter().map(PfxFile::of).collect(),
        connections: Vec::new(),
    }
}
