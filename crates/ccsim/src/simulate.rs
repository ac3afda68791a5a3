//! Many replications of a model, in parallel, merged into one [`Accumulator`].
//!
//! Replication r depends only on (seed, r), and accumulators hold integer sums, so the
//! result is the same bytes whatever the thread count or the order replications finish.
//! Before anything is allocated the run's memory is checked against the budget
//! ([`crate::budget`]); a replication that reaches one of the engine's limits ends the
//! run with its message: the lowest such replication's, whatever the thread count
//! (replications after it are skipped, those before it all run).
//!
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

/// A pool of `threads` workers (0: one per core), refused above [`MAX_THREADS`]. Its
/// workers share the calling thread's cancel token ([`crate::interrupt::Cancel`]).
pub fn thread_pool(threads: usize) -> Result<rayon::ThreadPool, Error> {
    if threads > MAX_THREADS {
        return Err(Error::Other(format!(
            "--threads must be at most {MAX_THREADS} (0 uses every core), got {threads}"
        )));
    }
    let cancel = crate::interrupt::current();
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .start_handler(move |_| {
            if let Some(cancel) = &cancel {
                cancel.enter();
            }
        })
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
    let workers = pool.current_num_threads();
    crate::budget::check(model, workers, 0)?;
    let (intervals, call_types, groups) = (model.clock.intervals, model.call_types.len(), model.groups.len());
    let empty = || Accumulator::new(intervals, call_types, groups);
    let next = AtomicU64::new(range.start);
    let done: Mutex<Vec<Accumulator>> = Mutex::new(Vec::new());
    let halted = Halted::new();
    let work = || {
        let mut acc: Option<Accumulator> = None;
        loop {
            // Replications are taken in increasing order: once one has halted, every
            // later one is skipped (those before it still run).
            let r = next.fetch_add(1, Ordering::Relaxed);
            if r >= range.end || crate::interrupt::requested() || halted.after(r) {
                break;
            }
            let stats = run_replication(model, r);
            match &stats.halt {
                Some(why) => halted.note(r, why),
                None => acc.get_or_insert_with(empty).add(&stats),
            }
            // Only a replication run whole is done: one cut short by a stop is not.
            if stats.halt.is_none() && !crate::interrupt::requested() {
                progress();
            }
        }
        if let Some(acc) = acc {
            done.lock().expect("no worker panics holding it").push(acc);
        }
    };
    let workers = workers.min(range.end.saturating_sub(range.start) as usize);
    if workers <= 1 {
        pool.install(work);
    } else {
        pool.broadcast(|_| work());
    }
    crate::interrupt::check()?;
    halted.check()?;
    let mut parts = done.into_inner().expect("no worker panicked");
    let mut acc = parts.pop().unwrap_or_else(empty);
    for part in &parts {
        acc += part;
    }
    Ok(acc)
}

/// The lowest replication that reached one of the engine's limits, with its message.
/// Replications after it are skipped; those before it still run (one of them may halt
/// too), so the message is the same whatever the thread count.
pub struct Halted {
    first: AtomicU64,
    why: Mutex<Option<(u64, String)>>,
}

impl Halted {
    pub fn new() -> Halted {
        Halted {
            first: AtomicU64::new(u64::MAX),
            why: Mutex::new(None),
        }
    }

    /// Whether replication `r` comes after one that halted (and need not run).
    pub fn after(&self, r: u64) -> bool {
        r > self.first.load(Ordering::Relaxed)
    }

    /// Replication `r` halted with `why`.
    pub fn note(&self, r: u64, why: &str) {
        self.first.fetch_min(r, Ordering::Relaxed);
        let mut first = self.why.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if first.as_ref().is_none_or(|(f, _)| r < *f) {
            *first = Some((r, why.to_owned()));
        }
    }

    /// The lowest halted replication's message as an error, if one halted.
    pub fn check(&self) -> Result<(), Error> {
        let why = self.why.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match why.as_ref() {
            Some((_, why)) => Err(Error::Other(why.clone())),
            None => Ok(()),
        }
    }
}

impl Default for Halted {
    fn default() -> Self {
        Halted::new()
    }
}

/// Runs all of the model's replications.
pub fn simulate(model: &Model, threads: usize, progress: &(dyn Fn() + Sync)) -> Result<Accumulator, Error> {
    simulate_range(model, 0..model.replications, threads, progress)
}
