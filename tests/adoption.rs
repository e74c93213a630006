//! What a team needs to adopt fleetc: the pre-commit manifest, shell completions and the
//! manual page, and the GitHub Actions example.

mod support;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use support::js;

use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn fleetc(args: &[&str]) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_fleetc"))
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

/// A YAML text as js-yaml 4 reads it.
fn load_yaml(text: &str) -> Value {
    js::load_yaml(&[text.to_owned()]).remove(0)
}

#[test]
fn pre_commit_hooks_run_check_on_the_whole_repository() {
    let manifest = load_yaml(
        &std::fs::read_to_string(Path::new(ROOT).join(".pre-commit-hooks.yaml")).unwrap(),
    );
    let hooks = manifest.as_array().expect("a list of hooks");
    let ids: Vec<&str> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["fleetc-check", "fleetc-check-system"]);
    for hook in hooks {
        // pre-commit requires these keys; `language: rust` builds this repository with cargo.
        for key in ["id", "name", "entry", "language"] {
            assert!(hook[key].is_string(), "{key} missing in {hook}");
        }
        assert!(["rust", "system"].contains(&hook["language"].as_str().unwrap()));
        assert_eq!(
            hook["pass_filenames"],
            Value::Bool(false),
            "fleetc checks the whole repository"
        );
        // The entry, run the way pre-commit runs it, checks a repository.
        let entry: Vec<&str> = hook["entry"].as_str().unwrap().split_whitespace().collect();
        assert_eq!(entry[0], "fleetc");
        let mut args = vec![
            "-C",
            concat!(env!("CARGO_MANIFEST_DIR"), "/examples/platform"),
        ];
        args.extend(&entry[1..]);
        assert_eq!(fleetc(&args).0, Some(0), "{entry:?}");
    }
    let pattern = regex::Regex::new(hooks[0]["files"].as_str().unwrap()).unwrap();
    for path in [
        "outputs.yaml",
        "policies/linux.yml",
        "fleetc.toml",
        "secrets/token.age",
        "secrets/recipients.txt",
    ] {
        assert!(pattern.is_match(path), "{path}");
    }
    assert!(!pattern.is_match("README.md"));
}

#[test]
fn completions_cover_every_command() {
    for shell in ["bash", "zsh", "fish"] {
        let (code, script) = fleetc(&["completions", shell]);
        assert_eq!(code, Some(0));
        for command in [
            "check", "build", "plan", "apply", "schema", "graph", "secret", "init", "import",
        ] {
            assert!(
                script.contains(command),
                "{shell} completion lacks {command}"
            );
        }
    }
    let (_, bash) = fleetc(&["completions", "bash"]);
    let status = Command::new("bash")
        .arg("-n")
        .stdin(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child.stdin.take().unwrap().write_all(bash.as_bytes())?;
            child.wait()
        });
    assert!(
        status.unwrap().success(),
        "the bash completion script is not valid bash"
    );
}

#[test]
fn manual_pages_come_from_the_command_definitions() {
    let (code, page) = fleetc(&["man"]);
    assert_eq!(code, Some(0));
    assert!(page.contains(".TH fleetc 1"), "{page}");
    assert!(page.contains("check") && page.contains("build") && page.contains("\\-\\-directory"));
    let (code, page) = fleetc(&["man", "check"]);
    assert_eq!(code, Some(0));
    assert!(
        page.contains("\\-\\-strict") && page.contains("\\-\\-directory"),
        "{page}"
    );
    assert_eq!(fleetc(&["man", "nope"]).0, Some(1));
}

#[test]
fn the_github_actions_example_is_a_workflow() {
    let workflow = load_yaml(
        &std::fs::read_to_string(Path::new(ROOT).join("docs/ci/github-actions.yml")).unwrap(),
    );
    let jobs = workflow["jobs"].as_object().expect("jobs");
    let runs: Vec<String> = jobs
        .values()
        .flat_map(|job| {
            job["steps"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|s| s["run"].as_str().map(str::to_owned))
        })
        .collect();
    let all = runs.join("\n");
    for command in [
        "fleetc check --format github",
        "plan --format markdown --detailed-exitcode",
        "apply",
    ] {
        assert!(all.contains(command), "the workflow lacks `{command}`");
    }
}

#[test]
fn init_creates_a_repository_that_checks_and_builds() {
    let dir = std::env::temp_dir().join(format!("fleetc-init-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let created = fleetc(&["init", dir.to_str().unwrap()]);
    assert_eq!(created.0, Some(0));
    let lists = [
        "outputs",
        "fleet_server_hosts",
        "proxies",
        "packages",
        "agent_policies",
        "settings",
    ];
    for list in lists {
        let text = std::fs::read_to_string(dir.join(format!("{list}.yaml"))).unwrap();
        assert!(
            text.starts_with("# yaml-language-server: $schema=.fleetc/declarations.schema.json\n"),
            "{list}"
        );
        assert!(text.contains(&format!("\n{list}:\n")), "{list}");
    }
    assert!(dir.join(".fleetc/declarations.schema.json").is_file());
    assert!(
        std::fs::read_to_string(dir.join("fleetc.toml"))
            .unwrap()
            .starts_with("#:schema .fleetc/fleetc.schema.json\n")
    );
    let dir_arg = dir.to_str().unwrap();
    assert_eq!(fleetc(&["-C", dir_arg, "check"]).0, Some(0));
    let (code, block) = fleetc(&["-C", dir_arg, "build"]);
    assert_eq!(code, Some(0));
    for key in [
        "xpack.fleet.packages:",
        "xpack.fleet.agentPolicies:",
        "xpack.fleet.outputs:",
        "xpack.fleet.fleetServerHosts:",
        "xpack.fleet.proxies:",
        "xpack.fleet.isAirGapped: false",
    ] {
        assert!(block.contains(key), "{key}");
    }
    assert_eq!(
        fleetc(&["init", dir_arg]).0,
        Some(1),
        "init refuses an existing repository"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_examples_check_and_build() {
    let platform = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/platform");
    let identity = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/platform/demo-identity.txt"
    );
    assert_eq!(fleetc(&["-C", platform, "check"]).0, Some(0));
    let (code, block) = fleetc(&["-C", platform, "--identity", identity, "build"]);
    assert_eq!(code, Some(0));
    assert!(
        block.contains("    secrets:\n      service_token: "),
        "the remote token goes under `secrets`"
    );
    let environments = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/environments");
    assert_eq!(fleetc(&["-C", environments, "check"]).0, Some(0));
    let (_, staging) = fleetc(&["-C", environments, "--env", "staging", "build"]);
    let (_, prod) = fleetc(&["-C", environments, "--env", "prod", "build"]);
    assert!(
        staging.contains("https://es.eu-west-1.example.com:9200")
            && staging.contains("debug-logstash")
    );
    assert!(
        prod.contains("https://es-2.us-east-1.example.com:9200")
            && !prod.contains("debug-logstash")
    );
    assert!(prod.contains("preset: throughput") && prod.contains("period: \"10s\""));
}

#[test]
fn colours_follow_the_flag_and_no_color() {
    let repo = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/outputs/duplicate-id/repo"
    );
    let stderr = |args: &[&str], no_color: bool| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_fleetc"));
        command.args(["-C", repo]).args(args).arg("check");
        if no_color {
            command.env("NO_COLOR", "1");
        } else {
            command.env_remove("NO_COLOR");
        }
        String::from_utf8(command.output().unwrap().stderr).unwrap()
    };
    let escape = "\u{1b}[";
    assert!(
        stderr(&["--color", "always"], true).contains(escape),
        "always colours, NO_COLOR or not"
    );
    assert!(!stderr(&["--color", "never"], false).contains(escape));
    assert!(
        !stderr(&["--color", "auto"], true).contains(escape),
        "NO_COLOR"
    );
    assert!(!stderr(&[], false).contains(escape), "not a terminal");
}
