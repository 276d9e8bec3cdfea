//! Right verdicts where evidence is missing or time has passed: undetermined instead of
//! rejected, CAs that expired since 2010, key rollovers, copies of path members, and
//! advice that names only CAs that can still issue.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::cli::{codes, expect, expect_with, finding, mfgcheck, outcome, refused, run, steps};
use serde_json::Value;

/// A temporary file with `text`, for allowlists and bundles made by a test.
fn temp_file(name: &str, text: &[u8]) -> common::ScratchFile {
    common::temp_file("evidence", name, text)
}

// ---- Missing evidence is not a rejection --------------------------------------------------

#[test]
fn leaf_without_aki_and_without_its_issuer_is_undetermined() {
    let json = expect(
        &["noaki-leaf.pem"],
        "2011-06-01",
        "undetermined",
        &["issuer-unconfirmed"],
    );
    let f = finding(&json, "issuer-unconfirmed");
    assert_eq!(f["severity"], "error");
    let message = f["message"].as_str().unwrap();
    assert!(message.contains("no Authority Key Identifier"), "{message}");
    assert!(message.contains("Test Global Root CA"), "{message}");
    let fix = f["fix"].as_str().unwrap();
    assert!(fix.contains("Add the issuer's certificate"), "{fix}");
    // Never "buy a new certificate" because evidence is missing.
    for text in steps(&json).iter().chain(std::iter::once(&fix.to_owned())) {
        assert!(!text.contains("Get a federation certificate"), "{text}");
        assert!(!text.contains("New Federation Trust wizard"), "{text}");
    }
    assert!(steps(&json)[0].contains("Do not buy a new certificate"));
    // With the evidence, the same certificate is accepted.
    expect(
        &["noaki-leaf.pem", "ca-global-root.pem"],
        "2011-06-01",
        "accepted",
        &[],
    );
    // The text report says so in its verdict line.
    mfgcheck()
        .args(["check", "noaki-leaf.pem", "--allowlist", "allowlist.yaml"])
        .args(["--at", "2011-06-01"])
        .env("COLUMNS", "200")
        .assert()
        .code(1)
        .stdout(predicates::str::contains(
            "UNDETERMINED: the input does not show whether the MFG will accept noaki.fabrikam.com (issuer-unconfirmed).",
        ));
}

#[test]
fn an_allowlist_entry_without_a_key_cannot_confirm_the_issuer() {
    let allowlist = temp_file("no-key.yaml", common::ALLOWLIST_WITHOUT_KEY.as_bytes());
    for files in [&["direct-bundle.pem"][..], &["direct-leaf.pem"][..]] {
        let out = mfgcheck()
            .arg("check")
            .args(files)
            .args([
                "--allowlist",
                &allowlist,
                "--at",
                "2011-06-01",
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        let (code, json): (i32, Value) = (
            out.status.code().unwrap(),
            serde_json::from_slice(&out.stdout).unwrap(),
        );
        assert_eq!((code, json["verdict"].as_str()), (1, Some("undetermined")));
        assert_eq!(codes(&json), ["issuer-unconfirmed"]);
        let fix = finding(&json, "issuer-unconfirmed")["fix"]
            .as_str()
            .unwrap();
        assert!(fix.contains("your own allowlist"), "{fix}");
    }
}

#[test]
fn other_errors_still_reject_when_the_issuer_is_unconfirmed() {
    // Expired and unconfirmed: the expiry decides.
    expect(
        &["noaki-leaf.pem"],
        "2013-01-01",
        "rejected",
        &["expired", "issuer-unconfirmed"],
    );
}

#[test]
fn scan_counts_undetermined_files_as_failures() {
    let dir = common::temp_tree(
        "undetermined",
        &[
            ("noaki.pem", "noaki-leaf.pem"),
            ("ok.pem", "direct-bundle.pem"),
        ],
    );
    let run = |format: &str| {
        outcome(
            mfgcheck()
                .args([
                    "scan",
                    dir.to_str().unwrap(),
                    "--allowlist",
                    "allowlist.yaml",
                ])
                .args(["--at", "2011-06-01", "--format", format]),
        )
    };
    let (code, out, err) = run("jsonl");
    assert_eq!(code, 1, "{out}{err}");
    let rows: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows[0]["verdict"], "undetermined", "{out}");
    assert_eq!(rows[1]["verdict"], "accepted", "{out}");
    assert!(
        err.contains("1 rejected, 1 undetermined,") || err.contains("0 rejected, 1 undetermined"),
        "{err}"
    );
    let (code, out, _) = run("junit");
    assert_eq!(code, 1);
    assert!(out.contains("failures=\"1\""), "{out}");
    assert!(out.contains("<failure type=\"undetermined\""), "{out}");
    let (_, out, _) = run("json");
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["summary"]["undetermined"], 1);
}

// ---- Time has passed since 2010 -----------------------------------------------------------

#[test]
fn a_leaf_issued_after_its_issuer_expired_cannot_be_from_that_ca() {
    let json = expect(
        &["issued-after-issuer-expired.pem"],
        "2011-06-01",
        "rejected",
        &["issuer-expired", "issuer-signature-unverified"],
    );
    let message = finding(&json, "issuer-expired")["message"]
        .as_str()
        .unwrap();
    assert!(message.contains("Test Short-Lived CA"), "{message}");
    assert!(message.contains("had expired by 2010-12-31"), "{message}");
    assert!(message.contains("cannot have issued it"), "{message}");
    // The advice names where to get a certificate instead, without the expired CA.
    let first = &steps(&json)[0];
    assert!(first.contains("Get a federation certificate"), "{first}");
    assert!(!first.contains("Short-Lived"), "{first}");
}

#[test]
fn an_expired_copy_of_a_listed_ca_is_stale_not_expired() {
    let json = expect(
        &["stale-root-copy.pem"],
        "2011-06-01",
        "accepted",
        &["stale-ca-copy"],
    );
    let message = finding(&json, "stale-ca-copy")["message"].as_str().unwrap();
    assert!(message.contains("expired on 2010-12-31"), "{message}");
    assert!(message.contains("(2006-11-10 to 2031-11-10)"), "{message}");
    let fix = finding(&json, "stale-ca-copy")["fix"].as_str().unwrap();
    assert!(fix.contains("Replace the copy in your bundle"), "{fix}");
    // A CA the list knows no other copy of stays issuer-expired.
    expect(
        &["issuer-expired.pem"],
        "2011-06-01",
        "rejected",
        &["issuer-expired"],
    );
}

#[test]
fn advice_names_only_cas_that_can_issue_and_says_when_only_roots_are_left() {
    // The built-in list today: Go Daddy Secure CA expired on 2026-11-16, USERTrust Legacy
    // and Entrust Secure Server in 2019; what is left is roots.
    let today = "2026-11-30";
    let (_, json) = builtin(&["unlisted.pem"], today);
    let first = &steps(&json)[0];
    for name in [
        "DigiCert Global Root CA",
        "DigiCert High Assurance EV Root CA",
        "Entrust.net Certification Authority (2048)",
    ] {
        assert!(first.contains(name), "{name}: {first}");
    }
    for gone in ["Go Daddy", "USERTrust", "Secure Server", "Comodo", "AAA"] {
        assert!(!first.contains(gone), "{gone}: {first}");
    }
    assert!(first.contains("are all roots"), "{first}");
    assert!(first.contains("CA/Browser Forum"), "{first}");
    assert!(
        first.contains("self-signed federation certificate"),
        "{first}"
    );
    // In 2011 the intermediates could still issue; the unconfirmed Comodo entry never.
    let (_, json) = builtin(&["unlisted.pem"], "2011-06-01");
    let first = &steps(&json)[0];
    assert!(
        first.contains("Go Daddy Secure Certification Authority"),
        "{first}"
    );
    assert!(
        first.contains("USERTrust Legacy Secure Server CA"),
        "{first}"
    );
    assert!(!first.contains("Comodo"), "{first}");
    assert!(!first.contains("AAA"), "{first}");
    // The fixes of findings give the same advice.
    let fix = finding(&json, "issuer-not-allowlisted")["fix"]
        .as_str()
        .unwrap();
    assert!(!fix.contains("Comodo"), "{fix}");
}

/// `check` with the built-in allowlist.
fn builtin(files: &[&str], at: &str) -> (i32, Value) {
    let out = mfgcheck()
        .arg("check")
        .args(files)
        .args(["--at", at, "--format", "json"])
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

// ---- Other wrong or confusing answers -----------------------------------------------------

#[test]
fn only_ca_certificates_is_no_check() {
    refused(
        &["ca-legacy-int.pem", "ca-legacy-root.pem"],
        None,
        &[
            "no end-entity certificate: the input holds only CA certificates",
            "TestTrust Legacy Secure Server CA",
            "Test.net Secure Server Certification Authority",
        ],
    );
    let out = mfgcheck()
        .args(["check", "ca-legacy-int.pem", "ca-legacy-root.pem"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("New-FederationTrust"));
    // Picked on purpose, a CA is checked, but never called the certificate for the trust.
    let pool = common::pool(&["ca-legacy-int.pem"]);
    let sha1 = pool.get(pool.ids().next().unwrap()).sha1().to_string();
    let out = mfgcheck()
        .args(["check", "ca-legacy-int.pem", "--leaf", &sha1])
        .args(["--allowlist", "allowlist.yaml", "--at", "2011-06-01"])
        .env("COLUMNS", "200")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("a CA certificate, so its thumbprint is not one for New-FederationTrust"),
        "{text}"
    );
    assert!(
        !text.contains("its thumbprint is the one for New-FederationTrust"),
        "{text}"
    );
}

#[test]
fn a_key_rollover_is_a_new_key_not_an_impostor() {
    let json = expect(
        &["rollover-bundle.pem"],
        "2011-06-01",
        "rejected",
        &["indirect-issuer"],
    );
    let message = finding(&json, "indirect-issuer")["message"]
        .as_str()
        .unwrap();
    assert!(message.contains("is not an impostor"), "{message}");
    assert!(message.contains("key rollover"), "{message}");
    assert_eq!(json["chain"][1]["new_key_of"], "Test Global Root CA");
    assert_eq!(json["chain"][1]["impostor_of"], Value::Null);
    // Without the root, the listed key is known from the rollover's Authority Key Identifier.
    let text = std::fs::read_to_string(common::fixture("rollover-bundle.pem")).unwrap();
    let two: String = text
        .split_inclusive("-----END CERTIFICATE-----\n")
        .take(2)
        .collect();
    let file = temp_file("rollover-no-root.pem", two.as_bytes());
    let json = expect(&[&file], "2011-06-01", "rejected", &["indirect-issuer"]);
    assert_eq!(json["chain"][1]["new_key_of"], "Test Global Root CA");
    // A certificate no listed key signed stays an impostor.
    expect(
        &["impostor-bundle.pem"],
        "2011-06-01",
        "rejected",
        &["issuer-key-mismatch"],
    );
}

#[test]
fn a_bad_signature_is_a_damaged_file_not_a_reason_to_buy() {
    let json = expect(
        &["bad-signature.pem"],
        "2011-06-01",
        "rejected",
        &["signature-invalid"],
    );
    let steps = steps(&json);
    assert!(steps[0].contains("damaged"), "{steps:?}");
    assert!(steps[0].contains("Download the certificate"), "{steps:?}");
    assert!(
        steps
            .iter()
            .all(|s| !s.contains("Get a federation certificate")),
        "{steps:?}"
    );
    // Also for a CA checked by thumbprint: --leaf still picks a CA on purpose.
    let pool = common::pool(&["ca-short-int.pem"]);
    let sha1 = pool.get(pool.ids().next().unwrap()).sha1().to_string();
    expect_with(
        &["ca-short-int.pem"],
        "2010-06-01",
        &["--leaf", &sha1],
        "rejected",
        &["ca-certificate", "issuer-signature-unverified"],
    );
}

#[test]
fn scan_counts_a_file_of_ca_certificates_as_an_issuer_file_not_an_error() {
    let dir = common::temp_tree(
        "issuers",
        &[
            // A root: an issuer file whatever else its directory holds. (An
            // intermediate that issued nothing there is checked as a bundle:
            // tests/scan.rs.)
            ("root.cer", "ca-legacy-root.pem"),
            ("mail.pem", "direct-bundle.pem"),
        ],
    );
    let out = mfgcheck()
        .args([
            "scan",
            dir.to_str().unwrap(),
            "--allowlist",
            "allowlist.yaml",
        ])
        .args(["--at", "2011-06-01", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["summary"]["issuer_files"], 1);
    assert_eq!(doc["summary"]["errors"], 0);
    // Every file is in the report: the issuer file as what it is.
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    let issuers: Vec<&Value> = files
        .iter()
        .filter(|f| f["verdict"] == "issuer-file")
        .collect();
    assert_eq!(issuers.len(), 1, "{doc:#}");
    assert!(issuers[0]["path"].as_str().unwrap().ends_with("root.cer"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 file of CA certificates only"));
}

#[test]
fn counts_of_one_are_singular() {
    let list = temp_file("one.yaml", common::ALLOWLIST_WITHOUT_KEY.as_bytes());
    let list = &*list;
    let (_, text, _) = run(&[
        "check",
        "direct-bundle.pem",
        "--allowlist",
        list,
        "--at",
        "2011-06-01",
    ]);
    assert!(text.contains("(1 authority)"), "{text}");
    let (_, text, _) = run(&["allowlist", "lint", list]);
    assert!(text.contains("OK (1 authority)"), "{text}");
    let (_, text, _) = run(&["allowlist", "--allowlist", list]);
    assert!(text.starts_with("1 authority in"), "{text}");
    let bundle = common::temp_tree("one", &[("t.cer", "truncated.cer")]);
    let (_, _, stderr) = run(&["scan", bundle.to_str().unwrap()]);
    assert!(stderr.contains("1 file: 0 accepted"), "{stderr}");
    assert!(stderr.contains(", 1 error,"), "{stderr}");
}

#[test]
fn a_leaf_without_its_issuer_is_not_said_to_have_no_listed_ca_above_it() {
    // The story leaf alone: its issuer, unlisted before 2011, was not supplied.
    let json = expect(
        &["story-leaf.cer"],
        "2010-12-01",
        "rejected",
        &["issuer-not-allowlisted"],
    );
    let message = finding(&json, "issuer-not-allowlisted")["message"]
        .as_str()
        .unwrap();
    assert!(!message.contains("no listed CA is above it"), "{message}");
    assert!(
        message.contains("which is not on the MFG list; what is above it was not supplied."),
        "{message}"
    );
    // With the whole chain the claim is made, because then it is known.
    let json = expect(
        &["unlisted.pem"],
        "2011-06-01",
        "rejected",
        &["issuer-not-allowlisted"],
    );
    let message = finding(&json, "issuer-not-allowlisted")["message"]
        .as_str()
        .unwrap();
    assert!(message.contains("no listed CA is above it"), "{message}");
}
