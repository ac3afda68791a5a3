//! `ccsim staff` on the shipped weekdays, the whole search from the Erlang start to the
//! answer's simulated day:
//!
//! - `scenarios/retail-helpdesk.toml`: 3 call types, 3 groups with overlapping skills,
//!   24 half hours. Target: under 3 s on 2 cores.
//! - `scenarios/three-tier-weekday.toml`: phone, chat and email, 6 call types, 5 groups
//!   in three tiers (escalations, a day-level email target), 24 half hours. Target: under
//!   30 s on 2 cores.
//!
//! Run with `cargo bench --bench staff`; criterion reports the time per search, and a
//! summary line per weekday gives the median with the number of candidates, the
//! replications and the answer's cost.

use std::time::Duration;

use ccsim::staff::staff;
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "common/runs.rs"]
mod runs;
use runs::Runs;

fn weekday(c: &mut Criterion, name: &str, file: &str, measurement: Duration) {
    let path = format!("{}/../scenarios/{file}", env!("CARGO_MANIFEST_DIR"));
    let model = ccsim::Scenario::load(std::path::Path::new(&path))
        .and_then(|s| ccsim::Model::build(&s))
        .expect("the shipped scenario loads");
    let plan = staff(&model, 0, &|_| {}).expect("staffing found");
    let mut group = c.benchmark_group("staff");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(measurement);
    let runs = Runs::default();
    group.bench_function(name, |b| {
        b.iter_custom(|iters| runs.time(iters, || staff(&model, 0, &|_| {}).expect("staffing found")))
    });
    group.finish();
    let totals = &plan.summary.totals;
    eprintln!(
        "staff summary {name} (median of {} timed searches): {:.2} s per search, {} candidate \
         staffings, {} replications; {:.1} agent hours, cost {:.0}",
        runs.0.borrow().len(),
        runs.median().as_secs_f64(),
        plan.evaluations,
        plan.replications_run,
        totals.get("agent_hours").and_then(|e| e.mean).unwrap_or(0.0),
        totals.get("cost").and_then(|e| e.mean).unwrap_or(0.0),
    );
}

fn weekdays(c: &mut Criterion) {
    weekday(c, "retail_helpdesk", "retail-helpdesk.toml", Duration::from_secs(30));
    weekday(
        c,
        "three_tier_weekday",
        "three-tier-weekday.toml",
        Duration::from_secs(120),
    );
}

criterion_group!(benches, weekdays);
criterion_main!(benches);
