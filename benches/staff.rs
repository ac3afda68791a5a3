//! `ccsim staff` on the realistic weekday (`scenarios/retail-helpdesk.toml`: 3 call
//! types, 3 groups with skills, 24 half-hour intervals): the whole search, from the
//! Erlang start to the final simulated day. The requirement is under 30 s on 2 cores.
//!
//! Run with `cargo bench --bench staff`; criterion reports the time per search, and a
//! summary line gives the median with the number of candidates and replications.

use std::time::Duration;

use ccsim::staff::staff;
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "common/runs.rs"]
mod runs;
use runs::Runs;

fn weekday(c: &mut Criterion) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/retail-helpdesk.toml");
    let model = ccsim::cli::load_model(std::path::Path::new(path)).expect("the shipped scenario loads");
    let plan = staff(&model, 0, &|_| {}).expect("staffing found");
    let mut group = c.benchmark_group("staff");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(60));
    let runs = Runs::default();
    group.bench_function("retail_helpdesk", |b| {
        b.iter_custom(|iters| runs.time(iters, || staff(&model, 0, &|_| {}).expect("staffing found")))
    });
    group.finish();
    eprintln!(
        "staff summary (median of {} timed searches): {:.2} s per search of the realistic weekday, \
         {} candidate staffings, {} replications",
        runs.0.borrow().len(),
        runs.median().as_secs_f64(),
        plan.evaluations,
        plan.replications_run
    );
}

criterion_group!(benches, weekday);
criterion_main!(benches);
