//! The secret rules of `check`, which need no key: referenced secret files are whole age
//! files, stored secrets are referenced, secret names give distinct variables, and the
//! target Kibana can store the values where `[secrets] storage` puts them.

use std::collections::BTreeMap;
use std::path::Path;

use super::age_file;
use super::store::Stores;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::emit::secrets::{Placement, fields};
use crate::model::{Model, Value, ValueKind};
use crate::project::Storage;
use crate::rules;
use crate::source::Span;
use crate::version::StackVersion;

/// The first version whose outputs take `secrets` (KIBANA.md §9).
pub const FLEET_SECRETS_SINCE: StackVersion = StackVersion::new(8, 12, 0);

/// What the secret rules look at.
pub struct Input<'a> {
    pub model: &'a Model,
    /// The repository root, which file names in messages are relative to.
    pub root: &'a Path,
    pub stores: &'a Stores,
    pub placement: Placement,
    /// Where `[secrets] storage` was set, if it was.
    pub storage_span: Option<Span>,
    /// Whether a plaintext override is set for a secret name.
    pub has_override: &'a dyn Fn(&str) -> bool,
}

/// One `{ secret: NAME }` in the model.
pub struct Reference<'a> {
    pub name: &'a str,
    pub span: Span,
    /// JSON pointer of the item or setting that holds it.
    pub pointer: &'a str,
}

pub fn check(input: &Input<'_>) -> Diagnostics {
    let mut found = Diagnostics::default();
    let references = references(input.model);
    well_formed(input, &references, &mut found);
    unused(input, &references, &mut found);
    variable_clashes(&references, &mut found);
    placement(input, &mut found);
    found
}

/// Every secret reference of the model, items first, in file order.
pub fn references(model: &Model) -> Vec<Reference<'_>> {
    let mut out = Vec::new();
    let items = model.items.iter().map(|i| (&i.body, i.pointer.as_str()));
    let settings = model
        .settings
        .iter()
        .map(|s| (&s.value, s.pointer.as_str()));
    for (value, pointer) in items.chain(settings) {
        value.walk("", &mut |_, inner: &Value| {
            if let ValueKind::Secret(name) = &inner.kind {
                out.push(Reference {
                    name,
                    span: inner.span,
                    pointer,
                });
            }
        });
    }
    out
}

/// Each referenced secret's file, once, unless an override replaces it.
fn well_formed(input: &Input<'_>, references: &[Reference<'_>], found: &mut Diagnostics) {
    let mut seen = std::collections::HashSet::new();
    for reference in references {
        if !seen.insert(reference.name) || (input.has_override)(reference.name) {
            continue;
        }
        let Some(store) = input.stores.find(reference.name) else {
            continue;
        };
        let path = relative(input.root, &store.path(reference.name));
        let problem = match store.read(reference.name) {
            Ok(bytes) => match age_file::inspect(&bytes) {
                Ok(shape) if shape.passphrase => {
                    Some("is encrypted with a passphrase, not to recipients".to_owned())
                }
                Ok(_) => None,
                Err(malformed) => Some(format!("is not a well-formed age file: {malformed}")),
            },
            Err(error) => Some(format!("cannot be read: {error}")),
        };
        if let Some(problem) = problem {
            let message = format!(
                "the file of secret `{}` (`{path}`) {problem}",
                reference.name,
            );
            found.push(
                Diagnostic::new(&rules::SECRET_MALFORMED, message)
                    .at(reference.span, "secret reference")
                    .pointer(reference.pointer),
            );
        }
    }
}

fn unused(input: &Input<'_>, references: &[Reference<'_>], found: &mut Diagnostics) {
    let Ok(entries) = input.stores.entries() else {
        return;
    };
    for (name, store) in entries {
        if !references.iter().any(|r| r.name == name) {
            let message = format!(
                "the secret `{name}` (`{}`) is not referenced by any declaration",
                relative(input.root, &store.path(&name))
            );
            found.push(Diagnostic::new(&rules::SECRET_UNUSED, message));
        }
    }
}

/// Two names that give one `FLEETC_...` variable.
fn variable_clashes(references: &[Reference<'_>], found: &mut Diagnostics) {
    let mut first: BTreeMap<String, &Reference<'_>> = BTreeMap::new();
    for reference in references {
        let mangled = super::mangle(reference.name);
        match first.get(&mangled) {
            Some(earlier) if earlier.name != reference.name => {
                let message = format!(
                    "the secrets `{}` and `{}` both become `{}`",
                    earlier.name,
                    reference.name,
                    super::override_var(reference.name)
                );
                found.push(
                    Diagnostic::new(&rules::SECRET_VARIABLE_CLASH, message)
                        .at(reference.span, "this name")
                        .also(earlier.span, "clashes with this one")
                        .pointer(reference.pointer),
                );
            }
            Some(_) => {}
            None => {
                first.insert(mangled, reference);
            }
        }
    }
}

/// `storage = "fleet"` on a target without Fleet secrets, and fields that stay plain.
fn placement(input: &Input<'_>, found: &mut Diagnostics) {
    let placement = input.placement;
    if placement.storage != Storage::Fleet {
        return;
    }
    let mut too_old = None;
    for item in &input.model.items {
        for field in fields(item) {
            let Some(value) = item.body.path(&field.path) else {
                continue;
            };
            if matches!(value.kind, ValueKind::Null) {
                continue;
            }
            if placement.version < FLEET_SECRETS_SINCE {
                too_old.get_or_insert(value.span);
            } else if !placement.is_fleet_secret(&field)
                && matches!(value.kind, ValueKind::Secret(_))
            {
                let message = format!(
                    "`{}` of {} `{}` is written as plain text: Kibana {} has no Fleet secret for it (it has from {})",
                    field.path,
                    item.kind.noun(),
                    item.key.value,
                    placement.version,
                    field.since
                );
                found.push(
                    Diagnostic::new(&rules::SECRET_NO_FLEET_SECRET, message)
                        .at(value.span, "stored in the plain field")
                        .pointer(item.pointer.clone()),
                );
            }
        }
    }
    if let Some(first_value) = too_old {
        found.push(storage_too_old(input, first_value));
    }
}

fn storage_too_old(input: &Input<'_>, first_value: Span) -> Diagnostic {
    let version = input.placement.version;
    let message = format!(
        "`[secrets] storage` is `fleet`, but Kibana {version} has no `secrets` on outputs (it has from {FLEET_SECRETS_SINCE})"
    );
    let diagnostic = Diagnostic::new(&rules::SECRET_STORAGE_TOO_OLD, message);
    match input.storage_span {
        Some(span) => diagnostic
            .at(span, "needs 8.12 or later")
            .also(first_value, "a credential that would go under `secrets`"),
        None => diagnostic.at(
            first_value,
            "would go under `secrets` (the default storage)",
        ),
    }
}

fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}
