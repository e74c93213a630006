//! Validation into the model: each collected declaration against its kind's schema.
//!
//! Each item (after `collect`, `merge` and `render`) is validated
//! against its kind's schema for the target version (in parallel: items are independent);
//! the items that pass become the [`Model`]. Items with errors are left out of the model so
//! that the checks after this stage do not pile findings on a broken item.

use rayon::prelude::*;

use std::borrow::Cow;

use crate::collect::{Collected, Pending, SETTINGS};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Item, Kind, Model, Setting, Value};
use crate::rules;
use crate::schema;
use crate::source::{Span, Spanned};
use crate::tree::{Entry, Node, NodeValue};
use crate::validate::{self, Place};
use crate::version::StackVersion;

/// Validates every collected declaration and builds the model from what passes.
pub fn build(collected: &Collected<'_>, version: StackVersion) -> (Model, Diagnostics) {
    let mut found = Diagnostics::default();
    let validated: Vec<(Option<Item>, Diagnostics)> = collected
        .items
        .par_iter()
        .map(|item| validate_item(item, version))
        .collect();
    let mut items = Vec::new();
    for (item, diagnostics) in validated {
        found.extend(diagnostics);
        items.extend(item);
    }
    let settings = validate_settings(&collected.settings, version, &mut found);
    (Model::new(items, settings), found)
}

fn validate_item(pending: &Pending<'_>, version: StackVersion) -> (Option<Item>, Diagnostics) {
    let kind = pending.kind;
    let schema = schema::compiled(kind.list());
    let mut found = Diagnostics::default();
    if let Some(gate) = kind_gate(kind).filter(|since| version < *since) {
        let message = format!(
            "`{}` arrived in Kibana {gate}; the target is {version}",
            kind.list()
        );
        found.push(
            Diagnostic::new(&rules::TOO_NEW, message)
                .at(pending.node.span, "not in the target version")
                .pointer(pending.pointer.clone()),
        );
        return (None, found);
    }
    let diagnostics = validate::validate(
        &pending.node,
        schema,
        version,
        kind.noun(),
        Place::root(pending.pointer.clone()),
    );
    found.extend(
        diagnostics
            .into_iter()
            .map(|d| with_base(specific(kind, d), pending.base)),
    );
    if found.has_errors() {
        return (None, found);
    }
    let body = Value::from_node(&pending.node);
    let key = body.get(kind.key_field()).and_then(Value::spanned_str);
    let item = key.map(|key| Item {
        kind,
        key,
        pointer: pending.pointer.clone(),
        body,
    });
    (item, found)
}

/// A finding in an overlay file about a patched item also points at the base item.
fn with_base(diagnostic: Diagnostic, base: Option<Span>) -> Diagnostic {
    let in_other_file = |base: &Span| {
        diagnostic
            .primary
            .as_ref()
            .is_some_and(|l| l.span.file != base.file)
    };
    match base.filter(in_other_file) {
        Some(base) => diagnostic.also(base, "the base item this overlay patches"),
        None => diagnostic,
    }
}

/// Replaces a generic schema finding with the rule that explains it better.
fn specific(kind: Kind, diagnostic: Diagnostic) -> Diagnostic {
    let pointer = diagnostic.pointer.as_deref().unwrap_or_default();
    match (kind, diagnostic.code) {
        (Kind::Output, "schema/unknown-field") if pointer.ends_with("/config_yaml") => {
            let message = "kibana.yml may not hold `config_yaml`; Kibana takes `config` instead";
            Diagnostic {
                message: message.to_owned(),
                ..diagnostic.retag(&rules::OUTPUT_CONFIG_YAML)
            }
        }
        (Kind::Output, "schema/version-gate")
            if pointer.ends_with("/topics") || pointer.ends_with("/topic") =>
        {
            diagnostic.retag(&rules::KAFKA_TOPIC)
        }
        _ => diagnostic,
    }
}

/// The release that brought each list to kibana.yml (KIBANA.md §9).
fn kind_gate(kind: Kind) -> Option<StackVersion> {
    match kind {
        Kind::FleetServerHost => Some(StackVersion::new(8, 6, 0)),
        Kind::Proxy => Some(StackVersion::new(8, 7, 0)),
        _ => None,
    }
}

fn validate_settings(
    entries: &[Cow<'_, Entry>],
    version: StackVersion,
    found: &mut Diagnostics,
) -> Vec<Setting> {
    let schema = schema::compiled(SETTINGS);
    let mut settings = Vec::new();
    for entry in entries {
        let wrapper = Node::new(
            entry.key_span,
            NodeValue::Map(vec![entry.clone().into_owned()]),
        );
        let diagnostics = validate::validate(
            &wrapper,
            schema,
            version,
            "settings map",
            Place::root("/settings"),
        );
        let failed = diagnostics.has_errors();
        found.extend(diagnostics);
        if !failed {
            let key = Spanned::new(entry.key.clone(), entry.key_span);
            settings.push(Setting {
                key,
                pointer: format!(
                    "/settings/{}",
                    entry.key.replace('~', "~0").replace('/', "~1")
                ),
                value: Value::from_node(&entry.value),
            });
        }
    }
    settings
}
