//! The secret store end to end: interoperability with the real `age` tools, the `secret`
//! commands, where `build` puts values, and every failure a user can cause.

mod support;

use support::{CANARY, OUTPUTS, Repo, age_decrypt, age_encrypt, age_keygen, mode};

const FLEET: &str = "[secrets]\nstorage = \"fleet\"\n";

#[test]
fn files_the_age_tool_writes_decrypt_in_fleetc_armored_or_binary() {
    for armor in [true, false] {
        let repo = Repo::with_key(FLEET, OUTPUTS);
        let bytes = age_encrypt(&repo.path("secrets/recipients.txt"), armor, b"tok-from-age");
        std::fs::write(repo.path("secrets/remote-token.age"), bytes).expect("writes");
        repo.run(&["check"], None, &[]).success();
        let run = repo.run(&["build", "--identity", &repo.identity_flag()], None, &[]);
        run.success();
        assert!(
            run.stdout
                .contains("secrets:\n      service_token: tok-from-age\n"),
            "{run:#?}"
        );
        assert!(!run.stdout.contains("\n    service_token:"), "{run:#?}");
    }
}

#[test]
fn files_fleetc_writes_decrypt_with_the_age_tool() {
    let repo = Repo::with_key(FLEET, OUTPUTS);
    repo.set("remote-token", "tok-from-fleetc\n").success();
    let file = repo.path("secrets/remote-token.age");
    let text = std::fs::read_to_string(&file).expect("armored text");
    assert!(text.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"));
    assert_eq!(age_decrypt(&repo.key(), &file), b"tok-from-fleetc");
}

#[test]
fn set_keeps_a_newline_on_request_and_refuses_an_empty_value() {
    let repo = Repo::with_key(FLEET, OUTPUTS);
    repo.run(
        &["secret", "set", "pem", "--keep-newline"],
        Some("k\n"),
        &[],
    )
    .success();
    assert_eq!(
        age_decrypt(&repo.key(), &repo.path("secrets/pem.age")),
        b"k\n"
    );
    repo.set("empty", "\n")
        .failure()
        .stderr_has("the value is empty");
    repo.set("../escape", "x")
        .failure()
        .stderr_has("is not a secret name");
}

#[test]
fn keygen_writes_a_private_identity_that_age_can_use() {
    let repo = Repo::new(FLEET, OUTPUTS);
    let out = repo.outside("new-key.txt");
    let run = repo.run(
        &["secret", "keygen", "--out", &out.display().to_string()],
        None,
        &[],
    );
    run.success();
    assert_eq!(mode(&out), 0o600);
    let recipient = run.stdout.trim();
    assert!(recipient.starts_with("age1"), "{run:#?}");
    let text = std::fs::read_to_string(&out).expect("identity");
    assert!(!run.stdout.contains("AGE-SECRET-KEY") && !run.stderr.contains("AGE-SECRET-KEY"));
    repo.write("secrets/recipients.txt", &format!("{recipient}\n"));
    repo.set("remote-token", "tok").success();
    assert_eq!(
        age_decrypt(&out, &repo.path("secrets/remote-token.age")),
        b"tok"
    );
    assert!(text.contains(recipient));
    repo.run(
        &["secret", "keygen", "--out", &out.display().to_string()],
        None,
        &[],
    )
    .failure()
    .stderr_has("cannot create");
}

#[test]
fn keygen_defaults_to_the_identity_build_reads() {
    let repo = Repo::new(FLEET, OUTPUTS);
    let run = repo.run(&["secret", "keygen"], None, &[]);
    run.success();
    let key = repo.home.join(".config/fleetc/age/keys.txt");
    assert_eq!(mode(&key), 0o600);
    assert_eq!(mode(key.parent().expect("folder")), 0o700);
    repo.write("secrets/recipients.txt", &run.stdout);
    repo.set("remote-token", "tok-default").success();
    let build = repo.run(&["build"], None, &[]);
    build.success();
    assert!(
        build.stdout.contains("service_token: tok-default"),
        "{build:#?}"
    );
}

#[test]
fn identities_come_from_the_flag_then_the_variables() {
    let repo = Repo::with_key(FLEET, OUTPUTS);
    repo.set("remote-token", "tok").success();
    let key_file = repo.identity_flag();
    let key_text = std::fs::read_to_string(repo.key()).expect("key");
    repo.run(&["build"], None, &[("FLEETC_AGE_KEY_FILE", &key_file)])
        .success();
    repo.run(&["build"], None, &[("FLEETC_AGE_KEY", &key_text)])
        .success();
    let stranger = repo.outside("stranger.txt");
    age_keygen(&stranger);
    // The flag wins over a working key in the variables.
    repo.run(
        &["build", "--identity", &stranger.display().to_string()],
        None,
        &[("FLEETC_AGE_KEY", &key_text)],
    )
    .failure()
    .stderr_has("secret/undecryptable")
    .stderr_has("stranger.txt");
}

#[test]
fn a_wrong_identity_names_the_secret_and_the_identity() {
    let repo = Repo::with_key(FLEET, OUTPUTS);
    repo.set("remote-token", "tok").success();
    let stranger = repo.outside("stranger.txt");
    age_keygen(&stranger);
    repo.run(
        &["build", "--identity", &stranger.display().to_string()],
        None,
        &[],
    )
    .failure()
    .stderr_has("cannot decrypt the secret `remote-token`")
    .stderr_has("identity file `")
    .stderr_has("not encrypted to any key of the identity");
    repo.run(&["build"], None, &[])
        .failure()
        .stderr_has("no identity to decrypt secrets with");
    let missing = repo.outside("missing.txt").display().to_string();
    repo.run(&["build", "--identity", &missing], None, &[])
        .failure()
        .stderr_has("cannot read identity file");
}

#[test]
fn tampered_truncated_and_garbage_files_are_clear_errors() {
    let repo = Repo::with_key(FLEET, OUTPUTS);
    let recipients = repo.path("secrets/recipients.txt");
    let file = repo.path("secrets/remote-token.age");
    let mut bytes = age_encrypt(&recipients, false, b"a token of some length");
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    std::fs::write(&file, &bytes).expect("writes");
    repo.run(&["check"], None, &[]).success();
    repo.run(&["build", "--identity", &repo.identity_flag()], None, &[])
        .failure()
        .stderr_has("modified or truncated");

    let bytes = age_encrypt(&recipients, false, b"tok");
    std::fs::write(&file, &bytes[..bytes.len() - 20]).expect("writes");
    repo.run(&["check"], None, &[])
        .failure()
        .stderr_has("secret/malformed")
        .stderr_has("it is truncated");

    std::fs::write(&file, "not an age file\n").expect("writes");
    repo.run(&["check"], None, &[])
        .failure()
        .stderr_has("secret/malformed")
        .stderr_has("it is not an age file");
}

#[test]
fn set_and_rekey_refuse_a_store_without_recipients() {
    let repo = Repo::with_key(FLEET, OUTPUTS);
    repo.set("remote-token", "tok").success();
    repo.write("secrets/recipients.txt", "# nobody\n");
    repo.set("other", "x")
        .failure()
        .stderr_has("lists no recipients");
    repo.run(
        &["secret", "rekey", "--identity", &repo.identity_flag()],
        None,
        &[],
    )
    .failure()
    .stderr_has("lists no recipients");
    std::fs::remove_file(repo.path("secrets/recipients.txt")).expect("removes");
    repo.set("other", "x")
        .failure()
        .stderr_has("does not exist");
    repo.write("secrets/recipients.txt", "AGE-SECRET-KEY-1XYZ\n");
    repo.set("other", "x")
        .failure()
        .stderr_has("line 1: this is an identity")
        .hides("1XYZ");
}

#[test]
fn rekey_reencrypts_to_the_current_recipients() {
    let repo = Repo::with_key(FLEET, OUTPUTS);
    repo.set("remote-token", "tok-rekeyed").success();
    let second = repo.outside("second.txt");
    let recipient = age_keygen(&second);
    let first = std::fs::read_to_string(repo.path("secrets/recipients.txt")).expect("reads");
    repo.write("secrets/recipients.txt", &format!("{first}{recipient}\n"));
    repo.run(
        &["secret", "rekey", "--identity", &repo.identity_flag()],
        None,
        &[],
    )
    .success()
    .stderr_has("re-encrypted 1 secret(s)");
    let file = repo.path("secrets/remote-token.age");
    assert_eq!(age_decrypt(&second, &file), b"tok-rekeyed");
    assert_eq!(age_decrypt(&repo.key(), &file), b"tok-rekeyed");
    let leftovers: Vec<_> = std::fs::read_dir(repo.path("secrets"))
        .expect("lists")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn list_and_rm() {
    let repo = Repo::with_key(FLEET, OUTPUTS);
    repo.set("remote-token", "tok").success();
    repo.set("old-token", "tok").success();
    let run = repo.run(&["secret", "list", "--format", "json"], None, &[]);
    run.success();
    let list: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    assert_eq!(list["secrets"][0]["name"], "old-token");
    assert_eq!(list["secrets"][0]["status"], "unused");
    assert_eq!(list["secrets"][1]["status"], "referenced");
    assert_eq!(list["secrets"][1]["file"], "secrets/remote-token.age");
    assert_eq!(
        list["stores"][0]["recipients"].as_array().map(Vec::len),
        Some(1)
    );
    let check = repo.run(&["check", "--format", "json"], None, &[]);
    check.success();
    assert!(check.stdout.contains("\"secret/unused\""), "{check:#?}");
    repo.run(&["secret", "list"], None, &[]).success();
    repo.run(&["secret", "rm", "old-token"], None, &[])
        .success();
    assert!(!repo.path("secrets/old-token.age").exists());
    repo.run(&["secret", "rm", "old-token"], None, &[])
        .failure()
        .stderr_has("there is no secret `old-token`");
    std::fs::remove_file(repo.path("secrets/remote-token.age")).expect("removes");
    repo.run(&["check"], None, &[])
        .failure()
        .stderr_has("secret/missing");
}

#[test]
fn an_override_replaces_the_store_and_decrypts_nothing() {
    let repo = Repo::new(FLEET, OUTPUTS);
    // No identity and a file nobody could decrypt: the override is all there is.
    repo.write("secrets/remote-token.age", "garbage");
    let env = [("FLEETC_SECRET_REMOTE_TOKEN", "tok-override")];
    repo.run(&["check"], None, &env).success();
    let run = repo.run(&["build"], None, &env);
    run.success();
    assert!(
        run.stdout.contains("service_token: tok-override"),
        "{run:#?}"
    );
    std::fs::remove_file(repo.path("secrets/remote-token.age")).expect("removes");
    repo.run(&["build"], None, &env).success();
    repo.run(&["build"], None, &[("FLEETC_SECRET_REMOTE_TOKEN", "")])
        .failure()
        .stderr_has("is set but empty");
}

#[test]
fn plaintext_storage_writes_the_plain_field() {
    let repo = Repo::with_key("[secrets]\nstorage = \"plaintext\"\n", OUTPUTS);
    repo.set("remote-token", "tok").success();
    let run = repo.run(&["build", "--identity", &repo.identity_flag()], None, &[]);
    run.success();
    assert!(
        run.stdout.contains("\n    service_token: tok\n"),
        "{run:#?}"
    );
    assert!(!run.stdout.contains("secrets:"), "{run:#?}");
}

#[test]
fn fleet_storage_needs_8_12() {
    let outputs = r#"outputs:
  - id: ls
    name: ls
    type: logstash
    hosts: ["logstash.example.com:5044"]
    is_default: true
    ssl:
      certificate: /etc/agent.crt
      key: { secret: ls-key }
"#;
    let repo = Repo::with_key(FLEET, outputs);
    std::fs::write(
        repo.path("fleetc.toml"),
        format!("stack_version = \"8.11.0\"\n{FLEET}"),
    )
    .expect("writes");
    repo.set("ls-key", "tok").success();
    let run = repo.run(&["check", "--format", "json"], None, &[]);
    run.failure();
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let found = report["diagnostics"]
        .as_array()
        .expect("list")
        .iter()
        .find(|d| d["code"] == "secret/storage-too-old")
        .unwrap_or_else(|| panic!("{run:#?}"));
    assert_eq!(found["file"], "fleetc.toml");
    assert_eq!(found["line"], 3);
}

#[test]
fn a_field_without_a_fleet_secret_stays_plain_with_a_warning() {
    let outputs = r#"outputs:
  - id: es
    name: es
    type: elasticsearch
    hosts: ["https://es.example.com:443"]
    is_default: true
    ssl:
      certificate: /etc/agent.crt
      key: { secret: es-key }
"#;
    let repo = Repo::with_key(FLEET, outputs);
    std::fs::write(
        repo.path("fleetc.toml"),
        format!("stack_version = \"9.0.0\"\n{FLEET}"),
    )
    .expect("writes");
    repo.set("es-key", "key-text").success();
    let run = repo.run(&["build", "--identity", &repo.identity_flag()], None, &[]);
    run.success().stderr_has("secret/no-fleet-secret");
    assert!(run.stdout.contains("      key: key-text\n"), "{run:#?}");
    assert!(!run.stdout.contains("secrets:"), "{run:#?}");
}

#[test]
fn env_delivery_writes_references_and_a_private_env_file() {
    let repo = Repo::with_key("[secrets]\ndelivery = \"env\"\n", OUTPUTS);
    repo.set("remote-token", CANARY).success();
    let out = repo.outside("kibana.env");
    let out_arg = out.display().to_string();
    let key = repo.identity_flag();
    let run = repo.run(
        &["build", "--identity", &key, "--secrets-out", &out_arg],
        None,
        &[],
    );
    run.success().hides(CANARY);
    assert!(
        run.stdout
            .contains("service_token: \"${FLEETC_REMOTE_TOKEN}\""),
        "{run:#?}"
    );
    assert_eq!(mode(&out), 0o600);
    let sourced = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            ". '{out_arg}' && printf %s \"$FLEETC_REMOTE_TOKEN\""
        ))
        .output()
        .expect("sh runs");
    assert_eq!(String::from_utf8_lossy(&sourced.stdout), CANARY);
    repo.run(&["build", "--identity", &key], None, &[])
        .failure()
        .stderr_has("pass `--secrets-out FILE`");
}

#[test]
fn env_delivery_can_write_a_kubernetes_secret() {
    let repo = Repo::with_key("[secrets]\ndelivery = \"env\"\n", OUTPUTS);
    repo.set("remote-token", "tok-k8s").success();
    let out = repo.outside("secret.yaml");
    let args = [
        "build",
        "--identity",
        &repo.identity_flag(),
        "--secrets-out",
        &out.display().to_string(),
        "--secrets-format",
        "kubernetes",
        "--secrets-name",
        "kibana-fleet",
    ]
    .map(String::from);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    repo.run(&args, None, &[]).success();
    let manifest = std::fs::read_to_string(&out).expect("manifest");
    assert!(manifest.contains("kind: Secret\nmetadata:\n  name: kibana-fleet\n"));
    assert!(manifest.contains("stringData:\n  FLEETC_REMOTE_TOKEN: \"tok-k8s\"\n"));
    assert_eq!(mode(&out), 0o600);
}

#[test]
fn build_output_holding_a_secret_is_private_even_over_an_open_file() {
    let repo = Repo::with_key(FLEET, OUTPUTS);
    repo.set("remote-token", "tok").success();
    let out = repo.outside("kibana.yml");
    std::fs::write(&out, "old").expect("writes");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let key = repo.identity_flag();
    let out_arg = out.display().to_string();
    repo.run(&["build", "--identity", &key, "-o", &out_arg], None, &[])
        .success();
    assert_eq!(mode(&out), 0o600);
    assert!(
        std::fs::read_to_string(&out)
            .expect("reads")
            .contains("service_token: tok")
    );
}

#[test]
fn an_overlay_store_shadows_the_base_store() {
    let project = "[environments.prod]\noverlay = \"environments/prod\"\n\n[environments.dev]\n";
    let repo = Repo::with_key(project, OUTPUTS);
    repo.run(
        &["--env", "dev", "secret", "set", "remote-token"],
        Some("tok-base"),
        &[],
    )
    .success();
    let recipients = std::fs::read_to_string(repo.path("secrets/recipients.txt")).expect("reads");
    repo.write("environments/prod/secrets/recipients.txt", &recipients);
    repo.run(
        &["--env", "prod", "secret", "set", "remote-token"],
        Some("tok-prod"),
        &[],
    )
    .success();
    assert!(
        repo.path("environments/prod/secrets/remote-token.age")
            .is_file()
    );
    let key = repo.identity_flag();
    let prod = repo.run(&["--env", "prod", "build", "--identity", &key], None, &[]);
    assert!(
        prod.success().stdout.contains("service_token: tok-prod"),
        "{prod:#?}"
    );
    let dev = repo.run(&["--env", "dev", "build", "--identity", &key], None, &[]);
    assert!(
        dev.success().stdout.contains("service_token: tok-base"),
        "{dev:#?}"
    );
}

#[test]
fn a_passphrase_protected_identity_needs_a_terminal() {
    use age::secrecy::SecretString;
    use std::io::Write;
    let repo = Repo::with_key(FLEET, OUTPUTS);
    repo.set("remote-token", "tok").success();
    let key = std::fs::read(repo.key()).expect("key");
    let encryptor = age::Encryptor::with_user_passphrase(SecretString::from("pass".to_owned()));
    let mut locked = Vec::new();
    let mut writer = encryptor.wrap_output(&mut locked).expect("wraps");
    writer.write_all(&key).expect("writes");
    writer.finish().expect("finishes");
    let path = repo.outside("locked.age");
    std::fs::write(&path, locked).expect("writes");
    repo.run(
        &["build", "--identity", &path.display().to_string()],
        None,
        &[],
    )
    .failure()
    .stderr_has("is protected by a passphrase and there is no terminal");
}

#[test]
fn ssh_identities_are_refused_clearly() {
    let repo = Repo::with_key(FLEET, OUTPUTS);
    repo.set("remote-token", "tok").success();
    let path = repo.outside("id_ed25519");
    std::fs::write(
        &path,
        "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
    )
    .expect("writes");
    repo.run(
        &["build", "--identity", &path.display().to_string()],
        None,
        &[],
    )
    .failure()
    .stderr_has("is an SSH key");
}
