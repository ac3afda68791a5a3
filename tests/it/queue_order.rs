//! Which waiting call a freed agent takes: the highest `priority` first, then the longest
//! wait, where a call type's `head_start` counts as time already waited (the "priority
//! customers advance in the queue" discipline of real switches).
//!
//! A head start of 0 changes nothing, byte for byte; a head start longer than any wait
//! of the day is strict priority, figure for figure (the same callers meet the same
//! agents: common random numbers); and a head start in between puts the favoured call
//! type's mean wait strictly between first come, first served and strict priority, each
//! step beyond the 95 % half-width of its paired difference.

use ccsim::report::json::to_json;

use crate::common::{mean, model, named, summary};

/// Two call types of equal volume in one group's queue: M/M/12 at load 10 Erlangs, whose
/// mean wait first come, first served is 40.4 s (Erlang C). `B_KEYS` stands for the
/// keys of call type `b` under test.
const TWO_TYPES: &str = r#"
[scenario]
name = "queue order"
duration = "8h"
warmup = "1h"
replications = 40
seed = 7

[[call_type]]
name = "a"
arrivals = { per_hour = 100 }
handle_time = { dist = "exponential", mean = "3m" }

[[call_type]]
name = "b"
arrivals = { per_hour = 100 }
handle_time = { dist = "exponential", mean = "3m" }
B_KEYS

[[agent_group]]
name = "team"
agents = 12
skills = ["a", "b"]
"#;

fn with_b(keys: &str) -> String {
    TWO_TYPES.replace("B_KEYS", keys)
}

#[test]
fn a_head_start_of_zero_changes_no_byte() {
    // With patience and redials too, so that every path through the queue is taken.
    let base = with_b(
        r#"patience = { dist = "exponential", mean = "2m" }
redial = { probability = 0.5, delay = { dist = "exponential", mean = "5m" } }"#,
    );
    let zero = base.replace("patience =", "head_start = \"0s\"\npatience =");
    assert_ne!(base, zero);
    assert_eq!(to_json(&summary(&base)), to_json(&summary(&zero)));
}

/// On every channel (the same choice picks the next call, chat or email).
#[test]
fn a_head_start_longer_than_any_wait_is_strict_priority() {
    // The whole run (warm-up, window and a 4 h drain) is 13 h: with a 1-day head start
    // every contact of `b` counts as having waited longer than any contact of `a`.
    for channel in ["voice", "chat", "email"] {
        let mut keys = format!("channel = \"{channel}\"");
        if channel != "email" {
            keys.push_str("\npatience = { dist = \"exponential\", mean = \"2m\" }");
        }
        let both = |text: &str| text.replace("name = \"a\"\n", &format!("name = \"a\"\nchannel = \"{channel}\"\n"));
        let head_start = summary(&both(&with_b(&format!("head_start = \"1d\"\n{keys}"))));
        let priority = summary(&both(&with_b(&format!("priority = 1\n{keys}"))));
        assert_eq!(to_json(&head_start), to_json(&priority), "{channel}");
        // And it is not first come, first served: `b` waits less than `a`.
        let asa = |name| mean(named(&head_start.call_types, name), "asa_seconds");
        assert!(asa("b") < asa("a"), "{channel}: b {} vs a {}", asa("b"), asa("a"));
    }
}

/// With a 20 s head start (the mean wait is about 40 s), `b`'s mean wait lies strictly
/// between first come, first served and strict priority. Each step is the paired
/// difference `ccsim compare` reports (the same callers in both variants), beyond its
/// 95 % half-width.
#[test]
fn an_intermediate_head_start_lies_between_fifo_and_strict_priority() {
    let change_in_wait_of_b = |from: &str, to: &str| {
        let c = ccsim::compare::compare(&model(&with_b(from)), &model(&with_b(to)), 0, &|| {}).expect("runs");
        let row = c
            .rows
            .iter()
            .find(|r| r.metric == "call_types[b].asa_seconds")
            .expect("b's mean wait is compared");
        (row.difference, row.ci95.expect("several replications"))
    };
    let (to_head_start, ci_1) = change_in_wait_of_b("", "head_start = \"20s\"");
    let (to_strict, ci_2) = change_in_wait_of_b("head_start = \"20s\"", "priority = 1");
    eprintln!(
        "b's mean wait: first come, first served → 20 s head start {to_head_start:+.2} ± {ci_1:.2} s, \
         → strict priority {to_strict:+.2} ± {ci_2:.2} s"
    );
    assert!(to_head_start < -ci_1, "{to_head_start} ± {ci_1}");
    assert!(to_strict < -ci_2, "{to_strict} ± {ci_2}");
}

/// Priority still comes first: a head start does not lift a call type over one of
/// higher priority.
#[test]
fn priority_comes_before_the_head_start() {
    let favoured_a = TWO_TYPES.replace("name = \"a\"\n", "name = \"a\"\npriority = 1\n");
    let plain = summary(&favoured_a.replace("B_KEYS", ""));
    let with_head_start = summary(&favoured_a.replace("B_KEYS", "head_start = \"1d\""));
    assert_eq!(to_json(&plain), to_json(&with_head_start));
}
