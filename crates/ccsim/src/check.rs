//! `ccsim check`: scenario files as regression tests for CI.
//!
//! Every scenario found is simulated and its `[[expect]]` tables are judged on the mean
//! over replications. With a baseline (summaries of an earlier run, as `run --out` or
//! `check --save-baseline` write them), every metric of the totals, call types, channels
//! and groups is also compared with its earlier value by Welch's t-test on the two
//! confidence intervals, and the p-values of a scenario are corrected for the number of
//! metrics compared with Holm's method, so that noise alone rarely raises a flag (the
//! chance of any false flag per scenario stays below 5 %) while a real change shows even
//! where no expectation was written.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::Value;
use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::error::Error;
use crate::model::Expectation;
use crate::stats::{CALL_METRICS, GROUP_METRICS, Measure, MetricDef, call};
use crate::summary::{Estimate, Summary, t975};
use crate::{Model, Scenario};

/// Adjusted p-values below this flag a change.
pub const FAMILY_ERROR: f64 = 0.05;

/// One expectation judged.
#[derive(Debug, Clone)]
pub struct ExpectationResult {
    pub description: String,
    pub line: usize,
    pub estimate: Option<Estimate>,
    pub passed: bool,
    /// Why it failed (empty when it held).
    pub message: String,
    /// More than the message holds, one line each (for `interval = "*"`: every failing
    /// interval with its figure and bound); empty when the message says it all.
    pub detail: String,
}

/// One metric compared with the baseline.
#[derive(Debug, Clone)]
pub struct Change {
    /// E.g. `call_types[sales].answer_rate`.
    pub metric: String,
    pub before: Estimate,
    pub after: Estimate,
    pub p_value: f64,
    /// Holm-adjusted.
    pub adjusted: f64,
}

impl Change {
    pub fn flagged(&self) -> bool {
        self.adjusted < FAMILY_ERROR
    }
}

/// What became of one scenario file.
#[derive(Debug, Clone)]
pub struct ScenarioResult {
    pub file: PathBuf,
    /// The name under which its baseline is stored.
    pub key: String,
    pub name: String,
    pub seconds: f64,
    pub replications: u64,
    /// The file could not be read or validated: the message.
    pub error: Option<String>,
    pub expectations: Vec<ExpectationResult>,
    /// Compared metrics (empty without a baseline), and whether a baseline was found.
    pub changes: Vec<Change>,
    pub baseline: Option<PathBuf>,
    /// With `--baseline`, the baseline file this scenario would be compared with and
    /// that is not there (a new or renamed scenario): said, not silently passed over.
    pub no_baseline: Option<PathBuf>,
    pub summary: Option<Summary>,
    /// Implausible values of the file that still run (see [`Model::warnings`]).
    pub warnings: Vec<crate::Diagnostic>,
}

impl ScenarioResult {
    pub fn failed(&self) -> usize {
        self.expectations.iter().filter(|e| !e.passed).count()
    }

    pub fn flagged(&self) -> usize {
        self.changes.iter().filter(|c| c.flagged()).count()
    }
}

/// The scenario files under `paths` (files, or folders searched recursively for
/// `*.toml`), each with its baseline key (the path under its folder argument, `/` as
/// `__`, without `.toml`), in a fixed order.
pub fn scenario_files(paths: &[PathBuf]) -> Result<Vec<(PathBuf, String)>, Error> {
    /// The scenario files under `dir`, each folder visited once (`seen`: the folders
    /// visited, as found behind their links), so a link to a folder above does not loop.
    fn walk(dir: &Path, out: &mut Vec<PathBuf>, seen: &mut HashSet<PathBuf>) -> Result<(), Error> {
        let real = std::fs::canonicalize(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
        if !seen.insert(real) {
            return Ok(());
        }
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            if p.is_dir() {
                walk(&p, out, seen)?;
            } else if p.extension().is_some_and(|x| x == "toml") {
                out.push(p);
            }
        }
        Ok(())
    }
    let mut files = Vec::new();
    for root in paths {
        if root.is_dir() {
            let mut found = Vec::new();
            walk(root, &mut found, &mut HashSet::new())?;
            for f in found {
                let relative = f.strip_prefix(root).unwrap_or(&f).with_extension("");
                let key = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("__");
                files.push((f, key));
            }
        } else if root.exists() {
            let key = root
                .file_stem()
                .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned());
            files.push((root.clone(), key));
        } else {
            return Err(Error::Other(format!("{}: no such file or folder", root.display())));
        }
    }
    let mut keys: Vec<(&String, &PathBuf)> = files.iter().map(|(f, k)| (k, f)).collect();
    keys.sort();
    for pair in keys.windows(2) {
        if pair[0].0 == pair[1].0 {
            return Err(Error::Other(format!(
                "{} and {} would share the baseline name `{}`; check them in separate runs or rename one",
                pair[0].1.display(),
                pair[1].1.display(),
                pair[0].0
            )));
        }
    }
    Ok(files)
}

/// How many failing intervals a message names before it says how many more there are.
const LISTED_INTERVALS: usize = 8;

/// How many failing intervals the detail (the JUnit text) lists, one line each, before it
/// says how many more there are: a year of quarter hours would be 35,136 lines.
const DETAIL_INTERVALS: usize = 1_000;

/// Why `mean` breaks the bounds of `e`, or `None` if it holds.
fn breach(e: &Expectation, m: f64) -> Option<String> {
    if let Some(min) = e.min.filter(|&min| m < min) {
        Some(format!("is below min {}", short(min)))
    } else {
        e.max
            .filter(|&max| m > max)
            .map(|max| format!("is above max {}", short(max)))
    }
}

/// The bounds of `e` as they read in a message, e.g. `≥ 0.9` or `in [0.8, 0.95]`.
fn bounds(e: &Expectation) -> String {
    match (e.min, e.max) {
        (Some(min), Some(max)) => format!("in [{}, {}]", short(min), short(max)),
        (Some(min), None) => format!("≥ {}", short(min)),
        (None, Some(max)) => format!("≤ {}", short(max)),
        (None, None) => "bounded".into(),
    }
}

/// Judges an `interval = "*"` expectation: every interval with a figure must hold;
/// intervals without one (a rate where nothing was offered) are skipped. Returns the
/// worst interval's figure, whether it held, the message and the full list of failures.
fn judge_every_interval(e: &Expectation, summary: &Summary) -> (Option<Estimate>, bool, String, String) {
    let total = summary.intervals.len();
    let mut judged = 0;
    // The first failures (as many as the detail lists), and how many there are.
    let mut failures: Vec<(String, Estimate, String)> = Vec::new();
    let mut failing = 0;
    let mut worst: Option<(f64, Estimate)> = None;
    for i in 0..total {
        let Some(estimate) = summary.lookup_in(e, Some(i)) else {
            continue;
        };
        let Some(m) = estimate.mean else { continue };
        judged += 1;
        // How far outside its bounds (negative: inside), to pick the worst interval.
        let excess = e
            .min
            .map_or(f64::NEG_INFINITY, |min| min - m)
            .max(e.max.map_or(f64::NEG_INFINITY, |max| m - max));
        if worst.is_none_or(|(w, _)| excess > w) {
            worst = Some((excess, estimate));
        }
        if let Some(why) = breach(e, m) {
            failing += 1;
            if failures.len() < DETAIL_INTERVALS {
                failures.push((summary.intervals[i].start.clone(), estimate, why));
            }
        }
    }
    let estimate = worst.map(|(_, est)| est);
    let skipped = total - judged;
    if judged == 0 {
        let message =
            format!("the figure is undefined in every one of the {total} intervals (nothing to measure it on)");
        return (None, false, message, String::new());
    }
    if failures.is_empty() {
        return (estimate, true, String::new(), String::new());
    }
    let listed: Vec<String> = failures
        .iter()
        .take(LISTED_INTERVALS)
        .map(|(label, est, _)| format!("{label} ({})", brief(est.mean.unwrap_or(f64::NAN))))
        .collect();
    let more = failing - listed.len();
    let mut message = format!(
        "{} {} fails in {failing} of {judged} intervals: {}",
        e.metric,
        bounds(e),
        listed.join(", ")
    );
    if more > 0 {
        message.push_str(&format!(" and {more} more"));
    }
    if skipped > 0 {
        message.push_str(&format!(
            " ({skipped} interval{} without a figure skipped)",
            if skipped == 1 { "" } else { "s" }
        ));
    }
    let mut detail = failures
        .iter()
        .map(|(label, est, why)| {
            let ci = est.ci95.map_or(String::new(), |c| format!(" ± {}", short(c)));
            format!("{label}: {}{ci} {why}", short(est.mean.unwrap_or(f64::NAN)))
        })
        .collect::<Vec<_>>()
        .join("\n");
    if failing > failures.len() {
        detail.push_str(&format!("\n… and {} more failing intervals", failing - failures.len()));
    }
    (estimate, false, message, detail)
}

/// Judges `model`'s expectations against `summary`.
pub fn judge_expectations(model: &Model, summary: &Summary) -> Vec<ExpectationResult> {
    model
        .expectations
        .iter()
        .map(|e| {
            if e.every_interval {
                let (estimate, passed, message, detail) = judge_every_interval(e, summary);
                return ExpectationResult {
                    description: e.description.clone(),
                    line: e.line,
                    estimate,
                    passed,
                    message,
                    detail,
                };
            }
            let estimate = summary.lookup(e);
            let mean = estimate.and_then(|x| x.mean);
            let (passed, message) = match mean {
                None => (false, "the figure is undefined (nothing to measure it on)".to_owned()),
                Some(m) => {
                    let ci = estimate
                        .and_then(|x| x.ci95)
                        .map_or(String::new(), |c| format!(" ± {}", short(c)));
                    match breach(e, m) {
                        Some(why) => (false, format!("{}{ci} {why}", short(m))),
                        None => (true, String::new()),
                    }
                }
            };
            ExpectationResult {
                description: e.description.clone(),
                line: e.line,
                estimate,
                passed,
                message,
                detail: String::new(),
            }
        })
        .collect()
}

/// A figure for a message: six significant digits.
fn short(x: f64) -> String {
    digits(x, 6)
}

/// A figure in a list: three significant digits.
fn brief(x: f64) -> String {
    digits(x, 3)
}

/// `x` with `n` significant digits (`n` decimals below 1), trailing zeros dropped.
fn digits(x: f64, n: usize) -> String {
    let text = if x.abs() >= 1.0 {
        format!("{:.*}", n.saturating_sub(x.abs().log10().floor() as usize + 1), x)
    } else {
        format!("{x:.n$}")
    };
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    }
}

/// A rate or wait figure that rests on fewer contacts than this in either run (its
/// denominator summed over the replications) is not compared with its baseline: over a
/// handful of contacts in one or two replications, the delta method's half-width is far
/// too small (0 where one replication had any), and noise alone would be flagged.
pub const MIN_CONTACTS_COMPARED: f64 = 30.0;

/// The count a figure rests on, by its name in the same table: a ratio's denominator, or
/// the answered contacts of a wait quantile or longest wait; `None` for a count, a level
/// or a figure whose denominator is not reported as a count.
fn base_of(name: &str, table: &[MetricDef]) -> Option<&'static str> {
    let def = table.iter().find(|m| m.name == name)?;
    let field = match def.measure {
        Measure::Ratio { den, .. } => den,
        Measure::Quantile { .. }
        | Measure::Max {
            defined_by: Some(_), ..
        } => call::ANSWERED,
        _ => return None,
    };
    table
        .iter()
        .find(|m| matches!(m.measure, Measure::Count { field: f, scale } if f == field && scale == 1.0))
        .map(|m| m.name)
}

/// The metrics of a summary's JSON that a baseline compares: (name, mean, ci95, and the
/// mean per replication of the count it rests on, if it is a rate or a wait figure).
fn comparable(summary: &Value) -> Vec<(String, Option<f64>, Option<f64>, Option<f64>)> {
    let mut out = Vec::new();
    let mut metrics = |prefix: String, obj: &Value, tables: [&[MetricDef]; 2]| {
        if let Some(map) = obj.as_object() {
            for (name, v) in map {
                if let Some(mean) = v.get("mean") {
                    let base = tables
                        .iter()
                        .find(|t| t.iter().any(|m| m.name == *name))
                        .and_then(|t| base_of(name, t))
                        .map(|b| obj[b]["mean"].as_f64().unwrap_or(0.0));
                    out.push((format!("{prefix}{name}"), mean.as_f64(), v["ci95"].as_f64(), base));
                }
            }
        }
    };
    metrics("totals.".into(), &summary["totals"], [CALL_METRICS, GROUP_METRICS]);
    for list in ["call_types", "channels", "groups"] {
        let tables = if list == "groups" {
            [GROUP_METRICS, CALL_METRICS]
        } else {
            [CALL_METRICS, GROUP_METRICS]
        };
        for item in summary[list].as_array().into_iter().flatten() {
            let name = item["name"].as_str().unwrap_or("?");
            metrics(format!("{list}[{name}]."), item, tables);
        }
    }
    out
}

/// Two-sided p-value of Welch's t-test on two means known by their 95 % half-widths
/// over `n1` and `n2` replications.
pub fn welch_p(m1: f64, c1: f64, n1: u64, m2: f64, c2: f64, n2: u64) -> f64 {
    let se = |c: f64, n: u64| c / t975(n - 1);
    let (s1, s2) = (se(c1, n1), se(c2, n2));
    let diff = m2 - m1;
    let v = s1 * s1 + s2 * s2;
    if v <= 0.0 {
        return if diff.abs() <= 1e-12 * m1.abs().max(m2.abs()).max(1.0) {
            1.0
        } else {
            0.0
        };
    }
    let df = v * v / (s1.powi(4) / (n1 - 1) as f64 + s2.powi(4) / (n2 - 1) as f64);
    let t = diff.abs() / v.sqrt();
    match StudentsT::new(0.0, 1.0, df.max(1.0)) {
        Ok(dist) => (2.0 * (1.0 - dist.cdf(t))).clamp(0.0, 1.0),
        Err(_) => 1.0,
    }
}

/// Holm's step-down adjustment of `p` (same order out as in).
pub fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let mut adjusted = vec![0.0; m];
    let mut running: f64 = 0.0;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * p[i]).min(1.0));
        adjusted[i] = running;
    }
    adjusted
}

/// Compares `summary` with the baseline summary JSON `before`; a baseline that is no
/// ccsim summary, has too few replications, belongs to another scenario or shares no
/// metric with this run is an error (why, to follow the file's name): a CI gate must
/// never pass by comparing nothing.
pub fn compare_with_baseline(summary: &Summary, before: &Value) -> Result<Vec<Change>, String> {
    let after = serde_json::to_value(summary).expect("a summary serialises");
    if !before.is_object() {
        return Err(format!(
            "not a ccsim summary (expected a JSON object, got {})",
            match before {
                Value::Null => "null",
                Value::Bool(_) => "a boolean",
                Value::Number(_) => "a number",
                Value::String(_) => "a string",
                Value::Array(_) => "an array",
                Value::Object(_) => "an object",
            }
        ));
    }
    let Some(n1) = before.get("replications").and_then(Value::as_u64) else {
        return Err("not a ccsim summary (no `replications` count)".into());
    };
    if !before.get("totals").is_some_and(Value::is_object) {
        return Err("not a ccsim summary (no `totals` table)".into());
    }
    let n2 = summary.replications;
    if n1 < 2 || n2 < 2 {
        return Err(format!(
            "cannot compare {n2} replications with the baseline's {n1}: both need at least 2"
        ));
    }
    if let Some(name) = before.get("scenario").and_then(Value::as_str)
        && name != summary.scenario
    {
        return Err(format!(
            "the baseline is of scenario `{name}`, not `{}`; save a new baseline with --save-baseline",
            summary.scenario
        ));
    }
    let old = comparable(before);
    let enough = |base: Option<f64>, n: u64| base.is_none_or(|b| b * n as f64 >= MIN_CONTACTS_COMPARED);
    let mut changes: Vec<Change> = comparable(&after)
        .into_iter()
        .filter_map(|(metric, mean, ci, base)| {
            let (_, m1, c1, base1) = old.iter().find(|(name, _, _, _)| *name == metric)?;
            let (m1, c1, m2, c2) = ((*m1)?, (*c1)?, mean?, ci?);
            if !(enough(*base1, n1) && enough(base, n2)) {
                return None; // too few contacts behind the figure to judge its noise
            }
            Some(Change {
                p_value: welch_p(m1, c1, n1, m2, c2, n2),
                adjusted: 1.0,
                before: Estimate {
                    mean: Some(m1),
                    ci95: Some(c1),
                },
                after: Estimate {
                    mean: Some(m2),
                    ci95: Some(c2),
                },
                metric,
            })
        })
        .collect();
    let adjusted = holm(&changes.iter().map(|c| c.p_value).collect::<Vec<_>>());
    for (c, a) in changes.iter_mut().zip(adjusted) {
        c.adjusted = a;
    }
    if changes.is_empty() {
        return Err("shares no metric with this run: not a baseline of this scenario".into());
    }
    Ok(changes)
}

/// Checks every scenario: simulates it, judges its expectations, compares it with its
/// baseline in `baseline` if there is one there, and saves its summary into
/// `save_baseline`. The baselines are saved as one set, all or nothing
/// ([`crate::output::FileSet`]): only if every scenario could be checked (no result has
/// an `error`), so a folder of baselines never mixes this run's with an older run's
/// after a failure, and a folder made for them goes again.
pub fn check(
    files: &[(PathBuf, String)],
    threads: usize,
    baseline: Option<&Path>,
    save_baseline: Option<&Path>,
    progress: &(dyn Fn(&Path) + Sync),
) -> Result<Vec<ScenarioResult>, Error> {
    let mut results = Vec::new();
    let mut saved = save_baseline.map(crate::output::FileSet::begin).transpose()?;
    for (file, key) in files {
        progress(file);
        let started = Instant::now();
        let mut result = ScenarioResult {
            file: file.clone(),
            key: key.clone(),
            name: key.clone(),
            seconds: 0.0,
            replications: 0,
            error: None,
            expectations: Vec::new(),
            changes: Vec::new(),
            baseline: None,
            no_baseline: None,
            summary: None,
            warnings: Vec::new(),
        };
        // A file that cannot be read or used (not UTF-8, too large, invalid, over the
        // memory budget) is this scenario's error: the others are still checked and the
        // JUnit file still written.
        let model = match Scenario::load(file).and_then(|s| Model::build(&s)) {
            Ok(m) => m,
            Err(Error::Interrupted) => return Err(Error::Interrupted),
            Err(e) => {
                result.error = Some(e.to_string());
                results.push(result);
                continue;
            }
        };
        result.name = model.name.clone();
        result.replications = model.replications;
        result.warnings = model.warnings.clone();
        // A limit reached while simulating (memory, contacts waiting, sums) is this
        // scenario's error, like an invalid file: the others are still checked.
        let acc = match crate::simulate(&model, threads, &|| {}) {
            Ok(acc) => acc,
            Err(Error::Interrupted) => return Err(Error::Interrupted),
            Err(e) => {
                result.error = Some(e.to_string());
                results.push(result);
                continue;
            }
        };
        let summary = Summary::new(&model, &acc);
        result.expectations = judge_expectations(&model, &summary);
        if let Some(dir) = baseline {
            let path = dir.join(format!("{key}.json"));
            if !path.exists() {
                result.no_baseline = Some(path);
            } else {
                // A bad baseline is this scenario's error: the others are still checked
                // and reported (in the JUnit file too).
                let compared = crate::input::open(&path, "baseline", crate::input::MAX_BASELINE_BYTES)
                    .and_then(|mut file| {
                        let mut text = String::new();
                        std::io::Read::read_to_string(&mut file, &mut text).map_err(|e| e.to_string())?;
                        Ok(text)
                    })
                    .and_then(|text| {
                        serde_json::from_str::<Value>(&text).map_err(|e| format!("not a ccsim summary: {e}"))
                    })
                    .and_then(|before| compare_with_baseline(&summary, &before));
                match compared {
                    Ok(changes) => {
                        result.changes = changes;
                        result.baseline = Some(path);
                    }
                    Err(why) => {
                        // Reported as this scenario's one error, like an invalid file.
                        result.error = Some(format!("{}: bad baseline: {why}", path.display()));
                        result.expectations.clear();
                    }
                }
            }
        }
        if let Some(set) = &mut saved {
            set.add_with(&format!("{key}.json"), |w| crate::report::json::write_json(&summary, w))?;
        }
        result.seconds = started.elapsed().as_secs_f64();
        result.summary = Some(summary);
        results.push(result);
    }
    if let Some(set) = saved
        && results.iter().all(|r| r.error.is_none())
    {
        set.commit()?;
    }
    Ok(results)
}

/// The exit code: 2 if a file was bad, 1 if an expectation failed or a change was
/// flagged, else 0.
pub fn exit_code(results: &[ScenarioResult]) -> u8 {
    if results.iter().any(|r| r.error.is_some()) {
        2
    } else if results.iter().any(|r| r.failed() > 0 || r.flagged() > 0) {
        1
    } else {
        0
    }
}

/// The concise report: one line per scenario, one per failed expectation or flagged
/// change, and a closing count.
pub fn render(results: &[ScenarioResult]) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let (mut expectations, mut failed, mut flagged) = (0, 0, 0);
    for r in results {
        let file = r.file.display();
        if let Some(e) = &r.error {
            let _ = writeln!(out, "ERROR {file}\n  {}", e.replace('\n', "\n  "));
            continue;
        }
        expectations += r.expectations.len();
        failed += r.failed();
        flagged += r.flagged();
        let status = if r.failed() > 0 || r.flagged() > 0 {
            "FAIL"
        } else {
            "PASS"
        };
        let baseline = match (&r.baseline, r.changes.is_empty()) {
            (Some(_), _) => format!(
                "; {} of {} metrics changed significantly since the baseline",
                r.flagged(),
                r.changes.len()
            ),
            (None, _) => match &r.no_baseline {
                Some(path) => format!("; not compared: no baseline {}", path.display()),
                None => String::new(),
            },
        };
        let _ = writeln!(
            out,
            "{status} {file} ({}): {} of {} expectations hold{baseline} ({} replications, {:.1} s)",
            r.name,
            r.expectations.len() - r.failed(),
            r.expectations.len(),
            r.replications,
            r.seconds
        );
        for e in r.expectations.iter().filter(|e| !e.passed) {
            let _ = writeln!(out, "  {file}:{}: {}: {}", e.line, e.description, e.message);
        }
        for c in r.changes.iter().filter(|c| c.flagged()) {
            let fmt = |e: &Estimate| {
                format!(
                    "{} ± {}",
                    short(e.mean.unwrap_or(f64::NAN)),
                    short(e.ci95.unwrap_or(f64::NAN))
                )
            };
            let _ = writeln!(
                out,
                "  changed: {}: {} → {} (p = {:.2e}, Holm-adjusted {:.2e})",
                c.metric,
                fmt(&c.before),
                fmt(&c.after),
                c.p_value,
                c.adjusted
            );
        }
    }
    let errors = results.iter().filter(|r| r.error.is_some()).count();
    let _ = writeln!(
        out,
        "check: {} scenario{}, {expectations} expectation{}: {} hold, {failed} fail{}{}",
        results.len(),
        if results.len() == 1 { "" } else { "s" },
        if expectations == 1 { "" } else { "s" },
        expectations - failed,
        if flagged > 0 {
            format!(
                "; {flagged} significant change{} since the baseline",
                if flagged == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        },
        if errors > 0 {
            format!(
                "; {errors} file{} could not be checked",
                if errors == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        },
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holm_steps_down() {
        let adjusted = holm(&[0.01, 0.04, 0.03, 0.5]);
        assert_eq!(adjusted, vec![0.04, 0.09, 0.09, 0.5]);
    }

    #[test]
    fn welch_sees_real_differences_only() {
        assert!(welch_p(0.90, 0.01, 20, 0.90, 0.01, 20) > 0.99);
        assert!(welch_p(0.90, 0.01, 20, 0.85, 0.01, 20) < 1e-6);
        assert_eq!(welch_p(5.0, 0.0, 10, 5.0, 0.0, 10), 1.0);
        assert_eq!(welch_p(5.0, 0.0, 10, 6.0, 0.0, 10), 0.0);
    }

    #[test]
    fn short_figures() {
        assert_eq!(short(0.873456789), "0.873457");
        assert_eq!(short(0.9), "0.9");
        assert_eq!(short(1234.5678), "1234.57");
        assert_eq!(brief(0.873456789), "0.873");
        assert_eq!(brief(13.94), "13.9");
        assert_eq!(brief(1234.5678), "1235");
    }
}
