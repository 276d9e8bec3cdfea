//! The MFG verdict: the federation certificate requirements applied to a built chain.
//!
//! The rule that matters most is the one Technet did not document: the MFG accepts a
//! certificate only when its *direct* issuer is on the list. A chain that validates
//! to a listed root through an unlisted intermediate is refused with HTTP 403.

mod bundle;
mod issuer;
mod leaf;
mod path;

pub use super::verdict::{KeyStatus, Profile, Verdict};

use std::fmt;

use time::OffsetDateTime;

use super::advice;
use super::allowlist::{Allowlist, Identity, Supply};
use super::finding::{Code, Finding, Severity};
use crate::chain::{CertId, Chain, Pool, Top};
use crate::model::{Certificate, DistinguishedName, KeyId, KeyRing};

/// Settings of one evaluation.
#[derive(Clone, Copy, Debug)]
pub struct PolicyOptions {
    /// The moment every date is judged at.
    pub at: OffsetDateTime,
    /// Warn when the certificate expires within this many days.
    pub warn_days: u32,
    pub profile: Profile,
    /// Write the next steps (a scan's records carry none).
    pub next_steps: bool,
}

/// Who issued the leaf, as far as the input shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DirectIssuer {
    /// The issuer certificate is in the input and its key made the leaf's signature.
    InInput { cert: CertId, identity: Identity },
    /// The issuer certificate is not in the input; known by name and key identifier.
    Absent {
        name: DistinguishedName,
        key_id: Option<KeyId>,
        identity: Identity,
    },
    /// The leaf issued itself.
    SelfSigned,
    /// No certificate of the input could be shown to be the issuer (bad signature,
    /// exhausted budget).
    Unproven,
}

impl Assessment {
    /// Findings of severity error: any one makes the verdict `rejected`.
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity() == Severity::Error)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity() == Severity::Warning)
            .count()
    }
}

impl DirectIssuer {
    pub fn identity(&self) -> Option<&Identity> {
        match self {
            Self::InInput { identity, .. } | Self::Absent { identity, .. } => Some(identity),
            Self::SelfSigned | Self::Unproven => None,
        }
    }
}

/// The result of applying the policy.
#[derive(Clone, Debug)]
pub struct Assessment {
    pub verdict: Verdict,
    pub profile: Profile,
    /// What to do next, most important first; for every verdict.
    pub next_steps: Vec<super::Step>,
    pub direct_issuer: DirectIssuer,
    /// `None` when no input was a PKCS#12 file (other formats never carry keys).
    pub private_key: Option<KeyStatus>,
    /// The allowlist's view of each certificate on the path, leaf first.
    pub identities: Vec<Identity>,
    /// Errors first, then warnings, each in the order found.
    pub findings: Vec<Finding>,
    pub at: OffsetDateTime,
}

/// `"CN" (SHA-1 thumbprint)`: how findings name a certificate. Written into the
/// message that names it, not built as a string of its own.
fn label(cert: &Certificate) -> Label<'_> {
    Label(cert)
}

struct Label<'a>(&'a Certificate);

impl fmt::Display for Label<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\" ({})", self.0.subject().short(), self.0.sha1())
    }
}

/// Applies the MFG rules to `chain`.
pub fn assess(
    pool: &Pool,
    chain: &Chain,
    keys: &KeyRing,
    allowlist: &Allowlist,
    options: &PolicyOptions,
) -> Assessment {
    let mut a = Assessor {
        pool,
        chain,
        allowlist,
        at: options.at,
        profile: options.profile,
        findings: Vec::new(),
        source: std::cell::OnceCell::new(),
        above_top: match (&chain.top, chain.path.last()) {
            (Top::IssuerAbsent { listed_key, .. }, Some(&top)) => {
                Some(allowlist.identify_issuer_checked(pool.get(top), listed_key.as_ref()))
            }
            _ => None,
        },
    };
    let leaf = pool.get(chain.leaf());
    let mut identities: Vec<Identity> = chain
        .path
        .iter()
        .map(|&id| allowlist.identify(pool.get(id)))
        .collect();
    a.key_rollovers(&mut identities);

    a.leaf_requirements(leaf, options.warn_days);
    let private_key = a.private_key(leaf, keys);
    for f in super::pfx::pfx_findings(keys) {
        a.add(f);
    }
    a.signatures();
    a.issuer_dates(&identities);
    let direct_issuer = a.direct_issuer(leaf, &identities);
    let issuer_accepted = a.issuer_standing(leaf, &direct_issuer, &identities)
        && !a.absent_issuer_dates(leaf, &direct_issuer);
    a.impostors_above(&identities);
    a.path_flaws();
    a.bundle_hygiene();

    let source = a.source;
    let mut findings = a.findings;
    findings.sort_by_key(Finding::severity);
    let verdict = verdict(issuer_accepted, &findings);
    let next_steps = if options.next_steps {
        advice::next_steps(&advice::Situation {
            verdict,
            profile: options.profile,
            leaf,
            self_signed: direct_issuer == DirectIssuer::SelfSigned,
            lookalike: chain.path.len() == 1 && chain.refuted_by_listed_key(),
            issuer_accepted,
            codes: findings.iter().map(|f| f.code).collect(),
            private_key,
            allowlist,
            at: options.at,
            source: &source,
        })
    } else {
        Vec::new()
    };
    Assessment {
        profile: options.profile,
        next_steps,
        verdict,
        direct_issuer,
        private_key,
        identities,
        findings,
        at: options.at,
    }
}

/// Any error rejects, except that an unconfirmed issuer alone leaves the question
/// open: missing evidence is not a rejection.
fn verdict(issuer_accepted: bool, findings: &[Finding]) -> Verdict {
    let errors = |unconfirmed: bool| {
        findings.iter().any(|f| {
            f.severity() == Severity::Error && (f.code == Code::IssuerUnconfirmed) == unconfirmed
        })
    };
    if errors(false) {
        Verdict::Rejected
    } else if errors(true) {
        Verdict::Undetermined
    } else if issuer_accepted {
        Verdict::Accepted
    } else {
        Verdict::Rejected
    }
}

struct Assessor<'a> {
    pool: &'a Pool,
    chain: &'a Chain,
    allowlist: &'a Allowlist,
    at: OffsetDateTime,
    profile: Profile,
    findings: Vec<Finding>,
    /// Where a certificate can come from, worked out once: several fixes and the next
    /// steps say it, and a scan assesses thousands of bundles.
    source: std::cell::OnceCell<std::sync::Arc<Supply>>,
    /// The allowlist's view of the absent issuer above the path's last certificate
    /// (when the path ends at one), asked once for every check that needs it.
    above_top: Option<Identity>,
}

impl Assessor<'_> {
    fn add(&mut self, finding: Finding) {
        self.findings.push(finding);
    }

    fn cert(&self, id: CertId) -> &Certificate {
        self.pool.get(id)
    }

    /// Where a certificate the MFG accepts can come from at the evaluation time.
    fn buy_from_accepted(&self) -> String {
        self.source().text.clone()
    }

    fn source(&self) -> &Supply {
        self.source.get_or_init(|| self.allowlist.supply(self.at))
    }
}
