//! The triage text reader: facts extraction and knowledge-base matching.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mfgcheck::policy::Allowlist;
use mfgcheck::triage::{KnowledgeBase, triage};

static KB: std::sync::OnceLock<Option<(KnowledgeBase, Allowlist)>> = std::sync::OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let text = mfgcheck::load::decode_text(data);
    let loaded = KB.get_or_init(|| Some((KnowledgeBase::embedded().ok()?, Allowlist::embedded().ok()?)));
    if let Some((kb, allowlist)) = loaded {
        let options = mfgcheck::triage::TriageOptions {
            at: time::OffsetDateTime::UNIX_EPOCH + time::Duration::days(15_000),
            profile: mfgcheck::policy::Profile::Exchange2010,
        };
        let t = triage(&text, kb, allowlist, options);
        let _ = mfgcheck::report::triage_text(&t, kb, 100);
    }
});
