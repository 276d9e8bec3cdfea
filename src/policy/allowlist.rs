//! The MFG allowlist: which CAs Microsoft's Federation Gateway accepts as direct
//! issuers, identified by what identifies a CA (name plus key), not by the values
//! Technet printed.
//!
//! The default list (`data/mfg-allowlist.yaml`) is compiled in, so the binary works
//! alone; `--allowlist FILE` replaces it. A custom file is validated as a whole and
//! every problem is reported with its line, since admins edit these by hand.

use std::fmt;
use std::sync::{Mutex, MutexGuard};

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_saphyr::Spanned;
use time::{Date, OffsetDateTime};

use crate::chain::Anchors;
use crate::load::FastMap;
use crate::model::date::{format_day, parse_day, parse_moment};
use crate::model::{
    Certificate, DistinguishedName, KeyId, PublicKey, Serial, Sha1Thumbprint, Sha256Thumbprint,
    Thumbprint,
};

/// The `source` of the built-in list, in messages and JSON.
pub const EMBEDDED_SOURCE: &str = "embedded allowlist";

/// The allowlist compiled into the binary: the Exchange 2010 RTM list.
pub const EMBEDDED: &str = include_str!("../../data/mfg-allowlist.yaml");

/// The later list (Exchange 2010 SP2/SP3 and 2013), for `--profile exchange2010-sp2`.
pub const EMBEDDED_SP2: &str = include_str!("../../data/mfg-allowlist-sp2.yaml");

/// The `source` of the built-in later list.
pub const EMBEDDED_SP2_SOURCE: &str = "embedded allowlist (exchange2010-sp2)";

/// What "accepted" asks of the path: the RTM gateway took only certificates issued
/// directly by a listed CA; the later list names roots to chain to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Issuance {
    /// The leaf's direct issuer must be listed (the Exchange 2010 RTM rule).
    #[default]
    Direct,
    /// A listed CA anywhere above the leaf will do (the later list's roots).
    Chain,
}

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
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
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

/// A loaded allowlist.
#[derive(Clone, Debug)]
pub struct Allowlist {
    source: String,
    version: u32,
    issuance: Issuance,
    authorities: Vec<Authority>,
    /// The advice on where to buy, for the last date asked.
    advice: super::advice::SourceMemo,
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

#[derive(Deserialize)]
struct RawFile {
    #[serde(default)]
    version: Option<Spanned<u32>>,
    #[serde(default)]
    issuance: Option<Spanned<String>>,
    #[serde(default)]
    authorities: Option<Vec<RawAuthority>>,
}

/// The keys of one mapping, each with its line.
struct Keys(Vec<(String, usize)>);

/// Which key of a mapping holds something deeper to look at, and what.
trait Nest {
    /// The key whose value is read as `Inner` (the others are skipped).
    const KEY: &'static str;
    type Inner: for<'de> Deserialize<'de> + Default;
}

/// A mapping's keys with their lines, and the value of its `N::KEY`: one visitor for
/// the file, its entries and their certificates.
struct Shaped<N: Nest> {
    keys: Keys,
    inner: N::Inner,
}

impl<'de, N: Nest> Deserialize<'de> for Shaped<N> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor<N>(std::marker::PhantomData<N>);
        impl<'de, N: Nest> serde::de::Visitor<'de> for Visitor<N> {
            type Value = Shaped<N>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Shaped<N>, A::Error> {
                let mut keys = Vec::new();
                let mut inner = N::Inner::default();
                while let Some(key) = map.next_key::<Spanned<String>>()? {
                    let line = line_of(&key);
                    if key.value == N::KEY {
                        inner = map.next_value()?;
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                    keys.push((key.value, line));
                }
                Ok(Shaped {
                    keys: Keys(keys),
                    inner,
                })
            }
        }
        d.deserialize_map(Visitor(std::marker::PhantomData))
    }
}

/// A known certificate: keys only.
struct Leaf;
impl Nest for Leaf {
    const KEY: &'static str = "";
    type Inner = ();
}

/// An entry: its keys, and the keys of each of its known certificates.
struct Entry;
impl Nest for Entry {
    const KEY: &'static str = "certificates";
    type Inner = Vec<Spanned<Shaped<Leaf>>>;
}

/// The file: its top-level keys, and each entry's. Read in a first pass so that unknown
/// and missing keys of every entry are reported together (serde stops at the first).
struct File;
impl Nest for File {
    const KEY: &'static str = "authorities";
    type Inner = Option<Vec<Spanned<Shaped<Entry>>>>;
}

const TOP_KEYS: &[&str] = &["version", "issuance", "authorities"];
const AUTHORITY_KEYS: &[&str] = &[
    "name",
    "subject",
    "sha1",
    "sha256",
    "serial",
    "spki_sha256",
    "ski",
    "kind",
    "status",
    "since",
    "until",
    "notes",
    "published",
    "certificates",
    "source",
    "spki",
    "spki_source",
    "added",
];
const AUTHORITY_REQUIRED: &[&str] = &["name", "subject", "status"];
const CERTIFICATE_KEYS: &[&str] = &[
    "sha1",
    "sha256",
    "serial",
    "not_before",
    "not_after",
    "note",
];
const CERTIFICATE_REQUIRED: &[&str] = &[];

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

/// Every field optional: missing and unknown keys are found by the key pass.
#[derive(Deserialize)]
struct RawAuthority {
    #[serde(default)]
    name: Option<Spanned<String>>,
    #[serde(default)]
    subject: Option<Spanned<String>>,
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
    #[serde(default)]
    status: Option<Spanned<String>>,
    #[serde(default)]
    since: Option<Spanned<String>>,
    #[serde(default)]
    until: Option<Spanned<String>>,
    #[serde(default)]
    notes: Option<String>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    certificates: Vec<Spanned<RawCertificate>>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    spki: Option<Spanned<String>>,
    #[serde(default)]
    spki_source: Option<String>,
    #[serde(default)]
    added: Option<String>,
}

#[derive(Deserialize)]
struct RawCertificate {
    #[serde(default)]
    sha1: Option<Spanned<String>>,
    #[serde(default)]
    sha256: Option<Spanned<String>>,
    #[serde(default)]
    serial: Option<Spanned<String>>,
    #[serde(default)]
    not_before: Option<Spanned<String>>,
    #[serde(default)]
    not_after: Option<Spanned<String>>,
    #[serde(default)]
    note: Option<String>,
}

fn line_of<T>(s: &Spanned<T>) -> usize {
    s.referenced.line() as usize
}

/// Collects the problems of one file.
struct Problems(Vec<AllowlistProblem>);

impl Problems {
    /// Unknown keys (with their own line), and required keys that are missing (with
    /// the mapping's line), of one mapping.
    fn keys(&mut self, line: usize, what: &str, found: &Keys, known: &[&str], required: &[&str]) {
        for (key, key_line) in found.0.iter().filter(|(k, _)| !known.contains(&k.as_str())) {
            let hint = known
                .iter()
                .find(|k| similar(k, key))
                .map_or_else(String::new, |k| format!("; did you mean {k}?"));
            self.add(*key_line, format!("{what}: unknown key \"{key}\"{hint}"));
        }
        for key in required
            .iter()
            .filter(|k| !found.0.iter().any(|(f, _)| f == *k))
        {
            self.add(line, format!("{what}: missing key \"{key}\""));
        }
    }

    fn date(&mut self, field: &str, d: &Option<Spanned<String>>) -> Option<Date> {
        let d = d.as_ref()?;
        let parsed = parse_day(&d.value);
        if parsed.is_none() {
            self.add(
                line_of(d),
                format!("{field} \"{}\": expected a date like 2010-11-01", d.value),
            );
        }
        parsed
    }

    fn moment(&mut self, field: &str, d: &Option<Spanned<String>>) -> Option<OffsetDateTime> {
        let d = d.as_ref()?;
        let parsed = parse_moment(&d.value);
        if parsed.is_none() {
            self.add(
                line_of(d),
                format!(
                    "{field} \"{}\": expected a date like 2019-12-24 or 2019-12-24T17:50:51Z",
                    d.value
                ),
            );
        }
        parsed
    }

    fn list<T>(
        &mut self,
        field: &str,
        raw: &Option<Spanned<OneOrMany>>,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Vec<T> {
        let Some(raw) = raw else { return Vec::new() };
        let line = line_of(raw);
        raw.value
            .items()
            .into_iter()
            .filter_map(|text| {
                parse(text)
                    .map_err(|e| self.add(line, format!("{field}: \"{text}\": {e}")))
                    .ok()
            })
            .collect()
    }

    fn one<T>(
        &mut self,
        field: &str,
        raw: &Option<Spanned<String>>,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        let raw = raw.as_ref()?;
        parse(&raw.value)
            .map_err(|e| self.add(line_of(raw), format!("{field}: \"{}\": {e}", raw.value)))
            .ok()
    }

    /// One of a few words: `status "maybe": expected accepted, requested or removed`.
    fn word<T>(
        &mut self,
        field: &str,
        raw: &Option<Spanned<String>>,
        expected: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let raw = raw.as_ref()?;
        let value = raw.value.trim();
        let parsed = parse(value);
        if parsed.is_none() {
            self.add(
                line_of(raw),
                format!("{field} \"{value}\": expected {expected}"),
            );
        }
        parsed
    }

    /// One known certificate; `None` (with its problems noted) when unusable.
    fn certificate(&mut self, raw: &Spanned<RawCertificate>) -> Option<KnownCertificate> {
        let line = line_of(raw);
        let c = &raw.value;
        let sha1 = self.one("sha1", &c.sha1, parse_sha1);
        let sha256 = self.one("sha256", &c.sha256, parse_sha256);
        let serial = self.one("serial", &c.serial, parse_serial);
        let not_before = self.moment("not_before", &c.not_before);
        let not_after = self.moment("not_after", &c.not_after);
        if c.sha1.is_none() && c.sha256.is_none() && c.note.is_none() {
            self.add(line, "certificate: give its sha1 or sha256 thumbprint, or a note saying why there is none");
            return None;
        }
        if (c.not_before.is_some() && not_before.is_none())
            || (c.not_after.is_some() && not_after.is_none())
        {
            return None;
        }
        if let (Some(from), Some(to)) = (not_before, not_after) {
            if to <= from {
                self.add(line, "certificate: not_after is not after not_before");
                return None;
            }
        }
        Some(KnownCertificate {
            sha1,
            sha256,
            serial,
            not_before,
            not_after,
            note: c.note.clone(),
            line,
        })
    }

    /// One entry; `None` (with its problems noted) when it cannot be used at all.
    fn authority(&mut self, a: &RawAuthority, entry_line: usize) -> Option<Authority> {
        let line = a.name.as_ref().map_or(entry_line, line_of);
        let name = a.name.as_ref().map(|n| n.value.trim().to_owned());
        if name.as_deref() == Some("") {
            self.add(line, "name is empty");
        }
        let subject = a.subject.as_ref().and_then(|raw| {
            DistinguishedName::parse(&raw.value)
                .map_err(|e| self.add(line_of(raw), format!("subject \"{}\": {e}", raw.value)))
                .ok()
        });
        let mut sha1 = self.list("sha1", &a.sha1, parse_sha1);
        let mut sha256 = self.list("sha256", &a.sha256, parse_sha256);
        let mut serials = self.list("serial", &a.serial, parse_serial);
        let mut spki_sha256 = self.one("spki_sha256", &a.spki_sha256, parse_sha256);
        let key = self.one("spki", &a.spki, parse_key);
        if let (Some(key), Some(raw)) = (&key, &a.spki) {
            match spki_sha256 {
                Some(listed) if listed != *key.spki_sha256() => self.add(
                    line_of(raw),
                    format!(
                        "spki: the key's SHA-256 is {}, not the spki_sha256 {listed} of this entry",
                        key.spki_sha256()
                    ),
                ),
                Some(_) => {}
                None => spki_sha256 = Some(*key.spki_sha256()),
            }
        }
        let ski = self.one("ski", &a.ski, |t| {
            KeyId::parse(t).map_err(|e| e.to_string())
        });
        let kind = self.word("kind", &a.kind, "root or intermediate", |k| match k {
            "root" => Some(Kind::Root),
            "intermediate" => Some(Kind::Intermediate),
            _ => None,
        });
        let status = self.word(
            "status",
            &a.status,
            "accepted, requested or removed",
            |k| match k {
                "accepted" => Some(Status::Accepted),
                "requested" => Some(Status::Requested),
                "removed" => Some(Status::Removed),
                _ => None,
            },
        );
        let since = self.date("since", &a.since);
        let until = self.date("until", &a.until);
        if let (Some(s), Some(u)) = (since, until) {
            if u <= s {
                self.add(line, format!("until ({u}) is not after since ({s})"));
            }
        }
        let certificates: Vec<KnownCertificate> = a
            .certificates
            .iter()
            .filter_map(|c| self.certificate(c))
            .collect();
        // A known certificate's thumbprints identify the CA like the entry's own.
        for c in &certificates {
            if let Some(t) = c.sha1.filter(|t| !sha1.contains(t)) {
                sha1.push(t);
            }
            if let Some(t) = c.sha256.filter(|t| !sha256.contains(t)) {
                sha256.push(t);
            }
            if let Some(s) = c.serial.clone().filter(|s| !serials.contains(s)) {
                serials.push(s);
            }
        }
        Some(Authority {
            name: name?,
            subject: subject?,
            sha1,
            sha256,
            serials,
            spki_sha256,
            key,
            key_source: a.spki_source.clone(),
            ski,
            kind,
            added: a.added.clone(),
            status: status?,
            since,
            until,
            notes: a.notes.clone(),
            published: a.published.clone(),
            certificates,
            source: a.source.clone(),
            line,
        })
    }

    fn add(&mut self, line: usize, message: impl Into<String>) {
        self.0.push(AllowlistProblem {
            line,
            message: message.into(),
        });
    }
}

/// The value parsers of [`Problems::one`] and [`Problems::list`], with errors in words.
fn parse_sha1(text: &str) -> Result<Sha1Thumbprint, String> {
    Thumbprint::parse(text).map_err(|e| e.to_string())
}

/// A CA's key as an allowlist gives it: the SubjectPublicKeyInfo DER in base64, or a
/// PEM `PUBLIC KEY` or `CERTIFICATE` (whose key is taken).
fn parse_key(text: &str) -> Result<PublicKey, String> {
    let text = text.trim();
    if text.contains("-----BEGIN CERTIFICATE-----") {
        let loaded =
            crate::load::load("spki", text.as_bytes(), None).map_err(|e| e.problem.to_string())?;
        let [raw] = <[_; 1]>::try_from(loaded.certificates)
            .map_err(|all| format!("expected one certificate, found {}", all.len()))?;
        let cert = Certificate::from_raw(raw).map_err(|e| e.reason)?;
        return Ok(cert.public_key().clone());
    }
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .flat_map(|l| l.chars())
        .filter(|c| !c.is_whitespace())
        .collect();
    let der = data_encoding::BASE64
        .decode(body.as_bytes())
        .map_err(|e| format!("not base64 ({e})"))?;
    PublicKey::from_spki_der(&der)
}

fn parse_sha256(text: &str) -> Result<Sha256Thumbprint, String> {
    Thumbprint::parse(text).map_err(|e| e.to_string())
}

fn parse_serial(text: &str) -> Result<Serial, String> {
    Serial::parse(text).map_err(|e| e.to_string())
}

/// A key that looks like a misspelling of `known`: at most two edits away.
fn similar(known: &str, key: &str) -> bool {
    let b: Vec<char> = key.chars().collect();
    // Levenshtein distance, one row at a time; keys are a few characters long.
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in known.chars().enumerate() {
        let mut diagonal = row.first().copied().unwrap_or(0);
        let mut left = i + 1;
        let mut next = vec![left];
        for (j, cb) in b.iter().enumerate() {
            let up = row.get(j + 1).copied().unwrap_or(usize::MAX);
            let cost = usize::from(ca != *cb);
            left = (diagonal + cost).min(up + 1).min(left + 1);
            next.push(left);
            diagonal = up;
        }
        row = next;
    }
    row.last().is_some_and(|&d| d <= 2)
}

impl Allowlist {
    pub(super) fn advice_memo(&self) -> &super::advice::SourceMemo {
        &self.advice
    }

    /// The list compiled into the binary.
    pub fn embedded() -> Result<Self, AllowlistError> {
        Self::parse_with(EMBEDDED, EMBEDDED_SOURCE, false)
    }

    /// The built-in list of a profile: the RTM list for `exchange2010`, the later list
    /// for `exchange2010-sp2`.
    pub fn embedded_for(profile: crate::policy::Profile) -> Result<Self, AllowlistError> {
        match profile {
            crate::policy::Profile::Exchange2010 => Self::embedded(),
            crate::policy::Profile::Exchange2010Sp2 => {
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

    /// [`Allowlist::parse`]; `shape` false skips the pass that reports unknown and
    /// missing keys, for the built-in lists, which a test lints in full (each YAML pass
    /// costs about half a millisecond of every run).
    fn parse_with(text: &str, source: &str, shape: bool) -> Result<Self, AllowlistError> {
        let fail = |problems| AllowlistError {
            file: source.to_owned(),
            problems,
        };
        let yaml = |e: serde_saphyr::Error| {
            let (line, message) = crate::load::yaml_error(text, &e);
            fail(vec![AllowlistProblem { line, message }])
        };
        let mut p = Problems(Vec::new());
        // First the shape: which keys each entry has.
        let shape: Shaped<File> = if shape {
            serde_saphyr::from_str(text).map_err(yaml)?
        } else {
            Shaped {
                keys: Keys(Vec::new()),
                inner: None,
            }
        };
        let entries = shape.inner.unwrap_or_default();
        for (key, line) in shape
            .keys
            .0
            .iter()
            .filter(|(k, _)| !TOP_KEYS.contains(&k.as_str()))
        {
            p.add(
                *line,
                format!("unknown key \"{key}\" (expected version, issuance and authorities)"),
            );
        }
        for entry in &entries {
            p.keys(
                line_of(entry),
                "entry",
                &entry.value.keys,
                AUTHORITY_KEYS,
                AUTHORITY_REQUIRED,
            );
            for cert in &entry.value.inner {
                p.keys(
                    line_of(cert),
                    "certificate",
                    &cert.value.keys,
                    CERTIFICATE_KEYS,
                    CERTIFICATE_REQUIRED,
                );
            }
        }
        // Then the values.
        let raw: RawFile = serde_saphyr::from_str(text).map_err(yaml)?;
        let version = match &raw.version {
            Some(v) if v.value == 1 => 1,
            Some(v) => {
                p.add(
                    line_of(v),
                    format!(
                        "version {} is not supported (this mfgcheck reads version 1)",
                        v.value
                    ),
                );
                v.value
            }
            None => {
                p.add(0, "missing key \"version\" (write version: 1)");
                1
            }
        };
        let issuance = p
            .word("issuance", &raw.issuance, "direct or chain", |w| match w {
                "direct" => Some(Issuance::Direct),
                "chain" => Some(Issuance::Chain),
                _ => None,
            })
            .unwrap_or_default();
        let raw_authorities = raw.authorities.unwrap_or_default();
        if raw_authorities.is_empty() {
            p.add(0, "the allowlist lists no authorities");
        }
        let authorities: Vec<Authority> = raw_authorities
            .iter()
            .zip(entries.iter().map(line_of).chain(std::iter::repeat(0)))
            .filter_map(|(a, line)| p.authority(a, line))
            .collect();
        check_duplicates(&authorities, &mut p);
        if !p.0.is_empty() {
            p.0.sort_by_key(|x| x.line);
            p.0.dedup();
            return Err(fail(p.0));
        }
        Ok(Self {
            source: source.to_owned(),
            version,
            issuance,
            authorities,
            advice: Default::default(),
            identities: Memo::default(),
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

    /// Is `cert` one of the authorities? By thumbprint, else by subject and key.
    /// A CA certificate's answer is kept (end-entity certificates come once each).
    pub fn identify(&self, cert: &Certificate) -> Identity {
        if !cert.is_ca() {
            return self.identify_anew(cert);
        }
        if let Some(kept) = self
            .identities
            .lock()
            .and_then(|m| m.get(cert.sha256()).cloned())
        {
            return kept;
        }
        let identity = self.identify_anew(cert);
        if let Some(mut kept) = self.identities.lock() {
            if kept.len() < IDENTITIES {
                kept.insert(*cert.sha256(), identity.clone());
            }
        }
        identity
    }

    fn identify_anew(&self, cert: &Certificate) -> Identity {
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

    /// The authority whose listed key `cert`'s signature is to be checked with when
    /// its issuer is absent: one named like the issuer and carrying its key, the one
    /// whose key identifier is the AKI first.
    pub fn keyed_issuer_of(&self, cert: &Certificate) -> Option<usize> {
        let named = || {
            self.authorities
                .iter()
                .enumerate()
                .filter(|(_, a)| a.key.is_some() && a.subject.matches_either_order(cert.issuer()))
        };
        named()
            .find(|(_, a)| a.ski.is_some() && a.ski.as_ref() == cert.aki())
            .or_else(|| named().next())
            .map(|(i, _)| i)
    }

    /// [`Allowlist::identify_issuer_of`], after `cert`'s signature was checked with
    /// the listed key of [`Allowlist::keyed_issuer_of`] (`listed_key`): a genuine
    /// signature identifies the issuer whatever the AKI says.
    pub fn identify_issuer_checked(
        &self,
        cert: &Certificate,
        listed_key: Option<&crate::chain::Verification>,
    ) -> Identity {
        match (listed_key, self.keyed_issuer_of(cert)) {
            (Some(v), Some(authority)) if v.is_genuine() => Identity::Listed {
                authority,
                by: MatchedBy::ListedKey,
            },
            (Some(crate::chain::Verification::Invalid), Some(authority)) => Identity::Impostor {
                authority,
                reason: "the certificate's signature does not verify with the listed key"
                    .to_owned(),
            },
            _ => self.identify_issuer_of(cert),
        }
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
    fn outdated_copy(&self, cert: &Certificate) -> bool {
        self.allowlist.current_copy(cert, self.at).is_some()
    }
    fn issuer_key(&self, cert: &Certificate) -> Option<&PublicKey> {
        let authority = self.allowlist.keyed_issuer_of(cert)?;
        self.allowlist.authority(authority).key.as_ref()
    }
}
