//! The rule that matters most: who issued the leaf, and whether the gateway accepts
//! that CA (directly, or through the chain under the later list), with the dates and
//! copies of the listed CA certificates.

use super::DirectIssuer;
use super::{Assessor, label};
use crate::chain::{CertId, Top, Verification};
use crate::model::date::format_day as date;
use crate::model::{Certificate, Validity};
use crate::policy::allowlist::{Identity, Issuance, MatchedBy, Standing};
use crate::policy::finding::{Code, Finding};

impl Assessor<'_> {
    /// A certificate carrying a listed CA's name with another key is an impostor, unless
    /// the listed key signed it: then it is the CA's own new key (a key rollover), which
    /// is simply not on the list. Only the path shows who signed, so this is decided here.
    pub(super) fn key_rollovers(&self, identities: &mut [Identity]) {
        let above: Vec<Option<usize>> = identities
            .iter()
            .skip(1)
            .map(Identity::listed)
            .chain(std::iter::once(
                self.above_top.as_ref().and_then(Identity::listed),
            ))
            .collect();
        for (identity, signer) in identities.iter_mut().zip(above) {
            if let Identity::Impostor { authority, .. } = identity {
                if signer == Some(*authority) {
                    *identity = Identity::NewKey {
                        authority: *authority,
                    };
                }
            }
        }
    }

    pub(super) fn issuer_dates(&mut self, identities: &[Identity]) {
        for (depth, &id) in self.chain.path.iter().enumerate().skip(1) {
            let cert = self.cert(id);
            let when = match cert.validity_at(self.at) {
                Validity::Valid => continue,
                Validity::Expired => format!("expired on {}", date(cert.not_after())),
                Validity::NotYetValid => format!("is valid only from {}", date(cert.not_before())),
            };
            let listed = identities.get(depth).and_then(Identity::listed).is_some();
            if let Some((name, current)) = listed.then(|| self.current_copy(cert)).flatten() {
                let msg = format!(
                    "The CA certificate {} {when} (checked at {}), but it is a copy of the listed CA {name}: the allowlist knows another certificate with the same name and key, {current}, not known to be expired then. The gateway uses its own copy, so this one does not decide.",
                    label(cert),
                    date(self.at),
                );
                self.add(
                    Finding::new(Code::StaleCaCopy, msg)
                        .fix("Replace the copy in your bundle with the CA's current certificate from the vendor, so that servers and clients that build the chain from the bundle do not stop at an expired certificate.")
                        .about(*cert.sha1()),
                );
                continue;
            }
            let msg = format!(
                "The CA certificate {} {when} (checked at {}).",
                label(cert),
                date(self.at)
            );
            let finding = Finding::new(Code::IssuerExpired, msg)
                .fix("Get the CA's current certificate from the vendor; if the CA itself has expired, the certificate must be re-issued under a current CA.")
                .about(*cert.sha1());
            self.add(finding);
        }
    }

    /// Another known certificate of the listed CA `cert` is, with the same key, not
    /// known to be expired: the CA's name and "SHA-1 ... (2009-07-24 to 2029-07-24)".
    pub(super) fn current_copy(&self, cert: &Certificate) -> Option<(&str, String)> {
        let (auth, k) = self.allowlist.current_copy(cert, self.at)?;
        let thumbprint = k
            .sha1
            .map(|t| format!("SHA-1 {t}"))
            .or_else(|| k.sha256.map(|t| format!("SHA-256 {t}")))
            .unwrap_or_else(|| "a copy without a published thumbprint".to_owned());
        Some((
            auth.name.as_str(),
            format!("{thumbprint} ({})", k.validity_words()),
        ))
    }

    /// An absent direct issuer known only by name and key identifier: the allowlist's
    /// record of its certificates says whether it could have issued the leaf at all, and
    /// whether it is still valid at the evaluation time. Returns whether it is expired.
    pub(super) fn absent_issuer_dates(
        &mut self,
        leaf: &Certificate,
        direct: &DirectIssuer,
    ) -> bool {
        let DirectIssuer::Absent {
            identity: Identity::Listed { authority, .. },
            ..
        } = direct
        else {
            return false;
        };
        let auth = self.allowlist.authority(*authority);
        let Some(last) = auth.last_valid() else {
            return false;
        };
        let msg = if last < leaf.not_before() {
            format!(
                "{} names {} as its issuer, but every known certificate of that CA had expired by {}, before this certificate's validity began on {}: that CA cannot have issued it.",
                label(leaf),
                auth.name,
                date(last),
                date(leaf.not_before())
            )
        } else if auth.valid_at(self.at) == Some(false) {
            format!(
                "{} was issued by {}, but every known certificate of that CA had expired by {} (checked at {}).",
                label(leaf),
                auth.name,
                date(last),
                date(self.at)
            )
        } else {
            return false;
        };
        self.add(
            Finding::new(Code::IssuerExpired, msg)
                .fix(self.buy_from_accepted())
                .about(*leaf.sha1()),
        );
        true
    }

    pub(super) fn direct_issuer(
        &self,
        leaf: &Certificate,
        identities: &[Identity],
    ) -> DirectIssuer {
        if let Some(&issuer) = self.chain.path.get(1) {
            return DirectIssuer::InInput {
                cert: issuer,
                identity: identities
                    .get(1)
                    .cloned()
                    .unwrap_or_else(|| self.allowlist.identify(self.cert(issuer))),
            };
        }
        match self.chain.top {
            Top::SelfSigned(_) => DirectIssuer::SelfSigned,
            Top::IssuerAbsent { .. } | Top::Loop { .. } => DirectIssuer::Absent {
                name: leaf.issuer().clone(),
                key_id: leaf.aki().cloned(),
                identity: self
                    .above_top
                    .clone()
                    .unwrap_or_else(|| self.allowlist.identify_issuer_of(leaf)),
            },
            Top::SignatureInvalid { .. } | Top::Truncated(_) => DirectIssuer::Unproven,
        }
    }

    /// The direct issuer is a listed CA: accepted unless its standing refuses it on
    /// the evaluation day; notes when it joined the list late, or when its signature
    /// could not be checked.
    fn listed_issuer(
        &mut self,
        leaf: &Certificate,
        (authority, by): (usize, MatchedBy),
        identities: &[Identity],
        issuer_label: &dyn Fn() -> String,
        with_issuer: &dyn Fn(Finding) -> Finding,
    ) -> bool {
        let auth = self.allowlist.authority(authority);
        let name = auth.name.clone();
        let refused = match auth.standing(self.at) {
            Standing::Accepted => None,
            Standing::Requested => Some((
                Code::IssuerPending,
                "whose acceptance was requested from Microsoft but never confirmed".to_owned(),
            )),
            Standing::Removed => Some((
                Code::IssuerRemoved,
                "which the MFG no longer accepts".to_owned(),
            )),
            Standing::Ended(until) => Some((
                Code::IssuerRemoved,
                format!("which the MFG accepted only until {until}"),
            )),
            Standing::NotYet(since) => {
                // Not on the list yet at this time: exactly an unlisted issuer.
                let note = format!("{name} is accepted only from {since}.");
                let retry = format!("Or retry on or after {since}.");
                return self.unlisted_direct_issuer(
                    leaf,
                    &issuer_label(),
                    identities,
                    Some((&note, &retry)),
                );
            }
        };
        if let Some((code, why)) = refused {
            let msg = format!("{} was issued by {name}, {why}.", label(leaf));
            self.add(with_issuer(
                Finding::new(code, msg).fix(self.buy_from_accepted()),
            ));
            return false;
        }
        if let Some(added) = &auth.added {
            let msg = format!(
                "{} was issued by {name}, which the MFG accepts but added to its list later ({added}). Until then New-FederationTrust refused its certificates with \"The request failed with HTTP status 403: Forbidden\".",
                label(leaf)
            );
            self.add(with_issuer(Finding::new(Code::IssuerAddedLater, msg)).fix(
                "If New-FederationTrust failed with HTTP 403 for this certificate before, retry it now: nothing in the certificate needs to change.",
            ));
        }
        if by == MatchedBy::IssuerNameAndKeyId {
            let msg = format!(
                "The issuer certificate is not in the input: {name} was recognised by the leaf's issuer name and Authority Key Identifier, but the leaf's signature could not be checked."
            );
            self.add(
                with_issuer(Finding::new(Code::IssuerSignatureUnverified, msg))
                    .fix("Add the issuer's certificate (the CA's intermediate .cer) to the input.")
                    .command("mfgcheck check cert.cer intermediate.cer"),
            );
        }
        true
    }

    /// The heart of the check. Returns whether the direct issuer is accepted.
    pub(super) fn issuer_standing(
        &mut self,
        leaf: &Certificate,
        direct: &DirectIssuer,
        identities: &[Identity],
    ) -> bool {
        let leaf_sha1 = *leaf.sha1();
        let pool = self.pool;
        let issuer = match direct {
            DirectIssuer::InInput { cert, .. } => Ok(pool.get(*cert)),
            DirectIssuer::Absent { name, .. } => Err(name),
            DirectIssuer::SelfSigned => {
                return self.profile.accepts_self_signed()
                    && matches!(&self.chain.top, Top::SelfSigned(v) if v.is_genuine());
            }
            DirectIssuer::Unproven => {
                if matches!(self.chain.top, Top::Truncated(_)) {
                    let msg = format!(
                        "The issuer of {} could not be found within the path-building budget.",
                        label(leaf)
                    );
                    self.add(
                        Finding::new(Code::IssuerNotAllowlisted, msg)
                            .fix(self.buy_from_accepted())
                            .about(leaf_sha1),
                    );
                }
                return false;
            }
        };
        let issuer_sha1 = issuer.ok().map(|cert| *cert.sha1());
        // Words only for a finding: an accepted issuer, the usual case, needs none.
        let issuer_label = || match issuer {
            Ok(cert) => label(cert).to_string(),
            Err(name) => format!("\"{}\" (not in the input)", name.short()),
        };
        let with_issuer = |f: Finding| match issuer_sha1 {
            Some(s) => f.about(leaf_sha1).about(s),
            None => f.about(leaf_sha1),
        };
        let Some(identity) = direct.identity() else {
            return false;
        };
        match identity {
            Identity::Listed { authority, by } => self.listed_issuer(
                leaf,
                (*authority, *by),
                identities,
                &issuer_label,
                &with_issuer,
            ),
            Identity::Impostor { .. }
                if matches!(direct, DirectIssuer::Absent { .. })
                    && self.chain.refuted_by_listed_key() =>
            {
                // signature-invalid said it: the listed key did not sign the leaf.
                false
            }
            Identity::Impostor { authority, reason } => {
                let name = &self.allowlist.authority(*authority).name;
                let msg = format!(
                    "{} carries the name of the listed CA {name}, but {reason}: it is not that CA.",
                    issuer_label()
                );
                self.add(with_issuer(Finding::new(Code::IssuerKeyMismatch, msg).fix(format!(
                    "Check where this certificate came from; a genuine certificate from {name} chains to its real key. {}",
                    self.buy_from_accepted()
                ))));
                false
            }
            Identity::NameOnly { authority } => {
                if self.chained(leaf, identities) {
                    return true;
                }
                let finding = self.unconfirmed(leaf, direct, &issuer_label(), *authority);
                self.add(with_issuer(finding));
                false
            }
            Identity::Unlisted => {
                self.unlisted_direct_issuer(leaf, &issuer_label(), identities, None)
            }
            Identity::NewKey { authority } => {
                let name = &self.allowlist.authority(*authority).name;
                let note = format!(
                    "{} is not an impostor: it carries the name of the listed CA {name} and was signed by its listed key, but it is a new key of that CA (a key rollover), and the MFG list identifies {name} by its old key only.",
                    issuer_label()
                );
                let retry = format!(
                    "Or ask the vendor for a certificate issued by the listed key of {name}."
                );
                self.unlisted_direct_issuer(
                    leaf,
                    &issuer_label(),
                    identities,
                    Some((&note, &retry)),
                )
            }
        }
    }

    /// The direct issuer carries a listed CA's name, but nothing available ties it to the
    /// listed key: `issuer-unconfirmed`, whose fix asks for the missing evidence, never
    /// for a new certificate.
    pub(super) fn unconfirmed(
        &self,
        leaf: &Certificate,
        direct: &DirectIssuer,
        issuer_label: &str,
        authority: usize,
    ) -> Finding {
        let auth = self.allowlist.authority(authority);
        let name = &auth.name;
        let allowlist_fix = (
            format!(
                "Ask the vendor for the CA certificate that signs its certificates and confirm with Microsoft that it is the CA listed as {name}; then add its thumbprint or key (sha1, spki_sha256, ski) to your own allowlist and check with --allowlist FILE. The first command shows the list's entry."
            ),
            vec![
                format!("mfgcheck allowlist show \"{name}\""),
                "mfgcheck check cert.cer --allowlist my-allowlist.yaml".to_owned(),
            ],
        );
        let add_issuer = (
            "Add the issuer's certificate (the CA's intermediate .cer the vendor sent, or the one in the vendor's bundle) to the input.".to_owned(),
            vec!["mfgcheck check cert.cer intermediate.cer".to_owned()],
        );
        let (why, fix) = match direct {
            _ if !auth.has_identity() => (
                "but the allowlist in use has no thumbprint or key for that CA, so nothing can confirm it is the CA Microsoft listed".to_owned(),
                allowlist_fix,
            ),
            DirectIssuer::Absent { key_id: None, .. } => (
                "but the issuer certificate is not in the input and the certificate has no Authority Key Identifier, so nothing ties it to the listed key".to_owned(),
                add_issuer,
            ),
            DirectIssuer::Absent { .. } => (
                "but the issuer certificate is not in the input and the allowlist lists no key identifier for that CA to compare the Authority Key Identifier with".to_owned(),
                add_issuer,
            ),
            _ => (
                "but its thumbprint is not listed and the allowlist has no key to compare it with".to_owned(),
                allowlist_fix,
            ),
        };
        let msg = format!(
            "{} was issued by {issuer_label}, named like the listed CA {name}, {why}: mfgcheck cannot tell whether the MFG will accept it.",
            label(leaf)
        );
        let (fix, commands) = fix;
        let mut finding = Finding::new(Code::IssuerUnconfirmed, msg).fix(fix);
        finding.commands = commands;
        finding
    }

    /// [`Assessor::above_top`] when the path holds an intermediate (the leaf's own absent
    /// issuer is the direct issuer, judged on its own).
    pub(super) fn above_intermediates(&self) -> Option<&Identity> {
        self.above_top
            .as_ref()
            .filter(|_| self.chain.path.len() >= 2)
    }

    /// The first authority accepted at the evaluation time above the direct issuer, the
    /// certificates in between, and whether it was known only by name and key identifier
    /// (its certificate absent).
    pub(super) fn accepted_above(
        &self,
        identities: &[Identity],
    ) -> Option<(usize, Vec<CertId>, bool)> {
        let path = &self.chain.path;
        let accepted_listed =
            |identity: &Identity| self.allowlist.accepted_authority(identity, self.at);
        identities
            .iter()
            .enumerate()
            .skip(2)
            .find_map(|(j, id)| {
                accepted_listed(id).map(|a| (a, path.get(1..j).unwrap_or_default().to_vec(), false))
            })
            .or_else(|| {
                accepted_listed(self.above_intermediates()?)
                    .map(|a| (a, path.get(1..).unwrap_or_default().to_vec(), true))
            })
    }

    /// Under `issuance: chain`, a listed root above is enough: accepted, with the
    /// warning that the RTM gateway refused exactly this. Returns whether it applied.
    pub(super) fn chained(&mut self, leaf: &Certificate, identities: &[Identity]) -> bool {
        if self.allowlist.issuance() != Issuance::Chain {
            return false;
        }
        let Some((authority, between, absent)) = self.accepted_above(identities) else {
            return false;
        };
        let name = &self.allowlist.authority(authority).name;
        let names: Vec<String> = between
            .iter()
            .map(|&id| label(self.cert(id)).to_string())
            .collect();
        let how = if absent {
            " (the root's certificate is not in the input: it was recognised by name and key identifier)"
        } else {
            ""
        };
        let msg = format!(
            "{} chains to {name}, a root of the later list{how}, through {}.{} The later list names roots, so this is accepted; but the Exchange 2010 RTM gateway accepted only certificates issued directly by a listed CA and refused such chains with HTTP 403.",
            label(leaf),
            names.join(" and "),
            self.unproven_links(between.len() + 1),
        );
        let mut f = Finding::new(Code::ChainedIssuer, msg)
            .fix("If New-FederationTrust still fails with \"HTTP status 403: Forbidden\", use the self-signed certificate of the New Federation Trust wizard (Exchange 2010 SP2 and later), which the gateway accepts.")
            .about(*leaf.sha1());
        f.certificates
            .extend(between.iter().map(|&id| *self.cert(id).sha1()));
        self.add(f);
        true
    }

    /// The links among the first `upto` of the path (each certificate to its issuer)
    /// whose signature was not verified, as a sentence that starts with a space; empty
    /// when every one was. A claim about the path above the leaf rests on its links, so
    /// it says which of them are not proven.
    pub(super) fn unproven_links(&self, upto: usize) -> String {
        let chain = self.chain;
        let unproven: Vec<String> = chain
            .signatures
            .iter()
            .zip(chain.path.windows(2))
            .take(upto)
            .filter_map(|(v, pair)| match (v, pair) {
                (Verification::Unsupported(alg), [child, issuer]) => Some(format!(
                    "{} by {} ({alg})",
                    label(self.cert(*child)),
                    label(self.cert(*issuer))
                )),
                _ => None,
            })
            .collect();
        if unproven.is_empty() {
            String::new()
        } else {
            format!(
                " The signature on {} was not verified, so that link is not proven.",
                unproven.join(" and on ")
            )
        }
    }

    /// Under `issuance: chain`, no accepted root above, but one named like an entry the
    /// list cannot confirm: evidence is missing, so `issuer-unconfirmed`.
    pub(super) fn unconfirmed_above(
        &mut self,
        leaf: &Certificate,
        identities: &[Identity],
    ) -> bool {
        if self.allowlist.issuance() != Issuance::Chain {
            return false;
        }
        let path = &self.chain.path;
        let named = identities
            .iter()
            .enumerate()
            .skip(2)
            .find_map(|(j, id)| match id {
                Identity::NameOnly { authority } => Some((*authority, path.get(j).copied())),
                _ => None,
            })
            .or_else(|| match self.above_intermediates()? {
                Identity::NameOnly { authority } => Some((*authority, None)),
                _ => None,
            });
        let Some((authority, cert)) = named else {
            return self.chain_stops_early(leaf);
        };
        let auth = self.allowlist.authority(authority);
        let root = cert.map_or_else(
            || format!("\"{}\" (not in the input)", auth.subject.short()),
            |id| label(self.cert(id)).to_string(),
        );
        let msg = format!(
            "{} chains to {root}, named like the listed {}, but the list has no identity for that entry (its row names no single certificate): mfgcheck cannot tell whether the MFG will accept it.",
            label(leaf),
            auth.name
        );
        self.add(
            Finding::new(Code::IssuerUnconfirmed, msg)
                .fix(format!("Confirm which root Microsoft means by \"{}\" and add its thumbprint or key to your own allowlist (--allowlist FILE, issuance: chain); or use the self-signed certificate of the New Federation Trust wizard.", auth.name))
                .about(*leaf.sha1()),
        );
        true
    }

    /// Under `issuance: chain`, a chain that stops at an absent issuer the list does not
    /// know may still end at a listed root: the missing certificates decide, so it is
    /// undetermined, not rejected.
    pub(super) fn chain_stops_early(&mut self, leaf: &Certificate) -> bool {
        let Some(&top) = self.chain.path.last() else {
            return false;
        };
        if !matches!(self.chain.top, Top::IssuerAbsent { .. }) {
            return false;
        }
        let top = self.cert(top);
        let msg = format!(
            "The chain of {} stops at {}, whose issuer \"{}\" is not in the input and not on the list. The later list names roots, so mfgcheck cannot tell whether the chain ends at one of them.",
            label(leaf),
            label(top),
            top.issuer().short()
        );
        self.add(
            Finding::new(Code::IssuerUnconfirmed, msg)
                .fix("Add the rest of the chain (the vendor's intermediate and root certificates, or its .p7b bundle) to the input.")
                .command("mfgcheck check cert.cer bundle.p7b")
                .about(*leaf.sha1())
                .about(*top.sha1()),
        );
        true
    }

    /// The direct issuer is not listed (at the evaluation time): is a listed CA above
    /// it (the 403 case)? `note` adds a sentence to the message and one to the fix.
    /// Returns whether the certificate is accepted all the same (`issuance: chain`).
    pub(super) fn unlisted_direct_issuer(
        &mut self,
        leaf: &Certificate,
        issuer_label: &str,
        identities: &[Identity],
        note: Option<(&str, &str)>,
    ) -> bool {
        if self.chained(leaf, identities) {
            return true;
        }
        if self.unconfirmed_above(leaf, identities) {
            return false;
        }
        let path = &self.chain.path;
        let above = self.accepted_above(identities);
        let mut f = match above {
            Some((authority, between, _)) => {
                let name = &self.allowlist.authority(authority).name;
                let names: Vec<String> = between
                    .iter()
                    .map(|&id| label(self.cert(id)).to_string())
                    .collect();
                let msg = format!(
                    "{} chains to the listed CA {name}, but only through {} {}, which {} not on the list.{} \
                     The MFG accepts only certificates issued directly by a listed CA, so New-FederationTrust will fail with \
                     \"The request failed with HTTP status 403: Forbidden\".",
                    label(leaf),
                    if names.len() == 1 {
                        "the intermediate"
                    } else {
                        "the intermediates"
                    },
                    names.join(" and "),
                    if names.len() == 1 { "is" } else { "are" },
                    self.unproven_links(between.len() + 1),
                );
                let fix = format!(
                    "{} Or open a case with Microsoft asking them to accept {} as an issuer, as they did for USERTrust Legacy Secure Server CA.",
                    self.buy_from_accepted(),
                    names.first().map_or(issuer_label, String::as_str),
                );
                let mut f = Finding::new(Code::IndirectIssuer, msg)
                    .fix(fix)
                    .about(*leaf.sha1());
                f.certificates
                    .extend(between.iter().map(|&id| *self.cert(id).sha1()));
                f
            }
            None => {
                // Above an absent issuer nothing can be seen: say what is known only.
                let msg = if matches!(self.chain.top, Top::IssuerAbsent { .. }) {
                    format!(
                        "{} was issued by {issuer_label}, which is not on the MFG list; what is above it was not supplied.",
                        label(leaf)
                    )
                } else {
                    format!(
                        "{} was issued by {issuer_label}, which is not on the MFG list, and no listed CA is above it.",
                        label(leaf)
                    )
                };
                Finding::new(Code::IssuerNotAllowlisted, msg)
                    .fix(self.buy_from_accepted())
                    .about(*leaf.sha1())
            }
        };
        if let Some((message, fix)) = note {
            f.message = format!("{} {message}", f.message);
            f.fix = f.fix.map(|x| format!("{x} {fix}").into());
        }
        if let Some(&issuer) = path.get(1) {
            if !f.certificates.contains(self.cert(issuer).sha1()) {
                f.certificates.push(*self.cert(issuer).sha1());
            }
        }
        self.add(f);
        false
    }

    /// Same-name-different-key CAs above the direct issuer, and an absent top issuer
    /// whose key identifier contradicts the listed one.
    pub(super) fn impostors_above(&mut self, identities: &[Identity]) {
        let path = &self.chain.path;
        let mut found: Vec<(CertId, usize, String)> = identities
            .iter()
            .enumerate()
            .skip(2)
            .filter_map(|(j, id)| match id {
                Identity::Impostor { authority, reason } => {
                    Some((*path.get(j)?, *authority, reason.clone()))
                }
                _ => None,
            })
            .collect();
        if let (Some(Identity::Impostor { authority, reason }), Some(&top)) =
            (self.above_intermediates(), path.last())
        {
            found.push((top, *authority, reason.clone()));
        }
        for (id, authority, reason) in found {
            let cert = self.cert(id);
            let name = &self.allowlist.authority(authority).name;
            let msg = format!(
                "{} on the path carries the name of the listed CA {name}, but {reason}.",
                label(cert)
            );
            let f = Finding::new(Code::IssuerKeyMismatch, msg)
                .fix("Remove this certificate and use the CA certificates published by the vendor.")
                .about(*cert.sha1());
            self.add(f);
        }
    }
}
