//! `mfgcheck triage` on Exchange Management Shell output: Get-ExchangeCertificate (list,
//! table, CSV, JSON; en-US, de-DE, UTF-16), Get-FederationTrust, Test-FederationTrust
//! and Get-FederatedOrganizationIdentifier, judged at a given day.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use serde_json::Value;

use common::cli::{mfgcheck, step_text};

fn triage(file: &str, extra: &[&str]) -> (i32, Value) {
    let out = mfgcheck()
        .args([
            "triage",
            &common::test_data("ems", file),
            "--format",
            "json",
        ])
        .args(extra)
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    assert!(code < 2, "{file}: {}", String::from_utf8_lossy(&out.stderr));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    common::schema::Schemas::load().check("triage", &json);
    (code, json)
}

/// The ids recognised, each with the lines it rests on.
fn found(json: &Value) -> Vec<(String, Vec<(u64, u64)>)> {
    json["recognised"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_owned(),
                r["lines"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| (l[0].as_u64().unwrap(), l[1].as_u64().unwrap()))
                    .collect(),
            )
        })
        .collect()
}

fn ids(json: &Value) -> Vec<String> {
    found(json).into_iter().map(|(id, _)| id).collect()
}

fn cause(json: &Value, id: &str) -> String {
    json["recognised"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no {id}: {json:#}"))["cause"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A paste for every shell entry of the knowledge base: (file, options, entry).
const SHELL_CASES: &[(&str, &[&str], &str)] = &[
    (
        "comodo-fl.txt",
        &["--at", "2011-06-01"],
        "exchange-certificate-issuer-unlisted",
    ),
    (
        "godaddy-de-utf16.txt",
        &["--at", "2011-06-01"],
        "exchange-certificate-issuer-listed",
    ),
    (
        "comodo-fl.txt",
        &["--at", "2013-06-01"],
        "exchange-certificate-expired",
    ),
    (
        "comodo-fl.txt",
        &["--at", "2011-01-01"],
        "exchange-certificate-not-yet-valid",
    ),
    (
        "self-signed-ambiguous.txt",
        &["--at", "2013-06-01"],
        "exchange-certificate-date-ambiguous",
    ),
    (
        "godaddy-de-utf16.txt",
        &["--at", "2011-06-01"],
        "exchange-certificate-no-private-key",
    ),
    (
        "self-signed-ambiguous.txt",
        &["--at", "2011-06-01"],
        "exchange-certificate-self-signed",
    ),
    (
        "self-signed-ambiguous.txt",
        &["--at", "2011-06-01"],
        "exchange-certificate-weak-key",
    ),
    (
        "trust-table-test.txt",
        &["--at", "2013-06-01"],
        "federation-certificate-not-on-server",
    ),
    (
        "trust-certificate-table.txt",
        &[],
        "federation-certificate-not-installed",
    ),
    (
        "trust-table-test.txt",
        &["--at", "2017-01-01"],
        "federation-certificate-expired",
    ),
    (
        "trust-table-test.txt",
        &["--at", "2013-06-01"],
        "federation-next-certificate-pending",
    ),
    (
        "trust-table-test.txt",
        &["--at", "2013-06-01"],
        "token-issuer-certificate-expired",
    ),
    (
        "trust-table-test.txt",
        &["--at", "2013-06-01"],
        "federation-test-token",
    ),
    (
        "test-federationtrust-failures.txt",
        &[],
        "federation-test-previous-certificate",
    ),
    (
        "test-federationtrust-failures.txt",
        &[],
        "federation-test-metadata",
    ),
    (
        "test-federationtrust-failures.txt",
        &[],
        "federation-test-configuration",
    ),
];

#[test]
fn every_shell_entry_is_judged_from_a_realistic_paste() {
    let cases = SHELL_CASES;
    let kb = mfgcheck::triage::KnowledgeBase::embedded().unwrap();
    for e in kb.entries().iter().filter(|e| e.matcher.shell) {
        assert!(
            cases.iter().any(|(_, _, id)| *id == e.id),
            "no paste for {}",
            e.id
        );
    }
    for (file, extra, id) in cases {
        let (code, json) = triage(file, extra);
        assert_eq!(code, 0, "{file}");
        let got = found(&json);
        let (_, lines) = got
            .iter()
            .find(|(g, _)| g == id)
            .unwrap_or_else(|| panic!("{file} {extra:?}: no {id} in {got:?}"));
        assert!(!lines.is_empty(), "{file}: {id} rests on no line");
        assert!(!cause(&json, id).is_empty());
    }
}

#[test]
fn get_exchange_certificate_in_every_form_gives_the_same_judgement() {
    // en-US list (wrapped at the console's width), CSV export: the same certificate.
    let (_, list) = triage("comodo-fl.txt", &["--at", "2013-06-01"]);
    let (_, csv) = triage("comodo.csv", &["--at", "2013-06-01"]);
    assert_eq!(ids(&list), ids(&csv));
    assert_eq!(
        ids(&list),
        [
            "exchange-certificate-expired",
            "exchange-certificate-issuer-unlisted"
        ]
    );
    let cert = &list["facts"]["exchange_certificates"][0];
    // "S=Greate" / "r Manchester" were cut at the console's width, inside a word.
    assert_eq!(
        cert["issuer"],
        "CN=COMODO High-Assurance Secure Server CA, O=COMODO CA Limited, L=Salford, S=Greater Manchester, C=GB"
    );
    assert_eq!(cert["domains_cut"], true);
    assert_eq!(cert["domains"][4], "owa.contoso.com");
    assert_eq!(cert["not_after"]["readings"][0], "2013-03-14T18:59:59Z");
    assert_eq!(
        found(&list)[0].1,
        [(4, 20)],
        "the lines of that certificate"
    );
    // Only the federation certificate is judged; the server's self-signed one is listed.
    assert_eq!(
        list["facts"]["exchange_certificates"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert!(
        cause(&list, "exchange-certificate-issuer-unlisted")
            .contains("COMODO High-Assurance Secure Server CA")
    );
    // The accepted CAs come from the allowlist in use, and only those worth
    // recommending: never "Comodo", whose identity nobody published.
    let fix = step_text(&list["recognised"][1]["fix"][0]);
    assert!(
        fix.contains("Go Daddy Secure Certification Authority"),
        "{fix}"
    );
    assert!(
        !fix.contains("Comodo;") && !fix.contains(": Comodo"),
        "{fix}"
    );

    // de-DE dates in a UTF-16 Out-File, and the ConvertTo-Json of the same certificate.
    let (_, german) = triage("godaddy-de-utf16.txt", &["--at", "2013-06-01"]);
    let (_, json) = triage("godaddy.json", &["--at", "2013-06-01"]);
    assert_eq!(
        german["facts"]["exchange_certificates"][0]["not_after"]["readings"][0],
        "2013-03-14T18:59:59Z"
    );
    assert_eq!(
        json["facts"]["exchange_certificates"][0]["not_after"]["readings"][0],
        "2013-03-14T18:59:59Z"
    );
    for doc in [&german, &json] {
        assert!(ids(doc).contains(&"exchange-certificate-issuer-listed".to_owned()));
        assert!(ids(doc).contains(&"exchange-certificate-expired".to_owned()));
    }
    let listed = &german["recognised"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "exchange-certificate-issuer-listed")
        .unwrap()["fix"][0];
    assert!(
        step_text(listed).contains(
            "Export-ExchangeCertificate -Thumbprint D8F5401DB4C4228B4FD8C57CC66FD194021A4B92"
        ),
        "{listed}"
    );
}

#[test]
fn an_ambiguous_date_is_said_not_guessed() {
    // 12/1/2013: 1 December or 12 January. At 2013-06-01 the readings disagree.
    let (_, json) = triage("self-signed-ambiguous.txt", &["--at", "2013-06-01"]);
    assert_eq!(
        json["facts"]["exchange_certificates"][0]["not_after"]["readings"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert!(cause(&json, "exchange-certificate-date-ambiguous").contains("\"12/1/2013 00:00:00\""));
    assert!(!ids(&json).contains(&"exchange-certificate-expired".to_owned()));
    // At 2014-06-01 both readings are past: expired, whichever it is.
    let (_, later) = triage("self-signed-ambiguous.txt", &["--at", "2014-06-01"]);
    assert!(ids(&later).contains(&"exchange-certificate-expired".to_owned()));
    assert!(!ids(&later).contains(&"exchange-certificate-date-ambiguous".to_owned()));
}

#[test]
fn the_profile_decides_whether_self_signed_is_wrong() {
    let (_, rtm) = triage("self-signed-ambiguous.txt", &["--at", "2011-06-01"]);
    assert!(ids(&rtm).contains(&"exchange-certificate-self-signed".to_owned()));
    let (_, sp2) = triage(
        "self-signed-ambiguous.txt",
        &["--at", "2011-06-01", "--profile", "exchange2010-sp2"],
    );
    assert!(
        !ids(&sp2).contains(&"exchange-certificate-self-signed".to_owned()),
        "{sp2:#}"
    );
    assert!(ids(&sp2).contains(&"exchange-certificate-weak-key".to_owned()));
}

#[test]
fn a_trust_its_server_and_its_test_together() {
    let (code, json) = triage("trust-table-test.txt", &["--at", "2013-06-01"]);
    assert_eq!(code, 0);
    let facts = &json["facts"];
    assert_eq!(facts["federation_trusts"].as_array().unwrap().len(), 1);
    let trust = &facts["federation_trusts"][0];
    assert_eq!(trust["name"], "Microsoft Federation Gateway");
    assert_eq!(
        trust["org_certificate"]["thumbprint"],
        "A1B2C3D4E5F60718293A4B5C6D7E8F9012345678"
    );
    assert_eq!(
        trust["token_issuer_certificate"]["not_after"]["readings"][0],
        "2011-11-20T18:08:23Z"
    );
    assert_eq!(facts["trust_tests"].as_array().unwrap().len(), 5);
    assert_eq!(
        facts["exchange_certificates"].as_array().unwrap().len(),
        2,
        "the table's rows"
    );
    assert_eq!(
        facts["organization_identifiers"][0]["domains"][1],
        "fabrikam.com"
    );
    // Not on the server: from the trust and the table, and Test-FederationTrust's block.
    let not_here = found(&json)
        .into_iter()
        .find(|(id, _)| id == "federation-certificate-not-on-server")
        .unwrap();
    assert!(not_here.1.contains(&(3, 57)), "{not_here:?}");
    assert!(
        not_here.1.contains(&(85, 89)),
        "the test's block too: {not_here:?}"
    );
    let fix = step_text(&json["recognised"][0]["fix"][0]);
    assert!(
        fix.contains("-Thumbprint A1B2C3D4E5F60718293A4B5C6D7E8F9012345678"),
        "{fix}"
    );
    // The table's certificates are not the trust's: not judged.
    assert!(
        !ids(&json)
            .iter()
            .any(|i| i.starts_with("exchange-certificate"))
    );

    // Text: per certificate, then the findings with their lines.
    let out = mfgcheck()
        .args([
            "triage",
            &common::test_data("ems", "trust-table-test.txt"),
            "--at",
            "2013-06-01",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Get-FederationTrust: Microsoft Federation Gateway  (lines 3-57)"),
        "{text}"
    );
    assert!(
        text.contains("Test-FederationTrust: 2 of 5 checks failed or warned"),
        "{text}"
    );
    assert!(
        text.contains("Rests on lines 3-57, line 63, line 64, lines 85-89."),
        "{text}"
    );
}

#[test]
fn healthy_output_exits_0_and_nothing_recognisable_exits_1() {
    // A certificate from an accepted CA, valid, with its key: nothing wrong but the
    // name-only check of the issuer.
    let paste = "Thumbprint    : D8F5401DB4C4228B4FD8C57CC66FD194021A4B92\r\n\
                 Subject       : CN=federation.fabrikam.com\r\n\
                 Issuer        : CN=USERTrust Legacy Secure Server CA, O=The USERTRUST Network, L=Salt Lake City, S=UT, C=US\r\n\
                 NotAfter      : 2014-03-14T18:59:59\r\n\
                 NotBefore     : 2012-03-14T18:59:59\r\n\
                 HasPrivateKey : True\r\n\
                 Services      : Federation\r\n";
    let out = mfgcheck()
        .args(["triage", "-", "--format", "json", "--at", "2013-01-01"])
        .write_stdin(paste)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ids(&json), ["exchange-certificate-issuer-listed"]);

    let out = mfgcheck()
        .args(["triage", "-", "--format", "json"])
        .write_stdin("Hello, the printer on floor 3 is broken again.\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn causes_come_before_consequences() {
    // Test-FederationTrust with expired certificates and the failed token validation
    // they cause: the certificates first, the metadata refresh last.
    let (_, json) = triage("test-federationtrust-failures.txt", &[]);
    let order: Vec<String> = json["recognised"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    let at = |id: &str| order.iter().position(|o| o == id).unwrap();
    assert!(
        at("federation-certificate-expired") < at("delegation-token-validation"),
        "{order:?}"
    );
    assert_eq!(
        order.last().unwrap(),
        "delegation-token-validation",
        "{order:?}"
    );
}

#[test]
fn test_federationtrustcertificate_names_the_server_that_lacks_the_certificate() {
    for file in ["trust-certificate-table.txt", "trust-certificate-list.txt"] {
        let (code, json) = triage(file, &[]);
        assert_eq!(code, 0, "{file}");
        let states = json["facts"]["certificate_states"].as_array().unwrap();
        assert_eq!(states.len(), 2, "{file}: {json:#}");
        assert_eq!(states[1]["server"], "EX02");
        assert_eq!(states[1]["state"], "NotInstalled");
        let ids: Vec<&str> = json["recognised"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["federation-certificate-not-installed"], "{file}");
        let cause = cause(&json, "federation-certificate-not-installed");
        assert!(
            cause.contains("EX02") && cause.contains("A1B2C3D4E5F60718293A4B5C6D7E8F9012345678"),
            "{cause}"
        );
        // The fix names the server to import on and the certificate to export.
        let fix = json["recognised"][0]["fix"].as_array().unwrap();
        assert!(
            step_text(&fix[0]).contains("-Thumbprint A1B2C3D4E5F60718293A4B5C6D7E8F9012345678")
        );
        assert!(step_text(&fix[1]).contains("Copy federation.pfx to EX02"));
    }
}

#[test]
fn values_cut_by_the_console_are_joined_without_a_stray_space() {
    // Format-List cut the issuer inside words ("Aut" / "hority", "G" / "oDaddy") beside
    // a longer line the console did not cut: joined whole, and still the listed CA.
    let (_, json) = triage("godaddy-cut-words.txt", &["--at", "2012-01-01"]);
    let issuer = json["facts"]["exchange_certificates"][0]["issuer"]
        .as_str()
        .unwrap();
    assert!(
        issuer.contains("CN=Go Daddy Secure Certification Authority,")
            && issuer.contains("O=\"GoDaddy.com, Inc.\""),
        "{issuer}"
    );
    assert_eq!(ids(&json), ["exchange-certificate-issuer-listed"]);
    // A stray space a mail client put inside the name does not make it unlisted.
    let text = std::fs::read_to_string(common::test_data("ems", "godaddy-cut-words.txt"))
        .unwrap()
        .replace("S=Arizona", "S=Ari zona");
    let dir = common::Scratch::new("stray-space");
    let file = dir.file("fl.txt", text.as_bytes());
    let out = mfgcheck()
        .args(["triage", &file, "--at", "2012-01-01", "--format", "json"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ids(&json), ["exchange-certificate-issuer-listed"]);
}
