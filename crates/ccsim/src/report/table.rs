//! The table people read in a terminal: totals, call types, groups and intervals, each
//! figure with its 95 % half-width, rates in percent, waits in seconds; answer rate and
//! service level marked ✓ (target met), ✗ (missed) or ≈ (within the noise of the
//! target), in colour only when printing to a terminal.

use std::fmt::Write;

use crate::Summary;
use crate::summary::{Estimate, Metrics, Named};
use crate::targets::{Judged, Status};

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
    let mut text = String::new();
    fixed(&mut text, m * scale, decimals);
    text.push_str(suffix);
    if let Some(c) = ci95 {
        text.push_str(" ±");
        fixed(&mut text, c * scale, decimals);
    }
    text
}

/// Appends `x` with `decimals` digits after the point, as `format!("{x:.decimals$}")`
/// writes it. A whole number (a count of one replication: most figures of a long
/// table) is written as an integer and zeros, which is the same text without the cost
/// of exact float formatting; others take that.
fn fixed(out: &mut String, x: f64, decimals: usize) {
    if x.fract() == 0.0 && x.is_sign_positive() && x < 1e15 {
        let _ = write!(out, "{}", x as u64);
        if decimals > 0 {
            out.push('.');
            out.extend(std::iter::repeat_n('0', decimals));
        }
    } else {
        let _ = write!(out, "{x:.decimals$}");
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

/// The wait distribution and the queue, over the window.
const WAIT_COLUMNS: [(&str, &str, Unit); 7] = [
    ("wait_p50_seconds", "p50 wait", Unit::Seconds),
    ("wait_p90_seconds", "p90 wait", Unit::Seconds),
    ("wait_p95_seconds", "p95 wait", Unit::Seconds),
    ("max_wait_seconds", "longest wait", Unit::Seconds),
    ("mean_wait_seconds", "mean wait (all)", Unit::Seconds),
    ("avg_queue_length", "avg queue", Unit::Ratio),
    ("max_queue_length", "max queue", Unit::Ratio),
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

/// Shown when calls can be blocked, leave messages or be disconnected at the close.
const LINE_COLUMNS: [(&str, &str, Unit); 7] = [
    ("offered", "offered", Unit::Count),
    ("blocked", "blocked", Unit::Count),
    ("block_rate", "block rate", Unit::Percent),
    ("retries", "retries", Unit::Count),
    ("messages", "messages", Unit::Count),
    ("disconnected", "disconnected", Unit::Count),
    ("unfinished", "unfinished", Unit::Count),
];

/// Shown when callers accept callbacks (virtual hold).
const CALLBACK_COLUMNS: [(&str, &str, Unit); 6] = [
    ("offered", "offered", Unit::Count),
    ("callbacks", "callbacks", Unit::Count),
    ("callbacks_reached", "reached", Unit::Count),
    ("callbacks_missed", "missed", Unit::Count),
    ("callback_success", "success", Unit::Percent),
    ("avg_callback_delay_seconds", "time to callback", Unit::Seconds),
];

/// How a verdict is shown: a symbol, painted on a terminal.
fn symbol(status: Status) -> &'static str {
    match status {
        Status::Met => "✓",
        Status::Missed => "✗",
        Status::WithinNoise => "≈",
        Status::NotJudged => "?",
    }
}

fn paint(status: Status, text: &str, colour: bool) -> String {
    if !colour {
        return text.to_owned();
    }
    let style = match status {
        Status::Met => anstyle::AnsiColor::Green.on_default(),
        Status::Missed => anstyle::AnsiColor::Red.on_default().bold(),
        Status::WithinNoise | Status::NotJudged => anstyle::AnsiColor::Yellow.on_default(),
    };
    format!("{style}{text}{style:#}")
}

/// One row of a section: its label, its figures, the targets judged on them (marked in
/// their columns) and, where the section has a verdict column, the row's verdict text.
struct Row<'a> {
    label: String,
    metrics: &'a Metrics,
    judged: &'a [Judged],
    verdict: Option<(Status, String)>,
}

impl<'a> Row<'a> {
    /// A call type's or channel's row, marked on its judged targets.
    fn of(n: &'a Named) -> Row<'a> {
        Row {
            label: n.name.clone(),
            metrics: &n.metrics,
            judged: &n.targets,
            verdict: n.verdict.map(|v| (v, symbol(v).to_owned())),
        }
    }

    fn plain(label: String, metrics: &'a Metrics) -> Row<'a> {
        Row {
            label,
            metrics,
            judged: &[],
            verdict: None,
        }
    }
}

/// Rows of (label, metrics) under a header, columns padded to their widest cell.
fn section(out: &mut String, title: &str, label: &str, rows: &[(String, &Metrics)], columns: &[(&str, &str, Unit)]) {
    let rows: Vec<Row> = rows.iter().map(|(l, m)| Row::plain(l.clone(), m)).collect();
    section_marked(out, title, label, &rows, columns, false);
}

/// As [`section`], each figure that has a target marked ✓, ✗ or ≈, and a `targets`
/// column where any row has a verdict.
fn section_marked(
    out: &mut String,
    title: &str,
    label: &str,
    rows: &[Row],
    columns: &[(&str, &str, Unit)],
    colour: bool,
) {
    let verdicts = rows.iter().any(|r| r.verdict.is_some());
    let mut header: Vec<String> = std::iter::once(label.to_owned())
        .chain(columns.iter().map(|c| c.1.to_owned()))
        .collect();
    if verdicts {
        header.push("targets".to_owned());
    }
    let mut table: Vec<Vec<String>> = vec![header];
    // Marks are painted after padding, so colour codes never upset the alignment.
    let mut marks: Vec<Vec<Option<Status>>> = vec![vec![None; columns.len() + 2]];
    for row in rows {
        let mut r = vec![row.label.clone()];
        let mut row_marks = vec![None];
        // A column missing from these metrics (occupancy of a call type) stays empty.
        for &(key, _, unit) in columns {
            let e = row.metrics.get(key);
            let mark = row.judged.iter().find(|j| j.metric == key).and_then(|j| j.status);
            let text = if e.is_some() { cell(e, unit) } else { String::new() };
            r.push(match mark {
                Some(m) => format!("{text} {}", symbol(m)),
                None => text,
            });
            row_marks.push(mark);
        }
        if verdicts {
            match &row.verdict {
                Some((status, text)) => {
                    r.push(text.clone());
                    row_marks.push(Some(*status));
                }
                None => {
                    r.push(String::new());
                    row_marks.push(None);
                }
            }
        }
        table.push(r);
        marks.push(row_marks);
    }
    let _ = writeln!(out, "\n{title}");
    out.push_str(&aligned_painted(
        &table,
        &|r, c, text, line| match marks[r].get(c).copied().flatten() {
            Some(m) => line.push_str(&paint(m, text, colour)),
            None => line.push_str(text),
        },
    ));
}

/// The call types that miss (or lie within the noise of) a target, as notes.
fn misses<'a>(call_types: &'a [Named]) -> impl Iterator<Item = (Status, String)> + 'a {
    call_types.iter().flat_map(|c| {
        c.targets
            .iter()
            .filter(|j| matches!(j.status, Some(Status::Missed | Status::WithinNoise | Status::NotJudged)))
            .map(|j| (j.status.expect("filtered"), j.note(&c.name)))
    })
}

/// A pooled row's verdict text: "✓", or "✗ billing, chat" naming the call types that miss.
fn verdict_text(verdict: Option<Status>, call_types: &[Named]) -> Option<(Status, String)> {
    let status = verdict?;
    let named: Vec<&str> = call_types
        .iter()
        .filter(|c| c.verdict == Some(status) && status != Status::Met)
        .map(|c| c.name.as_str())
        .collect();
    Some(if named.is_empty() {
        (status, symbol(status).to_owned())
    } else {
        (status, format!("{} {}", symbol(status), named.join(", ")))
    })
}

/// Rows as aligned text: the first column left-aligned, the others right-aligned, two
/// spaces apart.
pub fn aligned(rows: &[Vec<String>]) -> String {
    aligned_painted(rows, &|_, _, text, line| line.push_str(text))
}

/// As [`aligned`], each cell written by `paint(row, column, text, line)` after its width
/// is taken, so colour codes never upset the alignment.
fn aligned_painted(rows: &[Vec<String>], paint: &dyn Fn(usize, usize, &str, &mut String)) -> String {
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
    let mut line = String::new();
    let pad = |line: &mut String, n: usize| line.extend(std::iter::repeat_n(' ', n));
    for (r, row) in rows.iter().enumerate() {
        line.clear();
        line.push(' ');
        for (c, text) in row.iter().enumerate() {
            let width = widths[c] - text.chars().count();
            if c == 0 {
                line.push(' ');
                paint(r, c, text, &mut line);
                pad(&mut line, width);
            } else {
                line.push_str("  ");
                pad(&mut line, width);
                paint(r, c, text, &mut line);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
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
    let _ = writeln!(
        out,
        "Targets: each call type by its channel's (calls and chats: service level and answer rate; email: within target). ✓ met, ✗ missed, ≈ within the noise, ? not judged"
    );
    match s.verdict {
        Some(Status::Met) => {
            let _ = writeln!(
                out,
                "  {}",
                paint(Status::Met, "✓ every call type meets its targets", colour)
            );
        }
        Some(_) => {
            for (status, note) in misses(&s.call_types) {
                let _ = writeln!(
                    out,
                    "  {}",
                    paint(status, &format!("{} {note}", symbol(status)), colour)
                );
            }
        }
        None => {
            let _ = writeln!(out, "  nothing offered: nothing to judge");
        }
    }
    let has_email = s.channels.iter().any(|c| c.name == "email");
    let call_columns: Vec<(&str, &str, Unit)> = CALL_COLUMNS
        .iter()
        .copied()
        .flat_map(|c| {
            let within = ("within_target", "within target", Unit::Percent);
            let extra = (has_email && c.0 == "asa_seconds").then_some(within);
            extra.into_iter().chain(std::iter::once(c))
        })
        .collect();
    let several_channels = s.channels.len() > 1;
    let mut rows = vec![Row {
        label: if several_channels {
            "all contacts (every channel)".into()
        } else {
            "all".into()
        },
        metrics: &s.totals,
        judged: &[],
        verdict: verdict_text(s.verdict, &s.call_types),
    }];
    rows.extend(s.call_types.iter().map(Row::of));
    section_marked(&mut out, "Call types", "call type", &rows, &call_columns, colour);
    // With several channels, each channel's row too: the total's longest wait and queue
    // may be an email backlog's, not the phone queue's.
    let several_channels = s.channels.iter().any(|c| c.name != "voice");
    let waits: Vec<(String, &Metrics)> = std::iter::once(("all contacts".to_owned(), &s.totals))
        .chain(
            s.channels
                .iter()
                .filter(|_| several_channels)
                .map(|c| (format!("channel {}", c.name), &c.metrics)),
        )
        .chain(s.call_types.iter().map(|c| (c.name.clone(), &c.metrics)))
        .collect();
    section(
        &mut out,
        "Waits of answered contacts (quantiles, longest) and the queue (mean wait: every caller whose wait ended)",
        "call type",
        &waits,
        &WAIT_COLUMNS,
    );
    if s.channels.iter().any(|c| c.name != "voice") {
        let rows: Vec<Row> = s.channels.iter().map(Row::of).collect();
        section_marked(
            &mut out,
            "Channels (within target: of the contacts due inside the window, those answered within the threshold)",
            "channel",
            &rows,
            &CHANNEL_COLUMNS,
            colour,
        );
    }
    let figure = |name: &str| s.totals.get(name).and_then(|e| e.mean).unwrap_or(0.0);
    if figure("resolution_rate") < 1.0 || figure("outsourced") > 0.0 || figure("cost") > 0.0 {
        let title = if s.currency.is_empty() {
            "Resolution, vendors and cost".to_owned()
        } else {
            format!("Resolution, vendors and cost (cost in {})", s.currency)
        };
        let rows: Vec<(String, &Metrics)> = std::iter::once((rows[0].label.clone(), &s.totals))
            .chain(s.call_types.iter().map(|c| (c.name.clone(), &c.metrics)))
            .collect();
        section(&mut out, &title, "call type", &rows, &OUTCOME_COLUMNS);
    }
    if ["blocked", "messages", "disconnected"].iter().any(|m| figure(m) > 0.0) {
        let rows: Vec<(String, &Metrics)> = std::iter::once((rows[0].label.clone(), &s.totals))
            .chain(s.call_types.iter().map(|c| (c.name.clone(), &c.metrics)))
            .collect();
        section(
            &mut out,
            "Busy signals, messages and closing (offered = answered + abandoned + blocked + messages + disconnected + unfinished)",
            "call type",
            &rows,
            &LINE_COLUMNS,
        );
    }
    if figure("callbacks") > 0.0 {
        let rows: Vec<(String, &Metrics)> = std::iter::once((rows[0].label.clone(), &s.totals))
            .chain(s.call_types.iter().map(|c| (c.name.clone(), &c.metrics)))
            .collect();
        section(
            &mut out,
            "Callbacks (reached: counted answered, wait from the call to the answer; missed: counted abandoned)",
            "call type",
            &rows,
            &CALLBACK_COLUMNS,
        );
    }
    let rows: Vec<(String, &Metrics)> = s.groups.iter().map(|g| (g.name.clone(), &g.metrics)).collect();
    section(&mut out, "Agent groups", "group", &rows, &GROUP_COLUMNS);
    let rows: Vec<Row> = s
        .intervals
        .iter()
        .map(|i| Row {
            label: i.start.clone(),
            metrics: &i.metrics,
            judged: &[],
            verdict: verdict_text(i.verdict, &i.call_types),
        })
        .collect();
    let title = if several_channels {
        "Intervals (customer contacts of every channel; targets: each call type on its own)"
    } else {
        "Intervals (all call types; targets: each call type on its own)"
    };
    section_marked(&mut out, title, "start", &rows, &CALL_COLUMNS, colour);
    out
}
