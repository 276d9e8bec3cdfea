//! Path building and leaf selection on fixtures.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::{at, by_cn, pool, test_allowlist};
use mfgcheck::chain::{
    Budget, Exhausted, LeafError, LeafSelector, NoAnchors, Pool, Top, Verification, build,
};

/// The path from the automatically chosen leaf, with no allowlist preference, in 2011.
fn blind(p: &mfgcheck::chain::Pool) -> mfgcheck::chain::Chain {
    build(
        p,
        p.select_leaf(None).unwrap(),
        &NoAnchors,
        at("2011-06-01"),
        Budget::default(),
    )
}

#[test]
fn story_path_runs_leaf_to_root_in_any_input_order() {
    for file in [
        "story-bundle.pem",
        "story-unordered.pem",
        "story.p7b",
        "story-ber.p7b",
    ] {
        let p = pool(&[file]);
        let chain = blind(&p);
        let names: Vec<String> = chain
            .path
            .iter()
            .map(|&id| p.get(id).subject().short().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "mail.contoso.com",
                "TestTrust Legacy Secure Server CA",
                "Test.net Secure Server Certification Authority"
            ],
            "{file}"
        );
        assert!(
            matches!(chain.top, Top::SelfSigned(_)),
            "{file}: {:?}",
            chain.top
        );
        assert!(chain.unused.is_empty(), "{file}");
        assert!(
            chain.signatures.iter().all(Verification::is_genuine),
            "{file}"
        );
    }
}

#[test]
fn leaf_alone_ends_at_an_absent_issuer() {
    let p = pool(&["direct-leaf.pem"]);
    let chain = blind(&p);
    assert_eq!(chain.path.len(), 1);
    assert_eq!(
        chain.top,
        Top::IssuerAbsent {
            other_keys: vec![],
            listed_key: None
        }
    );
    assert_eq!(chain.signature_checks, 0);
}

#[test]
fn bad_signature_is_reported_not_skipped() {
    let p = pool(&["bad-signature.pem"]);
    let (root, _) = by_cn(&p, "Test Global Root CA");
    let chain = blind(&p);
    assert_eq!(chain.path.len(), 1);
    assert_eq!(chain.top, Top::SignatureInvalid { candidate: root });
    assert!(
        chain.unused.is_empty(),
        "the failed candidate is not 'unrelated'"
    );
}

#[test]
fn mutual_cross_certification_ends_in_a_loop() {
    let p = pool(&["cross-loop.pem"]);
    let chain = blind(&p);
    assert_eq!(chain.path.len(), 3);
    assert!(matches!(chain.top, Top::Loop { .. }), "{:?}", chain.top);
    assert_eq!(chain.exhausted, None);
}

#[test]
fn mesh_of_120_cross_signed_cas_stops_at_the_budget() {
    let p = pool(&["mesh-120.pem"]);
    assert_eq!(p.len(), 121);
    let chain = blind(&p);
    assert!(chain.exhausted.is_some());
    assert!(chain.signature_checks <= 100, "{}", chain.signature_checks);
    assert!(chain.path.len() <= 10);
    // Whatever path it found is genuine all the way.
    assert!(chain.signatures.iter().all(Verification::is_genuine));
}

#[test]
fn a_tiny_budget_truncates_cleanly() {
    let p = pool(&["story-bundle.pem"]);
    let budget = Budget {
        signature_checks: 1,
        ..Budget::default()
    };
    let chain = build(
        &p,
        p.select_leaf(None).unwrap(),
        &NoAnchors,
        at("2011-06-01"),
        budget,
    );
    assert_eq!(chain.exhausted, Some(Exhausted::SignatureChecks));
    assert_eq!(chain.top, Top::Truncated(Exhausted::SignatureChecks));
    assert_eq!(
        chain.path.len(),
        2,
        "the one check it could afford was used"
    );

    let shallow = Budget {
        max_depth: 2,
        ..Budget::default()
    };
    let chain = build(
        &p,
        p.select_leaf(None).unwrap(),
        &NoAnchors,
        at("2011-06-01"),
        shallow,
    );
    assert_eq!(chain.top, Top::Truncated(Exhausted::Depth));
    assert_eq!(chain.path.len(), 2);
}

#[test]
fn path_prefers_an_authority_accepted_at_the_time() {
    // The intermediate's key is certified by an unlisted root (first in the file) and
    // by the listed legacy root. Before the intermediate joined the list, the path that
    // explains the verdict is the one through it to the listed root.
    let p = pool(&["story-cross.pem"]);
    let allowlist = test_allowlist();
    let leaf = p.select_leaf(None).unwrap();
    let top_name =
        |chain: &mfgcheck::chain::Chain| p.get(*chain.path.last().unwrap()).subject().short();

    // Without anchors, the path does not depend on the order of the input.
    let blind = build(&p, leaf, &NoAnchors, at("2010-12-01"), Budget::default());
    let reversed = Pool::new(
        p.iter()
            .map(|(_, c)| c.clone())
            .collect::<Vec<_>>()
            .into_iter()
            .rev(),
    );
    let leaf_reversed = reversed.select_leaf(None).unwrap();
    let blind_reversed = build(
        &reversed,
        leaf_reversed,
        &NoAnchors,
        at("2010-12-01"),
        Budget::default(),
    );
    assert_eq!(
        top_name(&blind),
        reversed
            .get(*blind_reversed.path.last().unwrap())
            .subject()
            .short(),
        "input order does not decide"
    );

    let before = build(
        &p,
        leaf,
        &allowlist.anchors_at(at("2010-12-01")),
        at("2010-12-01"),
        Budget::default(),
    );
    assert_eq!(
        top_name(&before),
        "Test.net Secure Server Certification Authority"
    );
    assert_eq!(before.path.len(), 3);
    assert_eq!(before.unused.len(), 2);
}

#[test]
fn leaf_is_the_end_entity_that_issued_nothing() {
    let p = pool(&["story-unordered.pem"]);
    let leaf = p.select_leaf(None).unwrap();
    assert_eq!(p.get(leaf).subject().short(), "mail.contoso.com");
}

#[test]
fn ca_only_pool_has_no_leaf_and_lists_the_cas() {
    // A vendor's CA bundle checked by mistake: no CA is "the certificate checked".
    let p = pool(&["ca-legacy-int.pem", "ca-legacy-root.pem"]);
    let err = p.select_leaf(None).unwrap_err();
    let LeafError::OnlyCaCertificates { available } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(available.len(), 2);
    let text = err.to_string();
    assert!(
        text.starts_with("no end-entity certificate: the input holds only CA certificates"),
        "{text}"
    );
    assert!(text.contains("TestTrust Legacy Secure Server CA"), "{text}");
    assert!(text.contains("from ca-legacy-root.pem"), "{text}");
    assert!(!text.contains("New-FederationTrust"), "{text}");
    // Asked for by thumbprint, a CA is still checked (as a CA: ca-certificate).
    let (id, ca) = by_cn(&p, "TestTrust Legacy Secure Server CA");
    let chosen = p
        .select_leaf(Some(&mfgcheck::chain::LeafSelector::Sha1(*ca.sha1())))
        .unwrap();
    assert_eq!(chosen, id);
}

#[test]
fn two_end_entities_are_ambiguous_and_listed() {
    let p = pool(&["two-leaves.pem"]);
    let err = p.select_leaf(None).unwrap_err();
    let LeafError::Ambiguous { candidates } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(candidates.len(), 2);
    let msg = err.to_string();
    for (sha1, _) in candidates {
        assert!(msg.contains(sha1.as_str()), "{msg}");
    }
}

#[test]
fn leaf_by_thumbprint() {
    let p = pool(&["two-leaves.pem"]);
    let (id, cert) = by_cn(&p, "unlisted.fabrikam.com");
    assert_eq!(
        p.select_leaf(Some(&LeafSelector::Sha1(*cert.sha1())))
            .unwrap(),
        id
    );
    assert_eq!(
        p.select_leaf(Some(&LeafSelector::Sha256(*cert.sha256())))
            .unwrap(),
        id
    );
    let story = pool(&["story-leaf.cer"]);
    let (_, other) = by_cn(&story, "mail.contoso.com");
    let err = p
        .select_leaf(Some(&LeafSelector::Sha1(*other.sha1())))
        .unwrap_err();
    assert!(matches!(err, LeafError::NotFound { .. }), "{err:?}");
}

#[test]
fn duplicates_are_merged_and_remembered() {
    let p = pool(&["duplicate.pem"]);
    assert_eq!(p.len(), 2);
    assert_eq!(p.duplicates().len(), 1);
    assert_eq!(p.duplicates()[0].origin.index, 2);
}
