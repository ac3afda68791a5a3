//! Many replications of a model, in parallel, merged into one [`Accumulator`].
//!
//! Replication r depends only on (seed, r), and accumulators hold integer sums, so the
//! result is the same bytes whatever the thread count or the order replications finish.
//! A worker keeps one accumulator for all the replications it runs, so memory grows with
//! the threads at work, not with the replications.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

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
///
/// Each worker takes the next replication number from a shared counter and adds its
/// sums into an accumulator of its own, made when it gets its first replication (so one
/// replication needs one accumulator, whatever the threads); the workers' accumulators
/// are then added into the first. Sums are integers, so which worker ran which
/// replication changes no byte.
pub fn simulate_range(
    model: &Model,
    range: std::ops::Range<u64>,
    threads: usize,
    progress: &(dyn Fn() + Sync),
) -> Result<Accumulator, Error> {
    let pool = thread_pool(threads)?;
    let (intervals, call_types, groups) = (model.clock.intervals, model.call_types.len(), model.groups.len());
    let empty = || Accumulator::new(intervals, call_types, groups);
    let next = AtomicU64::new(range.start);
    let done: Mutex<Vec<Accumulator>> = Mutex::new(Vec::new());
    let work = || {
        let mut acc: Option<Accumulator> = None;
        loop {
            let r = next.fetch_add(1, Ordering::Relaxed);
            if r >= range.end || crate::interrupt::requested() {
                break;
            }
            acc.get_or_insert_with(empty).add(&run_replication(model, r));
            progress();
        }
        if let Some(acc) = acc {
            done.lock().expect("no worker panics holding it").push(acc);
        }
    };
    let workers = pool
        .current_num_threads()
        .min(range.end.saturating_sub(range.start) as usize);
    if workers <= 1 {
        pool.install(work);
    } else {
        pool.broadcast(|_| work());
    }
    crate::interrupt::check()?;
    let mut parts = done.into_inner().expect("no worker panicked");
    let mut acc = parts.pop().unwrap_or_else(empty);
    for part in &parts {
        acc += part;
    }
    Ok(acc)
}

/// Runs all of the model's replications.
pub fn simulate(model: &Model, threads: usize, progress: &(dyn Fn() + Sync)) -> Result<Accumulator, Error> {
    simulate_range(model, 0..model.replications, threads, progress)
}
