//! From parsed files to the model: the shape of each file, then each item's schema.
//!
//! A declaration file is a map of the five lists and `settings`. Each item is validated
//! against its kind's schema for the target version (in parallel: items are independent);
//! the items that pass become the [`Model`]. Items with errors are left out of the model so
//! that the checks after this stage do not pile findings on a broken item.

use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Diagnostics, did_you_mean};
use crate::load::DeclarationFile;
use crate::model::{Item, Kind, Model, Setting, Value};
use crate::rules;
use crate::schema;
use crate::source::Spanned;
use crate::tree::{Entry, Node, NodeValue};
use crate::validate::{self, Place};
use crate::version::StackVersion;

/// The top-level key for other `xpack.fleet.*` settings.
pub const SETTINGS: &str = "settings";

/// Keys whose values are credentials wherever they appear (KIBANA.md §3.7, §4.1, §4.2).
const CREDENTIAL_KEYS: [&str; 7] = [
    "service_token",
    "password",
    "key",
    "es_key",
    "agent_key",
    "kibana_api_key",
    "certificate_key",
];

/// Spans of literal values under credential keys, in every file, valid or not: the
/// printer must never quote them.
pub fn credential_spans(files: &[DeclarationFile]) -> Vec<crate::source::Span> {
    let mut spans = Vec::new();
    for file in files {
        credentials_in(&file.root, &mut spans);
    }
    spans
}

fn credentials_in(node: &Node, spans: &mut Vec<crate::source::Span>) {
    match &node.value {
        NodeValue::Map(entries) => {
            for entry in entries {
                if CREDENTIAL_KEYS.contains(&entry.key.as_str())
                    && !matches!(entry.value.value, NodeValue::Map(_) | NodeValue::Seq(_))
                {
                    spans.push(entry.value.span);
                } else {
                    credentials_in(&entry.value, spans);
                }
            }
        }
        NodeValue::Seq(items) => items.iter().for_each(|item| credentials_in(item, spans)),
        _ => {}
    }
}

/// A raw item waiting for validation.
struct Pending<'a> {
    kind: Kind,
    node: &'a Node,
    pointer: String,
}

/// Validates every file and builds the model from what passes.
pub fn build(files: &[DeclarationFile], version: StackVersion) -> (Model, Diagnostics) {
    let mut found = Diagnostics::default();
    let mut pending = Vec::new();
    let mut settings = Vec::new();
    for file in files {
        collect(&file.root, &mut pending, &mut settings, &mut found);
    }
    let validated: Vec<(Option<Item>, Diagnostics)> = pending
        .par_iter()
        .map(|item| validate_item(item, version))
        .collect();
    let mut items = Vec::new();
    for (item, diagnostics) in validated {
        found.extend(diagnostics);
        items.extend(item);
    }
    let settings = validate_settings(&settings, version, &mut found);
    (Model::new(items, settings), found)
}

fn collect<'a>(
    root: &'a Node,
    pending: &mut Vec<Pending<'a>>,
    settings: &mut Vec<&'a Entry>,
    found: &mut Diagnostics,
) {
    let Some(entries) = root.entries() else {
        let message = format!(
            "a declaration file must be a map of lists, not {}",
            root.type_name()
        );
        found.push(
            Diagnostic::new(&rules::NOT_A_DECLARATION_FILE, message).at(root.span, "not a map"),
        );
        return;
    };
    for entry in entries {
        if entry.key == SETTINGS {
            collect_settings(entry, settings, found);
            continue;
        }
        let Some(kind) = Kind::from_list(&entry.key) else {
            found.push(unknown_list(entry));
            continue;
        };
        let Some(items) = entry.value.as_seq() else {
            let message = format!(
                "`{}` must be a list, not {}",
                entry.key,
                entry.value.type_name()
            );
            found.push(
                Diagnostic::new(&rules::INVALID_VALUE, message)
                    .at(entry.value.span, "not a list")
                    .pointer(format!("/{}", entry.key)),
            );
            continue;
        };
        for (index, node) in items.iter().enumerate() {
            pending.push(Pending {
                kind,
                node,
                pointer: format!("/{}/{index}", entry.key),
            });
        }
    }
}

fn unknown_list(entry: &Entry) -> Diagnostic {
    let lists = Kind::ALL.map(Kind::list);
    let message = format!("`{}` is not a list fleetc knows", entry.key);
    let mut diagnostic = Diagnostic::new(&rules::NOT_A_DECLARATION_FILE, message)
        .at(entry.key_span, "unknown list")
        .pointer(format!("/{}", entry.key));
    if let Some(close) = did_you_mean(&entry.key, lists.into_iter().chain([SETTINGS])) {
        diagnostic = diagnostic.help(format!(
            "did you mean `{close}`? {}",
            rules::NOT_A_DECLARATION_FILE.help
        ));
    }
    diagnostic
}

fn collect_settings<'a>(entry: &'a Entry, settings: &mut Vec<&'a Entry>, found: &mut Diagnostics) {
    match &entry.value.value {
        NodeValue::Map(entries) => settings.extend(entries.iter()),
        _ => {
            let message = format!("`settings` must be a map, not {}", entry.value.type_name());
            found.push(
                Diagnostic::new(&rules::INVALID_VALUE, message)
                    .at(entry.value.span, "not a map")
                    .pointer("/settings"),
            );
        }
    }
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
        pending.node,
        schema,
        version,
        kind.noun(),
        Place::root(pending.pointer.clone()),
    );
    found.extend(diagnostics.into_iter().map(|d| specific(kind, d)));
    if found.has_errors() {
        return (None, found);
    }
    let body = Value::from_node(pending.node);
    let key = body.get(kind.key_field()).and_then(Value::spanned_str);
    let item = key.map(|key| Item {
        kind,
        key,
        pointer: pending.pointer.clone(),
        body,
    });
    (item, found)
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
    entries: &[&Entry],
    version: StackVersion,
    found: &mut Diagnostics,
) -> Vec<Setting> {
    let schema = schema::compiled(SETTINGS);
    let mut settings = Vec::new();
    for entry in entries {
        let wrapper = Node::new(entry.key_span, NodeValue::Map(vec![(*entry).clone()]));
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
