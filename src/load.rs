//! Loading: from a folder to parsed declaration files.
//!
//! Finds the repository (`project`), selects the environment, lists the declaration files
//! that `[declarations]` selects (targets, secret folders, overlays, hidden folders and
//! `fleetc.toml` are always left out), reads them with a size limit and parses them in
//! parallel. Every file read is registered in [`Sources`] so findings can point into it.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;

use crate::collect;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::environment::{self, Environment};
use crate::parse::{self, Limits, Syntax};
use crate::project::{self, Project};
use crate::rules;
use crate::source::{FileId, Sources, Span};
use crate::tree::Node;

/// The largest declaration file fleetc reads.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// What to load.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// `-C DIR`: the repository root.
    pub dir: Option<PathBuf>,
    /// Where to start looking for `fleetc.toml` without `-C`.
    pub start: PathBuf,
    /// `--env NAME`.
    pub environment: Option<String>,
    /// Files that are never declaration files, relative to `start` (`--target`).
    pub targets: Vec<PathBuf>,
}

/// A loaded repository: the project file, the environment, and the parsed files.
#[derive(Debug)]
pub struct Loaded {
    pub project: Project,
    pub environment: Environment,
    pub files: Vec<DeclarationFile>,
    /// The declaration files of the environment's overlay, merged over `files`.
    pub overlay_files: Vec<DeclarationFile>,
}

/// One parsed declaration file.
#[derive(Debug)]
pub struct DeclarationFile {
    pub file: FileId,
    pub root: Node,
}

/// Loads the repository. Files that cannot be read or parsed are reported in `found` and
/// left out; the rest are returned.
pub fn load(
    options: &LoadOptions,
    sources: &mut Sources,
    found: &mut Diagnostics,
) -> Option<Loaded> {
    let root = project::find_root(options.dir.as_deref(), &options.start)
        .map_err(|d| found.push(d))
        .ok()?;
    tracing::debug!(root = %root.display(), "using repository");
    let project = project::load(&root, sources)
        .map_err(|d| found.extend(d))
        .ok()?;
    let environment = environment::select(&project, options.environment.as_deref())
        .map_err(|d| found.push(d))
        .ok()?;
    tracing::debug!(environment = %environment.name, version = %environment.stack_version.value, "selected environment");
    let paths = select_files(
        &project,
        &environment,
        &target_paths(options, &project.root),
        found,
    )?;
    let files = read_and_parse(&project.root, paths, sources, found);
    let overlay_paths = select_overlay_files(&project, &environment, found)?;
    let overlay_files = read_and_parse(&project.root, overlay_paths, sources, found);
    Some(Loaded {
        project,
        environment,
        files,
        overlay_files,
    })
}

/// The declaration files of the overlay folder, relative to the root; the patterns of
/// `[declarations]` apply relative to the overlay folder, and its `secrets/` is left out.
fn select_overlay_files(
    project: &Project,
    environment: &Environment,
    found: &mut Diagnostics,
) -> Option<Vec<PathBuf>> {
    let Some(overlay) = &environment.overlay else {
        return Some(Vec::new());
    };
    let folder = project.root.join(overlay);
    if !folder.is_dir() {
        let message = format!(
            "the overlay folder `{}` of the environment `{}` does not exist",
            overlay.display(),
            environment.name
        );
        let at = Span::file_start(project.file);
        found.push(Diagnostic::new(&rules::PROJECT_INVALID, message).at(at, "in this file"));
        return None;
    }
    tracing::debug!(overlay = %overlay.display(), "using overlay");
    let include = glob_set(&project.include, project, found)?;
    let exclude = glob_set(&project.exclude, project, found)?;
    let secrets = PathBuf::from("secrets");
    let paths = declaration_paths(&folder, &include, &exclude, &[secrets]);
    Some(paths.into_iter().map(|path| overlay.join(path)).collect())
}

/// Files under `folder` (relative to it) that the patterns select, hidden entries and the
/// `left_out` paths excepted, in a stable order.
fn declaration_paths(
    folder: &Path,
    include: &GlobSet,
    exclude: &GlobSet,
    left_out: &[PathBuf],
) -> Vec<PathBuf> {
    let walker = walkdir::WalkDir::new(folder)
        .sort_by_file_name()
        .into_iter();
    let walker = walker.filter_entry(|entry| {
        entry.depth() == 0 || !entry.file_name().to_string_lossy().starts_with('.')
    });
    let mut paths = Vec::new();
    for entry in walker.flatten() {
        let Ok(relative) = entry.path().strip_prefix(folder) else {
            continue;
        };
        if entry.file_type().is_dir() || left_out.iter().any(|out| relative.starts_with(out)) {
            continue;
        }
        if Syntax::of(relative).is_some()
            && include.is_match(relative)
            && !exclude.is_match(relative)
        {
            paths.push(relative.to_path_buf());
        }
    }
    paths
}

/// The declaration files, relative to the root, in a stable order.
fn select_files(
    project: &Project,
    environment: &Environment,
    targets: &[PathBuf],
    found: &mut Diagnostics,
) -> Option<Vec<PathBuf>> {
    let include = glob_set(&project.include, project, found)?;
    let exclude = glob_set(&project.exclude, project, found)?;
    let mut always_out = always_excluded(project, environment);
    always_out.extend(targets.iter().cloned());
    let paths = declaration_paths(&project.root, &include, &exclude, &always_out);
    tracing::debug!(count = paths.len(), "selected declaration files");
    for path in &paths {
        tracing::trace!(file = %path.display(), "declaration file");
    }
    Some(paths)
}

fn glob_set(
    patterns: &[(String, Option<Span>)],
    project: &Project,
    found: &mut Diagnostics,
) -> Option<GlobSet> {
    let mut builder = GlobSetBuilder::new();
    for (pattern, span) in patterns {
        match Glob::new(pattern) {
            Ok(glob) => {
                builder.add(glob);
            }
            Err(error) => {
                let message = format!("`{pattern}` is not a glob pattern: {error}");
                found.push(Diagnostic::new(&rules::PROJECT_INVALID, message).at(
                    span.unwrap_or(Span::file_start(project.file)),
                    "invalid pattern",
                ));
                return None;
            }
        }
    }
    builder.build().ok()
}

/// The `targets` of the options that lie inside the repository, relative to its root.
fn target_paths(options: &LoadOptions, root: &Path) -> Vec<PathBuf> {
    let canonical = |path: &Path| path.canonicalize().ok();
    let root = canonical(root).unwrap_or_else(|| root.to_path_buf());
    options
        .targets
        .iter()
        .filter_map(|target| {
            let absolute = options.start.join(target);
            let folder = canonical(absolute.parent()?)?;
            let relative = folder.join(absolute.file_name()?);
            relative.strip_prefix(&root).ok().map(Path::to_path_buf)
        })
        .collect()
}

/// Paths, relative to the root, that are never declaration files.
fn always_excluded(project: &Project, environment: &Environment) -> Vec<PathBuf> {
    let mut out = vec![
        PathBuf::from(project::FILE_NAME),
        environment.secrets.dir.clone(),
    ];
    for declared in &project.environments {
        out.extend(declared.overlay.iter().cloned());
        out.extend(declared.kibana_yml.iter().cloned());
        if let Some(dir) = declared
            .secrets
            .as_ref()
            .and_then(|s| s.get("dir"))
            .and_then(Node::as_str)
        {
            out.push(PathBuf::from(dir));
        }
    }
    out
}

/// Reads every file in parallel, registers them, then parses them in parallel.
pub fn read_and_parse(
    root: &Path,
    paths: Vec<PathBuf>,
    sources: &mut Sources,
    found: &mut Diagnostics,
) -> Vec<DeclarationFile> {
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let texts: Vec<(PathBuf, Result<String, FileError>)> = paths
        .into_par_iter()
        .map(|relative| {
            let text = read_text(&canonical_root, &root.join(&relative));
            (relative, text)
        })
        .collect();
    let mut readable = Vec::new();
    for (relative, text) in texts {
        match text {
            Ok(text) => readable.push((sources.add(relative, text), ())),
            Err(error) => {
                let file = sources.add(relative, String::new());
                found.push(error.diagnostic(file, sources.path(file)));
            }
        }
    }
    let shared: &Sources = sources;
    let parsed: Vec<(FileId, Result<DeclarationFile, Diagnostic>)> = readable
        .into_par_iter()
        .map(|(file, ())| {
            let source = shared.get(file);
            let syntax = Syntax::of(&source.path).unwrap_or(Syntax::Yaml);
            let parsed = parse::parse(syntax, file, &source.text, Limits::default())
                .map(|root| DeclarationFile { file, root });
            (file, parsed)
        })
        .collect();
    let mut files = Vec::new();
    for (file, result) in parsed {
        match result {
            Ok(parsed) => files.push(parsed),
            Err(diagnostic) => {
                // The report quotes the file; with no tree to find credentials in, they
                // are found by their keys in the text.
                mask_credentials_in_text(sources, file);
                found.push(diagnostic);
            }
        }
    }
    files
}

fn mask_credentials_in_text(sources: &mut Sources, file: FileId) {
    for range in collect::credential_spans_in_text(&sources.get(file).text) {
        sources.mask(Span {
            file,
            start: range.start,
            end: range.end,
        });
    }
}

/// Why a file could not be read as text.
#[derive(Debug)]
enum FileError {
    Io(std::io::Error),
    TooLarge,
    NotUtf8 { offset: usize },
    Outside,
}

impl FileError {
    fn diagnostic(&self, file: FileId, path: &Path) -> Diagnostic {
        let path = path.display();
        let at = Span::file_start(file);
        match self {
            FileError::Io(error) => Diagnostic::new(
                &rules::UNREADABLE_FILE,
                format!("cannot read `{path}`: {error}"),
            )
            .at(at, "this file"),
            FileError::TooLarge => Diagnostic::new(
                &rules::FILE_TOO_LARGE,
                format!("`{path}` is larger than 8 MiB"),
            )
            .at(at, "this file"),
            FileError::NotUtf8 { offset } => Diagnostic::new(
                &rules::NOT_UTF8,
                format!("`{path}` is not UTF-8 text (byte {offset} is not)"),
            )
            .at(at, "this file"),
            FileError::Outside => Diagnostic::new(
                &rules::OUTSIDE_REPOSITORY,
                format!("`{path}` is a link to a file outside the repository"),
            )
            .at(at, "this file"),
        }
    }
}

/// Reads a file as UTF-8 text, refusing links out of the repository, large and binary files.
fn read_text(canonical_root: &Path, path: &Path) -> Result<String, FileError> {
    let real = path.canonicalize().map_err(FileError::Io)?;
    if !real.starts_with(canonical_root) {
        return Err(FileError::Outside);
    }
    let file = fs::File::open(&real).map_err(FileError::Io)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(FileError::Io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(FileError::TooLarge);
    }
    if let Some(offset) = bytes.iter().position(|b| *b == 0) {
        return Err(FileError::NotUtf8 { offset });
    }
    String::from_utf8(bytes).map_err(|e| FileError::NotUtf8 {
        offset: e.utf8_error().valid_up_to(),
    })
}
