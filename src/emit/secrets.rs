//! Where the values of secret-capable fields go: `secrets.<field>` or the plain field.
//!
//! Declarations write a credential in its plain field (`service_token`, `ssl.key`,
//! `password`). With `storage = "fleet"`, every such value the target stores as a Fleet
//! secret moves to the `secrets` map of its item (`secrets.ssl.key`), whether it came from
//! the store, an override, `{ env: VAR }` or a literal: Kibana then keeps it out of agent
//! policies. Fields the target has no Fleet secret for, and every field with
//! `storage = "plaintext"`, stay where they are. An item never holds both a plain field and
//! its `secrets` twin (KIBANA.md §3.7).

use std::sync::OnceLock;

use serde_json::{Map, Value as Json};

use crate::model::{Item, Kind};
use crate::project::Storage;
use crate::schema;
use crate::version::StackVersion;

/// How one run places secret values.
#[derive(Clone, Copy, Debug)]
pub struct Placement {
    pub storage: Storage,
    pub version: StackVersion,
}

/// A secret-capable field of an item, and the first version with a Fleet secret for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretField {
    /// The dotted path in the item (`ssl.key`).
    pub path: String,
    pub since: StackVersion,
}

impl Placement {
    /// Whether the value of `field` goes under `secrets.`.
    pub fn is_fleet_secret(&self, field: &SecretField) -> bool {
        self.storage == Storage::Fleet && self.version >= field.since
    }

    /// Moves the values of `item`'s secret-capable fields under `secrets.` where they go.
    pub fn apply(&self, item: &Item, json: &mut Json) {
        let Some(object) = json.as_object_mut() else {
            return;
        };
        for field in fields(item) {
            if self.is_fleet_secret(&field) {
                move_to_secrets(object, &field.path);
            }
        }
    }
}

/// The secret-capable fields of `item`, from the schemas' `x-secret-fields`.
pub fn fields(item: &Item) -> Vec<SecretField> {
    let table = match item.kind {
        Kind::Output => &tables().0,
        Kind::FleetServerHost => &tables().1,
        _ => return Vec::new(),
    };
    let group = match item.kind {
        Kind::Output => item
            .get("type")
            .and_then(|t| t.as_str())
            .unwrap_or_default(),
        _ => "*",
    };
    table
        .iter()
        .filter(|(g, _, _)| g == group)
        .map(|(_, path, since)| SecretField {
            path: path.clone(),
            since: *since,
        })
        .collect()
}

type Table = Vec<(String, String, StackVersion)>;

fn tables() -> &'static (Table, Table) {
    static TABLES: OnceLock<(Table, Table)> = OnceLock::new();
    TABLES.get_or_init(|| {
        (
            schema::secret_fields("outputs"),
            schema::secret_fields("fleet_server_hosts"),
        )
    })
}

/// Moves the string at the dotted `path` to `secrets.<path>`; empty parents go with it.
fn move_to_secrets(object: &mut Map<String, Json>, path: &str) {
    let keys: Vec<&str> = path.split('.').collect();
    let Some(value) = take_string(object, &keys) else {
        return;
    };
    let mut target = object
        .entry("secrets")
        .or_insert_with(|| Json::Object(Map::new()));
    for key in &keys[..keys.len() - 1] {
        let Some(map) = target.as_object_mut() else {
            return;
        };
        target = map.entry(*key).or_insert_with(|| Json::Object(Map::new()));
    }
    if let (Some(map), Some(last)) = (target.as_object_mut(), keys.last()) {
        map.insert((*last).to_owned(), value);
    }
}

/// Removes and returns the string at `keys`, dropping maps it leaves empty.
fn take_string(object: &mut Map<String, Json>, keys: &[&str]) -> Option<Json> {
    let (first, rest) = keys.split_first()?;
    if rest.is_empty() {
        return match object.get(*first) {
            Some(Json::String(_)) => object.shift_remove(*first),
            _ => None,
        };
    }
    let inner = object.get_mut(*first)?.as_object_mut()?;
    let value = take_string(inner, rest)?;
    if inner.is_empty() {
        object.shift_remove(*first);
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn moves_nested_fields_and_drops_emptied_maps() {
        let mut object = json!({ "id": "a", "ssl": { "key": "K" }, "service_token": "T" });
        let map = object.as_object_mut().expect("object");
        move_to_secrets(map, "ssl.key");
        move_to_secrets(map, "service_token");
        assert_eq!(
            object,
            json!({ "id": "a", "secrets": { "ssl": { "key": "K" }, "service_token": "T" } })
        );
    }

    #[test]
    fn keeps_siblings_and_nulls() {
        let mut object = json!({ "ssl": { "key": "K", "certificate": "C" }, "password": null });
        let map = object.as_object_mut().expect("object");
        move_to_secrets(map, "ssl.key");
        move_to_secrets(map, "password");
        assert_eq!(
            object,
            json!({ "ssl": { "certificate": "C" }, "password": null, "secrets": { "ssl": { "key": "K" } } })
        );
    }

    #[test]
    fn the_schemas_list_the_known_fields() {
        let (outputs, hosts) = tables();
        let has = |table: &Table, group: &str, path: &str| {
            table.iter().any(|(g, p, _)| g == group && p == path)
        };
        assert!(has(outputs, "remote_elasticsearch", "service_token"));
        assert!(has(outputs, "kafka", "password"));
        assert!(has(outputs, "elasticsearch", "ssl.key"));
        assert!(has(hosts, "*", "ssl.es_key"));
    }
}
