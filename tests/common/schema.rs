//! The committed JSON Schemas (`docs/schema/*.json`), to hold real output to.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

/// Every document's validator, by name (`check`, `scan-record`, ...).
pub struct Schemas {
    validators: BTreeMap<String, jsonschema::Validator>,
}

/// Where the committed schemas are.
pub fn directory() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/schema")
}

impl Schemas {
    /// Reads and compiles every committed schema.
    pub fn load() -> Self {
        let mut validators = BTreeMap::new();
        for entry in std::fs::read_dir(directory()).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let schema: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            let validator = jsonschema::draft202012::new(&schema)
                .unwrap_or_else(|e| panic!("{}: not a valid schema: {e}", path.display()));
            validators.insert(name, validator);
        }
        Self { validators }
    }

    /// The names of the documents.
    pub fn names(&self) -> Vec<&str> {
        self.validators.keys().map(String::as_str).collect()
    }

    /// Panics with every place where `value` is not a `name` document.
    pub fn check(&self, name: &str, value: &Value) {
        let validator = self
            .validators
            .get(name)
            .unwrap_or_else(|| panic!("no schema {name}"));
        let errors: Vec<String> = validator
            .iter_errors(value)
            .map(|e| format!("  at {:?}: {e}", e.instance_path().to_string()))
            .collect();
        assert!(
            errors.is_empty(),
            "not a {name} document:\n{}\n{}",
            errors.join("\n"),
            serde_json::to_string_pretty(value).unwrap()
        );
    }

    /// Whether `value` is a `name` document, without saying why.
    pub fn accepts(&self, name: &str, value: &Value) -> bool {
        self.validators[name].is_valid(value)
    }
}
