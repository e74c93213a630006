//! YAML files into the raw tree.
//!
//! Built on saphyr's event parser so that every node gets its span and so that fleetc, not
//! the parser, decides what a scalar means: YAML 1.2 core schema (`yes`, `on`, `NO` stay
//! strings), a leading-zero number refused rather than silently read, duplicate keys
//! refused at the second key, and limits on depth and alias expansion.

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span as YamlSpan, Tag};

use super::{Limits, error};
use crate::diagnostic::Diagnostic;
use crate::rules;
use crate::source::{FileId, Span};
use crate::tree::{Entry, Node, NodeValue};

/// Parses one YAML document; an empty file is an empty map.
pub fn parse(file: FileId, text: &str, limits: Limits) -> Result<Node, Diagnostic> {
    let offsets = Offsets::new(text);
    let mut builder = Builder {
        file,
        text,
        offsets: &offsets,
        limits,
        stack: Vec::new(),
        anchors: HashMap::new(),
        root: None,
        nodes: 0,
        documents: 0,
    };
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| builder.scan_error(&e))?;
        builder.event(event, span)?;
    }
    let empty = Node::new(Span::file_start(file), NodeValue::Map(Vec::new()));
    Ok(match builder.root {
        Some(Node {
            value: NodeValue::Null,
            ..
        })
        | None => empty,
        Some(root) => root,
    })
}

/// Maps saphyr's character indices to byte offsets (shared with the lenient target reader).
pub(crate) struct Offsets {
    /// Byte offset of each character, or empty when the text is ASCII.
    bytes: Vec<usize>,
    len: usize,
}

impl Offsets {
    pub(crate) fn new(text: &str) -> Self {
        let bytes = if text.is_ascii() {
            Vec::new()
        } else {
            text.char_indices().map(|(i, _)| i).collect()
        };
        Offsets {
            bytes,
            len: text.len(),
        }
    }

    pub(crate) fn byte(&self, char_index: usize) -> usize {
        if self.bytes.is_empty() {
            char_index.min(self.len)
        } else {
            self.bytes.get(char_index).copied().unwrap_or(self.len)
        }
    }
}

enum Frame {
    Seq {
        start: usize,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        start: usize,
        anchor: usize,
        entries: Vec<Entry>,
        key: Option<(String, Span)>,
    },
}

struct Builder<'a> {
    file: FileId,
    text: &'a str,
    offsets: &'a Offsets,
    limits: Limits,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
    nodes: usize,
    documents: usize,
}

impl Builder<'_> {
    fn span(&self, span: YamlSpan) -> Span {
        let start = self.offsets.byte(span.start.index());
        let end = self.offsets.byte(span.end.index()).max(start);
        Span {
            file: self.file,
            start,
            end,
        }
    }

    fn point(&self, char_index: usize) -> Span {
        let at = self.offsets.byte(char_index);
        Span {
            file: self.file,
            start: at,
            end: at,
        }
    }

    fn scan_error(&self, scan: &ScanError) -> Diagnostic {
        let span = self.point(scan.marker().index());
        // saphyr's scanner bounds flow nesting itself, before our own depth check sees it.
        if scan.info().contains("recursion limit") {
            let message = format!(
                "the file nests more than {} levels deep",
                self.limits.max_depth
            );
            return error(&rules::TOO_DEEP, span, message, "too deep");
        }
        error(
            &rules::SYNTAX,
            span,
            scan.info().to_owned(),
            "invalid YAML here",
        )
    }

    fn event(&mut self, event: Event<'_>, span: YamlSpan) -> Result<(), Diagnostic> {
        match event {
            Event::DocumentStart(_) => self.document_start(span),
            Event::Scalar(text, style, anchor, tag) => self.scalar(text, style, anchor, tag, span),
            Event::Alias(anchor) => self.alias(anchor, span),
            Event::SequenceStart(anchor, tag) => self.open(anchor, tag, span, true),
            Event::MappingStart(anchor, tag) => self.open(anchor, tag, span, false),
            Event::SequenceEnd | Event::MappingEnd => self.close(span),
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => Ok(()),
        }
    }

    fn document_start(&mut self, span: YamlSpan) -> Result<(), Diagnostic> {
        self.documents += 1;
        if self.documents > 1 {
            let message = "a declaration file holds one YAML document, this is a second one";
            return Err(error(
                &rules::UNSUPPORTED_YAML,
                self.span(span),
                message,
                "second document",
            ));
        }
        Ok(())
    }

    fn count(&mut self, nodes: usize, span: Span) -> Result<(), Diagnostic> {
        self.nodes += nodes;
        if self.nodes > self.limits.max_nodes {
            let message = format!(
                "the file expands to more than {} values",
                self.limits.max_nodes
            );
            return Err(error(
                &rules::TOO_MANY_NODES,
                span,
                message,
                "limit reached here",
            ));
        }
        Ok(())
    }

    fn check_tag(&self, tag: Option<&Tag>, span: Span) -> Result<bool, Diagnostic> {
        let Some(tag) = tag else { return Ok(false) };
        let is_str = tag.suffix == "str" && (tag.is_yaml_core_schema() || tag.handle == "!!");
        if is_str {
            return Ok(true);
        }
        let shown = if tag.is_yaml_core_schema() {
            format!("!!{}", tag.suffix)
        } else {
            tag.to_string()
        };
        let message = format!("the tag `{shown}` is not supported");
        Err(error(&rules::UNSUPPORTED_YAML, span, message, "tag here"))
    }

    fn scalar(
        &mut self,
        text: Cow<'_, str>,
        style: ScalarStyle,
        anchor: usize,
        tag: Option<Cow<'_, Tag>>,
        span: YamlSpan,
    ) -> Result<(), Diagnostic> {
        let mut span = self.span(span);
        if matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
            // A block scalar's span runs on to the indentation of the next key; it ends
            // with its last line.
            let body = self.text.get(span.start..span.end).unwrap_or_default();
            span.end = span.start + body.trim_end_matches([' ', '\t', '\n', '\r']).len();
        }
        let forced_string = self.check_tag(tag.as_deref(), span)?;
        self.count(1, span)?;
        if self.expects_key() {
            return self.key(text.into_owned(), style, span);
        }
        let value = if forced_string || style != ScalarStyle::Plain {
            NodeValue::Str(text.into_owned())
        } else {
            resolve_plain(&text).map_err(|message| {
                error(&rules::AMBIGUOUS_NUMBER, span, message, "ambiguous number")
            })?
        };
        self.complete(Node::new(span, value), anchor)
    }

    fn expects_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { key: None, .. }))
    }

    fn key(&mut self, key: String, style: ScalarStyle, span: Span) -> Result<(), Diagnostic> {
        if key == "<<" && style == ScalarStyle::Plain {
            let message = "merge keys (`<<`) are not part of YAML 1.2; write the keys out";
            return Err(error(&rules::UNSUPPORTED_YAML, span, message, "merge key"));
        }
        let Some(Frame::Map {
            entries, key: slot, ..
        }) = self.stack.last_mut()
        else {
            return Ok(());
        };
        if let Some(first) = entries.iter().find(|entry| entry.key == key) {
            let message = format!("the key `{key}` is written twice");
            return Err(
                error(&rules::DUPLICATE_KEY, span, message, "second definition")
                    .also(first.key_span, "first defined here"),
            );
        }
        *slot = Some((key, span));
        Ok(())
    }

    fn alias(&mut self, anchor: usize, span: YamlSpan) -> Result<(), Diagnostic> {
        let span = self.span(span);
        if self.expects_key() {
            let message = "an alias cannot be used as a map key";
            return Err(error(&rules::UNSUPPORTED_YAML, span, message, "alias key"));
        }
        let Some(node) = self.anchors.get(&anchor).cloned() else {
            let message = "this alias names no anchor defined before it";
            return Err(error(&rules::SYNTAX, span, message, "unknown alias"));
        };
        self.count(size(&node), span)?;
        self.complete(node, 0)
    }

    fn open(
        &mut self,
        anchor: usize,
        tag: Option<Cow<'_, Tag>>,
        span: YamlSpan,
        is_seq: bool,
    ) -> Result<(), Diagnostic> {
        let span = self.span(span);
        if tag.is_some() {
            let message = "tags on lists and maps are not supported";
            return Err(error(&rules::UNSUPPORTED_YAML, span, message, "tag here"));
        }
        if self.expects_key() {
            let message = "a map key must be a plain value, not a list or a map";
            return Err(error(
                &rules::UNSUPPORTED_YAML,
                span,
                message,
                "complex key",
            ));
        }
        if self.stack.len() >= self.limits.max_depth {
            let message = format!(
                "the file nests more than {} levels deep",
                self.limits.max_depth
            );
            return Err(error(&rules::TOO_DEEP, span, message, "too deep"));
        }
        self.count(1, span)?;
        let start = span.start;
        self.stack.push(if is_seq {
            Frame::Seq {
                start,
                anchor,
                items: Vec::new(),
            }
        } else {
            Frame::Map {
                start,
                anchor,
                entries: Vec::new(),
                key: None,
            }
        });
        Ok(())
    }

    fn close(&mut self, span: YamlSpan) -> Result<(), Diagnostic> {
        let end = self.span(span).end;
        let Some(frame) = self.stack.pop() else {
            return Ok(());
        };
        let (start, anchor, value) = match frame {
            Frame::Seq {
                start,
                anchor,
                items,
            } => (start, anchor, NodeValue::Seq(items)),
            Frame::Map {
                start,
                anchor,
                entries,
                ..
            } => (start, anchor, NodeValue::Map(entries)),
        };
        let span = Span {
            file: self.file,
            start,
            end: end.max(start),
        };
        self.complete(Node::new(span, value), anchor)
    }

    fn complete(&mut self, node: Node, anchor: usize) -> Result<(), Diagnostic> {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => {
                if let Some((key, key_span)) = key.take() {
                    entries.push(Entry {
                        key,
                        key_span,
                        value: node,
                    });
                }
            }
        }
        Ok(())
    }
}

/// Number of nodes in a tree, for the expansion budget.
fn size(node: &Node) -> usize {
    match &node.value {
        NodeValue::Seq(items) => 1 + items.iter().map(size).sum::<usize>(),
        NodeValue::Map(entries) => 1 + entries.iter().map(|e| 1 + size(&e.value)).sum::<usize>(),
        _ => 1,
    }
}

/// The meaning of a plain scalar under the YAML 1.2 core schema.
///
/// A decimal with a leading zero (`0755`) is refused: YAML 1.1 readers take it as octal,
/// YAML 1.2 as decimal, and a file mode or an id written so is almost always a string.
pub fn resolve_plain(text: &str) -> Result<NodeValue, String> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Ok(NodeValue::Null),
        "true" | "True" | "TRUE" => return Ok(NodeValue::Bool(true)),
        "false" | "False" | "FALSE" => return Ok(NodeValue::Bool(false)),
        _ => {}
    }
    if let Some(value) = resolve_int(text)? {
        return Ok(value);
    }
    Ok(resolve_float(text).unwrap_or_else(|| NodeValue::Str(text.to_owned())))
}

fn resolve_int(text: &str) -> Result<Option<NodeValue>, String> {
    let (digits, radix) = if let Some(hex) = text.strip_prefix("0x") {
        (hex, 16)
    } else if let Some(octal) = text.strip_prefix("0o") {
        (octal, 8)
    } else {
        (text, 10)
    };
    let unsigned = if radix == 10 {
        digits.trim_start_matches(['-', '+'])
    } else {
        digits
    };
    if unsigned.is_empty() || !unsigned.chars().all(|c| c.is_digit(radix)) {
        return Ok(None);
    }
    if radix == 10 && unsigned.len() > 1 && unsigned.starts_with('0') {
        return Err(format!(
            "`{text}` has a leading zero, which YAML readers disagree on"
        ));
    }
    match i64::from_str_radix(digits, radix) {
        Ok(n) => Ok(Some(NodeValue::Int(n))),
        Err(_) => Err(format!("`{text}` is too large for an integer")),
    }
}

fn resolve_float(text: &str) -> Option<NodeValue> {
    let unsigned = text.trim_start_matches(['-', '+']);
    let negative = text.starts_with('-');
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") && text.len() - unsigned.len() <= 1 {
        return Some(NodeValue::Float(if negative {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        }));
    }
    if matches!(text, ".nan" | ".NaN" | ".NAN") {
        return Some(NodeValue::Float(f64::NAN));
    }
    is_core_float(text)
        .then(|| text.parse().ok().map(NodeValue::Float))
        .flatten()
}

/// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
fn is_core_float(text: &str) -> bool {
    let text = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((whole, fraction)) => {
            (whole.is_empty() && digits(fraction))
                || (digits(whole) && (fraction.is_empty() || digits(fraction)))
        }
        None => digits(mantissa),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Node {
        parse(FileId(0), text, Limits::default()).unwrap()
    }

    fn parse_err(text: &str) -> Diagnostic {
        parse(FileId(0), text, Limits::default()).unwrap_err()
    }

    #[test]
    fn yaml_1_2_scalars() {
        let cases: &[(&str, NodeValue)] = &[
            ("yes", NodeValue::Str("yes".into())),
            ("NO", NodeValue::Str("NO".into())),
            ("on", NodeValue::Str("on".into())),
            ("true", NodeValue::Bool(true)),
            ("~", NodeValue::Null),
            ("12", NodeValue::Int(12)),
            ("-3", NodeValue::Int(-3)),
            ("0x1f", NodeValue::Int(31)),
            ("0o17", NodeValue::Int(15)),
            ("1.5", NodeValue::Float(1.5)),
            ("1e3", NodeValue::Float(1000.0)),
            ("1_000", NodeValue::Str("1_000".into())),
            ("1:20", NodeValue::Str("1:20".into())),
            ("2001-12-14", NodeValue::Str("2001-12-14".into())),
            ("0", NodeValue::Int(0)),
        ];
        for (text, expected) in cases {
            assert_eq!(&resolve_plain(text).unwrap(), expected, "{text}");
        }
    }

    #[test]
    fn leading_zero_is_refused_unless_quoted() {
        assert_eq!(parse_err("mode: 0755\n").code, "parse/ambiguous-number");
        let node = parse_ok("mode: '0755'\n");
        assert_eq!(node.get("mode").unwrap().as_str(), Some("0755"));
    }

    #[test]
    fn duplicate_key_points_at_the_second() {
        let error = parse_err("a: 1\nb: 2\na: 3\n");
        assert_eq!(error.code, "parse/duplicate-key");
        assert_eq!(error.primary.as_ref().unwrap().span.start, 10);
        assert_eq!(error.secondary[0].span.start, 0);
    }

    #[test]
    fn spans_are_bytes_after_multibyte_text() {
        let node = parse_ok("é: 1\nkey: value\n");
        let entry = node.entry("key").unwrap();
        assert_eq!(entry.key_span.start, "é: 1\n".len());
        assert_eq!(node.get("key").unwrap().span.start, "é: 1\nkey: ".len());
    }

    #[test]
    fn alias_bomb_is_bounded() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..8 {
            let prev = if i == 0 {
                "a".to_owned()
            } else {
                format!("b{}", i - 1)
            };
            text.push_str(&format!("b{i}: &b{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"));
        }
        assert_eq!(parse_err(&text).code, "parse/too-many-nodes");
    }

    #[test]
    fn depth_is_bounded() {
        let text = "[".repeat(100) + &"]".repeat(100);
        assert_eq!(parse_err(&text).code, "parse/too-deep");
    }

    #[test]
    fn refuses_tags_merge_keys_and_second_documents() {
        for text in [
            "a: !!int 3\n",
            "a: &x {b: 1}\nc:\n  <<: *x\n",
            "a: 1\n---\nb: 2\n",
            "? [a]\n: 1\n",
        ] {
            assert_eq!(parse_err(text).code, "parse/unsupported-yaml", "{text}");
        }
        assert_eq!(
            parse_ok("a: !!str 3\n").get("a").unwrap().as_str(),
            Some("3")
        );
    }

    #[test]
    fn empty_file_is_empty_map() {
        assert_eq!(parse_ok("").entries().map(<[Entry]>::len), Some(0));
        assert_eq!(
            parse_ok("# only a comment\n").entries().map(<[Entry]>::len),
            Some(0)
        );
    }
}
