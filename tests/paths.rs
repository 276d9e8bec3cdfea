//! Path building and CA identity on the graph fixtures (`certs-testdata/graph-*.pem`,
//! made by `generate.sh graph`): a valid path wins over a shorter invalid one, only CAs
//! issue, pathLenConstraint and unknown critical extensions are honoured, a look-alike is
//! caught without its issuer's certificate, and the order of the input never matters.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use serde_json::Value;

use common::cli::{codes, mfgcheck, outcome};
use common::{Scratch, fixture};

/// Every graph fixture, with the verdict and the error and warning codes RFC 5280 path
/// validation and the MFG rules give it at 2011-06-01 against `graph-allowlist.yaml`.
const GRAPHS: &[(&str, &str, &[&str])] = &[
    // The expired cross-certificate beside the current root: the current root's path.
    (
        "graph-cross-expired.pem",
        "accepted",
        &["ca-copy", "chain-extra-cert", "issuer-added-later"],
    ),
    // An expired copy of the issuing CA right under the root, a current one under a
    // policy CA: the longer, valid path.
    (
        "graph-expired-copy.pem",
        "accepted",
        &["ca-copy", "chain-order", "chained-issuer"],
    ),
    // The shorter copy signed with ecdsa-with-SHA1, which cannot be verified here.
    (
        "graph-unverifiable-copy.pem",
        "accepted",
        &["ca-copy", "chain-order", "chained-issuer"],
    ),
    (
        "graph-notca-false.pem",
        "rejected",
        &["chained-issuer", "issuer-not-ca"],
    ),
    (
        "graph-notca-nobc.pem",
        "rejected",
        &["chained-issuer", "issuer-not-ca"],
    ),
    (
        "graph-notca-nocertsign.pem",
        "rejected",
        &["chained-issuer", "issuer-not-ca"],
    ),
    (
        "graph-pathlen.pem",
        "rejected",
        &["chained-issuer", "path-length-exceeded"],
    ),
    ("graph-pathlen-ok.pem", "accepted", &["chained-issuer"]),
    (
        "graph-critical-ca.pem",
        "rejected",
        &["chained-issuer", "unknown-critical-extension"],
    ),
    (
        "graph-critical-leaf.pem",
        "rejected",
        &["issuer-added-later", "unknown-critical-extension"],
    ),
    // The issuing CA is absent: its listed key verifies the leaf, so no warning that
    // the signature was not checked.
    ("graph-leaf-alone.pem", "accepted", &["issuer-added-later"]),
    // The listed name and AKI, another signer, absent: the listed key says no.
    (
        "graph-lookalike-leaf.pem",
        "rejected",
        &["signature-invalid"],
    ),
    // The same with its signer, whose SKI is not the AKI: it is the issuer, an impostor.
    (
        "graph-lookalike-bundle.pem",
        "rejected",
        &["issuer-key-mismatch"],
    ),
    // The listed root's expired copy: the list names its current copy, without dates.
    ("graph-stale-copy.pem", "accepted", &["stale-ca-copy"]),
];

fn check(files: &[&str], extra: &[&str]) -> (i32, Value) {
    check_against(files, &["--allowlist", "graph-allowlist.yaml"], extra)
}

/// `check FILES` at 2011-06-01 with the allowlist options `list`: (exit code, JSON).
fn check_against(files: &[&str], list: &[&str], extra: &[&str]) -> (i32, Value) {
    let (code, stdout, stderr) = outcome(
        mfgcheck()
            .arg("check")
            .args(files)
            .args(list)
            .args(["--at", "2011-06-01", "--format", "json"])
            .args(extra),
    );
    assert!(code == 0 || code == 1, "{files:?}: exit {code}: {stderr}");
    (code, serde_json::from_str(&stdout).unwrap())
}

/// `scan DIR` against the graph allowlist: (exit code, JSON report).
fn scan(dir: &Scratch) -> (i32, Value) {
    let (code, stdout, stderr) = outcome(mfgcheck().args([
        "scan",
        dir.to_str().unwrap(),
        "--allowlist",
        "graph-allowlist.yaml",
        "--at",
        "2011-06-01",
        "--format",
        "json",
    ]));
    assert!(code == 0 || code == 1, "exit {code}: {stderr}");
    (code, serde_json::from_str(&stdout).unwrap())
}

/// `check FILE -v` against the graph allowlist: (exit code, text report).
fn check_verbose(file: &str) -> (i32, String) {
    let (code, stdout, _) = outcome(mfgcheck().args([
        "check",
        file,
        "--allowlist",
        "graph-allowlist.yaml",
        "--at",
        "2011-06-01",
        "-v",
    ]));
    (code, stdout)
}

/// The chain's SHA-1 thumbprints, leaf first.
fn chain(json: &Value) -> Vec<String> {
    json["chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["sha1"].as_str().unwrap().to_owned())
        .collect()
}

/// The PEM blocks of a fixture, in file order.
fn blocks(name: &str) -> Vec<String> {
    let text = std::fs::read_to_string(fixture(name)).unwrap();
    text.split_inclusive("-----END CERTIFICATE-----\n")
        .filter(|b| b.contains("BEGIN CERTIFICATE"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_graph_gets_the_verdict_path_validation_gives() {
    for (file, verdict, want) in GRAPHS {
        let (code, json) = check(&[file], &[]);
        assert_eq!(json["verdict"], *verdict, "{file}: {json:#}");
        assert_eq!(code, i32::from(*verdict != "accepted"), "{file}");
        assert_eq!(codes(&json), *want, "{file}");
    }
}

#[test]
fn the_order_of_certificates_and_files_never_changes_the_verdict() {
    let dir = Scratch::new("graph-order");
    for (file, _, _) in GRAPHS {
        let (_, first) = check(&[file], &[]);
        let mut certs = blocks(file);
        let n = certs.len();
        // Reversed in one file; then every rotation of the reversed order, one file each.
        certs.reverse();
        let reversed = dir.file("reversed.pem", certs.concat().as_bytes());
        let mut orders = vec![vec![reversed]];
        for shift in 1..n.max(2) {
            let mut rotated = certs.clone();
            rotated.rotate_left(shift % n.max(1));
            orders.push(
                rotated
                    .iter()
                    .enumerate()
                    .map(|(i, pem)| dir.file(&format!("r{shift}-{i}.pem"), pem.as_bytes()))
                    .collect(),
            );
        }
        for files in orders {
            let files: Vec<&str> = files.iter().map(String::as_str).collect();
            let (_, json) = check(&files, &[]);
            assert_eq!(json["verdict"], first["verdict"], "{file} as {files:?}");
            let order_free = |j: &Value| -> Vec<String> {
                codes(j)
                    .into_iter()
                    .filter(|c| c != "chain-order")
                    .collect()
            };
            assert_eq!(order_free(&json), order_free(&first), "{file} as {files:?}");
            assert_eq!(chain(&json), chain(&first), "{file} as {files:?}");
        }
    }
}

#[test]
fn the_valid_path_is_chosen_and_v_says_why_the_other_lost() {
    let (_, json) = check(&["graph-expired-copy.pem"], &[]);
    // leaf, the current copy, the policy CA, the root: four, not the three of the
    // expired copy.
    assert_eq!(chain(&json).len(), 4);
    let (code, stdout) = check_verbose("graph-expired-copy.pem");
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("is out of date"), "{stdout}");
    assert!(
        stdout.contains("the best so far (valid, where the one before was not)")
            || stdout.contains("lost, the best so far is valid and this one is not"),
        "{stdout}"
    );
    let (_, stdout) = check_verbose("graph-unverifiable-copy.pem");
    assert!(stdout.contains("is not verified"), "{stdout}");
}

#[test]
fn findings_name_what_breaks_the_path() {
    let message = |file: &str, code: &str| {
        let (_, json) = check(&[file], &[]);
        common::cli::finding(&json, code)["message"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let m = message("graph-notca-false.pem", "issuer-not-ca");
    assert!(m.contains("cA=FALSE"), "{m}");
    let m = message("graph-notca-nobc.pem", "issuer-not-ca");
    assert!(m.contains("no basicConstraints"), "{m}");
    let m = message("graph-notca-nocertsign.pem", "issuer-not-ca");
    assert!(m.contains("keyCertSign"), "{m}");
    let m = message("graph-pathlen.pem", "path-length-exceeded");
    assert!(
        m.contains("Graph Pathlen0 CA") && m.contains("at most 0"),
        "{m}"
    );
    let m = message("graph-critical-ca.pem", "unknown-critical-extension");
    assert!(m.contains("1.3.6.1.4.1.55555.7.1"), "{m}");
    let m = message("graph-critical-leaf.pem", "unknown-critical-extension");
    assert!(m.contains("1.3.6.1.4.1.55555.7.2"), "{m}");
    let m = message("graph-stale-copy.pem", "stale-ca-copy");
    assert!(m.contains("not known to be expired"), "{m}");
    let m = message("graph-leaf-alone.pem", "issuer-added-later");
    assert!(m.contains("HTTP status 403"), "{m}");
}

#[test]
fn v1_roots_beside_a_leaf_are_cas_and_a_wizard_certificate_alone_stays_the_leaf() {
    let (code, json) = check(&["graph-v1-roots.pem", "graph-v1-leaf.pem"], &[]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["chain"][0]["subject"], "CN=v1.graph.example, O=Graph");
    assert_eq!(chain(&json).len(), 2);
    // A self-signed certificate without basicConstraints, alone: it is the leaf.
    let (code, json) = check_against(
        &["graph-wizard-nobc.pem"],
        &["--profile", "exchange2010-sp2"],
        &[],
    );
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["verdict"], "accepted");
    // A scan takes the roots file as an issuer file, not as a bundle.
    let dir = Scratch::new("graph-v1-scan");
    for name in ["graph-v1-roots.pem", "graph-v1-leaf.pem"] {
        dir.file(name, &std::fs::read(fixture(name)).unwrap());
    }
    let (code, json) = scan(&dir);
    assert_eq!(code, 0, "{json:#}");
    let files = json["files"].as_array().unwrap();
    let verdict = |name: &str| {
        files
            .iter()
            .find(|f| f["path"].as_str().unwrap().ends_with(name))
            .map(|f| f["verdict"].as_str().unwrap().to_owned())
    };
    assert_eq!(files.len(), 2, "{json:#}");
    assert_eq!(verdict("graph-v1-leaf.pem").as_deref(), Some("accepted"));
    assert_eq!(
        verdict("graph-v1-roots.pem").as_deref(),
        Some("issuer-file")
    );
    assert_eq!(json["summary"]["issuer_files"], 1, "{json:#}");
}

#[test]
fn a_lookalike_alone_is_caught_by_the_listed_key_in_scan_too() {
    let dir = Scratch::new("graph-lookalike-scan");
    for name in ["graph-lookalike-leaf.pem", "graph-leaf-alone.pem"] {
        dir.file(name, &std::fs::read(fixture(name)).unwrap());
    }
    let (code, json) = scan(&dir);
    assert_eq!(code, 1, "{json:#}");
    let verdict = |suffix: &str| {
        let file = json["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"].as_str().unwrap().ends_with(suffix))
            .unwrap();
        (file["verdict"].as_str().unwrap().to_owned(), codes(file))
    };
    let (v, c) = verdict("graph-lookalike-leaf.pem");
    assert_eq!(
        (v.as_str(), c),
        ("rejected", vec!["signature-invalid".to_owned()])
    );
    let (v, c) = verdict("graph-leaf-alone.pem");
    assert_eq!(
        (v.as_str(), c),
        ("accepted", vec!["issuer-added-later".to_owned()])
    );
}

#[test]
fn the_built_in_lists_carry_every_listed_key_and_the_later_added_ca() {
    use mfgcheck::policy::{Allowlist, Profile};
    for profile in [Profile::Exchange2010, Profile::Exchange2010Sp2] {
        let list = Allowlist::embedded_for(profile).unwrap();
        for a in list.authorities() {
            // Parsing refuses a key that does not hash to spki_sha256.
            assert_eq!(a.key.is_some(), a.spki_sha256.is_some(), "{}", a.name);
            if a.key.is_some() {
                assert!(
                    a.key_source.is_some(),
                    "{}: where the key came from",
                    a.name
                );
            }
        }
    }
    let rtm = Allowlist::embedded().unwrap();
    let usertrust = rtm
        .authorities()
        .iter()
        .find(|a| a.name == "USERTrust Legacy Secure Server CA")
        .unwrap();
    assert!(usertrust.added.is_some());
}

#[test]
fn allowlist_lint_checks_the_key_against_its_hash() {
    let dir = Scratch::new("graph-lint");
    let good = std::fs::read_to_string(fixture("graph-allowlist.yaml")).unwrap();
    let root = std::fs::read_to_string(fixture("graph-anchor-root.pem")).unwrap();
    // The EC root's entry given the other root's certificate as its key.
    let pem: String = root.lines().map(|l| format!("      {l}\n")).collect();
    let bad = good.replacen(
        "  - name: \"Graph EC Root\"\n",
        &format!("  - name: \"Graph EC Root\"\n    spki: |\n{pem}"),
        1,
    );
    assert_ne!(bad, good);
    let file = dir.file("bad.yaml", bad.as_bytes());
    let (code, stdout, stderr) = outcome(mfgcheck().args(["allowlist", "lint", &file]));
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        format!("{stdout}{stderr}").contains("not the spki_sha256"),
        "{stdout}{stderr}"
    );
    let file = dir.file("good.yaml", good.as_bytes());
    let (code, stdout, stderr) = outcome(mfgcheck().args(["allowlist", "lint", &file]));
    assert_eq!(code, 0, "{stdout}{stderr}");
}

#[test]
fn a_claim_over_an_unverified_link_says_so() {
    // The unverifiable copy alone, without the valid path beside it: it decides now.
    let dir = Scratch::new("graph-unverified");
    let certs = blocks("graph-unverifiable-copy.pem");
    let only = dir.file("only.pem", certs[..3].concat().as_bytes());
    let (code, json) = check(&[&only], &[]);
    assert_eq!(code, 1);
    assert_eq!(codes(&json), ["chained-issuer", "unsupported-signature"]);
    let m = common::cli::finding(&json, "chained-issuer")["message"]
        .as_str()
        .unwrap();
    assert!(
        m.contains("was not verified, so that link is not proven"),
        "{m}"
    );
    assert!(m.contains("ecdsa"), "{m}");
}

#[test]
fn a_listed_ca_needs_no_basic_constraints_its_identity_decides() {
    // The intermediate without basicConstraints, named in the list by its thumbprint.
    let dir = Scratch::new("graph-listed-nobc");
    let certs = blocks("graph-notca-nobc.pem");
    let int = dir.file("int.pem", certs[1].as_bytes());
    let (_, stdout, _) = outcome(mfgcheck().args(["inspect", &int, "--format", "json"]));
    let json: Value = serde_json::from_str(&stdout).unwrap();
    let sha1 = json["certificates"][0]["sha1"].as_str().unwrap().to_owned();
    let list = format!(
        "version: 1\nauthorities:\n  - name: \"Graph Not-a-CA\"\n    subject: \"CN=Graph Not-a-CA (nobc), O=Graph\"\n    sha1: \"{sha1}\"\n    status: accepted\n"
    );
    let list = dir.file("list.yaml", list.as_bytes());
    let (code, json) = check_against(&["graph-notca-nobc.pem"], &["--allowlist", &list], &[]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["verdict"], "accepted");
    assert!(
        !codes(&json).contains(&"issuer-not-ca".to_owned()),
        "{json:#}"
    );
}

#[test]
fn a_ca_file_that_issued_a_ca_of_the_chain_dir_stays_an_issuer_file() {
    // The policy CA alone in the tree; the CA it issued kept in --chain-dir.
    let certs = blocks("graph-expired-copy.pem");
    let tree = Scratch::new("graph-pool-tree");
    tree.file("policy.cer", certs[4].as_bytes());
    let pool = Scratch::new("graph-pool-chain");
    pool.file("copy.cer", certs[3].as_bytes());
    let verdict = |extra: &[&str]| {
        let (_, stdout, stderr) = outcome(
            mfgcheck()
                .args([
                    "scan",
                    tree.to_str().unwrap(),
                    "--format",
                    "json",
                    "--allow-empty",
                ])
                .args(["--allowlist", "graph-allowlist.yaml", "--at", "2011-06-01"])
                .args(extra),
        );
        let json: Value = serde_json::from_str(&stdout).unwrap_or_else(|_| panic!("{stderr}"));
        json["files"][0]["verdict"].as_str().unwrap().to_owned()
    };
    assert_eq!(
        verdict(&["--chain-dir", pool.to_str().unwrap()]),
        "issuer-file"
    );
    // Without it, the policy CA issued nothing anywhere: checked as a bundle.
    assert_eq!(verdict(&[]), "rejected");
}
