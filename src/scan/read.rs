//! Reading one file of a scan: skipped unread when it cannot be certificate material,
//! refused over the size limit, into the buffer of the file before.

use std::io::Read;
use std::path::Path;

pub(super) fn io_words(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// File name extensions of certificate files: such a file that holds no certificate (an
/// empty export) is an error, not something to skip.
const CERTIFICATE_EXTENSIONS: &[&str] = &["cer", "crt", "pem", "der", "p7b", "p7c", "pfx", "p12"];

pub(super) fn certificate_named(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        CERTIFICATE_EXTENSIONS
            .iter()
            .any(|c| c.eq_ignore_ascii_case(e))
    })
}

/// How much of a file is looked at to tell whether it can be certificate material.
const SNIFF_BYTES: u64 = 4096;

/// Whether the first bytes of a file can start certificate material: DER (a SEQUENCE:
/// certificates, PKCS#7, PKCS#12), PEM armour, or bare base64 of DER (`MII...`), in
/// UTF-8 or UTF-16. Anything else (an installer, an image, notes) is skipped unread.
fn looks_like_certificate_material(prefix: &[u8]) -> bool {
    if prefix.first() == Some(&0x30) {
        return true;
    }
    let text = crate::load::decode_text(prefix);
    let text = text.trim_start_matches('\u{FEFF}').trim_start();
    text.contains("-----BEGIN") || text.starts_with("MII")
}

/// What reading a file gave, before any check.
pub(super) enum Contents {
    Bytes(Vec<u8>),
    /// Not certificate material: skipped.
    Skip,
    Error(String),
}

/// A file's bytes. A file not named like a certificate file is sniffed first and
/// skipped, whatever its size, when it cannot hold certificates; files over `max`
/// bytes that can are errors.
pub(super) fn read_file(path: &Path, max: u64, mut bytes: Vec<u8>) -> Contents {
    let fail = |e: std::io::Error| Contents::Error(format!("cannot read: {}", io_words(&e)));
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return fail(e),
    };
    // Read into `bytes` (usually the last file's buffer) until the end, without
    // asking the file's size first: certificate files fit in READ_ROOM, so a read
    // and the read that finds the end are all it takes, one system call fewer than
    // a size query and an exact read.
    bytes.clear();
    bytes.reserve(READ_ROOM);
    if !certificate_named(path) {
        if let Err(e) = (&mut file).take(SNIFF_BYTES).read_to_end(&mut bytes) {
            return fail(e);
        }
        if !looks_like_certificate_material(&bytes) {
            return Contents::Skip;
        }
    }
    let limit = max.saturating_add(1).saturating_sub(bytes.len() as u64);
    if let Err(e) = file.take(limit).read_to_end(&mut bytes) {
        return fail(e);
    }
    if bytes.len() as u64 > max {
        return Contents::Error(format!(
            "larger than {} MiB; not a certificate file",
            max / (1024 * 1024)
        ));
    }
    Contents::Bytes(bytes)
}

/// Room a file is first read into: more than certificate files need (a few KiB; a
/// PKCS#12 file with a chain, under 16 KiB). Larger files grow the buffer.
const READ_ROOM: usize = 16 * 1024;
