//! The pipeline from a folder to a checked model: load, validate, check.
//!
//! `check`, `build` and later commands share this path; it stops before secrets are
//! resolved, so it never needs a decryption key: secret files are only checked for shape.

use crate::check::{self, Context};
use crate::collect;
use crate::declarations;
use crate::diagnostic::Diagnostics;
use crate::emit::secrets::Placement;
use crate::environment::Environment;
use crate::load::{self, LoadOptions};
use crate::merge;
use crate::model::Model;
use crate::project::Project;
use crate::render;
use crate::secrets::{self, store::Stores};
use crate::source::Sources;

/// The result of compiling a repository: every finding, and the model when loading
/// succeeded.
#[derive(Debug, Default)]
pub struct Compilation {
    pub sources: Sources,
    pub diagnostics: Diagnostics,
    pub model: Option<Model>,
    pub project: Option<Project>,
    pub environment: Option<Environment>,
}

/// Loads, validates and checks the repository.
pub fn compile(options: &LoadOptions) -> Compilation {
    let mut compilation = Compilation::default();
    let Some(loaded) = load::load(
        options,
        &mut compilation.sources,
        &mut compilation.diagnostics,
    ) else {
        return compilation;
    };
    for span in collect::credential_spans(&loaded.files) {
        compilation.sources.mask(span);
    }
    let version = loaded.environment.stack_version.value;
    for span in collect::credential_spans(&loaded.overlay_files) {
        compilation.sources.mask(span);
    }
    let base = collect::collect(&loaded.files, &mut compilation.diagnostics);
    let overlay = collect::collect(&loaded.overlay_files, &mut compilation.diagnostics);
    let mut collected = merge::apply(base, overlay, &mut compilation.diagnostics);
    let vars = &loaded.environment.vars;
    render::apply(&mut collected, vars, &mut compilation.diagnostics);
    let (model, found) = declarations::build(&collected, version);
    compilation.diagnostics.extend(found);
    let stores = Stores::for_environment(&loaded.project.root, &loaded.environment);
    let has_override = |name: &str| std::env::var_os(secrets::override_var(name)).is_some();
    let secret_exists = |name: &str| has_override(name) || stores.find(name).is_some();
    let context = Context {
        model: &model,
        version,
        secret_exists: &secret_exists,
    };
    compilation.diagnostics.extend(check::run(&context));
    compilation
        .diagnostics
        .extend(secrets::check::check(&secrets::check::Input {
            model: &model,
            root: &loaded.project.root,
            stores: &stores,
            placement: placement(&loaded.environment),
            storage_span: loaded.environment.secrets.storage_span,
            has_override: &has_override,
        }));
    compilation.model = Some(model);
    compilation.project = Some(loaded.project);
    compilation.environment = Some(loaded.environment);
    compilation
}

/// The environments a check without `--env` covers: every declared one when there are
/// several, else just the one (`None`: let loading pick it, and report what goes wrong).
pub fn environments_to_check(options: &LoadOptions) -> Vec<Option<String>> {
    if options.environment.is_some() {
        return vec![options.environment.clone()];
    }
    let Ok(root) = crate::project::find_root(options.dir.as_deref(), &options.start) else {
        return vec![None];
    };
    let mut sources = crate::source::Sources::default();
    match crate::project::load(&root, &mut sources) {
        Ok(project) if project.environments.len() > 1 => project
            .environments
            .iter()
            .map(|env| Some(env.name.clone()))
            .collect(),
        _ => vec![None],
    }
}

/// Where the environment puts secret values.
pub fn placement(environment: &Environment) -> Placement {
    Placement {
        storage: environment.secrets.storage,
        version: environment.stack_version.value,
    }
}
