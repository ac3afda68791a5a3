//! Distributions of durations, validated once and ready to sample.
//!
//! As in `rand_distr`, a [`Sampler`] checks its parameters in [`Sampler::new`], stores
//! what sampling needs precomputed, and never owns a generator: the engine passes the
//! contact's own stream. Every value is in seconds.
//!
//! A piecewise-constant hazard ([`Hazard`]) has no counterpart in `rand_distr`: it is
//! sampled by inversion of its cumulative hazard, precomputed here.

use rand::{Rng, RngExt};
use rand_distr::{Distribution, Exp1, Gamma, LogNormal, Triangular, Uniform, Weibull};

use crate::scenario::{DistSpec, duration_text};

/// The longest mean duration accepted (a year): beyond it a value is a typo.
pub const MAX_SECONDS: f64 = 365.0 * 86400.0;

/// The most pieces a piecewise-constant hazard may have.
pub const MAX_HAZARD_PIECES: usize = 1000;

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
    /// A piecewise-constant hazard rate (see [`Hazard`]).
    Hazard(Hazard),
}

/// Why a piecewise-constant hazard's pieces are refused: the parameter (`from` or
/// `rate`), the piece it is about (if one), and what is wrong. The reader points at the
/// piece, [`Sampler::new`] at the parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct BadPieces {
    pub param: &'static str,
    pub piece: Option<usize>,
    pub message: String,
}

/// Checks the pieces of a piecewise-constant hazard: `from` (piece starts, seconds) is
/// strictly increasing from 0, `rate` (per second) has one finite number ≥ 0 per piece,
/// the last > 0, and there are 1 to [`MAX_HAZARD_PIECES`] pieces.
pub fn check_hazard_pieces(from: &[f64], rate: &[f64]) -> Result<(), BadPieces> {
    let bad = |param, piece, message: String| Err(BadPieces { param, piece, message });
    if from.is_empty() {
        return bad("from", None, "needs at least one piece: from = [\"0s\"]".into());
    }
    if from.len() > MAX_HAZARD_PIECES {
        return bad(
            "from",
            None,
            format!("has {} pieces, more than {MAX_HAZARD_PIECES}", from.len()),
        );
    }
    if rate.len() != from.len() {
        return bad(
            "rate",
            None,
            format!(
                "has {} rates but `from` has {} pieces (one rate per piece)",
                rate.len(),
                from.len()
            ),
        );
    }
    if let Some(i) = from.iter().position(|t| !t.is_finite() || *t < 0.0) {
        return bad(
            "from",
            Some(i),
            format!("must be a finite duration ≥ 0, got {}", from[i]),
        );
    }
    if from[0] != 0.0 {
        return bad(
            "from",
            Some(0),
            format!("the first piece must start at 0, got {}", duration_text(from[0])),
        );
    }
    if let Some(i) = (1..from.len()).find(|&i| from[i] <= from[i - 1]) {
        return bad(
            "from",
            Some(i),
            format!(
                "must be after the previous piece's start ({}), got {}: starts are strictly increasing",
                duration_text(from[i - 1]),
                duration_text(from[i])
            ),
        );
    }
    if let Some(i) = rate.iter().position(|r| !r.is_finite() || *r < 0.0) {
        return bad(
            "rate",
            Some(i),
            format!("must be a finite rate ≥ 0 per second, got {}", rate[i]),
        );
    }
    let last = rate.len() - 1;
    if rate[last] == 0.0 {
        return bad(
            "rate",
            Some(last),
            "the last piece's rate must be > 0: with 0, some callers never leave and the mean is infinite".into(),
        );
    }
    Ok(())
}

/// A piecewise-constant hazard rate: `rate[i]` per second from `from[i]` to
/// `from[i + 1]` (the last piece forever). Survival S(t) = exp(−H(t)) with H the
/// cumulative hazard; a draw inverts H at one standard exponential variate E, so
/// T = from[i] + (E − H(from[i])) / rate[i] in the piece where H crosses E.
#[derive(Debug, Clone)]
pub struct Hazard {
    from: Vec<f64>,
    rate: Vec<f64>,
    /// H at each piece's start: `cumulative[0] = 0`, non-decreasing.
    cumulative: Vec<f64>,
}

impl Hazard {
    /// Precomputes the cumulative hazard of pieces already checked by
    /// [`check_hazard_pieces`].
    fn new(from: &[f64], rate: &[f64]) -> Hazard {
        let mut cumulative = Vec::with_capacity(from.len());
        let mut h = 0.0;
        for i in 0..from.len() {
            cumulative.push(h);
            if let Some(next) = from.get(i + 1) {
                h += rate[i] * (next - from[i]);
            }
        }
        Hazard {
            from: from.to_vec(),
            rate: rate.to_vec(),
            cumulative,
        }
    }

    /// The mean, ∫S(t)dt in closed form piece by piece: S(from[i]) · (1 − e^(−rate·length))
    /// / rate, or S(from[i]) · length where the rate is 0, and S(from[last]) / rate for
    /// the last piece.
    fn mean(&self) -> f64 {
        (0..self.from.len())
            .map(|i| {
                let survival = (-self.cumulative[i]).exp();
                let rate = self.rate[i];
                match self.from.get(i + 1) {
                    None => survival / rate,
                    Some(next) if rate == 0.0 => survival * (next - self.from[i]),
                    Some(next) => survival * -(-rate * (next - self.from[i])).exp_m1() / rate,
                }
            })
            .sum()
    }

    /// The time at which the cumulative hazard reaches `e` (≥ 0).
    #[inline]
    fn invert(&self, e: f64) -> f64 {
        // The last piece starting with H ≤ e. Its rate is > 0: a piece with rate 0 has
        // the same H as the next one, which would then be the last (and the last piece's
        // rate is > 0).
        let i = self.cumulative.partition_point(|&h| h <= e) - 1;
        self.from[i] + (e - self.cumulative[i]) / self.rate[i]
    }
}

/// A duration too long for [`duration_text`]'s units, in years where it is years.
fn long_duration(seconds: f64) -> String {
    let years = seconds / (365.0 * 86400.0);
    if years >= 2.0 {
        format!(
            "{} years",
            if years < 1e6 {
                format!("{years:.0}")
            } else {
                format!("{years:.3e}")
            }
        )
    } else {
        duration_text(seconds)
    }
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
                let scale = positive("scale", scale)?;
                // A small shape multiplies the scale: Γ(1 + 1/0.05) = Γ(21) ≈ 2.4e18.
                let mean = scale * statrs::function::gamma::gamma(1.0 + 1.0 / shape);
                if mean.is_nan() || mean > MAX_SECONDS {
                    return Err(format!(
                        "mean, scale × Γ(1 + 1/shape) = {} × Γ({}), is {}: more than a year ({MAX_SECONDS} s); raise the shape or lower the scale",
                        if scale >= 1e-3 { duration_text(scale) } else { format!("{scale:e}s") },
                        1.0 + 1.0 / shape,
                        long_duration(mean)
                    )
                    .into());
                }
                Sampler::Weibull(Weibull::new(scale, shape).map_err(|e| BadDist::from(e.to_string()))?)
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
            DistSpec::Hazard { ref from, ref rate } => {
                // The reader points at a bad piece itself; a spec built in code names it.
                check_hazard_pieces(from, rate).map_err(|e| match e.piece {
                    Some(i) => BadDist::from(format!("{}[{i}] {}", e.param, e.message)),
                    None => BadDist {
                        param: Some(e.param),
                        message: e.message,
                    },
                })?;
                let hazard = Hazard::new(from, rate);
                let mean = hazard.mean();
                // Finite rates can still give an infinite mean (a last rate of 1e-320).
                if mean > MAX_SECONDS {
                    return Err(format!("mean must be at most a year ({MAX_SECONDS} s), got {mean}").into());
                }
                Sampler::Hazard(hazard)
            }
        })
    }

    /// One draw, in seconds (never negative).
    ///
    /// The exponential, the commonest, is drawn inline; the others in
    /// [`Sampler::sample_other`], so that the call of every draw does not pay for saving
    /// the registers the larger samplers use.
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Sampler::Exponential { mean } => {
                let e: f64 = Exp1.sample(rng);
                e * mean
            }
            _ => self.sample_other(rng),
        }
    }

    /// One draw of any sampler but the exponential.
    #[inline(never)]
    fn sample_other<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
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
            Sampler::Hazard(h) => h.invert(Exp1.sample(rng)),
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
            // Pieces the model refused have no mean (their sampler is a stand-in).
            DistSpec::Hazard { ref from, ref rate } => match check_hazard_pieces(from, rate) {
                Ok(()) => Hazard::new(from, rate).mean(),
                Err(_) => f64::NAN,
            },
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
            DistSpec::Hazard {
                from: vec![0.0, 10.0, 30.0, 60.0],
                rate: vec![0.012, 0.02, 0.008, 0.004],
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

    /// A hazard of 0.05/s for 10 s, none from 10 s to 30 s, then 0.01/s: S(10) = S(30) =
    /// e^−0.5, and mean (1 − e^−0.5)/0.05 + 20·e^−0.5 + e^−0.5/0.01.
    #[test]
    fn a_piecewise_hazard_with_a_zero_rate_piece_has_its_closed_form_mean_and_survival() {
        let spec = DistSpec::Hazard {
            from: vec![0.0, 10.0, 30.0],
            rate: vec![0.05, 0.0, 0.01],
        };
        let sampler = Sampler::new(&spec).unwrap();
        let survival = (-0.5f64).exp();
        let by_hand = (1.0 - survival) / 0.05 + 20.0 * survival + survival / 0.01;
        let mean = sampler.mean(&spec);
        assert!((mean - by_hand).abs() <= 1e-12 * by_hand, "{mean} vs {by_hand}");

        let n: usize = 400_000;
        let mut rng = StreamKey::replication(11, 0).named("hazard").stream();
        let xs: Vec<f64> = (0..n).map(|_| sampler.sample(&mut rng)).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let se = (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / ((n - 1) as f64 * n as f64)).sqrt();
        assert!((m - mean).abs() <= 4.0 * se, "sample mean {m} vs {mean} (se {se})");
        // Nobody leaves while the hazard is 0.
        assert!(!xs.iter().any(|&x| x > 10.0 && x < 30.0));
        // The share still waiting at 10 s is S(10), within 4 binomial standard errors.
        let waiting = xs.iter().filter(|&&x| x >= 10.0).count() as f64 / n as f64;
        let binomial_se = (survival * (1.0 - survival) / n as f64).sqrt();
        assert!(
            (waiting - survival).abs() <= 4.0 * binomial_se,
            "{waiting} vs {survival}"
        );
    }

    /// Shape 0.05 with a scale far under a year has a mean of centuries: refused on its
    /// mean, which is what the limit is about.
    #[test]
    fn a_weibull_is_refused_on_its_mean_not_only_its_scale() {
        let e = Sampler::new(&DistSpec::Weibull {
            shape: 0.05,
            scale: 1e-8,
        })
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("mean") && e.contains("771 years") && e.contains("more than a year"),
            "{e}"
        );
        let ok = DistSpec::Weibull {
            shape: 0.05,
            scale: 1e-12,
        };
        let mean = Sampler::new(&ok).unwrap().mean(&ok);
        assert!(mean > 86400.0 && mean <= MAX_SECONDS, "{mean}");
    }

    #[test]
    fn a_one_piece_hazard_is_the_exponential() {
        let spec = DistSpec::Hazard {
            from: vec![0.0],
            rate: vec![1.0 / 180.0],
        };
        let mean = Sampler::new(&spec).unwrap().mean(&spec);
        assert!((mean - 180.0).abs() <= 1e-9, "{mean}");
    }

    #[test]
    fn bad_hazard_pieces_name_the_parameter_and_the_piece() {
        let bad = |from: &[f64], rate: &[f64]| {
            let e = check_hazard_pieces(from, rate).unwrap_err();
            (e.param, e.piece)
        };
        assert_eq!(bad(&[], &[]), ("from", None));
        assert_eq!(bad(&[0.0, 10.0], &[0.1]), ("rate", None));
        assert_eq!(bad(&[5.0, 10.0], &[0.1, 0.1]), ("from", Some(0)));
        assert_eq!(bad(&[0.0, 10.0, 10.0], &[0.1, 0.1, 0.1]), ("from", Some(2)));
        assert_eq!(bad(&[0.0, 10.0], &[-0.1, 0.1]), ("rate", Some(0)));
        assert_eq!(bad(&[0.0, 10.0], &[0.1, 0.0]), ("rate", Some(1)));
        let many: Vec<f64> = (0..=MAX_HAZARD_PIECES).map(|i| i as f64).collect();
        assert_eq!(bad(&many, &vec![0.1; many.len()]), ("from", None));
        assert!(check_hazard_pieces(&many[..MAX_HAZARD_PIECES], &vec![0.1; MAX_HAZARD_PIECES]).is_ok());
        // Valid pieces whose mean is beyond a year are refused like any mean.
        let slow = DistSpec::Hazard {
            from: vec![0.0],
            rate: vec![1e-9],
        };
        assert!(Sampler::new(&slow).unwrap_err().to_string().contains("at most a year"));
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
