//! `thumbprint`: what each pasted value is, in words (text) and fields (JSON).

use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::Serialize;

use super::document::{AllowlistRef, JSON_SCHEMA_VERSION};

use super::style::{BOLD, DIM, GREEN, RED, YELLOW, paint};
use crate::chain::Pool;
use crate::model::hex::{HexError, invisible_name};
use crate::policy::allowlist::Status;
use crate::policy::{Allowlist, Field, Lookup, ValueKind};

/// The certificates a value was compared with (`--file`), if any were given.
pub struct Compared<'a> {
    pub pool: &'a Pool,
    pub files: &'a [String],
}

fn kind_words(l: &Lookup) -> String {
    let n = l.bytes.len();
    match l.kind {
        ValueKind::Sha1 => {
            format!("{n} bytes: the length of a SHA-1 thumbprint (the kind Exchange uses)")
        }
        ValueKind::Sha256 => format!("{n} bytes: the length of a SHA-256 thumbprint"),
        ValueKind::SerialOrMd5 => {
            format!("{n} bytes: looks like a serial number or MD5, not a thumbprint")
        }
        ValueKind::OtherLength => {
            format!("{n} bytes: not a thumbprint (SHA-1 is 20 bytes, SHA-256 32)")
        }
        ValueKind::Invalid => "not a hex value".to_owned(),
    }
}

/// Whether `l` is a usable thumbprint and, with files, the thumbprint of one of their
/// end-entity certificates (a CA's thumbprint is not the one New-FederationTrust takes).
pub fn lookup_ok(l: &Lookup, compared: Option<&Compared<'_>>) -> bool {
    l.kind.is_thumbprint()
        && compared.is_none_or(|c| {
            c.pool
                .iter()
                .any(|(_, cert)| !cert.is_ca() && is_thumbprint_of(l, cert))
        })
}

fn is_thumbprint_of(l: &Lookup, cert: &crate::model::Certificate) -> bool {
    l.fields_of(cert)
        .iter()
        .any(|f| matches!(f, Field::Sha1 | Field::Sha256))
}

/// Said when a value is a CA's thumbprint (listed, or a CA certificate of the files).
const CA_THUMBPRINT: &str = "this is a CA's thumbprint: New-FederationTrust -Thumbprint needs the thumbprint of your own federation certificate (the end-entity certificate issued to you, as Get-ExchangeCertificate lists it), not the CA's";

/// Whether the value is the thumbprint of a CA: listed, or a CA certificate of the files.
fn is_ca_thumbprint(l: &Lookup, compared: Option<&Compared<'_>>) -> bool {
    l.is_listed_ca_thumbprint()
        || compared.is_some_and(|c| {
            c.pool
                .iter()
                .any(|(_, cert)| cert.is_ca() && is_thumbprint_of(l, cert))
        })
}

/// The text report: one block per value.
pub fn lookup_text(
    lookups: &[Lookup],
    allowlist: &Allowlist,
    compared: Option<&Compared<'_>>,
) -> String {
    let mut out = String::new();
    for (i, l) in lookups.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(out, "{}", paint(BOLD, &format!("\"{}\"", l.input.trim())));
        let Some(normalized) = &l.normalized else {
            not_hex(&mut out, l, allowlist);
            continue;
        };
        what_it_is(&mut out, l, normalized, allowlist);
        against_files(&mut out, l, compared);
    }
    out
}

/// A value that is not hex: why, and what Technet published under it.
fn not_hex(out: &mut String, l: &Lookup, allowlist: &Allowlist) {
    let why = l
        .error
        .as_ref()
        .map_or_else(String::new, ToString::to_string);
    let _ = writeln!(out, "  {}", paint(RED, &format!("not a hex value: {why}")));
    if matches!(l.error, Some(HexError::BadChar { ch: '?', .. })) {
        let _ = writeln!(
            out,
            "  {}",
            paint(
                YELLOW,
                "a '?' is usually an invisible character (the certificate dialog's left-to-right mark) that Windows PowerShell turned into '?' when piping: delete it, or pass the value as an argument"
            )
        );
    }
    for &(a, _) in &l.matches {
        let _ = writeln!(
            out,
            "  the value Technet published for {}: no thumbprint",
            allowlist.authority(a).name
        );
    }
}

/// A hex value: its forms, its kind, what was removed, and which listed CA it is.
fn what_it_is(out: &mut String, l: &Lookup, normalized: &str, allowlist: &Allowlist) {
    let _ = writeln!(out, "  {normalized}");
    if let Some(colon) = l.colon() {
        let _ = writeln!(out, "  {}", paint(DIM, &colon));
    }
    let words = kind_words(l);
    let _ = writeln!(
        out,
        "  {}",
        if l.kind.is_thumbprint() {
            words
        } else {
            paint(YELLOW, &words)
        }
    );
    for r in &l.removed {
        let _ = writeln!(
            out,
            "  {}",
            paint(
                YELLOW,
                &format!(
                    "removed U+{:04X} {} at position {}: invisible when pasted, and New-FederationTrust -Thumbprint fails on it",
                    u32::from(r.ch),
                    invisible_name(r.ch),
                    r.position
                )
            )
        );
    }
    if l.matches.is_empty() {
        let _ = writeln!(out, "  not in the allowlist ({})", allowlist.source());
    }
    let mut seen: Vec<usize> = Vec::new();
    for &(a, field) in &l.matches {
        let authority = allowlist.authority(a);
        if field == Field::Published {
            let real = authority.sha1.first().map_or_else(String::new, |t| {
                format!("; its real SHA-1 thumbprint is {t}")
            });
            let what = if l.only_published(a) {
                paint(
                    RED,
                    &format!(
                        "the value Technet published for {}, but it matches no known certificate of that CA{real}",
                        authority.name
                    ),
                )
            } else {
                format!("also the value Technet published for {}", authority.name)
            };
            let _ = writeln!(out, "  {what}");
            continue;
        }
        let kind = authority.kind.map_or(String::new(), |k| format!(", {k}"));
        let status = format!("{}{kind}", authority.status);
        let mut line = format!("the {} of {} ({status})", field.words(), authority.name);
        if matches!(field, Field::Serial | Field::Ski | Field::SpkiSha256) && !seen.contains(&a) {
            if let Some(t) = authority.sha1.first() {
                let _ = write!(line, "; its SHA-1 thumbprint is {t}");
            }
        }
        seen.push(a);
        let _ = writeln!(out, "  {}", paint(GREEN, &line));
    }
}

/// What the value is among the certificates given beside it (`--compare`).
fn against_files(out: &mut String, l: &Lookup, compared: Option<&Compared<'_>>) {
    if is_ca_thumbprint(l, compared) {
        let _ = writeln!(out, "  {}", paint(YELLOW, CA_THUMBPRINT));
        if let Some(c) = compared {
            for (_, cert) in c.pool.iter().filter(|(_, cert)| !cert.is_ca()) {
                let _ = writeln!(
                    out,
                    "  {}",
                    format_args!(
                        "the end-entity certificate in your files is {} ({}): its thumbprint is {}",
                        cert.subject().short(),
                        cert.origin(),
                        cert.sha1()
                    )
                );
            }
        }
    }
    if let Some(c) = compared {
        let hits: Vec<String> = c
            .pool
            .iter()
            .filter_map(|(_, cert)| {
                let fields = l.fields_of(cert);
                (!fields.is_empty()).then(|| {
                    let names: Vec<&str> = fields.iter().map(|f| f.words()).collect();
                    format!(
                        "is the {} of {} ({})",
                        names.join(" and "),
                        cert.subject().short(),
                        cert.origin()
                    )
                })
            })
            .collect();
        if hits.is_empty() {
            let _ = writeln!(
                out,
                "  {}",
                paint(
                    RED,
                    &format!(
                        "is not any certificate in {}: it is not the certificate you have",
                        c.files.join(", ")
                    )
                )
            );
        }
        for h in hits {
            let _ = writeln!(out, "  {}", paint(GREEN, &h));
        }
    }
}

/// `mfgcheck thumbprint --format json` (and the page's thumbprint answer).
#[derive(Serialize, JsonSchema)]
pub struct ThumbprintDocument {
    pub schema_version: u32,
    pub mfgcheck_version: String,
    pub values: Vec<LookedUp>,
    pub allowlist: AllowlistRef,
    /// Serve only: lines past the first 1,000 (each read to 512 characters)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left_out: Option<usize>,
}

/// One value, what it is, and what it equals.
#[derive(Serialize, JsonSchema)]
#[serde(rename = "Value")]
pub struct LookedUp {
    pub input: String,
    pub normalized: Option<String>,
    pub colon: Option<String>,
    pub bytes: usize,
    pub kind: ValueKind,
    pub error: Option<String>,
    pub removed: Vec<RemovedChar>,
    pub matches: Vec<Match>,
    pub ca_thumbprint: bool,
    /// Null without --file
    pub certificates: Option<Vec<FileCertificate>>,
    pub ok: bool,
}

/// An invisible character taken out of the value.
#[derive(Serialize, JsonSchema)]
#[serde(rename = "Removed")]
pub struct RemovedChar {
    /// U+200E
    pub char: String,
    pub name: String,
    pub position: usize,
}

/// A listed authority the value belongs to.
#[derive(Serialize, JsonSchema)]
pub struct Match {
    pub name: String,
    pub field: Field,
    pub status: Status,
    pub only_published: bool,
}

/// A certificate of `--file` the value belongs to.
#[derive(Serialize, JsonSchema)]
pub struct FileCertificate {
    pub subject: String,
    pub sha1: String,
    pub is_ca: bool,
    pub fields: Vec<Field>,
    pub file: String,
    pub index: usize,
}

fn looked_up(l: &Lookup, allowlist: &Allowlist, compared: Option<&Compared<'_>>) -> LookedUp {
    let matches = l
        .matches
        .iter()
        .map(|&(a, field)| {
            let authority = allowlist.authority(a);
            Match {
                name: authority.name.clone(),
                field,
                status: authority.status,
                only_published: field == Field::Published && l.only_published(a),
            }
        })
        .collect();
    let certificates = compared.map(|c| {
        c.pool
            .iter()
            .filter_map(|(_, cert)| {
                let fields = l.fields_of(cert);
                (!fields.is_empty()).then(|| FileCertificate {
                    subject: cert.subject().to_string(),
                    sha1: cert.sha1().to_string(),
                    is_ca: cert.is_ca(),
                    fields,
                    file: cert.origin().file.to_string(),
                    index: cert.origin().index + 1,
                })
            })
            .collect()
    });
    LookedUp {
        input: l.input.clone(),
        normalized: l.normalized.clone(),
        colon: l.colon(),
        bytes: l.bytes.len(),
        kind: l.kind,
        error: l.error.as_ref().map(ToString::to_string),
        removed: l
            .removed
            .iter()
            .map(|r| RemovedChar {
                char: format!("U+{:04X}", u32::from(r.ch)),
                name: invisible_name(r.ch).to_owned(),
                position: r.position,
            })
            .collect(),
        matches,
        ca_thumbprint: is_ca_thumbprint(l, compared),
        certificates,
        ok: lookup_ok(l, compared),
    }
}

/// The JSON report, one object per value.
pub fn lookup_json(
    lookups: &[Lookup],
    allowlist: &Allowlist,
    compared: Option<&Compared<'_>>,
) -> ThumbprintDocument {
    ThumbprintDocument {
        schema_version: JSON_SCHEMA_VERSION,
        mfgcheck_version: env!("CARGO_PKG_VERSION").to_owned(),
        values: lookups
            .iter()
            .map(|l| looked_up(l, allowlist, compared))
            .collect(),
        allowlist: AllowlistRef::of(allowlist),
        left_out: None,
    }
}
