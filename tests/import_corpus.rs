//! The import round trip over the corpus of real kibana.yml files (`tests/corpus/`, with
//! `SOURCES.md` saying where each comes from).
//!
//! For every file: `fleetc import` it into a fresh repository, `fleetc build --format json`
//! that repository, and read both the original and the built block the way Kibana reads
//! kibana.yml (`tests/js/kibana_read.js`: js-yaml 4, dotted keys split at every depth,
//! `'[a.b]'` kept, Fleet's deprecations applied). The two `xpack.fleet` objects must be
//! equal, apart from the keys import reports it does not import. A file that Kibana or
//! fleetc refuses is listed with the exact findings and the reason. Every corpus file must
//! have a case, and every case a file: nothing is skipped silently.
//!
//! Needs `node` and `npm ci --prefix tests/js`; without them the test fails, it never skips.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::js::kibana_read;

use serde_json::Value;

/// What importing one corpus file must give.
enum Expect {
    /// Builds to the same `xpack.fleet` configuration, except the keys (dotted, under
    /// `xpack.fleet`) that import reports as not imported.
    RoundTrip {
        not_imported: &'static [&'static str],
    },
    /// `fleetc check` refuses the imported repository with exactly these errors.
    Refused { errors: &'static [&'static str] },
}

struct Case {
    file: &'static str,
    /// `--stack`, where the default would not fit the file.
    stack: Option<&'static str>,
    expect: Expect,
}

const fn round_trip(file: &'static str) -> Case {
    Case {
        file,
        stack: None,
        expect: Expect::RoundTrip { not_imported: &[] },
    }
}

const CASES: &[Case] = &[
    round_trip("apm-integration-testing-kibana-8.kibana.yml"),
    // Two agent policies each hold a package policy named `system-1`: names need only be
    // unique within a policy (setup matches by name there), so this round-trips.
    round_trip("docker-elk.kibana.yml"),
    // `xpack.fleet.enabled` is a setting fleetc does not manage; import leaves it out.
    Case {
        file: "e2e-testing-k8s-configmap.kibana.yml",
        stack: None,
        expect: Expect::RoundTrip {
            not_imported: &["enabled"],
        },
    },
    round_trip("e2e-testing-preconfigured-policies.kibana.yml"),
    round_trip("eck-fleet-apm-integration.kibana.yml"),
    round_trip("eck-fleet-custom-logs-integration.kibana.yml"),
    round_trip("eck-fleet-ingress-setup.kibana.yml"),
    round_trip("eck-fleet-kubernetes-integration-nonroot.kibana.yml"),
    round_trip("eck-fleet-kubernetes-integration.kibana.yml"),
    round_trip("eck-mtls-managed-fleet.kibana.yml"),
    // The Elasticsearch output's `ssl.key` is a plain field; import sets
    // `storage = "plaintext"` so that fleetc keeps it there on 9.1+ (where it could be a
    // Fleet secret).
    round_trip("eck-mtls-manual-fleet.kibana.yml"),
    round_trip("eck-packageregistry-epr-eck.kibana.yml"),
    round_trip("eck-stack-fleet-agents.kibana.yml"),
    round_trip("eck-synthetic-monitoring.kibana.yml"),
    round_trip("elastic-package-legacy-profile.kibana.yml"),
    // Both `agents.elasticsearch.hosts` and an output with `is_default`: Kibana refuses to
    // start (KIBANA.md §2, since mid-2023, first release unverified), and fleetc refuses it
    // for every version because that first release is unknown.
    Case {
        file: "elastic-package-profile-8x.kibana.yml",
        stack: None,
        expect: Expect::Refused {
            errors: &["settings/legacy-hosts-with-default-output"],
        },
    },
    round_trip("fleet-server-e2e.kibana.yml"),
    // `secrets.ssl.key` of a logstash output: Fleet secret storage, 8.12 and later.
    round_trip("kibana-docs-fleet-outputs-logstash-secret-example.kibana.yml"),
    // Bracketed map-form keys need 8.14; dotted keys inside lists read right from 8.15.1.
    round_trip("kibana-docs-fleet-packages-example.kibana.yml"),
    // `xpack.fleet.internal.registry.*` are internal settings fleetc does not manage.
    Case {
        file: "kibana-serverless-oblt.kibana.yml",
        stack: None,
        expect: Expect::RoundTrip {
            not_imported: &["internal"],
        },
    },
];

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn fleetc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fleetc"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("FLEETC_AGE_KEY")
        .env_remove("FLEETC_AGE_KEY_FILE")
        .output()
        .expect("fleetc runs")
}

/// Removes a dotted path of object keys.
fn remove(value: &mut Value, path: &str) {
    match path.split_once('.') {
        None => {
            value.as_object_mut().map(|m| m.shift_remove(path));
        }
        Some((first, rest)) => {
            if let Some(inner) = value.get_mut(first) {
                remove(inner, rest);
            }
        }
    }
}

/// Sorts the five preconfiguration lists by id (packages by name): fleetc emits them in
/// that order, so that moving a declaration between files changes nothing, and Fleet setup
/// does not depend on it. Outputs are the exception only for Kibana's boot check of
/// defaults, which fleetc's own order always passes (emit's module doc).
fn sort_lists(fleet: &mut Value) {
    for (list, key) in [
        ("packages", "name"),
        ("agentPolicies", "id"),
        ("outputs", "id"),
        ("fleetServerHosts", "id"),
        ("proxies", "id"),
    ] {
        if let Some(Value::Array(items)) = fleet.get_mut(list) {
            items.sort_by_key(|item| item[key].to_string());
        }
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fleetc-corpus-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Runs one case; returns a failure message or `None`.
fn run(case: &Case) -> Option<String> {
    let file = corpus_dir().join(case.file);
    let into = temp_dir(case.file);
    let mut args = vec!["import", file.to_str()?, "--into", into.to_str()?];
    if let Some(stack) = case.stack {
        args.extend(["--stack", stack]);
    }
    let import = fleetc(&args);
    let stderr = String::from_utf8_lossy(&import.stderr).into_owned();
    let result = if import.status.success() {
        judge(case, &file, &into, &stderr)
    } else {
        Some(format!("import failed: {stderr}"))
    };
    let _ = std::fs::remove_dir_all(&into);
    result.map(|message| format!("{}: {message}", case.file))
}

fn judge(case: &Case, file: &Path, into: &Path, import_stderr: &str) -> Option<String> {
    let repo = into.to_str()?;
    match case.expect {
        Expect::Refused { errors } => {
            let check = fleetc(&["-C", repo, "check", "--format", "json"]);
            let report: Value = serde_json::from_slice(&check.stdout).ok()?;
            let codes: Vec<&str> = report["diagnostics"]
                .as_array()?
                .iter()
                .filter(|d| d["severity"] == "error")
                .filter_map(|d| d["code"].as_str())
                .collect();
            (codes != errors).then(|| format!("expected errors {errors:?}, got {codes:?}"))
        }
        Expect::RoundTrip { not_imported } => {
            for key in not_imported {
                let line = format!("`xpack.fleet.{key}` not imported");
                if !import_stderr.contains(&line) {
                    return Some(format!("import did not report {line:?}: {import_stderr}"));
                }
            }
            let build = fleetc(&["-C", repo, "build", "--format", "json"]);
            if !build.status.success() {
                return Some(format!(
                    "build failed: {}",
                    String::from_utf8_lossy(&build.stderr)
                ));
            }
            let original = std::fs::read_to_string(file).ok()?;
            let mut expected = kibana_read(&original);
            for key in not_imported {
                remove(&mut expected, key);
            }
            let mut actual = kibana_read(&String::from_utf8_lossy(&build.stdout));
            sort_lists(&mut expected);
            sort_lists(&mut actual);
            (expected != actual).then(|| {
                format!(
                    "the built configuration differs\n--- kibana.yml\n{}\n--- built\n{}",
                    serde_json::to_string_pretty(&expected).unwrap_or_default(),
                    serde_json::to_string_pretty(&actual).unwrap_or_default()
                )
            })
        }
    }
}

#[test]
fn every_corpus_file_has_a_case() {
    let mut files: Vec<String> = std::fs::read_dir(corpus_dir())
        .expect("tests/corpus exists")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".yml") || name.ends_with(".yaml"))
        .collect();
    files.sort();
    let mut cases: Vec<String> = CASES.iter().map(|c| c.file.to_owned()).collect();
    cases.sort();
    assert_eq!(
        files, cases,
        "each file of tests/corpus needs exactly one case"
    );
}

#[test]
fn every_corpus_file_round_trips_or_is_refused_for_its_stated_reason() {
    let failures: Vec<String> = CASES.iter().filter_map(run).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
