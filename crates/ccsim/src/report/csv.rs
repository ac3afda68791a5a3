//! CSV files for spreadsheets: per interval × call type, per call type, per channel, per
//! interval × group. Every metric has a column for its mean and one for its 95 % half-width
//! (`<metric>_ci95`); an undefined figure is an empty cell. Rows named `all` are totals.
//! Rows of call types and channels also carry their targets and verdicts (see
//! [`crate::targets`]): `target_<metric>` and `status_<metric>` for each figure a target
//! bounds (empty where the row has no such target), and `verdict`, so a spreadsheet or a
//! CI job need not recompute them.
//!
//! A cell whose text a spreadsheet would read as a formula (it begins with `=`, `+`, `-`,
//! `@`, a tab or a carriage return) and that is not a number gets a leading `'` (see
//! [`cell`]): a call type named `=HYPERLINK(…)` is shown as text, never run.
//!
//! [`write_dir`] writes the files as one set, all or nothing (see [`crate::output`]), so
//! an interrupted run never leaves a half-written file or a mixed set. Rows are written
//! straight to their file as they are formed: no file is held in memory whole.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::Path;

use crate::Summary;
use crate::error::Error;
use crate::stats::{CALL_METRICS, GROUP_METRICS, MetricDef};
use crate::summary::{Metrics, Named};
use crate::targets::{Figure, Judged, Status};

/// A CSV file being written row by row, straight to its writer: every cell neutralised
/// by [`cell`], numbers formatted in one reused buffer, so no table of strings is built.
struct Rows<W: Write> {
    csv: csv::Writer<W>,
    number: String,
}

impl<W: Write> Rows<W> {
    fn new(out: W) -> Self {
        Rows {
            csv: csv::Writer::from_writer(out),
            number: String::new(),
        }
    }

    fn text(&mut self, text: &str) -> io::Result<()> {
        self.csv.write_field(cell(text).as_bytes()).map_err(io::Error::other)
    }

    /// A number as `{}` prints it (empty when undefined).
    fn number(&mut self, value: Option<impl std::fmt::Display>) -> io::Result<()> {
        self.number.clear();
        if let Some(v) = value {
            write!(self.number, "{v}").expect("writing to a string cannot fail");
        }
        self.csv
            .write_field(cell(&self.number).as_bytes())
            .map_err(io::Error::other)
    }

    fn end(&mut self) -> io::Result<()> {
        self.csv.write_record(None::<&[u8]>).map_err(io::Error::other)
    }

    /// The header: the leading columns, then each metric's mean and half-width, then
    /// (with `targets`) the target columns.
    fn header(&mut self, first: &[&str], defs: &[MetricDef], targets: bool) -> io::Result<()> {
        for name in columns(first, defs, targets) {
            self.text(&name)?;
        }
        self.end()
    }

    /// A row's leading cells and its metrics (not ended: target cells may follow).
    fn metrics(&mut self, first: &[&str], metrics: &Metrics, defs: &[MetricDef]) -> io::Result<()> {
        for f in first {
            self.text(f)?;
        }
        for (k, m) in defs.iter().enumerate() {
            // Metrics are mostly in their table's order: look there first.
            let e = match metrics.at(k) {
                Some((name, e)) if name == m.name => e,
                _ => metrics.get(m.name).expect("metrics follow their table"),
            };
            self.number(e.mean)?;
            self.number(e.ci95)?;
        }
        Ok(())
    }

    /// A row's target cells (each figure's bound and status, then the row's verdict),
    /// ending the row.
    fn targets(&mut self, judged: &[Judged], verdict: Option<Status>) -> io::Result<()> {
        for f in Figure::ALL {
            match judged.iter().find(|j| j.target.figure == f) {
                Some(j) => {
                    self.number(Some(j.target.bound))?;
                    self.text(j.status.map_or("", |s| s.name()))?;
                }
                None => {
                    self.text("")?;
                    self.text("")?;
                }
            }
        }
        self.text(verdict.map_or("", |s| s.name()))?;
        self.end()
    }

    /// A call-type or channel row with its target columns.
    fn judged(&mut self, first: &[&str], n: &Named) -> io::Result<()> {
        self.metrics(first, &n.metrics, CALL_METRICS)?;
        self.targets(&n.targets, n.verdict)
    }

    fn plain(&mut self, first: &[&str], metrics: &Metrics, defs: &[MetricDef]) -> io::Result<()> {
        self.metrics(first, metrics, defs)?;
        self.end()
    }

    fn finish(self) -> io::Result<W> {
        self.csv.into_inner().map_err(|e| e.into_error())
    }
}

/// The columns of a table: the leading ones, then each metric's mean and half-width
/// (`<metric>_ci95`), then (with `targets`) each figure's `target_<metric>` and
/// `status_<metric>` and the row's `verdict`. The workbook's sheets have the same.
pub fn columns(first: &[&str], defs: &[MetricDef], targets: bool) -> Vec<String> {
    let mut names: Vec<String> = first.iter().map(|f| (*f).to_owned()).collect();
    for m in defs {
        names.push(m.name.to_owned());
        names.push(format!("{}_ci95", m.name));
    }
    if targets {
        for f in Figure::ALL {
            names.push(format!("target_{}", f.metric()));
            names.push(format!("status_{}", f.metric()));
        }
        names.push("verdict".to_owned());
    }
    names
}

/// `text` as a CSV cell a spreadsheet shows as text: a leading `'` when it would start a
/// formula (OWASP's CSV injection: `=`, `+`, `-`, `@`, tab, carriage return); numbers
/// (`-0.5`, `1e-7`, `+3`) stay numbers.
pub fn cell(text: &str) -> std::borrow::Cow<'_, str> {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && !is_number(text) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// A finite decimal number, optionally signed and in scientific notation.
fn is_number(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
        && text.chars().any(|c| c.is_ascii_digit())
        && text.parse::<f64>().is_ok_and(f64::is_finite)
}

/// One CSV record with every cell neutralised by [`cell`].
pub fn write_record<W: std::io::Write>(w: &mut csv::Writer<W>, record: &[String]) {
    w.write_record(record.iter().map(|c| cell(c).into_owned()))
        .expect("writing to memory cannot fail");
}

/// A CSV written by `write` into memory.
fn in_memory(write: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
    let mut bytes = Vec::new();
    write(&mut bytes).expect("writing to memory cannot fail");
    String::from_utf8(bytes).expect("CSV of UTF-8 fields")
}

/// Per interval (rows `all` and each call type) — also what `--format csv` prints.
pub fn intervals_csv(s: &Summary) -> String {
    in_memory(|w| write_intervals(s, w))
}

/// Writes [`intervals_csv`] to `out`.
pub fn write_intervals<W: Write>(s: &Summary, out: W) -> io::Result<()> {
    let mut rows = Rows::new(out);
    rows.header(&["interval", "call_type", "channel"], CALL_METRICS, true)?;
    for i in &s.intervals {
        rows.metrics(&[&i.start, "all", "all"], &i.metrics, CALL_METRICS)?;
        rows.targets(&[], i.verdict)?;
        for (j, c) in i.call_types.iter().enumerate() {
            rows.judged(&[&i.start, &c.name, channel_of(s, j)], c)?;
        }
    }
    rows.finish().map(drop)
}

/// The channel of call type `j` ("voice", "chat", "email").
pub(crate) fn channel_of(s: &Summary, j: usize) -> &'static str {
    s.call_type_channels.get(j).map_or("", |c| c.name())
}

/// Per call type over the whole window, and `all`.
pub fn call_types_csv(s: &Summary) -> String {
    in_memory(|w| write_call_types(s, w))
}

fn write_call_types<W: Write>(s: &Summary, out: W) -> io::Result<()> {
    let mut rows = Rows::new(out);
    rows.header(&["call_type", "channel"], CALL_METRICS, true)?;
    rows.metrics(&["all", "all"], &s.totals, CALL_METRICS)?;
    rows.targets(&[], s.verdict)?;
    for (j, c) in s.call_types.iter().enumerate() {
        rows.judged(&[&c.name, channel_of(s, j)], c)?;
    }
    rows.finish().map(drop)
}

/// Per channel in use (voice, chat, email): over the window, then per interval.
pub fn channels_csv(s: &Summary) -> String {
    in_memory(|w| write_channels(s, w))
}

fn write_channels<W: Write>(s: &Summary, out: W) -> io::Result<()> {
    let mut rows = Rows::new(out);
    rows.header(&["interval", "channel"], CALL_METRICS, true)?;
    for c in &s.channels {
        rows.judged(&["all", &c.name], c)?;
    }
    for i in &s.intervals {
        for c in &i.channels {
            rows.judged(&[&i.start, &c.name], c)?;
        }
    }
    rows.finish().map(drop)
}

/// Per interval × group, with `all` rows and columns.
pub fn groups_csv(s: &Summary) -> String {
    in_memory(|w| write_groups(s, w))
}

fn write_groups<W: Write>(s: &Summary, out: W) -> io::Result<()> {
    let mut rows = Rows::new(out);
    rows.header(&["interval", "group"], GROUP_METRICS, false)?;
    rows.plain(&["all", "all"], &s.totals, GROUP_METRICS)?;
    for g in &s.groups {
        rows.plain(&["all", &g.name], &g.metrics, GROUP_METRICS)?;
    }
    for i in &s.intervals {
        rows.plain(&[&i.start, "all"], &i.metrics, GROUP_METRICS)?;
        for g in &i.groups {
            rows.plain(&[&i.start, &g.name], &g.metrics, GROUP_METRICS)?;
        }
    }
    rows.finish().map(drop)
}

/// Writes `contents` to `path` atomically (see [`crate::output::write_file`]).
pub fn write_atomic(path: &Path, contents: &str) -> Result<(), Error> {
    crate::output::write_file(path, contents)
}

/// Writes `intervals.csv`, `call_types.csv`, `channels.csv`, `groups.csv` and
/// `summary.json` into `dir` (created if missing) as one set: all or nothing, with
/// `summary.json` as its manifest (see [`crate::output::FileSet`]).
pub fn write_dir(dir: &Path, s: &Summary) -> Result<(), Error> {
    let mut set = crate::output::FileSet::begin(dir)?;
    add_summary_files(&mut set, s)?;
    set.commit()
}

/// [`write_dir`]'s files, written into `set` (not yet swapped in: see
/// [`crate::output::Batch`]).
pub fn add_summary_files(set: &mut crate::output::FileSet, s: &Summary) -> Result<(), Error> {
    set.add_with("intervals.csv", |w| write_intervals(s, w))?;
    set.add_with("call_types.csv", |w| write_call_types(s, w))?;
    set.add_with("channels.csv", |w| write_channels(s, w))?;
    set.add_with("groups.csv", |w| write_groups(s, w))?;
    set.add_with("summary.json", |w| super::json::write_json(s, w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        for formula in [
            "=HYPERLINK(\"x\")",
            "+1+cmd",
            "-2+3",
            "@SUM(A1)",
            "-",
            "+",
            "=",
            "\tx",
            "\rx",
            "-inf",
            "+NaN",
            "-1e5x",
        ] {
            assert_eq!(cell(formula), format!("'{formula}"), "{formula}");
        }
        for kept in [
            "-0.5", "-3", "+3", "1e-7", "-1.5e-7", "2.5E+10", "0", "sales", "all", "08:30", "a=b", "",
        ] {
            assert_eq!(cell(kept), kept, "{kept}");
        }
    }
}
