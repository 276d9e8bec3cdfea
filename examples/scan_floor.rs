//! The floor of a scan, measured: the least work any checker must do per bundle of the
//! scan corpus, on the same libraries and threads as `mfgcheck scan`, with nothing else.
//!
//! For each file: open and read it, find its first two PEM blocks, decode the leaf,
//! parse it (x509-parser), and verify its RSA signature with its issuer's key (the
//! second block; each issuer is decoded, parsed and set up once, as `mfgcheck` does).
//! No thumbprints, names, allowlist, findings, records or order: what is left of a
//! scan's CPU once all of that is taken away. `bench/scan.sh` runs it beside
//! `mfgcheck scan`, one core and all cores, so that the two figures come from the same
//! moment of the machine.
//!
//! Usage: `scan_floor DIR [JOBS]` (JOBS 0: one thread per core, as `--jobs 0`). Prints
//! the files read and the signatures that verified; exits 1 when any did not.

#![allow(clippy::indexing_slicing)]

use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
use rayon::prelude::*;
use x509_parser::prelude::{FromDer, X509Certificate};

const BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";
const END: &[u8] = b"-----END CERTIFICATE-----";

/// Issuer keys set up once, by the issuer block's own text.
type Issuers = Mutex<HashMap<Vec<u8>, Option<Arc<ParsedPublicKey>>, foldhash::fast::RandomState>>;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: scan_floor DIR [JOBS]");
        return ExitCode::from(2);
    };
    let jobs: usize = args
        .next()
        .and_then(|j| j.to_str()?.parse().ok())
        .unwrap_or(1);
    let mut files = Vec::new();
    if let Err(e) = list(&dir, &mut files) {
        eprintln!("scan_floor: {}: {e}", dir.display());
        return ExitCode::from(2);
    }
    files.sort();
    let issuers = Issuers::default();
    let Ok(pool) = rayon::ThreadPoolBuilder::new().num_threads(jobs).build() else {
        eprintln!("scan_floor: no thread pool");
        return ExitCode::from(2);
    };
    let verified = pool.install(|| {
        files
            .par_iter()
            .map_init(Vec::new, |buffer, path| bundle(path, buffer, &issuers))
            .filter(|&ok| ok)
            .count()
    });
    println!("{} files, {verified} signatures verified", files.len());
    if verified == files.len() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn list(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            list(&entry.path(), files)?;
        } else {
            files.push(entry.path());
        }
    }
    Ok(())
}

/// Whether the file's leaf signature verifies with the key of the certificate after it.
fn bundle(path: &Path, buffer: &mut Vec<u8>, issuers: &Issuers) -> bool {
    buffer.clear();
    let read = File::open(path).and_then(|mut f| f.read_to_end(buffer));
    if read.is_err() {
        return false;
    }
    let Some((leaf, rest)) = block(buffer) else {
        return false;
    };
    let Some((issuer, _)) = block(rest) else {
        return false;
    };
    let Some(key) = issuer_key(issuer, issuers) else {
        return false;
    };
    let Some(der) = decode(leaf) else {
        return false;
    };
    let Ok((_, cert)) = X509Certificate::from_der(&der) else {
        return false;
    };
    key.verify_sig(cert.tbs_certificate.as_ref(), &cert.signature_value.data)
        .is_ok()
}

/// The body of the first PEM certificate block of `text`, and the text after it.
fn block(text: &[u8]) -> Option<(&[u8], &[u8])> {
    let start = memchr::memmem::find(text, BEGIN)? + BEGIN.len();
    let length = memchr::memmem::find(&text[start..], END)?;
    Some((
        &text[start..start + length],
        &text[start + length + END.len()..],
    ))
}

fn decode(body: &[u8]) -> Option<Vec<u8>> {
    let joined: Vec<u8> = body
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    base64_simd::STANDARD.decode_to_vec(joined).ok()
}

fn issuer_key(body: &[u8], issuers: &Issuers) -> Option<Arc<ParsedPublicKey>> {
    if let Some(key) = issuers.lock().ok()?.get(body) {
        return key.clone();
    }
    let key = decode(body).and_then(|der| {
        let (_, cert) = X509Certificate::from_der(&der).ok()?;
        let spki = &cert.tbs_certificate.subject_pki.subject_public_key.data;
        ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, spki.as_ref())
            .ok()
            .map(Arc::new)
    });
    issuers.lock().ok()?.insert(body.to_vec(), key.clone());
    key
}
