//! The exported JSON Schemas agree with fleetc: every example and every passing fixture
//! validates against `fleetc schema --out` for its stack version, checked by ajv, a
//! validator independent of fleetc, on data read by js-yaml and the `toml` crate.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use support::js;

use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn toml_as_json(text: &str) -> Value {
    let table: toml::Table = toml::from_str(text).unwrap();
    serde_json::to_value(table).unwrap()
}

/// Repositories that `check` accepts: the examples and the fixtures expecting exit 0.
fn repositories() -> Vec<PathBuf> {
    let mut repositories: Vec<PathBuf> = std::fs::read_dir(Path::new(ROOT).join("examples"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    for group in std::fs::read_dir(Path::new(ROOT).join("fixtures"))
        .unwrap()
        .flatten()
    {
        // `repo/` cases are about file selection: they hold files fleetc deliberately skips.
        if group.file_name() == "repo" {
            continue;
        }
        for case in std::fs::read_dir(group.path()).unwrap().flatten() {
            let expect =
                std::fs::read_to_string(case.path().join("expect.toml")).unwrap_or_default();
            let expect: toml::Table = toml::from_str(&expect).unwrap_or_default();
            let checks = expect.get("args").is_none_or(|args| {
                args.as_array()
                    .and_then(|a| a.first())
                    .and_then(|a| a.as_str())
                    == Some("check")
            });
            if expect.get("exit").and_then(toml::Value::as_integer) == Some(0) && checks {
                repositories.push(case.path().join("repo"));
            }
        }
    }
    repositories.sort();
    repositories
}

/// Declaration files as fleetc selects them by default (overlays hold patches, not items).
fn declaration_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.')
                || ["secrets", "environments", "vault", "deploy"].contains(&name.as_str())
            {
                continue;
            }
            if path.is_dir() {
                folders.push(path);
            } else if name != "fleetc.toml"
                && name != "kibana.yml"
                && [".yaml", ".yml", ".toml"].iter().any(|e| name.ends_with(e))
            {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn export(root: &Path, out: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_fleetc"))
        .arg("-C")
        .arg(root)
        .args(["schema", "--out"])
        .arg(out)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(
        status.success(),
        "fleetc schema failed in {}",
        root.display()
    );
}

/// One file to validate: which schema, the file, and its data (YAML filled in later).
struct Job {
    version: String,
    schema: &'static str,
    file: PathBuf,
    yaml: Option<String>,
    data: Value,
}

fn jobs() -> Vec<Job> {
    let mut jobs = Vec::new();
    for root in repositories() {
        let project = toml_as_json(&std::fs::read_to_string(root.join("fleetc.toml")).unwrap());
        let version = project["stack_version"].as_str().unwrap().to_owned();
        for file in declaration_files(&root) {
            let text = std::fs::read_to_string(&file).unwrap();
            let (yaml, data) = if file.extension().is_some_and(|e| e == "toml") {
                (None, toml_as_json(&text))
            } else {
                (Some(text), Value::Null)
            };
            jobs.push(Job {
                version: version.clone(),
                schema: "declarations.schema.json",
                file,
                yaml,
                data,
            });
        }
        jobs.push(Job {
            version,
            schema: "fleetc.schema.json",
            file: root.join("fleetc.toml"),
            yaml: None,
            data: project,
        });
    }
    let texts: Vec<String> = jobs.iter().filter_map(|j| j.yaml.clone()).collect();
    let mut loaded = js::load_yaml(&texts).into_iter();
    for job in jobs.iter_mut().filter(|j| j.yaml.is_some()) {
        job.data = loaded.next().unwrap();
    }
    jobs
}

#[test]
fn every_accepted_repository_validates_against_the_exported_schemas() {
    let jobs = jobs();
    let mut versions: Vec<&str> = jobs.iter().map(|j| j.version.as_str()).collect();
    versions.sort_unstable();
    versions.dedup();
    let mut failures = Vec::new();
    for version in versions {
        let out =
            std::env::temp_dir().join(format!("fleetc-schemas-{}-{version}", std::process::id()));
        let status = Command::new(env!("CARGO_BIN_EXE_fleetc"))
            .args(["schema", "--stack", version, "--out"])
            .arg(&out)
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "fleetc schema --stack {version} failed");
        for schema in ["declarations.schema.json", "fleetc.schema.json"] {
            let batch: Vec<&Job> = jobs
                .iter()
                .filter(|j| j.version == version && j.schema == schema)
                .collect();
            let instances: Vec<Value> = batch.iter().map(|j| j.data.clone()).collect();
            let results = js::validate(&out.join(schema), false, &instances);
            for (job, result) in batch.iter().zip(&results) {
                if result["valid"] != Value::Bool(true) {
                    failures.push(format!("{}: {}", job.file.display(), result["errors"]));
                }
            }
        }
        let _ = std::fs::remove_dir_all(&out);
    }
    assert!(jobs.len() > 50, "only {} files were checked", jobs.len());
    assert!(
        failures.is_empty(),
        "{} files do not validate:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn invalid_declarations_fail_the_exported_schema_too() {
    let out = std::env::temp_dir().join(format!("fleetc-schemas-invalid-{}", std::process::id()));
    export(&Path::new(ROOT).join("examples/platform"), &out);
    let cases = [
        r#"{"outputs": [{"id": "a", "name": "a", "type": "elasticsearch", "hots": ["https://a:443"]}]}"#,
        r#"{"outputs": [{"id": "a", "name": "a", "type": "elastic", "hosts": ["https://a:443"]}]}"#,
        r#"{"outputs": [{"id": "a", "name": "a", "type": "elasticsearch", "hosts": []}]}"#,
        r#"{"outputs": [{"id": "a", "name": "a", "type": "elasticsearch", "hosts": ["https://a:443"], "write_to_logs_streams": true}]}"#,
        r#"{"proxies": [{"id": "p", "name": "p", "url": {"secret": "x"}}]}"#,
        r#"{"settings": {"registryUrl": 3}}"#,
        r#"{"policies": []}"#,
    ];
    let instances: Vec<Value> = cases
        .iter()
        .map(|c| serde_json::from_str(c).unwrap())
        .collect();
    let results = js::validate(&out.join("declarations.schema.json"), false, &instances);
    let _ = std::fs::remove_dir_all(&out);
    for (case, result) in cases.iter().zip(&results) {
        assert_eq!(result["valid"], Value::Bool(false), "accepted: {case}");
    }
}
