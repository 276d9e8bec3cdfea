//! The single-chain path, in process: what `check` costs without process start-up.
//!
//! `cargo bench` runs it; the whole-process figures and the scan throughput come from
//! `bench/check.sh` and `bench/scan.sh`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use mfgcheck::policy::Allowlist;
use mfgcheck::{CheckOptions, Input, Shared, check, check_with};

fn input(name: &str) -> Input {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("certs-testdata")
        .join(name);
    Input {
        name: name.to_owned(),
        bytes: std::fs::read(path).expect("fixture"),
    }
}

fn bench(c: &mut Criterion) {
    let allowlist_text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("certs-testdata/allowlist.yaml"),
    )
    .expect("allowlist");
    let allowlist = Allowlist::parse(&allowlist_text, "allowlist.yaml").expect("allowlist");
    let at = time::macros::datetime!(2011-06-01 0:00 UTC);
    let options = CheckOptions::at(at);
    let story = [input("story-bundle.pem")];
    let direct = [input("direct-bundle.pem")];

    c.bench_function("check story bundle (3 certificates, PEM)", |b| {
        b.iter(|| check(black_box(&story), &allowlist, &options).expect("check"))
    });
    c.bench_function("check direct bundle (RSA-2048, SHA-256)", |b| {
        b.iter(|| check(black_box(&direct), &allowlist, &options).expect("check"))
    });
    // As in a scan: the CA certificates parsed and verified once, shared.
    let shared = Shared::default();
    c.bench_function("check direct bundle with scan caches", |b| {
        b.iter(|| check_with(black_box(&direct), &allowlist, &options, &shared).expect("check"))
    });
    let pfx = [input("story-aes.pfx")];
    let mut with_password = CheckOptions::at(at);
    with_password.password = Some(mfgcheck::load::Password::new("Fed2010!".into()));
    c.bench_function("check PFX (PBES2 AES-256, 2,048 iterations)", |b| {
        b.iter(|| check(black_box(&pfx), &allowlist, &with_password).expect("check"))
    });
    c.bench_function("parse the built-in allowlist", |b| {
        b.iter(|| Allowlist::embedded().expect("allowlist"))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
