//! Tiers, escalation, repeat contacts, outsourcing vendors and costs.
//!
//! Escalation is checked against theory (tier 1 without abandonment has Poisson
//! departures, so tier 2 is an Erlang system fed by tier 1's throughput × (1 − FCR)),
//! contacts are conserved across tiers replication by replication, vendors are checked
//! against the counts they were priced from, and a vendor with no agents changes nothing.

use ccsim::Summary;
use ccsim::engine::run_replication;
use ccsim::erlang::{Queue, performance};
use ccsim::stats::{RepStats, call};
use ccsim::summary::Metrics;

use crate::common::{agrees, agrees_exact, ci, get, mean, model, named, summary};

/// Tier 1: 300 calls/h, exponential 3 min, 18 agents, no abandonment, 80 % resolved,
/// the rest escalated to tier 2 (exponential 10 min, patience 5 min, 12 agents).
fn two_tiers(resolution: f64) -> String {
    format!(
        r#"
[scenario]
name = "two tiers"
duration = "80h"
interval = "80h"
warmup = "4h"
replications = 60
seed = 11

[[call_type]]
name = "tier1"
arrivals = {{ per_hour = 300 }}
handle_time = {{ dist = "exponential", mean = "3m" }}
resolution = {resolution}
unresolved = {{ escalate_to = "tier2" }}

[[call_type]]
name = "tier2"
arrivals = {{ per_hour = 0 }}
handle_time = {{ dist = "exponential", mean = "10m" }}
patience = {{ dist = "exponential", mean = "5m" }}

[[agent_group]]
name = "front"
agents = 18
skills = ["tier1"]

[[agent_group]]
name = "specialists"
agents = 12
skills = ["tier2"]
"#
    )
}

#[test]
fn tier_two_is_fed_by_tier_one_departures_thinned_by_fcr_and_matches_erlang() {
    let s = summary(&two_tiers(0.8));
    let (t1, t2) = (named(&s.call_types, "tier1"), named(&s.call_types, "tier2"));
    // Tier 1 is Erlang C; its first-contact resolution is the configured 0.8.
    let tier1 = performance(&Queue {
        arrival_rate: 300.0 / 3600.0,
        mean_handle_time: 180.0,
        agents: 18,
        mean_patience: None,
        threshold: 20.0,
    })
    .unwrap();
    agrees_exact(t1, "service_level", tier1.service_level, 1e-9);
    agrees_exact(t1, "fcr", 0.8, 1e-9);
    agrees_exact(t1, "escalation_rate", 0.2, 1e-9);
    // Tier 2's offered contacts are all transfers.
    assert_eq!(mean(t2, "offered"), mean(t2, "transfers_in"));
    assert_eq!(mean(t2, "fresh"), 0.0);
    // They are tier 1's answered thinned by the configured resolution (not by tier 1's
    // own escalation count): a binomial thinning, whose mean over the replications has
    // the standard deviation √(answered · 0.2 · 0.8 / replications) ≈ 8, plus the
    // transfers in flight at the window's two edges, λ·0.2·talk ≈ 3 at each.
    let (answered, offered) = (mean(t1, "answered"), mean(t2, "offered"));
    let thinned = answered * 0.2;
    let tolerance = 4.0 * (answered * 0.2 * 0.8 / 60.0).sqrt() + 2.0 * 300.0 / 3600.0 * 0.2 * 180.0;
    assert!(
        (offered - thinned).abs() <= tolerance,
        "tier 2 offered {offered}, tier 1 answered {answered} × 0.2 = {thinned} (± {tolerance})"
    );
    // And as theory has it: 300/h × 80 h × 0.2 = 4800, with an interval of at most 1 %.
    agrees(t2, "offered", 300.0 * 80.0 * 0.2, 1e-9, 48.0);
    // Tier 2 is Erlang A at 60 calls/h.
    let tier2 = performance(&Queue {
        arrival_rate: 60.0 / 3600.0,
        mean_handle_time: 600.0,
        agents: 12,
        mean_patience: Some(300.0),
        threshold: 20.0,
    })
    .unwrap();
    for (metric, exact) in [
        ("answer_rate", tier2.answer_rate),
        ("abandon_rate", tier2.abandon_rate),
        ("service_level", tier2.service_level),
    ] {
        agrees_exact(t2, metric, exact, 1e-9);
    }
    agrees_exact(t2, "asa_seconds", tier2.asa_seconds, 1e-3);
    // Totals count customer contacts: a transfer is not a new one.
    assert_eq!(mean(&s.totals, "offered"), mean(t1, "offered"));
    assert_eq!(mean(&s.totals, "transfers_in"), 0.0);
    agrees(&s.totals, "transfers_per_contact", 0.2, 1e-9, 0.005);
    // Tier 2 contacts never began there: no FCR, no contacts of its own.
    assert_eq!(get(t2, "fcr").mean, None);
    assert_eq!(get(t2, "transfers_per_contact").mean, None);
}

#[test]
fn a_better_tier_one_sends_fewer_transfers_and_meets_the_same_callers() {
    let (m8, m9) = (model(&two_tiers(0.8)), model(&two_tiers(0.9)));
    let mut escalated = (0, 0);
    for r in 0..5 {
        let (a, b) = (run_replication(&m8, r), run_replication(&m9, r));
        // Same callers at tier 1, interval by interval (resolution is drawn on a side
        // stream, so it shifts nothing).
        for i in 0..a.intervals {
            assert_eq!(
                a.call_cell_ref(i, 0)[call::OFFERED],
                b.call_cell_ref(i, 0)[call::OFFERED]
            );
            assert_eq!(
                a.call_cell_ref(i, 0)[call::WAIT_ANSWERED_US],
                b.call_cell_ref(i, 0)[call::WAIT_ANSWERED_US]
            );
        }
        escalated.0 += a.call_total(call::ESCALATED);
        escalated.1 += b.call_total(call::ESCALATED);
    }
    // Common random numbers: a contact escalated at 0.9 is escalated at 0.8 too.
    assert!(escalated.1 < escalated.0, "{escalated:?}");
}

/// A centre with every follow-up: tier 1 with patience and redials escalates to tier 2,
/// whose unresolved customers call back; complaints go straight to supervisors; a vendor
/// takes tier-1 overflow.
const FOLLOW_UPS: &str = r#"
[scenario]
name = "follow-ups"
duration = "8h"
interval = "1h"
drain_limit = "24h"
replications = 6
seed = 3

[[call_type]]
name = "general"
arrivals = { per_hour = 240 }
handle_time = { dist = "lognormal", mean = "4m", cv = 0.8 }
patience = { dist = "exponential", mean = "2m" }
redial = { probability = 0.5, delay = { dist = "exponential", mean = "10m" } }
resolution = 0.75
unresolved = { escalate_to = "technical" }
routing = [{ group = "front" }, { group = "vendor", after = "45s" }]

[[call_type]]
name = "technical"
arrivals = { per_hour = 20 }
handle_time = { dist = "exponential", mean = "9m" }
patience = { dist = "exponential", mean = "6m" }
resolution = 0.7
unresolved = { repeat_after = { dist = "exponential", mean = "1h" }, probability = 0.6 }

[[call_type]]
name = "complaint"
arrivals = { per_hour = 8 }
handle_time = { dist = "exponential", mean = "12m" }
patience = { dist = "exponential", mean = "4m" }

[[agent_group]]
name = "front"
agents = 14
skills = ["general"]
cost = { per_hour = 30 }

[[agent_group]]
name = "vendor"
agents = 4
outsourced = true
skills = [{ call_type = "general", factor = 1.2, resolution = 0.6 }]
cost = { per_call = 4.5 }

[[agent_group]]
name = "tier2"
agents = 9
skills = ["technical"]
cost = { per_hour = 45, overtime_per_hour = 60 }

[[agent_group]]
name = "supervisors"
agents = 2
skills = ["complaint"]
cost = { per_hour = 55 }
"#;

fn sum(s: &RepStats, ct: usize, field: usize) -> u64 {
    (0..s.intervals).map(|i| s.call_cell_ref(i, ct)[field]).sum()
}

#[test]
fn contacts_are_conserved_across_tiers_replication_by_replication() {
    let m = model(FOLLOW_UPS);
    let n = m.call_types.len();
    for r in 0..m.replications {
        let s = run_replication(&m, r);
        let all = |field| (0..n).map(|c| sum(&s, c, field)).sum::<u64>();
        for c in 0..n {
            let f = |field| sum(&s, c, field);
            assert_eq!(
                f(call::OFFERED),
                f(call::ANSWERED) + f(call::ABANDONED) + f(call::UNFINISHED)
            );
            assert_eq!(
                f(call::ANSWERED),
                f(call::RESOLVED) + f(call::ESCALATED) + f(call::REPEATED) + f(call::UNRESOLVED)
            );
            assert_eq!(
                f(call::OFFERED),
                f(call::FRESH) + f(call::REDIALS) + f(call::REPEATS) + f(call::TRANSFERS_IN)
            );
            assert_eq!(f(call::CONTACTS), f(call::OFFERED) - f(call::TRANSFERS_IN));
        }
        assert_eq!(
            all(call::UNFINISHED),
            0,
            "a 24 h drain follows every contact to its end"
        );
        // Every escalation arrives as a transfer; every repeat promised calls again, in
        // the window (counted) or after it (followed, not counted, with late redials).
        assert_eq!(all(call::TRANSFERS_IN), all(call::ESCALATED));
        assert!(all(call::REPEATS) <= all(call::REPEATED));
        assert!(all(call::REPEATED) <= all(call::REPEATS) + all(call::AFTER_WINDOW));
        assert!(all(call::ESCALATED) > 0 && all(call::REPEATS) > 0 && all(call::REDIALS) > 0);
        // Customer contacts: each counted once, each ends exactly one way.
        let contacts = |field| s.contacts_total(field);
        assert_eq!(contacts(call::OFFERED), all(call::CONTACTS));
        assert_eq!(contacts(call::ANSWERED), all(call::FIRST_ANSWERED));
        assert_eq!(contacts(call::TRANSFERS), all(call::ESCALATED));
        assert_eq!(
            contacts(call::OFFERED),
            contacts(call::RESOLVED) + all(call::ABANDONED) + contacts(call::REPEATED) + contacts(call::UNRESOLVED),
            "replication {r}"
        );
        // Complaints go straight to supervisors, who take nothing else.
        assert_eq!(sum(&s, 2, call::TRANSFERS_IN), 0);
        let supervisors: u64 = (0..s.intervals).map(|i| s.group_cells[i * s.groups + 3][2]).sum();
        assert_eq!(supervisors, sum(&s, 2, call::ANSWERED));
    }
}

#[test]
fn costs_add_up_and_match_the_prices_and_hours() {
    let s = summary(FOLLOW_UPS);
    let total = mean(&s.totals, "cost");
    let by_group: f64 = s.groups.iter().map(|g| mean(&g.metrics, "cost")).sum();
    let by_type: f64 = s.call_types.iter().map(|c| mean(&c.metrics, "cost")).sum();
    let by_interval: f64 = s.intervals.iter().map(|i| mean(&i.metrics, "cost")).sum();
    for (what, x) in [
        ("groups", by_group),
        ("call types", by_type),
        ("intervals", by_interval),
    ] {
        assert!((x - total).abs() <= 1e-9 * total, "{what}: {x} vs total {total}");
    }
    // In-house: paid hours × rate (overtime at its own rate); vendor: calls × price.
    let hours = |g: &Metrics| (mean(g, "agent_hours"), mean(g, "overtime_hours"));
    let (front, vendor, tier2) = (
        named(&s.groups, "front"),
        named(&s.groups, "vendor"),
        named(&s.groups, "tier2"),
    );
    let close = |got: f64, want: f64, what: &str| {
        assert!((got - want).abs() <= 1e-6 * want.max(1.0), "{what}: {got} vs {want}");
    };
    let (on, over) = hours(front);
    close(mean(front, "cost"), 30.0 * (on + over), "front");
    let (on, over) = hours(tier2);
    close(mean(tier2, "cost"), 45.0 * on + 60.0 * over, "tier2");
    close(mean(vendor, "cost"), 4.5 * mean(vendor, "handled"), "vendor");
    // The vendor's handled contacts are the outsourced ones, all of call type general.
    let general = named(&s.call_types, "general");
    assert_eq!(mean(general, "outsourced"), mean(&s.totals, "outsourced"));
    close(
        mean(general, "outsourced_share"),
        mean(general, "outsourced") / mean(general, "answered"),
        "share",
    );
    // Cost per resolved contact.
    close(
        mean(&s.totals, "cost_per_contact"),
        total / mean(&s.totals, "resolved"),
        "cost per contact",
    );
    // A vendor resolves less: tier 1's FCR lies between the vendor's 0.6 and in-house 0.75.
    let fcr = mean(general, "fcr");
    assert!(fcr < 0.75 && fcr > 0.6, "fcr {fcr}");
}

/// One queue, understaffed, with a vendor taking what waits 60 s.
fn overflow(vendor_agents: u32, rule: &str, cost: &str) -> String {
    format!(
        r#"
[scenario]
name = "overflow"
duration = "8h"
interval = "30m"
warmup = "30m"
replications = 20
seed = 8

[[call_type]]
name = "sales"
arrivals = {{ per_hour = 400 }}
handle_time = {{ dist = "exponential", mean = "4m" }}
patience = {{ dist = "exponential", mean = "90s" }}
routing = [{{ group = "team" }}, {{ group = "vendor", {rule} }}]

[[agent_group]]
name = "team"
agents = 24
skills = ["sales"]
cost = {{ per_hour = 32 }}

[[agent_group]]
name = "vendor"
outsourced = true
agents = {vendor_agents}
skills = ["sales"]
{cost}
"#
    )
}

const NO_VENDOR: &str = r#"
[scenario]
name = "overflow"
duration = "8h"
interval = "30m"
warmup = "30m"
replications = 20
seed = 8

[[call_type]]
name = "sales"
arrivals = { per_hour = 400 }
handle_time = { dist = "exponential", mean = "4m" }
patience = { dist = "exponential", mean = "90s" }

[[agent_group]]
name = "team"
agents = 24
skills = ["sales"]
cost = { per_hour = 32 }
"#;

#[test]
fn a_vendor_taking_overflow_lowers_abandonment() {
    let (base, with) = (
        summary(NO_VENDOR),
        summary(&overflow(6, "after = \"60s\"", "cost = { per_call = 4.0 }")),
    );
    let (b, w) = (&base.totals, &with.totals);
    assert!(
        mean(w, "abandon_rate") + ci(w, "abandon_rate") < mean(b, "abandon_rate") - ci(b, "abandon_rate"),
        "abandon rate {} ± {} with the vendor, {} ± {} without",
        mean(w, "abandon_rate"),
        ci(w, "abandon_rate"),
        mean(b, "abandon_rate"),
        ci(b, "abandon_rate")
    );
    let share = mean(w, "outsourced_share");
    assert!(share > 0.02, "the vendor answers a real share: {share}");
    assert!((share - mean(w, "outsourced") / mean(w, "answered")).abs() < 1e-12);
    let vendor = named(&with.groups, "vendor");
    let expected = 4.0 * mean(vendor, "handled")
        + 32.0 * {
            let team = named(&with.groups, "team");
            mean(team, "agent_hours") + mean(team, "overtime_hours")
        };
    assert!(
        (mean(w, "cost") - expected).abs() < 1e-6 * expected,
        "{} vs {expected}",
        mean(w, "cost")
    );
    // Only contacts that waited 60 s reach the vendor: its answers all miss 20 s.
    let within_20s = mean(w, "service_level") * mean(w, "offered");
    assert!(within_20s <= mean(w, "answered") - mean(w, "outsourced") + 1e-6);
}

#[test]
fn a_vendor_priced_per_minute_is_charged_for_its_handle_time() {
    let s = summary(&overflow(6, "after = \"30s\"", "cost = { per_minute = 0.75 }"));
    let vendor = named(&s.groups, "vendor");
    // Busy hours inside the window (occupancy × agent hours) plus overtime = handled time.
    let busy_hours = mean(vendor, "occupancy") * mean(vendor, "agent_hours") + mean(vendor, "overtime_hours");
    let warmup_tail = 6.0 * 240.0 / 3600.0; // at most 6 agents finishing warm-up calls
    let expected = 0.75 * 60.0 * busy_hours;
    let got = mean(vendor, "cost");
    assert!(
        (got - expected).abs() <= 0.75 * 60.0 * warmup_tail,
        "vendor cost {got} vs {expected} from its busy hours"
    );
}

#[test]
fn a_monthly_minimum_is_pro_rated_to_the_horizon() {
    // 100 000 calls a month over 8 hours is 100000 × 8 / (30.4375 × 24) = 1095.12 calls,
    // far more than the vendor takes, so every replication pays the minimum.
    let s = summary(&overflow(
        6,
        "after = \"60s\"",
        "cost = { per_call = 4.0, minimum_monthly = 100000 }",
    ));
    let vendor = named(&s.groups, "vendor");
    let minimum = 4.0 * 100000.0 * 8.0 / (365.25 / 12.0 * 24.0);
    assert!(mean(vendor, "handled") * 4.0 < minimum);
    assert!(
        (mean(vendor, "cost") - minimum).abs() < 1e-5,
        "{} vs {minimum}",
        mean(vendor, "cost")
    );
    assert!(ci(vendor, "cost") < 1e-5);
}

/// Everything but the groups, which differ by the vendor's entry.
fn without_groups(s: &Summary) -> String {
    let mut v = serde_json::to_value(s).unwrap();
    v.as_object_mut().unwrap().remove("groups");
    for i in v["intervals"].as_array_mut().unwrap() {
        i.as_object_mut().unwrap().remove("groups");
    }
    v.to_string()
}

#[test]
fn a_vendor_with_no_capacity_changes_nothing() {
    let base = without_groups(&summary(NO_VENDOR));
    for rule in [
        "after = \"60s\"",
        "queue_length = 3",
        "after = \"20s\", queue_length = 5",
    ] {
        let with = summary(&overflow(0, rule, "cost = { per_call = 4.0 }"));
        assert!(
            without_groups(&with) == base,
            "a vendor with 0 agents changed results ({rule})"
        );
    }
}

#[test]
fn a_queue_length_rule_sends_contacts_only_while_the_queue_is_long() {
    let outsourced = |length: u32| {
        let s = summary(&overflow(6, &format!("queue_length = {length}"), ""));
        mean(&s.totals, "outsourced")
    };
    let (short, long, never) = (outsourced(2), outsourced(8), outsourced(1000));
    assert!(short > long && long > 0.0, "{short} {long}");
    assert_eq!(never, 0.0);
    // With a queue the vendor never sees, callers fare exactly as without it (its idle
    // agents still count in occupancy and hours).
    let (unreachable, base) = (summary(&overflow(6, "queue_length = 1000", "")), summary(NO_VENDOR));
    for metric in [
        "offered",
        "answered",
        "abandoned",
        "service_level",
        "asa_seconds",
        "fcr",
    ] {
        assert_eq!(get(&unreachable.totals, metric), get(&base.totals, metric), "{metric}");
    }
}

#[test]
fn a_fixed_share_of_arrivals_goes_to_the_vendor() {
    // 60 replications: enough for a half-width under half a point.
    let text = NO_VENDOR.replace("replications = 20", "replications = 60").replace(
        "patience = { dist = \"exponential\", mean = \"90s\" }",
        "routing = [{ group = \"team\" }, { group = \"vendor\", share = 0.3 }]",
    ) + "\n[[agent_group]]\nname = \"vendor\"\noutsourced = true\nagents = 40\nskills = [\"sales\"]\n";
    let s = summary(&text);
    // Without abandonment everyone is answered, so the share answered is the share sent.
    agrees_exact(&s.totals, "outsourced_share", 0.3, 1e-9);
    assert_eq!(mean(&s.totals, "answer_rate"), 1.0);
}

#[test]
fn a_skill_resolution_overrides_the_call_type() {
    let text = NO_VENDOR
        .replace("replications = 20", "replications = 60")
        .replace(
            "skills = [\"sales\"]",
            "skills = [{ call_type = \"sales\", resolution = 0.5 }]",
        )
        .replace("patience =", "resolution = 0.9\npatience =");
    let s = summary(&text);
    agrees_exact(&s.totals, "fcr", 0.5, 1e-9);
    // Unresolved without a follow-up: closed unresolved.
    let t = &s.totals;
    assert!((mean(t, "unresolved") - (mean(t, "answered") - mean(t, "resolved"))).abs() < 1e-9);
}

#[test]
fn a_queue_length_vendor_takes_the_head_of_the_queue() {
    // No in-house agent at all: the vendor's one agent takes contacts while 3 wait. It
    // must serve the longest waiting, not the newcomer who made the queue long enough.
    let text = r#"
[scenario]
name = "head"
duration = "8h"
interval = "8h"
replications = 4
seed = 5

[[call_type]]
name = "sales"
arrivals = { per_hour = 60 }
handle_time = { dist = "constant", value = "1s" }
patience = { dist = "constant", value = "600s" }
routing = [{ group = "team" }, { group = "vendor", queue_length = 3 }]

[[agent_group]]
name = "team"
agents = 0
skills = ["sales"]

[[agent_group]]
name = "vendor"
outsourced = true
agents = 1
skills = ["sales"]
"#;
    let s = summary(text);
    // Each contact waits for about two more arrivals (two minutes), far below patience.
    assert!(
        mean(&s.totals, "abandon_rate") < 0.01,
        "{}",
        mean(&s.totals, "abandon_rate")
    );
    let asa = mean(&s.totals, "asa_seconds");
    assert!(asa > 60.0 && asa < 200.0, "ASA {asa}");
}

#[test]
fn a_loop_of_instant_legs_ends() {
    // Never resolved, no handle time, calls back at once: without a cap on legs per
    // contact, time would never advance.
    let text = r#"
[scenario]
name = "loop"
duration = "1h"
replications = 2

[[call_type]]
name = "a"
arrivals = { per_hour = 30 }
handle_time = { dist = "constant", value = "0s" }
resolution = 0
unresolved = { repeat_after = { dist = "constant", value = "0s" } }

[[agent_group]]
name = "team"
agents = 2
skills = ["a"]
"#;
    let m = model(text);
    let s = run_replication(&m, 0);
    let fresh = s.call_total(call::FRESH);
    assert!(fresh > 0);
    assert_eq!(
        s.call_total(call::REPEATS),
        fresh * u64::from(ccsim::engine::MAX_LEGS - 1)
    );
    assert_eq!(s.call_total(call::UNRESOLVED), fresh);
}

#[test]
fn the_resolution_draw_never_shifts_the_follow_up_draws() {
    // Resolution 0 and 0.000001 resolve no one here, so the same customers must call
    // back after the same delays.
    let text = |p: &str| {
        format!(
            r#"
[scenario]
name = "crn"
duration = "4h"
replications = 4
seed = 17

[[call_type]]
name = "a"
arrivals = {{ per_hour = 100 }}
handle_time = {{ dist = "exponential", mean = "3m" }}
resolution = {p}
unresolved = {{ repeat_after = {{ dist = "exponential", mean = "30m" }}, probability = 0.5 }}

[[agent_group]]
name = "team"
agents = 8
skills = ["a"]
"#
        )
    };
    let (zero, tiny) = (model(&text("0")), model(&text("0.000001")));
    for r in 0..4 {
        let (a, b) = (run_replication(&zero, r), run_replication(&tiny, r));
        assert_eq!(a.call_total(call::RESOLVED), 0);
        assert_eq!(b.call_total(call::RESOLVED), 0);
        assert_eq!(a.calls, b.calls, "replication {r}");
    }
}
