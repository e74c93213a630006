//! Helpers for the end-to-end tests: throwaway repositories, the real binary with a clean
//! environment, the real `age` command-line tool, and (in `js`) Kibana's YAML reader.

#![allow(
    dead_code,
    reason = "each test binary uses a different part of the helpers"
)]

pub mod js;

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

/// A value no output may show unless it is the intended destination: quotes and shell
/// expansions test the env-file quoting (a Kibana `${...}` reference would be refused).
pub const CANARY: &str = "canary-7f3c'quote\"dq $HOME $(X) end";
/// The part of [`CANARY`] that survives any quoting: what the leak hunt searches for.
pub const CANARY_MARK: &str = "canary-7f3c";

pub const OUTPUTS: &str = r#"outputs:
  - id: es
    name: es
    type: elasticsearch
    hosts: ["https://es.example.com:443"]
    is_default: true
  - id: remote
    name: remote
    type: remote_elasticsearch
    hosts: ["https://remote.example.com:443"]
    service_token: { secret: remote-token }
"#;

/// A repository in a temporary folder, deleted when dropped.
pub struct Repo {
    pub root: PathBuf,
    pub home: PathBuf,
    base: PathBuf,
}

impl Repo {
    /// A repository with `fleetc.toml` (after `stack_version`) and `outputs.yaml`.
    pub fn new(project: &str, outputs: &str) -> Repo {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let unique = COUNTER.fetch_add(1, Ordering::Relaxed);
        let base =
            std::env::temp_dir().join(format!("fleetc-secrets-{}-{unique}", std::process::id()));
        let root = base.join("repo");
        let home = base.join("home");
        std::fs::create_dir_all(root.join("secrets")).expect("repo folder");
        std::fs::create_dir_all(&home).expect("home folder");
        std::fs::write(
            root.join("fleetc.toml"),
            format!("stack_version = \"9.1.0\"\n{project}"),
        )
        .expect("fleetc.toml");
        std::fs::write(root.join("outputs.yaml"), outputs).expect("outputs.yaml");
        Repo { root, home, base }
    }

    /// A repository with a fresh `age-keygen` identity at `key.txt` (outside the repo)
    /// whose recipient is in `secrets/recipients.txt`.
    pub fn with_key(project: &str, outputs: &str) -> Repo {
        let repo = Repo::new(project, outputs);
        let recipient = age_keygen(&repo.key());
        repo.write("secrets/recipients.txt", &format!("# team\n{recipient}\n"));
        repo
    }

    pub fn key(&self) -> PathBuf {
        self.base.join("key.txt")
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    pub fn outside(&self, name: &str) -> PathBuf {
        self.base.join(name)
    }

    pub fn write(&self, relative: &str, text: &str) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
        std::fs::write(path, text).expect("writes");
    }

    /// fleetc with only `PATH`, `HOME` and `NO_COLOR` set, plus `env`.
    pub fn run(&self, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_fleetc"));
        command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("NO_COLOR", "1")
            .current_dir(&self.root)
            .arg("-C")
            .arg(&self.root)
            .args(args)
            .envs(env.iter().copied())
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("fleetc runs");
        if let Some(text) = stdin {
            use std::io::Write;
            let mut pipe = child.stdin.take().expect("stdin");
            pipe.write_all(text.as_bytes()).expect("stdin written");
        }
        Run::from(child.wait_with_output().expect("fleetc ends"))
    }

    /// `fleetc secret set NAME` with `value` on standard input.
    pub fn set(&self, name: &str, value: &str) -> Run {
        self.run(&["secret", "set", name], Some(value), &[])
    }

    pub fn identity_flag(&self) -> String {
        self.key().display().to_string()
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.base);
    }
}

/// One finished run.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Run {
    #[track_caller]
    pub fn success(&self) -> &Run {
        assert_eq!(self.code, Some(0), "{self:#?}");
        self
    }

    #[track_caller]
    pub fn failure(&self) -> &Run {
        assert_eq!(self.code, Some(1), "{self:#?}");
        self
    }

    /// Standard error contains `text`, ignoring how reports wrap lines.
    #[track_caller]
    pub fn stderr_has(&self, text: &str) -> &Run {
        assert!(
            squash(&self.stderr).contains(&squash(text)),
            "stderr lacks {text:?}: {self:#?}"
        );
        self
    }

    /// Neither stream shows `secret`.
    #[track_caller]
    pub fn hides(&self, secret: &str) -> &Run {
        assert!(!self.stdout.contains(secret), "stdout leaks: {self:#?}");
        assert!(!self.stderr.contains(secret), "stderr leaks: {self:#?}");
        self
    }
}

/// `text` with every run of white space and report frame characters as one space.
fn squash(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c == '│')
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `age` tool, or a failing test that says how to get it.
pub fn age_tool(name: &str) -> Command {
    let found = Command::new(name)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "`{name}` is not installed: the secret tests check interoperability with the real age tools; install the Debian package `age` (`.ci/run` does)"
    );
    Command::new(name)
}

/// Runs `age-keygen -o path` and returns the recipient.
pub fn age_keygen(path: &Path) -> String {
    let output = age_tool("age-keygen")
        .arg("-o")
        .arg(path)
        .output()
        .expect("age-keygen runs");
    assert!(output.status.success(), "{output:?}");
    let text = std::fs::read_to_string(path).expect("key written");
    text.lines()
        .find_map(|line| line.strip_prefix("# public key: "))
        .expect("public key line")
        .to_owned()
}

/// `age -R recipients [-a]` of `plaintext`.
pub fn age_encrypt(recipients: &Path, armor: bool, plaintext: &[u8]) -> Vec<u8> {
    let mut command = age_tool("age");
    command.arg("-R").arg(recipients);
    if armor {
        command.arg("-a");
    }
    piped(command, plaintext)
}

/// `age -d -i identity file`.
pub fn age_decrypt(identity: &Path, file: &Path) -> Vec<u8> {
    let mut command = age_tool("age");
    command.arg("-d").arg("-i").arg(identity).arg(file);
    piped(command, b"")
}

fn piped(mut command: Command, input: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("age runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("input");
    let output = child.wait_with_output().expect("age ends");
    assert!(output.status.success(), "{output:?}");
    output.stdout
}

/// The permission bits of a file.
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("exists")
        .permissions()
        .mode()
        & 0o777
}

/// Describes the first place where `actual` differs from `expected`.
pub fn first_difference(expected: &Value, actual: &Value, path: &str) -> Option<String> {
    match (expected, actual) {
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => e
            .iter()
            .zip(a)
            .enumerate()
            .find_map(|(i, (e, a))| first_difference(e, a, &format!("{path}[{i}]"))),
        (Value::Object(e), Value::Object(a)) if keys_equal(e, a) => e
            .iter()
            .find_map(|(k, v)| first_difference(v, &a[k], &format!("{path}.{k:?}"))),
        (Value::Object(e), Value::Object(a)) => Some(format!(
            "{path}: keys differ\n  expected {:?}\n  actual   {:?}",
            e.keys().collect::<Vec<_>>(),
            a.keys().collect::<Vec<_>>()
        )),
        _ if expected == actual => None,
        _ => Some(format!("{path}: expected {expected}, got {actual}")),
    }
}

/// Same set of keys. Order is not compared: JavaScript objects list
/// integer-like keys (`"0"`, `"42"`) first, whatever the document order.
fn keys_equal(e: &Map<String, Value>, a: &Map<String, Value>) -> bool {
    let mut ek: Vec<&String> = e.keys().collect();
    let mut ak: Vec<&String> = a.keys().collect();
    ek.sort();
    ak.sort();
    ek == ak
}
