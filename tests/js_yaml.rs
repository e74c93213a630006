//! Reads the YAML emitter's output back with the real js-yaml 3 and 4 (the
//! readers Kibana uses for `kibana.yml`) and checks that both return exactly
//! the data that was emitted.
//!
//! Needs `node` and the packages pinned in `tests/js/package-lock.json`
//! (`npm ci --prefix tests/js`). Without them the tests fail rather than
//! skip, so a green run always means the round trip was really checked.

mod support;

use support::first_difference;
use support::js::readback;

use fleetc::emit::yaml::{scalar, to_yaml};
use proptest::prelude::*;
use serde_json::{Map, Number, Value, json};

/// Maps numbers on both sides to one form: what a JavaScript reader holds
/// (a double), with negative zero tagged as readback.js tags it. Numbers
/// that readback.js printed as `{"$number": text}` are parsed here with
/// Rust's correctly rounded parser.
fn normalize(value: &Value) -> Value {
    if let Some(n) = tagged_number(value) {
        return normalize_number(&n);
    }
    match value {
        Value::Number(n) => normalize_number(n),
        Value::Array(items) => Value::Array(items.iter().map(normalize).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), normalize(v))).collect())
        }
        other => other.clone(),
    }
}

/// The finite number in a `{"$number": text}` tag; `-0`, NaN and the
/// infinities stay tagged (serde_json cannot hold them).
fn tagged_number(value: &Value) -> Option<Number> {
    let text = value.as_object()?.get("$number")?.as_str()?;
    let f: f64 = text.parse().ok()?;
    if f == 0.0 && f.is_sign_negative() {
        return None;
    }
    Number::from_f64(f)
}

fn normalize_number(n: &Number) -> Value {
    let f = n.as_f64().expect("finite JSON number");
    if f == 0.0 && f.is_sign_negative() {
        return json!({ "$number": "-0" });
    }
    Value::Number(Number::from_f64(f).expect("finite"))
}

/// Emits `blocks`, reads them back with both js-yaml versions and asserts
/// both equal the input.
fn assert_round_trip(blocks: &[(String, Value)]) {
    let yaml = to_yaml(blocks);
    assert_text_reads_as(&yaml, &blocks_to_value(blocks));
}

/// Asserts that js-yaml 3 and 4 both read `yaml` as `expected`.
fn assert_text_reads_as(yaml: &str, expected: &Value) {
    let expected = normalize(expected);
    let (v3, v4) = readback(yaml);
    for (version, actual) in [("js-yaml 3", v3), ("js-yaml 4", v4)] {
        if let Some(diff) = first_difference(&expected, &normalize(&actual), "$") {
            panic!("{version} read back different data: {diff}\n--- emitted YAML ---\n{yaml}");
        }
    }
}

fn blocks_to_value(blocks: &[(String, Value)]) -> Value {
    Value::Object(blocks.iter().cloned().collect())
}

/// Whitespace, line breaks (YAML 1.1 also breaks lines at U+0085, U+2028
/// and U+2029), control and invisible characters.
const WHITESPACE_AND_CONTROLS: &[&str] = &[
    "",
    " ",
    "   ",
    " lead",
    "trail ",
    "\t",
    "a\tb",
    "\n",
    "a\nb",
    "a\n",
    "\na",
    "a\n\n",
    "a\r\nb",
    "\r",
    "a\rb",
    "\u{85}",
    "a\u{85}b",
    "\u{2028}",
    "a\u{2029}b",
    "\u{FEFF}bom",
    "mid\u{FEFF}dle",
    "\u{A0}",
    "\0",
    "\u{7}",
    "\u{1B}[0m",
    "\u{7F}",
    "\u{9F}",
    "\u{FFFE}",
    "\u{FFFF}",
    "\u{1FFFF}",
    "\u{200B}",
    "\u{202E}rtl",
];

/// Booleans and nulls of YAML 1.2 and 1.1, in several letter cases.
const BOOL_AND_NULL_WORDS: &[&str] = &[
    "y", "Y", "n", "N", "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off",
    "OFF", "true", "True", "TRUE", "false", "False", "FALSE", "tRuE", "null", "Null", "NULL", "~",
    "nUll",
];

/// Numbers and timestamps under js-yaml 3 (octal `0755`, `1_000`,
/// sexagesimal `1:20`) or js-yaml 4 (`0o17`, `09`), and look-alikes.
const NUMBER_AND_DATE_LIKE: &[&str] = &[
    "0755",
    "0o17",
    "09",
    "0x10",
    "0x1F",
    "0b101",
    "1_000",
    "0_7",
    "1:20",
    "1:20.5",
    "-1:20",
    "190:20:30",
    ".5",
    "1.",
    "1e3",
    "1E3",
    "1e+3",
    "1.0e-3",
    "-1",
    "+1",
    "0",
    "-0",
    "-0.0",
    "00",
    "1,000",
    ".inf",
    "-.inf",
    "+.INF",
    ".Inf",
    ".nan",
    ".NaN",
    ".NAN",
    "NaN",
    "Infinity",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10 -5",
    "2002-12-14T00:00:00Z",
    "12:30:45",
    "8.15.0",
];

/// YAML indicators and syntax fragments, alone and inside text.
const INDICATORS: &[&str] = &[
    "#", "a #b", "a#b", "#a", ": ", ":", "a: b", "a:b", "key:", "a :b", "*a", "&a", "!a", "!!str",
    "{", "}", "[", "]", "{}", "[]", "a{b}", "|", ">", "|-", ">+", "%", "%YAML", "@", "`", "'",
    "''", "\"", "\\", "\\n", "-", "- a", "-a", "--", "?", "? a", "?a", "---", "...", "--- a",
    "... a", "<<", "=", ",", "a, b", "a,b",
];

/// Realistic values, non-ASCII text, and keys special to JavaScript objects.
const MISC: &[&str] = &[
    "${VAR}",
    "${VAR:default}",
    "$",
    "😀",
    "é",
    "Ünïcödé",
    "日本語",
    "\u{1F3F4}\u{E0067}",
    "[system.cpu]",
    "xpack.fleet.outputs",
    "https://es:9200",
    "My policy",
    "__proto__",
    "constructor",
    "toString",
    "hasOwnProperty",
    "1",
    "42",
    "length",
];

/// Strings that trip naive YAML emitters or js-yaml's implicit typing.
fn hostile_strings() -> Vec<String> {
    let groups = [
        WHITESPACE_AND_CONTROLS,
        BOOL_AND_NULL_WORDS,
        NUMBER_AND_DATE_LIKE,
    ];
    let mut strings: Vec<String> = (groups.iter().chain(&[INDICATORS, MISC]))
        .flat_map(|group| group.iter().map(|s| (*s).to_owned()))
        .collect();
    strings.extend(long_strings());
    strings.push(PEM.to_owned());
    strings.push(PEM.trim_end().to_owned());
    strings.push(format!(" {PEM}"));
    strings.push(format!("{PEM}\n"));
    strings.push("line one\n  indented\n\nafter blank".to_owned());
    dedup(strings)
}

fn long_strings() -> Vec<String> {
    vec![
        "x".repeat(5000),
        "word ".repeat(400).trim_end().to_owned(),
        " ".repeat(200),
        "a: b ".repeat(100),
        "line\n".repeat(300),
    ]
}

/// Removes later duplicates, keeping first-seen order (map keys are unique).
fn dedup(strings: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    strings
        .into_iter()
        .filter(|s| seen.insert(s.clone()))
        .collect()
}

const PEM: &str = "-----BEGIN CERTIFICATE-----
MIIBszCCAVmgAwIBAgIUSnmRWpyCbcuLVFjcBRYILP4M5yEwCgYIKoZIzj0EAwIw
LzEtMCsGA1UEAwwkZmxlZXRjLXRlc3QtY2EuZXhhbXBsZS5pbnZhbGlkIFRFU1Qw
HhcNMjQwMTAxMDAwMDAwWhcNMzQwMTAxMDAwMDAwWjAvMS0wKwYDVQQDDCRmbGVl
dGMtdGVzdC1jYS5leGFtcGxlLmludmFsaWQgVEVTVDBZMBMGByqGSM49AgEGCCqG
SM49AwEHA0IABA==
-----END CERTIFICATE-----
";

/// A document using every string as a value, a map key, a top-level key
/// and inside nested maps and lists.
fn document_of(strings: &[String]) -> Vec<(String, Value)> {
    let values = Value::Array(strings.iter().map(|s| json!(s)).collect());
    let keys: Map<String, Value> = strings.iter().map(|s| (s.clone(), json!(s))).collect();
    let nested: Vec<Value> = strings
        .iter()
        .map(|s| json!({ "id": s, s.clone(): [s, { s.clone(): [[s]] }], "empty": [] }))
        .collect();
    let mut blocks = vec![
        ("xpack.fleet.values".to_owned(), values),
        ("xpack.fleet.keys".to_owned(), Value::Object(keys)),
        ("xpack.fleet.nested".to_owned(), Value::Array(nested)),
    ];
    let top: Vec<(String, Value)> = strings
        .iter()
        .filter(|s| !s.starts_with("xpack.fleet."))
        .map(|s| (s.clone(), json!(s)))
        .collect();
    blocks.extend(top);
    blocks
}

#[test]
fn hostile_strings_read_back_identically() {
    assert_round_trip(&document_of(&hostile_strings()));
}

#[test]
fn scalar_reads_back_as_key_and_value() {
    let strings = hostile_strings();
    let mut yaml = String::from("values:\n");
    for (i, s) in strings.iter().enumerate() {
        yaml.push_str(&format!("  v{i}: {}\n", scalar(s)));
    }
    yaml.push_str("keys:\n");
    for (i, s) in strings.iter().enumerate() {
        yaml.push_str(&format!("  {}: {i}\n", scalar(s)));
    }
    let values: Map<String, Value> = (strings.iter().enumerate())
        .map(|(i, s)| (format!("v{i}"), json!(s)))
        .collect();
    let keys: Map<String, Value> = (strings.iter().enumerate())
        .map(|(i, s)| (s.clone(), json!(i)))
        .collect();
    assert_text_reads_as(&yaml, &json!({ "values": values, "keys": keys }));
}

#[test]
fn numbers_and_literals_read_back_identically() {
    let numbers = json!([
        0,
        -1,
        1,
        i64::MIN,
        i64::MAX,
        u64::MAX,
        9_007_199_254_740_993u64,
        0.1,
        -0.0,
        1.5,
        1e100,
        1e-7,
        1e16,
        1e21,
        5e-324,
        f64::MAX,
        f64::MIN_POSITIVE,
        -2.5e-300,
        123456789.125
    ]);
    let blocks = vec![
        ("xpack.fleet.numbers".to_owned(), numbers),
        (
            "xpack.fleet.flags".to_owned(),
            json!([true, false, null, [], {}]),
        ),
        ("xpack.fleet.empty".to_owned(), json!({})),
    ];
    assert_round_trip(&blocks);
}

#[test]
fn empty_document_reads_back_as_empty_mapping() {
    assert_text_reads_as(&to_yaml(&[]), &json!({}));
}

/// Characters weighted toward those that matter to YAML: indicators,
/// whitespace, line breaks (including Unicode ones), digits and signs.
fn yaml_char() -> impl Strategy<Value = char> {
    const SPECIAL: &str = "-?:,[]{}#&*!|>'\"%@`~=<.+_/$\\ 0123456789eExXoObB";
    const SPACES: &[char] = &[
        ' ', '\t', '\n', '\r', '\u{85}', '\u{2028}', '\u{2029}', '\u{FEFF}', '\u{A0}', '\0',
        '\u{7F}', '\u{1B}', '\u{9F}', '\u{200B}', '\u{FFFE}',
    ];
    prop_oneof![
        5 => prop::sample::select(SPECIAL.chars().collect::<Vec<_>>()),
        3 => prop::sample::select(SPACES.to_vec()),
        4 => prop::char::range('a', 'z'),
        1 => prop::char::range('A', 'Z'),
        1 => prop::sample::select(vec!['é', 'ß', '日', '😀', '\u{E0067}']),
        1 => any::<char>(),
    ]
}

/// Boolean, null and number words in random letter case.
fn typed_word() -> impl Strategy<Value = String> {
    const WORDS: &[&str] = &[
        "null", "true", "false", "yes", "no", "on", "off", "y", "n", "~", ".inf", "-.inf", ".nan",
        "<<", "=", "---", "...",
    ];
    (prop::sample::select(WORDS), any::<u32>()).prop_map(|(word, mask)| {
        (word.chars().enumerate())
            .map(|(i, c)| {
                if mask >> (i % 32) & 1 == 1 {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect()
    })
}

/// Multi-line text shaped like certificates or scripts, sometimes with a
/// leading space or a final newline, to exercise literal block scalars.
fn multi_line() -> impl Strategy<Value = String> {
    let line = "[A-Za-z0-9 #:'\"=+/-]{0,20}";
    (
        prop::collection::vec(line, 2..6),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(lines, lead, trail)| {
            let mut text = lines.join("\n");
            if lead {
                text.insert(0, ' ');
            }
            if trail {
                text.push('\n');
            }
            text
        })
}

fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::collection::vec(yaml_char(), 0..12).prop_map(|cs| cs.into_iter().collect()),
        2 => "[-+.0-9_:eExXoObB]{1,8}",
        2 => "[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ][0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?",
        2 => typed_word(),
        2 => multi_line(),
        2 => any::<String>(),
    ]
}

/// A JSON leaf: a string, a number or another scalar.
fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => hostile_string().prop_map(Value::String),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<f64>()
            .prop_filter_map("finite", Number::from_f64)
            .prop_map(Value::Number),
        1 => prop_oneof![Just(Value::Null), any::<bool>().prop_map(Value::Bool)],
    ]
}

/// Nested maps and lists whose keys and leaves are hostile.
fn nested_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((hostile_string(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

proptest! {
    // Each case spawns node once for a whole batch of strings, keeping a
    // run to a few dozen node processes.
    #![proptest_config(ProptestConfig { cases: 24, max_shrink_iters: 200, ..ProptestConfig::default() })]

    #[test]
    fn generated_documents_read_back_identically(
        strings in prop::collection::vec(hostile_string(), 200..300),
        nested in prop::collection::vec(nested_value(), 1..4),
    ) {
        let strings = dedup(strings);
        let mut blocks = document_of(&strings);
        blocks.push(("xpack.fleet.generated".to_owned(), Value::Array(nested)));
        assert_round_trip(&blocks);
    }
}
