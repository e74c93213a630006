//! The block that `build`, `plan` and `apply` emit: a checked compilation with its secrets
//! resolved.
//!
//! Secret references are resolved from a plaintext override or by decrypting the store
//! with the identity. `build` and `apply` need every value; `plan` takes what it can get
//! and stands a [`marker`](fleetc::plan::redact::marker) in for the rest. With
//! `delivery = "env"` the block holds `${FLEETC_<NAME>}` instead of values.

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsString;

use fleetc::compile::{self as pipeline, Compilation};
use fleetc::diagnostic::Diagnostic;
use fleetc::emit::{self, Block, Secrets};
use fleetc::model::{Model, Value, ValueKind};
use fleetc::plan::redact::marker;
use fleetc::project::Delivery;
use fleetc::rules;
use fleetc::secrets::check::references;
use fleetc::secrets::resolve::Resolver;
use fleetc::secrets::store::Stores;
use fleetc::secrets::{SecretValue, delivery_var};

use crate::cli::Global;

/// Which secrets a command resolves, and what a failure is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resolve {
    /// Every secret; a failure is a finding (`build`, `apply`).
    All,
    /// What can be resolved; a failure is recorded (`plan`).
    Available,
    /// Nothing (`plan` with `delivery = "env"`: kibana.yml holds no value).
    Nothing,
}

/// Secrets for emission: the value itself, or what stands for it.
pub struct Resolved {
    pub delivery: Delivery,
    pub values: HashMap<String, SecretValue>,
    /// Secrets that could not be resolved, with the reason (never a value).
    pub failures: BTreeMap<String, String>,
}

impl Secrets for Resolved {
    fn resolve(&self, name: &str, value: &Value) -> Result<String, Diagnostic> {
        if self.delivery == Delivery::Env {
            return Ok(format!("${{{}}}", delivery_var(name)));
        }
        if let Some(secret) = self.values.get(name) {
            // Kibana substitutes `${WORD}` in every kibana.yml string, secret or not.
            if fleetc::check::hazards::substitution(secret.expose()).is_some() {
                let message = format!(
                    "the value of the secret `{name}` contains a `${{...}}` reference, which Kibana would replace with an environment variable"
                );
                let help = "Kibana has no escape for `${`: change the credential, or use `delivery = \"env\"`, where Kibana takes the value from its environment as it is";
                return Err(Diagnostic::new(&rules::ENV_SUBSTITUTION, message)
                    .at(value.span, "secret reference")
                    .help(help));
            }
            return Ok(secret.expose().to_owned());
        }
        if self.failures.contains_key(name) {
            return Ok(marker(name));
        }
        let message = format!("the secret `{name}` was not resolved");
        Err(Diagnostic::new(&rules::SECRET_UNDECRYPTABLE, message)
            .at(value.span, "secret reference"))
    }
}

/// Names every secret by its marker, so that a plan can label placeholders.
struct Names(Delivery);

impl Secrets for Names {
    fn resolve(&self, name: &str, _: &Value) -> Result<String, Diagnostic> {
        Ok(match self.0 {
            Delivery::Env => format!("${{{}}}", delivery_var(name)),
            Delivery::Inline => marker(name),
        })
    }
}

/// A block and the secrets it was built with.
pub struct Emitted {
    pub block: Block,
    pub resolved: Resolved,
}

/// Resolves the secrets of a checked compilation and emits its block; `None` when a
/// finding (added to `diagnostics`) stops it.
pub fn emit(
    global: &Global,
    compilation: &Compilation,
    mode: Resolve,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<Emitted> {
    let (Some(model), Some(environment), Some(project)) = (
        &compilation.model,
        &compilation.environment,
        &compilation.project,
    ) else {
        return None;
    };
    let stores = Stores::for_environment(&project.root, environment);
    let env = |name: &str| std::env::var_os(name);
    let (values, failures) = match mode {
        Resolve::Nothing => (HashMap::new(), Vec::new()),
        _ => resolve_all(global, &stores, &env, model),
    };
    let mut resolved = Resolved {
        delivery: environment.secrets.delivery,
        values,
        failures: BTreeMap::new(),
    };
    for (failure, name) in failures {
        if mode == Resolve::All {
            diagnostics.push(failure);
        } else {
            resolved.failures.insert(name, failure.message);
        }
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        return None;
    }
    match emit::block(model, &resolved, &pipeline::placement(environment)) {
        Ok(block) => Some(Emitted { block, resolved }),
        Err(found) => {
            diagnostics.extend(found);
            None
        }
    }
}

/// The block with every secret as its marker (or env reference).
pub fn named(compilation: &Compilation) -> Option<Block> {
    let (Some(model), Some(environment)) = (&compilation.model, &compilation.environment) else {
        return None;
    };
    let names = Names(environment.secrets.delivery);
    emit::block(model, &names, &pipeline::placement(environment)).ok()
}

/// Resolves every referenced secret; a failure is a finding at its first reference.
fn resolve_all(
    global: &Global,
    stores: &Stores,
    env: &dyn Fn(&str) -> Option<OsString>,
    model: &Model,
) -> (HashMap<String, SecretValue>, Vec<(Diagnostic, String)>) {
    let mut resolver = Resolver::new(stores, global.identity.clone(), env);
    let mut values = HashMap::new();
    let mut failures = Vec::new();
    for reference in references(model) {
        if values.contains_key(reference.name)
            || failures.iter().any(|(_, name)| name == reference.name)
        {
            continue;
        }
        match resolver.resolve(reference.name) {
            Ok(value) => {
                values.insert(reference.name.to_owned(), value);
            }
            Err(error) => {
                // One finding per secret: later references of a failed one are skipped.
                let finding = Diagnostic::new(&rules::SECRET_UNDECRYPTABLE, error.to_string())
                    .at(reference.span, "secret reference")
                    .pointer(reference.pointer);
                failures.push((finding, reference.name.to_owned()));
            }
        }
    }
    (values, failures)
}

/// Whether the block holds a secret value: a resolved secret written inline, or a literal
/// in a secret-capable field.
pub fn holds_secret(compilation: &Compilation, delivery: Delivery) -> bool {
    let Some(model) = &compilation.model else {
        return false;
    };
    model.items.iter().any(|item| {
        emit::secrets::fields(item).iter().any(|field| {
            item.body
                .path(&field.path)
                .is_some_and(|value| match value.kind {
                    ValueKind::Str(_) => true,
                    ValueKind::Secret(_) => delivery == Delivery::Inline,
                    _ => false,
                })
        })
    }) || (delivery == Delivery::Inline && !references(model).is_empty())
}
