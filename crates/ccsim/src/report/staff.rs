//! What `ccsim staff` prints: the staffing per interval and group (SPEC.md's `staff` JSON
//! core: `intervals[].groups` and `cost`), the expected figures at that staffing with
//! their confidence intervals, how sure each decision is, and the roster.

use std::fmt::Write;

use serde_json::{Map, Value, json};

use crate::staff::StaffPlan;
use crate::summary::{Estimate, Metrics};
use crate::targets::Status;

/// Figures reported per interval at the chosen staffing.
pub(crate) const FIGURES: [&str; 6] = [
    "offered",
    "service_level",
    "answer_rate",
    "asa_seconds",
    "occupancy",
    "cost",
];

fn estimate(e: Option<Estimate>) -> Value {
    serde_json::to_value(e.unwrap_or(Estimate { mean: None, ci95: None })).expect("numbers")
}

fn figures(m: &Metrics) -> Map<String, Value> {
    FIGURES.iter().map(|&f| (f.to_owned(), estimate(m.get(f)))).collect()
}

/// The plan as the JSON document of `staff --format json` (with its final newline;
/// names' unprintable characters escaped).
pub fn to_json(plan: &StaffPlan) -> String {
    let s = &plan.summary;
    let names: Vec<&str> = plan
        .groups
        .iter()
        .map(|&g| plan.model.groups[g].name.as_str())
        .collect();
    let intervals: Vec<Value> = s
        .intervals
        .iter()
        .enumerate()
        .map(|(k, i)| {
            let by_group = |f: &dyn Fn(usize) -> u32| -> Map<String, Value> {
                names
                    .iter()
                    .enumerate()
                    .map(|(j, n)| ((*n).to_owned(), json!(f(j))))
                    .collect()
            };
            let mut o = Map::new();
            o.insert("start".into(), json!(i.start));
            o.insert("groups".into(), Value::Object(by_group(&|j| plan.agents[k][j])));
            o.insert("paid".into(), Value::Object(by_group(&|j| plan.paid(k, j))));
            o.insert("erlang".into(), Value::Object(by_group(&|j| plan.erlang[k][j])));
            o.insert("within_noise".into(), json!(plan.within_noise[k]));
            o.insert("unreachable".into(), json!(plan.unreachable[k]));
            o.insert("missed".into(), json!(plan.missed[k]));
            o.insert("p_met".into(), json!(plan.p_met[k]));
            o.insert("verdict".into(), json!(i.verdict));
            o.insert("note".into(), json!(interval_note(plan, k)));
            o.insert("binding".into(), json!(plan.binding[k]));
            o.extend(figures(&i.metrics));
            let call_types: Vec<Value> = i
                .call_types
                .iter()
                .map(|c| {
                    let mut m = figures(&c.metrics);
                    m.insert("name".into(), json!(c.name));
                    m.insert("targets".into(), json!(c.targets));
                    m.insert("verdict".into(), json!(c.verdict));
                    Value::Object(m)
                })
                .collect();
            o.insert("call_types".into(), Value::Array(call_types));
            Value::Object(o)
        })
        .collect();
    let cost = s.totals.get("cost").unwrap_or(Estimate { mean: None, ci95: None });
    let mut doc = Map::new();
    doc.insert("scenario".into(), json!(s.scenario));
    doc.insert("incomplete".into(), json!(plan.incomplete));
    if !s.currency.is_empty() {
        doc.insert("currency".into(), json!(s.currency));
    }
    doc.insert("seed".into(), json!(s.seed));
    doc.insert("replications".into(), json!(s.replications));
    doc.insert("intervals".into(), Value::Array(intervals));
    doc.insert("day_targets_met".into(), json!(plan.day_targets_met));
    doc.insert("verdict".into(), json!(s.verdict));
    doc.insert("cost".into(), json!(cost.mean.unwrap_or(0.0)));
    doc.insert("cost_ci95".into(), json!(cost.ci95));
    doc.insert(
        "agent_hours".into(),
        json!(s.totals.get("agent_hours").and_then(|e| e.mean)),
    );
    doc.insert("totals".into(), serde_json::to_value(&s.totals).expect("numbers"));
    doc.insert(
        "call_types".into(),
        serde_json::to_value(&s.call_types).expect("numbers"),
    );
    let rosters = super::roster::to_json(plan);
    if !plan.roster_errors.is_empty() {
        doc.insert("roster_errors".into(), json!(plan.roster_errors));
    }
    if !rosters.is_empty() {
        doc.insert("roster".into(), Value::Array(rosters));
        if let Some((summary, met)) = &plan.rostered {
            doc.insert(
                "roster_check".into(),
                json!({
                    "intervals": summary.intervals.iter().zip(met).map(|(i, ok)| {
                        let mut o = figures(&i.metrics);
                        o.insert("start".into(), json!(i.start));
                        o.insert("met".into(), json!(ok));
                        Value::Object(o)
                    }).collect::<Vec<_>>(),
                    "totals": figures(&summary.totals),
                }),
            );
        }
    }
    doc.insert(
        "search".into(),
        json!({"candidates": plan.evaluations, "replications": plan.replications_run}),
    );
    super::json::to_pretty_json(&Value::Object(doc))
}

fn pct(e: Option<Estimate>) -> String {
    match e {
        Some(Estimate {
            mean: Some(m),
            ci95: Some(c),
        }) => format!("{:.1}% ±{:.1}", m * 100.0, c * 100.0),
        Some(Estimate { mean: Some(m), .. }) => format!("{:.1}%", m * 100.0),
        _ => "–".into(),
    }
}

/// Notes of the call types' targets judged `status`: "helpdesk service level 74.1% < 80.0%".
fn judged_notes(call_types: &[crate::summary::Named], status: Status) -> Vec<String> {
    call_types
        .iter()
        .flat_map(|c| {
            c.targets
                .iter()
                .filter(move |j| j.status == Some(status))
                .map(|j| match (status, j.estimate.mean) {
                    // A miss says by how much.
                    (Status::Missed, Some(mean)) => {
                        let gap = (mean - j.target.bound).abs();
                        let by = match j.target.figure {
                            crate::targets::Figure::MaxAsa => format!("{gap:.1} s over"),
                            _ => format!("{:.1} points short", gap * 100.0),
                        };
                        format!("{} ({by})", j.note(&c.name))
                    }
                    _ => j.note(&c.name),
                })
        })
        .collect()
}

/// What an interval's row says: the verdict on its call types at the chosen staffing
/// (simulated over the whole day), naming each target that fails, lies within the noise
/// or cannot be judged, and by how much; or that no staffing reached the targets, or that
/// the search decided within the noise (the answer may be one agent off).
pub(crate) fn interval_note(plan: &StaffPlan, k: usize) -> String {
    let i = &plan.summary.intervals[k];
    let notes = |status: Status| judged_notes(&i.call_types, status).join("; ");
    if plan.unreachable[k] {
        // The search found no staffing that met the targets here; the day's run may
        // still judge them met or within the noise: say which.
        let (what, missed) = match i.verdict {
            Some(Status::Missed) => ("", notes(Status::Missed)),
            Some(Status::WithinNoise) => (" (within noise over the day)", notes(Status::WithinNoise)),
            _ => (" (met over the day's run)", String::new()),
        };
        let missed = if missed.is_empty() {
            String::new()
        } else {
            format!(": {missed}")
        };
        // Agents cannot answer calls the trunk lines turn away: name them as the cause.
        let lines = match (plan.model.lines, i.metrics.get("block_rate").and_then(|e| e.mean)) {
            (Some(n), Some(rate)) if rate > 0.0 => {
                format!("; the {n} lines block {:.1}% of calls here", rate * 100.0)
            }
            _ => String::new(),
        };
        return format!("targets unreachable in the search{what}{missed}{lines}");
    }
    let verdict = match i.verdict {
        Some(Status::Missed) => format!("missed: {}", notes(Status::Missed)),
        Some(Status::WithinNoise) => format!("within noise: {}", notes(Status::WithinNoise)),
        Some(Status::NotJudged) => format!("not judged: {}", notes(Status::NotJudged)),
        _ if plan.within_noise[k] => "decided within the noise (may be one agent off)".to_owned(),
        _ => String::new(),
    };
    // What binds the answer: the target that fails with one agent fewer in each group.
    let binding = plan
        .binding
        .get(k)
        .filter(|b| !b.is_empty())
        .map(|b| format!("binding: {}", b.join("; ")));
    match (verdict.is_empty(), binding) {
        (_, None) => verdict,
        (true, Some(b)) => b,
        (false, Some(b)) => format!("{verdict}. {b}"),
    }
}

/// The plan as a table for people.
pub fn to_table(plan: &StaffPlan) -> String {
    let s = &plan.summary;
    let names: Vec<&str> = plan
        .groups
        .iter()
        .map(|&g| plan.model.groups[g].name.as_str())
        .collect();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut header = vec!["start".to_owned()];
    header.extend(names.iter().map(|n| format!("{n} (paid)")));
    header.extend(["service level", "answer rate", "P(met)", "note"].map(String::from));
    rows.push(header);
    for (k, i) in s.intervals.iter().enumerate() {
        let mut r = vec![i.start.clone()];
        r.extend((0..names.len()).map(|j| format!("{} ({})", plan.agents[k][j], plan.paid(k, j))));
        r.push(pct(i.metrics.get("service_level")));
        r.push(pct(i.metrics.get("answer_rate")));
        r.push(plan.p_met[k].map_or("–".into(), |p| format!("{:.0}%", p * 100.0)));
        r.push(interval_note(plan, k));
        rows.push(r);
    }
    let mut out = String::new();
    if plan.incomplete {
        let _ = writeln!(
            out,
            "INCOMPLETE: the search was interrupted (Ctrl-C). Below is the best staffing found so far, with its figures; it is not the answer.\n"
        );
    }
    let _ = writeln!(
        out,
        "{} — agents on duty per interval (paid headcount, before shrinkage); figures at that staffing over {} replications, ± the 95 % half-width\n",
        s.scenario, s.replications
    );
    out.push_str(&crate::report::table::aligned(&rows));
    out.push_str(
        "P(met): the share of simulated days on which every target of the interval held. Service level and answer rate: customer contacts of every call type.\n",
    );
    let get = |name: &str| s.totals.get(name).and_then(|e| e.mean).unwrap_or(0.0);
    let misses: Vec<String> = judged_notes(&s.call_types, Status::Missed);
    let _ = writeln!(
        out,
        "\nTargets over the day: {}",
        match s.verdict {
            Some(Status::Met) => "every call type meets its targets".to_owned(),
            Some(Status::WithinNoise) => format!(
                "within the noise: {}",
                judged_notes(&s.call_types, Status::WithinNoise).join("; ")
            ),
            Some(Status::Missed) => format!("MISSED: {}", misses.join("; ")),
            Some(Status::NotJudged) => format!(
                "NOT JUDGED: {}",
                judged_notes(&s.call_types, Status::NotJudged).join("; ")
            ),
            None => "nothing offered".to_owned(),
        }
    );
    let count = |status: Status| s.intervals.iter().filter(|i| i.verdict == Some(status)).count();
    let missed: Vec<&str> = s
        .intervals
        .iter()
        .filter(|i| i.verdict == Some(Status::Missed))
        .map(|i| i.start.as_str())
        .collect();
    let _ = writeln!(
        out,
        "Intervals: met in {} of {}, within the noise in {}, not judged in {}, missed in {}, nothing to judge in {}{}",
        count(Status::Met),
        s.intervals.len(),
        count(Status::WithinNoise),
        count(Status::NotJudged),
        missed.len(),
        s.intervals.iter().filter(|i| i.verdict.is_none()).count(),
        if missed.is_empty() {
            String::new()
        } else {
            format!(" ({})", missed.join(", "))
        }
    );
    let _ = writeln!(
        out,
        "Day: service level {}, answer rate {}, {:.1} agent hours, cost {:.2}{}",
        pct(s.totals.get("service_level")),
        pct(s.totals.get("answer_rate")),
        get("agent_hours"),
        get("cost"),
        if s.currency.is_empty() {
            String::new()
        } else {
            format!(" {}", s.currency)
        }
    );
    for (line, _) in day_notes(plan) {
        let _ = writeln!(out, "{line}");
    }
    for e in &plan.roster_errors {
        let _ = writeln!(out, "\nNo roster: {e}");
    }
    out.push_str(&super::roster::to_text(plan));
    let _ = writeln!(
        out,
        "\n{} candidate staffings simulated ({} replications)",
        plan.evaluations, plan.replications_run
    );
    out
}

/// What the day's staffing says beyond its figures: whether the day-level targets (email
/// response, or all with `scope = "day"`) hold, and the emails left in the backlog at the
/// close. Emails still open then whose deadline lies after the window weigh neither way
/// in the response target: naming them keeps a day that reads met from hiding a backlog
/// left for tomorrow. Shown by the table and the HTML report alike; each line with
/// whether it says something missed.
pub(crate) fn day_notes(plan: &StaffPlan) -> Vec<(String, bool)> {
    let s = &plan.summary;
    let mut out = Vec::new();
    match plan.day_targets_met {
        Some(true) => out.push((
            "Day-level targets (email response, or all with scope = \"day\"): met".to_owned(),
            false,
        )),
        Some(false) => out.push((
            "Day-level targets (email response, or all with scope = \"day\"): MISSED, no staffing found that meets them"
                .to_owned(),
            true,
        )),
        None => {}
    }
    let pending: Vec<String> = s
        .call_types
        .iter()
        .zip(&s.call_type_channels)
        .filter(|(_, ch)| **ch == crate::model::Channel::Email)
        .filter_map(|(c, _)| {
            let e = c.metrics.get("backlog_end")?;
            let mean = e.mean.filter(|&m| m > 0.0)?;
            Some(match e.ci95 {
                Some(ci) => format!("{} {mean:.1} ±{ci:.1}", c.name),
                None => format!("{} {mean:.1}", c.name),
            })
        })
        .collect();
    if !pending.is_empty() {
        out.push((
            format!(
                "Emails left in the backlog at the close (not worked after the window; those due after it weigh neither way in the response target: simulate several days to judge them): {}",
                pending.join(", ")
            ),
            false,
        ));
    }
    out
}

/// What binds group `j` in interval `k`: the target that fails with one agent fewer.
pub(crate) fn binding_of(plan: &StaffPlan, k: usize, j: usize) -> String {
    let prefix = format!("{} −1: ", plan.model.groups[plan.groups[j]].name);
    plan.binding[k]
        .iter()
        .find_map(|b| b.strip_prefix(&prefix))
        .unwrap_or_default()
        .to_owned()
}

/// The columns of `staffing.csv` (and of the workbook's `staffing` sheet): a row per
/// interval and group.
pub(crate) fn staffing_header() -> Vec<String> {
    let mut header: Vec<String> = [
        "interval",
        "group",
        "agents",
        "paid",
        "erlang",
        "within_noise",
        "unreachable",
        "missed",
        "p_met",
        "binding",
        "incomplete",
    ]
    .map(String::from)
    .to_vec();
    for f in FIGURES {
        header.push(f.into());
        header.push(format!("{f}_ci95"));
    }
    header
}

/// One row per interval and group: agents, paid headcount, the Erlang start and the
/// interval's figures.
pub fn to_csv(plan: &StaffPlan) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = staffing_header();
    super::csv::write_record(&mut w, &header);
    for (k, i) in plan.summary.intervals.iter().enumerate() {
        for (j, &g) in plan.groups.iter().enumerate() {
            let mut r = vec![
                i.start.clone(),
                plan.model.groups[g].name.clone(),
                plan.agents[k][j].to_string(),
                plan.paid(k, j).to_string(),
                plan.erlang[k][j].to_string(),
                plan.within_noise[k].to_string(),
                plan.unreachable[k].to_string(),
                plan.missed[k].to_string(),
                plan.p_met[k].map(|p| p.to_string()).unwrap_or_default(),
                binding_of(plan, k, j),
                plan.incomplete.to_string(),
            ];
            for f in FIGURES {
                let e = i.metrics.get(f).unwrap_or(Estimate { mean: None, ci95: None });
                r.push(e.mean.map(|v| v.to_string()).unwrap_or_default());
                r.push(e.ci95.map(|v| v.to_string()).unwrap_or_default());
            }
            super::csv::write_record(&mut w, &r);
        }
    }
    String::from_utf8(w.into_inner().expect("in memory")).expect("UTF-8")
}

/// The scenario `text` as a document with the staffing found in place of each searched
/// group's `agents` or `shifts`, and the replications it was judged on.
pub fn staffed_document(text: &str, plan: &StaffPlan) -> Result<toml_edit::DocumentMut, crate::error::Error> {
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|e| crate::error::Error::Other(format!("the scenario could not be read again: {e}")))?;
    let groups = doc
        .get_mut("agent_group")
        .and_then(|g| g.as_array_of_tables_mut())
        .ok_or_else(|| crate::error::Error::Other("the scenario has no [[agent_group]] tables".into()))?;
    for (j, &g) in plan.groups.iter().enumerate() {
        let table = groups
            .get_mut(g)
            .ok_or_else(|| crate::error::Error::Other(format!("agent group {g} is not in the file")))?;
        table.remove("shifts");
        let mut per_interval = toml_edit::Array::new();
        for row in &plan.agents {
            per_interval.push(i64::from(row[j]));
        }
        table.insert("agents", toml_edit::value(per_interval));
    }
    // The replications the answer was judged on, so `ccsim run` on the file gives its
    // figures to the last digit (the same seed meets the same callers).
    if let Some(scenario) = doc.get_mut("scenario").and_then(|s| s.as_table_mut()) {
        let n = i64::try_from(plan.summary.replications).unwrap_or(i64::MAX);
        scenario.insert("replications", toml_edit::value(n));
    }
    Ok(doc)
}

/// The scenario `text` with the staffing found: each searched group's `agents` becomes
/// its agents on duty per interval (its `shifts`, if any, are dropped), so `ccsim run`
/// on it simulates exactly what `staff` judged, cost and paid hours included
/// (`staffed.toml` in `staff --out DIR`). The rest of the file, comments included, is
/// kept as written.
pub fn staffed_scenario(text: &str, plan: &StaffPlan) -> Result<String, crate::error::Error> {
    let doc = staffed_document(text, plan)?;
    let header = format!(
        "# Staffed by `ccsim staff` (seed {}, {} replications): agents on duty per interval of each\n# in-house group. `ccsim run` on this file simulates the staffing found.\n",
        plan.summary.seed, plan.summary.replications
    );
    Ok(format!("{header}{doc}"))
}
