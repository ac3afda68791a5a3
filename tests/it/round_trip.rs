//! The round trip that proves the fit: a scenario whose truth we know is simulated with
//! `run --call-log`, the log is fitted back with `ccsim fit` (no flags: the header says
//! it is ccsim's), and the fitted arrivals, handle time and patience must recover the
//! truth within bounds computed from the sample sizes. Also: the call log itself (one row
//! per offered leg, the same bytes on any thread count, whole or absent), and a plain CSV
//! export of another switch read by naming its columns.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use statrs::distribution::{ContinuousCDF, Normal};

use crate::common::{ccsim_fails, ccsim_ok};

/// How `fit` reads the worked example's export (docs/examples/switch-export.csv): its
/// separator, columns and outcome values, named by flags.
const EXPORT_COLUMNS: [&str; 18] = [
    "--delimiter",
    ",",
    "--arrival-col",
    "Start",
    "--type-col",
    "Queue",
    "--wait-col",
    "WaitSec",
    "--outcome-col",
    "Result",
    "--served",
    "ANSWERED",
    "--abandoned",
    "ABANDONED",
    "--ignored",
    "VOICEMAIL",
    "--handle-col",
    "TalkSec",
];

/// What the round-trip scenario is made of: the figures the fit must recover.
struct Truth {
    interval_minutes: u32,
    intervals: usize,
    calls_per_interval: f64,
    agents: u32,
    handle_mean: f64,
    handle_cv: f64,
    /// After-call work: gamma with this mean and CV.
    wrap_up_mean: f64,
    wrap_up_cv: f64,
    patience_mean: f64,
    replications: u64,
}

impl Truth {
    fn scenario(&self) -> String {
        let repeat = |x: String| vec![x; self.intervals].join(", ");
        format!(
            r#"
            [scenario]
            name = "round-trip"
            start = "08:00"
            duration = "{duration}m"
            interval = "{interval}m"
            replications = {replications}
            seed = 7

            [[call_type]]
            name = "support"
            arrivals = {{ per_interval = [{arrivals}] }}
            handle_time = {{ dist = "lognormal", mean = {handle}, cv = {cv} }}
            wrap_up = {{ dist = "gamma", mean = {wrap_up}, cv = {wrap_up_cv} }}
            patience = {{ dist = "exponential", mean = {patience} }}

            [[agent_group]]
            name = "team"
            agents = [{agents}]
            skills = ["support"]
            "#,
            duration = self.interval_minutes as usize * self.intervals,
            interval = self.interval_minutes,
            replications = self.replications,
            arrivals = repeat(self.calls_per_interval.to_string()),
            handle = self.handle_mean,
            cv = self.handle_cv,
            wrap_up = self.wrap_up_mean,
            wrap_up_cv = self.wrap_up_cv,
            patience = self.patience_mean,
            agents = repeat(self.agents.to_string()),
        )
    }
}

/// The normal quantile that keeps the chance of any of `checks` two-sided comparisons
/// failing by chance below 1 in 1,000 (Bonferroni), stated before looking at the data.
fn z_for(checks: usize) -> f64 {
    let alpha = 0.001 / checks as f64;
    Normal::standard().inverse_cdf(1.0 - alpha / 2.0)
}

/// The standard error of the sample CV of `n` lognormal times of coefficient of
/// variation `cv` (delta method on the sample mean m and variance v, CV = √v / m):
/// n·Var ≈ σ⁴/μ⁴ + (μ₄ − σ⁴)/(4μ²σ²) − μ₃/μ³, with the lognormal's central moments for
/// μ = 1 and ω = 1 + cv²: σ² = ω − 1, μ₃ = (ω − 1)²(ω + 2), μ₄ = (ω − 1)²(ω⁴ + 2ω³ + 3ω² − 3).
fn lognormal_cv_standard_error(cv: f64, n: f64) -> f64 {
    let w = 1.0 + cv * cv;
    let var = w - 1.0;
    let m3 = var * var * (w + 2.0);
    let m4 = var * var * (w.powi(4) + 2.0 * w.powi(3) + 3.0 * w * w - 3.0);
    ((var * var + (m4 - var * var) / (4.0 * var) - m3) / n).sqrt()
}

/// `ccsim fit LOG` with `args`: the fitted scenario (TOML) and its text.
fn fit(log: &Path, args: &[&str]) -> (toml::Value, String) {
    let log = log.display().to_string();
    let mut all = vec!["fit", log.as_str()];
    all.extend_from_slice(args);
    let out = ccsim_ok(&all);
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    (toml::from_str(&text).expect("the fitted scenario is TOML"), text)
}

/// The exponential patience and its abandons in the fitted scenario's comment on a call
/// type, `# NAME: … patience exponential mean M s (N abandons over …` (given whichever
/// distribution the scenario writes).
fn patience_in_comment(text: &str, name: &str) -> (f64, f64) {
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("# {name}: ")))
        .expect("a comment on the call type");
    let after = line
        .split("patience exponential mean ")
        .nth(1)
        .expect("the exponential patience");
    let mean = after.split(' ').next().and_then(|m| m.parse().ok()).expect("a mean");
    let abandons = after
        .split(" abandons over ")
        .next()
        .and_then(|b| b.rsplit('(').next())
        .and_then(|n| n.trim().parse().ok())
        .expect("a count of abandons");
    (mean, abandons)
}

fn write_scenario(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("scenario.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// The rows of a call log, as maps from column to cell.
fn rows(log: &Path) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(log).expect("a CSV file");
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    reader
        .records()
        .map(|r| {
            let r = r.expect("a CSV row");
            header.iter().cloned().zip(r.iter().map(String::from)).collect()
        })
        .collect()
}

#[test]
fn a_simulated_call_log_fits_back_to_the_truth() {
    let truth = Truth {
        interval_minutes: 30,
        intervals: 16,
        calls_per_interval: 100.0,
        agents: 10,
        handle_mean: 180.0,
        handle_cv: 0.8,
        wrap_up_mean: 20.0,
        wrap_up_cv: 0.5,
        patience_mean: 120.0,
        replications: 20,
    };
    let dir = tempfile::tempdir().unwrap();
    let scenario = write_scenario(dir.path(), &truth.scenario());
    let log = dir.path().join("calls.csv");
    ccsim_ok(&[
        "run",
        &scenario.display().to_string(),
        "--call-log",
        &log.display().to_string(),
    ]);
    // Every date of the log (replication r is the date 2000-01-01 + r: one day each).
    let (fitted, text) = fit(&log, &["--interval", "30m", "--days", "2000-01-01..2000-12-31"]);
    assert!(text.contains("20 days ("), "{}", &text[..300]);
    let s = &fitted["scenario"];
    assert_eq!(s["start"].as_str(), Some("08:00"));
    assert_eq!(s["duration"].as_integer(), Some(30 * 60 * 16));
    let types = fitted["call_type"].as_array().unwrap();
    assert_eq!(types.len(), 1, "{text}");
    let support = &types[0];
    assert_eq!(support["name"].as_str(), Some("support"));

    // Stated before the data: 16 interval volumes, the day's volume, the handle-time
    // mean and CV, the patience mean. Each bound adds half the last digit the fitted
    // scenario writes (and the log's millisecond rounding), its resolution, not a slack.
    let z = z_for(truth.intervals + 5);
    let days = truth.replications as f64;

    // Arrivals: each interval's count over the days is Poisson(λ·days).
    let per_interval: Vec<f64> = support["arrivals"]["per_interval"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_float().unwrap())
        .collect();
    assert_eq!(per_interval.len(), truth.intervals);
    let lambda = truth.calls_per_interval;
    for (k, &got) in per_interval.iter().enumerate() {
        let bound = z * (lambda / days).sqrt() + 0.0005;
        assert!(
            (got - lambda).abs() <= bound,
            "interval {k}: {got} calls, truth {lambda} ± {bound:.3}"
        );
    }
    let day: f64 = per_interval.iter().sum();
    let day_truth = lambda * truth.intervals as f64;
    let bound = z * (day_truth / days).sqrt() + 0.0005 * truth.intervals as f64;
    assert!(
        (day - day_truth).abs() <= bound,
        "day: {day} calls, truth {day_truth} ± {bound:.2}"
    );

    // Handle time: the served calls' talk times are a sample of the truth (drawn before
    // and independently of being served). The truth is lognormal, and so is the fit.
    let handle = &support["handle_time"];
    assert_eq!(handle["dist"].as_str(), Some("lognormal"), "{text}");
    let served = rows(&log).iter().filter(|r| r["outcome"] == "served").count() as f64;
    let (mean, cv) = (handle["mean"].as_float().unwrap(), handle["cv"].as_float().unwrap());
    let bound = z * truth.handle_mean * truth.handle_cv / served.sqrt() + 0.05 + 0.0005;
    assert!(
        (mean - truth.handle_mean).abs() <= bound,
        "handle-time mean {mean}, truth {} ± {bound:.2} ({served} served)",
        truth.handle_mean
    );
    let bound = z * lognormal_cv_standard_error(truth.handle_cv, served) + 0.00005;
    assert!(
        (cv - truth.handle_cv).abs() <= bound,
        "handle-time CV {cv}, truth {} ± {bound:.4}",
        truth.handle_cv
    );

    // After-call work, from the log's `wrap_up_seconds`: its mean, with the same bound.
    let wrap_up = &support["wrap_up"];
    let mean = wrap_up["mean"].as_float().expect("a fitted wrap-up mean");
    let bound = z * truth.wrap_up_mean * truth.wrap_up_cv / served.sqrt() + 0.05 + 0.0005;
    assert!(
        (mean - truth.wrap_up_mean).abs() <= bound,
        "wrap-up mean {mean}, truth {} ± {bound:.2} ({served} served)",
        truth.wrap_up_mean
    );
    assert!(
        text.contains("after-call work "),
        "the comment names the wrap-up's family"
    );

    // Patience: the exponential maximum-likelihood mean from censored waits, whose
    // standard error is mean / √abandons.
    let (patience, abandons) = patience_in_comment(&text, "support");
    assert!(abandons > 1000.0, "too few abandons to check patience: {abandons}");
    let bound = z * truth.patience_mean / abandons.sqrt() + 0.05 + 0.0005;
    assert!(
        (patience - truth.patience_mean).abs() <= bound,
        "patience mean {patience}, truth {} ± {bound:.2} ({abandons} abandons)",
        truth.patience_mean
    );
    assert_eq!(support.get("priority"), None, "priority 0 does not jump the queue");
    // Staffing: fit infers the agents on duty from what callers experienced (effective
    // capacity, by simulation). Agents are whole, and one agent more or fewer moves an
    // interval's abandon rate by about its standard error over 20 days, so each interval
    // is within one agent of the truth, and most are exact.
    let agents: Vec<i64> = fitted["agent_group"][0]["agents"]
        .as_array()
        .expect("agents per interval")
        .iter()
        .map(|a| a.as_integer().unwrap())
        .collect();
    let truth_agents = truth.agents as i64;
    assert!(
        agents.iter().all(|&a| (a - truth_agents).abs() <= 1),
        "agents {agents:?}, truth {truth_agents}"
    );
    let exact = agents.iter().filter(|&&a| a == truth_agents).count();
    assert!(2 * exact >= agents.len(), "agents {agents:?}, truth {truth_agents}");
    assert!(text.contains("Effective capacity, not a roster"));

    // The default `--days busy` takes every simulated date too: they are all alike.
    let (busy, _) = fit(&log, &["--interval", "30m"]);
    assert_eq!(busy["call_type"][0]["arrivals"], support["arrivals"]);
}

/// A two-tier help desk (escalations and repeat calls) and a retail day (redials): legs
/// of every kind.
const MIXED: [&str; 2] = ["scenarios/two-tier-helpdesk.toml", "scenarios/retail-helpdesk.toml"];

fn scenario_path(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(name).display().to_string()
}

#[test]
fn the_call_log_is_the_same_bytes_whatever_the_threads() {
    let dir = tempfile::tempdir().unwrap();
    for name in MIXED {
        let logs: Vec<Vec<u8>> = ["1", "2"]
            .iter()
            .map(|threads| {
                let log = dir.path().join(format!("calls-{threads}.csv"));
                ccsim_ok(&[
                    "run",
                    &scenario_path(name),
                    "--replications",
                    "3",
                    "--threads",
                    threads,
                    "--call-log",
                    &log.display().to_string(),
                ]);
                std::fs::read(&log).unwrap()
            })
            .collect();
        assert!(logs[0].len() > 1000, "{name}: a log");
        assert!(
            logs[0] == logs[1],
            "{name}: the call log differs between 1 and 2 threads"
        );
    }
    // Only the logs are left: no part or temporary file.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

fn count(summary_list: &serde_json::Value, metric: &str, replications: f64) -> u64 {
    let sum: f64 = summary_list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c[metric]["mean"].as_f64().unwrap())
        .sum();
    (sum * replications).round() as u64
}

#[test]
fn the_call_log_has_a_row_for_every_leg_the_summary_counts_as_offered() {
    let dir = tempfile::tempdir().unwrap();
    let replications = 4.0;
    for name in MIXED {
        let log = dir.path().join("calls.csv");
        let out = ccsim_ok(&[
            "run",
            &scenario_path(name),
            "--replications",
            "4",
            "--format",
            "json",
            "--call-log",
            &log.display().to_string(),
        ]);
        let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let rows = rows(&log);
        let legs = |pred: &dyn Fn(&BTreeMap<String, String>) -> bool| rows.iter().filter(|r| pred(r)).count() as u64;
        // Each call type counts every leg offered to its queue, transfers in included.
        let call_types = &summary["call_types"];
        assert_eq!(rows.len() as u64, count(call_types, "offered", replications), "{name}");
        assert_eq!(
            legs(&|r| r["outcome"] == "served"),
            count(call_types, "answered", replications)
        );
        assert_eq!(
            legs(&|r| r["outcome"] == "abandoned"),
            count(call_types, "abandoned", replications)
        );
        assert_eq!(
            legs(&|r| r["outcome"] == "unfinished"),
            count(call_types, "unfinished", replications)
        );
        // The totals count customer contacts: every leg but transfers (redials and
        // repeat calls are new contacts).
        let totals = (summary["totals"]["offered"]["mean"].as_f64().unwrap() * replications).round() as u64;
        assert_eq!(legs(&|r| r["leg"] != "transfer"), totals, "{name}");
        let kinds: std::collections::BTreeSet<&str> = rows.iter().map(|r| r["leg"].as_str()).collect();
        assert!(kinds.contains("new") && kinds.len() >= 2, "{name}: legs {kinds:?}");
        // Each replication has dates of its own, and every leg has its date.
        for r in &rows {
            let replication: u32 = r["replication"].parse().unwrap();
            assert!(r["arrival"].starts_with(&format!("{}T", r["date"])), "{r:?}");
            let date = chrono::NaiveDate::parse_from_str(&r["date"], "%Y-%m-%d").unwrap();
            let first = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
            assert_eq!(
                (date - first).num_days(),
                i64::from(replication - 1),
                "{name}: one date a replication"
            );
            let served = r["outcome"] == "served";
            assert_eq!(r["group"].is_empty(), !served, "{r:?}");
            assert!(served || r["talk_seconds"] == "0.000", "{r:?}");
        }
    }
}

#[test]
fn legs_still_waiting_at_the_drain_limit_are_unfinished_and_fit_reads_them() {
    // One agent for ten times the work, callers who never hang up, a one-minute drain.
    let text = r#"
        [scenario]
        name = "swamped"
        start = "09:00"
        duration = "1h"
        drain_limit = "1m"
        replications = 2

        [[call_type]]
        name = "billing"
        arrivals = { per_hour = 120 }
        handle_time = { dist = "exponential", mean = "5m" }
        priority = 2

        [[agent_group]]
        name = "solo"
        agents = 1
        skills = ["billing"]
    "#;
    let dir = tempfile::tempdir().unwrap();
    let scenario = write_scenario(dir.path(), text);
    let log = dir.path().join("calls.csv");
    let out = ccsim_ok(&[
        "run",
        &scenario.display().to_string(),
        "--format",
        "json",
        "--call-log",
        &log.display().to_string(),
    ]);
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows(&log);
    let unfinished = rows.iter().filter(|r| r["outcome"] == "unfinished").count() as u64;
    assert!(unfinished > 100);
    assert_eq!(unfinished, count(&summary["call_types"], "unfinished", 2.0));
    assert!(rows.iter().all(|r| r["priority"] == "2"));
    // Fit reads the log as it is: unfinished calls are offered, with no abandon.
    let (fitted, text) = fit(&log, &["--interval", "30m"]);
    let billing = &fitted["call_type"][0];
    assert_eq!(
        billing["name"].as_str(),
        Some("billing_priority"),
        "a priority above 0 jumps the queue"
    );
    assert_eq!(billing["priority"].as_integer(), Some(1));
    let offered: f64 = billing["arrivals"]["per_interval"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_float().unwrap())
        .sum();
    assert!(
        (offered * 2.0 - rows.len() as f64).abs() < 0.01,
        "{offered} a day, {} rows",
        rows.len()
    );
    assert!(text.contains("no abandons, so no patience"), "{text}");
    // Named as the bank's log, it is refused with the column it lacks.
    let err = ccsim_fails(&[
        "fit",
        &log.display().to_string(),
        "--log-format",
        "bank",
        "--delimiter",
        ",",
    ]);
    assert!(err.contains("no column `vru_exit`"), "{err}");
}

#[test]
fn shards_write_the_call_log_of_their_replications() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenario_path(MIXED[0]);
    let path = |name: &str| dir.path().join(name).display().to_string();
    ccsim_ok(&[
        "run",
        &scenario,
        "--replications",
        "5",
        "--call-log",
        &path("whole.csv"),
    ]);
    for k in ["1/2", "2/2"] {
        let log = path(&format!("part-{}.csv", &k[..1]));
        ccsim_ok(&[
            "run",
            &scenario,
            "--replications",
            "5",
            "--shard",
            k,
            "--out",
            &path("parts"),
            "--call-log",
            &log,
        ]);
    }
    let whole = std::fs::read_to_string(path("whole.csv")).unwrap();
    let first = std::fs::read_to_string(path("part-1.csv")).unwrap();
    let second = std::fs::read_to_string(path("part-2.csv")).unwrap();
    let (_, rest) = second.split_once('\n').unwrap();
    assert_eq!(
        whole,
        first + rest,
        "the shards' logs, second header left out, are the whole log"
    );
}

#[test]
fn a_call_log_that_cannot_be_written_leaves_nothing_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenario_path(MIXED[0]);
    // A folder that does not exist: said before simulating.
    let missing = dir.path().join("no-such-folder").join("calls.csv");
    let err = ccsim_fails(&["run", &scenario, "--call-log", &missing.display().to_string()]);
    assert!(err.contains("--call-log") && err.contains("no-such-folder"), "{err}");
    assert!(!missing.exists());
    // A name taken by a folder: found only at the end, when the log would replace it;
    // the parts and the temporary log are removed.
    let taken = dir.path().join("taken");
    std::fs::create_dir(&taken).unwrap();
    let err = ccsim_fails(&[
        "run",
        &scenario,
        "--replications",
        "3",
        "--call-log",
        &taken.display().to_string(),
    ]);
    assert!(err.contains("--call-log"), "{err}");
    assert!(taken.is_dir());
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, vec!["taken".to_owned()], "temporary files left behind");
    // The scenario itself is never overwritten.
    let copy = write_scenario(dir.path(), &std::fs::read_to_string(&scenario).unwrap());
    let before = std::fs::read(&copy).unwrap();
    let err = ccsim_fails(&[
        "run",
        &copy.display().to_string(),
        "--call-log",
        &copy.display().to_string(),
    ]);
    assert!(err.contains("would overwrite the input"), "{err}");
    assert_eq!(std::fs::read(&copy).unwrap(), before);
}

/// The example export of `docs/calibration.md`.
fn switch_export() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/examples/switch-export.csv")
}

#[test]
fn a_plain_csv_export_with_iso_times_is_read_by_naming_its_columns() {
    let export = switch_export();
    // Figures computed here from the raw rows: offered (served or abandoned; voicemail
    // ignored), the served calls' talk times, the abandoned calls' count and everyone's
    // waits.
    let text = std::fs::read_to_string(&export).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (mut offered, mut talks, mut waited, mut abandons) = (0usize, Vec::new(), 0.0, 0usize);
    let mut per_date: BTreeMap<String, usize> = BTreeMap::new();
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let result = f[col("Result")];
        if result == "VOICEMAIL" {
            continue;
        }
        offered += 1;
        *per_date.entry(f[col("Start")][..10].to_owned()).or_default() += 1;
        waited += f[col("WaitSec")].parse::<f64>().unwrap();
        match result {
            "ANSWERED" => talks.push(f[col("TalkSec")].parse::<f64>().unwrap()),
            "ABANDONED" => abandons += 1,
            other => panic!("unexpected result {other}"),
        }
    }
    let talk_mean = talks.iter().sum::<f64>() / talks.len() as f64;
    let mut args = EXPORT_COLUMNS.to_vec();
    args.extend([
        "--agent-col",
        "Agent",
        "--interval",
        "1h",
        "--days",
        "2024-03-05..2024-03-06",
    ]);
    let (fitted, scenario) = fit(&export, &args);
    assert_eq!(per_date.len(), 2);
    assert!(
        scenario.contains(&format!("{} calls asked for an agent", offered)),
        "{scenario}"
    );
    assert!(scenario.contains("2 ignored"), "{scenario}");
    // Too few calls for two types: both queues are one, `other`, holding every call.
    let types = fitted["call_type"].as_array().unwrap();
    assert_eq!(types.len(), 1);
    let other = &types[0];
    assert!(scenario.contains(&format!("# other: {offered} calls")), "{scenario}");
    let per_interval: f64 = other["arrivals"]["per_interval"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_float().unwrap())
        .sum();
    assert!(
        (per_interval * 2.0 - offered as f64).abs() < 0.01,
        "{per_interval} a day over 2 days"
    );
    // The talk times' mean is kept (the scenario writes the sample mean to 0.1 s).
    assert!(
        scenario.contains(&format!("sample mean {talk_mean:.1} s")),
        "sample mean {talk_mean:.1}: {scenario}"
    );
    let h = &other["handle_time"];
    let fitted_mean = match h["dist"].as_str() {
        Some("weibull") => {
            let (shape, scale) = (h["shape"].as_float().unwrap(), h["scale"].as_float().unwrap());
            scale * statrs::function::gamma::gamma(1.0 + 1.0 / shape)
        }
        _ => h["mean"].as_float().unwrap(),
    };
    assert!(
        (fitted_mean - talk_mean).abs() <= 0.01 * talk_mean,
        "{fitted_mean} vs {talk_mean}"
    );
    let patience = other["patience"]["mean"].as_float().unwrap();
    assert!((patience - waited / abandons as f64).abs() <= 0.05 + 1e-9, "{patience}");
    // The agents the export names were seen serving.
    assert!(scenario.contains("# Agents who served in each interval"), "{scenario}");

    // A column named by a flag must be there; one the export lacks is said.
    let err = ccsim_fails(&[
        "fit",
        &export.display().to_string(),
        "--delimiter",
        ",",
        "--arrival-col",
        "Begin",
    ]);
    assert!(err.contains("no column `Begin`"), "{err}");
    // A clock time without a date column names the line and the column.
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.csv");
    std::fs::write(&broken, text.replacen("2024-03-05 08:07:45", "08:07:45", 1)).unwrap();
    let broken = broken.display().to_string();
    let mut args = vec!["fit", broken.as_str()];
    args.extend(EXPORT_COLUMNS);
    let err = ccsim_fails(&args);
    assert!(
        err.contains(&format!("{}:3: column `Start`: expected a date-time", broken)),
        "{err}"
    );
}

/// Writing the call log changes nothing else: the report is the same bytes.
#[test]
fn the_report_is_the_same_with_or_without_a_call_log() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("calls.csv").display().to_string();
    for name in MIXED {
        let args = ["run", &scenario_path(name), "--replications", "3", "--format", "json"];
        let without = ccsim_ok(&args).stdout;
        let mut with_log = args.to_vec();
        with_log.extend(["--call-log", log.as_str()]);
        assert!(ccsim_ok(&with_log).stdout == without, "{name}");
    }
}
