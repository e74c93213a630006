//! Value forms: how a declaration says "fill this in from elsewhere".
//!
//! A string may be written as `{ env: VAR }` (Kibana's own `${VAR}`, filled in from its
//! environment at startup) or, in a field Kibana treats as a credential, `{ secret: NAME }`
//! (a value from the age-encrypted store). Validation, the model, overlays and the secret
//! store all recognise them here, by one definition.

use crate::source::Span;
use crate::tree::Node;

/// A `{ env: VAR }` or `{ secret: NAME }` value.
pub struct Reference<'a> {
    pub kind: ReferenceKind,
    pub name: &'a str,
    pub span: Span,
    pub name_span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReferenceKind {
    Env,
    Secret,
}

impl<'a> Reference<'a> {
    /// Recognises a map with the single key `env` or `secret` and a string value.
    pub fn of(node: &'a Node) -> Option<Reference<'a>> {
        let [entry] = node.entries()? else {
            return None;
        };
        let kind = match entry.key.as_str() {
            "env" => ReferenceKind::Env,
            "secret" => ReferenceKind::Secret,
            _ => return None,
        };
        let name = entry.value.as_str()?;
        Some(Reference {
            kind,
            name,
            span: node.span,
            name_span: entry.value.span,
        })
    }
}

/// Whether Kibana's `${NAME}` substitution (`\w+`) takes this name.
pub fn is_env_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Secret names become file names, so they are kept to a portable set.
pub fn is_secret_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && name.len() <= 128
}
