//! Day-to-day variation of volumes: how much more the daily counts vary than Poisson.
//!
//! Poisson arrivals with mean m per day vary by m; real days vary more, because a day's
//! rate itself varies. With the rate multiplied by a factor of mean 1 and coefficient of
//! variation `cv` (ccsim's `forecast_error`), counts vary by m + cv²·m², so
//! cv² = (variance − mean) ÷ mean². The excess is kept only when it is significant: under
//! Poisson, (days − 1)·variance ÷ mean is chi-square with days − 1 degrees of freedom.

use statrs::distribution::{ChiSquared, ContinuousCDF};

/// The significance level of the dispersion test.
pub const SIGNIFICANCE: f64 = 0.05;

/// Overdispersion of one series of daily counts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dispersion {
    pub days: usize,
    pub mean: f64,
    pub variance: f64,
    /// The dispersion test's p-value (small: more variable than Poisson).
    pub p_value: f64,
}

impl Dispersion {
    /// The CV of the daily factor, 0 unless the excess variance is significant.
    pub fn cv(&self) -> f64 {
        if self.p_value >= SIGNIFICANCE || self.mean <= 0.0 {
            return 0.0;
        }
        ((self.variance - self.mean).max(0.0)).sqrt() / self.mean
    }
}

/// The dispersion of `counts` (one per day); `None` with fewer than 3 days.
pub fn dispersion(counts: &[f64]) -> Option<Dispersion> {
    let days = counts.len();
    if days < 3 {
        return None;
    }
    let mean = counts.iter().sum::<f64>() / days as f64;
    let variance = counts.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / (days - 1) as f64;
    let freedom = (days - 1) as f64;
    let p_value = if mean > 0.0 {
        1.0 - ChiSquared::new(freedom)
            .expect("positive")
            .cdf(freedom * variance / mean)
    } else {
        1.0
    };
    Some(Dispersion {
        days,
        mean,
        variance,
        p_value,
    })
}

/// The CV of the day factor common to all call types, from how their daily counts move
/// together: a common factor with CV c gives types i ≠ j the covariance c²·m_i·m_j, so
/// c² = Σ_{i≠j} Cov(N_i, N_j) ÷ Σ_{i≠j} m_i·m_j (0 if the types do not move together).
/// Each type's own variation, beyond it, is [`own_cv`]; the total's variance is not used,
/// because it also holds every type's own variation and would count it twice. With one
/// type, its whole variation is the common factor. `daily[i][d]`: type i's calls on day d.
pub fn common_cv(daily: &[Vec<f64>]) -> f64 {
    let types: Vec<(&Vec<f64>, f64)> = daily
        .iter()
        .filter(|d| d.len() >= 3)
        .map(|d| (d, d.iter().sum::<f64>() / d.len() as f64))
        .filter(|(_, m)| *m > 0.0)
        .collect();
    match types.as_slice() {
        [] => 0.0,
        [(one, _)] => dispersion(one).map_or(0.0, |d| d.cv()),
        _ => {
            let (mut covariance, mut scale) = (0.0, 0.0);
            for (i, (a, ma)) in types.iter().enumerate() {
                for (b, mb) in &types[i + 1..] {
                    let n = a.len().min(b.len());
                    let c: f64 = (0..n).map(|d| (a[d] - ma) * (b[d] - mb)).sum::<f64>() / (n - 1) as f64;
                    covariance += c;
                    scale += ma * mb;
                }
            }
            (covariance / scale).max(0.0).sqrt()
        }
    }
}

/// The variance of the daily total the model implies: Poisson counts with mean m_i, each
/// type's day factor (1 + c²)(1 + o_i²) in variance, and the common factor's covariance
/// between types.
pub fn implied_total_variance(means: &[f64], own: &[f64], common: f64) -> f64 {
    let c2 = common * common;
    let mut variance = 0.0;
    for (i, (&m, &o)) in means.iter().zip(own).enumerate() {
        variance += m + m * m * ((1.0 + c2) * (1.0 + o * o) - 1.0);
        for &other in &means[i + 1..] {
            variance += 2.0 * c2 * m * other;
        }
    }
    variance
}

/// The CV of a call type's own factor, given the CV of its daily counts and the CV of
/// the factor common to all types: independent factors multiply, so
/// (1 + cv_type²) = (1 + cv_common²)(1 + cv_own²).
pub fn own_cv(type_cv: f64, common_cv: f64) -> f64 {
    ((1.0 + type_cv * type_cv) / (1.0 + common_cv * common_cv) - 1.0)
        .max(0.0)
        .sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Gamma, Poisson};

    #[test]
    fn poisson_days_have_no_excess_and_gamma_days_have_theirs() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let poisson = Poisson::new(1000.0).unwrap();
        let flat: Vec<f64> = (0..200).map(|_| poisson.sample(&mut rng)).collect();
        assert_eq!(dispersion(&flat).unwrap().cv(), 0.0, "{:?}", dispersion(&flat));
        // Factor CV 0.1: counts vary by m + 0.01 m² = 11,000 around 1,000.
        let factor = Gamma::new(100.0, 0.01).unwrap();
        let busy: Vec<f64> = (0..2000)
            .map(|_| Poisson::new(1000.0 * factor.sample(&mut rng)).unwrap().sample(&mut rng))
            .collect();
        let d = dispersion(&busy).unwrap();
        // The CV's standard error over 2000 days is about 0.1/√(2·2000) ≈ 0.002.
        assert!((d.cv() - 0.1).abs() < 0.01, "{d:?} cv {}", d.cv());
        assert!(dispersion(&[1.0, 2.0]).is_none());
    }

    /// Two types with independent day factors (CV 0.2 each, no common factor): the common
    /// CV is near 0 and the own CVs near 0.2; with one shared factor of CV 0.1 (and no own
    /// factors) the common CV is near 0.1 and the own near 0.
    #[test]
    fn the_common_factor_is_read_from_how_types_move_together() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(13);
        let factor = |cv: f64| Gamma::new(1.0 / (cv * cv), cv * cv).unwrap();
        let days = 4000;
        let draw = |rng: &mut rand::rngs::StdRng, m: f64, f: f64| Poisson::new(m * f).unwrap().sample(rng);
        let (own, shared) = (factor(0.2), factor(0.1));
        let mut independent = vec![Vec::new(), Vec::new()];
        let mut common = vec![Vec::new(), Vec::new()];
        for _ in 0..days {
            for (t, m) in [(0usize, 500.0), (1, 800.0)] {
                let f = own.sample(&mut rng);
                independent[t].push(draw(&mut rng, m, f));
            }
            let f = shared.sample(&mut rng);
            for (t, m) in [(0usize, 500.0), (1, 800.0)] {
                common[t].push(draw(&mut rng, m, f));
            }
        }
        // Standard errors over 4000 days are about 0.01 on these CVs.
        let c = common_cv(&independent);
        assert!(c < 0.05, "independent types: common {c}");
        let type_cv = dispersion(&independent[0]).unwrap().cv();
        assert!((own_cv(type_cv, c) - 0.2).abs() < 0.03, "own {}", own_cv(type_cv, c));
        let c = common_cv(&common);
        assert!((c - 0.1).abs() < 0.02, "shared factor: common {c}");
        let type_cv = dispersion(&common[1]).unwrap().cv();
        assert!(own_cv(type_cv, c) < 0.05, "own {}", own_cv(type_cv, c));
        // The implied variance of the total is Poisson's plus the factors'.
        let v = implied_total_variance(&[500.0, 800.0], &[0.0, 0.0], 0.1);
        assert!((v - (1300.0 + 0.01 * 1300.0 * 1300.0)).abs() < 1e-6, "{v}");
    }

    #[test]
    fn own_factors_multiply_to_the_types_variation() {
        assert!((own_cv(0.1, 0.1)).abs() < 1e-12);
        let own = own_cv(0.2, 0.1);
        assert!(((1.0 + 0.01) * (1.0 + own * own) - 1.04).abs() < 1e-12);
        assert_eq!(own_cv(0.05, 0.1), 0.0);
    }
}
