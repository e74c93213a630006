//! Checks: the rules that span items and kinds, run on the validated model.
//!
//! Schemas say what one item may hold; these rules say what the whole repository must be
//! for Kibana to boot and for Fleet setup to succeed (unique ids, one default, references
//! that resolve, host formats), plus fleetc's own hazards. Each module covers one kind.

pub mod hazards;
mod hosts;
mod outputs;
mod packages;
pub mod policies;
mod settings;
pub mod url;
pub mod usage;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Item, Kind, Model};
use crate::rules::Rule;
use crate::version::StackVersion;

/// What the checks look at besides the model.
pub struct Context<'a> {
    pub model: &'a Model,
    pub version: StackVersion,
    /// Whether a secret of this name exists in the store.
    pub secret_exists: &'a dyn Fn(&str) -> bool,
}

/// Runs every check.
pub fn run(context: &Context<'_>) -> Diagnostics {
    let mut found = Diagnostics::default();
    outputs::check(context, &mut found);
    hosts::check(context, &mut found);
    settings::check(context, &mut found);
    policies::check(context, &mut found);
    packages::check(context, &mut found);
    usage::check(context, &mut found);
    hazards::check(context, &mut found);
    found
}

/// Reports every item whose `key` repeats an earlier item's, at the repeat.
fn unique_by(model: &Model, kind: Kind, field: &str, rule: &Rule, found: &mut Diagnostics) {
    let mut seen: std::collections::HashMap<String, &Item> = std::collections::HashMap::new();
    for item in model.of(kind) {
        let Some(value) = item.text(field) else {
            continue;
        };
        match seen.get(&value.value) {
            Some(first) => {
                let first_span = first.text(field).map_or(first.key.span, |v| v.span);
                let message = format!("two {} have the {field} `{}`", kind.plural(), value.value);
                let diagnostic = Diagnostic::new(rule, message)
                    .at(value.span, "used again here")
                    .also(first_span, "first used here");
                found.push(diagnostic.pointer(format!("{}/{field}", item.pointer)));
            }
            None => {
                seen.insert(value.value, item);
            }
        }
    }
}

/// Reports a `proxy_id` that names no declared proxy.
fn proxy_reference(model: &Model, item: &Item, rule: &Rule, found: &mut Diagnostics) {
    let Some(proxy_id) = item.text("proxy_id") else {
        return;
    };
    if model.find(Kind::Proxy, &proxy_id.value).is_none() {
        let message = format!(
            "`proxy_id` names `{}`, which is not a declared proxy",
            proxy_id.value
        );
        let known: Vec<&str> = model
            .of(Kind::Proxy)
            .map(|p| p.key.value.as_str())
            .collect();
        let mut diagnostic = Diagnostic::new(rule, message)
            .at(proxy_id.span, "unknown proxy")
            .pointer(format!("{}/proxy_id", item.pointer));
        if let Some(close) = crate::diagnostic::did_you_mean(&proxy_id.value, known) {
            diagnostic = diagnostic.help(format!("did you mean `{close}`? {}", rule.help));
        }
        found.push(diagnostic);
    }
}
