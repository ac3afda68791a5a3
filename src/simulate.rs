//! Many replications of a model, in parallel, merged into one [`Accumulator`].
//!
//! Replication r depends only on (seed, r), and accumulators hold integer sums, so the
//! result is the same bytes whatever the thread count or the order replications finish.

use rayon::prelude::*;

use crate::engine::run_replication;
use crate::error::Error;
use crate::model::Model;
use crate::stats::Accumulator;

/// The most worker threads a run may ask for: more than any machine has cores, and few
/// enough that a mistyped `--threads 100000` is refused instead of spawning them.
pub const MAX_THREADS: usize = 256;

/// A pool of `threads` workers (0: one per core), refused above [`MAX_THREADS`].
pub fn thread_pool(threads: usize) -> Result<rayon::ThreadPool, Error> {
    if threads > MAX_THREADS {
        return Err(Error::Other(format!(
            "--threads must be at most {MAX_THREADS} (0 uses every core), got {threads}"
        )));
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Error::Other(format!("cannot start worker threads: {e}")))
}

/// Runs replications `range` of `model` on `threads` threads (0: all cores), calling
/// `progress` after each one.
pub fn simulate_range(
    model: &Model,
    range: std::ops::Range<u64>,
    threads: usize,
    progress: &(dyn Fn() + Sync),
) -> Result<Accumulator, Error> {
    let pool = thread_pool(threads)?;
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
