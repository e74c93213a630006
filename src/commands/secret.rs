//! `fleetc secret`: keygen, set, list, rm and rekey on the environment's secret stores.
//!
//! Values enter only through standard input (`set`) and leave only through `build`; no
//! command here prints one. `set` and `rekey` replace each file atomically.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use age::secrecy::ExposeSecret;
use age::x25519;
use fleetc::environment::{self, Environment};
use fleetc::project;
use fleetc::reference::is_secret_name;
use fleetc::secrets::check::references;
use fleetc::secrets::identity::{self, Identity};
use fleetc::secrets::private_file::{self, Mode};
use fleetc::secrets::store::{Store, Stores};
use fleetc::secrets::{age_file, override_var};
use fleetc::source::Sources;
use serde_json::json;
use zeroize::Zeroizing;

use super::{Exit, Failure, compile};
use crate::cli::{Global, KeygenArgs, ListArgs, ListFormat, RmArgs, SecretCommand, SetArgs};
use crate::printer;

pub fn run(global: &Global, command: &SecretCommand) -> Result<Exit, Failure> {
    match command {
        SecretCommand::Keygen(args) => keygen(args),
        SecretCommand::Set(args) => set(global, args),
        SecretCommand::List(args) => list(global, args),
        SecretCommand::Rm(args) => rm(global, args),
        SecretCommand::Rekey => rekey(global),
    }
}

fn env(name: &str) -> Option<OsString> {
    std::env::var_os(name)
}

/// Writes a new identity (mode 0600, never over an existing file) and prints its recipient.
fn keygen(args: &KeygenArgs) -> Result<Exit, Failure> {
    let path = match &args.out {
        Some(path) => path.clone(),
        None => default_identity_path()?,
    };
    let key = x25519::Identity::generate();
    let recipient = key.to_public().to_string();
    let text = Zeroizing::new(format!(
        "# created by fleetc secret keygen\n# public key: {recipient}\n{}\n",
        key.to_string().expose_secret()
    ));
    private_file::create_new(&path, text.as_bytes(), Mode::Private)
        .map_err(|e| Failure(format!("cannot create `{}`: {e}", path.display())))?;
    eprintln!(
        "fleetc: wrote a new identity to `{}`; add its recipient to `recipients.txt`",
        path.display()
    );
    println!("{recipient}");
    Ok(Exit::Success)
}

/// `~/.config/fleetc/age/keys.txt`, its folders created readable only by the owner.
fn default_identity_path() -> Result<PathBuf, Failure> {
    let path = identity::default_path(&env)
        .ok_or_else(|| Failure("`HOME` is not set; pass `--out FILE`".into()))?;
    if let Some(folder) = path.parent() {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder
            .create(folder)
            .map_err(|e| Failure(format!("cannot create `{}`: {e}", folder.display())))?;
    }
    Ok(path)
}

/// Encrypts standard input as the secret `NAME` in the top store.
fn set(global: &Global, args: &SetArgs) -> Result<Exit, Failure> {
    check_name(&args.name)?;
    let (root, stores) = stores(global)?;
    let store = stores
        .top()
        .ok_or_else(|| Failure("the environment has no secret store".into()))?;
    let value = read_value(&args.name, args.keep_newline)?;
    store
        .write(&args.name, value.as_bytes())
        .map_err(|e| Failure(e.to_string()))?;
    eprintln!(
        "fleetc: encrypted the secret `{}` into `{}`",
        args.name,
        relative(&root, &store.path(&args.name))
    );
    Ok(Exit::Success)
}

/// The value from standard input: typed without echo on a terminal, else read whole, one
/// trailing line break removed unless `keep_newline`.
fn read_value(name: &str, keep_newline: bool) -> Result<Zeroizing<String>, Failure> {
    let stdin = std::io::stdin();
    let mut value = if stdin.is_terminal() {
        let prompt = format!("value of secret `{name}`: ");
        Zeroizing::new(
            rpassword::prompt_password(prompt)
                .map_err(|e| Failure(format!("cannot read the value: {e}")))?,
        )
    } else {
        let mut bytes = Zeroizing::new(Vec::new());
        stdin
            .lock()
            .read_to_end(&mut bytes)
            .map_err(|e| Failure(format!("cannot read standard input: {e}")))?;
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| Failure("the value on standard input is not UTF-8 text".into()))?;
        Zeroizing::new(text.to_owned())
    };
    if !keep_newline {
        strip_one_newline(&mut value);
    }
    if value.is_empty() {
        return Err(Failure(format!(
            "the value is empty; pipe it in, as in `fleetc secret set {name} < token.txt`"
        )));
    }
    Ok(value)
}

/// Removes one trailing `\n` or `\r\n`, as `echo` and editors add.
fn strip_one_newline(value: &mut String) {
    if value.ends_with('\n') {
        value.pop();
        if value.ends_with('\r') {
            value.pop();
        }
    }
}

/// Lists the stores, their recipients and secrets, and which declarations reference.
fn list(global: &Global, args: &ListArgs) -> Result<Exit, Failure> {
    let compilation = compile(global)?;
    let (Some(project), Some(environment)) = (&compilation.project, &compilation.environment)
    else {
        return Err(Failure(
            "cannot load the repository; `fleetc check` says why".into(),
        ));
    };
    let root = &project.root;
    let stores = Stores::for_environment(root, environment);
    let referenced: BTreeSet<&str> = compilation
        .model
        .as_ref()
        .map(|model| references(model).iter().map(|r| r.name).collect())
        .unwrap_or_default();
    let rows = rows(root, &stores, &referenced)?;
    let layers: Vec<serde_json::Value> = stores
        .layers()
        .iter()
        .map(|store| layer_json(root, store))
        .collect();
    let text = match args.format {
        ListFormat::Json => {
            format!("{:#}\n", json!({ "stores": layers, "secrets": rows }))
        }
        ListFormat::Human => human_list(&layers, &rows),
    };
    printer::stdout(&text).map_err(|e| Failure(format!("cannot write the list: {e}")))?;
    Ok(Exit::Success)
}

/// One row per stored or referenced secret: name, file and status.
fn rows(
    root: &Path,
    stores: &Stores,
    referenced: &BTreeSet<&str>,
) -> Result<Vec<serde_json::Value>, Failure> {
    let entries = stores.entries().map_err(|e| Failure(e.to_string()))?;
    let mut rows: Vec<(String, Option<String>, &str)> = entries
        .iter()
        .map(|(name, store)| {
            let status = if referenced.contains(name.as_str()) {
                "referenced"
            } else {
                "unused"
            };
            (
                name.clone(),
                Some(relative(root, &store.path(name))),
                status,
            )
        })
        .collect();
    for name in referenced {
        if !entries.iter().any(|(known, _)| known == name) {
            let status = if env(&override_var(name)).is_some() {
                "override"
            } else {
                "missing"
            };
            rows.push(((*name).to_owned(), None, status));
        }
    }
    rows.sort();
    Ok(rows
        .into_iter()
        .map(|(name, file, status)| json!({ "name": name, "file": file, "status": status }))
        .collect())
}

fn layer_json(root: &Path, store: &Store) -> serde_json::Value {
    let recipients: Vec<String> = store
        .recipients()
        .map(|list| list.iter().map(ToString::to_string).collect())
        .unwrap_or_default();
    json!({ "dir": relative(root, &store.dir), "recipients": recipients })
}

fn human_list(layers: &[serde_json::Value], rows: &[serde_json::Value]) -> String {
    let mut out = String::new();
    for layer in layers {
        let count = layer["recipients"].as_array().map_or(0, Vec::len);
        let dir = layer["dir"].as_str().unwrap_or_default();
        out.push_str(&format!("store `{dir}`: {count} recipient(s)\n"));
    }
    let width = rows
        .iter()
        .filter_map(|row| row["name"].as_str())
        .map(str::len)
        .max()
        .unwrap_or(0);
    for row in rows {
        let name = row["name"].as_str().unwrap_or_default();
        let file = row["file"].as_str().unwrap_or("-");
        let status = row["status"].as_str().unwrap_or_default();
        out.push_str(&format!("{name:<width$}  {status:<10}  {file}\n"));
    }
    out
}

/// Deletes the secret from the top store that holds it.
fn rm(global: &Global, args: &RmArgs) -> Result<Exit, Failure> {
    check_name(&args.name)?;
    let (root, stores) = stores(global)?;
    let store = stores
        .find(&args.name)
        .ok_or_else(|| Failure(format!("there is no secret `{}`", args.name)))?;
    store
        .remove(&args.name)
        .map_err(|e| Failure(e.to_string()))?;
    eprintln!(
        "fleetc: removed `{}`",
        relative(&root, &store.path(&args.name))
    );
    Ok(Exit::Success)
}

/// Re-encrypts every secret of every store to that store's recipients.
fn rekey(global: &Global) -> Result<Exit, Failure> {
    let (root, stores) = stores(global)?;
    let source = identity::locate(global.identity.as_deref(), &env)
        .ok_or_else(|| Failure(identity::IdentityError::Missing.to_string()))?;
    let identity = identity::load(source, &env).map_err(|e| Failure(e.to_string()))?;
    let mut failed = 0;
    for store in stores.layers() {
        let names = store.names().map_err(|e| Failure(e.to_string()))?;
        if names.is_empty() {
            continue;
        }
        let recipients = store.recipients().map_err(|e| Failure(e.to_string()))?;
        for name in &names {
            if let Err(message) = rekey_one(store, name, &identity) {
                eprintln!("error: cannot rekey the secret `{name}`: {message}");
                failed += 1;
            }
        }
        eprintln!(
            "fleetc: re-encrypted {} secret(s) in `{}` to {} recipient(s)",
            names.len() - failed.min(names.len()),
            relative(&root, &store.dir),
            recipients.len()
        );
    }
    Ok(if failed == 0 {
        Exit::Success
    } else {
        Exit::Failure
    })
}

fn rekey_one(store: &Store, name: &str, identity: &Identity) -> Result<(), String> {
    let bytes = store.read(name).map_err(|e| e.to_string())?;
    let plaintext = age_file::decrypt(&bytes, &identity.keys())
        .map_err(|e| format!("{e} ({})", identity.source))?;
    store.write(name, &plaintext).map_err(|e| e.to_string())
}

fn check_name(name: &str) -> Result<(), Failure> {
    if is_secret_name(name) {
        Ok(())
    } else {
        Err(Failure(format!(
            "`{name}` is not a secret name: use letters, digits, `.`, `_` and `-`, starting with a letter or digit"
        )))
    }
}

/// The repository root and the stores of the selected environment, without reading the
/// declarations.
fn stores(global: &Global) -> Result<(PathBuf, Stores), Failure> {
    let start = std::env::current_dir()
        .map_err(|e| Failure(format!("cannot read the working folder: {e}")))?;
    let root =
        project::find_root(global.directory.as_deref(), &start).map_err(|d| Failure(d.message))?;
    let mut sources = Sources::default();
    let project = project::load(&root, &mut sources).map_err(|found| {
        let messages: Vec<String> = found.iter().map(|d| d.message.clone()).collect();
        Failure(format!(
            "`fleetc.toml` is not valid: {}",
            messages.join("; ")
        ))
    })?;
    let environment: Environment =
        environment::select(&project, global.env.as_deref()).map_err(|d| Failure(d.message))?;
    let stores = Stores::for_environment(&root, &environment);
    Ok((root, stores))
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::strip_one_newline;

    #[test]
    fn strips_exactly_one_line_break() {
        for (input, expected) in [
            ("token\n", "token"),
            ("token\r\n", "token"),
            ("token\n\n", "token\n"),
            ("token", "token"),
            ("-----END KEY-----\n", "-----END KEY-----"),
        ] {
            let mut value = input.to_owned();
            strip_one_newline(&mut value);
            assert_eq!(value, expected, "{input:?}");
        }
    }
}
