//! The reports as users see them. The text report is the product, so its exact form
//! is reviewed through snapshots (`cargo insta review`, or `INSTA_UPDATE=always cargo
//! test` after regenerating the fixtures, whose thumbprints appear here).

mod common;

use assert_cmd::Command;
use common::fixture;

fn run(args: &[&str]) -> String {
    let out = Command::cargo_bin("mfgcheck")
        .unwrap()
        .current_dir(fixture(""))
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("COLUMNS")
        .arg("check")
        .args(args)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn story_before_listing_text() {
    insta::assert_snapshot!(run(&[
        "story-bundle.pem",
        "--allowlist",
        "allowlist.yaml",
        "--at",
        "2010-12-01"
    ]));
}

#[test]
fn story_after_listing_text() {
    insta::assert_snapshot!(run(&[
        "story-bundle.pem",
        "--allowlist",
        "allowlist.yaml",
        "--at",
        "2011-06-01"
    ]));
}

#[test]
fn lookalike_leaf_on_builtin_list_text() {
    insta::assert_snapshot!(run(&["lookalike-godaddy-leaf.pem", "--at", "2011-06-01"]));
}

#[test]
fn impostor_and_signature_failure_text() {
    insta::assert_snapshot!(run(&[
        "bad-signature.pem",
        "--allowlist",
        "allowlist.yaml",
        "--at",
        "2011-06-01"
    ]));
}

#[test]
fn mutual_cross_certification_text() {
    insta::assert_snapshot!(run(&[
        "cross-loop.pem",
        "--allowlist",
        "allowlist.yaml",
        "--at",
        "2011-06-01"
    ]));
}

#[test]
fn ca_checked_by_mistake_text() {
    insta::assert_snapshot!(run(&[
        "ca-global-root.pem",
        "--allowlist",
        "allowlist.yaml",
        "--at",
        "2011-06-01"
    ]));
}

#[test]
fn direct_bundle_json() {
    insta::assert_snapshot!(run(&[
        "direct-bundle.pem",
        "--allowlist",
        "allowlist.yaml",
        "--at",
        "2012-05-20",
        "--format",
        "json"
    ]));
}

#[test]
fn pfx_with_a_cng_key_text() {
    insta::assert_snapshot!(run(&[
        "story-cng.pfx",
        "--password-file",
        "pfx-password.txt",
        "--allowlist",
        "allowlist.yaml",
        "--at",
        "2011-06-01"
    ]));
}
