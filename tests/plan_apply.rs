//! `plan` and `apply` end to end, as a CI job runs them: two environments with an overlay
//! and templates, hand-kept kibana.yml files, exit codes, file modes, an interrupted
//! apply, and output that never shows a secret value.

mod support;

use std::path::Path;

use serde_json::Value;
use support::js::readback;
use support::{CANARY, CANARY_MARK, Repo, Run, age_encrypt, mode};

const PROJECT: &str = r#"
[vars]
region = "eu-west-1"

[environments.staging]
kibana_yml = "deploy/staging/kibana.yml"

[environments.prod]
kibana_yml = "deploy/prod/kibana.yml"
overlay = "environments/prod"

[environments.prod.vars]
region = "us-east-1"
"#;

const DECLARATIONS: &str = r#"outputs:
  - id: es
    name: Elasticsearch
    type: elasticsearch
    hosts: ["https://es-{{region}}.example.com:9200"]
    is_default: true
  - id: remote
    name: Remote monitoring
    type: remote_elasticsearch
    hosts: ["https://monitoring-{{region}}.example.com:443"]
    service_token: { secret: remote-token }
"#;

const OVERLAY: &str = r#"outputs:
  - id: archive
    name: Archive
    type: elasticsearch
    hosts: ["https://archive.example.com:9200"]
"#;

/// A hand-kept kibana.yml: comments, unicode, and what fleetc's own parser would refuse.
const HAND_WRITTEN: &str = "# Kibana — production (kept by hand) 🚀\nserver.name: \"Kibana — prod\"   # em dash\nserver.host: 0.0.0.0\nelasticsearch.hosts: [\"https://es.internal:9200\"]\npath.data: !!str 0755\ni18n.locale: ja-JP  # 日本語\n";

fn repository() -> Repo {
    let repo = Repo::with_key(PROJECT, DECLARATIONS);
    repo.write("environments/prod/outputs.yaml", OVERLAY);
    // Both environments read the base store.
    let set = ["--env", "staging", "secret", "set", "remote-token"];
    repo.run(&set, Some(CANARY), &[]).success();
    repo
}

/// Runs `args` with the repository's identity.
fn keyed(repo: &Repo, args: &[&str]) -> Run {
    let key = repo.identity_flag();
    let mut all = vec!["--identity", key.as_str()];
    all.extend_from_slice(args);
    repo.run(&all, None, &[])
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("target readable")
}

#[cfg(unix)]
fn inode(path: &Path) -> (u64, i64, i64) {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).expect("exists");
    (meta.ino(), meta.mtime(), meta.mtime_nsec())
}

#[test]
fn two_environments_plan_apply_and_plan_again() {
    let repo = repository();
    for (env, hand) in [
        ("prod", HAND_WRITTEN.to_owned()),
        ("staging", HAND_WRITTEN.trim_end().to_owned()),
    ] {
        let target = repo.path(&format!("deploy/{env}/kibana.yml"));
        repo.write(&format!("deploy/{env}/kibana.yml"), &hand);
        let plan = keyed(&repo, &["--env", env, "plan", "--detailed-exitcode"]);
        assert_eq!(plan.code, Some(2), "{plan:#?}");
        plan.hides(CANARY_MARK);
        assert!(
            plan.stdout.contains("+# BEGIN fleetc managed block\n"),
            "{plan:#?}"
        );
        assert!(
            plan.stdout
                .contains("service_token: <secret remote-token>\n")
        );
        keyed(&repo, &["--env", env, "apply"])
            .success()
            .hides(CANARY_MARK);
        let text = read(&target);
        let kept = if hand.ends_with('\n') {
            hand.clone()
        } else {
            format!("{hand}\n")
        };
        assert!(
            text.starts_with(&format!("{kept}# BEGIN fleetc managed block\n")),
            "{text}"
        );
        assert!(text.ends_with("# END fleetc managed block\n"));
        assert_eq!(mode(&target), 0o600);

        let again = keyed(&repo, &["--env", env, "plan", "--detailed-exitcode"]);
        again.success().hides(CANARY_MARK);
        assert!(again.stdout.contains("No changes"), "{again:#?}");
        let before = inode(&target);
        keyed(&repo, &["--env", env, "apply"]).success();
        assert_eq!(
            inode(&target),
            before,
            "an apply without changes rewrote the file"
        );
        assert_eq!(read(&target), text);

        let (v3, v4) = readback(&text);
        for data in [v3, v4] {
            assert_eq!(data["server.name"], "Kibana — prod", "{data}");
            assert_eq!(data["path.data"], "0755");
            let outputs = data["xpack.fleet.outputs"].as_array().expect("outputs");
            let remote = outputs
                .iter()
                .find(|o| o["id"] == "remote")
                .expect("remote");
            assert_eq!(remote["secrets"]["service_token"], CANARY);
            let ids: Vec<&str> = outputs.iter().filter_map(|o| o["id"].as_str()).collect();
            assert_eq!(ids.contains(&"archive"), env == "prod", "{ids:?}");
        }
    }
    let prod = read(&repo.path("deploy/prod/kibana.yml"));
    assert!(prod.contains("https://es-us-east-1.example.com:9200"));
    let staging = read(&repo.path("deploy/staging/kibana.yml"));
    assert!(staging.contains("https://es-eu-west-1.example.com:9200"));
}

#[test]
fn a_declaration_edit_and_a_secret_rotation_are_changes_without_values() {
    let repo = repository();
    keyed(&repo, &["--env", "prod", "apply"]).success();
    repo.write(
        "outputs.yaml",
        &DECLARATIONS.replace("name: Elasticsearch", "name: Main"),
    );
    let edit = keyed(&repo, &["--env", "prod", "plan", "--detailed-exitcode"]);
    assert_eq!(edit.code, Some(2), "{edit:#?}");
    edit.hides(CANARY_MARK);
    assert!(
        edit.stdout
            .contains("  outputs: 0 to add, 1 to change, 0 to remove\n    ~ `es`\n"),
        "{edit:#?}"
    );
    assert!(
        edit.stdout
            .contains("-    name: Elasticsearch\n+    name: Main\n")
    );
    assert!(!edit.stdout.contains("(changed)"), "{edit:#?}");
    keyed(&repo, &["--env", "prod", "apply"]).success();

    let rotated = "rotated-5e0b";
    let recipients = repo.path("secrets/recipients.txt");
    let bytes = age_encrypt(&recipients, true, rotated.as_bytes());
    std::fs::write(repo.path("secrets/remote-token.age"), bytes).expect("writes");
    let rotation = keyed(&repo, &["--env", "prod", "plan", "--detailed-exitcode"]);
    assert_eq!(rotation.code, Some(2), "{rotation:#?}");
    rotation.hides(CANARY_MARK).hides(rotated);
    assert!(
        rotation.stdout.contains(
            "-      service_token: <secret remote-token>\n+      service_token: <secret remote-token (changed)>\n"
        ),
        "{rotation:#?}"
    );
    let env = [("FLEETC_SECRET_REMOTE_TOKEN", "override-77aa")];
    let run = repo.run(
        &["--env", "prod", "plan", "--detailed-exitcode"],
        None,
        &env,
    );
    assert_eq!(run.code, Some(2), "{run:#?}");
    run.hides(CANARY_MARK).hides("override-77aa");

    // Without a key the old value cannot be compared: no change, and it says so.
    let blind = repo.run(&["--env", "prod", "plan", "--detailed-exitcode"], None, &[]);
    blind.success().hides(CANARY_MARK);
    assert!(blind.stdout.contains("Secrets not compared"), "{blind:#?}");
    assert!(
        blind.stdout.contains("`remote-token`: cannot decrypt"),
        "{blind:#?}"
    );
}

#[test]
fn plan_needs_no_key_for_a_new_target_but_apply_does() {
    let repo = repository();
    let run = repo.run(&["--env", "prod", "plan", "--detailed-exitcode"], None, &[]);
    assert_eq!(run.code, Some(2), "{run:#?}");
    assert!(
        run.stdout
            .contains("--- /dev/null\n+++ b/deploy/prod/kibana.yml\n")
    );
    assert!(run.stdout.contains("<secret remote-token>"));
    assert!(!run.stdout.contains("Secrets not compared"), "{run:#?}");
    repo.run(&["--env", "prod", "apply"], None, &[])
        .failure()
        .stderr_has("secret/undecryptable");
    assert!(!repo.path("deploy/prod/kibana.yml").exists());
}

#[test]
fn a_fleet_key_outside_the_block_is_refused_at_its_line() {
    let repo = repository();
    let cases = [
        ("xpack:\n  fleet:\n    outputs: []\n", "kibana.yml:4:5"),
        ("xpack.fleet.agentPolicies: []\n", "kibana.yml:2:1"),
        ("xpack.fleet:\n  packages: []\n", "kibana.yml:3:3"),
    ];
    for (fleet, place) in cases {
        let text = format!("server.name: k\n{fleet}elasticsearch.password: hunter-3b7f\n");
        repo.write("deploy/prod/kibana.yml", &text);
        for command in ["plan", "apply"] {
            keyed(&repo, &["--env", "prod", command])
                .failure()
                .stderr_has("target/fleet-key-outside-block")
                .stderr_has(place)
                .hides("hunter-3b7f")
                .hides(CANARY_MARK);
            assert_eq!(read(&repo.path("deploy/prod/kibana.yml")), text);
        }
    }
    let broken = "a: 1\n# BEGIN fleetc managed block\nb: 2\n";
    repo.write("deploy/prod/kibana.yml", broken);
    keyed(&repo, &["--env", "prod", "apply"])
        .failure()
        .stderr_has("target/malformed-block")
        .stderr_has("kibana.yml:2:1");
    assert_eq!(read(&repo.path("deploy/prod/kibana.yml")), broken);
}

#[test]
fn an_interrupted_apply_leaves_the_old_file_intact() {
    let repo = repository();
    repo.write("deploy/prod/kibana.yml", HAND_WRITTEN);
    keyed(&repo, &["--env", "prod", "apply"]).success();
    let target = repo.path("deploy/prod/kibana.yml");
    let old = read(&target);
    repo.write(
        "outputs.yaml",
        &DECLARATIONS.replace("name: Elasticsearch", "name: Main"),
    );
    let key = repo.identity_flag();
    let fault = [("FLEETC_FAULT", "before-rename")];
    let run = repo.run(
        &["--identity", &key, "--env", "prod", "apply"],
        None,
        &fault,
    );
    run.failure()
        .stderr_has("before the rename")
        .hides(CANARY_MARK);
    assert_eq!(read(&target), old);
    let leftovers: Vec<_> = std::fs::read_dir(repo.path("deploy/prod"))
        .expect("lists")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path != &target)
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    assert_eq!(
        mode(&leftovers[0]) & 0o077,
        0,
        "a leftover is readable by others"
    );
    keyed(&repo, &["--env", "prod", "apply"]).success();
    assert!(read(&target).contains("name: Main\n"));
}

#[test]
fn modes_follow_the_secrets_and_the_original_file() {
    use std::os::unix::fs::PermissionsExt;
    let plain = "outputs:\n  - id: es\n    name: es\n    type: elasticsearch\n    hosts: [\"https://es.example.com:443\"]\n    is_default: true\n";
    let repo = Repo::new("[environments.prod]\nkibana_yml = \"kibana.yml\"\n", plain);
    repo.run(&["apply"], None, &[]).success();
    assert_eq!(mode(&repo.path("kibana.yml")), 0o644);
    let target = repo.path("kibana.yml");
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    repo.write("outputs.yaml", &plain.replace("name: es", "name: main"));
    repo.run(&["apply"], None, &[]).success();
    assert_eq!(mode(&target), 0o640);

    let repo = repository();
    repo.write("deploy/prod/kibana.yml", HAND_WRITTEN);
    let target = repo.path("deploy/prod/kibana.yml");
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    keyed(&repo, &["--env", "prod", "apply"]).success();
    assert_eq!(mode(&target), 0o600);
}

#[test]
fn markdown_and_json_plans_have_their_structure() {
    let repo = repository();
    keyed(&repo, &["--env", "prod", "apply"]).success();
    // Removing the default output: Kibana keeps it, and the plan says so.
    let without_es = DECLARATIONS.replace(
        "  - id: es\n    name: Elasticsearch\n    type: elasticsearch\n    hosts: [\"https://es-{{region}}.example.com:9200\"]\n    is_default: true\n",
        "",
    );
    repo.write("outputs.yaml", &without_es);
    let run = keyed(&repo, &["--env", "prod", "plan", "--format", "json"]);
    run.success().hides(CANARY_MARK);
    let plan: Value = serde_json::from_str(&run.stdout).expect("one JSON object");
    assert_eq!(plan["target"], "deploy/prod/kibana.yml");
    assert_eq!(plan["environment"], "prod");
    assert_eq!(plan["changed"], true);
    assert_eq!(
        plan["summary"],
        serde_json::json!({ "add": 0, "change": 0, "remove": 1,
            "sections": { "outputs": { "add": 0, "change": 0, "remove": 1 } } })
    );
    assert_eq!(
        plan["changes"],
        serde_json::json!([{ "section": "outputs", "id": "es", "action": "remove" }])
    );
    assert_eq!(plan["notes"][0]["section"], "outputs");
    assert_eq!(plan["notes"][0]["id"], "es");
    assert!(
        plan["notes"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("keeps a removed default output"))
    );
    assert_eq!(plan["secrets"]["compared"], true);
    let diff = plan["diff"].as_str().expect("diff text");
    assert!(
        diff.starts_with("--- a/deploy/prod/kibana.yml\n+++ b/deploy/prod/kibana.yml\n@@ "),
        "{diff}"
    );
    assert!(diff.contains("\n-  - id: es\n"), "{diff}");

    let run = keyed(&repo, &["--env", "prod", "plan", "--format", "markdown"]);
    run.success().hides(CANARY_MARK);
    let text = &run.stdout;
    assert!(
        text.starts_with("### fleetc plan: `deploy/prod/kibana.yml` (environment `prod`)\n\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "| | add | change | remove |\n| --- | ---: | ---: | ---: |\n| outputs | 0 | 0 | 1 |\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("\n```diff\n--- a/deploy/prod/kibana.yml\n"),
        "{text}"
    );
    assert!(
        text.contains("#### Kibana will not apply all of this\n\n- **output `es`**: Kibana keeps"),
        "{text}"
    );
    assert!(
        text.ends_with("**Plan: 0 to add, 0 to change, 1 to remove.**\n"),
        "{text}"
    );
}

#[test]
fn env_delivery_compares_no_secret_values() {
    let project = "[secrets]\ndelivery = \"env\"\n";
    let repo = Repo::with_key(project, DECLARATIONS.replace("{{region}}", "x").as_str());
    repo.set("remote-token", CANARY).success();
    let out = repo.outside("kibana.yml").display().to_string();
    let run = repo.run(&["plan", "--target", &out, "--format", "json"], None, &[]);
    run.success().hides(CANARY_MARK);
    let plan: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(plan["secrets"]["compared"], false);
    assert!(
        plan["diff"]
            .as_str()
            .is_some_and(|d| d.contains("service_token: \"${FLEETC_REMOTE_TOKEN}\""))
    );
    let text = repo.run(&["plan", "--target", &out], None, &[]);
    assert!(
        text.stdout.contains("Secret values are not compared"),
        "{text:#?}"
    );
    repo.run(&["apply", "--target", &out], None, &[]).success();
    assert_eq!(mode(Path::new(&out)), 0o644);
    repo.run(
        &["plan", "--target", &out, "--detailed-exitcode"],
        None,
        &[],
    )
    .success();
}

#[test]
fn build_for_eck_reads_back_as_the_json_under_spec_config() {
    let repo = repository();
    let eck = keyed(&repo, &["--env", "prod", "build", "--format", "eck"]);
    assert!(
        eck.success()
            .stdout
            .starts_with("spec:\n  config:\n    xpack.fleet.outputs:\n"),
        "{eck:#?}"
    );
    let json = keyed(&repo, &["--env", "prod", "build", "--format", "json"]);
    let expected: Value = serde_json::from_str(&json.success().stdout).expect("JSON");
    let (v3, v4) = readback(&eck.stdout);
    assert_eq!(v3["spec"]["config"], expected);
    assert_eq!(v4["spec"]["config"], expected);
}
