//! `fleetc init`: a new repository with one example of each kind, which passes `check`.
//!
//! The files carry editor modelines (`yaml-language-server`, taplo's `#:schema`) that point
//! at the schemas written into `.fleetc/`, so completion works from the first edit.

use std::path::Path;

use fleetc::project;
use fleetc::schema;
use fleetc::version::StackVersion;

use super::{Exit, Failure};
use crate::cli::InitArgs;

/// The files of a new repository.
const FILES: &[(&str, &str)] = &[
    (
        "fleetc.toml",
        include_str!("../../templates/init/fleetc.toml"),
    ),
    (
        "outputs.yaml",
        include_str!("../../templates/init/outputs.yaml"),
    ),
    (
        "fleet_server_hosts.yaml",
        include_str!("../../templates/init/fleet_server_hosts.yaml"),
    ),
    (
        "proxies.yaml",
        include_str!("../../templates/init/proxies.yaml"),
    ),
    (
        "settings.yaml",
        include_str!("../../templates/init/settings.yaml"),
    ),
    (
        "packages.yaml",
        include_str!("../../templates/init/packages.yaml"),
    ),
    (
        "agent_policies.yaml",
        include_str!("../../templates/init/agent_policies.yaml"),
    ),
];

/// The stack version a new repository targets.
const VERSION: StackVersion = StackVersion::new(9, 1, 0);

pub fn run(args: &InitArgs) -> Result<Exit, Failure> {
    let dir = &args.dir;
    if dir.join(project::FILE_NAME).exists() {
        return Err(Failure(format!(
            "`{}` already holds a `{}`",
            dir.display(),
            project::FILE_NAME
        )));
    }
    for (name, _) in FILES {
        if dir.join(name).exists() {
            return Err(Failure(format!(
                "`{}` exists; run `fleetc init` in an empty folder",
                dir.join(name).display()
            )));
        }
    }
    create(dir)?;
    eprintln!(
        "fleetc: created a repository in `{}`; try `fleetc -C {} build`",
        dir.display(),
        dir.display()
    );
    Ok(Exit::Success)
}

fn create(dir: &Path) -> Result<(), Failure> {
    let write = |path: &Path, text: &str| {
        std::fs::write(path, text)
            .map_err(|e| Failure(format!("cannot write `{}`: {e}", path.display())))
    };
    let schemas = dir.join(".fleetc");
    std::fs::create_dir_all(&schemas)
        .map_err(|e| Failure(format!("cannot create `{}`: {e}", schemas.display())))?;
    for (name, text) in FILES {
        write(&dir.join(name), text)?;
    }
    write(
        &schemas.join("fleetc.schema.json"),
        &format!("{:#}\n", schema::export("fleetc", VERSION)),
    )?;
    let declarations = super::schema::declarations_schema(VERSION);
    write(
        &schemas.join("declarations.schema.json"),
        &format!("{declarations:#}\n"),
    )
}
