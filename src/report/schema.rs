//! The JSON Schemas of every document, generated from the document types.
//!
//! `docs/schema/NAME.json` holds each one, committed; a test regenerates them and fails
//! when the committed files differ (run it with `MFGCHECK_WRITE_SCHEMAS=1` to rewrite
//! them after changing a type), and the tests hold real output to them.

use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
use schemars::{JsonSchema, Schema};

use super::{
    AllowlistDocument, AnalyzeDocument, ApiError, CheckDocument, ErrorDocument, InspectDocument,
    LintDocument, LyncDocument, ScanDocument, ScanRecord, ThumbprintDocument, TriageDocument,
};

/// Every document's name (its file under `docs/schema/`, without `.json`) and schema.
pub fn schemas() -> Vec<(&'static str, Schema)> {
    vec![
        ("check", schema::<CheckDocument>()),
        ("inspect", schema::<InspectDocument>()),
        ("thumbprint", schema::<ThumbprintDocument>()),
        ("allowlist", schema::<AllowlistDocument>()),
        ("lint", schema::<LintDocument>()),
        ("scan", schema::<ScanDocument<'static>>()),
        ("scan-record", schema::<ScanRecord<'static>>()),
        ("triage", schema::<TriageDocument>()),
        ("lync", schema::<LyncDocument>()),
        ("analyze", schema::<AnalyzeDocument>()),
        ("error", schema::<ErrorDocument>()),
        ("api-error", schema::<ApiError>()),
    ]
}

/// Draft 2020-12, as the documents are written (not as they could be read), and
/// closed: an object with a field its schema does not name is not a document of ours.
fn schema<T: JsonSchema>() -> Schema {
    let mut generator = SchemaSettings::draft2020_12()
        .for_serialize()
        .with_transform(RecursiveTransform(close_objects))
        .into_generator();
    generator.root_schema_for::<T>()
}

/// `additionalProperties: false` on every object that lists its properties. Flattened
/// fields are merged into their parent's `properties`, so closing them loses nothing.
fn close_objects(schema: &mut Schema) {
    if schema.get("properties").is_some() && schema.get("additionalProperties").is_none() {
        schema.insert("additionalProperties".into(), false.into());
    }
}

/// The schema as the committed file holds it: pretty, with a final newline.
pub fn schema_text(schema: &Schema) -> String {
    let mut text = serde_json::to_string_pretty(schema).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_object_is_closed() {
        fn walk(v: &serde_json::Value, path: &str) {
            if let Some(map) = v.as_object() {
                if map.contains_key("properties") {
                    assert_eq!(
                        map.get("additionalProperties"),
                        Some(&false.into()),
                        "{path}"
                    );
                }
                for (k, child) in map {
                    walk(child, &format!("{path}/{k}"));
                }
            } else if let Some(list) = v.as_array() {
                for (i, child) in list.iter().enumerate() {
                    walk(child, &format!("{path}/{i}"));
                }
            }
        }
        for (name, schema) in schemas() {
            walk(schema.as_value(), name);
        }
    }
}
