//! Exact queueing formulas: Erlang B, Erlang C (M/M/n), Erlang A (M/M/n+M) and the
//! finite waiting room M/M/n/K (+M), with extended Erlang B's retries.
//!
//! The simulator is checked against these closed forms: a single-skill scenario with
//! Poisson arrivals, exponential handle times and (optionally) exponential patience is
//! exactly one of these queues, so its simulated service level, speed of answer and
//! abandonment rate must agree with the numbers computed here within the confidence
//! intervals. The `ccsim erlang` command prints them, and [`fewest_agents`] gives the
//! classic "how many agents" answer a planner compares the simulation with.
//!
//! Everything is computed without factorials or powers that overflow: Erlang B by its
//! ratio recursion (and `ln(1/B)` by a log-space version of it), the waiting part of the
//! birth–death chain in log space with a log-sum-exp, and the conditional wait
//! distribution of an answered call by a stable term recursion. The results are finite
//! and accurate for thousands of agents (tested with n = 5,000 at 98% load and with
//! 100,000 Erlangs).
//!
//! ## The birth–death chain in brief
//!
//! With λ the arrival rate, μ = 1/AHT, θ = 1/mean patience (θ = 0: nobody abandons),
//! A = λ/μ, n agents and K ≥ n lines (K = ∞ without `lines`), the number in system is a
//! birth–death chain with `π_k ∝ A^k/k!` for `k ≤ n` and
//! `π_{n+j} = π_n ∏_{i=1..j} λ/(nμ + iθ)` for `n + j ≤ K`. An arriving call (PASTA)
//! finds `i` calls waiting with probability `p_i = π_{n+i}`; one that finds all K lines
//! busy is blocked (`blocking = π_K`; with K = n that is Erlang B, which holds for any
//! handle-time distribution, the loss system being insensitive). Such a call is answered
//! with probability `nμ/(nμ + (i+1)θ)`, and given that, its wait is a sum of independent
//! exponentials with rates `nμ+θ, …, nμ+(i+1)θ` (calls behind it, and so K, do not
//! matter), whose law is that of `-ln(U)/θ` with `U ~ Beta(nμ/θ + 1, i + 1)`. Because
//! the second Beta parameter is an integer, the regularized incomplete beta reduces to a
//! negative-binomial sum,
//! `P(S_i > t) = I_x(a, i+1) = Σ_{j=0..i} C(a+j-1, j) x^a (1-x)^j` with `x = e^{-θt}`,
//! `a = nμ/θ + 1`, whose partial sums give every `i` in one pass (the tests check it
//! against `statrs::function::beta::beta_reg` and the explicit hypoexponential formula);
//! with θ = 0 the same recursion is the Poisson sum of an Erlang(i + 1, nμ) wait.
//!
//! ## Retries (extended Erlang B)
//!
//! A share r of the blocked callers tries again. Assuming the retries arrive as part of
//! one Poisson stream (the classic extended Erlang B assumption: they return after a
//! delay long against the busy period), the attempt rate Λ solves
//! `Λ = λ + r·B(Λ)·Λ`. `Λ(1 − r·B(Λ))` increases in Λ (it is `(1 − r)Λ` plus r times
//! the carried rate), so the root in `[λ, λ/(1 − r)]` is unique and found by a bracketed
//! root search in a bounded number of steps: the same fixed point the usual iteration
//! `Λ ← λ + r·B(Λ)·Λ` reaches, in fewer evaluations.

use std::fmt;

pub mod ask;

/// Largest agent count the staffing search will consider (each evaluation is `O(n)`).
pub const MAX_AGENTS: u32 = 2_000_000;

/// Largest number of lines (agents plus waiting places) of a finite queue: its chain
/// may keep one state per waiting place in memory.
pub const MAX_LINES: u32 = 4_000_000;

/// Largest number of waiting-queue states the Erlang A sums may need before giving up
/// (reached only with an overloaded queue and an absurdly long mean patience).
const MAX_CHAIN_TERMS: usize = 50_000_000;

/// Relative size below which the tail of the waiting-state distribution is dropped.
const TAIL_TOLERANCE: f64 = 1e-18;

/// Steps of the retry fixed point's root search: the bracket around the root shrinks to
/// round-off well before this (the loop stops there).
const RETRY_STEPS: u32 = 200;

/// Parameters of a stationary single-skill queue.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Queue {
    /// Calls per second (λ).
    pub arrival_rate: f64,
    /// Mean handle time in seconds (1/μ).
    pub mean_handle_time: f64,
    /// Number of agents (n).
    pub agents: u32,
    /// Mean patience in seconds (1/θ); `None` means callers never abandon (Erlang C).
    pub mean_patience: Option<f64>,
    /// Service-level threshold in seconds.
    pub threshold: f64,
}

/// Steady-state performance of a [`Queue`] (with [`mmck`], of one behind lines).
///
/// Every share is of the offered calls (attempts): `answer_rate + abandon_rate +
/// blocking = 1`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Performance {
    /// P(an arriving call must wait) = P(all agents busy and a line free), by PASTA.
    pub p_wait: f64,
    /// P(answered AND wait ≤ threshold); abandoned and blocked calls count as misses.
    pub service_level: f64,
    /// Mean wait of answered calls, in seconds (ccsim's ASA convention).
    pub asa_seconds: f64,
    /// Fraction of calls answered (1 − `abandon_rate` − `blocking`).
    pub answer_rate: f64,
    /// Fraction of calls that abandon.
    pub abandon_rate: f64,
    /// Mean busy agents / n = λ·`answer_rate`/(μn).
    pub occupancy: f64,
    /// Mean wait of every call that got a line (answered or abandoned), in seconds: what
    /// some calculators call ASA. Blocked calls never wait and are left out.
    pub mean_wait_seconds: f64,
    /// Mean number of calls waiting (time average).
    pub avg_queue_length: f64,
    /// P(an arriving call finds every line busy); 0 without lines.
    pub blocking: f64,
}

impl Performance {
    /// A queue nobody calls.
    const IDLE: Performance = Performance {
        p_wait: 0.0,
        service_level: 1.0,
        asa_seconds: 0.0,
        answer_rate: 1.0,
        abandon_rate: 0.0,
        occupancy: 0.0,
        mean_wait_seconds: 0.0,
        avg_queue_length: 0.0,
        blocking: 0.0,
    };
}

/// Why a queue could not be evaluated or staffed.
#[derive(Debug, Clone, PartialEq)]
pub enum ErlangError {
    /// A parameter is NaN, infinite, negative or otherwise out of range; the message
    /// names it.
    InvalidParameter(String),
    /// Erlang C (no abandonment) with offered load ≥ agents: the queue grows without
    /// bound and no steady state exists.
    Unstable {
        /// Offered load A = λ·AHT in Erlangs.
        offered_load: f64,
        /// Number of agents.
        agents: u32,
    },
    /// No agent count up to `max_agents` meets the targets.
    NoStaffingSolution {
        /// The targets, as a person reads them ("service level ≥ 0.8").
        targets: String,
        /// The largest agent count tried.
        max_agents: u32,
    },
    /// The computation would need an unreasonable amount of work (e.g. an overloaded
    /// queue with near-infinite patience); the message says what was too large.
    Intractable(String),
    /// Ctrl-C asked everything to stop ([`crate::interrupt`]); the search gave up.
    Interrupted,
}

impl fmt::Display for ErlangError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErlangError::InvalidParameter(msg) => write!(f, "invalid parameter: {msg}"),
            ErlangError::Unstable { offered_load, agents } => write!(
                f,
                "unstable queue: offered load {offered_load} Erlangs with {agents} agents and no \
                 abandonment grows without bound (need more agents than the load, or a patience)"
            ),
            ErlangError::NoStaffingSolution { targets, max_agents } => {
                write!(f, "no agent count up to {max_agents} meets {targets}")
            }
            ErlangError::Intractable(msg) => write!(f, "computation too large: {msg}"),
            ErlangError::Interrupted => f.write_str("interrupted"),
        }
    }
}

impl std::error::Error for ErlangError {}

/// Erlang B blocking probability for `offered_load` Erlangs on `agents` servers (M/M/n/n).
///
/// Uses the stable recursion `B(0) = 1`, `B(k) = A·B(k−1)/(k + A·B(k−1))`, which never
/// overflows; for a tiny load on many agents the result underflows gracefully to 0.
/// Returns NaN if `offered_load` is negative, NaN or infinite. The loss system is
/// insensitive: the same B holds for any handle-time distribution with that mean.
#[must_use]
pub fn erlang_b(offered_load: f64, agents: u32) -> f64 {
    let a = offered_load;
    if !(a.is_finite() && a >= 0.0) {
        return f64::NAN;
    }
    let mut b = 1.0;
    for k in 1..=agents {
        let ab = a * b;
        b = ab / (f64::from(k) + ab);
    }
    b
}

/// Erlang C: probability that an arriving call waits in an M/M/n queue (no abandonment).
///
/// `C = B/(1 − ρ(1 − B))` with `ρ = A/n` and `B` = [`erlang_b`]. Returns 1.0 when the
/// load is at least the number of agents (every call waits; there is no steady state),
/// and NaN for a negative, NaN or infinite load.
#[must_use]
pub fn erlang_c(offered_load: f64, agents: u32) -> f64 {
    let a = offered_load;
    if !(a.is_finite() && a >= 0.0) {
        return f64::NAN;
    }
    let n = f64::from(agents);
    if a >= n {
        return 1.0;
    }
    let b = erlang_b(a, agents);
    let rho = a / n;
    b / (1.0 - rho * (1.0 - b))
}

/// Steady-state performance of `q`: Erlang C if `q.mean_patience` is `None`, otherwise
/// Erlang A (M/M/n+M, exponential patience), which is stable at any load.
///
/// # Errors
///
/// [`ErlangError::InvalidParameter`] for NaN/infinite/negative inputs, a non-positive
/// handle time or patience, or zero agents; [`ErlangError::Unstable`] for Erlang C with
/// load ≥ agents; [`ErlangError::Intractable`] if the Erlang A state sum would need more
/// than tens of millions of terms.
pub fn performance(q: &Queue) -> Result<Performance, ErlangError> {
    validate(q)?;
    if q.arrival_rate == 0.0 {
        return Ok(Performance::IDLE);
    }
    match q.mean_patience {
        None => erlang_c_performance(q),
        Some(patience) => chain_performance(q, 1.0 / patience, None),
    }
}

/// The exact M/M/n/K queue (M/M/n/K+M with a patience): `lines` = K ≥ `q.agents` calls
/// in the centre at once, waiting or talking; an arrival finding all K lines busy is
/// blocked. `lines == q.agents` is the loss system, whose `blocking` is Erlang B.
///
/// # Errors
///
/// As [`performance`] (but never [`ErlangError::Unstable`]: a finite queue is always
/// stable), and [`ErlangError::InvalidParameter`] for `lines` below the agents or above
/// [`MAX_LINES`].
pub fn mmck(q: &Queue, lines: u32) -> Result<Performance, ErlangError> {
    validate(q)?;
    if lines < q.agents {
        return Err(ErlangError::InvalidParameter(format!(
            "lines must be at least the agents ({}), got {lines}",
            q.agents
        )));
    }
    if lines > MAX_LINES {
        return Err(ErlangError::InvalidParameter(format!(
            "lines must be at most {MAX_LINES}, got {lines}"
        )));
    }
    if q.arrival_rate == 0.0 {
        return Ok(Performance::IDLE);
    }
    let theta = q.mean_patience.map_or(0.0, |p| 1.0 / p);
    chain_performance(q, theta, Some((lines - q.agents) as usize))
}

/// What the calculator evaluates: a queue, optionally behind trunk lines whose blocked
/// callers may try again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Centre {
    /// The queue; its `arrival_rate` is the fresh calls' (retries come on top).
    pub queue: Queue,
    /// Trunk lines K ≥ agents (calls waiting or talking); `None`: unlimited.
    pub lines: Option<u32>,
    /// Share of blocked callers who try again, in `[0, 1)`; 0 without lines.
    pub retry: f64,
}

/// The figures of a [`Centre`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Evaluation {
    /// Per attempt: fresh calls and retries alike are offered calls.
    pub performance: Performance,
    /// Attempts per second, retries included (the fresh rate when nobody retries).
    pub attempt_rate: f64,
    /// Share of the fresh callers who give up after a busy signal, `Λ·B·(1 − r)/λ`.
    pub lost_to_blocking: f64,
}

/// The figures of `c`: [`performance`] without lines, [`mmck`] with them, at the attempt
/// rate of the retry fixed point (see the module documentation).
///
/// # Errors
///
/// As [`performance`] and [`mmck`]; [`ErlangError::InvalidParameter`] for a retry share
/// outside `[0, 1)` or one given without lines.
pub fn evaluate(c: &Centre) -> Result<Evaluation, ErlangError> {
    let Some(lines) = c.lines else {
        if c.retry != 0.0 {
            return Err(ErlangError::InvalidParameter(
                "retry applies to blocked calls and needs lines".to_string(),
            ));
        }
        return Ok(Evaluation {
            performance: performance(&c.queue)?,
            attempt_rate: c.queue.arrival_rate,
            lost_to_blocking: 0.0,
        });
    };
    validate_retry(c.retry)?;
    let fresh = c.queue.arrival_rate;
    let at = |rate: f64| {
        mmck(
            &Queue {
                arrival_rate: rate,
                ..c.queue
            },
            lines,
        )
    };
    let attempt_rate = retry_fixed_point(fresh, c.retry, |rate| at(rate).map(|p| p.blocking))?;
    let performance = at(attempt_rate)?;
    let lost_to_blocking = if fresh > 0.0 {
        (attempt_rate * performance.blocking * (1.0 - c.retry) / fresh).min(1.0)
    } else {
        0.0
    };
    Ok(Evaluation {
        performance,
        attempt_rate,
        lost_to_blocking,
    })
}

/// Extended Erlang B: a loss system of `lines` servers offered `fresh_load` Erlangs of
/// first attempts, a share `retry` of the blocked trying again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExtendedErlangB {
    /// Offered load of all attempts, retries included, in Erlangs.
    pub attempt_load: f64,
    /// P(an attempt is blocked) = Erlang B at the attempt load.
    pub blocking: f64,
    /// Share of the first attempts' callers who give up after a busy signal.
    pub lost_to_blocking: f64,
}

/// Extended Erlang B (see the module documentation for the fixed point).
///
/// # Errors
///
/// [`ErlangError::InvalidParameter`] for a negative or non-finite load or a retry share
/// outside `[0, 1)`.
pub fn extended_erlang_b(fresh_load: f64, lines: u32, retry: f64) -> Result<ExtendedErlangB, ErlangError> {
    if !(fresh_load.is_finite() && fresh_load >= 0.0) {
        return Err(ErlangError::InvalidParameter(format!(
            "offered load must be a finite, non-negative number of Erlangs, got {fresh_load}"
        )));
    }
    validate_retry(retry)?;
    let attempt_load = retry_fixed_point(fresh_load, retry, |a| Ok(erlang_b(a, lines)))?;
    let blocking = erlang_b(attempt_load, lines);
    let lost_to_blocking = if fresh_load > 0.0 {
        (attempt_load * blocking * (1.0 - retry) / fresh_load).min(1.0)
    } else {
        0.0
    };
    Ok(ExtendedErlangB {
        attempt_load,
        blocking,
        lost_to_blocking,
    })
}

fn validate_retry(retry: f64) -> Result<(), ErlangError> {
    if retry.is_finite() && (0.0..1.0).contains(&retry) {
        Ok(())
    } else {
        Err(ErlangError::InvalidParameter(format!(
            "retry must be a share from 0 to below 1, got {retry}"
        )))
    }
}

/// The attempt rate Λ with `Λ = fresh + retry·B(Λ)·Λ`: the root of
/// `g(Λ) = Λ(1 − retry·B(Λ)) − fresh`, which increases from `g(fresh) ≤ 0` to
/// `g(fresh/(1 − retry)) ≥ 0`. Found by regula falsi with the Illinois modification (a
/// handful of evaluations of B, each `O(lines)`), every step keeping the root bracketed
/// and falling back to bisection where the secant leaves the bracket.
fn retry_fixed_point(
    fresh: f64,
    retry: f64,
    mut blocking: impl FnMut(f64) -> Result<f64, ErlangError>,
) -> Result<f64, ErlangError> {
    if retry == 0.0 || fresh == 0.0 {
        return Ok(fresh);
    }
    let mut g = |rate: f64| -> Result<f64, ErlangError> { Ok(rate * (1.0 - retry * blocking(rate)?) - fresh) };
    let (mut lo, mut hi) = (fresh, fresh / (1.0 - retry));
    let (mut g_lo, mut g_hi) = (g(lo)?, g(hi)?);
    if g_lo >= 0.0 {
        return Ok(lo);
    }
    if g_hi <= 0.0 {
        return Ok(hi);
    }
    // Which end moved last: -1 low, 1 high, 0 neither.
    let mut last_side = 0i8;
    for _ in 0..RETRY_STEPS {
        let mut x = hi - g_hi * (hi - lo) / (g_hi - g_lo);
        if !(x > lo && x < hi) {
            x = 0.5 * (lo + hi);
            if !(x > lo && x < hi) {
                break;
            }
        }
        let g_x = g(x)?;
        if g_x == 0.0 {
            return Ok(x);
        }
        if g_x < 0.0 {
            lo = x;
            g_lo = g_x;
            if last_side == -1 {
                g_hi *= 0.5;
            }
            last_side = -1;
        } else {
            hi = x;
            g_hi = g_x;
            if last_side == 1 {
                g_lo *= 0.5;
            }
            last_side = 1;
        }
        if hi - lo <= 4.0 * f64::EPSILON * hi {
            break;
        }
    }
    Ok(0.5 * (lo + hi))
}

/// What a staffing answer must meet; every target given must hold.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Targets {
    /// Service level at least this (a share in `[0, 1]`).
    pub service_level: Option<f64>,
    /// Answer rate at least this (a share in `[0, 1]`).
    pub answer_rate: Option<f64>,
    /// ASA (mean wait of answered calls) at most this many seconds (positive).
    pub max_asa_seconds: Option<f64>,
}

impl Targets {
    /// Whether `p` meets every target given.
    #[must_use]
    pub fn met_by(&self, p: &Performance) -> bool {
        self.service_level.is_none_or(|t| p.service_level >= t)
            && self.answer_rate.is_none_or(|t| p.answer_rate >= t)
            && self.max_asa_seconds.is_none_or(|t| p.asa_seconds <= t)
    }

    /// The targets as a person reads them: "service level ≥ 0.8 and ASA ≤ 30 s".
    #[must_use]
    pub fn describe(&self) -> String {
        let parts: Vec<String> = [
            self.service_level.map(|t| format!("service level ≥ {t}")),
            self.answer_rate.map(|t| format!("answer rate ≥ {t}")),
            self.max_asa_seconds.map(|t| format!("ASA ≤ {t} s")),
        ]
        .into_iter()
        .flatten()
        .collect();
        parts.join(" and ")
    }

    fn validate(&self) -> Result<(), ErlangError> {
        for (value, name) in [
            (self.service_level, "target service level"),
            (self.answer_rate, "target answer rate"),
        ] {
            if let Some(t) = value
                && !(t.is_finite() && (0.0..=1.0).contains(&t))
            {
                return Err(ErlangError::InvalidParameter(format!(
                    "{name} must be between 0 and 1, got {t}"
                )));
            }
        }
        if let Some(t) = self.max_asa_seconds
            && !(t.is_finite() && t > 0.0)
        {
            return Err(ErlangError::InvalidParameter(format!(
                "max ASA must be a finite, positive number of seconds, got {t}"
            )));
        }
        if *self == Targets::default() {
            return Err(ErlangError::InvalidParameter(
                "a staffing search needs at least one target".to_string(),
            ));
        }
        Ok(())
    }
}

/// Fewest agents whose service level is at least `target` (in `[0, 1]`) in an
/// unlimited queue; `q.agents` is ignored. [`fewest_agents`] with that one target.
///
/// # Errors
///
/// As [`fewest_agents`].
pub fn agents_for_service_level(q: &Queue, target: f64) -> Result<u32, ErlangError> {
    let centre = Centre {
        queue: *q,
        lines: None,
        retry: 0.0,
    };
    let targets = Targets {
        service_level: Some(target),
        ..Targets::default()
    };
    fewest_agents(&centre, &targets)
}

/// Fewest agents of `c` (`c.queue.agents` is ignored) meeting every target of `targets`.
///
/// Each target is monotone in the agents (more agents answer more, sooner), so the
/// search starts from a lower bound no larger than the answer (without abandonment or
/// lines the first stable count `⌊A⌋ + 1`; otherwise `⌈s·A⌉` for the largest share s
/// among the service-level and answer-rate targets, since at most `nμ/λ` of the calls
/// can be answered), gallops upward, bisects, and is capped at `⌈A + 20√A + 50⌉` (far
/// beyond where P(wait) vanishes) and at the lines. With no arrivals it returns 1 (zero
/// agents is not a valid queue).
///
/// # Errors
///
/// [`ErlangError::NoStaffingSolution`] if no count up to the cap works; a service-level
/// target of 1.0 with any arrivals is rejected that way at once, since some calls always
/// wait with positive probability (and an answer-rate target of 1.0 with abandonment or
/// lines, since some calls then abandon or are blocked).
/// [`ErlangError::InvalidParameter`] for a target out of range, no target at all or
/// invalid queue parameters (as in [`evaluate`]), and [`ErlangError::Intractable`] if
/// the cap would exceed [`MAX_AGENTS`].
pub fn fewest_agents(c: &Centre, targets: &Targets) -> Result<u32, ErlangError> {
    targets.validate()?;
    let q = &c.queue;
    let mut probe = *q;
    probe.agents = 1;
    validate(&probe)?;
    if let Some(lines) = c.lines {
        mmck(
            &Queue {
                arrival_rate: 0.0,
                ..probe
            },
            lines,
        )?;
    }
    let load = q.arrival_rate * q.mean_handle_time;
    let mut cap_f = (load + 20.0 * load.sqrt() + 50.0).ceil();
    if let Some(lines) = c.lines {
        cap_f = cap_f.min(f64::from(lines));
    }
    if cap_f > f64::from(MAX_AGENTS) {
        return Err(ErlangError::Intractable(format!(
            "offered load {load} Erlangs needs more than {MAX_AGENTS} agents to search"
        )));
    }
    // cap_f is a finite integer value in [1, MAX_AGENTS], so the cast is exact.
    let cap = cap_f as u32;
    let unlimited_erlang_c = c.lines.is_none() && q.mean_patience.is_none();
    let share = targets
        .service_level
        .unwrap_or(0.0)
        .max(targets.answer_rate.unwrap_or(0.0));
    let lower_f = if unlimited_erlang_c {
        load.floor() + 1.0
    } else {
        // `- 1e-9` guards against `share·A` rounding just above an integer.
        (share * load - 1e-9).ceil()
    };
    // lower_f is finite and below cap_f + 1, so the cast cannot truncate.
    let lower = (lower_f.max(1.0) as u32).min(cap);
    let no_solution = || ErlangError::NoStaffingSolution {
        targets: targets.describe(),
        max_agents: cap,
    };

    // Some calls always wait with positive probability, so a service level of exactly 1
    // is unreachable (numerically it could only appear through underflow); likewise an
    // answer rate of 1 where calls abandon or are blocked.
    let losses = !unlimited_erlang_c;
    if q.arrival_rate > 0.0
        && (targets.service_level.is_some_and(|t| t >= 1.0)
            || (losses && targets.answer_rate.is_some_and(|t| t >= 1.0)))
    {
        return Err(no_solution());
    }

    let meets = |n: u32| -> Result<bool, ErlangError> {
        // Each trial costs up to a few hundred milliseconds on a large queue: Ctrl-C is
        // seen between them.
        if crate::interrupt::requested() {
            return Err(ErlangError::Interrupted);
        }
        let mut trial = *c;
        trial.queue.agents = n;
        match evaluate(&trial) {
            Ok(e) => Ok(targets.met_by(&e.performance)),
            Err(ErlangError::Unstable { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    };

    // Gallop: `fail` is a count known (or implied by the lower bound) to miss the
    // targets, `hi` the next candidate.
    let mut fail = lower - 1;
    let mut hi = lower;
    let mut step = 1u32;
    loop {
        if meets(hi)? {
            break;
        }
        if hi >= cap {
            return Err(no_solution());
        }
        fail = hi;
        hi = hi.saturating_add(step).min(cap);
        step = step.saturating_mul(2);
    }
    // Bisect on (fail, hi]: `hi` meets the targets, `fail` does not.
    while hi - fail > 1 {
        let mid = fail + (hi - fail) / 2;
        if meets(mid)? {
            hi = mid;
        } else {
            fail = mid;
        }
    }
    // The figures are monotone in n; this only guards against round-off at the boundary
    // making the bisection land one above a count that also works.
    while hi > lower && meets(hi - 1)? {
        hi -= 1;
    }
    Ok(hi)
}

fn validate(q: &Queue) -> Result<(), ErlangError> {
    let invalid = |msg: String| Err(ErlangError::InvalidParameter(msg));
    if !(q.arrival_rate.is_finite() && q.arrival_rate >= 0.0) {
        return invalid(format!(
            "arrival_rate must be a finite, non-negative number of calls per second, got {}",
            q.arrival_rate
        ));
    }
    if !(q.mean_handle_time.is_finite() && q.mean_handle_time > 0.0) {
        return invalid(format!(
            "mean_handle_time must be a finite, positive number of seconds, got {}",
            q.mean_handle_time
        ));
    }
    if q.agents == 0 {
        return invalid("agents must be at least 1, got 0".to_string());
    }
    // The sums run over the agents: bounded before they are spent.
    if q.agents > MAX_AGENTS {
        return invalid(format!("agents must be at most {MAX_AGENTS}, got {}", q.agents));
    }
    if let Some(p) = q.mean_patience
        && !(p.is_finite() && p > 0.0)
    {
        return invalid(format!(
            "mean_patience must be a finite, positive number of seconds, got {p}"
        ));
    }
    if !(q.threshold.is_finite() && q.threshold >= 0.0) {
        return invalid(format!(
            "threshold must be a finite, non-negative number of seconds, got {}",
            q.threshold
        ));
    }
    let load = q.arrival_rate * q.mean_handle_time;
    if !load.is_finite() {
        return invalid(format!(
            "offered load arrival_rate × mean_handle_time overflows ({} × {})",
            q.arrival_rate, q.mean_handle_time
        ));
    }
    Ok(())
}

fn erlang_c_performance(q: &Queue) -> Result<Performance, ErlangError> {
    let load = q.arrival_rate * q.mean_handle_time;
    let n = f64::from(q.agents);
    if load >= n {
        return Err(ErlangError::Unstable {
            offered_load: load,
            agents: q.agents,
        });
    }
    let c = erlang_c(load, q.agents);
    // nμ − λ = μ(n − A): the rate at which the queue drains.
    let drain = (n - load) / q.mean_handle_time;
    let service_level = 1.0 - c * (-drain * q.threshold).exp();
    let mean_wait = c / drain;
    Ok(Performance {
        p_wait: c,
        service_level,
        asa_seconds: mean_wait,
        answer_rate: 1.0,
        abandon_rate: 0.0,
        occupancy: load / n,
        mean_wait_seconds: mean_wait,
        // Little's law: the calls waiting are λ times the mean wait.
        avg_queue_length: q.arrival_rate * mean_wait,
        blocking: 0.0,
    })
}

/// `ln(1 + e^z)` without overflow.
fn softplus(z: f64) -> f64 {
    if z > 40.0 { z + (-z).exp() } else { z.exp().ln_1p() }
}

/// `ln(e^a + e^b)` without overflow; either may be −∞.
fn log_add_exp(a: f64, b: f64) -> f64 {
    let (hi, lo) = if a >= b { (a, b) } else { (b, a) };
    if lo == f64::NEG_INFINITY {
        return hi;
    }
    hi + (lo - hi).exp().ln_1p()
}

/// `ln(Σ_{k<n} (n−k)·π_k / π_n)` for `A > 0`, `n ≥ 1`: idle agent-slots relative to `π_n`.
///
/// `π_{n−m}/π_n = ∏_{l=0..m−1} (n−l)/A`, so the sum is `Σ_{m=1..n} m·∏_{l<m} (n−l)/A`,
/// accumulated in log space. When the load exceeds the agents the terms shrink at once
/// and the loop stops as soon as the (geometrically bounded) rest is negligible.
fn ln_idle_slots(load: f64, agents: u32) -> f64 {
    let ln_a = load.ln();
    let n = f64::from(agents);
    let mut ln_prod = 0.0;
    let mut acc = f64::NEG_INFINITY;
    for m in 1..=agents {
        let mf = f64::from(m);
        ln_prod += (n - mf + 1.0).ln() - ln_a;
        let ln_term = mf.ln() + ln_prod;
        acc = log_add_exp(acc, ln_term);
        // Ratio of the next term to this one; it decreases in m.
        let next = (n - mf) / load * (mf + 1.0) / mf;
        if next < 1.0 && ln_term + next.ln() - (-next).ln_1p() < acc + TAIL_TOLERANCE.ln() {
            break;
        }
    }
    acc
}

/// `ln(1/B(A, n) − 1)` for `A > 0`, `n ≥ 1`: the log of `Σ_{k<n} π_k / π_n`.
///
/// With `r_k = 1/B(A, k)`, the Erlang B recursion reads `r_k = 1 + (k/A)·r_{k−1}`,
/// `r_0 = 1`, so `r_n − 1 = (n/A)·r_{n−1}`. Computed in log space it stays finite even
/// where `B` underflows (a small load on many agents).
fn ln_inv_erlang_b_minus_one(load: f64, agents: u32) -> f64 {
    let ln_a = load.ln();
    let mut ln_r = 0.0; // ln r_0
    for k in 1..agents {
        ln_r = softplus(f64::from(k).ln() - ln_a + ln_r);
    }
    f64::from(agents).ln() - ln_a + ln_r
}

/// The waiting part of the birth–death chain's stationary distribution, relative to
/// `π_n`.
struct WaitingStates {
    /// `ln q_j = ln(π_{n+j}/π_n)` for `j = 0, 1, …` until the tail is negligible or the
    /// lines are all busy.
    ln_q: Vec<f64>,
    /// `ln(Σ_k π_k / π_n)`: minus the log of the normalised `π_n`.
    ln_total: f64,
    /// `ln(Σ_{k<n} π_k / π_n)`.
    ln_below: f64,
    /// Whether the last state kept is the full one (every line busy: arrivals blocked).
    full: bool,
}

impl WaitingStates {
    /// Probability that an arriving call finds `i` calls waiting (all agents busy).
    fn p(&self, i: usize) -> f64 {
        (self.ln_q[i] - self.ln_total).exp()
    }
}

/// The waiting states with `room` waiting places (`None`: unlimited, then `θ > 0` or
/// `λ < nμ`).
fn waiting_states(
    lambda: f64,
    nmu: f64,
    theta: f64,
    load: f64,
    agents: u32,
    room: Option<usize>,
) -> Result<WaitingStates, ErlangError> {
    let too_many = || {
        ErlangError::Intractable(format!(
            "the Erlang A waiting-state sum did not converge within {MAX_CHAIN_TERMS} terms \
             (offered load {load} Erlangs on {agents} agents with mean patience {} s)",
            1.0 / theta
        ))
    };
    // Unlimited: the terms grow while λ > nμ + jθ, about (λ − nμ)/θ of them, and the sum
    // needs all of those; refused at once rather than after the work.
    if room.is_none() && (lambda - nmu) / theta > MAX_CHAIN_TERMS as f64 {
        return Err(too_many());
    }
    let ln_tol = TAIL_TOLERANCE.ln();
    let mut ln_q = vec![0.0];
    let mut ln_sum = 0.0; // ln Σ_{j≥0} q_j, q_0 = 1
    let mut last = 0.0;
    let mut j = 0usize;
    let mut full = room == Some(0);
    while !full {
        j += 1;
        let ratio = lambda / (nmu + j as f64 * theta);
        last += ratio.ln();
        ln_q.push(last);
        ln_sum = log_add_exp(ln_sum, last);
        full = room == Some(j);
        // The ratios λ/(nμ + kθ) never increase in k, so once the next one is below 1
        // the rest of the sum is at most q_j·r/(1 − r) with r the next ratio.
        let next = lambda / (nmu + (j + 1) as f64 * theta);
        if next < 1.0 {
            let ln_tail = last + next.ln() - (-next).ln_1p();
            if ln_tail < ln_sum + ln_tol {
                break;
            }
        }
        if j.is_multiple_of(1 << 20) && crate::interrupt::requested() {
            return Err(ErlangError::Interrupted);
        }
        if j >= MAX_CHAIN_TERMS {
            return Err(too_many());
        }
    }
    let ln_below = ln_inv_erlang_b_minus_one(load, agents);
    Ok(WaitingStates {
        ln_q,
        ln_total: log_add_exp(ln_below, ln_sum),
        ln_below,
        full,
    })
}

/// `P(S_i > t)` for `i = 0, 1, 2, …`, where `S_i` is the wait of an answered call that
/// arrived with `i` calls ahead: a sum of exponentials with rates `nμ+θ, …, nμ+(i+1)θ`.
///
/// `P(S_i > t) = I_x(a, i+1) = Σ_{j=0..i} T_j` with `x = e^{−θt}`, `a = nμ/θ + 1`,
/// `T_0 = x^a = e^{−(nμ+θ)t}` and `T_j = T_{j−1}·(a+j−1)(1−x)/j
/// = T_{j−1}·(nμ + jθ)·g/j` where `g = (1 − e^{−θt})/θ`. The terms are carried in log
/// space, so an underflowing `T_0` (long threshold, many agents) is harmless.
struct WaitTail {
    nmu: f64,
    theta: f64,
    g: f64,
    ln_term: f64,
    cumulative: f64,
    j: usize,
}

impl WaitTail {
    fn new(nmu: f64, theta: f64, t: f64) -> Self {
        let y = theta * t;
        let g = if y < 1e-10 {
            t * (1.0 - 0.5 * y)
        } else {
            -(-y).exp_m1() / theta
        };
        WaitTail {
            nmu,
            theta,
            g,
            ln_term: -(nmu + theta) * t,
            cumulative: 0.0,
            j: 0,
        }
    }

    /// `P(S_i > t)` for the next `i` (starting at 0).
    fn next_tail(&mut self) -> f64 {
        if self.j > 0 {
            let j = self.j as f64;
            self.ln_term += ((self.nmu + j * self.theta) * self.g / j).ln();
        }
        self.j += 1;
        self.cumulative += self.ln_term.exp();
        self.cumulative.min(1.0)
    }
}

/// The birth–death chain with abandonment rate `theta` (0: nobody abandons) and `room`
/// waiting places (`None`: unlimited), for `λ > 0`.
fn chain_performance(q: &Queue, theta: f64, room: Option<usize>) -> Result<Performance, ErlangError> {
    let lambda = q.arrival_rate;
    let mu = 1.0 / q.mean_handle_time;
    let n = f64::from(q.agents);
    let nmu = n * mu;
    let load = lambda * q.mean_handle_time;
    let t = q.threshold;

    let states = waiting_states(lambda, nmu, theta, load, q.agents, room)?;
    let p_no_wait = (states.ln_below - states.ln_total).exp();
    // Arrivals finding the last state are blocked when it is the full one.
    let last = states.ln_q.len() - 1;
    let blocking = if states.full { states.p(last) } else { 0.0 };
    let entered = if states.full { last } else { last + 1 };

    let mut tail = WaitTail::new(nmu, theta, t);
    let mut p_wait = 0.0; // Σ p_i over the states an arrival may enter
    let mut answered_after_wait = 0.0; // Σ p_i·P(answered | i)
    let mut answered_in_time = 0.0; // Σ p_i·P(answered | i)·P(S_i ≤ t)
    let mut abandon_rate = 0.0; // Σ p_i·P(abandon | i)
    let mut wait_sum = 0.0; // Σ p_i·P(answered | i)·E[S_i]
    let mut mean_wait_i = 0.0; // E[S_i] = Σ_{m=1..i+1} 1/(nμ + mθ)
    let mut queue_length = 0.0; // Σ i·p_i over every state
    for i in 0..states.ln_q.len() {
        let p = states.p(i);
        queue_length += i as f64 * p;
        if i == entered {
            break;
        }
        let rate = nmu + (i + 1) as f64 * theta;
        let p_answer = nmu / rate;
        let p_abandon = (i + 1) as f64 * theta / rate;
        mean_wait_i += 1.0 / rate;
        let within = if t > 0.0 { 1.0 - tail.next_tail() } else { 0.0 };
        p_wait += p;
        answered_after_wait += p * p_answer;
        answered_in_time += p * p_answer * within;
        abandon_rate += p * p_abandon;
        wait_sum += p * p_answer * mean_wait_i;
    }
    // A share: the sum of many state probabilities can pass 1 by round-off (1 + 7e-11
    // with 4,000,000 lines).
    let answer_rate = (p_no_wait + answered_after_wait).min(1.0);
    // Occupancy = answered throughput / capacity. Under overload that product amplifies
    // round-off by A/n, so there it is computed as 1 − (mean idle agents)/n instead.
    let occupancy = if load < n {
        lambda * answer_rate / nmu
    } else {
        1.0 - (ln_idle_slots(load, q.agents) - states.ln_total).exp() / n
    };
    let asa_seconds = if answer_rate > 0.0 { wait_sum / answer_rate } else { 0.0 };
    // Little's law over the calls that got a line.
    let admitted = lambda * (p_no_wait + p_wait);
    let mean_wait_seconds = if admitted > 0.0 { queue_length / admitted } else { 0.0 };
    Ok(Performance {
        p_wait: p_wait.min(1.0),
        service_level: (p_no_wait + answered_in_time).min(answer_rate),
        asa_seconds,
        answer_rate,
        abandon_rate,
        occupancy: occupancy.clamp(0.0, 1.0),
        mean_wait_seconds,
        avg_queue_length: queue_length,
        blocking,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn close(actual: f64, expected: f64, tol: f64, what: &str) {
        assert!(
            (actual - expected).abs() <= tol,
            "{what}: got {actual}, expected {expected} ± {tol}"
        );
    }

    /// The textbook example: 100 calls per half hour, 3-minute handle time, 20-second
    /// threshold (A = 10 Erlangs).
    fn textbook(agents: u32) -> Queue {
        Queue {
            arrival_rate: 200.0 / 3600.0,
            mean_handle_time: 180.0,
            agents,
            mean_patience: None,
            threshold: 20.0,
        }
    }

    fn small_a(threshold: f64) -> Queue {
        Queue {
            arrival_rate: 1.0 / 60.0,
            mean_handle_time: 240.0,
            agents: 5,
            mean_patience: Some(120.0),
            threshold,
        }
    }

    #[test]
    fn erlang_c_published_numbers() {
        let p = performance(&textbook(14)).unwrap();
        close(p.p_wait, 0.17413, 5e-6, "P(wait), 14 agents");
        close(p.service_level, 0.88835, 5e-6, "SL, 14 agents");
        close(p.asa_seconds, 7.836, 5e-4, "ASA, 14 agents");
        close(p.occupancy, 0.7143, 5e-5, "occupancy, 14 agents");
        assert_eq!(p.answer_rate, 1.0);
        assert_eq!(p.abandon_rate, 0.0);
        let p13 = performance(&textbook(13)).unwrap();
        close(p13.service_level, 0.79559, 5e-6, "SL, 13 agents");
        assert_eq!(agents_for_service_level(&textbook(1), 0.80), Ok(14));
        assert_eq!(agents_for_service_level(&textbook(99), 0.7955), Ok(13));
    }

    #[test]
    fn erlang_b_known_values_and_stability() {
        close(erlang_b(10.0, 10), 0.21458, 5e-6, "B(10, 10)");
        close(erlang_b(1.0, 1), 0.5, 1e-15, "B(1, 1)");
        close(erlang_b(2.0, 2), 0.4, 1e-15, "B(2, 2)"); // (4/2)/(1 + 2 + 2)
        assert_eq!(erlang_b(3.0, 0), 1.0);
        assert_eq!(erlang_b(0.0, 4), 0.0);
        let b = erlang_b(4900.0, 5000);
        assert!(b.is_finite() && b > 0.0 && b < 1.0, "B(4900, 5000) = {b}");
        // Log-space 1/B agrees with the direct recursion where both are representable.
        for &(a, n) in &[(10.0, 10u32), (4900.0, 5000), (3.0, 40), (50.0, 20)] {
            let direct = 1.0 / erlang_b(a, n) - 1.0;
            let logged = ln_inv_erlang_b_minus_one(a, n).exp();
            close(logged / direct, 1.0, 1e-10, "ln(1/B - 1)");
        }
        // Idle agent-slots relative to π_n, against a direct sum.
        for &(a, n) in &[(4.0, 5u32), (30.0, 10), (0.5, 20), (300.0, 2)] {
            let mut ratio = 1.0;
            let mut direct = 0.0;
            for m in 1..=n {
                ratio *= f64::from(n - m + 1) / a;
                direct += f64::from(m) * ratio;
            }
            close(ln_idle_slots(a, n).exp() / direct, 1.0, 1e-12, "idle slots");
        }
        // Where B underflows the log form stays finite.
        assert_eq!(erlang_b(1.0, 5000), 0.0);
        assert!(ln_inv_erlang_b_minus_one(1.0, 5000).is_finite());
        assert!(erlang_b(-1.0, 3).is_nan() && erlang_b(f64::NAN, 3).is_nan());
    }

    #[test]
    fn erlang_c_function_edges() {
        assert_eq!(erlang_c(10.0, 10), 1.0);
        assert_eq!(erlang_c(12.0, 10), 1.0);
        assert_eq!(erlang_c(0.0, 3), 0.0);
        close(erlang_c(10.0, 14), 0.17413, 5e-6, "C(10, 14)");
        let c = erlang_c(4900.0, 5000);
        assert!(c.is_finite() && c > 0.0 && c < 1.0, "C(4900, 5000) = {c}");
        let p = performance(&Queue {
            arrival_rate: 4900.0 / 180.0,
            mean_handle_time: 180.0,
            agents: 5000,
            mean_patience: None,
            threshold: 20.0,
        })
        .unwrap();
        assert!(p.service_level.is_finite() && p.asa_seconds.is_finite());
    }

    #[test]
    fn erlang_c_unstable() {
        let err = performance(&textbook(10)).unwrap_err();
        assert!(matches!(err, ErlangError::Unstable { agents: 10, .. }), "{err:?}");
        assert!(err.to_string().contains("unstable"));
    }

    #[test]
    fn invalid_parameters_are_named() {
        let base = small_a(20.0);
        let cases: Vec<(Queue, &str)> = vec![
            (
                Queue {
                    arrival_rate: f64::NAN,
                    ..base
                },
                "arrival_rate",
            ),
            (
                Queue {
                    arrival_rate: -1.0,
                    ..base
                },
                "arrival_rate",
            ),
            (
                Queue {
                    mean_handle_time: 0.0,
                    ..base
                },
                "mean_handle_time",
            ),
            (
                Queue {
                    mean_handle_time: f64::INFINITY,
                    ..base
                },
                "mean_handle_time",
            ),
            (Queue { agents: 0, ..base }, "agents"),
            (
                Queue {
                    mean_patience: Some(-3.0),
                    ..base
                },
                "mean_patience",
            ),
            (
                Queue {
                    mean_patience: Some(0.0),
                    ..base
                },
                "mean_patience",
            ),
            (
                Queue {
                    threshold: f64::INFINITY,
                    ..base
                },
                "threshold",
            ),
            (
                Queue {
                    threshold: -1.0,
                    ..base
                },
                "threshold",
            ),
            (
                Queue {
                    arrival_rate: 1e300,
                    mean_handle_time: 1e300,
                    ..base
                },
                "offered load",
            ),
        ];
        for (q, name) in cases {
            match performance(&q) {
                Err(ErlangError::InvalidParameter(msg)) => {
                    assert!(msg.contains(name), "message {msg:?} should name {name}")
                }
                other => panic!("{name}: expected InvalidParameter, got {other:?}"),
            }
        }
        for target in [f64::NAN, -0.1, 1.5] {
            assert!(matches!(
                agents_for_service_level(&base, target),
                Err(ErlangError::InvalidParameter(_))
            ));
        }
    }

    #[test]
    fn zero_arrivals() {
        for patience in [None, Some(60.0)] {
            let q = Queue {
                arrival_rate: 0.0,
                mean_patience: patience,
                ..small_a(20.0)
            };
            let p = performance(&q).unwrap();
            assert_eq!(p, Performance::IDLE);
            assert_eq!(agents_for_service_level(&q, 0.9), Ok(1));
        }
    }

    #[test]
    fn zero_threshold_is_one_minus_p_wait() {
        for patience in [None, Some(120.0)] {
            let q = Queue {
                mean_patience: patience,
                ..small_a(0.0)
            };
            let p = performance(&q).unwrap();
            close(p.service_level, 1.0 - p.p_wait, 1e-14, "SL at threshold 0");
        }
    }

    /// Explicit hypoexponential survival function for distinct rates.
    fn hypoexp_survival(rates: &[f64], t: f64) -> f64 {
        rates
            .iter()
            .enumerate()
            .map(|(m, &rm)| {
                let coef: f64 = rates
                    .iter()
                    .enumerate()
                    .filter(|&(l, _)| l != m)
                    .map(|(_, &rl)| rl / (rl - rm))
                    .product();
                coef * (-rm * t).exp()
            })
            .sum()
    }

    #[test]
    fn conditional_wait_is_a_beta_law() {
        use statrs::function::beta::beta_reg;
        let cases: [(f64, f64, f64); 3] = [
            (5.0 / 240.0, 1.0 / 120.0, 30.0),
            (14.0 / 180.0, 1.0 / 60.0, 20.0),
            (0.5, 0.2, 3.0),
        ];
        for (nmu, theta, t) in cases {
            let a = nmu / theta + 1.0;
            let x: f64 = (-theta * t).exp();
            let mut tail = WaitTail::new(nmu, theta, t);
            for i in 0..8usize {
                let rates: Vec<f64> = (1..=i + 1).map(|m| nmu + m as f64 * theta).collect();
                let explicit = hypoexp_survival(&rates, t);
                let via_beta = beta_reg(a, (i + 1) as f64, x);
                let ours = tail.next_tail();
                close(via_beta, explicit, 1e-9, "beta_reg vs hypoexponential");
                close(ours, explicit, 1e-9, "negative-binomial sum vs hypoexponential");
            }
        }
        // Larger parameters: the term recursion against statrs' continued fraction.
        let (nmu, theta, t): (f64, f64, f64) = (1000.0 / 180.0, 1.0 / 60.0, 20.0);
        let a = nmu / theta + 1.0;
        let x: f64 = (-theta * t).exp();
        let mut tail = WaitTail::new(nmu, theta, t);
        for i in 0..300usize {
            let ours = tail.next_tail();
            close(ours, beta_reg(a, (i + 1) as f64, x), 1e-9, "large-parameter tail");
        }
    }

    /// Plain truncated birth–death chain with f64 products, for cross-checks.
    struct Chain {
        p_wait: f64,
        /// θ·E[queue length]/λ.
        abandon_rate: f64,
        /// E[busy agents]/n.
        occupancy: f64,
        /// p_i = π_{n+i}.
        waiting: Vec<f64>,
    }

    fn brute_force_chain(q: &Queue, states: usize) -> Chain {
        let lambda = q.arrival_rate;
        let mu = 1.0 / q.mean_handle_time;
        let theta = 1.0 / q.mean_patience.unwrap();
        let n = q.agents as usize;
        let mut pi = vec![1.0f64];
        for k in 1..=n + states {
            let death = if k <= n {
                k as f64 * mu
            } else {
                n as f64 * mu + (k - n) as f64 * theta
            };
            let next = pi[k - 1] * lambda / death;
            if next > 1e250 {
                // Rescale everything so far (heavily overloaded cases peak very high).
                pi.iter_mut().for_each(|x| *x *= 1e-250);
                pi.push(next * 1e-250);
            } else {
                pi.push(next);
            }
        }
        let total: f64 = pi.iter().sum();
        let pi: Vec<f64> = pi.iter().map(|x| x / total).collect();
        let waiting = pi[n..].to_vec();
        let queue_len: f64 = waiting.iter().enumerate().map(|(j, p)| j as f64 * p).sum();
        let idle: f64 = pi[..n].iter().enumerate().map(|(k, p)| (n - k) as f64 * p).sum();
        Chain {
            p_wait: waiting.iter().sum(),
            abandon_rate: theta * queue_len / lambda,
            occupancy: 1.0 - idle / n as f64,
            waiting,
        }
    }

    /// SL by uniformisation of the tagged-call chain: mass in state k = calls ahead,
    /// moving to k−1 (or "answered" from 0) at rate nμ + kθ and abandoning at rate θ.
    fn uniformised_service_level(q: &Queue, waiting: &[f64]) -> f64 {
        let nmu = f64::from(q.agents) / q.mean_handle_time;
        let theta = 1.0 / q.mean_patience.unwrap();
        let k_max = waiting.len();
        let big = nmu + (k_max as f64 + 1.0) * theta;
        let mut v = waiting.to_vec();
        let mut answered = 0.0;
        let lt = big * q.threshold;
        let mut weight = (-lt).exp(); // Poisson(m; Λt), m = 0
        let mut result = 0.0;
        let mut m = 0usize;
        loop {
            result += weight * answered;
            m += 1;
            // One step of the uniformised chain.
            let mut next = vec![0.0; k_max];
            for k in 0..k_max {
                let down = (nmu + k as f64 * theta) / big;
                let stay = 1.0 - down - theta / big;
                next[k] += v[k] * stay;
                if k == 0 {
                    answered += v[0] * down;
                } else {
                    next[k - 1] += v[k] * down;
                }
            }
            v = next;
            weight *= lt / m as f64;
            if m as f64 > lt && weight < 1e-18 {
                break;
            }
        }
        let p_wait: f64 = waiting.iter().sum();
        (1.0 - p_wait) + result
    }

    #[test]
    fn erlang_a_matches_brute_force_chain() {
        for threshold in [0.0, 20.0, 60.0, 300.0] {
            let q = small_a(threshold);
            let p = performance(&q).unwrap();
            let chain = brute_force_chain(&q, 2000);
            close(p.p_wait, chain.p_wait, 1e-12, "p_wait vs truncated chain");
            close(p.abandon_rate, chain.abandon_rate, 1e-12, "abandon vs truncated chain");
            close(p.occupancy, chain.occupancy, 1e-12, "occupancy vs truncated chain");
            let sl = uniformised_service_level(&q, &chain.waiting[..200]);
            close(p.service_level, sl, 1e-9, "SL vs uniformisation");
        }
    }

    fn erlang_a_invariants(q: &Queue) -> Performance {
        let p = performance(q).unwrap();
        for (v, name) in [
            (p.p_wait, "p_wait"),
            (p.service_level, "service_level"),
            (p.answer_rate, "answer_rate"),
            (p.abandon_rate, "abandon_rate"),
            (p.occupancy, "occupancy"),
        ] {
            assert!((0.0..=1.0).contains(&v), "{name} = {v} for {q:?}");
        }
        assert!(p.asa_seconds.is_finite() && p.asa_seconds >= 0.0);
        close(p.answer_rate + p.abandon_rate, 1.0, 1e-12, "answer + abandon");
        assert!(p.service_level <= p.answer_rate + 1e-15);
        // Abandonment by the rate form θ·E[queue length]/λ.
        let lambda = q.arrival_rate;
        let nmu = f64::from(q.agents) / q.mean_handle_time;
        let theta = 1.0 / q.mean_patience.unwrap();
        let load = lambda * q.mean_handle_time;
        let states = waiting_states(lambda, nmu, theta, load, q.agents, None).unwrap();
        let queue_len: f64 = (0..states.ln_q.len()).map(|j| j as f64 * states.p(j)).sum();
        close(theta * queue_len / lambda, p.abandon_rate, 1e-9, "abandon, rate form");
        // The flow form amplifies round-off in the abandon rate by λ/(nμ) under overload.
        close(
            p.occupancy,
            lambda * (1.0 - p.abandon_rate) / nmu,
            1e-12 * (1.0 + lambda / nmu),
            "occupancy, flow form",
        );
        p
    }

    #[test]
    fn erlang_a_consistency_and_monotonicity() {
        let mut prev: Option<Performance> = None;
        for n in 1..=30 {
            let q = Queue {
                arrival_rate: 200.0 / 3600.0,
                mean_handle_time: 180.0,
                agents: n,
                mean_patience: Some(120.0),
                threshold: 20.0,
            };
            let p = erlang_a_invariants(&q);
            if let Some(prev) = prev {
                assert!(p.service_level > prev.service_level, "SL not increasing at n={n}");
                assert!(p.p_wait < prev.p_wait, "p_wait not decreasing at n={n}");
                assert!(p.abandon_rate < prev.abandon_rate, "abandon not decreasing at n={n}");
            }
            prev = Some(p);
        }
    }

    #[test]
    fn erlang_a_approaches_erlang_c() {
        let c = performance(&textbook(14)).unwrap();
        let a = performance(&Queue {
            mean_patience: Some(1e7),
            ..textbook(14)
        })
        .unwrap();
        close(a.p_wait, c.p_wait, 1e-5, "p_wait");
        close(a.service_level, c.service_level, 1e-5, "SL");
        close(a.asa_seconds, c.asa_seconds, 1e-3, "ASA");
        close(a.occupancy, c.occupancy, 1e-5, "occupancy");
        assert!(a.abandon_rate < 1e-5);
    }

    #[test]
    fn erlang_a_large_case_is_finite_and_fast() {
        let start = Instant::now();
        let q = Queue {
            arrival_rate: 980.0 / 180.0,
            mean_handle_time: 180.0,
            agents: 1000,
            mean_patience: Some(60.0),
            threshold: 20.0,
        };
        let p = erlang_a_invariants(&q);
        assert!(p.p_wait > 0.0 && p.p_wait < 1.0);
        // 5,000 agents at 98% load, in the Erlang C and Erlang A versions.
        let big = Queue {
            arrival_rate: 4900.0 / 180.0,
            mean_handle_time: 180.0,
            agents: 5000,
            mean_patience: Some(60.0),
            threshold: 20.0,
        };
        erlang_a_invariants(&big);
        assert!(start.elapsed().as_secs_f64() < 1.0, "took {:?}", start.elapsed());
    }

    #[test]
    fn erlang_a_overloaded_is_valid() {
        let q = Queue {
            arrival_rate: 150.0 / 180.0,
            mean_handle_time: 180.0,
            agents: 100,
            mean_patience: Some(180.0),
            threshold: 20.0,
        };
        let p = erlang_a_invariants(&q);
        // Fluid limit: the agents answer nμ of the λ offered, the rest abandon.
        close(p.answer_rate, 100.0 / 150.0, 0.02, "overloaded answer rate");
        assert!(p.occupancy > 0.98 && p.p_wait > 0.95);
        let chain = brute_force_chain(&q, 5000);
        close(p.p_wait, chain.p_wait, 1e-12, "overloaded p_wait vs chain");
        close(p.abandon_rate, chain.abandon_rate, 1e-12, "overloaded abandon vs chain");
        close(p.occupancy, chain.occupancy, 1e-13, "overloaded occupancy vs chain");
        // Heavily overloaded (A = 300 on 2 agents) with long patience.
        let tiny_team = Queue {
            arrival_rate: 1.0,
            mean_handle_time: 300.0,
            agents: 2,
            mean_patience: Some(1000.0),
            threshold: 30.0,
        };
        let p = erlang_a_invariants(&tiny_team);
        let chain = brute_force_chain(&tiny_team, 20_000);
        close(p.p_wait, chain.p_wait, 1e-12, "tiny-team p_wait vs chain");
        close(p.occupancy, chain.occupancy, 1e-14, "tiny-team occupancy vs chain");
    }

    #[test]
    fn staffing_search_erlang_a() {
        let base = Queue {
            arrival_rate: 980.0 / 180.0,
            mean_handle_time: 180.0,
            agents: 0,
            mean_patience: Some(60.0),
            threshold: 20.0,
        };
        let start = Instant::now();
        let n = agents_for_service_level(&base, 0.8).unwrap();
        assert!(start.elapsed().as_secs_f64() < 1.0, "took {:?}", start.elapsed());
        let sl = |agents| performance(&Queue { agents, ..base }).unwrap().service_level;
        assert!(sl(n) >= 0.8 && sl(n - 1) < 0.8, "n = {n}");
        // Abandonment helps, so it never needs more agents than Erlang C.
        let c = agents_for_service_level(
            &Queue {
                mean_patience: None,
                ..base
            },
            0.8,
        )
        .unwrap();
        assert!(n <= c, "Erlang A {n} vs Erlang C {c}");
        // A target below what even the offered load supports is met under the load.
        let small = agents_for_service_level(
            &Queue {
                mean_patience: Some(120.0),
                ..textbook(0)
            },
            0.3,
        )
        .unwrap();
        let p = performance(&Queue {
            agents: small,
            mean_patience: Some(120.0),
            ..textbook(0)
        });
        assert!(p.unwrap().service_level >= 0.3);
        // Target 1.0 with abandonment is unreachable.
        assert!(matches!(
            agents_for_service_level(&base, 1.0),
            Err(ErlangError::NoStaffingSolution { targets, .. }) if targets == "service level ≥ 1"
        ));
    }

    // -----------------------------------------------------------------------------------
    // Lines: Erlang B, M/M/n/K(+M), retries, and the search with several targets.

    #[test]
    fn erlang_b_published_table_values() {
        // Erlang B tables (e.g. the classic traffic tables): 10 E on 15 lines 0.0365,
        // 2 E on 5 lines 0.0367, 5 E on 10 lines 0.0184, 20 E on 30 lines 0.0085; the
        // pinned digits are the exact rational recursion's.
        close(erlang_b(10.0, 15), 0.036_497, 5e-7, "B(10, 15)");
        close(erlang_b(2.0, 5), 0.036_697, 5e-7, "B(2, 5)");
        close(erlang_b(5.0, 10), 0.018_385, 5e-7, "B(5, 10)");
        close(erlang_b(20.0, 30), 0.008_457, 5e-7, "B(20, 30)");
        close(
            erlang_b(0.5, 3),
            1.0 / 79.0,
            1e-15,
            "B(1/2, 3) = (1/48)/(1 + 1/2 + 1/8 + 1/48)",
        );
        // The loss system through the chain: blocking is Erlang B, patience is moot.
        for (a, n) in [(10.0, 15u32), (2.0, 5), (100.0, 110), (4900.0, 5000)] {
            for patience in [None, Some(60.0)] {
                let q = Queue {
                    arrival_rate: a / 180.0,
                    mean_handle_time: 180.0,
                    agents: n,
                    mean_patience: patience,
                    threshold: 20.0,
                };
                let p = mmck(&q, n).unwrap();
                close(p.blocking / erlang_b(a, n), 1.0, 1e-12, "mmck(K = n) blocking");
                assert_eq!((p.p_wait, p.asa_seconds, p.abandon_rate), (0.0, 0.0, 0.0));
                assert_eq!((p.mean_wait_seconds, p.avg_queue_length), (0.0, 0.0));
                close(p.answer_rate, 1.0 - p.blocking, 1e-15, "answered = not blocked");
                close(p.service_level, p.answer_rate, 1e-15, "answered at once");
                close(
                    p.occupancy,
                    a * (1.0 - p.blocking) / f64::from(n),
                    1e-12,
                    "carried load",
                );
            }
        }
    }

    /// Plain finite birth–death chain with f64 probabilities, for cross-checks.
    fn brute_force_finite(q: &Queue, lines: usize) -> Vec<f64> {
        let lambda = q.arrival_rate;
        let mu = 1.0 / q.mean_handle_time;
        let theta = q.mean_patience.map_or(0.0, |p| 1.0 / p);
        let n = q.agents as usize;
        let mut pi = vec![1.0f64];
        for k in 1..=lines {
            let death = if k <= n {
                k as f64 * mu
            } else {
                n as f64 * mu + (k - n) as f64 * theta
            };
            pi.push(pi[k - 1] * lambda / death);
        }
        let total: f64 = pi.iter().sum();
        pi.iter().map(|x| x / total).collect()
    }

    #[test]
    fn mmck_matches_an_independent_birth_death_chain() {
        use statrs::function::gamma::gamma_lr;
        // (calls/s, AHT, agents, lines, patience, threshold): light, heavy (ρ > 1, the
        // full state likely) and with abandonment.
        let cases = [
            (1.0 / 60.0, 240.0, 5u32, 8u32, None, 20.0),
            (1.0 / 30.0, 240.0, 5, 12, None, 60.0),
            (1.0 / 60.0, 240.0, 3, 3, None, 20.0),
            (1.0 / 60.0, 240.0, 5, 9, Some(120.0), 30.0),
            (1.0 / 20.0, 300.0, 4, 20, Some(200.0), 45.0),
        ];
        for (rate, aht, agents, lines, patience, threshold) in cases {
            let q = Queue {
                arrival_rate: rate,
                mean_handle_time: aht,
                agents,
                mean_patience: patience,
                threshold,
            };
            let p = mmck(&q, lines).unwrap();
            let (n, k) = (agents as usize, lines as usize);
            let pi = brute_force_finite(&q, k);
            let nmu = f64::from(agents) / aht;
            let what = format!("{q:?}, {lines} lines");
            close(p.blocking, pi[k], 1e-13, &format!("blocking, {what}"));
            close(p.p_wait, pi[n..k].iter().sum(), 1e-13, &format!("p_wait, {what}"));
            let queue_len: f64 = (n..=k).map(|s| (s - n) as f64 * pi[s]).sum();
            close(p.avg_queue_length, queue_len, 1e-12, &format!("queue length, {what}"));
            let admitted = rate * (1.0 - pi[k]);
            close(
                p.mean_wait_seconds,
                queue_len / admitted,
                1e-9,
                &format!("mean wait, {what}"),
            );
            let busy: f64 = (0..=k).map(|s| s.min(n) as f64 * pi[s]).sum();
            close(p.occupancy, busy / n as f64, 1e-12, &format!("occupancy, {what}"));
            let theta = patience.map_or(0.0, |m| 1.0 / m);
            close(
                p.abandon_rate,
                theta * queue_len / rate,
                1e-12,
                &format!("abandon, {what}"),
            );
            close(
                p.answer_rate + p.abandon_rate + p.blocking,
                1.0,
                1e-12,
                &format!("conservation, {what}"),
            );
            if patience.is_none() {
                // A call entering with i waiting waits an Erlang(i + 1, nμ) time.
                let waited: f64 = (0..k - n).map(|i| pi[n + i] * (i + 1) as f64 / nmu).sum();
                close(p.asa_seconds, waited / (1.0 - pi[k]), 1e-9, &format!("ASA, {what}"));
                let in_time: f64 = (0..k - n)
                    .map(|i| pi[n + i] * gamma_lr((i + 1) as f64, nmu * threshold))
                    .sum();
                let sl = pi[..n].iter().sum::<f64>() + in_time;
                close(p.service_level, sl, 1e-12, &format!("SL, {what}"));
            } else {
                // The helper counts 1 − Σ waiting as answered at once; the blocked are not.
                let sl = uniformised_service_level(&q, &pi[n..k]) - pi[k];
                close(p.service_level, sl, 1e-9, &format!("SL, {what}"));
            }
        }
    }

    #[test]
    fn mmck_with_many_lines_is_erlang_c_and_erlang_a() {
        for patience in [None, Some(120.0)] {
            let q = Queue {
                mean_patience: patience,
                ..textbook(14)
            };
            let unlimited = performance(&q).unwrap();
            let finite = mmck(&q, 14 + 2000).unwrap();
            assert_eq!(finite.blocking, 0.0, "the full state is beyond the negligible tail");
            for (a, b, name) in [
                (finite.p_wait, unlimited.p_wait, "p_wait"),
                (finite.service_level, unlimited.service_level, "SL"),
                (finite.asa_seconds, unlimited.asa_seconds, "ASA"),
                (finite.mean_wait_seconds, unlimited.mean_wait_seconds, "mean wait"),
                (finite.avg_queue_length, unlimited.avg_queue_length, "queue length"),
                (finite.answer_rate, unlimited.answer_rate, "answer rate"),
                (finite.occupancy, unlimited.occupancy, "occupancy"),
            ] {
                close(a, b, 1e-12 * (1.0 + b), name);
            }
        }
        // Blocking falls towards 0 as the waiting room grows (M/M/c/K → Erlang C).
        let blocking: Vec<f64> = [14, 16, 20, 30, 60]
            .iter()
            .map(|&k| mmck(&textbook(14), k).unwrap().blocking)
            .collect();
        assert!(blocking.windows(2).all(|w| w[1] < w[0]), "{blocking:?}");
        assert!(blocking[4] < 1e-8, "{blocking:?}");
    }

    #[test]
    fn mean_wait_of_all_callers() {
        // Erlang C: every caller is answered, so the two conventions agree.
        let p = performance(&textbook(14)).unwrap();
        assert_eq!(p.mean_wait_seconds, p.asa_seconds);
        close(p.avg_queue_length, 200.0 / 3600.0 * 7.836, 1e-4, "Lq = λ·W");
        // Erlang A: abandonments are θ·Lq, so the mean wait of all is abandon_rate/θ; the
        // abandoned callers waited less than the answered ones' ASA on average here.
        let q = Queue {
            mean_patience: Some(120.0),
            ..textbook(12)
        };
        let p = erlang_a_invariants(&q);
        close(p.mean_wait_seconds, p.abandon_rate * 120.0, 1e-9, "W = abandon/θ");
        close(
            p.avg_queue_length,
            q.arrival_rate * p.mean_wait_seconds,
            1e-12,
            "Lq = λ·W",
        );
        assert!(p.mean_wait_seconds > 0.0 && p.mean_wait_seconds.is_finite());
    }

    #[test]
    fn mmck_is_finite_for_large_centres() {
        let start = Instant::now();
        // 100,000 Erlangs: just below, at and above the agents, with a small and a
        // large waiting room, with and without abandonment.
        for (agents, room, patience) in [
            (100_500u32, 500u32, None),
            (100_000, 2_000, None),
            (99_000, 50_000, None),
            (99_000, 50_000, Some(60.0)),
            (100_500, 1_000_000, Some(600.0)),
        ] {
            let q = Queue {
                arrival_rate: 100_000.0 / 180.0,
                mean_handle_time: 180.0,
                agents,
                mean_patience: patience,
                threshold: 20.0,
            };
            let p = mmck(&q, agents + room).unwrap();
            for v in [
                p.p_wait,
                p.service_level,
                p.answer_rate,
                p.abandon_rate,
                p.occupancy,
                p.blocking,
            ] {
                assert!((0.0..=1.0).contains(&v), "{v} for {q:?}, room {room}: {p:?}");
            }
            for v in [p.asa_seconds, p.mean_wait_seconds, p.avg_queue_length] {
                assert!(v.is_finite() && v >= 0.0, "{p:?}");
            }
            close(p.answer_rate + p.abandon_rate + p.blocking, 1.0, 1e-9, "conservation");
        }
        // Overloaded without abandonment: the waiting room fills, and what is carried is
        // what the agents can do: blocking ≈ 1 − n/A.
        let q = Queue {
            arrival_rate: 100_000.0 / 180.0,
            mean_handle_time: 180.0,
            agents: 99_000,
            mean_patience: None,
            threshold: 20.0,
        };
        let p = mmck(&q, 149_000).unwrap();
        close(p.blocking, 0.01, 1e-6, "overloaded blocking");
        close(p.avg_queue_length, 50_000.0, 1e3, "overloaded queue nearly full");
        assert!(start.elapsed().as_secs_f64() < 2.0, "took {:?}", start.elapsed());
    }

    #[test]
    fn extended_erlang_b_fixed_point() {
        // One line, 1 Erlang of first attempts, half the blocked retry: B(Λ) = Λ/(1 + Λ),
        // Λ = 1 + Λ²/(2(1 + Λ)) gives Λ² = 2, so Λ = √2 and B = √2/(1 + √2).
        let x = extended_erlang_b(1.0, 1, 0.5).unwrap();
        let root2 = 2f64.sqrt();
        close(x.attempt_load, root2, 1e-12, "attempt load");
        close(x.blocking, root2 / (1.0 + root2), 1e-12, "blocking");
        // Lost callers: Λ·B·(1 − r)/A = √2·(√2/(1+√2))/2 = 1/(1 + √2).
        close(x.lost_to_blocking, 1.0 / (1.0 + root2), 1e-12, "lost");
        // No retries: plain Erlang B.
        let plain = extended_erlang_b(10.0, 15, 0.0).unwrap();
        assert_eq!(plain.blocking, erlang_b(10.0, 15));
        assert_eq!(plain.attempt_load, 10.0);
        // Against the classic iteration Λ ← A + r·B(Λ)·Λ, run to convergence.
        for (a, n, r) in [(10.0, 12u32, 0.6), (50.0, 45, 0.8), (3.0, 10, 0.99)] {
            let mut load: f64 = a;
            for _ in 0..100_000 {
                load = a + r * erlang_b(load, n) * load;
            }
            let x = extended_erlang_b(a, n, r).unwrap();
            close(x.attempt_load / load, 1.0, 1e-12, "fixed point vs iteration");
            close(x.blocking, erlang_b(load, n), 1e-12, "blocking at the fixed point");
            close(
                x.lost_to_blocking,
                x.blocking * (1.0 - r) / (1.0 - r * x.blocking),
                1e-12,
                "lost = B(1 − r)/(1 − rB)",
            );
        }
        for bad in [-0.1, 1.0, f64::NAN] {
            assert!(matches!(
                extended_erlang_b(10.0, 15, bad),
                Err(ErlangError::InvalidParameter(m)) if m.contains("retry")
            ));
        }
    }

    #[test]
    fn retries_through_the_finite_queue() {
        // The loss system with retries is extended Erlang B.
        let q = Queue {
            arrival_rate: 10.0 / 180.0,
            mean_handle_time: 180.0,
            agents: 12,
            mean_patience: None,
            threshold: 20.0,
        };
        let centre = Centre {
            queue: q,
            lines: Some(12),
            retry: 0.6,
        };
        let e = evaluate(&centre).unwrap();
        let x = extended_erlang_b(10.0, 12, 0.6).unwrap();
        close(e.attempt_rate * 180.0 / x.attempt_load, 1.0, 1e-12, "attempt load");
        close(e.performance.blocking, x.blocking, 1e-12, "blocking");
        close(e.lost_to_blocking, x.lost_to_blocking, 1e-12, "lost");
        // With a waiting room and abandonment the fixed point holds for the chain's B.
        let centre = Centre {
            queue: Queue {
                agents: 10,
                mean_patience: Some(90.0),
                arrival_rate: 12.0 / 180.0,
                ..q
            },
            lines: Some(14),
            retry: 0.7,
        };
        let e = evaluate(&centre).unwrap();
        let fresh = 12.0 / 180.0;
        close(
            e.attempt_rate,
            fresh + 0.7 * e.performance.blocking * e.attempt_rate,
            1e-12,
            "Λ = λ + r·B·Λ",
        );
        assert!(e.attempt_rate > fresh * 1.01, "retries add attempts: {e:?}");
        // Retry without lines is refused.
        let no_lines = Centre { lines: None, ..centre };
        assert!(matches!(evaluate(&no_lines), Err(ErlangError::InvalidParameter(m)) if m.contains("lines")));
    }

    #[test]
    fn fewest_agents_meets_every_target() {
        let base = |patience, lines| Centre {
            queue: Queue {
                mean_patience: patience,
                ..textbook(1)
            },
            lines,
            retry: 0.0,
        };
        let perf = |c: &Centre, n: u32| {
            let mut c = *c;
            c.queue.agents = n;
            evaluate(&c).unwrap().performance
        };
        let sl = Targets {
            service_level: Some(0.8),
            ..Targets::default()
        };
        // The textbook: 14 agents for 80/20; ASA ≤ 10 s also needs 14 (13 give 17.1 s).
        assert_eq!(fewest_agents(&base(None, None), &sl), Ok(14));
        let asa = Targets {
            max_asa_seconds: Some(10.0),
            ..Targets::default()
        };
        assert_eq!(fewest_agents(&base(None, None), &asa), Ok(14));
        let cases = [
            (
                base(None, None),
                Targets {
                    service_level: Some(0.9),
                    max_asa_seconds: Some(5.0),
                    ..Targets::default()
                },
            ),
            (
                base(Some(120.0), None),
                Targets {
                    service_level: Some(0.8),
                    answer_rate: Some(0.97),
                    ..Targets::default()
                },
            ),
            (
                base(Some(120.0), Some(20)),
                Targets {
                    answer_rate: Some(0.95),
                    max_asa_seconds: Some(8.0),
                    ..Targets::default()
                },
            ),
            (
                base(None, Some(15)),
                Targets {
                    answer_rate: Some(0.96),
                    ..Targets::default()
                },
            ),
        ];
        for (centre, targets) in cases {
            let n = fewest_agents(&centre, &targets).unwrap();
            assert!(targets.met_by(&perf(&centre, n)), "{n} for {targets:?}");
            assert!(
                !targets.met_by(&perf(&centre, n - 1)),
                "{} also meets {targets:?}",
                n - 1
            );
        }
        // 10 E on 15 lines, answer rate ≥ 0.96: 15 agents (Erlang B 0.0365) would do, but
        // 14 agents with one waiting place already do.
        let loss = |k| Centre {
            lines: Some(k),
            ..base(None, None)
        };
        let ar = Targets {
            answer_rate: Some(0.96),
            ..Targets::default()
        };
        assert_eq!(fewest_agents(&loss(15), &ar), Ok(14));
        close(perf(&loss(15), 15).answer_rate, 1.0 - 0.036_497, 5e-7, "Erlang B at 15");
        assert!(perf(&loss(15), 14).answer_rate >= 0.96);
        // Too few lines for the target (B(10, 14) = 0.0568): none up to the lines.
        assert!(matches!(
            fewest_agents(&loss(14), &ar),
            Err(ErlangError::NoStaffingSolution { max_agents: 14, ref targets }) if targets == "answer rate ≥ 0.96"
        ));
        // An answer rate of 1 with lines or abandonment is refused at once.
        let all = Targets {
            answer_rate: Some(1.0),
            ..Targets::default()
        };
        assert!(matches!(
            fewest_agents(&loss(40), &all),
            Err(ErlangError::NoStaffingSolution { .. })
        ));
        assert_eq!(
            fewest_agents(&base(None, None), &all),
            Ok(11),
            "Erlang C answers everyone"
        );
        // Bad or missing targets are named.
        for (targets, name) in [
            (Targets::default(), "at least one target"),
            (
                Targets {
                    answer_rate: Some(1.5),
                    ..Targets::default()
                },
                "target answer rate",
            ),
            (
                Targets {
                    max_asa_seconds: Some(0.0),
                    ..Targets::default()
                },
                "max ASA",
            ),
            (
                Targets {
                    max_asa_seconds: Some(f64::NAN),
                    ..Targets::default()
                },
                "max ASA",
            ),
        ] {
            assert!(matches!(
                fewest_agents(&base(None, None), &targets),
                Err(ErlangError::InvalidParameter(m)) if m.contains(name)
            ));
        }
    }

    #[test]
    fn fewest_agents_for_huge_loads_is_bounded_and_quick() {
        let start = Instant::now();
        // 100,000 Erlangs, Erlang C and A: the answers sit just above the load (C) and at
        // the fluid bound s·A (A, short patience).
        let q = Queue {
            arrival_rate: 100_000.0 / 180.0,
            mean_handle_time: 180.0,
            agents: 1,
            mean_patience: None,
            threshold: 20.0,
        };
        let sl = Targets {
            service_level: Some(0.8),
            ..Targets::default()
        };
        let c = fewest_agents(
            &Centre {
                queue: q,
                lines: None,
                retry: 0.0,
            },
            &sl,
        )
        .unwrap();
        assert!((100_001..100_100).contains(&c), "{c}");
        let a = fewest_agents(
            &Centre {
                queue: Queue {
                    mean_patience: Some(60.0),
                    ..q
                },
                lines: None,
                retry: 0.0,
            },
            &sl,
        )
        .unwrap();
        assert!((80_000..100_001).contains(&a), "{a}");
        // Beyond MAX_AGENTS: refused, not searched.
        let huge = Queue {
            arrival_rate: 3e6 / 180.0,
            ..q
        };
        assert!(matches!(
            fewest_agents(
                &Centre {
                    queue: huge,
                    lines: None,
                    retry: 0.0
                },
                &sl
            ),
            Err(ErlangError::Intractable(_))
        ));
        // An overloaded Erlang A with a very long patience would need too many states:
        // refused before the work.
        let slow = Queue {
            arrival_rate: 1e9 / 3600.0,
            mean_handle_time: 180.0,
            agents: 10,
            mean_patience: Some(3600.0),
            threshold: 20.0,
        };
        assert!(matches!(performance(&slow), Err(ErlangError::Intractable(_))));
        assert!(start.elapsed().as_secs_f64() < 3.0, "took {:?}", start.elapsed());
    }
}
