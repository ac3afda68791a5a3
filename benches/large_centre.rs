//! One replication of the large centre (200 call types, 50 groups, 5,000 agents, a week
//! in 15-minute intervals; see `common/large_centre.rs`): the time per call of a centre
//! of that size, with every statistic on.
//!
//! Run with `cargo bench --bench large_centre` (about a minute); criterion reports the
//! time per replication and throughput (offered calls/s), and a summary line gives the
//! median and ns per call. Peak memory: `cargo run --release --example large_centre`.

#[path = "common/large_centre.rs"]
mod large_centre;
#[path = "common/runs.rs"]
mod runs;

use std::hint::black_box;
use std::time::Duration;

use ccsim::engine::run_replication;
use ccsim::stats::{call, group};
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use runs::Runs;

fn bench(c: &mut Criterion) {
    let model = large_centre::model(1.0);
    let stats = run_replication(&model, 0);
    let offered = stats.call_total(call::OFFERED);
    let answered = stats.call_total(call::ANSWERED);
    let (busy, staffed) = stats.group_cells.iter().fold((0, 0), |(b, s), cell| {
        (b + cell[group::BUSY_US], s + cell[group::STAFFED_US])
    });
    eprintln!(
        "large centre: {offered} offered, answer rate {:.3}, occupancy {:.3}",
        answered as f64 / offered as f64,
        busy as f64 / staffed as f64
    );
    let mut group = c.benchmark_group("large_centre");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(30));
    let runs = Runs::default();
    group.throughput(Throughput::Elements(offered));
    group.bench_function("week", |b| {
        b.iter_custom(|iters| runs.time(iters, || run_replication(black_box(&model), 0)))
    });
    group.finish();
    let t = runs.median();
    eprintln!(
        "large_centre summary (median of {} timed runs): {offered} offered calls, {:.2} s per replication, \
         {:.0} ns per call, {:.3e} calls/s",
        runs.0.borrow().len(),
        t.as_secs_f64(),
        t.as_nanos() as f64 / offered as f64,
        offered as f64 / t.as_secs_f64()
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
