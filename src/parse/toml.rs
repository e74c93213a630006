//! TOML files into the raw tree.
//!
//! The `toml` crate's spanned document tables give every key and value its byte span; this
//! module turns them into the same [`Node`]s YAML files produce, so later stages never know
//! which syntax a declaration was written in. TOML itself refuses duplicate keys.

use toml::Spanned as TomlSpanned;
use toml::de::{DeArray, DeTable, DeValue};

use super::{Limits, error};
use crate::diagnostic::Diagnostic;
use crate::rules;
use crate::source::{FileId, Span};
use crate::tree::{Entry, Node, NodeValue};

/// Parses one TOML document.
pub fn parse(file: FileId, text: &str, limits: Limits) -> Result<Node, Diagnostic> {
    let table = DeTable::parse(text).map_err(|e| syntax_error(file, text, &e))?;
    let converter = Converter { file, limits };
    let span = converter.span(table.span());
    converter.table(table.get_ref(), span, 0)
}

fn syntax_error(file: FileId, text: &str, toml_error: &toml::de::Error) -> Diagnostic {
    let range = toml_error.span().unwrap_or(0..0);
    let start = range.start.min(text.len());
    let span = Span {
        file,
        start,
        end: range.end.clamp(start, text.len()),
    };
    let message = toml_error.message().trim_end_matches('\n').to_owned();
    error(&rules::SYNTAX, span, message, "invalid TOML here")
}

struct Converter {
    file: FileId,
    limits: Limits,
}

impl Converter {
    fn span(&self, range: std::ops::Range<usize>) -> Span {
        Span {
            file: self.file,
            start: range.start,
            end: range.end,
        }
    }

    fn deeper(&self, depth: usize, span: Span) -> Result<usize, Diagnostic> {
        if depth >= self.limits.max_depth {
            let message = format!(
                "the file nests more than {} levels deep",
                self.limits.max_depth
            );
            return Err(error(&rules::TOO_DEEP, span, message, "too deep"));
        }
        Ok(depth + 1)
    }

    fn table(&self, table: &DeTable<'_>, span: Span, depth: usize) -> Result<Node, Diagnostic> {
        let depth = self.deeper(depth, span)?;
        let mut entries = Vec::with_capacity(table.len());
        for (key, value) in table.iter() {
            entries.push(Entry {
                key: key.get_ref().to_string(),
                key_span: self.span(key.span()),
                value: self.value(value, depth)?,
            });
        }
        Ok(Node::new(span, NodeValue::Map(entries)))
    }

    fn array(&self, array: &DeArray<'_>, span: Span, depth: usize) -> Result<Node, Diagnostic> {
        let depth = self.deeper(depth, span)?;
        let items = array
            .iter()
            .map(|item| self.value(item, depth))
            .collect::<Result<_, _>>()?;
        Ok(Node::new(span, NodeValue::Seq(items)))
    }

    fn value(&self, value: &TomlSpanned<DeValue<'_>>, depth: usize) -> Result<Node, Diagnostic> {
        let span = self.span(value.span());
        let scalar = match value.get_ref() {
            DeValue::String(s) => NodeValue::Str(s.to_string()),
            DeValue::Boolean(b) => NodeValue::Bool(*b),
            DeValue::Integer(n) => match i64::from_str_radix(n.as_str(), n.radix()) {
                Ok(n) => NodeValue::Int(n),
                Err(_) => {
                    return Err(error(
                        &rules::SYNTAX,
                        span,
                        "this integer does not fit in 64 bits",
                        "too large",
                    ));
                }
            },
            DeValue::Float(f) => NodeValue::Float(parse_float(f.as_str())),
            DeValue::Datetime(d) => NodeValue::Str(d.to_string()),
            DeValue::Array(items) => return self.array(items, span, depth),
            DeValue::Table(table) => return self.table(table, span, depth),
        };
        Ok(Node::new(span, scalar))
    }
}

/// TOML float text as Rust reads it; TOML's `inf` and `nan` keep their meaning.
fn parse_float(text: &str) -> f64 {
    let cleaned: String = text.chars().filter(|c| *c != '_').collect();
    cleaned.parse().unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_point_at_keys_and_values() {
        let text = "[[outputs]]\nid = \"es\"\nhosts = [\"https://a:443\"]\n";
        let node = parse(FileId(0), text, Limits::default()).unwrap();
        let output = &node.get("outputs").unwrap().as_seq().unwrap()[0];
        let id = output.entry("id").unwrap();
        assert_eq!(&text[id.key_span.start..id.key_span.end], "id");
        assert_eq!(&text[id.value.span.start..id.value.span.end], "\"es\"");
    }

    #[test]
    fn duplicate_keys_are_syntax_errors_with_a_span() {
        let error = parse(FileId(0), "a = 1\na = 2\n", Limits::default()).unwrap_err();
        assert_eq!(error.code, "parse/syntax");
        assert!(error.primary.unwrap().span.start >= 6);
    }

    #[test]
    fn numbers_keep_their_radix() {
        let node = parse(
            FileId(0),
            "a = 0x10\nb = 1_000\nc = 1.5e3\n",
            Limits::default(),
        )
        .unwrap();
        assert_eq!(node.get("a").unwrap().value, NodeValue::Int(16));
        assert_eq!(node.get("b").unwrap().value, NodeValue::Int(1000));
        assert_eq!(node.get("c").unwrap().value, NodeValue::Float(1500.0));
    }
}
