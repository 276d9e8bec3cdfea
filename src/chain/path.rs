//! Path building from the leaf upwards: depth-first, loop-free and budgeted.
//!
//! Modelled on rustls-webpki's `verify_cert.rs`: candidates come from a name index,
//! are narrowed by key identifiers, are accepted only when the signature verifies,
//! and every signature check and every step is paid for from a [`Budget`], so a
//! hostile bundle (a hundred same-name CAs cross-signing each other) ends in
//! milliseconds with a finding instead of a hang.
//!
//! Unlike a TLS verifier we do not want *a* valid path but the one that best
//! explains the verdict, so complete paths are scored (see [`Score`]) and the search
//! stops early only when nothing can beat the path in hand.

use time::OffsetDateTime;

use super::pool::{CertId, Pool};
use super::rank::Score;
pub use super::rank::{Decider, Flaw};
use super::signature::{SignatureCache, Verification, verify};
use crate::load::FastMap;
use crate::model::{Certificate, PublicKey, Validity};

/// Limits on path building.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Signature verifications (cached results are free).
    pub signature_checks: usize,
    /// Certificates in a path, leaf included.
    pub max_depth: usize,
    /// Search steps (certificates extended), bounding work even when every
    /// signature result is already cached.
    pub steps: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            signature_checks: 100,
            max_depth: 10,
            steps: 1_000,
        }
    }
}

/// Which allowance ran out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exhausted {
    SignatureChecks,
    Depth,
    Steps,
}

/// The authorities a path should preferably reach, supplied by the policy layer
/// so that path building stays ignorant of allowlists.
pub trait Anchors {
    /// `cert` is itself a listed authority.
    fn is_anchor(&self, cert: &Certificate) -> bool;
    /// `cert`'s issuer, absent from the input, is a listed authority (by name and key id).
    fn issuer_is_anchor(&self, cert: &Certificate) -> bool;
    /// `cert` is a copy of a listed authority whose list names another certificate of
    /// the same key not known to be expired: the gateway holds that one, so this copy's
    /// dates do not make a path invalid.
    fn outdated_copy(&self, _cert: &Certificate) -> bool {
        false
    }
    /// The key the list gives for `cert`'s absent issuer, so that its signature can be
    /// checked without the issuer's certificate: a look-alike of a listed CA is then
    /// caught even when its certificate is not supplied.
    fn issuer_key(&self, _cert: &Certificate) -> Option<&PublicKey> {
        None
    }
}

/// No preference: any complete path will do.
pub struct NoAnchors;

impl Anchors for NoAnchors {
    fn is_anchor(&self, _: &Certificate) -> bool {
        false
    }
    fn issuer_is_anchor(&self, _: &Certificate) -> bool {
        false
    }
}

/// What lies above the last certificate of a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Top {
    /// The last certificate is self-signed (a root); its own signature's check.
    SelfSigned(Verification),
    /// No certificate of the input can be its issuer. `other_keys` holds
    /// certificates with the right name but another key identifier (none of which
    /// made the signature). `listed_key`: the signature checked with the key the
    /// allowlist lists for a CA of the issuer's name, when it lists one.
    IssuerAbsent {
        other_keys: Vec<CertId>,
        listed_key: Option<Verification>,
    },
    /// Every certificate that could be its issuer is already on the path.
    Loop { back_to: CertId },
    /// A certificate with the right name (and key identifier, where present) is in
    /// the input, but its key did not make the signature.
    SignatureInvalid { candidate: CertId },
    /// The budget or the depth limit stopped the search here.
    Truncated(Exhausted),
}

/// One thing the search did, for `check -v`: enough to say which candidates were
/// considered for each certificate, what each signature check gave, and why a
/// candidate was set aside.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// The search looked for `cert`'s issuer: `candidates` carry its issuer name and
    /// a compatible key identifier, `other_keys` the name but another key identifier.
    Issuers {
        cert: CertId,
        candidates: Vec<CertId>,
        other_keys: Vec<CertId>,
    },
    /// `cert`'s signature checked with `issuer`'s key (`cached`: known already).
    Signature {
        cert: CertId,
        issuer: CertId,
        result: Verification,
        cached: bool,
    },
    /// `cert`'s issuer is absent; its signature checked with the key the allowlist
    /// lists for a CA of that name.
    ListedKey { cert: CertId, result: Verification },
    /// `candidate` (or a copy of it) is already on the path: taking it would loop.
    OnPath { cert: CertId, candidate: CertId },
    /// A complete path was found ending as `top`, with `flaws`; `best` when it became
    /// the best so far. `decided_by` says what set it apart from the best path before it
    /// (`None` for the first path).
    Ended {
        length: usize,
        top: Top,
        flaws: Vec<Flaw>,
        best: bool,
        decided_by: Option<Decider>,
    },
    /// An allowance ran out here.
    Exhausted(Exhausted),
}

/// The chosen path and everything learnt on the way.
#[derive(Clone, Debug)]
pub struct Chain {
    /// Leaf first; `path[i + 1]` issued `path[i]`.
    pub path: Vec<CertId>,
    /// `signatures[i]`: `path[i]`'s signature checked with `path[i + 1]`'s key.
    pub signatures: Vec<Verification>,
    pub top: Top,
    /// What makes the path not fully valid; empty for a valid path. Chosen only when
    /// no path without flaws was found.
    pub flaws: Vec<Flaw>,
    /// Pool certificates neither on the path nor its failed issuer candidate.
    pub unused: Vec<CertId>,
    /// Set when the search stopped early; the path is the best found until then.
    pub exhausted: Option<Exhausted>,
    /// Signature verifications spent.
    pub signature_checks: usize,
    /// Every step of the search, in order, when it was asked for (`check -v`); empty
    /// otherwise.
    pub trace: Vec<Step>,
}

impl Chain {
    /// The checked certificate. [`build`] starts every path with it, so a chain's
    /// path is never empty.
    #[allow(clippy::indexing_slicing)]
    pub fn leaf(&self) -> CertId {
        self.path[0]
    }

    /// The path stops at an absent issuer whose key, as the allowlist lists it, did not
    /// make the last certificate's signature: a look-alike of a listed CA.
    pub fn refuted_by_listed_key(&self) -> bool {
        matches!(
            self.top,
            Top::IssuerAbsent {
                listed_key: Some(Verification::Invalid),
                ..
            }
        )
    }

    /// The last certificate of the path (the leaf itself for a path of one).
    pub fn top_cert(&self) -> CertId {
        self.path.last().copied().unwrap_or_else(|| self.leaf())
    }

    /// What a server should send, in order: the path, leaf first, without the
    /// self-signed root at its top (clients have their own) unless `include_root`. A
    /// self-signed leaf is its own path and stays.
    pub fn to_send(&self, include_root: bool) -> &[CertId] {
        match (&self.top, self.path.split_last()) {
            (Top::SelfSigned(_), Some((_, below))) if !include_root && !below.is_empty() => below,
            _ => &self.path,
        }
    }
}

struct Found {
    score: Score,
    path: Vec<CertId>,
    signatures: Vec<Verification>,
    top: Top,
    flaws: Vec<Flaw>,
}

enum Flow {
    Continue,
    Stop,
}

/// What came of checking a signature with a listed key.
enum Listed {
    Checked(Verification),
    /// The list gives no key for the issuer.
    NoKey,
    /// No signature check is left.
    OutOfBudget,
}

/// What came of trying one candidate issuer.
enum Tried {
    /// It (or a copy of it) is on the path already.
    Looped,
    /// Its key did not make the signature.
    Invalid,
    /// The path went on through it; the search below it said this.
    Extended(Flow),
    /// The path ended here (an allowance ran out); the search says this.
    Ended(Flow),
}

struct Search<'a> {
    pool: &'a Pool,
    shared: Option<&'a SignatureCache>,
    anchors: &'a dyn Anchors,
    at: OffsetDateTime,
    budget: Budget,
    cache: FastMap<(CertId, CertId), Verification>,
    /// Anchor status per certificate, worked out once per search.
    anchor: Vec<Option<bool>>,
    checks: usize,
    steps: usize,
    exhausted: Option<Exhausted>,
    best: Option<Found>,
    /// `Some` when the steps are to be kept.
    trace: Option<Vec<Step>>,
}

/// Builds the best path from `leaf` upwards through `pool`.
///
/// `at` only orders candidates (currently valid issuers are tried first); date
/// findings are the policy's business.
pub fn build(
    pool: &Pool,
    leaf: CertId,
    anchors: &dyn Anchors,
    at: OffsetDateTime,
    budget: Budget,
) -> Chain {
    build_with(pool, leaf, anchors, at, budget, None)
}

/// [`build`], with signature results of CA certificates shared through `shared`
/// (a scan verifies each intermediate once, not once per bundle). A shared result
/// still counts against the budget, so the path found never depends on the cache.
pub fn build_with(
    pool: &Pool,
    leaf: CertId,
    anchors: &dyn Anchors,
    at: OffsetDateTime,
    budget: Budget,
    shared: Option<&SignatureCache>,
) -> Chain {
    build_traced(pool, leaf, anchors, at, budget, shared, false)
}

/// [`build_with`], keeping every step of the search in [`Chain::trace`] when `trace`.
/// The path found is the same either way.
pub fn build_traced(
    pool: &Pool,
    leaf: CertId,
    anchors: &dyn Anchors,
    at: OffsetDateTime,
    budget: Budget,
    shared: Option<&SignatureCache>,
    trace: bool,
) -> Chain {
    let mut search = Search {
        pool,
        shared,
        anchors,
        at,
        budget,
        cache: FastMap::default(),
        anchor: vec![None; pool.len()],
        checks: 0,
        steps: 0,
        exhausted: None,
        best: None,
        trace: trace.then(Vec::new),
    };
    let mut path = vec![leaf];
    let mut signatures = Vec::new();
    search.extend(&mut path, &mut signatures);
    let found = search.best.unwrap_or(Found {
        score: Score {
            flawed: true,
            anchor: usize::MAX,
            ending: 3,
            flaws: 0,
        },
        path,
        signatures,
        top: Top::Truncated(Exhausted::Steps),
        flaws: Vec::new(),
    });
    // Certificates the path explains are not "unused": the ones on it, and a
    // candidate whose key failed to verify (it is the named issuer, just not proven).
    let explained = |id: &CertId| {
        found.path.contains(id)
            || matches!(found.top, Top::SignatureInvalid { candidate } if candidate == *id)
    };
    let unused = pool.own_ids().filter(|id| !explained(id)).collect();
    Chain {
        path: found.path,
        signatures: found.signatures,
        top: found.top,
        flaws: found.flaws,
        unused,
        exhausted: search.exhausted,
        signature_checks: search.checks,
        trace: search.trace.unwrap_or_default(),
    }
}

impl Search<'_> {
    /// Checks `child`'s signature with `issuer`'s key, from the cache when possible.
    /// `None` when the budget allows no further check.
    fn verify(&mut self, child: CertId, issuer: CertId) -> Option<Verification> {
        if let Some(v) = self.cache.get(&(child, issuer)).cloned() {
            self.note(|| Step::Signature {
                cert: child,
                issuer,
                result: v.clone(),
                cached: true,
            });
            return Some(v);
        }
        let pool = self.pool;
        let v = self.spend(pool.get(child), pool.get(issuer).public_key())?;
        self.cache.insert((child, issuer), v.clone());
        self.note(|| Step::Signature {
            cert: child,
            issuer,
            result: v.clone(),
            cached: false,
        });
        Some(v)
    }

    /// One signature check paid for from the budget; `None` when none is left.
    fn spend(&mut self, cert: &Certificate, key: &PublicKey) -> Option<Verification> {
        if self.checks >= self.budget.signature_checks {
            self.exhausted = Some(Exhausted::SignatureChecks);
            self.note(|| Step::Exhausted(Exhausted::SignatureChecks));
            return None;
        }
        self.checks += 1;
        Some(match self.shared {
            Some(shared) => shared.verify(cert, key),
            None => verify(cert, key),
        })
    }

    /// Checks `child`'s signature with the key the list gives for its absent issuer.
    fn verify_listed(&mut self, child: CertId) -> Listed {
        let (pool, anchors) = (self.pool, self.anchors);
        let cert = pool.get(child);
        let Some(key) = anchors.issuer_key(cert) else {
            return Listed::NoKey;
        };
        let Some(v) = self.spend(cert, key) else {
            return Listed::OutOfBudget;
        };
        self.note(|| Step::ListedKey {
            cert: child,
            result: v.clone(),
        });
        Listed::Checked(v)
    }

    /// Keeps a step when tracing; builds nothing otherwise.
    fn note(&mut self, step: impl FnOnce() -> Step) {
        if let Some(trace) = &mut self.trace {
            trace.push(step());
        }
    }

    /// Whether `id` is an anchor, asked of the policy once per certificate.
    fn is_anchor(&mut self, id: CertId) -> bool {
        let (pool, anchors) = (self.pool, self.anchors);
        match self.anchor.get_mut(id.index()) {
            Some(slot) => *slot.get_or_insert_with(|| anchors.is_anchor(pool.get(id))),
            None => anchors.is_anchor(pool.get(id)),
        }
    }

    /// What keeps `path` from being valid (see [`Flaw`]), each certificate above the
    /// leaf in order. A listed authority needs no basicConstraints: its identity decides.
    fn flaws(&mut self, path: &[CertId], signatures: &[Verification]) -> Vec<Flaw> {
        let mut flaws = Vec::new();
        // Intermediate CAs between the leaf and each CA that are not self-issued: what
        // a pathLenConstraint counts (RFC 5280 6.1.4 (l), (m)).
        let mut intermediates: u64 = 0;
        for (i, &id) in path.iter().enumerate() {
            let cert = self.pool.get(id);
            if matches!(signatures.get(i), Some(Verification::Unsupported(_))) {
                flaws.push(Flaw::Unverified(id));
            }
            if i == 0 {
                continue;
            }
            if cert.validity_at(self.at) != Validity::Valid && !self.anchors.outdated_copy(cert) {
                flaws.push(Flaw::OutOfDate(id));
            }
            if !cert.may_issue() && !self.is_anchor(id) {
                flaws.push(Flaw::NotCa(id));
            }
            if cert
                .path_len()
                .is_some_and(|limit| intermediates > u64::from(limit))
            {
                flaws.push(Flaw::PathLen(id));
            }
            if !cert.unknown_critical_extensions().is_empty() {
                flaws.push(Flaw::UnknownCritical(id));
            }
            if !cert.is_self_issued() {
                intermediates += 1;
            }
        }
        flaws
    }

    /// Records a complete path; returns `Stop` when it cannot be beaten.
    fn record(&mut self, path: &[CertId], signatures: &[Verification], top: Top) -> Flow {
        let mut anchor = usize::MAX;
        for (i, &id) in path.iter().enumerate().skip(1) {
            if self.is_anchor(id) {
                anchor = i;
                break;
            }
        }
        if anchor == usize::MAX
            && matches!(top, Top::IssuerAbsent { .. })
            && path
                .last()
                .is_some_and(|&id| self.anchors.issuer_is_anchor(self.pool.get(id)))
        {
            anchor = path.len();
        }
        let ending = match top {
            Top::SelfSigned(_) => 0,
            Top::IssuerAbsent { .. } | Top::Loop { .. } => 1,
            Top::SignatureInvalid { .. } => 2,
            Top::Truncated(_) => 3,
        };
        let flaws = self.flaws(path, signatures);
        let score = Score {
            flawed: !flaws.is_empty() || ending >= 2,
            anchor,
            ending,
            flaws: flaws.len(),
        };
        let before = self.best.as_ref().map(|b| b.score);
        let better = before.is_none_or(|b| score < b);
        let length = path.len();
        self.note(|| Step::Ended {
            length,
            top: top.clone(),
            flaws: flaws.clone(),
            best: better,
            decided_by: before.map(|b| score.decider(b)),
        });
        if better {
            self.best = Some(Found {
                score,
                path: path.to_vec(),
                signatures: signatures.to_vec(),
                top,
                flaws,
            });
        }
        if score.is_best() {
            Flow::Stop
        } else {
            Flow::Continue
        }
    }

    /// Candidate issuers of `cert`, best first: key identifiers matching, then CA
    /// certificates, then valid at the evaluation time, then by SHA-256, never by input
    /// order: the search, and so the path kept among equals, is the same whatever order
    /// the certificates came in. Certificates whose key identifier contradicts the AKI
    /// are returned separately, in the same order.
    fn candidates(&self, id: CertId) -> (Vec<CertId>, Vec<CertId>) {
        let cert = self.pool.get(id);
        let mut candidates = Vec::new();
        let mut other_keys = Vec::new();
        for cand in self.pool.named_issuers(cert) {
            if cand == id {
                continue;
            }
            if cert.key_ids_compatible(self.pool.get(cand)) {
                candidates.push(cand);
            } else {
                other_keys.push(cand);
            }
        }
        candidates.sort_by_key(|&c| {
            let issuer = self.pool.get(c);
            (
                !cert.key_ids_match(issuer),
                !issuer.may_issue(),
                issuer.validity_at(self.at) != Validity::Valid,
                issuer.sha256(),
            )
        });
        other_keys.sort_by_key(|&c| self.pool.get(c).sha256());
        (candidates, other_keys)
    }

    /// Tries `cand` as the issuer of the path's last certificate: unless it loops or its
    /// key did not make the signature, the path goes on through it.
    fn try_issuer(
        &mut self,
        path: &mut Vec<CertId>,
        signatures: &mut Vec<Verification>,
        cand: CertId,
    ) -> Tried {
        let Some(&top) = path.last() else {
            return Tried::Invalid;
        };
        let cand_cert = self.pool.get(cand);
        let on_path = path.iter().any(|&p| {
            p == cand || {
                let c = self.pool.get(p);
                c.subject().matches(cand_cert.subject())
                    && c.public_key().spki_sha256() == cand_cert.public_key().spki_sha256()
            }
        });
        if on_path {
            self.note(|| Step::OnPath {
                cert: top,
                candidate: cand,
            });
            return Tried::Looped;
        }
        if path.len() >= self.budget.max_depth {
            self.exhausted = Some(Exhausted::Depth);
            self.note(|| Step::Exhausted(Exhausted::Depth));
            return Tried::Ended(self.record(path, signatures, Top::Truncated(Exhausted::Depth)));
        }
        let Some(v) = self.verify(top, cand) else {
            self.record(path, signatures, Top::Truncated(Exhausted::SignatureChecks));
            return Tried::Ended(Flow::Stop);
        };
        if v == Verification::Invalid {
            return Tried::Invalid;
        }
        path.push(cand);
        signatures.push(v);
        let flow = self.extend(path, signatures);
        path.pop();
        signatures.pop();
        Tried::Extended(flow)
    }

    /// Extends `path` upwards from its last certificate, recording every complete path.
    fn extend(&mut self, path: &mut Vec<CertId>, signatures: &mut Vec<Verification>) -> Flow {
        let Some(&top) = path.last() else {
            return Flow::Continue;
        };
        self.steps += 1;
        if self.steps > self.budget.steps {
            self.exhausted = Some(Exhausted::Steps);
            self.note(|| Step::Exhausted(Exhausted::Steps));
            self.record(path, signatures, Top::Truncated(Exhausted::Steps));
            return Flow::Stop;
        }
        let cert = self.pool.get(top);

        if cert.is_self_issued() {
            let Some(v) = self.verify(top, top) else {
                self.record(path, signatures, Top::Truncated(Exhausted::SignatureChecks));
                return Flow::Stop;
            };
            if !matches!(v, Verification::Invalid) {
                return self.record(path, signatures, Top::SelfSigned(v));
            }
            // Self-issued but signed by another key: a CA's re-key certificate. Go on.
        }

        let (candidates, other_keys) = self.candidates(top);
        self.note(|| Step::Issuers {
            cert: top,
            candidates: candidates.clone(),
            other_keys: other_keys.clone(),
        });
        let mut extended = false;
        let mut invalid = None;
        let mut looped = None;
        for cand in candidates {
            match self.try_issuer(path, signatures, cand) {
                Tried::Looped => {
                    looped.get_or_insert(cand);
                }
                Tried::Invalid => {
                    invalid.get_or_insert(cand);
                }
                Tried::Extended(Flow::Continue) => extended = true,
                Tried::Extended(Flow::Stop) => return Flow::Stop,
                Tried::Ended(flow) => return flow,
            }
        }
        // A certificate of the issuer's name whose key identifier is not the AKI is
        // still the issuer when its key made the signature: a look-alike that signed the
        // leaf must be judged as the issuer (and found to be an impostor), not passed
        // over for a listed CA named by the AKI alone. Tried only when nothing else
        // extended the path, so that real chains pay nothing for it.
        let mut unrelated = Vec::new();
        if !extended && invalid.is_none() {
            for cand in other_keys {
                match self.try_issuer(path, signatures, cand) {
                    Tried::Extended(Flow::Continue) => extended = true,
                    Tried::Extended(Flow::Stop) => return Flow::Stop,
                    Tried::Ended(flow) => return flow,
                    Tried::Looped | Tried::Invalid => unrelated.push(cand),
                }
            }
        } else {
            unrelated = other_keys;
        }
        if extended {
            return Flow::Continue;
        }
        let top_kind = if let Some(candidate) = invalid {
            Top::SignatureInvalid { candidate }
        } else if let Some(back_to) = looped {
            Top::Loop { back_to }
        } else {
            Top::IssuerAbsent {
                other_keys: unrelated,
                listed_key: match self.verify_listed(top) {
                    Listed::Checked(v) => Some(v),
                    Listed::NoKey => None,
                    Listed::OutOfBudget => {
                        self.record(path, signatures, Top::Truncated(Exhausted::SignatureChecks));
                        return Flow::Stop;
                    }
                },
            }
        };
        self.record(path, signatures, top_kind)
    }
}
