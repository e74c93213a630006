//! How findings name things: types, values, lists, items.

use serde_json::Value;

use crate::schema::{JsonType, Schema};
use crate::source::Span;
use crate::tree::{Node, NodeValue};

pub(super) fn json_type(node: &Node) -> JsonType {
    match node.value {
        NodeValue::Null => JsonType::Null,
        NodeValue::Bool(_) => JsonType::Boolean,
        NodeValue::Int(_) => JsonType::Integer,
        NodeValue::Float(_) => JsonType::Number,
        NodeValue::Str(_) => JsonType::String,
        NodeValue::Seq(_) => JsonType::Array,
        NodeValue::Map(_) => JsonType::Object,
    }
}

pub(super) fn is_integral(node: &Node) -> bool {
    matches!(node.value, NodeValue::Float(f) if f.fract() == 0.0 && f.is_finite())
}

/// "an output", "a proxy".
pub fn with_article(noun: &str) -> String {
    let vowel = noun.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {noun}", if vowel { "an" } else { "a" })
}

pub(super) fn expected(schema: &Schema) -> String {
    let nouns: Vec<&str> = schema
        .types
        .iter()
        .filter(|t| **t != JsonType::Null)
        .map(|t| t.noun())
        .collect();
    match nouns.as_slice() {
        [] => "null".into(),
        [one] => (*one).into(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

pub(super) fn show(value: &Value) -> String {
    match value {
        Value::String(s) => format!("`{s}`"),
        other => format!("`{other}`"),
    }
}

pub(super) fn quoted_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn item_noun(schema: &Schema) -> &'static str {
    match schema
        .items
        .as_ref()
        .and_then(|items| items.format.as_deref())
    {
        Some("http-uri") => "URL",
        Some("logstash-host" | "kafka-host") => "host",
        _ => "item",
    }
}

/// A hint for `"true"` or `"10"` written as quoted strings where a boolean or number is meant.
pub(super) fn unquote_hint(node: &Node, schema: &Schema) -> Option<String> {
    let text = node.as_str()?;
    let is_bool = matches!(text, "true" | "false") && schema.accepts(JsonType::Boolean);
    let is_number = text.parse::<f64>().is_ok()
        && (schema.accepts(JsonType::Number) || schema.accepts(JsonType::Integer));
    (is_bool || is_number).then(|| format!("write {text} without quotes"))
}

/// The span of the first key of a map, or of the node: where "this item has no X" points.
pub(super) fn head_span(node: &Node) -> Span {
    node.entries()
        .and_then(|entries| entries.first())
        .map_or(node.span, |entry| entry.key_span)
}
