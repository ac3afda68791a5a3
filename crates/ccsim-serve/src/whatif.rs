//! The workbench's what-if form, as edits of the scenario's own TOML: scale every call
//! type's arrivals and handle times by a percentage, set the agents of a group (a
//! number, one per interval, or one per shift; or one per interval in place of its
//! shifts), switch a vendor off (no agents) or back on, and take a route out of a call
//! type's routing (and the call type out of that group's skills, as the format wants) or
//! put it back; a route whose removal would leave the scenario invalid is refused with
//! the reason. What is switched back on comes from the text as it was opened (the
//! baseline). The planner sees the TOML the form wrote; everything the form
//! does not touch (comments, layout) stays as it was.

use serde::{Deserialize, Serialize};
use toml_edit::{DocumentMut, Item, Value};

/// A group's agents as the form shows them: one number, one per interval, or one per
/// shift.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupAgents {
    pub name: String,
    /// "agents" (one number), "per_interval" or "shifts".
    pub kind: String,
    pub agents: Vec<i64>,
    /// An outsourcing vendor's group (`outsourced = true`).
    #[serde(default)]
    pub outsourced: bool,
}

/// One route of a call type's `routing`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Route {
    pub call_type: String,
    pub group: String,
}

/// A vendor or route switched on or off.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Switch<T> {
    #[serde(flatten)]
    pub what: T,
    pub on: bool,
}

/// A vendor, by its group's name.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Vendor {
    pub name: String,
}

/// What the form asks for.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct WhatIf {
    /// +10: 10 % more arrivals in every interval of every call type.
    #[serde(default)]
    pub arrivals_percent: f64,
    /// −5: handle times 5 % shorter (every duration of the distribution).
    #[serde(default)]
    pub handle_percent: f64,
    /// Agents per group. With `kind = "per_interval"` for a group written with shifts,
    /// its shifts give way to one number per interval.
    #[serde(default)]
    pub groups: Vec<GroupAgents>,
    /// Vendors switched off (agents 0) or back on (their agents as in `baseline`).
    #[serde(default)]
    pub vendors: Vec<Switch<Vendor>>,
    /// Routes taken out of their call type's `routing` (and the call type out of the
    /// group's `skills`), or put back (as in `baseline`).
    #[serde(default)]
    pub routes: Vec<Switch<Route>>,
    /// The text as opened, where what is switched back on is found.
    #[serde(default)]
    pub baseline: Option<String>,
}

/// The groups of the scenario text and their agents, for the form.
pub fn groups(text: &str) -> Vec<GroupAgents> {
    let Ok(doc) = text.parse::<DocumentMut>() else {
        return Vec::new();
    };
    let Some(groups) = doc.get("agent_group").and_then(Item::as_array_of_tables) else {
        return Vec::new();
    };
    groups
        .iter()
        .filter_map(|g| {
            let name = g.get("name")?.as_str()?.to_owned();
            let outsourced = g.get("outsourced").and_then(Item::as_bool).unwrap_or(false);
            let group = |kind: &str, agents| GroupAgents {
                name: name.clone(),
                kind: kind.into(),
                agents,
                outsourced,
            };
            if let Some(agents) = g.get("agents") {
                return match agents.as_value()? {
                    Value::Integer(n) => Some(group("agents", vec![*n.value()])),
                    Value::Array(a) => Some(group(
                        "per_interval",
                        a.iter().map(|v| v.as_integer()).collect::<Option<_>>()?,
                    )),
                    _ => None,
                };
            }
            let shifts = shifts(g.get("shifts")?)?;
            Some(group(
                "shifts",
                shifts
                    .iter()
                    .map(|s| s.get("agents")?.as_integer())
                    .collect::<Option<_>>()?,
            ))
        })
        .collect()
}

/// The routes written in the call types' `routing` (a call type without one routes to
/// every group with the skill, and has none to switch).
pub fn routes(text: &str) -> Vec<Route> {
    let Ok(doc) = text.parse::<DocumentMut>() else {
        return Vec::new();
    };
    let Some(types) = doc.get("call_type").and_then(Item::as_array_of_tables) else {
        return Vec::new();
    };
    types
        .iter()
        .flat_map(|t| {
            let call_type = t.get("name").and_then(Item::as_str).unwrap_or_default().to_owned();
            t.get("routing")
                .and_then(Item::as_array)
                .into_iter()
                .flat_map(|a| a.iter().filter_map(route_group))
                .map(move |group| Route {
                    call_type: call_type.clone(),
                    group,
                })
        })
        .collect()
}

/// The group of one entry of `routing`.
fn route_group(entry: &Value) -> Option<String> {
    match entry {
        Value::String(s) => Some(s.value().clone()),
        Value::InlineTable(t) => t.get("group")?.as_str().map(str::to_owned),
        _ => None,
    }
}

/// A group's shifts, written either as an array of inline tables or as `[[…shifts]]`.
fn shifts(item: &Item) -> Option<Vec<&dyn toml_edit::TableLike>> {
    if let Some(a) = item.as_array() {
        return a
            .iter()
            .map(|v| v.as_inline_table().map(|t| t as &dyn toml_edit::TableLike))
            .collect();
    }
    item.as_array_of_tables()
        .map(|a| a.iter().map(|t| t as &dyn toml_edit::TableLike).collect())
}

/// The scenario text with the form's changes made; an error says what could not be done.
pub fn apply(text: &str, what: &WhatIf) -> Result<String, String> {
    let mut doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| e.message().to_owned())?;
    for percent in [what.arrivals_percent, what.handle_percent] {
        if !(percent.is_finite() && (-100.0..=1000.0).contains(&percent)) {
            return Err(format!("a percentage must be between -100 and 1000, got {percent}"));
        }
    }
    if let Some(types) = doc.get_mut("call_type").and_then(Item::as_array_of_tables_mut) {
        for t in types.iter_mut() {
            let name = t.get("name").and_then(Item::as_str).unwrap_or("?").to_owned();
            // What comes from a CSV file cannot be scaled in the text: refused, never
            // left as it is while the form says it changed.
            let from_file = |change: &str, what: &str, key: &str, inline: &str| {
                format!(
                    "{change}: call type `{name}` reads its {what} from a CSV file (`{key}`), which the form cannot scale; change the file, or write them in the scenario (`{inline}`)"
                )
            };
            if what.arrivals_percent != 0.0 {
                let factor = 1.0 + what.arrivals_percent / 100.0;
                let change = format!("arrivals {:+}%", what.arrivals_percent);
                if let Some(arrivals) = t.get_mut("arrivals").and_then(Item::as_table_like_mut) {
                    if arrivals.contains_key("csv") {
                        return Err(from_file(&change, "volumes", "csv", "per_interval"));
                    }
                    for key in ["per_hour", "per_interval"] {
                        if let Some(v) = arrivals.get_mut(key).and_then(Item::as_value_mut) {
                            scale_numbers(v, factor);
                        }
                    }
                }
            }
            if what.handle_percent != 0.0 {
                let factor = 1.0 + what.handle_percent / 100.0;
                let change = format!("handle times {:+}%", what.handle_percent);
                if let Some(handle) = t.get_mut("handle_time").and_then(Item::as_table_like_mut) {
                    if handle.contains_key("csv") {
                        return Err(from_file(&change, "handle-time samples", "csv", "samples"));
                    }
                    for key in ["mean", "scale", "min", "mode", "max", "value"] {
                        if let Some(v) = handle.get_mut(key).and_then(Item::as_value_mut) {
                            scale_duration(v, factor);
                        }
                    }
                    // An empirical distribution's samples, seconds.
                    if let Some(v) = handle.get_mut("samples").and_then(Item::as_value_mut) {
                        scale_numbers(v, factor);
                    }
                }
                // The forecast's handle time per interval sets the talk time's scale (its
                // AHT ÷ the distribution's mean): scaled too, or the change would cancel.
                if let Some(arrivals) = t.get_mut("arrivals").and_then(Item::as_table_like_mut) {
                    if arrivals.contains_key("aht_column") {
                        return Err(from_file(
                            &change,
                            "handle time per interval",
                            "aht_column",
                            "aht_per_interval",
                        ));
                    }
                    if let Some(v) = arrivals.get_mut("aht_per_interval").and_then(Item::as_value_mut) {
                        scale_numbers(v, factor);
                    }
                }
            }
        }
    }
    let Some(groups) = doc.get_mut("agent_group").and_then(Item::as_array_of_tables_mut) else {
        return if what.groups.is_empty() {
            Ok(doc.to_string())
        } else {
            Err("the scenario has no agent groups".into())
        };
    };
    for wanted in &what.groups {
        if wanted.agents.iter().any(|&n| !(0..=1_000_000).contains(&n)) {
            return Err(format!("{}: agents must be between 0 and 1000000", wanted.name));
        }
        let group = groups
            .iter_mut()
            .find(|g| g.get("name").and_then(Item::as_str) == Some(&wanted.name))
            .ok_or_else(|| format!("no agent group named {:?}", wanted.name))?;
        if let Some(agents) = group.get_mut("agents").and_then(Item::as_value_mut) {
            match agents {
                Value::Array(a) => set_each(a.iter_mut().collect(), &wanted.agents, &wanted.name)?,
                v => match wanted.agents.as_slice() {
                    [n] => replace(v, Value::from(*n)),
                    _ => return Err(format!("{}: one number of agents expected", wanted.name)),
                },
            }
            continue;
        }
        if wanted.kind == "per_interval" && group.contains_key("shifts") {
            // One number per interval in place of the shifts (the model checks the count).
            group.remove("shifts");
            let list: toml_edit::Array = wanted.agents.iter().copied().collect();
            group.insert("agents", toml_edit::value(list));
            continue;
        }
        let shifts = group
            .get_mut("shifts")
            .ok_or_else(|| format!("{}: neither agents nor shifts", wanted.name))?;
        let slots: Vec<&mut Value> = if let Some(a) = shifts.as_array_mut() {
            a.iter_mut()
                .filter_map(|v| v.as_inline_table_mut().and_then(|t| t.get_mut("agents")))
                .collect()
        } else if let Some(a) = shifts.as_array_of_tables_mut() {
            a.iter_mut()
                .filter_map(|t| t.get_mut("agents").and_then(Item::as_value_mut))
                .collect()
        } else {
            Vec::new()
        };
        set_each(slots, &wanted.agents, &wanted.name)?;
    }
    let baseline = || -> Result<DocumentMut, String> {
        what.baseline
            .as_deref()
            .ok_or("nothing to switch back on from: no baseline text")?
            .parse()
            .map_err(|e: toml_edit::TomlError| format!("the baseline text: {}", e.message()))
    };
    for vendor in &what.vendors {
        let name = &vendor.what.name;
        let group = groups
            .iter_mut()
            .find(|g| g.get("name").and_then(Item::as_str) == Some(name))
            .ok_or_else(|| format!("no agent group named {name:?}"))?;
        if vendor.on {
            let base = baseline()?;
            let was = base
                .get("agent_group")
                .and_then(Item::as_array_of_tables)
                .and_then(|a| a.iter().find(|g| g.get("name").and_then(Item::as_str) == Some(name)))
                .ok_or_else(|| format!("{name}: not in the text as opened, nothing to switch back on"))?;
            for key in ["agents", "shifts"] {
                match (group.get_mut(key), was.get(key)) {
                    (Some(slot), Some(item)) => *slot = item.clone(),
                    (Some(_), None) => {
                        group.remove(key);
                    }
                    (None, Some(item)) => {
                        group.insert(key, item.clone());
                    }
                    (None, None) => {}
                }
            }
        } else if let Some(agents) = group.get_mut("agents").and_then(Item::as_value_mut) {
            match agents {
                Value::Array(a) => a.iter_mut().for_each(|v| replace(v, Value::from(0))),
                v => replace(v, Value::from(0)),
            }
        } else {
            group.remove("shifts");
            group.insert("agents", toml_edit::value(0));
        }
    }
    if !what.routes.is_empty() {
        let base = if what.routes.iter().any(|r| r.on) {
            Some(baseline()?)
        } else {
            None
        };
        for route in &what.routes {
            if route.on {
                route_on(
                    &mut doc,
                    &route.what,
                    base.as_ref().expect("read above when a route is on"),
                )?;
            } else {
                route_off(&mut doc, &route.what)?;
            }
        }
    }
    Ok(doc.to_string())
}

/// The `[[kind]]` table (`call_type`, `agent_group`) named `name`.
fn named<'d>(doc: &'d DocumentMut, kind: &str, name: &str) -> Option<&'d toml_edit::Table> {
    doc.get(kind)?
        .as_array_of_tables()?
        .iter()
        .find(|t| t.get("name").and_then(Item::as_str) == Some(name))
}

fn named_mut<'d>(doc: &'d mut DocumentMut, kind: &str, name: &str) -> Option<&'d mut toml_edit::Table> {
    doc.get_mut(kind)?
        .as_array_of_tables_mut()?
        .iter_mut()
        .find(|t| t.get("name").and_then(Item::as_str) == Some(name))
}

/// The call type one entry of a group's `skills` names.
fn skill_call_type(entry: &Value) -> Option<String> {
    match entry {
        Value::String(s) => Some(s.value().clone()),
        Value::InlineTable(t) => t.get("call_type")?.as_str().map(str::to_owned),
        _ => None,
    }
}

/// The `share` of one entry of `routing`, if it has one.
fn route_share(entry: &Value) -> Option<f64> {
    let share = entry.as_inline_table()?.get("share")?;
    share.as_float().or_else(|| share.as_integer().map(|n| n as f64))
}

/// Where in `array` the entry `key` names `name` is.
fn position(array: &toml_edit::Array, key: fn(&Value) -> Option<String>, name: &str) -> Option<usize> {
    array.iter().position(|e| key(e).as_deref() == Some(name))
}

/// An array written on one line keeps the usual spacing (`[a, b]`) after an entry is
/// taken out or put back; one written over several lines keeps each entry's own.
fn tidy(array: &mut toml_edit::Array) {
    let mut bare = array.clone();
    bare.decor_mut().clear();
    if !bare.to_string().contains('\n') {
        array.fmt();
    }
}

/// Takes the route out of its call type's `routing`, and the call type out of the
/// group's `skills`: the format wants every group with the skill in the routing, and
/// the planner asked that the group no longer answer the call type. Refused where the
/// scenario could not be valid without it: the call type's only route (or the only one
/// without `share` where the shares do not add up to 1), or the group's only skill.
fn route_off(doc: &mut DocumentMut, route: &Route) -> Result<(), String> {
    let Route { call_type, group } = route;
    let routing = named_mut(doc, "call_type", call_type)
        .ok_or_else(|| format!("no call type named {call_type:?}"))?
        .get_mut("routing")
        .and_then(Item::as_array_mut)
        .ok_or_else(|| format!("{call_type}: no routing written"))?;
    let Some(at) = position(routing, route_group, group) else {
        return Ok(());
    };
    let others: Vec<&Value> = routing
        .iter()
        .enumerate()
        .filter_map(|(i, e)| (i != at).then_some(e))
        .collect();
    if others.is_empty() {
        return Err(format!(
            "{call_type} → {group}: the only route of {call_type}, whose calls could then never be answered; route {call_type} to another group first"
        ));
    }
    let shared: f64 = others.iter().filter_map(|e| route_share(e)).sum();
    if others.iter().all(|e| route_share(e).is_some()) && shared < 1.0 - 1e-9 {
        return Err(format!(
            "{call_type} → {group}: the only route of {call_type} without `share`; the other routes take {} of its calls and the rest could never be answered",
            (shared * 1000.0).round() / 1000.0
        ));
    }
    routing.remove(at);
    tidy(routing);
    let skills = named_mut(doc, "agent_group", group)
        .and_then(|g| g.get_mut("skills"))
        .and_then(Item::as_array_mut);
    if let Some(skills) = skills
        && let Some(k) = position(skills, skill_call_type, call_type)
    {
        if skills.len() == 1 {
            return Err(format!(
                "{call_type} → {group}: {group} answers only {call_type}, and a group needs a skill; set its agents to 0 (a vendor: switch it off) instead"
            ));
        }
        skills.remove(k);
        tidy(skills);
    }
    Ok(())
}

/// Puts the route back in its call type's `routing`, and the call type back in the
/// group's `skills`, each as and where the text as opened (`base`) had it.
fn route_on(doc: &mut DocumentMut, route: &Route, base: &DocumentMut) -> Result<(), String> {
    let Route { call_type, group } = route;
    let routing = named_mut(doc, "call_type", call_type)
        .ok_or_else(|| format!("no call type named {call_type:?}"))?
        .get_mut("routing")
        .and_then(Item::as_array_mut)
        .ok_or_else(|| format!("{call_type}: no routing written"))?;
    if position(routing, route_group, group).is_none() {
        let was = named(base, "call_type", call_type)
            .and_then(|t| t.get("routing")?.as_array())
            .and_then(|r| Some((position(r, route_group, group)?, r)))
            .ok_or_else(|| format!("{call_type} → {group}: not in the text as opened"))?;
        let entry = was.1.get(was.0).expect("found there").clone();
        routing.insert_formatted(was.0.min(routing.len()), entry);
        tidy(routing);
    }
    let was = named(base, "agent_group", group)
        .and_then(|g| g.get("skills")?.as_array())
        .and_then(|s| Some((position(s, skill_call_type, call_type)?, s)));
    let skills = named_mut(doc, "agent_group", group)
        .and_then(|g| g.get_mut("skills"))
        .and_then(Item::as_array_mut);
    if let (Some(skills), Some((k, was))) = (skills, was)
        && position(skills, skill_call_type, call_type).is_none()
    {
        let entry = was.get(k).expect("found there").clone();
        skills.insert_formatted(k.min(skills.len()), entry);
        tidy(skills);
    }
    Ok(())
}

fn set_each(slots: Vec<&mut Value>, counts: &[i64], group: &str) -> Result<(), String> {
    if slots.len() != counts.len() {
        return Err(format!(
            "{group}: {} numbers of agents expected, got {}",
            slots.len(),
            counts.len()
        ));
    }
    for (slot, &n) in slots.into_iter().zip(counts) {
        replace(slot, Value::from(n));
    }
    Ok(())
}

/// Puts `new` where `old` was, keeping the spaces and comments around it.
fn replace(old: &mut Value, new: Value) {
    let decor = old.decor().clone();
    *old = new;
    *old.decor_mut() = decor;
}

/// Multiplies a number, or every number of an array, by `factor`.
fn scale_numbers(v: &mut Value, factor: f64) {
    match v {
        Value::Array(a) => a.iter_mut().for_each(|x| scale_numbers(x, factor)),
        Value::Integer(n) => {
            let scaled = number(*n.value() as f64 * factor);
            replace(v, scaled)
        }
        Value::Float(x) => {
            let scaled = number(*x.value() * factor);
            replace(v, scaled)
        }
        _ => {}
    }
}

/// A rate rounded to 3 decimals, written as an integer when it is one.
fn number(x: f64) -> Value {
    let rounded = (x * 1000.0).round() / 1000.0;
    if rounded.fract() == 0.0 && rounded.abs() < 1e15 {
        Value::from(rounded as i64)
    } else {
        Value::from(rounded)
    }
}

/// Multiplies a duration (`"4m30s"` or seconds) by `factor`, written in seconds.
fn scale_duration(v: &mut Value, factor: f64) {
    let seconds = match &*v {
        Value::String(s) => ccsim::scenario::parse_duration(s.value()).ok(),
        Value::Integer(n) => Some(*n.value() as f64),
        Value::Float(x) => Some(*x.value()),
        _ => None,
    };
    if let Some(seconds) = seconds {
        let scaled = (seconds * factor * 10.0).round() / 10.0;
        replace(v, Value::from(format!("{scaled}s")));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Handle times +10 % where the forecast gives each interval's AHT: the AHTs are
    /// scaled with the distribution (the talk time's factor is AHT ÷ mean, so scaling
    /// the mean alone changed nothing), and so are an empirical distribution's samples;
    /// what a CSV file holds is refused, not left as it is.
    #[test]
    fn handle_times_scale_the_forecasts_aht_and_refuse_what_a_file_holds() {
        let text = r#"[scenario]
name = "t"
[[call_type]]
name = "a"
arrivals = { per_interval = [40, 60], aht_per_interval = [300, 250] }
handle_time = { dist = "exponential", mean = "5m" }
[[call_type]]
name = "b"
arrivals = { per_hour = 10 }
handle_time = { dist = "empirical", samples = [100, 200.5] }
"#;
        let what = WhatIf {
            handle_percent: 10.0,
            ..WhatIf::default()
        };
        let out = apply(text, &what).unwrap();
        assert!(out.contains("aht_per_interval = [330, 275]"), "{out}");
        assert!(out.contains("mean = \"330s\""), "{out}");
        assert!(out.contains("samples = [110, 220.55]"), "{out}");
        let from_csv = text.replace(
            "arrivals = { per_interval = [40, 60], aht_per_interval = [300, 250] }",
            "arrivals = { csv = \"f.csv\", column = \"a\", aht_column = \"aht\" }",
        );
        let e = apply(&from_csv, &what).unwrap_err();
        assert!(
            e.starts_with(
                "handle times +10%: call type `a` reads its handle time per interval from a CSV file (`aht_column`)"
            ),
            "{e}"
        );
        let more = WhatIf {
            arrivals_percent: 5.0,
            ..WhatIf::default()
        };
        let e = apply(&from_csv, &more).unwrap_err();
        assert!(
            e.contains("call type `a` reads its volumes from a CSV file (`csv`)"),
            "{e}"
        );
    }

    const TEXT: &str = r#"[scenario]
name = "t" # the name
[[call_type]]
name = "a"
arrivals = { per_interval = [40, 62] }
handle_time = { dist = "lognormal", mean = "4m30s", cv = 0.9 }
[[agent_group]]
name = "g"
agents = 10
[[agent_group]]
name = "h"
shifts = [{ start = "08:00", end = "12:00", agents = 3 }, { start = "10:00", end = "14:00", agents = 4 }]
"#;

    #[test]
    fn the_form_rewrites_arrivals_handle_times_and_agents() {
        assert_eq!(
            groups(TEXT),
            vec![
                GroupAgents {
                    name: "g".into(),
                    kind: "agents".into(),
                    agents: vec![10],
                    outsourced: false,
                },
                GroupAgents {
                    name: "h".into(),
                    kind: "shifts".into(),
                    agents: vec![3, 4],
                    outsourced: false,
                },
            ]
        );
        let what = WhatIf {
            arrivals_percent: 10.0,
            handle_percent: -10.0,
            groups: vec![
                GroupAgents {
                    name: "g".into(),
                    kind: "agents".into(),
                    agents: vec![12],
                    outsourced: false,
                },
                GroupAgents {
                    name: "h".into(),
                    kind: "shifts".into(),
                    agents: vec![5, 6],
                    outsourced: false,
                },
            ],
            ..WhatIf::default()
        };
        let out = apply(TEXT, &what).unwrap();
        assert!(out.contains("per_interval = [44, 68.2]"), "{out}");
        assert!(out.contains("mean = \"243s\""), "{out}");
        assert!(out.contains("agents = 12\n"), "{out}");
        assert!(out.contains("agents = 5 }, {"), "{out}");
        assert!(out.contains("agents = 6 }]"), "{out}");
        assert!(out.contains("# the name"), "comments stay: {out}");
    }

    #[test]
    fn the_form_refuses_what_it_cannot_write() {
        let wrong = |groups| WhatIf {
            groups,
            ..WhatIf::default()
        };
        let e = apply(
            TEXT,
            &wrong(vec![GroupAgents {
                name: "x".into(),
                kind: "agents".into(),
                agents: vec![1],
                outsourced: false,
            }]),
        );
        assert_eq!(e.unwrap_err(), "no agent group named \"x\"");
        let e = apply(
            TEXT,
            &wrong(vec![GroupAgents {
                name: "h".into(),
                kind: "shifts".into(),
                agents: vec![1],
                outsourced: false,
            }]),
        );
        assert_eq!(e.unwrap_err(), "h: 2 numbers of agents expected, got 1");
        let e = apply(
            TEXT,
            &WhatIf {
                arrivals_percent: f64::NAN,
                ..WhatIf::default()
            },
        );
        assert!(e.unwrap_err().starts_with("a percentage must be"));
    }

    const VENDOR: &str = r#"[scenario]
name = "vendor"
duration = "4h"
[[call_type]]
name = "orders"
arrivals = { per_hour = 100 }
handle_time = { dist = "exponential", mean = "4m" }
routing = [
  { group = "in-house" },
  { group = "onshore", after = "60s" },
]
[[call_type]]
name = "returns"
arrivals = { per_hour = 20 }
handle_time = { dist = "exponential", mean = "6m" }
routing = [{ group = "onshore" }, { group = "in-house", after = "30s" }]
[[agent_group]]
name = "in-house"
shifts = [{ start = "00:00", end = "04:00", agents = 3 }]
skills = ["orders", { call_type = "returns", factor = 1.2 }]
[[agent_group]]
name = "onshore"
outsourced = true
agents = 3
skills = [{ call_type = "orders", factor = 1.1 }, "returns"]
"#;

    /// The errors `ccsim validate` would give for the text (none: valid).
    fn validation(text: &str) -> Vec<String> {
        match ccsim::scenario::Scenario::parse("t.toml", text).and_then(|s| ccsim::model::Model::build(&s)) {
            Ok(_) => Vec::new(),
            Err(ccsim::error::Error::Invalid(d)) => d.iter().map(|d| d.message.clone()).collect(),
            Err(e) => vec![e.to_string()],
        }
    }

    fn route(call_type: &str, group: &str, on: bool) -> Switch<Route> {
        Switch {
            what: Route {
                call_type: call_type.into(),
                group: group.into(),
            },
            on,
        }
    }

    fn switch_routes(text: &str, routes: Vec<Switch<Route>>) -> Result<String, String> {
        apply(
            text,
            &WhatIf {
                routes,
                baseline: Some(text.into()),
                ..WhatIf::default()
            },
        )
    }

    #[test]
    fn a_route_switched_off_takes_the_skill_with_it_and_the_scenario_stays_valid() {
        assert_eq!(validation(VENDOR), Vec::<String>::new());
        // Returns no longer go to the in-house team: out of the routing and its skills.
        let off = switch_routes(VENDOR, vec![route("returns", "in-house", false)]).unwrap();
        assert_eq!(validation(&off), Vec::<String>::new(), "{off}");
        assert!(off.contains("routing = [{ group = \"onshore\" }]\n"), "{off}");
        assert!(off.contains("skills = [\"orders\"]\n"), "{off}");
        // Orders no longer go to the vendor (the first of its skills, in a multi-line
        // routing).
        let off = switch_routes(VENDOR, vec![route("orders", "onshore", false)]).unwrap();
        assert_eq!(validation(&off), Vec::<String>::new(), "{off}");
        assert!(off.contains("routing = [\n  { group = \"in-house\" },\n]\n"), "{off}");
        assert!(off.contains("skills = [\"returns\"]\n"), "{off}");
        // Back on: the text as opened, byte for byte.
        let on = apply(
            &off,
            &WhatIf {
                routes: vec![route("orders", "onshore", true)],
                baseline: Some(VENDOR.into()),
                ..WhatIf::default()
            },
        )
        .unwrap();
        assert_eq!(on, VENDOR);
        let both = switch_routes(
            VENDOR,
            vec![route("returns", "in-house", false), route("orders", "onshore", false)],
        );
        let on = apply(
            &both.unwrap(),
            &WhatIf {
                routes: vec![route("orders", "onshore", true), route("returns", "in-house", true)],
                baseline: Some(VENDOR.into()),
                ..WhatIf::default()
            },
        );
        assert_eq!(on.unwrap(), VENDOR);
    }

    #[test]
    fn a_route_is_not_switched_off_where_the_scenario_could_not_be_valid() {
        // The last route of a call type.
        let e = switch_routes(
            VENDOR,
            vec![route("returns", "in-house", false), route("returns", "onshore", false)],
        );
        assert_eq!(
            e.unwrap_err(),
            "returns → onshore: the only route of returns, whose calls could then never be answered; route returns to another group first"
        );
        // A group's last skill.
        let e = switch_routes(
            VENDOR,
            vec![route("orders", "onshore", false), route("returns", "onshore", false)],
        );
        assert_eq!(
            e.unwrap_err(),
            "returns → onshore: onshore answers only returns, and a group needs a skill; set its agents to 0 (a vendor: switch it off) instead"
        );
        // The one route without `share`, where the shares leave calls with none.
        let shared = VENDOR.replace(
            "routing = [{ group = \"onshore\" }, { group = \"in-house\", after = \"30s\" }]",
            "routing = [{ group = \"onshore\", share = 0.4 }, { group = \"in-house\" }]",
        );
        assert_eq!(validation(&shared), Vec::<String>::new());
        let e = switch_routes(&shared, vec![route("returns", "in-house", false)]);
        assert_eq!(
            e.unwrap_err(),
            "returns → in-house: the only route of returns without `share`; the other routes take 0.4 of its calls and the rest could never be answered"
        );
        // A share route may go: the rest take its calls.
        let off = switch_routes(&shared, vec![route("returns", "onshore", false)]).unwrap();
        assert_eq!(validation(&off), Vec::<String>::new(), "{off}");
    }

    #[test]
    fn vendors_and_routes_switch_off_and_back_on_from_the_text_as_opened() {
        assert!(groups(VENDOR)[1].outsourced);
        assert_eq!(routes(VENDOR).len(), 4);
        let switch = |on| WhatIf {
            vendors: vec![Switch {
                what: Vendor { name: "onshore".into() },
                on,
            }],
            routes: vec![Switch {
                what: Route {
                    call_type: "orders".into(),
                    group: "onshore".into(),
                },
                on,
            }],
            baseline: Some(VENDOR.into()),
            ..WhatIf::default()
        };
        let off = apply(VENDOR, &switch(false)).unwrap();
        assert!(off.contains("outsourced = true\nagents = 0\n"), "{off}");
        assert_eq!(validation(&off), Vec::<String>::new(), "{off}");
        let route = |call_type: &str, group: &str| Route {
            call_type: call_type.into(),
            group: group.into(),
        };
        assert_eq!(
            routes(&off),
            vec![
                route("orders", "in-house"),
                route("returns", "onshore"),
                route("returns", "in-house")
            ]
        );
        let on = apply(&off, &switch(true)).unwrap();
        assert_eq!(on, VENDOR);
        // Shifts give way to one number per interval.
        let per_interval = WhatIf {
            groups: vec![GroupAgents {
                name: "in-house".into(),
                kind: "per_interval".into(),
                agents: vec![2, 3],
                outsourced: false,
            }],
            ..WhatIf::default()
        };
        let out = apply(VENDOR, &per_interval).unwrap();
        assert!(out.contains("\nagents = [2, 3]\n"), "{out}");
        assert!(!out.contains("shifts"), "{out}");
    }
}
