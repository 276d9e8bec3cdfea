//! What to do next, after the verdict: concrete to the case, so that an admin who
//! reads only the end of the report still knows which CA to buy from, whether the
//! self-signed route is open to them, and what to give `New-FederationTrust`.

use time::OffsetDateTime;

use super::allowlist::Allowlist;
use super::assess::{KeyStatus, Profile, Verdict};
use super::finding::Code;
use crate::model::Certificate;
use crate::model::date::format_day;

/// The facts advice depends on, gathered by the assessment.
pub(super) struct Situation<'a> {
    pub verdict: Verdict,
    pub profile: Profile,
    pub leaf: &'a Certificate,
    pub self_signed: bool,
    pub issuer_accepted: bool,
    pub codes: Vec<Code>,
    pub private_key: Option<KeyStatus>,
    pub allowlist: &'a Allowlist,
    pub at: OffsetDateTime,
}

/// How the wizard's certificate is made by hand (Exchange 2010 SP1 and later).
const SELF_SIGNED_COMMAND: &str = "New-ExchangeCertificate -DomainName Federation -FriendlyName \"Exchange Delegation Federation\" -Services Federation -SubjectKeyIdentifier <32 hex digits> -PrivateKeyExportable $true";

/// Errors that a new certificate from the same source would fix, each by its own
/// finding's fix.
const CERTIFICATE_ERRORS: &[Code] = &[
    Code::MissingSki,
    Code::NotRsa,
    Code::Expired,
    Code::NotYetValid,
    Code::CaCertificate,
    Code::CngKeyProvider,
];

pub(super) fn next_steps(s: &Situation<'_>) -> Vec<String> {
    let mut steps = Vec::new();
    let thumbprint = s.leaf.sha1();
    if s.verdict == Verdict::Accepted {
        if s.private_key == Some(KeyStatus::Missing) {
            steps.push("Import this certificate on the Exchange server together with its private key (Import-ExchangeCertificate with the PFX); the file checked holds no key for it.".to_owned());
        }
        steps.push(format!(
            "Create the trust with this certificate: New-FederationTrust -Name \"Microsoft Federation Gateway\" -Thumbprint {thumbprint} (type it, or copy it from Get-ExchangeCertificate; a copy from the certificate dialog carries an invisible mark that makes the cmdlet fail)."
        ));
        return steps;
    }

    let self_signed_route = s.self_signed && s.profile.accepts_self_signed();
    if !(s.issuer_accepted || self_signed_route) {
        let names: Vec<&str> = s
            .allowlist
            .accepted_at(s.at)
            .filter(|a| a.has_identity())
            .map(|a| a.name.as_str())
            .collect();
        if names.is_empty() {
            steps.push(format!(
                "The allowlist in use ({}) accepts no CA on {}: use another allowlist, or another date with --at.",
                s.allowlist.source(),
                format_day(s.at)
            ));
        } else {
            steps.push(format!(
                "Get a certificate issued directly by one of the CAs accepted on {} ({}): {}. Ask the vendor which CA certificate will sign it: its name must be the new certificate's Issuer, not a root above an intermediate.",
                format_day(s.at),
                s.allowlist.source(),
                names.join("; ")
            ));
        }
    }

    if s.codes.iter().any(|c| CERTIFICATE_ERRORS.contains(c)) {
        steps.push("Correct each error above as its Fix says, then check the new certificate (or PFX) again with mfgcheck check.".to_owned());
    }

    match (s.profile, s.self_signed) {
        (Profile::Exchange2010, _) => steps.push(format!(
            "On Exchange 2010 SP2 or later no CA is needed: the New Federation Trust wizard creates a self-signed federation certificate the gateway accepts ({SELF_SIGNED_COMMAND}). Check such a certificate with --profile exchange2010-sp2."
        )),
        (Profile::Exchange2010Sp2, true) => steps.push(format!(
            "Or create the self-signed federation certificate again with the New Federation Trust wizard or {SELF_SIGNED_COMMAND}: it carries a Subject Key Identifier and an RSA key in a CryptoAPI provider."
        )),
        (Profile::Exchange2010Sp2, false) => steps.push(format!(
            "Alternatively, use the self-signed certificate of the New Federation Trust wizard, which this profile accepts: {SELF_SIGNED_COMMAND}."
        )),
    }

    steps.push("When a certificate passes, import it with its private key on the Exchange server and give its SHA-1 thumbprint, as Get-ExchangeCertificate prints it, to New-FederationTrust -Name \"Microsoft Federation Gateway\" -Thumbprint <thumbprint>. A thumbprint copied from the certificate dialog carries an invisible mark: mfgcheck thumbprint shows and removes it.".to_owned());
    steps
}
