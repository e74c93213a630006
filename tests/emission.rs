//! Emission snapshots of both package-policy shapes (KIBANA.md §5.2), read back with the
//! real js-yaml 3 and 4.
//!
//! Each case is a repository under `fixtures/emission/<name>/repo` with the exact expected
//! `build` output beside it in `expected.yaml` (`FLEETC_BLESS=1` rewrites it). The same
//! output is then loaded by js-yaml 3 (`safeLoad`) and 4 (`load`), the readers Kibana uses
//! for kibana.yml: both must give back exactly the document `build --format json` prints
//! for the same repository, and the map form's dotted data keys must arrive as the strings
//! `[system.cpu]` and so on, which Kibana's config reader keeps unsplit (KIBANA.md §1).
//!
//! Needs `node` and `npm ci --prefix tests/js`; without them the tests fail, never skip.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::first_difference;
use support::js::readback;

use serde_json::{Number, Value, json};

/// One emission case.
struct Case {
    name: &'static str,
    /// Keys that must appear, exactly so, in the data js-yaml reads back.
    bracketed: &'static [&'static str],
    /// Dotted keys that must not appear as keys anywhere below the top level (the map
    /// form's data keys written plainly in the repository).
    absent_keys: &'static [&'static str],
    /// Dotted strings that must survive as values (list-form names and datasets).
    values: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        name: "map-form",
        bracketed: &[
            "[nginx.access]",
            "[nginx.error]",
            "[system.hostfs]",
            "[system.cpu]",
            "[system.memory]",
            "[cpu.metrics]",
        ],
        absent_keys: &[
            "nginx.access",
            "nginx.error",
            "system.hostfs",
            "system.cpu",
            "system.memory",
            "cpu.metrics",
            "[period]",
        ],
        values: &[],
    },
    Case {
        name: "list-form",
        bracketed: &[],
        absent_keys: &["[nginx.access]", "[system.hostfs]", "[system.cpu]"],
        values: &["nginx.access", "nginx.error", "system.hostfs", "system.cpu"],
    },
    Case {
        name: "mixed",
        bracketed: &["[system.cpu]", "[X-Tenant.Id]"],
        absent_keys: &["system.cpu", "X-Tenant.Id", "[system.syslog]"],
        values: &["system.syslog"],
    },
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn case_dir(name: &str) -> PathBuf {
    root().join("fixtures").join("emission").join(name)
}

/// Runs `fleetc -C <repo> <args>` and returns its standard output; fails on a non-zero exit.
fn fleetc(repo: &Path, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_fleetc"))
        .arg("-C")
        .arg(repo)
        .args(args)
        .current_dir(repo)
        .env("NO_COLOR", "1")
        .env_remove("FLEETC_AGE_KEY")
        .env_remove("FLEETC_AGE_KEY_FILE")
        .output()
        .expect("run fleetc");
    let stdout = String::from_utf8(output.stdout).expect("stdout is UTF-8");
    assert!(
        output.status.success(),
        "fleetc {args:?} on {} failed ({:?})\n--- stdout\n{stdout}\n--- stderr\n{}",
        repo.display(),
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Numbers as a JavaScript reader holds them (doubles); readback.js tags numbers other than
/// safe integers as `{"$number": text}`.
fn normalize(value: &Value) -> Value {
    match value {
        Value::Object(map)
            if map.len() == 1 && map.get("$number").is_some_and(Value::is_string) =>
        {
            let text = map["$number"].as_str().unwrap_or_default();
            match text.parse::<f64>().ok().and_then(Number::from_f64) {
                Some(n) if text != "-0" => Value::Number(n),
                _ => value.clone(),
            }
        }
        Value::Number(n) => {
            let f = n.as_f64().expect("finite JSON number");
            if f == 0.0 && f.is_sign_negative() {
                json!({ "$number": "-0" })
            } else {
                Value::Number(Number::from_f64(f).expect("finite"))
            }
        }
        Value::Array(items) => Value::Array(items.iter().map(normalize).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), normalize(v))).collect())
        }
        other => other.clone(),
    }
}

/// Every object key below the top level, and every string value.
fn keys_and_strings(
    value: &Value,
    depth: usize,
    keys: &mut Vec<String>,
    strings: &mut Vec<String>,
) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                if depth > 0 {
                    keys.push(key.clone());
                }
                keys_and_strings(inner, depth + 1, keys, strings);
            }
        }
        Value::Array(items) => {
            for item in items {
                keys_and_strings(item, depth + 1, keys, strings);
            }
        }
        Value::String(s) => strings.push(s.clone()),
        _ => {}
    }
}

fn run(case: &Case) {
    let dir = case_dir(case.name);
    let repo = dir.join("repo");
    assert!(repo.is_dir(), "{} is missing", repo.display());

    // 1. The YAML, byte for byte.
    let yaml = fleetc(&repo, &["build"]);
    let snapshot = dir.join("expected.yaml");
    if std::env::var_os("FLEETC_BLESS").is_some() {
        std::fs::write(&snapshot, &yaml).expect("write expected.yaml");
    }
    let expected = std::fs::read_to_string(&snapshot)
        .unwrap_or_else(|e| panic!("{}: {e} (FLEETC_BLESS=1 writes it)", snapshot.display()));
    assert!(
        yaml == expected,
        "{}: `build` output differs from expected.yaml (FLEETC_BLESS=1 rewrites it)\n--- expected\n{expected}\n--- actual\n{yaml}",
        case.name
    );

    // 2. What Kibana's YAML readers make of it: exactly the JSON build.
    let json: Value = serde_json::from_str(&fleetc(&repo, &["build", "--format", "json"]))
        .expect("build --format json prints JSON");
    let json = normalize(&json);
    let (v3, v4) = readback(&yaml);
    for (reader, data) in [("js-yaml 3", &v3), ("js-yaml 4", &v4)] {
        assert!(
            data.get("$error").is_none(),
            "{}: {reader} cannot read the output: {data}",
            case.name
        );
        let data = normalize(data);
        if let Some(difference) = first_difference(&json, &data, "$") {
            panic!(
                "{}: what {reader} reads differs from `build --format json`: {difference}",
                case.name
            );
        }
        let (mut keys, mut strings) = (Vec::new(), Vec::new());
        keys_and_strings(&data, 0, &mut keys, &mut strings);
        for key in case.bracketed {
            assert!(
                keys.iter().any(|k| k == key),
                "{}: {reader} does not read the key {key:?}; keys: {keys:?}",
                case.name
            );
        }
        for key in case.absent_keys {
            assert!(
                !keys.iter().any(|k| k == key),
                "{}: {reader} reads the key {key:?}, which should have been emitted differently",
                case.name
            );
        }
        for value in case.values {
            assert!(
                strings.iter().any(|s| s == value),
                "{}: {reader} does not read the value {value:?}",
                case.name
            );
        }
    }
}

#[test]
fn map_form() {
    run(&CASES[0]);
}

#[test]
fn list_form() {
    run(&CASES[1]);
}

#[test]
fn mixed_shapes() {
    run(&CASES[2]);
}

/// Every folder under `fixtures/emission` is a case here, so none is silently unchecked.
#[test]
fn every_emission_fixture_is_a_case() {
    let dir = root().join("fixtures").join("emission");
    for entry in std::fs::read_dir(&dir)
        .expect("fixtures/emission")
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(
            CASES.iter().any(|case| case.name == name),
            "fixtures/emission/{name} is not listed in tests/emission.rs"
        );
    }
}
