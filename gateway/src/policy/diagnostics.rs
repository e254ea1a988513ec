//! Problems found while loading policies, put where an editor can jump to them:
//!
//! ```text
//! broken.cedar:4:1: Cedar syntax error: unexpected token `when`
//!    |
//!  4 | when { context.comment like "CHG-*" };
//!    | ^^^^
//!    = help: ...
//! ```
//!
//! Cedar's diagnostics carry byte offsets into the text they were parsed from (miette
//! [`LabeledSpan`]s); [`Position::at`] turns one into a 1-based line and a 1-based
//! column counted in characters.

use std::fmt;

use miette::{Diagnostic, LabeledSpan};

/// Where in a source a problem is: 1-based line and column (in characters), the line's
/// text, and how many characters of it to underline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The line's text, without its line break.
    pub line_text: String,
    /// Characters to underline from the column (at least 1).
    pub width: usize,
}

impl Position {
    /// The position of byte `offset` of `text`, underlining `len` bytes (at most to the
    /// end of the line). The end of the text (where "unexpected end of input" points) is
    /// just after its last visible character; an offset inside a character is that
    /// character.
    #[must_use]
    pub fn at(text: &str, offset: usize, len: usize) -> Self {
        let mut offset = if offset >= text.len() {
            text.trim_end().len()
        } else {
            offset
        };
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        let line_text = text[line_start..line_end].trim_end_matches('\r');
        let span_end = offset.saturating_add(len).min(line_start + line_text.len());
        let width = text
            .get(offset..span_end)
            .map_or(0, |s| s.chars().count())
            .max(1);
        Position {
            line: text[..line_start].matches('\n').count() + 1,
            column: text[line_start..offset].chars().count() + 1,
            line_text: line_text.to_owned(),
            width,
        }
    }
}

/// One problem: the source it is in, where (when known), what, and Cedar's help.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// File name or configuration variable.
    pub source_name: String,
    /// Where in the source, when the problem has a place.
    pub position: Option<Position>,
    /// What is wrong.
    pub message: String,
    /// Cedar's suggestion, if it has one.
    pub help: Option<String>,
}

impl Problem {
    /// A problem at byte `offset` (underlining `len` bytes) of `text`, or without a
    /// place.
    #[must_use]
    pub fn at(
        source_name: &str,
        text: &str,
        span: Option<(usize, usize)>,
        message: String,
    ) -> Self {
        Problem {
            source_name: source_name.to_owned(),
            position: span.map(|(offset, len)| Position::at(text, offset, len)),
            message,
            help: None,
        }
    }

    /// A Cedar diagnostic whose spans are byte offsets into `text`, its message after
    /// `what` (`Cedar syntax error`).
    #[must_use]
    pub fn from_diagnostic(
        source_name: &str,
        text: &str,
        what: &str,
        diagnostic: &dyn Diagnostic,
    ) -> Self {
        let label = primary_label(diagnostic);
        let mut message = format!("{what}: {diagnostic}");
        if let Some(text) = label.as_ref().and_then(LabeledSpan::label) {
            message.push_str(&format!(" ({text})"));
        }
        Problem {
            help: diagnostic.help().map(|h| h.to_string()),
            ..Problem::at(
                source_name,
                text,
                label.map(|l| (l.offset(), l.len())),
                message,
            )
        }
    }
}

/// The label marked primary, else the first.
fn primary_label(diagnostic: &dyn Diagnostic) -> Option<LabeledSpan> {
    let labels: Vec<LabeledSpan> = diagnostic.labels()?.collect();
    let primary = labels.iter().position(LabeledSpan::primary).unwrap_or(0);
    labels.into_iter().nth(primary)
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(at) = &self.position else {
            write!(f, "{}: {}", self.source_name, self.message)?;
            return self.write_help(f, "");
        };
        write!(
            f,
            "{}:{}:{}: {}",
            self.source_name, at.line, at.column, self.message
        )?;
        let number = at.line.to_string();
        let gutter = " ".repeat(number.len());
        // Tabs stay tabs so that the caret lines up however wide they are shown.
        let indent: String = at
            .line_text
            .chars()
            .take(at.column - 1)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        write!(
            f,
            "\n{gutter} |\n{number} | {}\n{gutter} | {indent}{}",
            at.line_text,
            "^".repeat(at.width)
        )?;
        self.write_help(f, &gutter)
    }
}

impl Problem {
    fn write_help(&self, f: &mut fmt::Formatter<'_>, gutter: &str) -> fmt::Result {
        match &self.help {
            Some(help) => write!(f, "\n{gutter} = help: {help}"),
            None => Ok(()),
        }
    }
}

/// Every problem found, in the order found (sources in the order given).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    /// Whether none was found.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, problem) in self.0.iter().enumerate() {
            if n > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{problem}")?;
        }
        if self.0.len() > 1 {
            write!(f, "\n({} problems)", self.0.len())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
