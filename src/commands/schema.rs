//! `fleetc schema`: the JSON Schemas for editors and other validators, derived for one
//! stack version.

use std::path::Path;

use fleetc::model::Kind;
use fleetc::project;
use fleetc::schema;
use fleetc::version::StackVersion;
use serde_json::{Map, Value, json};

use super::{Exit, Failure};
use crate::cli::{Global, SchemaArgs};
use crate::printer;

pub fn run(global: &Global, args: &SchemaArgs) -> Result<Exit, Failure> {
    let version = version(global, args)?;
    let declarations = declarations_schema(version);
    let project_file = with_header(schema::export("fleetc", version), "fleetc.toml", version);
    let Some(out) = &args.out else {
        printer::stdout(&format!("{declarations:#}\n"))
            .map_err(|e| Failure(format!("cannot write the schema: {e}")))?;
        return Ok(Exit::Success);
    };
    std::fs::create_dir_all(out)
        .map_err(|e| Failure(format!("cannot create `{}`: {e}", out.display())))?;
    write(&out.join("fleetc.schema.json"), &project_file)?;
    write(&out.join("declarations.schema.json"), &declarations)?;
    eprintln!(
        "fleetc: wrote the schemas for Kibana {version} into `{}`",
        out.display()
    );
    Ok(Exit::Success)
}

fn write(path: &Path, schema: &Value) -> Result<(), Failure> {
    std::fs::write(path, format!("{schema:#}\n"))
        .map_err(|e| Failure(format!("cannot write `{}`: {e}", path.display())))
}

/// `--stack`, else the repository's version, else an error saying which to give.
fn version(global: &Global, args: &SchemaArgs) -> Result<StackVersion, Failure> {
    if let Some(text) = &args.stack {
        let version: StackVersion = text
            .parse()
            .map_err(|e: fleetc::version::VersionError| Failure(e.to_string()))?;
        if !version.is_known() {
            return Err(Failure(format!(
                "fleetc does not know the rules of Kibana {version}; it knows 8.0 to 9.2"
            )));
        }
        return Ok(version);
    }
    let start = std::env::current_dir()
        .map_err(|e| Failure(format!("cannot read the working folder: {e}")))?;
    let root = project::find_root(global.directory.as_deref(), &start).map_err(|_| {
        Failure(
            "no repository found: pass `--stack VERSION` or run inside a fleetc repository".into(),
        )
    })?;
    let mut sources = fleetc::source::Sources::default();
    let project = project::load(&root, &mut sources)
        .map_err(|_| Failure("`fleetc.toml` has errors: run `fleetc check`".into()))?;
    Ok(project.stack_version.value)
}

/// One self-contained schema for a declaration file: each kind's item schema sits in
/// `definitions` under its list name, its own definitions prefixed with it.
pub fn declarations_schema(version: StackVersion) -> Value {
    let mut definitions = Map::new();
    let mut properties = Map::new();
    for kind in Kind::ALL {
        let name = kind.list();
        let mut item = schema::export(name, version);
        hoist(&mut item, name, &mut definitions);
        definitions.insert(name.to_owned(), item);
        let list = json!({ "type": "array", "items": { "$ref": format!("#/definitions/{name}") } });
        properties.insert(name.to_owned(), list);
    }
    let mut settings = schema::export("settings", version);
    hoist(&mut settings, "settings", &mut definitions);
    properties.insert("settings".into(), settings);
    // An empty declaration file (YAML `null`) declares nothing, as fleetc reads it.
    let root = json!({
        "type": ["object", "null"],
        "additionalProperties": false,
        "properties": properties,
        "definitions": definitions,
    });
    with_header(root, "a fleetc declaration file", version)
}

/// Moves `schema`'s definitions into `into` as `<prefix>.<name>` and rewrites its refs.
fn hoist(schema: &mut Value, prefix: &str, into: &mut Map<String, Value>) {
    rewrite_refs(schema, prefix);
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    object.remove("$schema");
    if let Some(Value::Object(local)) = object.remove("definitions") {
        for (name, definition) in local {
            into.insert(format!("{prefix}.{name}"), definition);
        }
    }
}

fn rewrite_refs(node: &mut Value, prefix: &str) {
    match node {
        Value::Object(object) => {
            if let Some(Value::String(reference)) = object.get_mut("$ref")
                && let Some(name) = reference.strip_prefix("#/definitions/")
            {
                *reference = format!("#/definitions/{prefix}.{name}");
            }
            object
                .values_mut()
                .for_each(|value| rewrite_refs(value, prefix));
        }
        Value::Array(items) => items.iter_mut().for_each(|item| rewrite_refs(item, prefix)),
        _ => {}
    }
}

fn with_header(mut schema: Value, what: &str, version: StackVersion) -> Value {
    if let Some(object) = schema.as_object_mut() {
        let mut header = Map::new();
        header.insert(
            "$schema".into(),
            json!("http://json-schema.org/draft-07/schema#"),
        );
        header.insert("title".into(), json!(format!("{what} (Kibana {version})")));
        header.extend(
            std::mem::take(object)
                .into_iter()
                .filter(|(key, _)| key != "$schema" && key != "title"),
        );
        *object = header;
    }
    schema
}
