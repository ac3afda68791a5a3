//! Same file and seed, same bytes; and the same callers meet every variant.
//!
//! Output must not depend on the thread count or on how replications are split; draws
//! are keyed by name, so adding a call type or a group, or changing staffing, leaves
//! every other draw unchanged (common random numbers).

use ccsim::report::json::to_json;
use ccsim::stats::Accumulator;
use ccsim::{Model, Scenario, Summary};

const TWO_QUEUES: &str = r#"
[scenario]
name = "two queues"
start = "09:00"
duration = "2h"
warmup = "30m"
replications = 8
seed = 7

[[call_type]]
name = "billing"
arrivals = { per_interval = [100, 140, 180, 120] }
handle_time = { dist = "lognormal", mean = "4m", cv = 0.9 }
patience = { dist = "exponential", mean = "90s" }

[[agent_group]]
name = "billing team"
agents = [12, 15, 18, 14]
skills = ["billing"]
"#;

const EXTRA_QUEUE: &str = r#"
[[call_type]]
name = "tech"
arrivals = { per_hour = 200 }
handle_time = { dist = "exponential", mean = "7m" }
patience = { dist = "exponential", mean = "3m" }

[[agent_group]]
name = "tech team"
agents = 22
skills = ["tech"]
"#;

fn model(text: &str) -> Model {
    Model::build(&Scenario::parse("t.toml", text).expect("parses")).expect("valid")
}

fn run(model: &Model, threads: usize) -> Summary {
    Summary::new(model, &ccsim::simulate(model, threads, &|| {}).expect("runs"))
}

#[test]
fn same_seed_same_bytes_whatever_the_thread_count() {
    let m = model(TWO_QUEUES);
    let one = to_json(&run(&m, 1));
    assert_eq!(one, to_json(&run(&m, 2)));
    assert_eq!(one, to_json(&run(&m, 3)));
    assert_eq!(one, to_json(&run(&m, 1)));
}

#[test]
fn a_different_seed_gives_different_figures() {
    let m = model(TWO_QUEUES);
    let mut other = m.clone();
    other.seed += 1;
    assert_ne!(to_json(&run(&m, 0)), to_json(&run(&other, 0)));
}

#[test]
fn replications_split_in_parts_merge_to_the_whole() {
    let m = model(TWO_QUEUES);
    let whole = ccsim::simulate(&m, 2, &|| {}).unwrap();
    let mut parts = Accumulator::new(m.clock.intervals, m.call_types.len(), m.groups.len());
    for range in [5..8, 0..2, 2..5] {
        parts += &ccsim::simulate_range(&m, range, 1, &|| {}).unwrap();
    }
    assert_eq!(parts, whole);
}

#[test]
fn a_new_call_type_and_group_leave_the_others_unchanged() {
    let base = run(&model(TWO_QUEUES), 0);
    let extended = run(&model(&format!("{TWO_QUEUES}{EXTRA_QUEUE}")), 0);
    assert_eq!(base.call_types[0], extended.call_types[0]);
    assert_eq!(base.groups[0], extended.groups[0]);
    for (b, e) in base.intervals.iter().zip(&extended.intervals) {
        assert_eq!(b.call_types[0], e.call_types[0]);
        assert_eq!(b.groups[0], e.groups[0]);
    }
    // And the extra queue really did something.
    assert!(extended.totals.get("offered").unwrap().mean > base.totals.get("offered").unwrap().mean);
}

#[test]
fn the_same_callers_meet_every_staffing() {
    // One more agent changes waits, not who calls: offered contacts per interval and
    // replication are identical, while the service level moves.
    let base = model(TWO_QUEUES);
    let more = model(&TWO_QUEUES.replace("agents = [12, 15, 18, 14]", "agents = [13, 16, 19, 15]"));
    for r in 0..base.replications {
        let (a, b) = (
            ccsim::engine::run_replication(&base, r),
            ccsim::engine::run_replication(&more, r),
        );
        let offered = |s: &ccsim::stats::RepStats| {
            s.calls
                .iter()
                .map(|c| c[ccsim::stats::call::OFFERED])
                .collect::<Vec<_>>()
        };
        assert_eq!(offered(&a), offered(&b), "replication {r}");
    }
    let sl = |m: &Model| run(m, 0).totals.get("service_level").unwrap().mean.unwrap();
    assert!(sl(&more) > sl(&base));
}
