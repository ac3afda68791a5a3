//! Every timed run of one benchmark function, kept for a closing summary line (criterion
//! reports its own estimates; this gives the plain median the README quotes).

use std::cell::RefCell;
use std::hint::black_box;
use std::time::{Duration, Instant};

#[derive(Default)]
pub struct Runs(pub RefCell<Vec<Duration>>);

impl Runs {
    /// Times `iters` runs of `f` one by one and returns their total.
    pub fn time<T>(&self, iters: u64, mut f: impl FnMut() -> T) -> Duration {
        let mut total = Duration::ZERO;
        for _ in 0..iters {
            let start = Instant::now();
            black_box(f());
            let elapsed = start.elapsed();
            self.0.borrow_mut().push(elapsed);
            total += elapsed;
        }
        total
    }

    pub fn median(&self) -> Duration {
        let mut runs = self.0.borrow().clone();
        runs.sort();
        runs.get(runs.len() / 2).copied().unwrap_or_default()
    }
}
