//! Chat and email beside voice: concurrency, backlog and blending.

use ccsim::Summary;
use ccsim::engine::run_replication;
use ccsim::erlang::{Queue, performance};
use ccsim::stats::group;

use crate::common::{agrees, get, mean, model, named, summary};

fn one_queue(channel: &str, group_extra: &str) -> String {
    format!(
        r#"
[scenario]
name = "one queue"
duration = "20h"
interval = "1h"
warmup = "1h"
replications = 10
seed = 4

[[call_type]]
name = "support"
channel = "{channel}"
arrivals = {{ per_hour = 100 }}
handle_time = {{ dist = "exponential", mean = "6m" }}
patience = {{ dist = "exponential", mean = "3m" }}
wrap_up = {{ dist = "constant", value = "20s" }}

[[agent_group]]
name = "agents"
agents = 11
skills = ["support"]
{group_extra}
"#
    )
}

#[test]
fn chat_with_one_slot_and_no_slowdown_equals_voice() {
    let voice = summary(&one_queue("voice", ""));
    let chat = summary(&one_queue("chat", "chat = { concurrency = 1, slowdown = 0.0 }"));
    fn json<T: serde::Serialize>(v: &T) -> String {
        serde_json::to_string(v).unwrap()
    }
    assert_eq!(json(&voice.call_types), json(&chat.call_types));
    let without_slots =
        |m: &ccsim::summary::Metrics| -> Vec<_> { m.iter().filter(|(name, _)| *name != "slot_utilisation").collect() };
    assert_eq!(without_slots(&voice.totals), without_slots(&chat.totals));
    assert_eq!(voice.channels[0].name, "voice");
    assert_eq!(chat.channels[0].name, "chat");
    assert_eq!(json(&voice.channels[0].metrics), json(&chat.channels[0].metrics));
    // The chat group's slots are its agents: slot use equals occupancy.
    let g = &chat.groups[0].metrics;
    assert!((mean(g, "slot_utilisation") - mean(g, "occupancy")).abs() < 1e-9);
    assert_eq!(get(&voice.groups[0].metrics, "slot_utilisation").mean, None);
}

#[test]
fn chats_without_slowdown_are_erlang_a_with_one_server_per_slot() {
    // 5 agents × 3 slots, no slowdown: each chat progresses at full speed whatever its
    // agent holds, so the queue is M/M/15 with exponential patience.
    let text = one_queue("chat", "chat = { concurrency = 3 }")
        .replace("agents = 11", "agents = 5")
        .replace("per_hour = 100", "per_hour = 130")
        .replace("wrap_up = { dist = \"constant\", value = \"20s\" }\n", "");
    let s = summary(&text);
    let exact = performance(&Queue {
        arrival_rate: 130.0 / 3600.0,
        mean_handle_time: 360.0,
        agents: 15,
        mean_patience: Some(180.0),
        threshold: 20.0,
    })
    .unwrap();
    let chat = named(&s.channels, "chat");
    agrees(chat, "answer_rate", exact.answer_rate, 1e-9, 0.01);
    agrees(chat, "service_level", exact.service_level, 1e-9, 0.03);
    agrees(chat, "asa_seconds", exact.asa_seconds, 1e-3, 3.0);
    // Slot use is the servers' occupancy; agent occupancy is the time with any chat.
    let g = &s.groups[0].metrics;
    agrees(g, "slot_utilisation", exact.occupancy, 1e-9, 0.02);
    assert!(mean(g, "occupancy") > mean(g, "slot_utilisation") && mean(g, "occupancy") <= 1.0);
}

#[test]
fn more_chats_at_once_answer_more_but_each_takes_longer() {
    let one = summary(&one_queue("chat", "chat = { concurrency = 1 }").replace("agents = 11", "agents = 7"));
    let three =
        summary(&one_queue("chat", "chat = { concurrency = 3, slowdown = 0.25 }").replace("agents = 11", "agents = 7"));
    let (a, b) = (&one.totals, &three.totals);
    assert!(mean(b, "answer_rate") > mean(a, "answer_rate") + 0.05);
    // With k chats each runs at 1/(1 + 0.25 (k − 1)): a chat holds its slot longer than
    // its work. Slot time per handled chat (slot use × slots on duty ÷ handled) against
    // the same ratio one chat at a time, where it is the work itself.
    let slot_hours_per_chat = |s: &Summary, slots: f64| {
        let g = &s.groups[0].metrics;
        mean(g, "slot_utilisation") * mean(g, "agent_hours") * slots / mean(g, "handled")
    };
    let (alone, together) = (slot_hours_per_chat(&one, 1.0), slot_hours_per_chat(&three, 3.0));
    assert!(
        together > 1.1 * alone,
        "slot hours per chat: {alone} alone, {together} three at a time"
    );
    assert!(mean(&three.groups[0].metrics, "slot_utilisation") <= 1.0);
}

/// Emails (30 an hour, 10 minutes each) answered by 6 agents of their own.
const EMAIL: &str = r#"
[scenario]
name = "email"
duration = "200h"
interval = "200h"
warmup = "10h"
replications = 20
seed = 9

[[call_type]]
name = "email"
channel = "email"
arrivals = { per_hour = 30 }
handle_time = { dist = "exponential", mean = "10m" }
service_level_threshold = "30m"
service_level_target = 0.9

[[agent_group]]
name = "back office"
agents = 6
skills = ["email"]
"#;

#[test]
fn email_served_by_a_dedicated_group_matches_erlang_c() {
    let s = summary(EMAIL);
    let exact = performance(&Queue {
        arrival_rate: 30.0 / 3600.0,
        mean_handle_time: 600.0,
        agents: 6,
        mean_patience: None,
        threshold: 1800.0,
    })
    .unwrap();
    let email = named(&s.channels, "email");
    agrees(email, "within_target", exact.service_level, 1e-9, 0.02);
    agrees(email, "asa_seconds", exact.asa_seconds, 1e-3, 0.25 * exact.asa_seconds);
    assert_eq!(mean(email, "abandoned"), 0.0);
    // What is left at the end is the backlog, not worked in the drain.
    let left = mean(email, "offered") - mean(email, "answered");
    assert!((mean(email, "unfinished") - left).abs() < 1e-9);
    assert!(
        (mean(email, "backlog_end") - left).abs() < 1e-9,
        "backlog_end is what was left"
    );
}

/// Emails arrive day and night; the back office works 08:00–18:00.
const TWO_DAYS: &str = r#"
[scenario]
name = "two days"
duration = "48h"
interval = "1h"
replications = 8
seed = 12

[[call_type]]
name = "email"
channel = "email"
arrivals = { per_hour = 12 }
handle_time = { dist = "exponential", mean = "6m" }
service_level_threshold = "24h"

[[agent_group]]
name = "back office"
agents = [0, 0, 0, 0, 0, 0, 0, 0, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 0, 0, 0, 0, 0, 0]
skills = ["email"]
"#;

#[test]
fn a_backlog_left_at_the_end_of_day_one_is_served_on_day_two() {
    let s = summary(TWO_DAYS);
    let at = |label: &str| &s.intervals.iter().find(|i| i.start == label).expect(label).metrics;
    // Day one's evening: a backlog grows and ages.
    let evening = at("d1 23:00");
    assert!(mean(evening, "backlog_end") > 40.0, "{}", mean(evening, "backlog_end"));
    assert!(mean(evening, "oldest_age_seconds") > 4.0 * 3600.0);
    // Day two works it off: every email of day one's evening is answered, after a night.
    let e = at("d1 20:00");
    assert_eq!(mean(e, "answer_rate"), 1.0);
    assert!(mean(e, "asa_seconds") > 8.0 * 3600.0);
    assert_eq!(mean(e, "within_target"), 1.0, "answered within 24 h");
    // The morning of day two clears the queue.
    assert!(mean(at("d2 12:00"), "backlog_end") < 5.0);
    // Day two's evening is left at the end: pending, not missed (its deadline is later).
    let last = at("d2 23:00");
    assert!(mean(last, "backlog_end") > 40.0);
    assert_eq!(mean(&s.totals, "backlog_end"), mean(last, "backlog_end"));
    assert_eq!(
        get(last, "within_target").mean,
        None,
        "nothing answered or due in that hour"
    );
    assert!(mean(&s.totals, "within_target") > mean(&s.totals, "service_level"));
}

/// One team blends voice, chat and email.
fn blended(order: &str) -> String {
    format!(
        r#"
[scenario]
name = "blended"
duration = "10h"
interval = "30m"
warmup = "30m"
replications = 10
seed = 21

[[call_type]]
name = "calls"
arrivals = {{ per_hour = 60 }}
handle_time = {{ dist = "exponential", mean = "5m" }}
patience = {{ dist = "exponential", mean = "2m" }}

[[call_type]]
name = "chats"
channel = "chat"
arrivals = {{ per_hour = 40 }}
handle_time = {{ dist = "exponential", mean = "8m" }}
patience = {{ dist = "exponential", mean = "4m" }}

[[call_type]]
name = "emails"
channel = "email"
arrivals = {{ per_hour = 30 }}
handle_time = {{ dist = "exponential", mean = "6m" }}
service_level_threshold = "4h"

[[agent_group]]
name = "team"
agents = 12
skills = ["calls", "chats", "emails"]
chat = {{ concurrency = 3, slowdown = 0.2 }}
{order}
"#
    )
}

#[test]
fn blending_never_double_counts_agent_time() {
    // The raw busy time counts every busy agent, before the engine clamps busy time to
    // the agents on schedule: the team's schedule never drops, so an agent counted twice
    // (once per channel, or once per chat) would show as raw busy time above the staffed
    // time, or above the clamped figure, which the clamp alone would hide.
    let m = model(&blended(""));
    let (mut raw, mut staffed) = (0, 0);
    for r in 0..m.replications {
        let s = run_replication(&m, r);
        for (i, cell) in s.group_cells.iter().enumerate() {
            assert!(
                cell[group::RAW_BUSY_US] <= cell[group::STAFFED_US],
                "replication {r}, cell {i}: raw busy {} µs > staffed {} µs",
                cell[group::RAW_BUSY_US],
                cell[group::STAFFED_US]
            );
            assert_eq!(
                cell[group::RAW_BUSY_US],
                cell[group::BUSY_US],
                "replication {r}, cell {i}: agents busy past a schedule that never drops"
            );
            assert!(cell[group::SLOTS_US] <= cell[group::SLOT_CAPACITY_US]);
            raw += cell[group::RAW_BUSY_US];
            staffed += cell[group::STAFFED_US];
        }
    }
    // The team is busy most of the day, so a double count could not hide under idle time.
    assert!(raw as f64 > 0.7 * staffed as f64, "raw busy {raw} of staffed {staffed}");
    let s = summary(&blended(""));
    let team = &s.groups[0].metrics;
    assert!(mean(team, "occupancy") <= 1.0 && mean(team, "slot_utilisation") <= 1.0);
    // Call-type occupancies share the team's time: they add up to its occupancy.
    let shares: f64 = s.call_types.iter().map(|c| mean(&c.metrics, "occupancy")).sum();
    assert!(
        (shares - mean(team, "occupancy")).abs() < 0.01,
        "{shares} vs {}",
        mean(team, "occupancy")
    );
    // Voice before chat before email by default (a chat may still be answered at once
    // by an agent with a free chat slot).
    let asa = |s: &Summary, name: &str| mean(named(&s.call_types, name), "asa_seconds");
    eprintln!(
        "ASA calls {} chats {} emails {}",
        asa(&s, "calls"),
        asa(&s, "chats"),
        asa(&s, "emails")
    );
    assert!(asa(&s, "calls") < asa(&s, "emails") && asa(&s, "chats") < asa(&s, "emails"));
    // An email-first team answers emails sooner and calls later.
    let email_first = summary(&blended("channel_order = [\"email\", \"voice\", \"chat\"]"));
    assert!(asa(&email_first, "emails") < asa(&s, "emails"));
    assert!(asa(&email_first, "calls") > asa(&s, "calls"));
}
