//! `mfgcheck allowlist`: list, show, search and lint.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::cli::{mfgcheck, refused_cmd};
use serde_json::Value;

fn run(args: &[&str]) -> (i32, String) {
    // Wide, so that assertions do not depend on where 80 columns break a note.
    let out = mfgcheck()
        .arg("allowlist")
        .args(args)
        .env("COLUMNS", "200")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

fn json(args: &[&str]) -> (i32, Value) {
    let mut all = args.to_vec();
    all.extend(["--format", "json"]);
    let (code, out) = run(&all);
    (code, serde_json::from_str(&out).unwrap())
}

fn names(json: &Value) -> Vec<String> {
    json["authorities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn list_has_every_authority_with_its_identities() {
    let (code, list) = json(&[]);
    assert_eq!(code, 0);
    assert_eq!(list["source"], "embedded allowlist");
    let all = list["authorities"].as_array().unwrap();
    assert_eq!(all.len(), 8);
    for a in all {
        for key in [
            "name",
            "subject",
            "kind",
            "status",
            "standing",
            "since",
            "until",
            "sha1",
            "sha256",
            "serials",
            "spki_sha256",
            "ski",
            "published",
        ] {
            assert!(a.get(key).is_some(), "{key} missing in {a:#}");
        }
    }
    let go_daddy = all
        .iter()
        .find(|a| a["name"] == "Go Daddy Secure Certification Authority")
        .unwrap();
    assert_eq!(go_daddy["kind"], "intermediate");
    assert_eq!(
        go_daddy["sha1"][0],
        "7C4656C3061F7F4C0D67B319A855F60EBC11FC44"
    );
    let (code, text) = run(&["list"]);
    assert_eq!(code, 0);
    for a in all {
        assert!(text.contains(a["name"].as_str().unwrap()));
    }
}

#[test]
fn search_comodo_shows_the_three_comodo_rows() {
    let (code, found) = json(&["search", "comodo"]);
    assert_eq!(code, 0);
    assert_eq!(
        names(&found),
        [
            "Comodo",
            "USERTrust Legacy Secure Server CA",
            "AAA Certificate Services"
        ]
    );
    let a = found["authorities"].as_array().unwrap();
    assert_eq!(a[0]["has_identity"], false);
    assert_eq!(a[0]["published"], "NA");
    assert_eq!(a[1]["status"], "accepted");
    assert_eq!(a[1]["kind"], "intermediate");
    assert_eq!(a[2]["status"], "requested");

    let (_, text) = run(&["search", "COMODO"]);
    assert!(
        text.contains("accepted, but no identity is published: unconfirmed"),
        "{text}"
    );
    assert!(text.contains("(matched in notes)"), "{text}");

    let (code, _) = run(&["search", "no such vendor"]);
    assert_eq!(code, 1);
}

#[test]
fn show_by_name_or_a_unique_part() {
    let (code, one) = json(&["show", "digicert", "global"]);
    assert_eq!(code, 0);
    assert_eq!(names(&one), ["DigiCert Global Root CA"]);
    assert_eq!(
        one["authorities"][0]["serials"][0],
        "083BE056904246B1A1756AC95991C74A"
    );
    assert_eq!(
        one["authorities"][0]["published"],
        "083B:E056:9042:46B1:A175:6AC9:5991:C74A"
    );
    let (_, text) = run(&["show", "DigiCert Global Root CA"]);
    assert!(text.contains("SERIAL NUMBER, not a thumbprint"), "{text}");
    refused_cmd(
        &["allowlist", "show", "digicert"],
        &[
            "matches several authorities",
            "DigiCert High Assurance EV Root CA",
        ],
    );
    refused_cmd(
        &["allowlist", "show", "verisign"],
        &["no authority named \"verisign\""],
    );
}

#[test]
fn standing_follows_at_and_the_allowlist_file() {
    let (_, before) = json(&["--allowlist", "allowlist.yaml", "--at", "2010-12-01"]);
    let (_, after) = json(&[
        "list",
        "--allowlist",
        "allowlist.yaml",
        "--at",
        "2011-06-01",
    ]);
    let standing = |j: &Value| {
        j["authorities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == "TestTrust Legacy Secure Server CA")
            .unwrap()["standing"]
            .clone()
    };
    assert_eq!(standing(&before), "not-yet");
    assert_eq!(standing(&after), "accepted");
    assert_eq!(after["source"], "allowlist.yaml");
}

#[test]
fn lint_reports_every_problem_with_its_line() {
    let (code, text) = run(&["lint", "allowlist.yaml"]);
    assert_eq!(
        (code, text.contains("OK (7 authorities)")),
        (0, true),
        "{text}"
    );

    let dir = common::Scratch::new("lint");
    let path = dir.file(
        "lint.yaml",
        b"version: 2\nauthorities:\n  - name: A\n    subject: CN=A\n    sha1: \"1234\"\n    status: maybe\n  - name: B\n    subject: CN=B\n    serial: XYZ\n    status: accepted\n",
    );
    let (code, text) = run(&["lint", &path]);
    assert_eq!(code, 2);
    for want in [
        ":1: version 2 is not supported",
        ":5: sha1: \"1234\": 2 bytes where a 20-byte value was expected",
        ":6: status \"maybe\"",
        ":9: serial: \"XYZ\"",
        "4 problems",
    ] {
        assert!(text.contains(want), "{want} not in\n{text}");
    }
    let (code, report) = json(&["lint", &path]);
    assert_eq!(code, 2);
    assert_eq!(report["ok"], false);
    assert_eq!(report["problems"].as_array().unwrap().len(), 4);
    assert_eq!(report["problems"][0]["line"], 1);
    refused_cmd(
        &["allowlist", "lint", "no-such.yaml"],
        &["no-such.yaml: no such file"],
    );
}

#[test]
fn known_certificates_show_their_validity_and_expired_cas_are_marked() {
    // Today: Go Daddy Secure CA expired on 2026-11-16, two weeks before.
    let (code, text) = run(&["list", "--at", "2026-11-30"]);
    assert_eq!(code, 0);
    assert!(
        text.contains("✗ Go Daddy Secure Certification Authority  (intermediate, accepted, but every known certificate expired by 2026-11-16: it cannot issue)"),
        "{text}"
    );
    assert!(
        text.contains("2006-11-16 to 2026-11-16 (not valid at 2026-11-30)"),
        "{text}"
    );
    assert!(
        text.contains("✓ DigiCert Global Root CA  (root, accepted)"),
        "{text}"
    );
    // Entrust (2048): the original expired, the re-issue (same key) is valid.
    assert!(
        text.contains("1999-12-24 to 2019-12-24 (not valid at 2026-11-30)"),
        "{text}"
    );
    assert!(
        text.contains("1999-12-24 to 2029-07-24 (valid at 2026-11-30)"),
        "{text}"
    );
    assert!(
        text.contains("✓ Entrust.net Certification Authority (2048)  (root, accepted)"),
        "{text}"
    );
    // In 2011 Go Daddy could issue.
    let (_, text) = run(&["show", "Go Daddy Secure", "--at", "2011-06-01"]);
    assert!(
        text.contains("✓ Go Daddy Secure Certification Authority  (intermediate, accepted)"),
        "{text}"
    );
    // JSON carries the same.
    let (_, doc) = json(&["list", "--at", "2026-11-30"]);
    let by_name = |name: &str| {
        doc["authorities"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .unwrap()
            .clone()
    };
    let gd = by_name("Go Daddy Secure Certification Authority");
    assert_eq!(gd["valid_at_evaluation_time"], false);
    assert_eq!(gd["can_issue_at_evaluation_time"], false);
    assert_eq!(gd["certificates"][0]["not_after"], "2026-11-16T01:54:37Z");
    assert_eq!(gd["certificates"][0]["valid_at_evaluation_time"], false);
    let entrust = by_name("Entrust.net Certification Authority (2048)");
    assert_eq!(entrust["can_issue_at_evaluation_time"], true);
    assert_eq!(entrust["certificates"].as_array().unwrap().len(), 2);
    let comodo = by_name("Comodo");
    assert_eq!(comodo["can_issue_at_evaluation_time"], false);
    assert_eq!(comodo["valid_at_evaluation_time"], Value::Null);
    // search marks the same way.
    let (_, text) = run(&["search", "entrust", "--at", "2026-11-30"]);
    assert!(text.contains("✗ Entrust.net Secure Server Certification Authority  (root, accepted, but every known certificate expired by 2019-05-25"), "{text}");
}
