//! Patience as the log shows it: a piecewise-constant hazard fitted to censored waits.
//!
//! A caller who hung up while queued shows their patience; a caller who was answered
//! shows only that their patience was longer than their wait (right-censored). For a
//! hazard that is constant on each piece `[from_j, from_{j+1})`, the maximum-likelihood
//! rate of a piece is its abandons ÷ the time all callers spent waiting inside it (its
//! exposure), the exact analogue of the exponential's "time waited ÷ abandons", and the
//! result is written as ccsim's `hazard` distribution, which the engine simulates
//! directly. Pieces start on a fixed ladder of edges (finer early, where real hazards
//! move most) and are merged until each holds enough abandons for its rate to be
//! estimated; the last piece runs on forever. A likelihood-ratio test against the
//! exponential (one piece) says whether the shape is real or noise.

use statrs::distribution::{ChiSquared, ContinuousCDF};

/// Where pieces may start (seconds): finer in the first minute, where callers' hazard
/// changes fastest.
const EDGES: [f64; 28] = [
    0.0, 1.0, 2.0, 3.0, 5.0, 7.0, 10.0, 15.0, 20.0, 25.0, 30.0, 40.0, 50.0, 60.0, 75.0, 90.0, 105.0, 120.0, 150.0,
    180.0, 240.0, 300.0, 420.0, 600.0, 900.0, 1200.0, 1800.0, 3600.0,
];

/// The fewest abandons a piece's rate is estimated from.
pub const MIN_ABANDONS_PER_PIECE: usize = 25;

/// The significance level below which the exponential is rejected for the hazard.
pub const SIGNIFICANCE: f64 = 0.01;

/// A piecewise-constant hazard fitted by maximum likelihood.
#[derive(Debug, Clone, PartialEq)]
pub struct HazardFit {
    /// Start of each piece (seconds); the first is 0.
    pub from: Vec<f64>,
    /// Abandons per second of waiting in each piece.
    pub rate: Vec<f64>,
    /// Log-likelihood of the hazard and of the exponential (one piece), same data.
    pub log_likelihood: f64,
    pub exponential_log_likelihood: f64,
    /// P-value of the likelihood-ratio test of the exponential against the hazard.
    pub p_value: f64,
}

impl HazardFit {
    /// Whether the data reject the exponential in favour of this shape.
    pub fn shape_is_real(&self) -> bool {
        self.from.len() > 1 && self.p_value < SIGNIFICANCE
    }

    /// Mean patience: the integral of the survival function, piece by piece.
    pub fn mean(&self) -> f64 {
        let mut cumulative = 0.0f64;
        let mut mean = 0.0;
        for (j, (&start, &rate)) in self.from.iter().zip(&self.rate).enumerate() {
            let survival = (-cumulative).exp();
            match self.from.get(j + 1) {
                Some(&end) => {
                    let length = end - start;
                    mean += if rate > 0.0 {
                        survival * (1.0 - (-rate * length).exp()) / rate
                    } else {
                        survival * length
                    };
                    cumulative += rate * length;
                }
                None => mean += survival / rate,
            }
        }
        mean
    }

    /// The distribution as a scenario writes it.
    pub fn toml(&self) -> String {
        let from: Vec<String> = self.from.iter().map(|f| format!("{f}")).collect();
        let rate: Vec<String> = self.rate.iter().map(|&r| significant(r, 5)).collect();
        format!(
            "{{ dist = \"hazard\", from = [{}], rate = [{}] }}",
            from.join(", "),
            rate.join(", ")
        )
    }
}

/// `x` with `digits` significant digits, in a form TOML reads as a float.
fn significant(x: f64, digits: usize) -> String {
    if x == 0.0 {
        return "0.0".into();
    }
    // Rust writes `1.2345e-3`, which TOML reads as a float.
    format!("{:.*e}", digits - 1, x)
}

/// Abandons and exposure (seconds waited) in each piece `[edges[j], edges[j+1])`, the last
/// piece open-ended. `waits` are (seconds waited, hung up).
fn tally(waits: &[(f64, bool)], edges: &[f64]) -> Vec<(usize, f64)> {
    let mut pieces = vec![(0usize, 0.0f64); edges.len()];
    for &(wait, abandoned) in waits {
        for (j, &start) in edges.iter().enumerate() {
            if wait < start {
                break;
            }
            let end = edges.get(j + 1).copied().unwrap_or(f64::INFINITY);
            pieces[j].1 += wait.min(end) - start;
            if abandoned && wait < end {
                pieces[j].0 += 1;
            }
        }
    }
    pieces
}

fn log_likelihood(pieces: &[(usize, f64)]) -> f64 {
    pieces
        .iter()
        .filter(|(d, _)| *d > 0)
        .map(|&(d, exposure)| {
            let rate = d as f64 / exposure;
            d as f64 * rate.ln() - rate * exposure
        })
        .sum()
}

/// Fits the hazard to `waits` (seconds waited, hung up); `None` without abandons.
pub fn fit_hazard(waits: &[(f64, bool)]) -> Option<HazardFit> {
    let fine = tally(waits, &EDGES);
    let total: usize = fine.iter().map(|p| p.0).sum();
    if total == 0 {
        return None;
    }
    // Merge forward until each piece holds enough abandons; a new piece starts only after
    // one is full, and a short (or empty) tail joins the piece before it, so every piece,
    // the open-ended last one included, has abandons.
    let mut from = vec![0.0];
    let mut held = 0usize;
    for (j, piece) in fine.iter().enumerate() {
        held += piece.0;
        if held >= MIN_ABANDONS_PER_PIECE && j + 1 < EDGES.len() {
            from.push(EDGES[j + 1]);
            held = 0;
        }
    }
    if held < MIN_ABANDONS_PER_PIECE && from.len() > 1 {
        from.pop();
    }
    let pieces = tally(waits, &from);
    let rate: Vec<f64> = pieces
        .iter()
        .map(|&(d, exposure)| if exposure > 0.0 { d as f64 / exposure } else { 0.0 })
        .collect();
    let log_likelihood = log_likelihood(&pieces);
    let exposure: f64 = pieces.iter().map(|p| p.1).sum();
    let exponential_log_likelihood = log_likelihood_of_one(total, exposure);
    let freedom = (from.len() - 1) as f64;
    let p_value = if freedom > 0.0 {
        let statistic = (2.0 * (log_likelihood - exponential_log_likelihood)).max(0.0);
        // The upper tail itself (not 1 − cdf, which is 0 below about 1e-16).
        ChiSquared::new(freedom)
            .expect("positive degrees of freedom")
            .sf(statistic)
    } else {
        1.0
    };
    Some(HazardFit {
        from,
        rate,
        log_likelihood,
        exponential_log_likelihood,
        p_value,
    })
}

fn log_likelihood_of_one(abandons: usize, exposure: f64) -> f64 {
    log_likelihood(&[(abandons, exposure)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::Distribution;

    /// Patience exponential with mean 100 s, censored by an exponential wait with mean
    /// 60 s: the exponential is not rejected, and every piece's rate is near 1/100.
    #[test]
    fn exponential_patience_gives_a_flat_hazard() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let patience = rand_distr::Exp::new(1.0 / 100.0).unwrap();
        let wait = rand_distr::Exp::new(1.0 / 60.0).unwrap();
        let waits: Vec<(f64, bool)> = (0..20_000)
            .map(|_| {
                let (p, w): (f64, f64) = (patience.sample(&mut rng), wait.sample(&mut rng));
                if p < w { (p, true) } else { (w, false) }
            })
            .collect();
        let fit = fit_hazard(&waits).unwrap();
        assert!(!fit.shape_is_real(), "p = {}", fit.p_value);
        assert!(fit.from.len() > 5, "{fit:?}");
        for (&from, &rate) in fit.from.iter().zip(&fit.rate) {
            // Each piece has ≥ 25 abandons: its rate is within 4 standard errors
            // (1/√25 = 20 % relative, so within 80 %) and much closer for the big ones.
            assert!((rate * 100.0 - 1.0).abs() < 0.8, "piece from {from}: {rate}");
        }
        // The mean of the fitted hazard is near 100 s (the MLE of one piece is exact).
        assert!((fit.mean() - 100.0).abs() < 15.0, "{}", fit.mean());
    }

    /// `n` callers' waits, censored by an exponential wait of mean 90 s, of a patience
    /// with a high early hazard: a mixture where 30 % hang up within seconds (mean 5 s)
    /// and the others are patient (mean 300 s).
    fn early_hazard_waits(n: usize) -> Vec<(f64, bool)> {
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        let quick = rand_distr::Exp::new(1.0 / 5.0).unwrap();
        let slow = rand_distr::Exp::new(1.0 / 300.0).unwrap();
        let wait = rand_distr::Exp::new(1.0 / 90.0).unwrap();
        (0..n)
            .map(|i| {
                let p: f64 = if i % 10 < 3 {
                    quick.sample(&mut rng)
                } else {
                    slow.sample(&mut rng)
                };
                let w: f64 = wait.sample(&mut rng);
                if p < w { (p, true) } else { (w, false) }
            })
            .collect()
    }

    /// Patience with a high early hazard (a mixture: 30 % hang up within seconds, the
    /// others patient): the exponential is rejected, and the first piece's rate is far
    /// above the last's.
    #[test]
    fn an_early_hazard_is_found() {
        let waits = early_hazard_waits(10_000);
        let fit = fit_hazard(&waits).unwrap();
        assert!(fit.shape_is_real(), "p = {}", fit.p_value);
        assert!(fit.rate[0] > 10.0 * fit.rate.last().unwrap(), "{fit:?}");
        assert!(
            fit.toml().starts_with("{ dist = \"hazard\", from = [0, "),
            "{}",
            fit.toml()
        );
    }

    /// A p-value far in the tail is still a number, the χ² upper tail itself: as 1 − cdf
    /// it read 0 below about 1e-16 (`fit` printed "p = 0.0e0" for the bank's large types).
    #[test]
    fn a_tiny_p_value_is_not_zero() {
        let waits = early_hazard_waits(800);
        let fit = fit_hazard(&waits).unwrap();
        let statistic = 2.0 * (fit.log_likelihood - fit.exponential_log_likelihood);
        let freedom = (fit.from.len() - 1) as f64;
        assert!(
            fit.p_value > 0.0 && fit.p_value < 1e-20,
            "p = {} (LR {statistic} on {freedom})",
            fit.p_value
        );
        // The upper tail agrees with its leading asymptotic term within a few percent:
        // for χ² with k degrees of freedom, Q(x) ≈ x^(k/2−1) e^(−x/2) / (2^(k/2−1) Γ(k/2))
        // × (1 + (k/2 − 1)/(x/2) + …); compared on the logarithm.
        let half = freedom / 2.0;
        let log_gamma = statrs::function::gamma::ln_gamma(half);
        let leading = (half - 1.0) * statistic.ln() - statistic / 2.0 - (half - 1.0) * 2f64.ln() - log_gamma;
        assert!(
            (fit.p_value.ln() - leading).abs() < 0.5,
            "ln p {} against {leading}",
            fit.p_value.ln()
        );
    }

    #[test]
    fn the_mean_of_pieces_is_the_integral_of_survival() {
        // One piece: exponential.
        let one = HazardFit {
            from: vec![0.0],
            rate: vec![0.01],
            log_likelihood: 0.0,
            exponential_log_likelihood: 0.0,
            p_value: 1.0,
        };
        assert!((one.mean() - 100.0).abs() < 1e-9);
        // No hazard for 10 s, then rate 0.1: mean 10 + 10.
        let two = HazardFit {
            from: vec![0.0, 10.0],
            rate: vec![0.0, 0.1],
            ..one
        };
        assert!((two.mean() - 20.0).abs() < 1e-9);
    }

    /// Abandons only within 40 s (waits capped): no piece after the last abandon, so the
    /// last rate is positive and the mean finite.
    #[test]
    fn abandons_that_stop_leave_no_empty_piece() {
        let waits: Vec<(f64, bool)> = (0..4000)
            .map(|i| {
                let w = f64::from(i % 400) / 10.0 + if i % 2 == 0 { 0.0 } else { 100.0 };
                (w, i % 2 == 0)
            })
            .collect();
        let fit = fit_hazard(&waits).unwrap();
        assert!(fit.rate.iter().all(|&r| r > 0.0), "{fit:?}");
        assert!(fit.mean().is_finite(), "{fit:?}");
        assert_eq!(fit.from[0], 0.0);
    }

    #[test]
    fn too_few_abandons_give_one_piece() {
        let waits: Vec<(f64, bool)> = (0..100).map(|i| (f64::from(i), i % 10 == 0)).collect();
        let fit = fit_hazard(&waits).unwrap();
        assert_eq!(fit.from, vec![0.0]);
        assert!(!fit.shape_is_real());
        assert!(fit_hazard(&[(5.0, false)]).is_none());
    }
}
