//! The simulator agrees with queueing theory where theory is exact.
//!
//! Stationary single-skill queues are compared with exact Erlang C (no abandonment) and
//! Erlang A (exponential patience, written as an exponential or as a one-piece hazard)
//! values from `ccsim::erlang`, from 2 to 500 agents and loads 0.5 to 0.98. The tolerance is the confidence interval ccsim itself reports:
//! |mean − exact| ≤ 3·ci95 plus a slack at the level of rounding. The tolerance itself is
//! bounded: each reported half-width must be within `common::max_ci` (0.5 points for
//! answer and abandon rates and occupancy, 1 point for the service level, 5 % of the
//! exact ASA or 0.5 s), so no figure may be off by more than 1.5, 3 points or 15 % of
//! ASA (1.5 s); the cases simulate enough calls for that. A separate test checks that the
//! reported 95 % intervals cover the exact value about 95 % of the time.

use ccsim::erlang::{Performance, Queue, performance};
use ccsim::{Model, Scenario, Summary};

use crate::common::max_ci;

/// How a case's exponential patience is written in the scenario.
#[derive(Clone, Copy)]
enum PatienceAs {
    /// `{ dist = "exponential", mean = m }`
    Exponential,
    /// `{ dist = "hazard", from = ["0s"], rate = [1/m] }`: the same distribution.
    OnePieceHazard,
}

/// A stationary queue to simulate and the scale of the simulation.
struct Case {
    agents: u32,
    /// Offered load ÷ agents.
    load: f64,
    aht: f64,
    patience: Option<f64>,
    /// Calls per replication (after warm-up).
    calls: f64,
    replications: u32,
}

impl Case {
    fn arrival_rate(&self) -> f64 {
        self.load * f64::from(self.agents) / self.aht
    }

    fn exact(&self) -> Performance {
        performance(&Queue {
            arrival_rate: self.arrival_rate(),
            mean_handle_time: self.aht,
            agents: self.agents,
            mean_patience: self.patience,
            threshold: 20.0,
        })
        .expect("a stable queue")
    }

    /// Warm-up of several relaxation times: 1/(μ(√n − √A)²) for the heavy-traffic
    /// Erlang C queue, at most the mean patience when callers abandon.
    fn warmup(&self) -> f64 {
        let n = f64::from(self.agents);
        let a = self.load * n;
        let mut relaxation = self.aht / (n.sqrt() - a.sqrt()).powi(2);
        if let Some(p) = self.patience {
            relaxation = relaxation.min(4.0 * p);
        }
        (6.0 * relaxation).clamp(1800.0, 48.0 * 3600.0)
    }

    fn scenario(&self, seed: u64, patience_as: PatienceAs) -> String {
        let duration = (self.calls / self.arrival_rate()).ceil();
        let patience = match (self.patience, patience_as) {
            (None, _) => String::new(),
            (Some(p), PatienceAs::Exponential) => format!("patience = {{ dist = \"exponential\", mean = {p} }}"),
            (Some(p), PatienceAs::OnePieceHazard) => {
                format!(
                    "patience = {{ dist = \"hazard\", from = [\"0s\"], rate = [{}] }}",
                    1.0 / p
                )
            }
        };
        format!(
            r#"
            [scenario]
            name = "theory"
            duration = {duration}
            interval = {duration}
            warmup = {warmup}
            replications = {reps}
            seed = {seed}

            [[call_type]]
            name = "calls"
            arrivals = {{ per_hour = {per_hour} }}
            handle_time = {{ dist = "exponential", mean = {aht} }}
            {patience}

            [[agent_group]]
            name = "agents"
            agents = {agents}
            skills = ["calls"]
            "#,
            warmup = self.warmup().round(),
            reps = self.replications,
            per_hour = self.arrival_rate() * 3600.0,
            aht = self.aht,
            agents = self.agents,
        )
    }

    fn simulate(&self, seed: u64) -> Summary {
        self.simulate_as(seed, PatienceAs::Exponential)
    }

    fn simulate_as(&self, seed: u64, patience_as: PatienceAs) -> Summary {
        let scenario = Scenario::parse("theory.toml", &self.scenario(seed, patience_as)).expect("valid scenario");
        let model = Model::build(&scenario).expect("valid model");
        let acc = ccsim::simulate(&model, 0, &|| {}).expect("simulation runs");
        Summary::new(&model, &acc)
    }
}

/// Checks one metric: within 3·ci95 (+ slack) of the exact value, and the interval no
/// wider than [`max_ci`] allows.
fn check(failures: &mut Vec<String>, label: &str, s: &Summary, metric: &str, exact: f64, slack: f64) {
    let e = s.totals.get(metric).expect("metric reported");
    let (mean, ci) = (e.mean.expect("defined"), e.ci95.expect("several replications"));
    let limit = max_ci(metric, exact);
    let line = format!("{label} {metric}: simulated {mean:.5} ± {ci:.5}, exact {exact:.5}");
    if (mean - exact).abs() > 3.0 * ci + slack {
        failures.push(format!("{line} (outside 3·ci95)"));
    }
    if ci > limit {
        failures.push(format!("{line} (interval wider than {limit:.5})"));
    }
    eprintln!("{line} (width limit {limit:.5})");
}

fn compare(cases: &[Case]) {
    compare_as(cases, PatienceAs::Exponential);
}

fn compare_as(cases: &[Case], patience_as: PatienceAs) {
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let exact = case.exact();
        let s = case.simulate_as(1000 + i as u64, patience_as);
        let label = format!(
            "n={} load={} aht={} patience={:?}:",
            case.agents, case.load, case.aht, case.patience
        );
        for (metric, value, slack) in [
            ("answer_rate", exact.answer_rate, 1e-9),
            ("abandon_rate", exact.abandon_rate, 1e-9),
            ("service_level", exact.service_level, 1e-9),
            ("asa_seconds", exact.asa_seconds, 1e-3),
            ("occupancy", exact.occupancy, 1e-9),
        ] {
            check(&mut failures, &label, &s, metric, value, slack);
        }
    }
    assert!(
        failures.is_empty(),
        "disagreements with theory:\n{}",
        failures.join("\n")
    );
}

#[test]
fn erlang_c_without_abandonment() {
    compare(&[
        Case {
            agents: 2,
            load: 0.5,
            aht: 180.0,
            patience: None,
            calls: 8000.0,
            replications: 20,
        },
        Case {
            agents: 14,
            load: 10.0 / 14.0,
            aht: 180.0,
            patience: None,
            calls: 60000.0,
            replications: 40,
        },
        Case {
            agents: 10,
            load: 0.9,
            aht: 180.0,
            patience: None,
            calls: 60000.0,
            replications: 30,
        },
        Case {
            agents: 100,
            load: 0.9,
            aht: 360.0,
            patience: None,
            calls: 250000.0,
            replications: 40,
        },
        Case {
            agents: 500,
            load: 0.5,
            aht: 180.0,
            patience: None,
            calls: 50000.0,
            replications: 10,
        },
        Case {
            agents: 8,
            load: 0.95,
            aht: 120.0,
            patience: None,
            calls: 180000.0,
            replications: 40,
        },
    ]);
}

#[test]
fn erlang_a_with_abandonment() {
    compare(&[
        Case {
            agents: 5,
            load: 0.7,
            aht: 240.0,
            patience: Some(120.0),
            calls: 6000.0,
            replications: 20,
        },
        Case {
            agents: 3,
            load: 0.98,
            aht: 180.0,
            patience: Some(600.0),
            calls: 20000.0,
            replications: 20,
        },
        Case {
            agents: 20,
            load: 0.95,
            aht: 300.0,
            patience: Some(600.0),
            calls: 40000.0,
            replications: 20,
        },
        Case {
            agents: 30,
            load: 0.8,
            aht: 120.0,
            patience: Some(30.0),
            calls: 40000.0,
            replications: 20,
        },
        Case {
            agents: 50,
            load: 0.98,
            aht: 300.0,
            patience: Some(180.0),
            calls: 60000.0,
            replications: 20,
        },
        Case {
            agents: 100,
            load: 0.98,
            aht: 300.0,
            patience: Some(180.0),
            calls: 80000.0,
            replications: 20,
        },
        Case {
            agents: 200,
            load: 0.95,
            aht: 240.0,
            patience: Some(60.0),
            calls: 40000.0,
            replications: 15,
        },
        Case {
            agents: 500,
            load: 0.98,
            aht: 300.0,
            patience: Some(300.0),
            calls: 60000.0,
            replications: 30,
        },
    ]);
}

/// A piecewise-constant hazard with one piece of rate 1/m is the exponential patience
/// of mean m: the simulator reproduces Erlang A with it, as with `exponential`.
#[test]
fn erlang_a_with_a_one_piece_hazard_patience() {
    compare_as(
        &[
            Case {
                agents: 5,
                load: 0.7,
                aht: 240.0,
                patience: Some(120.0),
                calls: 6000.0,
                replications: 20,
            },
            Case {
                agents: 30,
                load: 0.8,
                aht: 120.0,
                patience: Some(30.0),
                calls: 40000.0,
                replications: 20,
            },
            Case {
                agents: 50,
                load: 0.98,
                aht: 300.0,
                patience: Some(180.0),
                calls: 60000.0,
                replications: 20,
            },
        ],
        PatienceAs::OnePieceHazard,
    );
}

/// Over many independent seeds, the reported 95 % interval of a rate holds the exact
/// value in about 95 % of them: neither too narrow (overconfident) nor too wide.
#[test]
fn confidence_intervals_cover_the_exact_value() {
    let case = Case {
        agents: 10,
        load: 0.85,
        aht: 180.0,
        patience: Some(120.0),
        calls: 1500.0,
        replications: 10,
    };
    let exact = case.exact();
    let seeds = 200;
    let mut covered = [0usize; 3];
    for seed in 0..seeds {
        let s = case.simulate(50_000 + seed);
        for (k, (metric, value)) in [
            ("answer_rate", exact.answer_rate),
            ("service_level", exact.service_level),
            ("asa_seconds", exact.asa_seconds),
        ]
        .iter()
        .enumerate()
        {
            let e = s.totals.get(metric).unwrap();
            if (e.mean.unwrap() - value).abs() <= e.ci95.unwrap() {
                covered[k] += 1;
            }
        }
    }
    eprintln!("coverage of 95 % intervals over {seeds} seeds (answer rate, SL, ASA): {covered:?}");
    // Binomial(200, 0.95): mean 190, sd 3.1. Below 178 the intervals are too narrow
    // (or the estimator biased); at 200 they are suspiciously wide.
    for c in covered {
        assert!((178..200).contains(&c), "coverage {c} of {seeds}: {covered:?}");
    }
}
