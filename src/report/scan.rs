//! Scan reports for people and CI systems: a text table, JSON Lines, one JSON
//! document, JUnit XML and SARIF 2.1.0.
//!
//! Records arrive one at a time, in path order, and are written as they come, so a
//! report of 100,000 files never sits in memory. Only JUnit, whose counts come
//! first, keeps its test cases until the end.

use std::fmt::Write as _;
use std::io::{self, Write};

use schemars::JsonSchema;
use serde::Serialize;
use serde_json::{Value, json as j};

use super::style::{BOLD, DIM, GREEN, RED, YELLOW, paint};
use crate::policy::{Code, Severity};
use crate::scan::{FileRecord, FileStatus, Summary};

/// The report formats of `scan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScanFormat {
    Text,
    Jsonl,
    Json,
    Junit,
    Sarif,
}

/// Writes a scan report record by record.
pub struct ScanWriter<W: Write> {
    out: W,
    format: ScanFormat,
    /// `--fail-on warning`: accepted files with warnings fail, in JUnit and SARIF too,
    /// so that a report never disagrees with the exit status.
    fail_on_warning: bool,
    /// No record written yet: JSON and SARIF put no comma before the first, text no
    /// blank line before a summary with no rows.
    first: bool,
    /// JUnit test cases, kept until the counts are known.
    junit: String,
    /// Room for one JSON record, reused.
    line: String,
}

fn status_word(status: &FileStatus) -> &'static str {
    match status {
        FileStatus::Accepted => "accepted",
        FileStatus::Rejected => "rejected",
        FileStatus::Undetermined => "undetermined",
        FileStatus::Error(_) => "error",
        FileStatus::IssuerFile(_) => "issuer-file",
    }
}

/// What an issuer file is, in words, for the reports that show it.
fn issuer_file_words(n: usize) -> String {
    format!(
        "{}, no bundle: the issuers of its directory's bundles",
        super::count(n, "CA certificate", "CA certificates")
    )
}

/// The SARIF rule of issuer-file notes.
const ISSUER_FILE_RULE: &str = "issuer-file";

/// `mfgcheck scan --format json`. The writer streams it record by record rather than
/// building it, so this type only describes it (its schema); the tests hold the
/// streamed document to that schema.
#[derive(JsonSchema)]
pub struct ScanDocument<'a> {
    pub schema_version: u32,
    pub mfgcheck_version: String,
    /// Files, then the servers of --connect-list
    pub files: Vec<ScanRecord<'a>>,
    pub summary: Summary,
}

/// One record as the JSON and JSON Lines reports write it (each line of
/// `mfgcheck scan --format jsonl`); keys in alphabetical order, as the other documents
/// have them.
#[derive(Serialize, JsonSchema)]
pub struct ScanRecord<'a> {
    pub error: Option<&'a str>,
    pub findings: Vec<ScanFinding<'a>>,
    /// Null on error and for an issuer file
    pub leaf: Option<ScanLeaf<'a>>,
    /// The file, or the server's HOST:PORT [options]
    pub path: &'a str,
    #[schemars(extend("enum" = ["accepted", "rejected", "undetermined", "error", "issuer-file"]))]
    pub verdict: &'static str,
}

#[derive(Serialize, JsonSchema)]
pub struct ScanFinding<'a> {
    pub code: Code,
    /// The fix's commands, apart from its words
    pub commands: &'a [String],
    pub fix: Option<&'a str>,
    pub message: &'a str,
    pub severity: Severity,
}

#[derive(Serialize, JsonSchema)]
pub struct ScanLeaf<'a> {
    pub sha1: String,
    pub subject: &'a str,
}

impl<'a> ScanRecord<'a> {
    fn of(r: &'a FileRecord) -> Self {
        Self {
            error: match &r.status {
                FileStatus::Error(m) => Some(m),
                _ => None,
            },
            findings: r
                .findings
                .iter()
                .map(|f| ScanFinding {
                    code: f.code,
                    commands: &f.commands,
                    fix: f.fix.as_deref(),
                    message: &f.message,
                    severity: f.code.severity(),
                })
                .collect(),
            leaf: r.leaf.as_ref().map(|l| ScanLeaf {
                sha1: l.sha1.to_string(),
                subject: &l.subject,
            }),
            path: &r.path,
            verdict: status_word(&r.status),
        }
    }
}

/// One record as JSON, appended to `out`.
fn record_json(r: &FileRecord, out: &mut String) {
    // Serialising borrowed strings, numbers and options cannot fail.
    out.push_str(&serde_json::to_string(&ScanRecord::of(r)).unwrap_or_default());
}

/// The summary object, keys in alphabetical order as every document has them.
fn summary_json(s: &Summary) -> String {
    serde_json::to_value(s)
        .and_then(|v| serde_json::to_string(&v))
        .unwrap_or_default()
}

/// XML text and attribute escaping.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A path as a SARIF artifact URI: forward slashes, percent-encoded where needed.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char);
            }
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out.trim_start_matches("./").to_owned()
}

/// The SARIF rule of files that could not be read; every other rule is a finding code.
const FILE_ERROR_RULE: &str = "file-error";

/// A finding's SARIF level: warnings are errors under `--fail-on warning`, since they
/// fail the run.
fn sarif_level(code: Code, fail_on_warning: bool) -> &'static str {
    match code.severity() {
        Severity::Error => "error",
        Severity::Warning if fail_on_warning => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A finding with its fix, for JUnit bodies and SARIF messages: the words on one line,
/// then each command on a line of its own.
fn with_fix(f: &crate::scan::FindingRecord) -> String {
    let mut text = match &f.fix {
        Some(fix) => format!("{} Fix: {fix}", f.message),
        None => f.message.clone(),
    };
    for c in &f.commands {
        text.push_str("\n  ");
        text.push_str(c);
    }
    text
}

impl<W: Write> ScanWriter<W> {
    pub fn new(out: W, format: ScanFormat, fail_on_warning: bool) -> Self {
        Self {
            out,
            format,
            fail_on_warning,
            first: true,
            junit: String::new(),
            line: String::new(),
        }
    }

    /// Writes what comes before the records.
    pub fn begin(&mut self) -> io::Result<()> {
        match self.format {
            ScanFormat::Text | ScanFormat::Jsonl | ScanFormat::Junit => Ok(()),
            ScanFormat::Json => write!(
                self.out,
                "{{\n  \"schema_version\": {},\n  \"mfgcheck_version\": \"{}\",\n  \"files\": [",
                super::JSON_SCHEMA_VERSION,
                env!("CARGO_PKG_VERSION")
            ),
            ScanFormat::Sarif => {
                let rules: Vec<Value> = Code::ALL
                    .iter()
                    .map(|&c| {
                        j!({
                            "id": c.as_str(),
                            "shortDescription": { "text": c.summary() },
                            "help": { "text": format!("{} Each result's message ends with the fix for that case.", c.summary()) },
                            "defaultConfiguration": { "level": sarif_level(c, self.fail_on_warning) },
                        })
                    })
                    .chain(std::iter::once(j!({
                        "id": FILE_ERROR_RULE,
                        "shortDescription": { "text": "The file could not be read or checked, or the server gave no chain." },
                        "defaultConfiguration": { "level": "error" },
                    })))
                    .chain(std::iter::once(j!({
                        "id": ISSUER_FILE_RULE,
                        "shortDescription": { "text": "The file holds CA certificates only: the issuers of its directory's bundles, not a bundle to check." },
                        "defaultConfiguration": { "level": "note" },
                    })))
                    .collect();
                let driver = j!({
                    "name": "mfgcheck",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                });
                write!(
                    self.out,
                    "{{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{{\"tool\":{{\"driver\":{}}},\"results\":[",
                    driver
                )
            }
        }
    }

    /// Writes one file's record.
    pub fn record(&mut self, r: &FileRecord) -> io::Result<()> {
        match self.format {
            ScanFormat::Text => {
                self.first = false;
                self.text_row(r)
            }
            ScanFormat::Jsonl => {
                self.line.clear();
                record_json(r, &mut self.line);
                self.line.push('\n');
                self.out.write_all(self.line.as_bytes())
            }
            ScanFormat::Json => {
                let sep = if self.first { "\n    " } else { ",\n    " };
                self.first = false;
                self.line.clear();
                self.line.push_str(sep);
                record_json(r, &mut self.line);
                self.out.write_all(self.line.as_bytes())
            }
            ScanFormat::Junit => {
                self.junit_case(r);
                Ok(())
            }
            ScanFormat::Sarif => self.sarif_results(r),
        }
    }

    fn text_row(&mut self, r: &FileRecord) -> io::Result<()> {
        let (style, word) = match &r.status {
            FileStatus::Accepted if r.warnings() > 0 => (YELLOW, "accepted"),
            FileStatus::Accepted => (GREEN, "accepted"),
            FileStatus::Rejected => (RED, "REJECTED"),
            FileStatus::Undetermined => (YELLOW, "UNDETERMINED"),
            FileStatus::Error(_) => (RED.bold(), "ERROR   "),
            FileStatus::IssuerFile(_) => (DIM, "issuers "),
        };
        let detail = match &r.status {
            FileStatus::Error(m) => m.clone(),
            FileStatus::IssuerFile(n) => issuer_file_words(*n),
            _ => {
                let mut codes: Vec<&str> = Vec::new();
                for f in &r.findings {
                    if !codes.contains(&f.code.as_str()) {
                        codes.push(f.code.as_str());
                    }
                }
                codes.join(", ")
            }
        };
        writeln!(
            self.out,
            "{}  {}  {}",
            paint(style, word),
            r.path,
            paint(DIM, &detail)
        )
    }

    fn junit_case(&mut self, r: &FileRecord) {
        let name = xml(&r.path);
        let _ = write!(
            self.junit,
            "    <testcase classname=\"mfgcheck\" name=\"{name}\""
        );
        let body = |findings: &[crate::scan::FindingRecord]| {
            findings
                .iter()
                .map(|f| format!("{} {}: {}", f.code.severity(), f.code, with_fix(f)))
                .collect::<Vec<_>>()
                .join("\n")
        };
        match &r.status {
            FileStatus::Accepted if r.findings.is_empty() => self.junit.push_str("/>\n"),
            FileStatus::Accepted if self.fail_on_warning => {
                let codes: Vec<&str> = r.findings.iter().map(|f| f.code.as_str()).collect();
                let _ = write!(
                    self.junit,
                    ">\n      <failure type=\"warning\" message=\"warnings (--fail-on warning): {}\">{}</failure>\n    </testcase>\n",
                    xml(&codes.join(", ")),
                    xml(&body(&r.findings))
                );
            }
            FileStatus::Accepted => {
                let _ = write!(
                    self.junit,
                    ">\n      <system-out>{}</system-out>\n    </testcase>\n",
                    xml(&body(&r.findings))
                );
            }
            FileStatus::Rejected | FileStatus::Undetermined => {
                let kind = status_word(&r.status);
                let codes: Vec<&str> = r
                    .findings
                    .iter()
                    .filter(|f| f.code.severity() == Severity::Error)
                    .map(|f| f.code.as_str())
                    .collect();
                let _ = write!(
                    self.junit,
                    ">\n      <failure type=\"{kind}\" message=\"{kind}: {}\">{}</failure>\n    </testcase>\n",
                    xml(&codes.join(", ")),
                    xml(&body(&r.findings))
                );
            }
            FileStatus::Error(m) => {
                let _ = write!(
                    self.junit,
                    ">\n      <error type=\"file-error\" message=\"{}\"/>\n    </testcase>\n",
                    xml(m)
                );
            }
            FileStatus::IssuerFile(n) => {
                let _ = write!(
                    self.junit,
                    ">\n      <system-out>{}</system-out>\n    </testcase>\n",
                    xml(&issuer_file_words(*n))
                );
            }
        }
    }

    fn sarif_results(&mut self, r: &FileRecord) -> io::Result<()> {
        let location =
            j!([{ "physicalLocation": { "artifactLocation": { "uri": uri(&r.path) } } }]);
        let results: Vec<Value> = match &r.status {
            FileStatus::Error(m) => vec![j!({
                "ruleId": FILE_ERROR_RULE,
                "level": "error",
                "message": { "text": m },
                "locations": location,
            })],
            FileStatus::IssuerFile(n) => vec![j!({
                "ruleId": ISSUER_FILE_RULE,
                "level": "note",
                "message": { "text": issuer_file_words(*n) },
                "locations": location,
            })],
            _ => r
                .findings
                .iter()
                .map(|f| {
                    j!({
                        "ruleId": f.code.as_str(),
                        "level": sarif_level(f.code, self.fail_on_warning),
                        "message": { "text": with_fix(f) },
                        "locations": location,
                        "properties": { "fix": f.fix },
                    })
                })
                .collect(),
        };
        for result in results {
            let sep = if self.first { "" } else { "," };
            self.first = false;
            write!(self.out, "{sep}{result}")?;
        }
        Ok(())
    }

    /// Writes what comes after the records, and flushes.
    pub fn finish(mut self, summary: &Summary) -> io::Result<()> {
        match self.format {
            ScanFormat::Text => {
                // A blank line parts the rows from the summary; without rows, none.
                let gap = if self.first { "" } else { "\n" };
                let line = summary_words(summary);
                writeln!(self.out, "{gap}{}", paint(BOLD, &line))?;
            }
            ScanFormat::Jsonl => {}
            ScanFormat::Json => write!(
                self.out,
                "\n  ],\n  \"summary\": {}\n}}\n",
                summary_json(summary)
            )?,
            ScanFormat::Junit => {
                let failures = summary.rejected
                    + summary.undetermined
                    + if self.fail_on_warning {
                        summary.accepted_with_warnings
                    } else {
                        0
                    };
                let tests = failures + summary.accepted + summary.errors;
                write!(
                    self.out,
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"mfgcheck\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{}\">\n  <testsuite name=\"mfgcheck scan\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{}\" skipped=\"0\">\n{}  </testsuite>\n</testsuites>\n",
                    summary.errors, summary.errors, self.junit
                )?;
            }
            ScanFormat::Sarif => writeln!(self.out, "]}}]}}")?,
        }
        self.out.flush()
    }
}

/// "120 files: 100 accepted (3 with warnings), 15 rejected, 2 errors, 3 without certificates."
/// Undetermined files and issuer files are named only when there are some.
pub fn summary_words(s: &Summary) -> String {
    let undetermined = match s.undetermined {
        0 => String::new(),
        n => format!(", {n} undetermined"),
    };
    let issuers = match s.issuer_files {
        0 => String::new(),
        1 => ", 1 file of CA certificates only".to_owned(),
        n => format!(", {n} files of CA certificates only"),
    };
    let plural = super::count;
    let what = match (s.files, s.endpoints) {
        (_, 0) => plural(s.files, "file", "files"),
        (0, n) => plural(n, "endpoint", "endpoints"),
        (f, n) => format!(
            "{} and {}",
            plural(f, "file", "files"),
            plural(n, "endpoint", "endpoints")
        ),
    };
    // Servers always present certificates or fail: the count is about files.
    let without = match (s.files, s.endpoints) {
        (0, 1..) => String::new(),
        _ => format!(", {} without certificates", s.no_certificate),
    };
    format!(
        "{what}: {} accepted ({} with warnings), {} rejected{undetermined}, {}{without}{issuers}.",
        s.accepted,
        s.accepted_with_warnings,
        s.rejected,
        plural(s.errors, "error", "errors"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Code;
    use crate::scan::{FindingRecord, LeafRecord};

    /// The record as serde_json writes it, from a `Value` tree.
    fn serde_record(r: &FileRecord) -> String {
        let findings: Vec<Value> = r
            .findings
            .iter()
            .map(|f| {
                j!({"code": f.code.as_str(), "commands": f.commands, "fix": f.fix, "message": f.message, "severity": f.code.severity().as_str()})
            })
            .collect();
        let doc = j!({
            "error": match &r.status { FileStatus::Error(m) => Some(m.as_str()), _ => None },
            "findings": findings,
            "leaf": r.leaf.as_ref().map(|l| j!({"sha1": l.sha1.to_string(), "subject": l.subject})),
            "path": r.path,
            "verdict": status_word(&r.status),
        });
        serde_json::to_string(&doc).unwrap()
    }

    fn hand_record(r: &FileRecord) -> String {
        let mut out = String::new();
        record_json(r, &mut out);
        out
    }

    #[test]
    fn records_are_written_as_serde_json_writes_them() {
        // Every byte that needs an escape, at every position of an eight-byte word,
        // beside multi-byte characters and bytes that need none (DEL, U+2028).
        let mut texts: Vec<String> =
            vec![String::new(), "plain".into(), "\u{7f}\u{2028}é漢🦀".into()];
        for c in (0u8..0x20).map(char::from).chain(['"', '\\']) {
            for at in 0..9 {
                texts.push(format!("{}{c}{}ü", "a".repeat(at), "b".repeat(9 - at)));
            }
        }
        for text in &texts {
            let records = [
                FileRecord {
                    path: text.clone(),
                    status: FileStatus::Error(text.clone()),
                    leaf: None,
                    findings: Vec::new(),
                    chain: Vec::new(),
                },
                FileRecord {
                    path: format!("C:\\certs\\{text}.cer"),
                    status: FileStatus::Rejected,
                    chain: Vec::new(),
                    leaf: Some(LeafRecord {
                        sha1: crate::model::Sha1Thumbprint::new([0xA5; 20]),
                        subject: text.clone(),
                    }),
                    findings: vec![
                        FindingRecord {
                            code: Code::IndirectIssuer,
                            message: text.clone(),
                            fix: Some(format!("{text}\n{text}").into()),
                            commands: vec![text.clone()],
                        },
                        FindingRecord {
                            code: Code::ChainContainsRoot,
                            message: "m".into(),
                            fix: None,
                            commands: Vec::new(),
                        },
                    ],
                },
            ];
            for r in &records {
                assert_eq!(hand_record(r), serde_record(r), "{text:?}");
            }
        }
    }

    #[test]
    fn xml_and_uri_escaping() {
        assert_eq!(
            xml("a<b & \"c\"\u{1}"),
            "a&lt;b &amp; &quot;c&quot;\u{FFFD}"
        );
        assert_eq!(uri("./dir\\a b%.pem"), "dir/a%20b%25.pem");
    }
}
