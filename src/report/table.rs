//! The table people read in a terminal: totals, call types, groups and intervals, each
//! figure with its 95 % half-width, rates in percent, waits in seconds; answer rate and
//! service level marked ✓ (target met), ✗ (missed) or ≈ (within the noise of the
//! target), in colour only when printing to a terminal.

use std::fmt::Write;

use crate::Summary;
use crate::summary::{Estimate, Metrics};

/// How a figure is shown.
#[derive(Clone, Copy)]
enum Unit {
    Count,
    Percent,
    Seconds,
    /// A small ratio (transfers per contact): three decimals.
    Ratio,
    /// An amount of the scenario's currency: two decimals.
    Money,
}

fn cell(e: Option<Estimate>, unit: Unit) -> String {
    let Some(Estimate { mean: Some(m), ci95 }) = e else {
        return "–".to_owned();
    };
    let (scale, decimals, suffix) = match unit {
        Unit::Count => (1.0, 1, ""),
        Unit::Percent => (100.0, 1, "%"),
        Unit::Seconds => (1.0, 1, "s"),
        Unit::Ratio => (1.0, 3, ""),
        Unit::Money => (1.0, 2, ""),
    };
    match ci95 {
        Some(c) => format!("{:.*}{suffix} ±{:.*}", decimals, m * scale, decimals, c * scale),
        None => format!("{:.*}{suffix}", decimals, m * scale),
    }
}

const CALL_COLUMNS: [(&str, &str, Unit); 7] = [
    ("offered", "offered", Unit::Count),
    ("answered", "answered", Unit::Count),
    ("abandoned", "abandoned", Unit::Count),
    ("answer_rate", "answer rate", Unit::Percent),
    ("service_level", "service level", Unit::Percent),
    ("asa_seconds", "ASA", Unit::Seconds),
    ("occupancy", "occupancy", Unit::Percent),
];

const GROUP_COLUMNS: [(&str, &str, Unit); 6] = [
    ("occupancy", "occupancy", Unit::Percent),
    ("slot_utilisation", "chat slots used", Unit::Percent),
    ("handled", "handled", Unit::Count),
    ("agent_hours", "agent hours", Unit::Count),
    ("overtime_hours", "overtime hours", Unit::Count),
    ("cost", "cost", Unit::Money),
];

/// Shown when a centre has chat or email.
const CHANNEL_COLUMNS: [(&str, &str, Unit); 8] = [
    ("offered", "offered", Unit::Count),
    ("answered", "answered", Unit::Count),
    ("abandoned", "abandoned", Unit::Count),
    ("service_level", "service level", Unit::Percent),
    ("within_target", "within target", Unit::Percent),
    ("asa_seconds", "ASA", Unit::Seconds),
    ("backlog_end", "backlog at end", Unit::Count),
    ("oldest_age_seconds", "oldest waiting", Unit::Seconds),
];

/// Shown when contacts can go unresolved, reach vendors or cost something.
const OUTCOME_COLUMNS: [(&str, &str, Unit); 7] = [
    ("resolved", "resolved", Unit::Count),
    ("fcr", "FCR", Unit::Percent),
    ("escalated", "escalated", Unit::Count),
    ("transfers_per_contact", "transfers/contact", Unit::Ratio),
    ("outsourced_share", "outsourced", Unit::Percent),
    ("cost", "cost", Unit::Money),
    ("cost_per_contact", "cost/resolved", Unit::Money),
];

/// How a figure stands against a target it must reach.
#[derive(Clone, Copy, PartialEq)]
enum Mark {
    Met,
    Missed,
    Noise,
}

impl Mark {
    fn of(e: Option<Estimate>, target: f64) -> Option<Mark> {
        let e = e?;
        let m = e.mean?;
        Some(if e.ci95.is_some_and(|c| (m - target).abs() < c) {
            Mark::Noise
        } else if m >= target {
            Mark::Met
        } else {
            Mark::Missed
        })
    }

    fn symbol(self) -> &'static str {
        match self {
            Mark::Met => "✓",
            Mark::Missed => "✗",
            Mark::Noise => "≈",
        }
    }

    fn paint(self, text: &str, colour: bool) -> String {
        if !colour {
            return text.to_owned();
        }
        let style = match self {
            Mark::Met => anstyle::AnsiColor::Green.on_default(),
            Mark::Missed => anstyle::AnsiColor::Red.on_default().bold(),
            Mark::Noise => anstyle::AnsiColor::Yellow.on_default(),
        };
        format!("{style}{text}{style:#}")
    }
}

/// Per row, the targets of (answer rate, service level), if it has any.
type RowTargets = Vec<Option<(f64, f64)>>;

/// Rows of (label, metrics) under a header, columns padded to their widest cell.
fn section(out: &mut String, title: &str, label: &str, rows: &[(String, &Metrics)], columns: &[(&str, &str, Unit)]) {
    section_marked(out, title, label, rows, columns, &vec![None; rows.len()], false);
}

/// As [`section`], with answer rate and service level marked against each row's targets.
fn section_marked(
    out: &mut String,
    title: &str,
    label: &str,
    rows: &[(String, &Metrics)],
    columns: &[(&str, &str, Unit)],
    targets: &RowTargets,
    colour: bool,
) {
    let mut table: Vec<Vec<String>> = vec![
        std::iter::once(label.to_owned())
            .chain(columns.iter().map(|c| c.1.to_owned()))
            .collect(),
    ];
    // Marks are painted after padding, so colour codes never upset the alignment.
    let mut marks: Vec<Vec<Option<Mark>>> = vec![vec![None; columns.len() + 1]];
    for ((name, metrics), target) in rows.iter().zip(targets) {
        let mut r = vec![name.clone()];
        let mut row_marks = vec![None];
        // A column missing from these metrics (occupancy of a call type) stays empty.
        for &(key, _, unit) in columns {
            let e = metrics.get(key);
            let mark = match (key, target) {
                ("answer_rate", Some((ar, _))) => Mark::of(e, *ar),
                ("service_level", Some((_, sl))) => Mark::of(e, *sl),
                _ => None,
            };
            let text = if e.is_some() { cell(e, unit) } else { String::new() };
            r.push(match mark {
                Some(m) => format!("{text} {}", m.symbol()),
                None => text,
            });
            row_marks.push(mark);
        }
        table.push(r);
        marks.push(row_marks);
    }
    let _ = writeln!(out, "\n{title}");
    out.push_str(&aligned_painted(
        &table,
        &|r, c, text| match marks[r].get(c).copied().flatten() {
            Some(m) => m.paint(text, colour),
            None => text.to_owned(),
        },
    ));
}

/// Rows as aligned text: the first column left-aligned, the others right-aligned, two
/// spaces apart.
pub fn aligned(rows: &[Vec<String>]) -> String {
    aligned_painted(rows, &|_, _, text| text.to_owned())
}

/// As [`aligned`], each cell passed through `paint(row, column, text)` after its width is
/// taken, so colour codes never upset the alignment.
fn aligned_painted(rows: &[Vec<String>], paint: &dyn Fn(usize, usize, &str) -> String) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|t| t.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for (r, row) in rows.iter().enumerate() {
        let mut line = String::from(" ");
        for (c, text) in row.iter().enumerate() {
            let pad = " ".repeat(widths[c] - text.chars().count());
            let shown = paint(r, c, text);
            if c == 0 {
                let _ = write!(line, " {shown}{pad}");
            } else {
                let _ = write!(line, "  {pad}{shown}");
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}

/// The whole report as text; `colour` paints the marks (for a terminal).
pub fn render(s: &Summary, colour: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — {} replication{}, seed {} (± is the 95 % confidence half-width)",
        s.scenario,
        s.replications,
        if s.replications == 1 { "" } else { "s" },
        s.seed
    );
    let mut rows: Vec<(String, &Metrics)> = vec![("all".into(), &s.totals)];
    rows.extend(s.call_types.iter().map(|c| (c.name.clone(), &c.metrics)));
    let t = &s.targets;
    let mut targets: RowTargets = vec![Some((t.answer_rate, t.service_level))];
    targets.extend(
        s.call_types
            .iter()
            .enumerate()
            .map(|(i, _)| t.call_types.get(i).map(|&(sl, ar)| (ar, sl))),
    );
    let _ = writeln!(
        out,
        "✓ target met, ✗ missed, ≈ within the noise of the target (answer rate {:.0}%, service level {:.0}% unless a call type sets its own)",
        t.answer_rate * 100.0,
        t.service_level * 100.0
    );
    section_marked(
        &mut out,
        "Call types",
        "call type",
        &rows,
        &CALL_COLUMNS,
        &targets,
        colour,
    );
    if s.channels.iter().any(|c| c.name != "voice") {
        let rows: Vec<(String, &Metrics)> = s.channels.iter().map(|c| (c.name.clone(), &c.metrics)).collect();
        section(
            &mut out,
            "Channels (within target: answered within the threshold ÷ contacts due by the end)",
            "channel",
            &rows,
            &CHANNEL_COLUMNS,
        );
    }
    let figure = |name: &str| s.totals.get(name).and_then(|e| e.mean).unwrap_or(0.0);
    if figure("resolution_rate") < 1.0 || figure("outsourced") > 0.0 || figure("cost") > 0.0 {
        let title = if s.currency.is_empty() {
            "Resolution, vendors and cost".to_owned()
        } else {
            format!("Resolution, vendors and cost (cost in {})", s.currency)
        };
        section(&mut out, &title, "call type", &rows, &OUTCOME_COLUMNS);
    }
    let rows: Vec<(String, &Metrics)> = s.groups.iter().map(|g| (g.name.clone(), &g.metrics)).collect();
    section(&mut out, "Agent groups", "group", &rows, &GROUP_COLUMNS);
    let rows: Vec<(String, &Metrics)> = s.intervals.iter().map(|i| (i.start.clone(), &i.metrics)).collect();
    let targets: RowTargets = vec![Some((t.answer_rate, t.service_level)); rows.len()];
    section_marked(
        &mut out,
        "Intervals (all call types)",
        "start",
        &rows,
        &CALL_COLUMNS,
        &targets,
        colour,
    );
    out
}
