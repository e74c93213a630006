//! Emission: the `xpack.fleet.*` block Kibana reads, as YAML or JSON.
//!
//! Items are sorted by id (packages by name) so that moving a declaration between files
//! changes nothing; nested lists keep their order. Outputs that are the default for
//! monitoring come first: Kibana's boot check of defaults is order-dependent (KIBANA.md
//! §3.1) and accepts every set fleetc accepts in that order. Env references become
//! Kibana's `${VAR}`; secret references are resolved by the caller's [`Secrets`], and
//! `secrets::Placement` then moves secret values under `secrets.` where Kibana stores them.

pub mod keys;
pub mod secrets;
pub mod yaml;

use serde_json::{Map, Value as Json};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Item, Kind, Model, Value, ValueKind};

/// Resolves a secret reference to the string that goes into kibana.yml.
pub trait Secrets {
    /// The text for the secret `name` referenced at `value`.
    fn resolve(&self, name: &str, value: &Value) -> Result<String, Diagnostic>;
}

/// The block as ordered `(kibana.yml key, value)` pairs.
pub type Block = Vec<(String, Json)>;

/// Builds the block from a checked model.
pub fn block(
    model: &Model,
    secrets: &dyn Secrets,
    placement: &secrets::Placement,
) -> Result<Block, Diagnostics> {
    let mut found = Diagnostics::default();
    let mut block = Vec::new();
    for kind in Kind::ALL {
        let items: Vec<Json> = ordered(model, kind)
            .into_iter()
            .map(|item| {
                let mut json = to_json(&item.body, secrets, &mut found);
                placement.apply(item, &mut json);
                keys::rewrite(kind, &mut json);
                json
            })
            .collect();
        if !items.is_empty() {
            block.push((kind.kibana_key().to_owned(), Json::Array(items)));
        }
    }
    let mut settings: Vec<_> = model.settings.iter().collect();
    settings.sort_by(|a, b| a.key.value.cmp(&b.key.value));
    for setting in settings {
        block.push((
            format!("xpack.fleet.{}", setting.key.value),
            to_json(&setting.value, secrets, &mut found),
        ));
    }
    if found.has_errors() {
        Err(found)
    } else {
        Ok(block)
    }
}

/// The items of a kind in emission order.
fn ordered(model: &Model, kind: Kind) -> Vec<&Item> {
    let mut items: Vec<&Item> = model.of(kind).collect();
    items.sort_by(|a, b| {
        let first = |item: &Item| kind == Kind::Output && item.flag("is_default_monitoring");
        first(b)
            .cmp(&first(a))
            .then_with(|| a.key.value.cmp(&b.key.value))
    });
    items
}

/// The value as Kibana should read it.
pub fn to_json(value: &Value, secrets: &dyn Secrets, found: &mut Diagnostics) -> Json {
    match &value.kind {
        ValueKind::Null => Json::Null,
        ValueKind::Bool(b) => Json::Bool(*b),
        ValueKind::Int(n) => Json::from(*n),
        ValueKind::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        ValueKind::Str(s) => Json::String(s.clone()),
        ValueKind::Env(name) => Json::String(format!("${{{name}}}")),
        ValueKind::Secret(name) => match secrets.resolve(name, value) {
            Ok(text) => Json::String(text),
            Err(diagnostic) => {
                found.push(diagnostic);
                Json::Null
            }
        },
        ValueKind::List(items) => Json::Array(
            items
                .iter()
                .map(|item| to_json(item, secrets, found))
                .collect(),
        ),
        ValueKind::Map(fields) => {
            let map: Map<String, Json> = fields
                .iter()
                .map(|f| (f.key.clone(), to_json(&f.value, secrets, found)))
                .collect();
            Json::Object(map)
        }
    }
}

/// The block as one JSON object keyed by kibana.yml keys (`build --format json`).
pub fn to_json_object(block: &Block) -> Json {
    Json::Object(block.iter().cloned().collect())
}
