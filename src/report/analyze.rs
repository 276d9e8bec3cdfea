//! The page's one-form answer, which wraps the document of the command that judged.

use schemars::JsonSchema;
use serde::Serialize;

use super::json::CheckDocument;
use super::lookup::ThumbprintDocument;
use super::triage::{LyncDocument, TriageDocument};

/// The page's answer to `POST /api/analyze`: which command judged the input, and that
/// command's document. The engine describes it, beside the other documents, so that
/// its schema is generated with theirs; `serve` builds it.
#[derive(Serialize, JsonSchema)]
#[serde(tag = "kind", content = "result", rename_all = "lowercase")]
pub enum AnalyzeDocument {
    Check(Box<CheckDocument>),
    Triage(Box<TriageDocument>),
    Thumbprint(Box<ThumbprintDocument>),
    Lync(Box<LyncDocument>),
}
