//! The README's JSON schemas (the `schema` block), read and held against real output.

use std::collections::HashMap;

use serde_json::Value;

/// One field: its type, and whether it may be missing.
#[derive(Debug, Clone)]
struct Field {
    ty: String,
    optional: bool,
}

/// A document or type: the type it extends, and its own fields in order.
type Shape = (Option<String>, Vec<(String, Field)>);

/// Documents and types by name.
#[derive(Debug, Default)]
pub struct Schemas {
    shapes: HashMap<String, Shape>,
}

impl Schemas {
    /// Reads every ```schema block of the README.
    pub fn from_readme() -> Self {
        let readme =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
        let mut schemas = Schemas::default();
        let mut current: Option<String> = None;
        for block in readme.split("```schema\n").skip(1) {
            let block = block.split("```").next().unwrap();
            for raw in block.lines() {
                let line = raw.split('#').next().unwrap().trim_end();
                if line.trim().is_empty() {
                    continue;
                }
                if let Some(rest) = line
                    .strip_prefix("document ")
                    .or_else(|| line.strip_prefix("type "))
                {
                    let (name, base) = match rest.split_once(':') {
                        Some((n, b)) => (n.trim().to_owned(), Some(b.trim().to_owned())),
                        None => (rest.trim().to_owned(), None),
                    };
                    assert!(
                        schemas
                            .shapes
                            .insert(name.clone(), (base, Vec::new()))
                            .is_none(),
                        "{name} defined twice"
                    );
                    current = Some(name);
                    continue;
                }
                let (name, ty) = line
                    .trim()
                    .split_once(':')
                    .unwrap_or_else(|| panic!("{raw}"));
                let optional = name.ends_with('?');
                let name = name.trim_end_matches('?').to_owned();
                let owner = current
                    .clone()
                    .expect("a field before any document or type");
                schemas.shapes.get_mut(&owner).unwrap().1.push((
                    name,
                    Field {
                        ty: ty.trim().to_owned(),
                        optional,
                    },
                ));
            }
        }
        schemas
    }

    /// Every field of `name`, its base's first.
    fn fields(&self, name: &str) -> Vec<(String, Field)> {
        let (base, own) = self
            .shapes
            .get(name)
            .unwrap_or_else(|| panic!("the README defines no {name}"));
        let mut all = base.as_deref().map(|b| self.fields(b)).unwrap_or_default();
        all.extend(own.iter().cloned());
        all
    }

    /// The types fields name that no `type` defines.
    pub fn undefined_types(&self) -> Vec<String> {
        let mut missing = Vec::new();
        for (owner, (base, fields)) in &self.shapes {
            let named = base.iter().cloned().chain(fields.iter().map(|(_, f)| {
                let mut t = f.ty.as_str();
                loop {
                    if let Some(rest) = t.strip_prefix("array of ") {
                        t = rest;
                    } else if let Some(rest) = t.strip_suffix(" or null") {
                        t = rest;
                    } else {
                        break t.to_owned();
                    }
                }
            }));
            for ty in named {
                let primitive = ["string", "integer", "boolean", "any"].contains(&ty.as_str());
                if !primitive && !self.shapes.contains_key(&ty) {
                    missing.push(format!("{owner}: {ty}"));
                }
            }
        }
        missing.sort();
        missing
    }

    /// Holds `value` to the document `name`; panics naming the first difference.
    pub fn check(&self, name: &str, value: &Value) {
        self.check_type(name, value, name);
    }

    fn check_type(&self, ty: &str, value: &Value, at: &str) {
        if let Some(inner) = ty.strip_suffix(" or null") {
            if value.is_null() {
                return;
            }
            return self.check_type(inner, value, at);
        }
        if let Some(item) = ty.strip_prefix("array of ") {
            let items = value
                .as_array()
                .unwrap_or_else(|| panic!("{at}: an array is documented, found {value}"));
            for (i, v) in items.iter().enumerate() {
                self.check_type(item, v, &format!("{at}[{i}]"));
            }
            return;
        }
        let ok = match ty {
            "any" => true,
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "boolean" => value.is_boolean(),
            _ => {
                let object = value
                    .as_object()
                    .unwrap_or_else(|| panic!("{at}: {ty} is an object, found {value}"));
                let fields = self.fields(ty);
                for key in object.keys() {
                    assert!(
                        fields.iter().any(|(n, _)| n == key),
                        "{at}: the field {key} is not documented in {ty}"
                    );
                }
                for (name, field) in &fields {
                    match object.get(name) {
                        Some(v) => self.check_type(&field.ty, v, &format!("{at}.{name}")),
                        None => assert!(
                            field.optional,
                            "{at}: the documented field {name} is missing"
                        ),
                    }
                }
                true
            }
        };
        assert!(ok, "{at}: {ty} is documented, found {value}");
    }
}
