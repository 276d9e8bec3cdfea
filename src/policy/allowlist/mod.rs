//! The MFG allowlist: which CAs Microsoft's Federation Gateway accepts as direct
//! issuers, identified by what identifies a CA (name plus key), not by the values
//! Technet printed.
//!
//! The default list (`data/mfg-allowlist.yaml`) is compiled in, so the binary works
//! alone; `--allowlist FILE` replaces it. A custom file is validated as a whole and
//! every problem is reported with its line, since admins edit these by hand.

mod file;
mod identify;
mod supply;

use std::fmt;
use std::sync::{Mutex, MutexGuard};

use time::{Date, OffsetDateTime};

use crate::load::FastMap;
use crate::model::date::format_day;
use crate::model::{
    Certificate, DistinguishedName, KeyId, PublicKey, Serial, Sha1Thumbprint, Sha256Thumbprint,
};

/// The `source` of the built-in list, in messages and JSON.
pub const EMBEDDED_SOURCE: &str = "embedded allowlist";

/// The allowlist compiled into the binary: the Exchange 2010 RTM list.
pub const EMBEDDED: &str = include_str!("../../../data/mfg-allowlist.yaml");

/// The later list (Exchange 2010 SP2/SP3 and 2013), for `--profile exchange2010-sp2`.
pub const EMBEDDED_SP2: &str = include_str!("../../../data/mfg-allowlist-sp2.yaml");

/// The `source` of the built-in later list.
pub const EMBEDDED_SP2_SOURCE: &str = "embedded allowlist (exchange2010-sp2)";

/// What "accepted" asks of the path: the RTM gateway took only certificates issued
/// directly by a listed CA; the later list names roots to chain to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Issuance {
    /// The leaf's direct issuer must be listed (the Exchange 2010 RTM rule).
    #[default]
    Direct,
    /// A listed CA anywhere above the leaf will do (the later list's roots).
    Chain,
}

/// Whether an authority is a root or an intermediate CA (informational).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
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

/// One known certificate of an authority, with its validity. A CA outlives its
/// certificates: they expire and are re-issued (same name, same key), so the dates say
/// when the CA could issue at all, and which copy the gateway can still hold.
#[derive(Clone, Debug)]
pub struct KnownCertificate {
    pub sha1: Option<Sha1Thumbprint>,
    pub sha256: Option<Sha256Thumbprint>,
    pub serial: Option<Serial>,
    /// `None` when not published.
    pub not_before: Option<OffsetDateTime>,
    /// `None` when not published; for a copy whose dates were never published (the
    /// Entrust-signed USERTrust Legacy certificate) its issuer's expiry bounds it.
    pub not_after: Option<OffsetDateTime>,
    /// What this copy is ("original", "re-issued", "cross-signed by ...").
    pub note: Option<String>,
    /// Line of the entry in its file.
    pub line: usize,
}

impl KnownCertificate {
    /// Valid at `at` (both ends inclusive, as RFC 5280 has it); `None` when unknown.
    pub fn valid_at(&self, at: OffsetDateTime) -> Option<bool> {
        let outside = self.not_after.is_some_and(|to| at > to)
            || self.not_before.is_some_and(|from| at < from);
        match (self.not_before, self.not_after) {
            _ if outside => Some(false),
            (Some(_), Some(_)) => Some(true),
            _ => None,
        }
    }

    /// Whether `cert` is this certificate (by thumbprint).
    pub fn is(&self, cert: &Certificate) -> bool {
        self.sha1.as_ref() == Some(cert.sha1()) || self.sha256.as_ref() == Some(cert.sha256())
    }

    /// `2006-11-16 to 2026-11-16`, `? to 2019-05-25`, or `dates unknown`.
    pub fn validity_words(&self) -> String {
        match (self.not_before, self.not_after) {
            (None, None) => "dates unknown".to_owned(),
            (from, to) => format!(
                "{} to {}",
                from.map_or_else(|| "?".to_owned(), format_day),
                to.map_or_else(|| "?".to_owned(), format_day)
            ),
        }
    }
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
    /// The CA's public key itself, when the list carries it: a certificate issued by
    /// this CA is then verified even when the CA's certificate is not supplied.
    pub key: Option<PublicKey>,
    /// Where the key was taken from.
    pub key_source: Option<String>,
    pub ski: Option<KeyId>,
    pub kind: Option<Kind>,
    /// Set when the CA joined the list later, on a date not published: what is known
    /// of when (`issuer-added-later`).
    pub added: Option<String>,
    pub status: Status,
    pub since: Option<Date>,
    pub until: Option<Date>,
    pub notes: Option<String>,
    /// The value Technet printed for this CA, verbatim, whatever it really is.
    pub published: Option<String>,
    /// The CA's certificates known to the list, with their validity (their
    /// thumbprints and serials are also in `sha1`, `sha256` and `serials`).
    pub certificates: Vec<KnownCertificate>,
    /// Where the entry comes from (a document, a support case).
    pub source: Option<String>,
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

    /// Whether any known certificate is valid at `at`: `None` when the list cannot
    /// tell (no certificates recorded, as in a hand-written list, or a copy whose
    /// dates are unknown and none known to be valid).
    pub fn valid_at(&self, at: OffsetDateTime) -> Option<bool> {
        let known: Vec<Option<bool>> = self.certificates.iter().map(|c| c.valid_at(at)).collect();
        if known.contains(&Some(true)) {
            Some(true)
        } else if known.is_empty() || known.contains(&None) {
            None
        } else {
            Some(false)
        }
    }

    /// The last moment any known certificate is valid; `None` when the list cannot
    /// tell (no certificates recorded, or one whose dates are unknown).
    pub fn last_valid(&self) -> Option<OffsetDateTime> {
        let ends: Option<Vec<OffsetDateTime>> =
            self.certificates.iter().map(|c| c.not_after).collect();
        ends?.into_iter().max()
    }

    /// Whether a certificate issued at `at` by this CA is worth recommending: accepted
    /// then, its identity confirmed (so a certificate from it can be told from an
    /// impostor), and not known to be expired.
    pub fn can_issue_at(&self, at: OffsetDateTime) -> bool {
        self.standing(at) == Standing::Accepted
            && self.has_identity()
            && self.valid_at(at) != Some(false)
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum MatchedBy {
    Sha1,
    Sha256,
    /// Same subject and same public key: any copy of the CA (re-issued, cross-signed).
    SubjectAndKey,
    /// Issuer certificate absent: the leaf's issuer name and Authority Key Identifier.
    IssuerNameAndKeyId,
    /// Issuer certificate absent: the certificate's signature verified with the key the
    /// allowlist lists for a CA of the issuer's name.
    ListedKey,
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
    /// It carries the authority's name and another key, and the authority's listed key
    /// signed it: a key rollover of the CA. Not an impostor, but its new key is not on
    /// the list. Only the path can show this, so only the assessment assigns it.
    NewKey {
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
            Self::NameOnly { .. } | Self::NewKey { .. } => 1,
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

/// Where a certificate the MFG accepts can come from on a day ([`Allowlist::supply`]):
/// only CAs that can issue then (accepted, identity confirmed, a known certificate still
/// valid), and plain words when those are all roots, from which no public CA issues
/// server certificates.
#[derive(Debug)]
pub struct Supply {
    pub text: String,
    /// No CA can be recommended: the self-signed route is the practical one, and the
    /// text already says so.
    pub self_signed_only: bool,
}

/// A loaded allowlist.
#[derive(Clone, Debug)]
pub struct Allowlist {
    source: String,
    version: u32,
    issuance: Issuance,
    authorities: Vec<Authority>,
    /// The advice on where to buy, for the last date asked.
    /// [`Allowlist::supply`] for the last date asked: a scan asks it for every rejected
    /// bundle, on one date, and the text lists every accepted CA.
    supply: Memo<Option<(OffsetDateTime, std::sync::Arc<Supply>)>>,
    /// What [`Allowlist::identify`] said of CA certificates met before, by the
    /// certificate's SHA-256: a scan asks about the same intermediates and roots for
    /// every bundle, and each answer walks the whole list. An identity depends on the
    /// certificate alone (the list never changes once built), so a kept answer is the
    /// answer.
    identities: Memo<FastMap<Sha256Thumbprint, Identity>>,
}

/// How many CA certificates' identities an allowlist keeps.
const IDENTITIES: usize = 1 << 14;

/// Answers an allowlist keeps for reuse, never part of what it says: a copy of the
/// allowlist starts with nothing kept, and `Debug` does not list them.
#[derive(Default)]
pub(super) struct Memo<T>(Mutex<T>);

impl<T> Memo<T> {
    /// What is kept, unless a thread panicked while changing it.
    pub(super) fn lock(&self) -> Option<MutexGuard<'_, T>> {
        self.0.lock().ok()
    }
}

impl<T: Default> Clone for Memo<T> {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl<T> fmt::Debug for Memo<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Memo")
    }
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

impl Allowlist {
    /// The list compiled into the binary.
    pub fn embedded() -> Result<Self, AllowlistError> {
        Self::parse_with(EMBEDDED, EMBEDDED_SOURCE, false)
    }

    /// The built-in list of a profile: the RTM list for `exchange2010`, the later list
    /// for `exchange2010-sp2`.
    pub fn embedded_for(profile: super::verdict::Profile) -> Result<Self, AllowlistError> {
        match profile {
            super::verdict::Profile::Exchange2010 => Self::embedded(),
            super::verdict::Profile::Exchange2010Sp2 => {
                Self::parse_with(EMBEDDED_SP2, EMBEDDED_SP2_SOURCE, false)
            }
        }
    }

    /// What "accepted" asks of the path.
    pub fn issuance(&self) -> Issuance {
        self.issuance
    }

    /// Parses and validates an allowlist; `source` names it in messages. Every problem
    /// of the file is collected before giving up, since admins edit these by hand.
    pub fn parse(text: &str, source: &str) -> Result<Self, AllowlistError> {
        Self::parse_with(text, source, true)
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
        } else if self.source == EMBEDDED_SP2_SOURCE {
            "the built-in Exchange 2010 SP2 and 2013 allowlist".to_owned()
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
    /// The CAs worth recommending at `at`: accepted then, identity confirmed, and not
    /// known to be expired ([`Authority::can_issue_at`]). The one answer to "where can a
    /// certificate the MFG accepts come from", which the check's advice, triage,
    /// `allowlist list` and the page all give.
    pub fn recommended_at(&self, at: OffsetDateTime) -> impl Iterator<Item = &Authority> {
        self.authorities.iter().filter(move |a| a.can_issue_at(at))
    }

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

    /// Another known certificate of the listed CA `cert` is a copy of, with the same
    /// key, not known to be expired at `at` (validity unknown counts as valid, as
    /// elsewhere): the gateway holds that copy, so `cert`'s own dates do not decide.
    /// Only with the listed key: without it, another thumbprint may be another key.
    pub fn current_copy(
        &self,
        cert: &Certificate,
        at: OffsetDateTime,
    ) -> Option<(&Authority, &KnownCertificate)> {
        let auth = self.authority(self.identify(cert).listed()?);
        if auth.spki_sha256.as_ref() != Some(cert.public_key().spki_sha256()) {
            return None;
        }
        auth.certificates
            .iter()
            .find(|k| !k.is(cert) && k.valid_at(at) != Some(false))
            .map(|k| (auth, k))
    }
}
