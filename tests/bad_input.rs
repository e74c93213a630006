//! Bad input ends in a clear error and exit 1: never a panic, a hang or unbounded memory.
//! Cases that cannot live as committed fixtures (large files) and random input.

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

use proptest::prelude::*;
use serde_json::Value;

/// A throwaway repository with one declaration file.
fn repository(file: &str, contents: &[u8]) -> PathBuf {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
    let root =
        std::env::temp_dir().join(format!("fleetc-bad-input-{}-{unique}", std::process::id()));
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("fleetc.toml"), "stack_version = \"9.1.0\"\n").unwrap();
    std::fs::write(root.join(file), contents).unwrap();
    root
}

/// Runs `check --format json`; the exit code and the report.
fn check(root: &PathBuf) -> (Option<i32>, Value) {
    let output = Command::new(env!("CARGO_BIN_EXE_fleetc"))
        .arg("-C")
        .arg(root)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(root);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "fleetc panicked: {stderr}");
    let report = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (output.status.code(), report)
}

fn codes(report: &Value) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| d["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn a_file_over_8_mib_is_refused_without_reading_it_whole() {
    let mut text = String::from("outputs:\n");
    while text.len() <= 8 * 1024 * 1024 {
        text.push_str("  # padding padding padding padding padding padding padding padding\n");
    }
    let (code, report) = check(&repository("big.yaml", text.as_bytes()));
    assert_eq!(code, Some(1));
    assert_eq!(codes(&report), ["repo/file-too-large"]);
    assert_eq!(report["diagnostics"][0]["file"], "big.yaml");
}

#[test]
fn deep_nesting_is_refused_in_both_syntaxes() {
    let yaml = format!("outputs: {}{}\n", "[".repeat(5000), "]".repeat(5000));
    let (code, report) = check(&repository("deep.yaml", yaml.as_bytes()));
    assert_eq!(
        (code, codes(&report)),
        (Some(1), vec!["parse/too-deep".to_owned()])
    );
    let toml = format!("a = {}{}\n", "[".repeat(5000), "]".repeat(5000));
    let (code, report) = check(&repository("deep.toml", toml.as_bytes()));
    assert_eq!(code, Some(1));
    assert_eq!(codes(&report).len(), 1, "{report}");
}

#[test]
fn a_long_flat_file_is_fine() {
    let mut text = String::from("outputs:\n");
    for i in 0..20_000 {
        text.push_str(&format!(
            "  - {{ id: o{i}, name: o{i}, type: logstash, hosts: [\"ls{i}:5044\"] }}\n"
        ));
    }
    let (code, report) = check(&repository("many.yaml", text.as_bytes()));
    assert_eq!(code, Some(0), "{report}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Random bytes, and random YAML-ish text, give exit 0 or 1 and a JSON report.
    #[test]
    fn random_input_never_crashes(bytes in proptest::collection::vec(any::<u8>(), 0..400), yamlish in "[a-z:{}\\[\\]&*!|>#'\" \\n-]{0,300}") {
        for (file, contents) in [("random.yaml", bytes.clone()), ("random.toml", bytes), ("yamlish.yaml", yamlish.into_bytes())] {
            let (code, report) = check(&repository(file, &contents));
            prop_assert!(matches!(code, Some(0 | 1)), "exit {code:?} for {file}");
            prop_assert!(report.is_object(), "no JSON report for {file}");
        }
    }
}

/// Runs `check` with the human report; exit code and standard error.
fn check_human(root: &PathBuf) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_fleetc"))
        .arg("-C")
        .arg(root)
        .args(["--color", "never", "check"])
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(root);
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_file_that_does_not_parse_shows_no_credential() {
    let cases: [(&str, &str); 4] = [
        (
            "dup.yaml",
            "outputs:\n  - id: r\n    service_token: CANARYdup1\n    service_token: CANARYdup1\n",
        ),
        (
            "flow.yaml",
            "outputs:\n  - { id: r, password: CANARYflow, ssl: {key: CANARYkey\n",
        ),
        (
            "block.yaml",
            "outputs:\n  - id: r\n    ssl:\n      key: |\n        CANARYblock\n    name: 0755\n",
        ),
        (
            "dup.toml",
            "[[outputs]]\nid = \"k\"\npassword = \"CANARYtoml\"\nid = \"again\"\n",
        ),
    ];
    for (file, text) in cases {
        let (code, stderr) = check_human(&repository(file, text.as_bytes()));
        assert_eq!(code, Some(1), "{file}: {stderr}");
        assert!(
            stderr.contains(file),
            "{file}: the report names the file: {stderr}"
        );
        assert!(!stderr.contains("CANARY"), "{file} leaks: {stderr}");
    }
}

#[test]
fn columns_are_the_file_s_after_a_masked_credential() {
    let text = "outputs:\n  - { id: r, name: r, type: remote_elasticsearch, hosts: [\"https://r:443\"], service_token: \"ääää\", bogus: 1 }\n";
    let (code, report) = check(&repository("o.yaml", text.as_bytes()));
    assert_eq!(code, Some(1));
    let bogus = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "schema/unknown-field")
        .expect("the unknown field");
    let expected = text
        .lines()
        .nth(1)
        .unwrap()
        .split("bogus")
        .next()
        .unwrap()
        .chars()
        .count()
        + 1;
    assert_eq!(bogus["column"], expected, "{report}");
}
