//! Forecasts as planners have them: per interval from a CSV export, handle times that
//! change through the day, several days, empirical distributions, and forecast error
//! (a random day-level volume multiplier) that shows the risk of a busy day.

use std::path::Path;

use ccsim::report::json::to_json;
use ccsim::{Error, Model, Scenario, Summary};

fn summary_of(model: &Model) -> Summary {
    Summary::new(model, &ccsim::simulate(model, 0, &|| {}).expect("runs"))
}

fn load(path: &Path) -> Result<Model, Error> {
    Model::build(&Scenario::load(path)?)
}

const DAY: &str = r#"
[scenario]
name = "csv day"
start = "08:00"
duration = "2h"
interval = "30m"
replications = 6

[[call_type]]
name = "billing"
ARRIVALS
handle_time = { dist = "exponential", mean = "4m" }
patience = { dist = "exponential", mean = "2m" }

[[agent_group]]
name = "team"
agents = 12
skills = ["billing"]
"#;

const FORECAST_CSV: &str =
    "interval,billing,billing_aht,orders\n08:00,80,200,10\n08:30,120,240,12\n09:00,150,260,14\n09:30,90,220,9\n";

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_csv_forecast_equals_the_same_numbers_inline() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "forecast.csv", FORECAST_CSV);
    let from_csv = write(
        dir.path(),
        "csv.toml",
        &DAY.replace(
            "ARRIVALS",
            r#"arrivals = { csv = "forecast.csv", column = "billing", aht_column = "billing_aht" }"#,
        ),
    );
    let inline = write(
        dir.path(),
        "inline.toml",
        &DAY.replace(
            "ARRIVALS",
            "arrivals = { per_interval = [80, 120, 150, 90], aht_per_interval = [200, 240, 260, 220] }",
        ),
    );
    let (a, b) = (
        summary_of(&load(&from_csv).unwrap()),
        summary_of(&load(&inline).unwrap()),
    );
    assert_eq!(to_json(&a), to_json(&b));
}

#[test]
fn csv_problems_name_the_file_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "forecast.csv", "interval,billing\n08:00,80\n08:30,lots\n");
    let misspelt = write(
        dir.path(),
        "a.toml",
        &DAY.replace("ARRIVALS", r#"arrivals = { csv = "forecast.csv", column = "biling" }"#),
    );
    let message = load(&misspelt).unwrap_err().to_string();
    assert!(
        message.contains("has no column `biling`") && message.contains("did you mean `billing`?"),
        "{message}"
    );
    let bad_cell = write(
        dir.path(),
        "b.toml",
        &DAY.replace("ARRIVALS", r#"arrivals = { csv = "forecast.csv", column = "billing" }"#),
    );
    let message = load(&bad_cell).unwrap_err().to_string();
    assert!(
        message.contains("row 3, column `billing`: `lots` is not a number"),
        "{message}"
    );
    assert!(
        message.contains("b.toml:11:45: call_type[0].arrivals.column"),
        "{message}"
    );
    let missing = write(
        dir.path(),
        "c.toml",
        &DAY.replace("ARRIVALS", r#"arrivals = { csv = "nowhere.csv", column = "billing" }"#),
    );
    let message = load(&missing).unwrap_err().to_string();
    assert!(
        message.contains("cannot read") && message.contains("nowhere.csv"),
        "{message}"
    );
}

#[test]
fn the_average_handle_time_of_each_interval_is_honoured() {
    let text = DAY
        .replace(
            "ARRIVALS",
            "arrivals = { per_interval = [40, 40, 40, 40], aht_per_interval = [60, 240, 120, 30] }",
        )
        .replace(
            r#"{ dist = "exponential", mean = "4m" }"#,
            r#"{ dist = "constant", value = "2m" }"#,
        );
    let m = Model::build(&Scenario::parse("t.toml", &text).unwrap()).unwrap();
    let s = summary_of(&m);
    let aht: Vec<f64> = s
        .intervals
        .iter()
        .map(|i| i.metrics.get("aht_seconds").unwrap().mean.unwrap())
        .collect();
    assert_eq!(aht, vec![60.0, 240.0, 120.0, 30.0]);
}

#[test]
fn empirical_handle_times_draw_from_the_samples() {
    let text = DAY
        .replace("ARRIVALS", "arrivals = { per_hour = 60 }")
        .replace(
            r#"{ dist = "exponential", mean = "4m" }"#,
            r#"{ dist = "empirical", samples = [60, 60, 180] }"#,
        )
        .replace("replications = 6", "replications = 40");
    let m = Model::build(&Scenario::parse("t.toml", &text).unwrap()).unwrap();
    let aht = summary_of(&m).totals.get("aht_seconds").unwrap();
    assert!((aht.mean.unwrap() - 100.0).abs() <= 3.0 * aht.ci95.unwrap(), "{aht:?}");
}

#[test]
fn forecast_error_makes_busy_days_and_keeps_the_average() {
    let base = DAY
        .replace("ARRIVALS", "arrivals = { per_interval = [300, 300, 300, 300] }")
        .replace("replications = 6", "replications = 200");
    let with_error = base.replace(
        "replications = 200",
        "replications = 200\nforecast_error = { cv = 0.2 }",
    );
    let offered = |text: &str| {
        let m = Model::build(&Scenario::parse("t.toml", text).unwrap()).unwrap();
        summary_of(&m).totals.get("offered").unwrap()
    };
    let (plain, noisy) = (offered(&base), offered(&with_error));
    // Poisson alone: sd √1200 ≈ 35 calls a day; with a 20 % day multiplier ≈ 240.
    let ratio = noisy.ci95.unwrap() / plain.ci95.unwrap();
    assert!((4.5..9.0).contains(&ratio), "ci ratio {ratio}: {plain:?} vs {noisy:?}");
    assert!((noisy.mean.unwrap() - 1200.0).abs() <= 3.0 * noisy.ci95.unwrap());
}

#[test]
fn a_horizon_past_midnight_labels_intervals_with_their_day() {
    let text = DAY
        .replace("start = \"08:00\"", "start = \"23:00\"")
        .replace("ARRIVALS", "arrivals = { per_hour = 30 }")
        .replace("replications = 6", "replications = 2");
    let m = Model::build(&Scenario::parse("t.toml", &text).unwrap()).unwrap();
    let labels: Vec<String> = summary_of(&m).intervals.iter().map(|i| i.start.clone()).collect();
    assert_eq!(labels, ["d1 23:00", "d1 23:30", "d2 00:00", "d2 00:30"]);
}
