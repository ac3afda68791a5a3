//! The roster as a planner reads it: per pattern and day the shifts worked (start, end,
//! break times, agents), each agent's week, and coverage against the requirement per
//! interval, with the roster simulated back. One set of rows ([`tables`]) feeds the CSV
//! files of `staff --out` (and any other tabular writer); the JSON and the table for
//! people say the same.

use std::fmt::Write;

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::model::clock_text;
use crate::staff::StaffPlan;
use crate::staff::roster::Roster;
use crate::staff::roster::lines::DayShift;
use crate::staff::roster::rules::DAY_US;

/// A cell of a roster table: text, or a number a spreadsheet keeps as a number.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
}

impl Cell {
    pub fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Number(x) => x.to_string(),
        }
    }
}

/// A named table of rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// File stem: `roster_shifts` is written as `roster_shifts.csv`.
    pub name: &'static str,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        super::csv::write_record(&mut w, &self.header);
        for row in &self.rows {
            super::csv::write_record(&mut w, &row.iter().map(Cell::text).collect::<Vec<_>>());
        }
        String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8")
    }
}

/// Files `staff --out` writes when a group is rostered.
pub const FILES: [&str; 4] = [
    "roster_shifts.csv",
    "roster_lines.csv",
    "roster_coverage.csv",
    "rostered.toml",
];

/// A shift as `rostered.toml` writes it: start (µs after midnight), length, breaks
/// (offset, duration, paid) and agents.
type WrittenShift = (i64, i64, Vec<(i64, i64, bool)>, u64);

/// The scenario `text` staffed as `staff` found it ([`super::staff::staffed_document`]),
/// each rostered group with its roster as dated `shifts` (`rostered.toml` in `staff --out
/// DIR`): `ccsim run` on it simulates the roster, and charges its paid hours.
pub fn rostered_scenario(text: &str, plan: &StaffPlan) -> Result<String, crate::error::Error> {
    use toml_edit::{Array, InlineTable, value};
    let mut doc = super::staff::staffed_document(text, plan)?;
    let groups = doc
        .get_mut("agent_group")
        .and_then(|g| g.as_array_of_tables_mut())
        .ok_or_else(|| crate::error::Error::Other("the scenario has no [[agent_group]] tables".into()))?;
    for r in &plan.roster {
        let table = groups
            .get_mut(r.group)
            .ok_or_else(|| crate::error::Error::Other(format!("agent group {} is not in the file", r.group)))?;
        table.remove("agents");
        // One entry per shift with its breaks and agents, listing the days it is worked
        // (day 0: the day before the window, where last week's night shift reaches in).
        let mut entries: BTreeMap<WrittenShift, Vec<i64>> = BTreeMap::new();
        for s in r.dated_shifts() {
            let begin = (s.begin * 1e6).round() as i64;
            let key = (
                begin.rem_euclid(DAY_US),
                (s.length * 1e6).round() as i64,
                s.breaks
                    .iter()
                    .map(|&(o, d, paid)| ((o * 1e6).round() as i64, (d * 1e6).round() as i64, paid))
                    .collect(),
                s.headcount,
            );
            entries.entry(key).or_default().push(begin.div_euclid(DAY_US) + 1);
        }
        let mut shifts = Array::new();
        for ((start, length, breaks, agents), mut days) in entries {
            days.sort_unstable();
            let mut t = InlineTable::new();
            t.insert("start", time(start).into());
            t.insert("end", time(start + length).into());
            t.insert("agents", (agents as i64).into());
            t.insert("days", days.iter().copied().collect::<Array>().into());
            if !breaks.is_empty() {
                let mut list = Array::new();
                for (offset, duration, paid) in breaks {
                    let mut b = InlineTable::new();
                    b.insert("start", time(start + offset).into());
                    b.insert("duration", crate::scenario::duration_text(duration as f64 / 1e6).into());
                    if !paid {
                        b.insert("paid", false.into());
                    }
                    list.push(b);
                }
                t.insert("breaks", list.into());
            }
            shifts.push(t);
        }
        shifts.set_trailing_comma(true);
        for item in shifts.iter_mut() {
            item.decor_mut().set_prefix("\n  ");
        }
        shifts.set_trailing("\n");
        table.insert("shifts", value(shifts));
    }
    let header = format!(
        "# Rostered by `ccsim staff` (seed {}, {} replications): each rostered group's shifts on\n# the days they are worked (the others' agents on duty per interval). `ccsim run` on this\n# file simulates the roster and charges its paid hours inside the window.\n",
        plan.summary.seed, plan.summary.replications
    );
    Ok(format!("{header}{doc}"))
}

/// Label of roster day `d` (0: the window's first day): "d1", "d2", …; the day before
/// the window is "d0".
pub fn day_label(d: i64) -> String {
    format!("d{}", d + 1)
}

/// Clock time of µs after the horizon's first midnight.
fn time(at: i64) -> String {
    clock_text(at.rem_euclid(DAY_US) as f64 / 1e6)
}

fn hours(us: i64) -> f64 {
    us as f64 / 3.6e9
}

/// "09:00–09:15, 11:00–11:30 unpaid".
fn breaks_text(r: &DayShift) -> String {
    r.breaks
        .iter()
        .map(|&(o, d, paid)| {
            format!(
                "{}–{}{}",
                time(r.begin + o),
                time(r.begin + o + d),
                if paid { "" } else { " unpaid" }
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// "07:00–15:30".
fn span(r: &DayShift) -> String {
    format!("{}–{}", time(r.begin), time(r.begin + r.length))
}

/// Days of the horizon an agent's week has off, as labels.
fn days_off(roster: &Roster, l: &crate::staff::roster::lines::Line) -> Vec<String> {
    roster
        .horizon
        .days
        .iter()
        .filter(|&&d| d >= 0 && l.week & (1 << d.rem_euclid(7)) == 0)
        .map(|&d| day_label(d))
        .collect()
}

/// Paid hours of a line over the horizon's days, and per week.
fn line_hours(roster: &Roster, l: &crate::staff::roster::lines::Line) -> f64 {
    l.shifts.iter().flatten().map(|&r| hours(roster.shifts[r].paid())).sum()
}

/// Every roster table of the plan: shifts per pattern and day, agent lines, coverage.
pub fn tables(plan: &StaffPlan) -> Vec<Table> {
    let group = |r: &Roster| plan.model.groups[r.group].name.clone();
    let text = |s: String| Cell::Text(s);
    let mut shifts = Table {
        name: "roster_shifts",
        header: [
            "group",
            "day",
            "pattern",
            "start",
            "end",
            "paid_hours",
            "breaks",
            "agents",
        ]
        .map(String::from)
        .to_vec(),
        rows: Vec::new(),
    };
    let max_days = plan.roster.iter().map(|r| r.horizon.days.len()).max().unwrap_or(0);
    let mut lines = Table {
        name: "roster_lines",
        header: ["group", "agent", "contract", "days_off", "paid_hours"]
            .map(String::from)
            .to_vec(),
        rows: Vec::new(),
    };
    let first_day = plan
        .roster
        .iter()
        .filter_map(|r| r.horizon.days.first())
        .min()
        .copied()
        .unwrap_or(0);
    lines
        .header
        .extend((0..max_days).map(|i| day_label(first_day + i as i64)));
    let mut coverage = Table {
        name: "roster_coverage",
        header: [
            "group",
            "interval",
            "required",
            "lowest_on_duty",
            "mean_on_duty",
            "short",
            "targets_with_roster",
        ]
        .map(String::from)
        .to_vec(),
        rows: Vec::new(),
    };
    for r in &plan.roster {
        for s in &r.shifts {
            shifts.rows.push(vec![
                text(group(r)),
                text(day_label(s.day)),
                text(r.patterns[s.pattern].clone()),
                text(time(s.begin)),
                text(time(s.begin + s.length)),
                Cell::Number(hours(s.paid())),
                text(breaks_text(s)),
                Cell::Number(f64::from(s.agents)),
            ]);
        }
        for (i, l) in r.lines.iter().enumerate() {
            let mut row = vec![
                text(group(r)),
                Cell::Number((i + 1) as f64),
                text(r.contracts[l.contract].clone()),
                text(days_off(r, l).join(" ")),
                Cell::Number(line_hours(r, l)),
            ];
            // Align the line's days with the header's.
            let offset = (r.horizon.days[0] - first_day) as usize;
            row.extend((0..offset).map(|_| text(String::new())));
            row.extend(
                l.shifts
                    .iter()
                    .map(|s| text(s.map_or(String::new(), |i| span(&r.shifts[i])))),
            );
            lines.rows.push(row);
        }
        let verdicts = plan.rostered.as_ref().map(|(summary, _)| &summary.intervals);
        for k in 0..r.required.len() {
            coverage.rows.push(vec![
                text(group(r)),
                text(plan.model.clock.label(k)),
                Cell::Number(f64::from(r.required[k])),
                Cell::Number(f64::from(r.lowest[k])),
                Cell::Number(r.on_duty[k]),
                Cell::Number(f64::from(r.required[k].saturating_sub(r.lowest[k]))),
                text(
                    verdicts
                        .and_then(|v| v[k].verdict)
                        .map_or(String::new(), |v| v.name().to_owned()),
                ),
            ]);
        }
    }
    vec![shifts, lines, coverage]
}

/// The rosters as JSON (the `roster` array of `staff`'s document).
pub fn to_json(plan: &StaffPlan) -> Vec<Value> {
    plan.roster
        .iter()
        .map(|r| {
            let shifts: Vec<Value> = r
                .shifts
                .iter()
                .map(|s| {
                    json!({
                        "day": day_label(s.day),
                        "pattern": r.patterns[s.pattern],
                        "start": time(s.begin),
                        "end": time(s.begin + s.length),
                        "paid_hours": hours(s.paid()),
                        "breaks": s.breaks.iter().map(|&(o, d, paid)| json!({
                            "start": time(s.begin + o), "end": time(s.begin + o + d), "paid": paid,
                        })).collect::<Vec<_>>(),
                        "agents": s.agents,
                    })
                })
                .collect();
            let lines: Vec<Value> = r
                .lines
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    json!({
                        "agent": i + 1,
                        "contract": r.contracts[l.contract],
                        "days_off": days_off(r, l),
                        "paid_hours": line_hours(r, l),
                        "shifts": r.horizon.days.iter().zip(&l.shifts).map(|(&d, s)| json!({
                            "day": day_label(d),
                            "shift": s.map(|i| span(&r.shifts[i])),
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let coverage: Vec<Value> = (0..r.required.len())
                .map(|k| {
                    json!({
                        "start": plan.model.clock.label(k),
                        "required": r.required[k],
                        "lowest_on_duty": r.lowest[k],
                        "mean_on_duty": r.on_duty[k],
                    })
                })
                .collect();
            let contracts: serde_json::Map<String, Value> = r
                .contracts
                .iter()
                .zip(r.agents_by_contract())
                .map(|(c, n)| (c.clone(), json!(n)))
                .collect();
            json!({
                "group": plan.model.groups[r.group].name,
                "days": r.horizon.days.iter().map(|&d| day_label(d)).collect::<Vec<_>>(),
                "cyclic": r.horizon.cyclic,
                "solver": {
                    "status": r.solve.status,
                    "objective": r.solve.objective,
                    "bound": r.solve.bound,
                    "gap": r.solve.gap,
                    "nodes": r.solve.nodes,
                },
                "agents": r.lines.len(),
                "contracts": contracts,
                "shrinkage": r.shrinkage,
                "paid_hours": r.paid_hours,
                "cost": r.cost,
                "paid_hours_in_window": r.paid_hours_in_window,
                "cost_in_window": r.cost_in_window,
                "agent_hours": r.agent_hours,
                "shifts": shifts,
                "lines": lines,
                "coverage": coverage,
            })
        })
        .collect()
}

/// What the solver's end means for the planner.
fn solver_text(r: &Roster) -> String {
    let gap = r
        .solve
        .gap
        .map_or("unknown".to_owned(), |g| format!("{:.2} %", g * 100.0));
    match r.solve.status {
        "optimal" => "the cheapest roster under these rules (proven optimal)".into(),
        "gap" => format!("within {gap} of the cheapest roster (the `gap` asked for)"),
        "interrupted" => format!("stopped by Ctrl-C: within {gap} of the cheapest roster"),
        "search_budget" => format!(
            "within {gap} of the cheapest roster when the search's budget (`max_nodes`) ran out; a larger budget may find a cheaper one"
        ),
        _ => format!(
            "stopped by the time limit: within {gap} of the cheapest roster (a roster stopped by the clock may differ on another machine; a longer `time_limit` may find a cheaper one)"
        ),
    }
}

/// The rosters for people: a summary, the shifts per day and pattern, and where the
/// roster leaves the requirement short.
pub fn to_text(plan: &StaffPlan) -> String {
    let mut out = String::new();
    for r in &plan.roster {
        let name = &plan.model.groups[r.group].name;
        let by_contract: Vec<String> = r
            .contracts
            .iter()
            .zip(r.agents_by_contract())
            .filter(|(_, n)| *n > 0)
            .map(|(c, n)| format!("{n} {c}"))
            .collect();
        let days = r.horizon.days.iter().filter(|&&d| d >= 0).count();
        let span = match (r.horizon.cyclic, days) {
            (true, _) => format!("{days} days, repeating weekly"),
            (false, 1) => "1 day".to_owned(),
            (false, n) => format!("{n} days"),
        };
        let _ = writeln!(out, "\nRoster of {name} ({span}): {}", solver_text(r));
        let agents = if by_contract.len() > 1 {
            format!("{} agents ({})", r.lines.len(), by_contract.join(", "))
        } else {
            format!("{} agents", r.lines.len())
        };
        // What the staffing alone would pay, interval by interval: what the rules (whole
        // shifts, breaks, days off) add to it.
        let j = plan
            .groups
            .iter()
            .position(|&g| g == r.group)
            .expect("a searched group");
        let interval_hours = plan.model.clock.interval as f64 / 3.6e9;
        let staffing: f64 = (0..plan.agents.len())
            .map(|k| f64::from(plan.paid(k, j)) * interval_hours)
            .sum();
        let _ = writeln!(
            out,
            "  {agents}; payroll {:.1} paid hours, cost {:.2}; the staffing itself is {staffing:.1} paid hours, interval by interval{}",
            r.paid_hours,
            r.cost,
            if staffing > 0.0 {
                format!(
                    ": whole shifts, breaks and days off add {:.1} %",
                    (r.paid_hours_in_window / staffing - 1.0) * 100.0
                )
            } else {
                String::new()
            }
        );
        let _ = writeln!(
            out,
            "  inside the horizon: {:.1} paid hours, cost {:.2} (what `run` on the roster charges before overtime); {:.1} agent hours on duty after {}% shrinkage",
            r.paid_hours_in_window,
            r.cost_in_window,
            r.agent_hours,
            (r.shrinkage * 100.0 * 100.0).round() / 100.0
        );
        let mut rows = vec![
            ["day", "pattern", "start", "end", "paid h", "breaks", "agents"]
                .map(String::from)
                .to_vec(),
        ];
        for s in &r.shifts {
            rows.push(vec![
                day_label(s.day),
                r.patterns[s.pattern].clone(),
                time(s.begin),
                time(s.begin + s.length),
                format!("{:.2}", hours(s.paid())),
                breaks_text(s),
                s.agents.to_string(),
            ]);
        }
        for line in crate::report::table::aligned(&rows).lines() {
            let _ = writeln!(out, "  {line}");
        }
        let short: Vec<String> = (0..r.required.len())
            .filter(|&k| r.lowest[k] < r.required[k])
            .map(|k| format!("{} ({} of {})", plan.model.clock.label(k), r.lowest[k], r.required[k]))
            .collect();
        let _ = writeln!(
            out,
            "  coverage: {}",
            if short.is_empty() {
                "every interval has at least the staffing on duty at every moment, breaks included".to_owned()
            } else {
                format!("short of the staffing in {}", short.join(", "))
            }
        );
    }
    if let Some((summary, _)) = &plan.rostered {
        out.push_str(&simulated_text(summary));
    }
    out
}

/// What the roster, simulated, really meets: per interval the same verdicts as the
/// staffing's (met, within the noise, missed), naming the targets that are not met.
fn simulated_text(summary: &crate::summary::Summary) -> String {
    use crate::targets::Status;
    let pct = |name: &str| {
        summary
            .totals
            .get(name)
            .and_then(|e| e.mean.map(|m| (m, e.ci95)))
            .map_or("–".to_owned(), |(m, c)| match c {
                Some(c) => format!("{:.1}% ±{:.1}", m * 100.0, c * 100.0),
                None => format!("{:.1}%", m * 100.0),
            })
    };
    let with = |status: Status| -> Vec<String> {
        summary
            .intervals
            .iter()
            .filter(|i| i.verdict == Some(status))
            .map(|i| {
                let notes: Vec<String> = i
                    .call_types
                    .iter()
                    .flat_map(|c| {
                        c.targets
                            .iter()
                            .filter(|j| j.status == Some(status))
                            .map(|j| j.note(&c.name))
                    })
                    .collect();
                format!("{} ({})", i.start, notes.join("; "))
            })
            .collect()
    };
    let count = |status: Status| summary.intervals.iter().filter(|i| i.verdict == Some(status)).count();
    let cost = summary.totals.get("cost").and_then(|e| e.mean).unwrap_or(0.0);
    let mut out = format!(
        "\nSimulated with the roster: service level {}, answer rate {}, cost {cost:.2}; intervals met in {} of the {} with contacts",
        pct("service_level"),
        pct("answer_rate"),
        count(Status::Met),
        summary.intervals.iter().filter(|i| i.verdict.is_some()).count()
    );
    for (status, what) in [
        (Status::WithinNoise, "within the noise"),
        (Status::NotJudged, "NOT JUDGED"),
        (Status::Missed, "MISSED"),
    ] {
        let list = with(status);
        if !list.is_empty() {
            // The first few; every interval is in roster_coverage.csv.
            const SHOWN: usize = 8;
            let total = list.len();
            let more = if total > SHOWN {
                format!(" and {} more", total - SHOWN)
            } else {
                String::new()
            };
            let shown: Vec<String> = list.into_iter().take(SHOWN).collect();
            out.push_str(&format!("; {what} in {total}: {}{more}", shown.join(", ")));
        }
    }
    out.push('\n');
    out
}
