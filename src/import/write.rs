//! Writing an import: one declaration file per kind, `fleetc.toml` when missing, and the
//! secrets.
//!
//! Nothing is overwritten: every file import would write is checked first, and one that
//! exists stops the import before anything is written. YAML goes through `emit::yaml`,
//! whose strings every YAML reader reads back unchanged; TOML through the `toml` crate.
//! Literal credentials become age secrets when the store has a `recipients.txt`; their
//! values are never part of an error or a note.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::declarations::{Credential, Declarations};
use crate::collect::SETTINGS;
use crate::emit::yaml::to_yaml;
use crate::project::{self, Storage};
use crate::reference::is_secret_name;
use crate::secrets::store::Store;
use crate::version::StackVersion;

/// The syntax of the files import writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Toml,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Yaml => "yaml",
            Format::Toml => "toml",
        }
    }
}

/// Where and how to write.
#[derive(Debug, Clone)]
pub struct Options {
    pub into: PathBuf,
    pub format: Format,
    /// `--stack`; else the existing `fleetc.toml`'s, else [`DEFAULT_STACK`].
    pub stack: Option<StackVersion>,
}

/// The version a new repository targets: the newest minor release whose preconfiguration
/// fleetc verifies, so that every field a current kibana.yml may use is known.
pub const DEFAULT_STACK: StackVersion = crate::version::NEWEST_MINOR;

/// What was written, and what the user must know.
#[derive(Debug, Default)]
pub struct Written {
    pub files: Vec<PathBuf>,
    pub created_project: bool,
    /// Secrets stored, as (secret name, item and field).
    pub secrets: Vec<(String, String)>,
    /// Literal credentials kept in the declarations, as item and field.
    pub literals: Vec<String>,
    pub notes: Vec<String>,
}

/// Why nothing, or not everything, was written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{}", already_there(.0))]
    Exists(Vec<PathBuf>),
    #[error("TOML has no null: `{0}` is null; import with `--format yaml`")]
    TomlNull(String),
    #[error("cannot write `{path}`: {message}")]
    Io { path: PathBuf, message: String },
}

fn already_there(paths: &[PathBuf]) -> String {
    let names: Vec<String> = paths.iter().map(|p| format!("`{}`", p.display())).collect();
    format!(
        "{} already exist{}; import never overwrites declaration files, so move {} away or import into another folder with `--into`",
        names.join(", "),
        if names.len() == 1 { "s" } else { "" },
        if names.len() == 1 { "it" } else { "them" }
    )
}

/// Writes `declarations` into `options.into`.
pub fn write(mut declarations: Declarations, options: &Options) -> Result<Written, WriteError> {
    let mut written = Written::default();
    let files = render_files(&declarations, options.format)?;
    let existing: Vec<PathBuf> = files
        .iter()
        .map(|(name, _)| options.into.join(name))
        .filter(|path| path.exists())
        .collect();
    if !existing.is_empty() {
        return Err(WriteError::Exists(existing));
    }
    let project_path = options.into.join(project::FILE_NAME);
    let existing_project = std::fs::read_to_string(&project_path).ok();
    let stack = options
        .stack
        .or_else(|| existing_project.as_deref().and_then(project_stack))
        .unwrap_or(DEFAULT_STACK);
    let storage = storage_for(&declarations, stack, &mut written.notes);
    let store = Store::new(options.into.join(secrets_dir(existing_project.as_deref())));
    if store.recipients_path().exists() {
        store_credentials(&mut declarations, &store, &mut written)?;
    } else {
        written.literals = declarations
            .credentials
            .iter()
            .map(|c| format!("{} `{}` field `{}`", c.kind.noun(), c.item, c.field))
            .collect();
    }
    let files = render_files(&declarations, options.format)?;
    create_dir(&options.into)?;
    for (name, text) in files {
        let path = options.into.join(name);
        write_file(&path, &text)?;
        written.files.push(path);
    }
    match existing_project {
        None => {
            write_file(&project_path, &project_text(stack, storage))?;
            written.created_project = true;
        }
        Some(_) if storage == Some(Storage::Plaintext) => written.notes.push(format!(
            "the existing `{}` is kept; set `[secrets] storage = \"plaintext\"` in it so that plain credential fields stay where kibana.yml has them",
            project::FILE_NAME
        )),
        Some(_) => {}
    }
    Ok(written)
}

/// `storage = "plaintext"` when kibana.yml keeps credentials in plain fields that fleetc
/// would otherwise move under `secrets` for `stack`.
fn storage_for(
    declarations: &Declarations,
    stack: StackVersion,
    notes: &mut Vec<String>,
) -> Option<Storage> {
    let moved = declarations
        .plain_secret_fields
        .iter()
        .any(|since| *since <= stack);
    if moved && declarations.used_secret_storage {
        notes.push(format!(
            "kibana.yml keeps some credentials in plain fields and others under `secrets`; for stack {stack} fleetc places them all one way, so the built configuration differs there: choose `--stack` below the version that adds the plain fields' secrets"
        ));
        return None;
    }
    moved.then_some(Storage::Plaintext)
}

fn project_text(stack: StackVersion, storage: Option<Storage>) -> String {
    let mut text = format!("# Created by `fleetc import`.\nstack_version = \"{stack}\"\n");
    if storage == Some(Storage::Plaintext) {
        text.push_str("\n[secrets]\n# kibana.yml keeps credentials in their plain fields, not under `secrets`.\nstorage = \"plaintext\"\n");
    }
    text
}

/// `stack_version` of an existing `fleetc.toml`.
fn project_stack(text: &str) -> Option<StackVersion> {
    let table: toml::Table = toml::from_str(text).ok()?;
    table.get("stack_version")?.as_str()?.parse().ok()
}

/// `[secrets] dir` of an existing `fleetc.toml`, or the default.
fn secrets_dir(text: Option<&str>) -> String {
    text.and_then(|t| toml::from_str::<toml::Table>(t).ok())
        .and_then(|t| t.get("secrets")?.get("dir")?.as_str().map(str::to_owned))
        .unwrap_or_else(|| "secrets".to_owned())
}

/// Encrypts each literal credential to the store and puts a reference in its place.
fn store_credentials(
    declarations: &mut Declarations,
    store: &Store,
    written: &mut Written,
) -> Result<(), WriteError> {
    let credentials = std::mem::take(&mut declarations.credentials);
    for credential in &credentials {
        let Some(slot) = field_mut(declarations, credential) else {
            continue;
        };
        let Some(value) = slot.as_str().map(str::to_owned) else {
            continue;
        };
        let name = secret_name(credential, store, &written.secrets);
        store
            .write(&name, value.as_bytes())
            .map_err(|e| WriteError::Io {
                path: store.path(&name),
                message: e.to_string(),
            })?;
        let mut reference = Map::new();
        reference.insert("secret".to_owned(), Value::String(name.clone()));
        *slot = Value::Object(reference);
        let place = format!(
            "{} `{}` field `{}`",
            credential.kind.noun(),
            credential.item,
            credential.field
        );
        written.secrets.push((name, place));
    }
    Ok(())
}

fn field_mut<'a>(
    declarations: &'a mut Declarations,
    credential: &Credential,
) -> Option<&'a mut Value> {
    let (_, items) = declarations
        .lists
        .iter_mut()
        .find(|(k, _)| *k == credential.kind)?;
    let mut value = items.get_mut(credential.index)?;
    for key in credential.field.split('.') {
        value = value.get_mut(key)?;
    }
    Some(value)
}

/// `<item>-<field>` in the portable set of secret names, unique in the store.
fn secret_name(credential: &Credential, store: &Store, taken: &[(String, String)]) -> String {
    let raw = format!("{}-{}", credential.item, credential.field.replace('.', "-"));
    let mut base: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    base = base
        .trim_start_matches(['.', '_', '-'])
        .chars()
        .take(100)
        .collect();
    if !is_secret_name(&base) {
        base = format!("secret-{}", credential.field.replace('.', "-"));
    }
    let free = |name: &str| !store.contains(name) && taken.iter().all(|(n, _)| n != name);
    let mut name = base.clone();
    let mut counter = 2;
    while !free(&name) {
        name = format!("{base}-{counter}");
        counter += 1;
    }
    name
}

/// The text of each file to write, by file name.
fn render_files(
    declarations: &Declarations,
    format: Format,
) -> Result<Vec<(String, String)>, WriteError> {
    let mut files = Vec::new();
    for (kind, items) in &declarations.lists {
        if items.is_empty() {
            continue;
        }
        let name = format!("{}.{}", kind.list(), format.extension());
        files.push((
            name,
            render(kind.list(), Value::Array(items.clone()), format)?,
        ));
    }
    if !declarations.settings.is_empty() {
        let name = format!("{SETTINGS}.{}", format.extension());
        let value = Value::Object(declarations.settings.clone());
        files.push((name, render(SETTINGS, value, format)?));
    }
    Ok(files)
}

fn render(key: &str, value: Value, format: Format) -> Result<String, WriteError> {
    let header = "# Imported from kibana.yml by `fleetc import`.\n";
    match format {
        Format::Yaml => Ok(format!("{header}{}", to_yaml(&[(key.to_owned(), value)]))),
        Format::Toml => {
            if let Some(path) = null_path(&value, key) {
                return Err(WriteError::TomlNull(path));
            }
            let mut table = Map::new();
            table.insert(key.to_owned(), value);
            let text = toml::to_string(&Value::Object(table)).map_err(|e| WriteError::Io {
                path: PathBuf::from(key),
                message: e.to_string(),
            })?;
            Ok(format!("{header}{text}"))
        }
    }
}

/// The dotted path of the first null in `value`.
fn null_path(value: &Value, path: &str) -> Option<String> {
    match value {
        Value::Null => Some(path.to_owned()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| null_path(item, &format!("{path}.{i}"))),
        Value::Object(map) => map
            .iter()
            .find_map(|(k, v)| null_path(v, &format!("{path}.{k}"))),
        _ => None,
    }
}

fn create_dir(dir: &Path) -> Result<(), WriteError> {
    std::fs::create_dir_all(dir).map_err(|e| WriteError::Io {
        path: dir.to_owned(),
        message: e.to_string(),
    })
}

/// Writes a new file; one that appeared since the check is not replaced.
fn write_file(path: &Path, text: &str) -> Result<(), WriteError> {
    use std::io::Write;
    let io = |e: std::io::Error| WriteError::Io {
        path: path.to_owned(),
        message: e.to_string(),
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(io)?;
    file.write_all(text.as_bytes()).map_err(io)
}
