//! Hazards across every value: Kibana's `${WORD}` substitution, and secret references that
//! name no secret.

use super::Context;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Value, ValueKind};
use crate::rules;

pub fn check(context: &Context<'_>, found: &mut Diagnostics) {
    let items = context
        .model
        .items
        .iter()
        .map(|item| (&item.body, item.pointer.as_str()));
    let settings = context
        .model
        .settings
        .iter()
        .map(|s| (&s.value, s.pointer.as_str()));
    for (value, pointer) in items.chain(settings) {
        value.walk("", &mut |_, inner| visit(context, inner, pointer, found));
    }
}

fn visit(context: &Context<'_>, value: &Value, pointer: &str, found: &mut Diagnostics) {
    match &value.kind {
        ValueKind::Str(text) => {
            if let Some(reference) = substitution(text) {
                // The reference is not quoted: the string may be a credential.
                let message = format!(
                    "this string contains a `${{...}}` reference ({} characters), which Kibana replaces with an environment variable",
                    reference.len()
                );
                found.push(
                    Diagnostic::new(&rules::ENV_SUBSTITUTION, message)
                        .at(value.span, "substituted by Kibana")
                        .pointer(pointer),
                );
            }
        }
        ValueKind::Secret(name) if !(context.secret_exists)(name) => {
            let message = format!("the secret `{name}` does not exist");
            found.push(
                Diagnostic::new(&rules::SECRET_MISSING, message)
                    .at(value.span, "unknown secret")
                    .pointer(pointer),
            );
        }
        _ => {}
    }
}

/// The first `${WORD}` or `${WORD:default}` in `text`, as Kibana's `/\$\{(\w+)(:(\w+))?\}/`
/// finds it.
pub fn substitution(text: &str) -> Option<&str> {
    let word = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let candidate = &rest[start..];
        if let Some(end) = candidate.find('}') {
            let inner = &candidate[2..end];
            let (name, default) = inner
                .split_once(':')
                .map_or((inner, None), |(n, d)| (n, Some(d)));
            if word(name) && default.is_none_or(word) {
                return Some(&candidate[..=end]);
            }
        }
        rest = &rest[start + 2..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::substitution;

    #[test]
    fn finds_what_kibana_substitutes() {
        assert_eq!(substitution("a ${HOME} b"), Some("${HOME}"));
        assert_eq!(substitution("${A:b}"), Some("${A:b}"));
        assert_eq!(substitution("${kubernetes.container.id}"), None);
        assert_eq!(substitution("$HOME ${ } ${a-b}"), None);
        assert_eq!(substitution("x ${a.b} ${OK}"), Some("${OK}"));
    }
}
