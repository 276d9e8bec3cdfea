//! Whether the Windows servers a PFX is meant for can import it at all.

use super::finding::{Code, Finding};
use crate::model::KeyRing;

/// One `pfx-modern-encryption` warning per PFX protected with PBES2. Windows Server
/// 2016 and earlier (every server Exchange 2010 runs on) know only the PKCS#12
/// schemes and answer such a file with "the password you entered is incorrect".
pub fn pfx_findings(keys: &KeyRing) -> Vec<Finding> {
    keys.protections
        .iter()
        .filter(|p| p.protection.modern())
        .map(|p| {
            let schemes: Vec<String> = p
                .protection
                .certificates
                .iter()
                .chain(&p.protection.keys)
                .filter(|s| s.pbes2)
                .map(|s| s.name.clone())
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            Finding::new(
                Code::PfxModernEncryption,
                format!(
                    "{} is encrypted with {}: Windows Server 2016 and earlier (every server Exchange 2010 runs on) cannot import it, and say the password is wrong.",
                    p.file,
                    schemes.join(" and ")
                ),
            )
            .fix("Export it again with the legacy encryption: with OpenSSL 3 (the first command), or on Windows Server 2019 or later (the second).")
            .command("openssl pkcs12 -export -legacy -in cert.pem -inkey key.pem -certfile chain.pem -out federation.pfx")
            .command("Export-PfxCertificate -Cert Cert:\\LocalMachine\\My\\<thumbprint> -FilePath federation.pfx -Password (Get-Credential).Password -CryptoAlgorithmOption TripleDES_SHA1")
        })
        .collect()
}
