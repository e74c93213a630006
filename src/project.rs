//! The project file, `fleetc.toml`: target version, file selection, secrets settings,
//! template variables and environments.
//!
//! It is parsed into the raw tree like any TOML file and validated against
//! `schemas/fleetc.json`, so a typo in a key gets the same did-you-mean as in declarations.

use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::parse::{self, Limits, Syntax};
use crate::rules;
use crate::schema;
use crate::source::{FileId, Sources, Span, Spanned};
use crate::tree::Node;
use crate::validate::{self, Place};
use crate::version::{NEWEST_MINOR, StackVersion};

/// The file name fleetc looks for.
pub const FILE_NAME: &str = "fleetc.toml";

/// Where secret values go in kibana.yml.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Storage {
    /// Under Kibana's `secrets:` block (Fleet Server 8.12 or later).
    Fleet,
    /// In the plain field, as Kibana allows for older Fleet Servers.
    Plaintext,
}

/// How secret values reach Kibana.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// Written into kibana.yml.
    Inline,
    /// kibana.yml gets `${FLEETC_NAME}`; the values go to a separate file.
    Env,
}

/// The `[secrets]` table, with defaults filled in.
#[derive(Clone, Debug, PartialEq)]
pub struct SecretSettings {
    pub dir: PathBuf,
    pub storage: Storage,
    /// Where `storage` was set, for findings about it.
    pub storage_span: Option<Span>,
    pub delivery: Delivery,
}

impl Default for SecretSettings {
    fn default() -> Self {
        SecretSettings {
            dir: PathBuf::from("secrets"),
            storage: Storage::Fleet,
            storage_span: None,
            delivery: Delivery::Inline,
        }
    }
}

/// One `[environments.NAME]` table.
#[derive(Clone, Debug)]
pub struct EnvironmentDecl {
    pub name: String,
    pub kibana_yml: Option<PathBuf>,
    pub overlay: Option<PathBuf>,
    pub stack_version: Option<Spanned<StackVersion>>,
    pub vars: Option<Node>,
    pub secrets: Option<Node>,
}

/// `fleetc.toml`, validated.
#[derive(Debug)]
pub struct Project {
    /// The folder holding `fleetc.toml`.
    pub root: PathBuf,
    pub file: FileId,
    pub stack_version: Spanned<StackVersion>,
    /// Glob patterns, with where each was written (`None` for the defaults).
    pub include: Vec<(String, Option<Span>)>,
    pub exclude: Vec<(String, Option<Span>)>,
    pub secrets: Option<Node>,
    pub vars: Option<Node>,
    pub environments: Vec<EnvironmentDecl>,
}

/// Finds the repository root: `dir` itself when given (`-C`), else the nearest folder
/// holding `fleetc.toml`, walking up from `start`.
pub fn find_root(dir: Option<&Path>, start: &Path) -> Result<PathBuf, Diagnostic> {
    if let Some(dir) = dir {
        if !dir.is_dir() {
            let message = format!("`{}` is not a folder", dir.display());
            return Err(Diagnostic::new(&rules::MISSING_DIRECTORY, message));
        }
        if !dir.join(FILE_NAME).is_file() {
            let message = format!("`{}` holds no `{FILE_NAME}`", dir.display());
            return Err(Diagnostic::new(&rules::PROJECT_NOT_FOUND, message));
        }
        return Ok(dir.to_path_buf());
    }
    start
        .ancestors()
        .find(|folder| folder.join(FILE_NAME).is_file())
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            let message = format!(
                "no `{FILE_NAME}` in `{}` or any folder above it",
                start.display()
            );
            Diagnostic::new(&rules::PROJECT_NOT_FOUND, message)
        })
}

/// Reads and validates `fleetc.toml` in `root`.
pub fn load(root: &Path, sources: &mut Sources) -> Result<Project, Diagnostics> {
    let path = root.join(FILE_NAME);
    let text = match std::fs::read(&path).map(String::from_utf8) {
        Ok(Ok(text)) => text,
        Ok(Err(_)) => {
            return Err(single(Diagnostic::new(
                &rules::NOT_UTF8,
                format!("`{FILE_NAME}` is not UTF-8 text"),
            )));
        }
        Err(error) => {
            return Err(single(Diagnostic::new(
                &rules::UNREADABLE_FILE,
                format!("cannot read `{}`: {error}", path.display()),
            )));
        }
    };
    let file = sources.add(FILE_NAME, text);
    let node = parse::parse(
        Syntax::Toml,
        file,
        &sources.get(file).text,
        Limits::default(),
    )
    .map_err(single)?;
    let mut found = project_findings(validate::validate(
        &node,
        schema::compiled("fleetc"),
        NEWEST_MINOR,
        "project file",
        Place::root(""),
    ));
    if found.has_errors() {
        return Err(found);
    }
    let stack_version = version_at(node.get("stack_version"), &mut found);
    let environments = environments(&node, &mut found);
    match stack_version {
        Some(stack_version) if !found.has_errors() => Ok(Project {
            root: root.to_path_buf(),
            file,
            stack_version,
            include: strings(node.get("declarations").and_then(|d| d.get("include")))
                .unwrap_or_else(|| {
                    ["**/*.yaml", "**/*.yml", "**/*.toml"]
                        .map(|pattern| (pattern.to_owned(), None))
                        .to_vec()
                }),
            exclude: strings(node.get("declarations").and_then(|d| d.get("exclude")))
                .unwrap_or_default(),
            secrets: node.get("secrets").cloned(),
            vars: node.get("vars").cloned(),
            environments,
        }),
        _ => Err(found),
    }
}

/// Schema findings in `fleetc.toml` are about fleetc's own file, not about Kibana: they
/// keep their message and any did-you-mean, under `repo/invalid-project`.
fn project_findings(found: Diagnostics) -> Diagnostics {
    let mut remapped = Diagnostics::default();
    for diagnostic in found {
        let suggestion = diagnostic
            .help
            .as_deref()
            .and_then(|help| help.split_once('?'))
            .map(|(question, _)| format!("{question}? "));
        let help = format!(
            "{}{}",
            suggestion.unwrap_or_default(),
            rules::PROJECT_INVALID.help
        );
        remapped.push(diagnostic.retag(&rules::PROJECT_INVALID).help(help));
    }
    remapped
}

fn single(diagnostic: Diagnostic) -> Diagnostics {
    let mut found = Diagnostics::default();
    found.push(diagnostic);
    found
}

/// A stack version at `node`, checked against the releases fleetc knows.
fn version_at(node: Option<&Node>, found: &mut Diagnostics) -> Option<Spanned<StackVersion>> {
    let node = node?;
    let text = node.as_str()?;
    match text.parse::<StackVersion>() {
        Ok(version) if version.is_known() => Some(Spanned::new(version, node.span)),
        Ok(version) => {
            let message = format!("fleetc does not know the rules of Kibana {version}");
            found.push(
                Diagnostic::new(&rules::UNKNOWN_STACK_VERSION, message)
                    .at(node.span, "unknown release"),
            );
            None
        }
        Err(error) => {
            found.push(
                Diagnostic::new(&rules::PROJECT_INVALID, error.to_string())
                    .at(node.span, "not a version"),
            );
            None
        }
    }
}

fn environments(node: &Node, found: &mut Diagnostics) -> Vec<EnvironmentDecl> {
    let entries = node
        .get("environments")
        .and_then(Node::entries)
        .unwrap_or_default();
    entries
        .iter()
        .map(|entry| {
            let table = &entry.value;
            EnvironmentDecl {
                name: entry.key.clone(),
                kibana_yml: table
                    .get("kibana_yml")
                    .and_then(Node::as_str)
                    .map(PathBuf::from),
                overlay: table
                    .get("overlay")
                    .and_then(Node::as_str)
                    .map(PathBuf::from),
                stack_version: table
                    .get("stack_version")
                    .and_then(|v| version_at(Some(v), found)),
                vars: table.get("vars").cloned(),
                secrets: table.get("secrets").cloned(),
            }
        })
        .collect()
}

fn strings(node: Option<&Node>) -> Option<Vec<(String, Option<Span>)>> {
    let items = node?.as_seq()?;
    let strings = items
        .iter()
        .filter_map(|item| Some((item.as_str()?.to_owned(), Some(item.span))));
    Some(strings.collect())
}

/// Reads the `[secrets]` table over the defaults.
pub fn secret_settings(base: &SecretSettings, table: Option<&Node>) -> SecretSettings {
    let mut settings = base.clone();
    let Some(table) = table else { return settings };
    if let Some(dir) = table.get("dir").and_then(Node::as_str) {
        settings.dir = PathBuf::from(dir);
    }
    if let Some(storage) = table.get("storage") {
        settings.storage = if storage.as_str() == Some("plaintext") {
            Storage::Plaintext
        } else {
            Storage::Fleet
        };
        settings.storage_span = Some(storage.span);
    }
    if let Some(delivery) = table.get("delivery").and_then(Node::as_str) {
        settings.delivery = if delivery == "env" {
            Delivery::Env
        } else {
            Delivery::Inline
        };
    }
    settings
}
