//! Reading an allowlist file: every problem of the file at once, each with its line
//! (unknown and misspelt keys, missing ones, values that do not parse, duplicates).

use std::fmt;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_saphyr::Spanned;
use time::{Date, OffsetDateTime};

use super::{
    Allowlist, AllowlistError, AllowlistProblem, Authority, Issuance, Kind, KnownCertificate, Memo,
    Status,
};
use crate::model::date::{parse_day, parse_moment};
use crate::model::{
    Certificate, DistinguishedName, KeyId, PublicKey, Serial, Sha1Thumbprint, Sha256Thumbprint,
    Thumbprint,
};

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
    /// [`Allowlist::parse`]; `shape` false skips the pass that reports unknown and
    /// missing keys, for the built-in lists, which a test lints in full (each YAML pass
    /// costs about half a millisecond of every run).
    pub(super) fn parse_with(
        text: &str,
        source: &str,
        shape: bool,
    ) -> Result<Self, AllowlistError> {
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
            supply: Default::default(),
            identities: Memo::default(),
        })
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
