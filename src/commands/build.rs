//! `fleetc build`: print (or write) the `xpack.fleet.*` block, with secrets resolved.
//!
//! Secret references are resolved after the checks pass: from a plaintext override or by
//! decrypting the store with the identity. With `delivery = "inline"` the values go into
//! the block; with `delivery = "env"` the block references `${FLEETC_<NAME>}` and the values
//! go to `--secrets-out`. Every file that receives a secret value is created with mode 0600.

use std::path::Path;

use fleetc::diagnostic::Diagnostic;
use fleetc::emit::{self, Block};
use fleetc::model::Model;
use fleetc::project::Delivery;
use fleetc::secrets::check::references;
use fleetc::secrets::private_file::{self, Mode};
use fleetc::secrets::{SecretValue, delivery, delivery_var};
use serde_json::json;

use super::block::{self, Resolve, Resolved, holds_secret};
use super::{Exit, Failure, compile, report};
use crate::cli::{BuildArgs, BuildFormat, Global, SecretsFormat};
use crate::printer::{self, Printer};

pub fn run(global: &Global, printer: &Printer, args: &BuildArgs) -> Result<Exit, Failure> {
    let compilation = compile(global)?;
    let mut diagnostics: Vec<Diagnostic> = compilation.diagnostics.iter().cloned().collect();
    let (Some(model), Some(environment)) = (&compilation.model, &compilation.environment) else {
        report(printer, &compilation, &diagnostics);
        return Ok(Exit::Failure);
    };
    if compilation.diagnostics.has_errors() {
        report(printer, &compilation, &diagnostics);
        return Ok(Exit::Failure);
    }
    let delivery = environment.secrets.delivery;
    check_flags(args, delivery, model)?;
    let emitted = block::emit(global, &compilation, Resolve::All, &mut diagnostics);
    report(printer, &compilation, &diagnostics);
    let Some(block::Emitted { block, resolved }) = emitted else {
        return Ok(Exit::Failure);
    };
    let text = match args.format {
        BuildFormat::Yaml => emit::yaml::to_yaml(&block),
        BuildFormat::Json => format!("{:#}\n", emit::to_json_object(&block)),
        BuildFormat::Eck => eck(&block),
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

/// The block as the `spec.config` of an ECK `Kibana` resource: ECK writes `spec.config`
/// into kibana.yml as it is, dotted keys included.
fn eck(block: &Block) -> String {
    let spec = json!({ "config": emit::to_json_object(block) });
    emit::yaml::to_yaml(&[("spec".to_owned(), spec)])
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
