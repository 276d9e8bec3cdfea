//! The machine report: one JSON document per check, documented in the README.
//! Field names are a public interface; add fields, never rename them.

use serde::Serialize;
use serde_json::{Value, json as j};

use super::{rfc3339, signature_word, top_word};
use crate::Outcome;
use crate::chain::{Top, Verification};
use crate::model::Certificate;
use crate::model::KeyRing;
use crate::policy::{Allowlist, DirectIssuer, Identity, KeyStatus};

/// Bumped when a field changes meaning or disappears. 2: certificate numbers (`index`)
/// count from 1, as the text reports show them ("certificate 1", "[1]").
pub const JSON_SCHEMA_VERSION: u32 = 3;

#[derive(Serialize)]
pub(super) struct Cert<'a> {
    subject: String,
    issuer: String,
    serial: String,
    sha1: String,
    sha256: String,
    ski: Option<String>,
    aki: Option<String>,
    key: String,
    key_bits: Option<usize>,
    spki_sha256: String,
    signature_algorithm: String,
    not_before: String,
    not_after: String,
    is_ca: bool,
    dns_names: &'a [String],
    friendly_name: Option<&'a str>,
    source: Value,
}

pub(super) fn cert(c: &Certificate) -> Cert<'_> {
    Cert {
        subject: c.subject().to_string(),
        issuer: c.issuer().to_string(),
        serial: c.serial().to_string(),
        sha1: c.sha1().to_string(),
        sha256: c.sha256().to_string(),
        ski: c.ski().map(ToString::to_string),
        aki: c.aki().map(ToString::to_string),
        key: c.public_key().algorithm().to_string(),
        key_bits: c.public_key().algorithm().bits(),
        spki_sha256: c.public_key().spki_sha256().to_string(),
        signature_algorithm: c.signature_algorithm().to_string(),
        not_before: rfc3339(c.not_before()),
        not_after: rfc3339(c.not_after()),
        is_ca: c.is_ca(),
        dns_names: c.dns_names(),
        friendly_name: c.friendly_name(),
        source: j!({
            "file": &*c.origin().file,
            "index": c.origin().index + 1,
            "format": c.origin().format,
            "fetched": c.origin().fetched,
        }),
    }
}

pub(super) fn authority(
    identity: &Identity,
    allowlist: &Allowlist,
    at: time::OffsetDateTime,
) -> Value {
    match identity {
        Identity::Listed { authority, by } => {
            let a = allowlist.authority(*authority);
            j!({
                "name": a.name,
                "status": a.status,
                "accepted_at_evaluation_time": allowlist.accepted_authority(identity, at).is_some(),
                "matched_by": by,
            })
        }
        _ => Value::Null,
    }
}

pub(super) fn impostor_of(identity: &Identity, allowlist: &Allowlist) -> Value {
    match identity {
        Identity::Impostor { authority, .. } => j!(allowlist.authority(*authority).name),
        _ => Value::Null,
    }
}

/// The listed CA whose listed key signed this certificate of its name and new key.
pub(super) fn new_key_of(identity: &Identity, allowlist: &Allowlist) -> Value {
    match identity {
        Identity::NewKey { authority } => j!(allowlist.authority(*authority).name),
        _ => Value::Null,
    }
}

/// `null` without a PKCS#12 input; otherwise whether the leaf's key is there, and
/// which provider it names.
fn private_key(status: Option<KeyStatus>, keys: &KeyRing) -> Value {
    match status {
        None => Value::Null,
        Some(KeyStatus::Missing) => j!({ "present": false }),
        Some(KeyStatus::Held { index, by }) => {
            let Some(key) = keys.keys.get(index) else {
                return Value::Null;
            };
            let algorithm = key.algorithm();
            j!({
                "present": true,
                "file": key.file(),
                "matched_by": by,
                "key": algorithm.to_string(),
                "key_bits": algorithm.bits(),
                "friendly_name": key.friendly_name(),
                "provider": key.provider().map(|p| j!({ "name": p.name, "kind": p.kind })),
            })
        }
    }
}

/// Each certificate of the path, leaf first, with the allowlist's view and how its
/// signature was checked.
fn chain_entries(outcome: &Outcome, allowlist: &Allowlist) -> Vec<Value> {
    let Outcome {
        pool,
        chain,
        assessment,
        ..
    } = outcome;
    let at = assessment.at;
    chain
        .path
        .iter()
        .enumerate()
        .map(|(i, &id)| {
            let c = pool.get(id);
            let identity = assessment.identities.get(i).unwrap_or(&Identity::Unlisted);
            let signature = match (chain.signatures.get(i), &chain.top) {
                (Some(v), _) => signature_word(v),
                (None, Top::SelfSigned(Verification::Unsupported(_))) => "self-signed-unchecked",
                (None, Top::SelfSigned(_)) => "self-signed",
                (None, Top::SignatureInvalid { .. }) => "invalid",
                // Checked with the key the allowlist lists for the absent issuer.
                (
                    None,
                    Top::IssuerAbsent {
                        listed_key: Some(v),
                        ..
                    },
                ) => signature_word(v),
                (None, _) => "not-checked",
            };
            let weakness = match chain.signatures.get(i) {
                Some(Verification::Weak(w)) => j!(w.to_string()),
                _ => Value::Null,
            };
            let mut v = serde_json::to_value(cert(c)).unwrap_or(Value::Null);
            if let Value::Object(map) = &mut v {
                map.insert("allowlisted".into(), j!(identity.listed().is_some()));
                map.insert("authority".into(), authority(identity, allowlist, at));
                map.insert("impostor_of".into(), impostor_of(identity, allowlist));
                map.insert("new_key_of".into(), new_key_of(identity, allowlist));
                map.insert("signature".into(), j!(signature));
                map.insert("signature_weakness".into(), weakness);
            }
            v
        })
        .collect()
}

/// Who issued the leaf (`null` when self-signed or unproven).
fn direct_issuer(outcome: &Outcome, allowlist: &Allowlist) -> Value {
    let Outcome {
        pool, assessment, ..
    } = outcome;
    let at = assessment.at;
    match &assessment.direct_issuer {
        DirectIssuer::InInput { cert: id, identity } => {
            let c = pool.get(*id);
            j!({
                "subject": c.subject().to_string(),
                "in_input": true,
                "sha1": c.sha1().to_string(),
                "key_id": c.ski().map(ToString::to_string),
                "allowlisted": identity.listed().is_some(),
                "authority": authority(identity, allowlist, at),
                "impostor_of": impostor_of(identity, allowlist),
            })
        }
        DirectIssuer::Absent {
            name,
            key_id,
            identity,
        } => j!({
            "subject": name.to_string(),
            "in_input": false,
            "sha1": null,
            "key_id": key_id.as_ref().map(ToString::to_string),
            "allowlisted": identity.listed().is_some(),
            "authority": authority(identity, allowlist, at),
            "impostor_of": impostor_of(identity, allowlist),
        }),
        DirectIssuer::SelfSigned | DirectIssuer::Unproven => Value::Null,
    }
}

/// Renders a check's outcome as a JSON document.
pub fn json(outcome: &Outcome, allowlist: &Allowlist) -> Value {
    let Outcome {
        pool,
        keys,
        chain,
        assessment,
    } = outcome;
    let at = assessment.at;
    let leaf = pool.get(chain.leaf());

    let chain_json = chain_entries(outcome, allowlist);
    let direct_issuer = direct_issuer(outcome, allowlist);

    let findings: Vec<Value> = assessment
        .findings
        .iter()
        .map(|f| {
            j!({
                "code": f.code,
                "severity": f.severity(),
                "message": f.message,
                "fix": f.fix,
                "certificates": f.certificates.iter().map(ToString::to_string).collect::<Vec<_>>(),
            })
        })
        .collect();

    j!({
        "schema_version": JSON_SCHEMA_VERSION,
        "mfgcheck_version": env!("CARGO_PKG_VERSION"),
        "verdict": assessment.verdict,
        "evaluated_at": rfc3339(at),
        "leaf": cert(leaf),
        "private_key": private_key(assessment.private_key, keys),
        "direct_issuer": direct_issuer,
        "chain": chain_json,
        "chain_end": top_word(&chain.top),
        "unused": chain.unused.iter().map(|&id| {
            let c = pool.get(id);
            j!({ "subject": c.subject().to_string(), "sha1": c.sha1().to_string(), "source": {
                "file": &*c.origin().file, "index": c.origin().index + 1 } })
        }).collect::<Vec<_>>(),
        "findings": findings,
        "profile": assessment.profile,
        "next_steps": assessment.next_steps,
        "summary": {
            "errors": assessment.errors(),
            "warnings": assessment.warnings(),
            "info": assessment.findings.len() - assessment.errors() - assessment.warnings(),
        },
        "allowlist": {
            "source": allowlist.source(),
            "version": allowlist.version(),
            "issuance": allowlist.issuance(),
            "authorities": allowlist.authorities().len(),
        },
        "signature_checks": chain.signature_checks,
    })
}
