//! `ccsim staff`: the fewest (or cheapest) agents on duty per interval and group that
//! meet every target of a scenario, found by simulation, with how sure the answer is.
//!
//! The search starts from Erlang A (per interval, each group's share of the load of the
//! call types it serves, tiers fed by the inflow their upstream tiers send) and then
//! works on the whole day at once: every candidate is the whole day simulated, so what
//! spills from one interval into the next (queues, redials, email backlogs, escalations)
//! is always there, and one simulation judges every interval. Every candidate meets the
//! same callers (common random numbers). A round simulates the current staffing, then:
//! each interval that misses a target gets one more agent (in the group that answers the
//! failing call type first; where that did not help, in the group, or two at once, that
//! helps most per hour of cost, found by one trial per group over all such intervals);
//! else a missed day-level target (email response, or all with `scope = "day"`) gets an
//! agent where its backlog is largest; else each group in turn, the most expensive
//! first, loses one agent in every other interval (odd and even apart, so a removal is
//! judged with its neighbours unchanged), kept where its interval and the next still hold
//! and no day-level target breaks; then an agent moves from a dearer group to a cheaper
//! one that shares a call type with it, likewise. The cheapest staffing on which every
//! target held is kept, and a stage ends when removing stops making it cheaper.
//!
//! The first stage uses few replications per candidate. If a decision lay within the
//! noise (a figure within its 95 % half-width of the target), a second stage judges its
//! answer again with `max_replications` (adding where a target now fails), and a final
//! check tries every removal once more around that answer at that count, making those
//! that hold (replications are spent where the decision needs them). An interval whose
//! decision is still within the noise is flagged `within_noise`. The answer is the last
//! whole day simulated, with the probability that an interval meets its targets on a
//! random day and, per interval and group, the target that binds it: what fails with one
//! agent fewer, on the answer's own replications. Ctrl-C stops the search with the best
//! staffing found so far, marked incomplete.

pub mod roster;

use std::collections::HashSet;

use rayon::prelude::*;

use crate::engine::run_replication;
use crate::erlang::{Queue, agents_for_service_level, performance};
use crate::error::Error;
use crate::model::{Channel, Model, Unresolved, per_interval_staffing};
use crate::stats::{Accumulator, CALL_METRICS, GROUP_METRICS, MetricDef, RepStats, call};
use crate::summary::{Estimate, Summary, estimate, t975};
use crate::targets::{Figure, Target};

/// What `ccsim staff` answers.
#[derive(Debug, Clone)]
pub struct StaffPlan {
    /// The groups searched (in-house), by index into the model's groups.
    pub groups: Vec<usize>,
    /// `[interval][searched group]`: agents on duty.
    pub agents: Vec<Vec<u32>>,
    /// `[interval][searched group]`: the Erlang estimate the search started from.
    pub erlang: Vec<Vec<u32>>,
    /// Per interval: the decision lay within the noise of its target.
    pub within_noise: Vec<bool>,
    /// Per interval: no staffing up to `max_agents` met the targets.
    pub unreachable: Vec<bool>,
    /// Per interval: simulated over the whole day at the answer, a target fails beyond
    /// the noise.
    pub missed: Vec<bool>,
    /// Per interval: what binds the answer, per searched group with agents there: the
    /// target that fails with one agent fewer in that group ("front −1: general service
    /// level 76.2% < 80.0%"); empty where no removal was judged.
    pub binding: Vec<Vec<String>>,
    /// Whether the day-level targets (email response, or all with `scope = "day"`) hold;
    /// `None` without any.
    pub day_targets_met: Option<bool>,
    /// Per interval: share of simulated days on which every target of the interval held.
    pub p_met: Vec<Option<f64>>,
    /// The whole day simulated at the chosen staffing.
    pub summary: Summary,
    /// The model with the chosen staffing.
    pub model: Model,
    /// Candidate staffings simulated, and replications run in all.
    pub evaluations: usize,
    pub replications_run: u64,
    /// The search was stopped (Ctrl-C) before it settled: the staffing is the best found
    /// so far, and its figures are those of its last whole simulated day.
    pub incomplete: bool,
    pub roster: Vec<roster::Roster>,
    /// Groups whose roster could not be made, and why.
    pub roster_errors: Vec<String>,
    /// The day simulated with the rostered staffing, and whether each interval's
    /// targets hold on the mean with it.
    pub rostered: Option<(Summary, Vec<bool>)>,
}

impl StaffPlan {
    /// Paid headcount to schedule: on duty ÷ (1 − shrinkage), rounded up.
    pub fn paid(&self, interval: usize, j: usize) -> u32 {
        let shrinkage = self.model.groups[self.groups[j]].shrinkage;
        let on_duty = f64::from(self.agents[interval][j]);
        (on_duty / (1.0 - shrinkage) - 1e-9).ceil().max(0.0) as u32
    }
}

/// Where the search is, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// "searching" (few replications), "confirming" (more, where the noise needs it),
    /// "final check" (the answer's removals judged at the final count).
    pub stage: &'static str,
    /// Replications per candidate at this stage.
    pub replications: u64,
    /// Round of the stage, from 1.
    pub round: usize,
    /// Intervals whose targets fail at the current staffing, of `intervals`.
    pub short: usize,
    pub intervals: usize,
    /// The first interval that fails, if any.
    pub first_short: Option<usize>,
    /// Candidate staffings simulated so far.
    pub candidates: usize,
}

/// One target checked in an interval: a figure, its bound, and which way it must lie.
#[derive(Debug, Clone, Copy)]
struct Check {
    /// `None`: the customer-contacts column; else a call type.
    call_type: Option<usize>,
    group: Option<usize>,
    metric: &'static MetricDef,
    bound: f64,
    at_least: bool,
}

/// How one candidate fares in one interval.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Verdict {
    met: bool,
    /// Some target's figure lies within its half-width of the bound.
    noisy: bool,
    /// Some target fails beyond the noise (whatever the others do).
    clearly_missed: bool,
    /// How far the targets are from holding (0 when they do), relative to each bound.
    shortfall: f64,
    /// Share of replications on which every target held.
    p_met: f64,
    /// The failing target furthest from its bound (relative; with a `confidence`, the
    /// one held on the smallest share of days), its mean, and with a `confidence` the
    /// share of replications on which it held: an index into the day-level checks if
    /// `over_day`, else into the interval checks.
    worst: Option<(usize, f64, Option<f64>)>,
    over_day: bool,
}

fn metric(name: &str) -> &'static MetricDef {
    CALL_METRICS
        .iter()
        .find(|m| m.name == name)
        .expect("a call metric of the table")
}

fn group_metric(name: &str) -> &'static MetricDef {
    GROUP_METRICS
        .iter()
        .find(|m| m.name == name)
        .expect("a group metric of the table")
}

/// The targets of interval `k` (or of the day, `k = None`): per call type its service
/// level, answer rate and largest ASA (emails: their response target, over the day
/// only), and each searched group's largest occupancy.
fn checks(model: &Model, searched: &[usize], day: bool) -> Vec<Check> {
    let mut out = Vec::new();
    for (c, ct) in model.call_types.iter().enumerate() {
        // The targets every report judges (see `crate::targets`), in an interval those
        // held there.
        for t in crate::targets::of_call_type(ct) {
            if !day && !held_per_interval(model, &t) {
                continue;
            }
            out.push(Check {
                call_type: Some(c),
                group: None,
                metric: metric(t.figure.metric()),
                bound: t.bound,
                at_least: t.figure.at_least(),
            });
        }
    }
    if let Some(cap) = model.staffing.max_occupancy {
        for &g in searched {
            out.push(Check {
                call_type: None,
                group: Some(g),
                metric: group_metric("occupancy"),
                bound: cap,
                at_least: false,
            });
        }
    }
    out
}

/// Whether the search holds each interval to target `t`: an email's response target
/// spans hours, so it is judged over the day only, as is every target with `scope =
/// "day"`.
fn held_per_interval(model: &Model, t: &Target) -> bool {
    !model.staffing.over_day && t.figure != Figure::WithinTarget
}

/// The summary of `acc` with each interval judged on the targets the search holds it to
/// ([`held_per_interval`]), so no interval reads missed on a target the answer was not
/// held to there.
fn judged_summary(model: &Model, acc: &Accumulator) -> Summary {
    Summary::judging(&crate::summary::Layout::of(model), acc, &|t| {
        held_per_interval(model, t)
    })
}

/// The ratio (or count) of one check in one replication's cell; `None` if undefined.
fn figure(m: &MetricDef, cell: &[u64]) -> Option<f64> {
    match m.measure {
        crate::stats::Measure::Ratio { num, den, scale } => {
            (cell[den] > 0).then(|| cell[num] as f64 / cell[den] as f64 * scale)
        }
        crate::stats::Measure::Max {
            defined_by: Some(den), ..
        } if cell[den] == 0 => None,
        crate::stats::Measure::Count { field, scale }
        | crate::stats::Measure::Level { field, scale }
        | crate::stats::Measure::Max { field, scale, .. } => Some(cell[field] as f64 * scale),
        crate::stats::Measure::Quantile { .. } => None,
    }
}

/// Judges `stats` (replications of a model, merged in `acc`) against `checks` in
/// interval `k`, or over all intervals with `k = None`.
fn judge(
    acc: &Accumulator,
    stats: &[RepStats],
    checks: &[Check],
    k: Option<usize>,
    confidence: Option<f64>,
) -> Verdict {
    let n = stats.len() as u64;
    let t = if n > 1 { t975(n - 1) } else { f64::NAN };
    let (mut met, mut noisy, mut shortfall, mut clearly_missed) = (true, false, 0.0, false);
    let mut worst: Option<(usize, f64, Option<f64>, f64)> = None;
    // Per replication: did every check hold?
    let mut held = vec![true; stats.len()];
    for (i, check) in checks.iter().enumerate() {
        let e: Estimate = match check.group {
            Some(g) => estimate(&acc.groups.cell(k, Some(g)), check.metric, n, t),
            None => estimate(&acc.calls.cell(k, check.call_type), check.metric, n, t),
        };
        let Some(mean) = e.mean else { continue }; // nothing offered: nothing to meet
        let gap = if check.at_least {
            check.bound - mean
        } else {
            mean - check.bound
        };
        let scale = check.bound.abs().max(1e-9);
        let ok_on_mean = gap <= 1e-12;
        // Per-replication figures, for the confidence and the probability of meeting.
        let mut holds = 0usize;
        let mut defined = 0usize;
        for (r, s) in stats.iter().enumerate() {
            let value = match check.group {
                Some(g) => figure(check.metric, &s.group_column(Some(g), k)),
                None => figure(
                    check.metric,
                    &s.call_column(check.call_type.unwrap_or(s.columns() - 1), k),
                ),
            };
            if let Some(x) = value {
                defined += 1;
                let ok = if check.at_least {
                    x >= check.bound
                } else {
                    x <= check.bound
                };
                holds += usize::from(ok);
                held[r] &= ok;
            }
        }
        let share_held = (defined > 0).then(|| holds as f64 / defined as f64);
        let (ok, within) = match (confidence, share_held) {
            (Some(c), Some(p)) => {
                let half = 1.96 * (c * (1.0 - c) / defined as f64).sqrt();
                (p >= c, (p - c).abs() < half)
            }
            _ => (ok_on_mean, e.ci95.is_some_and(|ci| gap.abs() < ci)),
        };
        noisy |= within;
        if !ok {
            clearly_missed |= !within;
            met = false;
            let relative = gap.max(0.0) / scale;
            shortfall += relative + 1e-6;
            // With a confidence, a target can fail with its mean on the right side of
            // the bound: the one held on the fewest days is the worst.
            let (held_share, badness) = match (confidence, share_held) {
                (Some(c), Some(p)) => (Some(p), c - p),
                _ => (None, relative),
            };
            if worst.is_none_or(|(_, _, _, w)| badness > w) {
                worst = Some((i, mean, held_share, badness));
            }
        }
    }
    let p_met = held.iter().filter(|&&h| h).count() as f64 / held.len().max(1) as f64;
    Verdict {
        met,
        noisy,
        clearly_missed,
        shortfall,
        p_met,
        worst: worst.map(|(i, mean, held, _)| (i, mean, held)),
        over_day: k.is_none(),
    }
}

/// "general service level 76.2% < 80.0%": a check's figure against its bound; with a
/// `confidence` (`held`: the share of days the check held), "general service level ≥
/// 80.0% on 73% of days < 80% (mean 84.1%)".
fn check_note(model: &Model, check: &Check, mean: f64, held: Option<f64>, confidence: Option<f64>) -> String {
    let figure = Figure::ALL.iter().copied().find(|f| f.metric() == check.metric.name);
    let show = |x: f64| match figure {
        Some(f) => f.show(x),
        None => format!("{:.1}%", x * 100.0),
    };
    let label = figure.map_or(check.metric.name, |f| f.label());
    let who = match (check.call_type, check.group) {
        (Some(c), _) => model.call_types[c].name.as_str(),
        (None, Some(g)) => model.groups[g].name.as_str(),
        _ => "all contacts",
    };
    if let (Some(p), Some(c)) = (held, confidence) {
        let op = if check.at_least { "≥" } else { "≤" };
        let percent = |x: f64| format!("{:.0}%", x * 100.0);
        return format!(
            "{who} {label} {op} {} on {} of days < {} (mean {})",
            show(check.bound),
            percent(p),
            percent(c),
            show(mean)
        );
    }
    let op = if check.at_least { "<" } else { ">" };
    format!("{who} {label} {} {op} {}", show(mean), show(check.bound))
}

/// One whole day simulated at a staffing, judged interval by interval and over the day.
struct Evaluation {
    /// Per interval: `None` where nothing was offered (nothing to judge).
    intervals: Vec<Option<Verdict>>,
    /// The day-level targets; `None` without any.
    day: Option<Verdict>,
    /// The replications merged: the day's figures.
    acc: Accumulator,
}

impl Evaluation {
    /// Interval `k` holds (or has nothing to judge).
    fn holds(&self, k: usize) -> bool {
        self.intervals[k].is_none_or(|v| v.met)
    }
}

/// The staffing search.
struct Search<'m> {
    base: &'m Model,
    searched: Vec<usize>,
    /// Hourly cost of each searched group on duty (shrinkage is paid; 1 ÷ (1 −
    /// shrinkage) where no cost is given, so fewer paid hours win).
    hourly: Vec<f64>,
    pool: rayon::ThreadPool,
    interval_checks: Vec<Check>,
    day_checks: Vec<Check>,
    /// Per interval: no staffing up to `max_agents` met its targets; left as it is.
    unreachable: Vec<bool>,
    /// The day-level targets could not be met by adding agents.
    day_stuck: bool,
    evaluations: usize,
    replications_run: u64,
    progress: &'m (dyn Fn(&Progress) + Sync),
    stage: Progress,
    /// The first replication that reached one of the engine's limits: the search stops
    /// and reports it.
    halt: Option<String>,
    /// The last staffing simulated whole and uninterrupted with every interval's
    /// verdict: what Ctrl-C reports.
    best: Option<(Vec<Vec<u32>>, Evaluation)>,
}

/// Removal trials: per searched group and interval, the verdict with one agent fewer
/// there (`None`: not tried).
type Trials = Vec<Vec<Option<Verdict>>>;

/// The cheapest staffing so far on which every target held: its hourly cost, the
/// staffing, its evaluation and its removal trials.
type Feasible = (f64, Vec<Vec<u32>>, Evaluation, Trials);

/// Where no single agent helps an interval, pairs of agents are tried among at most
/// this many groups (those whose single agent came closest): 21 trials at most.
const PAIRED_GROUPS: usize = 6;

/// Rounds of the final check at most that make removals (each then checked again).
const FINAL_ROUNDS: usize = 3;

/// Rounds of one settling stage at most (each round adds or removes agents; a staffing
/// seen before also ends the stage).
const MAX_ROUNDS: usize = 400;
/// Rounds in a row an interval may get agents without its shortfall falling before it
/// is given up as unreachable.
const MAX_STALLS: u32 = 25;

impl Search<'_> {
    /// The model with `agents` (rows: intervals) for the searched groups.
    fn model_with(&self, agents: &[Vec<u32>]) -> Model {
        let mut m = self.base.clone();
        for (j, &g) in self.searched.iter().enumerate() {
            let column: Vec<u32> = agents.iter().map(|row| row[j]).collect();
            m.groups[g].staffing = per_interval_staffing(&m.clock, &column);
            m.groups[g].paid_agent_us = None;
        }
        m
    }

    /// `n` replications of `model`, kept whole without the wait histograms (staffing
    /// judges no quantile).
    fn replications(&mut self, model: &Model, n: u64) -> Vec<RepStats> {
        self.evaluations += 1;
        self.replications_run += n;
        self.stage.candidates = self.evaluations;
        (self.progress)(&self.stage);
        // Once stopped, the replications not yet begun are skipped.
        let stats: Vec<Option<RepStats>> = self.pool.install(|| {
            (0..n)
                .into_par_iter()
                .map(|r| {
                    (!crate::interrupt::requested()).then(|| {
                        let mut s = run_replication(model, r);
                        s.waits.clear();
                        s
                    })
                })
                .collect()
        });
        let stats: Vec<RepStats> = stats.into_iter().flatten().collect();
        if self.halt.is_none() {
            self.halt = stats.iter().find_map(|s| s.halt.clone());
        }
        stats
    }

    /// Simulates the whole day at `agents` on `n` replications and judges it.
    fn evaluate(&mut self, agents: &[Vec<u32>], n: u64) -> Evaluation {
        let model = self.model_with(agents);
        let stats = self.replications(&model, n);
        let clock = &self.base.clock;
        let mut acc = Accumulator::new(clock.intervals, model.call_types.len(), model.groups.len());
        if self.stopped() {
            // Interrupted replications judge nothing: the caller stops.
            return Evaluation {
                intervals: vec![None; clock.intervals],
                day: None,
                acc,
            };
        }
        for s in &stats {
            acc.add(s);
        }
        let confidence = self.base.staffing.confidence;
        let intervals = (0..clock.intervals)
            .map(|k| {
                let offered: u64 = stats
                    .iter()
                    .map(|s| s.calls[k * s.columns() + s.columns() - 1][call::OFFERED])
                    .sum();
                (offered > 0).then(|| judge(&acc, &stats, &self.interval_checks, Some(k), confidence))
            })
            .collect();
        let day = (!self.day_checks.is_empty()).then(|| judge(&acc, &stats, &self.day_checks, None, confidence));
        Evaluation { intervals, day, acc }
    }

    /// Whether the search must stop at once: Ctrl-C, or a limit reached.
    fn stopped(&self) -> bool {
        self.halt.is_some() || crate::interrupt::requested()
    }

    fn max_agents(&self) -> u32 {
        self.base.staffing.max_agents
    }

    /// Settles the staffing on `n` replications: rounds of adding where a target fails
    /// and (if `removing`) removing where they all hold, until a round changes nothing;
    /// without `removing`, until every target holds. The last
    /// evaluation is left in `best`; returns, per searched group and interval, how the
    /// interval fared with one agent fewer in that group (`None`: not tried), or `None`
    /// if the search was stopped.
    fn settle(&mut self, agents: &mut Vec<Vec<u32>>, n: u64, removing: bool) -> Option<Vec<Vec<Option<Verdict>>>> {
        let intervals = self.base.clock.intervals;
        let mut stalls = vec![0u32; intervals];
        let mut previous: Vec<Option<f64>> = vec![None; intervals];
        let mut seen: HashSet<Vec<Vec<u32>>> = HashSet::new();
        // The cheapest staffing on which every target held, with its evaluation and its
        // removal trials; and shrinking rounds since it last got cheaper.
        let mut feasible: Option<Feasible> = None;
        let mut idle = 0;
        self.stage.replications = n;
        for round in 1..=MAX_ROUNDS {
            self.stage.round = round;
            let base = self.evaluate(agents, n);
            if self.stopped() {
                return None;
            }
            let snapshot = agents.clone();
            let failing: Vec<usize> = (0..intervals)
                .filter(|&k| !base.holds(k) && !self.unreachable[k])
                .collect();
            self.stage.short = (0..intervals).filter(|&k| !base.holds(k)).count();
            self.stage.first_short = (0..intervals).find(|&k| !base.holds(k));
            // A staffing seen before in this stage: the rounds go in a circle; stop here.
            let repeated = !seen.insert(snapshot.clone());
            let changed = if repeated {
                false
            } else if !failing.is_empty() {
                self.grow(agents, &base, &failing, n, &mut stalls, &mut previous);
                true
            } else if !self.day_stuck && base.day.is_some_and(|v| !v.met) {
                if !self.grow_day(agents, &base) {
                    self.day_stuck = true;
                }
                true
            } else {
                // Every target holds: the cheapest such staffing so far is kept, and the
                // stage ends when removing agents stops making it cheaper (near their
                // bounds, figures flip with any change elsewhere, so rounds could go on
                // trading one agent for another).
                let cost = self.cost(&snapshot);
                if !removing {
                    // Confirming: every target holds; the removals are judged next.
                    let none = vec![vec![None; intervals]; self.searched.len()];
                    feasible = Some((cost, snapshot, base, none));
                    break;
                }
                let better = feasible.as_ref().is_none_or(|(c, _, _, _)| cost < *c - 1e-9);
                let (changed, trials) = self.shrink(agents, &base, n, true);
                if better {
                    feasible = Some((cost, snapshot, base, trials));
                    idle = 0;
                } else {
                    idle += 1;
                }
                if !changed || idle >= 2 {
                    break;
                }
                continue;
            };
            self.best = Some((snapshot, base));
            if !changed {
                break;
            }
        }
        if self.stopped() {
            return None;
        }
        // The cheapest staffing seen on which every target held; else (nothing ever
        // held: unreachable intervals) the last one evaluated.
        match feasible {
            Some((_, staffing, evaluation, trials)) => {
                agents.clone_from(&staffing);
                self.best = Some((staffing, evaluation));
                Some(trials)
            }
            None => {
                if let Some((last, _)) = &self.best {
                    agents.clone_from(last);
                }
                Some(vec![vec![None; intervals]; self.searched.len()])
            }
        }
    }

    /// The last stage's answer checked at its own count: every removal (each group, odd
    /// and even intervals apart, as in [`Search::shrink`]) is judged on the answer's
    /// replications; removals that hold are made if the staffing they give holds as a
    /// whole (every interval that held still holds, and the day-level targets), and
    /// the answer checked again, [`FINAL_ROUNDS`] times at most. Returns the removal
    /// trials around the answer left in `best` (`None` if stopped or nothing was
    /// settled).
    fn final_check(&mut self) -> Option<Trials> {
        let (mut staffing, mut base) = self.best.take()?;
        let n = base.acc.replications;
        self.stage.stage = "final check";
        self.stage.replications = n;
        let mut trials = None;
        for round in 0..=FINAL_ROUNDS {
            self.stage.round = round + 1;
            let mut candidate = staffing.clone();
            let (changed, t) = self.shrink(&mut candidate, &base, n, false);
            if self.stopped() {
                break;
            }
            if !changed || round == FINAL_ROUNDS {
                trials = Some(t);
                break;
            }
            let ev = self.evaluate(&candidate, n);
            if self.stopped() {
                break;
            }
            let intervals_hold = (0..candidate.len()).all(|k| !base.holds(k) || ev.holds(k));
            let day_holds = base.day.is_none_or(|v| !v.met) || ev.day.is_some_and(|v| v.met);
            if !(intervals_hold && day_holds) {
                trials = Some(t);
                break;
            }
            (staffing, base) = (candidate, ev);
        }
        self.best = Some((staffing, base));
        trials
    }

    /// Cost per hour of a staffing: agents on duty × their group's hourly cost, summed.
    fn cost(&self, agents: &[Vec<u32>]) -> f64 {
        agents
            .iter()
            .map(|row| {
                row.iter()
                    .zip(&self.hourly)
                    .map(|(&a, h)| f64::from(a) * h)
                    .sum::<f64>()
            })
            .sum()
    }

    /// The group that answers first the call type of interval `k`'s worst failing
    /// target (the group itself for its occupancy), if it may get one more agent.
    fn first_server(&self, agents: &[Vec<u32>], verdict: &Verdict, k: usize) -> Option<usize> {
        let (i, _, _) = verdict.worst?;
        let check = self.interval_checks[i];
        let j = match (check.call_type, check.group) {
            (_, Some(g)) => self.searched.iter().position(|&s| s == g)?,
            (Some(c), None) => self
                .base
                .lanes
                .iter()
                .filter(|lane| lane.call_type.0 as usize == c)
                .flat_map(|lane| &lane.routes)
                .find_map(|r| self.searched.iter().position(|&s| s == r.group.0 as usize))?,
            (None, None) => return None,
        };
        (agents[k][j] < self.max_agents()).then_some(j)
    }

    /// One more agent in each failing interval. Where the last agent added there helped
    /// (or none was), it goes to the group that answers the worst-failing call type
    /// first; elsewhere to the group (or two groups) that helps most per hour of cost,
    /// found by a trial per group that adds one agent in every such interval at once.
    /// An interval `MAX_STALLS` rounds in a row without progress is given up.
    fn grow(
        &mut self,
        agents: &mut [Vec<u32>],
        base: &Evaluation,
        failing: &[usize],
        n: u64,
        stalls: &mut [u32],
        previous: &mut [Option<f64>],
    ) {
        for (k, p) in previous.iter_mut().enumerate() {
            let now = base.intervals[k].filter(|v| !v.met).map(|v| v.shortfall);
            if let (Some(before), Some(now)) = (*p, now) {
                stalls[k] = if now < before - 1e-9 { 0 } else { stalls[k] + 1 };
            }
            *p = now;
        }
        let mut searched_for = Vec::new();
        for &k in failing {
            if stalls[k] >= MAX_STALLS {
                self.unreachable[k] = true;
                continue;
            }
            let quick = base.intervals[k].and_then(|v| self.first_server(agents, &v, k));
            match quick {
                Some(j) if stalls[k] == 0 => agents[k][j] += 1,
                _ => searched_for.push(k),
            }
        }
        if !searched_for.is_empty() {
            self.grow_by_trials(agents, base, &searched_for, n);
        }
    }

    /// One more agent in each of the intervals `failing`, in the group (or two groups)
    /// that helps it most per hour of cost: each group's trial adds one agent in every
    /// such interval at once; two at once only where no single agent helps.
    fn grow_by_trials(&mut self, agents: &mut [Vec<u32>], base: &Evaluation, failing: &[usize], n: u64) {
        let groups = self.searched.len();
        let max = self.max_agents();
        // Per failing interval: (met, gain per hour, the groups added).
        let mut best: Vec<Option<(bool, f64, Vec<usize>)>> = vec![None; agents.len()];
        // Per group: how much its single agent helped the failing intervals, summed, to
        // choose the groups paired.
        let mut single_gain = vec![0.0f64; groups];
        for round in 0..2 {
            let additions: Vec<Vec<usize>> = if round == 0 {
                (0..groups).map(|j| vec![j]).collect()
            } else {
                // Pairs among the groups whose single agent came closest: at most
                // PAIRED_GROUPS of them, so a centre of many groups tries a bounded
                // number of pairs.
                let mut order: Vec<usize> = (0..groups).collect();
                order.sort_by(|&a, &b| single_gain[b].total_cmp(&single_gain[a]).then(a.cmp(&b)));
                order.truncate(PAIRED_GROUPS);
                order.sort_unstable();
                order
                    .iter()
                    .enumerate()
                    .flat_map(|(i, &a)| order[i..].iter().map(move |&b| vec![a, b]))
                    .collect()
            };
            // Pairs only where no single agent helped.
            let targets: Vec<usize> = failing
                .iter()
                .copied()
                .filter(|&k| round == 0 || best[k].as_ref().is_none_or(|(met, gain, _)| !met && *gain <= 0.0))
                .collect();
            if targets.is_empty() {
                break;
            }
            for add in additions {
                if self.stopped() {
                    return;
                }
                let mut trial = agents.to_vec();
                let mut any = false;
                for &k in &targets {
                    if add
                        .iter()
                        .all(|&j| agents[k][j] + add.iter().filter(|&&x| x == j).count() as u32 <= max)
                    {
                        for &j in &add {
                            trial[k][j] += 1;
                        }
                        any = true;
                    }
                }
                if !any {
                    continue;
                }
                let ev = self.evaluate(&trial, n);
                let hourly: f64 = add.iter().map(|&j| self.hourly[j]).sum();
                for &k in &targets {
                    if trial[k] == agents[k] {
                        continue;
                    }
                    let before = base.intervals[k].map_or(0.0, |v| v.shortfall);
                    let (met, after) = ev.intervals[k].map_or((true, 0.0), |v| (v.met, v.shortfall));
                    let key = if met { -hourly } else { (before - after) / hourly };
                    if round == 0 {
                        single_gain[add[0]] += if met { f64::INFINITY } else { key };
                    }
                    if best[k].as_ref().is_none_or(|(bm, bk, _)| (met, key) > (*bm, *bk)) {
                        best[k] = Some((met, key, add.clone()));
                    }
                }
            }
        }
        for &k in failing {
            match &best[k] {
                Some((_, _, add)) => {
                    for &j in add {
                        agents[k][j] += 1;
                    }
                }
                // Every group is at the most allowed.
                None => self.unreachable[k] = true,
            }
        }
    }

    /// A day-level target fails: one more agent, in the cheapest group serving the
    /// failing call type, in the interval where its backlog (contacts waiting, on
    /// average) is largest; for a group's occupancy, in that group where it is busiest.
    /// `false` if no agent can be added.
    fn grow_day(&mut self, agents: &mut [Vec<u32>], base: &Evaluation) -> bool {
        let Some((i, _, _)) = base.day.and_then(|v| v.worst) else {
            return false;
        };
        let check = self.day_checks[i];
        let n = base.acc.replications;
        let t = if n > 1 { t975(n - 1) } else { f64::NAN };
        let (groups, level): (Vec<usize>, Box<dyn Fn(usize) -> f64>) = match (check.call_type, check.group) {
            (_, Some(g)) => {
                let j = self.searched.iter().position(|&s| s == g);
                let acc = &base.acc;
                (
                    j.into_iter().collect(),
                    Box::new(move |k| {
                        estimate(&acc.groups.cell(Some(k), Some(g)), group_metric("occupancy"), n, t)
                            .mean
                            .unwrap_or(0.0)
                    }),
                )
            }
            (c, None) => {
                let serves = |j: usize| {
                    let g = self.searched[j];
                    c.is_none_or(|c| self.base.groups[g].skills.iter().any(|s| s.call_type.0 as usize == c))
                };
                let acc = &base.acc;
                (
                    (0..self.searched.len()).filter(|&j| serves(j)).collect(),
                    Box::new(move |k| {
                        estimate(&acc.calls.cell(Some(k), c), metric("avg_queue_length"), n, t)
                            .mean
                            .unwrap_or(0.0)
                    }),
                )
            }
        };
        let max = self.max_agents();
        let Some(&j) = groups
            .iter()
            .min_by(|&&a, &&b| self.hourly[a].total_cmp(&self.hourly[b]).then(a.cmp(&b)))
        else {
            return false;
        };
        let Some(k) = (0..agents.len())
            .filter(|&k| agents[k][j] < max)
            .max_by(|&a, &b| level(a).total_cmp(&level(b)).then(b.cmp(&a)))
        else {
            return false;
        };
        agents[k][j] += 1;
        true
    }

    /// Removes agents while the targets hold: each group in turn, the most expensive
    /// first, loses one agent in every other interval where all holds (even intervals,
    /// then odd ones, so a removal is judged with its neighbours unchanged); a removal
    /// stays where its interval and the next still hold and no day-level target breaks.
    /// Where none stays, an agent moves from a dearer group to a cheaper one that shares
    /// a call type with it, likewise. Returns whether anything changed, and each group's
    /// trial verdicts.
    fn shrink(
        &mut self,
        agents: &mut [Vec<u32>],
        base: &Evaluation,
        n: u64,
        with_swaps: bool,
    ) -> (bool, Vec<Vec<Option<Verdict>>>) {
        let groups = self.searched.len();
        let intervals = agents.len();
        let mut trials: Vec<Vec<Option<Verdict>>> = vec![vec![None; intervals]; groups];
        let mut order: Vec<usize> = (0..groups).collect();
        order.sort_by(|&a, &b| self.hourly[b].total_cmp(&self.hourly[a]).then(a.cmp(&b)));
        let day_holds = |ev: &Evaluation| ev.day.is_none_or(|v| v.met) || base.day.is_some_and(|v| !v.met);
        let mut changed = false;
        let mut moves: Vec<(Option<usize>, usize)> = order.iter().map(|&j| (None, j)).collect();
        let shares = |a: usize, b: usize| {
            let skills = |j: usize| self.base.groups[self.searched[j]].skills.iter().map(|s| s.call_type);
            skills(a).any(|c| skills(b).any(|d| d == c))
        };
        let swaps: Vec<(Option<usize>, usize)> = order
            .iter()
            .flat_map(|&a| order.iter().rev().map(move |&b| (a, b)))
            .filter(|&(a, b)| self.hourly[b] < self.hourly[a] && shares(a, b))
            .map(|(a, b)| (Some(b), a))
            .collect();
        let parities = 2;
        for pass in 0..2 {
            for parity in 0..parities {
                for &(to, from) in &moves {
                    if self.stopped() {
                        return (changed, trials);
                    }
                    let tried: Vec<usize> = (0..intervals)
                        .filter(|&k| {
                            (k % parities == parity)
                                && agents[k][from] > 0
                                && !self.unreachable[k]
                                && base.holds(k)
                                && to.is_none_or(|b| agents[k][b] < self.max_agents())
                        })
                        .collect();
                    if tried.is_empty() {
                        continue;
                    }
                    // A set of removals that breaks a day-level target is halved until
                    // the parts that keep it are found.
                    let mut sets = vec![tried];
                    while let Some(set) = sets.pop() {
                        if self.stopped() {
                            return (changed, trials);
                        }
                        let mut trial = agents.to_vec();
                        for &k in &set {
                            trial[k][from] -= 1;
                            if let Some(b) = to {
                                trial[k][b] += 1;
                            }
                        }
                        let ev = self.evaluate(&trial, n);
                        if self.stopped() {
                            return (changed, trials);
                        }
                        for &k in &set {
                            if to.is_none() {
                                trials[from][k] = ev.intervals[k];
                            }
                        }
                        if !day_holds(&ev) {
                            // A single removal that breaks the day: the day's verdict
                            // is what binds it.
                            if let ([k], Some(v), None) = (set.as_slice(), ev.day, to) {
                                trials[from][*k] = Some(v);
                            }
                            if set.len() > 1 {
                                let (a, b) = set.split_at(set.len() / 2);
                                sets.push(b.to_vec());
                                sets.push(a.to_vec());
                            }
                            continue;
                        }
                        for &k in &set {
                            let next_holds = k + 1 >= intervals || ev.holds(k + 1) || !base.holds(k + 1);
                            if ev.holds(k) && next_holds {
                                agents[k][from] -= 1;
                                if let Some(b) = to {
                                    agents[k][b] += 1;
                                }
                                changed = true;
                            }
                        }
                    }
                }
            }
            if changed || pass == 1 || !with_swaps {
                break;
            }
            moves.clone_from(&swaps);
            if moves.is_empty() {
                break;
            }
        }
        (changed, trials)
    }
}

/// Contacts per second each call type receives in each interval: its own arrivals plus
/// what other tiers send it, so a tier fed only by other tiers is staffed for the load it
/// really receives. A contact that begins at call type `o` is followed along its
/// escalations (each tier passing on the share its serving group leaves unresolved); one
/// that ends as a repeat comes back to `o` as a new contact, so `o`'s contacts are its
/// arrivals ÷ (1 − the share that repeats). Answered contacts are taken as all that
/// arrive (an estimate: `staff` then decides by simulation); a loop is followed for as
/// many legs as the engine follows a contact.
pub fn inflow(model: &Model) -> Vec<Vec<f64>> {
    let n = model.call_types.len();
    // Share of a call type's contacts left unresolved by the group that serves it first.
    let unresolved: Vec<f64> = (0..n)
        .map(|c| {
            let first_group = model
                .lanes
                .iter()
                .filter(|lane| lane.call_type.0 as usize == c)
                .find_map(|lane| lane.routes.first())
                .map(|r| r.group.0 as usize);
            let resolution = first_group
                .and_then(|g| model.groups[g].skills.iter().find(|s| s.call_type.0 as usize == c))
                .map_or(model.call_types[c].resolution, |s| s.resolution);
            1.0 - resolution
        })
        .collect();
    let mut load: Vec<Vec<f64>> = model
        .call_types
        .iter()
        .map(|c| vec![0.0; c.rate_per_second.len()])
        .collect();
    for (o, origin) in model.call_types.iter().enumerate() {
        // Expected visits of one contact beginning at `o` to each call type, and the
        // chance that it comes back to `o` as a repeat.
        let (mut visits, mut repeats) = (vec![0.0; n], 0.0);
        let (mut c, mut mass) = (o, 1.0);
        for _ in 0..crate::engine::MAX_LEGS {
            visits[c] += mass;
            match &model.call_types[c].unresolved {
                Unresolved::Escalate(to) => {
                    mass *= unresolved[c];
                    c = to.0 as usize;
                }
                Unresolved::Repeat { probability, .. } => {
                    repeats += mass * unresolved[c] * probability;
                    break;
                }
                Unresolved::Close => break,
            }
            if mass < 1e-12 {
                break;
            }
        }
        let contacts = 1.0 / (1.0 - repeats).max(1.0 / f64::from(crate::engine::MAX_LEGS));
        for (to, &v) in visits.iter().enumerate().filter(|(_, v)| **v > 0.0) {
            for (k, rate) in origin.rate_per_second.iter().enumerate() {
                load[to][k] += rate * contacts * v;
            }
        }
    }
    load
}

/// Erlang A (Erlang C without patience) estimate of each searched group's agents in
/// each interval: each call type's load (its own arrivals and what other tiers send it,
/// see [`inflow`]) is shared equally among the searched groups that serve it at once; a
/// group's agents are the fewest meeting the service level, answer rate, ASA and
/// occupancy targets for its pooled load.
fn erlang_start(model: &Model, searched: &[usize]) -> Vec<Vec<u32>> {
    let interval_s = model.clock.interval as f64 / 1e6;
    let rates = inflow(model);
    (0..model.clock.intervals)
        .map(|k| {
            searched
                .iter()
                .map(|&g| {
                    let (mut rate, mut work, mut patience_w) = (0.0, 0.0, 0.0);
                    let mut patience_known = true;
                    let (mut sl_target, mut threshold, mut ar_target): (f64, f64, f64) = (0.0, f64::INFINITY, 0.0);
                    for skill in &model.groups[g].skills {
                        let c = skill.call_type.0 as usize;
                        let ct = &model.call_types[c];
                        let sharing = model.lanes[c]
                            .routes
                            .iter()
                            .filter(|r| searched.contains(&(r.group.0 as usize)) && r.after == 0)
                            .count()
                            .max(1) as f64;
                        let first = model.lanes[c].routes.first().is_some_and(|r| r.group.0 as usize == g);
                        let share = if model.lanes[c]
                            .routes
                            .iter()
                            .any(|r| r.group.0 as usize == g && r.after == 0)
                        {
                            1.0 / sharing
                        } else if first {
                            1.0
                        } else {
                            0.0
                        };
                        let lambda = rates[c][k] * share;
                        if lambda <= 0.0 {
                            continue;
                        }
                        let aht = ct.mean_talk * ct.handle_scale[k] * skill.factor + ct.mean_wrap_up;
                        // A chat takes 1/concurrency of an agent.
                        let share_of_agent = if ct.channel == Channel::Chat {
                            1.0 / f64::from(model.groups[g].chat_concurrency)
                        } else {
                            1.0
                        };
                        rate += lambda;
                        work += lambda * aht * share_of_agent;
                        match ct.mean_patience {
                            Some(p) => patience_w += lambda * p,
                            None => patience_known = false,
                        }
                        sl_target = sl_target.max(ct.service_level_target);
                        threshold = threshold.min(ct.service_level_threshold as f64 / 1e6);
                        ar_target = ar_target.max(ct.answer_rate_target);
                    }
                    if rate <= 0.0 {
                        return 0;
                    }
                    let q = Queue {
                        arrival_rate: rate,
                        mean_handle_time: work / rate,
                        agents: 1,
                        mean_patience: patience_known.then(|| patience_w / rate),
                        threshold: threshold.min(interval_s),
                    };
                    let max = model.staffing.max_agents;
                    let n = agents_for_service_level(&q, sl_target.min(0.999))
                        .unwrap_or(1)
                        .clamp(1, max);
                    let cap = model.staffing.max_occupancy.unwrap_or(1.0);
                    // More agents answer more and are less occupied: the fewest that meet
                    // both, by bisection (an O(agents) evaluation each, so O(n log n) in
                    // all even when no count up to the cap does).
                    let meets = |n: u32| {
                        let mut trial = q;
                        trial.agents = n;
                        match performance(&trial) {
                            Ok(p) => p.answer_rate + 1e-12 >= ar_target && p.occupancy <= cap,
                            Err(_) => true,
                        }
                    };
                    fewest_from(n, max, meets)
                })
                .collect()
        })
        .collect()
}

/// The fewest agents from `start` up to `max` for which `meets` holds (it holds for all
/// counts above one that does), or `max` if none does: galloping up from `start`, then
/// bisecting, so O(log(max)) evaluations.
fn fewest_from(start: u32, max: u32, meets: impl Fn(u32) -> bool) -> u32 {
    if start >= max || meets(start) {
        return start.min(max);
    }
    // `fail` does not meet; find a count that does, doubling the step.
    let (mut fail, mut step) = (start, 1u32);
    let mut hi = loop {
        let next = fail.saturating_add(step).min(max);
        if meets(next) {
            break next;
        }
        if next >= max {
            return max;
        }
        fail = next;
        step = step.saturating_mul(2);
    };
    while hi - fail > 1 {
        let mid = fail + (hi - fail) / 2;
        if meets(mid) {
            hi = mid;
        } else {
            fail = mid;
        }
    }
    hi
}

/// Finds the staffing of `model`'s in-house groups. `progress` is told where the search
/// is. Ctrl-C stops it with the best staffing found so far (`incomplete`), or with
/// `Error::Interrupted` before any whole day was simulated.
pub fn staff(model: &Model, threads: usize, progress: &(dyn Fn(&Progress) + Sync)) -> Result<StaffPlan, Error> {
    let searched: Vec<usize> = (0..model.groups.len())
        .filter(|&g| !model.groups[g].outsourced)
        .collect();
    if searched.is_empty() {
        return Err(Error::Other(format!(
            "{}: every agent group is outsourced; `staff` searches in-house groups",
            model.file
        )));
    }
    // An email is judged on the emails due inside the window: with a response target
    // longer than the window none is, and no staffing could be judged on it.
    let window = model.clock.interval * model.clock.intervals as u64;
    if let Some(ct) = model
        .call_types
        .iter()
        .find(|c| c.channel == Channel::Email && c.service_level_threshold > window)
    {
        let text = |us: u64| crate::scenario::duration_text(us as f64 / 1e6);
        return Err(Error::Other(format!(
            "{}: email `{}` has a response target of {} but the measured window is {}: no email falls due inside it, so no staffing can be judged on it; simulate a longer `duration` (several days) or give it a shorter `service_level_threshold`",
            model.file,
            ct.name,
            text(ct.service_level_threshold),
            text(window)
        )));
    }
    let pool = crate::simulate::thread_pool(threads)?;
    // The search keeps up to `max_replications` whole days at once.
    let first_replications = model.staffing.replications.unwrap_or(model.replications).max(2);
    let max_replications = model.staffing.max_replications.max(first_replications);
    crate::budget::check(model, pool.current_num_threads(), max_replications)?;
    let hourly: Vec<f64> = searched
        .iter()
        .map(|&g| {
            // Per hour on duty: shrinkage is paid too.
            let group = &model.groups[g];
            let c = group.cost.per_paid_us * 3600.0 / (1.0 - group.shrinkage);
            if c > 0.0 { c } else { 1.0 / (1.0 - group.shrinkage) }
        })
        .collect();
    // Interval targets, and the day-level ones: email response times, or everything
    // with `scope = "day"`.
    let all_day = checks(model, &searched, true);
    let (interval_checks, day_checks) = if model.staffing.over_day {
        (Vec::new(), all_day)
    } else {
        let day = all_day
            .into_iter()
            .filter(|c| c.metric.name == "within_target")
            .collect();
        (checks(model, &searched, false), day)
    };
    let intervals = model.clock.intervals;
    let mut search = Search {
        base: model,
        searched: searched.clone(),
        hourly,
        pool,
        interval_checks,
        day_checks,
        unreachable: vec![false; intervals],
        day_stuck: false,
        evaluations: 0,
        replications_run: 0,
        progress,
        stage: Progress {
            stage: "searching",
            replications: first_replications,
            round: 0,
            short: 0,
            intervals,
            first_short: None,
            candidates: 0,
        },
        halt: None,
        best: None,
    };
    let erlang = erlang_start(model, &searched);
    let mut agents = erlang.clone();
    // Per group and interval, the verdict with one agent fewer there: the last stage's.
    let mut trials: Trials = vec![vec![None; intervals]; searched.len()];
    // First every decision is taken on few replications. Where one lay within the
    // noise, the answer is judged again with `max_replications` (agents added where a
    // target now fails), and then every removal once more around it at that count (the
    // final check), so that each binding note is the answer's own day with one agent
    // fewer, and a removal that holds there is made.
    if let Some(t) = search.settle(&mut agents, first_replications, true) {
        trials.clone_from(&t);
        let (_, last) = search.best.as_ref().expect("a settled stage evaluated its staffing");
        let noisy = (0..intervals)
            .any(|k| last.intervals[k].is_some_and(|v| v.noisy) || t.iter().any(|per| per[k].is_some_and(|v| v.noisy)))
            || last.day.is_some_and(|v| v.noisy);
        if noisy && max_replications > first_replications {
            search.stage.stage = "confirming";
            if search.settle(&mut agents, max_replications, false).is_some()
                && let Some(t) = search.final_check()
            {
                trials = t;
            }
        }
    }
    if let Some(why) = &search.halt {
        return Err(Error::Other(why.clone()));
    }
    let incomplete = crate::interrupt::requested();
    let Some((agents, last)) = search.best.take() else {
        return Err(Error::Interrupted);
    };
    let mut final_model = search.model_with(&agents);
    final_model.replications = last.acc.replications;
    let summary = judged_summary(&final_model, &last.acc);
    let within_noise = (0..intervals)
        .map(|k| last.intervals[k].is_some_and(|v| v.noisy) || trials.iter().any(|per| per[k].is_some_and(|v| v.noisy)))
        .collect();
    let binding = (0..intervals)
        .map(|k| {
            (0..searched.len())
                .filter(|&j| agents[k][j] > 0)
                .filter_map(|j| {
                    let v = trials[j][k]?;
                    let (i, mean, held) = v.worst?;
                    let checks = if v.over_day {
                        &search.day_checks
                    } else {
                        &search.interval_checks
                    };
                    let check = checks.get(i)?;
                    Some(format!(
                        "{} −1: {}",
                        model.groups[searched[j]].name,
                        check_note(model, check, mean, held, model.staffing.confidence)
                    ))
                })
                .collect()
        })
        .collect();
    let p_met = last.intervals.iter().map(|v| v.map(|v| v.p_met)).collect();
    let missed = last
        .intervals
        .iter()
        .map(|v| v.is_some_and(|v| v.clearly_missed))
        .collect();
    let day_targets_met = last.day.map(|v| v.met);
    let unreachable = search.unreachable.clone();
    let (roster, roster_errors, rostered) = if incomplete {
        (Vec::new(), Vec::new(), None)
    } else {
        let (roster, roster_errors) = roster::roster_all(&final_model, &searched, &agents);
        // A roster stopped by Ctrl-C (or the run's cancel) is no roster error: the run stops.
        crate::interrupt::check()?;
        let rostered = if roster.is_empty() {
            None
        } else {
            let m = roster::rostered_model(&final_model, &roster);
            let stats = search.replications(&m, m.replications);
            if let Some(why) = &search.halt {
                return Err(Error::Other(why.clone()));
            }
            crate::interrupt::check()?;
            let mut acc = Accumulator::new(m.clock.intervals, m.call_types.len(), m.groups.len());
            for s in &stats {
                acc.add(s);
            }
            let met: Vec<bool> = (0..m.clock.intervals)
                .map(|k| judge(&acc, &stats, &search.interval_checks, Some(k), None).met)
                .collect();
            Some((judged_summary(&m, &acc), met))
        };
        (roster, roster_errors, rostered)
    };
    Ok(StaffPlan {
        groups: searched,
        agents,
        erlang,
        within_noise,
        unreachable,
        missed,
        binding,
        day_targets_met,
        p_met,
        summary,
        model: final_model,
        evaluations: search.evaluations,
        replications_run: search.replications_run,
        incomplete,
        roster,
        roster_errors,
        rostered,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fewest count meeting a monotone target, in O(log cap) evaluations, and the
    /// cap when none meets it (the pre-search once tried every count up to the cap).
    #[test]
    fn the_pre_search_gallops_and_bisects() {
        let calls = std::cell::Cell::new(0);
        let calls = &calls;
        let at_least = |k: u32| {
            move |n: u32| {
                calls.set(calls.get() + 1);
                n >= k
            }
        };
        assert_eq!(fewest_from(10, 100_000, at_least(10)), 10);
        assert_eq!(fewest_from(10, 100_000, at_least(11)), 11);
        assert_eq!(fewest_from(10, 100_000, at_least(54_321)), 54_321);
        assert_eq!(fewest_from(10, 100_000, at_least(100_000)), 100_000);
        calls.set(0);
        assert_eq!(fewest_from(10, 100_000, |_| false), 100_000);
        assert!(calls.get() <= 20, "{} evaluations", calls.get());
        calls.set(0);
        assert_eq!(fewest_from(1, 1_000_000, at_least(777_777)), 777_777);
        assert!(calls.get() <= 45, "{} evaluations", calls.get());
        assert_eq!(fewest_from(5, 5, |_| false), 5);
    }
}
