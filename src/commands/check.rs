//! `fleetc check`: validate without emitting, offline and without keys.

use fleetc::diagnostic::{Diagnostic, Severity};

use super::{Exit, Failure, compile, report};
use crate::cli::{CheckArgs, CheckFormat, Global};
use crate::printer::{self, Printer};

pub fn run(global: &Global, printer: &Printer, args: &CheckArgs) -> Result<Exit, Failure> {
    let compilation = compile(global)?;
    let mut diagnostics: Vec<Diagnostic> = compilation.diagnostics.iter().cloned().collect();
    if args.strict {
        for diagnostic in diagnostics
            .iter_mut()
            .filter(|d| d.severity == Severity::Warning)
        {
            diagnostic.severity = Severity::Error;
        }
    }
    let failed = diagnostics.iter().any(Diagnostic::is_error);
    match args.format {
        CheckFormat::Human => {
            report(printer, &compilation, &diagnostics);
            if !failed {
                let count = compilation
                    .model
                    .as_ref()
                    .map_or(0, |m| m.items.len() + m.settings.len());
                let noun = if count == 1 {
                    "declaration"
                } else {
                    "declarations"
                };
                eprintln!("fleetc: {count} {noun} checked, no errors");
            }
        }
        CheckFormat::Json => {
            let json = Printer::json(&compilation.sources, &diagnostics);
            printer::stdout(&format!("{json:#}\n"))
                .map_err(|e| Failure(format!("cannot write the report: {e}")))?;
        }
    }
    Ok(if failed { Exit::Failure } else { Exit::Success })
}
