//! Bad input: every kind of mistake a planner can make gives exit code 2 and a message
//! `FILE:LINE:COL: FIELD: MESSAGE` (plus `  help: did you mean …?` where a near name
//! exists), all problems of a file at once, and never a panic.
//!
//! Most cases go through the library (`Scenario::parse` then `Model::build`) and compare
//! the whole `Error::to_string()` against a golden message; a few go through the binary
//! to pin the exit code and stderr. Each case edits one line of [`BASE`], so the line
//! numbers in the golden messages are those of `BASE`.

use std::process::Output;

use crate::common::ccsim;
use ccsim::{Diagnostic, Error, Model, Scenario};

/// A valid scenario; line numbers (1-based) are what the golden messages refer to.
const BASE: &str = r#"[scenario]
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

/// `BASE` with the one occurrence of `from` replaced by `to`.
fn edit(from: &str, to: &str) -> String {
    assert_eq!(BASE.matches(from).count(), 1, "`{from}` must occur once in BASE");
    BASE.replacen(from, to, 1)
}

/// `BASE` with `extra` appended.
fn plus(extra: &str) -> String {
    format!("{BASE}{extra}")
}

/// Parses and validates `text` as `s.toml`; a valid file or an error other than
/// `Error::Invalid` fails the test.
fn diagnostics(text: &str) -> (Vec<Diagnostic>, String) {
    let result = Scenario::parse("s.toml", text).and_then(|s| Model::build(&s));
    match result {
        Ok(_) => panic!("expected the scenario to be rejected:\n{text}"),
        Err(e @ Error::Invalid(_)) => {
            let message = e.to_string();
            let Error::Invalid(d) = e else { unreachable!() };
            assert!(!d.is_empty(), "Error::Invalid without diagnostics for:\n{text}");
            (d, message)
        }
        Err(e) => panic!("expected Error::Invalid, got {e:?}"),
    }
}

/// The whole error message of `text` must be exactly `expected`, except that lists of
/// known names, `(expected one of: a, b, c)`, are written `(expected one of: …)`: they
/// grow with every feature, and [`known_names_are_listed`] checks what they must hold.
#[track_caller]
fn golden(text: &str, expected: &str) {
    let (_, message) = diagnostics(text);
    let got = elide_lists(&message);
    assert_eq!(got, expected, "\n--- got:\n{message}\n--- for:\n{text}");
}

const LIST: &str = "(expected one of: ";

/// `message` with the contents of every `(expected one of: …)` list replaced by `…`.
fn elide_lists(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(start) = rest.find(LIST) {
        let after = &rest[start + LIST.len()..];
        let end = after.find(')').expect("a list ends with `)`");
        out.push_str(&rest[..start + LIST.len()]);
        out.push('…');
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// The names in the first `(expected one of: …)` list of `text`'s message.
fn listed_names(text: &str) -> Vec<String> {
    let (_, message) = diagnostics(text);
    let start = message.find(LIST).unwrap_or_else(|| panic!("no list in:\n{message}")) + LIST.len();
    let end = start + message[start..].find(')').expect("a list ends with `)`");
    message[start..end].split(", ").map(str::to_owned).collect()
}

#[test]
fn base_scenario_is_valid() {
    Model::build(&Scenario::parse("s.toml", BASE).expect("parses")).expect("valid");
}

// ---------------------------------------------------------------------------------------
// TOML syntax

#[test]
fn toml_syntax_error_reports_its_position() {
    golden(
        &edit("name = \"t\"", "name = \"t"),
        "s.toml:2:10: scenario.name: invalid basic string, expected `\"`",
    );
}

#[test]
fn integer_too_large_for_toml_is_a_syntax_error() {
    golden(
        &edit("agents = 5", "agents = 99999999999999999999999"),
        "s.toml:12:10: agent_group.agents: integer number overflowed",
    );
}

// ---------------------------------------------------------------------------------------
// Unknown keys, at every level, with "did you mean"

#[test]
fn unknown_top_level_key() {
    golden(
        &plus("\n[senario]\nx = 1\n"),
        "s.toml:15:2: senario: unknown key `senario` (expected one of: …)\n  \
         help: did you mean `scenario`?",
    );
}

#[test]
fn unknown_key_in_scenario() {
    golden(
        &edit("duration = \"2h\"", "duration = \"2h\"\nreplicatons = 3"),
        "s.toml:4:1: scenario.replicatons: unknown key `replicatons` (expected one of: …)\n  \
         help: did you mean `replications`?",
    );
}

#[test]
fn unknown_key_in_service_level() {
    golden(
        &edit(
            "duration = \"2h\"",
            "duration = \"2h\"\nservice_level = { threshhold = \"20s\" }",
        ),
        "s.toml:4:19: scenario.service_level.threshhold: unknown key `threshhold` (expected one of: …)\n  \
         help: did you mean `threshold`?",
    );
}

#[test]
fn misspelt_key_in_call_type_is_unknown_and_the_real_one_missing() {
    golden(
        &edit("handle_time =", "handel_time ="),
        "s.toml:8:1: call_type[0].handel_time: unknown key `handel_time` (expected one of: …)\n  \
         help: did you mean `handle_time`?\n\
         s.toml:5:1: call_type[0].handle_time: missing required key `handle_time`",
    );
}

#[test]
fn unknown_key_in_distribution_inline_table() {
    golden(
        &edit("mean = \"3m\" }", "mean = \"3m\", men = 2 }"),
        "s.toml:8:52: call_type[0].handle_time.men: unknown key `men` (expected one of: …)\n  \
         help: did you mean `mean`?",
    );
}

#[test]
fn unknown_key_far_from_any_gets_no_suggestion() {
    golden(
        &edit("agents = 5", "agents = 5\ncolour = \"blue\""),
        "s.toml:13:1: agent_group[0].colour: unknown key `colour` (expected one of: …)",
    );
}

#[test]
fn unknown_distribution_name() {
    golden(
        &edit("\"exponential\"", "\"exponetial\""),
        "s.toml:8:24: call_type[0].handle_time.dist: unknown distribution `exponetial` (expected one of: …)\n  \
         help: did you mean `exponential`?",
    );
}

#[test]
fn known_names_are_listed() {
    let has = |text: &str, names: &[&str]| {
        let listed = listed_names(text);
        for n in names {
            assert!(listed.iter().any(|l| l == n), "`{n}` not in {listed:?}");
        }
    };
    has(
        &plus("\n[senario]\nx = 1\n"),
        &["scenario", "call_type", "agent_group", "expect"],
    );
    has(
        &edit("duration = \"2h\"", "duration = \"2h\"\nx = 3"),
        &[
            "name",
            "start",
            "duration",
            "warmup",
            "interval",
            "replications",
            "seed",
            "service_level",
        ],
    );
    has(
        &edit("handle_time =", "handel_time ="),
        &["name", "arrivals", "handle_time", "patience"],
    );
    has(&edit("agents = 5", "agents = 5\nx = 1"), &["name", "agents", "skills"]);
    has(&edit("mean = \"3m\" }", "mean = \"3m\", men = 2 }"), &["dist", "mean"]);
    has(
        &edit("\"exponential\"", "\"exponetial\""),
        &[
            "exponential",
            "lognormal",
            "gamma",
            "weibull",
            "uniform",
            "triangular",
            "constant",
            "empirical",
            "hazard",
        ],
    );
    has(
        &edit("handle_time =", "handel_time ="),
        &["priority", "head_start", "forecast_error"],
    );
}

// ---------------------------------------------------------------------------------------
// Missing required keys

#[test]
fn missing_name() {
    golden(
        &edit("name = \"t\"\n", ""),
        "s.toml:1:1: scenario.name: missing required key `name`",
    );
}

#[test]
fn missing_duration() {
    golden(
        &edit("duration = \"2h\"\n", ""),
        "s.toml:1:1: scenario.duration: missing required key `duration`",
    );
}

#[test]
fn missing_scenario_table_has_no_position() {
    golden(
        &edit("[scenario]\nname = \"t\"\nduration = \"2h\"\n", ""),
        "s.toml: scenario: missing the [scenario] table (with at least `name` and `duration`)",
    );
}

#[test]
fn missing_arrivals() {
    golden(
        &edit("arrivals = { per_hour = 60 }\n", ""),
        "s.toml:5:1: call_type[0].arrivals: missing required key `arrivals`",
    );
}

#[test]
fn missing_handle_time() {
    golden(
        &edit("handle_time = { dist = \"exponential\", mean = \"3m\" }\n", ""),
        "s.toml:5:1: call_type[0].handle_time: missing required key `handle_time`",
    );
}

#[test]
fn missing_dist_in_distribution() {
    golden(
        &edit("dist = \"exponential\", ", ""),
        "s.toml:8:15: call_type[0].handle_time.dist: missing required key `dist`",
    );
}

#[test]
fn missing_agents() {
    golden(
        &edit("agents = 5\n", ""),
        "s.toml:10:1: agent_group[0].agents: give `agents` (on duty) or `shifts`",
    );
}

#[test]
fn missing_skills() {
    golden(
        &edit("skills = [\"sales\"]\n", ""),
        "s.toml:10:1: agent_group[0].skills: missing required key `skills`",
    );
}

#[test]
fn missing_agent_group_tables() {
    golden(
        &edit(
            "[[agent_group]]\nname = \"team\"\nagents = 5\nskills = [\"sales\"]\n",
            "",
        ),
        "s.toml: agent_group: the scenario needs at least one [[agent_group]] table",
    );
}

#[test]
fn arrivals_need_exactly_one_form() {
    golden(
        &edit("per_hour = 60", "per_hour = 60, per_interval = [1, 2, 3, 4]"),
        "s.toml:7:12: call_type[0].arrivals: give exactly one of `per_hour`, `per_interval` or `csv` (with `column`)",
    );
}

// ---------------------------------------------------------------------------------------
// Wrong types

#[test]
fn string_where_a_number_is_expected() {
    golden(
        &edit("per_hour = 60", "per_hour = \"60\""),
        "s.toml:7:25: call_type[0].arrivals.per_hour: expected a number, got a string",
    );
}

#[test]
fn boolean_where_a_duration_is_expected() {
    golden(
        &edit("duration = \"2h\"", "duration = true"),
        "s.toml:3:12: scenario.duration: expected a duration such as \"20s\", \"5m\", \"1h30m\" or a number of \
         seconds, got a boolean",
    );
}

#[test]
fn a_number_of_seconds_is_a_fine_duration() {
    let text = edit("duration = \"2h\"", "duration = 7200");
    let model = Model::build(&Scenario::parse("s.toml", &text).expect("parses")).expect("valid");
    assert_eq!(model.clock.intervals, 4);
}

#[test]
fn float_where_a_whole_number_of_agents_is_expected() {
    golden(
        &edit("agents = 5", "agents = 1.5"),
        "s.toml:12:10: agent_group[0].agents: expected a whole number, got a float",
    );
}

#[test]
fn skills_must_be_an_array_of_strings() {
    golden(
        &edit("skills = [\"sales\"]", "skills = \"sales\""),
        "s.toml:13:10: agent_group[0].skills: expected an array, got a string",
    );
    golden(
        &edit("skills = [\"sales\"]", "skills = [\"sales\", 5]"),
        "s.toml:13:20: agent_group[0].skills[1]: expected a call type name or { call_type = \"…\", factor = … }, got \
         an integer",
    );
}

#[test]
fn scenario_as_an_array_of_tables() {
    golden(
        &edit("[scenario]", "[[scenario]]"),
        "s.toml:1:1: scenario: expected a table, got an array of tables",
    );
}

#[test]
fn scenario_as_a_number() {
    golden(
        &edit("[scenario]\nname = \"t\"\nduration = \"2h\"\n", "scenario = 3\n"),
        "s.toml:1:12: scenario: expected a table, got an integer",
    );
}

// ---------------------------------------------------------------------------------------
// Values out of range: negative, zero, non-finite, absurd

#[test]
fn handle_time_mean_not_positive_is_one_message_at_the_mean() {
    golden(
        &edit("mean = \"3m\"", "mean = -3"),
        "s.toml:8:46: call_type[0].handle_time.mean: must be > 0, got -3",
    );
    golden(
        &edit("mean = \"3m\"", "mean = 0"),
        "s.toml:8:46: call_type[0].handle_time.mean: must be > 0, got 0",
    );
}

/// Every parameter that must be > 0, in every distribution that has one, gets the same
/// single message at the parameter (the column of its value on line 9), for a negative
/// number, zero and a zero duration.
#[test]
fn every_positive_parameter_not_positive_is_one_message_at_the_parameter() {
    let cases = [
        (
            "patience = { dist = \"exponential\", mean = X }",
            "call_type[0].patience.mean",
        ),
        (
            "wrap_up = { dist = \"lognormal\", mean = X, cv = 0.5 }",
            "call_type[0].wrap_up.mean",
        ),
        (
            "patience = { dist = \"gamma\", mean = X, cv = 0.5 }",
            "call_type[0].patience.mean",
        ),
        (
            "patience = { dist = \"weibull\", shape = 1.2, scale = X }",
            "call_type[0].patience.scale",
        ),
        (
            "redial = { probability = 0.3, delay = { dist = \"exponential\", mean = X } }",
            "call_type[0].redial.delay.mean",
        ),
        (
            "unresolved = { probability = 0.5, repeat_after = { dist = \"exponential\", mean = X } }",
            "call_type[0].unresolved.repeat_after.mean",
        ),
    ];
    for (line, field) in cases {
        let column = line.find('X').expect("X marks the value") + 1;
        for (value, got) in [("-3", "-3"), ("0", "0"), ("\"0s\"", "0"), ("-2.5", "-2.5")] {
            golden(
                &edit(
                    "mean = \"3m\" }",
                    &format!("mean = \"3m\" }}\n{}", line.replace('X', value)),
                ),
                &format!("s.toml:9:{column}: {field}: must be > 0, got {got}"),
            );
        }
    }
}

/// A duration that may be 0 (not one of the parameters that must be > 0) still refuses a
/// negative value as a duration.
#[test]
fn uniform_min_negative_is_a_negative_duration() {
    golden(
        &edit(
            "dist = \"exponential\", mean = \"3m\"",
            "dist = \"uniform\", min = -1, max = \"3m\"",
        ),
        "s.toml:8:41: call_type[0].handle_time.min: must be a duration ≥ 0, got -1",
    );
}

#[test]
fn handle_time_mean_over_a_year() {
    golden(
        &edit("mean = \"3m\"", "mean = \"400d\""),
        "s.toml:8:15: call_type[0].handle_time: mean must be at most a year (31536000 s), got 34560000",
    );
}

#[test]
fn cv_negative() {
    golden(
        &edit(
            "dist = \"exponential\", mean = \"3m\"",
            "dist = \"lognormal\", mean = \"3m\", cv = -0.5",
        ),
        "s.toml:8:15: call_type[0].handle_time: cv must be between 0 and 20, got -0.5",
    );
}

#[test]
fn weibull_shape_zero_in_patience() {
    golden(
        &edit(
            "mean = \"3m\" }",
            "mean = \"3m\" }\npatience = { dist = \"weibull\", shape = 0, scale = \"1m\" }",
        ),
        "s.toml:9:12: call_type[0].patience: shape must be between 0.05 and 100, got 0",
    );
}

#[test]
fn non_finite_numbers() {
    golden(
        &edit("per_hour = 60", "per_hour = inf"),
        "s.toml:7:25: call_type[0].arrivals.per_hour: must be a finite number, got inf",
    );
    golden(
        &edit("per_hour = 60", "per_hour = nan"),
        "s.toml:7:25: call_type[0].arrivals.per_hour: must be a finite number, got NaN",
    );
    golden(
        &edit("mean = \"3m\"", "mean = nan"),
        "s.toml:8:46: call_type[0].handle_time.mean: must be a finite duration, got NaN",
    );
}

#[test]
fn infinite_duration_is_called_not_finite() {
    let (d, _) = diagnostics(&edit("duration = \"2h\"", "duration = inf"));
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].field, "scenario.duration");
    assert!(d[0].message.contains("finite"), "{}", d[0].message);
    assert!(!d[0].message.contains("≥ 0"), "{}", d[0].message);
}

/// What every refused duration's help says: the grammar.
const DURATION_HELP: &str = "  help: write NUMBER UNIT parts, largest unit first and each unit once, with units d, h, \
     m, s, ms or their long forms (day, hour/hr, min/minute, sec/second, millisecond, with or without a plural s): \
     \"90s\", \"6 min\", \"1h30m\", \"1 h 30 min\", \"2 days\"; a plain number is seconds";

#[test]
fn duration_in_an_unknown_unit_is_refused_with_the_grammar() {
    golden(
        &edit("duration = \"2h\"", "duration = \"5 parsecs\""),
        &format!(
            "s.toml:3:12: scenario.duration: cannot read duration \"5 parsecs\": `parsecs` is not a unit of time\n\
             {DURATION_HELP}"
        ),
    );
}

#[test]
fn durations_in_long_forms_and_with_spaces_are_read() {
    for (written, seconds) in [
        ("6 minutes", 360.0),
        ("6 min", 360.0),
        ("1 h 30 min", 5400.0),
        ("90 s", 90.0),
        ("2 hrs", 7200.0),
        ("1 hour 30 seconds", 3630.0),
    ] {
        let text = edit("mean = \"3m\"", &format!("mean = \"{written}\""));
        let model = Model::build(&Scenario::parse("s.toml", &text).expect("parses")).expect("valid");
        assert_eq!(model.call_types[0].mean_talk, seconds, "{written}");
    }
    let text = edit("duration = \"2h\"", "duration = \"2 days\"");
    let model = Model::build(&Scenario::parse("s.toml", &text).expect("parses")).expect("valid");
    assert_eq!(model.clock.intervals, 96);
}

#[test]
fn a_unit_given_twice_is_refused_at_its_value() {
    golden(
        &edit("mean = \"3m\"", "mean = \"1h1h\""),
        &format!(
            "s.toml:8:46: call_type[0].handle_time.mean: cannot read duration \"1h1h\": the unit `h` comes twice\n\
             {DURATION_HELP}"
        ),
    );
}

#[test]
fn units_out_of_order_are_refused() {
    golden(
        &edit("duration = \"2h\"", "duration = \"30m1h\""),
        &format!(
            "s.toml:3:12: scenario.duration: cannot read duration \"30m1h\": `h` comes after `m`: write the largest \
             unit first\n{DURATION_HELP}"
        ),
    );
}

#[test]
fn per_hour_negative() {
    golden(
        &edit("per_hour = 60", "per_hour = -10"),
        "s.toml:7:25: call_type[0].arrivals.per_hour: must be ≥ 0, got -10",
    );
}

#[test]
fn agents_negative() {
    golden(
        &edit("agents = 5", "agents = -1"),
        "s.toml:12:10: agent_group[0].agents: must be ≥ 0, got -1",
    );
}

#[test]
fn agents_a_billion_is_over_the_limit() {
    golden(
        &edit("agents = 5", "agents = 1000000000"),
        "s.toml:12:10: agent_group[0].agents: 1000000000 agents is more than ccsim simulates in one group (1000000)",
    );
}

#[test]
fn replications_zero() {
    golden(
        &edit("duration = \"2h\"", "duration = \"2h\"\nreplications = 0"),
        "s.toml:4:16: scenario.replications: must be between 1 and 1000000, got 0",
    );
}

#[test]
fn service_level_target_as_a_percentage() {
    golden(
        &edit(
            "duration = \"2h\"",
            "duration = \"2h\"\nservice_level = { threshold = \"20s\", target = 80 }",
        ),
        "s.toml:4:47: scenario.service_level.target: must be between 0 and 1, got 80\n  \
         help: write 0.80 (or \"80%\")",
    );
}

#[test]
fn a_percentage_string_is_a_fraction() {
    let text = edit(
        "duration = \"2h\"",
        "duration = \"2h\"\nservice_level = { threshold = \"20s\", target = \"80%\" }\nanswer_rate_target = \"92.5 %\"",
    );
    let model = Model::build(&Scenario::parse("s.toml", &text).expect("parses")).expect("valid");
    assert_eq!(model.service_level_target, 0.8);
    assert_eq!(model.answer_rate_target, 0.925);
    let text = edit("agents = 5", "agents = 5\nshrinkage = \"30%\"");
    let model = Model::build(&Scenario::parse("s.toml", &text).expect("parses")).expect("valid");
    assert_eq!(model.groups[0].shrinkage, 0.3);
}

#[test]
fn shrinkage_as_a_percentage_number_says_what_to_write() {
    golden(
        &edit("agents = 5", "agents = 5\nshrinkage = 30"),
        "s.toml:13:13: agent_group[0].shrinkage: must be between 0 and 1, got 30\n  help: write 0.30 (or \"30%\")",
    );
}

#[test]
fn a_percentage_over_a_hundred_or_without_a_sign_is_refused() {
    golden(
        &edit("agents = 5", "agents = 5\nshrinkage = \"130%\""),
        "s.toml:13:13: agent_group[0].shrinkage: must be between 0% and 100%, got \"130%\"",
    );
    golden(
        &edit("agents = 5", "agents = 5\nshrinkage = \"0.3\""),
        "s.toml:13:13: agent_group[0].shrinkage: cannot read \"0.3\": write a fraction from 0 to 1 (0.8) or a \
         percentage (\"80%\")",
    );
    // Above 100 it is no percentage either: no help.
    golden(
        &edit("agents = 5", "agents = 5\nshrinkage = 300"),
        "s.toml:13:13: agent_group[0].shrinkage: must be between 0 and 1, got 300",
    );
}

#[test]
fn start_is_not_a_clock_time() {
    golden(
        &edit("duration = \"2h\"", "duration = \"2h\"\nstart = \"25:00\""),
        "s.toml:4:9: scenario.start: expected a clock time \"HH:MM\" (00:00 to 23:59)",
    );
}

#[test]
fn interval_zero() {
    golden(
        &edit("duration = \"2h\"", "duration = \"2h\"\ninterval = 0"),
        "s.toml:4:12: scenario.interval: must be at least 1s, got 0s",
    );
}

#[test]
fn duration_not_a_multiple_of_the_interval_suggests_both_neighbours() {
    golden(
        &edit("duration = \"2h\"", "duration = \"100m\""),
        "s.toml:3:12: scenario.duration: 1h40m is not a whole number of 30m intervals\n  \
         help: use a whole number of intervals: \"1h30m\" (3 intervals) or \"2h\" (4 intervals)",
    );
}

#[test]
fn a_plain_number_of_hours_as_the_duration_suggests_hours() {
    golden(
        &edit("duration = \"2h\"", "duration = 12"),
        "s.toml:3:12: scenario.duration: 12s is not a whole number of 30m intervals\n  \
         help: a number without a unit is seconds: did you mean \"12h\" (24 intervals)?",
    );
    // Where minutes fit too, both are offered.
    golden(
        &edit("duration = \"2h\"", "duration = 90"),
        "s.toml:3:12: scenario.duration: 1m30s is not a whole number of 30m intervals\n  \
         help: a number without a unit is seconds: did you mean \"90m\" (3 intervals) or \"90h\" (180 intervals)?",
    );
}

#[test]
fn a_duration_shorter_than_one_interval_never_suggests_nothing() {
    golden(
        &edit("duration = \"2h\"", "duration = \"12m\""),
        "s.toml:3:12: scenario.duration: 12m is not a whole number of 30m intervals\n  \
         help: use a whole number of intervals: \"30m\" (1 interval)",
    );
}

#[test]
fn a_hundred_year_horizon() {
    golden(
        &edit("duration = \"2h\"", "duration = \"36500d\""),
        "s.toml:3:12: scenario.duration: a horizon of 36500 days is longer than ccsim simulates (366 days)",
    );
}

#[test]
fn an_astronomical_horizon_gives_a_short_message() {
    let (d, message) = diagnostics(&edit("duration = \"2h\"", "duration = 1e300"));
    assert_eq!(d.len(), 1);
    assert!(message.len() < 200, "{} characters:\n{message}", message.len());
}

#[test]
fn warmup_over_thirty_days() {
    golden(
        &edit("duration = \"2h\"", "duration = \"2h\"\nwarmup = \"1000d\""),
        "s.toml:4:10: scenario.warmup: must be at most 30 days, got 86400000s",
    );
}

#[test]
fn too_many_calls_per_replication() {
    golden(
        &edit("per_hour = 60", "per_hour = 1e300"),
        "s.toml:3:12: scenario.duration: about 2.000e300 calls per replication is more than ccsim simulates (1e9); \
         shorten the horizon or split the scenario",
    );
}

#[test]
fn per_interval_length_mismatch() {
    golden(
        &edit("per_hour = 60", "per_interval = [10, 20, 30]"),
        "s.toml:7:12: call_type[0].arrivals: per_interval has 3 numbers but the horizon has 4 intervals (one number \
         per interval)",
    );
}

#[test]
fn agents_array_length_mismatch() {
    golden(
        &edit("agents = 5", "agents = [5, 5]"),
        "s.toml:12:10: agent_group[0].agents: has 2 numbers but the horizon has 4 intervals (one number per interval)",
    );
}

// ---------------------------------------------------------------------------------------
// Piecewise-constant hazards, head starts and a call type's own forecast error

/// `BASE` with a patience line 9 `patience = { dist = "hazard", from = [FROM], rate = [RATE] }`.
fn hazard(from: &str, rate: &str) -> String {
    edit(
        "mean = \"3m\" }",
        &format!("mean = \"3m\" }}\npatience = {{ dist = \"hazard\", from = [{from}], rate = [{rate}] }}"),
    )
}

#[test]
fn a_valid_hazard_is_read() {
    let text = hazard("\"0s\", \"10s\", \"30s\", \"1m\"", "0.012, 0.02, 0.008, 0.004");
    let model = Model::build(&Scenario::parse("s.toml", &text).expect("parses")).expect("valid");
    let mean = model.call_types[0].mean_patience.expect("has patience");
    assert!((150.0..160.0).contains(&mean), "{mean}");
}

/// Each bad piece is pointed at: the element of `from` or `rate` (column of its value on
/// line 9), or the whole array when the problem is its length.
#[test]
fn bad_hazard_pieces_are_pointed_at() {
    let field = "call_type[0].patience";
    for (from, rate, at, message) in [
        (
            "0, 10, 30, 60",
            "0.012, 0.02, 0.008",
            "rate: 9:",
            "has 3 rates but `from` has 4 pieces (one rate per piece)",
        ),
        (
            "0, 30, 10, 60",
            "0.012, 0.02, 0.008, 0.004",
            "from[2]: 9:",
            "must be after the previous piece's start (30s), got 10s: starts are strictly increasing",
        ),
        (
            "0, 10, 10, 60",
            "0.012, 0.02, 0.008, 0.004",
            "from[2]: 9:",
            "must be after the previous piece's start (10s), got 10s: starts are strictly increasing",
        ),
        (
            "\"5s\", 10, 30, 60",
            "0.012, 0.02, 0.008, 0.004",
            "from[0]: 9:",
            "the first piece must start at 0, got 5s",
        ),
        (
            "0, 10, 30, 60",
            "0.012, -0.02, 0.008, 0.004",
            "rate[1]: 9:",
            "must be a finite rate ≥ 0 per second, got -0.02",
        ),
        (
            "0, 10, 30, 60",
            "0.012, 0.02, 0.008, 0",
            "rate[3]: 9:",
            "the last piece's rate must be > 0: with 0, some callers never leave and the mean is infinite",
        ),
        ("", "", "from: 9:", "needs at least one piece: from = [\"0s\"]"),
    ] {
        let text = hazard(from, rate);
        let (d, whole) = diagnostics(&text);
        assert_eq!(d.len(), 1, "{whole}");
        let (name, _) = at.split_once(": ").expect("field: line:");
        assert_eq!(d[0].field, format!("{field}.{name}"), "{whole}");
        assert_eq!(d[0].message, message);
        // The column is where the element (or the array) is written on line 9.
        let line9 = text.lines().nth(8).expect("line 9");
        let written = match name.split_once('[') {
            Some((array, index)) => {
                let index: usize = index.trim_end_matches(']').parse().expect("an index");
                let list = if array == "from" { from } else { rate };
                let before: usize = list.split(", ").take(index).map(|e| e.len() + 2).sum();
                line9.find(&format!("{array} = [")).expect("the array") + array.len() + 4 + before
            }
            None => line9.find(&format!("{name} = [")).expect("the array") + name.len() + 3,
        };
        assert_eq!(message_position(&whole), format!("s.toml:9:{}", written + 1), "{whole}");
    }
}

/// `FILE:LINE:COLUMN` of the first diagnostic of an error message.
fn message_position(message: &str) -> String {
    message.split(": ").next().expect("a position").to_owned()
}

#[test]
fn hazard_pieces_golden_messages() {
    golden(
        &hazard("0, 30, 10", "0.1, 0.1, 0.1"),
        "s.toml:9:46: call_type[0].patience.from[2]: must be after the previous piece's start (30s), got 10s: \
         starts are strictly increasing",
    );
    golden(
        &hazard("0", "0.1, 0.2"),
        "s.toml:9:50: call_type[0].patience.rate: has 2 rates but `from` has 1 pieces (one rate per piece)",
    );
}

#[test]
fn too_many_hazard_pieces() {
    let from: Vec<String> = (0..=1000).map(|i| i.to_string()).collect();
    let rate = vec!["0.01"; 1001].join(", ");
    let (d, _) = diagnostics(&hazard(&from.join(", "), &rate));
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].field, "call_type[0].patience.from");
    assert_eq!(d[0].message, "has 1001 pieces, more than 1000");
    let (from, rate) = (from[..1000].join(", "), vec!["0.01"; 1000].join(", "));
    Model::build(&Scenario::parse("s.toml", &hazard(&from, &rate)).expect("parses")).expect("1000 pieces are fine");
}

#[test]
fn a_hazard_whose_mean_is_over_a_year() {
    golden(
        &hazard("0, \"1m\"", "0.01, 1e-9"),
        "s.toml:9:12: call_type[0].patience: mean must be at most a year (31536000 s), got 548811681.2128627",
    );
}

#[test]
fn hazard_keys_and_types() {
    golden(
        &edit(
            "mean = \"3m\" }",
            "mean = \"3m\" }\npatience = { dist = \"hazard\", from = [0], rates = [0.1] }",
        ),
        "s.toml:9:43: call_type[0].patience.rates: unknown key `rates` (expected one of: …)\n  \
         help: did you mean `rate`?\n\
         s.toml:9:12: call_type[0].patience.rate: missing required key `rate`",
    );
    golden(
        &hazard("\"0s\", \"5 parsecs\"", "0.1, 0.1"),
        &format!(
            "s.toml:9:45: call_type[0].patience.from[1]: cannot read duration \"5 parsecs\": `parsecs` is not a unit \
             of time\n{DURATION_HELP}"
        ),
    );
    golden(
        &hazard("0", "\"fast\""),
        "s.toml:9:51: call_type[0].patience.rate[0]: expected a number, got a string",
    );
}

#[test]
fn binary_refuses_a_bad_hazard_with_its_position() {
    let (_dir, path) = scenario_file("hazard.toml", &hazard("0, 10", "0.1, 0"));
    for verb in ["validate", "run"] {
        assert_bad_input(
            &ccsim(&[verb, &path]),
            &[&format!(
                "{path}:9:60: call_type[0].patience.rate[1]: the last piece's rate must be > 0"
            )],
        );
    }
}

#[test]
fn head_start_over_a_day() {
    golden(
        &edit("mean = \"3m\" }", "mean = \"3m\" }\nhead_start = \"2d\""),
        "s.toml:9:14: call_type[0].head_start: must be at most a day, got 2d",
    );
    golden(
        &edit("mean = \"3m\" }", "mean = \"3m\" }\nhead_start = -5"),
        "s.toml:9:14: call_type[0].head_start: must be a duration ≥ 0, got -5",
    );
}

#[test]
fn a_call_types_forecast_error_has_the_scenarios_bounds() {
    golden(
        &edit("mean = \"3m\" }", "mean = \"3m\" }\nforecast_error = { cv = 3 }"),
        "s.toml:9:25: call_type[0].forecast_error.cv: must be between 0 and 2, got 3",
    );
    golden(
        &edit(
            "mean = \"3m\" }",
            "mean = \"3m\" }\nforecast_error = { cv = 0.1, sd = 2 }",
        ),
        "s.toml:9:30: call_type[0].forecast_error.sd: unknown key `sd` (expected one of: …)",
    );
}

#[test]
fn forecast_error_on_a_call_type_without_arrivals_of_its_own() {
    let text = edit("skills = [\"sales\"]", "skills = [\"sales\", \"tier2\"]")
        + "\n[[call_type]]\nname = \"tier2\"\narrivals = { per_hour = 0 }\nhandle_time = { dist = \"exponential\", \
           mean = \"3m\" }\nforecast_error = { cv = 0.1 }\n";
    golden(
        &text,
        "s.toml:19:25: call_type[1].forecast_error.cv: call type `tier2` has no arrivals of its own: its forecast \
         error would multiply nothing (transfers, redials and repeats follow the volumes they come from)\n  \
         help: put `forecast_error` on the call types whose arrivals feed it",
    );
}

// ---------------------------------------------------------------------------------------
// Names across tables

#[test]
fn skill_naming_no_call_type_suggests_the_near_one() {
    golden(
        &edit("skills = [\"sales\"]", "skills = [\"sales\", \"sale\"]"),
        "s.toml:13:20: agent_group[0].skills[1]: no call type is named `sale`\n  help: did you mean `sales`?",
    );
}

#[test]
fn skill_listed_twice() {
    golden(
        &edit("skills = [\"sales\"]", "skills = [\"sales\", \"sales\"]"),
        "s.toml:13:20: agent_group[0].skills[1]: skill `sales` is listed twice",
    );
}

const BILLING: &str = r#"
[[call_type]]
name = "billing"
arrivals = { per_hour = 5 }
handle_time = { dist = "exponential", mean = "3m" }
"#;

#[test]
fn call_type_no_group_serves() {
    golden(
        &plus(BILLING),
        "s.toml:16:8: call_type[1].name: no agent group has the skill `billing`: its calls could never be answered",
    );
}

#[test]
fn duplicate_call_type() {
    golden(
        &plus(&BILLING.replace("billing", "sales")),
        "s.toml:16:8: call_type[1].name: call type `sales` is defined twice",
    );
}

#[test]
fn duplicate_call_type_is_one_diagnostic() {
    let (d, message) = diagnostics(&plus(&BILLING.replace("billing", "sales")));
    assert_eq!(d.len(), 1, "{message}");
}

#[test]
fn duplicate_call_type_with_routing_is_one_diagnostic() {
    // The routing of the second `sales` names a group whose skill is the first `sales`.
    golden(
        &plus(&format!(
            "{}routing = [{{ group = \"team\" }}]\n",
            BILLING.replace("billing", "sales")
        )),
        "s.toml:16:8: call_type[1].name: call type `sales` is defined twice",
    );
}

#[test]
fn duplicate_group_routed_to_is_one_diagnostic() {
    // `group = "team"` names the first `team`; the second, with the same skill, cannot be
    // routed to, and that follows from the duplicate.
    let text = format!(
        "{}{DUPLICATE_TEAM}",
        edit("mean = \"3m\" }", "mean = \"3m\" }\nrouting = [{ group = \"team\" }]")
    );
    golden(
        &text,
        "s.toml:17:8: agent_group[1].name: agent group `team` is defined twice",
    );
}

#[test]
fn duplicate_group_with_its_own_skill_is_one_diagnostic() {
    // Only the second `team` answers `billing`: `billing` is served, by that group.
    golden(
        &plus(&format!("{BILLING}{}", DUPLICATE_TEAM.replace("sales", "billing"))),
        "s.toml:21:8: agent_group[1].name: agent group `team` is defined twice",
    );
}

const DUPLICATE_TEAM: &str = "\n[[agent_group]]\nname = \"team\"\nagents = 1\nskills = [\"sales\"]\n";

#[test]
fn duplicate_group() {
    golden(
        &plus(DUPLICATE_TEAM),
        "s.toml:16:8: agent_group[1].name: agent group `team` is defined twice",
    );
}

// ---------------------------------------------------------------------------------------
// Expectations

#[test]
fn expect_unknown_metric() {
    golden(
        &plus("\n[[expect]]\nmetric = \"answer_rte\"\nmin = 0.9\n"),
        "s.toml:16:10: expect[0].metric: unknown metric `answer_rte`\n  help: did you mean `answer_rate`?",
    );
}

#[test]
fn expect_unknown_call_type() {
    golden(
        &plus("\n[[expect]]\nmetric = \"answer_rate\"\ncall_type = \"sals\"\nmin = 0.9\n"),
        "s.toml:17:13: expect[0].call_type: no call type is named `sals`\n  help: did you mean `sales`?",
    );
}

#[test]
fn expect_unknown_interval() {
    golden(
        &plus("\n[[expect]]\nmetric = \"answer_rate\"\ninterval = \"00:3\"\nmin = 0.9\n"),
        "s.toml:17:12: expect[0].interval: no interval starts at `00:3`\n  help: did you mean `00:30`?",
    );
}

#[test]
fn expect_call_metric_on_a_group() {
    golden(
        &plus("\n[[expect]]\nmetric = \"answer_rate\"\ngroup = \"team\"\nmin = 0.9\n"),
        "s.toml:16:10: expect[0].metric: `answer_rate` is a call metric; a group has: occupancy, handled, \
         agent_hours, overtime_hours, cost, slot_utilisation",
    );
}

#[test]
fn expect_without_min_or_max() {
    golden(
        &plus("\n[[expect]]\nmetric = \"answer_rate\"\n"),
        "s.toml:15:1: expect[0]: an expectation needs `min`, `max` or both",
    );
}

#[test]
fn expect_min_above_max() {
    golden(
        &plus("\n[[expect]]\nmetric = \"answer_rate\"\nmin = 0.9\nmax = 0.5\n"),
        "s.toml:15:1: expect[0]: min 0.9 is above max 0.5",
    );
}

// ---------------------------------------------------------------------------------------
// Several errors at once

#[test]
fn every_reading_error_of_a_file_is_reported_at_once() {
    let text = r#"[scenario]
name = "t"
duration = "2h"
replicatons = 3

[[call_type]]
name = "sales"
arrivals = { per_hour = -1 }
handel_time = { dist = "exponential", mean = "3m" }

[[agent_group]]
name = "team"
agents = -2
skills = ["sales"]
"#;
    let (d, message) = diagnostics(text);
    assert_eq!(d.len(), 5, "{message}");
    assert_eq!(
        elide_lists(&message),
        "s.toml:4:1: scenario.replicatons: unknown key `replicatons` (expected one of: …)\n  \
         help: did you mean `replications`?\n\
         s.toml:9:1: call_type[0].handel_time: unknown key `handel_time` (expected one of: …)\n  \
         help: did you mean `handle_time`?\n\
         s.toml:8:25: call_type[0].arrivals.per_hour: must be ≥ 0, got -1\n\
         s.toml:6:1: call_type[0].handle_time: missing required key `handle_time`\n\
         s.toml:13:10: agent_group[0].agents: must be ≥ 0, got -2"
    );
}

#[test]
fn every_validation_error_of_a_file_is_reported_at_once() {
    let text = r#"[scenario]
name = "t"
duration = "100m"
replications = 0

[[call_type]]
name = "sales"
arrivals = { per_hour = 60 }
handle_time = { dist = "exponential", mean = 0 }

[[agent_group]]
name = "team"
agents = 1000000000
skills = ["sale"]

[[expect]]
metric = "answer_rte"
min = 0.9
max = 0.5
"#;
    let (d, message) = diagnostics(text);
    assert_eq!(d.len(), 8, "{message}");
    assert_eq!(
        message,
        "s.toml:3:12: scenario.duration: 1h40m is not a whole number of 30m intervals\n  \
         help: use a whole number of intervals: \"1h30m\" (3 intervals) or \"2h\" (4 intervals)\n\
         s.toml:9:46: call_type[0].handle_time.mean: must be > 0, got 0\n\
         s.toml:13:10: agent_group[0].agents: 1000000000 agents is more than ccsim simulates in one group (1000000)\n\
         s.toml:14:11: agent_group[0].skills[0]: no call type is named `sale`\n  \
         help: did you mean `sales`?\n\
         s.toml:7:8: call_type[0].name: no agent group has the skill `sales`: its calls could never be answered\n\
         s.toml:17:10: expect[0].metric: unknown metric `answer_rte`\n  \
         help: did you mean `answer_rate`?\n\
         s.toml:16:1: expect[0]: min 0.9 is above max 0.5\n\
         s.toml:4:16: scenario.replications: must be between 1 and 1000000, got 0"
    );
}

// ---------------------------------------------------------------------------------------
// Weird input: an error with at least one diagnostic, never a panic

#[test]
fn weird_inputs_are_refused_without_panicking() {
    let deep_arrays = format!("a = {}{}", "[".repeat(5000), "]".repeat(5000));
    let deep_inline = format!("a = {}1{}", "{ b = ".repeat(3000), " }".repeat(3000));
    let deep_header = format!("[{}]\nx = 1\n", vec!["a"; 3000].join("."));
    let deep_in_dist = edit(
        "mean = \"3m\"",
        &format!("mean = {}1{}", "{ m = ".repeat(200), " }".repeat(200)),
    );
    let inputs: Vec<(&str, String)> = vec![
        ("empty file", String::new()),
        ("only whitespace and comments", "\n  # nothing\n\t\n".into()),
        ("binary garbage", "\u{0}\u{1}\u{fffd}\u{7f}[[\u{feff}==\"\u{0}".into()),
        (
            "lone bytes as text",
            String::from_utf8_lossy(&[0xff, 0xfe, 0x00, 0x5b, 0x5b, 0xc3]).into_owned(),
        ),
        (
            "huge integer",
            edit("agents = 5", "agents = 123456789012345678901234567890"),
        ),
        ("i64::MAX agents", edit("agents = 5", &format!("agents = {}", i64::MAX))),
        (
            "i64::MAX seconds",
            edit("duration = \"2h\"", &format!("duration = {}", i64::MAX)),
        ),
        (
            "i64::MIN seed",
            edit("duration = \"2h\"", &format!("duration = \"2h\"\nseed = {}", i64::MIN)),
        ),
        (
            "huge duration text",
            edit("\"2h\"", &format!("\"{}h\"", "9".repeat(400))),
        ),
        ("deeply nested arrays", deep_arrays),
        ("deeply nested inline tables", deep_inline),
        ("deeply nested table header", deep_header),
        ("nested tables in a distribution", deep_in_dist),
        ("[[scenario]] as an array", edit("[scenario]", "[[scenario]]")),
        (
            "[[scenario]] twice",
            BASE.replace("[scenario]", "[[scenario]]") + "[[scenario]]\nname = \"u\"\n",
        ),
        ("call_type as a plain table", edit("[[call_type]]", "[call_type]")),
        (
            "agent_group as a string",
            edit(
                "[[agent_group]]\nname = \"team\"\nagents = 5\nskills = [\"sales\"]\n",
                "agent_group = \"team\"\n",
            ),
        ),
        ("arrivals as a date", edit("{ per_hour = 60 }", "1979-05-27T07:32:00Z")),
        ("dist as a number", edit("\"exponential\"", "1")),
        (
            "a million intervals",
            edit("duration = \"2h\"", "duration = \"1000000s\"\ninterval = \"1s\""),
        ),
    ];
    for (what, text) in inputs {
        let result = std::panic::catch_unwind(|| Scenario::parse("w.toml", &text).and_then(|s| Model::build(&s)));
        match result {
            Err(_) => panic!("{what}: panicked"),
            Ok(Ok(_)) => panic!("{what}: accepted"),
            Ok(Err(Error::Invalid(d))) => {
                assert!(!d.is_empty(), "{what}: no diagnostics");
                assert!(d.iter().all(|d| d.file == "w.toml"), "{what}: {d:?}");
            }
            Ok(Err(e)) => panic!("{what}: expected Error::Invalid, got {e:?}"),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Through the binary: exit code 2, diagnostics on stderr

/// Writes `text` to `NAME` in a fresh temporary folder (kept alive by the returned guard).
fn scenario_file(name: &str, text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("writes the scenario");
    (dir, path.display().to_string())
}

#[track_caller]
fn assert_bad_input(out: &Output, stderr_contains: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr:\n{stderr}");
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout, got {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    for s in stderr_contains {
        assert!(stderr.contains(s), "stderr lacks {s:?}:\n{stderr}");
    }
}

#[test]
fn binary_run_reports_file_line_column_field_and_suggestion() {
    let (_dir, path) = scenario_file("bad.toml", &edit("handle_time =", "handel_time ="));
    let out = ccsim(&["run", &path]);
    assert_bad_input(
        &out,
        &[
            &format!("{path}:8:1: call_type[0].handel_time: unknown key `handel_time`"),
            "  help: did you mean `handle_time`?",
            &format!("{path}:5:1: call_type[0].handle_time: missing required key `handle_time`"),
        ],
    );
}

#[test]
fn binary_validate_reports_a_syntax_error_position() {
    let (_dir, path) = scenario_file("syntax.toml", &edit("name = \"t\"", "name = \"t"));
    let out = ccsim(&["validate", &path]);
    assert_bad_input(&out, &[&format!("{path}:2:10: ")]);
}

#[test]
fn binary_run_and_validate_agree_on_a_bad_value() {
    let (_dir, path) = scenario_file("neg.toml", &edit("agents = 5", "agents = -1"));
    for verb in ["run", "validate"] {
        let out = ccsim(&[verb, &path]);
        assert_bad_input(
            &out,
            &[&format!("{path}:12:10: agent_group[0].agents: must be ≥ 0, got -1")],
        );
    }
}

#[test]
fn binary_reports_all_errors_of_several_files() {
    let (_d1, one) = scenario_file("one.toml", &edit("\"exponential\"", "\"exponetial\""));
    let (_d2, two) = scenario_file("two.toml", &edit("duration = \"2h\"", "duration = \"100m\""));
    let out = ccsim(&["validate", &one, &two]);
    assert_bad_input(
        &out,
        &[
            &format!("{one}:8:24: call_type[0].handle_time.dist: unknown distribution `exponetial`"),
            "did you mean `exponential`?",
            &format!("{two}:3:12: scenario.duration: 1h40m is not a whole number of 30m intervals"),
            "help: use a whole number of intervals: \"1h30m\" (3 intervals) or \"2h\" (4 intervals)",
        ],
    );
}

#[test]
fn binary_refuses_a_file_that_is_not_text() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("binary.toml");
    std::fs::write(&path, [0x00, 0x01, 0xfe, 0xff, b'[', b'[', 0x7f]).expect("writes");
    let path = path.display().to_string();
    let out = ccsim(&["validate", &path]);
    assert_bad_input(&out, &[&path]);
}

mod tiers_and_costs {
    use super::*;

    #[test]
    fn escalating_to_an_unknown_call_type_suggests_the_near_one() {
        golden(
            &edit(
                "handle_time = { dist",
                "unresolved = { escalate_to = \"sale\" }\nhandle_time = { dist",
            ),
            "s.toml:8:30: call_type[0].unresolved.escalate_to: no call type is named `sale`\n  help: did you mean `sales`?",
        );
    }

    #[test]
    fn escalating_to_itself() {
        golden(
            &edit(
                "handle_time = { dist",
                "unresolved = { escalate_to = \"sales\" }\nhandle_time = { dist",
            ),
            "s.toml:8:30: call_type[0].unresolved.escalate_to: a call type cannot escalate to itself\n  help: name the specialist tier's call type",
        );
    }

    #[test]
    fn unresolved_needs_exactly_one_follow_up() {
        golden(
            &edit(
                "handle_time = { dist",
                "unresolved = { escalate_to = \"x\", repeat_after = \"1h\" }\nhandle_time = { dist",
            ),
            "s.toml:8:14: call_type[0].unresolved: give `escalate_to` (a call type) or `repeat_after` (a delay distribution), exactly one",
        );
    }

    #[test]
    fn resolution_is_a_probability() {
        golden(
            &edit("handle_time = { dist", "resolution = 80\nhandle_time = { dist"),
            "s.toml:8:14: call_type[0].resolution: must be between 0 and 1, got 80\n  help: write 0.80 (or \"80%\")",
        );
    }

    #[test]
    fn a_cost_with_two_prices() {
        golden(
            &edit("agents = 5", "agents = 5\ncost = { per_hour = 30, per_call = 4 }"),
            "s.toml:13:8: agent_group[0].cost: give exactly one of `per_hour` (paid hours), `per_call` (handled calls) or `per_minute` (handled minutes)",
        );
    }

    #[test]
    fn a_negative_price() {
        golden(
            &edit("agents = 5", "agents = 5\ncost = { per_call = -4 }"),
            "s.toml:13:21: agent_group[0].cost.per_call: must be ≥ 0, got -4",
        );
    }

    #[test]
    fn outsourced_is_true_or_false() {
        golden(
            &edit("agents = 5", "agents = 5\noutsourced = \"yes\""),
            "s.toml:13:14: agent_group[0].outsourced: expected true or false, got a string",
        );
    }

    #[test]
    fn shares_above_one() {
        golden(
            &plus("\n[[agent_group]]\nname = \"vendor\"\nagents = 3\nskills = [\"sales\"]\n").replace(
                "handle_time = { dist",
                "routing = [{ group = \"team\", share = 0.7 }, { group = \"vendor\", share = 0.6 }]\nhandle_time = { dist",
            ),
            "s.toml:8:11: call_type[0].routing: the routes' shares add up to 1.3, more than 1",
        );
    }

    #[test]
    fn a_share_with_a_wait() {
        golden(
            &edit(
                "handle_time = { dist",
                "routing = [{ group = \"team\", share = 0.5, after = \"30s\" }]\nhandle_time = { dist",
            ),
            "s.toml:8:12: call_type[0].routing[0].share: a `share` route takes its contacts at arrival: give it without `after` or `queue_length`",
        );
    }

    #[test]
    fn shares_leaving_the_rest_unserved() {
        golden(
            &edit(
                "handle_time = { dist",
                "routing = [{ group = \"team\", share = 0.5 }]\nhandle_time = { dist",
            ),
            "s.toml:8:11: call_type[0].routing: the shares take 0.5 of the arrivals but no route serves the rest\n  help: add a route without `share`, or make the shares add up to 1",
        );
    }
}

#[test]
fn a_group_without_skills() {
    golden(
        &edit("skills = [\"sales\"]", "skills = []"),
        "s.toml:11:8: agent_group[0].name: agent group `team` has no skills: it could never answer a contact\n  help: add the call types it answers to `skills`, or drop the group\ns.toml:6:8: call_type[0].name: no agent group has the skill `sales`: its calls could never be answered",
    );
}

mod channels {
    use super::*;

    #[test]
    fn unknown_channel_suggests_the_near_one() {
        golden(
            &edit("handle_time = { dist", "channel = \"emial\"\nhandle_time = { dist"),
            "s.toml:8:11: call_type[0].channel: unknown channel `emial` (expected one of: …)\n  help: did you mean `email`?",
        );
    }

    #[test]
    fn an_email_cannot_abandon() {
        golden(
            &edit(
                "handle_time = { dist",
                "channel = \"email\"\npatience = { dist = \"exponential\", mean = \"1m\" }\nhandle_time = { dist",
            ),
            "s.toml:9:12: call_type[0].patience: an email waits in the backlog and never abandons: `patience` does not apply",
        );
    }

    #[test]
    fn chat_concurrency_zero() {
        golden(
            &edit("agents = 5", "agents = 5\nchat = { concurrency = 0 }"),
            "s.toml:13:24: agent_group[0].chat.concurrency: must be between 1 and 100 chats at once, got 0",
        );
    }

    #[test]
    fn a_channel_listed_twice_in_the_order() {
        golden(
            &edit("agents = 5", "agents = 5\nchannel_order = [\"voice\", \"voice\"]"),
            "s.toml:13:17: agent_group[0].channel_order: a channel is listed twice",
        );
    }
}

// ---------------------------------------------------------------------------------------
// Warnings: implausible values (most likely unit mistakes) that still run

/// The warnings of a valid `text`, as the command line prints them.
fn warnings(text: &str) -> String {
    let model = Model::build(&Scenario::parse("s.toml", text).expect("parses")).expect("valid");
    model
        .warnings
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn base_scenario_has_no_warnings() {
    assert_eq!(warnings(BASE), "");
}

#[test]
fn shipped_scenarios_have_no_warnings() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    for entry in std::fs::read_dir(dir).expect("scenarios/") {
        let path = entry.expect("an entry").path();
        if path.extension().is_some_and(|x| x == "toml") {
            let model = Model::build(&Scenario::load(&path).expect("parses")).expect("valid");
            assert!(model.warnings.is_empty(), "{}: {:?}", path.display(), model.warnings);
        }
    }
}

#[test]
fn a_six_second_handle_time_warns_with_minutes() {
    assert_eq!(
        warnings(&edit("mean = \"3m\"", "mean = 6")),
        "s.toml:8:15: call_type[0].handle_time: warning: a mean handle time of 6s is implausibly short\n  \
         help: did you mean \"6m\"? (a number without a unit is seconds)"
    );
}

#[test]
fn a_short_wrap_up_and_a_forecast_aht_in_minutes_warn() {
    assert_eq!(
        warnings(&edit(
            "handle_time = { dist",
            "wrap_up = { dist = \"constant\", value = 2 }\nhandle_time = { dist"
        )),
        "s.toml:8:11: call_type[0].wrap_up: warning: a mean wrap-up of 2s is implausibly short\n  \
         help: did you mean \"2m\"? (a number without a unit is seconds)"
    );
    assert_eq!(
        warnings(&edit(
            "per_hour = 60 }",
            "per_hour = 60, aht_per_interval = [4, 5, 240, 250] }"
        )),
        "s.toml:7:48: call_type[0].arrivals.aht_per_interval: warning: an average handle time of 4s is implausibly \
         short\n  help: average handle times are seconds: did you mean 240?"
    );
}

#[test]
fn a_patience_over_a_day_warns() {
    assert_eq!(
        warnings(&edit(
            "handle_time = { dist",
            "patience = { dist = \"exponential\", mean = \"2d\" }\nhandle_time = { dist"
        )),
        "s.toml:8:12: call_type[0].patience: warning: a mean patience of 2d: callers do not wait days before hanging \
         up\n  help: write it in minutes or seconds (\"3m\"), or omit `patience` if callers never hang up"
    );
}

#[test]
fn a_voice_threshold_over_an_hour_warns_but_not_on_email() {
    let threshold = "duration = \"2h\"\nservice_level = { threshold = \"2h\" }";
    assert_eq!(
        warnings(&edit("duration = \"2h\"", threshold)),
        "s.toml:4:31: scenario.service_level.threshold: warning: a service-level threshold of 2h on voice: callers do \
         not wait that long on the line\n  help: voice thresholds are seconds (\"20s\" for 80/20); response targets of \
         hours belong to email (channel = \"email\")"
    );
    let email = edit("duration = \"2h\"", threshold)
        .replace("handle_time = { dist", "channel = \"email\"\nhandle_time = { dist");
    assert_eq!(warnings(&email), "");
}

#[test]
fn an_interval_in_seconds_without_a_unit_warns_but_not_with_one() {
    assert_eq!(
        warnings(&edit("duration = \"2h\"", "duration = \"2h\"\ninterval = 30")),
        "s.toml:4:12: scenario.interval: warning: 30s intervals are unusually short for planning\n  \
         help: did you mean \"30m\"? (a number without a unit is seconds)"
    );
    assert_eq!(
        warnings(&edit("duration = \"2h\"", "duration = \"2h\"\ninterval = \"30s\"")),
        ""
    );
}

#[test]
fn binary_prints_warnings_on_stderr_and_keeps_exit_code_and_stdout() {
    let text = edit("mean = \"3m\"", "mean = 6");
    let (_dir, path) = scenario_file("six.toml", &text);
    let warning = format!(
        "{path}:8:15: call_type[0].handle_time: warning: a mean handle time of 6s is implausibly short\n  \
         help: did you mean \"6m\"? (a number without a unit is seconds)\n"
    );
    let out = ccsim(&["run", "--format", "json", &path]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stderr), warning);
    // Stdout is the report alone: what the library renders for the same model.
    let model = Model::build(&Scenario::load(std::path::Path::new(&path)).unwrap()).unwrap();
    let summary = ccsim::Summary::new(&model, &ccsim::simulate(&model, 1, &|| {}).unwrap());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        ccsim::report::json::to_json(&summary)
    );
    for args in [vec!["validate", &path], vec!["check", &path]] {
        let out = ccsim(&args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stderr), warning, "{args:?}");
        assert!(!String::from_utf8_lossy(&out.stdout).contains("warning"), "{args:?}");
    }
}

// ---------------------------------------------------------------------------------------
// Lines, queue capacity, retry, messages and closing time

#[test]
fn lines_must_be_at_least_one() {
    golden(
        &edit("duration = \"2h\"", "duration = \"2h\"\nlines = 0"),
        "s.toml:4:9: scenario.lines: must be between 1 and 10000000 (the trunk lines: voice calls in the centre at once), got 0",
    );
    golden(
        &edit("duration = \"2h\"", "duration = \"2h\"\nlines = -3"),
        "s.toml:4:9: scenario.lines: must be ≥ 0, got -3",
    );
}

#[test]
fn queue_capacity_is_bounded_and_for_calls_only() {
    golden(
        &edit("duration = \"2h\"", "duration = \"2h\"\nqueue_capacity = 2000000"),
        "s.toml:4:18: scenario.queue_capacity: must be at most 1000000 (the most contacts a replication holds waiting), got 2000000",
    );
    golden(
        &edit(
            "mean = \"3m\" }",
            "mean = \"3m\" }\nchannel = \"chat\"\nqueue_capacity = 3",
        ),
        "s.toml:10:18: call_type[0].queue_capacity: `queue_capacity` does not apply to a chat call type: only calls are blocked by lines and queue capacity",
    );
}

#[test]
fn at_close_is_serve_or_disconnect() {
    golden(
        &edit("duration = \"2h\"", "duration = \"2h\"\nat_close = \"disconect\""),
        "s.toml:4:12: scenario.at_close: unknown value `disconect`: at the close, calls and chats still waiting are served (`serve`, the drain) or disconnected (`disconnect`)\n  \
         help: did you mean `disconnect`?",
    );
}

#[test]
fn max_wait_needs_a_known_outcome_and_a_positive_wait() {
    let with = |max_wait: &str| edit("mean = \"3m\" }", &format!("mean = \"3m\" }}\nmax_wait = {max_wait}"));
    golden(
        &with("{ after = \"2m\", outcome = \"mesage\" }"),
        "s.toml:9:38: call_type[0].max_wait.outcome: unknown outcome `mesage`: a caller who has waited `after` leaves a `message`\n  \
         help: did you mean `message`?",
    );
    golden(
        &with("{ after = \"0s\", outcome = \"message\" }"),
        "s.toml:9:22: call_type[0].max_wait.after: must be a duration above 0 and at most 30 days, got 0s",
    );
    golden(
        &with("{ after = -5, outcome = \"message\" }"),
        "s.toml:9:22: call_type[0].max_wait.after: must be a duration above 0 and at most 30 days, got -5s",
    );
    golden(
        &with("{ after = \"1m\" }"),
        "s.toml:9:12: call_type[0].max_wait.outcome: missing required key `outcome`",
    );
    golden(
        &edit(
            "mean = \"3m\" }",
            "mean = \"3m\" }\nchannel = \"email\"\nmax_wait = { after = \"1m\", outcome = \"message\" }",
        ),
        "s.toml:10:12: call_type[0].max_wait: `max_wait` does not apply to an email call type: an email waits in the backlog: no one leaves a message",
    );
}

#[test]
fn retry_needs_something_that_blocks() {
    golden(
        &edit(
            "mean = \"3m\" }",
            "mean = \"3m\" }\nretry = { probability = 0.5, delay = { dist = \"exponential\", mean = \"1m\" } }",
        ),
        "s.toml:9:9: call_type[0].retry: call type `sales` is never blocked (no `lines` and no `queue_capacity`): `retry` would never apply\n  \
         help: set `lines` or `queue_capacity` in [scenario], or `queue_capacity` on the call type; a caller who abandons tries again with `redial`",
    );
    golden(
        &edit("duration = \"2h\"", "duration = \"2h\"\nlines = 4").replace(
            "mean = \"3m\" }",
            "mean = \"3m\" }\nretry = { probability = 1.5, delay = { dist = \"exponential\", mean = \"1m\" }, tries = 2 }",
        ),
        "s.toml:10:77: call_type[0].retry.tries: unknown key `tries` (expected one of: …)\n\
         s.toml:10:25: call_type[0].retry.probability: must be between 0 and 1, got 1.5\n  \
         help: write 0.015 (or \"1.5%\")",
    );
}

#[test]
fn a_message_goes_to_an_email_call_type() {
    let with = |to: &str| {
        edit(
            "mean = \"3m\" }",
            &format!("mean = \"3m\" }}\nmax_wait = {{ after = \"1m\", outcome = \"message\", to = \"{to}\" }}"),
        )
    };
    golden(
        &with("sale"),
        "s.toml:9:54: call_type[0].max_wait.to: unknown call type `sale`\n  \
         help: did you mean `sales`?",
    );
    golden(
        &with("sales"),
        "s.toml:9:54: call_type[0].max_wait.to: `sales` is not an email call type: a message becomes work of an email queue",
    );
}
