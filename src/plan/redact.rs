//! Placeholders for secret values, so that a plan can be shown to anyone.
//!
//! Both sides of the diff are the real texts with every credential replaced in place by a
//! placeholder: `<secret NAME>` for a value from the secret store, `<credential>` for any
//! other value at a credential path (under `secrets`, or a key such as `service_token`,
//! `password` or `ssl.key`, anywhere in the file). A value that changed shows as
//! `<secret NAME (changed)>` on the new side. No placeholder carries anything derived from
//! a value (not even a hash: a weak password could be found from it).

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use serde_json::Value as Json;

use crate::target::scan::{Node, Value};

/// What stands for the secret `name` in a block built for a plan: a value that cannot be
/// resolved, or, in the block that names secrets, every secret.
pub fn marker(name: &str) -> String {
    format!("{MARK}{name}\u{1}")
}

const MARK: &str = "\u{1}fleetc-secret:";

/// Whether `text` is a [`marker`].
pub fn is_marker(text: &str) -> bool {
    text.starts_with(MARK)
}

/// Whether a [`marker`] is anywhere in `value`: some secret could not be resolved.
pub fn has_marker(value: &Json) -> bool {
    match value {
        Json::String(text) => text.contains(MARK),
        Json::Array(items) => items.iter().any(has_marker),
        Json::Object(map) => map.values().any(has_marker),
        _ => false,
    }
}

fn marker_name(text: &str) -> Option<&str> {
    text.strip_prefix(MARK)?.strip_suffix('\u{1}')
}

/// Whether a key holds a credential wherever it appears (KIBANA.md §3.7, §4.1, §4.2, and
/// Kibana's own settings such as `elasticsearch.password`).
pub fn is_credential_key(key: &str) -> bool {
    let last = key.rsplit('.').next().unwrap_or(key).to_ascii_lowercase();
    let squashed = last.replace(['_', '-'], "");
    matches!(
        squashed.as_str(),
        "key" | "eskey" | "agentkey" | "certificatekey" | "keypassphrase"
    ) || [
        "password",
        "passphrase",
        "token",
        "secret",
        "apikey",
        "encryptionkey",
        "privatekey",
    ]
    .iter()
    .any(|word| squashed.contains(word))
}

/// One scalar of a file: where it is in the data, where it is in the text.
struct Scalar<'a> {
    location: Vec<String>,
    span: Range<usize>,
    value: &'a Json,
}

/// The two sides of the diff, and the secrets whose new value could not be compared.
pub struct Redacted {
    pub old: String,
    pub new: String,
    pub uncompared: BTreeSet<String>,
}

/// The texts and readings of one plan.
pub struct Sides<'a> {
    pub old_text: &'a str,
    pub old: Option<&'a Node>,
    pub new_text: &'a str,
    pub new: Option<&'a Node>,
    /// The new file with every secret as its [`marker`].
    pub names: Option<&'a Node>,
    /// Resolved secret values: masked wherever they appear.
    pub revealed: &'a [&'a str],
}

/// Both texts with placeholders.
pub fn redact(sides: &Sides<'_>) -> Redacted {
    let labels: HashMap<Vec<String>, &str> = scalars(sides.names)
        .into_iter()
        .filter_map(|s| Some((s.location, marker_name(s.value.as_str()?)?)))
        .collect();
    let old_scalars = scalars(sides.old);
    let before: HashMap<&[String], &Json> = old_scalars
        .iter()
        .map(|s| (s.location.as_slice(), s.value))
        .collect();
    let hidden = |s: &Scalar<'_>| sensitive(s, &labels, sides.revealed);
    let label = |s: &Scalar<'_>| match labels.get(&s.location) {
        Some(name) => format!("secret {name}"),
        None => "credential".to_owned(),
    };
    let mut uncompared = BTreeSet::new();
    let mut new_places = Vec::new();
    for scalar in scalars(sides.new).iter().filter(|s| hidden(s)) {
        let previous = before.get(scalar.location.as_slice());
        let unresolved = scalar.value.as_str().is_some_and(is_marker);
        let changed = !unresolved && previous.is_some_and(|old| *old != scalar.value);
        if unresolved && previous.is_some() {
            uncompared.insert(
                labels
                    .get(&scalar.location)
                    .map_or_else(|| scalar.location.join("."), |name| (*name).to_owned()),
            );
        }
        let suffix = if changed { " (changed)" } else { "" };
        new_places.push((scalar.span.clone(), format!("<{}{suffix}>", label(scalar))));
    }
    let old_places = old_scalars
        .iter()
        .filter(|s| hidden(s))
        .map(|s| (s.span.clone(), format!("<{}>", label(s))))
        .collect();
    Redacted {
        old: replace(sides.old_text, old_places),
        new: replace(sides.new_text, new_places),
        uncompared,
    }
}

/// Whether a scalar must not be shown.
fn sensitive(scalar: &Scalar<'_>, labels: &HashMap<Vec<String>, &str>, revealed: &[&str]) -> bool {
    let text = match scalar.value {
        Json::Null | Json::Bool(_) => return false,
        Json::String(text) => Some(text.as_str()),
        _ => None,
    };
    if let Some(text) = text {
        // A resolved value anywhere, even inside a longer string; short values only whole,
        // so that a one-letter secret does not hide the whole file.
        let reveals = |r: &&str| text == *r || (r.len() >= 8 && text.contains(*r));
        if text.contains(MARK) || revealed.iter().filter(|r| !r.is_empty()).any(reveals) {
            return true;
        }
        // Kibana's own `${VAR}`: the name of a variable, not a value.
        if is_env_reference(text) {
            return false;
        }
    }
    labels.contains_key(&scalar.location)
        || scalar.location.iter().any(|segment| segment == "secrets")
        || scalar
            .location
            .iter()
            .rev()
            .find(|segment| !segment.starts_with('[') && !segment.starts_with('#'))
            .is_some_and(|key| is_credential_key(key))
}

/// `${NAME}` or `${NAME:default}`, and nothing else.
fn is_env_reference(text: &str) -> bool {
    let Some(inner) = text.strip_prefix("${").and_then(|t| t.strip_suffix('}')) else {
        return false;
    };
    let word = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    match inner.split_once(':') {
        Some((name, default)) => word(name) && word(default),
        None => word(inner),
    }
}

/// Every scalar below `root`, located by map keys and, in lists, by the item's `id` or
/// `name` (so that an item keeps its location when others move).
fn scalars(root: Option<&Node>) -> Vec<Scalar<'_>> {
    let mut found = Vec::new();
    if let Some(root) = root {
        collect(root, &mut Vec::new(), &mut found);
    }
    found
}

fn collect<'a>(node: &'a Node, location: &mut Vec<String>, found: &mut Vec<Scalar<'a>>) {
    match &node.value {
        Value::Scalar(value) => found.push(Scalar {
            location: location.clone(),
            span: node.span.clone(),
            value,
        }),
        Value::Seq(items) => {
            for (index, item) in items.iter().enumerate() {
                location.push(item_name(item).unwrap_or_else(|| format!("#{index}")));
                collect(item, location, found);
                location.pop();
            }
        }
        Value::Map(entries) => {
            for (key, value) in entries {
                location.push(key.text.clone().unwrap_or_else(|| "?".to_owned()));
                collect(value, location, found);
                location.pop();
            }
        }
    }
}

/// `[id=X]` or `[name=X]` for a list item that has one.
fn item_name(item: &Node) -> Option<String> {
    let Value::Map(entries) = &item.value else {
        return None;
    };
    ["id", "name"].into_iter().find_map(|field| {
        let (_, node) = entries
            .iter()
            .find(|(k, _)| k.text.as_deref() == Some(field))?;
        match &node.value {
            Value::Scalar(Json::String(s)) => Some(format!("[{field}={s}]")),
            Value::Scalar(Json::Number(n)) => Some(format!("[{field}={n}]")),
            _ => None,
        }
    })
}

/// `text` with each range replaced; ranges overlapping an earlier one are skipped.
fn replace(text: &str, mut places: Vec<(Range<usize>, String)>) -> String {
    places.sort_by_key(|(range, _)| range.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (range, placeholder) in places {
        if range.start < at || range.end > text.len() {
            continue;
        }
        out.push_str(&text[at..range.start]);
        out.push_str(&placeholder);
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Byte ranges of credential values in `text`, for reports that quote the file: every
/// scalar at a credential path when the file reads as YAML, else the rest of each line
/// whose key looks like a credential.
pub fn credential_spans(text: &str) -> Vec<Range<usize>> {
    if let Ok(root) = crate::target::scan::read(text) {
        let labels = HashMap::new();
        return scalars(root.as_ref())
            .iter()
            .filter(|s| sensitive(s, &labels, &[]))
            .map(|s| s.span.clone())
            .collect();
    }
    let mut spans = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        if let Some(colon) = line.find(':') {
            let key = line[..colon].trim().trim_start_matches("- ");
            if is_credential_key(key.trim_matches(['"', '\''])) {
                spans.push(start + colon + 1..start + line.trim_end().len());
            }
        }
        start += line.len();
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::scan::read;

    fn side(text: &str) -> Option<Node> {
        read(text).expect("reads")
    }

    #[test]
    fn unchanged_secrets_match_and_changed_ones_say_so() {
        let old = "o:\n  - id: r\n    secrets:\n      service_token: \"old\"\n    password: p\n";
        let new = "o:\n  - id: r\n    secrets:\n      service_token: new\n    password: p\n";
        let names = format!(
            "o:\n  - id: r\n    secrets:\n      service_token: \"{}\"\n    password: p\n",
            marker("tok").replace('\u{1}', "\\x01")
        );
        let (o, n, m) = (side(old), side(new), side(&names));
        let redacted = redact(&Sides {
            old_text: old,
            old: o.as_ref(),
            new_text: new,
            new: n.as_ref(),
            names: m.as_ref(),
            revealed: &["new"],
        });
        assert!(redacted.old.contains("service_token: <secret tok>\n"));
        assert!(
            redacted
                .new
                .contains("service_token: <secret tok (changed)>\n")
        );
        assert!(redacted.old.contains("password: <credential>\n"));
        assert!(redacted.new.contains("password: <credential>\n"));
        assert!(!redacted.new.contains("new\n") && !redacted.old.contains("\"old\""));
    }

    #[test]
    fn credential_keys() {
        for key in [
            "service_token",
            "password",
            "ssl.key",
            "es_key",
            "elasticsearch.password",
            "kibana_api_key",
            "xpack.security.encryptionKey",
            "keyPassphrase",
        ] {
            assert!(is_credential_key(key), "{key}");
        }
        for key in ["hosts", "name", "keyspace", "topic", "certificate"] {
            assert!(!is_credential_key(key), "{key}");
        }
        assert!(is_env_reference("${FLEETC_TOKEN}"));
        assert!(!is_env_reference("a${B}"));
    }

    #[test]
    fn spans_for_reports_fall_back_to_lines() {
        let text = "elasticsearch.password: \"unterminated\nb: 1\n";
        let spans = credential_spans(text);
        assert_eq!(&text[spans[0].clone()], " \"unterminated");
    }
}
