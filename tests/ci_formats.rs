//! `check --format github` and `--format sarif` on real fixture repositories: the SARIF log
//! is valid against the SARIF 2.1.0 schema (checked by ajv), and both formats point at the
//! same places as the JSON report.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::js;

use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn fixture(case: &str) -> PathBuf {
    Path::new(ROOT).join("fixtures").join(case).join("repo")
}

/// Runs `fleetc check --format FORMAT` in `cwd` on `repo`.
fn check(cwd: &Path, repo: &Path, format: &str) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_fleetc"))
        .current_dir(cwd)
        .arg("-C")
        .arg(repo)
        .args(["check", "--format", format])
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

/// ajv's verdict on a SARIF log, against the SARIF 2.1.0 schema.
fn sarif_schema_valid(log: &str) -> Value {
    let schema =
        js::js_dir().join("node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json");
    let log: Value = serde_json::from_str(log).expect("a JSON log");
    js::validate(&schema, true, &[log]).remove(0)
}

#[test]
fn sarif_is_valid_and_points_where_json_does() {
    for case in [
        "outputs/duplicate-id",
        "human/warning-and-error",
        "outputs/valid-set",
        "usage/remote-assets",
    ] {
        let repo = fixture(case);
        let (code, sarif) = check(&repo, &repo, "sarif");
        let (json_code, json) = check(&repo, &repo, "json");
        assert_eq!(code, json_code, "{case}");
        let validation = sarif_schema_valid(&sarif);
        assert_eq!(
            validation["valid"],
            Value::Bool(true),
            "{case}: {}",
            validation["errors"]
        );
        let sarif: Value = serde_json::from_str(&sarif).unwrap();
        let json: Value = serde_json::from_str(&json).unwrap();
        let run = &sarif["runs"][0];
        let results = run["results"].as_array().unwrap();
        let diagnostics = json["diagnostics"].as_array().unwrap();
        assert_eq!(results.len(), diagnostics.len(), "{case}");
        for (result, diagnostic) in results.iter().zip(diagnostics) {
            assert_eq!(result["ruleId"], diagnostic["code"]);
            let rule =
                &run["tool"]["driver"]["rules"][result["ruleIndex"].as_u64().unwrap() as usize];
            assert_eq!(rule["id"], result["ruleId"], "ruleIndex must name the rule");
            let region = &result["locations"][0]["physicalLocation"]["region"];
            assert_eq!(region["startLine"], diagnostic["line"]);
            assert_eq!(region["startColumn"], diagnostic["column"]);
            assert_eq!(
                result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                diagnostic["file"]
            );
        }
    }
}

#[test]
fn sarif_rule_ids_are_every_rule_code() {
    let repo = fixture("outputs/valid-set");
    let (_, sarif) = check(&repo, &repo, "sarif");
    let sarif: Value = serde_json::from_str(&sarif).unwrap();
    let ids: Vec<&str> = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let codes: Vec<&str> = fleetc::rules::ALL.iter().map(|r| r.code).collect();
    assert_eq!(ids, codes);
}

#[test]
fn github_annotations_then_the_full_list() {
    let repo = fixture("outputs/duplicate-id");
    let (code, out) = check(&repo, &repo, "github");
    assert_eq!(code, Some(1));
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("::error file=outputs.yaml,line=6,col=9,endLine=6,endColumn=11,title=output/duplicate-id (boot)::two outputs have the id `es`%0Ahelp: "), "{out}");
    assert!(
        out.contains(
            "\noutputs.yaml:6:9: error[output/duplicate-id]: two outputs have the id `es`\n"
        ),
        "{out}"
    );
    // Run from the fixture folder, paths are relative to where the tool runs.
    let (_, out) = check(repo.parent().unwrap(), &repo, "github");
    assert!(
        out.starts_with("::error file=repo/outputs.yaml,line=6,"),
        "{out}"
    );
}

#[test]
fn github_notices_and_warnings() {
    let repo = fixture("hazards/plaintext-secret");
    let (code, out) = check(&repo, &repo, "github");
    assert_eq!(code, Some(0));
    assert!(
        out.lines().any(|l| l.starts_with("::warning file=")
            && l.contains("title=secret/plaintext-in-repo (lint)")),
        "{out}"
    );
    let repo = fixture("usage/remote-assets");
    let (_, out) = check(&repo, &repo, "github");
    assert!(
        out.lines()
            .any(|l| l.starts_with("::notice file=")
                && l.contains("title=output/remote-assets (lint)")),
        "{out}"
    );
}
