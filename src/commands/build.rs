//! `fleetc build`: print (or write) the `xpack.fleet.*` block, with secrets resolved.
//!
//! Secret references are resolved after the checks pass: from a plaintext override or by
//! decrypting the store with the identity. With `delivery = "inline"` the values go into
//! the block; with `delivery = "env"` the block references `${FLEETC_<NAME>}` and the values
//! go to `--secrets-out`. Every file that receives a secret value is created with mode 0600.

use std::collections::HashMap;
use std::ffi::OsString;
use std::path::Path;

use fleetc::compile::{self as pipeline, Compilation};
use fleetc::diagnostic::Diagnostic;
use fleetc::emit::{self, Secrets};
use fleetc::model::{Model, Value, ValueKind};
use fleetc::project::Delivery;
use fleetc::rules;
use fleetc::secrets::check::references;
use fleetc::secrets::private_file::{self, Mode};
use fleetc::secrets::resolve::Resolver;
use fleetc::secrets::store::Stores;
use fleetc::secrets::{SecretValue, delivery, delivery_var};

use super::{Exit, Failure, compile, report};
use crate::cli::{BuildArgs, BuildFormat, Global, SecretsFormat};
use crate::printer::{self, Printer};

pub fn run(global: &Global, printer: &Printer, args: &BuildArgs) -> Result<Exit, Failure> {
    let compilation = compile(global)?;
    let mut diagnostics: Vec<Diagnostic> = compilation.diagnostics.iter().cloned().collect();
    let (Some(model), Some(environment), Some(project)) = (
        &compilation.model,
        &compilation.environment,
        &compilation.project,
    ) else {
        report(printer, &compilation, &diagnostics);
        return Ok(Exit::Failure);
    };
    if compilation.diagnostics.has_errors() {
        report(printer, &compilation, &diagnostics);
        return Ok(Exit::Failure);
    }
    let delivery = environment.secrets.delivery;
    check_flags(args, delivery, model)?;
    let stores = Stores::for_environment(&project.root, environment);
    let env = |name: &str| std::env::var_os(name);
    let values = resolve_all(global, &stores, &env, model, &mut diagnostics);
    let resolved = Resolved { delivery, values };
    let placement = pipeline::placement(environment);
    let block = if diagnostics.iter().any(Diagnostic::is_error) {
        None
    } else {
        match emit::block(model, &resolved, &placement) {
            Ok(block) => Some(block),
            Err(found) => {
                diagnostics.extend(found);
                None
            }
        }
    };
    report(printer, &compilation, &diagnostics);
    let Some(block) = block else {
        return Ok(Exit::Failure);
    };
    let text = match args.format {
        BuildFormat::Yaml => emit::yaml::to_yaml(&block),
        BuildFormat::Json => format!("{:#}\n", emit::to_json_object(&block)),
    };
    write_block(args, &text, holds_secret(&compilation, delivery))?;
    if let Some(path) = &args.secrets_out {
        write_secrets_out(args, path, &resolved)?;
    }
    Ok(Exit::Success)
}

/// `--secrets-out` goes with `delivery = "env"`, and env delivery of secrets needs it.
fn check_flags(args: &BuildArgs, delivery: Delivery, model: &Model) -> Result<(), Failure> {
    match (delivery, &args.secrets_out) {
        (Delivery::Inline, Some(_)) => Err(Failure(
            "`--secrets-out` is for `[secrets] delivery = \"env\"`; with `inline` the values are in kibana.yml".into(),
        )),
        (Delivery::Env, None) if !references(model).is_empty() => Err(Failure(
            "`[secrets] delivery = \"env\"` writes the secret values to a separate file; pass `--secrets-out FILE`".into(),
        )),
        _ => Ok(()),
    }
}

/// Resolves every referenced secret; a failure is a finding at its first reference.
fn resolve_all(
    global: &Global,
    stores: &Stores,
    env: &dyn Fn(&str) -> Option<OsString>,
    model: &Model,
    diagnostics: &mut Vec<Diagnostic>,
) -> HashMap<String, SecretValue> {
    let mut resolver = Resolver::new(stores, global.identity.clone(), env);
    let mut values = HashMap::new();
    for reference in references(model) {
        if values.contains_key(reference.name) {
            continue;
        }
        match resolver.resolve(reference.name) {
            Ok(value) => {
                values.insert(reference.name.to_owned(), value);
            }
            Err(error) => {
                // One finding per secret: later references of a failed one are skipped.
                values.insert(reference.name.to_owned(), SecretValue::new(String::new()));
                diagnostics.push(
                    Diagnostic::new(&rules::SECRET_UNDECRYPTABLE, error.to_string())
                        .at(reference.span, "secret reference")
                        .pointer(reference.pointer),
                );
            }
        }
    }
    values
}

/// Secrets for emission: the value itself, or the env reference that stands for it.
struct Resolved {
    delivery: Delivery,
    values: HashMap<String, SecretValue>,
}

impl Secrets for Resolved {
    fn resolve(&self, name: &str, value: &Value) -> Result<String, Diagnostic> {
        if self.delivery == Delivery::Env {
            return Ok(format!("${{{}}}", delivery_var(name)));
        }
        match self.values.get(name) {
            Some(secret) => Ok(secret.expose().to_owned()),
            None => {
                let message = format!("the secret `{name}` was not resolved");
                Err(Diagnostic::new(&rules::SECRET_UNDECRYPTABLE, message)
                    .at(value.span, "secret reference"))
            }
        }
    }
}

/// Whether the block holds a secret value: a resolved secret written inline, or a literal
/// in a secret-capable field.
fn holds_secret(compilation: &Compilation, delivery: Delivery) -> bool {
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

fn write_block(args: &BuildArgs, text: &str, secret: bool) -> Result<(), Failure> {
    let Some(path) = &args.output else {
        return printer::stdout(text).map_err(|e| Failure(format!("cannot write the block: {e}")));
    };
    let written = if secret {
        private_file::replace(path, text.as_bytes(), Mode::Private)
    } else {
        std::fs::write(path, text)
    };
    written.map_err(|e| Failure(format!("cannot write `{}`: {e}", path.display())))
}

/// The values of `delivery = "env"`, as an env file or a Kubernetes Secret.
fn write_secrets_out(args: &BuildArgs, path: &Path, resolved: &Resolved) -> Result<(), Failure> {
    let mut entries: Vec<(String, &SecretValue)> = resolved
        .values
        .iter()
        .map(|(name, value)| (delivery_var(name), value))
        .collect();
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let text = match args.secrets_format {
        SecretsFormat::Env => delivery::env_file(&entries),
        SecretsFormat::Kubernetes => delivery::kubernetes(&args.secrets_name, &entries),
    }
    .map_err(|e| Failure(e.to_string()))?;
    tracing::debug!(
        "writing {} secret values to `{}`",
        entries.len(),
        path.display()
    );
    private_file::replace(path, text.as_bytes(), Mode::Private)
        .map_err(|e| Failure(format!("cannot write `{}`: {e}", path.display())))
}
