//! Whether a directory's issuer files issued anything. A file of CA certificates is
//! taken as the issuers of its directory (a vendor's intermediate beside the leaf), but
//! a server certificate mis-issued with CA:TRUE looks the same. Once a directory is
//! complete, an issuer file none of whose certificates is a root, is on the path of a
//! bundle of the directory, or issued another of its CA certificates or of the scan's
//! `--chain-dir`, is checked as the bundle it is, and so rejected (`ca-certificate`)
//! instead of silently counted.

use super::{Found, Taken, Visit};
use crate::chain::LeafSelector;
use crate::model::{Certificate, Sha1Thumbprint};

/// Checks again, as bundles, the issuer files of `ready` (whole directories, in order)
/// that issued nothing of their directory.
pub(super) fn judge_unused(
    ready: &mut [(Taken, Visit)],
    pool: &[Certificate],
    as_bundle: &dyn Fn(&Found, LeafSelector) -> Visit,
) {
    let mut rest = ready;
    while let Some(((first, _), _)) = rest.split_first() {
        let dir = first.dir;
        let len = rest.iter().take_while(|(t, _)| t.dir == dir).count();
        let (directory, after) = rest.split_at_mut(len);
        for (i, leaf) in unused(directory, pool) {
            if let Some((taken, visit)) = directory.get_mut(i) {
                *visit = as_bundle(&taken.found, LeafSelector::Sha1(leaf));
            }
        }
        rest = after;
    }
}

/// `issuer` could have issued `cert` (name and key identifiers; no signature is
/// checked, this only tells a file that issued something from one that did not).
fn issued(issuer: &Certificate, cert: &Certificate) -> bool {
    cert.sha1() != issuer.sha1()
        && cert.issuer().matches(issuer.subject())
        && cert.key_ids_compatible(issuer)
}

/// The issuer files of one directory that issued nothing, each with the certificate
/// to check: the one of the file that issued no other of it. A file with several such
/// certificates stays an issuer file (nothing says which would be the leaf).
fn unused(directory: &[(Taken, Visit)], pool: &[Certificate]) -> Vec<(usize, Sha1Thumbprint)> {
    let on_paths: Vec<&Sha1Thumbprint> = directory
        .iter()
        .filter_map(|(_, v)| match v {
            Visit::Record(r) => Some(r.chain.iter()),
            _ => None,
        })
        .flatten()
        .collect();
    let all: Vec<&Certificate> = directory
        .iter()
        .filter_map(|(_, v)| match v {
            Visit::IssuerFile(certs) => Some(certs.iter()),
            _ => None,
        })
        .flatten()
        .collect();
    let mut found = Vec::new();
    for (i, (_, visit)) in directory.iter().enumerate() {
        let Visit::IssuerFile(certs) = visit else {
            continue;
        };
        let used = certs.iter().any(|c| {
            c.is_self_issued()
                || on_paths.contains(&c.sha1())
                || all.iter().any(|other| issued(c, other))
                || pool.iter().any(|other| issued(c, other))
        });
        if used {
            continue;
        }
        let leaves: Vec<&Certificate> = certs
            .iter()
            .filter(|c| !certs.iter().any(|other| issued(c, other)))
            .collect();
        if let [leaf] = leaves.as_slice() {
            found.push((i, *leaf.sha1()));
        }
    }
    found
}
