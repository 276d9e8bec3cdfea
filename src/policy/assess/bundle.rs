//! How the bundle is put together: duplicates, extra and missing certificates, order,
//! and how the chain ends.

use super::{Assessor, label};
use crate::chain::{CertId, Top};
use crate::load::Format;
use crate::model::Certificate;
use crate::policy::allowlist::{Identity, Kind};
use crate::policy::finding::{Code, Finding};
use crate::policy::groups;

impl Assessor<'_> {
    pub(super) fn bundle_hygiene(&mut self) {
        self.duplicates();
        self.copies_and_strangers();
        self.chain_ends();
        self.order_in_files();
    }

    /// Duplicates are one finding, however many: a system bundle given twice is one
    /// mistake, not 150.
    fn duplicates(&mut self) {
        let pool = self.pool;
        let dups = pool.duplicates();
        if !dups.is_empty() {
            let each = || {
                dups.iter()
                    .map(|d| format!("{} appears again at {}", label(pool.get(d.kept)), d.origin))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            let (msg, fix) = match dups.len() {
                1 => (format!("{}.", each()), "Remove the extra copy."),
                n => {
                    // More than a few: where the copies were, not each of them.
                    let list = if n > groups::NAMED {
                        groups::copies_by_file(dups.iter().map(|d| {
                            let kept = pool.get(d.kept).origin();
                            (&*kept.file, kept.index, &*d.origin.file, d.origin.index)
                        }))
                    } else {
                        each()
                    };
                    (
                        format!("{n} certificates were supplied more than once: {list}."),
                        "Remove the extra copies.",
                    )
                }
            };
            let mut f = Finding::new(Code::DuplicateCert, msg).fix(fix);
            f.certificates = dups.iter().map(|d| *pool.get(d.kept).sha1()).collect();
            f.certificates.dedup();
            self.add(f);
        }
    }

    /// The certificates off the path: another copy of a path member (same subject and
    /// key: re-issued, or cross-signed) is explained by the path, not unrelated to it.
    fn copies_and_strangers(&mut self) {
        let pool = self.pool;
        let mut unused: Vec<&Certificate> = Vec::new();
        // Each copy with the path certificate it copies.
        let mut copies: Vec<(&Certificate, &Certificate)> = Vec::new();
        for &id in &self.chain.unused {
            let cert = pool.get(id);
            let original = self.chain.path.iter().map(|&p| pool.get(p)).find(|p| {
                p.subject().matches(cert.subject())
                    && p.public_key().spki_sha256() == cert.public_key().spki_sha256()
            });
            match original {
                Some(original) => copies.push((cert, original)),
                None => unused.push(cert),
            }
        }
        self.copies(&copies);
        self.strangers(&unused);
    }

    fn copies(&mut self, copies: &[(&Certificate, &Certificate)]) {
        if !copies.is_empty() {
            // Each spelt out, for a few.
            let each = || {
                copies
                    .iter()
                    .map(|(cert, original)| {
                        let how = if cert.issuer().matches(original.issuer()) {
                            "re-issued".to_owned()
                        } else {
                            format!("signed by \"{}\"", cert.issuer().short())
                        };
                        format!(
                            "{} from {} is a copy of {} ({how})",
                            label(cert),
                            cert.origin(),
                            label(original)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            let msg = match copies.len() {
                1 => format!(
                    "{}: same subject and key as the certificate on the path, another certificate. The path uses the copy shown in the chain.",
                    each()
                ),
                // Many: where they are and what they are named, as for chain-extra-cert.
                n if n > groups::NAMED => {
                    let certs: Vec<&Certificate> = copies.iter().map(|(c, _)| *c).collect();
                    format!(
                        "{n} certificates are other copies (same subject and key) of certificates on the path, {}. The path uses the copies shown in the chain.",
                        groups::described(&certs)
                    )
                }
                n => format!(
                    "{n} certificates are other copies (same subject and key) of certificates on the path: {}. The path uses the copies shown in the chain.",
                    each()
                ),
            };
            let mut f = Finding::new(Code::CaCopy, msg).fix(
                "Not needed for federation: remove them from the bundle, unless your servers must also offer the other path.",
            );
            f.certificates = copies.iter().map(|(c, _)| *c.sha1()).collect();
            self.add(f);
        }
    }

    fn strangers(&mut self, unused: &[&Certificate]) {
        if !unused.is_empty() {
            let msg = match unused.len() {
                // A system bundle beside the leaf: the file to drop, and a few names
                // (every thumbprint is in the finding's certificates).
                n if n > groups::NAMED => format!(
                    "{n} certificates are not on the checked certificate's path, {}.",
                    groups::described(unused)
                ),
                n => {
                    let each = unused
                        .iter()
                        .map(|c| format!("{} from {}", label(c), c.origin()))
                        .collect::<Vec<_>>()
                        .join("; ");
                    match n {
                        1 => format!("{each} is not on the checked certificate's path."),
                        _ => format!(
                            "{n} certificates are not on the checked certificate's path: {each}."
                        ),
                    }
                }
            };
            let mut f = Finding::new(Code::ChainExtraCert, msg).fix(
                "Remove them from the bundle, or check the one you meant with --leaf THUMBPRINT.",
            );
            f.certificates = unused.iter().map(|c| *c.sha1()).collect();
            self.add(f);
        }
    }

    /// Leaf first within each file: path positions must rise with file positions.
    /// PKCS#7 keeps certificates in a SET, which has no order to get wrong, and a
    /// PFX import files each certificate into its store whatever the order.
    fn order_in_files(&mut self) {
        let pool = self.pool;
        let mut files: Vec<&str> = Vec::new();
        for &id in &self.chain.path {
            let origin = pool.get(id).origin();
            let file = &*origin.file;
            let unordered = matches!(
                origin.format,
                Format::Pkcs7 | Format::Pkcs7Pem | Format::Pkcs12
            );
            // The extra CAs of a scan's chain directory are not the bundle's order.
            if unordered || pool.is_extra(id) {
                continue;
            }
            if !files.contains(&file) {
                files.push(file);
            }
        }
        for file in files {
            let mut in_file: Vec<(usize, usize)> = self
                .chain
                .path
                .iter()
                .enumerate()
                .filter(|(_, id)| &*pool.get(**id).origin().file == file)
                .map(|(pos, id)| (pool.get(*id).origin().index, pos))
                .collect();
            in_file.sort();
            if in_file.windows(2).any(|w| matches!(w, [a, b] if a.1 > b.1)) {
                let msg = format!("{file} holds the chain in another order than leaf first.");
                self.add(Finding::new(Code::ChainOrder, msg).fix(
                    "Put the server certificate first, then its issuer, then the next CA up; import tools and servers expect that order.",
                ));
            }
        }
    }

    /// Whether the absent issuer above `top` is one a server should send: a CA the
    /// allowlist knows as an intermediate, or, when the allowlist does not know it, the
    /// leaf's own issuer (CAs issue from intermediates). A missing root is what a
    /// deployed chain should look like.
    pub(super) fn missing_intermediate(&self, top: CertId) -> bool {
        let kind = match self.allowlist.identify_issuer_of(self.cert(top)) {
            Identity::Listed { authority, .. } => self.allowlist.authority(authority).kind,
            _ => None,
        };
        match kind {
            Some(Kind::Root) => false,
            Some(Kind::Intermediate) => true,
            None => top == self.chain.leaf(),
        }
    }

    /// How the path ends, for a bundle about to be deployed: a root the server need
    /// not send, or an intermediate that is missing (the server cannot send it).
    pub(super) fn chain_ends(&mut self) {
        let (pool, chain) = (self.pool, self.chain);
        let top_id = chain.top_cert();
        let top = pool.get(top_id);
        if let Top::SelfSigned(_) = &self.chain.top
            && self.chain.path.len() > 1
            && !self.pool.is_extra(top_id)
        {
            let msg = format!(
                "{} from {} is the self-signed root at the top of the path.",
                label(top),
                top.origin()
            );
            self.add(
                Finding::new(Code::ChainContainsRoot, msg)
                    .fix("Servers need not send the root (clients use their own copy): leave it out of the chain you deploy.")
                    .about(*top.sha1()),
            );
        }
        // Intermediates fetched from AIA addresses: the bundle lacks them. (A scan's
        // --chain-dir is where the user keeps them on purpose.)
        let self_signed_top = matches!(self.chain.top, Top::SelfSigned(_));
        let borrowed: Vec<&Certificate> = self
            .chain
            .path
            .iter()
            .skip(1)
            .map(|&id| (id, pool.get(id)))
            .filter(|(id, c)| c.origin().fetched && !(self_signed_top && *id == top_id))
            .map(|(_, c)| c)
            .collect();
        let absent =
            matches!(self.chain.top, Top::IssuerAbsent { .. }) && self.missing_intermediate(top_id);
        if borrowed.is_empty() && !absent {
            return;
        }
        let mut parts: Vec<String> = borrowed
            .iter()
            .map(|c| {
                format!(
                    "The bundle lacks {}, which was fetched from {}.",
                    label(c),
                    c.origin().file
                )
            })
            .collect();
        let fix = if absent {
            parts.push(format!(
                "The path ends at {}, whose issuer \"{}\" was not supplied.",
                label(top),
                top.issuer().short()
            ));
            match top.ca_issuers().first() {
                Some(url) => format!(
                    "Add the issuer's certificate to the bundle: run again with --fetch-missing, or download it from {url} (the certificate's AIA address)."
                ),
                None => "Add the issuer's certificate to the bundle (the CA publishes it), or import it into the server's Intermediate Certification Authorities store.".to_owned(),
            }
        } else {
            "Add those certificates to the bundle after the server certificate, so that the server sends its whole chain.".to_owned()
        };
        let mut f = Finding::new(Code::ChainIncomplete, parts.join(" ")).fix(fix);
        f.certificates = borrowed.iter().map(|c| *c.sha1()).collect();
        if absent {
            f.certificates.push(*top.sha1());
        }
        self.add(f);
    }
}
