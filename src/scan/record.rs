//! What a scan reports of each file: compact records, so that a scan need not keep
//! whole outcomes, and the summary of all of them.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::Path;

use crate::model::Sha1Thumbprint;
use crate::policy::{Code, Severity, Verdict};

/// What became of one file that holds certificates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileStatus {
    Accepted,
    Rejected,
    /// Evidence was missing (issuer-unconfirmed): a failure, like a rejection.
    Undetermined,
    /// The file could not be read or checked; the message says why.
    Error(String),
    /// CA certificates only (this many): the issuers of its directory's bundles, no
    /// bundle itself. Reported so that every file shows in every report.
    IssuerFile(usize),
}

/// One finding, as a scan reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FindingRecord {
    pub code: Code,
    pub message: String,
    pub fix: Option<Cow<'static, str>>,
    pub commands: Vec<String>,
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
    /// SHA-1 thumbprints of the certificates above the leaf on its path: which of a
    /// directory's issuer files the bundle used.
    pub chain: Vec<Sha1Thumbprint>,
}

impl FileRecord {
    pub fn errors(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.code.severity() == Severity::Error)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.findings
            .iter()
            .filter(|f| f.code.severity() == Severity::Warning)
            .count()
    }
}

/// Counts for the summary line and reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename = "ScanSummary")]
pub struct Summary {
    /// Files read, with or without certificates.
    pub files: usize,
    /// Servers asked for their chain (`scan --connect-list`).
    pub endpoints: usize,
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
    /// Adds the counts of another part of the same scan (its servers, say).
    pub fn add(&mut self, other: &Summary) {
        self.files += other.files;
        self.endpoints += other.endpoints;
        self.accepted += other.accepted;
        self.rejected += other.rejected;
        self.undetermined += other.undetermined;
        self.errors += other.errors;
        self.no_certificate += other.no_certificate;
        self.issuer_files += other.issuer_files;
        self.accepted_with_warnings += other.accepted_with_warnings;
    }

    pub(super) fn count(&mut self, record: &FileRecord) {
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
            FileStatus::IssuerFile(_) => self.issuer_files += 1,
        }
    }
}

pub(super) fn error_record(path: &Path, message: String) -> FileRecord {
    FileRecord {
        path: path_text(path),
        status: FileStatus::Error(message),
        leaf: None,
        findings: Vec::new(),
        chain: Vec::new(),
    }
}

/// A path as records and messages show it (`Path::display`), copied straight when it
/// is valid Unicode, as nearly every path is: the formatter's lossy walk, chunk by
/// chunk, cost about 0.5% of a scan.
pub(super) fn path_text(path: &Path) -> String {
    match path.to_str() {
        Some(text) => text.to_owned(),
        None => path.display().to_string(),
    }
}

/// The record of a bundle checked: its verdict, leaf and findings (moved, not copied).
pub(super) fn outcome_record(path: String, outcome: crate::Outcome) -> FileRecord {
    let leaf = outcome.pool.get(outcome.chain.leaf());
    // Written into room for a usual name at once, not grown piece by piece.
    let mut subject = String::with_capacity(96);
    let _ = write!(subject, "{}", leaf.subject());
    let leaf = LeafRecord {
        sha1: *leaf.sha1(),
        subject,
    };
    let chain = outcome
        .chain
        .path
        .iter()
        .skip(1)
        .map(|&id| *outcome.pool.get(id).sha1())
        .collect();
    let a = outcome.assessment;
    FileRecord {
        path,
        chain,
        status: match a.verdict {
            Verdict::Accepted => FileStatus::Accepted,
            Verdict::Rejected => FileStatus::Rejected,
            Verdict::Undetermined => FileStatus::Undetermined,
        },
        leaf: Some(leaf),
        findings: a
            .findings
            .into_iter()
            .map(|f| FindingRecord {
                code: f.code,
                message: f.message,
                fix: f.fix,
                commands: f.commands,
            })
            .collect(),
    }
}
