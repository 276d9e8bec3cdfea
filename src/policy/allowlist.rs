//! The MFG allowlist: which CAs Microsoft's Federation Gateway accepts as direct
//! issuers, identified by what identifies a CA (name plus key), not by the values
//! Technet printed.
//!
//! The default list (`data/mfg-allowlist.yaml`) is compiled in, so the binary works
//! alone; `--allowlist FILE` replaces it. A custom file is validated as a whole and
//! every problem is reported with its line, since admins edit these by hand.

use std::fmt;

use serde::Deserialize;
use serde_saphyr::Spanned;
use time::{Date, OffsetDateTime};

use crate::chain::Anchors;
use crate::model::date::parse_day;
use crate::model::{
    Certificate, DistinguishedName, KeyId, Serial, Sha1Thumbprint, Sha256Thumbprint, Thumbprint,
};

/// The `source` of the built-in list, in messages and JSON.
pub const EMBEDDED_SOURCE: &str = "embedded allowlist";

/// The allowlist compiled into the binary.
pub const EMBEDDED: &str = include_str!("../../data/mfg-allowlist.yaml");

/// Whether an authority is a root or an intermediate CA (informational).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Root,
    Intermediate,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Root => "root",
            Self::Intermediate => "intermediate",
        })
    }
}

/// Microsoft's position on an authority.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Accepted as a direct issuer.
    Accepted,
    /// Asked for, not known to be granted.
    Requested,
    /// No longer accepted.
    Removed,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Accepted => "accepted",
            Self::Requested => "requested",
            Self::Removed => "removed",
        })
    }
}

/// An authority's position at one moment, its dates applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    Accepted,
    /// Status accepted, but only from this date.
    NotYet(Date),
    /// Status accepted, but only until this date.
    Ended(Date),
    Requested,
    Removed,
}

/// One CA on the list.
#[derive(Clone, Debug)]
pub struct Authority {
    pub name: String,
    pub subject: DistinguishedName,
    pub sha1: Vec<Sha1Thumbprint>,
    pub sha256: Vec<Sha256Thumbprint>,
    /// Serial numbers of the CA's certificates: not an identity (anyone can reuse one),
    /// but what Technet printed once instead of a thumbprint, so worth recognising.
    pub serials: Vec<Serial>,
    pub spki_sha256: Option<Sha256Thumbprint>,
    pub ski: Option<KeyId>,
    pub kind: Option<Kind>,
    pub status: Status,
    pub since: Option<Date>,
    pub until: Option<Date>,
    pub notes: Option<String>,
    /// The value Technet printed for this CA, verbatim, whatever it really is.
    pub published: Option<String>,
    /// Line of the entry in its file.
    pub line: usize,
}

impl Authority {
    /// The authority's standing at `at` (dates compare in UTC; `until` is exclusive).
    pub fn standing(&self, at: OffsetDateTime) -> Standing {
        let today = at.to_offset(time::UtcOffset::UTC).date();
        match self.status {
            Status::Requested => Standing::Requested,
            Status::Removed => Standing::Removed,
            Status::Accepted => match (self.since, self.until) {
                (Some(since), _) if today < since => Standing::NotYet(since),
                (_, Some(until)) if today >= until => Standing::Ended(until),
                _ => Standing::Accepted,
            },
        }
    }

    /// Whether the entry identifies a key at all (and so can tell an impostor).
    pub fn has_identity(&self) -> bool {
        !self.sha1.is_empty()
            || !self.sha256.is_empty()
            || self.spki_sha256.is_some()
            || self.ski.is_some()
    }
}

/// How a certificate was recognised as an authority.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchedBy {
    Sha1,
    Sha256,
    /// Same subject and same public key: any copy of the CA (re-issued, cross-signed).
    SubjectAndKey,
    /// Issuer certificate absent: the leaf's issuer name and Authority Key Identifier.
    IssuerNameAndKeyId,
}

/// What the allowlist says about a certificate (or about an absent issuer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identity {
    /// It is the authority at this index.
    Listed {
        authority: usize,
        by: MatchedBy,
    },
    /// It carries the authority's name but demonstrably another key.
    Impostor {
        authority: usize,
        reason: String,
    },
    /// It carries the authority's name; nothing available confirms or refutes the key.
    NameOnly {
        authority: usize,
    },
    Unlisted,
}

impl Identity {
    /// Which of two non-matching results to report: an impostor says more than a
    /// mere name match, which says more than nothing.
    fn rank(&self) -> u8 {
        match self {
            Self::Unlisted => 0,
            Self::NameOnly { .. } => 1,
            Self::Impostor { .. } => 2,
            Self::Listed { .. } => 3,
        }
    }

    /// The authority index for a confirmed match.
    pub fn listed(&self) -> Option<usize> {
        match self {
            Self::Listed { authority, .. } => Some(*authority),
            _ => None,
        }
    }
}

/// A loaded allowlist.
#[derive(Clone, Debug)]
pub struct Allowlist {
    source: String,
    version: u32,
    authorities: Vec<Authority>,
}

/// One problem in an allowlist file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowlistProblem {
    /// 1-based line, 0 when unknown.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for AllowlistProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "line {}: {}", self.line, self.message)
        } else {
            f.write_str(&self.message)
        }
    }
}

/// An allowlist that cannot be used: every problem found, in file order.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct AllowlistError {
    /// The allowlist's file name, or "embedded allowlist".
    pub file: String,
    pub problems: Vec<AllowlistProblem>,
}

impl fmt::Display for AllowlistError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.file)?;
        match self.problems.as_slice() {
            [] => f.write_str("unusable allowlist"),
            [one] => write!(f, "{one}"),
            [first, rest @ ..] => write!(f, "{first} (and {} more problems)", rest.len()),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    version: Spanned<u32>,
    authorities: Vec<RawAuthority>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn items(&self) -> Vec<&str> {
        match self {
            Self::One(s) => vec![s.as_str()],
            Self::Many(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuthority {
    name: Spanned<String>,
    subject: Spanned<String>,
    #[serde(default)]
    sha1: Option<Spanned<OneOrMany>>,
    #[serde(default)]
    sha256: Option<Spanned<OneOrMany>>,
    #[serde(default)]
    serial: Option<Spanned<OneOrMany>>,
    #[serde(default)]
    spki_sha256: Option<Spanned<String>>,
    #[serde(default)]
    ski: Option<Spanned<String>>,
    #[serde(default)]
    kind: Option<Spanned<String>>,
    status: Spanned<String>,
    #[serde(default)]
    since: Option<Spanned<String>>,
    #[serde(default)]
    until: Option<Spanned<String>>,
    #[serde(default)]
    notes: Option<String>,
    #[serde(default)]
    published: Option<String>,
}

fn line_of<T>(s: &Spanned<T>) -> usize {
    s.referenced.line() as usize
}

/// Collects the problems of one file.
struct Problems(Vec<AllowlistProblem>);

impl Problems {
    fn add(&mut self, line: usize, message: impl Into<String>) {
        self.0.push(AllowlistProblem {
            line,
            message: message.into(),
        });
    }

    fn thumbprints<const N: usize>(
        &mut self,
        field: &str,
        raw: &Option<Spanned<OneOrMany>>,
    ) -> Vec<Thumbprint<N>> {
        let Some(raw) = raw else { return Vec::new() };
        let line = line_of(raw);
        raw.value
            .items()
            .into_iter()
            .filter_map(|text| self.thumbprint(field, text, line))
            .collect()
    }

    fn thumbprint<const N: usize>(
        &mut self,
        field: &str,
        text: &str,
        line: usize,
    ) -> Option<Thumbprint<N>> {
        Thumbprint::<N>::parse(text)
            .map_err(|e| self.add(line, format!("{field}: \"{text}\": {e}")))
            .ok()
    }
}

impl Allowlist {
    /// The list compiled into the binary.
    pub fn embedded() -> Result<Self, AllowlistError> {
        Self::parse(EMBEDDED, EMBEDDED_SOURCE)
    }

    /// Parses and validates an allowlist; `source` names it in messages.
    pub fn parse(text: &str, source: &str) -> Result<Self, AllowlistError> {
        let fail = |problems| AllowlistError {
            file: source.to_owned(),
            problems,
        };
        let raw: RawFile = serde_saphyr::from_str(text).map_err(|e| {
            let (line, message) = crate::load::yaml_error(&e);
            fail(vec![AllowlistProblem { line, message }])
        })?;

        let mut p = Problems(Vec::new());
        if raw.version.value != 1 {
            p.add(
                line_of(&raw.version),
                format!(
                    "version {} is not supported (this mfgcheck reads version 1)",
                    raw.version.value
                ),
            );
        }
        if raw.authorities.is_empty() {
            p.add(0, "the allowlist lists no authorities");
        }
        let mut authorities = Vec::new();
        for a in &raw.authorities {
            let line = line_of(&a.name);
            if a.name.value.trim().is_empty() {
                p.add(line, "name is empty");
            }
            let subject = match DistinguishedName::parse(&a.subject.value) {
                Ok(s) => Some(s),
                Err(e) => {
                    p.add(
                        line_of(&a.subject),
                        format!("subject \"{}\": {e}", a.subject.value),
                    );
                    None
                }
            };
            let sha1 = p.thumbprints::<20>("sha1", &a.sha1);
            let sha256 = p.thumbprints::<32>("sha256", &a.sha256);
            let serials = a.serial.as_ref().map_or_else(Vec::new, |raw| {
                raw.value
                    .items()
                    .into_iter()
                    .filter_map(|text| {
                        Serial::parse(text)
                            .map_err(|e| p.add(line_of(raw), format!("serial: \"{text}\": {e}")))
                            .ok()
                    })
                    .collect()
            });
            let spki_sha256 = a
                .spki_sha256
                .as_ref()
                .and_then(|s| p.thumbprint::<32>("spki_sha256", &s.value, line_of(s)));
            let ski = a.ski.as_ref().and_then(|s| {
                KeyId::parse(&s.value)
                    .map_err(|e| p.add(line_of(s), format!("ski: \"{}\": {e}", s.value)))
                    .ok()
            });
            let kind = a.kind.as_ref().and_then(|k| match k.value.trim() {
                "root" => Some(Kind::Root),
                "intermediate" => Some(Kind::Intermediate),
                other => {
                    p.add(
                        line_of(k),
                        format!("kind \"{other}\": expected root or intermediate"),
                    );
                    None
                }
            });
            let status = match a.status.value.trim() {
                "accepted" => Some(Status::Accepted),
                "requested" => Some(Status::Requested),
                "removed" => Some(Status::Removed),
                other => {
                    p.add(
                        line_of(&a.status),
                        format!("status \"{other}\": expected accepted, requested or removed"),
                    );
                    None
                }
            };
            let mut date = |field: &str, d: &Option<Spanned<String>>| {
                d.as_ref().and_then(|d| {
                    let parsed = parse_day(&d.value);
                    if parsed.is_none() {
                        p.add(
                            line_of(d),
                            format!("{field} \"{}\": expected a date like 2010-11-01", d.value),
                        );
                    }
                    parsed
                })
            };
            let since = date("since", &a.since);
            let until = date("until", &a.until);
            if let (Some(s), Some(u)) = (since, until) {
                if u <= s {
                    p.add(line, format!("until ({u}) is not after since ({s})"));
                }
            }
            if let (Some(subject), Some(status)) = (subject, status) {
                authorities.push(Authority {
                    name: a.name.value.trim().to_owned(),
                    subject,
                    sha1,
                    sha256,
                    serials,
                    spki_sha256,
                    ski,
                    kind,
                    status,
                    since,
                    until,
                    notes: a.notes.clone(),
                    published: a.published.clone(),
                    line,
                });
            }
        }
        check_duplicates(&authorities, &mut p);
        if !p.0.is_empty() {
            p.0.sort_by_key(|x| x.line);
            return Err(fail(p.0));
        }
        Ok(Self {
            source: source.to_owned(),
            version: raw.version.value,
            authorities,
        })
    }

    /// Where the list came from: "embedded allowlist" or the file name.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The source in words for reports: "the built-in Exchange 2010 allowlist" or
    /// "the allowlist FILE".
    pub fn describe_source(&self) -> String {
        if self.source == EMBEDDED_SOURCE {
            "the built-in Exchange 2010 allowlist".to_owned()
        } else {
            format!("the allowlist {}", self.source)
        }
    }

    pub fn version(&self) -> u32 {
        self.version
    }

    pub fn authorities(&self) -> &[Authority] {
        &self.authorities
    }

    /// Authorities whose name, subject or notes contain `text`, ignoring case (and
    /// white space runs), each with the fields that matched.
    pub fn search(&self, text: &str) -> Vec<(usize, Vec<&'static str>)> {
        let fold = |s: &str| {
            s.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        };
        let needle = fold(text);
        if needle.is_empty() {
            return Vec::new();
        }
        self.authorities
            .iter()
            .enumerate()
            .filter_map(|(i, a)| {
                let mut fields = Vec::new();
                if fold(&a.name).contains(&needle) {
                    fields.push("name");
                }
                if fold(&a.subject.to_string()).contains(&needle) {
                    fields.push("subject");
                }
                if a.notes
                    .as_deref()
                    .is_some_and(|n| fold(n).contains(&needle))
                {
                    fields.push("notes");
                }
                (!fields.is_empty()).then_some((i, fields))
            })
            .collect()
    }

    /// The authority called `name`: an exact name (ignoring case) first, else the
    /// only one whose name contains it. `Err` holds the candidates (none, or several).
    pub fn find(&self, name: &str) -> Result<usize, Vec<usize>> {
        let name = name.trim().to_lowercase();
        if let Some(i) = self
            .authorities
            .iter()
            .position(|a| a.name.to_lowercase() == name)
        {
            return Ok(i);
        }
        let partial: Vec<usize> = self
            .authorities
            .iter()
            .enumerate()
            .filter(|(_, a)| !name.is_empty() && a.name.to_lowercase().contains(&name))
            .map(|(i, _)| i)
            .collect();
        match partial.as_slice() {
            [one] => Ok(*one),
            _ => Err(partial),
        }
    }

    /// The authority at `index`, as [`Identity`] and [`Allowlist::search`] hand out:
    /// indexes of this list, always in range.
    #[allow(clippy::indexing_slicing)]
    pub fn authority(&self, index: usize) -> &Authority {
        &self.authorities[index]
    }

    /// Authorities accepted at `at`, for advice on where to buy.
    pub fn accepted_at(&self, at: OffsetDateTime) -> impl Iterator<Item = &Authority> {
        self.authorities
            .iter()
            .filter(move |a| a.standing(at) == Standing::Accepted)
    }

    /// The authority `identity` confirms, if it is accepted at `at`: the one test of
    /// "a CA the MFG takes" shared by path building, the verdict and the reports.
    pub fn accepted_authority(&self, identity: &Identity, at: OffsetDateTime) -> Option<usize> {
        identity
            .listed()
            .filter(|&a| self.authority(a).standing(at) == Standing::Accepted)
    }

    /// Is `cert` one of the authorities? By thumbprint, else by subject and key.
    pub fn identify(&self, cert: &Certificate) -> Identity {
        for (i, a) in self.authorities.iter().enumerate() {
            if a.sha1.contains(cert.sha1()) {
                return Identity::Listed {
                    authority: i,
                    by: MatchedBy::Sha1,
                };
            }
            if a.sha256.contains(cert.sha256()) {
                return Identity::Listed {
                    authority: i,
                    by: MatchedBy::Sha256,
                };
            }
        }
        let mut fallback = Identity::Unlisted;
        for (i, a) in self.authorities.iter().enumerate() {
            if !a.subject.matches_either_order(cert.subject()) {
                continue;
            }
            let spki = cert.public_key().spki_sha256();
            let found = match (&a.spki_sha256, &a.ski, cert.ski()) {
                (Some(listed), _, _) if listed == spki => {
                    return Identity::Listed {
                        authority: i,
                        by: MatchedBy::SubjectAndKey,
                    };
                }
                (Some(listed), _, _) => Identity::Impostor {
                    authority: i,
                    reason: format!(
                        "its public key (SPKI SHA-256 {spki}) is not the listed key ({listed})"
                    ),
                },
                (None, Some(listed), Some(own)) if listed != own => Identity::Impostor {
                    authority: i,
                    reason: format!("its Subject Key Identifier {own} is not the listed {listed}"),
                },
                _ => Identity::NameOnly { authority: i },
            };
            if found.rank() > fallback.rank() {
                fallback = found;
            }
        }
        fallback
    }

    /// Is the (absent) issuer of `cert` one of the authorities? Only the issuer name
    /// and the Authority Key Identifier are available, so the signature is unproven.
    pub fn identify_issuer_of(&self, cert: &Certificate) -> Identity {
        let mut fallback = Identity::Unlisted;
        for (i, a) in self.authorities.iter().enumerate() {
            if !a.subject.matches_either_order(cert.issuer()) {
                continue;
            }
            let found = match (&a.ski, cert.aki()) {
                (Some(listed), Some(aki)) if listed == aki => {
                    return Identity::Listed {
                        authority: i,
                        by: MatchedBy::IssuerNameAndKeyId,
                    };
                }
                (Some(listed), Some(aki)) => Identity::Impostor {
                    authority: i,
                    reason: format!(
                        "the certificate's Authority Key Identifier {aki} is not the listed CA's key identifier {listed}"
                    ),
                },
                _ => Identity::NameOnly { authority: i },
            };
            if found.rank() > fallback.rank() {
                fallback = found;
            }
        }
        fallback
    }
}

fn check_duplicates(authorities: &[Authority], p: &mut Problems) {
    let mut seen: Vec<(String, &str)> = Vec::new();
    for a in authorities {
        let values = a
            .sha1
            .iter()
            .map(|t| format!("sha1 {t}"))
            .chain(a.sha256.iter().map(|t| format!("sha256 {t}")));
        for v in values {
            if let Some((_, other)) = seen.iter().find(|(s, _)| *s == v) {
                p.add(a.line, format!("{v} is already listed for \"{other}\""));
            } else {
                seen.push((v, &a.name));
            }
        }
    }
}

/// The authorities accepted at one moment, as path-building anchors: a path that
/// reaches one of them explains the verdict best (see [`crate::chain::Anchors`]).
///
/// Only authorities *accepted at the evaluation time* count: before an intermediate
/// joined the list, the path that matters is the one through it to a listed root.
pub struct AcceptedAnchors<'a> {
    allowlist: &'a Allowlist,
    at: OffsetDateTime,
}

impl Allowlist {
    /// The anchors for path building at `at`.
    pub fn anchors_at(&self, at: OffsetDateTime) -> AcceptedAnchors<'_> {
        AcceptedAnchors {
            allowlist: self,
            at,
        }
    }
}

impl AcceptedAnchors<'_> {
    fn accepted(&self, identity: Identity) -> bool {
        self.allowlist
            .accepted_authority(&identity, self.at)
            .is_some()
    }
}

impl Anchors for AcceptedAnchors<'_> {
    fn is_anchor(&self, cert: &Certificate) -> bool {
        self.accepted(self.allowlist.identify(cert))
    }
    fn issuer_is_anchor(&self, cert: &Certificate) -> bool {
        self.accepted(self.allowlist.identify_issuer_of(cert))
    }
}
