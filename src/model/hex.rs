//! Hex identities: thumbprints, key identifiers and serial numbers.
//!
//! Admins paste these from Technet, the Windows certificate dialog, OpenSSL and
//! PowerShell, each with its own separators and invisible characters. Everything
//! that reads hex text goes through [`clean_hex`] so that `7c46 56c3 ...`,
//! `7C:46:56:C3:...` and `\u{200E}7C4656C3...` all mean the same bytes.

use std::fmt;

/// Characters the Windows certificate dialog, Word and web pages slip into copied
/// thumbprints. They are invisible (or look like plain spaces), and
/// `New-FederationTrust -Thumbprint` fails on them.
pub const INVISIBLE: &[char] = &[
    '\u{200B}', // zero width space
    '\u{200C}', // zero width non-joiner
    '\u{200D}', // zero width joiner
    '\u{200E}', // left-to-right mark (the Windows certificate dialog adds this one)
    '\u{200F}', // right-to-left mark
    '\u{2060}', // word joiner
    '\u{FEFF}', // byte order mark / zero width no-break space
    '\u{00A0}', // no-break space: looks like a space, is not one to PowerShell
    '\u{202F}', // narrow no-break space
];

/// The Unicode name of a character in [`INVISIBLE`], to tell the user what was there.
pub fn invisible_name(c: char) -> &'static str {
    match c {
        '\u{200B}' => "ZERO WIDTH SPACE",
        '\u{200C}' => "ZERO WIDTH NON-JOINER",
        '\u{200D}' => "ZERO WIDTH JOINER",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        '\u{2060}' => "WORD JOINER",
        '\u{FEFF}' => "ZERO WIDTH NO-BREAK SPACE (BOM)",
        '\u{00A0}' => "NO-BREAK SPACE",
        '\u{202F}' => "NARROW NO-BREAK SPACE",
        _ => "invisible character",
    }
}

/// Visible separators people put between hex digits.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, ':' | '-' | '.' | ',' | '\u{00A0}' | '\u{202F}')
}

/// Hex text after separators, invisible characters and a leading label were removed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CleanHex {
    /// The bytes the hex digits spell.
    pub bytes: Vec<u8>,
    /// Invisible characters that were removed, in order of appearance.
    pub removed_invisible: Vec<char>,
}

/// Why a text is not hex.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum HexError {
    #[error("no hex digits")]
    Empty,
    #[error("'{ch}' at position {position} is not a hex digit")]
    BadChar { ch: char, position: usize },
    #[error("odd number of hex digits ({0})")]
    OddLength(usize),
}

/// Strips a leading label such as `SHA1 Fingerprint=` or `Thumbprint:`.
///
/// A prefix counts as a label only if it holds a letter that is not a hex digit,
/// so that `AB:CD:...` keeps its first byte.
fn strip_label(text: &str) -> &str {
    let Some(pos) = text.find(['=', ':']) else {
        return text;
    };
    let label = &text[..pos];
    let is_label_char = |c: char| c.is_ascii_alphanumeric() || c == ' ' || c == '-' || c == '_';
    let has_non_hex_letter = label
        .chars()
        .any(|c| c.is_ascii_alphabetic() && !c.is_ascii_hexdigit());
    if has_non_hex_letter && label.chars().all(is_label_char) {
        &text[pos + 1..]
    } else {
        text
    }
}

/// Reads hex however it was written: any case, common separators, invisible
/// characters, an optional `Label:` or `Label=` prefix.
pub fn clean_hex(text: &str) -> Result<CleanHex, HexError> {
    let mut removed_invisible = Vec::new();
    let visible: String = text
        .chars()
        .filter(|c| {
            if INVISIBLE.contains(c) {
                removed_invisible.push(*c);
                false
            } else {
                true
            }
        })
        .collect();
    let text = visible.trim_end();
    // The body is a suffix of `text`, so its start is a byte offset into `visible`.
    let body = strip_label(text.trim_start());
    let body_start = text.len() - body.len();
    let mut digits = String::with_capacity(body.len());
    for (i, c) in body.chars().enumerate() {
        if c.is_ascii_hexdigit() {
            digits.push(c);
        } else if !is_separator(c) {
            // Positions are 1-based characters of the visible text, as a user counts them.
            let position = visible[..body_start].chars().count() + i + 1;
            return Err(HexError::BadChar { ch: c, position });
        }
    }
    if digits.is_empty() {
        return Err(HexError::Empty);
    }
    if digits.len() % 2 != 0 {
        return Err(HexError::OddLength(digits.len()));
    }
    let bytes = hex::decode(&digits).map_err(|_| HexError::Empty)?;
    Ok(CleanHex {
        bytes,
        removed_invisible,
    })
}

/// Upper-case hex without separators: the form `Get-ExchangeCertificate` prints.
pub fn upper_hex(bytes: &[u8]) -> String {
    hex::encode_upper(bytes)
}

/// Upper-case hex with colons: the form OpenSSL and browsers print.
pub fn colon_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        out.push_str(&format!("{b:02X}"));
    }
    out
}

/// A digest of exactly `N` bytes: a certificate thumbprint (SHA-1, `N = 20`; SHA-256,
/// `N = 32`) or the SHA-256 of a public key. The length is part of the type, so a
/// 16-byte serial number printed as a thumbprint cannot be stored as one.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Thumbprint<const N: usize>([u8; N]);

/// SHA-1 thumbprint, the identity Exchange cmdlets use.
pub type Sha1Thumbprint = Thumbprint<20>;
/// SHA-256 thumbprint, or the SHA-256 of a SubjectPublicKeyInfo.
pub type Sha256Thumbprint = Thumbprint<32>;

/// A hex text of the wrong length for the thumbprint asked for.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ThumbprintError {
    #[error(transparent)]
    Hex(#[from] HexError),
    #[error("{got} bytes where a {want}-byte value was expected{hint}")]
    Length {
        got: usize,
        want: usize,
        hint: &'static str,
    },
}

/// What a hex value of this many bytes usually is, for error messages.
pub fn length_hint(len: usize) -> &'static str {
    match len {
        16 => " (16 bytes looks like a serial number or an MD5 hash, not a thumbprint)",
        20 => " (20 bytes is a SHA-1 thumbprint)",
        32 => " (32 bytes is a SHA-256 thumbprint)",
        _ => "",
    }
}

impl<const N: usize> Thumbprint<N> {
    /// Wraps a digest already computed.
    pub fn new(bytes: [u8; N]) -> Self {
        Self(bytes)
    }

    /// The digest bytes.
    pub fn as_bytes(&self) -> &[u8; N] {
        &self.0
    }

    /// Upper-case hex with colons.
    pub fn colon(&self) -> String {
        colon_hex(&self.0)
    }

    /// Parses hex text of exactly `N` bytes, however it is formatted.
    pub fn parse(text: &str) -> Result<Self, ThumbprintError> {
        let clean = clean_hex(text)?;
        Self::try_from(clean.bytes.as_slice())
    }
}

impl<const N: usize> TryFrom<&[u8]> for Thumbprint<N> {
    type Error = ThumbprintError;
    fn try_from(bytes: &[u8]) -> Result<Self, ThumbprintError> {
        <[u8; N]>::try_from(bytes)
            .map(Self)
            .map_err(|_| ThumbprintError::Length {
                got: bytes.len(),
                want: N,
                hint: length_hint(bytes.len()),
            })
    }
}

impl<const N: usize> fmt::Display for Thumbprint<N> {
    /// Upper-case hex written from the stack: messages print a thumbprint for every
    /// certificate they name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
        let mut text = [0u8; 128];
        if N > 64 {
            return f.write_str(&upper_hex(&self.0));
        }
        for (pair, b) in text.chunks_exact_mut(2).zip(self.0) {
            for (slot, nibble) in pair.iter_mut().zip([b >> 4, b & 15]) {
                *slot = DIGITS.get(usize::from(nibble)).copied().unwrap_or(b'0');
            }
        }
        let digits = text.get(..2 * N).ok_or(fmt::Error)?;
        f.write_str(std::str::from_utf8(digits).map_err(|_| fmt::Error)?)
    }
}

impl<const N: usize> fmt::Debug for Thumbprint<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Thumbprint<{N}>({self})")
    }
}

impl<const N: usize> serde::Serialize for Thumbprint<N> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A variable-length byte string shown as hex: key identifiers and serial numbers.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HexBytes(Vec<u8>);

/// Subject or Authority Key Identifier.
pub type KeyId = HexBytes;
/// Certificate serial number, as encoded (a leading `00` kept, as Windows shows it).
pub type Serial = HexBytes;

impl HexBytes {
    /// Wraps raw bytes.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// Parses hex text, however it is formatted.
    pub fn parse(text: &str) -> Result<Self, HexError> {
        clean_hex(text).map(|c| Self(c.bytes))
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The value without leading zero bytes, for comparing integers such as serial
    /// numbers written with and without their sign byte.
    pub fn trimmed(&self) -> &[u8] {
        let first = self.0.iter().position(|b| *b != 0).unwrap_or(self.0.len());
        self.0.get(first..).unwrap_or_default()
    }
}

impl fmt::Display for HexBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&upper_hex(&self.0))
    }
}

impl fmt::Debug for HexBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HexBytes({self})")
    }
}

impl serde::Serialize for HexBytes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl schemars::JsonSchema for HexBytes {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "HexBytes".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "description": "Upper-case hex, no separators", "type": "string" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thumbprints_print_as_upper_hex() {
        let bytes: Vec<u8> = (0..=255u8).step_by(7).collect();
        let sha1 = Thumbprint::<20>::try_from(&bytes[..20]).unwrap();
        let sha256 = Thumbprint::<32>::try_from(&bytes[..32]).unwrap();
        assert_eq!(sha1.to_string(), upper_hex(&bytes[..20]));
        assert_eq!(sha256.to_string(), upper_hex(&bytes[..32]));
        assert_eq!(
            format!("{sha1:?}"),
            format!("Thumbprint<20>({})", upper_hex(&bytes[..20]))
        );
        assert_eq!(
            Thumbprint::<65>::new([0xAB; 65]).to_string(),
            "AB".repeat(65)
        );
    }

    #[test]
    fn technet_formats_all_read_the_same() {
        let want = Sha1Thumbprint::parse("7C4656C3061F7F4C0D67B319A855F60EBC11FC44").unwrap();
        for text in [
            "7c46 56c3 061f 7f4c 0d67 b319 a855 f60e bc11 fc44",
            "7C:46:56:C3:06:1F:7F:4C:0D:67:B3:19:A8:55:F6:0E:BC:11:FC:44",
            "\u{200E}7c 46 56 c3 06 1f 7f 4c 0d 67 b3 19 a8 55 f6 0e bc 11 fc 44",
            "SHA1 Fingerprint=7C:46:56:C3:06:1F:7F:4C:0D:67:B3:19:A8:55:F6:0E:BC:11:FC:44",
            "Thumbprint: 7C4656C3061F7F4C0D67B319A855F60EBC11FC44",
            "7C4656C3-061F7F4C-0D67B319-A855F60E-BC11FC44",
        ] {
            assert_eq!(Sha1Thumbprint::parse(text).unwrap(), want, "{text}");
        }
    }

    #[test]
    fn invisible_characters_are_reported() {
        let clean = clean_hex("\u{200E}AB\u{200B}CD").unwrap();
        assert_eq!(clean.bytes, vec![0xAB, 0xCD]);
        assert_eq!(clean.removed_invisible, vec!['\u{200E}', '\u{200B}']);
    }

    #[test]
    fn serial_number_is_not_a_thumbprint() {
        let err = Sha1Thumbprint::parse("083B:E056:9042:46B1:A175:6AC9:5991:C74A").unwrap_err();
        assert!(err.to_string().contains("serial number"), "{err}");
    }

    #[test]
    fn bad_character_is_named_with_its_position() {
        assert_eq!(
            clean_hex("AB CX"),
            Err(HexError::BadChar {
                ch: 'X',
                position: 5
            })
        );
        assert_eq!(clean_hex("ABC"), Err(HexError::OddLength(3)));
        assert_eq!(clean_hex("  "), Err(HexError::Empty));
    }

    #[test]
    fn leading_hex_byte_is_not_a_label() {
        assert_eq!(clean_hex("AB:CD").unwrap().bytes, vec![0xAB, 0xCD]);
    }

    #[test]
    fn display_forms() {
        let t = Thumbprint::new([0xAB, 0x01]);
        assert_eq!(t.to_string(), "AB01");
        assert_eq!(t.colon(), "AB:01");
        assert_eq!(HexBytes::new(vec![0, 0, 5]).trimmed(), &[5]);
    }
}
