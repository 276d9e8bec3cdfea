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

use common::cli::{mfgcheck, outcome};
use common::fixture;
use serde_json::Value;

/// A fresh tree, with room beside it; `name` keeps tests apart.
fn tree(name: &str, with_error: bool) -> common::Scratch {
    let root = common::Scratch::with_room(&format!("scan-{name}"));
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
    outcome(
        mfgcheck()
            .arg("scan")
            .args(paths)
            .args(["--allowlist", "allowlist.yaml", "--at", "2011-06-01"])
            .args(extra),
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
    let got = verdicts(&records, &root);
    // Directory by directory: a directory's files, then its subdirectories.
    let want = [
        ("a/story-bundle.pem", "accepted"),
        ("a/b/direct-bundle.pem", "accepted"),
        ("a/b/truncated.cer", "error"),
        ("a/b/c/unlisted.pem", "rejected"),
        ("leaves/story-leaf.cer", "accepted"),
        ("pfx/story-legacy.pfx", "accepted"),
    ];
    let want: Vec<(String, &str)> = want.iter().map(|(p, v)| ((*p).to_owned(), *v)).collect();
    assert_eq!(got, want);
    for r in &records {
        for key in ["path", "verdict", "leaf", "findings", "error"] {
            assert!(r.get(key).is_some(), "{key} missing in {r}");
        }
    }
    let unlisted = &records[3];
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
    // Alone, the leaf's issuer is known by name and key identifier only, and the bundle
    // lacks the intermediate a server would send.
    assert_eq!(
        leaf_codes(&[]),
        ["issuer-signature-unverified", "chain-incomplete"]
    );
    let dir = chain_dir(&root, "chain");
    let with = leaf_codes(&["--chain-dir", dir.to_str().unwrap()]);
    // The issuer is proven now; no chain-extra-cert for the chain directory's CAs.
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
    assert_eq!(doc["schema_version"], mfgcheck::report::JSON_SCHEMA_VERSION);

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
        assert!(matches!(
            r["level"].as_str().unwrap(),
            "error" | "warning" | "note"
        ));
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

/// Each record's path below `root` with its verdict.
fn verdicts<'a>(records: &'a [Value], root: &Path) -> Vec<(String, &'a str)> {
    records
        .iter()
        .map(|r| {
            (
                short(r["path"].as_str().unwrap(), root),
                r["verdict"].as_str().unwrap(),
            )
        })
        .collect()
}

/// A fresh directory for one test.
fn fresh(name: &str) -> common::Scratch {
    common::Scratch::new(&format!("scan-{name}"))
}

#[test]
fn an_issuer_file_joins_the_bundles_of_its_directory() {
    // A vendor's folder: the leaf beside the CA certificate that issued it.
    let root = fresh("issuers");
    copy("noaki-leaf.pem", &root.join("vendor/mail.cer"));
    copy("ca-global-root.pem", &root.join("vendor/intermediate.cer"));
    // The same leaf elsewhere, without its issuer: undetermined.
    copy("noaki-leaf.pem", &root.join("other/mail.cer"));
    let (code, stdout, stderr) = scan_paths(&[&root], &["--format", "jsonl"]);
    let records = jsonl(&stdout);
    let got = verdicts(&records, &root);
    assert_eq!(
        got,
        [
            ("other/mail.cer".to_owned(), "undetermined"),
            ("vendor/intermediate.cer".to_owned(), "issuer-file"),
            ("vendor/mail.cer".to_owned(), "accepted"),
        ],
        "{stderr}"
    );
    assert_eq!(code, 1);
    assert!(
        stderr.contains("1 file of CA certificates only"),
        "{stderr}"
    );
    // The same answer with one thread or many, and with the issuer file sorted after.
    std::fs::rename(
        root.join("vendor/intermediate.cer"),
        root.join("vendor/z-ca.cer"),
    )
    .unwrap();
    let (_, again, _) = scan_paths(&[&root], &["--format", "jsonl", "--jobs", "1"]);
    assert_eq!(jsonl(&again)[1]["verdict"], "accepted");
}

#[test]
fn records_stay_in_order_across_chunks_with_issuer_files_after_a_boundary() {
    // Scan checks 512 files at a time and checks the next chunk while it writes the
    // last: about 1,300 files in three directories, one of whose issuer file is
    // sorted after the first boundary, the other's after the second.
    let root = fresh("chunks");
    let leaf = std::fs::read(fixture("noaki-leaf.pem")).unwrap();
    let unlisted = std::fs::read(fixture("unlisted.pem")).unwrap();
    let write = |path: PathBuf, bytes: &[u8]| {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    for i in 0..600 {
        write(root.join(format!("a/{i:04}.cer")), &leaf);
    }
    copy("ca-global-root.pem", &root.join("a/z-ca.cer"));
    for i in 0..100 {
        write(root.join(format!("b/{i:04}.pem")), &unlisted);
    }
    // A file beside the directories and one nested deeper: the directories are
    // listed in parallel (with --jobs 3) and must still come in scan order.
    write(root.join("top.pem"), &unlisted);
    for i in 0..5 {
        write(root.join(format!("b/n/{i:04}.pem")), &unlisted);
    }
    for i in 0..599 {
        write(root.join(format!("c/{i:04}.cer")), &leaf);
    }
    copy("ca-global-root.pem", &root.join("c/z-ca.cer"));
    let (code, one, stderr) = scan_paths(&[&root], &["--format", "jsonl", "--jobs", "1"]);
    assert_eq!(code, 1, "{stderr}");
    let records = jsonl(&one);
    let got = verdicts(&records, &root);
    let mut want: Vec<(String, &str)> = vec![("top.pem".to_owned(), "rejected")];
    want.extend((0..600).map(|i| (format!("a/{i:04}.cer"), "accepted")));
    want.push(("a/z-ca.cer".to_owned(), "issuer-file"));
    want.extend((0..100).map(|i| (format!("b/{i:04}.pem"), "rejected")));
    want.extend((0..5).map(|i| (format!("b/n/{i:04}.pem"), "rejected")));
    want.extend((0..599).map(|i| (format!("c/{i:04}.cer"), "accepted")));
    want.push(("c/z-ca.cer".to_owned(), "issuer-file"));
    assert_eq!(got, want);
    assert!(
        stderr.contains(
            "1307 files: 1199 accepted (0 with warnings), 106 rejected, 0 errors, 0 without certificates, 2 files of CA certificates only"
        ),
        "{stderr}"
    );
    let (_, three, _) = scan_paths(&[&root], &["--format", "jsonl", "--jobs", "3"]);
    assert_eq!(one, three);
}

#[test]
fn include_and_exclude_globs_pick_files_below_the_root() {
    let root = fresh("globs");
    copy("direct-bundle.pem", &root.join("prod/a.pem"));
    copy("unlisted.pem", &root.join("prod/old/b.pem"));
    copy("unlisted.pem", &root.join("test/c.pem"));
    let paths = |extra: &[&str]| {
        let (_, stdout, _) = scan_paths(&[&root], &[&["--format", "jsonl"], extra].concat());
        jsonl(&stdout)
            .iter()
            .map(|r| short(r["path"].as_str().unwrap(), &root))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        paths(&["--include", "prod/**"]),
        ["prod/a.pem", "prod/old/b.pem"]
    );
    assert_eq!(
        paths(&["--include", "prod/**", "--exclude", "**/old/*"]),
        ["prod/a.pem"]
    );
    assert_eq!(
        paths(&["--include", "*.pem", "--exclude", "test/*"]).len(),
        2
    );
    let out = mfgcheck()
        .args(["scan", root.to_str().unwrap(), "--include", "a{b"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--include a{b"));
}

#[test]
fn a_tree_nested_as_deep_as_paths_allow_is_walked() {
    // 1,000 levels, each with a second, empty subdirectory: the walk must not pile
    // frames up on a thread's stack.
    let root = fresh("deep");
    let mut dir = root.to_path_buf();
    for _ in 0..1000 {
        std::fs::create_dir_all(dir.join("e")).unwrap();
        dir = dir.join("d");
    }
    copy("direct-bundle.pem", &dir.join("deep.pem"));
    copy("direct-bundle.pem", &root.join("top.pem"));
    for jobs in ["1", "3"] {
        let (_, stdout, stderr) = scan_paths(&[&root], &["--format", "jsonl", "--jobs", jobs]);
        let records = jsonl(&stdout);
        assert_eq!(records.len(), 2, "--jobs {jobs}: {stderr}");
        // A directory's files before its subdirectories.
        assert!(records[0]["path"].as_str().unwrap().ends_with("top.pem"));
        assert!(records[1]["path"].as_str().unwrap().ends_with("deep.pem"));
    }
}

#[test]
fn empty_exports_are_errors_and_other_files_are_sniffed() {
    let root = fresh("sniff");
    copy("direct-bundle.pem", &root.join("ok.pem"));
    // An empty export named like a certificate file: an error row.
    std::fs::write(root.join("export.cer"), b"").unwrap();
    // An installer larger than the size limit: skipped, not an error.
    let mut installer = b"MZ\x90\x00".to_vec();
    installer.resize(2 * 1024 * 1024 + 10, 0);
    std::fs::write(root.join("setup.exe"), &installer).unwrap();
    // Certificate material one byte over the limit: an error, however it is read.
    let mut huge = b"-----BEGIN CERTIFICATE-----\n".to_vec();
    huge.resize(1024 * 1024 + 1, b'A');
    std::fs::write(root.join("huge.pem"), &huge).unwrap();
    // A bundle with notes around it, larger than the first read: read whole.
    let bundle = std::fs::read_to_string(fixture("direct-bundle.pem")).unwrap();
    let notes = "Subject: CN=mail.contoso.com\r\n".repeat(2000);
    std::fs::write(root.join("padded.pem"), format!("{notes}{bundle}{notes}")).unwrap();
    let (code, stdout, stderr) =
        scan_paths(&[&root], &["--format", "jsonl", "--max-file-size", "1"]);
    let records = jsonl(&stdout);
    assert_eq!(records.len(), 4, "{stdout}");
    let error = |i: usize| {
        assert_eq!(records[i]["verdict"], "error", "{stdout}");
        records[i]["error"].as_str().unwrap().to_owned()
    };
    assert!(
        error(0).contains("named like a certificate file"),
        "{stdout}"
    );
    assert!(error(1).contains("larger than 1 MiB"), "{stdout}");
    assert_eq!(records[2]["verdict"], "accepted");
    assert_eq!(records[3]["verdict"], "accepted", "{stdout}");
    assert_eq!(code, 2);
    assert!(stderr.contains("1 without certificates"), "{stderr}");
}

#[test]
fn nothing_to_check_is_exit_2_unless_allowed() {
    let root = fresh("empty");
    std::fs::write(root.join("notes.txt"), b"nothing here").unwrap();
    let out = mfgcheck()
        .args(["scan", root.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("nothing to check"), "{stderr}");
    // No rows: the summary alone, without the blank line that parts rows from it.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("1 file: "), "{stdout:?}");
    let out = mfgcheck()
        .args(["scan", root.to_str().unwrap(), "--allow-empty"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn jobs_are_bounded() {
    let root = fresh("jobs");
    copy("direct-bundle.pem", &root.join("ok.pem"));
    let (code, _, stderr) = scan_paths(&[&root], &["--jobs", "1000000"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("--jobs 1000000 is more than this machine can use"),
        "{stderr}"
    );
}

#[test]
fn ci_reports_agree_with_the_exit_code_and_carry_fixes() {
    let root = fresh("ci");
    copy("duplicate.pem", &root.join("warned.pem"));
    for (fail_on, exit, failures, level) in [
        ("error", 0, "failures=\"0\"", "\"warning\""),
        ("warning", 1, "failures=\"1\"", "\"error\""),
    ] {
        let (code, junit, _) = scan_paths(&[&root], &["--format", "junit", "--fail-on", fail_on]);
        assert_eq!(code, exit, "{fail_on}");
        assert!(junit.contains(failures), "{fail_on}: {junit}");
        assert!(junit.contains("Fix: Remove the extra copy."), "{junit}");
        let (code, sarif, _) = scan_paths(&[&root], &["--format", "sarif", "--fail-on", fail_on]);
        assert_eq!(code, exit);
        let doc: Value = serde_json::from_str(&sarif).unwrap();
        let result = &doc["runs"][0]["results"][0];
        assert_eq!(result["level"].to_string(), level, "{fail_on}");
        assert!(
            result["message"]["text"]
                .as_str()
                .unwrap()
                .contains("Fix: Remove the extra copy.")
        );
        assert_eq!(result["properties"]["fix"], "Remove the extra copy.");
    }
    let (_, jsonl_out, _) = scan_paths(&[&root], &["--format", "jsonl"]);
    assert_eq!(
        jsonl(&jsonl_out)[0]["findings"][0]["fix"],
        "Remove the extra copy."
    );
    let (_, json_out, _) = scan_paths(&[&root], &["--format", "json"]);
    let doc: Value = serde_json::from_str(&json_out).unwrap();
    assert_eq!(
        doc["files"][0]["findings"][0]["fix"],
        "Remove the extra copy."
    );
}

#[test]
fn a_ca_certificate_that_issued_nothing_is_judged_as_a_bundle_not_an_issuer_file() {
    // A server certificate mis-issued with CA:TRUE, alone in its folder (here an
    // intermediate that issued nothing there): rejected, not silently an issuer file.
    let root = fresh("misissued-ca");
    copy("ca-legacy-int.pem", &root.join("server/mail.cer"));
    // Beside a leaf it issued, the same certificate is an issuer file as before.
    copy("ca-legacy-int.pem", &root.join("vendor/intermediate.cer"));
    copy("story-leaf.cer", &root.join("vendor/mail.cer"));
    let (code, stdout, stderr) = scan_paths(&[&root], &["--format", "jsonl"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let records = jsonl(&stdout);
    let got = verdicts(&records, &root);
    assert_eq!(
        got,
        [
            ("server/mail.cer".to_owned(), "rejected"),
            ("vendor/intermediate.cer".to_owned(), "issuer-file"),
            ("vendor/mail.cer".to_owned(), "accepted"),
        ],
        "{stderr}"
    );
    let codes: Vec<&str> = records[0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"ca-certificate"), "{codes:?}");
    assert!(
        stderr.contains("1 file of CA certificates only"),
        "{stderr}"
    );
    // Every file is in every report: the issuer file too.
    for format in ["text", "json", "junit", "sarif"] {
        let (_, stdout, _) = scan_paths(&[&root], &["--format", format]);
        assert!(stdout.contains("intermediate.cer"), "{format}: {stdout}");
        assert!(stdout.contains("server"), "{format}: {stdout}");
    }
}
