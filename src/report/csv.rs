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
//! an interrupted run never leaves a half-written file or a mixed set.

use std::path::Path;

use crate::Summary;
use crate::error::Error;
use crate::stats::{CALL_METRICS, GROUP_METRICS, MetricDef};
use crate::summary::{Metrics, Named};
use crate::targets::{Figure, Judged, Status};

/// Header cells of the target columns.
fn target_header() -> Vec<String> {
    let mut h = Vec::new();
    for f in Figure::ALL {
        h.push(format!("target_{}", f.metric()));
        h.push(format!("status_{}", f.metric()));
    }
    h.push("verdict".to_owned());
    h
}

/// A row's target cells: each figure's bound and status, then the row's verdict.
fn target_cells(judged: &[Judged], verdict: Option<Status>) -> Vec<String> {
    let mut r = Vec::new();
    for f in Figure::ALL {
        match judged.iter().find(|j| j.target.figure == f) {
            Some(j) => {
                r.push(j.target.bound.to_string());
                r.push(j.status.map(|s| s.name().to_owned()).unwrap_or_default());
            }
            None => r.extend([String::new(), String::new()]),
        }
    }
    r.push(verdict.map(|s| s.name().to_owned()).unwrap_or_default());
    r
}

/// A call-type or channel row with its target columns.
fn judged_row(first: &[&str], n: &Named) -> Vec<String> {
    let mut r = row(first, &n.metrics, CALL_METRICS);
    r.extend(target_cells(&n.targets, n.verdict));
    r
}

fn judged_header(first: &[&str]) -> Vec<String> {
    let mut h = header(first, CALL_METRICS);
    h.extend(target_header());
    h
}

fn header(first: &[&str], defs: &[MetricDef]) -> Vec<String> {
    let mut h: Vec<String> = first.iter().map(|s| s.to_string()).collect();
    for m in defs {
        h.push(m.name.to_owned());
        h.push(format!("{}_ci95", m.name));
    }
    h
}

fn row(first: &[&str], metrics: &Metrics, defs: &[MetricDef]) -> Vec<String> {
    let mut r: Vec<String> = first.iter().map(|s| s.to_string()).collect();
    for m in defs {
        let e = metrics.get(m.name).expect("metrics follow their table");
        r.push(e.mean.map(|v| v.to_string()).unwrap_or_default());
        r.push(e.ci95.map(|v| v.to_string()).unwrap_or_default());
    }
    r
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

fn render(rows: Vec<Vec<String>>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        write_record(&mut w, &r);
    }
    String::from_utf8(w.into_inner().expect("in memory")).expect("CSV of UTF-8 fields")
}

/// Per interval (rows `all` and each call type) — also what `--format csv` prints.
pub fn intervals_csv(s: &Summary) -> String {
    let channel = |j: usize| channel_of(s, j);
    let mut rows = vec![judged_header(&["interval", "call_type", "channel"])];
    for i in &s.intervals {
        let mut all = row(&[&i.start, "all", "all"], &i.metrics, CALL_METRICS);
        all.extend(target_cells(&[], i.verdict));
        rows.push(all);
        for (j, c) in i.call_types.iter().enumerate() {
            rows.push(judged_row(&[&i.start, &c.name, channel(j)], c));
        }
    }
    render(rows)
}

/// The channel of call type `j` ("voice", "chat", "email").
fn channel_of(s: &Summary, j: usize) -> &'static str {
    s.call_type_channels.get(j).map_or("", |c| c.name())
}

/// Per call type over the whole window, and `all`.
pub fn call_types_csv(s: &Summary) -> String {
    let mut rows = vec![judged_header(&["call_type", "channel"])];
    let mut all = row(&["all", "all"], &s.totals, CALL_METRICS);
    all.extend(target_cells(&[], s.verdict));
    rows.push(all);
    for (j, c) in s.call_types.iter().enumerate() {
        rows.push(judged_row(&[&c.name, channel_of(s, j)], c));
    }
    render(rows)
}

/// Per channel in use (voice, chat, email): over the window, then per interval.
pub fn channels_csv(s: &Summary) -> String {
    let mut rows = vec![judged_header(&["interval", "channel"])];
    for c in &s.channels {
        rows.push(judged_row(&["all", &c.name], c));
    }
    for i in &s.intervals {
        for c in &i.channels {
            rows.push(judged_row(&[&i.start, &c.name], c));
        }
    }
    render(rows)
}

/// Per interval × group, with `all` rows and columns.
pub fn groups_csv(s: &Summary) -> String {
    let mut rows = vec![header(&["interval", "group"], GROUP_METRICS)];
    rows.push(row(&["all", "all"], &s.totals, GROUP_METRICS));
    for g in &s.groups {
        rows.push(row(&["all", &g.name], &g.metrics, GROUP_METRICS));
    }
    for i in &s.intervals {
        rows.push(row(&[&i.start, "all"], &i.metrics, GROUP_METRICS));
        for g in &i.groups {
            rows.push(row(&[&i.start, &g.name], &g.metrics, GROUP_METRICS));
        }
    }
    render(rows)
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
    set.add("intervals.csv", &intervals_csv(s))?;
    set.add("call_types.csv", &call_types_csv(s))?;
    set.add("channels.csv", &channels_csv(s))?;
    set.add("groups.csv", &groups_csv(s))?;
    set.add_with("summary.json", |w| super::json::write_json(s, w))?;
    set.commit()
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
