//! One error type for everything a user can get wrong.
//!
//! A [`Diagnostic`] names the file, the line and column, the field (a dotted path such as
//! `call_type[0].handle_time.mean`), what is wrong, and where one fits a suggestion
//! ("did you mean …"). Parsing and validation collect every diagnostic of a file before
//! reporting, so a planner fixes a file in one pass. A diagnostic of [`Severity::Warning`]
//! flags a value that runs but is probably not what was meant (a 6 s handle time); the
//! model carries its warnings and the command line prints them, without failing. [`Error`] is what the library's entry
//! points return; the binary maps every `Error` to exit code 2.

use std::fmt;
use std::ops::Range;

/// How bad a diagnostic is: an error rejects the file; a warning only flags a value that
/// is implausible (most likely a unit mistake) and lets the file run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Severity {
    #[default]
    Error,
    Warning,
}

/// One problem found in an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: String,
    /// 1-based line; 0 when the problem has no position (e.g. the file as a whole).
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
    /// Dotted path of the field, e.g. `call_type[1].patience.mean`; empty for the file.
    pub field: String,
    pub message: String,
    pub suggestion: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        if !self.field.is_empty() {
            write!(f, ": {}", self.field)?;
        }
        if self.severity == Severity::Warning {
            write!(f, ": warning")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(s) = &self.suggestion {
            write!(f, "\n  help: {s}")?;
        }
        Ok(())
    }
}

/// Turns byte offsets of one source text into line and column numbers.
#[derive(Debug, Clone)]
pub struct SourceMap {
    file: String,
    text: String,
    line_starts: Vec<usize>,
}

impl SourceMap {
    pub fn new(file: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceMap {
            file: file.into(),
            text,
            line_starts,
        }
    }

    pub fn file(&self) -> &str {
        &self.file
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// 1-based (line, column) of a byte offset; column counts characters.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        (line + 1, column)
    }

    /// A diagnostic at `span` (or at the top of the file when there is none).
    pub fn diagnostic(
        &self,
        span: Option<Range<usize>>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Diagnostic {
        let (line, column) = span.map_or((0, 0), |s| self.line_col(s.start));
        Diagnostic {
            severity: Severity::Error,
            file: self.file.clone(),
            line,
            column,
            field: field.into(),
            message: message.into(),
            suggestion: None,
        }
    }
}

impl Diagnostic {
    /// The same diagnostic as a warning.
    pub fn warning(self) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..self
        }
    }
}

/// The nearest of `candidates` to a misspelt `word`, if any is close enough to suggest.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&word.to_lowercase(), &c.to_lowercase()), c))
        .filter(|&(d, c)| d <= (c.chars().count().max(3) / 3).max(1) + usize::from(c.len() > 8))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| format!("did you mean `{c}`?"))
}

/// Whether `c` must not reach a terminal, an XML file or a spreadsheet as it is: a
/// control character (C0, DEL, C1) or a bidirectional override or isolate (U+202A–U+202E,
/// U+2066–U+2069), which can reorder what a reader sees.
pub fn is_unprintable(c: char) -> bool {
    c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c) || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// Why `text` is not printable (its first offending character, counted from 1), or
/// `None` if it is.
pub fn unprintable(text: &str) -> Option<String> {
    let (i, c) = text.chars().enumerate().find(|&(_, c)| is_unprintable(c))?;
    let kind = if c.is_control() {
        "a control character"
    } else {
        "a bidirectional override"
    };
    Some(format!("character {} is U+{:04X}, {kind}", i + 1, c as u32))
}

/// `text` safe to print on a terminal: every unprintable character (see
/// [`is_unprintable`]) but newline and tab written as `\u{…}`, so that user input can
/// never send escape sequences or reorder a line.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let escaped = |c: char| is_unprintable(c) && c != '\n' && c != '\t';
    // Plain ASCII text is passed over a byte at a time; only a control byte or the start
    // of a multi-byte character is decoded and looked at.
    let bytes = text.as_bytes();
    let suspect = |b: &u8| *b >= 0x7f || (*b < 0x20 && *b != b'\n' && *b != b'\t');
    let mut at = 0;
    let clean = loop {
        let Some(k) = bytes[at..].iter().position(suspect) else {
            break true;
        };
        let c = text[at + k..]
            .chars()
            .next()
            .expect("a suspect byte starts a character");
        if escaped(c) {
            break false;
        }
        at += k + c.len_utf8();
    };
    if clean {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if escaped(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Everything that can go wrong in the library. All of it is the user's input or
/// environment (exit code 2); internal invariants are asserted, not returned.
#[derive(Debug)]
pub enum Error {
    /// Problems in an input file, all of them.
    Invalid(Vec<Diagnostic>),
    /// A file or folder could not be read or written.
    Io { path: String, source: std::io::Error },
    /// Anything else, already phrased for the user.
    Other(String),
    /// Stopped by Ctrl-C before any output was written.
    Interrupted,
}

impl Error {
    pub fn io(path: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Invalid(diagnostics) => {
                for (i, d) in diagnostics.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{d}")?;
                }
                Ok(())
            }
            Error::Io { path, source } => write!(f, "{path}: {source}"),
            Error::Other(message) => f.write_str(message),
            Error::Interrupted => f.write_str("interrupted (Ctrl-C): stopped before writing any output"),
        }
    }
}

impl std::error::Error for Error {}

impl From<Vec<Diagnostic>> for Error {
    fn from(d: Vec<Diagnostic>) -> Self {
        Error::Invalid(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unprintable_text_is_named_and_escaped() {
        assert_eq!(unprintable("sales"), None);
        assert_eq!(unprintable("café"), None);
        assert_eq!(
            unprintable("a\u{1b}[2J").as_deref(),
            Some("character 2 is U+001B, a control character")
        );
        assert!(unprintable("x\u{202e}y").unwrap().contains("bidirectional"));
        assert!(unprintable("\u{85}").is_some());
        assert!(unprintable("\u{7f}").is_some());
        assert!(unprintable("\u{2069}").is_some());
        assert_eq!(printable("a\u{1b}[2J\nb\u{202e}"), "a\\u{1b}[2J\nb\\u{202e}");
        assert_eq!(printable("plain\ttext"), "plain\ttext");
    }

    #[test]
    fn line_and_column_count_characters() {
        let map = SourceMap::new("f.toml", "a = 1\nbé = \"x\"\n");
        assert_eq!(map.line_col(0), (1, 1));
        assert_eq!(map.line_col(6), (2, 1));
        // 'é' is two bytes: the '=' after "bé " is character 4 of line 2.
        assert_eq!(map.line_col(10), (2, 4));
    }

    #[test]
    fn warnings_say_so_after_the_field() {
        let map = SourceMap::new("f.toml", "a = 1\n");
        let mut w = map.diagnostic(Some(4..5), "a", "looks odd").warning();
        w.suggestion = Some("write 2".into());
        assert_eq!(w.to_string(), "f.toml:1:5: a: warning: looks odd\n  help: write 2");
        assert_eq!(
            map.diagnostic(Some(4..5), "a", "wrong").to_string(),
            "f.toml:1:5: a: wrong"
        );
    }

    #[test]
    fn suggests_only_near_names() {
        assert_eq!(
            did_you_mean("handel_time", ["handle_time", "patience"]),
            Some("did you mean `handle_time`?".into())
        );
        assert_eq!(did_you_mean("zzz", ["handle_time", "patience"]), None);
    }
}
