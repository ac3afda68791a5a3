//! Forecasts as planners have them: per interval from a CSV export, handle times that
//! change through the day, several days, empirical distributions, and forecast error
//! (a random day-level volume multiplier, for the whole centre and per call type) that
//! shows the risk of a busy day.

use std::path::Path;

use ccsim::report::json::to_json;
use ccsim::stats::call;
use ccsim::{Error, Model, Scenario, Summary};
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

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

/// One hour, two call types of 1,000 expected calls each, each with its own group (so
/// neither's figures depend on the other's). `SALES_KEYS` and `SCENARIO_KEYS` stand for
/// keys under test.
const TWO_TYPES_ONE_HOUR: &str = r#"
[scenario]
name = "own forecast error"
duration = "1h"
interval = "1h"
replications = 400
seed = 5
SCENARIO_KEYS

[[call_type]]
name = "sales"
arrivals = { per_interval = [1000] }
handle_time = { dist = "exponential", mean = "3m" }
patience = { dist = "exponential", mean = "2m" }
SALES_KEYS

[[call_type]]
name = "service"
arrivals = { per_interval = [1000] }
handle_time = { dist = "exponential", mean = "3m" }
patience = { dist = "exponential", mean = "2m" }

[[agent_group]]
name = "sales team"
agents = 50
skills = ["sales"]

[[agent_group]]
name = "service team"
agents = 50
skills = ["service"]
"#;

fn two_types(scenario_keys: &str, sales_keys: &str) -> Model {
    let text = TWO_TYPES_ONE_HOUR
        .replace("SCENARIO_KEYS", scenario_keys)
        .replace("SALES_KEYS", sales_keys);
    Model::build(&Scenario::parse("t.toml", &text).unwrap()).unwrap()
}

/// The contacts of call type `name` offered in each replication of `model`.
fn offered_per_replication(model: &Model, name: &str) -> Vec<u64> {
    let ct = model.call_type_id(name).expect("a call type").0 as usize;
    (0..model.replications)
        .map(|r| {
            let stats = ccsim::engine::run_replication(model, r);
            (0..model.clock.intervals)
                .map(|i| stats.call_cell_ref(i, ct)[call::OFFERED])
                .sum()
        })
        .collect()
}

/// Variance and excess kurtosis of a day's count of Poisson arrivals of mean `m` whose
/// rate is multiplied by independent gamma factors of mean 1 and the CVs `cvs`. From the
/// factorial moments E[N(N−1)…(N−k+1)] = m^k·E[Λ^k], Λ the product of the factors, with
/// E[G^k] = ∏_{j<k} (1 + j·cv²) for a gamma factor G.
fn mixed_poisson(m: f64, cvs: &[f64]) -> (f64, f64) {
    let factorial = |k: u32| {
        let factors: f64 = cvs
            .iter()
            .map(|cv| (0..k).map(|j| 1.0 + f64::from(j) * cv * cv).product::<f64>())
            .product();
        m.powi(k as i32) * factors
    };
    let (f1, f2, f3, f4) = (factorial(1), factorial(2), factorial(3), factorial(4));
    // Raw moments (Stirling numbers of the second kind).
    let (e1, e2, e3, e4) = (f1, f2 + f1, f3 + 3.0 * f2 + f1, f4 + 6.0 * f3 + 7.0 * f2 + f1);
    let variance = e2 - e1 * e1;
    let fourth = e4 - 4.0 * e1 * e3 + 6.0 * e1 * e1 * e2 - 3.0 * e1.powi(4);
    (variance, fourth / (variance * variance) - 3.0)
}

/// The replications' counts have the mean `m` and the variance the model implies, each
/// within its 99.9 % sampling range for this many replications: the mean by the normal
/// law, the variance by a chi-square whose degrees of freedom match the variance of a
/// sample variance of counts with this kurtosis, σ⁴·(2/(n−1) + κ/n) (Satterthwaite).
#[track_caller]
fn has_mean_and_variance(counts: &[u64], m: f64, variance: f64, kurtosis: f64) {
    let n = counts.len() as f64;
    let mean = counts.iter().sum::<u64>() as f64 / n;
    let sample_variance = counts.iter().map(|&c| (c as f64 - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let z = Normal::standard().inverse_cdf(0.9995);
    assert!(
        (mean - m).abs() <= z * (variance / n).sqrt(),
        "mean {mean} vs {m} (variance {variance}, {n} replications)"
    );
    let freedom = 2.0 / (2.0 / (n - 1.0) + kurtosis / n);
    let chi_square = ChiSquared::new(freedom).unwrap();
    let (low, high) = (
        chi_square.inverse_cdf(0.0005) / freedom,
        chi_square.inverse_cdf(0.9995) / freedom,
    );
    let ratio = sample_variance / variance;
    eprintln!(
        "variance {sample_variance:.0} vs {variance:.0} implied: ratio {ratio:.3}, 99.9 % range {low:.3} to {high:.3}"
    );
    assert!(
        (low..=high).contains(&ratio),
        "variance {sample_variance} vs {variance}: ratio {ratio} outside {low}..{high}"
    );
}

/// A call type's own forecast error: its daily volume has variance m + cv²·m², and on top
/// of the scenario's factor (cvₛ) (1 + cv²)(1 + cvₛ²)·m² − m² + m, while the other call
/// type keeps the scenario's alone.
#[test]
fn a_call_types_own_forecast_error_gives_the_variance_it_implies() {
    let m = 1000.0;
    let own = two_types("", "forecast_error = { cv = 0.1 }");
    let (variance, kurtosis) = mixed_poisson(m, &[0.1]);
    assert!((variance - (m + 0.01 * m * m)).abs() < 1e-6 * variance);
    has_mean_and_variance(&offered_per_replication(&own, "sales"), m, variance, kurtosis);
    let (variance, kurtosis) = mixed_poisson(m, &[]);
    has_mean_and_variance(&offered_per_replication(&own, "service"), m, variance, kurtosis);

    let both = two_types("forecast_error = { cv = 0.05 }", "forecast_error = { cv = 0.1 }");
    let (variance, kurtosis) = mixed_poisson(m, &[0.1, 0.05]);
    has_mean_and_variance(&offered_per_replication(&both, "sales"), m, variance, kurtosis);
    let (variance, kurtosis) = mixed_poisson(m, &[0.05]);
    has_mean_and_variance(&offered_per_replication(&both, "service"), m, variance, kurtosis);
}

/// A call type's own factor is drawn from a stream keyed by its name: giving one call type
/// a forecast error changes no draw of another, whose figures stay the same bytes.
#[test]
fn a_call_types_own_forecast_error_leaves_other_call_types_unchanged() {
    for scenario_keys in ["", "forecast_error = { cv = 0.05 }"] {
        let (plain, own) = (
            two_types(scenario_keys, ""),
            two_types(scenario_keys, "forecast_error = { cv = 0.1 }"),
        );
        assert_eq!(
            offered_per_replication(&plain, "service"),
            offered_per_replication(&own, "service")
        );
        assert_ne!(
            offered_per_replication(&plain, "sales"),
            offered_per_replication(&own, "sales")
        );
        let service = |model: &Model| {
            let json: serde_json::Value = serde_json::from_str(&to_json(&summary_of(model))).unwrap();
            let entry = |list: &str| {
                json[list]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|c| c["name"] == "service" || c["name"] == "service team")
                    .unwrap()
                    .to_string()
            };
            (entry("call_types"), entry("groups"))
        };
        assert_eq!(service(&plain), service(&own));
    }
}

#[test]
fn a_call_types_forecast_error_of_zero_changes_no_byte() {
    let (plain, zero) = (two_types("", ""), two_types("", "forecast_error = { cv = 0 }"));
    assert_eq!(to_json(&summary_of(&plain)), to_json(&summary_of(&zero)));
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

/// An average handle time of 0 names its interval (and the row a CSV column would have).
#[test]
fn a_zero_average_handle_time_names_its_interval() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("aht.toml");
    std::fs::write(
        &file,
        "[scenario]\nname = \"aht zero\"\nduration = \"2h\"\ninterval = \"30m\"\n\n[[call_type]]\nname = \"a\"\n\
         arrivals = { per_interval = [10, 10, 10, 10], aht_per_interval = [180, 0, 180, 180] }\n\
         handle_time = { dist = \"exponential\", mean = \"3m\" }\n\n[[agent_group]]\nname = \"g\"\nagents = 3\nskills = [\"a\"]\n",
    )
    .unwrap();
    let err = crate::common::ccsim_fails(&["validate", &file.display().to_string()]);
    assert!(
        err.contains("call_type[0].arrivals.aht_per_interval: average handle times must be > 0 seconds and at most a year: interval 2 (00:30; row 3 of a CSV column) has 0"),
        "{err}"
    );
}
