//! `ccsim compare A.toml B.toml`: paired differences of every metric between two variants
//! of a centre, with confidence intervals.
//!
//! Both variants run the same replications with the same seed (A's, or `--seed`), so
//! replication r meets the same callers in both (common random numbers). The difference
//! of a count is the mean of the per-replication differences with its Student-t
//! half-width; the difference of a ratio R_B − R_A has the delta-method half-width of the
//! paired residuals (num_B − R_B·den_B)/mean den_B − (num_A − R_A·den_A)/mean den_A. The
//! half-width two independent runs would give, √(ci_A² + ci_B²), is shown beside it, with
//! the variance reduction 1 − (paired ÷ independent)².

use rayon::prelude::*;
use serde::Serialize;

use crate::engine::run_replication;
use crate::error::Error;
use crate::model::Model;
use crate::stats::{CALL_METRICS, GROUP_METRICS, Measure, MetricDef, RepStats};
use crate::summary::{Estimate, Summary, t975};

/// One metric of both variants and their paired difference.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// E.g. `totals.answer_rate`, `call_types[sales].service_level`.
    pub metric: String,
    pub a: Estimate,
    pub b: Estimate,
    /// B − A.
    pub difference: f64,
    /// 95 % half-width of the paired difference (common random numbers).
    pub ci95: Option<f64>,
    /// What two independent runs would give.
    pub ci95_independent: Option<f64>,
    /// 1 − (ci95 ÷ ci95_independent)²: the share of variance the pairing removes.
    pub variance_reduction: Option<f64>,
}

impl Row {
    /// The difference lies outside its half-width.
    pub fn significant(&self) -> bool {
        self.ci95.is_some_and(|c| self.difference.abs() > c)
    }

    /// What the row is of (`totals`, `call_types[sales]`, `groups[front]`) and its metric
    /// (`answer_rate`): [`Row::metric`] split at its last dot (metric names have none).
    pub fn of_and_metric(&self) -> (&str, &str) {
        self.metric.rsplit_once('.').unwrap_or(("", &self.metric))
    }
}

/// The comparison of two variants.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub a: String,
    pub b: String,
    pub seed: u64,
    pub replications: u64,
    /// The currency of A's costs (a label; not part of the JSON).
    #[serde(skip)]
    pub currency: String,
    pub rows: Vec<Row>,
}

/// The JSON document of `ccsim compare --format json` (with its final newline; names'
/// unprintable characters escaped).
pub fn to_json(c: &Comparison) -> String {
    crate::report::json::to_pretty_json(c)
}

/// Where a metric's figure comes from in a replication's cells.
#[derive(Debug, Clone, Copy)]
enum Column {
    /// A column of the call grid (a call type, a channel or the customer contacts).
    Call(usize),
    /// One group, or all of them.
    Group(Option<usize>),
}

/// A replication's fields for `column` over the day, as numbers.
fn sums(s: &RepStats, column: Column) -> Vec<f64> {
    match column {
        Column::Call(c) => s.call_column(c, None).iter().map(|&x| x as f64).collect(),
        Column::Group(g) => s.group_column(g, None).iter().map(|&x| x as f64).collect(),
    }
}

/// The paired difference of metric `m` between `a` and `b` (per replication sums).
fn paired(m: &MetricDef, a: &[Vec<f64>], b: &[Vec<f64>]) -> (f64, Option<f64>) {
    let n = a.len();
    let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
    // The Student-t half-width of the mean of the differences `d` (one per replication
    // paired).
    let half_width = |d: &[f64]| -> Option<f64> {
        let k = d.len();
        (k > 1).then(|| {
            let mu = mean(d);
            let var = d.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (k - 1) as f64;
            t975(k as u64 - 1) * (var / k as f64).sqrt()
        })
    };
    match m.measure {
        Measure::Quantile { .. } => (f64::NAN, None),
        // Paired over the replications in which both variants had something to take the
        // maximum of.
        Measure::Max {
            field,
            scale,
            defined_by: Some(marks),
        } => {
            let d: Vec<f64> = a
                .iter()
                .zip(b)
                .filter(|(x, y)| x[marks] > 0.0 && y[marks] > 0.0)
                .map(|(x, y)| (y[field] - x[field]) * scale)
                .collect();
            if d.is_empty() {
                (f64::NAN, None)
            } else {
                (mean(&d), half_width(&d))
            }
        }
        Measure::Count { field, scale } | Measure::Level { field, scale } | Measure::Max { field, scale, .. } => {
            let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| (y[field] - x[field]) * scale).collect();
            (mean(&d), half_width(&d))
        }
        Measure::Ratio { num, den, scale } => {
            let ratio = |s: &[Vec<f64>]| {
                let (sn, sd) = (
                    s.iter().map(|x| x[num]).sum::<f64>(),
                    s.iter().map(|x| x[den]).sum::<f64>(),
                );
                (sd > 0.0).then(|| (sn / sd, sd / n as f64))
            };
            let (Some((ra, da)), Some((rb, db))) = (ratio(a), ratio(b)) else {
                return (f64::NAN, None);
            };
            let e: Vec<f64> = a
                .iter()
                .zip(b)
                .map(|(x, y)| ((y[num] - rb * y[den]) / db - (x[num] - ra * x[den]) / da) * scale)
                .collect();
            ((rb - ra) * scale, half_width(&e))
        }
    }
}

/// Simulates both variants on the same callers and compares every metric.
pub fn compare(a: &Model, b: &Model, threads: usize, progress: &(dyn Fn() + Sync)) -> Result<Comparison, Error> {
    let mut b = b.clone();
    b.seed = a.seed;
    b.replications = a.replications;
    let pool = crate::simulate::thread_pool(threads)?;
    // Every replication of both variants is kept whole (the paired differences need them).
    for m in [a, &b] {
        crate::budget::check(m, pool.current_num_threads(), 2 * a.replications)?;
    }
    let run = |m: &Model| -> Result<Vec<RepStats>, Error> {
        let halted = crate::simulate::Halted::new();
        let runs = pool.install(|| {
            (0..m.replications)
                .into_par_iter()
                .map(|r| {
                    if halted.after(r) || crate::interrupt::requested() {
                        return RepStats::new(0, 0, 0);
                    }
                    // Kept whole, without the wait histograms: no quantile is paired.
                    let mut s = run_replication(m, r);
                    s.waits.clear();
                    if let Some(why) = &s.halt {
                        halted.note(r, why);
                    } else if !crate::interrupt::requested() {
                        // Only a replication run whole is done.
                        progress();
                    }
                    s
                })
                .collect()
        });
        crate::interrupt::check()?;
        halted.check()?;
        Ok(runs)
    };
    let (runs_a, runs_b) = (run(a)?, run(&b)?);
    let summary = |m: &Model, runs: &[RepStats]| {
        let mut acc = crate::stats::Accumulator::new(m.clock.intervals, m.call_types.len(), m.groups.len());
        runs.iter().for_each(|s| acc.add(s));
        Summary::new(m, &acc)
    };
    let (sa, sb) = (summary(a, &runs_a), summary(&b, &runs_b));
    let mut rows = Vec::new();
    let mut add = |label: String,
                   defs: &[MetricDef],
                   ca: Column,
                   cb: Column,
                   ea: &crate::summary::Metrics,
                   eb: &crate::summary::Metrics| {
        let xa: Vec<Vec<f64>> = runs_a.iter().map(|s| sums(s, ca)).collect();
        let xb: Vec<Vec<f64>> = runs_b.iter().map(|s| sums(s, cb)).collect();
        // Quantiles have no per-replication sums to pair: left out.
        for m in defs.iter().filter(|m| !matches!(m.measure, Measure::Quantile { .. })) {
            let (Some(ma), Some(mb)) = (ea.get(m.name), eb.get(m.name)) else {
                continue;
            };
            if ma.mean.is_none() || mb.mean.is_none() {
                continue;
            }
            let (difference, ci95) = paired(m, &xa, &xb);
            let ci95_independent = match (ma.ci95, mb.ci95) {
                (Some(x), Some(y)) => Some((x * x + y * y).sqrt()),
                _ => None,
            };
            let variance_reduction = match (ci95, ci95_independent) {
                (Some(p), Some(i)) if i > 0.0 => Some(1.0 - (p / i).powi(2)),
                _ => None,
            };
            rows.push(Row {
                metric: format!("{label}.{}", m.name),
                a: ma,
                b: mb,
                difference,
                ci95,
                ci95_independent,
                variance_reduction,
            });
        }
    };
    let contacts = |m: &Model| m.call_types.len() + crate::stats::CHANNELS;
    let call_only: Vec<MetricDef> = CALL_METRICS
        .iter()
        .filter(|m| !GROUP_METRICS.iter().any(|g| g.name == m.name))
        .copied()
        .collect();
    add(
        "totals".into(),
        &call_only,
        Column::Call(contacts(a)),
        Column::Call(contacts(&b)),
        &sa.totals,
        &sb.totals,
    );
    add(
        "totals".into(),
        GROUP_METRICS,
        Column::Group(None),
        Column::Group(None),
        &sa.totals,
        &sb.totals,
    );
    for (i, c) in sa.call_types.iter().enumerate() {
        if let Some(j) = sb.call_types.iter().position(|x| x.name == c.name) {
            add(
                format!("call_types[{}]", c.name),
                CALL_METRICS,
                Column::Call(i),
                Column::Call(j),
                &c.metrics,
                &sb.call_types[j].metrics,
            );
        }
    }
    for (i, g) in sa.groups.iter().enumerate() {
        if let Some(j) = sb.groups.iter().position(|x| x.name == g.name) {
            add(
                format!("groups[{}]", g.name),
                GROUP_METRICS,
                Column::Group(Some(i)),
                Column::Group(Some(j)),
                &g.metrics,
                &sb.groups[j].metrics,
            );
        }
    }
    Ok(Comparison {
        a: a.file.clone(),
        b: b.file.clone(),
        seed: a.seed,
        replications: a.replications,
        currency: a.currency.clone(),
        rows,
    })
}

/// The metrics the table shows (JSON has them all).
const SHOWN: [&str; 10] = [
    "offered",
    "answered",
    "abandoned",
    "answer_rate",
    "service_level",
    "asa_seconds",
    "occupancy",
    "fcr",
    "outsourced_share",
    "cost",
];

/// A table of the main metrics: A, B, B − A with the paired and the independent
/// half-width, and the variance reduction.
pub fn render(c: &Comparison) -> String {
    use std::fmt::Write;
    let mut table: Vec<Vec<String>> = vec![
        [
            "metric",
            "A",
            "B",
            "B − A",
            "± paired",
            "± independent",
            "variance removed",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let num = |x: Option<f64>| x.map_or("–".to_owned(), |v| format!("{v:.4}"));
    for r in &c.rows {
        let (_, name) = r.of_and_metric();
        if !SHOWN.contains(&name) || (r.difference == 0.0 && r.ci95 == Some(0.0)) {
            continue;
        }
        table.push(vec![
            format!("{}{}", r.metric, if r.significant() { " *" } else { "" }),
            num(r.a.mean),
            num(r.b.mean),
            format!("{:+.4}", r.difference),
            num(r.ci95),
            num(r.ci95_independent),
            r.variance_reduction
                .map_or("–".into(), |v| format!("{:.0}%", v * 100.0)),
        ]);
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "A = {}, B = {}: {} replications each with seed {} (the same callers in both); * marks a difference outside its paired 95 % half-width\n",
        c.a, c.b, c.replications, c.seed
    );
    out.push_str(&crate::report::table::aligned(&table));
    out
}
