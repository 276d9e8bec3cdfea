//! Text as Windows writes it: UTF-8 with or without a BOM, UTF-16LE with a BOM
//! (PowerShell 5's `>` and `Out-File`), CRLF line ends.

use std::borrow::Cow;

/// Decodes bytes to text, honouring a UTF-8 or UTF-16 byte order mark, and
/// recognising BOM-less UTF-16LE by its zero high bytes. Invalid sequences become
/// U+FFFD rather than errors: the PEM reader skips what it cannot use.
pub fn decode_text(bytes: &[u8]) -> Cow<'_, str> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8(rest);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return Cow::Owned(utf16(rest, u16::from_le_bytes));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return Cow::Owned(utf16(rest, u16::from_be_bytes));
    }
    let looks_utf16le =
        bytes.len() % 2 == 0 && matches!(bytes, [a, 0, c, 0, ..] if *a != 0 && *c != 0);
    if looks_utf16le {
        return Cow::Owned(utf16(bytes, u16::from_le_bytes));
    }
    utf8(bytes)
}

/// UTF-8, checked with the fast validator first: `from_utf8_lossy` walks valid text
/// chunk by chunk, several times slower, and nearly every file is valid.
fn utf8(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// Whether `bytes` start like UTF-16 text: a byte order mark, or the zero bytes of
/// UTF-16LE ASCII, as [`decode_text`] recognises it.
pub(crate) fn has_utf16_mark(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\xFF\xFE")
        || bytes.starts_with(b"\xFE\xFF")
        || (bytes.len() % 2 == 0 && matches!(bytes, [a, 0, c, 0, ..] if *a != 0 && *c != 0))
}

/// The characters of Windows-1252 ("ANSI" on Western Windows) for bytes 0x80 to 0x9F;
/// the bytes Windows leaves undefined keep their own code point, as Windows does.
const CP1252_80_9F: [char; 32] = [
    '\u{20AC}', '\u{81}', '\u{201A}', '\u{192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}',
    '\u{2C6}', '\u{2030}', '\u{160}', '\u{2039}', '\u{152}', '\u{8D}', '\u{17D}', '\u{8F}',
    '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}',
    '\u{2DC}', '\u{2122}', '\u{161}', '\u{203A}', '\u{153}', '\u{9D}', '\u{17E}', '\u{178}',
];

/// Decodes Windows-1252: ASCII and Latin-1 as they are, 0x80 to 0x9F by the table.
pub(crate) fn windows_1252(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9F => CP1252_80_9F
                .get(usize::from(b - 0x80))
                .copied()
                .unwrap_or(char::REPLACEMENT_CHARACTER),
            _ => char::from(b),
        })
        .collect()
}

fn utf16(bytes: &[u8], read: fn([u8; 2]) -> u16) -> String {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| match c {
            [a, b] => read([*a, *b]),
            _ => 0xFFFD,
        })
        .collect();
    String::from_utf16_lossy(&units)
}

/// Base64 of a DER object written without PEM armour (what `certutil -encode` makes
/// once its header lines are cut, or what a web form shows). White space anywhere.
pub fn bare_base64(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() < 16
        || !compact
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
    {
        return None;
    }
    data_encoding::BASE64.decode(compact.as_bytes()).ok()
}

/// One phrase saying what a file that holds no certificate looks like.
pub fn describe(bytes: &[u8], text: &str) -> String {
    let control = bytes
        .iter()
        .take(512)
        .filter(|b| **b < 0x09 || (**b > 0x0D && **b < 0x20))
        .count();
    if control > 0 && !bytes.starts_with(b"\xFF\xFE") && !bytes.starts_with(b"\xFE\xFF") {
        let head: Vec<String> = bytes.iter().take(8).map(|b| format!("{b:02X}")).collect();
        return format!(
            "binary data that is not DER, PEM or PKCS#7 (it starts with {})",
            head.join(" ")
        );
    }
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let first: String = first.chars().take(60).collect();
    format!("text without PEM blocks or base64 (first line: \"{first}\")")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_maps_latin_1_and_the_80_to_9f_row() {
        assert_eq!(
            windows_1252(b"F\xe9d\xe9 \x80 \x93x\x94 \x81"),
            "Fédé € “x” \u{81}"
        );
        assert!(!has_utf16_mark(b"F\xe9d\xe9"));
        assert!(has_utf16_mark(b"\xFF\xFEa\0"));
    }

    #[test]
    fn powershell_utf16_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "-----BEGIN X-----\r\n".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode_text(&bytes), "-----BEGIN X-----\r\n");
    }

    #[test]
    fn utf16le_without_bom_and_utf8_bom() {
        let bytes: Vec<u8> = "MIIB"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(decode_text(&bytes), "MIIB");
        assert_eq!(decode_text(b"\xEF\xBB\xBFabc"), "abc");
    }

    #[test]
    fn bare_base64_ignores_line_breaks() {
        assert_eq!(
            bare_base64("MIIBCgKC\r\nAQEAAAAAAAAA\n").unwrap(),
            data_encoding::BASE64
                .decode(b"MIIBCgKCAQEAAAAAAAAA")
                .unwrap()
        );
        assert_eq!(bare_base64("not base64 at all!"), None);
    }
}
