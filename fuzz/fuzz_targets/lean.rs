//! The lean certificate reader against x509-parser: on any bytes, and on every
//! certificate the loaders find in them, the lean reader either declines or reads
//! what x509-parser reads.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mfgcheck::model::lean_reader_agrees;

fuzz_target!(|data: &[u8]| {
    assert!(lean_reader_agrees(data));
    if let Ok(loaded) = mfgcheck::load::load_with("fuzz", data, None, None) {
        for raw in &loaded.certificates {
            assert!(lean_reader_agrees(&raw.der));
        }
    }
});
