//! Rostering a week: a centre open 07:00–21:00 with a midday peak and quieter weekends
//! (336 half hours), full-time 8h30 shifts starting every 30 minutes from 07:00 to 13:00
//! and part-time 5h shifts on the hour from 09:00 to 15:00, a paid coffee break and an
//! unpaid lunch placed in 15-minute steps, five days a week with two days off together,
//! weekly hours, a part-time share and 11 hours of rest: the integer program with the
//! default search budget (`max_nodes = 5000`).
//!
//! Run with `cargo bench --bench roster`; the summary line gives the median time, the
//! agents and payroll of the roster found, the solver's status and its gap to the bound.

use std::time::Duration;

use ccsim::staff::roster::roster_group;
use criterion::{Criterion, criterion_group, criterion_main};

#[path = "common/runs.rs"]
mod runs;
use runs::Runs;

const SCENARIO: &str = r#"
[scenario]
name = "week roster"
duration = "7d"
interval = "30m"

[[call_type]]
name = "calls"
arrivals = { per_hour = 60 }
handle_time = { dist = "exponential", mean = "5m" }

[[agent_group]]
name = "team"
agents = 1
shrinkage = 0.25
skills = ["calls"]
cost = { per_hour = 22 }

[agent_group.roster]
min_rest = "11h"
patterns = [
  { name = "day", starts = { from = "07:00", to = "13:00", every = "30m" }, lengths = ["8h30m"], breaks = [
    { duration = "15m", after = "1h30m", before = "2h30m" },
    { duration = "30m", paid = false, after = "3h", before = "5h" },
  ] },
  { name = "short", starts = { from = "09:00", to = "15:00", every = "1h" }, lengths = ["5h"], breaks = [
    { duration = "15m", after = "2h", before = "3h" },
  ] },
]
contracts = [
  { name = "full-time", days = 5, max_hours = 40 },
  { name = "part-time", days = 4, max_hours = 20, max_share = 0.3 },
]
"#;

/// Agents on duty per half hour: 07:00–21:00, a midday peak of 16, weekends at 55 %.
fn requirement() -> Vec<u32> {
    (0..336)
        .map(|k| {
            let (day, slot) = (k / 48, k % 48);
            if !(14..42).contains(&slot) {
                return 0;
            }
            let hour = slot as f64 / 2.0;
            let shape = 4.0 + 12.0 * (-(hour - 12.5f64).powi(2) / 18.0).exp();
            let scale = if day >= 5 { 0.55 } else { 1.0 };
            (shape * scale).round() as u32
        })
        .collect()
}

fn week(c: &mut Criterion) {
    let model = ccsim::Model::build(&ccsim::Scenario::parse("week.toml", SCENARIO).expect("parses")).expect("valid");
    let required = requirement();
    let roster = roster_group(&model, 0, &required).expect("a roster");
    let mut group = c.benchmark_group("roster");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(60));
    let runs = Runs::default();
    group.bench_function("week", |b| {
        b.iter_custom(|iters| runs.time(iters, || roster_group(&model, 0, &required).expect("a roster")))
    });
    group.finish();
    eprintln!(
        "roster summary (median of {} timed solves): {:.2} s per week roster; {} agents, {:.1} paid hours, \
         status {}, gap {:.2} % to the bound {:.1} (payroll {:.1})",
        runs.0.borrow().len(),
        runs.median().as_secs_f64(),
        roster.lines.len(),
        roster.paid_hours,
        roster.solve.status,
        roster.solve.gap.unwrap_or(f64::NAN) * 100.0,
        roster.solve.bound.unwrap_or(f64::NAN),
        roster.solve.objective,
    );
}

criterion_group!(benches, week);
criterion_main!(benches);
