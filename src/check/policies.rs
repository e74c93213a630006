//! Agent policy and package policy rules (KIBANA.md §5): names, namespaces, the fields
//! Kibana refuses, references to outputs and Fleet Server hosts, and the package policies'
//! own rules.

use std::collections::HashMap;

use super::{Context, unique_by};
use crate::diagnostic::{Diagnostic, Diagnostics, did_you_mean};
use crate::model::{Item, Kind, Model, Value, ValueKind};
use crate::rules::{self, Rule};
use crate::source::Span;
use crate::version::StackVersion;

/// The id Kibana gives the output it derives from `agents.elasticsearch.hosts`, or creates
/// when no output is the default (KIBANA.md §2, §7).
pub const DEFAULT_OUTPUT_ID: &str = "fleet-default-output";

/// The id Kibana gives the Fleet Server host it derives from `agents.fleet_server.hosts`.
pub const DEFAULT_HOST_ID: &str = "fleet-default-fleet-server-host";

/// Since 8.15 a policy may leave out `package_policies` (KIBANA.md §5.2).
const PACKAGE_POLICIES_OPTIONAL: StackVersion = StackVersion::new(8, 15, 0);

/// Synthetics was refused in kibana.yml from 8.8 (KIBANA.md §9).
const SYNTHETICS_REFUSED: StackVersion = StackVersion::new(8, 8, 0);

pub fn check(context: &Context<'_>, found: &mut Diagnostics) {
    let model = context.model;
    unique_by(
        model,
        Kind::AgentPolicy,
        "id",
        &rules::POLICY_DUPLICATE_ID,
        found,
    );
    unique_by(
        model,
        Kind::AgentPolicy,
        "name",
        &rules::POLICY_DUPLICATE_NAME,
        found,
    );
    let mut seen = SeenPackagePolicies::default();
    for policy in model.of(Kind::AgentPolicy) {
        deprecated(policy, found);
        namespace(
            policy.get("namespace"),
            &format!("{}/namespace", policy.pointer),
            &rules::NAMESPACE_INVALID,
            found,
        );
        required_package_policies(context.version, policy, found);
        overrides(policy, found);
        global_data_tags(policy, found);
        references(model, policy, found);
        package_policies(context.version, policy, &mut seen, found);
    }
}

/// The package policies of a policy.
pub fn package_policies_of(policy: &Item) -> &[Value] {
    policy
        .get("package_policies")
        .map(Value::items)
        .unwrap_or_default()
}

/// The package a package policy uses.
pub fn package_of(package_policy: &Value) -> Option<&Value> {
    package_policy.path("package.name")
}

fn deprecated(policy: &Item, found: &mut Diagnostics) {
    for flag in ["is_default", "is_default_fleet_server"] {
        if let Some(field) = policy.body.field(flag) {
            let message = format!("`{flag}` on agent policies is deprecated");
            let diagnostic = Diagnostic::new(&rules::POLICY_DEPRECATED, message)
                .at(field.key_span, "deprecated");
            found.push(diagnostic.pointer(format!("{}/{flag}", policy.pointer)));
        }
    }
}

/// Kibana's namespace rules, in its order: first failure wins (KIBANA.md §5.3).
pub fn namespace_problem(namespace: &str) -> Option<&'static str> {
    const FORBIDDEN: &[char] = &['*', '\\', '/', '?', '"', '<', '>', '|', ',', '#', ':', '-'];
    if namespace.trim().is_empty() {
        Some("a namespace is required")
    } else if namespace.to_lowercase() != namespace {
        Some("a namespace must be lower case")
    } else if namespace
        .chars()
        .any(|c| FORBIDDEN.contains(&c) || c.is_whitespace())
    {
        Some("a namespace may not contain `* \\ / ? \" < > | , # : -` or white space")
    } else if namespace.len() > 100 {
        Some("a namespace may be at most 100 bytes long")
    } else {
        None
    }
}

fn namespace(value: Option<&Value>, pointer: &str, rule: &Rule, found: &mut Diagnostics) {
    let Some(value) = value else { return };
    let Some(text) = value.as_str() else { return };
    if let Some(problem) = namespace_problem(text) {
        let message = format!("`{text}` is not a valid namespace: {problem}");
        found.push(
            Diagnostic::new(rule, message)
                .at(value.span, "invalid namespace")
                .pointer(pointer),
        );
    }
}

fn required_package_policies(version: StackVersion, policy: &Item, found: &mut Diagnostics) {
    if version < PACKAGE_POLICIES_OPTIONAL && policy.get("package_policies").is_none() {
        let message = format!(
            "the policy `{}` has no `package_policies`, which Kibana {version} requires",
            policy.key.value
        );
        let diagnostic = Diagnostic::new(&rules::PACKAGE_POLICIES_REQUIRED, message)
            .at(policy.key.span, "policy without package_policies");
        found.push(diagnostic.pointer(format!("{}/package_policies", policy.pointer)));
    }
}

fn overrides(policy: &Item, found: &mut Diagnostics) {
    let Some(overrides) = policy.get("overrides") else {
        return;
    };
    for field in overrides.fields() {
        // Kibana tests each key against `/^inputs(\.)?/`.
        if field.key.starts_with("inputs") {
            let message = format!(
                "`overrides` may not touch `inputs`, but has the key `{}`",
                field.key
            );
            let diagnostic = Diagnostic::new(&rules::OVERRIDES_INPUTS, message)
                .at(field.key_span, "inputs override");
            found.push(diagnostic.pointer(format!("{}/overrides", policy.pointer)));
        }
    }
}

fn global_data_tags(policy: &Item, found: &mut Diagnostics) {
    let tags = policy
        .get("global_data_tags")
        .map(Value::items)
        .unwrap_or_default();
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for tag in tags {
        let Some(name) = tag.get("name").filter(|n| n.as_str().is_some()) else {
            continue;
        };
        let text = name.as_str().unwrap_or_default();
        let problem = if text.contains(char::is_whitespace) {
            Some(format!(
                "the global data tag name `{text}` contains white space"
            ))
        } else {
            seen.insert(text, name.span)
                .map(|_| format!("the global data tag `{text}` is given twice"))
        };
        if let Some(message) = problem {
            let diagnostic = Diagnostic::new(&rules::GLOBAL_DATA_TAGS, message)
                .at(name.span, "invalid tag name");
            found.push(diagnostic.pointer(format!("{}/global_data_tags", policy.pointer)));
        }
    }
}

/// `data_output_id`, `monitoring_output_id` and `fleet_server_host_id` must name items.
fn references(model: &Model, policy: &Item, found: &mut Diagnostics) {
    for field in ["data_output_id", "monitoring_output_id"] {
        if let Some(id) = policy.get(field) {
            reference(
                model,
                id,
                Kind::Output,
                field,
                &format!("{}/{field}", policy.pointer),
                found,
            );
        }
    }
    for (index, package_policy) in package_policies_of(policy).iter().enumerate() {
        if let Some(id) = package_policy.get("output_id") {
            let pointer = format!("{}/package_policies/{index}/output_id", policy.pointer);
            reference(model, id, Kind::Output, "output_id", &pointer, found);
        }
    }
    if let Some(id) = policy.get("fleet_server_host_id") {
        reference(
            model,
            id,
            Kind::FleetServerHost,
            "fleet_server_host_id",
            &format!("{}/fleet_server_host_id", policy.pointer),
            found,
        );
    }
}

/// Reports an id that names no declared item of `kind` (nor one Kibana creates itself).
pub fn reference(
    model: &Model,
    id: &Value,
    kind: Kind,
    field: &str,
    pointer: &str,
    found: &mut Diagnostics,
) {
    let Some(text) = id.as_str() else { return };
    if model.find(kind, text).is_some() || created_by_kibana(model, kind, text) {
        return;
    }
    let message = format!(
        "`{field}` names `{text}`, which is not a declared {}",
        kind.noun()
    );
    let mut diagnostic = Diagnostic::new(&rules::UNKNOWN_REFERENCE, message)
        .at(id.span, format!("unknown {}", kind.noun()))
        .pointer(pointer);
    let known: Vec<&str> = model.of(kind).map(|item| item.key.value.as_str()).collect();
    if let Some(close) = did_you_mean(text, known) {
        diagnostic = diagnostic.help(format!(
            "did you mean `{close}`? {}",
            rules::UNKNOWN_REFERENCE.help
        ));
    }
    found.push(diagnostic);
}

/// Kibana adds `fleet-default-output` when no declared output is the default (or from
/// `agents.elasticsearch.hosts`), and `fleet-default-fleet-server-host` from
/// `agents.fleet_server.hosts`.
fn created_by_kibana(model: &Model, kind: Kind, id: &str) -> bool {
    match kind {
        Kind::Output => {
            id == DEFAULT_OUTPUT_ID && model.first_flagged(Kind::Output, "is_default").is_none()
        }
        Kind::FleetServerHost => {
            id == DEFAULT_HOST_ID && model.setting("agents.fleet_server.hosts").is_some()
        }
        _ => false,
    }
}

/// Package policy ids seen so far, across all policies: Fleet stores package policies as
/// saved objects of their own, so an id names one package policy in the whole Kibana.
/// Names need only be unique within their policy, where setup matches by name
/// (preconfiguration skips Fleet's global name check: docker-elk's two policies both
/// hold a `system-1`).
#[derive(Default)]
struct SeenPackagePolicies {
    ids: HashMap<String, Span>,
}

fn package_policies(
    version: StackVersion,
    policy: &Item,
    seen: &mut SeenPackagePolicies,
    found: &mut Diagnostics,
) {
    let mut names = HashMap::new();
    for (index, package_policy) in package_policies_of(policy).iter().enumerate() {
        let pointer = format!("{}/package_policies/{index}", policy.pointer);
        let map_form = matches!(
            package_policy.get("inputs").map(|i| &i.kind),
            Some(ValueKind::Map(_))
        );
        let rule = if map_form {
            &rules::PACKAGE_POLICY_NAMESPACE
        } else {
            &rules::NAMESPACE_INVALID
        };
        let namespace_value = package_policy
            .get("namespace")
            .filter(|n| !(n.as_str() == Some("") && map_form));
        namespace(
            namespace_value,
            &format!("{pointer}/namespace"),
            rule,
            found,
        );
        synthetics(version, package_policy, map_form, &pointer, found);
        if map_form {
            data_keys(version, package_policy, &pointer, found);
        }
        missing_id(package_policy, &pointer, found);
        duplicate(package_policy, "id", &mut seen.ids, &pointer, found);
        duplicate(package_policy, "name", &mut names, &pointer, found);
    }
}

fn synthetics(
    version: StackVersion,
    package_policy: &Value,
    map_form: bool,
    pointer: &str,
    found: &mut Diagnostics,
) {
    let Some(package) = package_of(package_policy).filter(|p| p.as_str() == Some("synthetics"))
    else {
        return;
    };
    // Kibana checks the list form only; the map form goes on to fail in the Synthetics app.
    if version >= SYNTHETICS_REFUSED && !map_form {
        let message = "the `synthetics` package cannot be configured in kibana.yml";
        found.push(
            Diagnostic::new(&rules::SYNTHETICS, message)
                .at(package.span, "synthetics")
                .pointer(format!("{pointer}/package/name")),
        );
    }
}

/// The 8.15.1 fix for dotted keys inside objects in arrays (KIBANA.md §1, PR #190590).
const ARRAY_KEY_FIX: StackVersion = StackVersion::new(8, 15, 1);

/// The data-key maps of a map-form package policy: its `vars`, its inputs, their `vars`
/// and `streams`, and the streams' `vars`.
fn data_key_maps(package_policy: &Value) -> Vec<&Value> {
    let mut maps: Vec<&Value> = package_policy.get("vars").into_iter().collect();
    let Some(inputs) = package_policy.get("inputs") else {
        return maps;
    };
    maps.push(inputs);
    for input in inputs.fields() {
        maps.extend(input.value.get("vars"));
        if let Some(streams) = input.value.get("streams") {
            maps.push(streams);
            maps.extend(streams.fields().iter().filter_map(|s| s.value.get("vars")));
        }
    }
    maps
}

fn data_keys(
    version: StackVersion,
    package_policy: &Value,
    pointer: &str,
    found: &mut Diagnostics,
) {
    let mut warned = false;
    for map in data_key_maps(package_policy) {
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for field in map.fields() {
            let bare = crate::emit::keys::bare(&field.key);
            if let Some(first) = seen.insert(bare, field.key_span) {
                let message = format!("`{}` names the key `{bare}` a second time", field.key);
                let diagnostic = Diagnostic::new(&rules::DATA_KEY_TWICE, message)
                    .at(field.key_span, "same key")
                    .also(first, "first here");
                found.push(diagnostic.pointer(pointer));
            }
            if bare.contains('.') && version < ARRAY_KEY_FIX && !warned {
                warned = true;
                let message = format!(
                    "the dotted key `{bare}` is emitted as `[{bare}]`, which Kibana {version} may mishandle"
                );
                found.push(
                    Diagnostic::new(&rules::DOTTED_KEY_IN_ARRAY, message)
                        .at(field.key_span, "dotted key")
                        .pointer(pointer),
                );
            }
        }
    }
}

fn missing_id(package_policy: &Value, pointer: &str, found: &mut Diagnostics) {
    if package_policy.get("id").is_none() {
        let name = package_policy
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let span = package_policy
            .field("name")
            .map_or(package_policy.span, |f| f.key_span);
        let message = format!("the package policy `{name}` has no `id`");
        found.push(
            Diagnostic::new(&rules::PACKAGE_POLICY_ID, message)
                .at(span, "no id")
                .pointer(pointer),
        );
    }
}

fn duplicate(
    package_policy: &Value,
    field: &str,
    seen: &mut HashMap<String, Span>,
    pointer: &str,
    found: &mut Diagnostics,
) {
    let Some(value) = package_policy.get(field).and_then(Value::spanned_str) else {
        return;
    };
    if let Some(first) = seen.insert(value.value.clone(), value.span) {
        let message = format!("two package policies have the {field} `{}`", value.value);
        let diagnostic = Diagnostic::new(&rules::PACKAGE_POLICY_DUPLICATE, message)
            .at(value.span, "again here")
            .also(first, "first here");
        found.push(diagnostic.pointer(format!("{pointer}/{field}")));
    }
}

#[cfg(test)]
mod tests {
    use super::namespace_problem;

    #[test]
    fn namespace_rules_in_kibanas_order() {
        assert_eq!(namespace_problem("prod"), None);
        assert_eq!(namespace_problem("team_a.eu"), None);
        assert_eq!(namespace_problem(" "), Some("a namespace is required"));
        assert_eq!(
            namespace_problem("Prod-1"),
            Some("a namespace must be lower case")
        );
        for bad in [
            "a-b", "a b", "a:b", "a#b", "a,b", "a|b", "a*b", "a/b", "a\\b", "a?b", "a\"b", "a<b",
            "a>b",
        ] {
            assert!(
                namespace_problem(bad).is_some_and(|p| p.contains("may not contain")),
                "{bad}"
            );
        }
        assert!(namespace_problem(&"é".repeat(51)).is_some_and(|p| p.contains("100 bytes")));
        assert_eq!(namespace_problem(&"a".repeat(100)), None);
    }
}
