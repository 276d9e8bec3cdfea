//! The `mfgcheck check` binary on every fixture: exit code, verdict, finding codes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::cli::{
    check_json, codes, expect, expect_with, finding, info_codes, mfgcheck, outcome, refused, run,
};
use common::fixture;
use predicates::prelude::*;
use serde_json::Value;

// ---- The seed's story ------------------------------------------------------------------------

#[test]
fn story_before_the_intermediate_was_listed_is_the_403() {
    let json = expect(
        &["story-bundle.pem"],
        "2010-12-01",
        "rejected",
        &["indirect-issuer", "weak-signature", "weak-signature"],
    );
    let finding = &json["findings"][0];
    assert_eq!(finding["code"], "indirect-issuer");
    assert_eq!(finding["severity"], "error");
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains("TestTrust Legacy Secure Server CA"),
        "names the intermediate: {message}"
    );
    assert!(message.contains("403: Forbidden"), "{message}");
    let fix = finding["fix"].as_str().unwrap();
    assert!(
        fix.contains("issued directly by one of the CAs accepted on 2010-12-01"),
        "{fix}"
    );
    assert!(
        fix.contains("Test.net Secure Server Certification Authority"),
        "{fix}"
    );
    assert!(
        !fix.contains("Test AAA Certificate Services"),
        "requested CAs are not advice: {fix}"
    );
}

#[test]
fn story_after_the_intermediate_was_listed_is_accepted() {
    let json = expect(
        &["story-bundle.pem"],
        "2011-06-01",
        "accepted",
        &["weak-signature", "weak-signature"],
    );
    assert_eq!(
        json["direct_issuer"]["authority"]["name"],
        "TestTrust Legacy Secure Server CA"
    );
    assert_eq!(
        json["direct_issuer"]["authority"]["matched_by"],
        "subject-and-key"
    );
    let chain = json["chain"].as_array().unwrap();
    assert_eq!(chain.len(), 3);
    assert_eq!(chain[0]["allowlisted"], false);
    assert_eq!(chain[1]["allowlisted"], true);
    assert_eq!(chain[2]["allowlisted"], true);
    assert_eq!(json["chain_end"], "root");
}

#[test]
fn story_in_every_container_and_encoding() {
    let weak = ["weak-signature", "weak-signature"];
    for file in [
        "story-crlf-bom.pem",
        "story-utf16.pem",
        "story.p7b",
        "story-ber.p7b",
        "story-p7b.pem",
    ] {
        let json = expect(&[file], "2011-06-01", "accepted", &weak);
        assert_eq!(json["chain"].as_array().unwrap().len(), 3, "{file}");
    }
    let json = expect(&["story-ber.p7b"], "2011-06-01", "accepted", &weak);
    assert_eq!(json["leaf"]["source"]["format"], "pkcs7");
}

#[test]
fn certificate_and_intermediate_as_two_files() {
    expect(
        &["story-leaf.cer", "story-intermediate.cer"],
        "2011-06-01",
        "accepted",
        &["weak-signature"],
    );
    // Before the listing, the root is absent but known by the intermediate's AKI.
    expect(
        &["story-intermediate.cer", "story-leaf.cer"],
        "2010-12-01",
        "rejected",
        &["indirect-issuer", "weak-signature"],
    );
}

#[test]
fn cross_signed_intermediate_still_finds_the_listed_root() {
    let json = expect(
        &["story-cross.pem"],
        "2010-12-01",
        "rejected",
        &[
            "ca-copy",
            "indirect-issuer",
            "chain-extra-cert",
            "weak-signature",
            "weak-signature",
        ],
    );
    // The other copy of the intermediate is named as a copy of the path member, and
    // only its unlisted issuer is unrelated.
    let findings = json["findings"].as_array().unwrap();
    let copy = findings.iter().find(|f| f["code"] == "ca-copy").unwrap();
    let message = copy["message"].as_str().unwrap();
    assert!(
        message.contains("is a copy of \"TestTrust Legacy Secure Server CA\""),
        "{message}"
    );
    assert!(
        message.contains("signed by \"Test External CA Root\""),
        "{message}"
    );
    let unrelated = findings
        .iter()
        .find(|f| f["code"] == "chain-extra-cert")
        .unwrap();
    let message = unrelated["message"].as_str().unwrap();
    assert!(message.contains("Test External CA Root"), "{message}");
    assert!(!message.contains("TestTrust"), "{message}");
    // Later, through the other copy: the same copy finding, the other way round.
    expect(
        &["story-cross.pem"],
        "2011-06-01",
        "accepted",
        &[
            "ca-copy",
            "chain-extra-cert",
            "weak-signature",
            "weak-signature",
        ],
    );
}

#[test]
fn bundle_not_leaf_first_warns() {
    expect(
        &["story-unordered.pem"],
        "2011-06-01",
        "accepted",
        &["chain-order", "weak-signature", "weak-signature"],
    );
}

// ---- Direct issuance and the ways to present it ------------------------------------------

#[test]
fn direct_issuance_is_accepted() {
    let json = expect(&["direct-bundle.pem"], "2011-06-01", "accepted", &[]);
    assert_eq!(json["direct_issuer"]["in_input"], true);
}

#[test]
fn leaf_alone_is_identified_by_issuer_name_and_aki() {
    for file in [
        "direct-leaf.pem",
        "direct-leaf.cer",
        "direct-leaf.b64",
        "direct-leaf-x509-label.pem",
        "direct-leaf-trusted.pem",
    ] {
        let json = expect(
            &[file],
            "2011-06-01",
            "accepted",
            &["issuer-signature-unverified"],
        );
        assert_eq!(json["direct_issuer"]["in_input"], false, "{file}");
        assert_eq!(
            json["direct_issuer"]["authority"]["matched_by"], "issuer-name-and-key-id",
            "{file}"
        );
    }
}

#[test]
fn impostors_are_caught_with_or_without_their_certificate() {
    expect(
        &["impostor-bundle.pem"],
        "2011-06-01",
        "rejected",
        &["issuer-key-mismatch"],
    );
    let json = expect(
        &["impostor-leaf.pem"],
        "2011-06-01",
        "rejected",
        &["issuer-key-mismatch"],
    );
    assert!(
        json["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Authority Key Identifier")
    );
}

// ---- One requirement at a time -------------------------------------------------------------

#[test]
fn each_requirement_failure_has_its_code() {
    let at = "2011-06-01";
    expect(&["missing-ski.pem"], at, "rejected", &["missing-ski"]);
    expect(&["not-rsa.pem"], at, "rejected", &["not-rsa"]);
    expect(&["weak-key.pem"], at, "accepted", &["weak-key"]);
    expect(&["self-signed.pem"], at, "rejected", &["self-signed"]);
    expect(
        &["bad-signature.pem"],
        at,
        "rejected",
        &["signature-invalid"],
    );
    expect(&["pending.pem"], at, "rejected", &["issuer-pending"]);
    expect(&["removed.pem"], at, "rejected", &["issuer-removed"]);
    expect(
        &["unlisted.pem"],
        at,
        "rejected",
        &["issuer-not-allowlisted"],
    );
    expect(&["issuer-expired.pem"], at, "rejected", &["issuer-expired"]);
    expect(
        &["unsupported-signature.pem"],
        at,
        "rejected",
        &["unsupported-signature"],
    );
    expect(&["duplicate.pem"], at, "accepted", &["duplicate-cert"]);
    expect(&["unrelated.pem"], at, "accepted", &["chain-extra-cert"]);
    // A CA is checked only when asked for by thumbprint: alone it is not a leaf.
    let thumbprint = |file: &str| {
        let pool = common::pool(&[file]);
        let id = pool.ids().next().unwrap();
        pool.get(id).sha1().to_string()
    };
    let int = thumbprint("ca-legacy-int.pem");
    expect_with(
        &["ca-legacy-int.pem"],
        at,
        &["--leaf", &int],
        "rejected",
        &["ca-certificate", "issuer-signature-unverified"],
    );
    let root = thumbprint("ca-legacy-root.pem");
    expect_with(
        &["ca-legacy-root.pem"],
        at,
        &["--leaf", &root],
        "rejected",
        &["ca-certificate", "self-signed", "weak-key"],
    );
}

#[test]
fn weak_signatures_are_warnings_not_failures() {
    for file in [
        "weak-md5.pem",
        "weak-sha1.pem",
        "weak-pss-sha1.pem",
        "weak-1024-sha256.pem",
        "weak-1024-sha384.pem",
        "weak-1024-sha512.pem",
    ] {
        let json = expect(&[file], "2011-06-01", "accepted", &["weak-signature"]);
        assert_eq!(json["chain"][0]["signature"], "weak", "{file}");
    }
    expect(&["strong-pss-sha256.pem"], "2011-06-01", "accepted", &[]);
}

#[test]
fn dates_are_judged_at_the_evaluation_time() {
    expect(
        &["direct-bundle.pem"],
        "2009-01-01",
        "rejected",
        &["not-yet-valid"],
    );
    expect(
        &["direct-bundle.pem"],
        "2013-01-01",
        "rejected",
        &["expired"],
    );
    expect(
        &["direct-bundle.pem"],
        "2012-05-20",
        "accepted",
        &["expires-soon"],
    );
    expect_with(
        &["direct-bundle.pem"],
        "2012-05-20",
        &["--warn-days", "5"],
        "accepted",
        &[],
    );
    // RFC 3339 times work too, with their offset.
    expect(
        &["direct-bundle.pem"],
        "2012-06-01T00:00:01Z",
        "rejected",
        &["expired"],
    );
    expect(
        &["direct-bundle.pem"],
        "2012-06-01T01:00:00+02:00",
        "accepted",
        &["expires-soon"],
    );
}

#[test]
fn loops_and_meshes_end() {
    // The two CAs carry pathLenConstraint 0, so the path through both breaks it too.
    expect(
        &["cross-loop.pem"],
        "2011-06-01",
        "rejected",
        &["issuer-not-allowlisted", "path-length-exceeded"],
    );
    let json = expect(
        &["mesh-120.pem"],
        "2011-06-01",
        "rejected",
        &[
            "ca-copy",
            "issuer-not-allowlisted",
            "path-budget-exceeded",
            "chain-extra-cert",
        ],
    );
    assert!(json["signature_checks"].as_u64().unwrap() <= 100);
}

// ---- Choosing the leaf -------------------------------------------------------------------------

#[test]
fn several_leaf_candidates_are_an_error_listing_them() {
    let out = mfgcheck()
        .args([
            "check",
            "two-leaves.pem",
            "--allowlist",
            "allowlist.yaml",
            "--at",
            "2011-06-01",
        ])
        .assert()
        .code(2)
        .stdout("");
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("--leaf")
            && stderr.contains("mail.fabrikam.com")
            && stderr.contains("unlisted.fabrikam.com")
    );
}

#[test]
fn leaf_chosen_by_a_pasted_thumbprint() {
    let (_, json) = check_json(&["direct-leaf.pem"], "2011-06-01", &[]);
    let sha1 = json["leaf"]["sha1"].as_str().unwrap();
    // As copied from the Windows certificate dialog: a left-to-right mark, spaced pairs.
    let pasted: String = format!(
        "\u{200E}{}",
        sha1.as_bytes()
            .chunks(2)
            .map(|c| std::str::from_utf8(c).unwrap().to_lowercase())
            .collect::<Vec<_>>()
            .join(" ")
    );
    let (code, json) = check_json(
        &["two-leaves.pem", "ca-global-root.pem"],
        "2011-06-01",
        &["--leaf", &pasted],
    );
    assert_eq!(code, 0);
    assert_eq!(json["leaf"]["sha1"], sha1);
    let sha256 = json["leaf"]["sha256"].as_str().unwrap().to_owned();
    let (_, json) = check_json(
        &["two-leaves.pem", "ca-global-root.pem"],
        "2011-06-01",
        &["--leaf", &sha256],
    );
    assert_eq!(json["leaf"]["sha1"], sha1);
    // By serial number, as a CA's order confirmation shows it (colons, lower case).
    let serial = json["leaf"]["serial"].as_str().unwrap().to_lowercase();
    let spaced: Vec<String> = serial
        .as_bytes()
        .chunks(2)
        .map(|c| std::str::from_utf8(c).unwrap().to_owned())
        .collect();
    let (code, json) = check_json(
        &["two-leaves.pem", "ca-global-root.pem"],
        "2011-06-01",
        &["--leaf", &spaced.join(":")],
    );
    assert_eq!(code, 0);
    assert_eq!(json["leaf"]["sha1"], sha1);
}

#[test]
fn unknown_leaf_thumbprint_is_an_error() {
    mfgcheck()
        .args([
            "check",
            "direct-leaf.pem",
            "--leaf",
            "7C4656C3061F7F4C0D67B319A855F60EBC11FC44",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no certificate with thumbprint or serial number 7C4656C3061F7F4C0D67B319A855F60EBC11FC44",
        ));
    mfgcheck()
        .args([
            "check",
            "direct-leaf.pem",
            "--leaf",
            "083B:E056:9042:46B1:A175:6AC9:5991:C74A",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "083BE056904246B1A1756AC95991C74A (a serial number)",
        ));
}

// ---- Input handling ------------------------------------------------------------------------

#[test]
fn standard_input_with_a_dash_and_without_arguments() {
    let bundle = std::fs::read(fixture("story-bundle.pem")).unwrap();
    for args in [vec!["check", "-"], vec!["check"]] {
        mfgcheck()
            .args(&args)
            .args(["--allowlist", "allowlist.yaml", "--at", "2011-06-01"])
            .write_stdin(bundle.clone())
            .assert()
            .code(0)
            .stdout(predicate::str::contains("ACCEPTED"));
    }
    mfgcheck()
        .args(["check", "-", "-"])
        .write_stdin(bundle)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("only once"));
}

/// Bad input: exit 2, nothing on stdout, one line on stderr naming the file and the problem.
#[test]
fn inputs_without_a_certificate_are_refused_clearly() {
    refused(&["empty.pem"], None, &["empty.pem:", "the file is empty"]);
    refused(
        &["garbage.png"],
        None,
        &["garbage.png:", "binary data", "89 50 4E 47"],
    );
    refused(
        &["truncated.cer"],
        None,
        &["truncated.cer:", "truncated DER", "only 300 are present"],
    );
    refused(
        &["notes.txt"],
        None,
        &[
            "notes.txt:",
            "text without PEM blocks",
            "Thumbprint: 7C4656C3",
        ],
    );
    refused(
        &["request.csr"],
        None,
        &["request.csr:", "CERTIFICATE REQUEST", "submit it to the CA"],
    );
    refused(
        &["key-only.pem"],
        None,
        &["key-only.pem:", "only PRIVATE KEY"],
    );
    refused(&["cut-pem.pem"], None, &["cut-pem.pem:", "no END line"]);
    refused(
        &["direct-leaf.pem", "no-such-file.pem"],
        None,
        &["no-such-file.pem: no such file"],
    );
    refused(&["."], None, &["is a directory"]);
    refused(&["-"], Some(b""), &["<stdin>: the file is empty"]);
    refused(
        &[],
        Some(b"hello\n"),
        &["<stdin>:", "first line: \"hello\""],
    );
}

#[test]
fn private_key_bytes_are_never_echoed() {
    // key-only.pem's base64 decodes to "NOT A KEY"; neither form may appear.
    let out = mfgcheck().args(["check", "key-only.pem"]).output().unwrap();
    let all = [out.stdout, out.stderr].concat();
    let text = String::from_utf8_lossy(&all);
    assert!(
        !text.contains("Tk9UIEEgS0VZ") && !text.contains("NOT A KEY"),
        "{text}"
    );
}

#[test]
fn bad_allowlists_are_refused_with_the_line() {
    let dir = common::Scratch::new("bad-allowlists");
    let cases = [
        (
            "unknown.yaml",
            "version: 1\nauthorities:\n  - name: A\n    subject: CN=A\n    colour: red\n    status: accepted\n",
            "line 5: entry: unknown key \"colour\"",
        ),
        (
            "badhex.yaml",
            "version: 1\nauthorities:\n  - name: A\n    subject: CN=A\n    sha1: 7C4656C3061F7F4C0D67B319A855F60EBC11FCXX\n    status: accepted\n",
            "line 5: sha1",
        ),
        (
            "missing.yaml",
            "version: 1\nauthorities:\n  - name: A\n    subject: CN=A\n",
            "missing key \"status\"",
        ),
        ("syntax.yaml", "version: 1\nauthorities: [\n", "line "),
    ];
    for (name, text, want) in cases {
        let path = dir.file(name, text.as_bytes());
        refused(
            &["direct-leaf.pem", "--allowlist", &path],
            None,
            &[name, want],
        );
    }
    refused(
        &["direct-leaf.pem", "--allowlist", "nowhere.yaml"],
        None,
        &["nowhere.yaml: no such file"],
    );
}

#[test]
fn bad_arguments_exit_2() {
    mfgcheck()
        .args(["check", "direct-leaf.pem", "--at", "12/01/2010"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("YYYY-MM-DD"));
    mfgcheck()
        .args(["check", "direct-leaf.pem", "--format", "xml"])
        .assert()
        .code(2);
}

// ---- Output ----------------------------------------------------------------------------------

#[test]
fn json_report_has_the_documented_shape() {
    let (_, json) = check_json(&["story-bundle.pem"], "2010-12-01", &[]);
    for key in [
        "verdict",
        "leaf",
        "direct_issuer",
        "chain",
        "findings",
        "allowlist",
        "evaluated_at",
        "unused",
        "summary",
        "private_key",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    for c in json["chain"].as_array().unwrap() {
        for key in [
            "subject",
            "issuer",
            "sha1",
            "sha256",
            "allowlisted",
            "serial",
            "ski",
            "not_after",
            "signature",
            "friendly_name",
        ] {
            assert!(c.get(key).is_some(), "chain entry missing {key}");
        }
        assert_eq!(c["sha1"].as_str().unwrap().len(), 40);
        assert!(
            c["sha1"]
                .as_str()
                .unwrap()
                .chars()
                .all(|ch| ch.is_ascii_digit() || ch.is_ascii_uppercase())
        );
    }
    for f in json["findings"].as_array().unwrap() {
        for key in ["code", "severity", "message", "fix", "certificates"] {
            assert!(f.get(key).is_some(), "finding missing {key}");
        }
    }
    assert_eq!(json["allowlist"]["source"], "allowlist.yaml");
    assert_eq!(json["evaluated_at"], "2010-12-01T00:00:00Z");
    assert_eq!(json["summary"]["errors"], 1);
}

#[test]
fn text_report_shows_tree_marks_verdict_and_fixes() {
    mfgcheck()
        .args([
            "check",
            "story-bundle.pem",
            "--allowlist",
            "allowlist.yaml",
            "--at",
            "2010-12-01",
        ])
        .env("COLUMNS", "200")
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "└─ CN=TestTrust Legacy Secure Server CA",
        ))
        .stdout(predicate::str::contains(
            "✓ listed: Test.net Secure Server Certification Authority (accepted)",
        ))
        .stdout(predicate::str::contains(
            "REJECTED: the MFG will not accept mail.contoso.com (indirect-issuer).",
        ))
        .stdout(predicate::str::contains(
            "Fix: Get a federation certificate issued directly by one of the CAs accepted",
        ));
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let args = [
        "check",
        "direct-bundle.pem",
        "--allowlist",
        "allowlist.yaml",
        "--at",
        "2011-06-01",
    ];
    let plain = mfgcheck().args(args).output().unwrap();
    assert!(
        !plain.stdout.contains(&0x1b),
        "piped output has no escape codes"
    );
    let forced = mfgcheck()
        .args(args)
        .arg("--color=always")
        .output()
        .unwrap();
    assert!(forced.stdout.contains(&0x1b));
    let no_color = mfgcheck()
        .args(args)
        .env("NO_COLOR", "1")
        .env("CLICOLOR_FORCE", "1")
        .output()
        .unwrap();
    assert!(
        !no_color.stdout.contains(&0x1b),
        "NO_COLOR wins over CLICOLOR_FORCE"
    );
}

#[test]
fn help_has_examples_and_exit_codes() {
    mfgcheck()
        .args(["check", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Examples:"))
        .stdout(predicate::str::contains(
            "0 accepted, 1 rejected or undetermined",
        ))
        .stdout(predicate::str::contains("--leaf"))
        .stdout(predicate::str::contains("--password-file"))
        .stdout(predicate::str::contains("--profile"));
    for (command, exit) in [
        ("inspect", "0 everything loaded"),
        (
            "thumbprint",
            "0 every value is a SHA-1 or SHA-256 thumbprint",
        ),
        ("allowlist", "1 search found nothing"),
    ] {
        mfgcheck()
            .args([command, "--help"])
            .assert()
            .code(0)
            .stdout(predicate::str::contains("Examples:"))
            .stdout(predicate::str::contains(exit));
    }
    mfgcheck()
        .arg("--version")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
}

// ---- The built-in allowlist ----------------------------------------------------------------

#[test]
fn lookalike_of_a_real_listed_ca_against_the_builtin_list() {
    let run = |file: &str| {
        let out = mfgcheck()
            .args(["check", file, "--at", "2011-06-01", "--format", "json"])
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            serde_json::from_slice::<Value>(&out.stdout).unwrap(),
        )
    };
    // Alone: the built-in list carries Go Daddy's real key, which did not sign it.
    let (code, json) = run("lookalike-godaddy-leaf.pem");
    assert_eq!(code, 1);
    assert_eq!(codes(&json), ["signature-invalid"]);
    assert_eq!(
        json["direct_issuer"]["impostor_of"],
        "Go Daddy Secure Certification Authority"
    );
    assert_eq!(json["direct_issuer"]["in_input"], false);
    assert_eq!(json["allowlist"]["source"], "embedded allowlist");
    let (code, json) = run("lookalike-godaddy-bundle.pem");
    assert_eq!(code, 1);
    assert_eq!(codes(&json), ["issuer-key-mismatch"]);
    assert_eq!(
        json["direct_issuer"]["impostor_of"],
        "Go Daddy Secure Certification Authority"
    );
}

// ---- Limits ------------------------------------------------------------------------------

#[test]
fn oversized_inputs_and_huge_bundles_are_refused() {
    let dir = common::Scratch::new("limits");
    let big = dir.file("big.pem", &vec![b'A'; 2 * 1024 * 1024 + 1]);
    refused(
        &[&big, "--max-file-size", "2"],
        None,
        &["big.pem: larger than 2 MiB"],
    );
    // Within the default limit it is read (and is no certificate).
    refused(&[&big], None, &["big.pem: no certificate found"]);

    // Nesting as deep as the file allows: a clear refusal, no stack overflow.
    let mut bytes = b"\x30\x80".repeat(100_000);
    bytes.extend(b"\0\0".repeat(100_000));
    let deep = dir.file("deep.der", &bytes);
    refused(
        &[&deep],
        None,
        &["deep.der: not valid DER: nested too deeply"],
    );

    // 10,001 certificates: refused before any is parsed.
    let one = std::fs::read_to_string(common::fixture("direct-leaf.pem")).unwrap();
    let many = dir.file(
        "many.pem",
        one.repeat(mfgcheck::MAX_CERTIFICATES + 1).as_bytes(),
    );
    refused(
        &[&many],
        None,
        &["10001 certificates, more than the 10000 one check reads"],
    );
}

#[test]
fn with_format_json_a_failure_is_a_json_document_too() {
    for (args, input) in [
        (
            vec!["check", "truncated.cer", "--format", "json"],
            Some("truncated.cer"),
        ),
        (
            vec!["inspect", "no-such.pem", "--format=json"],
            Some("no-such.pem"),
        ),
        (
            vec![
                "thumbprint",
                "AB",
                "--file",
                "empty.pem",
                "--format",
                "json",
            ],
            Some("empty.pem"),
        ),
        (
            vec![
                "check",
                "direct-leaf.pem",
                "--at",
                "nope",
                "--format",
                "json",
            ],
            None,
        ),
        (
            vec!["scan", ".", "--include", "a{b", "--format", "json"],
            None,
        ),
        // clap puts the missing argument on a line of its own: JSON keeps it.
        (vec!["thumbprint", "--format", "json"], None),
    ] {
        let out = mfgcheck().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let doc: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)));
        assert_eq!(
            doc["schema_version"],
            mfgcheck::report::JSON_SCHEMA_VERSION,
            "{args:?}"
        );
        let error = doc["error"].as_str().unwrap();
        let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            words(&stderr).contains(&words(error)),
            "{args:?}: {error} not in {stderr}"
        );
        if args == ["thumbprint", "--format", "json"] {
            assert!(error.ends_with("provided: <TEXT>..."), "{error}");
        }
        assert_eq!(doc["input"].as_str(), input, "{args:?}");
    }
    // Text stays text: nothing on stdout.
    let out = mfgcheck()
        .args(["check", "truncated.cer"])
        .output()
        .unwrap();
    assert!(out.stdout.is_empty());
}

/// What a server would send: info findings that never change the verdict.
#[test]
fn chain_hygiene_says_what_a_deployed_chain_lacks_or_need_not_hold() {
    // The leaf alone, its issuer a listed intermediate: the server would lack it.
    let json = expect(
        &["story-leaf.cer"],
        "2011-06-01",
        "accepted",
        &["issuer-signature-unverified"],
    );
    assert_eq!(info_codes(&json), ["chain-incomplete"]);
    let incomplete = finding(&json, "chain-incomplete");
    assert!(
        incomplete["message"]
            .as_str()
            .unwrap()
            .contains("whose issuer \"TestTrust Legacy Secure Server CA\" was not supplied"),
        "{incomplete:#}"
    );
    // Leaf and intermediate: what a server should send; nothing to say.
    let json = expect(
        &["story-leaf.cer", "story-intermediate.cer"],
        "2011-06-01",
        "accepted",
        &["weak-signature"],
    );
    assert_eq!(info_codes(&json), Vec::<String>::new());
    // A leaf issued directly by a listed root: complete without the root.
    let json = expect(
        &["direct-leaf.pem"],
        "2011-06-01",
        "accepted",
        &["issuer-signature-unverified"],
    );
    assert_eq!(info_codes(&json), Vec::<String>::new());
    // The root in the bundle: servers need not send it.
    let json = expect(&["direct-bundle.pem"], "2011-06-01", "accepted", &[]);
    assert_eq!(info_codes(&json), ["chain-contains-root"]);
    assert_eq!(json["summary"]["info"], 1);
    // Info never fails a scan, not even with --fail-on warning.
    let (code, _, stderr) = run(&[
        "scan",
        fixture("direct-bundle.pem").to_str().unwrap(),
        "--allowlist",
        fixture("allowlist.yaml").to_str().unwrap(),
        "--at",
        "2011-06-01",
        "--fail-on",
        "warning",
        "--format",
        "jsonl",
    ]);
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn quiet_is_the_verdict_line_and_verbose_shows_the_search() {
    let base = [
        "check",
        "story-bundle.pem",
        "--allowlist",
        "allowlist.yaml",
        "--at",
        "2011-06-01",
    ];
    let in_fixtures =
        |extra: &[&str]| outcome(mfgcheck().current_dir(fixture(".")).args(base).args(extra));
    let (code, quiet, _) = in_fixtures(&["-q"]);
    assert_eq!(code, 0);
    assert_eq!(
        quiet,
        "ACCEPTED: the MFG should accept mail.contoso.com for New-FederationTrust.\n"
    );
    // JSON is the same with or without -q.
    let (_, json_quiet, _) = in_fixtures(&["-q", "--format", "json"]);
    let (_, json, _) = in_fixtures(&["--format", "json"]);
    assert_eq!(json_quiet, json);
    // -q and --brief, -q and -v: one of them.
    let (code, _, stderr) = in_fixtures(&["-q", "--brief"]);
    assert_eq!(code, 2, "{stderr}");

    let (code, verbose, _) = in_fixtures(&["-v"]);
    assert_eq!(code, 0);
    let search = verbose
        .split("Path search (")
        .nth(1)
        .expect("a search section");
    let flat = search.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.starts_with("3 signature checks):"), "{flat}");
    assert!(
        flat.contains("issuer of \"mail.contoso.com\" (D8F5401D…): 1 candidate (\"TestTrust Legacy Secure Server CA\" (C8E1B6AF…))"),
        "{flat}"
    );
    assert!(flat.contains("by its own key: valid"), "{flat}");
    assert!(
        flat.contains("a path of 3 ends at a root (self-signed): the best so far"),
        "{flat}"
    );

    // A budget stop names the certificates that fanned out most.
    let out = mfgcheck()
        .current_dir(fixture("."))
        .args([
            "check",
            "mesh-120.pem",
            "--allowlist",
            "allowlist.yaml",
            "-v",
        ])
        .args(["--at", "2011-06-01"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("The search stopped because the signature checks ran out. Candidate issuers per certificate, most first: \"mesh.fabrikam.com\""),
        "{flat}"
    );
    assert!(flat.contains("(120)"), "{flat}");
}

#[test]
fn inspect_quiet_and_verbose() {
    let out = mfgcheck()
        .current_dir(fixture("."))
        .args(["inspect", "story-cross.pem", "-q"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "5 certificates, 0 private keys, 2 tops of the tree.\n"
    );
    let out = mfgcheck()
        .current_dir(fixture("."))
        .args(["inspect", "story-cross.pem", "-v"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("Signature checks (5 checks):"), "{flat}");
    assert!(
        flat.contains("signature of \"Test External CA Root\" (04303653…) by its own key: valid, but weak (SHA-1 hash)"),
        "{flat}"
    );
}

/// A file name that is not UTF-8 (possible on Unix) is read, not "no such file": the
/// command line is parsed as the system gives it.
#[cfg(unix)]
#[test]
fn a_file_whose_name_is_not_utf8_is_read() {
    use std::os::unix::ffi::OsStrExt;
    let dir = common::temp_tree("non-utf8-name", &[]);
    let name = std::ffi::OsStr::from_bytes(b"mail-\xff.pem");
    let path = dir.join(name);
    std::fs::copy(fixture("story-bundle.pem"), &path).unwrap();
    let out = common::cli::mfgcheck()
        .arg("check")
        .arg(&path)
        .args(["--at", "2011-06-01", "--allowlist", "allowlist.yaml"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("ACCEPTED"), "{stdout}");
    assert!(stdout.contains("mail-\u{FFFD}.pem"), "{stdout}");
}

/// Each command offers the options it uses, with words true for it, grouped.
#[test]
fn help_offers_each_command_its_own_options_in_groups() {
    let help = |command: &str| {
        let out = common::cli::mfgcheck()
            .args([command, "--help"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{command}");
        String::from_utf8(out.stdout).unwrap()
    };
    for command in ["inspect", "thumbprint"] {
        let text = help(command);
        assert!(!text.contains("--profile"), "{command}: {text}");
    }
    for command in ["check", "scan", "bundle"] {
        let text = help(command);
        assert!(text.contains("--profile"), "{command}");
        for heading in ["Input:", "Judging:", "Output:", "Network:"] {
            assert!(text.contains(heading), "{command}: no {heading}");
        }
    }
    let scan = help("scan");
    assert!(!scan.contains("asked on a terminal"), "{scan}");
    assert!(scan.contains("nothing is asked"), "{scan}");
    let cores = std::thread::available_parallelism().unwrap().get();
    assert!(
        scan.contains(&format!("one per core ({cores} here)")),
        "{scan}"
    );
    assert!(help("check").contains("asked on a terminal"));
    // One name per idea: the bundle's file is -o; servers and fetches have their own
    // time limits.
    assert!(!help("bundle").contains("--save"));
    for command in ["check", "inspect", "scan"] {
        let text = help(command);
        assert!(text.contains("--fetch-timeout"), "{command}");
        assert!(text.contains("--timeout"), "{command}");
    }
}
