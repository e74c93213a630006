//! Which outputs policies really use, and the rules that follow from it (KIBANA.md §3.9,
//! §S): output types per package, Elastic Defend and remote outputs, licences, and the
//! assets a remote cluster needs when integrations are not synced.

use std::collections::{BTreeMap, BTreeSet};

use super::Context;
use super::policies::{package_of, package_policies_of};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Item, Kind, Model, Value};
use crate::rules;

/// Packages whose policies may only send data to `elasticsearch` outputs.
const ELASTICSEARCH_ONLY: [&str; 3] = ["fleet_server", "apm", "synthetics"];

/// Where a policy's data or monitoring goes.
#[derive(Clone, Copy)]
pub enum Target<'a> {
    /// A declared output.
    Declared(&'a Item),
    /// `fleet-default-output`, the `elasticsearch` output Kibana makes itself.
    KibanaDefault,
}

impl<'a> Target<'a> {
    pub fn output_type(self) -> &'a str {
        match self {
            Target::Declared(output) => output
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or_default(),
            Target::KibanaDefault => "elasticsearch",
        }
    }

    pub fn id(self) -> &'a str {
        match self {
            Target::Declared(output) => &output.key.value,
            Target::KibanaDefault => super::policies::DEFAULT_OUTPUT_ID,
        }
    }
}

/// The output of a policy's data: `data_output_id`, else the default output.
pub fn data_output<'a>(model: &'a Model, policy: &Item) -> Option<Target<'a>> {
    match policy.text("data_output_id") {
        Some(id) => model.find(Kind::Output, &id.value).map(Target::Declared),
        None => Some(default_with(model, "is_default")),
    }
}

/// The output of a policy's monitoring: `monitoring_output_id`, else the default for
/// monitoring, else the default output.
pub fn monitoring_output<'a>(model: &'a Model, policy: &Item) -> Option<Target<'a>> {
    match policy.text("monitoring_output_id") {
        Some(id) => model.find(Kind::Output, &id.value).map(Target::Declared),
        None => Some(
            match model.first_flagged(Kind::Output, "is_default_monitoring") {
                Some(output) => Target::Declared(output),
                None => default_with(model, "is_default"),
            },
        ),
    }
}

fn default_with<'a>(model: &'a Model, flag: &str) -> Target<'a> {
    model
        .first_flagged(Kind::Output, flag)
        .map_or(Target::KibanaDefault, Target::Declared)
}

/// The package names of a policy's package policies.
fn packages(policy: &Item) -> Vec<&Value> {
    package_policies_of(policy)
        .iter()
        .filter_map(package_of)
        .collect()
}

pub fn check(context: &Context<'_>, found: &mut Diagnostics) {
    let model = context.model;
    for policy in model.of(Kind::AgentPolicy) {
        output_types(model, policy, found);
        package_output_types(model, policy, found);
        endpoint(model, policy, found);
        licences(policy, found);
    }
    remote_assets(model, found);
}

fn output_types(model: &Model, policy: &Item, found: &mut Diagnostics) {
    let restricted = packages(policy)
        .into_iter()
        .find(|p| p.as_str().is_some_and(|n| ELASTICSEARCH_ONLY.contains(&n)));
    let reason = match (restricted, policy.flag("has_fleet_server")) {
        (Some(package), _) => format!(
            "uses the package `{}`",
            package.as_str().unwrap_or_default()
        ),
        (None, true) => "has `has_fleet_server`".to_owned(),
        (None, false) => return,
    };
    let Some(target) = data_output(model, policy).filter(|t| t.output_type() != "elasticsearch")
    else {
        return;
    };
    let message = format!(
        "the policy `{}` {reason}, so its data must go to an `elasticsearch` output, not the `{}` output `{}`",
        policy.key.value,
        target.output_type(),
        target.id()
    );
    let diagnostic = match policy.get("data_output_id") {
        Some(id) => Diagnostic::new(&rules::OUTPUT_TYPE, message).at(id.span, "not elasticsearch"),
        None => Diagnostic::new(&rules::OUTPUT_TYPE, message)
            .at(policy.key.span, "uses the default output")
            .help(format!("set `data_output_id` to an `elasticsearch` output: the default output `{}` is of type `{}`; {}", target.id(), target.output_type(), rules::OUTPUT_TYPE.help)),
    };
    found.push(diagnostic.pointer(format!("{}/data_output_id", policy.pointer)));
}

fn package_output_types(model: &Model, policy: &Item, found: &mut Diagnostics) {
    for (index, package_policy) in package_policies_of(policy).iter().enumerate() {
        let Some(name) = package_of(package_policy)
            .and_then(Value::as_str)
            .filter(|n| ELASTICSEARCH_ONLY.contains(n))
        else {
            continue;
        };
        let Some(id) = package_policy
            .get("output_id")
            .filter(|id| id.as_str().is_some())
        else {
            continue;
        };
        let Some(output) = model.find(Kind::Output, id.as_str().unwrap_or_default()) else {
            continue;
        };
        let output_type = Target::Declared(output).output_type();
        if output_type != "elasticsearch" {
            let message = format!(
                "the package `{name}` cannot send data to the `{output_type}` output `{}`",
                output.key.value
            );
            let diagnostic =
                Diagnostic::new(&rules::OUTPUT_TYPE, message).at(id.span, "not elasticsearch");
            found.push(diagnostic.pointer(format!(
                "{}/package_policies/{index}/output_id",
                policy.pointer
            )));
        }
    }
}

fn endpoint(model: &Model, policy: &Item, found: &mut Diagnostics) {
    let Some(package) = packages(policy)
        .into_iter()
        .find(|p| p.as_str() == Some("endpoint"))
    else {
        return;
    };
    let own_outputs = package_policies_of(policy)
        .iter()
        .filter(|p| package_of(p).and_then(Value::as_str) == Some("endpoint"))
        .filter_map(|p| p.get("output_id").and_then(Value::as_str))
        .filter_map(|id| model.find(Kind::Output, id))
        .map(|output| ("data", Some(Target::Declared(output))));
    let mut targets = vec![
        ("data", data_output(model, policy)),
        ("monitoring", monitoring_output(model, policy)),
    ];
    targets.extend(own_outputs);
    for (what, target) in targets {
        let Some(target) = target.filter(|t| t.output_type() == "remote_elasticsearch") else {
            continue;
        };
        let message = format!(
            "the policy `{}` runs Elastic Defend and sends its {what} to the remote output `{}`",
            policy.key.value,
            target.id()
        );
        found.push(
            Diagnostic::new(&rules::ENDPOINT_REMOTE, message)
                .at(package.span, "Elastic Defend")
                .pointer(policy.pointer.clone()),
        );
    }
}

fn licences(policy: &Item, found: &mut Diagnostics) {
    let exempt = packages(policy)
        .iter()
        .any(|p| matches!(p.as_str(), Some("fleet_server" | "synthetics")));
    if exempt {
        return;
    }
    let fields: Vec<_> = ["data_output_id", "monitoring_output_id"]
        .into_iter()
        .filter_map(|f| policy.body.field(f))
        .collect();
    if let Some(first) = fields.first() {
        let names: Vec<String> = fields.iter().map(|f| format!("`{}`", f.key)).collect();
        let message = format!(
            "{} on the policy `{}` need a Platinum licence",
            names.join(" and "),
            policy.key.value
        );
        let message = if fields.len() == 1 {
            message.replace(" need ", " needs ")
        } else {
            message
        };
        let diagnostic = Diagnostic::new(&rules::OUTPUT_LICENCE, message)
            .at(first.key_span, "per-policy output");
        found.push(diagnostic.pointer(format!("{}/{}", policy.pointer, first.key)));
    }
    for (index, package_policy) in package_policies_of(policy).iter().enumerate() {
        if let Some(field) = package_policy.field("output_id") {
            let message = "`output_id` on a package policy needs an Enterprise licence";
            let pointer = format!("{}/package_policies/{index}/output_id", policy.pointer);
            found.push(
                Diagnostic::new(&rules::OUTPUT_LICENCE, message)
                    .at(field.key_span, "per-integration output")
                    .pointer(pointer),
            );
        }
    }
}

/// For each remote output: the licence that syncing needs, or the packages whose assets
/// must be installed on the remote cluster by hand.
fn remote_assets(model: &Model, found: &mut Diagnostics) {
    let used = packages_by_output(model);
    let remote = model
        .of(Kind::Output)
        .filter(|o| Target::Declared(o).output_type() == "remote_elasticsearch");
    for output in remote {
        let sync = output
            .body
            .field("sync_integrations")
            .filter(|f| f.value.as_bool() == Some(true));
        if let Some(sync) = sync {
            let message = format!(
                "`sync_integrations` on `{}` needs an Enterprise licence",
                output.key.value
            );
            let diagnostic = Diagnostic::new(&rules::SYNC_LICENCE, message)
                .at(sync.key_span, "needs Enterprise");
            found.push(diagnostic.pointer(format!("{}/sync_integrations", output.pointer)));
            continue;
        }
        let Some(packages) = used
            .get(output.key.value.as_str())
            .filter(|p| !p.is_empty())
        else {
            continue;
        };
        let list: Vec<String> = packages.iter().map(|p| format!("`{p}`")).collect();
        let message = format!(
            "install the assets of {} on the cluster behind the remote output `{}`",
            list.join(", "),
            output.key.value
        );
        let diagnostic =
            Diagnostic::new(&rules::REMOTE_ASSETS, message).at(output.key.span, "remote output");
        found.push(diagnostic.pointer(output.pointer.clone()));
    }
}

/// The packages whose data each declared output receives, `elastic_agent` for monitoring.
fn packages_by_output(model: &Model) -> BTreeMap<&str, BTreeSet<String>> {
    let mut used: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for policy in model.of(Kind::AgentPolicy) {
        let policy_output = data_output(model, policy);
        for package_policy in package_policies_of(policy) {
            let Some(name) = package_of(package_policy).and_then(Value::as_str) else {
                continue;
            };
            // A package policy's own `output_id` wins over the policy's data output.
            let output = match package_policy.get("output_id").and_then(Value::as_str) {
                Some(id) => model.find(Kind::Output, id).map(Target::Declared),
                None => policy_output,
            };
            if let Some(Target::Declared(output)) = output {
                used.entry(&output.key.value)
                    .or_default()
                    .insert(name.to_owned());
            }
        }
        let monitoring_off = policy
            .get("monitoring_enabled")
            .is_some_and(|m| m.items().is_empty());
        if let (false, Some(Target::Declared(output))) =
            (monitoring_off, monitoring_output(model, policy))
        {
            used.entry(&output.key.value)
                .or_default()
                .insert("elastic_agent".to_owned());
        }
    }
    used
}
