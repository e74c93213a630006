//! Overlays: an environment's declarations merged over the base ones.
//!
//! Items are matched by list and id (`name` for packages). An overlay item with a new id is
//! added; one with a known id is an RFC 7396 JSON Merge Patch of the base item (maps merge,
//! lists and scalars replace, `null` deletes a field); `{ id: X, remove: true }` drops the
//! base item. Settings of the overlay replace base settings of the same key. Merged trees
//! keep the spans of wherever each value was written, so findings point at the overlay file
//! for what the overlay says and at the base file for the rest.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::collect::{Collected, Pending};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::Kind;
use crate::reference::Reference;
use crate::rules;
use crate::source::Span;
use crate::tree::{Entry, Node, NodeValue};

/// Merges `overlay` over `base`.
pub fn apply<'a>(
    base: Collected<'a>,
    overlay: Collected<'a>,
    found: &mut Diagnostics,
) -> Collected<'a> {
    let mut items: Vec<Option<Pending<'a>>> = base.items.into_iter().map(Some).collect();
    let mut positions: HashMap<(Kind, String), usize> = HashMap::new();
    for (position, item) in items.iter().enumerate() {
        if let Some(key) = item.as_ref().and_then(key_of) {
            positions
                .entry((item.as_ref().map_or(Kind::Output, |i| i.kind), key))
                .or_insert(position);
        }
    }
    let mut patched: HashMap<(Kind, String), Span> = HashMap::new();
    for patch in overlay.items {
        let Some(key) = key_of(&patch) else {
            found.push(missing_key(&patch));
            continue;
        };
        let key_span = patch
            .node
            .get(patch.kind.key_field())
            .map_or(patch.node.span, |k| k.span);
        if let Some(first) = patched.insert((patch.kind, key.clone()), key_span) {
            let message = format!(
                "the overlay declares the {} `{key}` twice",
                patch.kind.noun()
            );
            let diagnostic = Diagnostic::new(&rules::OVERLAY_DUPLICATE, message)
                .at(key_span, "again here")
                .also(first, "first here");
            found.push(diagnostic.pointer(patch.pointer.clone()));
            continue;
        }
        let position = positions.get(&(patch.kind, key.clone())).copied();
        if let Some(remove) = patch.node.entry("remove") {
            remove_item(&mut items, position, &patch, remove, found);
            continue;
        }
        match position
            .and_then(|p| items.get_mut(p))
            .and_then(Option::as_mut)
        {
            Some(target) => {
                let base_key = target.node.get(target.kind.key_field()).map(|k| k.span);
                target.base = target.base.or(base_key);
                target.node = Cow::Owned(merge_patch(&target.node, &patch.node));
            }
            None => {
                positions.insert((patch.kind, key), items.len());
                items.push(Some(patch));
            }
        }
    }
    let settings = merge_settings(base.settings, overlay.settings);
    Collected {
        items: items.into_iter().flatten().collect(),
        settings,
    }
}

/// The id of an item (`name` for packages), as text.
fn key_of(item: &Pending<'_>) -> Option<String> {
    match &item.node.get(item.kind.key_field())?.value {
        NodeValue::Str(text) => Some(text.clone()),
        NodeValue::Int(n) => Some(n.to_string()),
        _ => None,
    }
}

fn missing_key(patch: &Pending<'_>) -> Diagnostic {
    let field = patch.kind.key_field();
    let message = format!("this overlay {} has no `{field}`", patch.kind.noun());
    Diagnostic::new(&rules::OVERLAY_NO_ID, message)
        .at(head(&patch.node), format!("`{field}` missing"))
        .pointer(patch.pointer.clone())
}

fn remove_item(
    items: &mut [Option<Pending<'_>>],
    position: Option<usize>,
    patch: &Pending<'_>,
    remove: &Entry,
    found: &mut Diagnostics,
) {
    let key_field = patch.kind.key_field();
    let only_id = patch.node.entries().is_some_and(|entries| {
        entries
            .iter()
            .all(|e| e.key == key_field || e.key == "remove")
    });
    let problem = if remove.value.as_bool() != Some(true) {
        Some("`remove` must be `true`".to_owned())
    } else if !only_id {
        Some(format!(
            "an item with `remove: true` may hold nothing but `{key_field}`"
        ))
    } else if position.is_none() {
        Some(format!(
            "the base declares no {} with this {key_field}",
            patch.kind.noun()
        ))
    } else {
        None
    };
    match problem {
        Some(message) => found.push(
            Diagnostic::new(&rules::OVERLAY_REMOVE, message)
                .at(remove.key_span, "remove")
                .pointer(patch.pointer.clone()),
        ),
        None => {
            if let Some(slot) = position.and_then(|p| items.get_mut(p)) {
                *slot = None;
            }
        }
    }
}

fn merge_settings<'a>(
    base: Vec<Cow<'a, Entry>>,
    overlay: Vec<Cow<'a, Entry>>,
) -> Vec<Cow<'a, Entry>> {
    let mut settings = base;
    for entry in overlay {
        match settings
            .iter_mut()
            .find(|existing| existing.key == entry.key)
        {
            Some(existing) => *existing = entry,
            None => settings.push(entry),
        }
    }
    settings
}

/// RFC 7396 JSON Merge Patch on raw trees. `{ env: ... }` and `{ secret: ... }` count as
/// single values: a patch replaces them whole, and they replace whatever they patch.
pub fn merge_patch(target: &Node, patch: &Node) -> Node {
    let Some(patch_entries) = patch.entries().filter(|_| Reference::of(patch).is_none()) else {
        return patch.clone();
    };
    let mut entries: Vec<Entry> = match &target.value {
        NodeValue::Map(entries) if Reference::of(target).is_none() => entries.clone(),
        _ => Vec::new(),
    };
    for change in patch_entries {
        if change.value.value == NodeValue::Null {
            entries.retain(|entry| entry.key != change.key);
            continue;
        }
        match entries.iter_mut().find(|entry| entry.key == change.key) {
            Some(entry) => {
                entry.value = merge_patch(&entry.value, &change.value);
                entry.key_span = change.key_span;
            }
            None => {
                let empty = Node::new(change.value.span, NodeValue::Map(Vec::new()));
                entries.push(Entry {
                    key: change.key.clone(),
                    key_span: change.key_span,
                    value: merge_patch(&empty, &change.value),
                });
            }
        }
    }
    let span = if matches!(target.value, NodeValue::Map(_)) {
        target.span
    } else {
        patch.span
    };
    Node::new(span, NodeValue::Map(entries))
}

fn head(node: &Node) -> Span {
    node.entries()
        .and_then(|e| e.first())
        .map_or(node.span, |e| e.key_span)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{Limits, yaml};
    use crate::source::FileId;
    use crate::tree::to_json;
    use serde_json::json;

    fn node(text: &str) -> Node {
        yaml::parse(FileId(0), text, Limits::default()).unwrap()
    }

    #[test]
    fn follows_rfc_7396() {
        let cases = [
            ("{a: b}", "{a: c}", json!({"a": "c"})),
            ("{a: b}", "{b: c}", json!({"a": "b", "b": "c"})),
            ("{a: b}", "{a: null}", json!({})),
            ("{a: b, b: c}", "{a: null}", json!({"b": "c"})),
            ("{a: [b]}", "{a: c}", json!({"a": "c"})),
            ("{a: c}", "{a: [b]}", json!({"a": ["b"]})),
            (
                "{a: {b: c}}",
                "{a: {b: d, c: null}}",
                json!({"a": {"b": "d"}}),
            ),
            ("{a: [{b: c}]}", "{a: [1]}", json!({"a": [1]})),
            ("{a: b}", "{c: {d: null}}", json!({"a": "b", "c": {}})),
            (
                "{t: {secret: x}}",
                "{t: {env: Y}}",
                json!({"t": {"env": "Y"}}),
            ),
            ("{t: {env: Y}}", "{t: {a: 1}}", json!({"t": {"a": 1}})),
        ];
        for (target, patch, expected) in cases {
            assert_eq!(
                to_json(&merge_patch(&node(target), &node(patch))),
                expected,
                "{target} + {patch}"
            );
        }
    }
}
