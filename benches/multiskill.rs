//! A multi-skill day (20 call types, 10 agent groups, 24 half-hour intervals, overflow
//! routing, priorities, proficiency factors; see `common/multiskill.rs`) at 10, 100 and
//! 1000 agents with the same load per agent, so the number of calls grows with the
//! agents: the cost per call should not grow with the size beyond what routing needs.
//!
//! Run with `cargo bench --bench multiskill`; criterion reports time per replication and
//! throughput (offered calls/s) for each size, and a summary line per size with the median
//! of every timed run is printed at the end.

#[path = "common/multiskill.rs"]
mod multiskill;

use std::hint::black_box;
use std::time::Duration;

use ccsim::engine::run_replication;
use ccsim::stats::{call, group};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

const SIZES: [u32; 3] = [10, 100, 1000];

#[path = "common/runs.rs"]
mod runs;
use runs::Runs;

fn multiskill(c: &mut Criterion) {
    let mut group = c.benchmark_group("multiskill");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));

    let mut summary = Vec::new();
    for agents in SIZES {
        let model = multiskill::model(agents);
        let stats = run_replication(&model, 0);
        let offered = stats.call_total(call::OFFERED);
        let answered = stats.call_total(call::ANSWERED);
        let (busy, staffed) = stats.group_cells.iter().fold((0, 0), |(b, s), cell| {
            (b + cell[group::BUSY_US], s + cell[group::STAFFED_US])
        });
        eprintln!(
            "multiskill {agents} agents: {offered} offered, answer rate {:.3}, occupancy {:.3}",
            answered as f64 / offered as f64,
            busy as f64 / staffed as f64
        );

        let runs = Runs::default();
        group.throughput(Throughput::Elements(offered));
        group.bench_with_input(BenchmarkId::from_parameter(agents), &model, |b, model| {
            b.iter_custom(|iters| runs.time(iters, || run_replication(black_box(model), 0)))
        });
        summary.push((agents, offered, runs));
    }
    group.finish();

    for (agents, offered, runs) in &summary {
        let t = runs.median();
        eprintln!(
            "multiskill summary {agents:>4} agents (median of {} timed runs): {offered} offered calls, \
             {:.3} ms per replication, {:.1} ns per call, {:.3e} calls/s",
            runs.0.borrow().len(),
            t.as_secs_f64() * 1e3,
            t.as_nanos() as f64 / *offered as f64,
            *offered as f64 / t.as_secs_f64(),
        );
    }
}

criterion_group!(benches, multiskill);
criterion_main!(benches);
