//! End-to-end cases: the real binary on the fixture repositories under `fixtures/`.
//!
//! Each case is a folder with an `expect.toml`: the arguments (default `check --format
//! json`), the exit code, and every diagnostic the run must report, by code, file, line and
//! column, in order. A case may also name text that standard output or error must (or must
//! not) contain, and a file `stderr.txt` holding the exact human report.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    #[serde(default)]
    args: Option<Vec<String>>,
    exit: i32,
    #[serde(default)]
    env: Vec<(String, String)>,
    #[serde(default)]
    diagnostics: Vec<Expected>,
    #[serde(default)]
    stdout_contains: Vec<String>,
    #[serde(default)]
    stderr_contains: Vec<String>,
    #[serde(default)]
    not_contains: Vec<String>,
}

#[derive(Debug, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    code: String,
    file: Option<String>,
    line: Option<u64>,
    column: Option<u64>,
    #[serde(default = "error")]
    severity: String,
}

fn error() -> String {
    "error".into()
}

fn cases() -> Vec<PathBuf> {
    let mut cases = Vec::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    for group in std::fs::read_dir(&root).unwrap().flatten() {
        let Ok(entries) = std::fs::read_dir(group.path()) else {
            continue;
        };
        for case in entries.flatten() {
            if case.path().join("expect.toml").is_file() {
                cases.push(case.path());
            }
        }
    }
    cases.sort();
    cases
}

fn run_case(case: &Path) -> Result<(), String> {
    let expect: Expect =
        toml::from_str(&std::fs::read_to_string(case.join("expect.toml")).unwrap())
            .map_err(|e| format!("expect.toml: {e}"))?;
    let args = expect
        .args
        .clone()
        .unwrap_or_else(|| ["check", "--format", "json"].map(String::from).to_vec());
    let repository = case.join("repo");
    let mut command = Command::new(env!("CARGO_BIN_EXE_fleetc"));
    command
        .arg("-C")
        .arg(&repository)
        .args(&args)
        .env("NO_COLOR", "1")
        .env_remove("FLEETC_AGE_KEY")
        .env_remove("FLEETC_AGE_KEY_FILE");
    command.current_dir(&repository);
    for (key, value) in &expect.env {
        command.env(key, value);
    }
    let output = command.output().map_err(|e| e.to_string())?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let context = || format!("\n--- stdout\n{stdout}\n--- stderr\n{stderr}");
    if output.status.code() != Some(expect.exit) {
        return Err(format!(
            "exit {:?}, expected {}{}",
            output.status.code(),
            expect.exit,
            context()
        ));
    }
    if args.iter().any(|a| a == "json") && args.first().is_some_and(|a| a == "check") {
        let report: Value = serde_json::from_str(&stdout)
            .map_err(|e| format!("stdout is not JSON: {e}{}", context()))?;
        let found = actual(&report);
        let wanted: Vec<&Expected> = expect.diagnostics.iter().collect();
        if found.len() != wanted.len() || found.iter().zip(&wanted).any(|(a, w)| !matches(a, w)) {
            return Err(format!(
                "diagnostics differ\n  expected: {wanted:#?}\n  found: {found:#?}"
            ));
        }
    }
    for text in &expect.stdout_contains {
        if !stdout.contains(text.as_str()) {
            return Err(format!("stdout lacks {text:?}{}", context()));
        }
    }
    for text in &expect.stderr_contains {
        if !stderr.contains(text.as_str()) {
            return Err(format!("stderr lacks {text:?}{}", context()));
        }
    }
    for text in &expect.not_contains {
        if stdout.contains(text.as_str()) || stderr.contains(text.as_str()) {
            return Err(format!("output contains {text:?}{}", context()));
        }
    }
    let snapshot = case.join("stderr.txt");
    if snapshot.is_file() {
        let wanted = std::fs::read_to_string(&snapshot).unwrap();
        if std::env::var_os("FLEETC_BLESS").is_some() {
            std::fs::write(&snapshot, stderr.as_bytes()).unwrap();
        } else if wanted != stderr {
            return Err(format!(
                "stderr differs from stderr.txt (FLEETC_BLESS=1 rewrites it){}",
                context()
            ));
        }
    }
    Ok(())
}

fn actual(report: &Value) -> Vec<Expected> {
    let items = report["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    items
        .iter()
        .map(|d| Expected {
            code: d["code"].as_str().unwrap_or_default().to_owned(),
            file: d["file"].as_str().map(str::to_owned),
            line: d["line"].as_u64(),
            column: d["column"].as_u64(),
            severity: d["severity"].as_str().unwrap_or_default().to_owned(),
        })
        .collect()
}

/// A found diagnostic matches when every field the expectation names is equal.
fn matches(found: &Expected, wanted: &Expected) -> bool {
    found.code == wanted.code
        && found.severity == wanted.severity
        && (wanted.file.is_none() || found.file == wanted.file)
        && (wanted.line.is_none() || found.line == wanted.line)
        && (wanted.column.is_none() || found.column == wanted.column)
}

#[test]
fn fixtures() {
    let cases = cases();
    assert!(cases.len() > 10, "the fixture cases are missing");
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            run_case(case).err().map(|e| {
                format!(
                    "{}: {e}",
                    case.strip_prefix(env!("CARGO_MANIFEST_DIR"))
                        .unwrap_or(case)
                        .display()
                )
            })
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}
