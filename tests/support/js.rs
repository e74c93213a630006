//! The project's Node.js helpers in `tests/js`: Kibana's YAML reader (js-yaml 3 and 4), its
//! key splitting, and ajv. A missing `node` or `node_modules` fails the test with the
//! command that installs them; nothing is skipped.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// How to get what these helpers need.
pub const SETUP_HINT: &str =
    "run `npm ci --prefix tests/js` (needs node and npm) before `cargo test`";

pub fn js_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js")
}

/// Runs `node tests/js/SCRIPT ARGS` with `input` on standard input; its standard output.
pub fn run(script: &str, args: &[&str], input: &[u8]) -> Vec<u8> {
    assert!(
        js_dir().join("node_modules").is_dir(),
        "tests/js/node_modules is missing: {SETUP_HINT}"
    );
    let mut child = Command::new("node")
        .arg(js_dir().join(script))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("`node` does not run ({e}): {SETUP_HINT}"));
    let mut stdin = child.stdin.take().expect("node's standard input");
    stdin.write_all(input).expect("written to node");
    drop(stdin);
    let output = child.wait_with_output().expect("node ends");
    assert!(
        output.status.success(),
        "{script} failed: {}\n{SETUP_HINT}",
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

fn json(script: &str, args: &[&str], input: &[u8]) -> Value {
    serde_json::from_slice(&run(script, args, input))
        .unwrap_or_else(|e| panic!("{script} printed no JSON: {e}"))
}

/// What js-yaml 3 and 4 read from `yaml`: `(v3, v4)`.
pub fn readback(yaml: &str) -> (Value, Value) {
    let mut both = json("readback.js", &[], yaml.as_bytes());
    (both["v3"].take(), both["v4"].take())
}

/// YAML texts as js-yaml 4 reads them, in one node run.
pub fn load_yaml(texts: &[String]) -> Vec<Value> {
    let input = serde_json::to_string(texts).expect("texts as JSON");
    match json("load_yaml.js", &[], input.as_bytes()) {
        Value::Array(documents) => documents,
        other => panic!("load_yaml.js printed {other}"),
    }
}

/// A kibana.yml read the way Kibana reads it: the `xpack.fleet` configuration.
pub fn kibana_read(text: &str) -> Value {
    json("kibana_read.js", &[], text.as_bytes())
}

/// ajv's verdict on each instance: `{ "valid": bool, "errors": [...] }`.
pub fn validate(schema: &Path, draft_04: bool, instances: &[Value]) -> Vec<Value> {
    let schema = schema.to_str().expect("a UTF-8 path");
    let args: &[&str] = if draft_04 {
        &[schema, "--draft-04"]
    } else {
        &[schema]
    };
    let input = Value::Array(instances.to_vec()).to_string();
    match json("validate.js", args, input.as_bytes()) {
        Value::Array(results) => results,
        other => panic!("validate.js printed {other}"),
    }
}
