//! The yardstick for workload W1: a bare, hand-written event loop with no framework, no
//! per-contact random streams and no statistics beyond answered/abandoned counts and wait
//! sums. ccsim's engine is judged against it (`benches/w1.rs`), so it is written to be fast
//! but honest: it simulates the same model with the same event granularity.
//!
//! - Events are a binary heap of `u128` keys packing (time µs, sequence, kind), so one
//!   comparison orders them and equal times come out in scheduling order.
//! - Agents are anonymous, so an idle count is enough (with identical agents the
//!   longest-idle rule does not change any count).
//! - Waiting calls are a FIFO of (arrival, patience deadline, handle time). Under FCFS a
//!   call abandons exactly when its deadline passes before an agent reaches it, so expired
//!   heads are counted as abandoned when an agent looks at the queue: no patience events.
//!
//! Also a standalone bench target (`cargo bench --bench bare_w1`) that times one run.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::time::Instant;

use rand::SeedableRng;
use rand_distr::{Distribution, Exp1};
use rand_pcg::Pcg64Mcg;

const AGENTS: u32 = 100;
const CALLS_PER_HOUR: f64 = 1176.0;
const MEAN_HANDLE_US: f64 = 300e6;
const MEAN_PATIENCE_US: f64 = 180e6;

/// What one run counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcome {
    pub answered: u64,
    pub abandoned: u64,
    /// Sum of waits of answered calls, µs.
    pub wait_answered_us: u64,
    /// Sum of times to abandon, µs.
    pub wait_abandoned_us: u64,
}

/// Runs W1 for exactly `calls` arrivals (then until the last call is done) and returns
/// (answered, abandoned).
pub fn run_bare_w1(calls: u64, seed: u64) -> (u64, u64) {
    let o = simulate_w1(calls, seed);
    // The wait sums are part of the work measured: keep them from being optimised away.
    std::hint::black_box((o.wait_answered_us, o.wait_abandoned_us));
    (o.answered, o.abandoned)
}

const ARRIVAL: u128 = 0;
const SERVICE_END: u128 = 1;

/// The future-event list: keys are `time << 64 | sequence << 1 | kind`.
struct Events {
    heap: BinaryHeap<Reverse<u128>>,
    seq: u128,
}

impl Events {
    #[inline]
    fn push(&mut self, time: u64, kind: u128) {
        self.heap
            .push(Reverse((u128::from(time) << 64) | (self.seq << 1) | kind));
        self.seq += 1;
    }

    #[inline]
    fn pop(&mut self) -> Option<(u64, u128)> {
        self.heap.pop().map(|Reverse(key)| ((key >> 64) as u64, key & 1))
    }
}

/// Rounds a non-negative time in µs to the nearest integer. `f64::round` is a libm call
/// on baseline x86-64 (about 7% of this loop); adding ½ and truncating agrees with it
/// except within an ulp of a tie.
#[inline]
fn to_micros(us: f64) -> u64 {
    (us + 0.5) as u64
}

/// A call in the queue.
struct Waiting {
    arrival: u64,
    deadline: u64,
    handle: u64,
}

/// Runs W1 for exactly `calls` arrivals and returns all its counts and sums.
pub fn simulate_w1(calls: u64, seed: u64) -> Outcome {
    let mut rng = Pcg64Mcg::seed_from_u64(seed);
    let mut draw = |mean_us: f64| -> f64 {
        let e: f64 = Exp1.sample(&mut rng);
        e * mean_us
    };
    let mean_gap_us = 3600e6 / CALLS_PER_HOUR;
    let mut events = Events {
        heap: BinaryHeap::with_capacity(256),
        seq: 0,
    };
    let mut queue: VecDeque<Waiting> = VecDeque::with_capacity(1024);
    let mut idle = AGENTS;
    let mut o = Outcome::default();
    // Arrival times stay in f64 so that rounding never accumulates.
    let mut next_arrival = 0.0;
    let mut arrived = 0;
    if calls > 0 {
        next_arrival += draw(mean_gap_us);
        events.push(to_micros(next_arrival), ARRIVAL);
    }
    while let Some((now, kind)) = events.pop() {
        if kind == ARRIVAL {
            arrived += 1;
            if arrived < calls {
                next_arrival += draw(mean_gap_us);
                events.push(to_micros(next_arrival), ARRIVAL);
            }
            // Fixed draw order, as in ccsim: handle time, then patience.
            let handle = to_micros(draw(MEAN_HANDLE_US));
            let patience = to_micros(draw(MEAN_PATIENCE_US));
            if idle > 0 {
                idle -= 1;
                o.answered += 1;
                events.push(now + handle, SERVICE_END);
            } else {
                queue.push_back(Waiting {
                    arrival: now,
                    deadline: now + patience,
                    handle,
                });
            }
        } else {
            loop {
                match queue.pop_front() {
                    Some(w) if w.deadline <= now => {
                        o.abandoned += 1;
                        o.wait_abandoned_us += w.deadline - w.arrival;
                    }
                    Some(w) => {
                        o.answered += 1;
                        o.wait_answered_us += now - w.arrival;
                        events.push(now + w.handle, SERVICE_END);
                        break;
                    }
                    None => {
                        idle += 1;
                        break;
                    }
                }
            }
        }
    }
    debug_assert!(queue.is_empty() && idle == AGENTS);
    o
}

/// Standalone run: `cargo bench --bench bare_w1` times one run of 1,000,000 calls.
#[allow(dead_code)] // unused when this file is a module of `benches/w1.rs`
fn main() {
    let calls = 1_000_000;
    let start = Instant::now();
    let o = simulate_w1(calls, 1);
    let elapsed = start.elapsed();
    eprintln!(
        "bare W1: {calls} calls in {elapsed:.3?} ({:.2e} calls/s): answered {}, abandoned {}, \
         ASA {:.1}s, mean time to abandon {:.1}s",
        calls as f64 / elapsed.as_secs_f64(),
        o.answered,
        o.abandoned,
        o.wait_answered_us as f64 / o.answered as f64 / 1e6,
        o.wait_abandoned_us as f64 / o.abandoned.max(1) as f64 / 1e6,
    );
}
