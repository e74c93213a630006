//! `fleetc build`: print (or write) the `xpack.fleet.*` block.

use fleetc::diagnostic::Diagnostic;
use fleetc::emit::{self, Secrets};
use fleetc::model::Value;
use fleetc::rules;

use super::{Exit, Failure, compile, report};
use crate::cli::{BuildArgs, BuildFormat, Global};
use crate::printer::{self, Printer};

pub fn run(global: &Global, printer: &Printer, args: &BuildArgs) -> Result<Exit, Failure> {
    let compilation = compile(global)?;
    let mut diagnostics: Vec<Diagnostic> = compilation.diagnostics.iter().cloned().collect();
    let block = match &compilation.model {
        Some(model) if !compilation.diagnostics.has_errors() => match emit::block(model, &Unresolved) {
            Ok(block) => Some(block),
            Err(found) => {
                diagnostics.extend(found);
                None
            }
        },
        _ => None,
    };
    report(printer, &compilation, &diagnostics);
    let Some(block) = block else { return Ok(Exit::Failure) };
    let text = match args.format {
        BuildFormat::Yaml => emit::yaml::to_yaml(&block),
        BuildFormat::Json => format!("{:#}\n", emit::to_json_object(&block)),
    };
    match &args.output {
        Some(path) => std::fs::write(path, text).map_err(|e| Failure(format!("cannot write `{}`: {e}", path.display())))?,
        None => printer::stdout(&text).map_err(|e| Failure(format!("cannot write the block: {e}")))?,
    }
    Ok(Exit::Success)
}

/// Secrets before the secret store exists: every reference is an error naming the secret.
struct Unresolved;

impl Secrets for Unresolved {
    fn resolve(&self, name: &str, value: &Value) -> Result<String, Diagnostic> {
        let message = format!("the secret `{name}` cannot be resolved");
        Err(Diagnostic::new(&rules::SECRET_UNRESOLVED, message).at(value.span, "secret reference"))
    }
}
