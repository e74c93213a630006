//! The commands: each turns parsed arguments into library calls and printed output.

mod apply;
mod block;
mod build;
mod check;
mod graph;
mod import;
mod init;
mod plan;
mod schema;
mod secret;
mod shell;

use std::path::Path;
use std::process::ExitCode;

use fleetc::compile::{self, Compilation};
use fleetc::diagnostic::Diagnostic;
use fleetc::load::LoadOptions;

use crate::cli::{Cli, Command, Global};
use crate::printer::Printer;

/// How a command ended, as Terraform-style exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Success,
    Failure,
    /// `plan --detailed-exitcode` found changes.
    Changes,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> ExitCode {
        match exit {
            Exit::Success => ExitCode::SUCCESS,
            Exit::Failure => ExitCode::from(1),
            Exit::Changes => ExitCode::from(2),
        }
    }
}

/// An error outside the declarations (a file that cannot be written, a bad argument).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Failure(pub String);

pub fn run(cli: Cli) -> Result<Exit, Failure> {
    let printer = Printer::new(cli.global.color);
    match cli.command {
        Command::Check(args) => check::run(&cli.global, &printer, &args),
        Command::Build(args) => build::run(&cli.global, &printer, &args),
        Command::Plan(args) => plan::run(&cli.global, &printer, &args),
        Command::Apply(args) => apply::run(&cli.global, &printer, &args),
        Command::Schema(args) => schema::run(&cli.global, &args),
        Command::Graph(args) => graph::run(&cli.global, &printer, &args),
        Command::Init(args) => init::run(&args),
        Command::Completions(args) => shell::completions(args.shell),
        Command::Man(args) => shell::man(args.command.as_deref()),
        Command::Import(args) => import::run(&args),
        Command::Secret(command) => secret::run(&cli.global, &command),
    }
}

/// What the global flags say to load.
fn load_options(global: &Global) -> Result<LoadOptions, Failure> {
    let start = std::env::current_dir()
        .map_err(|e| Failure(format!("cannot read the working folder: {e}")))?;
    Ok(LoadOptions {
        dir: global.directory.clone(),
        start,
        environment: global.env.clone(),
        targets: Vec::new(),
    })
}

/// Loads, validates and checks the repository the global flags select.
fn compile(global: &Global) -> Result<Compilation, Failure> {
    Ok(compile::compile(&load_options(global)?))
}

/// Like [`compile`], leaving out a `--target` file that sits inside the repository.
fn compile_for_target(global: &Global, target: Option<&Path>) -> Result<Compilation, Failure> {
    let options = LoadOptions {
        targets: target.into_iter().map(Path::to_path_buf).collect(),
        ..load_options(global)?
    };
    Ok(compile::compile(&options))
}

/// Prints findings for people on standard error.
///
/// Advice is left to `check`: the commands that produce something show what stops them
/// (errors) and what they do anyway (warnings).
fn report(printer: &Printer, compilation: &Compilation, diagnostics: &[Diagnostic]) {
    let shown: Vec<Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.severity != fleetc::diagnostic::Severity::Advice)
        .cloned()
        .collect();
    if shown.is_empty() {
        return;
    }
    eprint!("{}", printer.human(&compilation.sources, &shown));
    eprintln!("{}", summary(&shown));
}

/// `2 errors, 1 warning`.
pub(super) fn summary(diagnostics: &[Diagnostic]) -> String {
    let count = |severity| {
        diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    };
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("1 {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    use fleetc::diagnostic::Severity::{Advice, Error, Warning};
    let mut parts = vec![
        plural(count(Error), "error"),
        plural(count(Warning), "warning"),
    ];
    if count(Advice) > 0 {
        // "advice" has no plural.
        parts.push(format!("{} advice", count(Advice)));
    }
    format!("fleetc: {}", parts.join(", "))
}
