//! Distributions of durations, validated once and ready to sample.
//!
//! As in `rand_distr`, a [`Sampler`] checks its parameters in [`Sampler::new`], stores
//! what sampling needs precomputed, and never owns a generator: the engine passes the
//! contact's own stream. Every value is in seconds.

use rand::{Rng, RngExt};
use rand_distr::{Distribution, Exp1, Gamma, LogNormal, Triangular, Uniform, Weibull};

use crate::scenario::DistSpec;

/// The longest mean duration accepted (a year): beyond it a value is a typo.
pub const MAX_SECONDS: f64 = 365.0 * 86400.0;

/// The parameters that must be > 0 (a mean, a Weibull scale). The reader lets a
/// negative value through for these so that [`Sampler::new`] says what is wrong once,
/// the same way for ≤ 0, at the parameter.
pub const POSITIVE_PARAMS: [&str; 2] = ["mean", "scale"];

/// Why [`Sampler::new`] refuses a distribution: the message, and the parameter it is
/// about when it points at one (then the message does not name it: a caller that knows
/// where the parameter stands shows it there). `to_string()` reads on its own.
#[derive(Debug, Clone, PartialEq)]
pub struct BadDist {
    pub param: Option<&'static str>,
    pub message: String,
}

impl std::fmt::Display for BadDist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.param {
            Some(param) => write!(f, "{param} {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for BadDist {}

impl From<String> for BadDist {
    fn from(message: String) -> BadDist {
        BadDist { param: None, message }
    }
}

impl From<&str> for BadDist {
    fn from(message: &str) -> BadDist {
        BadDist::from(message.to_owned())
    }
}

/// A validated distribution of durations in seconds.
#[derive(Debug, Clone)]
pub enum Sampler {
    /// Exponential with the given mean.
    Exponential { mean: f64 },
    /// Lognormal given by its mean and coefficient of variation (the shape of real
    /// handle times); mean = `mean`.
    LogNormal(LogNormal<f64>),
    /// Gamma given by its mean and CV: shape 1/cv², scale mean·cv²; mean = `mean`.
    Gamma(Gamma<f64>),
    /// Weibull(shape k, scale λ); mean = λ·Γ(1 + 1/k). Common for patience.
    Weibull(Weibull<f64>),
    /// Uniform on [min, max); mean = (min + max)/2.
    Uniform(Uniform<f64>),
    /// Triangular(min, mode, max); mean = (min + mode + max)/3.
    Triangular(Triangular<f64>),
    /// Always the same value.
    Constant(f64),
    /// One of the samples, each equally likely; mean = their average.
    Empirical(Vec<f64>),
}

impl Sampler {
    /// Validates `spec` and prepares sampling; the error says which parameter is wrong.
    pub fn new(spec: &DistSpec) -> Result<Sampler, BadDist> {
        // `name` is one of POSITIVE_PARAMS: a value ≤ 0 is pointed at by the parameter.
        let positive = |name: &'static str, v: f64| {
            debug_assert!(POSITIVE_PARAMS.contains(&name));
            if v > 0.0 && v <= MAX_SECONDS {
                Ok(v)
            } else if v > MAX_SECONDS {
                Err(BadDist::from(format!(
                    "{name} must be at most a year ({MAX_SECONDS} s), got {v}"
                )))
            } else {
                Err(BadDist {
                    param: Some(name),
                    message: format!("must be > 0, got {v}"),
                })
            }
        };
        let cv_ok = |cv: f64| {
            if (0.0..=20.0).contains(&cv) {
                Ok(cv)
            } else {
                Err(BadDist::from(format!("cv must be between 0 and 20, got {cv}")))
            }
        };
        Ok(match *spec {
            DistSpec::Exponential { mean } => Sampler::Exponential {
                mean: positive("mean", mean)?,
            },
            DistSpec::LogNormal { mean, cv } => {
                let (mean, cv) = (positive("mean", mean)?, cv_ok(cv)?);
                if cv == 0.0 {
                    Sampler::Constant(mean)
                } else {
                    Sampler::LogNormal(LogNormal::from_mean_cv(mean, cv).map_err(|e| BadDist::from(e.to_string()))?)
                }
            }
            DistSpec::Gamma { mean, cv } => {
                let (mean, cv) = (positive("mean", mean)?, cv_ok(cv)?);
                if cv == 0.0 {
                    Sampler::Constant(mean)
                } else {
                    let shape = 1.0 / (cv * cv);
                    Sampler::Gamma(Gamma::new(shape, mean / shape).map_err(|e| BadDist::from(e.to_string()))?)
                }
            }
            DistSpec::Weibull { shape, scale } => {
                if !(0.05..=100.0).contains(&shape) {
                    return Err(format!("shape must be between 0.05 and 100, got {shape}").into());
                }
                Sampler::Weibull(
                    Weibull::new(positive("scale", scale)?, shape).map_err(|e| BadDist::from(e.to_string()))?,
                )
            }
            DistSpec::Uniform { min, max } => {
                if !(0.0 <= min && min <= max && max <= MAX_SECONDS) {
                    return Err(format!("needs 0 ≤ min ≤ max ≤ a year, got min {min}, max {max}").into());
                }
                if min == max {
                    Sampler::Constant(min)
                } else {
                    Sampler::Uniform(Uniform::new(min, max).map_err(|e| BadDist::from(e.to_string()))?)
                }
            }
            DistSpec::Triangular { min, mode, max } => {
                if !(0.0 <= min && min <= mode && mode <= max && max <= MAX_SECONDS) {
                    return Err(
                        format!("needs 0 ≤ min ≤ mode ≤ max ≤ a year, got min {min}, mode {mode}, max {max}").into(),
                    );
                }
                if min == max {
                    Sampler::Constant(min)
                } else {
                    Sampler::Triangular(Triangular::new(min, max, mode).map_err(|e| BadDist::from(e.to_string()))?)
                }
            }
            DistSpec::Empirical { ref samples } => {
                if samples.is_empty() {
                    return Err("an empirical distribution needs at least one sample".into());
                }
                if let Some(bad) = samples.iter().find(|&&v| !(0.0..=MAX_SECONDS).contains(&v)) {
                    return Err(format!("samples must be between 0 and a year, got {bad}").into());
                }
                if samples.iter().all(|&v| v == 0.0) {
                    return Err("an empirical distribution needs a sample > 0".into());
                }
                Sampler::Empirical(samples.clone())
            }
            DistSpec::Constant { value } => {
                if !(0.0..=MAX_SECONDS).contains(&value) {
                    return Err(format!("value must be between 0 and a year, got {value}").into());
                }
                Sampler::Constant(value)
            }
        })
    }

    /// One draw, in seconds (never negative).
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Sampler::Exponential { mean } => {
                let e: f64 = Exp1.sample(rng);
                e * mean
            }
            Sampler::LogNormal(d) => d.sample(rng),
            Sampler::Gamma(d) => d.sample(rng),
            Sampler::Weibull(d) => d.sample(rng),
            Sampler::Uniform(d) => d.sample(rng),
            Sampler::Triangular(d) => d.sample(rng),
            Sampler::Constant(v) => *v,
            Sampler::Empirical(samples) => samples[rng.random_range(0..samples.len())],
        }
    }

    /// The distribution's mean, in seconds.
    pub fn mean(&self, spec: &DistSpec) -> f64 {
        match *spec {
            DistSpec::Exponential { mean } | DistSpec::LogNormal { mean, .. } | DistSpec::Gamma { mean, .. } => mean,
            DistSpec::Weibull { shape, scale } => scale * statrs::function::gamma::gamma(1.0 + 1.0 / shape),
            DistSpec::Uniform { min, max } => (min + max) / 2.0,
            DistSpec::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            DistSpec::Constant { value } => value,
            DistSpec::Empirical { ref samples } => samples.iter().sum::<f64>() / samples.len() as f64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::StreamKey;

    fn sample_mean(spec: DistSpec, n: usize) -> (f64, f64) {
        let s = Sampler::new(&spec).unwrap();
        let mut rng = StreamKey::replication(7, 0).named("test").stream();
        let xs: Vec<f64> = (0..n).map(|_| s.sample(&mut rng)).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64;
        (m, (var / n as f64).sqrt())
    }

    #[test]
    fn sample_means_match_documented_means() {
        let specs = [
            DistSpec::Exponential { mean: 300.0 },
            DistSpec::LogNormal { mean: 300.0, cv: 0.8 },
            DistSpec::Gamma { mean: 300.0, cv: 0.5 },
            DistSpec::Weibull {
                shape: 0.7,
                scale: 200.0,
            },
            DistSpec::Uniform { min: 10.0, max: 50.0 },
            DistSpec::Triangular {
                min: 10.0,
                mode: 20.0,
                max: 60.0,
            },
            DistSpec::Constant { value: 42.0 },
            DistSpec::Empirical {
                samples: vec![30.0, 60.0, 90.0, 400.0],
            },
        ];
        for spec in specs {
            let expected = Sampler::new(&spec).unwrap().mean(&spec);
            let (m, se) = sample_mean(spec.clone(), 200_000);
            assert!(
                (m - expected).abs() <= 4.0 * se + 1e-9,
                "{spec:?}: sample mean {m} vs {expected} (se {se})"
            );
        }
    }

    #[test]
    fn bad_parameters_are_refused_with_the_parameter_named() {
        assert!(
            Sampler::new(&DistSpec::Exponential { mean: 0.0 })
                .unwrap_err()
                .to_string()
                .contains("mean")
        );
        assert!(
            Sampler::new(&DistSpec::LogNormal { mean: 60.0, cv: -1.0 })
                .unwrap_err()
                .to_string()
                .contains("cv")
        );
        assert!(
            Sampler::new(&DistSpec::Uniform { min: 5.0, max: 1.0 })
                .unwrap_err()
                .to_string()
                .contains("min")
        );
        assert!(
            Sampler::new(&DistSpec::Weibull { shape: 0.0, scale: 1.0 })
                .unwrap_err()
                .to_string()
                .contains("shape")
        );
        assert!(
            Sampler::new(&DistSpec::Exponential { mean: 1e12 })
                .unwrap_err()
                .to_string()
                .contains("year")
        );
    }

    #[test]
    fn a_parameter_not_positive_is_pointed_at_with_one_message() {
        let specs = [
            (DistSpec::Exponential { mean: -3.0 }, "mean", "must be > 0, got -3"),
            (DistSpec::LogNormal { mean: 0.0, cv: 0.5 }, "mean", "must be > 0, got 0"),
            (DistSpec::Gamma { mean: -1.5, cv: 0.5 }, "mean", "must be > 0, got -1.5"),
            (
                DistSpec::Weibull { shape: 1.0, scale: 0.0 },
                "scale",
                "must be > 0, got 0",
            ),
        ];
        for (spec, param, message) in specs {
            let e = Sampler::new(&spec).unwrap_err();
            assert_eq!(
                e,
                BadDist {
                    param: Some(param),
                    message: message.into()
                },
                "{spec:?}"
            );
            assert!(POSITIVE_PARAMS.contains(&param));
            assert_eq!(e.to_string(), format!("{param} {message}"));
        }
    }
}
