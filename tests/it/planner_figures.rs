//! Figures a planner reads, checked the way a planner would read them: defects found by
//! independent checks (a share route sending everything to one group, a channel's
//! occupancy halved, cost without paid shrinkage, transfers of warm-up calls counted).

use ccsim::engine::run_replication;
use ccsim::stats::{call, group};

use crate::common::{ci, mean, model, named, summary};

const SHARED_LINE: &str = r#"
[scenario]
name = "shares"
duration = "8h"
interval = "8h"
replications = 10
seed = 3

[[call_type]]
name = "sales"
arrivals = { per_hour = 300 }
handle_time = { dist = "exponential", mean = "3m" }
routing = ROUTES
"#;

fn group_text(name: &str) -> String {
    format!("\n[[agent_group]]\nname = \"{name}\"\nagents = 12\nskills = [\"sales\"]\n")
}

/// Each group's share of everything handled, with the half-width of its count.
fn shares_handled(routes: &str, groups: &[&str]) -> Vec<(f64, f64)> {
    let mut text = SHARED_LINE.replace("ROUTES", routes);
    for g in groups {
        text += &group_text(g);
    }
    let s = summary(&text);
    let total: f64 = groups.iter().map(|g| mean(named(&s.groups, g), "handled")).sum();
    groups
        .iter()
        .map(|g| {
            let m = named(&s.groups, g);
            (mean(m, "handled") / total, ci(m, "handled") / total)
        })
        .collect()
}

#[test]
fn shares_that_add_up_to_one_split_the_arrivals_as_written() {
    let two = shares_handled(
        r#"[{ group = "a", share = 0.5 }, { group = "b", share = 0.5 }]"#,
        &["a", "b"],
    );
    for &(share, half) in &two {
        assert!(half < 0.02, "interval ±{half} too wide");
        assert!((share - 0.5).abs() <= 3.0 * half + 0.01, "{two:?}");
    }
    let three = shares_handled(
        r#"[{ group = "a", share = 0.2 }, { group = "b", share = 0.3 }, { group = "c", share = 0.5 }]"#,
        &["a", "b", "c"],
    );
    for (&(share, half), expected) in three.iter().zip([0.2, 0.3, 0.5]) {
        assert!(half < 0.02, "interval ±{half} too wide");
        assert!((share - expected).abs() <= 3.0 * half + 0.01, "{three:?}");
    }
}

#[test]
fn a_group_with_two_skills_of_a_channel_counts_its_time_once() {
    let text = r#"
[scenario]
name = "two voice skills"
duration = "8h"
interval = "1h"
replications = 4
seed = 9

[[call_type]]
name = "billing"
arrivals = { per_hour = 120 }
handle_time = { dist = "exponential", mean = "4m" }

[[call_type]]
name = "orders"
arrivals = { per_hour = 60 }
handle_time = { dist = "exponential", mean = "4m" }

[[call_type]]
name = "chat"
channel = "chat"
arrivals = { per_hour = 30 }
handle_time = { dist = "exponential", mean = "6m" }

[[agent_group]]
name = "team"
agents = 12
skills = ["billing", "orders"]

[[agent_group]]
name = "chatters"
agents = 3
skills = ["chat"]
"#;
    let s = summary(text);
    let team = mean(named(&s.groups, "team"), "occupancy");
    let voice = mean(named(&s.channels, "voice"), "occupancy");
    assert!(team > 0.5, "a busy team: {team}");
    // Voice time is the team's whole time: the channel's occupancy is the team's.
    assert!((voice - team).abs() < 1e-9, "voice {voice} vs team {team}");
    let chat = mean(named(&s.channels, "chat"), "occupancy");
    let chatters = mean(named(&s.groups, "chatters"), "occupancy");
    assert!((chat - chatters).abs() < 1e-9, "chat {chat} vs chatters {chatters}");
    for i in &s.intervals {
        let (v, t) = (named(&i.channels, "voice"), named(&i.groups, "team"));
        assert!(
            (mean(v, "occupancy") - mean(t, "occupancy")).abs() < 1e-9,
            "{}",
            i.start
        );
    }
}

/// One group of a shift 08:00–16:00 (or on-duty agents), no calls, 100 an hour.
fn payroll(staffing: &str, shrinkage: f64) -> f64 {
    let text = format!(
        r#"
[scenario]
name = "payroll"
start = "08:00"
duration = "8h"
interval = "1h"
replications = 2

[[call_type]]
name = "sales"
arrivals = {{ per_hour = 0 }}
handle_time = {{ dist = "exponential", mean = "3m" }}

[[agent_group]]
name = "team"
{staffing}
shrinkage = {shrinkage}
skills = ["sales"]
cost = {{ per_hour = 100 }}
"#
    );
    let s = summary(&text);
    let cost = mean(named(&s.groups, "team"), "cost");
    assert_eq!(mean(&s.totals, "cost"), cost);
    cost
}

#[test]
fn paid_shrinkage_is_charged_and_breaks_are_paid_unless_said() {
    let shift = |breaks: &str| format!("shifts = [{{ start = \"08:00\", end = \"16:00\", agents = 10{breaks} }}]");
    // 10 agents × 8 h × 100, whatever share of them is away (absence, training).
    assert_eq!(payroll(&shift(""), 0.3), 8000.0);
    assert_eq!(payroll(&shift(""), 0.0), 8000.0);
    // A break is paid by default; an unpaid lunch is not charged.
    let lunch = |paid: &str| format!(", breaks = [{{ start = \"12:00\", duration = \"30m\"{paid} }}]");
    assert_eq!(payroll(&shift(&lunch("")), 0.3), 8000.0);
    assert_eq!(payroll(&shift(&lunch(", paid = true")), 0.3), 8000.0);
    assert_eq!(payroll(&shift(&lunch(", paid = false")), 0.3), 7500.0);
    // Agents on duty are the paid headcount less shrinkage: 7 on duty at 30 % are 10 paid.
    assert!((payroll("agents = 7", 0.3) - 8000.0).abs() < 1e-6);
    assert_eq!(payroll("agents = 7", 0.0), 5600.0);
}

const WARM_TIERS: &str = r#"
[scenario]
name = "warm tiers"
duration = "6h"
interval = "1h"
warmup = "2h"
drain_limit = "30d"
replications = 6
seed = 21

[[call_type]]
name = "front"
arrivals = { per_hour = 240 }
handle_time = { dist = "exponential", mean = "3m" }
patience = { dist = "exponential", mean = "2m" }
resolution = 0.7
unresolved = { escalate_to = "expert" }

[[call_type]]
name = "expert"
arrivals = { per_hour = 0 }
handle_time = { dist = "exponential", mean = "8m" }

[[agent_group]]
name = "tier1"
agents = 11
skills = ["front"]

[[agent_group]]
name = "tier2"
agents = 8
skills = ["expert"]
"#;

#[test]
fn a_tier_receives_exactly_the_escalations_counted_upstream() {
    let m = model(WARM_TIERS);
    for r in 0..m.replications {
        let stats = run_replication(&m, r);
        let (front, expert) = (stats.call_column(0, None), stats.call_column(1, None));
        assert!(front[call::ESCALATED] > 100, "escalations happen");
        // Transfers of warm-up calls (escalated while the window runs) are not counted.
        assert_eq!(
            expert[call::TRANSFERS_IN],
            front[call::ESCALATED],
            "replication {r}: tier 2 received {} transfers, tier 1 escalated {}",
            expert[call::TRANSFERS_IN],
            front[call::ESCALATED]
        );
        assert_eq!(expert[call::OFFERED], expert[call::TRANSFERS_IN]);
    }
}

#[test]
fn groups_count_work_and_call_types_count_contacts() {
    // Without a warm-up and without redials, every counted contact answered is a service
    // begun (in the window or the drain), and every service is of a counted contact.
    let cold = WARM_TIERS.replace("warmup = \"2h\"\n", "");
    let m = model(&cold);
    for r in 0..m.replications {
        let stats = run_replication(&m, r);
        let answered: u64 = (0..2).map(|c| stats.call_column(c, None)[call::ANSWERED]).sum();
        let handled: u64 = (0..2).map(|g| stats.group_column(Some(g), None)[group::HANDLED]).sum();
        assert_eq!(handled, answered, "replication {r}");
    }
    // With a warm-up, the groups also serve warm-up callers in the window.
    let m = model(WARM_TIERS);
    let stats = run_replication(&m, 0);
    let answered: u64 = (0..2).map(|c| stats.call_column(c, None)[call::ANSWERED]).sum();
    let handled: u64 = (0..2).map(|g| stats.group_column(Some(g), None)[group::HANDLED]).sum();
    assert!(
        handled > answered,
        "warm-up callers served in the window: {handled} vs {answered}"
    );
}
