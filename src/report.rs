//! Machine-readable reports of `check`: JSON (DESIGN.md's contract), GitHub Actions
//! workflow commands, and SARIF 2.1.0 for code-scanning tools.
//!
//! Every format works on the same flat list of [`Finding`]s, each a diagnostic with its
//! place already turned into a path, lines and columns.

use std::fmt::Write;
use std::path::Path;

use fleetc::diagnostic::{Diagnostic, Severity};
use fleetc::rules;
use fleetc::source::Sources;
use serde_json::{Value, json};

/// Where a finding is: a path and 1-based lines and character columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// A diagnostic with its location resolved.
pub struct Finding<'a> {
    pub diagnostic: &'a Diagnostic,
    pub location: Option<Location>,
}

/// The location of `diagnostic`, its path relative to the repository root joined to `base`
/// (the repository's place relative to the working folder, for tools that read paths from
/// where they run).
pub fn locate(sources: &Sources, diagnostic: &Diagnostic, base: &Path) -> Option<Location> {
    let label = diagnostic.primary.as_ref()?;
    let start = sources.position(label.span.file, label.span.start);
    let end = sources.position(label.span.file, label.span.end);
    let path = base.join(sources.path(label.span.file));
    Some(Location {
        file: path.to_string_lossy().replace('\\', "/"),
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
    })
}

fn count(findings: &[Finding<'_>], severity: Severity) -> usize {
    findings
        .iter()
        .filter(|f| f.diagnostic.severity == severity)
        .count()
}

/// `check --format json`.
pub fn json(findings: &[Finding<'_>]) -> Value {
    let errors = count(findings, Severity::Error);
    let items: Vec<Value> = findings.iter().map(finding_json).collect();
    json!({ "valid": errors == 0, "error_count": errors, "warning_count": count(findings, Severity::Warning), "diagnostics": items })
}

fn finding_json(finding: &Finding<'_>) -> Value {
    let diagnostic = finding.diagnostic;
    let mut object = json!({
        "severity": diagnostic.severity.as_str(),
        "code": diagnostic.code,
        "phase": diagnostic.phase.as_str(),
        "message": diagnostic.message,
        "help": diagnostic.help,
    });
    if let Some(location) = &finding.location {
        object["file"] = json!(location.file);
        object["line"] = json!(location.line);
        object["column"] = json!(location.column);
        object["end_line"] = json!(location.end_line);
        object["end_column"] = json!(location.end_column);
    }
    if let Some(pointer) = &diagnostic.pointer {
        object["pointer"] = json!(pointer);
    }
    object
}

/// `check --format github`: one workflow command per finding, which GitHub turns into an
/// annotation, then the same findings as plain lines, because GitHub shows only the first
/// ten or so annotations of a step.
pub fn github(findings: &[Finding<'_>]) -> String {
    let mut out = String::new();
    for finding in findings {
        let diagnostic = finding.diagnostic;
        let command = match diagnostic.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Advice => "notice",
        };
        let mut properties = Vec::new();
        if let Some(location) = &finding.location {
            properties.push(format!("file={}", escape_property(&location.file)));
            properties.push(format!("line={},col={}", location.line, location.column));
            properties.push(format!(
                "endLine={},endColumn={}",
                location.end_line, location.end_column
            ));
        }
        properties.push(format!(
            "title={}",
            escape_property(&format!(
                "{} ({})",
                diagnostic.code,
                diagnostic.phase.as_str()
            ))
        ));
        let text = match &diagnostic.help {
            Some(help) => format!("{}\nhelp: {help}", diagnostic.message),
            None => diagnostic.message.clone(),
        };
        let _ = writeln!(
            out,
            "::{command} {}::{}",
            properties.join(","),
            escape_data(&text)
        );
    }
    let _ = writeln!(
        out,
        "fleetc: {} findings ({} errors, {} warnings)",
        findings.len(),
        count(findings, Severity::Error),
        count(findings, Severity::Warning)
    );
    for finding in findings {
        let place = finding.location.as_ref().map_or(String::new(), |l| {
            format!("{}:{}:{}: ", l.file, l.line, l.column)
        });
        let diagnostic = finding.diagnostic;
        let _ = writeln!(
            out,
            "{place}{}[{}]: {}",
            diagnostic.severity.as_str(),
            diagnostic.code,
            diagnostic.message
        );
    }
    out
}

/// Workflow command data: `%`, carriage return and line feed are escaped.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Workflow command properties also escape `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// `check --format sarif`: a SARIF 2.1.0 log with one run, every rule described.
pub fn sarif(findings: &[Finding<'_>]) -> Value {
    let rules: Vec<Value> = rules::ALL
        .iter()
        .map(|rule| {
            json!({
                "id": rule.code,
                "shortDescription": { "text": rule.help },
                "help": { "text": rule.help },
                "defaultConfiguration": { "level": level(rule.severity) },
                "properties": { "phase": rule.phase.as_str() },
            })
        })
        .collect();
    let results: Vec<Value> = findings.iter().map(sarif_result).collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": { "name": "fleetc", "version": env!("CARGO_PKG_VERSION"), "rules": rules } },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Advice => "note",
    }
}

fn sarif_result(finding: &Finding<'_>) -> Value {
    let diagnostic = finding.diagnostic;
    let index = rules::ALL
        .iter()
        .position(|rule| rule.code == diagnostic.code);
    let mut result = json!({
        "ruleId": diagnostic.code,
        "level": level(diagnostic.severity),
        "message": { "text": diagnostic.message },
        "properties": { "phase": diagnostic.phase.as_str() },
    });
    if let Some(index) = index {
        result["ruleIndex"] = json!(index);
    }
    if let Some(pointer) = &diagnostic.pointer {
        result["properties"]["pointer"] = json!(pointer);
    }
    if let Some(location) = &finding.location {
        result["locations"] = json!([{
            "physicalLocation": {
                "artifactLocation": { "uri": uri(&location.file) },
                "region": {
                    "startLine": location.line,
                    "startColumn": location.column,
                    "endLine": location.end_line,
                    "endColumn": location.end_column,
                },
            },
        }]);
    }
    result
}

/// A relative URI reference for a path: each segment percent-encoded where URIs need it.
fn uri(path: &str) -> String {
    let mut out = String::new();
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(byte as char)
            }
            other => {
                let _ = write!(out, "%{other:02X}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn uris_are_relative_references() {
        assert_eq!(uri("outputs/a b.yaml"), "outputs/a%20b.yaml");
        assert_eq!(uri("é.yaml"), "%C3%A9.yaml");
    }

    proptest! {
        #[test]
        fn workflow_command_text_cannot_break_out(text in any::<String>()) {
            let data = escape_data(&text);
            prop_assert!(!data.contains('\n') && !data.contains('\r'));
            let property = escape_property(&text);
            prop_assert!(!property.contains(',') && !property.contains(':') && !property.contains('\n'));
            // Decoding gives the text back.
            let decoded = property.replace("%2C", ",").replace("%3A", ":").replace("%0A", "\n").replace("%0D", "\r").replace("%25", "%");
            prop_assert_eq!(decoded, text);
        }
    }
}
