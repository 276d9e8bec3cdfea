//! Output for people: reports that fit a screen, --brief, wrapping, counts.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::cli::mfgcheck;
use serde_json::Value;

/// A leaf and its intermediate beside a 150-root system bundle given twice.
const CROWDED: [&str; 4] = [
    "story-leaf.cer",
    "story-intermediate.cer",
    "system-roots-150.pem",
    "system-roots-150.pem",
];

fn run(args: &[&str]) -> (i32, String) {
    run_at(
        args,
        &["--allowlist", "allowlist.yaml", "--at", "2011-06-01"],
    )
}

/// Runs with `when`: the allowlist and the date.
fn run_at(args: &[&str], when: &[&str]) -> (i32, String) {
    // Not a terminal and no COLUMNS: the default of 80 columns.
    let out = mfgcheck()
        .env_remove("COLUMNS")
        .args(args)
        .args(when)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

/// Whether `line` fits `width` columns, or is a command to paste, which is never
/// wrapped however wide it is (a line of its own, after its indent or list number).
fn fits(line: &str, width: usize) -> bool {
    if line.chars().count() <= width {
        return true;
    }
    let body = line
        .trim_start()
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.')
        .trim_start();
    let body = body.strip_prefix("Fix:").unwrap_or(body).trim_start();
    let body = body.strip_prefix("Next:").unwrap_or(body).trim_start();
    [
        "New-FederationTrust",
        "Set-FederationTrust",
        "Get-FederationTrust",
        "New-ExchangeCertificate",
        "Import-ExchangeCertificate",
        "Export-ExchangeCertificate",
        "Export-PfxCertificate",
        "certutil",
        "openssl",
        "mfgcheck",
    ]
    .iter()
    .any(|c| body.starts_with(c))
}

#[test]
fn a_crowded_bundle_fits_a_screen_of_80_columns() {
    // Accepted; rejected as issued through an intermediate not yet listed; rejected
    // by the built-in list, once in the certificates' time and once years after every
    // one of them expired (the most findings).
    let cases: [(&[&str], i32, &str); 4] = [
        (
            &["--allowlist", "allowlist.yaml", "--at", "2011-06-01"],
            0,
            "ACCEPTED",
        ),
        (
            &["--allowlist", "allowlist.yaml", "--at", "2010-12-01"],
            1,
            "indirect-issuer",
        ),
        (&["--at", "2011-06-01"], 1, "issuer-not-allowlisted"),
        (&["--at", "2026-12-01"], 1, "expired"),
    ];
    for (when, exit, verdict) in cases {
        let (code, text) = run_at(&[&["check"][..], &CROWDED].concat(), when);
        assert_eq!(code, exit, "{when:?}: {text}");
        assert!(text.contains(verdict), "{when:?}: {text}");
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines.len() <= 80,
            "{when:?}: {} lines:\n{text}",
            lines.len()
        );
        for line in &lines {
            assert!(fits(line, 80), "too wide: {line}");
        }
        // The file to drop and five of the 150 unrelated roots, then a count;
        // duplicates are one warning, saying the file was given twice.
        assert!(
            text.contains("150 certificates are not on the checked certificate's path, all from\n        system-roots-150.pem: \"Test System Root 1\""),
            "{text}"
        );
        assert!(
            text.contains("\"Test System Root 5\" and 145 more."),
            "{text}"
        );
        assert_eq!(text.matches("warning duplicate-cert").count(), 1, "{text}");
        assert!(
            text.contains("150 certificates were supplied more than once: system-roots-150.pem was\n        given twice."),
            "{text}"
        );
    }
    let (_, json) = run(&[&["check"][..], &CROWDED, &["--format", "json"]].concat());
    let doc: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["unused"].as_array().unwrap().len(), 150);
    let findings = doc["findings"].as_array().unwrap();
    let of =
        |code: &str| -> Vec<&Value> { findings.iter().filter(|f| f["code"] == code).collect() };
    let dups = of("duplicate-cert");
    assert_eq!(dups.len(), 1);
    assert_eq!(dups[0]["certificates"].as_array().unwrap().len(), 150);
    assert_eq!(
        of("chain-extra-cert")[0]["certificates"]
            .as_array()
            .unwrap()
            .len(),
        150
    );
}

#[test]
fn a_next_step_that_a_fix_said_points_back_to_it() {
    // Where to get an accepted certificate is the error's Fix, a paragraph: the next
    // steps point back to it; JSON keeps each step whole.
    let args = ["check", "story-bundle.pem", "--at", "2011-06-01"];
    let (code, text) = run_at(&args, &[]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("\n1. Follow the Fix of issuer-not-allowlisted above.\n"),
        "{text}"
    );
    assert_eq!(
        text.matches("Get a federation certificate issued directly")
            .count(),
        1,
        "{text}"
    );
    let (_, json) = run_at(&[&args[..], &["--format", "json"]].concat(), &[]);
    let doc: Value = serde_json::from_str(&json).unwrap();
    let first = doc["next_steps"][0]["text"].as_str().unwrap();
    assert!(
        first.starts_with("Get a federation certificate issued directly"),
        "{first}"
    );
}

#[test]
fn long_names_wrap_under_the_tree() {
    let out = mfgcheck()
        .args(["check", "story-bundle.pem", "--allowlist", "allowlist.yaml"])
        .args(["--at", "2011-06-01"])
        .env("COLUMNS", "60")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for line in text.lines() {
        assert!(fits(line, 60), "too wide: {line}");
    }
    // The root's long name continues under itself.
    assert!(
        text.contains("     └─ CN=Test.net Secure Server Certification"),
        "{text}"
    );
}

#[test]
fn brief_is_at_most_ten_lines_with_verdict_fix_and_next_command() {
    let cases: [(&[&str], i32, &str, &str); 6] = [
        (
            &["story-bundle.pem", "--at", "2010-12-01"],
            1,
            "REJECTED:",
            "Fix: ",
        ),
        (
            &["noaki-leaf.pem", "--at", "2011-06-01"],
            1,
            "UNDETERMINED:",
            "Next: add the issuer's certificate",
        ),
        (
            &["direct-bundle.pem", "--at", "2011-06-01"],
            0,
            "ACCEPTED:",
            "New-FederationTrust -Name",
        ),
        (&CROWDED, 0, "ACCEPTED:", "duplicate-cert, chain-extra-cert"),
        // Messages cut in the middle of a full line: the mark still fits 80 columns.
        (&["unlisted.pem"], 1, "REJECTED:", " …\n"),
        (&["impostor-leaf.pem"], 1, "REJECTED:", " …\n"),
    ];
    for (files, exit, first, must) in cases {
        let mut args = vec!["check", "--brief", "--allowlist", "allowlist.yaml"];
        args.extend_from_slice(files);
        if !files.contains(&"--at") {
            args.extend(["--at", "2011-06-01"]);
        }
        let (code, text) = run_at(&args, &[]);
        assert_eq!(code, exit, "{text}");
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines.len() <= mfgcheck::report::BRIEF_LINES,
            "{files:?}:\n{text}"
        );
        assert!(lines[0].starts_with(first), "{text}");
        assert!(text.contains(must), "{must} not in\n{text}");
        for line in &lines {
            assert!(fits(line, 80), "too wide: {line}");
        }
        assert!(!text.contains("--brief"), "{text}");
    }
}

#[test]
fn an_error_names_five_certificates_and_counts_the_rest() {
    // A system bundle alone has no leaf: the one stderr line names five of its 150
    // roots, not all of them (it was 20,000 characters long).
    let out = mfgcheck()
        .args(["check", "system-roots-150.pem"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("holds only CA certificates"), "{stderr}");
    assert!(stderr.contains("Test System Root 5"), "{stderr}");
    assert!(!stderr.contains("Test System Root 6,"), "{stderr}");
    assert!(
        stderr.contains("; and 145 more (mfgcheck inspect lists them all)"),
        "{stderr}"
    );
    assert!(stderr.len() < 1_000, "{} characters", stderr.len());
}

#[test]
fn other_commands_fit_80_columns_too() {
    // Not a terminal and no COLUMNS: 80 columns. Commands to copy (triage's "Next:")
    // are never wrapped; everything else is.
    let runs: [&[&str]; 6] = [
        &["inspect", "story-bundle.pem", "--at", "2011-06-01"],
        &[
            "inspect",
            "story-legacy.pfx",
            "--password-file",
            "pfx-password.txt",
        ],
        &["allowlist"],
        &["allowlist", "--allowlist", "allowlist.yaml"],
        &["triage", "../tests/data/triage/nothing.txt"],
        &["triage", "../tests/data/ems/trust-table-test.txt"],
    ];
    for args in runs {
        let (_, text) = run_at(args, &[]);
        assert!(text.lines().count() > 10, "{args:?}: {text}");
        for line in text.lines() {
            assert!(fits(line, 80), "{args:?}: too wide: {line}");
        }
    }
}

#[test]
fn brief_never_cuts_its_next_command() {
    // Four files and two options make the command three lines: it is printed whole,
    // and the finding's message gives up lines for it.
    let mut args = vec!["check", "--brief", "--allowlist", "allowlist.yaml"];
    args.extend_from_slice(&CROWDED);
    args.extend(["--at", "2010-12-01"]);
    let (code, text) = run_at(&args, &[]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.lines().count() <= mfgcheck::report::BRIEF_LINES,
        "{text}"
    );
    let next = text.split("Next, every finding:").nth(1).unwrap();
    let mut got: Vec<&str> = next.split_whitespace().collect();
    let mut want: Vec<&str> = args.iter().copied().filter(|a| *a != "--brief").collect();
    want.push("mfgcheck");
    got.sort_unstable();
    want.sort_unstable();
    assert_eq!(got, want, "{text}");
    // A command too long for the report is named, not cut.
    let mut args = vec!["check", "--brief", "--allowlist", "allowlist.yaml"];
    args.extend([
        "--at",
        "2010-12-01",
        "story-leaf.cer",
        "story-intermediate.cer",
    ]);
    args.extend(["system-roots-150.pem"; 12]);
    let (_, text) = run_at(&args, &[]);
    assert!(
        text.ends_with("Next, every finding: the same command without --brief.\n"),
        "{text}"
    );
    assert!(
        text.lines().count() <= mfgcheck::report::BRIEF_LINES,
        "{text}"
    );
}

#[test]
fn many_certificates_of_one_name_are_counted_once() {
    // 120 CAs named alike: the copies and the certificates off the path are each one
    // count under the name, not the same name five times over.
    let (code, text) = run(&["check", "mesh-120.pem"]);
    assert_eq!(code, 1, "{text}");
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("other copies (same subject and key) of certificates on the path, all from mesh-120.pem: 6 named \"Test Mesh CA\"."),
        "{text}"
    );
    assert!(
        words.contains("111 certificates are not on the checked certificate's path, all from mesh-120.pem: 111 named \"Test Mesh CA\"."),
        "{text}"
    );
}

#[test]
fn commands_to_paste_are_never_wrapped_whatever_the_width() {
    for brief in [false, true] {
        let mut cmd = mfgcheck();
        cmd.args(["check", "story-bundle.pem", "--allowlist", "allowlist.yaml"])
            .args(["--at", "2011-06-01"])
            .env("COLUMNS", "40");
        if brief {
            cmd.arg("--brief");
        }
        let out = cmd.output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let sha1 = "D8F5401DB4C4228B4FD8C57CC66FD194021A4B92";
        let whole = format!(
            "New-FederationTrust -Name \"Microsoft Federation Gateway\" -Thumbprint {sha1}"
        );
        assert!(
            text.lines().any(|l| l.contains(&whole)),
            "brief {brief}: the command is cut:\n{text}"
        );
        // The prose around it still wraps at 40 columns.
        let prose = text
            .lines()
            .filter(|l| !l.contains("New-FederationTrust") && !l.contains("mfgcheck check"))
            // A thumbprint is one token, longer than 40 columns with the tree's rail.
            .filter(|l| !l.split_whitespace().any(|w| w.len() >= 40));
        for line in prose {
            assert!(
                line.chars().count() <= 40,
                "brief {brief}: too wide: {line}"
            );
        }
    }
}
