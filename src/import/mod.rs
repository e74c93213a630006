//! Import: an existing kibana.yml (or an ECK `Kibana` manifest, or eck-stack Helm values)
//! into a fleetc repository, the reverse of `emit`.
//!
//! `read` reads the YAML leniently, as js-yaml 4 does; `kibana` applies Kibana's own
//! reading (dotted keys split, `'[a.b]'` kept, the Fleet deprecations); `declarations`
//! turns the `xpack.fleet` map into declarations that fleetc emits back to the same
//! configuration; `write` writes the files. The library never prints: every decision that
//! a user should know about is a note in [`Imported`].

pub mod declarations;
pub mod kibana;
pub mod read;
pub mod write;

use serde_json::{Map, Value};

pub use declarations::Declarations;

/// Where the kibana.yml settings were found in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    KibanaYml,
    /// `spec.config` of an ECK `Kibana` resource.
    EckKibana,
    /// `eck-kibana.config` of eck-stack Helm values.
    HelmValues,
    /// `data."kibana.yml"` of a Kubernetes ConfigMap.
    ConfigMap,
}

/// What one input gives, before anything is written.
#[derive(Debug)]
pub struct Imported {
    pub source: Source,
    pub declarations: Declarations,
    /// Settings outside `xpack.fleet`, which import leaves alone.
    pub other_settings: usize,
    /// What Kibana's deprecations did.
    pub deprecations: kibana::Deprecations,
    /// Notes from the lenient reader.
    pub notes: Vec<String>,
}

/// Why an input can not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the file is not YAML: {0}")]
    Yaml(#[from] read::ReadError),
    #[error("{0}")]
    Shape(String),
}

/// Reads `text`, a kibana.yml or a manifest holding one.
pub fn import(text: &str) -> Result<Imported, ImportError> {
    let read = read::read(text)?;
    let mut notes = read.notes;
    let (source, config) = locate(read.documents, &mut notes)?;
    let mut config = kibana::read_config(&config);
    let fleet = take_fleet(&mut config);
    let other_settings = count_leaves(&Value::Object(config));
    let mut fleet = fleet;
    let deprecations = kibana::deprecate(&mut fleet);
    let declarations = declarations::from_fleet(&fleet);
    Ok(Imported {
        source,
        declarations,
        other_settings,
        deprecations,
        notes,
    })
}

/// Finds the kibana.yml settings among the documents.
fn locate(documents: Vec<Value>, notes: &mut Vec<String>) -> Result<(Source, Value), ImportError> {
    let mut found = Vec::new();
    for document in &documents {
        match document.get("kind").and_then(Value::as_str) {
            Some("Kibana") => found.push((
                Source::EckKibana,
                document
                    .pointer("/spec/config")
                    .cloned()
                    .unwrap_or(Value::Null),
            )),
            Some("ConfigMap") => {
                if let Some(Value::String(text)) = document.pointer("/data/kibana.yml") {
                    let inner = read::read(text)?;
                    notes.extend(inner.notes);
                    let value = inner.documents.into_iter().next().unwrap_or(Value::Null);
                    found.push((Source::ConfigMap, value));
                }
            }
            _ => {}
        }
    }
    if found.len() > 1 {
        notes.push(format!(
            "the manifest holds {} Kibana configurations; the first is imported",
            found.len()
        ));
    }
    if let Some((source, config)) = found.into_iter().next() {
        return Ok((source, config));
    }
    match documents.as_slice() {
        [] => Ok((Source::KibanaYml, Value::Object(Map::new()))),
        [document] => match document.pointer("/eck-kibana/config") {
            Some(config) => Ok((Source::HelmValues, config.clone())),
            None if document.is_object() || document.is_null() => {
                Ok((Source::KibanaYml, document.clone()))
            }
            None => Err(ImportError::Shape("a kibana.yml must be a map of settings".to_owned())),
        },
        _ => Err(ImportError::Shape(
            "the file holds several YAML documents but no ECK `Kibana` resource or ConfigMap with `kibana.yml`".to_owned(),
        )),
    }
}

/// Removes and returns the map under `xpack.fleet`.
fn take_fleet(config: &mut Map<String, Value>) -> Map<String, Value> {
    let xpack = config.get_mut("xpack").and_then(Value::as_object_mut);
    let Some(xpack) = xpack else {
        return Map::new();
    };
    let fleet = match xpack.shift_remove("fleet") {
        Some(Value::Object(fleet)) => fleet,
        _ => Map::new(),
    };
    if xpack.is_empty() {
        config.shift_remove("xpack");
    }
    fleet
}

/// The number of settings (leaves of nested maps) in a configuration.
fn count_leaves(value: &Value) -> usize {
    match value {
        Value::Object(map) if !map.is_empty() => map.values().map(count_leaves).sum(),
        Value::Object(_) => 0,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eck_manifest_and_helm_values() {
        let manifest = "apiVersion: v1\nkind: Secret\n---\napiVersion: kibana.k8s.elastic.co/v1\nkind: Kibana\nspec:\n  config:\n    xpack.fleet.agents.fleet_server.hosts: [\"https://f:8220\"]\n    server.name: k\n";
        let imported = import(manifest).unwrap();
        assert_eq!(imported.source, Source::EckKibana);
        assert_eq!(imported.other_settings, 1);
        assert!(
            imported
                .declarations
                .settings
                .contains_key("agents.fleet_server.hosts")
        );
        let helm =
            "eck-kibana:\n  config:\n    xpack.fleet.packages: [{name: system, version: latest}]\n";
        let imported = import(helm).unwrap();
        assert_eq!(imported.source, Source::HelmValues);
        assert_eq!(imported.declarations.lists[0].1.len(), 1);
    }
}
