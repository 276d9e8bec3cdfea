//! `mfgcheck lync`: Format-List and Export-Csv output of the Lync 2010 and 2013
//! cmdlets, in any order and encoding.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::PathBuf;

use common::cli::{mfgcheck, refused_cmd};
use serde_json::Value;

fn data(name: &str) -> String {
    common::test_data("lync", name)
}

fn lync(files: &[&str]) -> (i32, Value) {
    let paths: Vec<String> = files.iter().map(|f| data(f)).collect();
    let out = mfgcheck()
        .arg("lync")
        .args(&paths)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    assert!(
        code < 2,
        "{files:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code, serde_json::from_slice(&out.stdout).unwrap())
}

fn scopes(json: &Value) -> Vec<(String, String, bool)> {
    json["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let ready = !s["issues"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["blocking"] == true);
            (
                s["kind"].as_str().unwrap().to_owned(),
                s["scope"].as_str().unwrap().to_owned(),
                ready,
            )
        })
        .collect()
}

fn commands(json: &Value) -> Vec<String> {
    json["commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn lync_2010_defaults_need_every_change_with_scopes_kept() {
    // Media first: the order of the files does not matter.
    let (code, json) = lync(&["media-2010.txt", "policy-2010.txt"]);
    assert_eq!(code, 1);
    assert_eq!(json["ready"], false);
    let s = |k: &str, sc: &str, r: bool| (k.to_owned(), sc.to_owned(), r);
    assert_eq!(
        scopes(&json),
        [
            s("external-access-policy", "Global", false),
            s("external-access-policy", "Site:Redmond", false),
            s("external-access-policy", "Tag:AllowWLM", true),
            s("media-configuration", "Global", false),
        ]
    );
    assert_eq!(
        commands(&json),
        [
            "Set-CsExternalAccessPolicy -Identity Global -EnablePublicCloudAccess $true -EnablePublicCloudAudioVideoAccess $true",
            "Set-CsExternalAccessPolicy -Identity Site:Redmond -EnablePublicCloudAccess $true -EnablePublicCloudAudioVideoAccess $true",
            "Set-CsMediaConfiguration -Identity Global -EncryptionLevel SupportEncryption",
        ]
    );
    let media = &json["scopes"][3];
    let codes: Vec<&str> = media["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["encryption-required", "video-vga"]);
    assert!(
        media["issues"][0]["message"]
            .as_str()
            .unwrap()
            .contains("52017")
    );
    assert_eq!(media["issues"][1]["blocking"], false);
}

#[test]
fn lync_2013_shapes_ready_with_informational_video_note() {
    let (code, json) = lync(&["policy-2013.txt", "media-2013.txt"]);
    assert_eq!(code, 0);
    assert_eq!(json["ready"], true);
    assert!(commands(&json).is_empty());
    let dublin = json["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["scope"] == "Site:Dublin")
        .unwrap();
    assert_eq!(dublin["issues"][0]["code"], "video-vga");
}

#[test]
fn export_csv_output_and_per_user_policy_names() {
    let (code, json) = lync(&["policy.csv", "media.csv"]);
    assert_eq!(code, 1);
    let all = commands(&json);
    assert_eq!(all.len(), 2, "{all:?}");
    let tag = json["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["scope"] == "Tag:AllowWLM")
        .unwrap();
    assert!(tag["issues"].as_array().unwrap().is_empty());
}

#[test]
fn utf16_with_bom_as_powershell_redirection_writes_it() {
    let text = std::fs::read_to_string(data("policy-2010.txt")).unwrap();
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let out = mfgcheck()
        .args(["lync", "-", "--format", "json"])
        .write_stdin(bytes)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["scopes"].as_array().unwrap().len(), 3);
    // Only a policy was given: the reminder says the media configuration was not seen.
    let reminders = json["reminders"].to_string();
    assert!(
        reminders.contains("No Get-CsMediaConfiguration output"),
        "{reminders}"
    );
}

#[test]
fn text_report_prints_commands_and_reminders() {
    let out = mfgcheck()
        .args(["lync", &data("policy-2010.txt"), &data("media-2010.txt")])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for want in [
        "CHANGES NEEDED",
        "  Set-CsMediaConfiguration -Identity Global -EncryptionLevel SupportEncryption",
        "Public IM Connectivity",
        "about 5 minutes",
        "sign out of Lync and back in",
        "Windows Live Messenger 2011",
    ] {
        assert!(text.contains(want), "{want} not in\n{text}");
    }
}

#[test]
fn unreadable_or_unrelated_input_exits_2() {
    refused_cmd(&["lync", "no-such.txt"], &["no-such.txt: no such file"]);
    let notes = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/triage/nothing.txt")
        .to_string_lossy()
        .into_owned();
    refused_cmd(
        &["lync", &notes],
        &["no Get-CsExternalAccessPolicy or Get-CsMediaConfiguration output found"],
    );
}

#[test]
fn one_output_alone_is_incomplete_never_ready() {
    // The 2013 settings are ready together; each alone cannot show that.
    for (file, missing) in [
        ("policy-2013.txt", "Get-CsMediaConfiguration"),
        ("media-2013.txt", "Get-CsExternalAccessPolicy"),
    ] {
        let (code, json) = lync(&[file]);
        assert_eq!(code, 1, "{file}");
        assert_eq!(json["ready"], false, "{file}");
        assert_eq!(json["verdict"], "incomplete", "{file}");
        assert_eq!(json["missing"][0], missing, "{file}");
        mfgcheck()
            .args(["lync", &data(file)])
            .assert()
            .code(1)
            .stdout(predicates::str::contains("INCOMPLETE:"))
            .stdout(predicates::str::contains(missing));
    }
    let (_, json) = lync(&["policy-2013.txt", "media-2013.txt"]);
    assert_eq!(json["verdict"], "ready");
    assert_eq!(json["missing"].as_array().unwrap().len(), 0);
    // Changes needed in the one output given stay "changes-needed", missing named.
    let (code, json) = lync(&["media-2010.txt"]);
    assert_eq!(
        (code, json["verdict"].as_str()),
        (1, Some("changes-needed"))
    );
    assert_eq!(json["missing"][0], "Get-CsExternalAccessPolicy");
}
