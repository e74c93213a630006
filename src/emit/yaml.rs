//! Emits the `kibana.yml` text for fleetc's output: a sequence of
//! top-level keys (such as `xpack.fleet.outputs`) and their JSON values,
//! written as block-style YAML that js-yaml 3 and js-yaml 4 (the readers of
//! past and current Kibana releases) both load back to exactly the same data.
//!
//! A general-purpose YAML serializer is not used because the contract here
//! is narrower and stricter: every string must come back as that same
//! string under both js-yaml major versions, whose implicit typing differs
//! (js-yaml 3 still resolves `0755` as octal, `1_000` and `1:20` as numbers;
//! both resolve `2001-12-14` to a `Date`), and other tools that read the
//! file may apply YAML 1.1 rules (`yes`, `off`, `y`). So strings are left
//! plain only when they are provably a string under all of those rules;
//! everything else is double-quoted with escapes, or, for multi-line text
//! such as PEM certificates, written as a literal block scalar when that is
//! provably lossless.
//!
//! Numbers beyond 2^53 in magnitude are written exactly, but a JavaScript
//! reader rounds them to the nearest double, as it would any JSON input.

use serde_json::{Map, Number, Value};

/// Indentation added per nesting level, and the indentation indicator used
/// for literal block scalars whose first line starts with a space (the
/// indicator is relative to the enclosing collection's column).
const INDENT: usize = 2;

/// Renders the top-level `kibana.yml` entries, in order, as one YAML
/// document ending with exactly one newline.
///
/// Each key is written as given (a dotted key such as
/// `xpack.fleet.agentPolicies` stays one key) and quoted only if needed.
/// Keys must be distinct: js-yaml rejects a document with duplicate keys.
/// An empty slice yields `{}` so the document still loads as a mapping.
pub fn to_yaml(blocks: &[(String, Value)]) -> String {
    if blocks.is_empty() {
        return "{}\n".to_owned();
    }
    let mut out = String::new();
    for (key, value) in blocks {
        write_entry(&mut out, 0, key, value);
    }
    out
}

/// Renders `s` as a single-line YAML scalar that js-yaml 3 and 4 (and YAML
/// 1.1 readers) load back as exactly the string `s`, in block context.
///
/// The result is plain when that is provably safe, otherwise double-quoted.
/// It is usable both as a mapping key and as a value.
pub fn scalar(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_owned()
    } else {
        double_quoted(s)
    }
}

/// Writes `key: value` for a mapping whose keys sit at column `col`,
/// starting at the current position (the caller wrote any padding).
fn write_entry(out: &mut String, col: usize, key: &str, value: &Value) {
    out.push_str(&scalar(key));
    out.push(':');
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_map(out, col + INDENT, map, false);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_seq(out, col + INDENT, items, false);
        }
        _ => {
            out.push(' ');
            write_leaf(out, col, value);
        }
    }
}

/// Writes a non-empty block mapping whose keys sit at column `col`. With
/// `inline_first`, the first key goes at the current position (just after a
/// sequence dash); every other key starts a padded line.
fn write_map(out: &mut String, col: usize, map: &Map<String, Value>, inline_first: bool) {
    for (index, (key, value)) in map.iter().enumerate() {
        if index > 0 || !inline_first {
            pad(out, col);
        }
        write_entry(out, col, key, value);
    }
}

/// Writes a non-empty block sequence whose dashes sit at column `col`. With
/// `inline_first`, the first dash goes at the current position (a sequence
/// nested directly in a sequence item); every other dash starts a padded line.
fn write_seq(out: &mut String, col: usize, items: &[Value], inline_first: bool) {
    for (index, item) in items.iter().enumerate() {
        if index > 0 || !inline_first {
            pad(out, col);
        }
        out.push_str("- ");
        write_item(out, col, item);
    }
}

/// Writes one sequence item after its `- `, so its content column is
/// `dash_col + INDENT`: nested collections start on the dash line.
fn write_item(out: &mut String, dash_col: usize, item: &Value) {
    match item {
        Value::Object(map) if !map.is_empty() => write_map(out, dash_col + INDENT, map, true),
        Value::Array(items) if !items.is_empty() => write_seq(out, dash_col + INDENT, items, true),
        _ => write_leaf(out, dash_col, item),
    }
}

/// Writes a scalar or empty collection and the line break ending it;
/// `parent_col` is the column of the enclosing key or dash, which a literal
/// block scalar's content must be indented past.
fn write_leaf(out: &mut String, parent_col: usize, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number(n)),
        Value::String(s) if is_literal_safe(s) => return write_literal(out, parent_col, s),
        Value::String(s) => out.push_str(&scalar(s)),
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
    out.push('\n');
}

/// Formats a JSON number so both js-yaml versions read the same value.
///
/// serde_json prints floats such as `1e+100` without a fraction, which
/// YAML 1.1's float pattern (and so readers such as PyYAML) requires, so `.0`
/// is inserted before the exponent (`1.0e+100`); js-yaml 3 and 4 read both
/// forms. Integers and other floats are printed as serde_json prints them
/// (`-0.0` stays a negative zero).
fn number(n: &Number) -> String {
    let text = n.to_string();
    if !n.is_f64() || text.contains('.') {
        return text;
    }
    match text.find(['e', 'E']) {
        Some(at) => format!("{}.0{}", &text[..at], &text[at..]),
        None => format!("{text}.0"),
    }
}

/// Appends a newline-free indentation of `col` spaces.
fn pad(out: &mut String, col: usize) {
    out.extend(std::iter::repeat_n(' ', col));
}

/// Words that some YAML reader resolves to a boolean or null, compared
/// case-insensitively: YAML 1.2 core (`true`, `null`, ...) plus YAML 1.1
/// booleans (`yes`, `off`, `y`, ...) read by Go and Python tooling.
const RESERVED_WORDS: [&str; 9] = ["null", "true", "false", "yes", "no", "on", "off", "y", "n"];

/// Whether `s` can be written as a plain scalar and still read back as the
/// string `s` under js-yaml 3, js-yaml 4 and YAML 1.1 implicit typing.
///
/// Deliberately conservative: only ASCII letters, digits, spaces and
/// `_ . / + @ $ : -` are allowed, and the first character must be a letter,
/// `_`, `/` or `$`. Numbers, timestamps, `.inf`/`.nan` and sexagesimals all
/// start with a digit, sign or dot, so this rules them out without having to
/// replicate each reader's regexes; the remaining typed plain scalars are the
/// boolean and null words, checked explicitly.
fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let allowed = |c: char| c.is_ascii_alphanumeric() || " _./+@$:-".contains(c);
    (first.is_ascii_alphabetic() || "_/$".contains(first))
        && s.chars().all(allowed)
        && !s.ends_with([' ', ':'])
        && !s.contains(": ")
        && !RESERVED_WORDS.iter().any(|w| s.eq_ignore_ascii_case(w))
}

/// Whether `s` can be written as a literal block scalar (`|`) without loss.
///
/// Requires at least one line break and a non-empty first line, at most one
/// trailing newline (so `|` or `|-` suffices and the document still ends with
/// a single newline), no other character that needs escaping (which also
/// rules out tabs and carriage returns, the latter being a line break to a
/// YAML reader), and no line with trailing spaces: a whitespace-only line
/// could be taken for indentation, and trailing blanks are invisible.
fn is_literal_safe(s: &str) -> bool {
    let body = s.strip_suffix('\n').unwrap_or(s);
    body.contains('\n')
        && !body.starts_with('\n')
        && !body.ends_with('\n')
        && !body.chars().any(|c| c != '\n' && needs_escape(c))
        && !body.split('\n').any(|line| line.ends_with(' '))
}

/// Writes `s` (which passed [`is_literal_safe`]) as a literal block scalar
/// whose content is indented `INDENT` columns past `parent_col`.
fn write_literal(out: &mut String, parent_col: usize, s: &str) {
    let (body, chomp) = match s.strip_suffix('\n') {
        Some(body) => (body, ""),
        None => (s, "-"),
    };
    out.push('|');
    out.push_str(chomp);
    // A leading space would otherwise be taken as part of the indentation.
    if body.starts_with(' ') {
        out.push_str(&INDENT.to_string());
    }
    out.push('\n');
    for line in body.split('\n') {
        if !line.is_empty() {
            pad(out, parent_col + INDENT);
            out.push_str(line);
        }
        out.push('\n');
    }
}

/// Renders `s` as a double-quoted scalar on one line. Line breaks and other
/// special characters are escaped so no line folding can alter the value.
fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_escaped(&mut out, c);
    }
    out.push('"');
    out
}

/// Appends `c` as it must appear inside a double-quoted scalar.
fn push_escaped(out: &mut String, c: char) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        '\0' => out.push_str("\\0"),
        c if needs_escape(c) && u32::from(c) <= 0xFFFF => {
            out.push_str(&format!("\\u{:04X}", u32::from(c)));
        }
        c if needs_escape(c) => out.push_str(&format!("\\U{:08X}", u32::from(c))),
        c => out.push(c),
    }
}

/// Whether `c` must not appear raw in the output.
///
/// Covers control characters (js-yaml rejects C0/C1 controls in the stream,
/// and U+0085 is a line break in YAML 1.1), non-ASCII whitespace (U+2028 and
/// U+2029 are YAML 1.1 line breaks; the rest are invisible in review),
/// invisible format characters such as the BOM (U+FEFF) and bidirectional
/// overrides, and noncharacters (U+FFFE/U+FFFF are outside YAML's printable
/// set). Printable characters such as `é` or emoji stay raw.
fn needs_escape(c: char) -> bool {
    let code = u32::from(c);
    c.is_control()
        || (!c.is_ascii() && c.is_whitespace())
        || is_invisible_format(code)
        || (0xFDD0..=0xFDEF).contains(&code)
        || code & 0xFFFE == 0xFFFE
}

/// Invisible format characters (Unicode category Cf in the BMP) that could
/// hide content or reorder its display.
fn is_invisible_format(code: u32) -> bool {
    matches!(
        code,
        0x00AD
            | 0x061C
            | 0x180E
            | 0x200B..=0x200F
            | 0x202A..=0x202E
            | 0x2060..=0x206F
            | 0xFEFF
            | 0xFFF9..=0xFFFB
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Scalars and the exact text expected for them.
    const SCALARS: &[(&str, &str)] = &[
        ("abc", "abc"),
        ("xpack.fleet.outputs", "xpack.fleet.outputs"),
        (
            "https://es.example:9200/path",
            "https://es.example:9200/path",
        ),
        ("My policy name", "My policy name"),
        ("user@example.com", "user@example.com"),
        ("_id", "_id"),
        ("/etc/ssl/ca.pem", "/etc/ssl/ca.pem"),
        ("$HOME", "$HOME"),
        ("a-b+c", "a-b+c"),
        ("", "\"\""),
        ("null", "\"null\""),
        ("NULL", "\"NULL\""),
        ("nUlL", "\"nUlL\""),
        ("~", "\"~\""),
        ("true", "\"true\""),
        ("False", "\"False\""),
        ("yes", "\"yes\""),
        ("NO", "\"NO\""),
        ("on", "\"on\""),
        ("Off", "\"Off\""),
        ("y", "\"y\""),
        ("N", "\"N\""),
        ("yesterday", "yesterday"),
        ("0755", "\"0755\""),
        ("0x1F", "\"0x1F\""),
        ("0o17", "\"0o17\""),
        ("0b101", "\"0b101\""),
        ("1_000", "\"1_000\""),
        ("1:20", "\"1:20\""),
        ("1e3", "\"1e3\""),
        (".5", "\".5\""),
        (".inf", "\".inf\""),
        ("-.INF", "\"-.INF\""),
        (".NaN", "\".NaN\""),
        ("-1", "\"-1\""),
        ("+1", "\"+1\""),
        ("8.15.0", "\"8.15.0\""),
        ("2001-12-14", "\"2001-12-14\""),
        ("=", "\"=\""),
        ("<<", "\"<<\""),
        ("[system.cpu]", "\"[system.cpu]\""),
        ("${VAR}", "\"${VAR}\""),
        ("#", "\"#\""),
        ("a #b", "\"a #b\""),
        ("a: b", "\"a: b\""),
        ("key:", "\"key:\""),
        ("a:b", "a:b"),
        ("- a", "\"- a\""),
        ("-a", "\"-a\""),
        ("---", "\"---\""),
        ("...", "\"...\""),
        ("? a", "\"? a\""),
        (" lead", "\" lead\""),
        ("trail ", "\"trail \""),
        ("   ", "\"   \""),
        ("*a", "\"*a\""),
        ("&a", "\"&a\""),
        ("!a", "\"!a\""),
        ("a,b", "\"a,b\""),
        ("it's", "\"it's\""),
        ("say \"hi\"", "\"say \\\"hi\\\"\""),
        ("back\\slash", "\"back\\\\slash\""),
        ("a\nb", "\"a\\nb\""),
        ("a\r\nb", "\"a\\r\\nb\""),
        ("a\tb", "\"a\\tb\""),
        ("nul\0", "\"nul\\0\""),
        ("bell\u{7}", "\"bell\\u0007\""),
        ("del\u{7F}", "\"del\\u007F\""),
        ("nel\u{85}", "\"nel\\u0085\""),
        ("ls\u{2028}ps\u{2029}", "\"ls\\u2028ps\\u2029\""),
        ("\u{FEFF}bom", "\"\\uFEFFbom\""),
        ("nb\u{A0}sp", "\"nb\\u00A0sp\""),
        ("non\u{FFFF}", "\"non\\uFFFF\""),
        ("astral\u{1FFFE}", "\"astral\\U0001FFFE\""),
        ("café", "\"café\""),
        ("😀", "\"😀\""),
    ];

    #[test]
    fn scalars_render_as_expected() {
        for (input, expected) in SCALARS {
            assert_eq!(scalar(input), *expected, "input {input:?}");
        }
    }

    /// Documents (as JSON) and the exact YAML expected for them.
    fn documents() -> Vec<(Value, &'static str)> {
        vec![
            (json!({}), "{}\n"),
            (json!({"k": null}), "k: null\n"),
            (json!({"k": true, "f": false}), "k: true\nf: false\n"),
            (json!({"k": [], "m": {}}), "k: []\nm: {}\n"),
            (
                json!({"i": -5, "u": 18446744073709551615u64}),
                "i: -5\nu: 18446744073709551615\n",
            ),
            (json!({"f": 1.5, "z": -0.0}), "f: 1.5\nz: -0.0\n"),
            (
                json!({"big": 1e100, "small": 1e-7}),
                "big: 1.0e+100\nsmall: 1.0e-7\n",
            ),
            (json!({"a": {"b": {"c": 1}}}), "a:\n  b:\n    c: 1\n"),
            (json!({"l": ["a", 1, null]}), "l:\n  - a\n  - 1\n  - null\n"),
            (
                json!({"l": [{"id": "a", "num": 1}, {"id": "b"}]}),
                "l:\n  - id: a\n    num: 1\n  - id: b\n",
            ),
            (
                json!({"l": [["a", "b"], [], {}, [{"x": 1, "z": 2}]]}),
                "l:\n  - - a\n    - b\n  - []\n  - {}\n  - - x: 1\n      z: 2\n",
            ),
            (
                json!({"l": [{"m": {"k": "v"}, "s": ["x"]}]}),
                "l:\n  - m:\n      k: v\n    s:\n      - x\n",
            ),
            (
                json!({"[system.cpu]": {"<<": "1"}}),
                "\"[system.cpu]\":\n  \"<<\": \"1\"\n",
            ),
            (json!({"pem": "A\nB\n"}), "pem: |\n  A\n  B\n"),
            (json!({"pem": "A\n\nB"}), "pem: |-\n  A\n\n  B\n"),
            (json!({"pem": " A\nB"}), "pem: |-2\n   A\n  B\n"),
            (json!({"l": ["A\nB"]}), "l:\n  - |-\n    A\n    B\n"),
            (
                json!({"l": [{"k": " A\nB\n"}]}),
                "l:\n  - k: |2\n       A\n      B\n",
            ),
            (json!({"p": "A\nB\n\n"}), "p: \"A\\nB\\n\\n\"\n"),
            (json!({"p": "\nA"}), "p: \"\\nA\"\n"),
            (json!({"p": "A \nB"}), "p: \"A \\nB\"\n"),
            (json!({"p": "A\n\tB"}), "p: \"A\\n\\tB\"\n"),
            (json!({"p": "A\r\nB"}), "p: \"A\\r\\nB\"\n"),
            (json!({"p": "\n"}), "p: \"\\n\"\n"),
            (json!({"p": "A\n"}), "p: \"A\\n\"\n"),
        ]
    }

    #[test]
    fn documents_render_as_expected() {
        for (doc, expected) in documents() {
            let Value::Object(map) = &doc else {
                panic!("test documents are objects")
            };
            let blocks: Vec<(String, Value)> =
                map.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
            assert_eq!(to_yaml(&blocks), expected, "document {doc}");
        }
    }

    #[test]
    fn top_level_dotted_keys_stay_whole() {
        let blocks = vec![
            ("xpack.fleet.outputs".to_owned(), json!([{"id": "es"}])),
            ("xpack.fleet.packages".to_owned(), json!([])),
        ];
        assert_eq!(
            to_yaml(&blocks),
            "xpack.fleet.outputs:\n  - id: es\nxpack.fleet.packages: []\n"
        );
    }
}
