//! What a pasted hex value is: a thumbprint, a serial number, a key identifier, or
//! one of the values Technet printed, and whose.
//!
//! Helpdesk tickets carry thumbprints copied from Technet, the Windows certificate
//! dialog and `Get-ExchangeCertificate`. Two of Technet's six values were not
//! thumbprints of the CA they were printed for, and the Windows dialog adds an
//! invisible mark that makes `New-FederationTrust -Thumbprint` fail; this module
//! says which case a value is.

use super::allowlist::Allowlist;
use crate::model::Certificate;
use crate::model::hex::{HexError, INVISIBLE, clean_hex, colon_hex, upper_hex};

/// What a value's length says it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ValueKind {
    /// 20 bytes: a SHA-1 thumbprint (the one Exchange uses), or a key identifier.
    Sha1,
    /// 32 bytes: a SHA-256 thumbprint.
    Sha256,
    /// 16 bytes: looks like a serial number or an MD5 hash, not a thumbprint.
    SerialOrMd5,
    /// Hex of another length: not a thumbprint.
    OtherLength,
    /// Not hex at all.
    Invalid,
}

impl ValueKind {
    fn of_len(len: usize) -> Self {
        match len {
            20 => Self::Sha1,
            32 => Self::Sha256,
            16 => Self::SerialOrMd5,
            _ => Self::OtherLength,
        }
    }

    /// Whether the value can be a certificate thumbprint.
    pub fn is_thumbprint(self) -> bool {
        matches!(self, Self::Sha1 | Self::Sha256)
    }
}

/// Which identity of a certificate or allowlist entry a value equals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Sha1,
    Sha256,
    Serial,
    /// The Subject Key Identifier: 20 bytes, easily mistaken for a SHA-1 thumbprint.
    Ski,
    SpkiSha256,
    /// The value Technet printed for the authority, whatever it really is.
    Published,
}

impl Field {
    pub fn words(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA-1 thumbprint",
            Self::Sha256 => "SHA-256 thumbprint",
            Self::Serial => "serial number",
            Self::Ski => "Subject Key Identifier",
            Self::SpkiSha256 => "public key (SPKI) SHA-256",
            Self::Published => "value Technet published",
        }
    }
}

/// An invisible character found in the input, and where (1-based, in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Removed {
    pub ch: char,
    pub position: usize,
}

/// A pasted value, understood.
#[derive(Clone, Debug)]
pub struct Lookup {
    pub input: String,
    /// Upper-case hex without separators; `None` when the input is not hex.
    pub normalized: Option<String>,
    pub bytes: Vec<u8>,
    pub kind: ValueKind,
    pub removed: Vec<Removed>,
    /// Why the input is not hex.
    pub error: Option<HexError>,
    /// Allowlist entries (by index) and the field the value equals.
    pub matches: Vec<(usize, Field)>,
}

impl Lookup {
    /// Colon form (`7C:46:56:...`), the one OpenSSL and browsers print.
    pub fn colon(&self) -> Option<String> {
        self.normalized.as_ref().map(|_| colon_hex(&self.bytes))
    }

    /// Whether the value is the published one for `authority` but none of its real
    /// identities: Technet's mistakes.
    pub fn only_published(&self, authority: usize) -> bool {
        self.matches
            .iter()
            .filter(|(a, _)| *a == authority)
            .all(|(_, f)| *f == Field::Published)
    }

    /// Whether the value is the thumbprint of a listed CA: a CA's certificate, never the
    /// one New-FederationTrust -Thumbprint needs.
    pub fn is_listed_ca_thumbprint(&self) -> bool {
        self.matches
            .iter()
            .any(|(_, f)| matches!(f, Field::Sha1 | Field::Sha256))
    }

    /// The fields of `cert` this value equals.
    pub fn fields_of(&self, cert: &Certificate) -> Vec<Field> {
        if self.normalized.is_none() {
            return Vec::new();
        }
        let b = self.bytes.as_slice();
        let mut out = Vec::new();
        if cert.sha1().as_bytes() == b {
            out.push(Field::Sha1);
        }
        if cert.sha256().as_bytes() == b {
            out.push(Field::Sha256);
        }
        if b.len() >= 2 && cert.serial().trimmed() == trim(b) {
            out.push(Field::Serial);
        }
        if cert.ski().is_some_and(|k| k.as_bytes() == b) {
            out.push(Field::Ski);
        }
        if cert.public_key().spki_sha256().as_bytes() == b {
            out.push(Field::SpkiSha256);
        }
        out
    }
}

fn trim(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes.get(first..).unwrap_or_default()
}

/// Reads `text` and finds it in `allowlist`.
pub fn look_up(text: &str, allowlist: &Allowlist) -> Lookup {
    let removed = text
        .chars()
        .enumerate()
        .filter(|(_, c)| INVISIBLE.contains(c))
        .map(|(i, ch)| Removed {
            ch,
            position: i + 1,
        })
        .collect();
    let mut lookup = Lookup {
        input: text.to_owned(),
        normalized: None,
        bytes: Vec::new(),
        kind: ValueKind::Invalid,
        removed,
        error: None,
        matches: Vec::new(),
    };
    let clean = match clean_hex(text) {
        Ok(c) => c,
        Err(e) => {
            lookup.error = Some(e);
            // Technet printed words too ("NA" for Comodo): recognise them verbatim.
            let words = text.trim().to_lowercase();
            for (i, a) in allowlist.authorities().iter().enumerate() {
                if a.published
                    .as_deref()
                    .is_some_and(|p| p.trim().to_lowercase() == words)
                {
                    lookup.matches.push((i, Field::Published));
                }
            }
            return lookup;
        }
    };
    let b = clean.bytes;
    lookup.normalized = Some(upper_hex(&b));
    lookup.kind = ValueKind::of_len(b.len());
    for (i, a) in allowlist.authorities().iter().enumerate() {
        let mut hit = |field| lookup.matches.push((i, field));
        if a.sha1.iter().any(|t| t.as_bytes() == b.as_slice()) {
            hit(Field::Sha1);
        }
        if a.sha256.iter().any(|t| t.as_bytes() == b.as_slice()) {
            hit(Field::Sha256);
        }
        if b.len() >= 2 && a.serials.iter().any(|s| s.trimmed() == trim(&b)) {
            hit(Field::Serial);
        }
        if a.ski.as_ref().is_some_and(|k| k.as_bytes() == b.as_slice()) {
            hit(Field::Ski);
        }
        if a.spki_sha256.is_some_and(|k| k.as_bytes() == b.as_slice()) {
            hit(Field::SpkiSha256);
        }
        let published = a.published.as_deref().and_then(|p| clean_hex(p).ok());
        if published.is_some_and(|p| p.bytes == b) {
            hit(Field::Published);
        }
    }
    lookup.bytes = b;
    lookup
}

#[cfg(test)]
mod tests {
    use super::*;

    fn embedded(text: &str) -> (Lookup, Allowlist) {
        let list = Allowlist::embedded().unwrap();
        (look_up(text, &list), list)
    }

    fn names(l: &Lookup, list: &Allowlist) -> Vec<(String, Field)> {
        l.matches
            .iter()
            .map(|&(a, f)| (list.authority(a).name.clone(), f))
            .collect()
    }

    #[test]
    fn technet_serial_printed_as_a_thumbprint() {
        let (l, list) = embedded("083B:E056:9042:46B1:A175:6AC9:5991:C74A");
        assert_eq!(l.kind, ValueKind::SerialOrMd5);
        assert_eq!(
            names(&l, &list),
            [
                ("DigiCert Global Root CA".to_owned(), Field::Serial),
                ("DigiCert Global Root CA".to_owned(), Field::Published)
            ]
        );
        assert!(!l.only_published(l.matches[0].0));
    }

    #[test]
    fn technet_value_that_matches_nothing_real() {
        let (l, list) = embedded("91 8d a5 e4 99 c1 5f 7c 62 75 b1 24 fe de 53 35 7c 34 bd 36");
        assert_eq!(l.kind, ValueKind::Sha1);
        let (a, f) = l.matches[0];
        assert_eq!(list.authority(a).name, "DigiCert High Assurance EV Root CA");
        assert_eq!((l.matches.len(), f), (1, Field::Published));
        assert!(l.only_published(a));
    }

    #[test]
    fn windows_dialog_copy_with_invisible_marks() {
        let (l, list) = embedded(
            "\u{200E}7c 46 56 c3 06 1f 7f 4c 0d 67 b3 19 a8 55 f6 0e bc 11 fc\u{00A0}44\u{FEFF}",
        );
        assert_eq!(
            l.normalized.as_deref(),
            Some("7C4656C3061F7F4C0D67B319A855F60EBC11FC44")
        );
        assert_eq!(
            l.removed,
            [
                Removed {
                    ch: '\u{200E}',
                    position: 1
                },
                Removed {
                    ch: '\u{00A0}',
                    position: 58
                },
                Removed {
                    ch: '\u{FEFF}',
                    position: 61
                },
            ]
        );
        let fields: Vec<Field> = names(&l, &list).into_iter().map(|(_, f)| f).collect();
        assert_eq!(fields, [Field::Sha1, Field::Published]);
    }

    #[test]
    fn not_hex_names_the_character_and_position() {
        let (l, _) = embedded("SHA1 Fingerprint=7C:46:5G");
        assert_eq!(l.kind, ValueKind::Invalid);
        assert_eq!(
            l.error,
            Some(HexError::BadChar {
                ch: 'G',
                position: 25
            })
        );
    }
}
