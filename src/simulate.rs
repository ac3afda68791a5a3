//! Many replications of a model, in parallel, merged into one [`Accumulator`].
//!
//! Replication r depends only on (seed, r), and accumulators hold integer sums, so the
//! result is the same bytes whatever the thread count or the order replications finish.

use rayon::prelude::*;

use crate::engine::run_replication;
use crate::error::Error;
use crate::model::Model;
use crate::stats::Accumulator;

/// Runs replications `range` of `model` on `threads` threads (0: all cores), calling
/// `progress` after each one.
pub fn simulate_range(
    model: &Model,
    range: std::ops::Range<u64>,
    threads: usize,
    progress: &(dyn Fn() + Sync),
) -> Result<Accumulator, Error> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Other(format!("cannot start worker threads: {e}")))?;
    let (intervals, call_types, groups) = (model.clock.intervals, model.call_types.len(), model.groups.len());
    let empty = || Accumulator::new(intervals, call_types, groups);
    let acc = pool.install(|| {
        range
            .into_par_iter()
            .fold(empty, |mut acc, r| {
                if !crate::interrupt::requested() {
                    acc.add(&run_replication(model, r));
                    progress();
                }
                acc
            })
            .reduce(empty, |mut a, b| {
                a += &b;
                a
            })
    });
    crate::interrupt::check()?;
    Ok(acc)
}

/// Runs all of the model's replications.
pub fn simulate(model: &Model, threads: usize, progress: &(dyn Fn() + Sync)) -> Result<Accumulator, Error> {
    simulate_range(model, 0..model.replications, threads, progress)
}
