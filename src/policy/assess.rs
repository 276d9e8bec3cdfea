//! The MFG verdict: the federation certificate requirements applied to a built chain.
//!
//! The rule that matters most is the one Technet did not document: the MFG accepts a
//! certificate only when its *direct* issuer is on the list. A chain that validates
//! to a listed root through an unlisted intermediate is refused with HTTP 403.

use std::fmt;

use time::{Duration, OffsetDateTime};

use super::allowlist::{Allowlist, Identity, Issuance, Kind, MatchedBy, Standing};
use super::finding::{Code, Finding, Severity};
use super::{advice, crowd};
use crate::chain::{CertId, Chain, Exhausted, Flaw, Pool, Top, Verification};
use crate::load::Format;
use crate::model::date::format_day as date;
use crate::model::{
    Certificate, DistinguishedName, KeyAlgorithm, KeyId, KeyMatch, KeyRing, ProviderKind, Validity,
};

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

/// Which Exchange release's federation rules apply. They differ in one point: from
/// Exchange 2010 SP2 on, the self-signed certificate the New Federation Trust wizard
/// makes is accepted; before, only certificates issued directly by a listed CA were.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Profile {
    /// Exchange 2010 RTM: issued directly by a CA on the list.
    #[default]
    Exchange2010,
    /// Exchange 2010 SP2 and later: also the wizard's self-signed certificate.
    Exchange2010Sp2,
}

impl Profile {
    /// The name `--profile` takes.
    pub fn name(self) -> &'static str {
        match self {
            Self::Exchange2010 => "exchange2010",
            Self::Exchange2010Sp2 => "exchange2010-sp2",
        }
    }

    /// What the profile fits and accepts, for reports.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Exchange2010 => "Exchange 2010 RTM rules, issued directly by a listed CA",
            Self::Exchange2010Sp2 => {
                "Exchange 2010 SP2 and later, issued by a CA of the list in use or self-signed by the New Federation Trust wizard"
            }
        }
    }

    /// Whether a self-signed federation certificate can be accepted.
    pub fn accepts_self_signed(self) -> bool {
        self == Self::Exchange2010Sp2
    }
}

/// Will the MFG accept the certificate?
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Accepted,
    Rejected,
    /// The input lacks the evidence to decide: the issuer is named like a listed CA
    /// but nothing ties it to the listed key. Not a rejection: the certificate may be
    /// fine, and buying a new one because a file is missing would be wrong advice.
    Undetermined,
}

impl Verdict {
    /// The word reports print: `accepted`, `rejected` or `undetermined`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Undetermined => "undetermined",
        }
    }
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

/// The private key of the checked certificate, when a PKCS#12 input could hold it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyStatus {
    /// `KeyRing::keys[index]` is the leaf's key.
    Held { index: usize, by: KeyMatch },
    /// A PKCS#12 file was given, but no key in it belongs to the leaf.
    Missing,
}

/// The result of applying the policy.
#[derive(Clone, Debug)]
pub struct Assessment {
    pub verdict: Verdict,
    pub profile: Profile,
    /// What to do next, most important first; for every verdict.
    pub next_steps: Vec<String>,
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
    source: std::cell::OnceCell<std::sync::Arc<advice::Source>>,
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

    fn source(&self) -> &advice::Source {
        self.source
            .get_or_init(|| advice::source_for(self.allowlist, self.at))
    }

    fn leaf_requirements(&mut self, leaf: &Certificate, warn_days: u32) {
        let sha1 = *leaf.sha1();
        let at = self.at;
        if leaf.is_ca() {
            self.add(
                Finding::new(
                    Code::CaCertificate,
                    format!("{} is a CA certificate (basic constraints CA=TRUE), not a server certificate.", label(leaf)),
                )
                .fix("Check the server's own certificate (the end-entity one): give it alone, or pick it with --leaf THUMBPRINT.")
                .about(sha1),
            );
        }
        if let (1, Top::SelfSigned(v)) = (self.chain.path.len(), &self.chain.top) {
            if !self.profile.accepts_self_signed() {
                self.add(
                    Finding::new(
                        Code::SelfSigned,
                        format!("{} is self-signed; under the Exchange 2010 RTM rules the MFG accepts only certificates issued by a listed CA.", label(leaf)),
                    )
                    .fix(format!("{} If the servers run Exchange 2010 SP2 or later, check it with --profile exchange2010-sp2.", self.buy_from_accepted()))
                    .about(sha1),
                );
            } else {
                match v {
                    Verification::Invalid => self.add(
                        Finding::new(Code::SignatureInvalid, format!("The self-signature of {} does not verify: the certificate is damaged or altered.", label(leaf)))
                            .fix("Create the federation certificate again with the New Federation Trust wizard or New-ExchangeCertificate.")
                            .about(sha1),
                    ),
                    Verification::Unsupported(alg) => self.add(
                        Finding::new(Code::UnsupportedSignature, format!("The self-signature of {} uses {alg}, which mfgcheck cannot verify.", label(leaf)))
                            .fix("Create the federation certificate again with the New Federation Trust wizard (it signs with RSA).")
                            .about(sha1),
                    ),
                    Verification::Valid | Verification::Weak(_) => {}
                }
            }
        }
        if leaf.ski().is_none() {
            self.add(
                Finding::new(
                    Code::MissingSki,
                    format!("{} has no Subject Key Identifier extension; the MFG requires one.", label(leaf)),
                )
                .fix("Request a new certificate that carries the Subject Key Identifier extension (New-ExchangeCertificate requests and most commercial CAs include it).")
                .about(sha1),
            );
        }
        match leaf.public_key().algorithm() {
            KeyAlgorithm::Rsa { bits } if *bits < 2048 => self.add(
                Finding::new(Code::WeakKey, format!("{} has a {bits}-bit RSA key; 2048 bits is the minimum CAs issue today.", label(leaf)))
                    .fix("Create a new request with a 2048-bit key: New-ExchangeCertificate -GenerateRequest -KeySize 2048 ...")
                    .about(sha1),
            ),
            KeyAlgorithm::Rsa { .. } => {}
            other => self.add(
                Finding::new(Code::NotRsa, format!("{} has an {other} key; the MFG requires RSA.", label(leaf)))
                    .fix("Create a new request with an RSA key through a CryptoAPI provider: New-ExchangeCertificate -GenerateRequest -KeySize 2048 ...")
                    .about(sha1),
            ),
        }
        match leaf.validity_at(at) {
            Validity::Expired => self.add(
                Finding::new(Code::Expired, format!("{} expired on {} (checked at {}).", label(leaf), date(leaf.not_after()), date(at)))
                    .fix("Renew the certificate with the CA and check the renewed one.")
                    .about(sha1),
            ),
            Validity::NotYetValid => self.add(
                Finding::new(Code::NotYetValid, format!("{} is valid only from {} (checked at {}).", label(leaf), date(leaf.not_before()), date(at)))
                    .fix("Wait until the certificate is valid, or check the clock of the machine that issued or checks it.")
                    .about(sha1),
            ),
            Validity::Valid => {
                let left = leaf.not_after() - at;
                if left < Duration::days(i64::from(warn_days)) {
                    self.add(
                        Finding::new(
                            Code::ExpiresSoon,
                            format!("{} expires on {}, in {} days.", label(leaf), date(leaf.not_after()), left.whole_days()),
                        )
                        .fix("Renew it before then, and move the federation trust to the new certificate: Set-FederationTrust -Identity \"Microsoft Federation Gateway\" -Thumbprint <new thumbprint>, then Set-FederationTrust -Identity \"Microsoft Federation Gateway\" -PublishFederationCertificate.")
                        .about(sha1),
                    );
                }
            }
        }
    }

    /// Only a PFX carries the key, so only a PFX can show it missing or kept by the
    /// wrong kind of provider.
    fn private_key(&mut self, leaf: &Certificate, keys: &KeyRing) -> Option<KeyStatus> {
        if keys.pkcs12_files.is_empty() {
            return None;
        }
        let sha1 = *leaf.sha1();
        let held = keys
            .keys
            .iter()
            .enumerate()
            .find_map(|(index, k)| k.pairs_with(leaf).map(|by| (index, by)));
        let Some((index, by)) = held else {
            let files = keys.pkcs12_files.join(", ");
            let export = "Export the certificate again with its private key, from the server where the request was made (Export-ExchangeCertificate -Thumbprint <thumbprint> -BinaryEncoded -Password (Get-Credential).Password, or the Certificates console: \"Yes, export the private key\"), and check that PFX; or, on that server, complete the request with Import-ExchangeCertificate and use the certificate there.";
            let finding = if keys.keys.is_empty() {
                Finding::new(
                    Code::NoPrivateKey,
                    format!(
                        "{files} holds no private key: imported, it gives the server {} without its key, and New-FederationTrust cannot use a certificate without its private key.",
                        label(leaf)
                    ),
                )
            } else {
                let others: Vec<String> = keys
                    .keys
                    .iter()
                    .map(|k| {
                        let owner = self
                            .pool
                            .iter()
                            .find(|(_, c)| k.pairs_with(c).is_some())
                            .map_or_else(
                                || " (a certificate not in the input)".to_owned(),
                                |(_, c)| format!(" (the key of {})", label(c)),
                            );
                        format!("{}{owner}", k.file())
                    })
                    .collect();
                Finding::new(
                    Code::PrivateKeyMismatch,
                    format!(
                        "The private key in {} does not belong to {}: New-FederationTrust needs that certificate's own key on the server.",
                        others.join(", "),
                        label(leaf)
                    ),
                )
            };
            self.add(finding.fix(export).about(sha1));
            return Some(KeyStatus::Missing);
        };
        // Every copy of the key is judged, not the first found: two exports of one
        // certificate may name different providers, and the order of the files given
        // must not decide whether the CNG one is seen.
        let cng: Vec<(&str, &str)> = keys
            .keys
            .iter()
            .filter(|k| k.pairs_with(leaf).is_some())
            .filter_map(|k| {
                let p = k.provider()?;
                (p.kind == ProviderKind::Cng).then_some((k.file(), p.name.as_str()))
            })
            .collect();
        if let Some(&(file, _)) = cng.first() {
            let each: Vec<String> = cng
                .iter()
                .map(|(file, name)| format!("\"{name}\" in {file}"))
                .collect();
            let msg = format!(
                "The private key of {} is kept by a CNG key storage provider ({}); Exchange 2010 federation can use only a key in a CryptoAPI CSP.",
                label(leaf),
                each.join(", ")
            );
            self.add(
                Finding::new(Code::CngKeyProvider, msg)
                    .fix(format!("Re-create the request with a CryptoAPI CSP (the Exchange certificate wizard, or New-ExchangeCertificate -GenerateRequest -KeySize 2048 ...) and have it re-issued, or re-import this key into a CryptoAPI CSP: certutil -csp \"Microsoft RSA SChannel Cryptographic Provider\" -importpfx {file}"))
                    .about(sha1),
            );
        }
        Some(KeyStatus::Held { index, by })
    }

    fn signatures(&mut self) {
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
    fn path_flaws(&mut self) {
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

    /// A certificate carrying a listed CA's name with another key is an impostor, unless
    /// the listed key signed it: then it is the CA's own new key (a key rollover), which
    /// is simply not on the list. Only the path shows who signed, so this is decided here.
    fn key_rollovers(&self, identities: &mut [Identity]) {
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

    fn issuer_dates(&mut self, identities: &[Identity]) {
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
    fn current_copy(&self, cert: &Certificate) -> Option<(&str, String)> {
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
    fn absent_issuer_dates(&mut self, leaf: &Certificate, direct: &DirectIssuer) -> bool {
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

    fn direct_issuer(&self, leaf: &Certificate, identities: &[Identity]) -> DirectIssuer {
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

    /// The heart of the check. Returns whether the direct issuer is accepted.
    fn issuer_standing(
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
            Identity::Listed { authority, by } => {
                let auth = self.allowlist.authority(*authority);
                let name = auth.name.clone();
                let refused = match auth.standing(self.at) {
                    Standing::Accepted => None,
                    Standing::Requested => Some((
                        Code::IssuerPending,
                        "whose acceptance was requested from Microsoft but never confirmed"
                            .to_owned(),
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
                if *by == MatchedBy::IssuerNameAndKeyId {
                    let msg = format!(
                        "The issuer certificate is not in the input: {name} was recognised by the leaf's issuer name and Authority Key Identifier, but the leaf's signature could not be checked."
                    );
                    self.add(
                        with_issuer(Finding::new(Code::IssuerSignatureUnverified, msg))
                            .fix("Add the issuer's certificate (the CA's intermediate .cer) to the input: mfgcheck check cert.cer intermediate.cer"),
                    );
                }
                true
            }
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
    fn unconfirmed(
        &self,
        leaf: &Certificate,
        direct: &DirectIssuer,
        issuer_label: &str,
        authority: usize,
    ) -> Finding {
        let auth = self.allowlist.authority(authority);
        let name = &auth.name;
        let allowlist_fix = format!(
            "Ask the vendor for the CA certificate that signs its certificates and confirm with Microsoft that it is the CA listed as {name}; then add its thumbprint or key (sha1, spki_sha256, ski) to your own allowlist and check with --allowlist FILE (mfgcheck allowlist show \"{name}\" shows the entry)."
        );
        let add_issuer = "Add the issuer's certificate (the CA's intermediate .cer the vendor sent, or the one in the vendor's bundle) to the input: mfgcheck check cert.cer intermediate.cer".to_owned();
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
        Finding::new(Code::IssuerUnconfirmed, msg).fix(fix)
    }

    /// [`Assessor::above_top`] when the path holds an intermediate (the leaf's own absent
    /// issuer is the direct issuer, judged on its own).
    fn above_intermediates(&self) -> Option<&Identity> {
        self.above_top
            .as_ref()
            .filter(|_| self.chain.path.len() >= 2)
    }

    /// The first authority accepted at the evaluation time above the direct issuer, the
    /// certificates in between, and whether it was known only by name and key identifier
    /// (its certificate absent).
    fn accepted_above(&self, identities: &[Identity]) -> Option<(usize, Vec<CertId>, bool)> {
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
    fn chained(&mut self, leaf: &Certificate, identities: &[Identity]) -> bool {
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
    fn unproven_links(&self, upto: usize) -> String {
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
    fn unconfirmed_above(&mut self, leaf: &Certificate, identities: &[Identity]) -> bool {
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
    fn chain_stops_early(&mut self, leaf: &Certificate) -> bool {
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
                .fix("Add the rest of the chain (the vendor's intermediate and root certificates, or its .p7b bundle) to the input: mfgcheck check cert.cer bundle.p7b")
                .about(*leaf.sha1())
                .about(*top.sha1()),
        );
        true
    }

    /// The direct issuer is not listed (at the evaluation time): is a listed CA above
    /// it (the 403 case)? `note` adds a sentence to the message and one to the fix.
    /// Returns whether the certificate is accepted all the same (`issuance: chain`).
    fn unlisted_direct_issuer(
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
    fn impostors_above(&mut self, identities: &[Identity]) {
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

    fn bundle_hygiene(&mut self) {
        let pool = self.pool;
        // Duplicates are one finding, however many: a system bundle given twice is one
        // mistake, not 150.
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
                    let list = if n > crowd::NAMED {
                        crowd::copies_by_file(dups.iter().map(|d| {
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
        // Another copy of a path member (same subject and key: re-issued, or
        // cross-signed) is explained by the path, not unrelated to it.
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
                n if n > crowd::NAMED => {
                    let certs: Vec<&Certificate> = copies.iter().map(|(c, _)| *c).collect();
                    format!(
                        "{n} certificates are other copies (same subject and key) of certificates on the path, {}. The path uses the copies shown in the chain.",
                        crowd::described(&certs)
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
        if !unused.is_empty() {
            let msg = match unused.len() {
                // A system bundle beside the leaf: the file to drop, and a few names
                // (every thumbprint is in the finding's certificates).
                n if n > crowd::NAMED => format!(
                    "{n} certificates are not on the checked certificate's path, {}.",
                    crowd::described(&unused)
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
        self.chain_ends();
        // Leaf first within each file: path positions must rise with file positions.
        // PKCS#7 keeps certificates in a SET, which has no order to get wrong, and a
        // PFX import files each certificate into its store whatever the order.
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
    fn missing_intermediate(&self, top: CertId) -> bool {
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
    fn chain_ends(&mut self) {
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
