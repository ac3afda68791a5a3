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

    #[test]
    fn own_factors_multiply_to_the_types_variation() {
        assert!((own_cv(0.1, 0.1)).abs() < 1e-12);
        let own = own_cv(0.2, 0.1);
        assert!(((1.0 + 0.01) * (1.0 + own * own) - 1.04).abs() < 1e-12);
        assert_eq!(own_cv(0.05, 0.1), 0.0);
    }
}
