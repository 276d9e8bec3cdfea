//! Who issued whom among all the certificates of the inputs: the tree `inspect`
//! draws, where `check` follows one path only.

use super::pool::{CertId, Pool};
use super::signature::{Verification, verify};

/// Signature checks the whole forest may spend; after that, issuers are matched by
/// name and key identifier only (and said to be unverified).
pub const FOREST_SIGNATURE_BUDGET: usize = 500;

/// What is above one certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Link {
    /// Self-issued; the verification of its own signature.
    Root(Verification),
    /// Issued by this pool certificate, proven by its signature (valid or weak).
    Issuer(CertId, Verification),
    /// A certificate of the right name and key identifier, signature not proven
    /// (it failed, or the budget ran out).
    Unproven(CertId),
    /// The issuer is not among the inputs.
    Absent,
}

/// Each certificate's issuer among the pool, by index of [`CertId`].
#[derive(Clone, Debug)]
pub struct Forest {
    links: Vec<Link>,
    /// Every signature check made, in order (`inspect -v`): the certificate, the
    /// candidate issuer whose key was tried, and the result.
    pub checks: Vec<(CertId, CertId, Verification)>,
    /// Certificates carrying the issuer's name but another key identifier than the
    /// certificate's AKI: not tried.
    pub set_aside: Vec<(CertId, CertId)>,
    /// Whether the signature budget ran out (later links are by name only).
    pub exhausted: bool,
}

impl Forest {
    /// What is above `id`; the forest has a link for every certificate of its pool.
    #[allow(clippy::indexing_slicing)]
    pub fn link(&self, id: CertId) -> &Link {
        &self.links[id.index()]
    }

    /// The certificates directly below `id`, in pool order.
    pub fn children(&self, id: CertId) -> impl Iterator<Item = CertId> + '_ {
        self.links
            .iter()
            .enumerate()
            .filter(move |(_, l)| matches!(l, Link::Issuer(p, _) | Link::Unproven(p) if *p == id))
            .map(|(i, _)| CertId::from_index(i))
    }

    /// Certificates with nothing of the pool above them: roots and orphans. In a
    /// loop of cross-certificates none qualifies, so the tree printer also starts
    /// from any certificate not reached from these.
    pub fn tops(&self) -> impl Iterator<Item = CertId> + '_ {
        self.links
            .iter()
            .enumerate()
            .filter(|(_, l)| matches!(l, Link::Root(_) | Link::Absent))
            .map(|(i, _)| CertId::from_index(i))
    }
}

/// Finds every certificate's issuer in `pool`.
pub fn forest(pool: &Pool) -> Forest {
    let mut budget = FOREST_SIGNATURE_BUDGET;
    let mut links = Vec::with_capacity(pool.len());
    let mut checks = Vec::new();
    let mut set_aside = Vec::new();
    let mut exhausted = false;
    for (id, cert) in pool.iter() {
        if cert.is_self_issued() {
            let v = verify(cert, cert.public_key());
            checks.push((id, id, v.clone()));
            // A self-issued certificate signed by another key of the same CA (a
            // re-key) has its issuer in the pool; a true root signs itself.
            if v.is_genuine() || !pool.named_issuers(cert).any(|c| c != id) {
                links.push(Link::Root(v));
                continue;
            }
        }
        let mut candidates: Vec<CertId> = Vec::new();
        for c in pool.named_issuers(cert).filter(|&c| c != id) {
            if cert.key_ids_compatible(pool.get(c)) {
                candidates.push(c);
            } else {
                set_aside.push((id, c));
            }
        }
        let mut link = candidates
            .first()
            .map_or(Link::Absent, |&c| Link::Unproven(c));
        for &c in &candidates {
            if budget == 0 {
                exhausted = true;
                break;
            }
            budget -= 1;
            let v = verify(cert, pool.get(c).public_key());
            checks.push((id, c, v.clone()));
            if v.is_genuine() {
                link = Link::Issuer(c, v);
                break;
            }
        }
        links.push(link);
    }
    Forest {
        links,
        checks,
        set_aside,
        exhausted,
    }
}
