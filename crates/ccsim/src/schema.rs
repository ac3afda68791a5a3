//! `ccsim schema`: a JSON Schema of the scenario format, for editors.
//!
//! TOML editors (Even Better TOML, Taplo, VS Code) complete and check a file against a
//! JSON Schema. The key names of each table come from [`crate::scenario::keys`], the same
//! lists the reader accepts, so the schema cannot drift from the reader; each key has a
//! type and a description here. Checks that cross fields (names that must exist, lengths
//! that must match the horizon) stay with `ccsim validate`.

use serde_json::{Map, Value, json};

use crate::scenario::{DURATION_UNITS, keys};

fn duration(description: &str) -> Value {
    json!({ "$ref": "#/$defs/duration", "description": description })
}

fn fraction(description: &str) -> Value {
    json!({ "$ref": "#/$defs/fraction", "description": description })
}

/// The pattern of a duration string, made from the reader's own unit table so the two
/// cannot drift: a plain number of seconds, or NUMBER UNIT parts whose units come largest
/// first, each at most once (one alternative per first unit; no look-around, which not
/// every editor's regex engine has).
fn duration_pattern() -> String {
    const NUMBER: &str = "[0-9]*\\.?[0-9]+";
    let parts: Vec<String> = DURATION_UNITS
        .iter()
        .map(|(_, names)| {
            // Longest spelling first, so that `min` is not read as `m` followed by junk.
            let mut names = names.to_vec();
            names.sort_by_key(|n| std::cmp::Reverse(n.len()));
            format!("{NUMBER}\\s*(?:{})\\s*", names.join("|"))
        })
        .collect();
    let sequences: Vec<String> = (0..parts.len())
        .map(|first| {
            let optional: String = parts[first + 1..].iter().map(|p| format!("(?:{p})?")).collect();
            format!("{}{optional}", parts[first])
        })
        .collect();
    format!("^\\s*(?:{NUMBER}(?:[eE][-+]?[0-9]+)?|{})\\s*$", sequences.join("|"))
}

fn number(description: &str) -> Value {
    json!({ "type": "number", "description": description })
}

fn whole(description: &str) -> Value {
    json!({ "type": "integer", "minimum": 0, "description": description })
}

fn text(description: &str) -> Value {
    json!({ "type": "string", "description": description })
}

fn dist(description: &str) -> Value {
    json!({ "$ref": "#/$defs/distribution", "description": description })
}

/// A closed table: its keys (from the reader's list) with their schemas from `props`.
/// A key of the list without a schema here is left open (and caught by the tests).
fn table(description: &str, keys: &[&str], required: &[&str], props: Vec<(&str, Value)>) -> Value {
    let mut properties = Map::new();
    for &k in keys {
        let schema = props
            .iter()
            .find(|(name, _)| *name == k)
            .map_or(Value::Bool(true), |(_, v)| v.clone());
        properties.insert(k.to_owned(), schema);
    }
    json!({
        "type": "object",
        "description": description,
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

/// The schema, as a JSON document.
pub fn schema() -> Value {
    let shift = |with_agents: bool| {
        let mut props = vec![
            (
                "start",
                json!({ "$ref": "#/$defs/clock_time", "description": "clock time the shift starts" }),
            ),
            (
                "end",
                json!({ "$ref": "#/$defs/clock_time", "description": "clock time it ends (at or before start: past midnight)" }),
            ),
            (
                "breaks",
                json!({ "type": "array", "description": "breaks inside the shift", "items": table("a break", keys::BREAK, &["start", "duration"], vec![
                ("start", json!({ "$ref": "#/$defs/clock_time", "description": "clock time the break starts" })),
                ("duration", duration("how long")),
                ("paid", json!({ "type": "boolean", "description": "whether the break is paid (default true; an unpaid break is not charged)" })),
            ]) }),
            ),
        ];
        let mut shift_keys: Vec<&str> = keys::SHIFT.to_vec();
        let mut required = vec!["start", "end"];
        if with_agents {
            props.push(("agents", whole("paid headcount on this shift")));
            props.push((
                "days",
                json!({ "type": "array", "items": { "type": "integer", "minimum": 0 }, "description": "the days it is worked (1: the horizon's first day, 0: the day before; default every day)" }),
            ));
            required.push("agents");
        } else {
            shift_keys.retain(|k| !["agents", "days"].contains(k));
        }
        table("a shift, repeated every day", &shift_keys, &required, props)
    };
    let clock = |description: &str| json!({ "$ref": "#/$defs/clock_time", "description": description });
    let pattern = table(
        "a rule that generates shifts: every start × every length, with breaks",
        keys::PATTERN,
        &["starts", "lengths"],
        vec![
            ("name", text("shown in the roster (default: pattern 1, 2, …)")),
            (
                "starts",
                json!({ "description": "start times: one, a list, or every `every` from `from` to `to`", "oneOf": [
                    clock("a start time"),
                    { "type": "array", "items": clock("a start time") },
                    table("start times at a step", keys::STARTS, &["from", "to"], vec![
                        ("from", clock("the first start")),
                        ("to", clock("the last start (before `from`: past midnight)")),
                        ("every", duration("the step (default 30m)")),
                    ]),
                ] }),
            ),
            (
                "lengths",
                json!({ "description": "shift lengths", "oneOf": [duration("a length"), { "type": "array", "items": duration("a length") }] }),
            ),
            (
                "breaks",
                json!({ "type": "array", "description": "breaks, in the order taken", "items": table("a break with a window", keys::BREAK_RULE, &["duration", "after", "before"], vec![
                    ("duration", duration("how long")),
                    ("paid", json!({ "type": "boolean", "description": "whether the break is paid (default true)" })),
                    ("after", duration("the break starts at least this long after the shift starts")),
                    ("before", duration("and ends at most this long after it starts")),
                    ("every", duration("the step of its start times (default 15m)")),
                ]) }),
            ),
        ],
    );
    let contract = table(
        "what an agent's week may hold",
        keys::CONTRACT,
        &[],
        vec![
            ("name", text("shown in the roster")),
            (
                "days",
                json!({ "type": "integer", "minimum": 1, "maximum": 7, "description": "working days a week (default 5)" }),
            ),
            (
                "consecutive_days_off",
                json!({ "type": "boolean", "description": "the days off of a week together (default true)" }),
            ),
            (
                "min_hours",
                json!({ "type": "number", "minimum": 0, "description": "paid hours a week, at least" }),
            ),
            (
                "max_hours",
                json!({ "type": "number", "minimum": 0, "description": "paid hours a week, at most" }),
            ),
            ("min_share", fraction("share of the group's agents on it, at least")),
            ("max_share", fraction("share of the group's agents on it, at most")),
        ],
    );
    let scenario = table(
        "horizon, statistics and defaults",
        keys::SCENARIO,
        &["name", "duration"],
        vec![
            ("name", text("shown in every report")),
            (
                "start",
                json!({ "$ref": "#/$defs/clock_time", "description": "clock time where measuring starts (default 00:00)" }),
            ),
            (
                "duration",
                duration("measured time per replication, a whole number of intervals"),
            ),
            (
                "warmup",
                duration("simulated before start with the first interval's volumes and staffing, not counted"),
            ),
            ("interval", duration("the planning grain (default 30m)")),
            (
                "replications",
                json!({ "type": "integer", "minimum": 1, "description": "independent simulated days (default 10)" }),
            ),
            ("seed", whole("the random seed (default 1)")),
            (
                "service_level",
                table(
                    "the service-level target",
                    keys::SERVICE_LEVEL,
                    &[],
                    vec![
                        ("threshold", duration("answered within this counts (default 20s)")),
                        ("target", fraction("the planner's target (default 0.80)")),
                    ],
                ),
            ),
            (
                "answer_rate_target",
                fraction("the planner's answer-rate target (default 0.90)"),
            ),
            (
                "forecast_error",
                table(
                    "day-level volume uncertainty",
                    keys::FORECAST_ERROR,
                    &["cv"],
                    vec![(
                        "cv",
                        json!({ "type": "number", "minimum": 0, "maximum": 2, "description": "CV of a gamma day multiplier with mean 1" }),
                    )],
                ),
            ),
            (
                "drain_limit",
                duration("how long open contacts are followed after the window (default 4h)"),
            ),
            ("currency", text("the currency costs are in, e.g. EUR")),
            (
                "agent_selection",
                json!({ "enum": ["longest_idle", "random"], "description": "which idle agent answers a contact when several eligible groups have one (default longest_idle)" }),
            ),
            (
                "lines",
                json!({ "type": "integer", "minimum": 1, "description": "trunk lines: voice calls in the centre at once (waiting or talking); a call that finds them all busy is blocked" }),
            ),
            (
                "queue_capacity",
                json!({ "type": "integer", "minimum": 0, "description": "the most calls that may wait at once, all voice queues together; a call that must wait when it is full is blocked" }),
            ),
            (
                "at_close",
                json!({ "enum": ["serve", "disconnect"], "description": "calls and chats still waiting when the window ends: served in the drain (default) or disconnected" }),
            ),
            (
                "short_abandon",
                duration("abandons within it are short: left out of the service level (default: none)"),
            ),
            (
                "staffing",
                table(
                    "how `ccsim staff` searches, and its extra targets",
                    keys::STAFFING,
                    &[],
                    vec![
                        (
                            "scope",
                            json!({ "enum": ["interval", "day"], "description": "targets hold per interval (default) or over the day" }),
                        ),
                        (
                            "confidence",
                            fraction("targets must hold on this share of simulated days"),
                        ),
                        ("max_asa", duration("longest mean wait of answered contacts")),
                        ("max_occupancy", fraction("highest occupancy of an in-house group")),
                        (
                            "max_agents",
                            json!({ "type": "integer", "minimum": 1, "description": "most agents a group may get in one interval" }),
                        ),
                        (
                            "replications",
                            json!({ "type": "integer", "minimum": 2, "description": "replications per candidate at first" }),
                        ),
                        (
                            "max_replications",
                            json!({ "type": "integer", "minimum": 2, "description": "at most, to settle a decision within the noise" }),
                        ),
                    ],
                ),
            ),
        ],
    );
    let call_type = table(
        "a call type (queue)",
        keys::CALL_TYPE,
        &["name", "arrivals", "handle_time"],
        vec![
            ("name", text("unique; agent groups name it in skills")),
            (
                "arrivals",
                table(
                    "the forecast: per_hour, per_interval, or csv with column",
                    keys::ARRIVALS,
                    &[],
                    vec![
                        (
                            "per_hour",
                            json!({ "type": "number", "minimum": 0, "description": "constant-rate Poisson, calls per hour" }),
                        ),
                        (
                            "per_interval",
                            json!({ "type": "array", "items": { "type": "number", "minimum": 0 }, "description": "expected calls in each interval" }),
                        ),
                        ("csv", text("a CSV file, relative to the scenario")),
                        ("column", text("the CSV column of volumes")),
                        (
                            "aht_per_interval",
                            json!({ "type": "array", "items": { "type": "number", "exclusiveMinimum": 0 }, "description": "average handle time per interval, seconds" }),
                        ),
                        ("aht_column", text("the CSV column of average handle times, seconds")),
                    ],
                ),
            ),
            ("handle_time", dist("talk time per contact")),
            (
                "patience",
                dist("how long a caller waits before hanging up (omit: never)"),
            ),
            ("service_level_threshold", duration("this call type's own threshold")),
            (
                "short_abandon",
                duration("this call type's own short-abandon threshold"),
            ),
            (
                "priority",
                json!({ "type": "integer", "description": "larger is answered first (default 0)" }),
            ),
            (
                "head_start",
                duration("among equal priorities, counts as having waited this much longer (default 0, at most a day)"),
            ),
            (
                "forecast_error",
                table(
                    "this call type's own day-level volume uncertainty, on top of the scenario's",
                    keys::FORECAST_ERROR,
                    &["cv"],
                    vec![(
                        "cv",
                        json!({ "type": "number", "minimum": 0, "maximum": 2, "description": "CV of a gamma day multiplier with mean 1" }),
                    )],
                ),
            ),
            (
                "agent_selection",
                json!({ "enum": ["longest_idle", "random"], "description": "this call type's own agent selection (default: the scenario's)" }),
            ),
            (
                "from_log",
                table(
                    "written by `ccsim fit`: the log types and class of calls this call type stands for, so `backtest` can replay the log's load",
                    keys::FROM_LOG,
                    &["types", "calls"],
                    vec![
                        (
                            "types",
                            json!({ "type": "array", "items": { "type": "string" }, "description": "the log's call types" }),
                        ),
                        (
                            "calls",
                            json!({ "enum": ["regular", "priority", "all"], "description": "which priority class of them" }),
                        ),
                    ],
                ),
            ),
            ("wrap_up", dist("after-call work")),
            (
                "redial",
                table(
                    "what a caller who abandons does",
                    keys::REDIAL,
                    &["probability", "delay"],
                    vec![
                        ("probability", fraction("probability of calling again")),
                        ("delay", dist("after how long")),
                    ],
                ),
            ),
            (
                "retry",
                table(
                    "what a blocked caller (busy signal) does",
                    keys::REDIAL,
                    &["probability", "delay"],
                    vec![
                        ("probability", fraction("probability of trying again")),
                        ("delay", dist("after how long")),
                    ],
                ),
            ),
            (
                "queue_capacity",
                json!({ "type": "integer", "minimum": 0, "description": "the most calls of this type that may wait at once (voice only)" }),
            ),
            (
                "max_wait",
                table(
                    "a caller still waiting after `after` leaves a message",
                    keys::MAX_WAIT,
                    &["after", "outcome"],
                    vec![
                        (
                            "after",
                            duration("how long a caller waits before leaving a message (above 0)"),
                        ),
                        (
                            "outcome",
                            json!({ "enum": ["message"], "description": "what the caller does then" }),
                        ),
                        ("to", text("an email call type the message becomes work of (optional)")),
                    ],
                ),
            ),
            (
                "callback",
                table(
                    "a virtual-hold offer: a caller who would wait may be called back instead (voice only)",
                    keys::CALLBACK,
                    &["accept"],
                    vec![
                        (
                            "predicted_wait_over",
                            duration("offered at arrival when the predicted wait exceeds this"),
                        ),
                        ("after", duration("offered to a caller who has waited this long")),
                        ("accept", fraction("probability that the caller accepts")),
                        (
                            "answer",
                            fraction("probability that the customer answers the agent's call (default 1)"),
                        ),
                        (
                            "mode",
                            json!({ "enum": ["keep_place", "scheduled"], "description": "keep_place (default): the callback keeps the caller's place in the queue; scheduled: it joins the queue `delay` after it was accepted" }),
                        ),
                        (
                            "delay",
                            duration("with mode = \"scheduled\": from acceptance to joining the queue"),
                        ),
                        (
                            "no_answer_time",
                            duration("the agent's time on a callback nobody answers (default 30 s)"),
                        ),
                    ],
                ),
            ),
            (
                "routing",
                json!({ "type": "array", "description": "groups in order, each with its rule", "items": table("a route", keys::ROUTE, &["group"], vec![
                ("group", text("an agent group with the skill")),
                ("after", duration("eligible once the contact has waited this long")),
                ("queue_length", whole("eligible only while at least this many contacts wait")),
                ("share", fraction("this share of arrivals goes to this group only")),
            ]) }),
            ),
            (
                "resolution",
                fraction("probability an answered contact is resolved (default 1)"),
            ),
            (
                "unresolved",
                table(
                    "what becomes of an unresolved contact: escalate_to, or repeat_after",
                    keys::UNRESOLVED,
                    &[],
                    vec![
                        ("escalate_to", text("transferred into this call type's queue")),
                        ("repeat_after", dist("the customer calls again after this delay")),
                        (
                            "probability",
                            fraction("probability the customer calls again (default 1)"),
                        ),
                    ],
                ),
            ),
            (
                "channel",
                json!({ "enum": ["voice", "chat", "email"], "description": "how contacts arrive (default voice)" }),
            ),
            (
                "service_level_target",
                fraction("this call type's target share answered within its threshold"),
            ),
            ("answer_rate_target", fraction("this call type's answer-rate target")),
            (
                "max_asa",
                duration("longest mean wait of answered contacts `ccsim staff` allows"),
            ),
        ],
    );
    let agent_group = table(
        "agents with the same skills and schedule",
        keys::AGENT_GROUP,
        &["name", "skills"],
        vec![
            ("name", text("unique")),
            (
                "agents",
                json!({ "description": "agents on duty: one number, or one per interval", "oneOf": [
                { "type": "integer", "minimum": 0 },
                { "type": "array", "items": { "type": "integer", "minimum": 0 } },
            ] }),
            ),
            (
                "shifts",
                json!({ "type": "array", "description": "paid headcount by shift", "items": shift(true) }),
            ),
            (
                "shrinkage",
                json!({ "type": "number", "minimum": 0, "exclusiveMaximum": 1, "description": "share of paid headcount not on duty" }),
            ),
            (
                "skills",
                json!({ "type": "array", "description": "the call types it answers", "items": { "oneOf": [
                { "type": "string" },
                table("a skill with its proficiency", keys::SKILL, &["call_type"], vec![
                    ("call_type", text("the call type")),
                    ("factor", number("talk-time factor: 1.2 is 20 % slower")),
                    ("resolution", fraction("this group's probability of resolving it")),
                ]),
            ] } }),
            ),
            (
                "outsourced",
                json!({ "type": "boolean", "description": "an outsourcing vendor's agents" }),
            ),
            (
                "cost",
                table(
                    "exactly one price, with an optional monthly minimum",
                    keys::COST,
                    &[],
                    vec![
                        (
                            "per_hour",
                            json!({ "type": "number", "minimum": 0, "description": "per paid hour" }),
                        ),
                        (
                            "overtime_per_hour",
                            json!({ "type": "number", "minimum": 0, "description": "per overtime hour (default per_hour)" }),
                        ),
                        (
                            "per_call",
                            json!({ "type": "number", "minimum": 0, "description": "per contact served" }),
                        ),
                        (
                            "per_minute",
                            json!({ "type": "number", "minimum": 0, "description": "per minute of handle time" }),
                        ),
                        (
                            "minimum_monthly",
                            json!({ "type": "number", "minimum": 0, "description": "volume paid for at least each month, in the price's unit" }),
                        ),
                    ],
                ),
            ),
            (
                "chat",
                table(
                    "chats an agent holds at once",
                    keys::CHAT,
                    &[],
                    vec![
                        (
                            "concurrency",
                            json!({ "type": "integer", "minimum": 1, "maximum": 100, "description": "chats at once (default 1)" }),
                        ),
                        (
                            "slowdown",
                            json!({ "type": "number", "minimum": 0, "maximum": 10, "description": "each extra chat slows all by this factor" }),
                        ),
                    ],
                ),
            ),
            (
                "channel_order",
                json!({ "type": "array", "uniqueItems": true, "items": { "enum": ["voice", "chat", "email"] }, "description": "the order channels are served in" }),
            ),
            (
                "serve",
                json!({ "enum": ["longest_wait", "skill_order"], "description": "how a freed agent picks among the group's skills, after channel and priority (default longest_wait)" }),
            ),
            (
                "skill_order_after",
                duration(
                    "with serve = \"skill_order\": a contact that has waited this long goes ahead of those that have not",
                ),
            ),
            (
                "roster",
                table(
                    "the shifts, contracts and rules `ccsim staff` rosters the group with",
                    keys::ROSTER,
                    &[],
                    vec![
                        (
                            "patterns",
                            json!({ "type": "array", "description": "rules that generate shifts", "items": pattern.clone() }),
                        ),
                        (
                            "shifts",
                            json!({ "type": "array", "description": "shifts written out", "items": shift(false) }),
                        ),
                        (
                            "contracts",
                            json!({ "type": "array", "description": "what an agent's week may hold", "items": contract.clone() }),
                        ),
                        (
                            "min_rest",
                            duration("rest between the end of a shift and the next of the same agent (default 11h)"),
                        ),
                        ("max_part_time", fraction("largest share of agents on part-time shifts")),
                        ("part_time_below", duration("shorter shifts are part-time (default 6h)")),
                        (
                            "time_limit",
                            duration("the longest the integer program may take (default 60s, at most 1h)"),
                        ),
                        (
                            "max_nodes",
                            json!({ "type": "integer", "minimum": 1, "maximum": 10_000_000, "description": "branch-and-bound nodes the integer program may use (default 5000): the same roster on every machine" }),
                        ),
                        (
                            "gap",
                            fraction("stop within this share of the best bound (default 0: the cheapest roster)"),
                        ),
                    ],
                ),
            ),
        ],
    );
    let expect = table(
        "a bound on the mean of one metric, checked by `ccsim check`",
        keys::EXPECT,
        &["metric"],
        vec![
            ("metric", text("any metric of the JSON output")),
            ("call_type", text("that call type's figure")),
            ("group", text("that agent group's figure")),
            (
                "interval",
                text("the interval with this label, e.g. 08:30, or \"*\": must hold in every interval with a figure"),
            ),
            ("min", number("lower bound on the mean")),
            ("max", number("upper bound on the mean")),
        ],
    );
    let root = table(
        "a ccsim scenario",
        keys::ROOT,
        &["scenario", "call_type", "agent_group"],
        vec![
            ("scenario", scenario),
            (
                "call_type",
                json!({ "type": "array", "minItems": 1, "items": call_type }),
            ),
            (
                "agent_group",
                json!({ "type": "array", "minItems": 1, "items": agent_group }),
            ),
            ("expect", json!({ "type": "array", "items": expect })),
        ],
    );
    let mut doc = root.as_object().cloned().unwrap_or_default();
    doc.insert("$schema".into(), json!("https://json-schema.org/draft/2020-12/schema"));
    doc.insert(
        "$id".into(),
        json!("https://github.com/ccsim/ccsim/scenario.schema.json"),
    );
    doc.insert("title".into(), json!("ccsim scenario"));
    doc.insert(
        "$defs".into(),
        json!({
            "duration": { "oneOf": [
                { "type": "string", "pattern": duration_pattern() },
                { "type": "number", "minimum": 0 },
            ] },
            "fraction": { "oneOf": [
                { "type": "number", "minimum": 0, "maximum": 1 },
                { "type": "string", "pattern": "^\\s*0*(?:100(?:\\.0+)?|[0-9]{1,2}(?:\\.[0-9]+)?|\\.[0-9]+)\\s*%\\s*$" },
            ] },
            "clock_time": { "type": "string", "pattern": "^[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?$" },
            "distribution": {
                "type": "object",
                "required": ["dist"],
                "additionalProperties": false,
                "properties": {
                    "dist": { "enum": ["exponential", "lognormal", "gamma", "weibull", "uniform", "triangular", "constant", "empirical", "hazard"] },
                    "mean": { "$ref": "#/$defs/duration" },
                    "cv": { "type": "number", "minimum": 0 },
                    "shape": { "type": "number", "exclusiveMinimum": 0 },
                    "scale": { "$ref": "#/$defs/duration" },
                    "min": { "$ref": "#/$defs/duration" },
                    "mode": { "$ref": "#/$defs/duration" },
                    "max": { "$ref": "#/$defs/duration" },
                    "value": { "$ref": "#/$defs/duration" },
                    "samples": { "type": "array", "items": { "type": "number", "minimum": 0 } },
                    "csv": { "type": "string" },
                    "column": { "type": "string" },
                    "from": {
                        "type": "array", "minItems": 1, "maxItems": crate::model::dist::MAX_HAZARD_PIECES,
                        "items": { "$ref": "#/$defs/duration" },
                        "description": "hazard: where each piece starts, strictly increasing from 0",
                    },
                    "rate": {
                        "type": "array", "minItems": 1, "maxItems": crate::model::dist::MAX_HAZARD_PIECES,
                        "items": { "type": "number", "minimum": 0 },
                        "description": "hazard: the rate per second of each piece (the last > 0)",
                    },
                },
            },
        }),
    );
    Value::Object(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every property of every table has a schema of its own (no key of the reader's
    /// lists is left undescribed).
    #[test]
    fn every_key_is_described() {
        fn walk(v: &Value, path: &str, missing: &mut Vec<String>) {
            match v {
                Value::Object(map) => {
                    if let Some(Value::Object(props)) = map.get("properties") {
                        for (k, p) in props {
                            if p == &Value::Bool(true) {
                                missing.push(format!("{path}.{k}"));
                            }
                        }
                    }
                    for (k, child) in map {
                        walk(child, &format!("{path}.{k}"), missing);
                    }
                }
                Value::Array(items) => items.iter().for_each(|i| walk(i, path, missing)),
                _ => {}
            }
        }
        let mut missing = Vec::new();
        walk(&schema(), "", &mut missing);
        assert!(missing.is_empty(), "keys without a schema: {missing:?}");
    }
}
