//! One self-contained HTML file for planners: a summary table with targets met or
//! missed, then charts (inline SVG drawn with plotters, no script, no network) of service
//! level and answer rate per interval against their targets with the 95 % band, contacts
//! per interval, agents and occupancy per group, waits, and escalations, vendor share and
//! cost where the centre has them. The document is well-formed XML (XHTML syntax), so
//! tests and other tools can parse it.

use std::fmt::Write;

use plotters::prelude::*;

use crate::model::Model;
use crate::staff::StaffPlan;
use crate::summary::{Estimate, Metrics, Summary};

/// One line of a chart: a value per interval (`None`: undefined there) and, optionally,
/// its 95 % band.
struct Series {
    name: String,
    values: Vec<Option<f64>>,
    band: bool,
    half_widths: Vec<Option<f64>>,
    color: RGBColor,
}

const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

fn series(name: &str, estimates: impl Iterator<Item = Option<Estimate>>, band: bool, color: usize) -> Series {
    let (values, half_widths) = estimates
        .map(|e| (e.and_then(|e| e.mean), e.and_then(|e| e.ci95)))
        .unzip();
    Series {
        name: name.to_owned(),
        values,
        band,
        half_widths,
        color: PALETTE[color % PALETTE.len()],
    }
}

/// A line chart over the intervals as an SVG string, with an optional target line.
fn chart(
    title: &str,
    y_label: &str,
    labels: &[String],
    lines: &[Series],
    target: Option<(f64, &str)>,
    percent: bool,
) -> String {
    let n = labels.len().max(1);
    let mut top = lines
        .iter()
        .flat_map(|s| {
            s.values
                .iter()
                .zip(&s.half_widths)
                .map(|(v, h)| v.unwrap_or(0.0) + h.unwrap_or(0.0))
        })
        .fold(0.0f64, f64::max);
    if let Some((t, _)) = target {
        top = top.max(t);
    }
    // Rates on a 0–100 % axis; other figures with a little headroom.
    let top = if percent { 1.0 } else { (top * 1.1).max(1e-9) };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (900, 320)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let built = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..top);
        let Ok(mut c) = built else { return String::new() };
        let step = (n / 12).max(1);
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
            .y_desc(y_label)
            .y_label_formatter(&|y| {
                if percent {
                    format!("{:.0}%", y * 100.0)
                } else {
                    format!("{y:.1}")
                }
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
                let _ = c.draw_series(LineSeries::new(
                    run.iter().map(|&(x, v, _)| (x, v)),
                    s.color.stroke_width(2),
                ));
                let _ = c.draw_series(run.iter().map(|&(x, v, _)| Circle::new((x, v), 2, s.color.filled())));
            }
            let color = s.color;
            if let Some(first) = runs.iter().find(|r| !r.is_empty()) {
                let (x, v, _) = first[0];
                let _ = c
                    .draw_series(std::iter::once(PathElement::new(vec![(x, v)], color)))
                    .map(|a| {
                        a.label(s.name.clone())
                            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)))
                    });
            }
        }
        if let Some((t, name)) = target {
            let red = RGBColor(60, 60, 60);
            let _ = c
                .draw_series(std::iter::once(PathElement::new(
                    vec![(-0.5, t), (n as f64 - 0.5, t)],
                    red.stroke_width(1),
                )))
                .map(|a| {
                    a.label(name.to_owned())
                        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], red.stroke_width(1)))
                });
        }
        let _ = c
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .position(SeriesLabelPosition::LowerRight)
            .draw();
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

/// "met", "missed" or "within noise" for a figure that must be at least `target`.
fn verdict(e: Option<Estimate>, target: f64) -> (&'static str, &'static str) {
    match e {
        Some(Estimate { mean: Some(m), ci95 }) => {
            if ci95.is_some_and(|c| (m - target).abs() < c) {
                ("noise", "within noise")
            } else if m >= target {
                ("met", "met")
            } else {
                ("missed", "missed")
            }
        }
        _ => ("", ""),
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

/// The table of targets and totals at the top.
fn summary_table(out: &mut String, s: &Summary, model: &Model) {
    out.push_str("<table id=\"summary\">\n<tr><th>call type</th><th>offered</th><th>answered</th><th>answer rate</th><th>target</th><th></th><th>service level</th><th>target</th><th></th><th>ASA (s)</th></tr>\n");
    let mut row = |name: &str, m: &Metrics, sl: f64, ar: f64| {
        let (ar_class, ar_text) = verdict(m.get("answer_rate"), ar);
        let (sl_class, sl_text) = verdict(m.get("service_level"), sl);
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.0}%</td><td class=\"{ar_class}\">{ar_text}</td>\
             <td>{}</td><td>{:.0}%</td><td class=\"{sl_class}\">{sl_text}</td><td>{}</td></tr>",
            escape(name),
            cell(m.get("offered"), false, 1),
            cell(m.get("answered"), false, 1),
            cell(m.get("answer_rate"), true, 1),
            ar * 100.0,
            cell(m.get("service_level"), true, 1),
            sl * 100.0,
            cell(m.get("asa_seconds"), false, 1),
        );
    };
    row("all", &s.totals, model.service_level_target, model.answer_rate_target);
    for (c, ct) in s.call_types.iter().zip(&model.call_types) {
        row(&c.name, &c.metrics, ct.service_level_target, ct.answer_rate_target);
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
            format!(
                ", cost {} {}",
                cell(s.totals.get("cost"), false, 2),
                escape(&s.currency)
            )
        } else {
            String::new()
        },
        s.replications
    );
}

/// The charts of a simulated day; `required` adds the staffing found per group.
fn charts(out: &mut String, s: &Summary, model: &Model, required: Option<&[Vec<u32>]>, searched: &[usize]) {
    let labels: Vec<String> = s.intervals.iter().map(|i| i.start.clone()).collect();
    let per_interval = |metric: &'static str| s.intervals.iter().map(move |i| i.metrics.get(metric));
    let per_type =
        |c: usize, metric: &'static str| s.intervals.iter().map(move |i| i.call_types[c].metrics.get(metric));
    out.push_str("<h2>Service level and answer rate</h2>\n");
    let mut lines = vec![series("all", per_interval("service_level"), true, 0)];
    for c in 0..s.call_types.len().min(5) {
        lines.push(series(
            &s.call_types[c].name,
            per_type(c, "service_level"),
            false,
            c + 1,
        ));
    }
    let sl_target = (model.service_level_target, "target");
    figure(
        out,
        "service-level",
        &chart(
            "Service level per interval",
            "service level",
            &labels,
            &lines,
            Some(sl_target),
            true,
        ),
    );
    let mut lines = vec![series("all", per_interval("answer_rate"), true, 0)];
    for c in 0..s.call_types.len().min(5) {
        lines.push(series(&s.call_types[c].name, per_type(c, "answer_rate"), false, c + 1));
    }
    let ar_target = (model.answer_rate_target, "target");
    figure(
        out,
        "answer-rate",
        &chart(
            "Answer rate per interval",
            "answer rate",
            &labels,
            &lines,
            Some(ar_target),
            true,
        ),
    );

    out.push_str("<h2>Contacts</h2>\n");
    let lines = vec![
        series("offered", per_interval("offered"), true, 0),
        series("answered", per_interval("answered"), true, 2),
        series("abandoned", per_interval("abandoned"), true, 3),
    ];
    figure(
        out,
        "contacts",
        &chart("Contacts per interval", "contacts", &labels, &lines, None, false),
    );

    out.push_str("<h2>Agents and occupancy</h2>\n");
    let hours = model.clock.interval as f64 / 3.6e9;
    let mut lines = Vec::new();
    for (g, name) in s.groups.iter().map(|g| &g.name).enumerate().take(5) {
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
            lines.push(series(&format!("{name} required"), needed, false, g + 3));
        }
    }
    figure(
        out,
        "agents",
        &chart("Agents on duty per interval", "agents", &labels, &lines, None, false),
    );
    let lines: Vec<Series> = s
        .groups
        .iter()
        .enumerate()
        .take(6)
        .map(|(g, grp)| {
            series(
                &grp.name,
                s.intervals.iter().map(|i| i.groups[g].metrics.get("occupancy")),
                true,
                g,
            )
        })
        .collect();
    let cap = model.staffing.max_occupancy.map(|c| (c, "cap"));
    figure(
        out,
        "occupancy",
        &chart("Occupancy per group", "occupancy", &labels, &lines, cap, true),
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
        &chart("Waits per interval", "seconds", &labels, &lines, None, false),
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
                &chart("Escalations and vendor share", "share", &labels, &lines, None, true),
            );
        }
        if any("cost") {
            let lines = vec![series("cost", per_interval("cost"), true, 5)];
            let title = format!(
                "Cost per interval ({})",
                if s.currency.is_empty() { "currency" } else { &s.currency }
            );
            figure(out, "cost", &chart(&title, "cost", &labels, &lines, None, false));
        }
    }
}

/// The report of `ccsim run`.
pub fn run_report(s: &Summary, model: &Model) -> String {
    let mut out = String::new();
    start(&mut out, &format!("{} — ccsim", s.scenario));
    let _ = writeln!(out, "<h1>{}</h1>", escape(&s.scenario));
    summary_table(&mut out, s, model);
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
    summary_table(&mut out, s, &plan.model);
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
        let note = if plan.unreachable[k] {
            "<td class=\"missed\">unreachable</td>"
        } else if plan.missed[k] {
            "<td class=\"missed\">missed over the day</td>"
        } else if plan.within_noise[k] {
            "<td class=\"noise\">within noise</td>"
        } else {
            "<td></td>"
        };
        let _ = writeln!(
            out,
            "<td>{}</td><td>{}</td>{note}</tr>",
            cell(i.metrics.get("service_level"), true, 1),
            plan.p_met[k].map_or("–".into(), |p| format!("{:.0}%", p * 100.0)),
        );
    }
    out.push_str("</table>\n");
    charts(&mut out, s, &plan.model, Some(&plan.agents), &plan.groups);
    end(&mut out);
    out
}
