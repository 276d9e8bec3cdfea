//! `mfgcheck scan` on a tree built from the fixtures: mixed verdicts, errors,
//! files without certificates, nested directories, a chain directory.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::{Path, PathBuf};

use common::cli::mfgcheck;
use common::fixture;
use serde_json::Value;

/// A fresh tree under the temp directory; `name` keeps tests apart.
fn tree(name: &str, with_error: bool) -> PathBuf {
    let root = std::env::temp_dir().join(format!("mfgcheck-scan-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let files: &[(&str, &str)] = &[
        ("a/story-bundle.pem", "story-bundle.pem"),
        ("a/b/direct-bundle.pem", "direct-bundle.pem"),
        ("a/b/c/unlisted.pem", "unlisted.pem"),
        ("notes.txt", "notes.txt"),
        ("a/garbage.png", "garbage.png"),
        ("pfx/story-legacy.pfx", "story-legacy.pfx"),
        ("leaves/story-leaf.cer", "story-leaf.cer"),
    ];
    for (to, from) in files {
        copy(from, &root.join(to));
    }
    if with_error {
        copy("truncated.cer", &root.join("a/b/truncated.cer"));
    }
    copy(
        "story-intermediate.cer",
        &root.join("../chain-").join(name).join("int.cer"),
    );
    copy(
        "ca-legacy-root.pem",
        &root.join("../chain-").join(name).join("root.pem"),
    );
    root
}

fn copy(fixture_name: &str, to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(fixture(fixture_name), to).unwrap();
}

fn chain_dir(root: &Path, name: &str) -> PathBuf {
    root.join("../chain-").join(name)
}

/// Runs scan on `root` with the test allowlist; returns (exit code, stdout, stderr).
fn scan(root: &Path, extra: &[&str]) -> (i32, String, String) {
    let with_password = [&["--password-file", "pfx-password.txt"], extra].concat();
    scan_paths(&[root], &with_password)
}

/// `scan` of several paths with the test allowlist, without a PFX password.
fn scan_paths(paths: &[&Path], extra: &[&str]) -> (i32, String, String) {
    let out = mfgcheck()
        .arg("scan")
        .args(paths)
        .args(["--allowlist", "allowlist.yaml", "--at", "2011-06-01"])
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn jsonl(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn short(path: &str, root: &Path) -> String {
    path.strip_prefix(&*root.to_string_lossy())
        .unwrap_or(path)
        .trim_start_matches(['/', '\\'])
        .replace('\\', "/")
}

#[test]
fn records_in_path_order_with_verdicts_errors_and_skips() {
    let root = tree("records", true);
    let (code, stdout, stderr) = scan(&root, &["--format", "jsonl"]);
    assert_eq!(code, 2, "an unreadable file makes the exit 2: {stderr}");
    let records = jsonl(&stdout);
    let got: Vec<(String, String)> = records
        .iter()
        .map(|r| {
            (
                short(r["path"].as_str().unwrap(), &root),
                r["verdict"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want = [
        ("a/b/c/unlisted.pem", "rejected"),
        ("a/b/direct-bundle.pem", "accepted"),
        ("a/b/truncated.cer", "error"),
        ("a/story-bundle.pem", "accepted"),
        ("leaves/story-leaf.cer", "accepted"),
        ("pfx/story-legacy.pfx", "accepted"),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(p, v)| ((*p).to_owned(), (*v).to_owned()))
        .collect();
    assert_eq!(got, want);
    for r in &records {
        for key in ["path", "verdict", "leaf", "findings", "error"] {
            assert!(r.get(key).is_some(), "{key} missing in {r}");
        }
    }
    let unlisted = &records[0];
    assert_eq!(unlisted["findings"][0]["code"], "issuer-not-allowlisted");
    assert_eq!(unlisted["leaf"]["sha1"].as_str().unwrap().len(), 40);
    assert!(
        records[2]["error"]
            .as_str()
            .unwrap()
            .contains("truncated DER")
    );
    // The two files without certificates are counted, not reported.
    assert!(stderr.contains("8 files: 4 accepted"), "{stderr}");
    assert!(
        stderr.contains("1 rejected, 1 error, 2 without certificates"),
        "{stderr}"
    );
}

#[test]
fn exit_codes_follow_the_worst_file_and_fail_on() {
    let root = tree("exit", false);
    let (code, _, _) = scan(&root, &[]);
    assert_eq!(code, 1, "one rejected file");
    let only_warnings = root.join("a/story-bundle.pem");
    let out = |extra: &[&str]| scan_paths(&[&only_warnings], extra).0;
    assert_eq!(out(&[]), 0, "warnings alone pass");
    assert_eq!(out(&["--fail-on", "warning"]), 1);
    // Without the password, the PFX is an error for that file, and the scan goes on.
    let (code, stdout, _) = scan_paths(&[&root], &["--format", "jsonl"]);
    assert_eq!(code, 2);
    let records = jsonl(&stdout);
    assert_eq!(records.len(), 5);
    let pfx = records
        .iter()
        .find(|r| r["path"].as_str().unwrap().ends_with("story-legacy.pfx"))
        .unwrap();
    assert_eq!(pfx["verdict"], "error");
    assert!(
        pfx["error"].as_str().unwrap().contains("needs a password")
            || pfx["error"]
                .as_str()
                .unwrap()
                .contains("protected by a password")
    );
}

#[test]
fn chain_dir_completes_the_paths_of_bare_leaves() {
    let root = tree("chain", false);
    let leaf_codes = |extra: &[&str]| {
        let (_, stdout, _) = scan(
            &root.join("leaves"),
            &[&["--format", "jsonl"], extra].concat(),
        );
        let r = &jsonl(&stdout)[0];
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(leaf_codes(&[]), ["issuer-signature-unverified"]);
    let dir = chain_dir(&root, "chain");
    let with = leaf_codes(&["--chain-dir", dir.to_str().unwrap()]);
    // The issuer is proven now; no unrelated-cert for the chain directory's CAs.
    assert_eq!(with, ["weak-signature", "weak-signature"]);
}

#[test]
fn every_format_is_well_formed() {
    let root = tree("formats", true);
    // JSON: one document, the records and a summary.
    let (_, stdout, _) = scan(&root, &["--format", "json"]);
    let doc: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(doc["files"].as_array().unwrap().len(), 6);
    assert_eq!(doc["summary"]["files"], 8);
    assert_eq!(doc["summary"]["no_certificate"], 2);
    assert_eq!(doc["summary"]["errors"], 1);
    assert_eq!(doc["schema_version"], 1);

    // JUnit: parses, and the counts match the test cases.
    let (_, stdout, _) = scan(&root, &["--format", "junit"]);
    let xml = roxmltree::Document::parse(&stdout).unwrap();
    let suite = xml
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    let cases: Vec<_> = suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let count = |tag: &str| {
        cases
            .iter()
            .filter(|c| c.children().any(|n| n.has_tag_name(tag)))
            .count()
    };
    assert_eq!(
        suite.attribute("tests"),
        Some(cases.len().to_string().as_str())
    );
    assert_eq!(cases.len(), 6);
    assert_eq!(
        suite.attribute("failures"),
        Some(count("failure").to_string().as_str())
    );
    assert_eq!(
        suite.attribute("errors"),
        Some(count("error").to_string().as_str())
    );
    assert_eq!((count("failure"), count("error")), (1, 1));
    let failure = cases
        .iter()
        .flat_map(|c| c.children())
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert!(
        failure
            .attribute("message")
            .unwrap()
            .contains("issuer-not-allowlisted")
    );

    // SARIF 2.1.0: rules are the finding codes, one result per finding, file locations.
    let (_, stdout, _) = scan(&root, &["--format", "sarif"]);
    let sarif: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for code in mfgcheck::policy::Code::ALL {
        assert!(rules.contains(&code.as_str()), "{code}");
    }
    let results = run["results"].as_array().unwrap();
    let findings: usize = doc["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["findings"].as_array().unwrap().len())
        .sum();
    assert_eq!(
        results.len(),
        findings + 1,
        "one per finding, plus the unreadable file"
    );
    for r in results {
        assert!(rules.contains(&r["ruleId"].as_str().unwrap()));
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(!uri.contains('\\') && !uri.contains(' '), "{uri}");
        assert!(matches!(r["level"].as_str().unwrap(), "error" | "warning"));
    }

    // Text: a row per file and the summary.
    let (_, stdout, _) = scan(&root, &[]);
    assert!(
        stdout.contains("REJECTED  ") && stdout.contains("ERROR     "),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "8 files: 4 accepted (3 with warnings), 1 rejected, 1 error, 2 without certificates."
        ),
        "{stdout}"
    );
}

#[test]
fn output_is_the_same_with_one_thread_or_four() {
    let root = tree("jobs", true);
    for format in ["text", "jsonl", "junit", "sarif"] {
        let one = scan(&root, &["--format", format, "--jobs", "1"]).1;
        let four = scan(&root, &["--format", format, "--jobs", "4"]).1;
        assert_eq!(one, four, "{format}");
    }
}

#[test]
fn output_file_and_bad_arguments() {
    let root = tree("output", false);
    let report = root.join("../report-output.jsonl");
    let (code, stdout, _) = scan(
        &root,
        &["--format", "jsonl", "--output", report.to_str().unwrap()],
    );
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    let written = std::fs::read_to_string(&report).unwrap();
    assert_eq!(jsonl(&written).len(), 5);
    let (code, _, stderr) = scan(&root, &["--chain-dir", "no-such-dir"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--chain-dir no-such-dir: not a directory"),
        "{stderr}"
    );
    let (code, stdout, stderr) = scan(Path::new("no-such-path"), &[]);
    assert_eq!(code, 2, "{stdout}{stderr}");
    // A path that cannot be walked is a file in error, sorted in with the others.
    let missing = Path::new("/no-such-path-before-the-tree");
    let (code, stdout, stderr) = scan_paths(&[&root, missing], &["--format", "jsonl"]);
    assert_eq!(code, 2);
    let records = jsonl(&stdout);
    assert_eq!(records[0]["path"], "/no-such-path-before-the-tree");
    assert_eq!(records[0]["error"], "no such file");
    assert!(stderr.contains("2 errors"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn links_are_followed_only_inside_the_tree() {
    let root = tree("links", false);
    let outside = root.join("../outside-links.pem");
    std::fs::copy(fixture("unlisted.pem"), &outside).unwrap();
    std::os::unix::fs::symlink(&outside, root.join("a/out.pem")).unwrap();
    std::os::unix::fs::symlink(root.join("a/b/c/unlisted.pem"), root.join("a/in.pem")).unwrap();
    std::os::unix::fs::symlink(&root, root.join("a/loop")).unwrap();
    let (_, stdout, _) = scan(&root, &["--format", "jsonl"]);
    let paths: Vec<String> = jsonl(&stdout)
        .iter()
        .map(|r| short(r["path"].as_str().unwrap(), &root))
        .collect();
    assert!(paths.contains(&"a/in.pem".to_owned()), "{paths:?}");
    assert!(
        !paths
            .iter()
            .any(|p| p.contains("out.pem") || p.contains("loop")),
        "{paths:?}"
    );
}
