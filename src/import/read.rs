//! A lenient YAML reader for `import`: kibana.yml as js-yaml 4 reads it.
//!
//! fleetc's own parser (`parse::yaml`) is strict on purpose: declaration files are ours, so
//! it refuses leading-zero numbers, tags, duplicate and merge keys. A kibana.yml is not
//! ours. It may hold any of those outside the Fleet keys, and Kibana reads it with js-yaml
//! 4 (`load`, the YAML 1.2 core schema plus merge keys), so import reads it the same way
//! rather than weakening the strict parser with options its callers would have to get
//! right. This reader is separate and small: saphyr's events into `serde_json` values,
//! with js-yaml 4's meaning of plain scalars (`0755` is the decimal 755, `1_000` is 1000,
//! `0b101` is 5), merge keys expanded (explicit keys win), a duplicate key kept last with a
//! note (js-yaml refuses the file; the note says so), and every document of a stream kept,
//! for Kubernetes manifests. Tags other than the core ones are read as if untagged.
//! Timestamps stay strings: Kibana never reads a Fleet field as a date.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span, Tag};
use serde_json::{Map, Number, Value};

/// A reason the text is not YAML at all, with its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ReadError {
    pub line: usize,
    pub message: String,
}

/// The documents of a YAML stream, and notes about what was read leniently.
#[derive(Debug, Default)]
pub struct Read {
    pub documents: Vec<Value>,
    pub notes: Vec<String>,
}

/// Reads every document of `text`.
pub fn read(text: &str) -> Result<Read, ReadError> {
    let mut builder = Builder::default();
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| ReadError {
            line: e.marker().line(),
            message: e.info().to_owned(),
        })?;
        builder.event(event, span)?;
    }
    Ok(Read {
        documents: builder.documents,
        notes: builder.notes,
    })
}

enum Frame {
    Seq {
        anchor: usize,
        items: Vec<Value>,
    },
    Map {
        anchor: usize,
        map: Map<String, Value>,
        key: Option<String>,
        merges: Vec<Value>,
    },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: HashMap<usize, Value>,
    documents: Vec<Value>,
    notes: Vec<String>,
    line: usize,
}

impl Builder {
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), ReadError> {
        self.line = span.start.line();
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let value = if self.expects_key() && style != ScalarStyle::Plain {
                    Value::String(text.into_owned())
                } else {
                    scalar(&text, style, tag.as_deref())
                };
                self.complete(value, anchor, style == ScalarStyle::Plain)
            }
            Event::Alias(anchor) => {
                let Some(value) = self.anchors.get(&anchor).cloned() else {
                    return Err(self.error("an alias names no anchor defined before it"));
                };
                self.complete(value, 0, false)
            }
            Event::SequenceStart(anchor, _) => self.open(Frame::Seq {
                anchor,
                items: Vec::new(),
            }),
            Event::MappingStart(anchor, _) => self.open(Frame::Map {
                anchor,
                map: Map::new(),
                key: None,
                merges: Vec::new(),
            }),
            Event::SequenceEnd | Event::MappingEnd => self.close(),
            Event::DocumentStart(_) => {
                self.anchors.clear();
                Ok(())
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => Ok(()),
        }
    }

    fn error(&self, message: &str) -> ReadError {
        ReadError {
            line: self.line,
            message: message.to_owned(),
        }
    }

    fn expects_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { key: None, .. }))
    }

    fn open(&mut self, frame: Frame) -> Result<(), ReadError> {
        if self.expects_key() {
            return Err(self.error("a map key must be a scalar, not a list or a map"));
        }
        self.stack.push(frame);
        Ok(())
    }

    fn close(&mut self) -> Result<(), ReadError> {
        let (anchor, value) = match self.stack.pop() {
            Some(Frame::Seq { anchor, items }) => (anchor, Value::Array(items)),
            Some(Frame::Map {
                anchor,
                mut map,
                merges,
                ..
            }) => {
                merge_into(&mut map, &merges);
                (anchor, Value::Object(map))
            }
            None => return Ok(()),
        };
        self.complete(value, anchor, false)
    }

    fn complete(&mut self, value: Value, anchor: usize, plain: bool) -> Result<(), ReadError> {
        if anchor != 0 {
            self.anchors.insert(anchor, value.clone());
        }
        let line = self.line;
        match self.stack.last_mut() {
            None => self.documents.push(value),
            Some(Frame::Seq { items, .. }) => items.push(value),
            Some(Frame::Map {
                map, key, merges, ..
            }) => match key.take() {
                None => {
                    let text = key_text(&value).ok_or_else(|| ReadError {
                        line,
                        message: "a map key must be a scalar".to_owned(),
                    })?;
                    if text == "<<" && plain {
                        // A merge key: its value is a map (or maps) to merge, not an entry.
                        *key = Some(MERGE.to_owned());
                    } else {
                        *key = Some(text);
                    }
                }
                Some(name) if name == MERGE => match value {
                    Value::Array(sources) => merges.extend(sources),
                    source => merges.push(source),
                },
                Some(name) => {
                    if map.insert(name.clone(), value).is_some() {
                        self.notes.push(format!(
                            "line {line}: the key `{name}` is written twice; the last one is kept, but Kibana refuses such a file"
                        ));
                    }
                }
            },
        }
        Ok(())
    }
}

/// Stands for a plain `<<` key until its value arrives; no YAML key can be this string
/// because it holds a NUL.
const MERGE: &str = "\0<<";

/// Adds the keys of merged maps that the map does not set itself; earlier sources win.
fn merge_into(map: &mut Map<String, Value>, sources: &[Value]) {
    for source in sources {
        if let Value::Object(source) = source {
            for (key, value) in source {
                if !map.contains_key(key) {
                    map.insert(key.clone(), value.clone());
                }
            }
        }
    }
}

/// A key as JavaScript names an object property: scalars through `String()`.
fn key_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Null => Some("null".to_owned()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
            _ => n.to_string(),
        }),
        Value::Array(_) | Value::Object(_) => None,
    }
}

/// A scalar's value: quoted scalars and `!!str` are strings, plain ones resolved as
/// js-yaml 4 resolves them.
fn scalar(text: &str, style: ScalarStyle, tag: Option<&Tag>) -> Value {
    let core = tag.filter(|t| t.is_yaml_core_schema() || t.handle == "!!");
    match core.map(|t| t.suffix.as_str()) {
        Some("str") => return Value::String(text.to_owned()),
        Some("int" | "float" | "bool" | "null") => return resolve_plain(text),
        _ => {}
    }
    if style == ScalarStyle::Plain {
        resolve_plain(text)
    } else {
        Value::String(text.to_owned())
    }
}

/// The meaning of a plain scalar under js-yaml 4's default schema (timestamps excepted).
pub fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    int(text)
        .or_else(|| float(text))
        .unwrap_or_else(|| Value::String(text.to_owned()))
}

fn int(text: &str) -> Option<Value> {
    let (negative, unsigned) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (digits, radix) = match unsigned.get(..2) {
        Some("0b") => (&unsigned[2..], 2),
        Some("0x") => (&unsigned[2..], 16),
        Some("0o") => (&unsigned[2..], 8),
        _ => (unsigned, 10),
    };
    let valid = !digits.is_empty()
        && !digits.starts_with('_')
        && !digits.ends_with('_')
        && digits.chars().all(|c| c == '_' || c.is_digit(radix))
        && digits.chars().any(|c| c != '_');
    if !valid {
        return None;
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    let magnitude = u128::from_str_radix(&clean, radix).ok();
    let number = match magnitude.and_then(|m| i64::try_from(m).ok()) {
        Some(m) => Number::from(if negative { -m } else { m }),
        None => {
            let m = magnitude.map_or(f64::INFINITY, |m| m as f64);
            Number::from_f64(if negative { -m } else { m })?
        }
    };
    Some(Value::Number(number))
}

/// `[-+]?([0-9][0-9_]*)(\.[0-9_]*)?([eE][-+]?[0-9]+)?` or `[-+]?\.[0-9_]+(...)?`; `.inf`
/// and `.nan` have no JSON form and stay strings (a Fleet field never takes them).
fn float(text: &str) -> Option<Value> {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(i) => (&unsigned[..i], Some(&unsigned[i + 1..])),
        None => (unsigned, None),
    };
    let digits = |s: &str, underscores: bool| {
        s.chars()
            .all(|c| c.is_ascii_digit() || (underscores && c == '_'))
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let whole_ok = if whole.is_empty() {
        mantissa.starts_with('.') && !fraction.is_empty()
    } else {
        whole.starts_with(|c: char| c.is_ascii_digit()) && digits(whole, true)
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e, false)
    });
    if !whole_ok || !digits(fraction, true) || !exponent_ok || text.ends_with('_') {
        return None;
    }
    let clean: String = text.chars().filter(|c| *c != '_').collect();
    let value: f64 = clean.parse().ok()?;
    Number::from_f64(value).map(Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn one(text: &str) -> Value {
        read(text).unwrap().documents.remove(0)
    }

    #[test]
    fn plain_scalars_as_js_yaml_4() {
        let cases = [
            ("0755", json!(755)),
            ("1_000", json!(1000)),
            ("0x1f", json!(31)),
            ("0o17", json!(15)),
            ("0b101", json!(5)),
            ("-3", json!(-3)),
            ("1.5", json!(1.5)),
            ("1e3", json!(1000.0)),
            ("yes", json!("yes")),
            ("on", json!("on")),
            ("1:20", json!("1:20")),
            ("2001-12-14", json!("2001-12-14")),
            ("~", json!(null)),
            ("True", json!(true)),
            ("10s", json!("10s")),
            ("_1", json!("_1")),
            ("1_", json!("1_")),
            (".5", json!(0.5)),
            ("1.", json!(1.0)),
            ("192.168.1.1", json!("192.168.1.1")),
        ];
        for (text, expected) in cases {
            assert_eq!(resolve_plain(text), expected, "{text}");
        }
    }

    #[test]
    fn lenient_where_the_strict_parser_refuses() {
        let text =
            "base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\nt: !!str 12\nu: !custom 5\nmode: 0644\n";
        assert_eq!(
            one(text),
            json!({ "base": {"x": 1, "y": 2}, "m": {"y": 3, "x": 1}, "t": "12", "u": 5, "mode": 644 })
        );
    }

    #[test]
    fn duplicate_key_keeps_the_last_with_a_note() {
        let read = read("a: 1\na: 2\n").unwrap();
        assert_eq!(read.documents[0], json!({"a": 2}));
        assert!(
            read.notes[0].contains("`a` is written twice"),
            "{:?}",
            read.notes
        );
    }

    #[test]
    fn every_document_of_a_stream() {
        let read = read("---\na: 1\n---\nb: 2\n").unwrap();
        assert_eq!(read.documents, vec![json!({"a": 1}), json!({"b": 2})]);
    }

    #[test]
    fn keys_are_strings() {
        assert_eq!(
            one("1: a\ntrue: b\n'[x.y]': c\n"),
            json!({"1": "a", "true": "b", "[x.y]": "c"})
        );
    }
}
