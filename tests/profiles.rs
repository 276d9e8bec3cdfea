//! `--profile`: the Exchange 2010 RTM rules and the SP2 self-signed route, and the
//! next steps every verdict ends with.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::cli::{expect_with, mfgcheck, steps};

const SP2: [&str; 2] = ["--profile", "exchange2010-sp2"];

#[test]
fn the_wizards_self_signed_certificate_needs_sp2() {
    let rtm = expect_with(
        &["self-signed.pem"],
        "2011-06-01",
        &[],
        "rejected",
        &["self-signed"],
    );
    assert_eq!(rtm["profile"], "exchange2010");
    let sp2 = expect_with(&["self-signed.pem"], "2011-06-01", &SP2, "accepted", &[]);
    assert_eq!(sp2["profile"], "exchange2010-sp2");
    // The RTM rejection points at the SP2 route; the SP2 acceptance at the cmdlet.
    assert!(
        steps(&rtm)
            .iter()
            .any(|s| s.contains("--profile exchange2010-sp2"))
    );
    let sha1 = sp2["leaf"]["sha1"].as_str().unwrap();
    assert!(
        steps(&sp2)[0].contains(&format!("-Thumbprint {sha1}")),
        "{:?}",
        steps(&sp2)
    );
}

#[test]
fn sp2_still_requires_ski_rsa_cryptoapi_and_valid_dates() {
    expect_with(
        &["self-signed-noski.pem"],
        "2011-06-01",
        &SP2,
        "rejected",
        &["missing-ski"],
    );
    expect_with(
        &["self-signed.pem"],
        "2016-01-01",
        &SP2,
        "rejected",
        &["expired"],
    );
    let pw = ["--password-file", "pfx-password.txt", SP2[0], SP2[1]];
    let ok = expect_with(
        &["self-signed-capi.pfx"],
        "2011-06-01",
        &pw,
        "accepted",
        &["pfx-modern-encryption"],
    );
    assert_eq!(ok["private_key"]["provider"]["kind"], "crypto-api");
    let cng = expect_with(
        &["self-signed-cng.pfx"],
        "2011-06-01",
        &pw,
        "rejected",
        &["cng-key-provider", "pfx-modern-encryption"],
    );
    assert!(
        steps(&cng)
            .iter()
            .any(|s| s.contains("Correct each error above"))
    );
}

#[test]
fn ca_issued_certificates_are_judged_alike_under_both_profiles() {
    let weak = ["weak-signature", "weak-signature"];
    for profile in [&[][..], &SP2[..]] {
        expect_with(
            &["story-bundle.pem"],
            "2010-12-01",
            profile,
            "rejected",
            &["indirect-issuer", weak[0], weak[1]],
        );
        expect_with(
            &["story-bundle.pem"],
            "2011-06-01",
            profile,
            "accepted",
            &weak,
        );
        expect_with(
            &["impostor-bundle.pem"],
            "2011-06-01",
            profile,
            "rejected",
            &["issuer-key-mismatch"],
        );
    }
}

#[test]
fn rejected_verdicts_say_which_cas_to_buy_from_and_how_to_use_the_thumbprint() {
    let json = expect_with(
        &["story-bundle.pem"],
        "2010-12-01",
        &[],
        "rejected",
        &["indirect-issuer", "weak-signature", "weak-signature"],
    );
    let list = steps(&json);
    // The accepted CAs of the allowlist in use at that date: not TestTrust Legacy yet.
    assert!(
        list[0].contains("accepted on 2010-12-01 (allowlist.yaml)"),
        "{list:?}"
    );
    assert!(
        list[0].contains("Test Global Root CA") && !list[0].contains("TestTrust Legacy"),
        "{list:?}"
    );
    assert!(
        list.iter()
            .any(|s| s.contains("New Federation Trust wizard"))
    );
    let last = list.last().unwrap();
    assert!(
        last.contains("New-FederationTrust -Name \"Microsoft Federation Gateway\" -Thumbprint")
            && last.contains("mfgcheck thumbprint"),
        "{last}"
    );

    // A CA-issued certificate under SP2 is offered the self-signed alternative.
    let json = expect_with(
        &["pending.pem"],
        "2011-06-01",
        &SP2,
        "rejected",
        &["issuer-pending"],
    );
    assert!(
        steps(&json)
            .iter()
            .any(|s| s.starts_with("Alternatively, use the self-signed certificate"))
    );
}

#[test]
fn text_names_the_profile_and_ends_with_next_steps() {
    let out = mfgcheck()
        .args([
            "check",
            "self-signed.pem",
            "--at",
            "2011-06-01",
            "--profile",
            "exchange2010-sp2",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Profile exchange2010-sp2: Exchange 2010 SP2 and later"),
        "{text}"
    );
    let next = text
        .find("Next steps:\n1. Create the trust")
        .expect("next steps");
    assert!(next > text.find("ACCEPTED").unwrap());
    let out = mfgcheck()
        .args(["check", "self-signed.pem", "--profile", "exchange2013"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn next_steps_can_be_left_out_without_changing_the_verdict() {
    // A scan's records carry no next steps and skip writing them; the check is the same.
    let allowlist = common::test_allowlist();
    for file in ["direct-bundle.pem", "story-bundle.pem", "self-signed.pem"] {
        let mut options = mfgcheck::CheckOptions::at(common::at("2011-01-01"));
        let with = mfgcheck::check(&[common::input(file)], &allowlist, &options).unwrap();
        options.next_steps = false;
        let without = mfgcheck::check(&[common::input(file)], &allowlist, &options).unwrap();
        assert!(!with.assessment.next_steps.is_empty(), "{file}");
        assert!(without.assessment.next_steps.is_empty(), "{file}");
        assert_eq!(
            with.assessment.verdict, without.assessment.verdict,
            "{file}"
        );
        assert_eq!(
            with.assessment.findings, without.assessment.findings,
            "{file}"
        );
    }
}
