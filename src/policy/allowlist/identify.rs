//! Which listed CA a certificate is, by name and key (never by a thumbprint alone),
//! and the accepted CAs as anchors of path building.

use time::OffsetDateTime;

use super::{Allowlist, IDENTITIES, Identity, MatchedBy};
use crate::chain::Anchors;
use crate::model::{Certificate, PublicKey};

impl Allowlist {
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
