//! The reports as users see them. The text report is the product, so its exact form
//! is reviewed through snapshots (`cargo insta review`, or `INSTA_UPDATE=always cargo
//! test` after regenerating the fixtures, whose thumbprints appear here).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use assert_cmd::Command;
use common::fixture;

fn run(args: &[&str]) -> String {
    let mut full = vec!["check"];
    full.extend_from_slice(args);
    run_command(&full)
}

/// Any subcommand; `args` starts with it.
fn run_command(args: &[&str]) -> String {
    let out = Command::cargo_bin("mfgcheck")
        .unwrap()
        .current_dir(fixture(""))
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("COLUMNS")
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
    // Alone a CA is no leaf (exit 2); picked by thumbprint it is checked, and refused.
    let pool = common::pool(&["ca-global-root.pem"]);
    let sha1 = pool.get(pool.ids().next().unwrap()).sha1().to_string();
    insta::assert_snapshot!(run(&[
        "ca-global-root.pem",
        "--leaf",
        &sha1,
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

#[test]
fn inspect_story_text() {
    insta::assert_snapshot!(run_command(&[
        "inspect",
        "story-bundle.pem",
        "--allowlist",
        "allowlist.yaml",
        "--at",
        "2011-06-01"
    ]));
}

#[test]
fn thumbprint_technet_values_text() {
    insta::assert_snapshot!(run_command(&[
        "thumbprint",
        "NA",
        "083B:E056:9042:46B1:A175:6AC9:5991:C74A",
        "91 8d a5 e4 99 c1 5f 7c 62 75 b1 24 fe de 53 35 7c 34 bd 36",
        "801D 62D0 7B44 9D5C 5C03 5C98 EA61 FA44 3C2A 58FE",
        "99A6 9BE6 1AFE 886B 4D2B 8200 7CB8 54FC 317E 1539",
        "\u{200e}7c46 56c3 061f 7f4c 0d67 b319 a855 f60e bc11 fc44"
    ]));
}

#[test]
fn allowlist_search_comodo_text() {
    insta::assert_snapshot!(run_command(&[
        "allowlist",
        "search",
        "comodo",
        "--at",
        "2011-06-01"
    ]));
}
