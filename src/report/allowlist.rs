//! `allowlist`: the list in use, one authority, a search, or a lint result.

use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::Serialize;
use time::OffsetDateTime;

use super::document::JSON_SCHEMA_VERSION;

use super::style::{BOLD, DIM, GREEN, RED, YELLOW, labelled, paint, wrap, wrap_hanging};
use crate::policy::allowlist::KnownCertificate;
use crate::policy::allowlist::{Kind, Status};
use crate::policy::{Allowlist, AllowlistError, Authority, Issuance, Standing};

/// Whether `a` is recommended at `at` ([`Allowlist::recommended_at`]), and its standing
/// in words: what `allowlist list` and the page's Accepted CAs view show.
fn standing_words(a: &Authority, at: OffsetDateTime) -> (bool, String) {
    let words = standing_text(a, at);
    (a.can_issue_at(at), words)
}

fn standing_text(a: &Authority, at: OffsetDateTime) -> String {
    match a.standing(at) {
        Standing::Accepted if !a.has_identity() => {
            "accepted, but no identity is published: unconfirmed".to_owned()
        }
        Standing::Accepted if a.valid_at(at) == Some(false) => match a.last_valid() {
            Some(last) => format!(
                "accepted, but every known certificate expired by {}: it cannot issue",
                super::day(last)
            ),
            None => "accepted, but no known certificate is valid then: it cannot issue".to_owned(),
        },
        Standing::Accepted => "accepted".to_owned(),
        Standing::NotYet(d) => format!("accepted only from {d}"),
        Standing::Ended(d) => format!("accepted only until {d}"),
        Standing::Requested => "requested, not confirmed".to_owned(),
        Standing::Removed => "removed".to_owned(),
    }
}

/// One authority as a block of labelled lines; `notes` adds the notes, wrapped.
fn block(out: &mut String, a: &Authority, at: OffsetDateTime, notes: bool, width: usize) {
    let (ok, words) = standing_words(a, at);
    let mark = if ok {
        paint(GREEN, "✓")
    } else {
        paint(RED, "✗")
    };
    let kind = a.kind.map_or(String::new(), |k| format!("{k}, "));
    // Name and (standing) are columns: a narrow screen puts the second under the first.
    let title = format!("{mark} {}  ({kind}{words})", paint(BOLD, &a.name));
    out.push_str(&wrap_hanging(&title, "", "    ", width));
    let row = |out: &mut String, label: &str, value: &str| {
        out.push_str(&labelled(4, label, 9, value, width));
    };
    row(out, "subject", &a.subject.to_string());
    // Thumbprints of known certificates are shown with their certificate.
    let known = |f: &dyn Fn(&KnownCertificate) -> bool| a.certificates.iter().any(f);
    for t in a
        .sha1
        .iter()
        .filter(|t| !known(&|c| c.sha1.as_ref() == Some(*t)))
    {
        row(out, "SHA-1", &t.to_string());
    }
    for t in a
        .sha256
        .iter()
        .filter(|t| !known(&|c| c.sha256.as_ref() == Some(*t)))
    {
        row(out, "SHA-256", &t.to_string());
    }
    for s in a
        .serials
        .iter()
        .filter(|s| !known(&|c| c.serial.as_ref() == Some(*s)))
    {
        row(out, "serial", &s.to_string());
    }
    for c in &a.certificates {
        let state = match c.valid_at(at) {
            Some(true) => paint(GREEN, "valid"),
            Some(false) => paint(RED, "not valid"),
            None => paint(YELLOW, "validity unknown"),
        };
        // The certificate's dates, then its identity a step in: a SHA-256 thumbprint
        // fits 80 columns there.
        let dates = format!("{} ({state} at {})", c.validity_words(), super::day(at));
        row(out, "cert", &dates);
        let sub = |out: &mut String, label: &str, value: &str| {
            out.push_str(&labelled(6, label, 7, value, width));
        };
        if let Some(t) = &c.sha1 {
            sub(out, "SHA-1", &t.to_string());
        }
        if let Some(t) = &c.sha256 {
            sub(out, "SHA-256", &t.to_string());
        }
        if let Some(s) = &c.serial {
            sub(out, "serial", &s.to_string());
        }
        if let Some(n) = &c.note {
            out.push_str(&wrap(n, &" ".repeat(6), width));
        }
    }
    if let Some(k) = &a.spki_sha256 {
        row(out, "SPKI", &k.to_string());
    }
    if let Some(k) = &a.ski {
        row(out, "SKI", &k.to_string());
    }
    if let Some(d) = a.since {
        row(out, "since", &d.to_string());
    }
    if let Some(d) = a.until {
        row(out, "until", &d.to_string());
    }
    if !a.has_identity() {
        row(out, "identity", &paint(YELLOW, "none published"));
    }
    if let Some(p) = &a.published {
        row(out, "Technet", &format!("\"{p}\""));
    }
    if let Some(source) = &a.source {
        row(out, "source", source);
    }
    if notes {
        if let Some(n) = &a.notes {
            out.push_str(&wrap(n, "    ", width));
        }
    }
}

fn header(allowlist: &Allowlist, at: OffsetDateTime, width: usize) -> String {
    let source = allowlist.describe_source();
    let rule = match allowlist.issuance() {
        Issuance::Direct => "the certificate must be issued directly by one of them",
        Issuance::Chain => "roots: the certificate's chain must end at one of them",
    };
    let text = format!(
        "{} in {source}, standing at {}; {rule}.",
        super::count(allowlist.authorities().len(), "authority", "authorities"),
        super::day(at)
    );
    paint(DIM, wrap(&text, "", width).trim_end())
}

/// `allowlist list` (all) or `allowlist search` (`hits`), as text.
pub fn allowlist_text(
    allowlist: &Allowlist,
    hits: Option<&[(usize, Vec<&'static str>)]>,
    at: OffsetDateTime,
    width: usize,
) -> String {
    let mut out = header(allowlist, at, width);
    out.push('\n');
    let all: Vec<(usize, Vec<&'static str>)> = (0..allowlist.authorities().len())
        .map(|i| (i, Vec::new()))
        .collect();
    let shown = hits.unwrap_or(&all);
    if shown.is_empty() {
        out.push_str("\nNo authority matches.\n");
    }
    for (i, fields) in shown {
        out.push('\n');
        block(&mut out, allowlist.authority(*i), at, hits.is_some(), width);
        if !fields.is_empty() {
            let _ = writeln!(
                out,
                "    {}",
                paint(DIM, &format!("(matched in {})", fields.join(", ")))
            );
        }
    }
    out
}

/// `allowlist show NAME` as text: everything, notes included.
pub fn authority_text(
    allowlist: &Allowlist,
    index: usize,
    at: OffsetDateTime,
    width: usize,
) -> String {
    let mut out = String::new();
    block(&mut out, allowlist.authority(index), at, true, width);
    out
}

/// `mfgcheck allowlist list|show|search --format json`.
#[derive(Serialize, JsonSchema)]
pub struct AllowlistDocument {
    pub schema_version: u32,
    pub source: String,
    pub version: u32,
    pub issuance: Issuance,
    #[schemars(extend("format" = "date-time"))]
    pub evaluated_at: String,
    pub authorities: Vec<ListedAuthority>,
}

/// One authority of the list, as the list says it and as it stands at the evaluation time.
#[derive(Serialize, JsonSchema)]
pub struct ListedAuthority {
    pub name: String,
    pub subject: String,
    pub kind: Option<Kind>,
    pub status: Status,
    pub standing: StandingWord,
    /// As allowlist list says it: "accepted, but ... unconfirmed"
    pub standing_words: String,
    pub since: Option<String>,
    pub until: Option<String>,
    pub sha1: Vec<String>,
    pub sha256: Vec<String>,
    pub serials: Vec<String>,
    pub spki_sha256: Option<String>,
    pub ski: Option<String>,
    pub has_identity: bool,
    pub valid_at_evaluation_time: Option<bool>,
    pub can_issue_at_evaluation_time: bool,
    pub certificates: Vec<ListedCertificate>,
    pub source: Option<String>,
    pub published: Option<String>,
    pub notes: Option<String>,
    /// The line of the allowlist file it starts on
    pub line: usize,
}

/// Where an authority stands at the evaluation time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum StandingWord {
    Accepted,
    /// Accepted only from a later date.
    NotYet,
    /// Accepted only until an earlier date.
    Ended,
    Requested,
    Removed,
}

impl StandingWord {
    fn of(a: &Authority, at: OffsetDateTime) -> Self {
        match a.standing(at) {
            Standing::Accepted => Self::Accepted,
            Standing::NotYet(_) => Self::NotYet,
            Standing::Ended(_) => Self::Ended,
            Standing::Requested => Self::Requested,
            Standing::Removed => Self::Removed,
        }
    }
}

/// A certificate the list knows for an authority.
#[derive(Serialize, JsonSchema)]
#[serde(rename = "KnownCertificate")]
pub struct ListedCertificate {
    pub sha1: Option<String>,
    pub sha256: Option<String>,
    pub serial: Option<String>,
    #[schemars(extend("format" = "date-time"))]
    pub not_before: Option<String>,
    #[schemars(extend("format" = "date-time"))]
    pub not_after: Option<String>,
    /// Null when the list gives no dates for it
    pub valid_at_evaluation_time: Option<bool>,
    pub note: Option<String>,
}

fn listed(a: &Authority, at: OffsetDateTime) -> ListedAuthority {
    ListedAuthority {
        name: a.name.clone(),
        subject: a.subject.to_string(),
        kind: a.kind,
        status: a.status,
        standing: StandingWord::of(a, at),
        standing_words: standing_text(a, at),
        since: a.since.map(|d| d.to_string()),
        until: a.until.map(|d| d.to_string()),
        sha1: a.sha1.iter().map(ToString::to_string).collect(),
        sha256: a.sha256.iter().map(ToString::to_string).collect(),
        serials: a.serials.iter().map(ToString::to_string).collect(),
        spki_sha256: a.spki_sha256.map(|k| k.to_string()),
        ski: a.ski.as_ref().map(ToString::to_string),
        has_identity: a.has_identity(),
        valid_at_evaluation_time: a.valid_at(at),
        can_issue_at_evaluation_time: a.can_issue_at(at),
        certificates: a
            .certificates
            .iter()
            .map(|c: &KnownCertificate| ListedCertificate {
                sha1: c.sha1.map(|t| t.to_string()),
                sha256: c.sha256.map(|t| t.to_string()),
                serial: c.serial.as_ref().map(ToString::to_string),
                not_before: c.not_before.map(super::rfc3339),
                not_after: c.not_after.map(super::rfc3339),
                valid_at_evaluation_time: c.valid_at(at),
                note: c.note.clone(),
            })
            .collect(),
        source: a.source.clone(),
        published: a.published.clone(),
        notes: a.notes.clone(),
        line: a.line,
    }
}

/// `list`, `search` and `show` as JSON.
pub fn allowlist_json(
    allowlist: &Allowlist,
    indexes: &[usize],
    at: OffsetDateTime,
) -> AllowlistDocument {
    AllowlistDocument {
        schema_version: JSON_SCHEMA_VERSION,
        source: allowlist.source().to_owned(),
        version: allowlist.version(),
        issuance: allowlist.issuance(),
        evaluated_at: super::rfc3339(at),
        authorities: indexes
            .iter()
            .map(|&i| listed(allowlist.authority(i), at))
            .collect(),
    }
}

/// `allowlist lint FILE`, as text and JSON.
pub fn lint_text(file: &str, result: &Result<Allowlist, AllowlistError>) -> String {
    match result {
        Ok(list) => format!(
            "{file}: {} ({})\n",
            paint(GREEN, "OK"),
            super::count(list.authorities().len(), "authority", "authorities")
        ),
        Err(e) => {
            let mut out = String::new();
            for p in &e.problems {
                let _ = writeln!(out, "{file}:{}: {}", p.line, p.message);
            }
            let n = e.problems.len();
            let _ = writeln!(
                out,
                "{}",
                paint(RED, &super::count(n, "problem", "problems"))
            );
            out
        }
    }
}

/// `mfgcheck allowlist lint FILE --format json`.
#[derive(Serialize, JsonSchema)]
pub struct LintDocument {
    pub schema_version: u32,
    pub file: String,
    pub ok: bool,
    pub problems: Vec<LintProblem>,
    /// Null when the file is not valid
    pub authorities: Option<usize>,
}

#[derive(Serialize, JsonSchema)]
pub struct LintProblem {
    pub line: usize,
    pub message: String,
}

pub fn lint_json(file: &str, result: &Result<Allowlist, AllowlistError>) -> LintDocument {
    let (ok, problems, authorities) = match result {
        Ok(list) => (true, Vec::new(), Some(list.authorities().len())),
        Err(e) => (
            false,
            e.problems
                .iter()
                .map(|p| LintProblem {
                    line: p.line,
                    message: p.message.clone(),
                })
                .collect(),
            None,
        ),
    };
    LintDocument {
        schema_version: JSON_SCHEMA_VERSION,
        file: file.to_owned(),
        ok,
        problems,
        authorities,
    }
}
