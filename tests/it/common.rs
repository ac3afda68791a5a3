//! Helpers the behaviour modules share: build and simulate a scenario from text, and read
//! figures out of a summary.

use ccsim::summary::{Estimate, Metrics, Named};
use ccsim::{Model, Scenario, Summary};

/// A test that cannot run here (its data file or tool is missing) says why and passes,
/// unless `CCSIM_REQUIRE_ALL` is set (to anything but `0`): the environment is then
/// declared complete (`.ci/run` sets it) and a missing piece fails the test.
#[track_caller]
pub fn skip_or_fail(reason: &str) {
    if std::env::var("CCSIM_REQUIRE_ALL").is_ok_and(|v| !v.is_empty() && v != "0") {
        panic!("CCSIM_REQUIRE_ALL is set, but this test cannot run: {reason}");
    }
    eprintln!("SKIPPED: {reason} (with CCSIM_REQUIRE_ALL=1 this fails)");
}

/// A valid scenario's model (the test fails on an invalid one).
pub fn model(text: &str) -> Model {
    Model::build(&Scenario::parse("test.toml", text).expect("parses")).expect("valid")
}

/// Simulates `text` with its own replications on every core.
pub fn summary(text: &str) -> Summary {
    let model = model(text);
    Summary::new(&model, &ccsim::simulate(&model, 0, &|| {}).expect("runs"))
}

pub fn get(m: &Metrics, metric: &str) -> Estimate {
    m.get(metric).unwrap_or_else(|| panic!("no metric {metric}"))
}

pub fn mean(m: &Metrics, metric: &str) -> f64 {
    get(m, metric).mean.unwrap_or_else(|| panic!("{metric} undefined"))
}

pub fn ci(m: &Metrics, metric: &str) -> f64 {
    get(m, metric).ci95.expect("several replications")
}

/// The metrics of the call type, channel or group called `name`.
pub fn named<'a>(list: &'a [Named], name: &str) -> &'a Metrics {
    &list
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
        .metrics
}

/// The widest 95 % half-width at which a comparison of `metric` with an exact value still
/// means something: 0.5 points for a rate or occupancy, 1 point for the service level,
/// 5 % of the exact ASA or 0.5 s if more. Under [`agrees`] the tolerance 3·ci95 is then at
/// most 1.5 points, 3 points and 15 % (1.5 s) of ASA.
pub fn max_ci(metric: &str, exact: f64) -> f64 {
    match metric {
        "service_level" => 0.01,
        "asa_seconds" => (0.05 * exact).max(0.5),
        "answer_rate" | "abandon_rate" | "occupancy" | "fcr" | "escalation_rate" | "outsourced_share" => 0.005,
        _ => panic!("no standard width limit for {metric}: give one"),
    }
}

/// [`agrees`] with the standard width limit [`max_ci`].
#[track_caller]
pub fn agrees_exact(m: &Metrics, metric: &str, exact: f64, slack: f64) {
    agrees(m, metric, exact, slack, max_ci(metric, exact));
}

/// |simulated − expected| ≤ 3·ci95 + slack, and the interval no wider than `max_ci`
/// (so the comparison means something).
#[track_caller]
pub fn agrees(m: &Metrics, metric: &str, expected: f64, slack: f64, max_ci: f64) {
    let (got, half) = (mean(m, metric), ci(m, metric));
    assert!(
        (got - expected).abs() <= 3.0 * half + slack,
        "{metric}: simulated {got} ± {half}, expected {expected}"
    );
    assert!(half <= max_ci, "{metric}: interval ±{half} too wide to mean anything");
}

/// Runs the ccsim binary.
pub fn ccsim(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_ccsim"))
        .args(args)
        .output()
        .expect("the ccsim binary runs")
}

/// Runs ccsim, asserts exit code 0, returns its output.
#[track_caller]
pub fn ccsim_ok(args: &[&str]) -> std::process::Output {
    let out = ccsim(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "ccsim {args:?}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs ccsim, asserts exit code 2 with a message, returns stderr.
#[track_caller]
pub fn ccsim_fails(args: &[&str]) -> String {
    let out = ccsim(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "ccsim {args:?}\nstderr:\n{stderr}");
    assert!(!stderr.trim().is_empty(), "ccsim {args:?}: exit 2 without a message");
    stderr
}

/// Debian's chromium (or another Chromium) on PATH; `None` after `skip_or_fail`, which
/// fails under `.ci/run` (it installs chromium there). Installs nothing.
pub fn chromium_or_skip(test: &str) -> Option<std::path::PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::split_paths(&std::env::var_os("PATH")?)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        });
    if found.is_none() {
        skip_or_fail(&format!(
            "{test}: no chromium on PATH (`.ci/run` installs Debian's chromium; install it with `apt-get install chromium`)"
        ));
    }
    found
}

/// Makes a FIFO at `path`.
pub fn make_fifo(path: &std::path::Path) {
    let made = std::process::Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
}

/// Makes a FIFO at `path` and opens it for a reader that never reads: a writer finds
/// the pipe open, and then full. Kept open while the returned file lives.
pub fn fifo_with_stalled_reader(path: &std::path::Path) -> std::fs::File {
    use std::os::unix::fs::OpenOptionsExt;
    make_fifo(path);
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .unwrap()
}
