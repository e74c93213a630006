//! A plan as text for people, Markdown for pull request comments, and JSON for tools.
//!
//! Every format shows the same parts: the objects added, changed and removed; the diff
//! with placeholders; what Kibana will not apply; and which secrets were not compared.
//! None of them holds a secret value: the diff is redacted and the rest holds ids, field
//! names and secret names only.

use std::fmt::Write;

use fleetc::plan::{Action, Section};
use fleetc::project::Delivery;
use serde_json::{Value as Json, json};

use super::Prepared;

/// `plan --format text`.
pub fn text(prepared: &Prepared) -> String {
    let plan = &prepared.plan;
    let mut out = format!(
        "fleetc plan: `{}` (environment `{}`)\n\n",
        prepared.shown,
        prepared.environment()
    );
    if !prepared.target.exists {
        let _ = writeln!(out, "The file does not exist yet; apply creates it.\n");
    }
    if !plan.changes.is_empty() {
        out.push_str("Changes:\n");
        for section in Section::all() {
            let [add, change, remove] = counts(prepared, Some(section));
            if add + change + remove == 0 {
                continue;
            }
            let _ = writeln!(
                out,
                "  {}: {add} to add, {change} to change, {remove} to remove",
                section.plural()
            );
            for change in plan.changes.iter().filter(|c| c.section == section) {
                let sign = match change.action {
                    Action::Add => '+',
                    Action::Change => '~',
                    Action::Remove => '-',
                };
                let _ = writeln!(out, "    {sign} `{}`", change.id);
            }
        }
        out.push('\n');
    }
    if !plan.diff.is_empty() {
        out.push_str(&plan.diff);
        out.push('\n');
    }
    if !plan.notes.is_empty() {
        out.push_str("Kibana will not apply all of this:\n");
        for note in &plan.notes {
            let _ = writeln!(
                out,
                "  - {} `{}`: {}",
                note.section.noun(),
                note.id,
                note.message
            );
        }
        out.push('\n');
    }
    let secrets = secret_lines(prepared);
    for line in &secrets {
        let _ = writeln!(out, "{line}");
    }
    if !secrets.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(out, "{}", verdict(prepared));
    out
}

/// `plan --format markdown`.
pub fn markdown(prepared: &Prepared) -> String {
    let plan = &prepared.plan;
    let mut out = format!(
        "### fleetc plan: `{}` (environment `{}`)\n\n",
        prepared.shown,
        prepared.environment()
    );
    let rows: Vec<String> = Section::all()
        .filter_map(|section| {
            let [add, change, remove] = counts(prepared, Some(section));
            (add + change + remove > 0)
                .then(|| format!("| {} | {add} | {change} | {remove} |", section.plural()))
        })
        .collect();
    if !rows.is_empty() {
        out.push_str("| | add | change | remove |\n| --- | ---: | ---: | ---: |\n");
        for row in rows {
            let _ = writeln!(out, "{row}");
        }
        out.push('\n');
    }
    if !plan.diff.is_empty() {
        let fence = fence(&plan.diff);
        let _ = writeln!(out, "{fence}diff\n{}{fence}\n", plan.diff);
    }
    if !plan.notes.is_empty() {
        out.push_str("#### Kibana will not apply all of this\n\n");
        for note in &plan.notes {
            let _ = writeln!(
                out,
                "- **{} `{}`**: {}",
                note.section.noun(),
                note.id,
                note.message
            );
        }
        out.push('\n');
    }
    let secrets = secret_lines(prepared);
    if !secrets.is_empty() {
        out.push_str("#### Secrets\n\n");
        for line in secrets {
            let _ = writeln!(out, "- {}", line.trim_start_matches("  - "));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "**{}**", verdict(prepared));
    out
}

/// `plan --format json`.
pub fn json(prepared: &Prepared) -> Json {
    let plan = &prepared.plan;
    let [add, change, remove] = counts(prepared, None);
    let sections: serde_json::Map<String, Json> = Section::all()
        .filter_map(|section| {
            let [add, change, remove] = counts(prepared, Some(section));
            (add + change + remove > 0).then(|| {
                let counts = json!({ "add": add, "change": change, "remove": remove });
                (section.name().to_owned(), counts)
            })
        })
        .collect();
    let changes: Vec<Json> = plan
        .changes
        .iter()
        .map(|c| json!({ "section": c.section.name(), "id": c.id, "action": c.action.as_str() }))
        .collect();
    let notes: Vec<Json> = plan
        .notes
        .iter()
        .map(|n| json!({ "section": n.section.name(), "id": n.id, "message": n.message }))
        .collect();
    let not_compared: Vec<Json> = plan
        .uncompared
        .iter()
        .map(|name| json!({ "name": name, "reason": prepared.resolved.failures.get(name) }))
        .collect();
    json!({
        "target": prepared.shown,
        "environment": prepared.environment(),
        "exists": prepared.target.exists,
        "changed": plan.differs,
        "summary": { "add": add, "change": change, "remove": remove, "sections": sections },
        "changes": changes,
        "notes": notes,
        "secrets": {
            "compared": prepared.delivery() == Delivery::Inline,
            "not_compared": not_compared,
        },
        "diff": plan.diff,
    })
}

/// Objects to add, change and remove, in one section or all.
fn counts(prepared: &Prepared, section: Option<Section>) -> [usize; 3] {
    let mut counts = [0; 3];
    for change in &prepared.plan.changes {
        if section.is_some_and(|s| s != change.section) {
            continue;
        }
        counts[change.action as usize] += 1;
    }
    counts
}

/// The last line: what apply would do, in numbers.
fn verdict(prepared: &Prepared) -> String {
    let [add, change, remove] = counts(prepared, None);
    if !prepared.plan.differs {
        return format!("No changes: `{}` is up to date.", prepared.shown);
    }
    if add + change + remove == 0 {
        return "Plan: the file changes, no object does.".to_owned();
    }
    format!("Plan: {add} to add, {change} to change, {remove} to remove.")
}

/// What the plan could not say about secrets.
fn secret_lines(prepared: &Prepared) -> Vec<String> {
    if prepared.delivery() == Delivery::Env {
        return vec![
            "Secret values are not compared: with `[secrets] delivery = \"env\"` kibana.yml holds `${FLEETC_<NAME>}`, not values.".to_owned(),
        ];
    }
    let uncompared = &prepared.plan.uncompared;
    if uncompared.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![
        "Secrets not compared (the target holds a value, but the new one could not be resolved):"
            .to_owned(),
    ];
    for name in uncompared {
        let reason = prepared.resolved.failures.get(name);
        lines.push(match reason {
            Some(reason) => format!("  - `{name}`: {reason}"),
            None => format!("  - `{name}`"),
        });
    }
    lines
}

/// A code fence longer than any run of backticks in `text`.
fn fence(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}
