//! A centre with a given number of call types at the same total load, for the
//! `call_types` bench: the cost per call must not grow with the number of call types.
//!
//! - **Call types** `t001`…: each gets an equal share of [`CALLS_PER_HOUR`] (constant-rate
//!   Poisson), exponential handle time (mean 5 min) and patience (mean 10 min).
//! - **Groups** `g001`…: one per two call types, each serving its two call types, with an
//!   equal share of [`TOTAL_AGENTS`]. So 2 call types are one group of 2,000 agents and
//!   400 call types are 200 groups of 10: the same agents, the same calls, the same
//!   occupancy (0.6), and each group looks at two queues either way.
//! - 12 hours in one-hour intervals, no warm-up, one replication: about 173,000 calls.

/// Agents over all groups.
pub const TOTAL_AGENTS: usize = 2_000;
/// Calls per hour over all call types: 0.6 Erlang per agent at a 5-minute handle time.
pub const CALLS_PER_HOUR: f64 = 0.6 * TOTAL_AGENTS as f64 * 12.0;

/// The scenario text for `types` call types (an even number dividing 2 × [`TOTAL_AGENTS`]).
pub fn scenario_text(types: usize) -> String {
    assert!(types >= 2 && types.is_multiple_of(2) && (2 * TOTAL_AGENTS).is_multiple_of(types));
    let groups = types / 2;
    let mut s = String::from(
        "[scenario]\nname = \"call-types\"\nduration = \"12h\"\ninterval = \"1h\"\nwarmup = \"0s\"\nreplications = 1\nseed = 3\n",
    );
    let per_hour = CALLS_PER_HOUR / types as f64;
    for t in 0..types {
        s += &format!(
            "\n[[call_type]]\nname = \"t{t:03}\"\narrivals = {{ per_hour = {per_hour} }}\n\
             handle_time = {{ dist = \"exponential\", mean = \"5m\" }}\n\
             patience = {{ dist = \"exponential\", mean = \"10m\" }}\n"
        );
    }
    for g in 0..groups {
        s += &format!(
            "\n[[agent_group]]\nname = \"g{g:03}\"\nagents = {}\nskills = [\"t{:03}\", \"t{:03}\"]\n",
            TOTAL_AGENTS / groups,
            2 * g,
            2 * g + 1
        );
    }
    s
}

/// The validated model for `types` call types.
pub fn model(types: usize) -> ccsim::Model {
    let scenario = ccsim::Scenario::parse("call-types.toml", &scenario_text(types)).expect("the scenario parses");
    ccsim::Model::build(&scenario).expect("the scenario is valid")
}
