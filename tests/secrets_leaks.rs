//! The leak hunt: known canary values go through every command and failure path, and must
//! show up nowhere but in the files meant to hold them.

mod support;

use std::path::{Path, PathBuf};

use support::{CANARY, CANARY_MARK, OUTPUTS, Repo, Run, age_keygen};

/// A credential written in plain text in a declaration.
const LITERAL: &str = "literal-canary-91b2";

fn repository(project: &str) -> Repo {
    let outputs = format!(
        "{OUTPUTS}  - id: ls\n    name: ls\n    type: logstash\n    hosts: [\"ls.example.com:5044\"]\n    ssl:\n      certificate: /etc/agent.crt\n      key: \"{LITERAL}\"\n"
    );
    let repo = Repo::with_key(project, &outputs);
    hidden(repo.set("remote-token", CANARY).success());
    repo
}

/// Every file under `dir` that contains `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("lists").flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_containing(&path, needle));
        } else if std::fs::read(&path)
            .is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
        {
            found.push(path);
        }
    }
    found
}

#[track_caller]
fn hidden(run: &Run) {
    run.hides(CANARY_MARK).hides(LITERAL);
}

#[test]
fn checking_and_managing_secrets_shows_no_value() {
    let repo = repository("");
    let key = repo.identity_flag();
    for args in [
        vec!["check"],
        vec!["-vv", "check"],
        vec!["-vv", "check", "--format", "json"],
        vec!["-vv", "secret", "list"],
        vec!["-vv", "secret", "list", "--format", "json"],
        vec!["-vv", "secret", "rekey", "--identity", &key],
    ] {
        hidden(&repo.run(&args, None, &[]));
    }
    hidden(
        repo.run(&["-vv", "secret", "set", "spare"], Some(CANARY), &[])
            .success(),
    );
    hidden(
        repo.run(&["-vv", "secret", "rm", "spare"], None, &[])
            .success(),
    );
    let override_env = [("FLEETC_SECRET_REMOTE_TOKEN", CANARY)];
    hidden(repo.run(&["-vv", "check"], None, &override_env).success());
    hidden(
        repo.run(&["-vv", "secret", "list"], None, &override_env)
            .success(),
    );
    assert!(files_containing(&repo.root, CANARY_MARK).is_empty());
}

#[test]
fn building_writes_values_only_where_asked() {
    let repo = repository("");
    let key = repo.identity_flag();
    let inline = repo.run(&["-vv", "build", "--identity", &key], None, &[]);
    inline.success();
    assert!(inline.stdout.contains(CANARY_MARK), "{inline:#?}");
    assert!(!inline.stderr.contains(CANARY_MARK) && !inline.stderr.contains(LITERAL));
    let json = repo.run(
        &["-vv", "build", "--format", "json", "--identity", &key],
        None,
        &[],
    );
    assert!(json.success().stdout.contains(CANARY_MARK));
    assert!(!json.stderr.contains(CANARY_MARK));
    let out = repo.outside("kibana.yml");
    let out_arg = out.display().to_string();
    hidden(
        repo.run(
            &["-vv", "build", "--identity", &key, "-o", &out_arg],
            None,
            &[],
        )
        .success(),
    );
    assert_eq!(support::mode(&out), 0o600);
    let env = [("FLEETC_SECRET_REMOTE_TOKEN", CANARY)];
    hidden(
        repo.run(&["-vv", "build", "-o", &out_arg], None, &env)
            .success(),
    );
    assert_eq!(
        files_containing(&repo.root, CANARY_MARK),
        Vec::<PathBuf>::new()
    );
    assert_eq!(files_containing(&repo.outside(""), CANARY_MARK), vec![out]);
}

#[test]
fn env_delivery_and_plaintext_storage_show_no_value() {
    for project in [
        "[secrets]\ndelivery = \"env\"\n",
        "[secrets]\ndelivery = \"env\"\nstorage = \"plaintext\"\n",
    ] {
        let repo = repository(project);
        let key = repo.identity_flag();
        let out = repo.outside("kibana.env").display().to_string();
        let manifest = repo.outside("secret.yaml").display().to_string();
        let env_file = repo.run(
            &["-vv", "build", "--identity", &key, "--secrets-out", &out],
            None,
            &[],
        );
        // A literal credential stays in kibana.yml (it is in git already); stored ones
        // leave it.
        env_file.success().hides(CANARY_MARK);
        assert!(!env_file.stderr.contains(LITERAL));
        let kubernetes = [
            "-vv",
            "build",
            "--identity",
            &key,
            "--secrets-out",
            &manifest,
            "--secrets-format",
            "kubernetes",
        ];
        repo.run(&kubernetes, None, &[])
            .success()
            .hides(CANARY_MARK);
        hidden(
            repo.run(&["-vv", "build", "--identity", &key], None, &[])
                .failure(),
        );
        let mut holders = files_containing(&repo.outside(""), CANARY_MARK);
        holders.sort();
        assert_eq!(
            holders,
            vec![repo.outside("kibana.env"), repo.outside("secret.yaml")]
        );
    }
}

#[test]
fn failures_show_no_value() {
    let repo = repository("");
    let stranger = repo.outside("stranger.txt");
    age_keygen(&stranger);
    let stranger = stranger.display().to_string();
    hidden(
        repo.run(&["-vv", "build", "--identity", &stranger], None, &[])
            .failure(),
    );
    hidden(
        repo.run(
            &["-vv", "secret", "rekey", "--identity", &stranger],
            None,
            &[],
        )
        .failure(),
    );
    let file = repo.path("secrets/remote-token.age");
    let mut bytes = std::fs::read(&file).expect("reads");
    let middle = bytes.len() - 40;
    bytes[middle] ^= 0x20;
    std::fs::write(&file, &bytes).expect("writes");
    let key = repo.identity_flag();
    hidden(
        repo.run(&["-vv", "build", "--identity", &key], None, &[])
            .failure(),
    );
    hidden(&repo.run(&["-vv", "check"], None, &[]));
    // A declaration error elsewhere: the build stops before any value is emitted.
    repo.write("broken.yaml", "outputs:\n  - id: x\n    name: 7\n");
    let env = [("FLEETC_SECRET_REMOTE_TOKEN", CANARY)];
    hidden(repo.run(&["-vv", "build"], None, &env).failure());
    hidden(
        repo.run(&["-vv", "check", "--format", "json"], None, &env)
            .failure(),
    );
}

#[test]
fn a_literal_credential_with_a_wrong_type_elsewhere_is_masked() {
    let outputs = format!(
        "outputs:\n  - id: k\n    name: k\n    type: kafka\n    hosts: [\"k.example.com:9092\"]\n    auth_type: user_pass\n    username: u\n    password: \"{LITERAL}\"\n    topic: t\n    compression: bogus\n"
    );
    let repo = Repo::with_key("", &outputs);
    for format in ["human", "json"] {
        hidden(&repo.run(&["-vv", "check", "--format", format], None, &[]));
    }
}

#[test]
fn planning_and_applying_show_no_value() {
    let repo = repository("");
    let key = repo.identity_flag();
    let target = repo.outside("kibana.yml");
    let out = target.display().to_string();
    std::fs::write(
        &target,
        "server.name: k\nelasticsearch.password: hand-canary-5c21\n",
    )
    .expect("writes");
    let formats = ["text", "markdown", "json"];
    for format in formats {
        // No key and nothing to compare yet: placeholders only.
        let run = repo.run(
            &["-vv", "plan", "--target", &out, "--format", format],
            None,
            &[],
        );
        hidden(run.success());
        run.hides("hand-canary-5c21");
    }
    let keyed = |args: &[&str], env: &[(&str, &str)]| {
        let mut all = vec!["-vv", "--identity", key.as_str()];
        all.extend_from_slice(args);
        repo.run(&all, None, env)
    };
    hidden(keyed(&["apply", "--target", &out], &[]).success());
    let env = [("FLEETC_SECRET_REMOTE_TOKEN", "rotated-canary-e3d0")];
    for format in formats {
        for env in [&[][..], &env[..]] {
            let run = keyed(&["plan", "--target", &out, "--format", format], env);
            hidden(run.success());
            run.hides("rotated-canary-e3d0").hides("hand-canary-5c21");
        }
        let blind = repo.run(
            &["-vv", "plan", "--target", &out, "--format", format],
            None,
            &[],
        );
        hidden(blind.success());
    }
    // The old block still holds the values of an output that is gone.
    repo.write("outputs.yaml", "outputs:\n  - id: es\n    name: es\n    type: elasticsearch\n    hosts: [\"https://es.example.com:443\"]\n    is_default: true\n");
    hidden(keyed(&["plan", "--target", &out], &[]).success());
    let fault = [("FLEETC_FAULT", "before-rename")];
    hidden(keyed(&["apply", "--target", &out], &fault).failure());
    let text = std::fs::read_to_string(&target).expect("reads");
    std::fs::write(&target, format!("xpack.fleet.outputs: []\n{text}")).expect("writes");
    hidden(keyed(&["plan", "--target", &out], &[]).failure());
    hidden(keyed(&["apply", "--target", &out], &[]).failure());
}
