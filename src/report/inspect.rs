//! `inspect`: every certificate and key of the inputs, and the issuer tree, with no
//! verdict. What a helpdesk needs to read a file a customer sent.

use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::Serialize;
use time::OffsetDateTime;

use super::document::{
    AllowlistRef, Authority, CertificateDoc, Connection, JSON_SCHEMA_VERSION, Listing, PfxFile,
    ProviderDoc, SignatureCheck,
};
use super::style::{BOLD, DIM, GREEN, RED, YELLOW, labelled, paint, wrap, wrap_hanging};
use super::{datetime, day, mark, rfc3339};
use crate::Inspection;
use crate::chain::{CertId, Link, Verification};
use crate::model::hex::colon_hex;
use crate::model::{Certificate, KeyRing, Validity};
use crate::policy::{Allowlist, Code, Identity, Severity, pfx_findings};

/// "365 days left", "expired 12 days ago", "valid in 3 days", at `at`.
fn days_left(cert: &Certificate, at: OffsetDateTime) -> (Validity, i64, String) {
    let v = cert.validity_at(at);
    let (days, words) = match v {
        Validity::Valid => {
            let d = (cert.not_after() - at).whole_days();
            (d, format!("{d} days left"))
        }
        Validity::Expired => {
            let d = (cert.not_after() - at).whole_days();
            (d, format!("expired {} days before", -d))
        }
        Validity::NotYetValid => {
            let d = (cert.not_after() - at).whole_days();
            let until = (cert.not_before() - at).whole_days();
            (d, format!("not valid for another {until} days"))
        }
    };
    (v, days, words)
}

/// Which key of the inputs belongs to `cert`, if any.
fn key_of<'a>(cert: &'a Certificate, keys: &'a KeyRing) -> Option<&'a crate::model::PrivateKey> {
    keys_of(cert, keys).next()
}

/// Every key of `cert`: two exports of one certificate each bring their own, and each
/// names its own provider.
fn keys_of<'a>(
    cert: &'a Certificate,
    keys: &'a KeyRing,
) -> impl Iterator<Item = &'a crate::model::PrivateKey> + 'a {
    keys.keys
        .iter()
        .filter(move |k| k.pairs_with(cert).is_some())
}

/// A `label  value` row; a long value wraps under itself.
fn row(out: &mut String, label: &str, value: &str, width: usize) {
    out.push_str(&labelled(2, label, LABEL, value, width));
}

/// The width of a row's label, and where its value starts.
const LABEL: usize = 13;
const VALUE_COLUMN: usize = 2 + LABEL + 1;

/// A fingerprint in colon form under its hex form: one row when it fits, else 16 bytes
/// to a row (the hex form above is the one to copy).
fn colon_rows(out: &mut String, colon: &str, width: usize) {
    if VALUE_COLUMN + colon.len() <= width {
        row(out, "", colon, width);
        return;
    }
    let bytes: Vec<&str> = colon.split(':').collect();
    let rows: Vec<String> = bytes.chunks(16).map(|c| c.join(":")).collect();
    for (i, r) in rows.iter().enumerate() {
        let more = if i + 1 < rows.len() { ":" } else { "" };
        row(out, "", &format!("{r}{more}"), width);
    }
}

/// `inspect -q`: one line, what the inputs hold and what is wrong with them.
pub fn inspect_line(inspection: &Inspection) -> String {
    let Inspection {
        pool,
        keys,
        forest,
        fetch_failures,
    } = inspection;
    let mut parts = vec![
        super::count(pool.len(), "certificate", "certificates"),
        super::count(keys.keys.len(), "private key", "private keys"),
        super::count(forest.tops().count(), "top of the tree", "tops of the tree"),
    ];
    let warnings: Vec<String> = pfx_findings(keys)
        .iter()
        .map(|f| f.code.to_string())
        .chain((!fetch_failures.is_empty()).then(|| {
            super::count(
                fetch_failures.len(),
                "address not fetched",
                "addresses not fetched",
            )
        }))
        .collect();
    if !warnings.is_empty() {
        parts.push(format!("warnings: {}", warnings.join(", ")));
    }
    format!("{}.\n", parts.join(", "))
}

/// How each PFX is protected, and whether old Windows can import it.
fn pfx_text(keys: &KeyRing, out: &mut String, width: usize) {
    for p in &keys.protections {
        let _ = writeln!(out, "\n{} {}", paint(BOLD, "PFX protection of"), p.file);
        let list = |schemes: &[crate::load::Scheme]| {
            let mut names: Vec<String> = schemes.iter().map(ToString::to_string).collect();
            names.dedup();
            if names.is_empty() {
                "nothing of this kind".to_owned()
            } else {
                names.join("; ")
            }
        };
        row(
            out,
            "certificates",
            &list(&p.protection.certificates),
            width,
        );
        row(out, "private keys", &list(&p.protection.keys), width);
        row(
            out,
            "MAC",
            &p.protection.mac.as_ref().map_or_else(
                || "none (no integrity check)".to_owned(),
                ToString::to_string,
            ),
            width,
        );
    }
    for f in pfx_findings(keys) {
        let _ = writeln!(
            out,
            "  {} {}",
            paint(YELLOW.bold(), "warning"),
            paint(BOLD, f.code.as_str())
        );
        out.push_str(&wrap(&f.message, "    ", width));
        if let Some(fix) = &f.fix {
            out.push_str(&wrap(&format!("Fix: {fix}"), "    ", width));
        }
    }
}

/// One certificate of `inspect`: its heading and a row per property.
fn certificate_rows(
    out: &mut String,
    id: CertId,
    c: &Certificate,
    keys: &KeyRing,
    allowlist: &Allowlist,
    at: OffsetDateTime,
    width: usize,
) {
    let o = c.origin();
    let heading = format!("[{}] {}", id.index() + 1, c.subject());
    out.push('\n');
    out.push_str(&paint(
        BOLD,
        wrap_hanging(&heading, "", "    ", width).trim_end(),
    ));
    out.push('\n');
    row(out, "from", &format!("{}, {}", o, o.format), width);
    row(out, "issuer", &c.issuer().to_string(), width);
    row(out, "serial", &c.serial().to_string(), width);
    row(out, "SHA-1", &c.sha1().to_string(), width);
    colon_rows(out, &c.sha1().colon(), width);
    row(out, "SHA-256", &c.sha256().to_string(), width);
    colon_rows(out, &c.sha256().colon(), width);
    let none = || paint(YELLOW, "none");
    row(
        out,
        "SKI",
        &c.ski().map_or_else(none, ToString::to_string),
        width,
    );
    row(
        out,
        "AKI",
        &c.aki().map_or_else(none, ToString::to_string),
        width,
    );
    row(out, "key", &c.public_key().algorithm().to_string(), width);
    row(
        out,
        "signature",
        &c.signature_algorithm().to_string(),
        width,
    );
    let (v, _, words) = days_left(c, at);
    let words = match v {
        Validity::Valid => words,
        _ => paint(RED, &words),
    };
    row(
        out,
        "valid",
        &format!(
            "{} to {} ({words})",
            day(c.not_before()),
            day(c.not_after())
        ),
        width,
    );
    row(out, "CA", if c.is_ca() { "yes" } else { "no" }, width);
    if !c.dns_names().is_empty() {
        row(out, "DNS names", &c.dns_names().join(", "), width);
    }
    if let Some(name) = c.friendly_name() {
        row(out, "friendly name", name, width);
    }
    for key in keys_of(c, keys) {
        let provider = key
            .provider()
            .map_or_else(|| "no provider named".to_owned(), ToString::to_string);
        row(
            out,
            "private key",
            &format!("{} in {}; {provider}", key.algorithm(), key.file()),
            width,
        );
    }
    let identity = allowlist.identify(c);
    let m = mark(&identity, allowlist, at);
    let words = match identity {
        Identity::Unlisted => m.words,
        _ if m.accepted => paint(GREEN, &format!("✓ {}", m.words)),
        _ => paint(RED, &format!("✗ {}", m.words)),
    };
    row(out, "allowlist", &words, width);
}

/// The text report of `inspect`.
pub fn inspect_text(
    inspection: &Inspection,
    allowlist: &Allowlist,
    at: OffsetDateTime,
    width: usize,
) -> String {
    let width = width.max(40);
    let Inspection {
        pool,
        keys,
        forest,
        fetch_failures,
    } = inspection;
    let mut out = String::new();
    let summary = format!(
        "{} at {}; allowlist: {}.",
        super::count(pool.len(), "certificate", "certificates"),
        datetime(at),
        allowlist.source()
    );
    out.push_str(&paint(DIM, wrap(&summary, "", width).trim_end()));
    out.push('\n');
    for (id, c) in pool.iter() {
        certificate_rows(&mut out, id, c, keys, allowlist, at, width);
    }
    let orphan_keys: Vec<_> = keys
        .keys
        .iter()
        .filter(|k| pool.iter().all(|(_, c)| k.pairs_with(c).is_none()))
        .collect();
    for key in orphan_keys {
        let text = format!(
            "{} {} in {}, belonging to none of these certificates",
            paint(BOLD, "private key"),
            key.algorithm(),
            key.file()
        );
        out.push('\n');
        out.push_str(&wrap_hanging(&text, "", "  ", width));
    }

    pfx_text(keys, &mut out, width);

    out.push_str("\nIssuer tree:\n");
    let mut shown = vec![false; pool.len()];
    let tops: Vec<CertId> = forest.tops().collect();
    let rest: Vec<CertId> = pool.ids().collect();
    for start in tops.into_iter().chain(rest) {
        if !shown.get(start.index()).copied().unwrap_or(true) {
            let place = Place {
                prefix: "",
                top: true,
                last: true,
                width,
            };
            tree_lines(inspection, start, place, &mut shown, &mut out);
        }
    }
    if !fetch_failures.is_empty() {
        out.push_str(&format!("\n{}\n", paint(YELLOW.bold(), "Not fetched:")));
        for failure in fetch_failures {
            out.push_str(&wrap_hanging(&failure.to_string(), "  ", "    ", width));
        }
    }
    out
}

/// Where a node of the issuer tree goes.
#[derive(Clone, Copy)]
struct Place<'a> {
    /// The lines drawn for the nodes above.
    prefix: &'a str,
    top: bool,
    /// The last child of its parent.
    last: bool,
    width: usize,
}

fn tree_lines(
    inspection: &Inspection,
    id: CertId,
    place: Place<'_>,
    shown: &mut [bool],
    out: &mut String,
) {
    let Inspection { pool, forest, .. } = inspection;
    let Place {
        prefix,
        top,
        last,
        width,
    } = place;
    let c = pool.get(id);
    let note = match forest.link(id) {
        Link::Root(v) if v.is_genuine() => "self-signed".to_owned(),
        Link::Root(Verification::Unsupported(a)) => format!("self-signed ({a}, not checked)"),
        Link::Root(_) => paint(RED, "self-issued, its own signature does not verify"),
        Link::Absent => format!("issuer not in the input: {}", c.issuer().short()),
        Link::Unproven(_) => paint(RED, "signature by the CA above not proven"),
        Link::Issuer(_, Verification::Weak(w)) => format!("signature weak ({w})"),
        Link::Issuer(..) => String::new(),
    };
    let branch = if top {
        ""
    } else if last {
        "└─ "
    } else {
        "├─ "
    };
    let again = shown.get(id.index()).copied().unwrap_or(true);
    let children: Vec<CertId> = if again {
        Vec::new()
    } else {
        forest.children(id).collect()
    };
    let inner = if top {
        prefix.to_owned()
    } else if last {
        format!("{prefix}   ")
    } else {
        format!("{prefix}│  ")
    };
    // Name, [n] thumbprint and note are columns: what does not fit goes under the
    // name, the tree's lines drawn beside it.
    let text = format!(
        "{}  {}{}{}",
        c.subject().short(),
        paint(DIM, &format!("[{}] {}", id.index() + 1, c.sha1())),
        if note.is_empty() {
            String::new()
        } else {
            format!("  {note}")
        },
        if again { "  (shown above)" } else { "" }
    );
    let under = if children.is_empty() { "   " } else { "│  " };
    out.push_str(&wrap_hanging(
        &text,
        &format!("  {prefix}{branch}"),
        &format!("  {inner}{under}"),
        width,
    ));
    if again {
        return;
    }
    if let Some(s) = shown.get_mut(id.index()) {
        *s = true;
    }
    for (i, &child) in children.iter().enumerate() {
        let place = Place {
            prefix: &inner,
            top: false,
            last: i + 1 == children.len(),
            width,
        };
        tree_lines(inspection, child, place, shown, out);
    }
}

/// `mfgcheck inspect --format json`: every certificate and key, and the issuer tree.
#[derive(Serialize, JsonSchema)]
pub struct InspectDocument {
    pub schema_version: u32,
    pub mfgcheck_version: String,
    #[schemars(extend("format" = "date-time"))]
    pub evaluated_at: String,
    pub certificates: Vec<InspectedCertificate>,
    pub private_keys: Vec<InspectedKey>,
    /// "ADDRESS: reason", with --fetch-missing
    pub fetch_failures: Vec<String>,
    pub pfx_files: Vec<PfxFile>,
    /// pfx-modern-encryption warnings
    pub findings: Vec<InspectFinding>,
    /// Indexes of the tops of the issuer tree
    pub roots: Vec<usize>,
    pub allowlist: AllowlistRef,
    /// Only with --connect
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub connections: Vec<Connection>,
}

/// One certificate of the inputs, with what is above it.
#[derive(Serialize, JsonSchema)]
pub struct InspectedCertificate {
    #[serde(flatten)]
    pub certificate: CertificateDoc,
    pub index: usize,
    pub sha1_colon: String,
    pub sha256_colon: String,
    pub validity: Validity,
    /// Negative once expired
    pub days_left: i64,
    pub allowlisted: bool,
    pub authority: Option<Authority>,
    pub impostor_of: Option<String>,
    pub issued_by: IssuedBy,
    pub private_key: Option<KeyFile>,
}

/// What is above a certificate.
#[derive(Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum IssuedBy {
    /// Self-issued, with the check of its own signature.
    SelfSigned { signature: SignatureCheck },
    /// Issued by the certificate of this index.
    InInput {
        index: usize,
        signature: SignatureCheck,
    },
    /// The issuer is not among the inputs.
    Absent,
}

#[derive(Serialize, JsonSchema)]
pub struct KeyFile {
    pub file: String,
}

/// A private key of the inputs.
#[derive(Serialize, JsonSchema)]
pub struct InspectedKey {
    pub file: String,
    pub key: String,
    pub key_bits: Option<usize>,
    pub friendly_name: Option<String>,
    pub provider: Option<ProviderDoc>,
    /// The index of its certificate
    pub certificate: Option<usize>,
}

/// A finding of `inspect` (the PFX warnings).
#[derive(Serialize, JsonSchema)]
pub struct InspectFinding {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    pub fix: Option<String>,
    /// The fix's commands, apart from its words
    pub commands: Vec<String>,
}

fn inspected(
    inspection: &Inspection,
    allowlist: &Allowlist,
    at: OffsetDateTime,
) -> Vec<InspectedCertificate> {
    let Inspection {
        pool, keys, forest, ..
    } = inspection;
    pool.iter()
        .map(|(id, c)| {
            let identity = allowlist.identify(c);
            let listing = Listing::of(&identity, allowlist, at);
            let (validity, days_left, _) = days_left(c, at);
            InspectedCertificate {
                certificate: CertificateDoc::of(c),
                index: id.index() + 1,
                sha1_colon: colon_hex(c.sha1().as_bytes()),
                sha256_colon: colon_hex(c.sha256().as_bytes()),
                validity,
                days_left,
                allowlisted: listing.allowlisted,
                authority: listing.authority,
                impostor_of: listing.impostor_of,
                issued_by: match forest.link(id) {
                    Link::Root(v) => IssuedBy::SelfSigned {
                        signature: SignatureCheck::of(v),
                    },
                    Link::Issuer(p, v) => IssuedBy::InInput {
                        index: p.index() + 1,
                        signature: SignatureCheck::of(v),
                    },
                    Link::Unproven(p) => IssuedBy::InInput {
                        index: p.index() + 1,
                        signature: SignatureCheck::Unproven,
                    },
                    Link::Absent => IssuedBy::Absent,
                },
                private_key: key_of(c, keys).map(|k| KeyFile {
                    file: k.file().to_owned(),
                }),
            }
        })
        .collect()
}

/// The JSON report of `inspect`.
pub fn inspect_json(
    inspection: &Inspection,
    allowlist: &Allowlist,
    at: OffsetDateTime,
) -> InspectDocument {
    let Inspection {
        pool,
        keys,
        forest,
        fetch_failures,
    } = inspection;
    InspectDocument {
        schema_version: JSON_SCHEMA_VERSION,
        mfgcheck_version: env!("CARGO_PKG_VERSION").to_owned(),
        evaluated_at: rfc3339(at),
        certificates: inspected(inspection, allowlist, at),
        private_keys: keys
            .keys
            .iter()
            .map(|k| {
                let algorithm = k.algorithm();
                InspectedKey {
                    file: k.file().to_owned(),
                    key: algorithm.to_string(),
                    key_bits: algorithm.bits(),
                    friendly_name: k.friendly_name().map(str::to_owned),
                    provider: k.provider().map(ProviderDoc::of),
                    certificate: pool
                        .iter()
                        .find(|(_, c)| k.pairs_with(c).is_some())
                        .map(|(id, _)| id.index() + 1),
                }
            })
            .collect(),
        fetch_failures: fetch_failures.clone(),
        pfx_files: keys.protections.iter().map(PfxFile::of).collect(),
        findings: pfx_findings(keys)
            .iter()
            .map(|f| InspectFinding {
                code: f.code,
                severity: f.severity(),
                message: f.message.clone(),
                fix: f.fix.as_deref().map(str::to_owned),
                commands: f.commands.clone(),
            })
            .collect(),
        roots: forest.tops().map(|id| id.index() + 1).collect(),
        allowlist: AllowlistRef::of(allowlist),
        connections: Vec::new(),
    }
}
