//! The later list (Exchange 2010 SP2/SP3 and 2013): roots to chain to, used by
//! `--profile exchange2010-sp2`; and `issuance: chain` in any allowlist.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::cli::{codes, finding, mfgcheck};
use mfgcheck::policy::{Allowlist, Issuance, Profile};
use serde_json::Value;

#[test]
fn the_built_in_later_list_names_roots_with_their_sources() {
    let list = Allowlist::embedded_for(Profile::Exchange2010Sp2).unwrap();
    assert_eq!(list.issuance(), Issuance::Chain);
    assert_eq!(list.authorities().len(), 14);
    for a in list.authorities() {
        assert!(
            a.source.as_deref().is_some_and(|s| s.contains("ee332350")),
            "{}",
            a.name
        );
        assert_eq!(
            a.kind,
            Some(mfgcheck::policy::allowlist::Kind::Root),
            "{}",
            a.name
        );
    }
    // Rows that name no single certificate carry no identity: unconfirmed.
    let unconfirmed: Vec<&str> = list
        .authorities()
        .iter()
        .filter(|a| !a.has_identity())
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(
        unconfirmed,
        [
            "GlobalSign",
            "VeriSign Trust Network",
            "Autoridade Certificadora Raiz Brasileira"
        ]
    );
    // The RTM list stays the default.
    let rtm = Allowlist::embedded_for(Profile::Exchange2010).unwrap();
    assert_eq!(rtm.issuance(), Issuance::Direct);
}

#[test]
fn allowlist_command_shows_the_later_list() {
    let out = mfgcheck()
        .args([
            "allowlist",
            "--profile",
            "exchange2010-sp2",
            "--at",
            "2013-01-01",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("14 authorities in the built-in Exchange 2010 SP2 and 2013 allowlist"),
        "{text}"
    );
    assert!(
        text.contains("roots: the certificate's chain must end at one of them"),
        "{text}"
    );
    assert!(
        text.contains("✓ Go Daddy Class 2 Certification Authority  (root, accepted)"),
        "{text}"
    );
    assert!(
        text.contains("✗ GlobalSign  (root, accepted, but no identity is published: unconfirmed)"),
        "{text}"
    );
    let out = mfgcheck()
        .args([
            "allowlist",
            "--profile",
            "exchange2010-sp2",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["issuance"], "chain");
    assert_eq!(json["source"], "embedded allowlist (exchange2010-sp2)");
}

/// The test allowlist with `issuance: chain`, in a temporary file.
fn chain_allowlist() -> common::ScratchFile {
    let text = std::fs::read_to_string(common::fixture("allowlist.yaml")).unwrap();
    let text = text.replacen("version: 1\n", "version: 1\nissuance: chain\n", 1);
    common::temp_file("chain", "chain.yaml", text.as_bytes())
}

fn check(files: &[&str], at: &str, allowlist: &str) -> (i32, Value) {
    let out = mfgcheck()
        .arg("check")
        .args(files)
        .args(["--allowlist", allowlist, "--at", at, "--format", "json"])
        .args(["--profile", "exchange2010-sp2"])
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null),
    )
}

#[test]
fn a_chain_to_a_listed_root_is_accepted_with_a_warning() {
    let list = chain_allowlist();
    // The 403 story: under the later list's reading the chain to the listed root passes.
    let (code, json) = check(&["story-bundle.pem"], "2010-12-01", &list);
    assert_eq!(
        (code, json["verdict"].as_str()),
        (0, Some("accepted")),
        "{json:#}"
    );
    assert_eq!(
        codes(&json),
        ["chained-issuer", "weak-signature", "weak-signature"]
    );
    let f = finding(&json, "chained-issuer");
    let message = f["message"].as_str().unwrap();
    assert!(message.contains("a root of the later list"), "{message}");
    assert!(message.contains("HTTP 403"), "{message}");
    assert!(f["fix"].as_str().unwrap().contains("self-signed"));
    assert_eq!(json["allowlist"]["issuance"], "chain");
    // The leaf and its intermediate, the root absent but known by its key identifier.
    let (code, json) = check(
        &["story-leaf.cer", "story-intermediate.cer"],
        "2010-12-01",
        &list,
    );
    assert_eq!(
        (code, json["verdict"].as_str()),
        (0, Some("accepted")),
        "{json:#}"
    );
    assert!(codes(&json).contains(&"chained-issuer".to_owned()));
}

#[test]
fn missing_links_are_undetermined_and_wrong_ones_rejected() {
    let list = chain_allowlist();
    // The leaf alone: its issuer is not listed then, and the rest of the chain is missing.
    let (code, json) = check(&["story-leaf.cer"], "2010-12-01", &list);
    assert_eq!(
        (code, json["verdict"].as_str()),
        (1, Some("undetermined")),
        "{json:#}"
    );
    assert_eq!(codes(&json), ["issuer-unconfirmed"]);
    let fix = json["findings"][0]["fix"].as_str().unwrap();
    assert!(fix.contains("Add the rest of the chain"), "{fix}");
    // A complete chain to an unlisted root, and an impostor root: rejected.
    let (code, json) = check(&["unlisted.pem"], "2011-06-01", &list);
    assert_eq!(
        (code, codes(&json)),
        (1, vec!["issuer-not-allowlisted".to_owned()])
    );
    let (code, json) = check(&["impostor-bundle.pem"], "2011-06-01", &list);
    assert_eq!(
        (code, codes(&json)),
        (1, vec!["issuer-key-mismatch".to_owned()])
    );
}

#[test]
fn the_built_in_later_list_judges_a_leaf_without_its_chain_as_undetermined() {
    // The look-alike leaf names Go Daddy Secure CA, an intermediate the later list does
    // not name (it names the Go Daddy Class 2 root): only the missing chain can tell.
    let out = mfgcheck()
        .args([
            "check",
            "lookalike-godaddy-leaf.pem",
            "--profile",
            "exchange2010-sp2",
        ])
        .args(["--at", "2011-06-01", "--format", "json"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json["verdict"], "undetermined");
    assert_eq!(
        json["allowlist"]["source"],
        "embedded allowlist (exchange2010-sp2)"
    );
    // Advice names roots to chain to, never "issued directly".
    let steps = json["next_steps"].to_string();
    assert!(
        !steps.contains("Get a federation certificate issued directly"),
        "{steps}"
    );
}
