//! From the `xpack.fleet` map Kibana reads to fleetc declarations.
//!
//! The five lists become declaration lists under fleetc's names, the settings fleetc models
//! become `settings` keys in dotted form, and every value is written so that fleetc emits
//! what Kibana read: a string that is exactly `${VAR}` becomes `{ env: VAR }`; `{{` is
//! escaped from value templates; a key is bracketed where fleetc would otherwise emit it
//! split (a dotted key outside the data keys `emit::keys` brackets itself, or a key Kibana
//! read from `'[[x]]'`), and a one-key map `{ env: x }` that is data gets its key bracketed
//! so that it does not read as a reference. Values of secret-capable fields, from the plain
//! field or from Kibana's `secrets` block, go into the plain field, where fleetc expects
//! them; the caller turns them into secret references when the repository has recipients.

use serde_json::{Map, Value};

use super::kibana::{env_reference, has_substitution, unsplittable};
use crate::model::Kind;
use crate::schema;
use crate::version::StackVersion;

/// Declarations read from one kibana.yml, and what could not be carried over as is.
#[derive(Debug, Default)]
pub struct Declarations {
    /// Items of each kind present, in `Kind::ALL` order.
    pub lists: Vec<(Kind, Vec<Value>)>,
    /// `settings`, keyed by their dotted names under `xpack.fleet.`.
    pub settings: Map<String, Value>,
    /// Literal values of secret-capable fields, to store or to keep.
    pub credentials: Vec<Credential>,
    /// Keys under `xpack.fleet` fleetc does not model, in dotted form: not imported.
    pub unmodelled: Vec<String>,
    /// Values fleetc can not say the way Kibana read them, by place (never by value).
    pub lossy: Vec<String>,
    /// Whether a value came from a `secrets` block (Fleet secret storage).
    pub used_secret_storage: bool,
    /// Plain secret-capable fields, with the version from which fleetc would move them
    /// under `secrets` with `storage = "fleet"`.
    pub plain_secret_fields: Vec<StackVersion>,
}

/// A literal in a secret-capable field: where it is, so that it can become a secret.
#[derive(Debug, Clone, PartialEq)]
pub struct Credential {
    pub kind: Kind,
    /// Index of the item in its list.
    pub index: usize,
    /// The item's id, for the secret's name and for messages.
    pub item: String,
    /// The dotted field path (`ssl.key`).
    pub field: String,
}

/// Builds the declarations from `fleet`, the map under `xpack.fleet`.
pub fn from_fleet(fleet: &Map<String, Value>) -> Declarations {
    let mut out = Declarations::default();
    let known = setting_names();
    for (key, value) in fleet {
        if let Some(kind) = Kind::ALL.into_iter().find(|k| k.kibana_key()[12..] == *key) {
            import_list(kind, value, &mut out);
        } else {
            import_settings(key, value, &known, &mut out);
        }
    }
    out.lists.sort_by_key(|(kind, _)| *kind);
    out
}

fn import_list(kind: Kind, value: &Value, out: &mut Declarations) {
    let Value::Array(items) = value else {
        out.lossy.push(format!(
            "`xpack.fleet.{}` is not a list",
            &kind.kibana_key()[12..]
        ));
        return;
    };
    let mut converted = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let mut item = item.clone();
        let id = item_name(kind, &item, index);
        if matches!(kind, Kind::Output | Kind::FleetServerHost) {
            unfold_secrets(kind, &mut item, &id, index, out);
        }
        let mut walker = Walker {
            kind,
            place: format!("{} `{id}`", kind.noun()),
            lossy: &mut out.lossy,
        };
        converted.push(walker.value(&item, &mut Vec::new(), false));
    }
    out.lists.push((kind, converted));
}

/// The item's id (`name` for packages), or its position.
fn item_name(kind: Kind, item: &Value, index: usize) -> String {
    match item.get(kind.key_field()) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => format!("#{}", index + 1),
    }
}

/// Every settings key fleetc models.
fn setting_names() -> Vec<String> {
    schema::raw("settings")
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

/// Walks the nested map under `path` until it meets a modelled setting's name.
fn import_settings(path: &str, value: &Value, known: &[String], out: &mut Declarations) {
    if known.iter().any(|k| k == path) {
        let mut walker = Walker {
            kind: Kind::Package,
            place: format!("setting `{path}`"),
            lossy: &mut out.lossy,
        };
        let value = walker.value(value, &mut vec!["settings".to_owned()], false);
        out.settings.insert(path.to_owned(), value);
        return;
    }
    let prefix = format!("{path}.");
    match value {
        Value::Object(map) if !map.is_empty() && known.iter().any(|k| k.starts_with(&prefix)) => {
            for (key, inner) in map {
                import_settings(&format!("{path}.{key}"), inner, known, out);
            }
        }
        // Left behind by a dropped deprecated key: nothing to import.
        Value::Object(map) if map.is_empty() => {}
        _ => out.unmodelled.push(path.to_owned()),
    }
}

/// Moves `secrets.<field>` values to `<field>` and records literal credentials.
fn unfold_secrets(kind: Kind, item: &mut Value, id: &str, index: usize, out: &mut Declarations) {
    let fields = secret_fields(kind, item);
    let Some(object) = item.as_object_mut() else {
        return;
    };
    for (field, since) in fields {
        let path: Vec<&str> = field.split('.').collect();
        let from_secrets = match object.get_mut("secrets").and_then(Value::as_object_mut) {
            Some(secrets) => take(secrets, &path),
            None => None,
        };
        if let Some(value) = from_secrets {
            out.used_secret_storage = true;
            if get(object, &path).is_some() {
                out.lossy.push(format!(
                    "{} `{id}` sets both `{field}` and `secrets.{field}`; only `{field}` is kept",
                    kind.noun()
                ));
            } else {
                put(object, &path, value);
            }
        } else if get(object, &path).is_some_and(Value::is_string) {
            out.plain_secret_fields.push(since);
        }
        let literal = get(object, &path)
            .and_then(Value::as_str)
            .is_some_and(|s| env_reference(s).is_none());
        if literal {
            out.credentials.push(Credential {
                kind,
                index,
                item: id.to_owned(),
                field,
            });
        }
    }
    if object
        .get("secrets")
        .and_then(Value::as_object)
        .is_some_and(Map::is_empty)
    {
        object.shift_remove("secrets");
    }
}

/// The secret-capable fields of an item, from the schemas, with their first version.
fn secret_fields(kind: Kind, item: &Value) -> Vec<(String, StackVersion)> {
    let (name, group) = match kind {
        Kind::Output => (
            "outputs",
            item.get("type").and_then(Value::as_str).unwrap_or_default(),
        ),
        _ => ("fleet_server_hosts", "*"),
    };
    schema::secret_fields(name)
        .into_iter()
        .filter(|(g, _, _)| g == group)
        .map(|(_, path, since)| (path, since))
        .collect()
}

fn get<'a>(object: &'a Map<String, Value>, path: &[&str]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let value = object.get(*first)?;
    if rest.is_empty() {
        Some(value)
    } else {
        get(value.as_object()?, rest)
    }
}

fn take(object: &mut Map<String, Value>, path: &[&str]) -> Option<Value> {
    let (first, rest) = path.split_first()?;
    if rest.is_empty() {
        return object.shift_remove(*first);
    }
    let inner = object.get_mut(*first)?.as_object_mut()?;
    let value = take(inner, rest)?;
    if inner.is_empty() {
        object.shift_remove(*first);
    }
    Some(value)
}

fn put(object: &mut Map<String, Value>, path: &[&str], value: Value) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() {
        object.insert((*first).to_owned(), value);
        return;
    }
    let inner = object
        .entry(*first)
        .or_insert_with(|| Value::Object(Map::new()));
    if let Some(inner) = inner.as_object_mut() {
        put(inner, rest, value);
    }
}

/// The key to write for `key` (as Kibana read it) so that fleetc's emission reads back as
/// `key`. In a data position (`data`), fleetc brackets dotted keys itself.
pub fn written_key(key: &str, data: bool) -> String {
    let bracket_shaped = unsplittable(key).is_some();
    if bracket_shaped || (!data && key.contains('.')) {
        format!("[{key}]")
    } else {
        key.to_owned()
    }
}

/// Converts values, tracking the structural path to know the data positions.
struct Walker<'a> {
    kind: Kind,
    place: String,
    lossy: &'a mut Vec<String>,
}

impl Walker<'_> {
    fn value(&mut self, value: &Value, path: &mut Vec<String>, map_form: bool) -> Value {
        match value {
            Value::String(text) => self.string(text, path),
            Value::Array(items) => {
                path.push("*".to_owned());
                let items = items
                    .iter()
                    .map(|item| {
                        let form = map_form || self.is_package_policy(path, item);
                        self.value(item, path, form)
                    })
                    .collect();
                path.pop();
                Value::Array(items)
            }
            Value::Object(map) => self.map(map, path, map_form),
            other => other.clone(),
        }
    }

    /// Whether `item` at `path` is a map-form package policy (`inputs` is a map).
    fn is_package_policy(&self, path: &[String], item: &Value) -> bool {
        self.kind == Kind::AgentPolicy
            && path == ["package_policies", "*"]
            && item.get("inputs").is_some_and(Value::is_object)
    }

    fn map(&mut self, map: &Map<String, Value>, path: &mut Vec<String>, map_form: bool) -> Value {
        let data = self.is_data(path, map_form);
        let looks_like_reference = map.len() == 1
            && map
                .iter()
                .all(|(k, v)| matches!(k.as_str(), "env" | "secret") && v.is_string());
        let mut out = Map::new();
        for (key, inner) in map {
            if data && unsplittable(key).is_some() {
                self.lossy.push(format!(
                    "{}: the key `{key}` can not be written so that fleetc emits it unsplit",
                    self.place
                ));
            }
            let written = if looks_like_reference {
                format!("[{key}]")
            } else {
                written_key(key, data)
            };
            path.push(if data { "*".to_owned() } else { key.clone() });
            let converted = self.value(inner, path, map_form);
            path.pop();
            out.insert(written, converted);
        }
        Value::Object(out)
    }

    /// The maps whose keys are names, as `emit::keys` rewrites them.
    fn is_data(&self, path: &[String], map_form: bool) -> bool {
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        match self.kind {
            Kind::Proxy => path == ["proxy_headers"],
            Kind::AgentPolicy => match path.as_slice() {
                ["package_policies", "*", "vars"] => true,
                ["package_policies", "*", "inputs", rest @ ..] => {
                    map_form
                        && matches!(
                            rest,
                            [] | ["*", "vars"] | ["*", "streams"] | ["*", "streams", "*", "vars"]
                        )
                }
                _ => false,
            },
            _ => false,
        }
    }

    fn string(&mut self, text: &str, path: &[String]) -> Value {
        if let Some(name) = env_reference(text) {
            let mut reference = Map::new();
            reference.insert("env".to_owned(), Value::String(name.to_owned()));
            return Value::Object(reference);
        }
        if has_substitution(text) {
            self.lossy.push(format!(
                "{} at `{}`: a string mixes text or a default with a Kibana `${{VAR}}` reference; fleetc has no form for it and `check` refuses it (`hazard/env-substitution`)",
                self.place,
                path.join(".")
            ));
        }
        if text.contains("{{") {
            if text.contains("\\{{") {
                self.lossy.push(format!(
                    "{} at `{}`: a string holds `\\{{{{`, which fleetc's value templates can not write literally",
                    self.place,
                    path.join(".")
                ));
            }
            return Value::String(text.replace("{{", "\\{{"));
        }
        Value::String(text.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn brackets_where_fleetc_would_split() {
        assert_eq!(written_key("a.b", false), "[a.b]");
        assert_eq!(written_key("a.b", true), "a.b");
        assert_eq!(written_key("[x]", false), "[[x]]");
        assert_eq!(written_key("plain", false), "plain");
    }

    #[test]
    fn lists_settings_and_unmodelled_keys() {
        let fleet = json!({
            "enabled": true,
            "registryUrl": "https://epr",
            "agents": { "enabled": true, "fleet_server": { "hosts": ["https://f"] } },
            "internal": { "registry": { "kibanaVersionCheckEnabled": false } },
            "outputs": [{ "id": "o", "type": "logstash", "hosts": ["l:5044"], "secrets": { "ssl": { "key": "K" } }, "config": { "a.b": "${TOKEN}" } }],
            "agentPolicies": [{ "id": "p", "package_policies": [
                { "id": "pp", "inputs": { "system-system/metrics": { "streams": { "system.cpu": { "vars": { "env": "x" } } } } } },
                { "name": "legacy", "inputs": [{ "type": "t", "vars": [{ "name": "v", "value": "{{x}}" }] }] }
            ]}]
        });
        let out = from_fleet(fleet.as_object().unwrap());
        assert_eq!(out.unmodelled, ["enabled", "internal"]);
        assert_eq!(out.settings["registryUrl"], json!("https://epr"));
        assert_eq!(
            out.settings["agents.fleet_server.hosts"],
            json!(["https://f"])
        );
        assert_eq!(out.settings["agents.enabled"], json!(true));
        let output = &out.lists[1].1[0];
        assert_eq!(out.lists[1].0, Kind::Output);
        assert_eq!(output["ssl"]["key"], json!("K"));
        assert!(output.get("secrets").is_none());
        assert_eq!(output["config"]["[a.b]"], json!({ "env": "TOKEN" }));
        assert!(out.used_secret_storage);
        assert_eq!(out.credentials[0].field, "ssl.key");
        let policy = &out.lists[0].1[0];
        let stream = &policy["package_policies"][0]["inputs"]["system-system/metrics"]["streams"]["system.cpu"];
        assert_eq!(stream["vars"], json!({ "[env]": "x" }));
        assert_eq!(
            policy["package_policies"][1]["inputs"][0]["vars"][0]["value"],
            json!("\\{{x}}")
        );
    }
}
