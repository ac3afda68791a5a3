//! The command line, through the real binary: `erlang` reproduces published Erlang C
//! figures (and gives Erlang A with `--patience`); `run` prints SPEC.md's fixed JSON core
//! (every metric as `{"mean", "ci95"}`, `null` where undefined, never NaN), CSV that
//! parses, and with `--out` the same summary as files; `validate` and bad command lines
//! exit 2; the same seed gives the same bytes and another seed other figures.

use std::path::{Path, PathBuf};

use crate::common::{ccsim, ccsim_fails};
use serde_json::Value;

/// SPEC.md's metric table: every one must be in totals, call types and intervals.
const SPEC_METRICS: [&str; 9] = [
    "offered",
    "answered",
    "abandoned",
    "unfinished",
    "answer_rate",
    "abandon_rate",
    "service_level",
    "asa_seconds",
    "occupancy",
];
/// Those of them that are counts (never `null`).
const COUNTS: [&str; 4] = ["offered", "answered", "abandoned", "unfinished"];
/// Those of them whose denominator is `offered`.
const PER_OFFERED: [&str; 3] = ["answer_rate", "abandon_rate", "service_level"];

/// Runs ccsim, asserts exit code 0, returns stdout.
#[track_caller]
fn ccsim_ok(args: &[&str]) -> String {
    String::from_utf8(crate::common::ccsim_ok(args).stdout).expect("UTF-8 on stdout")
}

#[track_caller]
fn json(args: &[&str]) -> Value {
    let stdout = ccsim_ok(args);
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("ccsim {args:?}: not JSON ({e}):\n{stdout}"))
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .display()
        .to_string()
}

/// Writes `text` as `scenario.toml` in a fresh temporary folder (removed when the guard drops).
fn scenario_file(text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("scenario.toml");
    std::fs::write(&path, text).expect("writes the scenario");
    (dir, path.display().to_string())
}

#[track_caller]
fn number(v: &Value, what: &str) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("{what}: expected a number, got {v}"))
}

#[track_caller]
fn assert_close(got: f64, expected: f64, tolerance: f64, what: &str) {
    assert!(
        (got - expected).abs() <= tolerance,
        "{what}: got {got}, expected {expected} ± {tolerance}"
    );
}

/// A metric `{"mean": number|null, "ci95": number|null}` (exactly those keys), as options.
#[track_caller]
fn estimate(v: &Value, what: &str) -> (Option<f64>, Option<f64>) {
    let o = v
        .as_object()
        .unwrap_or_else(|| panic!("{what}: expected {{\"mean\", \"ci95\"}}, got {v}"));
    let mut keys: Vec<&str> = o.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["ci95", "mean"], "{what}: {v}");
    let field = |k: &str| match &o[k] {
        Value::Null => None,
        Value::Number(n) => Some(n.as_f64().expect("finite")),
        other => panic!("{what}.{k}: expected a number or null, got {other}"),
    };
    (field("mean"), field("ci95"))
}

/// The mean of `metric` in `obj`, which must be a number.
#[track_caller]
fn mean(obj: &Value, metric: &str, what: &str) -> f64 {
    let (m, _) = estimate(&obj[metric], &format!("{what}.{metric}"));
    m.unwrap_or_else(|| panic!("{what}.{metric}: mean is null"))
}

/// Every `{"mean", "ci95"}` anywhere in `v`, with its path.
fn all_estimates<'a>(v: &'a Value, path: String, out: &mut Vec<(String, &'a Value)>) {
    match v {
        Value::Object(o) if o.contains_key("mean") && o.contains_key("ci95") => out.push((path, v)),
        Value::Object(o) => o.iter().for_each(|(k, x)| all_estimates(x, format!("{path}.{k}"), out)),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| all_estimates(x, format!("{path}[{i}]"), out)),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------
// erlang

#[test]
fn erlang_c_reproduces_published_figures() {
    let v = json(&[
        "erlang",
        "--per-hour",
        "200",
        "--aht",
        "180s",
        "--agents",
        "14",
        "--format",
        "json",
    ]);
    assert_close(number(&v["p_wait"], "p_wait"), 0.17413, 5e-6, "p_wait");
    assert_close(
        number(&v["service_level"], "service_level"),
        0.88835,
        5e-6,
        "service_level",
    );
    assert_close(number(&v["asa_seconds"], "asa_seconds"), 7.836, 5e-4, "asa_seconds");
    assert_close(number(&v["occupancy"], "occupancy"), 0.7143, 5e-5, "occupancy");
    assert_eq!(number(&v["answer_rate"], "answer_rate"), 1.0);
    assert_eq!(number(&v["abandon_rate"], "abandon_rate"), 0.0);
    assert!(v.get("agents").is_none(), "no `agents` without --target-sl: {v}");

    let v = json(&[
        "erlang",
        "--per-hour",
        "200",
        "--aht",
        "3m",
        "--agents",
        "13",
        "--format",
        "json",
    ]);
    assert_close(
        number(&v["service_level"], "service_level"),
        0.79559,
        5e-6,
        "service_level, 13 agents",
    );
}

#[test]
fn erlang_target_service_level_adds_the_fewest_agents() {
    let v = json(&[
        "erlang",
        "--per-hour",
        "200",
        "--aht",
        "180s",
        "--agents",
        "14",
        "--target-sl",
        "0.8",
        "--format",
        "json",
    ]);
    assert_eq!(v["agents"], Value::from(14), "{v}");
}

#[test]
fn erlang_with_patience_is_erlang_a() {
    let v = json(&[
        "erlang",
        "--per-hour",
        "200",
        "--aht",
        "180s",
        "--agents",
        "14",
        "--patience",
        "3m",
        "--format",
        "json",
    ]);
    let (answer, abandon) = (
        number(&v["answer_rate"], "answer_rate"),
        number(&v["abandon_rate"], "abandon_rate"),
    );
    assert!(abandon > 0.0, "callers with patience abandon: {v}");
    assert_close(answer + abandon, 1.0, 1e-12, "answer_rate + abandon_rate");
    for key in ["p_wait", "service_level", "asa_seconds", "occupancy"] {
        number(&v[key], key);
    }
}

#[test]
fn erlang_table_is_the_default_format() {
    let text = ccsim_ok(&["erlang", "--per-hour", "200", "--aht", "180s", "--agents", "14"]);
    assert!(text.contains("Erlang C"), "{text}");
    assert!(text.contains("0.17413"), "{text}");
}

#[test]
fn erlang_reads_durations_in_the_scenario_grammar() {
    let short = ccsim_ok(&["erlang", "--per-hour", "200", "--aht", "3m", "--agents", "14"]);
    let long = ccsim_ok(&["erlang", "--per-hour", "200", "--aht", "3 minutes", "--agents", "14"]);
    assert_eq!(short, long);
}

#[test]
fn erlang_refuses_bad_values() {
    let stderr = ccsim_fails(&["erlang", "--per-hour", "200", "--aht", "3 parsecs", "--agents", "14"]);
    assert!(
        stderr.contains("--aht: cannot read duration \"3 parsecs\": `parsecs` is not a unit of time"),
        "{stderr}"
    );
    assert!(stderr.contains("largest unit first and each unit once"), "{stderr}");
    let stderr = ccsim_fails(&[
        "erlang",
        "--per-hour",
        "200",
        "--aht",
        "3m",
        "--agents",
        "14",
        "--target-sl",
        "80",
    ]);
    assert!(stderr.contains("--target-sl"), "{stderr}");
    // A billion agents would take minutes of sums (Erlang A): refused at once.
    let start = std::time::Instant::now();
    for patience in [None, Some("2m")] {
        let mut args = vec!["erlang", "--per-hour", "200", "--aht", "3m", "--agents", "1000000000"];
        args.extend(patience.map(|p| ["--patience", p]).into_iter().flatten());
        let stderr = ccsim_fails(&args);
        assert!(stderr.contains("agents must be at most 2000000"), "{stderr}");
    }
    assert!(start.elapsed().as_secs() < 10, "refused at once, not after the sums");
}

// ---------------------------------------------------------------------------------------
// run --format json

#[test]
fn run_json_has_the_fixed_core() {
    let stdout = ccsim_ok(&["run", &fixture("small.toml"), "--format", "json", "--replications", "5"]);
    assert!(!stdout.contains("NaN"), "{stdout}");
    let v: Value = serde_json::from_str(&stdout).expect("one JSON document");
    for key in [
        "scenario",
        "seed",
        "replications",
        "totals",
        "call_types",
        "groups",
        "intervals",
    ] {
        assert!(v.get(key).is_some(), "missing top-level key `{key}`");
    }
    assert_eq!(v["scenario"], "small");
    assert_eq!(v["seed"], 7);
    assert_eq!(v["replications"], 5);

    // Totals and each call type: every metric, mean and ci95 both numbers.
    let mut scopes = vec![("totals".to_owned(), &v["totals"])];
    let call_types = v["call_types"].as_array().expect("call_types is an array");
    let names: Vec<&str> = call_types.iter().map(|c| c["name"].as_str().expect("a name")).collect();
    assert_eq!(names, ["sales", "billing"]);
    scopes.extend(call_types.iter().map(|c| (format!("call_types[{}]", c["name"]), c)));
    for (what, obj) in &scopes {
        for m in SPEC_METRICS {
            if what.starts_with("call_types") && m == "occupancy" {
                continue; // occupancy is an agent figure; SPEC.md puts it on groups and totals
            }
            let (mean, ci95) = estimate(&obj[m], &format!("{what}.{m}"));
            assert!(mean.is_some() && ci95.is_some(), "{what}.{m}: {}", obj[m]);
        }
    }

    // Groups: occupancy and handled.
    let groups = v["groups"].as_array().expect("groups is an array");
    let names: Vec<&str> = groups.iter().map(|g| g["name"].as_str().expect("a name")).collect();
    assert_eq!(names, ["front", "back"]);
    for g in groups {
        for m in ["occupancy", "handled"] {
            let (mean, ci95) = estimate(&g[m], &format!("group {}.{m}", g["name"]));
            assert!(mean.is_some() && ci95.is_some(), "group {}.{m}", g["name"]);
        }
        let occupancy = mean(g, "occupancy", "group");
        assert!((0.0..=1.0).contains(&occupancy), "occupancy {occupancy}");
    }

    // Intervals: labels in order; every metric; rates null exactly where nothing arrived.
    let intervals = v["intervals"].as_array().expect("intervals is an array");
    let labels: Vec<&str> = intervals
        .iter()
        .map(|i| i["start"].as_str().expect("a label"))
        .collect();
    assert_eq!(labels, ["08:00", "08:30", "09:00", "09:30"]);
    for i in intervals {
        let what = format!("interval {}", i["start"]);
        for m in SPEC_METRICS {
            estimate(&i[m], &format!("{what}.{m}"));
        }
        for m in COUNTS {
            assert!(
                estimate(&i[m], &what).1.is_some(),
                "{what}.{m}: ci95 with 5 replications"
            );
        }
        let offered = mean(i, "offered", &what);
        for m in PER_OFFERED {
            let (mean, ci95) = estimate(&i[m], &format!("{what}.{m}"));
            assert_eq!(
                mean.is_some(),
                offered > 0.0,
                "{what}.{m} with {offered} offered: {}",
                i[m]
            );
            assert_eq!(
                ci95.is_some(),
                offered > 0.0,
                "{what}.{m} with {offered} offered: {}",
                i[m]
            );
        }
    }
    let empty = &intervals[2];
    assert_eq!(mean(empty, "offered", "09:00"), 0.0);
    for m in ["answer_rate", "abandon_rate", "service_level", "asa_seconds"] {
        assert_eq!(empty[m]["mean"], Value::Null, "09:00.{m} has no calls: {}", empty[m]);
    }
}

#[test]
fn call_types_carry_every_spec_metric() {
    let v = json(&["run", &fixture("small.toml"), "--format", "json", "--replications", "2"]);
    for c in v["call_types"].as_array().expect("array") {
        for m in SPEC_METRICS {
            estimate(&c[m], &format!("call type {}.{m}", c["name"]));
        }
    }
}

#[test]
fn run_json_counts_add_up() {
    let v = json(&["run", &fixture("small.toml"), "--format", "json", "--replications", "5"]);
    let mut scopes = vec![("totals".to_owned(), &v["totals"])];
    for c in v["call_types"].as_array().expect("array") {
        scopes.push((format!("call type {}", c["name"]), c));
    }
    for i in v["intervals"].as_array().expect("array") {
        scopes.push((format!("interval {}", i["start"]), i));
    }
    for (what, obj) in scopes {
        let [offered, answered, abandoned, unfinished] = COUNTS.map(|m| mean(obj, m, &what));
        assert_close(
            offered,
            answered + abandoned + unfinished,
            1e-9 * offered.max(1.0),
            &format!("{what}: offered = answered + abandoned + unfinished"),
        );
    }
    let totals = &v["totals"];
    assert!(mean(totals, "offered", "totals") > 0.0);
    // The call types add up to the totals, and so do the intervals.
    let sum_of = |list: &Value| -> f64 {
        list.as_array()
            .expect("array")
            .iter()
            .map(|x| mean(x, "offered", "item"))
            .sum()
    };
    assert_close(
        sum_of(&v["call_types"]),
        mean(totals, "offered", "totals"),
        1e-9,
        "Σ call types",
    );
    assert_close(
        sum_of(&v["intervals"]),
        mean(totals, "offered", "totals"),
        1e-9,
        "Σ intervals",
    );
}

#[test]
fn one_replication_gives_null_half_widths() {
    let v = json(&["run", &fixture("small.toml"), "--format", "json", "--replications", "1"]);
    assert_eq!(v["replications"], 1);
    let mut found = Vec::new();
    all_estimates(&v, String::new(), &mut found);
    assert!(found.len() > 50, "only {} estimates", found.len());
    for (path, e) in found {
        let (_, ci95) = estimate(e, &path);
        assert_eq!(ci95, None, "{path}: {e}");
    }
    assert!(estimate(&v["totals"]["offered"], "totals.offered").0.is_some());
}

// ---------------------------------------------------------------------------------------
// run --out, --format csv

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header: Vec<String> = r.headers().expect("a header").iter().map(str::to_owned).collect();
    let rows: Vec<Vec<String>> = r
        .records()
        .map(|rec| rec.expect("a well-formed row").iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

#[test]
fn run_out_writes_csv_files_and_the_json_summary() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let out: PathBuf = dir.path().join("results"); // created by ccsim
    let out_arg = out.display().to_string();
    let args = ["run", &fixture("small.toml"), "--replications", "4", "--format", "json"];
    let stdout = ccsim_ok(&[&args[..], &["--out", &out_arg][..]].concat());
    assert_eq!(stdout, ccsim_ok(&args), "--out does not change what is printed");

    let summary = std::fs::read_to_string(out.join("summary.json")).expect("summary.json");
    assert_eq!(summary, stdout, "summary.json is what --format json prints");
    let v: Value = serde_json::from_str(&summary).expect("summary.json is JSON");

    let (header, rows) = read_csv(&out.join("intervals.csv"));
    for col in ["offered", "offered_ci95", "answer_rate", "service_level", "asa_seconds"] {
        assert!(
            header.iter().any(|h| h == col),
            "intervals.csv lacks `{col}`: {header:?}"
        );
    }
    let offered = header.iter().position(|h| h == "offered").expect("offered");
    for (k, label) in ["08:00", "08:30", "09:00", "09:30"].into_iter().enumerate() {
        let row = rows
            .iter()
            .find(|r| r[0] == label && r[1] == "all")
            .unwrap_or_else(|| panic!("intervals.csv has no row ({label}, all): {rows:?}"));
        let csv_offered: f64 = row[offered].parse().expect("a number");
        assert_eq!(
            csv_offered,
            mean(&v["intervals"][k], "offered", label),
            "offered at {label}"
        );
    }

    let (header, rows) = read_csv(&out.join("call_types.csv"));
    assert!(header.iter().any(|h| h == "offered") && header.iter().any(|h| h == "offered_ci95"));
    for name in ["sales", "billing"] {
        assert!(
            rows.iter().any(|r| r[0] == name),
            "call_types.csv lacks {name}: {rows:?}"
        );
    }

    let (header, rows) = read_csv(&out.join("groups.csv"));
    for col in ["occupancy", "occupancy_ci95", "handled", "handled_ci95"] {
        assert!(header.iter().any(|h| h == col), "groups.csv lacks `{col}`: {header:?}");
    }
    for name in ["front", "back"] {
        assert!(
            rows.iter().any(|r| r.contains(&name.to_owned())),
            "groups.csv lacks {name}"
        );
    }
}

#[test]
fn run_csv_format_parses() {
    let stdout = ccsim_ok(&["run", &fixture("small.toml"), "--format", "csv", "--replications", "2"]);
    let mut r = csv::Reader::from_reader(stdout.as_bytes());
    let header = r.headers().expect("a header").clone();
    assert!(header.iter().any(|h| h == "offered"), "{header:?}");
    assert!(header.iter().any(|h| h == "offered_ci95"), "{header:?}");
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.expect("a well-formed row")).collect();
    assert!(rows.len() >= 4, "at least one row per interval: {rows:?}");
    assert!(!stdout.contains("NaN"), "{stdout}");
}

#[test]
fn run_table_is_the_default_format() {
    let stdout = ccsim_ok(&["run", &fixture("small.toml"), "--replications", "2"]);
    assert!(stdout.contains("small"), "{stdout}");
    assert!(stdout.contains("08:30"), "{stdout}");
}

// ---------------------------------------------------------------------------------------
// seeds and threads

#[test]
fn same_seed_same_bytes_other_seed_other_figures() {
    let run = |seed: &str| ccsim_ok(&["run", &fixture("small.toml"), "--format", "json", "--seed", seed]);
    let a = run("11");
    assert_eq!(a, run("11"), "same seed, same bytes");
    let b = run("12");
    assert_ne!(a, b, "another seed gives other figures");
    let (a, b): (Value, Value) = (serde_json::from_str(&a).unwrap(), serde_json::from_str(&b).unwrap());
    assert_eq!(a["seed"], 11);
    assert_eq!(b["seed"], 12);
    assert_ne!(a["totals"], b["totals"]);
}

#[test]
fn scenario_seed_is_the_default_and_threads_do_not_matter() {
    let path = fixture("small.toml");
    let default = ccsim_ok(&["run", &path, "--format", "json"]);
    assert_eq!(default, ccsim_ok(&["run", &path, "--format", "json", "--seed", "7"]));
    assert_eq!(default, ccsim_ok(&["run", &path, "--format", "json", "--threads", "1"]));
    assert_eq!(default, ccsim_ok(&["run", &path, "--format", "json", "--threads", "3"]));
}

// ---------------------------------------------------------------------------------------
// validate

#[test]
fn validate_a_good_file() {
    let stdout = ccsim_ok(&["validate", &fixture("small.toml")]);
    assert!(stdout.contains("small.toml"), "{stdout}");
}

#[test]
fn validate_a_bad_file_reports_every_problem_on_stderr() {
    let path = fixture("bad.toml");
    let stderr = ccsim_fails(&["validate", &path]);
    assert!(
        stderr.contains(&format!(
            "{path}:10:24: call_type[0].handle_time.dist: unknown distribution `exponetial`"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("  help: did you mean `exponential`?"), "{stderr}");
    assert!(
        stderr.contains(&format!("{path}:14:10: agent_group[0].agents: must be ≥ 0, got -5")),
        "{stderr}"
    );
}

#[test]
fn validate_good_and_bad_together_fails() {
    let stderr = ccsim_fails(&["validate", &fixture("small.toml"), &fixture("bad.toml")]);
    assert!(stderr.contains("bad.toml:10:24"), "{stderr}");
}

#[test]
fn validate_a_missing_file_names_it() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("no-such-scenario.toml").display().to_string();
    let stderr = ccsim_fails(&["validate", &path]);
    assert!(stderr.contains(&path), "{stderr}");
    let stderr = ccsim_fails(&["run", &path]);
    assert!(stderr.contains(&path), "{stderr}");
}

#[test]
fn run_refuses_a_bad_file_with_nothing_on_stdout() {
    let (_dir, path) = scenario_file("[scenario]\nname = \"x\"\nduration = \"1h\"\n");
    let out = ccsim(&["run", &path, "--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("{path}: call_type: ")), "{stderr}");
}

// ---------------------------------------------------------------------------------------
// bad command lines

#[test]
fn bad_command_lines_exit_2() {
    let small = fixture("small.toml");
    let cases: [&[&str]; 9] = [
        &[],
        &["frobnicate"],
        &["run"],
        &["run", &small, "--bogus"],
        &["run", &small, "--format", "xml"],
        &["run", &small, "--replications", "many"],
        &["validate"],
        &["erlang", "--per-hour", "200", "--agents", "14"],
        &["erlang", "--per-hour", "200", "--aht", "3m", "--agents", "-1"],
    ];
    for args in cases {
        ccsim_fails(args);
    }
}

#[test]
fn zero_replications_on_the_command_line_exit_2() {
    let stderr = ccsim_fails(&["run", &fixture("small.toml"), "--replications", "0"]);
    assert!(stderr.contains("--replications"), "{stderr}");
}

// ---------------------------------------------------------------------------------------
// shipped scenarios

#[test]
fn shipped_single_skill_scenario_runs() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/single-skill.toml")
        .display()
        .to_string();
    ccsim_ok(&["validate", &path]);
    let v = json(&["run", &path, "--format", "json", "--replications", "2"]);
    assert_eq!(v["scenario"], "single-skill");
    assert_eq!(v["intervals"].as_array().map(Vec::len), Some(16));
    assert_eq!(v["intervals"][0]["start"], "08:00");
    let offered = mean(&v["totals"], "offered", "totals");
    // 1,176 calls an hour for 8 hours: 9,408 expected.
    assert!((9000.0..9800.0).contains(&offered), "offered {offered}");
}

const STAFF_SCENARIO: &str = r#"
[scenario]
name = "staff-cli"
start = "08:00"
duration = "2h"
interval = "1h"
warmup = "30m"
replications = 10
seed = 6
currency = "EUR"

[[call_type]]
name = "sales"
arrivals = { per_interval = [150, 250] }
handle_time = { dist = "exponential", mean = "3m" }
patience = { dist = "exponential", mean = "3m" }

[[agent_group]]
name = "team"
agents = 1
shrinkage = 0.25
skills = ["sales"]
cost = { per_hour = 30 }
"#;

#[test]
fn staff_json_has_the_fixed_core() {
    let (_dir, path) = scenario_file(STAFF_SCENARIO);
    let v = json(&["staff", &path, "--format", "json"]);
    let intervals = v["intervals"].as_array().expect("intervals");
    assert_eq!(intervals.len(), 2);
    assert_eq!(intervals[0]["start"], "08:00");
    let first = intervals[0]["groups"]["team"].as_u64().expect("agents on duty");
    let second = intervals[1]["groups"]["team"].as_u64().expect("agents on duty");
    assert!(second > first, "more calls need more agents: {first} then {second}");
    assert!(intervals[0]["within_noise"].is_boolean());
    let paid = intervals[0]["paid"]["team"].as_u64().unwrap();
    assert_eq!(paid, (first as f64 / 0.75).ceil() as u64);
    let cost = v["cost"].as_f64().expect("cost");
    // 30 per paid hour: the hours on duty ÷ (1 − 25 % shrinkage), and a little overtime.
    let paid_hours = (first + second) as f64 / 0.75;
    assert!(cost >= 30.0 * paid_hours && cost < 30.0 * (paid_hours + 2.0), "{cost}");
    assert!(intervals[0]["service_level"]["mean"].as_f64().unwrap() >= 0.7);
}

#[test]
fn staff_csv_and_out_folder() {
    let (dir, path) = scenario_file(STAFF_SCENARIO);
    let out = dir.path().join("plan");
    let text = ccsim_ok(&["staff", &path, "--format", "csv", "--out", &out.display().to_string()]);
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().clone();
    assert_eq!(&header[0], "interval");
    assert_eq!(r.records().count(), 2);
    assert_eq!(std::fs::read_to_string(out.join("staffing.csv")).unwrap(), text);
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(out.join("staffing.json")).unwrap()).unwrap();
    assert_eq!(saved["intervals"].as_array().unwrap().len(), 2);
    let table = ccsim_ok(&["staff", &path]);
    assert!(table.contains("team (paid)") && table.contains("08:00"), "{table}");
}
