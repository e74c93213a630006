//! Validation: each declaration against its kind's JSON Schema, for the target version.
//!
//! The validator walks the raw tree with the compiled schema, so every finding lands on the
//! exact key or value, and says in English what is wrong (`hosts` needs at least one URL),
//! with a did-you-mean for unknown fields. A field or value the target version lacks is a
//! version-gate error naming the release that brought it (or removed it).

use serde_json::Value;

mod branch;
mod words;

pub use words::with_article;
use words::{expected, head_span, is_integral, item_noun, json_type, show, unquote_hint};

use crate::diagnostic::{Diagnostic, Diagnostics, did_you_mean};
use crate::reference::{Reference, ReferenceKind, is_env_name, is_secret_name};
use crate::rules;
use crate::schema::{Additional, JsonType, Schema};
use crate::source::Span;
use crate::tree::{Entry, Node, NodeValue, to_json};
use crate::version::StackVersion;

/// Where in a file the validator is: a JSON pointer and the field path for messages.
#[derive(Clone, Debug)]
pub struct Place {
    pub pointer: String,
    pub field: String,
    /// The field of the map this place sits in; `None` at the item's top level.
    parent: Option<String>,
}

impl Place {
    pub fn root(pointer: impl Into<String>) -> Self {
        Place {
            pointer: pointer.into(),
            field: String::new(),
            parent: None,
        }
    }

    fn key(&self, key: &str) -> Place {
        let escaped = key.replace('~', "~0").replace('/', "~1");
        let field = if self.field.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.field)
        };
        Place {
            pointer: format!("{}/{escaped}", self.pointer),
            field,
            parent: (!self.field.is_empty()).then(|| self.field.clone()),
        }
    }

    fn index(&self, index: usize) -> Place {
        Place {
            pointer: format!("{}/{index}", self.pointer),
            field: format!("{}[{index}]", self.field),
            parent: self.parent.clone(),
        }
    }

    /// The field for messages: `` `hosts[0]` ``, or "this item" at the root.
    fn name(&self) -> String {
        format!("`{}`", self.field)
    }
}

/// Validates `node` against `schema` for `version`. `noun` names the item in messages
/// ("output", "agent policy").
pub fn validate(
    node: &Node,
    schema: &Schema,
    version: StackVersion,
    noun: &str,
    place: Place,
) -> Diagnostics {
    let mut validator = Validator {
        version,
        noun,
        found: Diagnostics::default(),
    };
    validator.node(node, schema, &place);
    validator.found
}

struct Validator<'a> {
    version: StackVersion,
    noun: &'a str,
    found: Diagnostics,
}

impl Validator<'_> {
    fn report(&mut self, diagnostic: Diagnostic, place: &Place) {
        self.found.push(diagnostic.pointer(place.pointer.clone()));
    }

    fn node(&mut self, node: &Node, schema: &Schema, place: &Place) {
        if self.reference(node, schema, place) || !self.type_matches(node, schema, place) {
            return;
        }
        self.literal_secret(node, schema, place);
        self.constant(node, schema, place);
        match &node.value {
            NodeValue::Str(text) => self.string(node.span, text, schema, place),
            NodeValue::Int(n) => self.number(node.span, *n as f64, schema, place),
            NodeValue::Float(n) if !n.is_finite() => {
                let message = format!(
                    "{} is not a finite number, which kibana.yml cannot carry as JSON data",
                    place.name()
                );
                self.report(
                    Diagnostic::new(&rules::INVALID_VALUE, message).at(node.span, "not finite"),
                    place,
                );
            }
            NodeValue::Float(n) => self.number(node.span, *n, schema, place),
            NodeValue::Seq(items) => self.seq(node.span, items, schema, place),
            NodeValue::Map(entries) => self.map(node, entries, schema, place),
            NodeValue::Null | NodeValue::Bool(_) => {}
        }
        self.enumeration(node, schema, place);
    }

    /// `{ env: VAR }` and `{ secret: NAME }`; true when `node` was one of them.
    fn reference(&mut self, node: &Node, schema: &Schema, place: &Place) -> bool {
        let Some(reference) = Reference::of(node) else {
            return false;
        };
        if schema.accepts(JsonType::Object) && !schema.types.is_empty() {
            return false;
        }
        match reference.kind {
            ReferenceKind::Env => self.env_reference(&reference, schema, place),
            ReferenceKind::Secret => self.secret_reference(&reference, schema, place),
        }
        true
    }

    fn env_reference(&mut self, reference: &Reference, schema: &Schema, place: &Place) {
        let scalar = [
            JsonType::String,
            JsonType::Boolean,
            JsonType::Number,
            JsonType::Integer,
        ];
        if !scalar.iter().any(|t| schema.accepts(*t)) {
            let message = format!(
                "{} must be {}, not an env reference",
                place.name(),
                expected(schema)
            );
            self.report(
                Diagnostic::new(&rules::INVALID_VALUE, message).at(reference.span, "env reference"),
                place,
            );
        } else if !is_env_name(reference.name) {
            let message = format!("`{}` is not a name Kibana substitutes", reference.name);
            self.report(
                Diagnostic::new(&rules::ENV_NAME, message).at(reference.name_span, "variable name"),
                place,
            );
        }
    }

    fn secret_reference(&mut self, reference: &Reference, schema: &Schema, place: &Place) {
        if !schema.secret {
            let message = format!("{} does not take a secret reference", place.name());
            self.report(
                Diagnostic::new(&rules::SECRET_NOT_ALLOWED, message)
                    .at(reference.span, "secret reference"),
                place,
            );
        } else if !is_secret_name(reference.name) {
            let message = format!("`{}` is not a secret name", reference.name);
            let help = "secret names are letters, digits, `.`, `_` and `-`, starting with a letter or digit; they name the file `NAME.age`";
            let diagnostic = Diagnostic::new(&rules::INVALID_VALUE, message)
                .at(reference.name_span, "secret name")
                .help(help);
            self.report(diagnostic, place);
        }
    }

    fn literal_secret(&mut self, node: &Node, schema: &Schema, place: &Place) {
        if schema.secret && matches!(node.value, NodeValue::Str(_)) {
            let message = format!("{} holds a credential written in plain text", place.name());
            self.report(
                Diagnostic::new(&rules::PLAINTEXT_SECRET, message)
                    .at(node.span, "literal credential"),
                place,
            );
        }
    }

    fn type_matches(&mut self, node: &Node, schema: &Schema, place: &Place) -> bool {
        let actual = json_type(node);
        let accepted = schema.accepts(actual)
            || (actual == JsonType::Number
                && schema.accepts(JsonType::Integer)
                && is_integral(node));
        if !accepted {
            let message = format!(
                "{} must be {}, not {}",
                place.name(),
                expected(schema),
                node.type_name()
            );
            let mut diagnostic = Diagnostic::new(&rules::INVALID_VALUE, message)
                .at(node.span, format!("{} here", node.type_name()));
            if let Some(hint) = unquote_hint(node, schema) {
                diagnostic = diagnostic.help(hint);
            }
            self.report(diagnostic, place);
        }
        accepted
    }

    fn constant(&mut self, node: &Node, schema: &Schema, place: &Place) {
        let Some(constant) = &schema.const_value else {
            return;
        };
        if to_json(node) != *constant {
            let message = format!("{} must be {}", place.name(), show(constant));
            self.report(
                Diagnostic::new(&rules::INVALID_VALUE, message).at(node.span, "other value"),
                place,
            );
        }
    }

    fn enumeration(&mut self, node: &Node, schema: &Schema, place: &Place) {
        let Some(values) = &schema.enum_values else {
            return;
        };
        let value = to_json(node);
        let allowed: Vec<&Value> = values
            .iter()
            .filter(|v| self.enum_value_exists(schema, v))
            .collect();
        if allowed.contains(&&value) {
            return;
        }
        if values.contains(&value) {
            let text = value.as_str().unwrap_or_default();
            let message = self.gate_message(
                &format!("the value `{text}` of {}", place.name()),
                schema.enum_since.get(text),
                schema.enum_until.get(text),
            );
            self.report(
                Diagnostic::new(&rules::TOO_NEW, message)
                    .at(node.span, "not in the target version"),
                place,
            );
            return;
        }
        let listed: Vec<String> = allowed.iter().map(|v| show(v)).collect();
        let message = format!(
            "{} must be one of {}, not {}",
            place.name(),
            listed.join(", "),
            show(&value)
        );
        let mut diagnostic =
            Diagnostic::new(&rules::INVALID_VALUE, message).at(node.span, "unknown value");
        if let Some(text) = value.as_str() {
            let names = allowed.iter().filter_map(|v| v.as_str());
            if let Some(close) = did_you_mean(text, names) {
                diagnostic = diagnostic.help(format!("did you mean `{close}`?"));
            }
        }
        self.report(diagnostic, place);
    }

    fn enum_value_exists(&self, schema: &Schema, value: &Value) -> bool {
        let Some(text) = value.as_str() else {
            return true;
        };
        schema
            .enum_since
            .get(text)
            .is_none_or(|since| self.version >= *since)
            && schema
                .enum_until
                .get(text)
                .is_none_or(|until| self.version < *until)
    }

    fn gate_message(
        &self,
        what: &str,
        since: Option<&StackVersion>,
        until: Option<&StackVersion>,
    ) -> String {
        let target = self.version;
        match (since, until) {
            (Some(since), _) if target < *since => {
                format!("{what} arrived in Kibana {since}; the target is {target}")
            }
            (_, Some(until)) => {
                format!("{what} was removed in Kibana {until}; the target is {target}")
            }
            _ => format!("{what} is not accepted by Kibana {target}"),
        }
    }

    fn string(&mut self, span: Span, text: &str, schema: &Schema, place: &Place) {
        let length = text.chars().count();
        if let Some(min) = schema.min_length.filter(|min| length < *min) {
            let message = if min == 1 {
                format!("{} must not be empty", place.name())
            } else {
                format!("{} needs at least {min} characters", place.name())
            };
            self.report(
                Diagnostic::new(&rules::INVALID_VALUE, message).at(span, "too short"),
                place,
            );
        }
        if let Some(max) = schema.max_length.filter(|max| length > *max) {
            let message = format!(
                "{} may have at most {max} characters, it has {length}",
                place.name()
            );
            self.report(
                Diagnostic::new(&rules::INVALID_VALUE, message).at(span, "too long"),
                place,
            );
        }
        if let Some(pattern) = schema.pattern.as_ref().filter(|p| !p.is_match(text)) {
            let message = format!(
                "{} does not have the expected form `{}`",
                place.name(),
                pattern.as_str()
            );
            self.report(
                Diagnostic::new(&rules::INVALID_VALUE, message).at(span, "unexpected form"),
                place,
            );
        }
    }

    fn number(&mut self, span: Span, value: f64, schema: &Schema, place: &Place) {
        if let Some(min) = schema.minimum.filter(|min| value < *min) {
            let message = format!("{} must be at least {min}", place.name());
            self.report(
                Diagnostic::new(&rules::INVALID_VALUE, message).at(span, "too small"),
                place,
            );
        }
        if let Some(max) = schema.maximum.filter(|max| value > *max) {
            let message = format!("{} must be at most {max}", place.name());
            self.report(
                Diagnostic::new(&rules::INVALID_VALUE, message).at(span, "too large"),
                place,
            );
        }
    }

    fn seq(&mut self, span: Span, items: &[Node], schema: &Schema, place: &Place) {
        if let Some(min) = schema.min_items.filter(|min| items.len() < *min) {
            let noun = item_noun(schema);
            let message = if min == 1 {
                format!("{} needs at least one {noun}", place.name())
            } else {
                format!("{} needs at least {min} {noun}s", place.name())
            };
            self.report(
                Diagnostic::new(&rules::INVALID_VALUE, message).at(span, "too few"),
                place,
            );
        }
        if let Some(max) = schema.max_items.filter(|max| items.len() > *max) {
            let message = format!(
                "{} may have at most {max} items, it has {}",
                place.name(),
                items.len()
            );
            self.report(
                Diagnostic::new(&rules::INVALID_VALUE, message).at(span, "too many"),
                place,
            );
        }
        if schema.unique_items {
            self.unique(items, place);
        }
        if let Some(item_schema) = &schema.items {
            for (index, item) in items.iter().enumerate() {
                self.node(item, item_schema, &place.index(index));
            }
        }
    }

    fn unique(&mut self, items: &[Node], place: &Place) {
        let values: Vec<Value> = items.iter().map(to_json).collect();
        for (index, item) in items.iter().enumerate() {
            if let Some(first) = values[..index].iter().position(|v| *v == values[index]) {
                let message = format!("{} lists {} twice", place.name(), show(&values[index]));
                let diagnostic = Diagnostic::new(&rules::INVALID_VALUE, message)
                    .at(item.span, "again here")
                    .also(items[first].span, "first here");
                self.report(diagnostic, &place.index(index));
            }
        }
    }

    fn map(&mut self, node: &Node, entries: &[Entry], schema: &Schema, place: &Place) {
        if !schema.one_of.is_empty() {
            if let Some(branch) = self.branch(node, schema, place) {
                self.node(node, branch, place);
            }
            return;
        }
        for entry in entries {
            self.entry(entry, schema, place);
        }
        self.required(node, schema, place);
    }

    fn entry(&mut self, entry: &Entry, schema: &Schema, place: &Place) {
        let inner = place.key(&entry.key);
        if let Some(property) = schema.property(&entry.key) {
            if property.exists_in(self.version) {
                self.node(&entry.value, property, &inner);
            } else {
                let message = self.gate_message(
                    &inner.name(),
                    property.since.as_ref(),
                    property.until.as_ref(),
                );
                self.report(
                    Diagnostic::new(&rules::TOO_NEW, message)
                        .at(entry.key_span, "not in the target version"),
                    &inner,
                );
            }
            return;
        }
        match &schema.additional {
            Additional::Any => {}
            Additional::Each(each) => self.node(&entry.value, each, &inner),
            Additional::Nothing => self.unknown(entry, schema, &inner),
        }
    }

    fn unknown(&mut self, entry: &Entry, schema: &Schema, place: &Place) {
        let what = match &place.parent {
            Some(parent) => format!("`{parent}`"),
            None => with_article(self.noun),
        };
        let message = format!("`{}` is not a field of {what}", entry.key);
        let known = schema
            .properties
            .iter()
            .filter(|(_, s)| s.exists_in(self.version))
            .map(|(name, _)| name.as_str());
        let mut diagnostic =
            Diagnostic::new(&rules::UNKNOWN_FIELD, message).at(entry.key_span, "unknown field");
        if let Some(close) = did_you_mean(&entry.key, known) {
            diagnostic = diagnostic.help(format!(
                "did you mean `{close}`? {}",
                rules::UNKNOWN_FIELD.help
            ));
        }
        self.report(diagnostic, place);
    }

    fn required(&mut self, node: &Node, schema: &Schema, place: &Place) {
        for name in &schema.required {
            let exists = schema
                .property(name)
                .is_none_or(|p| p.exists_in(self.version));
            if exists && node.get(name).is_none() {
                let whose = if place.field.is_empty() {
                    format!("this {}", self.noun)
                } else {
                    place.name()
                };
                let message = format!("{whose} has no `{name}`");
                let span = head_span(node);
                self.report(
                    Diagnostic::new(&rules::MISSING_FIELD, message)
                        .at(span, format!("`{name}` missing")),
                    &place.key(name),
                );
            }
        }
    }
}
