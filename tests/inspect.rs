//! `mfgcheck inspect`: every certificate's identities and the issuer tree.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::cli::{mfgcheck, refused_cmd};
use serde_json::Value;

fn inspect(args: &[&str]) -> Value {
    let out = mfgcheck()
        .arg("inspect")
        .args(args)
        .args([
            "--allowlist",
            "allowlist.yaml",
            "--at",
            "2011-06-01",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn by_cn<'a>(json: &'a Value, cn: &str) -> &'a Value {
    json["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| {
            c["subject"]
                .as_str()
                .unwrap()
                .starts_with(&format!("CN={cn},"))
        })
        .unwrap_or_else(|| panic!("no {cn}"))
}

#[test]
fn every_certificate_with_its_identities_and_issuer() {
    let json = inspect(&["story-bundle.pem", "direct-leaf.pem"]);
    let certs = json["certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 4);
    for c in certs {
        for key in [
            "subject",
            "issuer",
            "serial",
            "sha1",
            "sha1_colon",
            "sha256",
            "sha256_colon",
            "ski",
            "aki",
            "key",
            "signature_algorithm",
            "not_before",
            "not_after",
            "validity",
            "days_left",
            "is_ca",
            "dns_names",
            "authority",
            "issued_by",
        ] {
            assert!(c.get(key).is_some(), "missing {key} in {c:#}");
        }
        let sha1 = c["sha1"].as_str().unwrap();
        assert_eq!(c["sha1_colon"].as_str().unwrap().replace(':', ""), sha1);
    }
    let leaf = by_cn(&json, "mail.contoso.com");
    // 2011-06-01 to 2012-06-01, across 29 February 2012.
    assert_eq!(leaf["days_left"], 366);
    assert_eq!(leaf["validity"], "valid");
    assert_eq!(leaf["is_ca"], false);
    assert_eq!(leaf["dns_names"][0], "mail.contoso.com");
    assert!(leaf["authority"].is_null());
    let int = by_cn(&json, "TestTrust Legacy Secure Server CA");
    assert_eq!(
        int["authority"]["name"],
        "TestTrust Legacy Secure Server CA"
    );
    assert_eq!(leaf["issued_by"]["kind"], "in-input");
    assert_eq!(leaf["issued_by"]["index"], int["index"]);
    assert_eq!(leaf["issued_by"]["signature"], "weak");
    let root = by_cn(&json, "Test.net Secure Server Certification Authority");
    assert_eq!(root["issued_by"]["kind"], "self-signed");
    assert_eq!(root["authority"]["status"], "accepted");
    let direct = by_cn(&json, "mail.fabrikam.com");
    assert_eq!(direct["issued_by"]["kind"], "absent");
    let roots: Vec<u64> = json["roots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_u64().unwrap())
        .collect();
    assert!(roots.contains(&root["index"].as_u64().unwrap()));
    assert!(roots.contains(&direct["index"].as_u64().unwrap()));
}

#[test]
fn days_left_follow_the_evaluation_time() {
    let out = mfgcheck()
        .args([
            "inspect",
            "story-leaf.cer",
            "--at",
            "2012-06-11",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["certificates"][0]["validity"], "expired");
    assert_eq!(json["certificates"][0]["days_left"], -10);
}

#[test]
fn pfx_keys_are_shown_with_their_certificate() {
    let json = inspect(&["story-cng.pfx", "--password-file", "pfx-password.txt"]);
    let key = &json["private_keys"][0];
    assert_eq!(key["provider"]["kind"], "cng");
    assert_eq!(
        key["provider"]["name"],
        "Microsoft Software Key Storage Provider"
    );
    let leaf = by_cn(&json, "mail.contoso.com");
    assert_eq!(key["certificate"], leaf["index"]);
    assert_eq!(leaf["friendly_name"], "Contoso Federation 2010");
    assert_eq!(leaf["private_key"]["file"], "story-cng.pfx");
}

#[test]
fn text_shows_both_thumbprint_forms_and_the_tree() {
    let out = mfgcheck()
        .args([
            "inspect",
            "story-bundle.pem",
            "--allowlist",
            "allowlist.yaml",
        ])
        .args(["--at", "2011-06-01"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let json = inspect(&["story-bundle.pem"]);
    let leaf = by_cn(&json, "mail.contoso.com");
    for want in [
        leaf["sha1"].as_str().unwrap(),
        leaf["sha1_colon"].as_str().unwrap(),
        leaf["sha256_colon"].as_str().unwrap(),
        "366 days left",
        "listed: TestTrust Legacy Secure Server CA (accepted)",
        "Issuer tree:",
    ] {
        assert!(text.contains(want), "{want} not in\n{text}");
    }
    // Root, then the intermediate one level in, then the leaf two levels in.
    let tree = &text[text.find("Issuer tree:").unwrap()..];
    let root = tree
        .find("  Test.net Secure Server Certification Authority")
        .unwrap();
    let int = tree.find("  └─ TestTrust Legacy Secure Server CA").unwrap();
    let leaf = tree.find("     └─ mail.contoso.com").unwrap();
    assert!(root < int && int < leaf, "{tree}");
}

#[test]
fn bad_inputs_exit_2_with_one_line() {
    refused_cmd(&["inspect", "garbage.png"], &["garbage.png:"]);
    refused_cmd(
        &[
            "inspect",
            "story-legacy.pfx",
            "--password-file",
            "pfx-wrong-password.txt",
        ],
        &["wrong password"],
    );
}
