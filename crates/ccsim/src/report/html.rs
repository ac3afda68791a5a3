//! One self-contained HTML file for planners: a summary table with targets met or
//! missed, then charts (inline SVG drawn with plotters, no script, no network) of service
//! level and answer rate per interval against their targets with the 95 % band, contacts
//! per interval, agents and occupancy per group, waits, and escalations, vendor share and
//! cost where the centre has them, and a part for chat and email where the centre has
//! them. Every series of a chart is drawn (colours and markers cycle), its legend below
//! the axes; money carries its currency and thousands separators. The document is well-formed XML (XHTML syntax), so
//! tests and other tools can parse it.

use std::fmt::Write;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::model::{Channel, Model};
use crate::staff::StaffPlan;
use crate::summary::{Estimate, Metrics, Summary};
use crate::targets::Status;

/// One line of a chart: a value per interval (`None`: undefined there) and, optionally,
/// its 95 % band.
struct Series {
    name: String,
    values: Vec<Option<f64>>,
    band: bool,
    half_widths: Vec<Option<f64>>,
    color: RGBColor,
    /// Which marker shape: circle, triangle, square or cross (cycling).
    marker: usize,
    dashed: bool,
}

/// Ten colours that stay apart from each other (Tableau 10); with the markers, which
/// cycle with a different period, any number of series stays distinguishable.
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Series number `n` of a chart: its colour (from the palette) and marker.
fn series(name: &str, estimates: impl Iterator<Item = Option<Estimate>>, band: bool, n: usize) -> Series {
    let (values, half_widths) = estimates
        .map(|e| (e.and_then(|e| e.mean), e.and_then(|e| e.ci95)))
        .unzip();
    Series {
        name: name.to_owned(),
        values,
        band,
        half_widths,
        color: PALETTE[n % PALETTE.len()],
        marker: (n / PALETTE.len()) % 4,
        dashed: false,
    }
}

impl Series {
    /// The same series drawn dashed with another marker (e.g. a requirement beside the
    /// figure it is for, in the same colour).
    fn dashed(mut self) -> Series {
        self.dashed = true;
        self.marker = (self.marker + 1) % 4;
        self
    }

    /// Every value (and half-width) multiplied by `factor`, for another unit.
    fn scaled(mut self, factor: f64) -> Series {
        for v in self.values.iter_mut().chain(self.half_widths.iter_mut()).flatten() {
            *v *= factor;
        }
        self
    }
}

/// A horizontal reference line: a target or a cap.
struct Reference {
    value: f64,
    name: String,
}

/// What the values of a chart's y axis are.
#[derive(Clone, Copy)]
enum Axis {
    /// Shares from 0 to 1, labelled as percentages.
    Percent,
    /// Counts, seconds, agents: plain numbers with thousands separators.
    Number,
    /// Money: numbers with thousands separators (the currency is in the axis title).
    Money,
}

/// `x` with `decimals` decimals and a comma between thousands: `13,128.48`.
fn thousands(x: f64, decimals: usize) -> String {
    let text = format!("{:.decimals$}", x.abs());
    let (whole, fraction) = text
        .split_once('.')
        .map_or((text.as_str(), None), |(w, f)| (w, Some(f)));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let negative = x < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0');
    format!(
        "{}{grouped}{}",
        if negative { "-" } else { "" },
        fraction.map_or(String::new(), |f| format!(".{f}"))
    )
}

/// An amount of money with its currency: `EUR 13,128.48`.
fn money(x: f64, currency: &str) -> String {
    if currency.is_empty() {
        thousands(x, 2)
    } else {
        format!("{currency} {}", thousands(x, 2))
    }
}

/// A money cell: `EUR 13,128.48 ± 17.63`.
fn money_cell(e: Option<Estimate>, currency: &str) -> String {
    match e {
        Some(Estimate { mean: Some(m), ci95 }) => match ci95 {
            Some(c) => format!("{} ± {}", money(m, currency), thousands(c, 2)),
            None => money(m, currency),
        },
        _ => "–".into(),
    }
}

/// Chart canvas width and the height of its plot (title, axes and plotting area); the
/// legend is added below.
const WIDTH: u32 = 900;
const PLOT_HEIGHT: u32 = 340;
const LEGEND_FONT: u32 = 13;
const LEGEND_ROW: u32 = 20;
const LEGEND_MARGIN: u32 = 12;

/// How the legend's entries are laid out below the plot: (columns, column width, height).
fn legend_layout(names: &[&str]) -> (usize, u32, u32) {
    if names.is_empty() {
        return (1, WIDTH, 0);
    }
    // Sans-serif at 13 px averages well under 7.5 px a character.
    let longest = names.iter().map(|n| n.chars().count()).max().unwrap_or(0) as u32;
    let column = longest * 15 / 2 + 44;
    let columns = ((WIDTH - 2 * LEGEND_MARGIN) / column).clamp(1, names.len() as u32) as usize;
    let rows = names.len().div_ceil(columns) as u32;
    (columns, column, rows * LEGEND_ROW + LEGEND_MARGIN)
}

/// A marker at a pixel of the legend, or a point of the plot.
fn draw_marker<DB: DrawingBackend, CT: CoordTranslate>(
    area: &DrawingArea<DB, CT>,
    at: CT::From,
    shape: usize,
    color: RGBColor,
) {
    let _ = match shape % 4 {
        0 => area.draw(&Circle::new(at, 3, color.filled())),
        1 => area.draw(&TriangleMarker::new(at, 4, color.filled())),
        2 => area.draw(&(EmptyElement::at(at) + Rectangle::new([(-3, -3), (3, 3)], color.filled()))),
        _ => area.draw(&Cross::new(at, 3, color.stroke_width(2))),
    };
}

/// A line chart over the intervals as an SVG string, with reference lines (targets,
/// caps) and a legend below the plot, where it cannot cover a line.
fn chart(
    title: &str,
    y_label: &str,
    labels: &[String],
    lines: &[Series],
    references: &[Reference],
    axis: Axis,
) -> String {
    let n = labels.len().max(1);
    let percent = matches!(axis, Axis::Percent);
    let top = lines
        .iter()
        .flat_map(|s| {
            s.values
                .iter()
                .zip(&s.half_widths)
                .map(|(v, h)| v.unwrap_or(0.0) + h.unwrap_or(0.0))
        })
        .chain(references.iter().map(|r| r.value))
        .fold(0.0f64, f64::max);
    // Rates on a 0–100 % axis; other figures with a little headroom.
    let top = if percent { 1.0 } else { (top * 1.1).max(1e-9) };
    let mut names: Vec<&str> = lines.iter().map(|s| s.name.as_str()).collect();
    names.extend(references.iter().map(|r| r.name.as_str()));
    let (columns, column, legend_height) = legend_layout(&names);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, PLOT_HEIGHT + legend_height)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let (plot, legend) = root.split_vertically(PLOT_HEIGHT);
        let built = ChartBuilder::on(&plot)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(76)
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..top);
        let Ok(mut c) = built else { return String::new() };
        let step = (n / 12).max(1);
        let decimals = if top >= 20.0 { 0 } else { 1 };
        let _ = c
            .configure_mesh()
            .x_labels(n.min(24))
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < labels.len() && (i as usize).is_multiple_of(step)
                {
                    labels[i as usize].clone()
                } else {
                    String::new()
                }
            })
            .x_desc("interval start")
            .y_desc(y_label)
            .y_label_formatter(&|y| match axis {
                Axis::Percent => format!("{:.0}%", y * 100.0),
                Axis::Number | Axis::Money => thousands(*y, decimals),
            })
            .light_line_style(WHITE.mix(0.0))
            .draw();
        for s in lines {
            // Contiguous runs of defined values, so an empty interval breaks the line.
            let mut runs: Vec<Vec<(f64, f64, f64)>> = vec![Vec::new()];
            for (i, (v, h)) in s.values.iter().zip(&s.half_widths).enumerate() {
                match v {
                    Some(v) => runs.last_mut().expect("one run").push((i as f64, *v, h.unwrap_or(0.0))),
                    None => runs.push(Vec::new()),
                }
            }
            for run in runs.iter().filter(|r| !r.is_empty()) {
                if s.band {
                    let upper = run.iter().map(|&(x, v, h)| (x, (v + h).min(top)));
                    let lower = run.iter().rev().map(|&(x, v, h)| (x, (v - h).max(0.0)));
                    let _ = c.draw_series(std::iter::once(Polygon::new(
                        upper.chain(lower).collect::<Vec<_>>(),
                        s.color.mix(0.18).filled(),
                    )));
                }
                let points = run.iter().map(|&(x, v, _)| (x, v));
                if s.dashed {
                    let _ = c.draw_series(DashedLineSeries::new(points, 6, 4, s.color.stroke_width(2)));
                } else {
                    let _ = c.draw_series(LineSeries::new(points, s.color.stroke_width(2)));
                }
                for &(x, v, _) in run {
                    draw_marker(c.plotting_area(), (x, v), s.marker, s.color);
                }
            }
        }
        let gray = RGBColor(60, 60, 60);
        for (k, r) in references.iter().enumerate() {
            let style = gray.stroke_width(1);
            let ends = vec![(-0.5, r.value), (n as f64 - 0.5, r.value)];
            let _ = if k == 0 {
                c.draw_series(std::iter::once(PathElement::new(ends, style)))
            } else {
                c.draw_series(DashedLineSeries::new(ends, 8, 4, style))
            };
        }
        // The legend, in its own area below the axes: one entry per series, then per
        // reference line, in as many columns as fit.
        let font = ("sans-serif", LEGEND_FONT)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        let entries = lines
            .iter()
            .map(|s| (s.name.as_str(), s.color, Some(s.marker), s.dashed))
            .chain(
                references
                    .iter()
                    .enumerate()
                    .map(|(k, r)| (r.name.as_str(), gray, None, k > 0)),
            );
        for (k, (name, color, marker, dashed)) in entries.enumerate() {
            let x = (LEGEND_MARGIN + (k % columns) as u32 * column) as i32;
            let y = ((k / columns) as u32 * LEGEND_ROW + LEGEND_ROW / 2) as i32;
            let style = color.stroke_width(if marker.is_some() { 2 } else { 1 });
            let _ = if dashed {
                legend
                    .draw(&PathElement::new(vec![(x, y), (x + 9, y)], style))
                    .and_then(|_| legend.draw(&PathElement::new(vec![(x + 15, y), (x + 24, y)], style)))
            } else {
                legend.draw(&PathElement::new(vec![(x, y), (x + 24, y)], style))
            };
            if let Some(m) = marker {
                draw_marker(&legend, (x + 12, y), m, color);
            }
            let _ = legend.draw(&Text::new(name.to_owned(), (x + 30, y), font.clone()));
        }
        let _ = root.present();
    }
    svg
}

/// Text for XHTML: markup escaped, and control characters (not allowed in XML) dropped.
fn escape(text: &str) -> String {
    text.chars()
        .filter(|&c| !c.is_control() || c == '\n' || c == '\t')
        .collect::<String>()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn figure(out: &mut String, id: &str, svg: &str) {
    if svg.is_empty() {
        return;
    }
    // Drop the SVG's own XML declaration, if any, to embed it.
    let svg = svg.trim_start_matches(|c| c != '<');
    let _ = writeln!(out, "<figure class=\"chart\" id=\"{id}\">{svg}</figure>");
}

fn cell(e: Option<Estimate>, percent: bool, decimals: usize) -> String {
    match e {
        Some(Estimate { mean: Some(m), ci95 }) => {
            let (m, c) = if percent {
                (m * 100.0, ci95.map(|c| c * 100.0))
            } else {
                (m, ci95)
            };
            let unit = if percent { "%" } else { "" };
            match c {
                Some(c) => format!("{m:.decimals$}{unit} ± {c:.decimals$}"),
                None => format!("{m:.decimals$}{unit}"),
            }
        }
        _ => "–".into(),
    }
}

/// The CSS class and the words of a verdict.
fn verdict(status: Option<Status>) -> (&'static str, &'static str) {
    match status {
        Some(Status::Met) => ("met", "met"),
        Some(Status::Missed) => ("missed", "missed"),
        Some(Status::WithinNoise) => ("noise", "within noise"),
        Some(Status::NotJudged) => ("noise", "not judged"),
        None => ("", ""),
    }
}

const STYLE: &str = "body{font-family:sans-serif;margin:2em;color:#222;max-width:960px}\
table{border-collapse:collapse;margin:1em 0}th,td{padding:.3em .7em;border-bottom:1px solid #ddd;text-align:right}\
th:first-child,td:first-child{text-align:left}td{white-space:nowrap}.met{color:#1a7f37;font-weight:bold}.missed{color:#c62828;font-weight:bold}\
.noise{color:#b26a00;font-weight:bold}figure.chart{margin:1.5em 0}h2{margin-top:2em;border-bottom:2px solid #eee}\
p.note{color:#555;font-size:.9em}";

fn start(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(title)
    );
}

fn end(out: &mut String) {
    out.push_str("</body>\n</html>\n");
}

/// The verdict and the table of targets and totals at the top: each call type judged by
/// its own channel's targets (see [`crate::targets`]), pooled rows by their call types.
fn summary_table(out: &mut String, s: &Summary) {
    let (class, _) = verdict(s.verdict);
    match s.verdict {
        Some(Status::Met) => {
            let _ = writeln!(
                out,
                "<p id=\"verdict\" class=\"{class}\">Every call type meets its targets.</p>"
            );
        }
        Some(_) => {
            out.push_str("<ul id=\"verdict\">\n");
            for c in &s.call_types {
                for j in c
                    .targets
                    .iter()
                    .filter(|j| j.status.is_some_and(|st| st != Status::Met))
                {
                    let (class, words) = verdict(j.status);
                    let _ = writeln!(
                        out,
                        "<li class=\"{class}\">{}: {}</li>",
                        words,
                        escape(&j.note(&c.name))
                    );
                }
            }
            out.push_str("</ul>\n");
        }
        None => out.push_str("<p id=\"verdict\">Nothing offered: nothing to judge.</p>\n"),
    }
    let figures = [
        ("answer_rate", "answer rate"),
        ("service_level", "service level"),
        ("within_target", "within target"),
    ];
    out.push_str("<table id=\"summary\">\n<tr><th>call type</th><th>channel</th><th>offered</th><th>answered</th>");
    for (_, label) in figures {
        let _ = write!(out, "<th>{label}</th><th>target</th><th></th>");
    }
    out.push_str("<th>ASA (s)</th><th>targets</th></tr>\n");
    let mut row =
        |name: &str, channel: &str, m: &Metrics, judged: &[crate::targets::Judged], overall: Option<Status>| {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
                escape(name),
                channel,
                cell(m.get("offered"), false, 1),
                cell(m.get("answered"), false, 1),
            );
            for (key, _) in figures {
                match judged.iter().find(|j| j.metric == key) {
                    Some(j) => {
                        let (class, words) = verdict(j.status);
                        let _ = write!(
                            out,
                            "<td>{}</td><td>{:.0}%</td><td class=\"{class}\">{words}</td>",
                            cell(m.get(key), true, 1),
                            j.target.bound * 100.0
                        );
                    }
                    None => {
                        let _ = write!(out, "<td>{}</td><td>–</td><td></td>", cell(m.get(key), true, 1));
                    }
                }
            }
            let (class, words) = verdict(overall);
            let _ = writeln!(
                out,
                "<td>{}</td><td class=\"{class}\">{words}</td></tr>",
                cell(m.get("asa_seconds"), false, 1)
            );
        };
    let all = if s.channels.len() > 1 {
        "all contacts (every channel)"
    } else {
        "all"
    };
    row(all, "", &s.totals, &[], s.verdict);
    for (j, c) in s.call_types.iter().enumerate() {
        let channel = s.call_type_channels.get(j).map_or("", |c| c.name());
        row(&c.name, channel, &c.metrics, &c.targets, c.verdict);
    }
    out.push_str("</table>\n");
    // The wait distribution of answered contacts and the queue, over the window.
    let waits = [
        ("wait_p50_seconds", "p50 wait (s)"),
        ("wait_p90_seconds", "p90 wait (s)"),
        ("wait_p95_seconds", "p95 wait (s)"),
        ("max_wait_seconds", "longest wait (s)"),
        ("mean_wait_seconds", "mean wait, callers whose wait ended (s)"),
        ("avg_queue_length", "average queue"),
        ("max_queue_length", "longest queue"),
    ];
    out.push_str("<table id=\"waits\">\n<tr><th>call type</th>");
    for (_, label) in waits {
        let _ = write!(out, "<th>{label}</th>");
    }
    out.push_str("</tr>\n");
    // With several channels, each channel's row too: the total's longest wait and queue
    // may be an email backlog's, not the phone queue's.
    let channels: Vec<(String, &Metrics)> = if s.channels.len() > 1 {
        s.channels
            .iter()
            .map(|c| (format!("channel {}", c.name), &c.metrics))
            .collect()
    } else {
        Vec::new()
    };
    for (name, m) in std::iter::once((all, &s.totals))
        .chain(channels.iter().map(|(n, m)| (n.as_str(), *m)))
        .chain(s.call_types.iter().map(|c| (c.name.as_str(), &c.metrics)))
    {
        let _ = write!(out, "<tr><td>{}</td>", escape(name));
        for (key, _) in waits {
            // Queue lengths are often below one: two decimals.
            let decimals = if key.ends_with("queue_length") { 2 } else { 1 };
            let _ = write!(out, "<td>{}</td>", cell(m.get(key), false, decimals));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    let cost = s.totals.get("cost").and_then(|e| e.mean).unwrap_or(0.0);
    let _ = writeln!(
        out,
        "<p>Occupancy {}, {} agent hours{}. Figures are means over {} replications ± the 95 % half-width; \
         \"within noise\" means the figure is closer to its target than its half-width.</p>",
        cell(s.totals.get("occupancy"), true, 1),
        cell(s.totals.get("agent_hours"), false, 1),
        if cost > 0.0 {
            format!(", cost {}", escape(&money_cell(s.totals.get("cost"), &s.currency)))
        } else {
            String::new()
        },
        s.replications
    );
}

/// A reference line named `name` at `value`.
fn reference(value: f64, name: &str) -> Reference {
    Reference {
        value,
        name: name.to_owned(),
    }
}

/// `values` if they are all the same, e.g. the one target of several call types.
fn common(mut values: impl Iterator<Item = f64>) -> Option<f64> {
    let first = values.next()?;
    values.all(|v| v == first).then_some(first)
}

/// The charts of a simulated day; `required` adds the staffing found per group.
fn charts(out: &mut String, s: &Summary, model: &Model, required: Option<&[Vec<u32>]>, searched: &[usize]) {
    let labels: Vec<String> = s.intervals.iter().map(|i| i.start.clone()).collect();
    let per_interval = |metric: &'static str| s.intervals.iter().map(move |i| i.metrics.get(metric));
    let per_type =
        |c: usize, metric: &'static str| s.intervals.iter().map(move |i| i.call_types[c].metrics.get(metric));
    // Calls and chats are judged on service level and answer rate (email on its response
    // target, in the channel section): the charts show those call types, and the pooled
    // line only where every call type is of one channel.
    out.push_str("<h2>Service level and answer rate</h2>\n");
    let judged: Vec<usize> = (0..s.call_types.len())
        .filter(|&c| model.call_types[c].channel != Channel::Email)
        .collect();
    let pooled = s.channels.len() == 1 && judged.len() == s.call_types.len();
    for (metric, id, title, axis) in [
        (
            "service_level",
            "service-level",
            "Service level per interval",
            "service level (%)",
        ),
        (
            "answer_rate",
            "answer-rate",
            "Answer rate per interval",
            "answer rate (%)",
        ),
    ] {
        let mut lines = Vec::new();
        if pooled {
            lines.push(series("all", per_interval(metric), true, 0));
        }
        for &c in &judged {
            lines.push(series(&s.call_types[c].name, per_type(c, metric), false, c + 1));
        }
        let bounds = judged.iter().map(|&c| {
            let ct = &model.call_types[c];
            if metric == "service_level" {
                ct.service_level_target
            } else {
                ct.answer_rate_target
            }
        });
        let references: Vec<Reference> = common(bounds).map(|t| reference(t, "target")).into_iter().collect();
        figure(
            out,
            id,
            &chart(title, axis, &labels, &lines, &references, Axis::Percent),
        );
    }

    out.push_str("<h2>Contacts</h2>\n");
    let mut lines = vec![
        series("offered", per_interval("offered"), true, 0),
        series("answered", per_interval("answered"), true, 2),
        series("abandoned", per_interval("abandoned"), true, 3),
    ];
    // Busy signals, messages, disconnections and callbacks, where the scenario has any.
    for (k, metric) in ["blocked", "messages", "disconnected", "callbacks"]
        .into_iter()
        .enumerate()
    {
        if s.totals.get(metric).and_then(|e| e.mean).is_some_and(|m| m > 0.0) {
            lines.push(series(metric, per_interval(metric), true, 4 + k));
        }
    }
    figure(
        out,
        "contacts",
        &chart("Contacts per interval", "contacts", &labels, &lines, &[], Axis::Number),
    );

    out.push_str("<h2>Agents and occupancy</h2>\n");
    groups_table(out, s);
    let hours = model.clock.interval as f64 / 3.6e9;
    let mut lines = Vec::new();
    for (g, name) in s.groups.iter().map(|g| &g.name).enumerate() {
        let staffed = s.intervals.iter().map(|i| {
            i.groups[g].metrics.get("agent_hours").map(|e| Estimate {
                mean: e.mean.map(|m| m / hours),
                ci95: None,
            })
        });
        lines.push(series(&format!("{name} on duty"), staffed, false, g));
        if let Some(req) = required
            && let Some(j) = searched.iter().position(|&x| x == g)
        {
            let needed = req.iter().map(|row| {
                Some(Estimate {
                    mean: Some(f64::from(row[j])),
                    ci95: None,
                })
            });
            lines.push(series(&format!("{name} required"), needed, false, g).dashed());
        }
    }
    figure(
        out,
        "agents",
        &chart(
            "Agents on duty per interval",
            "agents on duty",
            &labels,
            &lines,
            &[],
            Axis::Number,
        ),
    );
    let lines: Vec<Series> = s
        .groups
        .iter()
        .enumerate()
        .map(|(g, grp)| {
            series(
                &grp.name,
                s.intervals.iter().map(|i| i.groups[g].metrics.get("occupancy")),
                true,
                g,
            )
        })
        .collect();
    let cap: Vec<Reference> = model
        .staffing
        .max_occupancy
        .map(|c| reference(c, "cap"))
        .into_iter()
        .collect();
    figure(
        out,
        "occupancy",
        &chart(
            "Occupancy per group",
            "occupancy (%)",
            &labels,
            &lines,
            &cap,
            Axis::Percent,
        ),
    );

    out.push_str("<h2>Waits</h2>\n");
    let lines = vec![
        series("mean wait of answered (ASA)", per_interval("asa_seconds"), true, 0),
        series(
            "mean time to abandon",
            per_interval("avg_abandon_wait_seconds"),
            true,
            3,
        ),
    ];
    figure(
        out,
        "waits",
        &chart("Waits per interval", "wait (s)", &labels, &lines, &[], Axis::Number),
    );

    let any = |metric: &str| s.totals.get(metric).and_then(|e| e.mean).unwrap_or(0.0) > 0.0;
    if any("escalated") || any("outsourced") || any("cost") {
        out.push_str("<h2>Escalations, vendors and cost</h2>\n");
        if any("escalated") || any("outsourced") {
            let lines = vec![
                series("escalation rate", per_interval("escalation_rate"), true, 4),
                series("outsourced share", per_interval("outsourced_share"), true, 1),
            ];
            figure(
                out,
                "escalations",
                &chart(
                    "Escalations and vendor share",
                    "share of contacts (%)",
                    &labels,
                    &lines,
                    &[],
                    Axis::Percent,
                ),
            );
        }
        if any("cost") {
            cost_table(out, s);
            let lines = vec![series("cost", per_interval("cost"), true, 5)];
            let unit = if s.currency.is_empty() {
                "cost".to_owned()
            } else {
                format!("cost ({})", s.currency)
            };
            figure(
                out,
                "cost",
                &chart("Cost per interval", &unit, &labels, &lines, &[], Axis::Money),
            );
        }
    }
    channels_section(out, s, model);
}

/// Per group: occupancy, contacts handled, agent hours and, where there is any, cost.
fn groups_table(out: &mut String, s: &Summary) {
    let costs = s.totals.get("cost").and_then(|e| e.mean).unwrap_or(0.0) > 0.0;
    out.push_str(
        "<table id=\"groups\">\n<tr><th>group</th><th>occupancy</th><th>handled</th><th>agent hours</th>\
         <th>overtime hours</th>",
    );
    if costs {
        out.push_str("<th>cost</th>");
    }
    out.push_str("</tr>\n");
    for g in &s.groups {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>",
            escape(&g.name),
            cell(g.metrics.get("occupancy"), true, 1),
            cell(g.metrics.get("handled"), false, 1),
            cell(g.metrics.get("agent_hours"), false, 1),
            cell(g.metrics.get("overtime_hours"), false, 1),
        );
        if costs {
            let _ = write!(
                out,
                "<td class=\"money\">{}</td>",
                escape(&money_cell(g.metrics.get("cost"), &s.currency))
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
}

/// Cost per call type, and per resolved contact.
fn cost_table(out: &mut String, s: &Summary) {
    out.push_str("<table id=\"cost\">\n<tr><th>call type</th><th>resolved</th><th>cost</th><th>cost per resolved contact</th></tr>\n");
    let rows = std::iter::once(("all", &s.totals)).chain(s.call_types.iter().map(|c| (c.name.as_str(), &c.metrics)));
    for (name, m) in rows {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"money\">{}</td><td class=\"money\">{}</td></tr>",
            escape(name),
            cell(m.get("resolved"), false, 1),
            escape(&money_cell(m.get("cost"), &s.currency)),
            escape(&money_cell(m.get("cost_per_contact"), &s.currency)),
        );
    }
    out.push_str("</table>\n");
}

/// Seconds in the unit that reads best for the largest of them: (factor, unit).
fn time_unit(largest: f64) -> (f64, &'static str) {
    if largest >= 2.0 * 3600.0 {
        (1.0 / 3600.0, "h")
    } else if largest >= 120.0 {
        (1.0 / 60.0, "min")
    } else {
        (1.0, "s")
    }
}

/// Chat and email, each in its own part: a table per interval and charts of the backlog,
/// the oldest contact waiting, the service level and answer rate (chat) or the share
/// answered within the response target (email), and the chat-slot use of the groups
/// that take chats. Absent for a voice-only centre.
fn channels_section(out: &mut String, s: &Summary, model: &Model) {
    let channels: Vec<(usize, Channel)> = s
        .channels
        .iter()
        .enumerate()
        .filter_map(|(k, c)| {
            Channel::ALL
                .into_iter()
                .find(|ch| ch.name() == c.name)
                .map(|ch| (k, ch))
        })
        .filter(|&(_, ch)| ch != Channel::Voice)
        .collect();
    if channels.is_empty() {
        return;
    }
    let labels: Vec<String> = s.intervals.iter().map(|i| i.start.clone()).collect();
    out.push_str("<section id=\"channels\">\n<h2>Chat and email</h2>\n");
    out.push_str(
        "<p class=\"note\">Per interval: contacts that arrived in it, and the backlog and the age of the \
         oldest contact still waiting at its end. Within target: answered within the response threshold ÷ \
         contacts whose deadline fell before the end of the day.</p>\n",
    );
    for (k, channel) in channels {
        let name = channel.name();
        let types: Vec<_> = model.call_types.iter().filter(|c| c.channel == channel).collect();
        let chat = channel == Channel::Chat;
        let title = if chat { "Chat" } else { "Email" };
        let _ = writeln!(out, "<h3 id=\"channel-{name}\">{title}</h3>");
        let per = |metric: &'static str| s.intervals.iter().map(move |i| i.channels[k].metrics.get(metric));
        // The table: the day, then each interval.
        let columns: &[(&str, &str, bool)] = if chat {
            &[
                ("offered", "offered", false),
                ("answered", "answered", false),
                ("abandoned", "abandoned", false),
                ("answer_rate", "answer rate", true),
                ("service_level", "service level", true),
                ("asa_seconds", "ASA (s)", false),
                ("backlog_end", "waiting at end", false),
                ("oldest_age_seconds", "oldest waiting (s)", false),
            ]
        } else {
            &[
                ("offered", "arrived", false),
                ("answered", "answered", false),
                ("within_target", "within target", true),
                ("asa_seconds", "mean response (s)", false),
                ("backlog_end", "backlog at end", false),
                ("oldest_age_seconds", "oldest waiting (s)", false),
            ]
        };
        let _ = write!(out, "<table id=\"channel-table-{name}\">\n<tr><th>interval</th>");
        for (_, head, _) in columns {
            let _ = write!(out, "<th>{head}</th>");
        }
        out.push_str("</tr>\n");
        let rows = std::iter::once(("day", &s.channels[k].metrics))
            .chain(s.intervals.iter().map(|i| (i.start.as_str(), &i.channels[k].metrics)));
        for (label, m) in rows {
            let _ = write!(out, "<tr><td>{}</td>", escape(label));
            for &(metric, _, percent) in columns {
                // The day's backlog and oldest age are those at the end of the day.
                let _ = write!(out, "<td>{}</td>", cell(m.get(metric), percent, 1));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</table>\n");

        let backlog = vec![series(&format!("{name} waiting"), per("backlog_end"), true, 0)];
        figure(
            out,
            &format!("{name}-backlog"),
            &chart(
                &format!("{title} backlog at the end of each interval"),
                "contacts waiting",
                &labels,
                &backlog,
                &[],
                Axis::Number,
            ),
        );
        let largest = per("oldest_age_seconds")
            .filter_map(|e| e.and_then(|e| e.mean))
            .fold(0.0, f64::max);
        let (factor, unit) = time_unit(largest);
        let oldest = vec![series(&format!("oldest {name} waiting"), per("oldest_age_seconds"), true, 3).scaled(factor)];
        figure(
            out,
            &format!("{name}-oldest"),
            &chart(
                &format!("Age of the oldest {name} waiting at the end of each interval"),
                &format!("age ({unit})"),
                &labels,
                &oldest,
                &[],
                Axis::Number,
            ),
        );
        if chat {
            let lines = vec![
                series("service level", per("service_level"), true, 0),
                series("answer rate", per("answer_rate"), true, 2),
            ];
            let mut targets = Vec::new();
            if let Some(t) = common(types.iter().map(|c| c.service_level_target)) {
                targets.push(reference(t, "service level target"));
            }
            if let Some(t) = common(types.iter().map(|c| c.answer_rate_target)) {
                targets.push(reference(t, "answer rate target"));
            }
            figure(
                out,
                "chat-service",
                &chart(
                    "Chat service level and answer rate per interval",
                    "share of chats (%)",
                    &labels,
                    &lines,
                    &targets,
                    Axis::Percent,
                ),
            );
            let lines: Vec<Series> = model
                .groups
                .iter()
                .enumerate()
                .filter(|(_, g)| g.serves_chat())
                .map(|(g, grp)| {
                    series(
                        &grp.name,
                        s.intervals.iter().map(|i| i.groups[g].metrics.get("slot_utilisation")),
                        true,
                        g,
                    )
                })
                .collect();
            if !lines.is_empty() {
                figure(
                    out,
                    "chat-slots",
                    &chart(
                        "Chat slots in use, per group that takes chats",
                        "slot utilisation (%)",
                        &labels,
                        &lines,
                        &[],
                        Axis::Percent,
                    ),
                );
            }
        } else {
            let lines = vec![series("within target", per("within_target"), true, 0)];
            let targets: Vec<Reference> = common(types.iter().map(|c| c.service_level_target))
                .map(|t| reference(t, "target"))
                .into_iter()
                .collect();
            figure(
                out,
                "email-within-target",
                &chart(
                    "Emails answered within their response target",
                    "within target (%)",
                    &labels,
                    &lines,
                    &targets,
                    Axis::Percent,
                ),
            );
        }
    }
    out.push_str("</section>\n");
}

/// The report of `ccsim run`.
pub fn run_report(s: &Summary, model: &Model) -> String {
    let mut out = String::new();
    start(&mut out, &format!("{} — ccsim", s.scenario));
    let _ = writeln!(out, "<h1>{}</h1>", escape(&s.scenario));
    summary_table(&mut out, s);
    charts(&mut out, s, model, None, &[]);
    end(&mut out);
    out
}

/// The report of `ccsim staff`: the staffing per interval, then the simulated day at it.
pub fn staff_report(plan: &StaffPlan) -> String {
    let s = &plan.summary;
    let mut out = String::new();
    start(&mut out, &format!("{} — staffing — ccsim", s.scenario));
    let _ = writeln!(out, "<h1>Staffing: {}</h1>", escape(&s.scenario));
    summary_table(&mut out, s);
    out.push_str("<h2>Agents needed</h2>\n<table id=\"staffing\">\n<tr><th>interval</th>");
    for &g in &plan.groups {
        let _ = write!(out, "<th>{} on duty (paid)</th>", escape(&plan.model.groups[g].name));
    }
    out.push_str("<th>service level</th><th>P(targets met)</th><th></th></tr>\n");
    for (k, i) in s.intervals.iter().enumerate() {
        let _ = write!(out, "<tr><td>{}</td>", escape(&i.start));
        for j in 0..plan.groups.len() {
            let _ = write!(out, "<td>{} ({})</td>", plan.agents[k][j], plan.paid(k, j));
        }
        // The flag, then what the interval's note says: which target fails or binds.
        let (class, flag) = if plan.unreachable[k] {
            ("missed", "unreachable")
        } else if plan.missed[k] {
            ("missed", "missed over the day")
        } else if plan.within_noise[k] {
            ("noise", "within noise")
        } else {
            ("", "")
        };
        let text = crate::report::staff::interval_note(plan, k);
        let note = format!(
            "<td class=\"{class}\">{}{}{}</td>",
            flag,
            if flag.is_empty() || text.is_empty() { "" } else { ": " },
            escape(&text)
        );
        let _ = writeln!(
            out,
            "<td>{}</td><td>{}</td>{note}</tr>",
            cell(i.metrics.get("service_level"), true, 1),
            plan.p_met[k].map_or("–".into(), |p| format!("{:.0}%", p * 100.0)),
        );
    }
    out.push_str("</table>\n");
    for (line, missed) in crate::report::staff::day_notes(plan) {
        let class = if missed { " class=\"missed\"" } else { "" };
        let _ = writeln!(out, "<p{class}>{}</p>", escape(&line));
    }
    charts(&mut out, s, &plan.model, Some(&plan.agents), &plan.groups);
    end(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_has_thousands_separators_and_the_currency() {
        assert_eq!(thousands(0.0, 2), "0.00");
        assert_eq!(thousands(999.5, 1), "999.5");
        assert_eq!(thousands(1000.0, 0), "1,000");
        assert_eq!(thousands(1_234_567.891, 2), "1,234,567.89");
        assert_eq!(thousands(-1234.5, 2), "-1,234.50");
        assert_eq!(thousands(-0.001, 2), "0.00");
        assert_eq!(money(13128.484, "EUR"), "EUR 13,128.48");
        assert_eq!(money(13128.484, ""), "13,128.48");
        let e = Estimate {
            mean: Some(13128.48),
            ci95: Some(1017.63),
        };
        assert_eq!(money_cell(Some(e), "EUR"), "EUR 13,128.48 ± 1,017.63");
    }
}
