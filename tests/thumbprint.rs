//! `mfgcheck thumbprint` on the values of the Technet table and the Windows dialog.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::cli::mfgcheck;
use serde_json::Value;

/// Runs `thumbprint` with `args` (JSON), returning the exit code and the values.
fn lookup(args: &[&str]) -> (i32, Vec<Value>) {
    let out = mfgcheck()
        .arg("thumbprint")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    assert!(
        code == 0 || code == 1,
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    (code, json["values"].as_array().unwrap().clone())
}

fn matches(v: &Value) -> Vec<(String, String)> {
    v["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap().to_owned(),
                m["field"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn pair(name: &str, field: &str) -> (String, String) {
    (name.to_owned(), field.to_owned())
}

#[test]
fn every_technet_value_is_explained() {
    // The six rows of the Technet table, verbatim.
    let (code, values) = lookup(&[
        "NA",
        "083B:E056:9042:46B1:A175:6AC9:5991:C74A",
        "91 8d a5 e4 99 c1 5f 7c 62 75 b1 24 fe de 53 35 7c 34 bd 36",
        "801D 62D0 7B44 9D5C 5C03 5C98 EA61 FA44 3C2A 58FE",
        "99A6 9BE6 1AFE 886B 4D2B 8200 7CB8 54FC 317E 1539",
        "7c46 56c3 061f 7f4c 0d67 b319 a855 f60e bc11 fc44",
    ]);
    assert_eq!(code, 1, "NA and the serial are not thumbprints");
    // "NA" is not hex: N is the first bad character.
    assert_eq!(values[0]["kind"], "invalid");
    assert!(
        values[0]["error"]
            .as_str()
            .unwrap()
            .contains("'N' at position 1")
    );
    // DigiCert Global Root CA: 16 bytes, its serial number.
    assert_eq!(values[1]["kind"], "serial-or-md5");
    assert_eq!(values[1]["bytes"], 16);
    assert_eq!(
        matches(&values[1]),
        [
            pair("DigiCert Global Root CA", "serial"),
            pair("DigiCert Global Root CA", "published")
        ]
    );
    // DigiCert High Assurance EV: published, matches nothing real.
    assert_eq!(values[2]["kind"], "sha1");
    assert_eq!(
        matches(&values[2]),
        [pair("DigiCert High Assurance EV Root CA", "published")]
    );
    assert_eq!(values[2]["matches"][0]["only_published"], true);
    // The other three are the real SHA-1 thumbprints.
    for (v, name) in values[3..].iter().zip([
        "Entrust.net Certification Authority (2048)",
        "Entrust.net Secure Server Certification Authority",
        "Go Daddy Secure Certification Authority",
    ]) {
        assert_eq!(v["kind"], "sha1");
        assert_eq!(matches(v), [pair(name, "sha1"), pair(name, "published")]);
        assert_eq!(v["matches"][1]["only_published"], false);
    }
    assert_eq!(
        values[5]["normalized"],
        "7C4656C3061F7F4C0D67B319A855F60EBC11FC44"
    );
    assert_eq!(
        values[5]["colon"],
        "7C:46:56:C3:06:1F:7F:4C:0D:67:B3:19:A8:55:F6:0E:BC:11:FC:44"
    );
}

#[test]
fn invisible_characters_from_the_windows_dialog_are_named() {
    let pasted =
        "\u{200E}7c 46 56 c3 06 1f 7f 4c 0d 67 b3 19 a8 55 f6 0e bc 11 fc\u{00A0}44\u{200B}";
    let (code, values) = lookup(&[pasted]);
    assert_eq!(code, 0);
    let v = &values[0];
    assert_eq!(v["input"], pasted);
    assert_eq!(v["normalized"], "7C4656C3061F7F4C0D67B319A855F60EBC11FC44");
    let removed: Vec<(&str, u64)> = v["removed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["char"].as_str().unwrap(), r["position"].as_u64().unwrap()))
        .collect();
    assert_eq!(removed, [("U+200E", 1), ("U+00A0", 58), ("U+200B", 61)]);
    assert_eq!(v["removed"][0]["name"], "LEFT-TO-RIGHT MARK");

    let out = mfgcheck().args(["thumbprint", pasted]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    // Windows PowerShell 5.1 pipes as ASCII: the mark arrives as '?'.
    let piped = mfgcheck()
        .args(["thumbprint", "-"])
        .write_stdin("?7c4656c3061f7f4c0d67b319a855f60ebc11fc44\r\n")
        .output()
        .unwrap();
    let piped = String::from_utf8(piped.stdout).unwrap();
    assert!(
        piped.contains("'?' at position 1") && piped.contains("left-to-right mark"),
        "{piped}"
    );
    assert!(
        text.contains("removed U+200E LEFT-TO-RIGHT MARK at position 1")
            && text.contains("New-FederationTrust -Thumbprint fails"),
        "{text}"
    );
    assert!(
        text.contains("the SHA-1 thumbprint of Go Daddy Secure Certification Authority"),
        "{text}"
    );
}

#[test]
fn labels_separators_and_lengths() {
    let (code, values) = lookup(&[
        "SHA1 Fingerprint=7C:46:56:C3:06:1F:7F:4C:0D:67:B3:19:A8:55:F6:0E:BC:11:FC:44",
        "Thumbprint: 7c-46-56-c3-06-1f-7f-4c-0d-67-b3-19-a8-55-f6-0e-bc-11-fc-44",
        "4348A0E9444C78CB265E058D5E8944B4D84F9662BD26DB257F8934A443C70161",
        "ABCDEF",
        "7C4656C3X61F",
        "03DE503556D14CBB66F0A3E21B1BC397B23DD155",
    ]);
    assert_eq!(code, 1);
    assert_eq!(values[0]["normalized"], values[1]["normalized"]);
    assert_eq!(values[0]["kind"], "sha1");
    assert_eq!(values[2]["kind"], "sha256");
    assert_eq!(
        matches(&values[2]),
        [pair("DigiCert Global Root CA", "sha256")]
    );
    assert_eq!(values[3]["kind"], "other-length");
    assert_eq!(values[3]["bytes"], 3);
    assert_eq!(values[4]["kind"], "invalid");
    assert!(
        values[4]["error"]
            .as_str()
            .unwrap()
            .contains("'X' at position 9")
    );
    // 20 bytes like a SHA-1 thumbprint, but it is DigiCert's key identifier.
    assert_eq!(
        matches(&values[5]),
        [pair("DigiCert Global Root CA", "ski")]
    );
}

#[test]
fn unquoted_groups_and_standard_input() {
    let (code, values) = lookup(&[
        "801D", "62D0", "7B44", "9D5C", "5C03", "5C98", "EA61", "FA44", "3C2A", "58FE",
    ]);
    assert_eq!(code, 0);
    assert_eq!(values.len(), 1);
    assert_eq!(
        values[0]["normalized"],
        "801D62D07B449D5C5C035C98EA61FA443C2A58FE"
    );

    let out = mfgcheck()
        .args(["thumbprint", "-", "--format", "json"])
        .write_stdin("\u{FEFF}7c4656c3061f7f4c0d67b319a855f60ebc11fc44\r\n\r\n083BE056904246B1A1756AC95991C74A\r\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["values"].as_array().unwrap().len(), 2);
}

#[test]
fn file_comparison_says_whether_it_is_your_certificate() {
    let story = common::input("story-leaf.cer");
    let pool = mfgcheck::load_pool(&[story]).unwrap();
    let (_, leaf) = pool.iter().next().unwrap();
    let sha1 = leaf.sha1().to_string();
    let colon_sha256 = leaf.sha256().colon();

    let (code, values) = lookup(&[&sha1, &colon_sha256, "--file", "story-leaf.cer"]);
    assert_eq!(code, 0);
    assert_eq!(values[0]["certificates"][0]["fields"][0], "sha1");
    assert_eq!(values[1]["certificates"][0]["fields"][0], "sha256");
    assert_eq!(values[0]["certificates"][0]["file"], "story-leaf.cer");

    // Through the PFX (password options apply), and a thumbprint that is not there.
    let (code, values) = lookup(&[
        &sha1,
        "7C4656C3061F7F4C0D67B319A855F60EBC11FC44",
        "--file",
        "story-legacy.pfx",
        "--password-file",
        "pfx-password.txt",
    ]);
    assert_eq!(code, 1);
    assert_eq!(values[0]["ok"], true);
    assert_eq!(values[1]["ok"], false);
    assert_eq!(values[1]["certificates"].as_array().unwrap().len(), 0);

    let out = mfgcheck()
        .args(["thumbprint", "7C4656C3061F7F4C0D67B319A855F60EBC11FC44"])
        .args(["--file", "story-leaf.cer"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "is not any certificate in story-leaf.cer: it is not the certificate you have"
        ),
        "{text}"
    );
}

#[test]
fn bad_files_and_missing_values_exit_2() {
    common::cli::usage_error(&["thumbprint"], &["TEXT"]);
    common::cli::refused_cmd(
        &["thumbprint", "AB", "--file", "no-such.cer"],
        &["no-such.cer: no such file"],
    );
}

#[test]
fn a_cas_thumbprint_is_called_out_with_the_leafs_own() {
    let pool = common::pool(&["direct-bundle.pem"]);
    let (_, root) = common::by_cn(&pool, "Test Global Root CA");
    let (_, leaf) = common::by_cn(&pool, "mail.fabrikam.com");
    let run = |thumbprint: String, format: &str| {
        let out = mfgcheck()
            .args(["thumbprint", &thumbprint, "--file", "direct-bundle.pem"])
            .args(["--allowlist", "allowlist.yaml", "--format", format])
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap())
    };
    // A CA's thumbprint is not the one New-FederationTrust takes: exit 1.
    let (code, text) = run(root.sha1().to_string(), "text");
    assert_eq!(code, Some(1));
    assert!(text.contains("this is a CA's thumbprint"), "{text}");
    assert!(
        text.contains(&format!("its thumbprint is {}", leaf.sha1())),
        "{text}"
    );
    let (_, out) = run(root.sha1().to_string(), "json");
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["values"][0]["ca_thumbprint"], true);
    assert_eq!(json["values"][0]["certificates"][0]["is_ca"], true);
    assert_eq!(json["values"][0]["ok"], false);
    // The leaf's own thumbprint is fine.
    let (code, text) = run(leaf.sha1().to_string(), "text");
    assert_eq!(code, Some(0));
    assert!(!text.contains("CA's thumbprint"), "{text}");
}
