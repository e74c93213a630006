//! `fleetc import` end to end: YAML and TOML output, an ECK manifest, files that exist,
//! and credentials (stored as age secrets when recipients exist, kept literal otherwise,
//! never printed).

mod support;

use support::{Repo, age_decrypt};

/// A kibana.yml with dotted and nested keys, both package-policy shapes, a bracketed key,
/// env references and a plaintext service token.
const KIBANA_YML: &str = r#"server.name: kibana
elasticsearch.password: ${KIBANA_PASSWORD}
xpack.fleet.agents.fleet_server.hosts: ["https://fleet.example.com:8220"]
xpack.fleet.agents.tlsCheckDisabled: true
xpack.fleet:
  enabled: true
  packages:
    - name: system
      version: latest
  outputs:
    - id: es
      name: es
      type: elasticsearch
      hosts: ["https://es.example.com:443"]
      is_default: true
      is_default_monitoring: true
    - id: remote
      name: remote
      type: remote_elasticsearch
      hosts: ["https://remote.example.com:443"]
      service_token: "token-5ecret-value"
      ca_trusted_fingerprint: "${FINGERPRINT}"
  agentPolicies:
    - id: linux
      name: Linux
      package_policies:
        - id: linux-system
          name: system-linux
          package: { name: system }
          inputs:
            system-system/metrics:
              vars:
                '[system.hostfs]': /hostfs
              streams:
                '[system.cpu]':
                  vars: { period: 10s }
        - name: system-list
          package: { name: system }
          inputs:
            - type: logfile
              vars:
                - name: paths
                  value: ['/var/log/*${kubernetes.pod.name}.log']
"#;

const SECRET: &str = "token-5ecret-value";

/// fleetc on the imported repository `dir` (a folder of `repo`), with the same clean
/// environment as `Repo::run`.
fn in_repo(repo: &Repo, dir: &str, args: &[&str]) -> support::Run {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_fleetc"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &repo.home)
        .env("NO_COLOR", "1")
        .arg("-C")
        .arg(repo.path(dir))
        .args(args)
        .output()
        .expect("fleetc runs");
    support::Run::from(output)
}

fn import_into(repo: &Repo, args: &[&str]) -> support::Run {
    repo.write("in/kibana.yml", KIBANA_YML);
    let input = repo.path("in/kibana.yml").display().to_string();
    let mut all = vec!["import", input.as_str(), "--into", "imported"];
    all.extend(args);
    repo.run(&all, None, &[])
}

#[test]
fn yaml_declarations_that_check_and_build() {
    let repo = Repo::new("", "outputs: []\n");
    let run = import_into(&repo, &[]);
    run.success()
        .hides(SECRET)
        .stderr_has("ignored 2 settings outside `xpack.fleet`")
        .stderr_has("`xpack.fleet.agents.tlsCheckDisabled` dropped")
        .stderr_has("`xpack.fleet.enabled` not imported")
        .stderr_has("output `remote` field `service_token` holds a credential in plain text and is kept literal");
    let outputs = std::fs::read_to_string(repo.path("imported/outputs.yaml")).unwrap();
    assert!(
        outputs.contains("ca_trusted_fingerprint:\n      env: FINGERPRINT"),
        "{outputs}"
    );
    let policies = std::fs::read_to_string(repo.path("imported/agent_policies.yaml")).unwrap();
    assert!(policies.contains("system.hostfs: /hostfs"), "{policies}");
    assert!(policies.contains("${kubernetes.pod.name}"), "{policies}");
    let settings = std::fs::read_to_string(repo.path("imported/settings.yaml")).unwrap();
    assert!(
        settings.contains("agents.fleet_server.hosts:"),
        "{settings}"
    );
    let project = std::fs::read_to_string(repo.path("imported/fleetc.toml")).unwrap();
    assert!(project.contains("stack_version = \"9.2.0\""), "{project}");
    let check = in_repo(&repo, "imported", &["check"]);
    check
        .success()
        .hides(SECRET)
        .stderr_has("secret/plaintext-in-repo");
    let build = in_repo(&repo, "imported", &["build"]);
    build.success();
    assert!(
        build.stdout.contains("\"[system.cpu]\""),
        "{}",
        build.stdout
    );
    assert!(build.stdout.contains("${FINGERPRINT}"), "{}", build.stdout);
}

#[test]
fn toml_declarations_build_the_same_block() {
    let repo = Repo::new("", "outputs: []\n");
    import_into(&repo, &["--format", "toml", "--stack", "8.19.0"]).success();
    assert!(repo.path("imported/agent_policies.toml").exists());
    let project = std::fs::read_to_string(repo.path("imported/fleetc.toml")).unwrap();
    assert!(project.contains("stack_version = \"8.19.0\""), "{project}");
    let from_toml = in_repo(&repo, "imported", &["build", "--format", "json"]);
    from_toml.success();
    repo.run(
        &[
            "import",
            &repo.path("in/kibana.yml").display().to_string(),
            "--into",
            "yaml",
            "--stack",
            "8.19.0",
        ],
        None,
        &[],
    )
    .success();
    let from_yaml = in_repo(&repo, "yaml", &["build", "--format", "json"]);
    assert_eq!(from_toml.stdout, from_yaml.success().stdout);
}

#[test]
fn eck_manifest_imports_spec_config() {
    let repo = Repo::new("", "outputs: []\n");
    let manifest = "apiVersion: elasticsearch.k8s.elastic.co/v1\nkind: Elasticsearch\nmetadata: { name: es }\n---\napiVersion: kibana.k8s.elastic.co/v1\nkind: Kibana\nmetadata: { name: kb }\nspec:\n  version: 9.1.0\n  config:\n    xpack.fleet.agents.fleet_server.hosts: [\"https://fleet-server-agent-http.default.svc:8220\"]\n    xpack.fleet.packages:\n      - name: fleet_server\n        version: latest\n";
    repo.write("kibana.yaml", manifest);
    let input = repo.path("kibana.yaml").display().to_string();
    repo.run(&["import", &input, "--into", "eck"], None, &[])
        .success()
        .stderr_has("reading `spec.config` of the ECK Kibana resource");
    let packages = std::fs::read_to_string(repo.path("eck/packages.yaml")).unwrap();
    assert!(packages.contains("name: fleet_server"), "{packages}");
    assert!(repo.path("eck/settings.yaml").exists());
}

#[test]
fn existing_declaration_files_are_never_overwritten() {
    let repo = Repo::new("", "outputs: []\n");
    repo.write("imported/outputs.yaml", "outputs: []\n");
    repo.write("imported/settings.yaml", "settings: {}\n");
    import_into(&repo, &[])
        .failure()
        .stderr_has("already exist; import never overwrites declaration files");
    let run = import_into(&repo, &[]);
    assert!(run.stderr.contains("imported/outputs.yaml"), "{run:#?}");
    assert!(run.stderr.contains("imported/settings.yaml"), "{run:#?}");
    assert!(!repo.path("imported/agent_policies.yaml").exists());
    assert_eq!(
        std::fs::read_to_string(repo.path("imported/outputs.yaml")).unwrap(),
        "outputs: []\n"
    );
}

#[test]
fn credentials_become_age_secrets_when_recipients_exist() {
    let repo = Repo::with_key("", "outputs: []\n");
    let recipients = std::fs::read_to_string(repo.path("secrets/recipients.txt")).unwrap();
    repo.write("imported/secrets/recipients.txt", &recipients);
    import_into(&repo, &[]).success().hides(SECRET).stderr_has(
        "stored output `remote` field `service_token` as the secret `remote-service_token`",
    );
    let outputs = std::fs::read_to_string(repo.path("imported/outputs.yaml")).unwrap();
    assert!(!outputs.contains(SECRET), "{outputs}");
    assert!(
        outputs.contains("secret: remote-service_token"),
        "{outputs}"
    );
    let file = repo.path("imported/secrets/remote-service_token.age");
    assert_eq!(age_decrypt(&repo.key(), &file), SECRET.as_bytes());
    let identity = repo.identity_flag();
    let build = in_repo(&repo, "imported", &["--identity", &identity, "build"]);
    assert!(build.success().stdout.contains(SECRET));
}

#[test]
fn unreadable_input_is_an_error() {
    let repo = Repo::new("", "outputs: []\n");
    repo.write("bad.yml", "a: [1, 2\n");
    let input = repo.path("bad.yml").display().to_string();
    repo.run(&["import", &input, "--into", "x"], None, &[])
        .failure()
        .stderr_has("the file is not YAML");
}
