//! Collection: from parsed files to raw declarations, one per list item or setting.
//!
//! A declaration file is a map of the five lists and `settings`; this stage checks that
//! shape and gathers every item with its kind and its JSON pointer in the file. Items stay
//! raw trees (with spans) so that overlays can merge them and templates render them before
//! validation.

use std::borrow::Cow;

use crate::diagnostic::{Diagnostic, Diagnostics, did_you_mean};
use crate::load::DeclarationFile;
use crate::model::Kind;
use crate::rules;
use crate::source::Span;
use crate::tree::{Entry, Node, NodeValue};

/// The top-level key for other `xpack.fleet.*` settings.
pub const SETTINGS: &str = "settings";

/// Byte ranges of values under credential keys in a text that did not parse: a line-based
/// reading of `key: value`, `key = value` and `{ key: value }`, including quoted, block
/// (`|`, `>`) and TOML multi-line values. Used only to hide them from reports.
pub fn credential_spans_in_text(text: &str) -> Vec<std::ops::Range<usize>> {
    let keys = CREDENTIAL_KEYS.join("|");
    let pattern = format!(r#"(?m)(?:^|[\s{{,])["']?(?:{keys})["']?[ \t]*[:=][ \t]*"#);
    let Ok(key) = regex::Regex::new(&pattern) else {
        return Vec::new();
    };
    key.find_iter(text)
        .map(|found| found.end()..value_end(text, found.end()))
        .filter(|range| !range.is_empty())
        .collect()
}

/// Where the value starting at `start` ends.
fn value_end(text: &str, start: usize) -> usize {
    let rest = &text[start..];
    let line_end = rest.find('\n').map_or(text.len(), |i| start + i);
    for quote in [r#"""""#, "'''"] {
        if let Some(body) = rest.strip_prefix(quote) {
            let close = body
                .find(quote)
                .map(|i| start + quote.len() + i + quote.len());
            return close.unwrap_or(text.len());
        }
    }
    match rest.chars().next() {
        Some(quote @ ('"' | '\'')) => {
            let close = rest[1..].find(quote).map(|i| start + 2 + i);
            close.map_or(line_end, |end| end.min(line_end))
        }
        Some('|' | '>') => block_end(text, line_end),
        _ => rest
            .find([',', '}', '\n'])
            .map_or(text.len(), |i| start + i),
    }
}

/// The end of a block scalar whose header line ends at `line_end`: the following lines
/// that are blank or indented more than the header's line.
fn block_end(text: &str, line_end: usize) -> usize {
    let header_start = text[..line_end].rfind('\n').map_or(0, |i| i + 1);
    let indent = |line: &str| line.len() - line.trim_start_matches(' ').len();
    let header_indent = indent(&text[header_start..line_end]);
    let mut end = line_end;
    for line in text[line_end..].split_inclusive('\n').skip(1) {
        if !line.trim().is_empty() && indent(line) <= header_indent {
            break;
        }
        end += line.len();
    }
    end.min(text.len())
}

/// A raw item waiting for validation.
#[derive(Debug, Clone)]
pub struct Pending<'a> {
    pub kind: Kind,
    pub node: Cow<'a, Node>,
    /// JSON pointer of the item in its file (`/outputs/2`).
    pub pointer: String,
    /// For an item an overlay patched: the id of the base item it patched, shown beside
    /// findings in the overlay file.
    pub base: Option<Span>,
}

/// Every raw declaration of a set of files, in file order.
#[derive(Debug, Default)]
pub struct Collected<'a> {
    pub items: Vec<Pending<'a>>,
    pub settings: Vec<Cow<'a, Entry>>,
}

/// Gathers the declarations of `files`.
pub fn collect<'a>(files: &'a [DeclarationFile], found: &mut Diagnostics) -> Collected<'a> {
    let mut collected = Collected::default();
    for file in files {
        collect_file(&file.root, &mut collected, found);
    }
    collected
}

/// Keys whose values are credentials wherever they appear (KIBANA.md §3.7, §4.1, §4.2).
pub(crate) const CREDENTIAL_KEYS: [&str; 7] = [
    "service_token",
    "password",
    "key",
    "es_key",
    "agent_key",
    "kibana_api_key",
    "certificate_key",
];

/// Spans of literal values under credential keys, in every file, valid or not: the
/// printer must never quote them.
pub fn credential_spans(files: &[DeclarationFile]) -> Vec<crate::source::Span> {
    let mut spans = Vec::new();
    for file in files {
        credentials_in(&file.root, &mut spans);
    }
    spans
}

fn credentials_in(node: &Node, spans: &mut Vec<crate::source::Span>) {
    match &node.value {
        NodeValue::Map(entries) => {
            for entry in entries {
                if CREDENTIAL_KEYS.contains(&entry.key.as_str())
                    && !matches!(entry.value.value, NodeValue::Map(_) | NodeValue::Seq(_))
                {
                    spans.push(entry.value.span);
                } else {
                    credentials_in(&entry.value, spans);
                }
            }
        }
        NodeValue::Seq(items) => items.iter().for_each(|item| credentials_in(item, spans)),
        _ => {}
    }
}

fn collect_file<'a>(root: &'a Node, collected: &mut Collected<'a>, found: &mut Diagnostics) {
    let Some(entries) = root.entries() else {
        let message = format!(
            "a declaration file must be a map of lists, not {}",
            root.type_name()
        );
        found.push(
            Diagnostic::new(&rules::NOT_A_DECLARATION_FILE, message).at(root.span, "not a map"),
        );
        return;
    };
    for entry in entries {
        if entry.key == SETTINGS {
            collect_settings(entry, &mut collected.settings, found);
            continue;
        }
        let Some(kind) = Kind::from_list(&entry.key) else {
            found.push(unknown_list(entry));
            continue;
        };
        let Some(items) = entry.value.as_seq() else {
            let message = format!(
                "`{}` must be a list, not {}",
                entry.key,
                entry.value.type_name()
            );
            found.push(
                Diagnostic::new(&rules::INVALID_VALUE, message)
                    .at(entry.value.span, "not a list")
                    .pointer(format!("/{}", entry.key)),
            );
            continue;
        };
        for (index, node) in items.iter().enumerate() {
            collected.items.push(Pending {
                kind,
                node: Cow::Borrowed(node),
                pointer: format!("/{}/{index}", entry.key),
                base: None,
            });
        }
    }
}

fn unknown_list(entry: &Entry) -> Diagnostic {
    let lists = Kind::ALL.map(Kind::list);
    let message = format!("`{}` is not a list fleetc knows", entry.key);
    let mut diagnostic = Diagnostic::new(&rules::NOT_A_DECLARATION_FILE, message)
        .at(entry.key_span, "unknown list")
        .pointer(format!("/{}", entry.key));
    if let Some(close) = did_you_mean(&entry.key, lists.into_iter().chain([SETTINGS])) {
        diagnostic = diagnostic.help(format!(
            "did you mean `{close}`? {}",
            rules::NOT_A_DECLARATION_FILE.help
        ));
    }
    diagnostic
}

fn collect_settings<'a>(
    entry: &'a Entry,
    settings: &mut Vec<Cow<'a, Entry>>,
    found: &mut Diagnostics,
) {
    match &entry.value.value {
        NodeValue::Map(entries) => settings.extend(entries.iter().map(Cow::Borrowed)),
        _ => {
            let message = format!("`settings` must be a map, not {}", entry.value.type_name());
            found.push(
                Diagnostic::new(&rules::INVALID_VALUE, message)
                    .at(entry.value.span, "not a map")
                    .pointer("/settings"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::credential_spans_in_text;

    /// The text with each found range masked as `Sources::mask` does: line breaks kept.
    fn masked(text: &str) -> String {
        let mut out = text.to_owned();
        for range in credential_spans_in_text(text) {
            let stars: String = text[range.clone()]
                .chars()
                .map(|c| if c == '\n' { '\n' } else { '*' })
                .collect();
            out.replace_range(range, &stars);
        }
        out
    }

    #[test]
    fn finds_credentials_in_text_that_does_not_parse() {
        let cases = [
            ("service_token: abc\n", "service_token: ***\n"),
            ("  password: \"p w\" # c\n", "  password: ***** # c\n"),
            (
                "ssl: {key: k1, certificate: c}\n",
                "ssl: {key: **, certificate: c}\n",
            ),
            ("password = 'x'\n", "password = ***\n"),
            (
                "password = \"\"\"a\nb\"\"\"\nx = 1\n",
                "password = ****\n****\nx = 1\n",
            ),
            (
                "  key: |\n    line1\n    line2\n  other: 1\n",
                "  key: *\n*********\n*********\n  other: 1\n",
            ),
            ("hosts: [a]\nname: key\n", "hosts: [a]\nname: key\n"),
        ];
        for (text, expected) in cases {
            assert_eq!(masked(text), expected, "{text:?}");
        }
    }
}
