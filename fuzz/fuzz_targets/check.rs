//! The whole `check` pipeline and both reports on arbitrary bytes (PKCS#12 opened
//! with a fixed password).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mfgcheck::load::Password;
use mfgcheck::policy::Allowlist;
use mfgcheck::report::{self, TextOptions};
use mfgcheck::{CheckOptions, Input, check};

static ALLOWLIST: std::sync::OnceLock<Option<Allowlist>> = std::sync::OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Some(allowlist) = ALLOWLIST.get_or_init(|| Allowlist::embedded().ok()) else {
        return;
    };
    let mut options = CheckOptions::at(time::macros::datetime!(2011-06-01 0:00 UTC));
    options.password = Some(Password::new("Fed2010!".into()));
    let input = Input {
        name: "fuzz".into(),
        bytes: data.to_vec(),
    };
    if let Ok(outcome) = check(&[input], allowlist, &options) {
        let _ = report::text(&outcome, allowlist, TextOptions::default());
        let _ = report::json(&outcome, allowlist);
    }
});
