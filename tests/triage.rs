//! `mfgcheck triage`: every knowledge-base entry from a realistic text, the texts of the
//! source notes verbatim, mixed texts, texts with nothing, encodings, extra bases.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::cli::{mfgcheck, refused_cmd, usage_error};
use serde_json::Value;

fn data(name: &str) -> String {
    common::test_data("triage", name)
}

fn triage_stdin(text: &[u8], extra: &[&str]) -> (i32, Value) {
    let out = mfgcheck()
        .args(["triage", "-", "--format", "json"])
        .args(extra)
        .write_stdin(text.to_vec())
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    assert!(code < 2, "{}", String::from_utf8_lossy(&out.stderr));
    (code, serde_json::from_slice(&out.stdout).unwrap())
}

fn triage(file: &str) -> (i32, Value) {
    let out = mfgcheck()
        .args(["triage", &data(file), "--format", "json"])
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    assert!(code < 2, "{file}: {}", String::from_utf8_lossy(&out.stderr));
    (code, serde_json::from_slice(&out.stdout).unwrap())
}

fn ids(json: &Value) -> Vec<String> {
    json["recognised"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn every_entry_is_recognised_from_a_realistic_text() {
    let cases = [
        ("new-federationtrust-403.txt", "new-federationtrust-403"),
        (
            "set-federationtrust-84de3e74.txt",
            "set-federationtrust-403-certificate",
        ),
        (
            "publish-7cdac73f.txt",
            "publish-federation-certificate-7cdac73f",
        ),
        (
            "certificate-not-found.txt",
            "federation-certificate-not-found",
        ),
        ("delegation-token.txt", "delegation-token-validation"),
        ("sip-488-52017.txt", "sip-488-encryption-52017"),
        (
            "sip-488-not-compatible.txt",
            "sip-488-encryption-levels-not-compatible",
        ),
        ("wlm-old.txt", "windows-live-messenger-too-old"),
        ("bare-403.txt", "http-403-forbidden"),
    ];
    let kb_ids: Vec<String> = {
        let kb = mfgcheck::triage::KnowledgeBase::embedded().unwrap();
        // Entries judged from Exchange Management Shell output: tests/triage_shell.rs.
        kb.entries()
            .iter()
            .filter(|e| !e.matcher.shell)
            .map(|e| e.id.clone())
            .collect()
    };
    for id in &kb_ids {
        assert!(cases.iter().any(|(_, c)| c == id), "no test text for {id}");
    }
    for (file, id) in cases {
        let (code, json) = triage(file);
        assert_eq!(code, 0, "{file}");
        assert_eq!(ids(&json), [id], "{file}");
        let r = &json["recognised"][0];
        for key in ["title", "system", "what", "why", "fix"] {
            assert!(!r[key].is_null(), "{file}: {key}");
        }
    }
}

#[test]
fn facts_are_extracted_and_filled_into_the_next_command() {
    let (_, json) = triage("new-federationtrust-403.txt");
    let f = &json["facts"];
    assert_eq!(
        f["thumbprints"][0]["value"],
        "9A2B3C4D5E6F708192A3B4C5D6E7F80910213243"
    );
    assert_eq!(f["cmdlets"][0], "New-FederationTrust");
    assert_eq!(f["error_ids"][0], "6501C8A0");
    assert_eq!(f["exceptions"][0], "ProvisioningFederatedExchangeException");
    assert_eq!(
        json["recognised"][0]["next"],
        "mfgcheck check <certificate file> <intermediate file> --leaf 9A2B3C4D5E6F708192A3B4C5D6E7F80910213243"
    );

    let (_, json) = triage("certificate-not-found.txt");
    let t = &json["facts"]["thumbprints"][0];
    assert_eq!(t["value"], "7C4656C3061F7F4C0D67B319A855F60EBC11FC44");
    assert_eq!(t["invisible"][0], "U+200E");
    // The mark is the cause, and the next command keeps it, so that `mfgcheck
    // thumbprint` shows what Exchange was given.
    let cause = json["recognised"][0]["cause"].as_str().unwrap();
    assert!(cause.contains("U+200E (LEFT-TO-RIGHT MARK)"), "{cause}");
    assert!(
        cause.contains("7C4656C3061F7F4C0D67B319A855F60EBC11FC44"),
        "{cause}"
    );
    assert_eq!(
        json["recognised"][0]["next"],
        "mfgcheck thumbprint \"\u{200E}7c 46 56 c3 06 1f 7f 4c 0d 67 b3 19 a8 55 f6 0e bc 11 fc 44\""
    );
    let out = mfgcheck()
        .args([
            "thumbprint",
            "\u{200E}7c 46 56 c3 06 1f 7f 4c 0d 67 b3 19 a8 55 f6 0e bc 11 fc 44",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("removed U+200E"), "{text}");
    mfgcheck()
        .args(["triage", &data("certificate-not-found.txt")])
        .assert()
        .code(0)
        .stdout(predicates::str::contains(
            "Cause in this text: The thumbprint given",
        ));

    let (_, json) = triage("sip-488-52017.txt");
    let sip = &json["facts"]["sip"];
    assert_eq!(sip["status"], "SIP/2.0 488 Not Acceptable Here");
    assert_eq!(
        sip["from"],
        "\"Eddie Vedder\"<>;tag=ed272dd714;epid=8e3ef28192"
    );
    assert!(
        sip["to"]
            .as_str()
            .unwrap()
            .contains("mepid=F6333909B2AE4F60A2553FA59913B0A8")
    );
    assert_eq!(
        sip["diagnostics"],
        "52017;reason=\"Encryption levels dont match\""
    );
    assert_eq!(json["facts"]["wlm_version"], "15.4.3502.0922");
    let fix = json["recognised"][0]["fix"].as_array().unwrap();
    // The command stands apart from the words, whole, with its placeholder filled.
    assert_eq!(
        fix[0]["commands"][0],
        "Set-CsMediaConfiguration Global -EncryptionLevel SupportEncryption -MaxVideoRateAllowed Hd720p15M"
    );
    assert!(
        !fix[0]["text"].as_str().unwrap().contains("Set-Cs"),
        "{}",
        fix[0]
    );
}

#[test]
fn the_source_notes_texts_verbatim() {
    let provisioning = "An error occurred while attempting to provision Exchange to the Partner STS. Detailed information \u{201c}An error occurred accessing Windows Live. Detailed information \u{201c}The request failed with HTTP status 403: Forbidden.\u{201d}.\u{201d}";
    assert_eq!(
        ids(&triage_stdin(provisioning.as_bytes(), &[]).1),
        ["new-federationtrust-403"]
    );
    let sip = "Start-Line: SIP/2.0 488 Not Acceptable Here\nFrom: \"Eddie Vedder\"<>;tag=ed272dd714;epid=8e3ef28192\nTo: <;mepid=F6333909B2AE4F60A2553FA59913B0A8>; tag=ab1e5513de\nUSER-AGENT: UCCAPI/4.0.7440.0 WLM/15.4.3502.0922 (Windows Live Messenger)\nms-client-diagnostics: 52017;reason=\"Encryption levels dont match\"\n";
    assert_eq!(
        ids(&triage_stdin(sip.as_bytes(), &[]).1),
        ["sip-488-encryption-52017"]
    );
}

#[test]
fn a_mail_thread_with_two_problems_reports_both() {
    let (code, json) = triage("mail-thread.txt");
    assert_eq!(code, 0);
    assert_eq!(
        ids(&json),
        ["new-federationtrust-403", "sip-488-encryption-52017"]
    );
}

#[test]
fn nothing_recognised_says_so_and_lists_what_it_knows() {
    let (code, json) = triage("nothing.txt");
    assert_eq!(code, 1);
    assert!(json["recognised"].as_array().unwrap().is_empty());
    assert!(json["known"].as_array().unwrap().len() >= 8);
    let out = mfgcheck()
        .args(["triage", &data("nothing.txt")])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Nothing in this text matches a known error"),
        "{text}"
    );
    assert!(text.contains("SIP 488 Not Acceptable Here"), "{text}");
}

#[test]
fn a_ticket_with_only_a_server_name_gets_two_commands_not_the_catalogue() {
    for (text, endpoint) in [
        ("mail.contoso.com\r\n", "mail.contoso.com:443"),
        ("https://mail.contoso.com/", "mail.contoso.com:443"),
        ("smtp.contoso.com:25", "smtp.contoso.com:25 --starttls smtp"),
    ] {
        let (_, json) = triage_stdin(text.as_bytes(), &[]);
        assert!(json["facts"]["server"].is_string(), "{text}: {json:#}");
        let out = mfgcheck()
            .args(["triage", "-"])
            .env("COLUMNS", "60")
            .write_stdin(text.as_bytes().to_vec())
            .output()
            .unwrap();
        let shown = String::from_utf8(out.stdout).unwrap();
        assert!(shown.lines().count() <= 8, "{shown}");
        // Each command on a line of its own, whole, however narrow the screen.
        let lines: Vec<&str> = shown.lines().map(str::trim).collect();
        assert!(
            lines.contains(&format!("mfgcheck check --connect {endpoint}").as_str()),
            "{shown}"
        );
        assert!(
            lines.contains(&"Get-ExchangeCertificate | Format-List"),
            "{shown}"
        );
        assert!(!shown.contains("mfgcheck knows"), "{shown}");
    }
    // A sentence that mentions a server is not a server name.
    let (_, json) = triage_stdin(b"mail.contoso.com is down again", &[]);
    assert!(json["facts"]["server"].is_null(), "{json:#}");
}

#[test]
fn powershell_utf16_files_are_read() {
    let text = std::fs::read_to_string(data("publish-7cdac73f.txt")).unwrap();
    let mut bytes = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let (code, json) = triage_stdin(&bytes, &[]);
    assert_eq!(code, 0);
    assert_eq!(ids(&json), ["publish-federation-certificate-7cdac73f"]);
}

#[test]
fn text_report_has_cause_fix_and_next_command() {
    let out = mfgcheck()
        .args(["triage", &data("set-federationtrust-84de3e74.txt")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    for want in [
        "What happened:",
        "Why: The certificate the gateway knows",
        "-PublishFederationCertificate",
        "Next: mfgcheck check <new certificate>",
        "error ids    84DE3E74",
    ] {
        assert!(text.contains(want), "{want} not in\n{text}");
    }
}

#[test]
fn own_knowledge_base_extends_and_bad_ones_exit_2() {
    let dir = common::Scratch::new("kb");
    let good = dir.file(
        "ours.yaml",
        b"version: 1\nentries:\n  - id: printer-toner\n    system: Floor 3\n    title: Toner\n    match:\n      all: [printer, toner]\n    what: w\n    why: y\n    fix: [\"Order toner\"]\n",
    );
    let (code, json) = triage_stdin(b"the printer is out of toner", &["--kb", &good]);
    assert_eq!(code, 0);
    assert_eq!(ids(&json), ["printer-toner"]);
    assert_eq!(json["recognised"][0]["source"], good.as_str());

    let bad = dir.file("bad.yaml", b"version: 1\nentries:\n  - id: x\n    system: s\n    title: t\n    match: {}\n    what: w\n    why: y\n    fix: [a]\n");
    refused_cmd(
        &["triage", &data("nothing.txt"), "--kb", &bad],
        &["bad.yaml: line 6: match needs any, words, all or wlm_older_than"],
    );
    let dup = dir.file("dup.yaml", b"version: 1\nentries:\n  - id: delegation-token-validation\n    system: s\n    title: t\n    match: {any: [x]}\n    what: w\n    why: y\n    fix: [a]\n");
    refused_cmd(
        &["triage", &data("nothing.txt"), "--kb", &dup],
        &["already in the knowledge base"],
    );
    refused_cmd(&["triage", "no-such.txt"], &["no-such.txt: no such file"]);
    let out = mfgcheck()
        .args(["triage", "-"])
        .write_stdin("  \n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    usage_error(&["triage", "a.txt", "b.txt"], &["unexpected argument"]);
}

#[test]
fn what_helpdesks_paste_most_is_recognised() {
    // The bare 403 line: the case assumed is said.
    let (code, json) = triage("bare-403.txt");
    assert_eq!(
        (code, ids(&json)),
        (0, vec!["http-403-forbidden".to_owned()])
    );
    let what = json["recognised"][0]["what"].as_str().unwrap();
    assert!(what.contains("assumes"), "{what}");
    assert!(what.contains("New-FederationTrust"), "{what}");
    // The bare line with the cmdlet typed in lower case: the specific entry, and the
    // cmdlet written as PowerShell documents it.
    let (_, json) = triage("lowercase-cmdlet-403.txt");
    assert_eq!(ids(&json), ["new-federationtrust-403"]);
    assert_eq!(json["facts"]["cmdlets"][0], "New-FederationTrust");
    // The Exchange Management Console wizard's output (new-FederationTrust).
    let (_, json) = triage("emc-wizard-403.txt");
    assert_eq!(ids(&json), ["new-federationtrust-403"]);
    assert_eq!(json["facts"]["cmdlets"][0], "New-FederationTrust");
    assert_eq!(
        json["facts"]["thumbprints"][0]["value"],
        "9A2B3C4D5E6F708192A3B4C5D6E7F80910213243"
    );
    // Localised messages, through the error ids and exception names.
    let (_, json) = triage("de-new-federationtrust-403.txt");
    assert_eq!(ids(&json), ["new-federationtrust-403"]);
    let (_, json) = triage("fr-certificate-not-found.txt");
    assert_eq!(ids(&json), ["federation-certificate-not-found"]);
    // SIP diagnostics quoted in a mail, the reason wrapped across quoted lines, and the
    // diagnostic code alone.
    let (_, json) = triage("quoted-diagnostics-only.txt");
    assert_eq!(ids(&json), ["sip-488-encryption-52017"]);
    let (_, json) = triage("diagnostic-code-only.txt");
    assert_eq!(ids(&json), ["sip-488-encryption-52017"]);
    // ...but not the same digits inside a thumbprint.
    let (code, json) = triage_stdin(
        b"Thumbprint: 0A1B2C3D4E5F6A7B8C9D0E1F2A3B4C5D6E520170\r\n",
        &[],
    );
    assert_eq!(code, 1, "{json:#}");
}

#[test]
fn a_listed_cas_thumbprint_in_a_ticket_is_called_out() {
    let (_, json) = triage("ca-thumbprint-403.txt");
    assert_eq!(ids(&json), ["new-federationtrust-403"]);
    let ca = &json["ca_thumbprints"][0];
    assert_eq!(ca["thumbprint"], "7C4656C3061F7F4C0D67B319A855F60EBC11FC44");
    assert_eq!(ca["authority"], "Go Daddy Secure Certification Authority");
    mfgcheck()
        .args(["triage", &data("ca-thumbprint-403.txt")])
        .assert()
        .code(0)
        .stdout(predicates::str::contains(
            "is the thumbprint of the listed CA Go Daddy",
        ));
    // Having said so, the next command does not name it as the certificate to check.
    let next = json["recognised"][0]["next"].as_str().unwrap();
    assert!(
        !next.contains("7C4656C3061F7F4C0D67B319A855F60EBC11FC44"),
        "{next}"
    );
    assert!(next.contains("--leaf <thumbprint>"), "{next}");
    // Beside the leaf's own thumbprint, that one is named.
    let mut text = std::fs::read_to_string(data("ca-thumbprint-403.txt")).unwrap();
    text.push_str("\r\nThumbprint of mine: 9A2B3C4D5E6F708192A3B4C5D6E7F80910213243\r\n");
    let (_, json) = triage_stdin(text.as_bytes(), &[]);
    let next = json["recognised"][0]["next"].as_str().unwrap();
    assert!(
        next.contains("--leaf 9A2B3C4D5E6F708192A3B4C5D6E7F80910213243"),
        "{next}"
    );
}

#[test]
fn text_wrapped_by_a_mail_client_is_put_back_together() {
    let (_, json) = triage("mail-wrapped.txt");
    let t = &json["facts"]["thumbprints"][0];
    // A thumbprint split across two quoted lines, its left-to-right mark kept.
    assert_eq!(
        t["value"], "5C8E3B0E7F4AA8D3D0A4CB0D0C9A1B4E2F1C6B3A",
        "{json:#}"
    );
    assert_eq!(t["invisible"][0], "U+200E");
    assert!(!t["pasted"].as_str().unwrap().contains('\n'));
    // An exception name and an error id cut mid-word.
    assert_eq!(
        json["facts"]["exceptions"][0],
        "ProvisioningFederatedExchangeException"
    );
    assert_eq!(json["facts"]["error_ids"][0], "6501C8A0");
    // A name Format-List cut at the console's width, its rest indented on the next line
    // and starting lower case without "Exception" whole ("SoapFaultExc" / "eption").
    let (_, json) = triage("fl-cut-exception.txt");
    assert_eq!(
        json["facts"]["exceptions"][0], "SoapFaultException",
        "{json:#}"
    );
}
