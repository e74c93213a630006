//! A lenient reading of a whole kibana.yml: keys, values and where each was written.
//!
//! The declaration parser (`parse::yaml`) is strict on purpose; a hand-written kibana.yml
//! is not fleetc's to judge, and may hold what js-yaml accepts and fleetc's declarations do
//! not (tags, leading-zero numbers, anchors). This reader accepts all of that, refuses
//! only what js-yaml refuses too (a key written twice in one map), and keeps byte spans, so that `target` can find Fleet keys outside the managed
//! block and `plan` can replace values with placeholders in place.

use std::borrow::Cow;
use std::ops::Range;

use saphyr_parser::{Event, Parser, ScalarStyle, Span as YamlSpan, Tag};
use serde_json::Value as Json;

use crate::parse::yaml::{Offsets, resolve_plain};
use crate::tree::NodeValue;

/// Nesting beyond this is refused, so that later walks over the tree stay bounded.
const MAX_DEPTH: usize = 256;

/// A value of the file with the bytes it was written in.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// For a scalar, the bytes that stand for the value on its line: quotes and a block
    /// scalar's header included, the line break after it excluded.
    pub span: Range<usize>,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Scalar(Json),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

/// A map key as written; complex keys (a list or a map as key) have no text.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    pub text: Option<String>,
    pub span: Range<usize>,
}

/// Why the file could not be read, at a byte offset.
#[derive(Clone, Debug, PartialEq)]
pub struct ScanError {
    pub offset: usize,
    pub message: String,
}

/// Reads the first YAML document of `text`; `None` for a file without one (empty, or only
/// comments).
pub fn read(text: &str) -> Result<Option<Node>, ScanError> {
    let offsets = Offsets::new(text);
    let mut reader = Reader {
        text,
        offsets: &offsets,
        stack: Vec::new(),
        root: None,
    };
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| ScanError {
            offset: offsets.byte(e.marker().index()),
            message: e.info().to_owned(),
        })?;
        if reader.event(event, span)? {
            break;
        }
    }
    Ok(reader.root)
}

impl Node {
    /// The value as Kibana's reader would give it (aliases read as null).
    pub fn to_json(&self) -> Json {
        match &self.value {
            Value::Scalar(json) => json.clone(),
            Value::Seq(items) => Json::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => Json::Object(
                entries
                    .iter()
                    .filter_map(|(key, node)| Some((key.text.clone()?, node.to_json())))
                    .collect(),
            ),
        }
    }
}

enum Frame {
    Seq(usize, Vec<Node>),
    Map(usize, Vec<(Key, Node)>, Option<Key>),
}

struct Reader<'a> {
    text: &'a str,
    offsets: &'a Offsets,
    stack: Vec<Frame>,
    root: Option<Node>,
}

impl Reader<'_> {
    /// Handles one event; `true` once the first document is complete.
    fn event(&mut self, event: Event<'_>, span: YamlSpan) -> Result<bool, ScanError> {
        let start = self.offsets.byte(span.start.index());
        let end = self.offsets.byte(span.end.index()).max(start);
        match event {
            Event::Scalar(text, style, _, tag) => {
                let span = self.scalar_span(start, end, style);
                let key_span = start..end;
                self.scalar(text, style, tag, span, key_span)?;
            }
            Event::Alias(_) => self.complete(Node {
                span: start..end,
                value: Value::Scalar(Json::Null),
            }),
            Event::SequenceStart(..) => self.open(Frame::Seq(start, Vec::new()))?,
            Event::MappingStart(..) => self.open(Frame::Map(start, Vec::new(), None))?,
            Event::SequenceEnd | Event::MappingEnd => self.close(end),
            Event::DocumentEnd => return Ok(self.root.is_some()),
            _ => {}
        }
        Ok(false)
    }

    /// A block scalar's span starts at its `|` or `>` header and stops before the final
    /// line break, so that replacing it keeps the lines around it.
    fn scalar_span(&self, start: usize, end: usize, style: ScalarStyle) -> Range<usize> {
        if !matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
            return start..end;
        }
        let header = self.text[..start].rfind(['|', '>']).unwrap_or(start);
        let body = self.text[..end].trim_end_matches(['\n', '\r']);
        header..body.len().max(header)
    }

    fn scalar(
        &mut self,
        text: Cow<'_, str>,
        style: ScalarStyle,
        tag: Option<Cow<'_, Tag>>,
        span: Range<usize>,
        key_span: Range<usize>,
    ) -> Result<(), ScanError> {
        if let Some(Frame::Map(_, entries, key @ None)) = self.stack.last_mut() {
            // js-yaml, Kibana's reader, refuses a key written twice in one map.
            if entries
                .iter()
                .any(|(k, _)| k.text.as_deref() == Some(text.as_ref()))
            {
                let message = format!(
                    "the key `{text}` is written twice in one map, which Kibana's reader refuses"
                );
                return Err(ScanError {
                    offset: key_span.start,
                    message,
                });
            }
            *key = Some(Key {
                text: Some(text.into_owned()),
                span: key_span,
            });
            return Ok(());
        }
        let is_str_tag = tag.is_some_and(|t| t.suffix == "str");
        let json = if style == ScalarStyle::Plain && !is_str_tag {
            plain(&text)
        } else {
            Json::String(text.into_owned())
        };
        self.complete(Node {
            span,
            value: Value::Scalar(json),
        });
        Ok(())
    }

    fn open(&mut self, frame: Frame) -> Result<(), ScanError> {
        if self.stack.len() >= MAX_DEPTH {
            let offset = match &frame {
                Frame::Seq(start, _) | Frame::Map(start, _, _) => *start,
            };
            let message = format!("the file nests more than {MAX_DEPTH} levels deep");
            return Err(ScanError { offset, message });
        }
        self.stack.push(frame);
        Ok(())
    }

    fn close(&mut self, end: usize) {
        let node = match self.stack.pop() {
            Some(Frame::Seq(start, items)) => Node {
                span: start..end.max(start),
                value: Value::Seq(items),
            },
            Some(Frame::Map(start, entries, _)) => Node {
                span: start..end.max(start),
                value: Value::Map(entries),
            },
            None => return,
        };
        self.complete(node);
    }

    fn complete(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Seq(_, items)) => items.push(node),
            Some(Frame::Map(_, entries, key)) => match key.take() {
                Some(key) => entries.push((key, node)),
                // A list or a map used as a key: kept without text.
                None => {
                    *key = Some(Key {
                        text: None,
                        span: node.span,
                    })
                }
            },
        }
    }
}

/// A plain scalar under the YAML 1.2 core schema; what the strict parser refuses (a
/// leading-zero number) stays text.
fn plain(text: &str) -> Json {
    match resolve_plain(text) {
        Ok(NodeValue::Null) => Json::Null,
        Ok(NodeValue::Bool(b)) => Json::Bool(b),
        Ok(NodeValue::Int(n)) => Json::from(n),
        Ok(NodeValue::Float(f)) => serde_json::Number::from_f64(f)
            .map_or_else(|| Json::String(text.to_owned()), Json::Number),
        _ => Json::String(text.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn root(text: &str) -> Node {
        read(text).expect("reads").expect("a document")
    }

    #[test]
    fn accepts_what_the_strict_parser_refuses() {
        let node = root("mode: 0755\nx: !custom 3\nanchor: &a {b: 1}\nalias: *a\n");
        assert_eq!(
            node.to_json(),
            json!({ "mode": "0755", "x": 3, "anchor": { "b": 1 }, "alias": null })
        );
    }

    #[test]
    fn refuses_a_key_written_twice_as_js_yaml_does() {
        let error = read("a: 1\nb:\n  c: 1\n  c: 2\n").expect_err("a duplicate key");
        assert_eq!(error.offset, 17);
        assert!(error.message.contains("`c`"), "{}", error.message);
    }

    #[test]
    fn scalar_spans_cover_quotes_and_block_headers() {
        let text = "a: \"q\\\"x\"\nb: |-\n  one\n  two\nc: é\n";
        let node = root(text);
        let Value::Map(entries) = &node.value else {
            panic!("a map")
        };
        let spans: Vec<&str> = entries.iter().map(|(_, n)| &text[n.span.clone()]).collect();
        assert_eq!(spans, ["\"q\\\"x\"", "|-\n  one\n  two", "é"]);
        assert_eq!(&text[entries[2].0.span.clone()], "c");
    }

    #[test]
    fn empty_files_have_no_document_and_errors_have_offsets() {
        assert_eq!(read("# only a comment\n"), Ok(None));
        let error = read("a: [1\n").expect_err("unclosed");
        assert!(error.offset > 0, "{error:?}");
    }
}
