//! PKCS#12 (.pfx/.p12): every kind of file an admin meets gives the verdict the same
//! certificates give as PEM, plus the checks only the key allows.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::cli::{check_json, codes, expect_with, mfgcheck, refused};
use common::{fixture, input};
use mfgcheck::load::{self, Format, Password, Problem};

const PASSWORD: [&str; 2] = ["--password-file", "pfx-password.txt"];
const WEAK: [&str; 2] = ["weak-signature", "weak-signature"];
/// The fixtures made with PBES2 (AES-256), which old Windows cannot import.
const MODERN: &[&str] = &[
    "story-aes.pfx",
    "story-sha1prf.pfx",
    "story-ber.pfx",
    "story-null-password.pfx",
];
const WEAK_AND_MODERN: [&str; 3] = ["pfx-modern-encryption", "weak-signature", "weak-signature"];

/// Every PFX form, with the password options it needs.
const FORMS: &[(&str, &[&str])] = &[
    ("story-legacy.pfx", &PASSWORD),
    ("story-aes.pfx", &PASSWORD),
    ("story-sha1prf.pfx", &PASSWORD),
    ("story-ber.pfx", &PASSWORD),
    ("story-empty-password.pfx", &[]),
    ("story-null-password.pfx", &[]),
    ("story-legacy-certutil.txt", &PASSWORD),
    ("story-keyvault.txt", &[]),
];

#[test]
fn every_form_gives_the_pem_verdict_and_finds_the_key() {
    for at in ["2010-12-01", "2011-06-01"] {
        let (pem_code, pem) = check_json(&["story-bundle.pem"], at, &[]);
        for (file, extra) in FORMS {
            let (code, json) = check_json(&[file], at, extra);
            assert_eq!(code, pem_code, "{file} at {at}");
            assert_eq!(json["verdict"], pem["verdict"], "{file} at {at}");
            let mut want = codes(&pem);
            if MODERN.contains(file) {
                want.push("pfx-modern-encryption".into());
                want.sort();
            }
            assert_eq!(codes(&json), want, "{file} at {at}");
            assert_eq!(json["leaf"]["sha1"], pem["leaf"]["sha1"], "{file}");
            assert_eq!(json["chain"].as_array().unwrap().len(), 3, "{file}");
            assert_eq!(json["leaf"]["source"]["format"], "pkcs12", "{file}");
            let key = &json["private_key"];
            assert_eq!(key["present"], true, "{file}: {key}");
            assert_eq!(key["matched_by"], "public-key", "{file}");
            assert_eq!(key["key"], "RSA 2048", "{file}");
            assert_eq!(key["file"], *file);
        }
    }
    // PEM inputs cannot hold a key, so they say nothing about one.
    let (_, pem) = check_json(&["story-bundle.pem"], "2011-06-01", &[]);
    assert!(pem["private_key"].is_null());
    assert!(pem["leaf"]["friendly_name"].is_null());
}

#[test]
fn provider_and_friendly_name_are_reported() {
    let json = expect_with(
        &["story-legacy.pfx"],
        "2011-06-01",
        &PASSWORD,
        "accepted",
        &WEAK,
    );
    assert_eq!(json["leaf"]["friendly_name"], "Contoso Federation 2010");
    assert_eq!(
        json["private_key"]["provider"]["name"],
        "Microsoft RSA SChannel Cryptographic Provider"
    );
    assert_eq!(json["private_key"]["provider"]["kind"], "crypto-api");
    assert_eq!(
        json["private_key"]["friendly_name"],
        "Contoso Federation 2010"
    );

    let json = expect_with(
        &["story-aes.pfx"],
        "2011-06-01",
        &PASSWORD,
        "accepted",
        &WEAK_AND_MODERN,
    );
    assert_eq!(json["leaf"]["friendly_name"], "Contoso Fédération — 2010 ✓");
    let out = mfgcheck()
        .args(["check", "story-aes.pfx", "--allowlist", "allowlist.yaml"])
        .args(["--at", "2011-06-01"])
        .args(PASSWORD)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("friendly name: Contoso Fédération — 2010 ✓"),
        "{text}"
    );
    assert!(
        text.contains(
            "provider \"Microsoft Enhanced RSA and AES Cryptographic Provider\" (CryptoAPI)"
        ),
        "{text}"
    );

    // No CSP attribute (files made by other tools): shown, not an error.
    let json = expect_with(
        &["story-ber.pfx"],
        "2011-06-01",
        &PASSWORD,
        "accepted",
        &WEAK_AND_MODERN,
    );
    assert!(json["private_key"]["provider"].is_null());
}

#[test]
fn a_cng_key_storage_provider_is_rejected_with_the_fix() {
    let json = expect_with(
        &["story-cng.pfx"],
        "2011-06-01",
        &PASSWORD,
        "rejected",
        &[
            "cng-key-provider",
            "pfx-modern-encryption",
            "weak-signature",
            "weak-signature",
        ],
    );
    assert_eq!(json["private_key"]["provider"]["kind"], "cng");
    let finding = &json["findings"][0];
    assert_eq!(finding["code"], "cng-key-provider");
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains("Microsoft Software Key Storage Provider"),
        "{message}"
    );
    let fix = common::cli::fix_text(finding);
    assert!(
        fix.contains("New-ExchangeCertificate") && fix.contains("certutil -csp"),
        "{fix}"
    );
}

#[test]
fn a_pfx_without_the_key_is_rejected() {
    // The PFX is what the server imports: without the key, the certificate is unusable.
    let json = expect_with(
        &["story-nokeys.pfx"],
        "2011-06-01",
        &PASSWORD,
        "rejected",
        &[
            "no-private-key",
            "pfx-modern-encryption",
            "weak-signature",
            "weak-signature",
        ],
    );
    assert_eq!(json["private_key"]["present"], false);
    // Root first in the file; the leaf is still found, and a PFX has no order to warn about.
    assert_eq!(
        json["leaf"]["subject"],
        "CN=mail.contoso.com, O=Contoso, L=Redmond, S=Washington, C=US"
    );
    assert_eq!(
        json["leaf"]["source"]["index"], 2,
        "the second certificate of the file"
    );
}

#[test]
fn the_key_picks_the_leaf_without_leaf_option() {
    // Two end-entity certificates: ambiguous as PEM, decided by the PFX's key.
    refused(&["story-bundle.pem", "direct-leaf.pem"], None, &["--leaf"]);
    let json = expect_with(
        &["direct-leaf.pem", "story-legacy.pfx"],
        "2011-06-01",
        &PASSWORD,
        "accepted",
        &["chain-extra-cert", "weak-signature", "weak-signature"],
    );
    assert_eq!(json["leaf"]["source"]["file"], "story-legacy.pfx");
    // --leaf still wins, and then the file's key is not that certificate's.
    let direct_sha1 = check_json(&["direct-leaf.pem"], "2011-06-01", &[]).1["leaf"]["sha1"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, json) = check_json(
        &["direct-leaf.pem", "story-legacy.pfx"],
        "2011-06-01",
        &[PASSWORD[0], PASSWORD[1], "--leaf", &direct_sha1],
    );
    assert_eq!(json["leaf"]["sha1"], direct_sha1.as_str());
    assert_eq!(json["verdict"], "rejected");
    assert!(
        codes(&json).contains(&"private-key-mismatch".to_owned()),
        "{json:#}"
    );
    let msg = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "private-key-mismatch")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(msg.contains("does not belong to"), "{msg}");
    // It names whose key it is.
    assert!(msg.contains("(the key of \"mail.contoso.com\""), "{msg}");
}

#[test]
fn every_copy_of_the_key_is_judged_whatever_the_order() {
    // Two exports of one certificate: one keeps the key in a CryptoAPI CSP, one in CNG.
    for files in [
        ["story-legacy.pfx", "story-cng.pfx"],
        ["story-cng.pfx", "story-legacy.pfx"],
    ] {
        let (code, json) = check_json(&files, "2011-06-01", &PASSWORD);
        assert_eq!(code, 1, "{files:?}");
        assert_eq!(json["verdict"], "rejected", "{files:?}");
        let msg = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == "cng-key-provider")
            .unwrap_or_else(|| panic!("{files:?}: {json:#}"))["message"]
            .as_str()
            .unwrap()
            .to_owned();
        assert!(msg.contains("in story-cng.pfx"), "{msg}");
    }
    // inspect shows each file's key and provider.
    let (code, stdout, _) = common::cli::run(&[
        "inspect",
        "story-legacy.pfx",
        "story-cng.pfx",
        PASSWORD[0],
        PASSWORD[1],
    ]);
    assert_eq!(code, 0, "{stdout}");
    let words = stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("in story-legacy.pfx; provider"), "{stdout}");
    assert!(
        words.contains(
            "in story-cng.pfx; provider \"Microsoft Software Key Storage Provider\" (CNG)"
        ),
        "{stdout}"
    );
}

#[test]
fn a_key_alone_has_nothing_to_check_but_pairs_across_files() {
    refused(
        &["key-only.pfx", "--password-file", "pfx-password.txt"],
        None,
        &["key-only.pfx: only a private key, no certificate: nothing to check"],
    );
    let json = expect_with(
        &["story-bundle.pem", "key-only.pfx"],
        "2011-06-01",
        &PASSWORD,
        "accepted",
        &WEAK_AND_MODERN,
    );
    assert_eq!(json["private_key"]["file"], "key-only.pfx");
    // The key belongs to another certificate: the issuer is still judged as usual.
    let json = expect_with(
        &["direct-leaf.pem", "key-only.pfx"],
        "2011-06-01",
        &PASSWORD,
        "rejected",
        &[
            "issuer-signature-unverified",
            "pfx-modern-encryption",
            "private-key-mismatch",
        ],
    );
    assert_eq!(json["private_key"]["present"], false);
}

#[test]
fn wrong_password_missing_password_and_damage_are_told_apart() {
    refused(
        &[
            "story-legacy.pfx",
            "--password-file",
            "pfx-wrong-password.txt",
        ],
        None,
        &[
            "story-legacy.pfx: wrong password",
            "MAC",
            "--password-file pfx-wrong-password.txt",
        ],
    );
    // A pipeline (stdin is not a terminal) without a password: no prompt, exit 2.
    refused(
        &["story-legacy.pfx"],
        Some(b""),
        &[
            "story-legacy.pfx: this PKCS#12 file needs a password",
            "--password-file FILE or --password-env VAR",
        ],
    );
    refused(
        &["story-legacy-certutil.txt"],
        Some(b""),
        &["needs a password"],
    );
    refused(
        &["truncated.pfx", "--password-file", "pfx-password.txt"],
        None,
        &["truncated.pfx: truncated DER"],
    );
}

#[test]
fn password_from_the_environment_never_from_the_command_line() {
    let out = mfgcheck()
        .args(["check", "story-legacy.pfx", "--allowlist", "allowlist.yaml"])
        .args(["--at", "2011-06-01", "--password-env", "MFG_TEST_PFX"])
        .env("MFG_TEST_PFX", "Fed2010!")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    refused(
        &[
            "story-legacy.pfx",
            "--password-env",
            "MFG_TEST_UNSET_VARIABLE",
        ],
        None,
        &["--password-env MFG_TEST_UNSET_VARIABLE: the environment variable is not set"],
    );
    // An empty password given on purpose is a wrong one, not a missing one.
    let out = mfgcheck()
        .args([
            "check",
            "story-legacy.pfx",
            "--password-env",
            "MFG_TEST_EMPTY",
        ])
        .env("MFG_TEST_EMPTY", "")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("wrong password")
            && stderr.contains("(from --password-env MFG_TEST_EMPTY)"),
        "{stderr}"
    );
    for flag in ["--password", "--pass", "--passin"] {
        let out = mfgcheck()
            .args(["check", "story-legacy.pfx", flag, "Fed2010!"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag}");
    }
    let out = mfgcheck()
        .args([
            "check",
            "story-legacy.pfx",
            "--password-file",
            "pfx-password.txt",
        ])
        .args(["--password-env", "X"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn passwords_and_keys_never_appear_in_any_output() {
    for (extra, env) in [
        (&PASSWORD[..], None),
        (&["--password-file", "pfx-wrong-password.txt"][..], None),
        (&["--password-env", "P"][..], Some("Fed2010!")),
    ] {
        for format in ["text", "json"] {
            let mut cmd = mfgcheck();
            cmd.args([
                "check",
                "story-legacy.pfx",
                "--at",
                "2011-06-01",
                "--format",
                format,
            ])
            .args(extra);
            if let Some(v) = env {
                cmd.env("P", v);
            }
            let out = cmd.output().unwrap();
            let all = String::from_utf8_lossy(&[out.stdout, out.stderr].concat()).into_owned();
            assert!(
                !all.contains("Fed2010!") && !all.contains("Fed2011!"),
                "{all}"
            );
            assert!(!all.contains("PRIVATE KEY"), "{all}");
        }
    }
}

#[test]
fn the_library_reads_bags_in_file_order_with_their_attributes() {
    let file = input("story-nokeys.pfx");
    let password =
        Password::from_file_contents(&std::fs::read(fixture("pfx-password.txt")).unwrap());
    let loaded = load::load(&file.name, &file.bytes, Some(&password)).unwrap();
    assert!(loaded.keys.is_empty());
    let names: Vec<String> = loaded
        .certificates
        .iter()
        .map(|c| {
            assert_eq!(c.origin.format, Format::Pkcs12);
            let cert = mfgcheck::model::Certificate::from_raw(c.clone()).unwrap();
            cert.subject().first("2.5.4.3").unwrap().to_owned()
        })
        .collect();
    assert_eq!(
        names,
        [
            "Test.net Secure Server Certification Authority",
            "mail.contoso.com",
            "TestTrust Legacy Secure Server CA"
        ]
    );

    let file = input("story-legacy.pfx");
    let loaded = load::load(&file.name, &file.bytes, Some(&password)).unwrap();
    assert_eq!(loaded.keys.len(), 1);
    let key = &loaded.keys[0];
    assert_eq!(
        key.bag.friendly_name.as_deref(),
        Some("Contoso Federation 2010")
    );
    assert_eq!(
        key.provider.as_deref(),
        Some("Microsoft RSA SChannel Cryptographic Provider")
    );
    // localKeyId ties the key to the leaf's bag.
    let leaf_bag = &loaded.certificates[0].bag;
    assert!(leaf_bag.local_key_id.is_some());
    assert_eq!(leaf_bag.local_key_id, key.bag.local_key_id);

    let wrong = Password::new("Fed2011!".into());
    let err = load::load(&file.name, &file.bytes, Some(&wrong)).unwrap_err();
    assert_eq!(err.problem, Problem::WrongPassword);
    let err = load::load(&file.name, &file.bytes, None).unwrap_err();
    assert_eq!(err.problem, Problem::PasswordNeeded);
    // The empty password given explicitly also tries the absent one.
    let empty = Password::new(String::new());
    let file = input("story-null-password.pfx");
    assert!(load::load(&file.name, &file.bytes, Some(&empty)).is_ok());
}

/// Damaged files end in an error, never a panic: every truncation, and a flipped byte
/// at regular steps through the whole file (headers, lengths, OIDs, ciphertext, MAC).
/// (Every single-byte flip of five PFX forms was run once in release mode: no panic.)
#[test]
fn damaged_pfx_files_are_errors_not_panics() {
    let password = Password::new("Fed2010!".into());
    for name in ["story-legacy.pfx", "story-ber.pfx"] {
        let bytes = std::fs::read(fixture(name)).unwrap();
        for cut in (0..bytes.len()).step_by(61) {
            let _ = load::load(name, &bytes[..cut], Some(&password));
        }
        let mut flipped = 0;
        for at in (0..bytes.len()).step_by(23) {
            let mut damaged = bytes.clone();
            damaged[at] ^= 0x5A;
            if load::load(name, &damaged, Some(&password)).is_err() {
                flipped += 1;
            }
        }
        // Almost every flip is caught (by the structure or the MAC).
        assert!(flipped * 10 >= bytes.len() / 23 * 9, "{name}: {flipped}");
    }
}

#[test]
fn an_ansi_password_file_is_read_as_windows_1252_and_says_so() {
    // "Fédé2010!" saved by Notepad as ANSI: é is the one byte 0xE9.
    let out = mfgcheck()
        .args([
            "check",
            "ansi-password.pfx",
            "--password-file",
            "ansi-password.txt",
        ])
        .args(["--profile", "exchange2010-sp2", "--at", "2011-06-01"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("ansi-password.txt is not UTF-8: its password was read as Windows-1252"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("Fédé"),
        "the password is never printed: {stderr}"
    );
    // The same password saved as UTF-8 opens it too, without a note.
    let dir = common::Scratch::new("ansi");
    let utf8 = dir.file("utf8.txt", "Fédé2010!\r\n".as_bytes());
    let out = mfgcheck()
        .args(["check", "ansi-password.pfx", "--password-file", &utf8])
        .args(["--profile", "exchange2010-sp2", "--at", "2011-06-01"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What old Windows can import: the protection of each PFX, and a warning for PBES2.
#[test]
fn the_encryption_of_a_pfx_is_shown_and_pbes2_warned_about() {
    let inspect = |file: &str, extra: &[&str]| {
        let out = mfgcheck()
            .current_dir(fixture("."))
            .args(["inspect", file, "--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{file}");
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let legacy = inspect("story-legacy.pfx", &PASSWORD);
    let pfx = &legacy["pfx_files"][0];
    assert_eq!(
        pfx["certificates"][0]["name"],
        "RC2-40 (pbeWithSHAAnd40BitRC2-CBC)"
    );
    assert_eq!(
        pfx["keys"][0]["name"],
        "3DES (pbeWithSHAAnd3-KeyTripleDES-CBC)"
    );
    assert_eq!(pfx["keys"][0]["iterations"], 2048);
    assert_eq!(pfx["mac"]["name"], "HMAC-SHA1");
    assert_eq!(pfx["modern_encryption"], false);
    assert_eq!(legacy["findings"], serde_json::json!([]));

    let aes = inspect("story-aes.pfx", &PASSWORD);
    let pfx = &aes["pfx_files"][0];
    assert_eq!(
        pfx["keys"][0]["name"],
        "PBES2 AES-256-CBC with PBKDF2-HMAC-SHA256"
    );
    assert_eq!(pfx["mac"]["name"], "HMAC-SHA256");
    assert_eq!(pfx["modern_encryption"], true);
    let finding = &aes["findings"][0];
    assert_eq!(finding["code"], "pfx-modern-encryption");
    assert_eq!(finding["severity"], "warning");
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("Windows Server 2016 and earlier"),
        "{finding}"
    );
    let fix = common::cli::fix_text(finding);
    assert!(
        fix.contains("-legacy") && fix.contains("TripleDES_SHA1"),
        "{fix}"
    );

    // Text: the schemes, and the warning.
    let out = mfgcheck()
        .current_dir(fixture("."))
        .args(["inspect", "story-sha1prf.pfx", PASSWORD[0], PASSWORD[1]])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("PFX protection of story-sha1prf.pfx"),
        "{text}"
    );
    assert!(
        text.contains("PBES2 AES-256-CBC with PBKDF2-HMAC-SHA1, 2048 iterations"),
        "{text}"
    );
    assert!(text.contains("warning pfx-modern-encryption"), "{text}");
}

#[test]
fn without_a_pfx_the_next_steps_say_once_where_the_key_must_be() {
    let note = "A .cer, .pem or .p7b holds no private key";
    let (_, json) = check_json(&["direct-bundle.pem"], "2011-06-01", &[]);
    assert_eq!(json["verdict"], "accepted");
    let said = common::cli::steps(&json)
        .iter()
        .filter(|s| s.contains(note))
        .count();
    assert_eq!(said, 1, "{json:#}");
    let (_, json) = check_json(&["story-legacy.pfx"], "2011-06-01", &PASSWORD);
    assert_eq!(json["verdict"], "accepted");
    assert!(
        !common::cli::steps(&json).iter().any(|s| s.contains(note)),
        "{json:#}"
    );
}

#[test]
fn a_pfx_that_declares_more_work_than_any_real_one_is_refused_before_any() {
    // 1,000 shrouded keys of a million iterations each beside the real parts. With the
    // wrong password the answer is still the refusal, not "wrong password": the MAC, the
    // first derivation, never ran.
    for password in ["pfx-password.txt", "pfx-wrong-password.txt"] {
        refused(
            &["hostile-bags.pfx", "--password-file", password],
            None,
            &[
                "hostile-bags.pfx: PKCS#12: its integrity check and its 1002 encrypted parts",
                "1003000000 key-derivation iterations in all",
                "refused before any work",
            ],
        );
    }
    let bytes = std::fs::read(fixture("hostile-bags.pfx")).unwrap();
    let err = load::load("hostile-bags.pfx", &bytes, None).err().unwrap();
    assert!(
        err.to_string().contains("for 2 password(s) to try"),
        "{err}"
    );
    // Three derivations of a million each are within the budget: a heavy real file opens.
    let (code, json) = check_json(&["hostile-heavy.pfx"], "2011-07-01", &PASSWORD);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(json["private_key"]["present"], true, "{json:#}");
    let bytes = std::fs::read(fixture("hostile-heavy.pfx")).unwrap();
    let password = Password::new("Fed2010!".into());
    let loaded = load::load("hostile-heavy.pfx", &bytes, Some(&password)).unwrap();
    let mac = loaded.pfx[0].mac.as_ref().unwrap();
    assert_eq!(mac.iterations, Some(1_000_000));
}

#[test]
fn a_key_under_scrypt_at_the_most_memory_allowed_opens() {
    // N = 2^18, r = 8: 256 MiB, the most allowed, and two million in the budget's units.
    let bytes = std::fs::read(fixture("hostile-scrypt.pfx")).unwrap();
    let password = Password::new("Fed2010!".into());
    let loaded = load::load("hostile-scrypt.pfx", &bytes, Some(&password)).unwrap();
    assert_eq!(loaded.keys.len(), 1);
    let keys = &loaded.pfx[0].keys;
    assert_eq!(keys[0].name, "PBES2 AES-256-CBC with scrypt");
    let wrong = Password::new("Fed2011!".into());
    let err = load::load("hostile-scrypt.pfx", &bytes, Some(&wrong))
        .err()
        .unwrap();
    assert_eq!(err.problem, Problem::WrongPassword);
}
