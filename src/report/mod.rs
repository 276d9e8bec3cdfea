//! **Report**: the outcome of a check, rendered for people (text) and programs (JSON).
//!
//! Renderers return strings and never write: the binary decides where output goes
//! and whether colour codes survive (anstream strips them for pipes and NO_COLOR).

mod allowlist;
mod analyze;
pub mod bundle;
mod document;
mod inspect;
mod json;
mod lookup;
mod path_search;
mod scan;
pub mod schema;
mod style;
mod text;
mod triage;

pub use allowlist::{
    AllowlistDocument, LintDocument, allowlist_json, allowlist_text, authority_text, lint_json,
    lint_text,
};
pub use analyze::AnalyzeDocument;
pub use document::{ApiError, Connection, ErrorDocument, JSON_SCHEMA_VERSION, Presented, to_text};
pub use inspect::{InspectDocument, inspect_json, inspect_line, inspect_text};
pub use json::{CheckDocument, json};
pub use lookup::{Compared, ThumbprintDocument, lookup_json, lookup_ok, lookup_text};
pub use path_search::{forest_text, search_text};
pub use scan::{ScanDocument, ScanFormat, ScanRecord, ScanWriter, summary_words};
pub use text::{BRIEF_LINES, TextOptions, brief, text, verdict_line};
pub use triage::{LyncDocument, TriageDocument, lync_json, lync_text, triage_json, triage_text};

use crate::policy::{Allowlist, Identity, Standing};
use time::OffsetDateTime;

/// "1 authority", "7 authorities": a count with the right form of its noun.
/// `text` word-wrapped at `width` columns, for what a front end adds to a report.
pub fn paragraph(text: &str, width: usize) -> String {
    style::wrap(text, "", width)
}

pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// What the allowlist makes of one certificate, in a few words, for both renderers.
pub(crate) struct Mark {
    /// The certificate is an authority accepted at the evaluation time.
    pub accepted: bool,
    /// Short words: "listed: NAME (accepted)", "not on the list", ...
    pub words: String,
}

pub(crate) fn mark(identity: &Identity, allowlist: &Allowlist, at: OffsetDateTime) -> Mark {
    match identity {
        Identity::Listed { authority, .. } => {
            let a = allowlist.authority(*authority);
            let standing = match a.standing(at) {
                Standing::Accepted => "accepted".to_owned(),
                Standing::NotYet(d) => format!("accepted only from {d}"),
                Standing::Ended(d) => format!("accepted only until {d}"),
                Standing::Requested => "requested, not confirmed".to_owned(),
                Standing::Removed => "removed".to_owned(),
            };
            Mark {
                accepted: allowlist.accepted_authority(identity, at).is_some(),
                words: format!("listed: {} ({standing})", a.name),
            }
        }
        Identity::Impostor { authority, .. } => Mark {
            accepted: false,
            words: format!(
                "NOT {}: same name, different key",
                allowlist.authority(*authority).name
            ),
        },
        Identity::NameOnly { authority } => Mark {
            accepted: false,
            words: format!(
                "named like {}, unconfirmed",
                allowlist.authority(*authority).name
            ),
        },
        Identity::NewKey { authority } => Mark {
            accepted: false,
            words: format!(
                "a new key of {}, signed by its listed key; the new key is not on the list",
                allowlist.authority(*authority).name
            ),
        },
        Identity::Unlisted => Mark {
            accepted: false,
            words: "not on the list".to_owned(),
        },
    }
}

/// `2011-06-01 00:00 UTC`, or with seconds when they are not zero.
pub(crate) fn datetime(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    if t.second() == 0 {
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02} UTC",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute()
        )
    } else {
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    }
}

pub(crate) use crate::model::date::format_day as day;

/// RFC 3339, UTC.
pub(crate) fn rfc3339(t: OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| day(t))
}
