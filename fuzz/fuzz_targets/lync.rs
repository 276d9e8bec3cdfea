//! The Lync Format-List and CSV readers and the settings check.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = mfgcheck::load::decode_text(data);
    if let Ok(objects) = mfgcheck::lync::parse(&text, "fuzz") {
        if let Some(report) = mfgcheck::lync::assess(&objects) {
            let _ = mfgcheck::report::lync_text(&report, 100);
        }
    }
});
