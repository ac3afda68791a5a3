//! The cost per call against the number of call types, at the same total load (see
//! `common/call_types.rs`): 2 call types (one group of 2,000 agents) against 400 (200
//! groups of 10). The requirement: the time per call at 400 call types within 1.3× that
//! at 2.
//!
//! Run with `cargo bench --bench call_types`; criterion reports time per replication and
//! throughput (offered calls/s), and summary lines give the median ns per call of each and
//! their ratio.

#[path = "common/call_types.rs"]
mod call_types;
#[path = "common/runs.rs"]
mod runs;

use std::hint::black_box;
use std::time::Duration;

use ccsim::engine::run_replication;
use ccsim::stats::call;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use runs::Runs;

const TYPES: [usize; 2] = [2, 400];

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("call_types");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(6));
    let mut summary = Vec::new();
    for types in TYPES {
        let model = call_types::model(types);
        let stats = run_replication(&model, 0);
        let offered = stats.call_total(call::OFFERED);
        let answered = stats.call_total(call::ANSWERED);
        eprintln!(
            "call_types {types}: {offered} offered, answer rate {:.4}",
            answered as f64 / offered as f64
        );
        let runs = Runs::default();
        group.throughput(Throughput::Elements(offered));
        group.bench_with_input(BenchmarkId::from_parameter(types), &model, |b, model| {
            b.iter_custom(|iters| runs.time(iters, || run_replication(black_box(model), 0)))
        });
        summary.push((types, offered, runs));
    }
    group.finish();
    let per_call = |(_, offered, runs): &(usize, u64, Runs)| runs.median().as_nanos() as f64 / *offered as f64;
    for entry in &summary {
        eprintln!(
            "call_types summary {:>3} call types (median of {} timed runs): {} offered calls, {:.1} ns per call",
            entry.0,
            entry.2.0.borrow().len(),
            entry.1,
            per_call(entry)
        );
    }
    if let [few, many] = &summary[..] {
        eprintln!(
            "call_types summary: {} call types cost {:.2}× {} per call (medians of separate runs)",
            many.0,
            per_call(many) / per_call(few),
            few.0
        );
    }
    // On a shared machine the load drifts between the two groups above: the requirement is
    // judged on runs of the two models taken in turns, as the median of their paired ratios.
    let models: Vec<(ccsim::Model, u64)> = summary
        .iter()
        .map(|&(types, offered, _)| (call_types::model(types), offered))
        .collect();
    let mut ratios: Vec<f64> = (0..PAIRED_ROUNDS)
        .map(|_| {
            let per_call: Vec<f64> = models
                .iter()
                .map(|(model, offered)| {
                    let start = std::time::Instant::now();
                    black_box(run_replication(black_box(model), 0));
                    start.elapsed().as_nanos() as f64 / *offered as f64
                })
                .collect();
            per_call[1] / per_call[0]
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    eprintln!(
        "call_types summary: {} call types cost {:.2}× {} per call (median of {PAIRED_ROUNDS} paired runs; requirement ≤ 1.3)",
        TYPES[1],
        ratios[ratios.len() / 2],
        TYPES[0]
    );
}

/// Rounds of the paired comparison (each runs both models once).
const PAIRED_ROUNDS: usize = 21;

criterion_group!(benches, bench);
criterion_main!(benches);
