//! The triage text reader: facts extraction and knowledge-base matching.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mfgcheck::triage::{KnowledgeBase, triage};

static KB: std::sync::OnceLock<Option<KnowledgeBase>> = std::sync::OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let text = mfgcheck::load::decode_text(data);
    if let Some(kb) = KB.get_or_init(|| KnowledgeBase::embedded().ok()) {
        let t = triage(&text, kb);
        let _ = mfgcheck::report::triage_text(&t, kb, 100);
    }
});
