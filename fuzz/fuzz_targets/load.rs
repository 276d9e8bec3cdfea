//! Format sniffing and loading (PEM, DER, base64, PKCS#7, PKCS#12 with a fixed
//! password), then parsing every certificate found and the issuer forest.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mfgcheck::load::Password;
use mfgcheck::{Input, inspect};

fuzz_target!(|data: &[u8]| {
    let password = Password::new("Fed2010!".into());
    let input = Input {
        name: "fuzz".into(),
        bytes: data.to_vec(),
    };
    let _ = inspect(&[input], Some(&password));
});
