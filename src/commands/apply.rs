//! `fleetc apply`: writes the managed block into the target kibana.yml.
//!
//! The file is the one `plan` shows, with every secret resolved. It is replaced
//! atomically, with mode 0600 when the block holds a secret value and the file's own mode
//! otherwise (0644 for a new file); when nothing changes it is not touched at all.

use fleetc::atomic;

use super::block::{Resolve, holds_secret};
use super::plan::{Prepared, prepare};
use super::{Exit, Failure};
use crate::cli::{ApplyArgs, Global};
use crate::printer::{self, Printer};

/// The mode of a new target that holds no secret value.
const NEW_FILE_MODE: u32 = 0o644;
/// The mode of a target that holds one.
const PRIVATE_MODE: u32 = 0o600;

pub fn run(global: &Global, printer: &Printer, args: &ApplyArgs) -> Result<Exit, Failure> {
    let Some(prepared) = prepare(global, printer, args.target.as_deref(), Resolve::All)? else {
        return Ok(Exit::Failure);
    };
    let new_text = prepared.plan.text.expose();
    if prepared.target.exists && prepared.target.text == new_text {
        say(&format!(
            "No changes: `{}` is up to date.\n",
            prepared.shown
        ))?;
        return Ok(Exit::Success);
    }
    let mode = if holds_secret(&prepared.compilation, prepared.delivery()) {
        PRIVATE_MODE
    } else {
        prepared.target.mode.unwrap_or(NEW_FILE_MODE)
    };
    let path = &prepared.target.path;
    let cannot = |e: std::io::Error| Failure(format!("cannot write `{}`: {e}", prepared.shown));
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(folder).map_err(cannot)?;
    }
    tracing::debug!("writing `{}` with mode {mode:o}", path.display());
    atomic::replace(path, new_text.as_bytes(), mode).map_err(cannot)?;
    say(&summary(&prepared))?;
    Ok(Exit::Success)
}

/// What was written, and what Kibana will not apply of it.
fn summary(prepared: &Prepared) -> String {
    let count = |action| {
        prepared
            .plan
            .changes
            .iter()
            .filter(|c| c.action == action)
            .count()
    };
    use fleetc::plan::Action::{Add, Change, Remove};
    let mut out = format!(
        "Applied to `{}`: {} added, {} changed, {} removed.\n",
        prepared.shown,
        count(Add),
        count(Change),
        count(Remove)
    );
    if !prepared.plan.notes.is_empty() {
        out.push_str("Kibana will not apply all of this:\n");
        for note in &prepared.plan.notes {
            out.push_str(&format!(
                "  - {} `{}`: {}\n",
                note.section.noun(),
                note.id,
                note.message
            ));
        }
    }
    out
}

fn say(text: &str) -> Result<(), Failure> {
    printer::stdout(text).map_err(|e| Failure(format!("cannot write to standard output: {e}")))
}
