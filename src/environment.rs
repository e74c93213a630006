//! Environments: which target, stack version, variables, secrets settings and overlay one
//! run uses.
//!
//! A repository without `[environments]` has one implicit environment, `default`, built from
//! the top-level settings. An environment's own settings override the top-level ones.

use std::path::PathBuf;

use crate::diagnostic::Diagnostic;
use crate::project::{self, EnvironmentDecl, Project, SecretSettings};
use crate::rules;
use crate::source::Spanned;
use crate::tree::{Entry, Node};
use crate::version::StackVersion;

/// The name of the implicit environment.
pub const DEFAULT: &str = "default";

/// The environment of one run, with every setting resolved.
#[derive(Debug)]
pub struct Environment {
    pub name: String,
    pub stack_version: Spanned<StackVersion>,
    pub kibana_yml: Option<PathBuf>,
    pub overlay: Option<PathBuf>,
    pub secrets: SecretSettings,
    /// Template variables: the top-level `[vars]` with the environment's over them.
    pub vars: Vec<Entry>,
}

/// Selects the environment `name`, or the only/implicit one when `name` is `None`.
pub fn select(project: &Project, name: Option<&str>) -> Result<Environment, Diagnostic> {
    let declared = &project.environments;
    let chosen = match name {
        Some(name) if declared.is_empty() && name == DEFAULT => None,
        Some(name) => Some(find(declared, name)?),
        None if declared.len() == 1 => declared.first(),
        None if declared.is_empty() => None,
        None => return Err(unknown(declared, None)),
    };
    let base_secrets =
        project::secret_settings(&SecretSettings::default(), project.secrets.as_ref());
    let mut vars = entries(project.vars.as_ref());
    let Some(chosen) = chosen else {
        return Ok(Environment {
            name: DEFAULT.to_owned(),
            stack_version: project.stack_version.clone(),
            kibana_yml: None,
            overlay: None,
            secrets: base_secrets,
            vars,
        });
    };
    for entry in entries(chosen.vars.as_ref()) {
        vars.retain(|existing| existing.key != entry.key);
        vars.push(entry);
    }
    Ok(Environment {
        name: chosen.name.clone(),
        stack_version: chosen
            .stack_version
            .clone()
            .unwrap_or_else(|| project.stack_version.clone()),
        kibana_yml: chosen.kibana_yml.clone(),
        overlay: chosen.overlay.clone(),
        secrets: project::secret_settings(&base_secrets, chosen.secrets.as_ref()),
        vars,
    })
}

fn find<'a>(
    declared: &'a [EnvironmentDecl],
    name: &str,
) -> Result<&'a EnvironmentDecl, Diagnostic> {
    declared
        .iter()
        .find(|env| env.name == name)
        .ok_or_else(|| unknown(declared, Some(name)))
}

fn unknown(declared: &[EnvironmentDecl], name: Option<&str>) -> Diagnostic {
    let known: Vec<String> = declared
        .iter()
        .map(|env| format!("`{}`", env.name))
        .collect();
    let known = if known.is_empty() {
        format!("`{DEFAULT}`")
    } else {
        known.join(", ")
    };
    let message = match name {
        Some(name) => format!("there is no environment `{name}`; the repository has {known}"),
        None => {
            format!("the repository has several environments ({known}); choose one with `--env`")
        }
    };
    Diagnostic::new(&rules::UNKNOWN_ENVIRONMENT, message)
}

fn entries(node: Option<&Node>) -> Vec<Entry> {
    node.and_then(Node::entries)
        .map(<[Entry]>::to_vec)
        .unwrap_or_default()
}
