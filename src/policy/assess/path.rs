//! The rules on the path: signatures that could not be verified, and the flaws that
//! make a path invalid (issuers that are not CAs, constraints, critical extensions).

use super::{Assessor, label};
use crate::chain::{Exhausted, Flaw, Top, Verification};
use crate::policy::finding::{Code, Finding};

impl Assessor<'_> {
    pub(super) fn signatures(&mut self) {
        let chain = self.chain;
        for (i, (v, pair)) in chain
            .signatures
            .iter()
            .zip(chain.path.windows(2))
            .enumerate()
        {
            let [child, issuer] = pair else { continue };
            let (child, issuer) = (self.cert(*child), self.cert(*issuer));
            let (child_sha1, issuer_sha1) = (*child.sha1(), *issuer.sha1());
            match v {
                Verification::Weak(w) => {
                    let fix = if i == 0 {
                        "Ask the CA to re-issue the certificate signed with sha256RSA."
                    } else {
                        "Informational for CA certificates of that era; prefer a chain signed with SHA-256 by 2048-bit keys."
                    };
                    let msg = format!(
                        "The signature on {} by {} is genuine but weak: {} ({}).",
                        label(child),
                        label(issuer),
                        w,
                        child.signature_algorithm()
                    );
                    self.add(
                        Finding::new(Code::WeakSignature, msg)
                            .fix(fix)
                            .about(child_sha1)
                            .about(issuer_sha1),
                    );
                }
                Verification::Unsupported(alg) => {
                    let msg = format!(
                        "The signature on {} uses {alg}, which mfgcheck cannot verify, so {} is not proven to be its issuer.",
                        label(child),
                        label(issuer)
                    );
                    self.add(
                        Finding::new(Code::UnsupportedSignature, msg)
                            .fix("Ask the CA for a certificate signed with sha256RSA.")
                            .about(child_sha1)
                            .about(issuer_sha1),
                    );
                }
                Verification::Valid | Verification::Invalid => {}
            }
        }
        self.path_end();
    }

    /// How the path ends, when that is a signature that fails, a budget spent, or a
    /// listed key that refutes the certificate naming its CA.
    fn path_end(&mut self) {
        let chain = self.chain;
        let Some(&top_id) = chain.path.last() else {
            return;
        };
        let top = self.cert(top_id);
        match &chain.top {
            Top::SignatureInvalid { candidate } => {
                let cand = self.cert(*candidate);
                let how = if top.key_ids_match(cand) {
                    "name and key identifier"
                } else {
                    "name"
                };
                let msg = format!(
                    "The signature on {} does not verify with the key of {}, which matches its issuer by {how}.",
                    label(top),
                    label(cand)
                );
                self.add(
                    Finding::new(Code::SignatureInvalid, msg)
                        .fix("The certificate is damaged or altered, or that CA certificate is not its real issuer: download both again from the CA.")
                        .about(*top.sha1())
                        .about(*cand.sha1()),
                );
            }
            Top::Truncated(why) => {
                let what = match why {
                    Exhausted::SignatureChecks => {
                        format!("its {} signature checks", chain.signature_checks)
                    }
                    Exhausted::Depth => "the depth limit".to_owned(),
                    Exhausted::Steps => "its step limit".to_owned(),
                };
                let msg = format!(
                    "Path building stopped at {what} after {}; the path shown is the best found.",
                    label(top)
                );
                self.add(
                    Finding::new(Code::PathBudgetExceeded, msg)
                        .fix("Give only the certificate and its own chain, without unrelated or cross-signed CA certificates.")
                        .about(*top.sha1()),
                );
            }
            Top::IssuerAbsent {
                listed_key: Some(Verification::Invalid),
                ..
            } => {
                let name = self
                    .allowlist
                    .keyed_issuer_of(top)
                    .map_or_else(String::new, |a| self.allowlist.authority(a).name.clone());
                let msg = format!(
                    "{} names {name} as its issuer, but its signature does not verify with the key the allowlist lists for {name}: that CA did not sign it. It is a look-alike, or damaged.",
                    label(top)
                );
                self.add(
                    Finding::new(Code::SignatureInvalid, msg)
                        .fix(format!("Do not use this certificate: one really issued by {name} verifies with its key. Ask whoever supplied it where it came from, and get one from a CA on the list."))
                        .about(*top.sha1()),
                );
            }
            Top::SelfSigned(_) | Top::IssuerAbsent { .. } | Top::Loop { .. } => {}
        }
    }

    /// What RFC 5280 path validation (and Windows) refuses on the chosen path, beyond
    /// dates and signatures: an issuer that is not a CA, a path longer than a CA's
    /// pathLenConstraint allows, and critical extensions Windows does not know (on any
    /// certificate, the leaf included). The path search chose a path with these only
    /// because no valid path exists.
    pub(super) fn path_flaws(&mut self) {
        let chain = self.chain;
        for flaw in &chain.flaws {
            match *flaw {
                Flaw::NotCa(id) => {
                    let cert = self.cert(id);
                    let why = match (cert.has_basic_constraints(), cert.key_cert_sign()) {
                        (true, Some(false)) if cert.is_ca() => "its keyUsage lacks keyCertSign",
                        (true, _) => "its basicConstraints say cA=FALSE",
                        (false, _) => {
                            "it has no basicConstraints extension (a v3 certificate is a CA only with cA=TRUE)"
                        }
                    };
                    let below = chain
                        .path
                        .iter()
                        .position(|&p| p == id)
                        .and_then(|i| i.checked_sub(1))
                        .and_then(|i| chain.path.get(i))
                        .map(|&b| label(self.cert(b)).to_string())
                        .unwrap_or_default();
                    let msg = format!(
                        "{} signed {below}, but it is not a CA certificate: {why}. Windows and RFC 5280 path validation refuse a certificate issued by it.",
                        label(cert)
                    );
                    self.add(
                        Finding::new(Code::IssuerNotCa, msg)
                            .fix("Use the CA certificates the vendor publishes (an intermediate with basicConstraints cA=TRUE); a server or user certificate cannot issue certificates.")
                            .about(*cert.sha1()),
                    );
                }
                Flaw::PathLen(id) => {
                    let cert = self.cert(id);
                    let limit = cert.path_len().unwrap_or_default();
                    let msg = format!(
                        "{} allows at most {limit} intermediate CA{} below it (pathLenConstraint), but the path has more.",
                        label(cert),
                        if limit == 1 { "" } else { "s" }
                    );
                    self.add(
                        Finding::new(Code::PathLengthExceeded, msg)
                            .fix("Windows refuses this chain: ask the vendor for a certificate issued under a CA whose constraints allow it, or for the chain it publishes.")
                            .about(*cert.sha1()),
                    );
                }
                Flaw::OutOfDate(_) | Flaw::Unverified(_) | Flaw::UnknownCritical(_) => {}
            }
        }
        for &id in &chain.path {
            let cert = self.cert(id);
            let oids = cert.unknown_critical_extensions();
            if oids.is_empty() {
                continue;
            }
            let msg = format!(
                "{} has a critical extension Windows does not know ({}); Windows refuses such a certificate.",
                label(cert),
                oids.join(", ")
            );
            let fix = if id == chain.leaf() {
                "Ask the CA to re-issue the certificate without that critical extension."
            } else {
                "Use the vendor's published CA certificates; ask the vendor for a chain without that critical extension."
            };
            self.add(
                Finding::new(Code::UnknownCriticalExtension, msg)
                    .fix(fix)
                    .about(*cert.sha1()),
            );
        }
    }
}
