//! Distinguished-name parsing and comparison: two names split at the first NUL.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mfgcheck::model::DistinguishedName;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (a, b) = text.split_once('\0').unwrap_or((&text, "CN=x"));
    let (Ok(a), Ok(b)) = (DistinguishedName::parse(a), DistinguishedName::parse(b)) else {
        return;
    };
    // Comparison must be symmetric, and a name must match its own printed form.
    assert_eq!(a.matches(&b), b.matches(&a));
    assert_eq!(a.matches_either_order(&b), b.matches_either_order(&a));
    let _ = a.short();
    let _ = a.to_string();
});
