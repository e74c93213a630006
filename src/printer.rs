//! The one place that writes findings for people and machines.
//!
//! Human reports are miette graphical reports on standard error (colour per `--color`,
//! `NO_COLOR` and whether standard error is a terminal); machine formats live in `report`.

use std::fmt;
use std::io::{IsTerminal, Write};

use fleetc::diagnostic::{Diagnostic, Label, Severity};
use fleetc::source::{Sources, Span};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use crate::cli::ColorChoice;

/// Writes findings.
pub struct Printer {
    color: bool,
}

impl Printer {
    pub fn new(choice: ColorChoice) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !no_color && std::io::stderr().is_terminal(),
        };
        Printer { color }
    }

    /// Renders every finding as a graphical report, then a summary line.
    pub fn human(&self, sources: &Sources, diagnostics: &[Diagnostic]) -> String {
        let theme = if self.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme)
            .with_links(false)
            .with_width(100);
        let mut out = String::new();
        for diagnostic in diagnostics {
            let report = Report::new(sources, diagnostic);
            // Rendering into a String cannot fail for lack of space; a formatting error
            // would only drop this report, so it is ignored.
            let _ = handler.render_report(&mut out, &report);
            out.push('\n');
        }
        out
    }
}

/// Prints text to standard output, ending quietly when the reader has gone (a closed pipe).
pub fn stdout(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// A finding in the shape miette renders.
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    source: Option<FileSource<'a>>,
    help: Option<String>,
    code: String,
}

impl<'a> Report<'a> {
    fn new(sources: &'a Sources, diagnostic: &'a Diagnostic) -> Self {
        let file = diagnostic.primary.as_ref().map(|label| label.span.file);
        let source = file.map(|file| FileSource {
            name: sources.path(file).display().to_string(),
            text: &sources.get(file).text,
        });
        let elsewhere: Vec<String> = diagnostic
            .secondary
            .iter()
            .filter(|label| Some(label.span.file) != file)
            .map(|label| format!("{}: {}", label.text, location(sources, label.span)))
            .collect();
        let help = match (&diagnostic.help, elsewhere.is_empty()) {
            (Some(help), true) => Some(help.clone()),
            (Some(help), false) => Some(format!("{help}\n{}", elsewhere.join("\n"))),
            (None, false) => Some(elsewhere.join("\n")),
            (None, true) => None,
        };
        let code = format!("{} ({})", diagnostic.code, diagnostic.phase.as_str());
        Report {
            diagnostic,
            source,
            help,
            code,
        }
    }

    fn labels_in_file(&self) -> Vec<&Label> {
        let Some(primary) = &self.diagnostic.primary else {
            return Vec::new();
        };
        let same_file = self
            .diagnostic
            .secondary
            .iter()
            .filter(|l| l.span.file == primary.span.file);
        std::iter::once(primary).chain(same_file).collect()
    }
}

fn location(sources: &Sources, span: Span) -> String {
    let position = sources.position(span.file, span.start);
    format!(
        "{}:{}:{}",
        sources.path(span.file).display(),
        position.line,
        position.column
    )
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Advice => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|source| source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let labels = self
            .labels_in_file()
            .into_iter()
            .enumerate()
            .map(|(index, label)| {
                let span =
                    SourceSpan::new(label.span.start.into(), label.span.end - label.span.start);
                if index == 0 {
                    LabeledSpan::new_primary_with_span(Some(label.text.clone()), span)
                } else {
                    LabeledSpan::new_with_span(Some(label.text.clone()), span)
                }
            });
        Some(Box::new(labels.collect::<Vec<_>>().into_iter()))
    }
}

/// A file's text under its repository-relative name, so reports show `file:line:column`.
struct FileSource<'a> {
    name: String,
    text: &'a str,
}

impl SourceCode for FileSource<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let inner = self.text.read_span(span, before, after)?;
        let contents = MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        );
        Ok(Box::new(contents))
    }
}
