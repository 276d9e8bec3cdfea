//! The floor of a scan, measured: the least work any checker must do per bundle of the
//! scan corpus, on the same libraries and threads as `mfgcheck scan`, with nothing else.
//!
//! For each file: open and read it, find its first two PEM blocks, decode the leaf,
//! parse it (x509-parser), and verify its RSA signature with its issuer's key (the
//! second block; each issuer is decoded, parsed and set up once, as `mfgcheck` does).
//! No thumbprints, names, allowlist, findings, records or order (the files are taken as
//! listed): what is left of a scan's CPU once all of that is taken away. Files are
//! opened by path, as `File::open` does. `bench/scan.sh` runs it beside
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
use std::sync::{Arc, Mutex, OnceLock};

use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256};
use memchr::memmem::Finder;
use rayon::prelude::*;
use x509_parser::prelude::{FromDer, X509Certificate};

/// The allocator `mfgcheck` runs on (see src/main.rs): the same libraries.
#[cfg(unix)]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
const END: &str = "-----END CERTIFICATE-----";

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
    let issuers = Issuers::default();
    let Ok(pool) = rayon::ThreadPoolBuilder::new().num_threads(jobs).build() else {
        eprintln!("scan_floor: no thread pool");
        return ExitCode::from(2);
    };
    let verified = pool.install(|| {
        files
            .par_iter()
            .map_init(Buffers::default, |buffers, path| {
                bundle(path, buffers, &issuers)
            })
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

/// A thread's buffers, reused from file to file: the file, a PEM body without its line
/// ends, and the leaf's DER.
#[derive(Default)]
struct Buffers {
    file: Vec<u8>,
    body: Vec<u8>,
    der: Vec<u8>,
}

/// Whether the file's leaf signature verifies with the key of the certificate after it.
fn bundle(path: &Path, buffers: &mut Buffers, issuers: &Issuers) -> bool {
    let Buffers { file, body, der } = buffers;
    file.clear();
    if File::open(path)
        .and_then(|mut f| f.read_to_end(file))
        .is_err()
    {
        return false;
    }
    let Some((leaf, rest)) = block(file) else {
        return false;
    };
    let Some((issuer, _)) = block(rest) else {
        return false;
    };
    let Some(key) = issuer_key(issuer, issuers) else {
        return false;
    };
    if !decode(leaf, body, der) {
        return false;
    }
    let Ok((_, cert)) = X509Certificate::from_der(der) else {
        return false;
    };
    key.verify_sig(cert.tbs_certificate.as_ref(), &cert.signature_value.data)
        .is_ok()
}

/// The body of the first PEM certificate block of `text`, and the text after it.
fn block(text: &[u8]) -> Option<(&[u8], &[u8])> {
    static FINDERS: OnceLock<(Finder<'static>, Finder<'static>)> = OnceLock::new();
    let (begin, end) = FINDERS.get_or_init(|| (Finder::new(BEGIN), Finder::new(END)));
    let start = begin.find(text)? + BEGIN.len();
    let length = end.find(&text[start..])?;
    Some((
        &text[start..start + length],
        &text[start + length + END.len()..],
    ))
}

/// Decodes a PEM body into `der`, its lines joined in `body` first.
fn decode(text: &[u8], body: &mut Vec<u8>, der: &mut Vec<u8>) -> bool {
    body.clear();
    for line in text.split(|&b| b == b'\n') {
        body.extend_from_slice(line.strip_suffix(b"\r").unwrap_or(line));
    }
    der.clear();
    let Ok(len) = data_encoding::BASE64.decode_len(body.len()) else {
        return false;
    };
    der.resize(len, 0);
    match data_encoding::BASE64.decode_mut(body, der) {
        Ok(n) => {
            der.truncate(n);
            true
        }
        Err(_) => false,
    }
}

fn issuer_key(text: &[u8], issuers: &Issuers) -> Option<Arc<ParsedPublicKey>> {
    if let Some(key) = issuers.lock().ok()?.get(text) {
        return key.clone();
    }
    let (mut body, mut der) = (Vec::new(), Vec::new());
    let key = if decode(text, &mut body, &mut der) {
        public_key(&der)
    } else {
        None
    };
    issuers.lock().ok()?.insert(text.to_vec(), key.clone());
    key
}

/// The RSA key of the certificate `der`, set up for verifying.
fn public_key(der: &[u8]) -> Option<Arc<ParsedPublicKey>> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let spki = &cert.tbs_certificate.subject_pki.subject_public_key.data;
    ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, spki.as_ref())
        .ok()
        .map(Arc::new)
}
