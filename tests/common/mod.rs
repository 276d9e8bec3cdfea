//! Helpers shared by the integration tests: fixture paths, pools and a fixed clock.
#![allow(dead_code)]

pub mod cli;

use std::path::PathBuf;

use mfgcheck::chain::{CertId, Pool};
use mfgcheck::model::Certificate;
use mfgcheck::policy::Allowlist;
use mfgcheck::{Input, load_pool};
use time::OffsetDateTime;

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("certs-testdata")
        .join(name)
}

/// A text input of `tests/data/DIR/`, as a path string for the command line.
pub fn test_data(dir: &str, name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(dir)
        .join(name)
        .to_string_lossy()
        .into_owned()
}

pub fn input(name: &str) -> Input {
    let bytes = std::fs::read(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    Input {
        name: name.to_owned(),
        bytes,
    }
}

pub fn pool(names: &[&str]) -> Pool {
    let inputs: Vec<Input> = names.iter().map(|n| input(n)).collect();
    load_pool(&inputs).unwrap_or_else(|e| panic!("{names:?}: {e}"))
}

/// The test allowlist written by certs-testdata/generate.sh.
pub fn test_allowlist() -> Allowlist {
    let text = std::fs::read_to_string(fixture("allowlist.yaml")).unwrap();
    Allowlist::parse(&text, "allowlist.yaml").unwrap()
}

pub fn at(date: &str) -> OffsetDateTime {
    mfgcheck::model::date::parse_day(date)
        .unwrap()
        .midnight()
        .assume_utc()
}

/// The certificate of `pool` whose common name is `cn`.
pub fn by_cn<'a>(pool: &'a Pool, cn: &str) -> (CertId, &'a Certificate) {
    pool.iter()
        .find(|(_, c)| c.subject().first("2.5.4.3") == Some(cn))
        .unwrap_or_else(|| panic!("no certificate with CN={cn}"))
}
