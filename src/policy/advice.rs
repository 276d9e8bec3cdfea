//! What to do next, after the verdict: concrete to the case, so that an admin who
//! reads only the end of the report still knows which CA to buy from, whether the
//! self-signed route is open to them, and what to give `New-FederationTrust`.

use std::sync::Arc;

use time::OffsetDateTime;

use super::allowlist::{Allowlist, Supply};
use super::finding::{Code, Step};
use super::verdict::{KeyStatus, Profile, Verdict};
use crate::model::Certificate;

/// The facts advice depends on, gathered by the assessment.
pub(super) struct Situation<'a> {
    pub verdict: Verdict,
    pub profile: Profile,
    pub leaf: &'a Certificate,
    pub self_signed: bool,
    /// The certificate names a listed CA as its issuer, but the listed key did not
    /// sign it: a look-alike, not a file to download again.
    pub lookalike: bool,
    pub issuer_accepted: bool,
    pub codes: Vec<Code>,
    /// `None` when no PFX was given: the key is then on a server, not in the input.
    pub private_key: Option<KeyStatus>,
    pub allowlist: &'a Allowlist,
    pub at: OffsetDateTime,
    /// [`Allowlist::supply`], when the assessment already worked it out.
    pub source: &'a std::cell::OnceCell<Arc<Supply>>,
}

/// How the wizard's certificate is made by hand (Exchange 2010 SP1 and later).
const SELF_SIGNED_COMMAND: &str = "New-ExchangeCertificate -DomainName Federation -FriendlyName \"Exchange Delegation Federation\" -Services Federation -SubjectKeyIdentifier <32 hex digits> -PrivateKeyExportable $true";

/// The cmdlet that creates the trust with the certificate of `thumbprint`.
fn new_trust_command(thumbprint: &str) -> String {
    format!("New-FederationTrust -Name \"Microsoft Federation Gateway\" -Thumbprint {thumbprint}")
}

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

pub(super) fn next_steps(s: &Situation<'_>) -> Vec<Step> {
    let mut steps = Vec::new();
    let thumbprint = s.leaf.sha1();
    let last = Step::new("Once a certificate passes: import it with its private key on the Exchange server, and create the trust with its thumbprint as Get-ExchangeCertificate prints it. One copied from the certificate dialog carries an invisible mark that the second command removes.")
        .command(new_trust_command("<thumbprint>"))
        .command("mfgcheck thumbprint \"<thumbprint>\"");
    match s.verdict {
        Verdict::Accepted => {
            steps.push(
                Step::new("Create the trust with this certificate. Type the thumbprint, or copy it from Get-ExchangeCertificate: a copy from the certificate dialog carries an invisible mark that makes the cmdlet fail.")
                    .command(new_trust_command(&thumbprint.to_string())),
            );
            if s.private_key.is_none() {
                steps.push(Step::new("A .cer, .pem or .p7b holds no private key: New-FederationTrust finds the certificate and its key in the server's computer store, so run it on the server where the request was made (or import the PFX with its key there first)."));
            }
            return steps;
        }
        Verdict::Undetermined => {
            steps.push(Step::new("The input lacks the evidence for a verdict: supply what the issuer-unconfirmed Fix asks for, then check again. Do not buy a new certificate because of this: with the evidence, this one may well be accepted."));
            steps.push(last);
            return steps;
        }
        Verdict::Rejected => {}
    }

    let damaged = s.codes.contains(&Code::SignatureInvalid) && !s.lookalike;
    if s.lookalike {
        steps.push(Step::new("The certificate names a listed CA as its issuer, but that CA's key did not sign it: it is a look-alike (or damaged), and the MFG will refuse it. Do not deploy it; ask whoever supplied it where it came from."));
    } else if damaged {
        steps.push(Step::new("A signature does not verify: the file is damaged or altered, or the CA certificate beside it is not the one that issued it. Download the certificate and the CA's intermediate again from the CA (or export them again) and check again; a new certificate is not needed for this."));
    }
    let self_signed_route = s.self_signed && s.profile.accepts_self_signed();
    let mut route_said = false;
    if !(s.issuer_accepted || self_signed_route || damaged) {
        let source = s.source.get_or_init(|| s.allowlist.supply(s.at));
        route_said = source.self_signed_only;
        steps.push(Step::new(source.text.clone()));
    }

    if s.codes.contains(&Code::NoPrivateKey) || s.codes.contains(&Code::PrivateKeyMismatch) {
        steps.push(Step::new("The PFX is what the server imports, and it lacks this certificate's private key: export the certificate again with its key, or complete the request on the server that made it (Import-ExchangeCertificate), as the Fix says, then check the new PFX.").command("mfgcheck check federation.pfx"));
    }
    if s.codes.iter().any(|c| CERTIFICATE_ERRORS.contains(c)) {
        steps.push(Step::new("Correct each error above as its Fix says, then check the new certificate (or PFX) again.").command("mfgcheck check new-certificate.cer intermediate.cer"));
    }

    let wizard = match (s.profile, s.self_signed) {
        (Profile::Exchange2010, _) if route_said => {
            "The wizard's certificate can also be made by hand."
        }
        (Profile::Exchange2010, _) => {
            "On Exchange 2010 SP2 or later no CA is needed: the New Federation Trust wizard creates a self-signed federation certificate the gateway accepts (or the command makes it by hand). Check such a certificate with --profile exchange2010-sp2."
        }
        (Profile::Exchange2010Sp2, true) => {
            "Or create the self-signed federation certificate again with the New Federation Trust wizard or the command: it carries a Subject Key Identifier and an RSA key in a CryptoAPI provider."
        }
        (Profile::Exchange2010Sp2, false) => {
            "Alternatively, use the self-signed certificate of the New Federation Trust wizard, which this profile accepts (or make it by hand with the command)."
        }
    };
    steps.push(Step::new(wizard).command(SELF_SIGNED_COMMAND));
    steps.push(last);
    steps
}
