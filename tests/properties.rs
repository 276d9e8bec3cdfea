//! Property tests: thumbprint normalisation, name comparison, bundle order.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use mfgcheck::model::DistinguishedName;
use mfgcheck::model::hex::{INVISIBLE, clean_hex, upper_hex};
use mfgcheck::policy::Severity;
use mfgcheck::{CheckOptions, Input, check};
use proptest::prelude::*;

const SEPARATORS: &[char] = &[' ', ':', '-', '.', ',', '\t'];

/// Hex of `bytes` in mixed case, with separators and invisible characters strewn in.
fn messy_hex(bytes: &[u8], noise: &[(usize, u8)]) -> String {
    let mut out = String::new();
    for (i, b) in bytes.iter().enumerate() {
        let pair = format!("{b:02x}");
        let upper = i % 3 == 0;
        out.push_str(&if upper { pair.to_uppercase() } else { pair });
        for &(at, pick) in noise {
            if at % bytes.len().max(1) == i {
                let all: Vec<char> = SEPARATORS.iter().chain(INVISIBLE).copied().collect();
                out.push(all[pick as usize % all.len()]);
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn thumbprint_normalisation_ignores_separators_and_invisibles(
        bytes in proptest::collection::vec(any::<u8>(), 1..48),
        noise in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..24),
        lead in proptest::sample::select(INVISIBLE),
    ) {
        let messy = format!("{lead}{}", messy_hex(&bytes, &noise));
        let clean = clean_hex(&messy).unwrap();
        prop_assert_eq!(&clean.bytes, &bytes);
        // Idempotent: the normalised form normalises to itself.
        let again = clean_hex(&upper_hex(&clean.bytes)).unwrap();
        prop_assert_eq!(&again.bytes, &bytes);
        prop_assert!(again.removed_invisible.is_empty());
        prop_assert!(!clean.removed_invisible.is_empty());
    }

    #[test]
    fn name_comparison_is_symmetric_and_ignores_case_and_spacing(
        values in proptest::collection::vec("[A-Za-z0-9][A-Za-z0-9 ]{0,12}[A-Za-z0-9]", 1..4),
        others in proptest::collection::vec("[A-Za-z0-9]{1,8}", 1..4),
    ) {
        let keys = ["CN", "O", "OU", "L"];
        let plain: Vec<String> = values.iter().zip(keys).map(|(v, k)| format!("{k}={v}")).collect();
        let messy: Vec<String> = values
            .iter()
            .zip(keys)
            .map(|(v, k)| format!("{}  =  {}", k.to_lowercase(), v.to_uppercase().replace(' ', "   ")))
            .collect();
        let a = DistinguishedName::parse(&plain.join(", ")).unwrap();
        let b = DistinguishedName::parse(&messy.join(" ,")).unwrap();
        prop_assert!(a.matches(&b) && b.matches(&a));
        // Reversed RDN order matches only when order is ignored, and symmetrically.
        let reversed: Vec<String> = plain.iter().rev().cloned().collect();
        let r = DistinguishedName::parse(&reversed.join(", ")).unwrap();
        prop_assert!(a.matches_either_order(&r) && r.matches_either_order(&a));
        let c = DistinguishedName::parse(
            &others.iter().zip(keys).map(|(v, k)| format!("{k}={v}")).collect::<Vec<_>>().join(","),
        )
        .unwrap();
        prop_assert_eq!(a.matches(&c), c.matches(&a));
        prop_assert_eq!(a.matches_either_order(&c), c.matches_either_order(&a));
    }
}

/// The PEM blocks of a fixture.
fn blocks(name: &str) -> Vec<String> {
    let text = std::fs::read_to_string(common::fixture(name)).unwrap();
    text.split_inclusive("-----END CERTIFICATE-----")
        .filter_map(|part| part.find("-----BEGIN").map(|at| part[at..].to_owned()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn bundle_order_does_not_change_the_verdict(
        order in Just((0..5).collect::<Vec<usize>>()).prop_shuffle(),
        at in proptest::sample::select(vec!["2010-12-01", "2011-06-01"]),
    ) {
        // The story chain, its cross-signed intermediate and the external root: paths
        // and verdicts must not depend on where each certificate sits.
        let certs = blocks("story-cross.pem");
        prop_assume!(certs.len() == 5);
        let bundle = |idx: &[usize]| Input {
            name: "bundle.pem".into(),
            bytes: idx.iter().map(|&i| certs[i].clone()).collect::<Vec<_>>().join("\n").into_bytes(),
        };
        let allowlist = common::test_allowlist();
        let options = CheckOptions::at(common::at(at));
        let reference = check(&[bundle(&[0, 1, 2, 3, 4])], &allowlist, &options).unwrap();
        let shuffled = check(&[bundle(&order)], &allowlist, &options).unwrap();
        prop_assert_eq!(reference.assessment.verdict, shuffled.assessment.verdict);
        let errors = |o: &mfgcheck::Outcome| {
            let mut c: Vec<_> = o.assessment.findings.iter().filter(|f| f.severity() == Severity::Error).map(|f| f.code).collect();
            c.sort();
            c
        };
        prop_assert_eq!(errors(&reference), errors(&shuffled));
        prop_assert_eq!(reference.pool.get(reference.chain.leaf()).sha1(), shuffled.pool.get(shuffled.chain.leaf()).sha1());
    }
}
