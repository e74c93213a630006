//! Plan: the file `apply` would write into the target, and how it differs from today's.
//!
//! The last stage of the pipeline. The target is read (`target`), its managed region is
//! replaced by the new block, and the two files are compared twice: as data, object by
//! object (`changes`, with what Kibana will not apply of it), and as text, a unified diff
//! in which every secret value is a placeholder (`redact`). `apply` writes the same file.

pub mod changes;
pub mod redact;

use std::collections::BTreeSet;
use std::ops::Range;

use serde_json::Value as Json;
use similar::TextDiff;

use crate::diagnostic::Diagnostic;
use crate::emit::{Block, yaml};
use crate::rules;
use crate::secrets::SecretValue;
use crate::source::{FileId, Span};
use crate::target::scan::{self, Node, Value};
use crate::target::{self, Target};

pub use changes::{Action, Change, Note, Section};

/// What a plan is computed from.
pub struct Request<'a> {
    /// The target's file in the run's sources, for findings about it.
    pub file: FileId,
    pub target: &'a Target,
    /// The target's name in the diff's header.
    pub shown: &'a str,
    /// The block to write; a secret that could not be resolved is its marker.
    pub block: &'a Block,
    /// The same block with every secret as its marker, to name placeholders.
    pub names: &'a Block,
    /// Resolved secret values, hidden wherever they appear.
    pub revealed: &'a [&'a str],
}

/// What `apply` would do.
pub struct Plan {
    /// The whole new file; it may hold secret values.
    pub text: SecretValue,
    pub changes: Vec<Change>,
    pub notes: Vec<Note>,
    /// Secrets whose new value could not be compared with the old one.
    pub uncompared: BTreeSet<String>,
    /// The unified diff with placeholders; empty when the text does not change.
    pub diff: String,
    /// Whether the file's bytes change (also when only the layout of a secret does).
    pub differs: bool,
}

/// Computes the plan, or the findings that stop it (broken markers, a Fleet key outside
/// the managed region, a file that is not YAML).
pub fn plan(request: &Request<'_>) -> Result<Plan, Vec<Diagnostic>> {
    let text = request.target.text.as_str();
    let region = target::region(request.file, text)?;
    let old = read(request.file, text)?;
    let owned = target::owned_keys(request.block.iter().map(|(key, _)| key.as_str()));
    if let Some(root) = &old {
        let clashing = target::clashing_keys(request.block);
        let found =
            target::fleet_keys_outside(request.file, root, region.as_ref(), &owned, &clashing);
        if !found.is_empty() {
            return Err(found);
        }
    }
    let new_text = target::compose(text, region.clone(), &lines(request.block));
    let names_text = target::compose(text, region.clone(), &lines(request.names));
    let new = read_own(request.file, &new_text)?;
    let names = read_own(request.file, &names_text)?;
    let before = entries_in(old.as_ref(), region.as_ref());
    let changes = changes::compare(&before, request.block);
    let notes = changes::notes(&before, request.block, &changes);
    let redacted = redact::redact(&redact::Sides {
        old_text: text,
        old: old.as_ref(),
        new_text: &new_text,
        new: new.as_ref(),
        names: names.as_ref(),
        revealed: request.revealed,
    });
    let diff = if redacted.old == redacted.new {
        String::new()
    } else {
        unified(request, &redacted)
    };
    let complete = !request
        .block
        .iter()
        .any(|(_, value)| redact::has_marker(value));
    let differs = !diff.is_empty() || (complete && new_text != text) || !request.target.exists;
    Ok(Plan {
        text: SecretValue::new(new_text),
        changes,
        notes,
        uncompared: redacted.uncompared,
        diff,
        differs,
    })
}

/// The block as the lines between the markers; no lines for an empty block.
fn lines(block: &Block) -> String {
    if block.is_empty() {
        String::new()
    } else {
        yaml::to_yaml(block)
    }
}

/// Reads the target leniently; it must be a map of settings (or empty).
fn read(file: FileId, text: &str) -> Result<Option<Node>, Vec<Diagnostic>> {
    let at = |start: usize, end: usize| Span { file, start, end };
    let root = scan::read(text).map_err(|error| {
        let message = format!("the file is not YAML: {}", error.message);
        vec![
            Diagnostic::new(&rules::TARGET_SYNTAX, message)
                .at(at(error.offset, error.offset), "here"),
        ]
    })?;
    match &root {
        Some(Node {
            value: Value::Seq(_) | Value::Scalar(Json::String(_) | Json::Number(_) | Json::Bool(_)),
            span,
        }) => {
            let message = "kibana.yml must be a map of settings";
            Err(vec![
                Diagnostic::new(&rules::TARGET_SYNTAX, message)
                    .at(at(span.start, span.end), "not a map"),
            ])
        }
        _ => Ok(root),
    }
}

/// Reads a file fleetc composed; it parses unless the hand-written part ends oddly.
fn read_own(file: FileId, text: &str) -> Result<Option<Node>, Vec<Diagnostic>> {
    scan::read(text).map_err(|error| {
        let message = format!(
            "the file with the managed block appended is not YAML ({}); make sure its last line ends the hand-written settings",
            error.message
        );
        vec![Diagnostic::new(&rules::TARGET_SYNTAX, message).at(Span::file_start(file), "this file")]
    })
}

/// The top-level entries inside the managed region, as data.
fn entries_in(root: Option<&Node>, region: Option<&Range<usize>>) -> Vec<(String, Json)> {
    let (
        Some(Node {
            value: Value::Map(entries),
            ..
        }),
        Some(region),
    ) = (root, region)
    else {
        return Vec::new();
    };
    entries
        .iter()
        .filter(|(key, _)| region.contains(&key.span.start))
        .filter_map(|(key, node)| Some((key.text.clone()?, node.to_json())))
        .collect()
}

/// The unified diff of the redacted texts, with three lines of context.
fn unified(request: &Request<'_>, redacted: &redact::Redacted) -> String {
    let old_name = if request.target.exists {
        format!("a/{}", request.shown)
    } else {
        "/dev/null".to_owned()
    };
    let new_name = format!("b/{}", request.shown);
    TextDiff::from_lines(&redacted.old, &redacted.new)
        .unified_diff()
        .context_radius(3)
        .header(&old_name, &new_name)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn target(text: &str) -> Target {
        Target {
            path: "kibana.yml".into(),
            text: text.to_owned(),
            exists: true,
            mode: Some(0o644),
        }
    }

    fn request<'a>(target: &'a Target, block: &'a Block, names: &'a Block) -> Request<'a> {
        Request {
            file: FileId(0),
            target,
            shown: "kibana.yml",
            block,
            names,
            revealed: &[],
        }
    }

    #[test]
    fn applying_the_plan_gives_a_plan_without_changes() {
        let block: Block = vec![(
            "xpack.fleet.outputs".to_owned(),
            json!([{ "id": "a", "name": "A", "hosts": ["https://a:443"] }]),
        )];
        let first = target("server.name: \"Kibana — prod\" # 🚀\n");
        let planned = plan(&request(&first, &block, &block)).expect("plans");
        assert!(planned.differs && planned.diff.contains("+xpack.fleet.outputs:"));
        assert_eq!(planned.changes.len(), 1);
        let second = target(planned.text.expose());
        let again = plan(&request(&second, &block, &block)).expect("plans");
        assert!(!again.differs && again.diff.is_empty() && again.changes.is_empty());
    }

    #[test]
    fn a_fleet_key_outside_the_block_stops_the_plan() {
        let block: Block = Vec::new();
        let text = target("a: 1\nxpack:\n  fleet:\n    packages: []\n");
        let found = plan(&request(&text, &block, &block))
            .err()
            .expect("refused");
        assert_eq!(found[0].code, "target/fleet-key-outside-block");
    }
}
