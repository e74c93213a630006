//! `fleetc import`: declarations from an existing kibana.yml.
//!
//! Reads the file, tells on standard error what was left out or changed on the way (keys
//! outside Fleet, keys fleetc does not model, Kibana's deprecations, credentials kept in
//! plain text), and writes the files. A credential's value is never printed.

use fleetc::import::write::{self, Format, Options, Written};
use fleetc::import::{self, Imported, Source};
use fleetc::version::StackVersion;

use super::{Exit, Failure};
use crate::cli::{ImportArgs, ImportFormat};

pub fn run(args: &ImportArgs) -> Result<Exit, Failure> {
    let input = &args.kibana_yml;
    let text = std::fs::read_to_string(input)
        .map_err(|e| Failure(format!("cannot read `{}`: {e}", input.display())))?;
    let stack = match &args.stack {
        Some(text) => Some(
            text.parse::<StackVersion>()
                .map_err(|e| Failure(e.to_string()))?,
        ),
        None => None,
    };
    let imported =
        import::import(&text).map_err(|e| Failure(format!("`{}`: {e}", input.display())))?;
    report_reading(&imported);
    let options = Options {
        into: args.into.clone(),
        format: match args.format {
            ImportFormat::Yaml => Format::Yaml,
            ImportFormat::Toml => Format::Toml,
        },
        stack,
    };
    let lossy = imported.declarations.lossy.clone();
    let written =
        write::write(imported.declarations, &options).map_err(|e| Failure(e.to_string()))?;
    report_writing(&written, &lossy);
    Ok(Exit::Success)
}

fn report_reading(imported: &Imported) {
    match imported.source {
        Source::KibanaYml => {}
        Source::EckKibana => eprintln!("reading `spec.config` of the ECK Kibana resource"),
        Source::HelmValues => eprintln!("reading `eck-kibana.config` of the Helm values"),
        Source::ConfigMap => eprintln!("reading `data.\"kibana.yml\"` of the ConfigMap"),
    }
    for note in &imported.notes {
        eprintln!("warning: {note}");
    }
    if imported.other_settings > 0 {
        eprintln!(
            "ignored {} setting{} outside `xpack.fleet` (fleetc manages only Fleet's)",
            imported.other_settings,
            if imported.other_settings == 1 {
                ""
            } else {
                "s"
            }
        );
    }
    for key in &imported.deprecations.dropped {
        eprintln!(
            "warning: `xpack.fleet.{key}` dropped: Kibana no longer uses it and ignores it (a critical deprecation)"
        );
    }
    if imported.deprecations.renamed_host {
        eprintln!(
            "warning: `xpack.fleet.agents.elasticsearch.host` is deprecated; imported as `agents.elasticsearch.hosts`, a list of that one host, as Kibana reads it"
        );
    }
    for key in &imported.declarations.unmodelled {
        eprintln!("warning: `xpack.fleet.{key}` not imported: fleetc does not manage this setting");
    }
}

fn report_writing(written: &Written, lossy: &[String]) {
    for note in lossy.iter().chain(&written.notes) {
        eprintln!("warning: {note}");
    }
    for (name, place) in &written.secrets {
        eprintln!("stored {place} as the secret `{name}`");
    }
    for place in &written.literals {
        eprintln!(
            "warning: {place} holds a credential in plain text and is kept literal, as there is no `secrets/recipients.txt`; `fleetc check` warns about it"
        );
    }
    for path in &written.files {
        eprintln!("wrote `{}`", path.display());
    }
    if written.created_project {
        eprintln!("wrote `fleetc.toml`; run `fleetc check` next");
    }
}
