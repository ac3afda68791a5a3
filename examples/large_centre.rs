//! The large centre of `benches/common/large_centre.rs` (200 call types, 50 groups, 5,000
//! agents, a week in 15-minute intervals): time per call and peak memory of a run, and
//! the memory its statistics take per interval × call type.
//!
//! ```sh
//! cargo run --release --example large_centre                 # volumes × 1, one replication
//! cargo run --release --example large_centre -- --scale 0.25 # a quarter of the calls
//! cargo run --release --example large_centre -- --write large.toml   # the scenario, for `ccsim run`
//! ```
//!
//! It builds the model, simulates its replications on every core (as `ccsim run` does)
//! and summarises them, then prints the calls offered, the time per call, the bytes of one
//! replication's sums and of an accumulator, and the process's peak resident set (VmHWM,
//! Linux) after the simulation and after the summary. Run each size in its own process:
//! the peak is the process's.

#[path = "../benches/common/large_centre.rs"]
mod large_centre;

use std::time::Instant;

use ccsim::stats::{Accumulator, CHANNELS, RepStats};

/// The process's peak resident set size in KiB (`VmHWM` in /proc/self/status; Linux only).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn kib(v: Option<u64>) -> String {
    v.map_or("unavailable".into(), |k| format!("{k} KiB"))
}

fn usage() -> ! {
    eprintln!("usage: large_centre [--scale X] [--replications N] [--write FILE]");
    std::process::exit(2);
}

fn main() {
    let (mut scale, mut replications, mut write) = (1.0, 1, None);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().unwrap_or_else(|| usage());
        match arg.as_str() {
            "--scale" => scale = value.parse().ok().filter(|s: &f64| *s > 0.0).unwrap_or_else(|| usage()),
            "--replications" => replications = value.parse().ok().filter(|r| *r > 0).unwrap_or_else(|| usage()),
            "--write" => write = Some(value),
            _ => usage(),
        }
    }
    if let Some(path) = write {
        std::fs::write(&path, large_centre::scenario_text(scale)).expect("the scenario is written");
        println!("wrote {path}");
        return;
    }
    let started = Instant::now();
    let model = large_centre::model(scale)
        .with_replications(replications)
        .expect("replications within the limits");
    let built = started.elapsed();
    let started = Instant::now();
    let acc = ccsim::simulate(&model, 0, &|| {}).expect("the large centre runs");
    let simulated = started.elapsed();
    let after_simulation = peak_rss_kib();
    let started = Instant::now();
    let summary = ccsim::Summary::new(&model, &acc);
    let summarised = started.elapsed();
    let offered = summary.totals.get("offered").and_then(|e| e.mean).unwrap_or(0.0) * replications as f64;
    let (intervals, types, groups) = (model.clock.intervals, model.call_types.len(), model.groups.len());
    let rep = RepStats::new(intervals, types, groups).bytes();
    let accumulator = Accumulator::new(intervals, types, groups).bytes();
    let columns = (intervals * (types + CHANNELS + 1)) as f64;
    println!(
        "large centre ×{scale}: {types} call types, {groups} groups, {intervals} intervals, \
         {replications} replication(s), {offered:.0} calls offered"
    );
    println!(
        "time: model {:.2} s, simulation {:.2} s ({:.0} ns per call), summary {:.2} s",
        built.as_secs_f64(),
        simulated.as_secs_f64(),
        simulated.as_nanos() as f64 / offered.max(1.0),
        summarised.as_secs_f64()
    );
    println!(
        "statistics: one replication's sums {:.1} MB ({:.0} B per interval × call column), \
         an accumulator {:.1} MB ({:.0} B per interval × call column)",
        rep as f64 / 1e6,
        rep as f64 / columns,
        accumulator as f64 / 1e6,
        accumulator as f64 / columns,
    );
    println!(
        "peak RSS: {} after the simulation, {} after the summary",
        kib(after_simulation),
        kib(peak_rss_kib())
    );
}
