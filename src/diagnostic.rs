//! Findings: what every stage reports instead of printing.
//!
//! A [`Diagnostic`] carries a stable code and phase from its [`Rule`], an English message,
//! a help line saying how to fix it and why, and labelled spans. The binary renders them as
//! miette reports or JSON; the library never prints.

use crate::rules::Rule;
use crate::source::Span;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Advice,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Advice => "advice",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// What Kibana does with the problem a rule finds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Kibana refuses to start.
    Boot,
    /// Kibana starts, but Fleet setup fails or skips the item.
    Setup,
    /// Accepted, fails later (when agents use it).
    Runtime,
    /// fleetc's own rule: Kibana has no such check.
    Lint,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Boot => "boot",
            Phase::Setup => "setup",
            Phase::Runtime => "runtime",
            Phase::Lint => "lint",
        }
    }
}

/// A span with a short text saying what is there.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub span: Span,
    pub text: String,
}

/// One finding.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: &'static str,
    pub phase: Phase,
    pub message: String,
    pub help: Option<String>,
    /// Where the finding is; `None` for findings about the run as a whole.
    pub primary: Option<Label>,
    /// Other places that explain it ("first defined here").
    pub secondary: Vec<Label>,
    /// JSON pointer of the offending node inside its file, when there is one.
    pub pointer: Option<String>,
}

impl Diagnostic {
    /// A finding of `rule`, with the rule's severity, phase and help.
    pub fn new(rule: &Rule, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: rule.severity,
            code: rule.code,
            phase: rule.phase,
            message: message.into(),
            help: Some(rule.help.to_owned()),
            primary: None,
            secondary: Vec::new(),
            pointer: None,
        }
    }

    /// Points the finding at `span`.
    pub fn at(mut self, span: Span, text: impl Into<String>) -> Self {
        self.primary = Some(Label {
            span,
            text: text.into(),
        });
        self
    }

    /// Adds a second place that explains the finding.
    pub fn also(mut self, span: Span, text: impl Into<String>) -> Self {
        self.secondary.push(Label {
            span,
            text: text.into(),
        });
        self
    }

    /// The same finding under another rule: its code, phase, severity and help.
    pub fn retag(self, rule: &Rule) -> Self {
        Diagnostic {
            code: rule.code,
            phase: rule.phase,
            severity: rule.severity,
            help: Some(rule.help.to_owned()),
            ..self
        }
    }

    /// Replaces the rule's help with a more specific one.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds the JSON pointer of the offending node.
    pub fn pointer(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Findings collected by a stage, in the order they were found.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, diagnostics: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(diagnostics);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// The closest of `candidates` to `word`, if one is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(word, candidate), candidate))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        let fields = ["is_default", "is_default_monitoring", "hosts"];
        assert_eq!(
            did_you_mean("is_default_monitorng", fields),
            Some("is_default_monitoring")
        );
        assert_eq!(did_you_mean("host", fields), Some("hosts"));
        assert_eq!(did_you_mean("colour", fields), None);
    }
}
