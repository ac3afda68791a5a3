//! Rostering a week: shifts generated from rules, days off, hours and rest per agent,
//! breaks placed against the requirement, solved as an integer program.

use crate::common::model;

/// A week of half hours: weekdays 07:00–21:00 rising to a midday peak, weekends lighter,
/// nobody needed at night.
fn week_requirement() -> Vec<u32> {
    (0..336)
        .map(|k| {
            let (day, slot) = (k / 48, k % 48);
            if !(14..42).contains(&slot) {
                return 0;
            }
            let hour = slot as f64 / 2.0;
            let shape = 4.0 + 10.0 * (-(hour - 12.5f64).powi(2) / 18.0).exp();
            let scale = if day >= 5 { 0.5 } else { 1.0 };
            (shape * scale).round() as u32
        })
        .collect()
}

fn week_scenario(roster: &str) -> String {
    format!(
        r#"
[scenario]
name = "week"
duration = "7d"
interval = "30m"

[[call_type]]
name = "calls"
arrivals = {{ per_hour = 10 }}
handle_time = {{ dist = "exponential", mean = "3m" }}

[[agent_group]]
name = "team"
agents = 1
shrinkage = 0.2
skills = ["calls"]
cost = {{ per_hour = 20 }}
{roster}
"#
    )
}

#[test]
fn experiment_week() {
    let text = week_scenario(
        r#"roster = { time_limit = "20s", patterns = [
  { name = "day", starts = { from = "07:00", to = "13:00", every = "30m" }, lengths = ["8h30m", "6h"], breaks = [
    { duration = "15m", after = "1h30m", before = "2h30m" },
    { duration = "30m", paid = false, after = "3h", before = "5h" },
  ] },
], contracts = [
  { name = "full-time", days = 5, max_hours = 40 },
  { name = "part-time", days = 4, max_hours = 24, max_share = 0.3 },
] }"#,
    );
    let m = model(&text);
    let t = std::time::Instant::now();
    let r = ccsim::staff::roster::roster_group(&m, 0, &week_requirement()).unwrap();
    eprintln!("{:?} in {:?}; {} agents, {} rows", r.solve, t.elapsed(), r.lines.len(), r.shifts.len());
}
