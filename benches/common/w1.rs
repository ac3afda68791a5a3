//! Workload W1 as a ccsim scenario, shared by the `w1` bench and the `peak_memory` example
//! so that both measure exactly the same model.
//!
//! W1: one skill, 100 agents, 1176 calls an hour (98 Erlangs), exponential handle time
//! (mean 5 min) and patience (mean 3 min), FCFS, longest-idle agent, no warm-up, and one
//! interval spanning the whole run so that per-interval statistics cost nothing extra.

/// Arrival rate of W1, calls per hour.
pub const CALLS_PER_HOUR: f64 = 1176.0;

/// The scenario text of W1 with a horizon long enough for about `calls` arrivals.
pub fn scenario_text(calls: u64) -> String {
    let seconds = ((calls as f64 * 3600.0 / CALLS_PER_HOUR).round() as u64).max(1);
    format!(
        r#"
[scenario]
name = "w1"
duration = "{seconds}s"
interval = "{seconds}s"
warmup = "0s"
replications = 1
seed = 1

[[call_type]]
name = "sales"
arrivals = {{ per_hour = {CALLS_PER_HOUR} }}
handle_time = {{ dist = "exponential", mean = "5m" }}
patience = {{ dist = "exponential", mean = "3m" }}

[[agent_group]]
name = "team"
agents = 100
skills = ["sales"]
"#
    )
}

/// The validated W1 model for about `calls` arrivals.
pub fn model(calls: u64) -> ccsim::Model {
    let scenario = ccsim::Scenario::parse("w1.toml", &scenario_text(calls)).expect("W1 scenario parses");
    ccsim::Model::build(&scenario).expect("W1 scenario is valid")
}
