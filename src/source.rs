//! Source files and spans.
//!
//! Every file fleetc reads is kept here with its text, so that a diagnostic can point at a
//! byte span and the printer can show `file:line:column` and the line itself. Spans are byte
//! offsets; lines and columns are computed on demand, 1-based, columns counted in characters.

use std::path::{Path, PathBuf};

/// Index of a file in [`Sources`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    pub file: FileId,
    pub start: usize,
    pub end: usize,
}

impl Span {
    /// A span covering nothing at the start of a file, for findings about a whole file.
    pub fn file_start(file: FileId) -> Self {
        Span {
            file,
            start: 0,
            end: 0,
        }
    }
}

/// A value together with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// One file read by fleetc: its path relative to the repository root and its text.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    /// The text as reports may show it: credentials masked.
    pub text: String,
    /// The text as read, kept once something is masked, so that lines and columns stay
    /// those of the file.
    original: Option<String>,
}

/// A 1-based line and column, the column counted in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// All files read in one run.
#[derive(Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    /// Adds a file and returns its id.
    pub fn add(&mut self, path: impl Into<PathBuf>, text: String) -> FileId {
        let id = FileId(self.files.len() as u32);
        self.files.push(SourceFile {
            path: path.into(),
            text,
            original: None,
        });
        id
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn path(&self, id: FileId) -> &Path {
        &self.get(id).path
    }

    /// Overwrites the text of `span` with `*` (line breaks kept, byte offsets unchanged), so
    /// that no report that quotes the file can show what was there: used for credentials
    /// written in plain text.
    pub fn mask(&mut self, span: Span) {
        let Some(file) = self.files.get_mut(span.file.0 as usize) else {
            return;
        };
        let Some(secret) = file.text.get(span.start..span.end) else {
            return;
        };
        let secret = secret.to_owned();
        file.original.get_or_insert_with(|| file.text.clone());
        let masked: String = secret
            .chars()
            .map(|c| {
                if c == '\n' || c == '\r' {
                    c.to_string()
                } else {
                    "*".repeat(c.len_utf8())
                }
            })
            .collect();
        file.text.replace_range(span.start..span.end, &masked);
    }

    /// The 1-based line and character column of a byte offset, in the file as read.
    pub fn position(&self, file: FileId, offset: usize) -> Position {
        let source = self.get(file);
        position_in(source.original.as_deref().unwrap_or(&source.text), offset)
    }
}

/// The 1-based line and character column of `offset` in `text`.
pub fn position_in(text: &str, offset: usize) -> Position {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    Position { line, column }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "a: 1\nbé: x\n";
        assert_eq!(position_in(text, 0), Position { line: 1, column: 1 });
        assert_eq!(position_in(text, 5), Position { line: 2, column: 1 });
        // `x` sits after `bé: `, four characters but five bytes.
        assert_eq!(position_in(text, 10), Position { line: 2, column: 5 });
    }
}
