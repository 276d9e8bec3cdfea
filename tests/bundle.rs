//! `mfgcheck bundle`: the repaired chain, written and read back.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::Path;

use serde_json::Value;

use common::cli::run;
use common::{fixture, temp_tree};

/// `bundle` with the test allowlist at 2011-06-01, run in `dir`.
fn bundle(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let allowlist = fixture("allowlist.yaml");
    let mut full = vec!["bundle"];
    full.extend_from_slice(args);
    full.extend_from_slice(&[
        "--allowlist",
        allowlist.to_str().unwrap(),
        "--at",
        "2011-06-01",
    ]);
    let out = common::cli::mfgcheck()
        .current_dir(dir)
        .args(&full)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The subjects of the certificates in `file`, in order, as `inspect` reads them.
fn subjects(file: &Path) -> Vec<String> {
    let (code, stdout, stderr) = run(&["inspect", file.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let json: Value = serde_json::from_str(&stdout).unwrap();
    json["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let subject = c["subject"].as_str().unwrap();
            subject
                .split(", ")
                .find_map(|p| p.strip_prefix("CN="))
                .unwrap_or(subject)
                .to_owned()
        })
        .collect()
}

const LEAF: &str = "mail.contoso.com";
const INT: &str = "TestTrust Legacy Secure Server CA";
const ROOT: &str = "Test.net Secure Server Certification Authority";

#[test]
fn a_messy_bundle_comes_out_leaf_first_without_extras() {
    // The root first, an unrelated root, the intermediate twice, the leaf last.
    let dir = temp_tree(
        "bundle-messy",
        &[
            ("a-root.pem", "ca-legacy-root.pem"),
            ("b-unrelated.pem", "ca-global-root.pem"),
            ("c-int.cer", "story-intermediate.cer"),
            ("d-bundle.pem", "story-unordered.pem"),
        ],
    );
    let (code, stdout, stderr) = bundle(
        &dir,
        &[
            "a-root.pem",
            "b-unrelated.pem",
            "c-int.cer",
            "d-bundle.pem",
            "-o",
            "chain.pem",
        ],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.is_empty(), "the chain goes to the file: {stdout}");
    assert_eq!(subjects(&dir.join("chain.pem")), [LEAF, INT]);
    assert!(stderr.contains("ACCEPTED"), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "Wrote 2 certificates to chain.pem: {LEAF} <- {INT}."
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "Left out: the root (--include-root writes it); 1 certificate not on the path; "
        ),
        "{stderr}"
    );
    assert!(stderr.contains("duplicate"), "{stderr}");

    // With the root, as a .p7b that reads back in the same order.
    let (code, _, stderr) = bundle(
        &dir,
        &[
            "d-bundle.pem",
            "--include-root",
            "--format",
            "p7b",
            "-o",
            "chain.p7b",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let p7b = std::fs::read(dir.join("chain.p7b")).unwrap();
    assert_eq!(p7b[0], 0x30, "DER");
    assert_eq!(subjects(&dir.join("chain.p7b")), [LEAF, INT, ROOT]);
}

#[test]
fn standard_output_and_a_rejected_verdict() {
    let dir = temp_tree("bundle-stdout", &[("bundle.pem", "story-bundle.pem")]);
    // At 2010-12-01 the intermediate was not yet listed: rejected, written anyway.
    let allowlist = fixture("allowlist.yaml");
    let out = common::cli::mfgcheck()
        .current_dir(&dir)
        .args([
            "bundle",
            "bundle.pem",
            "--allowlist",
            allowlist.to_str().unwrap(),
            "--at",
            "2010-12-01",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let pem = String::from_utf8(out.stdout).unwrap();
    assert_eq!(pem.matches("-----BEGIN CERTIFICATE-----").count(), 2);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("REJECTED") && stderr.contains("indirect-issuer"),
        "{stderr}"
    );
    assert!(
        stderr.contains("mfgcheck check bundle.pem"),
        "the full report's command: {stderr}"
    );
}

#[test]
fn inputs_and_existing_files_are_never_overwritten() {
    let dir = temp_tree(
        "bundle-refuse",
        &[
            ("bundle.pem", "story-bundle.pem"),
            ("old.pem", "direct-leaf.pem"),
        ],
    );
    let before = std::fs::read(dir.join("bundle.pem")).unwrap();
    let (code, _, stderr) = bundle(&dir, &["bundle.pem", "-o", "bundle.pem", "--force"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr.trim(),
        "mfgcheck: error: bundle.pem: -o would overwrite an input file; give another name"
    );
    assert_eq!(std::fs::read(dir.join("bundle.pem")).unwrap(), before);

    let old = std::fs::read(dir.join("old.pem")).unwrap();
    let (code, _, stderr) = bundle(&dir, &["bundle.pem", "-o", "old.pem"]);
    assert_eq!(code, 2);
    assert_eq!(
        stderr.trim(),
        "mfgcheck: error: old.pem: exists; give --force to replace it"
    );
    assert_eq!(std::fs::read(dir.join("old.pem")).unwrap(), old);

    let (code, _, stderr) = bundle(&dir, &["bundle.pem", "-o", "old.pem", "--force"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(subjects(&dir.join("old.pem")), [LEAF, INT]);
}
