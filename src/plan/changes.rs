//! What a plan changes, object by object, and what Kibana will not do with it.
//!
//! The old and new blocks are compared as data: list items by id (packages by name),
//! other settings by key. Kibana does not re-apply every change of its preconfiguration
//! (KIBANA.md §3.8, §4.1, §4.2, §5.2); each such case becomes a [`Note`], so that a
//! reviewer knows which edits will not reach Fleet.

use serde_json::Value as Json;

use crate::model::Kind;

use super::redact::is_marker;

/// A part of the block: one of the five lists, or the other `xpack.fleet` settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    List(Kind),
    Settings,
}

impl Section {
    /// Every section, in the order the block lists them.
    pub fn all() -> impl Iterator<Item = Section> {
        Kind::ALL
            .into_iter()
            .map(Section::List)
            .chain([Section::Settings])
    }

    /// The name in machine output: the declaration list's name, or `settings`.
    pub fn name(self) -> &'static str {
        match self {
            Section::List(kind) => kind.list(),
            Section::Settings => "settings",
        }
    }

    /// What several objects of the section are called in messages.
    pub fn plural(self) -> &'static str {
        match self {
            Section::List(kind) => kind.plural(),
            Section::Settings => "settings",
        }
    }

    /// What one object of the section is called in messages.
    pub fn noun(self) -> &'static str {
        match self {
            Section::List(kind) => kind.noun(),
            Section::Settings => "setting",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Add,
    Change,
    Remove,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Add => "add",
            Action::Change => "change",
            Action::Remove => "remove",
        }
    }
}

/// One object added, changed or removed.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub section: Section,
    /// The item's id (a package's name), or the setting's kibana.yml key.
    pub id: String,
    pub action: Action,
}

/// Something Kibana will not do with this change.
#[derive(Clone, Debug, PartialEq)]
pub struct Note {
    pub section: Section,
    pub id: String,
    pub message: String,
}

/// Blocks as `(kibana.yml key, value)` pairs.
type Entries = [(String, Json)];

/// The objects that differ between `old` and `new`.
pub fn compare(old: &Entries, new: &Entries) -> Vec<Change> {
    let mut changes = Vec::new();
    for section in Section::all() {
        let (before, after) = (objects(old, section), objects(new, section));
        for (id, value) in &after {
            let action = match find(&before, id) {
                None => Action::Add,
                Some(previous) if !same(previous, value) => Action::Change,
                Some(_) => continue,
            };
            changes.push(Change {
                section,
                id: id.clone(),
                action,
            });
        }
        for (id, _) in &before {
            if find(&after, id).is_none() {
                changes.push(Change {
                    section,
                    id: id.clone(),
                    action: Action::Remove,
                });
            }
        }
    }
    changes
}

/// What Kibana will not apply of `changes`.
pub fn notes(old: &Entries, new: &Entries, changes: &[Change]) -> Vec<Note> {
    let mut notes = Vec::new();
    for change in changes {
        let Section::List(kind) = change.section else {
            continue;
        };
        let before = objects(old, change.section);
        let after = objects(new, change.section);
        let (old_item, new_item) = (find(&before, &change.id), find(&after, &change.id));
        let messages = match (change.action, old_item, new_item) {
            (Action::Change, Some(old_item), Some(new_item)) => match kind {
                Kind::AgentPolicy => policy_edits(old_item, new_item),
                Kind::Output => allow_edit(old_item, new_item),
                _ => Vec::new(),
            },
            (Action::Remove, Some(old_item), _) => removal(kind, &change.id, old_item),
            _ => Vec::new(),
        };
        notes.extend(messages.into_iter().map(|message| Note {
            section: change.section,
            id: change.id.clone(),
            message,
        }));
    }
    notes
}

/// Kibana re-applies a policy's own fields only when the policy is managed, and never
/// rewrites an existing package policy (KIBANA.md §5.1, §5.2).
fn policy_edits(old: &Json, new: &Json) -> Vec<String> {
    let managed = new.get("is_managed") == Some(&Json::Bool(true));
    let mut messages = Vec::new();
    let fields = changed_fields(old, new, &["package_policies"]);
    if !managed && !fields.is_empty() {
        messages.push(format!(
            "changes to {} are ignored: Kibana re-applies kibana.yml only to managed policies (`is_managed: true`) once a policy exists (KIBANA.md §5.1)",
            ticked(&fields)
        ));
    }
    let fixed: Vec<String> = fields
        .into_iter()
        .filter(|f| ["id", "namespace", "space_id"].contains(&f.as_str()))
        .collect();
    if managed && !fixed.is_empty() {
        messages.push(format!(
            "changes to {} are ignored: Kibana keeps them from the policy's creation, even for a managed policy (KIBANA.md §5.2)",
            ticked(&fixed)
        ));
    }
    let (edited, added) = package_policy_changes(old, new);
    if !edited.is_empty() {
        messages.push(format!(
            "edits to the existing package policies {} are ignored: Kibana does not rewrite a package policy from kibana.yml, apart from `frozen` variables of the list form (KIBANA.md §5.2)",
            ticked(&edited)
        ));
    }
    if !added.is_empty() && !managed {
        messages.push(format!(
            "the new package policies {} are not added: Kibana adds package policies to an existing policy only when it is managed (`is_managed: true`, KIBANA.md §5.2)",
            ticked(&added)
        ));
    }
    messages
}

/// Package policies matched by id or name: those edited, and those new.
fn package_policy_changes(old: &Json, new: &Json) -> (Vec<String>, Vec<String>) {
    let list = |item: &Json| -> Vec<(String, Json)> {
        let items = item.get("package_policies").and_then(Json::as_array);
        items
            .into_iter()
            .flatten()
            .filter_map(|pp| Some((text(pp.get("id").or_else(|| pp.get("name"))?), pp.clone())))
            .collect()
    };
    let (before, after) = (list(old), list(new));
    let mut edited = Vec::new();
    let mut added = Vec::new();
    for (id, value) in &after {
        match find(&before, id) {
            Some(previous) if !same(previous, value) => edited.push(id.clone()),
            Some(_) => {}
            None => added.push(id.clone()),
        }
    }
    (edited, added)
}

/// Fields listed in an output's `allow_edit` are taken from kibana.yml only when Kibana
/// creates the output (KIBANA.md §3.8).
fn allow_edit(old: &Json, new: &Json) -> Vec<String> {
    let listed = |item: &Json| -> Vec<String> {
        let items = item.get("allow_edit").and_then(Json::as_array);
        items
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
            .map(str::to_owned)
            .collect()
    };
    let mut editable = listed(old);
    editable.extend(listed(new));
    let fields: Vec<String> = changed_fields(old, new, &[])
        .into_iter()
        .filter(|field| editable.contains(field))
        .collect();
    if fields.is_empty() {
        return Vec::new();
    }
    vec![format!(
        "changes to {} are ignored: fields in `allow_edit` are used only when Kibana creates the output; it keeps the stored value after that (KIBANA.md §3.8)",
        ticked(&fields)
    )]
}

/// What Kibana keeps of a removed object (KIBANA.md §3.8, §4.1, §4.2, §5.2).
fn removal(kind: Kind, id: &str, old: &Json) -> Vec<String> {
    let flag = |name: &str| old.get(name) == Some(&Json::Bool(true));
    let message = match kind {
        Kind::Output if flag("is_default") || flag("is_default_monitoring") => {
            "Kibana keeps a removed default output: it stays in Fleet, no longer preconfigured (KIBANA.md §3.8)".to_owned()
        }
        Kind::FleetServerHost if flag("is_default") => {
            "Kibana keeps a removed default Fleet Server host: it stays in Fleet, no longer preconfigured (KIBANA.md §4.1)".to_owned()
        }
        Kind::Proxy => {
            "Kibana keeps a removed proxy while an output or Fleet Server host still uses it (KIBANA.md §4.2)".to_owned()
        }
        Kind::AgentPolicy => format!(
            "once this policy is deleted in Kibana, Kibana remembers the deletion and does not create a preconfigured policy with the id `{id}` again; declare it under a new id to bring it back (KIBANA.md §5.2)"
        ),
        _ => return Vec::new(),
    };
    vec![message]
}

/// The top-level fields of two objects that differ, except `skip`.
fn changed_fields(old: &Json, new: &Json, skip: &[&str]) -> Vec<String> {
    let (Some(old), Some(new)) = (old.as_object(), new.as_object()) else {
        return Vec::new();
    };
    let mut fields: Vec<String> = Vec::new();
    for key in new.keys().chain(old.keys()) {
        if skip.contains(&key.as_str()) || fields.contains(key) {
            continue;
        }
        let differs = match (old.get(key), new.get(key)) {
            (Some(a), Some(b)) => !same(a, b),
            _ => true,
        };
        if differs {
            fields.push(key.clone());
        }
    }
    fields
}

/// The objects of a section, by id.
fn objects(entries: &Entries, section: Section) -> Vec<(String, Json)> {
    match section {
        Section::List(kind) => {
            let items = entries
                .iter()
                .find(|(key, _)| key == kind.kibana_key())
                .and_then(|(_, value)| value.as_array());
            items
                .into_iter()
                .flatten()
                .enumerate()
                .map(|(index, item)| {
                    let id = item.get(kind.key_field()).map(text);
                    (
                        id.unwrap_or_else(|| format!("#{}", index + 1)),
                        item.clone(),
                    )
                })
                .collect()
        }
        Section::Settings => entries
            .iter()
            .filter(|(key, _)| !Kind::ALL.iter().any(|kind| kind.kibana_key() == key))
            .cloned()
            .collect(),
    }
}

fn find<'a>(objects: &'a [(String, Json)], id: &str) -> Option<&'a Json> {
    objects
        .iter()
        .find(|(key, _)| key == id)
        .map(|(_, value)| value)
}

/// Equal data; a secret in `new` that could not be resolved equals any old value.
pub fn same(old: &Json, new: &Json) -> bool {
    match (old, new) {
        (_, Json::String(s)) if is_marker(s) => true,
        (Json::Array(a), Json::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        (Json::Object(a), Json::Object(b)) => {
            a.len() == b.len() && b.iter().all(|(k, v)| a.get(k).is_some_and(|o| same(o, v)))
        }
        _ => old == new,
    }
}

/// An id as text: a string as it is, a number as written.
fn text(value: &Json) -> String {
    match value {
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn ticked(names: &[String]) -> String {
    names
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entries(key: &str, value: Json) -> Vec<(String, Json)> {
        vec![(key.to_owned(), value)]
    }

    #[test]
    fn items_are_matched_by_id() {
        let old = entries(
            "xpack.fleet.outputs",
            json!([{ "id": "a", "name": "A" }, { "id": "b", "name": "B" }]),
        );
        let new = entries(
            "xpack.fleet.outputs",
            json!([{ "id": "b", "name": "B2" }, { "id": "c", "name": "C" }]),
        );
        let found: Vec<(String, Action)> = compare(&old, &new)
            .into_iter()
            .map(|c| (c.id, c.action))
            .collect();
        assert_eq!(
            found,
            [
                ("b".to_owned(), Action::Change),
                ("c".to_owned(), Action::Add),
                ("a".to_owned(), Action::Remove)
            ]
        );
    }

    #[test]
    fn unmanaged_policy_edits_and_package_policy_edits_are_noted() {
        let key = "xpack.fleet.agentPolicies";
        let old = entries(
            key,
            json!([{ "id": "p", "name": "P", "package_policies": [{ "id": "s", "name": "s", "vars": 1 }] }]),
        );
        let new = entries(
            key,
            json!([{ "id": "p", "name": "P2", "package_policies": [{ "id": "s", "name": "s", "vars": 2 }, { "id": "t", "name": "t" }] }]),
        );
        let changes = compare(&old, &new);
        let notes: Vec<String> = notes(&old, &new, &changes)
            .into_iter()
            .map(|n| n.message)
            .collect();
        assert_eq!(notes.len(), 3, "{notes:#?}");
        assert!(notes[0].starts_with("changes to `name` are ignored"));
        assert!(notes[1].contains("existing package policies `s`"));
        assert!(notes[2].contains("new package policies `t` are not added"));
    }

    #[test]
    fn removed_defaults_are_kept() {
        let old = entries(
            "xpack.fleet.outputs",
            json!([{ "id": "a", "is_default": true }, { "id": "b" }]),
        );
        let new = entries("xpack.fleet.outputs", json!([]));
        let changes = compare(&old, &new);
        let notes = notes(&old, &new, &changes);
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].id, "a");
    }
}
