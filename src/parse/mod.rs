//! Parsing: declaration files (YAML or TOML) into the raw tree of `tree`.
//!
//! Both syntaxes give the same [`Node`] tree, with a span on every node and key. Parsing is
//! bounded by [`Limits`], so hostile input ends in a diagnostic, never in a hang or an
//! exhausted memory.

pub mod toml;
pub mod yaml;

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::rules::Rule;
use crate::source::{FileId, Span};
use crate::tree::Node;

/// Bounds on what one file may expand to.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Deepest nesting of lists and maps.
    pub max_depth: usize,
    /// Most values a file may hold, alias expansions included.
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 64,
            max_nodes: 1_000_000,
        }
    }
}

/// The syntax of a declaration file, from its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    Yaml,
    Toml,
}

impl Syntax {
    pub fn of(path: &Path) -> Option<Syntax> {
        match path.extension()?.to_str()? {
            "yaml" | "yml" => Some(Syntax::Yaml),
            "toml" => Some(Syntax::Toml),
            _ => None,
        }
    }
}

/// Parses `text` in the given syntax.
pub fn parse(syntax: Syntax, file: FileId, text: &str, limits: Limits) -> Result<Node, Diagnostic> {
    match syntax {
        Syntax::Yaml => yaml::parse(file, text, limits),
        Syntax::Toml => toml::parse(file, text, limits),
    }
}

/// A parse finding of `rule` at `span`.
fn error(rule: &Rule, span: Span, message: impl Into<String>, label: &str) -> Diagnostic {
    Diagnostic::new(rule, message).at(span, label)
}
