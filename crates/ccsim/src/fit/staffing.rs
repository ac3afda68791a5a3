//! Effective staffing by simulation: the agents on duty per interval for which the
//! fitted scenario itself reproduces the log's abandons and waits.
//!
//! A log names who served, not when agents were available, so capacity is inferred from
//! what callers experienced. Erlang A gives a first guess, but it assumes exponential
//! patience, one pooled queue and no carry-over between intervals; the fitted centre has
//! none of these. So the guess is refined with the simulator: each round simulates the
//! day with one agent fewer and one more in every other interval (the odd intervals,
//! then the even ones, so neighbours never move together), with common random numbers,
//! and each interval keeps the staffing whose simulated abandon rate and ASA lie closest
//! to the log's, each error measured in the standard errors of the log's average over
//! its days. Rounds stop when neither half moves.

use crate::error::Error;
use crate::model::Model;
use crate::summary::Summary;

/// What the log says of one interval, averaged over the days, with the standard errors
/// of those averages (from the variation between days).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IntervalTarget {
    pub offered: f64,
    pub abandon_rate: Option<f64>,
    pub abandon_rate_se: f64,
    pub asa: Option<f64>,
    pub asa_se: f64,
}

/// Smallest standard errors used, so that an interval whose days agree exactly is not
/// weighted without bound: one point of abandon rate and two seconds of ASA.
const ABANDON_RATE_SE_FLOOR: f64 = 0.01;
const ASA_SE_FLOOR: f64 = 2.0;

/// Most rounds (each half of the intervals counts as one).
pub const MAX_ROUNDS: usize = 30;

/// One day's counts in one interval.
#[derive(Debug, Clone, Copy, Default)]
pub struct DayCounts {
    pub offered: f64,
    pub abandoned: f64,
    pub answered: f64,
    pub waited_answered: f64,
}

/// The target of an interval from its counts on each day: ratio estimates with their
/// delta-method standard errors.
pub fn target(days: &[DayCounts]) -> IntervalTarget {
    let n = days.len().max(1) as f64;
    let sum = |f: fn(&DayCounts) -> f64| days.iter().map(f).sum::<f64>();
    let (offered, abandoned, answered, waited) = (
        sum(|d| d.offered),
        sum(|d| d.abandoned),
        sum(|d| d.answered),
        sum(|d| d.waited_answered),
    );
    // Standard error of the ratio Σy/Σx over days: √(Σ(y − r·x)² / (n(n − 1))) / x̄.
    let ratio_se = |r: f64, x: fn(&DayCounts) -> f64, y: fn(&DayCounts) -> f64| {
        let mean_x = days.iter().map(x).sum::<f64>() / n;
        if n < 2.0 || mean_x <= 0.0 {
            return f64::NAN;
        }
        let residual: f64 = days.iter().map(|d| (y(d) - r * x(d)).powi(2)).sum();
        (residual / (n * (n - 1.0))).sqrt() / mean_x
    };
    let abandon_rate = (offered > 0.0).then(|| abandoned / offered);
    let asa = (answered > 0.0).then(|| waited / answered);
    IntervalTarget {
        offered: offered / n,
        abandon_rate,
        // With one day there is no spread between days: the binomial error of the rate,
        // and the error of a mean of exponential waits.
        abandon_rate_se: abandon_rate
            .map_or(f64::INFINITY, |r| {
                let se = ratio_se(r, |d| d.offered, |d| d.abandoned);
                if se.is_nan() {
                    (r * (1.0 - r) / offered).sqrt()
                } else {
                    se
                }
            })
            .max(ABANDON_RATE_SE_FLOOR),
        asa,
        asa_se: asa
            .map_or(f64::INFINITY, |r| {
                let se = ratio_se(r, |d| d.answered, |d| d.waited_answered);
                if se.is_nan() { r / answered.sqrt() } else { se }
            })
            .max(ASA_SE_FLOOR),
    }
}

/// How far a simulated interval lies from its target, in squared standard errors.
fn distance(target: &IntervalTarget, summary: &Summary, k: usize) -> f64 {
    let metrics = &summary.intervals[k].metrics;
    let mut d = 0.0;
    if let (Some(o), Some(s)) = (target.abandon_rate, metrics.get("abandon_rate").and_then(|e| e.mean)) {
        d += ((s - o) / target.abandon_rate_se).powi(2);
    }
    if let (Some(o), Some(s)) = (target.asa, metrics.get("asa_seconds").and_then(|e| e.mean)) {
        d += ((s - o) / target.asa_se).powi(2);
    }
    d
}

/// The outcome of the search.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibrated {
    pub agents: Vec<u32>,
    /// Rounds run, and whether the last two moved nothing.
    pub rounds: usize,
    pub converged: bool,
    /// Sum over intervals of the squared standardised errors, before and after.
    pub distance_before: f64,
    pub distance_after: f64,
}

/// Refines `agents` (one per interval of the model `build` makes) until the simulation
/// matches `targets`. `build` turns a staffing into the model to simulate, with the
/// replications and seed to use.
pub fn calibrate(
    mut agents: Vec<u32>,
    targets: &[IntervalTarget],
    build: &dyn Fn(&[u32]) -> Result<Model, Error>,
    threads: usize,
) -> Result<Calibrated, Error> {
    let run = |staffing: &[u32]| -> Result<Summary, Error> {
        let model = build(staffing)?;
        let acc = crate::simulate(&model, threads, &|| {})?;
        Ok(Summary::new(&model, &acc))
    };
    let distances = |summary: &Summary| -> Vec<f64> {
        targets
            .iter()
            .enumerate()
            .map(|(k, t)| distance(t, summary, k))
            .collect()
    };
    let mut current = distances(&run(&agents)?);
    let distance_before = current.iter().sum();
    let (mut rounds, mut still) = (0, 0);
    while rounds < MAX_ROUNDS && still < 2 {
        let parity = rounds % 2;
        rounds += 1;
        let moved = |step: i64| -> Vec<u32> {
            agents
                .iter()
                .enumerate()
                .map(|(k, &n)| {
                    if k % 2 == parity {
                        (i64::from(n) + step).max(0) as u32
                    } else {
                        n
                    }
                })
                .collect()
        };
        let (fewer, more) = (moved(-1), moved(1));
        let (d_fewer, d_more) = (distances(&run(&fewer)?), distances(&run(&more)?));
        let mut changed = false;
        for k in (parity..agents.len()).step_by(2) {
            let best = [(d_fewer[k], fewer[k]), (d_more[k], more[k])]
                .into_iter()
                .filter(|&(d, n)| n != agents[k] && d < current[k])
                .min_by(|a, b| a.0.total_cmp(&b.0));
            if let Some((_, n)) = best {
                agents[k] = n;
                changed = true;
            }
        }
        if changed {
            current = distances(&run(&agents)?);
            still = 0;
        } else {
            still += 1;
        }
    }
    Ok(Calibrated {
        agents,
        rounds,
        converged: still >= 2,
        distance_before,
        distance_after: current.iter().sum(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_ratios_with_their_standard_errors() {
        let days = [
            DayCounts {
                offered: 100.0,
                abandoned: 10.0,
                answered: 90.0,
                waited_answered: 900.0,
            },
            DayCounts {
                offered: 100.0,
                abandoned: 20.0,
                answered: 80.0,
                waited_answered: 1600.0,
            },
        ];
        let t = target(&days);
        assert!((t.abandon_rate.unwrap() - 0.15).abs() < 1e-12);
        // Residuals ±5 calls of 100: √(50 / 2) / 100 = 0.05.
        assert!((t.abandon_rate_se - 0.05).abs() < 1e-12, "{t:?}");
        assert!((t.asa.unwrap() - 2500.0 / 170.0).abs() < 1e-12);
        assert_eq!(t.offered, 100.0);
        // One day: the binomial error, √(0.1 · 0.9 / 100) = 0.03.
        let one = target(&days[..1]);
        assert!((one.abandon_rate_se - 0.03).abs() < 1e-12, "{one:?}");
    }
}
