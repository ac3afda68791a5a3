//! Workload W1 (one skill, 100 agents, 98 Erlangs, 1,000,000 calls, one replication):
//! ccsim's engine with all statistics on, beside a bare hand-written event loop
//! (`bare_w1.rs`) as the yardstick. The requirement is ccsim within 2× the bare loop.
//!
//! Run with `cargo bench --bench w1`; criterion reports time per run and throughput
//! (calls/s), and a summary line with the median of every timed run is printed at the end.

#[allow(dead_code)] // its `main` is for standalone runs
#[path = "bare_w1.rs"]
mod bare_w1;
#[path = "common/w1.rs"]
mod w1;

use std::hint::black_box;
use std::time::Duration;

use ccsim::engine::run_replication;
use ccsim::stats::call;
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};

const CALLS: u64 = 1_000_000;

#[path = "common/runs.rs"]
mod runs;
use runs::Runs;

fn w1(c: &mut Criterion) {
    let model = w1::model(CALLS);
    let stats = run_replication(&model, 0);
    let offered = stats.call_total(call::OFFERED);
    let (answered, abandoned) = (stats.call_total(call::ANSWERED), stats.call_total(call::ABANDONED));
    let (bare_answered, bare_abandoned) = bare_w1::run_bare_w1(CALLS, 1);
    eprintln!("ccsim: {offered} offered, {answered} answered, {abandoned} abandoned");
    eprintln!("bare:  {CALLS} offered, {bare_answered} answered, {bare_abandoned} abandoned");

    let mut group = c.benchmark_group("w1");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(6));

    let bare = Runs::default();
    group.throughput(Throughput::Elements(CALLS));
    group.bench_function("bare_loop", |b| {
        b.iter_custom(|iters| bare.time(iters, || bare_w1::run_bare_w1(black_box(CALLS), 1)))
    });

    let engine = Runs::default();
    group.throughput(Throughput::Elements(offered));
    group.bench_function("ccsim_engine", |b| {
        b.iter_custom(|iters| engine.time(iters, || run_replication(black_box(&model), 0)))
    });
    group.finish();

    let (bare_t, engine_t) = (bare.median(), engine.median());
    if bare_t > Duration::ZERO && engine_t > Duration::ZERO {
        let per_million = |t: Duration, calls: u64| t.as_secs_f64() * 1e6 / calls as f64;
        eprintln!(
            "W1 summary (median of {} and {} timed runs): bare loop {:.1} ms per 1M calls ({:.3e} calls/s), \
             ccsim {:.1} ms per 1M calls ({:.3e} calls/s), ccsim/bare = {:.2}",
            bare.0.borrow().len(),
            engine.0.borrow().len(),
            per_million(bare_t, CALLS) * 1e3,
            CALLS as f64 / bare_t.as_secs_f64(),
            per_million(engine_t, offered) * 1e3,
            offered as f64 / engine_t.as_secs_f64(),
            per_million(engine_t, offered) / per_million(bare_t, CALLS),
        );
    }
}

criterion_group!(benches, w1);
criterion_main!(benches);
