//! The allowlist YAML parser and validator.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mfgcheck::policy::Allowlist;

fuzz_target!(|data: &[u8]| {
    let text = mfgcheck::load::decode_text(data);
    if let Ok(list) = Allowlist::parse(&text, "fuzz") {
        let _ = list.search("comodo");
        let _ = list.find("digicert");
    }
});
