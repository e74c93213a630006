//! `fleetc graph`: the repository as a Mermaid or DOT picture for reviewers.

use fleetc::graph::Graph;

use super::{Exit, Failure, compile, report};
use crate::cli::{Global, GraphArgs, GraphFormat};
use crate::printer::{self, Printer};

pub fn run(global: &Global, printer: &Printer, args: &GraphArgs) -> Result<Exit, Failure> {
    let compilation = compile(global)?;
    let errors: Vec<_> = compilation
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .cloned()
        .collect();
    let Some(model) = compilation.model.as_ref().filter(|_| errors.is_empty()) else {
        report(printer, &compilation, &errors);
        return Ok(Exit::Failure);
    };
    let graph = Graph::of(model);
    let text = match args.format {
        GraphFormat::Mermaid => graph.mermaid(),
        GraphFormat::Dot => graph.dot(),
    };
    printer::stdout(&text).map_err(|e| Failure(format!("cannot write the graph: {e}")))?;
    Ok(Exit::Success)
}
