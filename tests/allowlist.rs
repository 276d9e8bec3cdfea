//! The allowlist: parser and validation (with lines), matching, and the embedded list.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::{at, by_cn, pool, test_allowlist};
use mfgcheck::model::{KeyId, Sha1Thumbprint};
use mfgcheck::policy::allowlist::{EMBEDDED, Kind};
use mfgcheck::policy::{Allowlist, Identity, MatchedBy, Standing, Status};

fn problems(yaml: &str) -> Vec<(usize, String)> {
    let err = Allowlist::parse(yaml, "custom.yaml").unwrap_err();
    assert_eq!(err.file, "custom.yaml");
    err.problems
        .into_iter()
        .map(|p| (p.line, p.message))
        .collect()
}

const ONE: &str =
    "version: 1\nauthorities:\n  - name: A\n    subject: \"CN=A, C=US\"\n    status: accepted\n";

#[test]
fn minimal_file_parses() {
    let list = Allowlist::parse(ONE, "x").unwrap();
    assert_eq!(list.authorities().len(), 1);
    assert_eq!(list.authorities()[0].status, Status::Accepted);
    assert_eq!(list.authorities()[0].line, 3);
}

#[test]
fn unknown_key_is_refused_with_its_line() {
    let p = problems(
        "version: 1\nauthorities:\n  - name: A\n    subject: CN=A\n    thumbprint: AB\n    status: accepted\n",
    );
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].0, 5);
    assert!(p[0].1.contains("unknown key \"thumbprint\""), "{}", p[0].1);
}

#[test]
fn every_problem_is_reported_in_one_run() {
    let p = problems(concat!(
        "version: 1\nauthorities:\n",
        "  - name: A\n    subject: CN=A\n",
        "  - name: B\n    subject: CN=B\n    stauts: accepted\n",
        "  - name: C\n    subject: CN=C\n    status: acepted\n    sha1: XYZ\n",
        "    certificates:\n      - sha1: 00\n        not_afer: 2010-01-01\n",
    ));
    let lines: Vec<usize> = p.iter().map(|x| x.0).collect();
    let text: Vec<&str> = p.iter().map(|x| x.1.as_str()).collect();
    assert!(
        text.iter().any(|t| t.contains("missing key \"status\"")),
        "{p:?}"
    );
    assert!(
        text.iter()
            .any(|t| t.contains("unknown key \"stauts\"; did you mean status?")),
        "{p:?}"
    );
    assert!(
        text.iter().any(|t| t.starts_with("status \"acepted\"")),
        "{p:?}"
    );
    assert!(text.iter().any(|t| t.starts_with("sha1: \"XYZ\"")), "{p:?}");
    assert!(
        text.iter()
            .any(|t| t.contains("unknown key \"not_afer\"; did you mean not_after?")),
        "{p:?}"
    );
    assert!(
        lines.contains(&3) && lines.contains(&5) && lines.contains(&7),
        "{p:?}"
    );
    assert!(p.len() >= 6, "{p:?}");
}

#[test]
fn missing_required_key_is_refused() {
    let p = problems("version: 1\nauthorities:\n  - name: A\n    subject: CN=A\n");
    assert!(p[0].1.contains("missing key \"status\""), "{p:?}");
    assert!(p[0].0 >= 3, "{p:?}");
}

#[test]
fn yaml_syntax_error_has_a_line() {
    let p = problems("version: 1\nauthorities:\n  - name: \"A\n    subject: CN=A\n");
    assert!(p[0].0 > 0, "{p:?}");
    assert!(p[0].1.starts_with("YAML syntax: "), "{p:?}");
    assert!(p[0].1.contains("(column "), "{p:?}");
    assert!(!p[0].1.contains("missing"), "{p:?}");
}

#[test]
fn every_value_problem_is_reported_at_once() {
    let yaml = "\
version: 1
authorities:
  - name: A
    subject: \"CN=A\"
    sha1: [\"7C4656C3061F7F4C0D67B319A855F60EBC11FC4Z\"]
    status: accepted
  - name: B
    subject: \"XX=B\"
    status: maybe
  - name: C
    subject: \"CN=C\"
    sha1: \"083B:E056:9042:46B1:A175:6AC9:5991:C74A\"
    since: 2011-13-01
    kind: leaf
    status: accepted
";
    let p = problems(yaml);
    let lines: Vec<usize> = p.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, vec![5, 8, 9, 12, 13, 14], "{p:#?}");
    assert!(p[0].1.contains("'Z' at position 40"), "{}", p[0].1);
    assert!(p[1].1.contains("unknown attribute type 'XX'"), "{}", p[1].1);
    assert!(
        p[2].1.contains("expected accepted, requested or removed"),
        "{}",
        p[2].1
    );
    assert!(
        p[3].1.contains("serial number"),
        "a 16-byte value explains itself: {}",
        p[3].1
    );
    assert!(p[4].1.contains("expected a date"), "{}", p[4].1);
    assert!(
        p[5].1.contains("expected root or intermediate"),
        "{}",
        p[5].1
    );
}

#[test]
fn duplicate_thumbprints_and_bad_versions_are_refused() {
    let yaml = "version: 2\nauthorities:\n  - name: A\n    subject: CN=A\n    sha1: 7C4656C3061F7F4C0D67B319A855F60EBC11FC44\n    status: accepted\n  - name: B\n    subject: CN=B\n    sha1: 7c46 56c3 061f 7f4c 0d67 b319 a855 f60e bc11 fc44\n    status: accepted\n";
    let p = problems(yaml);
    assert_eq!(p[0].0, 1);
    assert!(p[0].1.contains("version 2"), "{p:?}");
    assert_eq!(p[1].0, 7);
    assert!(p[1].1.contains("already listed for \"A\""), "{p:?}");
}

#[test]
fn subjects_in_every_form_match_the_same_certificate() {
    let p = pool(&["ca-global-root.pem"]);
    let (_, root) = by_cn(&p, "Test Global Root CA");
    for subject in [
        "CN=Test Global Root CA,OU=www.test.example,O=Test Inc,C=US",
        "CN=Test Global Root CA, OU=www.test.example, O=Test Inc, C=US",
        "C = US, O = Test Inc, OU = www.test.example, CN = Test Global Root CA",
        "cn=TEST  GLOBAL root ca, ou=WWW.test.example, o=test inc, c=us",
    ] {
        let yaml = format!(
            "version: 1\nauthorities:\n  - name: G\n    subject: \"{subject}\"\n    spki_sha256: \"{}\"\n    status: accepted\n",
            root.public_key().spki_sha256()
        );
        let list = Allowlist::parse(&yaml, "x").unwrap();
        assert_eq!(
            list.identify(root),
            Identity::Listed {
                authority: 0,
                by: MatchedBy::SubjectAndKey
            },
            "{subject}"
        );
    }
}

#[test]
fn identification_by_thumbprint_key_and_key_identifier() {
    let list = test_allowlist();
    let p = pool(&[
        "story-bundle.pem",
        "ca-impostor-root.pem",
        "ca-global-root.pem",
        "direct-leaf.pem",
        "impostor-leaf.pem",
    ]);
    let (_, legacy_root) = by_cn(&p, "Test.net Secure Server Certification Authority");
    assert!(matches!(
        list.identify(legacy_root),
        Identity::Listed {
            by: MatchedBy::Sha1,
            ..
        }
    ));
    // Listed without thumbprints: subject plus key.
    let (_, int) = by_cn(&p, "TestTrust Legacy Secure Server CA");
    assert!(matches!(
        list.identify(int),
        Identity::Listed {
            by: MatchedBy::SubjectAndKey,
            ..
        }
    ));
    // Same name as the listed global root, other key.
    let impostor = p
        .iter()
        .map(|(_, c)| c)
        .find(|c| {
            c.subject().short() == "Test Global Root CA" && list.identify(c).listed().is_none()
        })
        .unwrap();
    assert!(matches!(list.identify(impostor), Identity::Impostor { .. }));
    // Leaves: their absent issuer by name and AKI.
    let (_, leaf) = by_cn(&p, "mail.fabrikam.com");
    let direct = p
        .iter()
        .map(|(_, c)| c)
        .filter(|c| c.subject().short() == "mail.fabrikam.com")
        .map(|c| list.identify_issuer_of(c))
        .collect::<Vec<_>>();
    assert!(direct.iter().any(|i| matches!(
        i,
        Identity::Listed {
            by: MatchedBy::IssuerNameAndKeyId,
            ..
        }
    )));
    assert!(
        direct
            .iter()
            .any(|i| matches!(i, Identity::Impostor { .. }))
    );
    assert_eq!(list.identify(leaf), Identity::Unlisted);
}

#[test]
fn kept_identities_are_the_certificates_own() {
    // Two CAs named alike (the listed root and its impostor), asked about in turn:
    // the answers kept for CA certificates must be each one's, as a fresh list gives.
    let list = test_allowlist();
    let p = pool(&[
        "ca-global-root.pem",
        "ca-impostor-root.pem",
        "story-bundle.pem",
        "direct-leaf.pem",
    ]);
    let certificates: Vec<_> = p.iter().map(|(_, c)| c).collect();
    for round in 0..3 {
        for c in &certificates {
            let fresh = list.clone().identify(c);
            assert_eq!(list.identify(c), fresh, "{}, round {round}", c.subject());
        }
    }
    let kinds: Vec<_> = certificates.iter().map(|c| list.identify(c)).collect();
    assert!(kinds.iter().any(|i| matches!(i, Identity::Impostor { .. })));
    assert!(kinds.iter().any(|i| i.listed().is_some()));
}

#[test]
fn entry_without_key_identity_only_names() {
    let p = pool(&["direct-leaf.pem"]);
    let (_, leaf) = by_cn(&p, "mail.fabrikam.com");
    let yaml = "version: 1\nauthorities:\n  - name: G\n    subject: \"CN=Test Global Root CA, OU=www.test.example, O=Test Inc, C=US\"\n    status: accepted\n";
    let list = Allowlist::parse(yaml, "x").unwrap();
    assert_eq!(
        list.identify_issuer_of(leaf),
        Identity::NameOnly { authority: 0 }
    );
}

#[test]
fn standing_follows_since_and_until() {
    let yaml = "version: 1\nauthorities:\n  - name: A\n    subject: CN=A\n    status: accepted\n    since: 2011-01-01\n    until: 2015-01-01\n";
    let list = Allowlist::parse(yaml, "x").unwrap();
    let a = &list.authorities()[0];
    assert!(matches!(a.standing(at("2010-12-31")), Standing::NotYet(_)));
    assert_eq!(a.standing(at("2011-01-01")), Standing::Accepted);
    assert_eq!(a.standing(at("2014-12-31")), Standing::Accepted);
    assert!(
        matches!(a.standing(at("2015-01-01")), Standing::Ended(_)),
        "until is exclusive"
    );
}

// ---- The embedded allowlist ----------------------------------------------------------------

fn embedded() -> Allowlist {
    Allowlist::embedded().expect("the embedded allowlist parses")
}

fn entry<'a>(list: &'a Allowlist, name: &str) -> &'a mfgcheck::policy::Authority {
    list.authorities()
        .iter()
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("{name} missing"))
}

#[test]
fn embedded_list_is_the_exchange_2010_rtm_list_with_real_identities() {
    let list = embedded();
    let sha1 = |s: &str| Sha1Thumbprint::parse(s).unwrap();
    assert_eq!(
        entry(&list, "DigiCert Global Root CA").sha1,
        vec![sha1("A8985D3A65E5E5C4B2D7D66D40C6DD2FB19C5436")]
    );
    assert_eq!(
        entry(&list, "DigiCert High Assurance EV Root CA").sha1,
        vec![sha1("5FB7EE0633E259DBAD0C4C9AE6D38F1A61C7DC25")]
    );
    let entrust = entry(&list, "Entrust.net Certification Authority (2048)");
    assert_eq!(
        entrust.sha1,
        vec![
            sha1("801D62D07B449D5C5C035C98EA61FA443C2A58FE"),
            sha1("503006091D97D4F5AE39F7CBE7927D7D652D3431")
        ],
        "both Entrust (2048) certificates"
    );
    assert_eq!(
        entry(&list, "Entrust.net Secure Server Certification Authority").sha1,
        vec![sha1("99A69BE61AFE886B4D2B82007CB854FC317E1539")]
    );
    let go_daddy = entry(&list, "Go Daddy Secure Certification Authority");
    assert_eq!(
        go_daddy.sha1,
        vec![sha1("7C4656C3061F7F4C0D67B319A855F60EBC11FC44")]
    );
    assert_eq!(go_daddy.kind, Some(Kind::Intermediate));

    let usertrust = entry(&list, "USERTrust Legacy Secure Server CA");
    assert_eq!(usertrust.status, Status::Accepted);
    assert!(
        usertrust.spki_sha256.is_some(),
        "identified by subject + key"
    );
    assert_eq!(
        usertrust.ski,
        Some(KeyId::parse("AFA440AF9F16FEAB31FDFBD5978BF591A3248616").unwrap())
    );
    assert_eq!(
        entry(&list, "AAA Certificate Services").status,
        Status::Requested
    );
    assert!(
        !entry(&list, "Comodo").has_identity(),
        "Technet published no value for Comodo"
    );
}

#[test]
fn technets_wrong_values_are_kept_only_as_published_notes() {
    let list = embedded();
    let digicert = entry(&list, "DigiCert Global Root CA");
    assert_eq!(
        digicert.published.as_deref(),
        Some("083B:E056:9042:46B1:A175:6AC9:5991:C74A")
    );
    assert!(digicert.notes.as_deref().unwrap().contains("SERIAL NUMBER"));
    let ev = entry(&list, "DigiCert High Assurance EV Root CA");
    let published = Sha1Thumbprint::parse(ev.published.as_deref().unwrap()).unwrap();
    assert!(
        list.authorities()
            .iter()
            .all(|a| !a.sha1.contains(&published)),
        "the EV value Technet printed matches no known certificate and must not be matched"
    );
}

#[test]
fn every_embedded_entry_is_well_formed() {
    let list = embedded();
    assert_eq!(list.version(), 1);
    let mut seen = std::collections::HashSet::new();
    for a in list.authorities() {
        assert!(!a.name.is_empty());
        assert!(!a.subject.is_empty(), "{}", a.name);
        for t in &a.sha1 {
            assert!(seen.insert(t.to_string()), "duplicate {t}");
        }
        for t in &a.sha256 {
            assert!(seen.insert(t.to_string()), "duplicate {t}");
        }
        if a.has_identity() {
            assert!(
                a.spki_sha256.is_some() && a.ski.is_some(),
                "{}: key identity incomplete",
                a.name
            );
            assert_eq!(a.ski.as_ref().unwrap().as_bytes().len(), 20, "{}", a.name);
            assert_eq!(
                a.sha1.len(),
                a.sha256.len(),
                "{}: one SHA-256 per SHA-1",
                a.name
            );
        }
        // The subject text reads back to the same name, in Windows form.
        let again = mfgcheck::model::DistinguishedName::parse(&a.subject.to_string()).unwrap();
        assert!(again.matches(&a.subject), "{}", a.name);
    }
    assert!(EMBEDDED.contains("version: 1"));
}

#[test]
fn the_built_in_lists_pass_the_full_lint() {
    // Built-in lists are read without the key pass; this is where their keys are checked.
    use mfgcheck::policy::allowlist::{EMBEDDED, EMBEDDED_SP2};
    for (name, text) in [("RTM", EMBEDDED), ("SP2", EMBEDDED_SP2)] {
        let list = Allowlist::parse(text, name).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert!(!list.authorities().is_empty());
    }
}
