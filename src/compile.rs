//! The pipeline from a folder to a checked model: load, validate, check.
//!
//! `check`, `build` and later commands share this path; it stops before secrets are
//! resolved, so it never needs a decryption key.

use std::path::PathBuf;

use crate::check::{self, Context};
use crate::declarations;
use crate::diagnostic::Diagnostics;
use crate::environment::Environment;
use crate::load::{self, LoadOptions};
use crate::model::Model;
use crate::project::Project;
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
    let Some(loaded) = load::load(options, &mut compilation.sources, &mut compilation.diagnostics) else {
        return compilation;
    };
    let version = loaded.environment.stack_version.value;
    let (model, found) = declarations::build(&loaded.files, version);
    compilation.diagnostics.extend(found);
    let secrets_dir = loaded.project.root.join(&loaded.environment.secrets.dir);
    let secret_exists = |name: &str| secret_file(&secrets_dir, name).is_file();
    let context = Context { model: &model, version, secret_exists: &secret_exists };
    compilation.diagnostics.extend(check::run(&context));
    compilation.model = Some(model);
    compilation.project = Some(loaded.project);
    compilation.environment = Some(loaded.environment);
    compilation
}

/// The file of the secret `name` in a store folder.
pub fn secret_file(dir: &std::path::Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.age"))
}
