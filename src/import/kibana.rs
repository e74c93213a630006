//! kibana.yml as Kibana's config reader sees it (KIBANA.md §1, §2).
//!
//! Kibana splits every dotted key into nested maps, at every depth and inside objects that
//! sit in lists (the reader of 8.15.1 and later; older readers mishandled the latter); a key
//! written wholly in brackets, `'[a.b]'`, is one key `a.b`. Paths that meet are merged as
//! lodash's `set` merges them, later writes winning. Then the Fleet plugin's deprecations
//! run: the `unused` keys are dropped and the singular `agents.elasticsearch.host` becomes
//! `agents.elasticsearch.hosts: [host]`. `${VAR}` substitution is not applied: import keeps
//! the references, and [`env_reference`] recognises the ones that are whole values.

use serde_json::{Map, Value};

/// Keys under `xpack.fleet` that Kibana declares `unused` and drops at boot.
pub const UNUSED: [&str; 7] = [
    "agents.kibana",
    "agents.maxConcurrentConnections",
    "agents.agentPolicyRolloutRateLimitIntervalMs",
    "agents.agentPolicyRolloutRateLimitRequestPerInterval",
    "agents.pollingRequestTimeout",
    "agents.tlsCheckDisabled",
    "agents.fleetServerEnabled",
];

/// A key as Kibana splits it: `[a.b]` is one key `a.b`, `a.b` is two.
pub fn split_key(key: &str) -> Vec<&str> {
    match unsplittable(key) {
        Some(inner) => vec![inner],
        None => key.split('.').collect(),
    }
}

/// The inside of a key written wholly in brackets.
pub fn unsplittable(key: &str) -> Option<&str> {
    (key.len() >= 2 && key.starts_with('[') && key.ends_with(']')).then(|| &key[1..key.len() - 1])
}

/// The whole configuration as Kibana reads it from one file.
pub fn read_config(root: &Value) -> Map<String, Value> {
    let mut entries = Vec::new();
    list_entries(root, &mut Vec::new(), &mut entries);
    let mut config = Value::Object(Map::new());
    for (path, value) in entries {
        set(&mut config, &path, value);
    }
    match config {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Leaves of the nested maps at the top, with their split paths; a list or an empty map is
/// a leaf.
fn list_entries(value: &Value, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, Value)>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, inner) in map {
                let depth = path.len();
                path.extend(split_key(key).into_iter().map(str::to_owned));
                list_entries(inner, path, out);
                path.truncate(depth);
            }
        }
        _ if !path.is_empty() => out.push((path.clone(), process(value))),
        _ => {}
    }
}

/// Splits the keys inside a leaf value, lists included.
fn process(value: &Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(process).collect()),
        Value::Object(map) => {
            let mut out = Value::Object(map.clone());
            for (key, inner) in map {
                // Kibana iterates over a snapshot of the entries but mutates the objects
                // they hold: an earlier `k.l` may have added to the map under `k`.
                let current = match (inner, out.get(key)) {
                    (Value::Object(_), Some(now @ Value::Object(_))) => now.clone(),
                    _ => inner.clone(),
                };
                let processed = process(&current);
                let path: Vec<String> = split_key(key).into_iter().map(str::to_owned).collect();
                if (path.len() > 1 || unsplittable(key).is_some())
                    && let Value::Object(object) = &mut out
                {
                    object.shift_remove(key);
                }
                set(&mut out, &path, processed);
            }
            out
        }
        other => other.clone(),
    }
}

/// lodash's `set`: walks `path`, replacing what is not a container by a map (or a list
/// when the next key is an index), and writes `value` at the end.
pub fn set(target: &mut Value, path: &[String], value: Value) {
    let Some((first, rest)) = path.split_first() else {
        *target = value;
        return;
    };
    let slot = match target {
        Value::Object(map) => map.entry(first.clone()).or_insert(Value::Null),
        Value::Array(items) => match first.parse::<usize>() {
            Ok(index) if is_index(first) => {
                if items.len() <= index {
                    items.resize(index + 1, Value::Null);
                }
                &mut items[index]
            }
            _ => return,
        },
        _ => return,
    };
    if rest.is_empty() {
        *slot = value;
        return;
    }
    if !matches!(slot, Value::Object(_) | Value::Array(_)) {
        *slot = if is_index(&rest[0]) {
            Value::Array(Vec::new())
        } else {
            Value::Object(Map::new())
        };
    }
    set(slot, rest, value);
}

fn is_index(key: &str) -> bool {
    key == "0"
        || (!key.starts_with('0') && !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()))
}

/// What Kibana's Fleet deprecations did to the `xpack.fleet` map.
#[derive(Debug, Default, PartialEq)]
pub struct Deprecations {
    /// `unused` keys that were set, in dotted form.
    pub dropped: Vec<String>,
    /// Whether `agents.elasticsearch.host` was rewritten to `hosts`.
    pub renamed_host: bool,
}

/// Applies the Fleet plugin's config deprecations to `fleet` (the map under `xpack.fleet`).
pub fn deprecate(fleet: &mut Map<String, Value>) -> Deprecations {
    let mut done = Deprecations::default();
    for key in UNUSED {
        if remove_path(fleet, key).is_some() {
            done.dropped.push(key.to_owned());
        }
    }
    let host = fleet
        .get_mut("agents")
        .and_then(|a| a.get_mut("elasticsearch"))
        .and_then(Value::as_object_mut);
    if let Some(elasticsearch) = host
        && elasticsearch.get("host").is_some_and(is_truthy)
        && let Some(value) = elasticsearch.shift_remove("host")
    {
        elasticsearch.insert("hosts".to_owned(), Value::Array(vec![value]));
        done.renamed_host = true;
    }
    done
}

/// JavaScript truthiness, as the rename's `if (oldValue)` tests it.
fn is_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// Removes the value at a dotted path of map keys.
fn remove_path(map: &mut Map<String, Value>, path: &str) -> Option<Value> {
    match path.split_once('.') {
        None => map.shift_remove(path),
        Some((first, rest)) => remove_path(map.get_mut(first)?.as_object_mut()?, rest),
    }
}

/// The variable of a string that is exactly one Kibana reference `${WORD}`, as Kibana's
/// `/\$\{(\w+)(:(\w+))?\}/` matches it; `None` for agent-side variables such as
/// `${kubernetes.pod.name}`, defaults (`${VAR:x}`) and mixed text.
pub fn env_reference(text: &str) -> Option<&str> {
    let name = text.strip_prefix("${")?.strip_suffix('}')?;
    is_word(name).then_some(name)
}

/// Whether `text` holds any reference Kibana substitutes (`${WORD}` or `${WORD:WORD}`).
pub fn has_substitution(text: &str) -> bool {
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let candidate = &rest[start + 2..];
        if let Some(end) = candidate.find('}') {
            let inner = &candidate[..end];
            let (name, default) = inner
                .split_once(':')
                .map_or((inner, None), |(n, d)| (n, Some(d)));
            if is_word(name) && default.is_none_or(is_word) {
                return true;
            }
        }
        rest = candidate;
    }
    false
}

/// JavaScript's `\w+`: ASCII letters, digits and `_`.
fn is_word(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn splits_at_every_depth_and_keeps_brackets() {
        let root = json!({
            "xpack.fleet": {
                "agents.fleet_server.hosts": ["https://f:8220"],
                "agentPolicies": [{ "id": "p", "package_policies": [{
                    "inputs": { "system-system/metrics": { "vars": { "[system.hostfs]": "/h", "a.b": 1 } } }
                }]}]
            },
            "xpack.fleet.registryUrl": "https://epr"
        });
        let config = read_config(&root);
        let fleet = &config["xpack"]["fleet"];
        assert_eq!(
            fleet["agents"]["fleet_server"]["hosts"],
            json!(["https://f:8220"])
        );
        assert_eq!(fleet["registryUrl"], json!("https://epr"));
        let vars = &fleet["agentPolicies"][0]["package_policies"][0]["inputs"]["system-system/metrics"]
            ["vars"];
        assert_eq!(vars, &json!({ "system.hostfs": "/h", "a": { "b": 1 } }));
    }

    #[test]
    fn meeting_paths_merge() {
        let root = json!({ "a.b": 1, "a": { "c": 2 }, "x": [{ "k.l": 1, "k": { "m": 2 } }] });
        let config = Value::Object(read_config(&root));
        assert_eq!(
            config,
            json!({ "a": { "b": 1, "c": 2 }, "x": [{ "k": { "l": 1, "m": 2 } }] })
        );
    }

    #[test]
    fn deprecations_as_kibana_applies_them() {
        let mut fleet = json!({ "agents": { "kibana": { "host": "k" }, "tlsCheckDisabled": true, "elasticsearch": { "host": "http://es:9200" } } });
        let fleet = fleet.as_object_mut().unwrap();
        let done = deprecate(fleet);
        assert_eq!(done.dropped, ["agents.kibana", "agents.tlsCheckDisabled"]);
        assert!(done.renamed_host);
        assert_eq!(
            Value::Object(fleet.clone()),
            json!({ "agents": { "elasticsearch": { "hosts": ["http://es:9200"] } } })
        );
    }

    #[test]
    fn env_references() {
        assert_eq!(env_reference("${KIBANA_TOKEN}"), Some("KIBANA_TOKEN"));
        assert_eq!(env_reference("${A_1}"), Some("A_1"));
        for text in [
            "${kubernetes.pod.name}",
            "${A:b}",
            "x${A}",
            "${A}x",
            "${A}${B}",
            "${}",
            "$A",
            "${A-B}",
        ] {
            assert_eq!(env_reference(text), None, "{text}");
        }
        assert!(has_substitution("https://${HOST}:9200"));
        assert!(has_substitution("${A:b}"));
        assert!(!has_substitution(
            "/var/log/*${kubernetes.container.id}.log"
        ));
        assert!(!has_substitution("${a-b} $HOME"));
    }

    proptest! {
        /// A key bracketed by `key_for` reads back, through Kibana's splitting, as itself.
        #[test]
        fn bracketing_round_trips(key in "[a-z\\[\\]._]{1,12}") {
            let written = super::super::declarations::written_key(&key, false);
            let root = json!({ "top": { "list": [{ written.clone(): 1 }] } });
            let config = Value::Object(read_config(&root));
            prop_assert_eq!(&config["top"]["list"][0], &json!({ key.clone(): 1 }), "written as {}", written);
        }

        #[test]
        fn split_key_inverts_join(parts in proptest::collection::vec("[a-z_]{1,5}", 1..5)) {
            let joined = parts.join(".");
            prop_assert_eq!(split_key(&joined), parts.iter().map(String::as_str).collect::<Vec<_>>());
            let bracketed = format!("[{joined}]");
            prop_assert_eq!(split_key(&bracketed), vec![joined.as_str()]);
        }
    }
}
