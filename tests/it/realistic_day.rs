//! A real centre's day: several call types sharing agents, shifts with breaks and
//! shrinkage, priorities, overflow routing, proficiency, after-call work and redials.

use ccsim::Summary;
use ccsim::erlang::{Queue, performance};

use crate::common::{agrees, agrees_exact, mean, summary};

const HEADER: &str = r#"
[scenario]
name = "day"
duration = "20h"
interval = "20h"
warmup = "2h"
replications = 20
seed = 5
"#;

/// A long stationary day, many times over: enough for intervals within the standard
/// width limits when compared with exact Erlang figures.
const ERLANG_DAY: &str = r#"
[scenario]
name = "erlang day"
duration = "160h"
interval = "160h"
warmup = "2h"
replications = 200
seed = 5
"#;

#[test]
fn two_call_types_pooled_in_one_group_match_erlang_c_for_the_combined_load() {
    let text = format!(
        r#"{ERLANG_DAY}
[[call_type]]
name = "billing"
arrivals = {{ per_hour = 100 }}
handle_time = {{ dist = "exponential", mean = "4m" }}

[[call_type]]
name = "orders"
arrivals = {{ per_hour = 140 }}
handle_time = {{ dist = "exponential", mean = "4m" }}

[[agent_group]]
name = "pool"
agents = 18
skills = ["billing", "orders"]
"#
    );
    let s = summary(&text);
    let exact = performance(&Queue {
        arrival_rate: 240.0 / 3600.0,
        mean_handle_time: 240.0,
        agents: 18,
        mean_patience: None,
        threshold: 20.0,
    })
    .unwrap();
    agrees_exact(&s.totals, "service_level", exact.service_level, 1e-9);
    agrees_exact(&s.totals, "asa_seconds", exact.asa_seconds, 1e-9);
    agrees_exact(&s.totals, "occupancy", exact.occupancy, 1e-9);
    // FCFS across the pool: both call types see the same service.
    agrees_exact(&s.call_types[0].metrics, "service_level", exact.service_level, 1e-9);
    agrees_exact(&s.call_types[1].metrics, "service_level", exact.service_level, 1e-9);
}

#[test]
fn disjoint_groups_match_two_independent_erlang_systems() {
    let text = format!(
        r#"{ERLANG_DAY}
[[call_type]]
name = "billing"
arrivals = {{ per_hour = 100 }}
handle_time = {{ dist = "exponential", mean = "4m" }}
patience = {{ dist = "exponential", mean = "2m" }}

[[call_type]]
name = "tech"
arrivals = {{ per_hour = 60 }}
handle_time = {{ dist = "exponential", mean = "9m" }}

[[agent_group]]
name = "billing team"
agents = 8
skills = ["billing"]

[[agent_group]]
name = "tech team"
agents = 11
skills = ["tech"]
"#
    );
    let s = summary(&text);
    for (k, (per_hour, aht, agents, patience)) in [(100.0, 240.0, 8, Some(120.0)), (60.0, 540.0, 11, None)]
        .into_iter()
        .enumerate()
    {
        let exact = performance(&Queue {
            arrival_rate: per_hour / 3600.0,
            mean_handle_time: aht,
            agents,
            mean_patience: patience,
            threshold: 20.0,
        })
        .unwrap();
        agrees_exact(&s.call_types[k].metrics, "answer_rate", exact.answer_rate, 1e-9);
        agrees_exact(&s.call_types[k].metrics, "service_level", exact.service_level, 1e-9);
        agrees_exact(&s.call_types[k].metrics, "asa_seconds", exact.asa_seconds, 1e-9);
        agrees_exact(&s.groups[k].metrics, "occupancy", exact.occupancy, 1e-9);
    }
}

const SHIFT_DAY: &str = r#"
[scenario]
name = "shifts"
start = "08:00"
duration = "4h"
interval = "30m"
replications = 3

[[call_type]]
name = "calls"
arrivals = { per_hour = 30 }
handle_time = { dist = "exponential", mean = "3m" }

[[agent_group]]
name = "team"
shrinkage = SHRINKAGE
shifts = [
  { start = "08:00", end = "12:00", agents = 10, breaks = [{ start = "10:00", duration = "30m" }] },
  { start = "09:00", end = "17:00", agents = 4, breaks = [{ start = "11:15", duration = "15m" }] },
]
skills = ["calls"]
"#;

#[test]
fn a_break_reduces_capacity_exactly_in_that_break() {
    let s = summary(&SHIFT_DAY.replace("SHRINKAGE", "0"));
    let hours: Vec<f64> = s
        .intervals
        .iter()
        .map(|i| mean(&i.groups[0].metrics, "agent_hours"))
        .collect();
    // 08:00 10 agents; 09:00 +4; 10:00–10:30 the first shift's break; 11:15–11:30 the
    // second shift's break (half an interval of 4 agents fewer).
    assert_eq!(hours, vec![5.0, 5.0, 7.0, 7.0, 2.0, 7.0, 6.0, 7.0]);
}

#[test]
fn shrinkage_turns_paid_headcount_into_agents_on_duty() {
    // 30 % shrinkage: 10 paid → 7 on duty, 14 → 10 (9.8 rounded), 4 → 3 (2.8 rounded).
    let s = summary(&SHIFT_DAY.replace("SHRINKAGE", "0.3"));
    let hours: Vec<f64> = s
        .intervals
        .iter()
        .map(|i| mean(&i.groups[0].metrics, "agent_hours"))
        .collect();
    assert_eq!(hours, vec![3.5, 3.5, 5.0, 5.0, 1.5, 5.0, 4.25, 5.0]);
}

#[test]
fn redials_raise_offered_contacts_as_the_abandon_counts_predict() {
    let header = HEADER.replace("replications = 20", "replications = 100");
    let text = format!(
        r#"{header}
[[call_type]]
name = "calls"
arrivals = {{ per_hour = 300 }}
handle_time = {{ dist = "exponential", mean = "4m" }}
patience = {{ dist = "exponential", mean = "1m" }}
redial = {{ probability = 0.6, delay = {{ dist = "exponential", mean = "5m" }} }}

[[agent_group]]
name = "team"
agents = 19
skills = ["calls"]
"#
    );
    let s = summary(&text);
    let t = &s.totals;
    // Every abandon (fresh or redial) tries again with probability 0.6: a binomial
    // thinning of the abandons, whose mean over 100 replications has the standard
    // deviation √(abandoned · 0.6 · 0.4 / 100), give or take the redials that cross the
    // window's edges (abandons per hour × 0.6 × the 5-minute delay at each).
    let (redials, abandoned) = (mean(t, "redials"), mean(t, "abandoned"));
    let predicted = 0.6 * abandoned;
    let edges = 2.0 * abandoned / 20.0 * 0.6 * 5.0 / 60.0;
    let tolerance = 4.0 * (abandoned * 0.6 * 0.4 / 100.0).sqrt() + edges;
    assert!(
        (redials - predicted).abs() <= tolerance,
        "redials {redials} vs 0.6 × abandoned = {predicted} (± {tolerance})"
    );
    assert!(redials > 100.0, "the test needs real redials");
    assert!((mean(t, "offered") - (mean(t, "fresh") + redials)).abs() < 1e-6);
    assert!((mean(t, "unique_callers") - mean(t, "fresh")).abs() < 1e-6);
    // Fresh contacts are the forecast: 300/h over 20 h, within 1 % (Poisson: ci ≈ 0.3 %).
    agrees(t, "fresh", 6000.0, 1e-9, 60.0);
}

const TWO_TYPES_ONE_TEAM: &str = r#"
[scenario]
name = "routing"
duration = "10h"
interval = "10h"
warmup = "1h"
replications = 10

[[call_type]]
name = "gold"
arrivals = { per_hour = 60 }
handle_time = { dist = "exponential", mean = "5m" }
patience = { dist = "exponential", mean = "3m" }
priority = GOLD_PRIORITY

[[call_type]]
name = "standard"
arrivals = { per_hour = 60 }
handle_time = { dist = "exponential", mean = "5m" }
patience = { dist = "exponential", mean = "3m" }
ROUTING

[[agent_group]]
name = "team"
agents = 10
skills = ["gold", "standard"]

[[agent_group]]
name = "backup"
agents = BACKUP
skills = [{ call_type = "standard", factor = 2.0 }]
"#;

fn routing_day(gold_priority: i64, routing: &str, backup: u32) -> Summary {
    summary(
        &TWO_TYPES_ONE_TEAM
            .replace("GOLD_PRIORITY", &gold_priority.to_string())
            .replace("ROUTING", routing)
            .replace("BACKUP", &backup.to_string()),
    )
}

#[test]
fn priority_calls_are_answered_first() {
    let s = routing_day(
        1,
        r#"routing = [{ group = "team" }, { group = "backup", after = "10h" }]"#,
        0,
    );
    let (gold, standard) = (&s.call_types[0].metrics, &s.call_types[1].metrics);
    // Gold jumps the queue: it abandons far less and meets the service level more often.
    assert!(
        mean(gold, "abandon_rate") * 1.5 < mean(standard, "abandon_rate"),
        "{gold:?}\n{standard:?}"
    );
    assert!(mean(gold, "answer_rate") > mean(standard, "answer_rate") + 0.05);
    // Without priority they are the same queue.
    let s = routing_day(
        0,
        r#"routing = [{ group = "team" }, { group = "backup", after = "10h" }]"#,
        0,
    );
    let (g, st) = (
        s.call_types[0].metrics.get("service_level").unwrap(),
        s.call_types[1].metrics.get("service_level").unwrap(),
    );
    assert!((g.mean.unwrap() - st.mean.unwrap()).abs() <= 3.0 * (g.ci95.unwrap() + st.ci95.unwrap()));
}

#[test]
fn overflow_groups_answer_only_after_the_wait() {
    // Backup eligible after 30 s: it answers, and only calls that waited 30 s or more, so
    // the standard calls it answers miss the 20 s threshold.
    let s = routing_day(
        0,
        r#"routing = [{ group = "team" }, { group = "backup", after = "30s" }]"#,
        3,
    );
    assert!(mean(&s.groups[1].metrics, "handled") > 10.0);
    // Eligible only after 10 h (longer than anyone waits): the backup never answers.
    let never = routing_day(
        0,
        r#"routing = [{ group = "team" }, { group = "backup", after = "10h" }]"#,
        3,
    );
    assert_eq!(mean(&never.groups[1].metrics, "handled"), 0.0);
    assert!(mean(&s.call_types[1].metrics, "answer_rate") > mean(&never.call_types[1].metrics, "answer_rate"));
    // A backup taking calls at once answers more of them than one waiting 30 s.
    let at_once = routing_day(0, r#"routing = [{ group = "team" }, { group = "backup" }]"#, 3);
    assert!(mean(&at_once.groups[1].metrics, "handled") > mean(&s.groups[1].metrics, "handled"));
}

#[test]
fn proficiency_and_after_call_work_set_the_handle_time() {
    let text = r#"
[scenario]
name = "handle"
duration = "2h"
replications = 2

[[call_type]]
name = "slow"
arrivals = { per_hour = 20 }
handle_time = { dist = "constant", value = "2m" }
wrap_up = { dist = "constant", value = "30s" }

[[call_type]]
name = "fast"
arrivals = { per_hour = 20 }
handle_time = { dist = "constant", value = "2m" }

[[agent_group]]
name = "juniors"
agents = 5
skills = [{ call_type = "slow", factor = 1.5 }]

[[agent_group]]
name = "seniors"
agents = 5
skills = [{ call_type = "fast", factor = 0.5 }]
"#;
    let s = summary(text);
    assert_eq!(mean(&s.call_types[0].metrics, "aht_seconds"), 180.0 + 30.0);
    assert_eq!(mean(&s.call_types[1].metrics, "aht_seconds"), 60.0);
}
