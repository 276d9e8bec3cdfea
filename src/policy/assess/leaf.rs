//! The rules on the certificate itself: what the MFG asks of a federation certificate
//! (key, identifier, dates, use), and of its private key when a PFX holds it.

use time::Duration;

use super::KeyStatus;
use super::{Assessor, label};
use crate::chain::{Top, Verification};
use crate::model::date::format_day as date;
use crate::model::{Certificate, KeyAlgorithm, KeyRing, ProviderKind, Validity};
use crate::policy::finding::{Code, Finding};

impl Assessor<'_> {
    pub(super) fn leaf_requirements(&mut self, leaf: &Certificate, warn_days: u32) {
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
                    .fix("Create a new request with a 2048-bit key, and have it issued again.")
                    .command("New-ExchangeCertificate -GenerateRequest -KeySize 2048 ...")
                    .about(sha1),
            ),
            KeyAlgorithm::Rsa { .. } => {}
            other => self.add(
                Finding::new(Code::NotRsa, format!("{} has an {other} key; the MFG requires RSA.", label(leaf)))
                    .fix("Create a new request with an RSA key through a CryptoAPI provider, and have it issued again.")
                    .command("New-ExchangeCertificate -GenerateRequest -KeySize 2048 ...")
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
                        .fix("Renew it before then, and move the federation trust to the new certificate: make it the next certificate, then publish it.")
                        .command("Set-FederationTrust -Identity \"Microsoft Federation Gateway\" -Thumbprint <new thumbprint>")
                        .command("Set-FederationTrust -Identity \"Microsoft Federation Gateway\" -PublishFederationCertificate")
                        .about(sha1),
                    );
                }
            }
        }
    }

    /// Only a PFX carries the key, so only a PFX can show it missing or kept by the
    /// wrong kind of provider.
    pub(super) fn private_key(&mut self, leaf: &Certificate, keys: &KeyRing) -> Option<KeyStatus> {
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
            let export = "Export the certificate again with its private key, from the server where the request was made (the command, or the Certificates console: \"Yes, export the private key\"), and check that PFX; or, on that server, complete the request with Import-ExchangeCertificate and use the certificate there.";
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
            self.add(
                finding
                    .fix(export)
                    .command(format!("Export-ExchangeCertificate -Thumbprint {sha1} -BinaryEncoded -Password (Get-Credential).Password"))
                    .about(sha1),
            );
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
                    .fix("Re-create the request with a CryptoAPI CSP (the Exchange certificate wizard, or the first command) and have it issued again, or import this key again into a CryptoAPI CSP (the second command).")
                    .command("New-ExchangeCertificate -GenerateRequest -KeySize 2048 ...")
                    .command(format!("certutil -csp \"Microsoft RSA SChannel Cryptographic Provider\" -importpfx {file}"))
                    .about(sha1),
            );
        }
        Some(KeyStatus::Held { index, by })
    }
}
