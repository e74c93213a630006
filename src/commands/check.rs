//! `fleetc check`: validate without emitting, offline and without keys.
//!
//! Without `--env`, a repository with several environments is checked in each of them;
//! a finding that several environments share (one in a base file) is reported once.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use fleetc::compile::{self, Compilation};
use fleetc::diagnostic::{Diagnostic, Severity};
use fleetc::load::LoadOptions;

use super::{Exit, Failure, load_options, summary};
use crate::cli::{CheckArgs, CheckFormat, Global};
use crate::printer::{self, Printer};
use crate::report::{self, Finding};

pub fn run(global: &Global, printer: &Printer, args: &CheckArgs) -> Result<Exit, Failure> {
    let options = load_options(global)?;
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
    let base = std::env::current_dir().ok();
    let findings = |relative_to_cwd: bool| -> Vec<Finding<'_>> {
        unique
            .iter()
            .flat_map(|(compilation, diagnostics)| {
                let prefix = if relative_to_cwd {
                    repository_prefix(compilation, base.as_deref())
                } else {
                    PathBuf::new()
                };
                diagnostics.iter().map(move |d| Finding {
                    diagnostic: d,
                    location: report::locate(&compilation.sources, d, &prefix),
                })
            })
            .collect()
    };
    let text = match args.format {
        CheckFormat::Human => {
            human(printer, &unique, &all, failed);
            return Ok(if failed { Exit::Failure } else { Exit::Success });
        }
        CheckFormat::Json => format!("{:#}\n", report::json(&findings(false))),
        CheckFormat::Github => report::github(&findings(true)),
        CheckFormat::Sarif => format!("{:#}\n", report::sarif(&findings(true))),
    };
    printer::stdout(&text).map_err(|e| Failure(format!("cannot write the report: {e}")))?;
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

/// The repository's folder relative to the working folder, so that paths in GitHub and
/// SARIF reports resolve from where the tool runs (usually the git root).
fn repository_prefix(compilation: &Compilation, cwd: Option<&Path>) -> PathBuf {
    let root = compilation.project.as_ref().map(|p| p.root.as_path());
    match (root, cwd) {
        (Some(root), Some(cwd)) => {
            let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
            let cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
            root.strip_prefix(&cwd)
                .map_or(root.clone(), Path::to_path_buf)
        }
        _ => PathBuf::new(),
    }
}
