//! A multi-skill day as a ccsim scenario, for the `multiskill` bench: 20 call types,
//! 10 agent groups, 08:00–20:00 in 24 half-hour intervals (30 min warm-up, one
//! replication), sized by the total number of agents with the same load per agent at
//! every size.
//!
//! - **Call types** `c01`…`c20`: per-interval volumes with a daily shape (a morning and
//!   an afternoon peak; 0.88–1.14 × the day's mean), lognormal handle times (mean 3–9 min,
//!   cv 0.8–1.1), Weibull or exponential patience (means 12–15 min), priority 1 or 2 on
//!   six of them, overflow routing on seven
//!   (`[{ group = primary }, { group = other, after = "20s"…"45s" }]`).
//! - **Groups** `g01`…`g10`: group `gN` has `c(2N-1)` and `c(2N)` as its primary skills
//!   and 1–3 secondary ones, so 3–5 skills each; some secondary skills are slower
//!   (`factor = 1.2` or `1.1`). Every call type is served by two groups.
//! - **Load**: staffing is `agents = N` per group, `total_agents` split by fixed group
//!   weights (at least 1 agent each, so 1 each at 10 agents). Each group brings a load of
//!   [`OCCUPANCY`] × its agents Erlangs (day average), spread over its skills by call type
//!   weights (a secondary skill half as much, a slower skill fewer calls); a call type's
//!   volume is what its two groups bring. So the offered load per agent is the same at
//!   every size, and no group is overloaded by construction.

/// Offered load per agent, averaged over the day, in Erlangs.
pub const OCCUPANCY: f64 = 0.85;

const CALL_TYPES: usize = 20;
const GROUPS: usize = 10;
const INTERVALS: usize = 24;
/// Start of the day, hours.
const START_HOUR: f64 = 8.0;
const INTERVAL_HOURS: f64 = 0.5;

/// A call type's fixed parameters.
struct CallType {
    /// Share weight of the total load.
    weight: f64,
    /// Mean handle time, minutes.
    mean_min: f64,
    cv: f64,
    /// TOML of the patience distribution.
    patience: String,
    priority: i64,
}

fn call_type(c: usize) -> CallType {
    // Patient callers (means of 12–15 min), so that even the 10-agent day, one agent per
    // group, answers about 85 %.
    let patience = if c.is_multiple_of(2) {
        // Weibull with shape 1.0–1.6, scale 12–15 min.
        format!(
            r#"{{ dist = "weibull", shape = {:.1}, scale = "{}m" }}"#,
            1.0 + 0.2 * ((c / 2) % 4) as f64,
            12 + (c / 2) % 4
        )
    } else {
        // Exponential with mean 13 or 15 min.
        format!(r#"{{ dist = "exponential", mean = "{}m" }}"#, 12 + c % 4)
    };
    CallType {
        weight: 1.0 + 0.25 * ((c * 7) % 5) as f64,
        mean_min: 3.0 + ((c * 5) % 7) as f64,
        cv: 0.8 + 0.1 * (c % 4) as f64,
        patience,
        priority: match c % 7 {
            0 => 2,
            3 => 1,
            _ => 0,
        },
    }
}

/// Skills of each group, 0-based call types with their proficiency factor, primaries
/// (`2g`, `2g+1`) first: each call type is served by its primary group and one other.
const SKILLS: [&[(usize, f64)]; GROUPS] = [
    &[(0, 1.0), (1, 1.0), (2, 1.0), (7, 1.2)],
    &[(2, 1.0), (3, 1.0), (4, 1.0), (9, 1.0), (15, 1.1)],
    &[(4, 1.0), (5, 1.0), (6, 1.0)],
    &[(6, 1.0), (7, 1.0), (8, 1.2), (13, 1.0)],
    &[(8, 1.0), (9, 1.0), (10, 1.0), (3, 1.2), (19, 1.0)],
    &[(10, 1.0), (11, 1.0), (12, 1.1)],
    &[(12, 1.0), (13, 1.0), (14, 1.0), (17, 1.2)],
    &[(14, 1.0), (15, 1.0), (16, 1.0), (1, 1.0), (11, 1.2)],
    &[(16, 1.0), (17, 1.0), (18, 1.0)],
    &[(18, 1.0), (19, 1.0), (0, 1.2), (5, 1.0)],
];

/// The daily shape of volumes in interval `k`, before normalising to mean 1.
fn shape(k: usize) -> f64 {
    let t = START_HOUR + (k as f64 + 0.5) * INTERVAL_HOURS;
    let bump = |peak: f64, width: f64| (-((t - peak) / width).powi(2)).exp();
    0.8 + 0.25 * bump(10.5, 1.5) + 0.2 * bump(15.0, 2.0)
}

/// Splits `total` into integers proportional to `weights`, each at least 1 (largest
/// remainder), assuming `total >= weights.len()`.
fn apportion(total: u32, weights: &[f64]) -> Vec<u32> {
    let n = weights.len() as u32;
    let spare = f64::from(total.saturating_sub(n));
    let sum: f64 = weights.iter().sum();
    let exact: Vec<f64> = weights.iter().map(|w| spare * w / sum).collect();
    let mut counts: Vec<u32> = exact.iter().map(|e| 1 + e.floor() as u32).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())));
    let mut left = total.saturating_sub(counts.iter().sum());
    for &i in order.iter().cycle().take(left as usize) {
        counts[i] += 1;
        left -= 1;
    }
    debug_assert_eq!(left, 0);
    counts
}

/// The scenario text of the multi-skill day with about `total_agents` agents (at least
/// one per group).
pub fn scenario(total_agents: u32) -> String {
    let total_agents = total_agents.max(GROUPS as u32);
    let types: Vec<CallType> = (0..CALL_TYPES).map(call_type).collect();
    let servers = |c: usize| -> Vec<usize> { (0..GROUPS).filter(|&g| SKILLS[g].iter().any(|s| s.0 == c)).collect() };

    // Staffing by fixed group weights; then each group's load of OCCUPANCY × its agents
    // is spread over its skills, and a call type's load is the sum of what its groups
    // bring (see the module's documentation).
    let group_weights: Vec<f64> = (0..GROUPS).map(|g| 0.7 + 0.1 * ((g * 7) % 6) as f64).collect();
    let agents = apportion(total_agents, &group_weights);
    let mut erlangs = [0.0; CALL_TYPES];
    for (g, skills) in SKILLS.iter().enumerate() {
        let share = |i: usize, c: usize| types[c].weight * if i < 2 { 1.0 } else { 0.5 };
        let total: f64 = skills.iter().enumerate().map(|(i, &(c, _))| share(i, c)).sum();
        for (i, &(c, f)) in skills.iter().enumerate() {
            erlangs[c] += OCCUPANCY * f64::from(agents[g]) * share(i, c) / total / f;
        }
    }
    let shapes: Vec<f64> = (0..INTERVALS).map(shape).collect();
    let shape_mean = shapes.iter().sum::<f64>() / INTERVALS as f64;

    let mut out = format!(
        r#"[scenario]
name = "multiskill-{total_agents}"
start = "08:00"
duration = "12h"
interval = "30m"
warmup = "30m"
replications = 1
seed = 1
"#
    );
    for (c, t) in types.iter().enumerate() {
        let seconds = t.mean_min * 60.0;
        let volumes: Vec<String> = shapes
            .iter()
            .map(|s| format!("{:.2}", erlangs[c] * s / shape_mean * INTERVAL_HOURS * 3600.0 / seconds))
            .collect();
        out += &format!(
            r#"
[[call_type]]
name = "c{:02}"
arrivals = {{ per_interval = [{}] }}
handle_time = {{ dist = "lognormal", mean = "{}s", cv = {:.1} }}
patience = {}
"#,
            c + 1,
            volumes.join(", "),
            seconds,
            t.cv,
            t.patience
        );
        if t.priority != 0 {
            out += &format!("priority = {}\n", t.priority);
        }
        if c % 3 == 0 {
            // Overflow: the primary group at once, the others after a wait.
            let primary = c / 2;
            let mut routes = vec![format!(r#"{{ group = "g{:02}" }}"#, primary + 1)];
            let after = [20, 30, 45][(c / 3) % 3];
            for g in servers(c).into_iter().filter(|&g| g != primary) {
                routes.push(format!(r#"{{ group = "g{:02}", after = "{after}s" }}"#, g + 1));
            }
            out += &format!("routing = [{}]\n", routes.join(", "));
        }
    }
    for (g, skills) in SKILLS.iter().enumerate() {
        let skills: Vec<String> = skills
            .iter()
            .map(|&(c, f)| {
                if f == 1.0 {
                    format!(r#""c{:02}""#, c + 1)
                } else {
                    format!(r#"{{ call_type = "c{:02}", factor = {f} }}"#, c + 1)
                }
            })
            .collect();
        out += &format!(
            r#"
[[agent_group]]
name = "g{:02}"
agents = {}
skills = [{}]
"#,
            g + 1,
            agents[g],
            skills.join(", ")
        );
    }
    out
}

/// The validated model of the multi-skill day with about `total_agents` agents.
#[allow(dead_code)] // not every user of this module builds the model
pub fn model(total_agents: u32) -> ccsim::Model {
    let name = format!("multiskill-{total_agents}.toml");
    let scenario = ccsim::Scenario::parse(&name, &scenario(total_agents)).expect("multiskill scenario parses");
    ccsim::Model::build(&scenario).expect("multiskill scenario is valid")
}
