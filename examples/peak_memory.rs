//! Peak memory of one W1 replication, to check that ccsim's memory does not grow with the
//! number of calls (the requirement: 2M calls within 1.5× the peak of 100k calls).
//!
//! `cargo run --release --example peak_memory -- 100000` builds W1 (one interval spanning
//! the run) for about that many calls, runs one replication, and prints the calls offered
//! and the process's peak resident set (VmHWM, KiB). Run each size in its own process.

#[path = "../benches/common/w1.rs"]
mod w1;

use ccsim::stats::call;

/// The process's peak resident set size in KiB (`VmHWM` in /proc/self/status; Linux only).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let calls: u64 = match std::env::args().nth(1).map(|a| a.replace('_', "").parse()) {
        None => 1_000_000,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("usage: peak_memory [CALLS]   (a positive number of calls, default 1000000)");
            std::process::exit(2);
        }
    };
    let model = w1::model(calls);
    let stats = ccsim::engine::run_replication(&model, 0);
    let offered = stats.call_total(call::OFFERED);
    match peak_rss_kib() {
        Some(kib) => println!("calls_requested={calls} offered={offered} peak_rss_kib={kib}"),
        None => println!("calls_requested={calls} offered={offered} peak_rss_kib=unavailable"),
    }
}
