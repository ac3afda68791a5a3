//! Routing preference: how a freed agent picks among its group's skills (`serve`), and
//! which idle agent answers an arriving contact (`agent_selection`).
//!
//! Each policy is checked against an independent expectation. Serving the skills in
//! order with no abandonment makes one group an M/M/c queue with non-preemptive
//! priority classes, whose mean waits have Cobham's closed form; serving the longest
//! wait makes it first come, first served across both call types, Erlang C for each.
//! Random agent selection, with every agent busy for the rest of the run once answered,
//! draws agents without replacement, so the share of one group is hypergeometric: its
//! expectation and variance come from the counts. The defaults change no byte.

use ccsim::erlang::erlang_c;
use ccsim::report::json::to_json;
use ccsim::{Error, Model, Scenario, Summary};

use crate::common::{agrees, ci, mean, model, named, summary};

/// One group of `AGENTS` agents with two skills of equal volume and exponential handle
/// time (mean `AHT` s), callers who never hang up. `SERVE` stands for the group's keys.
const AGENTS: u32 = 10;
const AHT: f64 = 180.0;
/// Calls per hour of each call type: 80 + 80 at 3 min is 8 Erlangs on 10 agents.
const PER_HOUR: f64 = 80.0;

fn two_skills(serve: &str) -> String {
    format!(
        r#"
[scenario]
name = "routing preference"
duration = "96h"
interval = "96h"
warmup = "3h"
replications = 80
seed = 17

[[call_type]]
name = "own"
arrivals = {{ per_hour = {PER_HOUR} }}
handle_time = {{ dist = "exponential", mean = {AHT} }}

[[call_type]]
name = "overflow"
arrivals = {{ per_hour = {PER_HOUR} }}
handle_time = {{ dist = "exponential", mean = {AHT} }}

[[agent_group]]
name = "team"
agents = {AGENTS}
skills = ["own", "overflow"]
{serve}
"#
    )
}

/// Mean waits of the M/M/c queue with non-preemptive priority classes of equal service
/// rate μ (Cobham 1954): W_k = C(c, a) / (cμ (1 − σ_{k−1})(1 − σ_k)), σ_k the load of
/// classes 1..k over cμ, C(c, a) the Erlang C probability of waiting.
fn cobham(arrival_rates: &[f64], aht: f64, agents: u32) -> Vec<f64> {
    let total: f64 = arrival_rates.iter().sum();
    let c_mu = f64::from(agents) / aht;
    let p_wait = erlang_c(total * aht, agents);
    let mut sigma = 0.0;
    arrival_rates
        .iter()
        .map(|&l| {
            let before = sigma;
            sigma += l / c_mu;
            p_wait / (c_mu * (1.0 - before) * (1.0 - sigma))
        })
        .collect()
}

fn asa(s: &Summary, call_type: &str) -> (f64, f64) {
    let m = named(&s.call_types, call_type);
    (mean(m, "asa_seconds"), ci(m, "asa_seconds"))
}

/// Strict skill order is non-preemptive priority of the first skill: Cobham's waits
/// (12.3 s and 61.4 s here); longest wait is first come, first served across both call
/// types: Erlang C's 36.8 s for each. Each figure within 3 × its own 95 % half-width,
/// which is at most 5 % of the exact value; and the two policies differ by far more.
#[test]
fn skill_order_is_non_preemptive_priority_and_longest_wait_is_fifo() {
    let rate = PER_HOUR / 3600.0;
    let exact = cobham(&[rate, rate], AHT, AGENTS);
    let fifo = erlang_c(2.0 * rate * AHT, AGENTS) / (f64::from(AGENTS) / AHT - 2.0 * rate);
    assert!(
        (exact[0] - 12.28).abs() < 0.01 && (exact[1] - 61.38).abs() < 0.01,
        "{exact:?}"
    );
    assert!((fifo - 36.82).abs() < 0.01, "{fifo}");

    let in_order = summary(&two_skills("serve = \"skill_order\""));
    let longest = summary(&two_skills("serve = \"longest_wait\""));
    for (name, exact) in [("own", exact[0]), ("overflow", exact[1])] {
        eprintln!(
            "{name}: skill order {:?} (Cobham {exact:.2}), longest wait {:?} (Erlang C {fifo:.2})",
            asa(&in_order, name),
            asa(&longest, name)
        );
        agrees(
            named(&in_order.call_types, name),
            "asa_seconds",
            exact,
            0.0,
            0.05 * exact,
        );
        agrees(named(&longest.call_types, name), "asa_seconds", fifo, 0.0, 0.05 * fifo);
        let ((a, ca), (b, cb)) = (asa(&in_order, name), asa(&longest, name));
        assert!((a - b).abs() > 3.0 * (ca + cb), "{name}: {a} ± {ca} against {b} ± {cb}");
    }
}

/// With a threshold, the second skill's head goes ahead once it has waited that long:
/// its mean wait lies strictly between strict skill order and first come, first served
/// (each step beyond the 95 % half-width of its paired difference: the same callers in
/// both variants); a threshold no wait reaches is strict skill order, byte for byte.
#[test]
fn a_threshold_lies_between_skill_order_and_longest_wait() {
    let change_in_wait_of_overflow = |from: &str, to: &str| {
        let c = ccsim::compare::compare(&model(&two_skills(from)), &model(&two_skills(to)), 0, &|| {}).expect("runs");
        let row = c
            .rows
            .iter()
            .find(|r| r.metric == "call_types[overflow].asa_seconds")
            .expect("the overflow's mean wait is compared");
        (row.difference, row.ci95.expect("several replications"))
    };
    let strict = "serve = \"skill_order\"";
    let threshold = "serve = \"skill_order\"\nskill_order_after = \"60s\"";
    let (to_threshold, ci_1) = change_in_wait_of_overflow(strict, threshold);
    let (to_fifo, ci_2) = change_in_wait_of_overflow(threshold, "");
    eprintln!(
        "overflow's mean wait: skill order → 60 s threshold {to_threshold:+.2} ± {ci_1:.2} s, \
         → longest wait {to_fifo:+.2} ± {ci_2:.2} s"
    );
    assert!(to_threshold < -ci_1, "{to_threshold} ± {ci_1}");
    assert!(to_fifo < -ci_2, "{to_fifo} ± {ci_2}");

    let short = |text: String| {
        text.replace(
            "duration = \"96h\"\ninterval = \"96h\"",
            "duration = \"4h\"\ninterval = \"1h\"",
        )
    };
    let never = format!("{strict}\nskill_order_after = \"366d\"");
    assert_eq!(
        to_json(&summary(&short(two_skills(strict)))),
        to_json(&summary(&short(two_skills(&never))))
    );
}

/// The serve order comes after priority: with `overflow` of higher priority, serving in
/// skill order (which would favour `own`) changes no byte.
#[test]
fn priority_comes_before_the_serve_order() {
    let favoured = |serve: &str| {
        two_skills(serve)
            .replace("name = \"overflow\"\n", "name = \"overflow\"\npriority = 1\n")
            .replace(
                "duration = \"96h\"\ninterval = \"96h\"",
                "duration = \"4h\"\ninterval = \"1h\"",
            )
    };
    let longest = summary(&favoured(""));
    let in_order = summary(&favoured("serve = \"skill_order\""));
    assert_eq!(to_json(&longest), to_json(&in_order));
    assert!(asa(&in_order, "overflow").0 < asa(&in_order, "own").0);
}

/// 1,000 one-hour days of 20 calls a hour on two groups of 30 and 10 agents; a call
/// keeps its agent for 10 h, so no agent frees before the run ends and each call takes
/// one of the agents still idle.
fn two_groups(selection: &str) -> String {
    format!(
        r#"
[scenario]
name = "agent selection"
duration = "1h"
interval = "1h"
replications = 1000
seed = 5
{selection}

[[call_type]]
name = "calls"
arrivals = {{ per_hour = 20 }}
handle_time = {{ dist = "constant", value = "10h" }}

[[agent_group]]
name = "large"
agents = 30
skills = ["calls"]

[[agent_group]]
name = "small"
agents = 10
skills = ["calls"]
"#
    )
}

/// Random selection: each call takes an idle agent uniformly, so the answered calls
/// draw agents without replacement from 30 + 10 and the small group's count, given the
/// calls answered n, is hypergeometric with mean n/4 and variance at most n·(1/4)(3/4):
/// over all days its total lies within 4 standard deviations of a quarter of the
/// answered calls. Longest idle: every agent has been idle since the start, ties go to
/// the routing order, so the large group answers until its 30 agents are busy and the
/// small one only a day's 31st to 40th call (under 1 % of the calls at 20 a day).
/// The arrivals are the same either way: the draw comes from a stream of its own.
#[test]
fn random_selection_shares_calls_by_idle_agents() {
    let reps = 1000.0;
    let random = summary(&two_groups("agent_selection = \"random\""));
    let longest = summary(&two_groups(""));
    let total = |s: &Summary, metric: &str| mean(&s.totals, metric) * reps;
    let handled = |s: &Summary, group: &str| mean(named(&s.groups, group), "handled") * reps;
    assert_eq!(total(&random, "offered"), total(&longest, "offered"));

    let answered = total(&random, "answered");
    let small = handled(&random, "small");
    assert_eq!(small + handled(&random, "large"), answered);
    let tolerance = 4.0 * (answered * 0.25 * 0.75).sqrt();
    eprintln!(
        "random: small group {small} of {answered} answered (expected {} ± {tolerance:.0}); \
         longest idle: {} of {}",
        answered / 4.0,
        handled(&longest, "small"),
        total(&longest, "answered")
    );
    assert!(answered > 19_000.0, "{answered}");
    assert!(
        (small - answered / 4.0).abs() <= tolerance,
        "{small} against {}",
        answered / 4.0
    );
    assert!(handled(&longest, "small") < 0.01 * total(&longest, "answered"));

    // A call type's own key overrides the scenario's.
    let own = two_groups("agent_selection = \"random\"").replace(
        "name = \"calls\"\n",
        "name = \"calls\"\nagent_selection = \"longest_idle\"\n",
    );
    assert_eq!(to_json(&summary(&own)), to_json(&longest));
}

/// Random selection gives the same bytes whatever the number of threads.
#[test]
fn random_selection_is_deterministic_across_threads() {
    let m = model(&two_groups("agent_selection = \"random\"").replace("replications = 1000", "replications = 50"));
    let run = |threads| to_json(&Summary::new(&m, &ccsim::simulate(&m, threads, &|| {}).expect("runs")));
    assert_eq!(run(1), run(3));
}

/// Writing the defaults changes no byte, on a scenario where every path is taken
/// (patience, redials, an overflow route, a chat group).
#[test]
fn the_defaults_written_out_change_no_byte() {
    let base = r#"
[scenario]
name = "defaults"
duration = "4h"
warmup = "30m"
replications = 8
SCENARIO_KEYS

[[call_type]]
name = "a"
arrivals = { per_hour = 150 }
handle_time = { dist = "exponential", mean = "4m" }
patience = { dist = "exponential", mean = "2m" }
redial = { probability = 0.5, delay = { dist = "exponential", mean = "5m" } }
routing = [{ group = "first" }, { group = "second" }]

[[call_type]]
name = "b"
channel = "chat"
arrivals = { per_hour = 60 }
handle_time = { dist = "exponential", mean = "6m" }
patience = { dist = "exponential", mean = "3m" }
routing = [{ group = "second" }, { group = "first", after = "20s" }]

[[call_type]]
name = "c"
arrivals = { per_hour = 40 }
handle_time = { dist = "exponential", mean = "4m" }

[[agent_group]]
name = "first"
agents = 8
skills = ["a", "b"]
FIRST_KEYS

[[agent_group]]
name = "second"
agents = 6
skills = ["c", "a", "b"]
chat = { concurrency = 2 }
SECOND_KEYS
"#;
    let fill = |s: &str, f: &str, g: &str| {
        base.replace("SCENARIO_KEYS", s)
            .replace("FIRST_KEYS", f)
            .replace("SECOND_KEYS", g)
    };
    let plain = to_json(&summary(&fill("", "", "")));
    let written = fill(
        "agent_selection = \"longest_idle\"",
        "serve = \"longest_wait\"",
        "serve = \"longest_wait\"",
    );
    assert_eq!(plain, to_json(&summary(&written)));
    // And the keys do something here.
    assert!(plain != to_json(&summary(&fill("agent_selection = \"random\"", "", ""))));
    assert!(plain != to_json(&summary(&fill("", "", "serve = \"skill_order\""))));
}

/// The whole message of an invalid `text`.
fn error(text: &str) -> String {
    match Scenario::parse("s.toml", text).and_then(|s| Model::build(&s)) {
        Ok(_) => panic!("expected the scenario to be rejected:\n{text}"),
        Err(e @ Error::Invalid(_)) => e.to_string(),
        Err(e) => panic!("expected Error::Invalid, got {e:?}"),
    }
}

const SMALL: &str = r#"[scenario]
name = "t"
duration = "2h"

[[call_type]]
name = "sales"
arrivals = { per_hour = 60 }
handle_time = { dist = "exponential", mean = "3m" }

[[agent_group]]
name = "team"
agents = 5
skills = ["sales"]
"#;

#[test]
fn misspelt_values_get_a_did_you_mean() {
    let edit = |from: &str, to: &str| SMALL.replacen(from, to, 1);
    assert_eq!(
        error(&edit(
            "skills = [\"sales\"]",
            "skills = [\"sales\"]\nserve = \"skill-order\""
        )),
        "s.toml:14:9: agent_group[0].serve: unknown serve order `skill-order` (expected one of: longest_wait, skill_order)\n  \
         help: did you mean `skill_order`?"
    );
    assert_eq!(
        error(&edit(
            "duration = \"2h\"",
            "duration = \"2h\"\nagent_selection = \"randon\""
        )),
        "s.toml:4:19: scenario.agent_selection: unknown agent selection `randon` (expected one of: longest_idle, random)\n  \
         help: did you mean `random`?"
    );
    assert_eq!(
        error(&edit(
            "name = \"sales\"",
            "name = \"sales\"\nagent_selection = \"longest_idel\""
        )),
        "s.toml:7:19: call_type[0].agent_selection: unknown agent selection `longest_idel` (expected one of: longest_idle, random)\n  \
         help: did you mean `longest_idle`?"
    );
    assert_eq!(
        error(&edit("skills = [\"sales\"]", "skills = [\"sales\"]\nserve = 1")),
        "s.toml:14:9: agent_group[0].serve: expected a string, got an integer"
    );
}

#[test]
fn a_threshold_needs_skill_order_and_a_bound() {
    let edit = |to: &str| SMALL.replacen("skills = [\"sales\"]", &format!("skills = [\"sales\"]\n{to}"), 1);
    assert_eq!(
        error(&edit("skill_order_after = \"30s\"")),
        "s.toml:14:21: agent_group[0].skill_order_after: applies only to a group that serves its skills in order\n  \
         help: add `serve = \"skill_order\"` to the group, or drop `skill_order_after`"
    );
    // A misspelt `serve` is the one error, not the threshold after it too.
    assert_eq!(
        error(&edit("serve = \"skill_ordre\"\nskill_order_after = \"30s\"")),
        "s.toml:14:9: agent_group[0].serve: unknown serve order `skill_ordre` (expected one of: longest_wait, skill_order)\n  \
         help: did you mean `skill_order`?"
    );
    assert_eq!(
        error(&edit("serve = \"skill_order\"\nskill_order_after = \"400d\"")),
        "s.toml:15:21: agent_group[0].skill_order_after: must be at most 366 days, got 400d"
    );
    assert_eq!(
        error(&edit("serve = \"skill_order\"\nskill_order_after = \"-5s\""))
            .lines()
            .next()
            .map(|l| l.starts_with("s.toml:15:21: agent_group[0].skill_order_after:")),
        Some(true)
    );
}
