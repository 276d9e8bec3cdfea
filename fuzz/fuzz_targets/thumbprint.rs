//! Thumbprint normalisation and the allowlist lookup of pasted values.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mfgcheck::model::hex::{clean_hex, upper_hex};
use mfgcheck::policy::{Allowlist, look_up};

static ALLOWLIST: std::sync::OnceLock<Option<Allowlist>> = std::sync::OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(clean) = clean_hex(&text) {
        // Normalising the normalised form gives the same bytes.
        let again = clean_hex(&upper_hex(&clean.bytes)).map(|c| c.bytes);
        assert_eq!(again.ok(), Some(clean.bytes));
    }
    if let Some(list) = ALLOWLIST.get_or_init(|| Allowlist::embedded().ok()) {
        let _ = look_up(&text, list);
    }
});
