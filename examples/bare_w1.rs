//! The W1 yardstick as a process of its own, for whole-process comparisons with
//! `ccsim run benches/w1-half-hours.toml` (see `benches/README.md`): one run of the bare
//! event loop of `benches/bare_w1.rs` for 1,000,000 calls, printing its counts.
//!
//! `cargo build --release --examples && target/release/examples/bare_w1`

#[allow(dead_code)] // its `main` is for the bench target
#[path = "../benches/bare_w1.rs"]
mod bare_w1;

fn main() {
    let o = bare_w1::simulate_w1(1_000_000, 1);
    println!(
        "bare W1: 1000000 calls, answered {}, abandoned {}, ASA {:.1}s",
        o.answered,
        o.abandoned,
        o.wait_answered_us as f64 / o.answered as f64 / 1e6
    );
}
