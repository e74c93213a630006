//! `fleetc check`: validate without emitting, offline and without keys.
//!
//! Without `--env`, a repository with several environments is checked in each of them;
//! a finding that several environments share (one in a base file) is reported once.

use std::collections::HashSet;

use fleetc::compile::{self, Compilation};
use fleetc::diagnostic::{Diagnostic, Severity};
use fleetc::load::LoadOptions;

use super::{Exit, Failure, summary};
use crate::cli::{CheckArgs, CheckFormat, Global};
use crate::printer::{self, Printer};

pub fn run(global: &Global, printer: &Printer, args: &CheckArgs) -> Result<Exit, Failure> {
    let start = std::env::current_dir()
        .map_err(|e| Failure(format!("cannot read the working folder: {e}")))?;
    let options = LoadOptions {
        dir: global.directory.clone(),
        start,
        environment: global.env.clone(),
    };
    let mut runs = Vec::new();
    for environment in compile::environments_to_check(&options) {
        let options = LoadOptions {
            environment,
            ..options.clone()
        };
        let mut compilation = compile::compile(&options);
        let diagnostics = findings(&mut compilation, args.strict);
        runs.push((compilation, diagnostics));
    }
    let unique = deduplicate(&runs);
    let all: Vec<&Diagnostic> = unique
        .iter()
        .flat_map(|(_, diagnostics)| diagnostics.iter().copied())
        .collect();
    let failed = all.iter().any(|d| d.is_error());
    match args.format {
        CheckFormat::Human => human(printer, &unique, &all, failed),
        CheckFormat::Json => {
            let json = json(&unique);
            printer::stdout(&format!("{json:#}\n"))
                .map_err(|e| Failure(format!("cannot write the report: {e}")))?;
        }
    }
    Ok(if failed { Exit::Failure } else { Exit::Success })
}

/// The run's findings, warnings turned into errors with `--strict`.
fn findings(compilation: &mut Compilation, strict: bool) -> Vec<Diagnostic> {
    let mut diagnostics: Vec<Diagnostic> = compilation.diagnostics.iter().cloned().collect();
    if strict {
        for diagnostic in diagnostics
            .iter_mut()
            .filter(|d| d.severity == Severity::Warning)
        {
            diagnostic.severity = Severity::Error;
        }
    }
    diagnostics
}

type Run = (Compilation, Vec<Diagnostic>);

/// Each run with the findings no earlier run reported at the same place.
fn deduplicate(runs: &[Run]) -> Vec<(&Compilation, Vec<&Diagnostic>)> {
    let mut seen = HashSet::new();
    runs.iter()
        .map(|(compilation, diagnostics)| {
            let fresh = diagnostics
                .iter()
                .filter(|d| seen.insert(identity(compilation, d)))
                .collect();
            (compilation, fresh)
        })
        .collect()
}

/// What makes two findings of different runs the same: code, message and place.
fn identity(
    compilation: &Compilation,
    diagnostic: &Diagnostic,
) -> (String, String, String, usize, usize) {
    let (file, start, end) = diagnostic
        .primary
        .as_ref()
        .map_or((String::new(), 0, 0), |label| {
            (
                compilation
                    .sources
                    .path(label.span.file)
                    .display()
                    .to_string(),
                label.span.start,
                label.span.end,
            )
        });
    (
        diagnostic.code.to_owned(),
        diagnostic.message.clone(),
        file,
        start,
        end,
    )
}

fn human(
    printer: &Printer,
    runs: &[(&Compilation, Vec<&Diagnostic>)],
    all: &[&Diagnostic],
    failed: bool,
) {
    for (compilation, diagnostics) in runs {
        let owned: Vec<Diagnostic> = diagnostics.iter().map(|d| (*d).clone()).collect();
        eprint!("{}", printer.human(&compilation.sources, &owned));
    }
    let owned: Vec<Diagnostic> = all.iter().map(|d| (*d).clone()).collect();
    if !owned.is_empty() {
        eprintln!("{}", summary(&owned));
    }
    if !failed {
        let count: usize = runs
            .iter()
            .filter_map(|(c, _)| c.model.as_ref())
            .map(|m| m.items.len() + m.settings.len())
            .max()
            .unwrap_or(0);
        let environments = runs.len();
        let noun = if count == 1 {
            "declaration"
        } else {
            "declarations"
        };
        let scope = if environments > 1 {
            format!(" in {environments} environments")
        } else {
            String::new()
        };
        eprintln!("fleetc: {count} {noun} checked{scope}, no errors");
    }
}

/// DESIGN.md's report: one object over every run.
fn json(runs: &[(&Compilation, Vec<&Diagnostic>)]) -> serde_json::Value {
    let mut items = Vec::new();
    for (compilation, diagnostics) in runs {
        let owned: Vec<Diagnostic> = diagnostics.iter().map(|d| (*d).clone()).collect();
        let report = Printer::json(&compilation.sources, &owned);
        items.extend(
            report["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
        );
    }
    let count = |severity: &str| items.iter().filter(|d| d["severity"] == severity).count();
    let errors = count("error");
    serde_json::json!({ "valid": errors == 0, "error_count": errors, "warning_count": count("warning"), "diagnostics": items })
}
