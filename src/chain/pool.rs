//! The bag of certificates from every input, merged and indexed for issuer lookup.

use std::fmt;

use crate::load::{FastMap, Origin};
use crate::model::hex::clean_hex;
use crate::model::{
    Certificate, NameKey, PrivateKey, Serial, Sha1Thumbprint, Sha256Thumbprint, Thumbprint,
};

/// Certificates by a name of theirs, for issuer lookup: (hash of the name key, id),
/// sorted. A bundle holds a handful of certificates; one sorted vector is one
/// allocation where a map of vectors is one per name, plus a copy of each name.
#[derive(Debug, Default)]
struct NameIndex(Vec<(u64, CertId)>);

impl NameIndex {
    fn push(&mut self, key: &NameKey, id: CertId) {
        self.0.push((key.hash_value(), id));
    }

    fn seal(&mut self) {
        self.0.sort_unstable();
    }

    /// The ids filed under `key`'s hash, in input order; names that merely share
    /// the hash are for the caller to tell apart.
    fn get(&self, key: &NameKey) -> impl Iterator<Item = CertId> + '_ {
        let hash = key.hash_value();
        let start = self.0.partition_point(|(h, _)| *h < hash);
        self.0
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(move |(h, _)| *h == hash)
            .map(|(_, id)| *id)
    }
}

/// Index of a certificate in its [`Pool`]. Only a pool hands these out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CertId(usize);

impl CertId {
    pub fn index(self) -> usize {
        self.0
    }

    /// Only the chain module makes ids, from indexes its pool handed out.
    pub(super) fn from_index(index: usize) -> Self {
        Self(index)
    }
}

/// A certificate supplied more than once: where the extra copy was.
#[derive(Clone, Debug)]
pub struct Duplicate {
    pub kept: CertId,
    pub origin: Origin,
}

/// All certificates of one check, each once, in input order; then the extra CA
/// certificates (a scan's `--chain-dir`) that may complete a path but are not part of
/// the bundle: never the leaf, never "unused", never duplicates.
#[derive(Debug)]
pub struct Pool {
    certs: Vec<Certificate>,
    /// Certificates before this index are the bundle's own.
    own: usize,
    duplicates: Vec<Duplicate>,
    by_subject: NameIndex,
    by_issuer: NameIndex,
}

impl Pool {
    /// Builds the pool, merging byte-identical certificates (by SHA-256) and
    /// remembering the copies so they can be reported.
    pub fn new(certs: impl IntoIterator<Item = Certificate>) -> Self {
        Self::with_extras(certs, &[])
    }

    /// [`Pool::new`] plus `extras`, which only serve as issuers. An extra that is
    /// also in the bundle is the bundle's copy.
    pub fn with_extras<'a>(
        certs: impl IntoIterator<Item = Certificate>,
        extras: impl IntoIterator<Item = &'a Certificate>,
    ) -> Self {
        let mut pool = Self {
            certs: Vec::new(),
            own: 0,
            duplicates: Vec::new(),
            by_subject: NameIndex::default(),
            by_issuer: NameIndex::default(),
        };
        let mut seen: FastMap<Sha256Thumbprint, CertId> = FastMap::default();
        for cert in certs {
            if let Some(&kept) = seen.get(cert.sha256()) {
                pool.duplicates.push(Duplicate {
                    kept,
                    origin: cert.origin().clone(),
                });
                continue;
            }
            pool.add(cert, &mut seen);
        }
        pool.own = pool.certs.len();
        for cert in extras {
            if !seen.contains_key(cert.sha256()) {
                pool.add(cert.clone(), &mut seen);
            }
        }
        pool.by_subject.seal();
        pool.by_issuer.seal();
        pool
    }

    fn add(&mut self, cert: Certificate, seen: &mut FastMap<Sha256Thumbprint, CertId>) {
        let id = CertId(self.certs.len());
        seen.insert(*cert.sha256(), id);
        self.by_subject.push(cert.subject().key(), id);
        self.by_issuer.push(cert.issuer().key(), id);
        self.certs.push(cert);
    }

    /// The bundle's own certificates (not the extras).
    pub fn own_ids(&self) -> impl Iterator<Item = CertId> + '_ {
        (0..self.own).map(CertId)
    }

    /// Whether `id` is one of the extra issuer certificates, not the bundle's.
    pub fn is_extra(&self, id: CertId) -> bool {
        id.0 >= self.own
    }

    /// The certificate `id` names. Ids come only from this pool's own methods, so
    /// the index is always in range.
    #[allow(clippy::indexing_slicing)]
    pub fn get(&self, id: CertId) -> &Certificate {
        &self.certs[id.0]
    }

    pub fn len(&self) -> usize {
        self.certs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }

    pub fn ids(&self) -> impl Iterator<Item = CertId> + '_ {
        (0..self.certs.len()).map(CertId)
    }

    pub fn iter(&self) -> impl Iterator<Item = (CertId, &Certificate)> + '_ {
        self.certs.iter().enumerate().map(|(i, c)| (CertId(i), c))
    }

    pub fn duplicates(&self) -> &[Duplicate] {
        &self.duplicates
    }

    /// Certificates whose subject matches `cert`'s issuer name (RFC 5280 comparison).
    pub fn named_issuers<'a>(&'a self, cert: &'a Certificate) -> impl Iterator<Item = CertId> + 'a {
        let wanted = cert.issuer().key();
        self.by_subject
            .get(wanted)
            .filter(move |&id| self.get(id).subject().key() == wanted)
    }

    /// Finds a certificate by thumbprint or serial number. Twenty bytes are a SHA-1
    /// thumbprint first, and a serial number only when no thumbprint matches.
    pub fn find(&self, selector: &LeafSelector) -> Option<CertId> {
        let by_serial = |serial: &[u8]| {
            self.own_ids()
                .find(|&id| self.get(id).serial().trimmed() == serial)
        };
        match selector {
            LeafSelector::Sha1(t) => self
                .own_ids()
                .find(|&id| self.get(id).sha1() == t)
                .or_else(|| by_serial(Serial::new(t.as_bytes().to_vec()).trimmed())),
            LeafSelector::Sha256(t) => self.own_ids().find(|&id| self.get(id).sha256() == t),
            LeafSelector::Serial(s) => by_serial(s.trimmed()),
        }
    }

    /// Whether `id` plausibly issued another certificate of the pool (by name and
    /// key identifiers; no signature check, this only ranks leaf candidates).
    fn issued_another(&self, id: CertId) -> bool {
        let issuer = self.get(id);
        let name = issuer.subject().key();
        self.by_issuer.get(name).any(|c| {
            c != id && self.get(c).issuer().key() == name && self.get(c).key_ids_compatible(issuer)
        })
    }

    /// The one certificate that some key in `keys` belongs to; `None` when no key
    /// pairs with a certificate, or keys pair with several.
    pub fn key_holder(&self, keys: &[PrivateKey]) -> Option<CertId> {
        let mut holders = self
            .own_ids()
            .filter(|&id| keys.iter().any(|k| k.pairs_with(self.get(id)).is_some()));
        let first = holders.next()?;
        holders.next().is_none().then_some(first)
    }

    /// Picks the certificate to check: the one `selector` names; else the end-entity
    /// certificate that issued nothing. A pool of CA certificates only has no leaf.
    pub fn select_leaf(&self, selector: Option<&LeafSelector>) -> Result<CertId, LeafError> {
        if let Some(sel) = selector {
            return self.find(sel).ok_or_else(|| LeafError::NotFound {
                wanted: sel.to_string(),
                available: self.describe(self.own_ids()),
            });
        }
        // A vendor's CA bundle (gd_bundle.crt) checked by mistake: no certificate in it
        // is one New-FederationTrust could use, and "the certificate checked" would be
        // a CA's. Say so rather than judge a CA.
        if self.own_ids().all(|id| self.get(id).is_ca_like()) {
            return Err(LeafError::OnlyCaCertificates {
                available: self
                    .own_ids()
                    .map(|id| {
                        let c = self.get(id);
                        (
                            c.sha1().to_string(),
                            format!("{} from {}", c.subject(), c.origin()),
                        )
                    })
                    .collect(),
            });
        }
        // A CA certificate is passed over before the index is asked what it issued.
        let mut end_entities: Vec<CertId> = self
            .own_ids()
            .filter(|&id| !self.get(id).is_ca() && !self.issued_another(id))
            .collect();
        // A self-issued certificate without basicConstraints is a root of the old
        // forms (v1 VeriSign, the 1999 Entrust.net (2048)) whenever the input holds a
        // certificate that is not self-issued: a roots file beside a leaf and its CA
        // must not make the leaf ambiguous. Alone (the Exchange wizard's self-signed
        // certificate), it stays the leaf.
        let root_like = |id: &CertId| {
            let c = self.get(*id);
            c.is_self_issued() && !c.has_basic_constraints()
        };
        if end_entities.iter().any(|id| !root_like(id)) {
            end_entities.retain(|id| !root_like(id));
        }
        match end_entities.as_slice() {
            [one] => Ok(*one),
            [] => Err(LeafError::NoCandidate {
                available: self.describe(self.own_ids()),
            }),
            many => Err(LeafError::Ambiguous {
                candidates: self.describe(many.iter().copied()),
            }),
        }
    }

    fn describe(&self, ids: impl Iterator<Item = CertId>) -> Vec<(String, String)> {
        ids.map(|id| {
            let c = self.get(id);
            (c.sha1().to_string(), c.subject().to_string())
        })
        .collect()
    }
}

/// How the user names the certificate to check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LeafSelector {
    /// Twenty bytes: a SHA-1 thumbprint, or a serial number of that length.
    Sha1(Sha1Thumbprint),
    Sha256(Sha256Thumbprint),
    /// A serial number, as a CA's order confirmation or `certutil` shows it.
    Serial(Serial),
}

impl LeafSelector {
    /// A SHA-1 (20 bytes) or SHA-256 (32 bytes) thumbprint, or a serial number (any
    /// other length up to 20 bytes), however it was pasted: spaces, colons and the
    /// invisible marks Windows copies are ignored, as `thumbprint` does.
    pub fn parse(text: &str) -> Result<Self, String> {
        let clean = clean_hex(text).map_err(|e| e.to_string())?;
        let bytes = clean.bytes.as_slice();
        match bytes.len() {
            20 => Thumbprint::try_from(bytes)
                .map(Self::Sha1)
                .map_err(|e| e.to_string()),
            32 => Thumbprint::try_from(bytes)
                .map(Self::Sha256)
                .map_err(|e| e.to_string()),
            1..=19 => Ok(Self::Serial(Serial::new(bytes.to_vec()))),
            n => Err(format!(
                "{n} bytes is neither a SHA-1 (20 bytes) nor a SHA-256 (32 bytes) thumbprint, nor a serial number (at most 20 bytes)"
            )),
        }
    }
}

impl fmt::Display for LeafSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sha1(t) => t.fmt(f),
            Self::Sha256(t) => t.fmt(f),
            Self::Serial(s) => write!(f, "{s} (a serial number)"),
        }
    }
}

/// Certificates an error names before it counts the rest: the message is one line on
/// stderr, and a 150-root bundle would make it 20,000 characters long.
const LISTED: usize = 5;

fn list(certs: &[(String, String)]) -> String {
    let mut out = certs
        .iter()
        .take(LISTED)
        .map(|(sha1, subject)| format!("{sha1} {subject}"))
        .collect::<Vec<_>>()
        .join("; ");
    if certs.len() > LISTED {
        out.push_str(&format!(
            "; and {} more (mfgcheck inspect lists them all)",
            certs.len() - LISTED
        ));
    }
    out
}

/// The certificate to check could not be chosen.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LeafError {
    #[error("no certificate with thumbprint or serial number {wanted} in the input (it holds: {})", list(.available))]
    NotFound {
        wanted: String,
        available: Vec<(String, String)>,
    },
    #[error("{} certificates could be the one to check; choose one with --leaf THUMBPRINT: {}", .candidates.len(), list(.candidates))]
    Ambiguous { candidates: Vec<(String, String)> },
    #[error("every certificate in the input issued another one, so none is the leaf; choose one with --leaf THUMBPRINT: {}", list(.available))]
    NoCandidate { available: Vec<(String, String)> },
    #[error("no end-entity certificate: the input holds only CA certificates ({}); give the server's own certificate beside them (to check a CA anyway, pick it with --leaf THUMBPRINT)", list(.available))]
    OnlyCaCertificates { available: Vec<(String, String)> },
}

impl LeafError {
    /// When the input holds the certificate to check but not which one it is, the
    /// certificates to choose from, as (SHA-1, subject): what a front end offers where
    /// the CLI says "choose one with --leaf". `None` when the input lacks it (a
    /// thumbprint that is not there, CA certificates only): a choice would not help.
    pub fn choices(&self) -> Option<&[(String, String)]> {
        match self {
            Self::Ambiguous { candidates } => Some(candidates),
            Self::NoCandidate { available } => Some(available),
            Self::NotFound { .. } | Self::OnlyCaCertificates { .. } => None,
        }
    }
}
