//! **Scan**: `check` for whole trees of certificate bundles, in parallel, with
//! results in a stable order (sorted by path) whatever the number of threads.
//!
//! Each file holding certificates is checked as one bundle. CA certificates are
//! parsed once and their signatures verified once for the whole scan ([`Shared`]),
//! so a corpus of bundles sharing a few dozen CAs costs little more than parsing and
//! verifying each leaf. Results are handed out in chunks, in order, so memory stays
//! flat however large the tree.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::chain::LeafError;
use crate::load::{LoadError, Problem};
use crate::model::{Certificate, Sha1Thumbprint};
use crate::policy::{Allowlist, Code, Severity, Verdict};
use crate::{CheckOptions, Error, Input, Shared, check_with};

/// Files are checked in chunks this large; results of a chunk are handed out in
/// order before the next starts. Large enough to keep every core busy, small enough
/// that memory does not grow with the tree.
const CHUNK: usize = 512;

/// What became of one file that holds certificates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileStatus {
    Accepted,
    Rejected,
    /// Evidence was missing (issuer-unconfirmed): a failure, like a rejection.
    Undetermined,
    /// The file could not be read or checked; the message says why.
    Error(String),
}

/// One finding, as a scan reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindingRecord {
    pub code: Code,
    pub message: String,
}

/// The checked certificate of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeafRecord {
    pub sha1: Sha1Thumbprint,
    pub subject: String,
}

/// The result for one file: compact, so that a scan need not keep whole outcomes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRecord {
    /// The path as found (relative to the directory given, when one was).
    pub path: String,
    pub status: FileStatus,
    pub leaf: Option<LeafRecord>,
    /// Errors first, then warnings.
    pub findings: Vec<FindingRecord>,
}

impl FileRecord {
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.code.severity() == Severity::Error)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.findings.len() - self.errors()
    }
}

/// Counts for the summary line and reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Files read, with or without certificates.
    pub files: usize,
    pub accepted: usize,
    pub rejected: usize,
    /// Files whose input lacked the evidence for a verdict.
    pub undetermined: usize,
    /// Files that could not be read or checked.
    pub errors: usize,
    /// Files without any certificate (skipped quietly).
    pub no_certificate: usize,
    /// Files holding CA certificates only: issuers, not bundles to check.
    pub issuer_files: usize,
    /// Accepted files with at least one warning.
    pub accepted_with_warnings: usize,
}

impl Summary {
    fn count(&mut self, record: &FileRecord) {
        match record.status {
            FileStatus::Accepted => {
                self.accepted += 1;
                if record.warnings() > 0 {
                    self.accepted_with_warnings += 1;
                }
            }
            FileStatus::Rejected => self.rejected += 1,
            FileStatus::Undetermined => self.undetermined += 1,
            FileStatus::Error(_) => self.errors += 1,
        }
    }
}

/// Settings of a scan.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    /// The check applied to every bundle (`leaf` must be `None`).
    pub check: CheckOptions,
    /// Threads; 0 means one per core.
    pub jobs: usize,
    /// Files larger than this are reported as errors, not read.
    pub max_file_bytes: u64,
}

/// The files to scan below `paths`, sorted, and the errors met while walking
/// (unreadable directories), as records. Symbolic links are followed only when they
/// lead to a file inside the tree being walked; linked directories are not entered.
pub fn collect_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<FileRecord>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for root in paths {
        match fs::metadata(root) {
            Ok(m) if m.is_dir() => {
                let canonical = fs::canonicalize(root).unwrap_or_else(|_| root.clone());
                walk(root, &canonical, &mut files, &mut errors);
            }
            Ok(_) => files.push(root.clone()),
            Err(e) => errors.push(error_record(root, io_words(&e))),
        }
    }
    files.sort();
    files.dedup();
    (files, errors)
}

fn walk(dir: &Path, root: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<FileRecord>) {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(error_record(
                dir,
                format!("cannot list the directory: {}", io_words(&e)),
            ));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            walk(&path, root, files, errors);
        } else if kind.is_file() {
            files.push(path);
        } else if kind.is_symlink() {
            let inside = fs::canonicalize(&path).is_ok_and(|t| t.starts_with(root) && t.is_file());
            if inside {
                files.push(path);
            }
        }
    }
}

fn io_words(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

fn error_record(path: &Path, message: String) -> FileRecord {
    FileRecord {
        path: path.display().to_string(),
        status: FileStatus::Error(message),
        leaf: None,
        findings: Vec::new(),
    }
}

/// A file's bytes, refusing files over `max` bytes; the error is worded for a record.
fn read_file(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    fs::File::open(path)
        .and_then(|f| f.take(max + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read: {}", io_words(&e)))?;
    if bytes.len() as u64 > max {
        return Err(format!(
            "larger than {} MiB; not a certificate file",
            max / (1024 * 1024)
        ));
    }
    Ok(bytes)
}

/// What reading one file gave.
enum Visit {
    Record(FileRecord),
    NoCertificate,
    /// CA certificates only (a vendor's intermediate or bundle): nothing to check.
    IssuerFile,
}

/// Checks every file of `files` (already sorted) and hands each record to `emit`, in
/// order; `progress` is told how many files are done after each chunk. Returns the
/// counts.
pub fn scan(
    files: &[PathBuf],
    allowlist: &Allowlist,
    options: &ScanOptions,
    shared: &Shared,
    mut emit: impl FnMut(&FileRecord),
    mut progress: impl FnMut(usize),
) -> Summary {
    let mut summary = Summary::default();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs)
        .build();
    let check_chunk = |chunk: &[PathBuf]| -> Vec<Visit> {
        chunk
            .par_iter()
            .map(|path| visit(path, allowlist, options, shared))
            .collect()
    };
    let mut done = 0;
    for chunk in files.chunks(CHUNK) {
        let visits = match &pool {
            Ok(pool) => pool.install(|| check_chunk(chunk)),
            Err(_) => chunk
                .iter()
                .map(|path| visit(path, allowlist, options, shared))
                .collect(),
        };
        for v in visits {
            summary.files += 1;
            match v {
                Visit::Record(record) => {
                    summary.count(&record);
                    emit(&record);
                }
                Visit::NoCertificate => summary.no_certificate += 1,
                Visit::IssuerFile => summary.issuer_files += 1,
            }
        }
        done += chunk.len();
        progress(done);
    }
    summary
}

/// Reads and checks one file.
fn visit(path: &Path, allowlist: &Allowlist, options: &ScanOptions, shared: &Shared) -> Visit {
    let name = path.display().to_string();
    let bytes = match read_file(path, options.max_file_bytes) {
        Ok(bytes) => bytes,
        Err(message) => return Visit::Record(error_record(path, message)),
    };
    let input = Input { name, bytes };
    match check_with(&[input], allowlist, &options.check, shared) {
        Ok(outcome) => {
            let leaf = outcome.pool.get(outcome.chain.leaf());
            let a = &outcome.assessment;
            Visit::Record(FileRecord {
                path: path.display().to_string(),
                status: match a.verdict {
                    Verdict::Accepted => FileStatus::Accepted,
                    Verdict::Rejected => FileStatus::Rejected,
                    Verdict::Undetermined => FileStatus::Undetermined,
                },
                leaf: Some(LeafRecord {
                    sha1: *leaf.sha1(),
                    subject: leaf.subject().to_string(),
                }),
                findings: a
                    .findings
                    .iter()
                    .map(|f| FindingRecord {
                        code: f.code,
                        message: f.message.clone(),
                    })
                    .collect(),
            })
        }
        Err(Error::Load(LoadError {
            problem: Problem::Empty | Problem::NoCertificate(_),
            ..
        }))
        | Err(Error::KeyOnly { .. }) => Visit::NoCertificate,
        Err(Error::Leaf(LeafError::OnlyCaCertificates { .. })) => Visit::IssuerFile,
        Err(e) => {
            // Messages name the file already; the record carries the path.
            let message = e.to_string();
            let prefix = format!("{}: ", path.display());
            let message = message.strip_prefix(&prefix).unwrap_or(&message).to_owned();
            Visit::Record(error_record(path, message))
        }
    }
}

/// Loads the CA certificates of a chain directory (every file below it that holds
/// certificates; files without any are ignored), for [`Shared::extras`].
pub fn load_chain_dir(dir: &Path, max_file_bytes: u64) -> Result<Vec<Certificate>, Error> {
    let (files, errors) = collect_files(&[dir.to_path_buf()]);
    if let Some(FileRecord {
        path,
        status: FileStatus::Error(message),
        ..
    }) = errors.into_iter().next()
    {
        return Err(Error::Load(LoadError {
            file: path,
            problem: Problem::NoCertificate(message),
        }));
    }
    let mut certs = Vec::new();
    for path in files {
        let name = path.display().to_string();
        let bytes = read_file(&path, max_file_bytes).map_err(|message| {
            Error::Load(LoadError {
                file: name.clone(),
                problem: Problem::NoCertificate(message),
            })
        })?;
        match crate::load::load(&name, &bytes, None) {
            Ok(loaded) => {
                for raw in loaded.certificates {
                    certs.push(Certificate::from_raw(raw)?);
                }
            }
            Err(LoadError {
                problem: Problem::Empty | Problem::NoCertificate(_),
                ..
            }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(certs)
}
