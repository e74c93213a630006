//! Data keys: map keys that are names, not structure (package-policy input and stream
//! names, variable names, proxy header names).
//!
//! Kibana splits every dotted key of kibana.yml into nested maps, except a key written in
//! brackets (`'[system.cpu]'`, 8.14 and later; KIBANA.md §1). Users may write such keys
//! plainly or bracketed; fleetc emits the bracket form exactly when the key has a dot.

use serde_json::{Map, Value};

use crate::model::Kind;

/// A key as the user meant it: `[a.b]` and `a.b` both mean `a.b`.
pub fn bare(key: &str) -> &str {
    key.strip_prefix('[')
        .and_then(|k| k.strip_suffix(']'))
        .unwrap_or(key)
}

/// The key as kibana.yml must say it.
pub fn emitted(key: &str) -> String {
    let bare = bare(key);
    if bare.contains('.') {
        format!("[{bare}]")
    } else {
        bare.to_owned()
    }
}

/// Rewrites the data keys of one emitted item of `kind`.
pub fn rewrite(kind: Kind, item: &mut Value) {
    match kind {
        Kind::AgentPolicy => {
            let package_policies = item
                .get_mut("package_policies")
                .and_then(Value::as_array_mut);
            for package_policy in package_policies.into_iter().flatten() {
                rewrite_package_policy(package_policy);
            }
        }
        Kind::Proxy => rewrite_keys(item.get_mut("proxy_headers")),
        _ => {}
    }
}

/// Map form only: in the list form names are values (`vars: [{ name: ... }]`).
fn rewrite_package_policy(package_policy: &mut Value) {
    rewrite_keys(package_policy.get_mut("vars"));
    let Some(Value::Object(inputs)) = package_policy.get_mut("inputs") else {
        return;
    };
    rewrite_map(inputs);
    for input in inputs.values_mut() {
        rewrite_keys(input.get_mut("vars"));
        let Some(Value::Object(streams)) = input.get_mut("streams") else {
            continue;
        };
        rewrite_map(streams);
        for stream in streams.values_mut() {
            rewrite_keys(stream.get_mut("vars"));
        }
    }
}

fn rewrite_keys(value: Option<&mut Value>) {
    if let Some(Value::Object(map)) = value {
        rewrite_map(map);
    }
}

fn rewrite_map(map: &mut Map<String, Value>) {
    let entries = std::mem::take(map);
    map.extend(
        entries
            .into_iter()
            .map(|(key, value)| (emitted(&key), value)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn brackets_exactly_the_dotted_keys() {
        assert_eq!(emitted("system.cpu"), "[system.cpu]");
        assert_eq!(emitted("[system.cpu]"), "[system.cpu]");
        assert_eq!(emitted("[period]"), "period");
        assert_eq!(emitted("system-system/metrics"), "system-system/metrics");
    }

    #[test]
    fn rewrites_map_form_package_policies_only() {
        let mut policy = json!({ "package_policies": [
            { "inputs": { "system-system/metrics": { "vars": { "system.hostfs": "/h" }, "streams": { "system.cpu": { "vars": { "period": "10s" } } } } } },
            { "inputs": [ { "type": "logfile", "vars": [ { "name": "a.b", "value": { "c.d": 1 } } ] } ] }
        ]});
        rewrite(Kind::AgentPolicy, &mut policy);
        let input = &policy["package_policies"][0]["inputs"]["system-system/metrics"];
        assert_eq!(input["vars"]["[system.hostfs]"], "/h");
        assert_eq!(input["streams"]["[system.cpu]"]["vars"]["period"], "10s");
        assert_eq!(
            policy["package_policies"][1]["inputs"][0]["vars"][0]["value"]["c.d"],
            1
        );
    }
}
