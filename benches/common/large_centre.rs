//! A large centre as a ccsim scenario, for the `large_centre` bench and example: 200 call
//! types, 50 agent groups, 5,000 agents, a week (7 days from Monday 00:00) in 15-minute
//! intervals (672), one replication.
//!
//! - **Call types** `c001`…`c200`: per-interval volumes with a daily shape (quiet nights,
//!   a morning and an afternoon peak; 0.3–1.5 × the week's mean), lognormal handle times
//!   (means 4–8 min, cv 0.9), exponential patience (mean 5 min).
//! - **Groups** `g01`…`g50`, 100 agents each all week: group g has call types `4g`…`4g+3`
//!   as its primary skills and the next group's four as secondary skills, eligible after
//!   30 s of waiting (overflow). So every call type has two groups and every group eight
//!   skills.
//! - **Load**: each group's primary call types bring [`OCCUPANCY`] × its agents Erlangs
//!   on average over the week, times `volume_scale` (the example runs 0.25 and 1 to show
//!   that memory does not grow with calls). At scale 1, about 5.5 million calls a week.

/// Offered load per agent, averaged over the week, in Erlangs (at `volume_scale` 1).
pub const OCCUPANCY: f64 = 0.65;
pub const CALL_TYPES: usize = 200;
pub const GROUPS: usize = 50;
pub const AGENTS_PER_GROUP: u32 = 100;
/// 7 days of 96 quarter hours.
pub const INTERVALS: usize = 7 * 96;

/// The daily shape of volumes in quarter hour `k` of a day, before normalising.
fn shape(k: usize) -> f64 {
    let hour = (k as f64 + 0.5) / 4.0;
    let bump = |peak: f64, width: f64| (-((hour - peak) / width).powi(2)).exp();
    0.3 + 1.2 * bump(10.5, 2.5) + 1.0 * bump(15.5, 2.5)
}

/// Mean handle time of call type `c`, minutes.
fn mean_handle_minutes(c: usize) -> f64 {
    4.0 + ((c * 7) % 5) as f64
}

/// The scenario text of the large centre, with volumes times `volume_scale`.
pub fn scenario_text(volume_scale: f64) -> String {
    let day: Vec<f64> = (0..96).map(shape).collect();
    let day_mean = day.iter().sum::<f64>() / 96.0;
    let mut out = String::from(
        "[scenario]\nname = \"large-centre\"\nstart = \"00:00\"\nduration = \"7d\"\ninterval = \"15m\"\nwarmup = \"30m\"\nreplications = 1\nseed = 5\n",
    );
    for c in 0..CALL_TYPES {
        let group = c / 4;
        let erlangs = OCCUPANCY * f64::from(AGENTS_PER_GROUP) / 4.0 * volume_scale;
        // Erlangs = calls per minute × mean handle time; a quarter hour is 15 minutes.
        let per_quarter = erlangs / mean_handle_minutes(c) * 15.0;
        let volumes: Vec<String> = (0..INTERVALS)
            .map(|k| format!("{:.2}", per_quarter * day[k % 96] / day_mean))
            .collect();
        out += &format!(
            "\n[[call_type]]\nname = \"c{:03}\"\narrivals = {{ per_interval = [{}] }}\n\
             handle_time = {{ dist = \"lognormal\", mean = \"{}m\", cv = 0.9 }}\n\
             patience = {{ dist = \"exponential\", mean = \"5m\" }}\n\
             routing = [{{ group = \"g{:02}\" }}, {{ group = \"g{:02}\", after = \"30s\" }}]\n",
            c + 1,
            volumes.join(", "),
            mean_handle_minutes(c),
            group + 1,
            (group + GROUPS - 1) % GROUPS + 1,
        );
    }
    for g in 0..GROUPS {
        let primary = (4 * g..4 * g + 4).map(|c| format!("\"c{:03}\"", c + 1));
        let next = (g + 1) % GROUPS;
        let secondary = (4 * next..4 * next + 4).map(|c| format!("\"c{:03}\"", c + 1));
        let skills: Vec<String> = primary.chain(secondary).collect();
        out += &format!(
            "\n[[agent_group]]\nname = \"g{:02}\"\nagents = {AGENTS_PER_GROUP}\nskills = [{}]\n",
            g + 1,
            skills.join(", ")
        );
    }
    out
}

/// The validated model of the large centre.
pub fn model(volume_scale: f64) -> ccsim::Model {
    let scenario =
        ccsim::Scenario::parse("large-centre.toml", &scenario_text(volume_scale)).expect("the large centre parses");
    ccsim::Model::build(&scenario).expect("the large centre is valid")
}
