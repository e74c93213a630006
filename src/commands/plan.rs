//! `fleetc plan`: what `apply` would change in the target kibana.yml, without secret
//! values, and what Kibana will not apply of it.
//!
//! `plan` needs no decryption key unless the target already holds a secret to compare:
//! a secret it cannot resolve shows as its placeholder, and is listed when there was an
//! old value it could not be compared with. `apply` shares everything up to the plan.

mod render;

use std::path::{Path, PathBuf};

use fleetc::compile::Compilation;
use fleetc::diagnostic::Diagnostic;
use fleetc::plan::{self, Plan, Request, redact};
use fleetc::project::Delivery;
use fleetc::secrets::SecretValue;
use fleetc::source::{FileId, Sources, Span};
use fleetc::target::{self, Target};

use super::block::{self, Resolve, Resolved};
use super::{Exit, Failure, compile_for_target, report};
use crate::cli::{Global, PlanArgs, PlanFormat};
use crate::printer::{self, Printer};

pub fn run(global: &Global, printer: &Printer, args: &PlanArgs) -> Result<Exit, Failure> {
    let Some(prepared) = prepare(global, printer, args.target.as_deref(), Resolve::Available)?
    else {
        return Ok(Exit::Failure);
    };
    let text = match args.format {
        PlanFormat::Text => render::text(&prepared),
        PlanFormat::Markdown => render::markdown(&prepared),
        PlanFormat::Json => format!("{:#}\n", render::json(&prepared)),
    };
    printer::stdout(&text).map_err(|e| Failure(format!("cannot write the plan: {e}")))?;
    Ok(if args.detailed_exitcode && prepared.plan.differs {
        Exit::Changes
    } else {
        Exit::Success
    })
}

/// A computed plan with what it was computed from.
pub(super) struct Prepared {
    pub compilation: Compilation,
    pub target: Target,
    /// The target's name in messages.
    pub shown: String,
    pub plan: Plan,
    pub resolved: Resolved,
}

impl Prepared {
    pub fn environment(&self) -> &str {
        self.compilation
            .environment
            .as_ref()
            .map_or("default", |e| e.name.as_str())
    }

    pub fn delivery(&self) -> Delivery {
        self.resolved.delivery
    }
}

/// Compiles, resolves secrets as `mode` says, reads the target and plans; `None` after
/// findings, which are reported.
pub(super) fn prepare(
    global: &Global,
    printer: &Printer,
    flag: Option<&Path>,
    mode: Resolve,
) -> Result<Option<Prepared>, Failure> {
    let mut compilation = compile_for_target(global, flag)?;
    let mut diagnostics: Vec<Diagnostic> = compilation.diagnostics.iter().cloned().collect();
    if compilation.model.is_none() || compilation.diagnostics.has_errors() {
        report(printer, &compilation, &diagnostics);
        return Ok(None);
    }
    let (path, shown) = target_path(&compilation, flag)?;
    let env_delivery = compilation
        .environment
        .as_ref()
        .is_some_and(|e| e.secrets.delivery == Delivery::Env);
    // With `delivery = "env"` kibana.yml holds references, never values: nothing to
    // resolve, and no key needed.
    let mode = if env_delivery { Resolve::Nothing } else { mode };
    if env_delivery {
        tracing::debug!("`delivery = \"env\"`: no secret is resolved or compared");
    }
    let Some(emitted) = block::emit(global, &compilation, mode, &mut diagnostics) else {
        report(printer, &compilation, &diagnostics);
        return Ok(None);
    };
    let names = block::named(&compilation).unwrap_or_default();
    let target = target::read(&path).map_err(|e| Failure(format!("cannot read `{shown}`: {e}")))?;
    tracing::debug!(
        "target `{}`: {}",
        target.path.display(),
        if target.exists {
            "exists"
        } else {
            "does not exist yet"
        }
    );
    let file = add_target(&mut compilation.sources, &shown, &target.text);
    let revealed: Vec<&str> = emitted
        .resolved
        .values
        .values()
        .map(SecretValue::expose)
        .collect();
    let planned = plan::plan(&Request {
        file,
        target: &target,
        shown: &shown,
        block: &emitted.block,
        names: &names,
        revealed: &revealed,
    });
    let planned = match planned {
        Ok(planned) => planned,
        Err(found) => {
            diagnostics.extend(found);
            report(printer, &compilation, &diagnostics);
            return Ok(None);
        }
    };
    report(printer, &compilation, &diagnostics);
    Ok(Some(Prepared {
        compilation,
        target,
        shown,
        plan: planned,
        resolved: emitted.resolved,
    }))
}

/// `--target`, relative to the working folder, or the environment's `kibana_yml`,
/// relative to the repository; with the name to show.
fn target_path(
    compilation: &Compilation,
    flag: Option<&Path>,
) -> Result<(PathBuf, String), Failure> {
    if let Some(flag) = flag {
        return Ok((flag.to_owned(), flag.display().to_string()));
    }
    let (Some(environment), Some(project)) = (&compilation.environment, &compilation.project)
    else {
        return Err(Failure("the repository could not be loaded".into()));
    };
    match &environment.kibana_yml {
        Some(relative) => Ok((project.root.join(relative), relative.display().to_string())),
        None => Err(Failure(format!(
            "the environment `{0}` names no target: set `kibana_yml` in `[environments.{0}]` of `fleetc.toml`, or pass `--target FILE`",
            environment.name
        ))),
    }
}

/// Adds the target to the run's sources, with credentials and the managed region masked
/// so that no report quoting the file shows a value.
fn add_target(sources: &mut Sources, shown: &str, text: &str) -> FileId {
    let file = sources.add(shown, text.to_owned());
    let mut hidden = redact::credential_spans(text);
    if let Ok(Some(region)) = target::region(file, text) {
        let inner = &text[region.clone()];
        let start = inner
            .find('\n')
            .map_or(region.end, |i| region.start + i + 1);
        let end = inner
            .trim_end_matches('\n')
            .rfind('\n')
            .map_or(start, |i| region.start + i + 1);
        hidden.push(start..end.max(start));
    }
    for range in hidden {
        sources.mask(Span {
            file,
            start: range.start,
            end: range.end,
        });
    }
    file
}
