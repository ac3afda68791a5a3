//! From moments to what is reported: means and Student-t 95 % half-widths.
//!
//! Counts are means per replication with the t half-width across replications. Rates and
//! averages are ratio estimators (Σ numerator ÷ Σ denominator over intervals and
//! replications), their half-width from the residuals numerator_r − rate·denominator_r
//! (the delta method), as SPEC.md defines them. An undefined figure is `None` (JSON
//! `null`), never NaN. [`Summary`] is the one structure every report format reads.

use serde::Serialize;
use serde::ser::SerializeMap;
use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::histogram::WaitMoments;
use crate::model::{Channel, Expectation, Model};
use crate::stats::{Accumulator, CALL_METRICS, CellMoments, GROUP_METRICS, Measure, MetricDef, Moments, Wide};
use crate::targets::{Judged, Status, Target, judge, pooled, shared};

/// A mean and its 95 % half-width; `None` where undefined.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    pub mean: Option<f64>,
    pub ci95: Option<f64>,
}

impl Estimate {
    /// Whether `value` lies within the half-width of the mean.
    pub fn within_noise(&self, value: f64) -> bool {
        matches!((self.mean, self.ci95), (Some(m), Some(c)) if (m - value).abs() < c)
    }
}

/// The 0.975 quantile of Student's t with `df` degrees of freedom.
pub fn t975(df: u64) -> f64 {
    // Beyond 100,000 degrees of freedom the quantile is the normal one plus the first
    // Cornish–Fisher term (error below 1e-10), and statrs' search, which can run for
    // ever there, is not needed (a part or baseline may claim 10^12 replications).
    const Z: f64 = 1.959_963_984_540_054;
    if df > 100_000 {
        return Z + (Z.powi(3) + Z) / (4.0 * df as f64);
    }
    StudentsT::new(0.0, 1.0, df as f64)
        .map(|t| t.inverse_cdf(0.975))
        .unwrap_or(f64::NAN)
}

/// Sample variance from Σx and Σx² over `n` values: (n·Σx² − (Σx)²) / (n(n − 1)),
/// computed exactly in integers (up to 2^256) and rounded once.
fn variance(sum: Wide, sum_sq: Wide, n: u64) -> f64 {
    let n128 = u128::from(n);
    let exact = sum.narrow().and_then(|s| {
        sum_sq
            .checked_mul(n128)?
            .checked_sub(Wide::product(s, s))
            .or(Some(Wide::default()))
    });
    match exact {
        Some(d) => d.to_f64() / (n as f64 * (n - 1) as f64),
        None => {
            let (s, q, n) = (sum.to_f64(), sum_sq.to_f64(), n as f64);
            ((q - s * s / n) / (n - 1.0)).max(0.0)
        }
    }
}

/// The estimate of metric `m` from one aggregate cell over `n` replications.
pub fn estimate(cell: &CellMoments, m: &MetricDef, n: u64, t: f64) -> Estimate {
    if n == 0 {
        return Estimate { mean: None, ci95: None };
    }
    match m.measure {
        // Quantiles are read from the wait histograms ([`metrics_of`]), not from fields.
        Measure::Quantile { .. } => Estimate { mean: None, ci95: None },
        // Σ max ÷ Σ marks: a ratio whose denominator is 0/1 and whose numerator is 0
        // wherever the mark is, so Σ marks² = Σ marks and Σ max·marks = Σ max.
        Measure::Max {
            field,
            scale,
            defined_by: Some(marks),
        } => {
            let (sx, sy) = (cell.sum(field).to_f64(), cell.sum(marks).to_f64());
            ratio_estimate([sx, sy], || [cell.sum_sq(field).to_f64(), sy, sx], n, t, scale)
        }
        Measure::Count { field, scale } | Measure::Level { field, scale } | Measure::Max { field, scale, .. } => {
            let mean = cell.sum(field).to_f64() / n as f64 * scale;
            let ci95 =
                (n > 1).then(|| t * (variance(cell.sum(field), cell.sum_sq(field), n) / n as f64).sqrt() * scale);
            Estimate { mean: Some(mean), ci95 }
        }
        Measure::Ratio { num, den, scale } => ratio_estimate(
            [cell.sum(num).to_f64(), cell.sum(den).to_f64()],
            || {
                [
                    cell.sum_sq(num).to_f64(),
                    cell.sum_sq(den).to_f64(),
                    cell.sum_cross(num, den).to_f64(),
                ]
            },
            n,
            t,
            scale,
        ),
    }
}

/// The ratio estimator Σnum ÷ Σden over `n` replications from the sums `[Σnum, Σden]`
/// and the second moments `[Σnum², Σden², Σnum·den]` (read only with two replications or
/// more): its half-width is the Student-t half-width of the mean residual num − rate·den,
/// divided by the mean denominator (the delta method). Undefined where Σden is 0.
#[inline]
fn ratio_estimate([sn, sd]: [f64; 2], second: impl FnOnce() -> [f64; 3], n: u64, t: f64, scale: f64) -> Estimate {
    if sd == 0.0 {
        return Estimate { mean: None, ci95: None };
    }
    let rate = sn / sd;
    let ci95 = (n > 1).then(|| {
        let [qn, qd, qnd] = second();
        let ss = qn - 2.0 * rate * qnd + rate * rate * qd;
        // Below 1e-12 of the terms it came from, what is left is rounding.
        let ss = if ss <= 1e-12 * qn.max(rate * rate * qd) {
            0.0
        } else {
            ss
        };
        let s = (ss / (n - 1) as f64).sqrt();
        t * s / (n as f64).sqrt() / (sd / n as f64) * scale
    });
    Estimate {
        mean: Some(rate * scale),
        ci95,
    }
}

/// Metrics in reporting order, serialised as a JSON object.
///
/// A summary holds one of these per cell it reports (every interval × call type, channel
/// and group), so they are compact: the names are one shared list, and each estimate is
/// two `f64`, an undefined figure marked by a NaN of its own ([`UNDEFINED`]), which no
/// arithmetic produces: 16 bytes a figure where `(name, Estimate)` took 48.
#[derive(Clone)]
pub struct Metrics {
    names: &'static [&'static str],
    values: Vec<[f64; 2]>,
}

impl PartialEq for Metrics {
    /// The same names and estimates (an undefined figure equals an undefined one).
    fn eq(&self, other: &Metrics) -> bool {
        self.iter().eq(other.iter())
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// The bits of an undefined figure in [`Metrics`]: a quiet NaN with a payload of its own,
/// so that even a NaN computed by mistake stays `Some` and is seen.
const UNDEFINED: u64 = 0x7FF8_0CC5_0000_0001;

fn pack(x: Option<f64>) -> f64 {
    x.unwrap_or(f64::from_bits(UNDEFINED))
}

fn unpack(x: f64) -> Option<f64> {
    (x.to_bits() != UNDEFINED).then_some(x)
}

impl Metrics {
    /// The estimates of the metrics `names`, in their order.
    pub fn new(names: &'static [&'static str], estimates: impl IntoIterator<Item = Estimate>) -> Metrics {
        let values: Vec<[f64; 2]> = estimates.into_iter().map(|e| [pack(e.mean), pack(e.ci95)]).collect();
        assert_eq!(values.len(), names.len(), "one estimate per metric");
        Metrics { names, values }
    }

    pub fn get(&self, name: &str) -> Option<Estimate> {
        self.names.iter().position(|n| *n == name).map(|k| self.estimate(k))
    }

    /// The `k`-th metric, its name and estimate.
    pub fn at(&self, k: usize) -> Option<(&'static str, Estimate)> {
        Some((*self.names.get(k)?, self.estimate(k)))
    }

    fn estimate(&self, k: usize) -> Estimate {
        let [mean, ci95] = self.values[k];
        Estimate {
            mean: unpack(mean),
            ci95: unpack(ci95),
        }
    }

    /// Every metric, in order: its name and estimate.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, Estimate)> + '_ {
        (0..self.names.len()).map(|k| (self.names[k], self.estimate(k)))
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

impl Serialize for Metrics {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.len()))?;
        for (name, e) in self.iter() {
            map.serialize_entry(name, &e)?;
        }
        map.end()
    }
}

/// The names of `defs`, in order.
fn names_of(defs: &[MetricDef]) -> Vec<&'static str> {
    defs.iter().map(|m| m.name).collect()
}

/// Names of a call-type or channel cell's metrics.
static CALL_NAMES: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| names_of(CALL_METRICS));
/// Names of a group cell's metrics.
static GROUP_NAMES: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| names_of(GROUP_METRICS));
/// Call metrics whose name no group metric takes: with the group metrics, the metrics of
/// totals and intervals (over all call types a group metric, occupancy, is the groups').
static BOTH_CALL_METRICS: std::sync::LazyLock<Vec<MetricDef>> = std::sync::LazyLock::new(|| {
    CALL_METRICS
        .iter()
        .filter(|m| !GROUP_METRICS.iter().any(|g| g.name == m.name))
        .copied()
        .collect()
});
/// Names of a total's or interval's metrics: [`BOTH_CALL_METRICS`], then the groups'.
static BOTH_NAMES: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(|| BOTH_CALL_METRICS.iter().chain(GROUP_METRICS).map(|m| m.name).collect());

/// A call type's, channel's or group's metrics, and for a call type or channel its
/// targets judged (see [`crate::targets`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Named {
    pub name: String,
    #[serde(flatten)]
    pub metrics: Metrics,
    /// Each target of the row, with its bound and verdict.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<Judged>,
    /// The worst verdict of the row's call types (`met`, `within_noise`, `missed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Status>,
}

impl Named {
    fn plain(name: &str, metrics: Metrics) -> Named {
        Named {
            name: name.to_owned(),
            metrics,
            targets: Vec::new(),
            verdict: None,
        }
    }
}

/// One interval: its totals, and each call type and group in it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntervalSummary {
    pub start: String,
    #[serde(flatten)]
    pub metrics: Metrics,
    /// The worst verdict of the interval's call types, each on its own targets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Status>,
    pub call_types: Vec<Named>,
    pub channels: Vec<Named>,
    pub groups: Vec<Named>,
}

/// Everything `run` reports (SPEC.md's JSON core and more).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub scenario: String,
    /// The currency costs are in, where the scenario names one.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub currency: String,
    pub seed: u64,
    pub replications: u64,
    pub totals: Metrics,
    /// The worst verdict of every call type over the whole window: `met` only if every
    /// call type meets every target of its channel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Status>,
    pub call_types: Vec<Named>,
    /// One entry per channel in use (`voice`, `chat`, `email`): the sums of its call types.
    pub channels: Vec<Named>,
    pub groups: Vec<Named>,
    pub intervals: Vec<IntervalSummary>,
    /// The channel of each call type (not part of the JSON: its `channels` entries say it).
    #[serde(skip)]
    pub call_type_channels: Vec<Channel>,
}

/// The metrics `defs` of one cell; quantiles from `waits` (call cells only), whose
/// column `item` is, or the last ("all") with `None`.
fn metrics_of<'a>(
    moments: &'a Moments,
    waits: Option<&'a WaitMoments>,
    defs: &'a [MetricDef],
    interval: Option<usize>,
    item: Option<usize>,
    n: u64,
    t: f64,
) -> impl Iterator<Item = Estimate> + 'a {
    let cell = moments.cell(interval, item);
    defs.iter().map(move |m| match (m.measure, waits) {
        (Measure::Quantile { p }, Some(w)) => w.quantile(interval, item.unwrap_or(w.columns() - 1), p, n, t),
        _ => estimate(&cell, m, n, t),
    })
}

/// What a summary needs to know of a model besides the sums: names, labels and the
/// seed. Stored in shard files, so that parts merge without the scenario's inputs.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Layout {
    pub scenario: String,
    pub currency: String,
    pub seed: u64,
    /// Interval labels.
    pub intervals: Vec<String>,
    pub call_types: Vec<String>,
    /// Channel of each call type.
    pub channels: Vec<Channel>,
    pub groups: Vec<String>,
    /// Each call type's targets (by its channel, see [`crate::targets`]).
    pub targets: Vec<Vec<Target>>,
}

impl Layout {
    pub fn of(model: &Model) -> Layout {
        Layout {
            scenario: model.name.clone(),
            currency: model.currency.clone(),
            seed: model.seed,
            intervals: (0..model.clock.intervals).map(|i| model.clock.label(i)).collect(),
            call_types: model.call_types.iter().map(|c| c.name.clone()).collect(),
            channels: model.call_types.iter().map(|c| c.channel).collect(),
            groups: model.groups.iter().map(|g| g.name.clone()).collect(),
            targets: model.call_types.iter().map(crate::targets::of_call_type).collect(),
        }
    }
}

impl Summary {
    pub fn new(model: &Model, acc: &Accumulator) -> Summary {
        Summary::with_layout(&Layout::of(model), acc)
    }

    pub fn with_layout(layout: &Layout, acc: &Accumulator) -> Summary {
        Summary::judging(layout, acc, &|_| true)
    }

    /// [`Summary::with_layout`] where an interval is judged only on the targets
    /// `per_interval` keeps (`staff` judges an email's response time, or every target
    /// with `scope = "day"`, over the day only); the day is judged on all of them.
    pub fn judging(layout: &Layout, acc: &Accumulator, per_interval: &dyn Fn(&Target) -> bool) -> Summary {
        let n = acc.replications;
        // The targets each call type is judged on in an interval (over the day: all).
        let per_interval_targets: Vec<Vec<Target>> = layout
            .targets
            .iter()
            .map(|ts| ts.iter().copied().filter(|t| per_interval(t)).collect())
            .collect();
        let targets_of = |j: usize, interval: Option<usize>| -> &[Target] {
            let lists = if interval.is_some() {
                &per_interval_targets
            } else {
                &layout.targets
            };
            lists.get(j).map_or(&[], Vec::as_slice)
        };
        let t = if n > 1 { t975(n - 1) } else { f64::NAN };
        let both =
            |interval: Option<usize>| {
                // Over all call types a group metric (occupancy) is the groups' figure.
                Metrics::new(
                    &BOTH_NAMES,
                    metrics_of(&acc.calls, Some(&acc.waits), &BOTH_CALL_METRICS, interval, None, n, t)
                        .chain(metrics_of(&acc.groups, None, GROUP_METRICS, interval, None, n, t)),
                )
            };
        let call_types = |interval: Option<usize>| -> Vec<Named> {
            layout
                .call_types
                .iter()
                .enumerate()
                .map(|(j, name)| {
                    let metrics = Metrics::new(
                        &CALL_NAMES,
                        metrics_of(&acc.calls, Some(&acc.waits), CALL_METRICS, interval, Some(j), n, t),
                    );
                    let targets = judge(&metrics, targets_of(j, interval), interval.is_none());
                    Named {
                        name: name.clone(),
                        verdict: Status::worst(targets.iter().map(|t| t.status)),
                        metrics,
                        targets,
                    }
                })
                .collect()
        };
        let n_types = layout.call_types.len();
        let in_use: Vec<Channel> = Channel::ALL
            .into_iter()
            .filter(|c| layout.channels.contains(c))
            .collect();
        // A channel is held to the targets all its call types share, and its verdict is
        // the worst of theirs.
        let channels = |interval: Option<usize>, members: &[Named]| -> Vec<Named> {
            in_use
                .iter()
                .map(|c| {
                    let metrics = Metrics::new(
                        &CALL_NAMES,
                        metrics_of(
                            &acc.calls,
                            Some(&acc.waits),
                            CALL_METRICS,
                            interval,
                            Some(n_types + c.index()),
                            n,
                            t,
                        ),
                    );
                    let of_channel = || (0..n_types).filter(|&j| layout.channels[j] == *c);
                    let lists: Vec<&[Target]> = of_channel().map(|j| targets_of(j, interval)).collect();
                    let judged: Vec<&[Judged]> = of_channel().map(|j| members[j].targets.as_slice()).collect();
                    Named {
                        name: c.name().to_owned(),
                        targets: pooled(&metrics, &shared(&lists), &judged),
                        verdict: Status::worst(of_channel().map(|j| members[j].verdict)),
                        metrics,
                    }
                })
                .collect()
        };
        let groups = |interval: Option<usize>| -> Vec<Named> {
            layout
                .groups
                .iter()
                .enumerate()
                .map(|(j, name)| {
                    Named::plain(
                        name,
                        Metrics::new(
                            &GROUP_NAMES,
                            metrics_of(&acc.groups, None, GROUP_METRICS, interval, Some(j), n, t),
                        ),
                    )
                })
                .collect()
        };
        let worst = |members: &[Named]| Status::worst(members.iter().map(|m| m.verdict));
        let day_types = call_types(None);
        Summary {
            scenario: layout.scenario.clone(),
            currency: layout.currency.clone(),
            seed: layout.seed,
            replications: n,
            totals: both(None),
            verdict: worst(&day_types),
            channels: channels(None, &day_types),
            call_types: day_types,
            groups: groups(None),
            intervals: layout
                .intervals
                .iter()
                .enumerate()
                .map(|(i, label)| {
                    let types = call_types(Some(i));
                    IntervalSummary {
                        start: label.clone(),
                        metrics: both(Some(i)),
                        verdict: worst(&types),
                        channels: channels(Some(i), &types),
                        call_types: types,
                        groups: groups(Some(i)),
                    }
                })
                .collect(),
            call_type_channels: layout.channels.clone(),
        }
    }

    /// The figure an expectation looks at.
    pub fn lookup(&self, e: &Expectation) -> Option<Estimate> {
        self.lookup_in(e, e.interval)
    }

    /// The figure an expectation looks at, in interval `interval` (`None`: the day).
    pub fn lookup_in(&self, e: &Expectation, interval: Option<usize>) -> Option<Estimate> {
        let metrics = match (interval, e.call_type, e.group) {
            (None, None, None) => &self.totals,
            (None, Some(c), _) => &self.call_types.get(c.0 as usize)?.metrics,
            (None, None, Some(g)) => &self.groups.get(g.0 as usize)?.metrics,
            (Some(i), None, None) => &self.intervals.get(i)?.metrics,
            (Some(i), Some(c), _) => &self.intervals.get(i)?.call_types.get(c.0 as usize)?.metrics,
            (Some(i), None, Some(g)) => &self.intervals.get(i)?.groups.get(g.0 as usize)?.metrics,
        };
        metrics.get(&e.metric)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_tables() {
        assert!((t975(1) - 12.706).abs() < 1e-3);
        assert!((t975(9) - 2.262).abs() < 1e-3);
        assert!((t975(1000) - 1.962).abs() < 1e-3);
    }

    #[test]
    fn t_quantiles_of_huge_samples_are_normal_and_continuous() {
        let start = std::time::Instant::now();
        // Either side of the switch to the expansion, the quantile is continuous (to the
        // tolerance of statrs' numerical inverse, about 1e-5; the expansion gives the
        // tabled 1.959988 at 10^5).
        assert!(
            (t975(100_000) - t975(100_001)).abs() < 1e-5,
            "{} {}",
            t975(100_000),
            t975(100_001)
        );
        assert!((t975(100_001) - 1.959_988).abs() < 1e-6);
        for df in [1_000_000_000u64, 1_000_000_000_000, u64::MAX] {
            let t = t975(df);
            assert!((t - 1.959_963_984_540_054).abs() < 1e-8, "{df}: {t}");
        }
        assert!(start.elapsed().as_secs() < 5, "huge degrees of freedom must not hang");
    }

    #[test]
    fn integer_variance_is_exact() {
        let w = Wide::new;
        // 2, 4, 6: variance 4.
        assert_eq!(variance(w(12), w(56), 3), 4.0);
        // Constant values: exactly zero, not rounding noise.
        assert_eq!(
            variance(w(3 * 123_456_789_012), w(3 * 123_456_789_012u128.pow(2)), 3),
            0.0
        );
        // Past 2^64 per value and 2^128 in the squares (a year of a million agents in
        // µs, twice): still exactly zero.
        let x: u128 = 31_622_400_000_000_000_000;
        let squares = Wide::product(x, x).checked_mul(2).unwrap();
        assert!(squares.high > 0);
        assert_eq!(variance(w(2 * x), squares, 2), 0.0);
        // x and x + 2: variance 2, exact beside values of 3e19.
        let squares = Wide::product(x, x).checked_add(Wide::product(x + 2, x + 2)).unwrap();
        assert_eq!(variance(w(2 * x + 2), squares, 2), 2.0);
    }
}
