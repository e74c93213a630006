//! The JSON Schemas of `schemas/`, embedded in the binary and compiled once.
//!
//! One schema per kind describes every stack version at once: `x-since` and `x-until`
//! annotate properties, `oneOf` branches and enum values with the releases that accept
//! them. [`compiled`] turns a file into a [`Schema`] tree once per run for `validate`;
//! [`export`] derives the plain draft-07 schema of one target version for editors.

use std::collections::HashMap;
use std::sync::OnceLock;

use regex::Regex;
use serde_json::{Map, Value};

use crate::version::StackVersion;

/// The schema files, by name, as embedded at build time.
pub const FILES: &[(&str, &str)] = &[
    ("outputs", include_str!("../schemas/outputs.json")),
    (
        "fleet_server_hosts",
        include_str!("../schemas/fleet_server_hosts.json"),
    ),
    ("proxies", include_str!("../schemas/proxies.json")),
    ("packages", include_str!("../schemas/packages.json")),
    (
        "agent_policies",
        include_str!("../schemas/agent_policies.json"),
    ),
    ("settings", include_str!("../schemas/settings.json")),
    ("fleetc", include_str!("../schemas/fleetc.json")),
];

/// JSON types a schema may require.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonType {
    Object,
    Array,
    String,
    Integer,
    Number,
    Boolean,
    Null,
}

impl JsonType {
    fn parse(name: &str) -> Option<JsonType> {
        Some(match name {
            "object" => JsonType::Object,
            "array" => JsonType::Array,
            "string" => JsonType::String,
            "integer" => JsonType::Integer,
            "number" => JsonType::Number,
            "boolean" => JsonType::Boolean,
            "null" => JsonType::Null,
            _ => return None,
        })
    }

    /// The English name used in messages.
    pub fn noun(self) -> &'static str {
        match self {
            JsonType::Object => "a map",
            JsonType::Array => "a list",
            JsonType::String => "a string",
            JsonType::Integer => "an integer",
            JsonType::Number => "a number",
            JsonType::Boolean => "a boolean",
            JsonType::Null => "null",
        }
    }
}

/// What a map may hold besides its declared properties.
#[derive(Debug, Default)]
pub enum Additional {
    #[default]
    Any,
    Nothing,
    Each(Box<Schema>),
}

/// How a `oneOf` picks its branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Discriminator {
    /// The branch whose `const` matches this property's value.
    Property(String),
    /// Package policies: the branch whose `inputs` type matches (list or map).
    ShapeOfInputs,
}

/// A compiled schema node. Field names follow JSON Schema; `since`/`until` are fleetc's
/// version annotations.
#[derive(Debug, Default)]
pub struct Schema {
    pub title: Option<String>,
    pub types: Vec<JsonType>,
    pub properties: Vec<(String, Schema)>,
    pub required: Vec<String>,
    pub additional: Additional,
    pub items: Option<Box<Schema>>,
    pub min_items: Option<usize>,
    pub max_items: Option<usize>,
    pub unique_items: bool,
    pub enum_values: Option<Vec<Value>>,
    pub enum_since: HashMap<String, StackVersion>,
    pub enum_until: HashMap<String, StackVersion>,
    pub const_value: Option<Value>,
    pub pattern: Option<Regex>,
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    pub one_of: Vec<Schema>,
    pub discriminator: Option<Discriminator>,
    pub since: Option<StackVersion>,
    pub until: Option<StackVersion>,
    pub secret: bool,
    pub format: Option<String>,
}

impl Schema {
    pub fn property(&self, name: &str) -> Option<&Schema> {
        self.properties
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, schema)| schema)
    }

    pub fn accepts(&self, json_type: JsonType) -> bool {
        self.types.is_empty()
            || self.types.contains(&json_type)
            || (json_type == JsonType::Integer && self.types.contains(&JsonType::Number))
    }

    /// Whether the target version has this node.
    pub fn exists_in(&self, version: StackVersion) -> bool {
        self.since.is_none_or(|since| version >= since)
            && self.until.is_none_or(|until| version < until)
    }
}

/// The compiled schema of an embedded file.
///
/// # Panics
///
/// Panics if an embedded schema is malformed; a unit test compiles every file, so a build
/// that ships a malformed schema fails its tests first.
pub fn compiled(name: &str) -> &'static Schema {
    static CACHE: OnceLock<HashMap<&'static str, Schema>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| {
        FILES
            .iter()
            .map(|(name, text)| {
                (
                    *name,
                    compile_file(text).unwrap_or_else(|e| panic!("schemas/{name}.json: {e}")),
                )
            })
            .collect()
    });
    &cache[name]
}

/// The raw JSON of an embedded file.
pub fn raw(name: &str) -> Value {
    let text = FILES
        .iter()
        .find(|(file, _)| *file == name)
        .map_or("{}", |(_, text)| text);
    serde_json::from_str(text).unwrap_or(Value::Null)
}

/// The secret-capable fields of a kind, per output type (or `"*"`), with their first version.
pub fn secret_fields(name: &str) -> Vec<(String, String, StackVersion)> {
    let mut fields = Vec::new();
    let root = raw(name);
    let Some(table) = root.get("x-secret-fields").and_then(Value::as_object) else {
        return fields;
    };
    for (group, entries) in table {
        // A kind without types (Fleet Server hosts) maps fields to versions directly.
        if let Some(since) = entries.as_str().and_then(|s| s.parse().ok()) {
            fields.push(("*".to_owned(), group.clone(), since));
        }
        for (field, since) in entries.as_object().into_iter().flatten() {
            if let Some(since) = since.as_str().and_then(|s| s.parse().ok()) {
                fields.push((group.clone(), field.clone(), since));
            }
        }
    }
    fields
}

fn compile_file(text: &str) -> Result<Schema, String> {
    let root: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let definitions = root
        .get("definitions")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    Compiler { definitions }.compile(&root, 0)
}

struct Compiler {
    definitions: Map<String, Value>,
}

impl Compiler {
    fn compile(&self, json: &Value, depth: usize) -> Result<Schema, String> {
        if depth > 32 {
            return Err("schema nests too deep (a `$ref` cycle?)".into());
        }
        let object = json.as_object().ok_or("a schema must be an object")?;
        let mut schema = match object.get("$ref").and_then(Value::as_str) {
            Some(reference) => self.reference(reference, depth)?,
            None => Schema::default(),
        };
        for (keyword, value) in object {
            self.keyword(&mut schema, keyword, value, depth)?;
        }
        Ok(schema)
    }

    fn reference(&self, reference: &str, depth: usize) -> Result<Schema, String> {
        let name = reference
            .strip_prefix("#/definitions/")
            .ok_or_else(|| format!("only local `$ref`s are supported: {reference}"))?;
        let target = self
            .definitions
            .get(name)
            .ok_or_else(|| format!("unknown `$ref`: {reference}"))?;
        self.compile(target, depth + 1)
    }

    fn keyword(
        &self,
        schema: &mut Schema,
        keyword: &str,
        value: &Value,
        depth: usize,
    ) -> Result<(), String> {
        match keyword {
            "type" => schema.types = types(value)?,
            "title" => schema.title = value.as_str().map(str::to_owned),
            "properties" => schema.properties = self.properties(value, depth)?,
            "required" => schema.required = strings(value),
            "additionalProperties" => schema.additional = self.additional(value, depth)?,
            "items" => schema.items = Some(Box::new(self.compile(value, depth + 1)?)),
            "minItems" => schema.min_items = value.as_u64().map(|n| n as usize),
            "maxItems" => schema.max_items = value.as_u64().map(|n| n as usize),
            "uniqueItems" => schema.unique_items = value.as_bool().unwrap_or(false),
            "enum" => schema.enum_values = value.as_array().cloned(),
            "x-enum-since" => schema.enum_since = versions(value)?,
            "x-enum-until" => schema.enum_until = versions(value)?,
            "const" => schema.const_value = Some(value.clone()),
            "pattern" => schema.pattern = Some(pattern(value)?),
            "minimum" => schema.minimum = value.as_f64(),
            "maximum" => schema.maximum = value.as_f64(),
            "minLength" => schema.min_length = value.as_u64().map(|n| n as usize),
            "maxLength" => schema.max_length = value.as_u64().map(|n| n as usize),
            "oneOf" => schema.one_of = self.branches(value, depth)?,
            "x-discriminator" => schema.discriminator = discriminator(value),
            "x-since" => schema.since = Some(version(value)?),
            "x-until" => schema.until = Some(version(value)?),
            "x-secret" => schema.secret = value.as_bool().unwrap_or(false),
            "x-format" => schema.format = value.as_str().map(str::to_owned),
            _ => {}
        }
        Ok(())
    }

    fn properties(&self, value: &Value, depth: usize) -> Result<Vec<(String, Schema)>, String> {
        let object = value.as_object().ok_or("`properties` must be an object")?;
        object
            .iter()
            .map(|(name, schema)| Ok((name.clone(), self.compile(schema, depth + 1)?)))
            .collect()
    }

    fn additional(&self, value: &Value, depth: usize) -> Result<Additional, String> {
        Ok(match value {
            Value::Bool(true) => Additional::Any,
            Value::Bool(false) => Additional::Nothing,
            other => Additional::Each(Box::new(self.compile(other, depth + 1)?)),
        })
    }

    fn branches(&self, value: &Value, depth: usize) -> Result<Vec<Schema>, String> {
        let branches = value.as_array().ok_or("`oneOf` must be a list")?;
        branches
            .iter()
            .map(|branch| self.compile(branch, depth + 1))
            .collect()
    }
}

fn types(value: &Value) -> Result<Vec<JsonType>, String> {
    let names = match value {
        Value::String(name) => vec![name.as_str()],
        Value::Array(names) => names.iter().filter_map(Value::as_str).collect(),
        _ => return Err("`type` must be a string or a list".into()),
    };
    names
        .into_iter()
        .map(|name| JsonType::parse(name).ok_or_else(|| format!("unknown type `{name}`")))
        .collect()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect()
}

fn version(value: &Value) -> Result<StackVersion, String> {
    let text = value.as_str().ok_or("a version must be a string")?;
    text.parse()
        .map_err(|e: crate::version::VersionError| e.to_string())
}

fn versions(value: &Value) -> Result<HashMap<String, StackVersion>, String> {
    let object = value
        .as_object()
        .ok_or("a version table must be an object")?;
    object
        .iter()
        .map(|(key, v)| Ok((key.clone(), version(v)?)))
        .collect()
}

fn pattern(value: &Value) -> Result<Regex, String> {
    let text = value.as_str().ok_or("`pattern` must be a string")?;
    Regex::new(text).map_err(|e| e.to_string())
}

fn discriminator(value: &Value) -> Option<Discriminator> {
    match value.as_str()? {
        "shape-of-inputs" => Some(Discriminator::ShapeOfInputs),
        property => Some(Discriminator::Property(property.to_owned())),
    }
}

/// The plain draft-07 schema of `name` for one target version: properties, branches and
/// enum values the version lacks are dropped, fleetc's annotations removed, and fields that
/// take `{ env: VAR }` or `{ secret: NAME }` references say so.
pub fn export(name: &str, version: StackVersion) -> Value {
    let mut root = raw(name);
    derive(&mut root, version);
    if let Value::Object(object) = &mut root {
        let definitions = object
            .entry("definitions")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(definitions) = definitions {
            definitions.insert("env_reference".into(), env_reference());
            definitions.insert("secret_reference".into(), secret_reference());
        }
    }
    root
}

fn derive(node: &mut Value, version: StackVersion) {
    match node {
        Value::Object(object) => derive_object(object, version),
        Value::Array(items) => items.iter_mut().for_each(|item| derive(item, version)),
        _ => {}
    }
}

fn derive_object(object: &mut Map<String, Value>, version: StackVersion) {
    let exists = |schema: &Value| {
        let bound = |key: &str| {
            schema
                .get(key)
                .and_then(Value::as_str)
                .and_then(|s| s.parse::<StackVersion>().ok())
        };
        bound("x-since").is_none_or(|since| version >= since)
            && bound("x-until").is_none_or(|until| version < until)
    };
    if let Some(Value::Object(properties)) = object.get_mut("properties") {
        properties.retain(|_, schema| exists(schema));
    }
    if let Some(Value::Array(branches)) = object.get_mut("oneOf") {
        branches.retain(|branch| exists(branch));
    }
    filter_enum(object, version);
    let secret = object
        .get("x-secret")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    object.retain(|key, _| !key.starts_with("x-"));
    for value in object.values_mut() {
        derive(value, version);
    }
    allow_references(object, secret);
}

fn filter_enum(object: &mut Map<String, Value>, version: StackVersion) {
    let bound = |key: &str, value: &Value| -> Option<StackVersion> {
        object
            .get(key)?
            .get(value.as_str()?)?
            .as_str()?
            .parse()
            .ok()
    };
    let Some(Value::Array(values)) = object.get("enum") else {
        return;
    };
    let kept: Vec<Value> = values
        .iter()
        .filter(|value| {
            bound("x-enum-since", value).is_none_or(|since| version >= since)
                && bound("x-enum-until", value).is_none_or(|until| version < until)
        })
        .cloned()
        .collect();
    object.insert("enum".into(), Value::Array(kept));
}

/// Rewrites a scalar-typed schema as `anyOf` the scalar, an env reference and, for secret
/// fields, a secret reference, so that editors accept what fleetc accepts.
fn allow_references(object: &mut Map<String, Value>, secret: bool) {
    // fleetc takes `{ env: VAR }` wherever a scalar goes: Kibana substitutes it as text and
    // its config-schema reads "true" or "10" as a boolean or a number.
    let scalar = |t: &Value| {
        matches!(
            t.as_str(),
            Some("string" | "boolean" | "integer" | "number")
        )
    };
    let takes_scalar = match object.get("type") {
        Some(Value::Array(types)) => types.iter().any(scalar),
        Some(t) => scalar(t),
        None => false,
    };
    if !takes_scalar || object.contains_key("$ref") {
        return;
    }
    let string_schema = Value::Object(std::mem::take(object));
    let mut alternatives = vec![
        string_schema,
        serde_json::json!({"$ref": "#/definitions/env_reference"}),
    ];
    if secret {
        alternatives.push(serde_json::json!({"$ref": "#/definitions/secret_reference"}));
    }
    object.insert("anyOf".into(), Value::Array(alternatives));
}

fn env_reference() -> Value {
    serde_json::json!({
        "type": "object",
        "description": "Kibana fills this in from its environment at startup: emitted as `${VAR}`.",
        "properties": { "env": { "type": "string", "pattern": "^\\w+$" } },
        "required": ["env"],
        "additionalProperties": false
    })
}

fn secret_reference() -> Value {
    serde_json::json!({
        "type": "object",
        "description": "A secret from the repository's age-encrypted store, `secrets/NAME.age`.",
        "properties": { "secret": { "type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]*$" } },
        "required": ["secret"],
        "additionalProperties": false
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_schema_compiles() {
        for (name, text) in FILES {
            compile_file(text).unwrap_or_else(|e| panic!("schemas/{name}.json: {e}"));
        }
    }

    #[test]
    fn export_drops_what_the_version_lacks() {
        let types = |version| -> Vec<String> {
            let schema = export("outputs", version);
            let branches = schema["oneOf"].as_array().cloned().unwrap_or_default();
            branches
                .iter()
                .filter_map(|b| b["properties"]["type"]["const"].as_str().map(str::to_owned))
                .collect()
        };
        assert_eq!(
            types(StackVersion::new(8, 11, 0)),
            ["elasticsearch", "logstash", "kafka"]
        );
        assert!(types(StackVersion::new(9, 2, 0)).contains(&"remote_elasticsearch".to_owned()));
        let old = export("outputs", StackVersion::new(8, 11, 0)).to_string();
        let new = export("outputs", StackVersion::new(9, 2, 0)).to_string();
        assert!(!old.contains("x-since") && !new.contains("x-since"));
        let has_streams = |version| {
            export("outputs", version)["oneOf"][0]["properties"]
                .get("write_to_logs_streams")
                .is_some()
        };
        assert!(has_streams(StackVersion::new(9, 2, 0)));
        assert!(!has_streams(StackVersion::new(9, 1, 0)));
    }
}
