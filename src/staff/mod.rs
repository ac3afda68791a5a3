//! `ccsim staff`: the fewest (or cheapest) agents on duty per interval and group that
//! meet every target of a scenario, found by simulation, with how sure the answer is.
//!
//! The search starts from Erlang A (per interval, each group's share of the load of the
//! call types it serves), then decides interval by interval, first to last, by simulating
//! the day up to that interval with the staffing already chosen before it: so calls that
//! spill from one interval into the next are accounted for. In each interval it adds an
//! agent where it helps most per hour of cost until every target holds, then removes
//! agents, the most expensive group first, while they still hold. Every candidate meets
//! the same callers (common random numbers: replication r is the same day in every
//! candidate). A decision whose figure lies within its 95 % half-width of the target is
//! re-simulated with four times the replications, up to `max_replications`; if still within
//! the noise, it is decided on the mean and the interval is flagged `within_noise`.
//! Email response targets (hours, across intervals) are checked over the day at the end.
//! With `scope = "day"`, agents are then removed interval by interval while the day's
//! targets still hold. The chosen staffing is simulated over the whole day for the
//! report, with the probability that an interval meets its targets on a random day.

pub mod roster;

use std::collections::HashMap;

use rayon::prelude::*;

use crate::engine::run_replication;
use crate::erlang::{Queue, agents_for_service_level, performance};
use crate::error::Error;
use crate::model::{Channel, Model, Unresolved, per_interval_staffing};
use crate::stats::{Accumulator, CALL_METRICS, GROUP_METRICS, MetricDef, RepStats, call};
use crate::summary::{Estimate, Summary, estimate, t975};
use crate::targets::Figure;

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
        // The targets every report judges (see `crate::targets`); an email's response
        // target spans hours, so it is checked over the day only.
        for t in crate::targets::of_call_type(ct) {
            if t.figure == Figure::WithinTarget && !day {
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

/// The ratio (or count) of one check in one replication's cell; `None` if undefined.
fn figure(m: &MetricDef, cell: &[u64]) -> Option<f64> {
    match m.measure {
        crate::stats::Measure::Ratio { num, den, scale } => {
            (cell[den] > 0).then(|| cell[num] as f64 / cell[den] as f64 * scale)
        }
        crate::stats::Measure::Count { field, scale }
        | crate::stats::Measure::Level { field, scale }
        | crate::stats::Measure::Max { field, scale } => Some(cell[field] as f64 * scale),
        crate::stats::Measure::Quantile { .. } => None,
    }
}

/// Judges `stats` (replications of a model) against `checks` in interval `k`, or over
/// all intervals with `k = None`.
fn judge(model: &Model, stats: &[RepStats], checks: &[Check], k: Option<usize>, confidence: Option<f64>) -> Verdict {
    let intervals = model.clock.intervals;
    let mut acc = Accumulator::new(intervals, model.call_types.len(), model.groups.len());
    for s in stats {
        acc.add(s);
    }
    let n = stats.len() as u64;
    let t = if n > 1 { t975(n - 1) } else { f64::NAN };
    let (mut met, mut noisy, mut shortfall, mut clearly_missed) = (true, false, 0.0, false);
    // Per replication: did every check hold?
    let mut held = vec![true; stats.len()];
    for check in checks {
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
        let (ok, within) = match confidence {
            Some(c) if defined > 0 => {
                let p = holds as f64 / defined as f64;
                let half = 1.96 * (c * (1.0 - c) / defined as f64).sqrt();
                (p >= c, (p - c).abs() < half)
            }
            _ => (ok_on_mean, e.ci95.is_some_and(|ci| gap.abs() < ci)),
        };
        noisy |= within;
        if !ok {
            clearly_missed |= !within;
            met = false;
            shortfall += gap.max(0.0) / scale + 1e-6;
        }
    }
    let p_met = held.iter().filter(|&&h| h).count() as f64 / held.len().max(1) as f64;
    Verdict {
        met,
        noisy,
        clearly_missed,
        shortfall,
        p_met,
    }
}

/// How much of the day before an interval is simulated to judge it: enough for queues
/// to settle and for what spills over from earlier intervals to be there.
pub const LOOKBACK_SECONDS: f64 = 2.0 * 3600.0;

/// A staffing timeline moved `shift` µs earlier (what was before then holds at 0).
fn shift_timeline(timeline: &[(u64, u32)], shift: u64) -> Vec<(u64, u32)> {
    let mut out: Vec<(u64, u32)> = Vec::new();
    for &(t, n) in timeline {
        let moved = t.saturating_sub(shift);
        if moved == 0 {
            out.clear();
        }
        out.push((moved, n));
    }
    out.dedup_by(|later, earlier| later.1 == earlier.1);
    out
}

/// A candidate: the interval judged (`None`: the day) and the staffing up to it.
type CandidateKey = (Option<usize>, Vec<Vec<u32>>);

/// The staffing search.
struct Search<'m> {
    base: &'m Model,
    searched: Vec<usize>,
    /// `[interval][searched group]`, filled as intervals are decided.
    agents: Vec<Vec<u32>>,
    /// Hourly cost of each searched group (1 where none is given, so fewer agents win).
    hourly: Vec<f64>,
    pool: rayon::ThreadPool,
    first_replications: u64,
    max_replications: u64,
    cache: HashMap<CandidateKey, (Verdict, u64)>,
    evaluations: usize,
    replications_run: u64,
    progress: &'m (dyn Fn(usize) + Sync),
    /// The first replication that reached one of the engine's limits: the search stops
    /// and reports it.
    halt: Option<String>,
}

impl Search<'_> {
    /// The model with `agents` (rows: intervals, as many as given) for the searched
    /// groups; shorter than the day, it is the day up to that interval.
    fn model_with(&self, agents: &[Vec<u32>]) -> Model {
        let mut m = self.base.clone();
        m.clock.intervals = agents.len();
        for (j, &g) in self.searched.iter().enumerate() {
            let column: Vec<u32> = agents.iter().map(|row| row[j]).collect();
            m.groups[g].staffing = per_interval_staffing(&m.clock, &column);
            m.groups[g].paid_agent_us = None;
        }
        m
    }

    /// The model that judges interval `k` of the staffing `agents` (rows 0..=k): the
    /// intervals of the last [`LOOKBACK_SECONDS`] before it, from an empty centre, with
    /// the staffing chosen for them, so what spills into `k` is there. A centre with
    /// email, or with redials or repeats that come back after a quarter of the look-back
    /// on average (they carry over for hours), is simulated from the start. Returns the model and the index of `k` in it.
    fn interval_model(&self, agents: &[Vec<u32>]) -> (Model, usize) {
        let k = agents.len() - 1;
        let clock = &self.base.clock;
        let lookback = (LOOKBACK_SECONDS * 1e6 / clock.interval as f64).ceil() as usize;
        // Email backlogs, and redials or repeats that come back late, carry over for
        // longer than the look-back: then the day is simulated from its start.
        let late = |mean: f64| 4.0 * mean > LOOKBACK_SECONDS;
        let carries_over = self.base.call_types.iter().any(|c| {
            c.channel == Channel::Email
                || c.redial.as_ref().is_some_and(|r| late(r.mean_delay))
                || matches!(c.unresolved, Unresolved::Repeat { mean_after, .. } if late(mean_after))
        });
        let from = if carries_over { 0 } else { k.saturating_sub(lookback) };
        if from == 0 {
            return (self.model_with(agents), k);
        }
        let mut m = self.base.clone();
        let shift = clock.warmup + from as u64 * clock.interval;
        m.clock.start_of_day += (from as u64 * clock.interval) as f64 / 1e6;
        m.clock.warmup = 0;
        m.clock.intervals = k - from + 1;
        m.expectations.clear();
        for ct in &mut m.call_types {
            ct.rate_per_second = ct.rate_per_second[from..=k].to_vec();
            ct.handle_scale = ct.handle_scale[from..=k].to_vec();
        }
        for (g, group) in m.groups.iter_mut().enumerate() {
            match self.searched.iter().position(|&s| s == g) {
                Some(j) => {
                    let column: Vec<u32> = agents[from..].iter().map(|row| row[j]).collect();
                    group.staffing = per_interval_staffing(&m.clock, &column);
                    group.paid_agent_us = None;
                }
                None => {
                    group.staffing = shift_timeline(&group.staffing, shift);
                    if let Some(paid) = &mut group.paid_agent_us {
                        *paid = paid[from..=k].to_vec();
                    }
                }
            }
        }
        (m, k - from)
    }

    fn replications(&mut self, model: &Model, n: u64) -> Vec<RepStats> {
        self.evaluations += 1;
        self.replications_run += n;
        (self.progress)(self.evaluations);
        // Kept whole, without the wait histograms: staffing judges no quantile.
        let stats: Vec<RepStats> = self.pool.install(|| {
            (0..n)
                .into_par_iter()
                .map(|r| {
                    let mut s = run_replication(model, r);
                    s.waits.clear();
                    s
                })
                .collect()
        });
        if self.halt.is_none() {
            self.halt = stats.iter().find_map(|s| s.halt.clone());
        }
        stats
    }

    /// Whether the search must stop at once: Ctrl-C, or a limit reached.
    fn stopped(&self) -> bool {
        self.halt.is_some() || crate::interrupt::requested()
    }

    /// `Err` if the search stopped: interrupted, or a replication reached a limit.
    fn check(&self) -> Result<(), Error> {
        crate::interrupt::check()?;
        match &self.halt {
            Some(why) => Err(Error::Other(why.clone())),
            None => Ok(()),
        }
    }

    /// Judges the staffing `agents` (intervals 0..=k, or the whole day) in interval `k`
    /// (or over the day) on the first replications; with `sure`, adds replications
    /// while the decision is within the noise, up to the most allowed.
    fn evaluate(&mut self, agents: Vec<Vec<u32>>, k: Option<usize>, checks: &[Check], sure: bool) -> Verdict {
        let key = (k, agents);
        let (mut verdict, mut n) = match self.cache.get(&key) {
            Some(&found) => found,
            None => {
                let n = self.first_replications;
                let (model, at) = self.judged_model(&key.1, k);
                let stats = self.replications(&model, n);
                (judge(&model, &stats, checks, at, self.base.staffing.confidence), n)
            }
        };
        if sure && verdict.noisy && n < self.max_replications {
            let (model, at) = self.judged_model(&key.1, k);
            while verdict.noisy && n < self.max_replications {
                n = (n * 4).min(self.max_replications);
                let stats = self.replications(&model, n);
                verdict = judge(&model, &stats, checks, at, self.base.staffing.confidence);
            }
        }
        self.cache.insert(key, (verdict, n));
        verdict
    }

    /// The model to judge interval `k` (or the day) in, and where `k` is in it.
    fn judged_model(&self, agents: &[Vec<u32>], k: Option<usize>) -> (Model, Option<usize>) {
        match k {
            Some(_) => {
                let (m, at) = self.interval_model(agents);
                (m, Some(at))
            }
            None => (self.model_with(agents), None),
        }
    }

    fn candidate(&self, k: usize, row: &[u32]) -> Vec<Vec<u32>> {
        let mut agents: Vec<Vec<u32>> = self.agents[..k].to_vec();
        agents.push(row.to_vec());
        agents
    }

    /// Adds agents to `row` until interval `k`'s targets hold: a candidate that meets
    /// them wins (the cheapest first), else the largest fall in the shortfall per hour of
    /// cost. Where no single agent helps (one more at the front line sends the next tier
    /// more escalations than it can take), two at once in any two groups are tried, until
    /// a round of pairs brings nothing either. `None` after 25 additions in a row without
    /// progress, or at the cap.
    fn grow(&mut self, k: usize, mut row: Vec<u32>, checks: &[Check], sure: bool) -> Option<Vec<u32>> {
        let max = self.base.staffing.max_agents;
        let groups = self.searched.len();
        let mut verdict = self.evaluate(self.candidate(k, &row), Some(k), checks, sure);
        let mut stalled = 0;
        let mut pairs_help = true;
        while !verdict.met {
            if self.stopped() {
                return None;
            }
            let mut best: Option<(bool, f64, Vec<u32>, Verdict)> = None;
            let singles: Vec<Vec<usize>> = (0..groups).map(|j| vec![j]).collect();
            let pairs: Vec<Vec<usize>> = if pairs_help {
                (0..groups).flat_map(|a| (a..groups).map(move |b| vec![a, b])).collect()
            } else {
                Vec::new()
            };
            for (round, additions) in [singles, pairs].into_iter().enumerate() {
                for add in additions {
                    let mut trial = row.clone();
                    for &j in &add {
                        trial[j] += 1;
                    }
                    if add.iter().any(|&j| trial[j] > max) {
                        continue;
                    }
                    let v = self.evaluate(self.candidate(k, &trial), Some(k), checks, sure);
                    let hourly: f64 = add.iter().map(|&j| self.hourly[j]).sum();
                    let key = if v.met {
                        -hourly
                    } else {
                        (verdict.shortfall - v.shortfall) / hourly
                    };
                    if best.as_ref().is_none_or(|(bm, bk, _, _)| (v.met, key) > (*bm, *bk)) {
                        best = Some((v.met, key, trial, v));
                    }
                }
                if best.as_ref().is_some_and(|(met, gain, _, _)| *met || *gain > 0.0) {
                    break;
                }
                pairs_help &= round == 0;
            }
            let (_, gain, trial, v) = best?;
            stalled = if v.met || gain > 0.0 { 0 } else { stalled + 1 };
            if stalled >= 25 {
                return None;
            }
            row = trial;
            verdict = v;
        }
        Some(row)
    }

    /// Removes agents from `row` while interval `k`'s targets hold, the most expensive
    /// group first.
    fn shrink(&mut self, k: usize, mut row: Vec<u32>, checks: &[Check], sure: bool) -> Vec<u32> {
        let mut order: Vec<usize> = (0..self.searched.len()).collect();
        order.sort_by(|&a, &b| self.hourly[b].total_cmp(&self.hourly[a]).then(a.cmp(&b)));
        loop {
            if self.stopped() {
                return row;
            }
            let mut removed = false;
            for &j in &order {
                if row[j] == 0 {
                    continue;
                }
                let mut trial = row.clone();
                trial[j] -= 1;
                if self.evaluate(self.candidate(k, &trial), Some(k), checks, sure).met {
                    row = trial;
                    removed = true;
                    break;
                }
            }
            if removed {
                continue;
            }
            // Move an agent from a dearer group to a cheaper one while the targets hold.
            let mut swapped = false;
            'pairs: for &a in &order {
                for b in (0..self.searched.len()).rev() {
                    let b = order[b];
                    if row[a] == 0 || self.hourly[b] >= self.hourly[a] || row[b] >= self.base.staffing.max_agents {
                        continue;
                    }
                    let mut trial = row.clone();
                    trial[a] -= 1;
                    trial[b] += 1;
                    if self.evaluate(self.candidate(k, &trial), Some(k), checks, sure).met {
                        row = trial;
                        swapped = true;
                        break 'pairs;
                    }
                }
            }
            if !swapped {
                return row;
            }
        }
    }

    /// Decides interval `k`: a quick search on the first replications, then the answer
    /// and each staffing one agent below it confirmed with as many replications as the
    /// noise needs. Returns the staffing, whether a decisive figure stayed within the
    /// noise, and whether the targets could be met at all.
    fn solve_interval(&mut self, k: usize, start: Vec<u32>, checks: &[Check]) -> (Vec<u32>, bool, bool) {
        let quick = match self.grow(k, start.clone(), checks, false) {
            Some(row) => self.shrink(k, row, checks, false),
            None => return (start, false, false),
        };
        let mut row = quick;
        for _ in 0..100 {
            if self.stopped() {
                break;
            }
            let Some(grown) = self.grow(k, row.clone(), checks, true) else {
                return (row, false, false);
            };
            let shrunk = self.shrink(k, grown.clone(), checks, true);
            let settled = shrunk == grown;
            row = shrunk;
            if settled {
                break;
            }
        }
        let mut noisy = self.evaluate(self.candidate(k, &row), Some(k), checks, true).noisy;
        for j in 0..self.searched.len() {
            if row[j] > 0 {
                let mut fewer = row.clone();
                fewer[j] -= 1;
                noisy |= self.evaluate(self.candidate(k, &fewer), Some(k), checks, true).noisy;
            }
        }
        (row, noisy, true)
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

/// Finds the staffing of `model`'s in-house groups. `progress` is called with the number
/// of candidates simulated so far.
pub fn staff(model: &Model, threads: usize, progress: &(dyn Fn(usize) + Sync)) -> Result<StaffPlan, Error> {
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
    // The search keeps up to `max_replications` replications whole at once.
    let most_held = model.staffing.max_replications.max(model.replications * 2);
    crate::budget::check(model, pool.current_num_threads(), most_held)?;
    let hourly: Vec<f64> = searched
        .iter()
        .map(|&g| {
            // Per hour on duty: shrinkage is paid too.
            let group = &model.groups[g];
            let c = group.cost.per_paid_us * 3600.0 / (1.0 - group.shrinkage);
            if c > 0.0 { c } else { 1.0 / (1.0 - group.shrinkage) }
        })
        .collect();
    let first_replications = model.staffing.replications.unwrap_or(model.replications).max(2);
    let mut search = Search {
        base: model,
        searched: searched.clone(),
        agents: Vec::new(),
        hourly,
        pool,
        first_replications,
        max_replications: model.staffing.max_replications.max(first_replications),
        cache: HashMap::new(),
        evaluations: 0,
        replications_run: 0,
        progress,
        halt: None,
    };
    let erlang = erlang_start(model, &searched);
    let interval_checks = checks(model, &searched, false);
    let mut within_noise = Vec::new();
    let mut unreachable = Vec::new();
    for (k, start) in erlang.iter().enumerate() {
        search.check()?;
        let (row, noisy, reachable) = search.solve_interval(k, start.clone(), &interval_checks);
        search.agents.push(row);
        within_noise.push(noisy);
        unreachable.push(!reachable);
    }
    // Day-level targets: email response times, and everything with `scope = "day"`.
    let day_checks = if model.staffing.over_day {
        checks(model, &searched, true)
    } else {
        checks(model, &searched, true)
            .into_iter()
            .filter(|c| c.metric.name == "within_target")
            .collect()
    };
    if !day_checks.is_empty() {
        search.check()?;
        day_level(&mut search, &day_checks);
    }
    search.check()?;
    let final_replications = search
        .max_replications
        .min(first_replications.max(model.replications) * 2)
        .max(2);
    if !model.staffing.over_day {
        repair_in_day(&mut search, &interval_checks, final_replications)?;
    }
    let agents = search.agents.clone();
    let mut final_model = search.model_with(&agents);
    final_model.replications = final_replications;
    let stats = search.replications(&final_model, final_model.replications);
    search.check()?;
    let mut acc = Accumulator::new(final_model.clock.intervals, model.call_types.len(), model.groups.len());
    for s in &stats {
        acc.add(s);
    }
    let confidence = model.staffing.confidence;
    let verdicts: Vec<Option<Verdict>> = (0..model.clock.intervals)
        .map(|k| {
            let offered: u64 = stats
                .iter()
                .map(|s| s.calls[k * s.columns() + s.columns() - 1][call::OFFERED])
                .sum();
            (offered > 0).then(|| judge(&final_model, &stats, &interval_checks, Some(k), confidence))
        })
        .collect();
    let p_met = verdicts.iter().map(|v| v.map(|v| v.p_met)).collect();
    // The whole day simulated at the answer: an interval whose targets fail beyond the
    // noise is reported as missed (the look-back or a spill-over misjudged it).
    let missed = verdicts.iter().map(|v| v.is_some_and(|v| v.clearly_missed)).collect();
    let day_targets_met =
        (!day_checks.is_empty()).then(|| judge(&final_model, &stats, &day_checks, None, confidence).met);
    let summary = Summary::new(&final_model, &acc);
    let (roster, roster_errors) = roster::roster_all(&final_model, &searched, &agents);
    let rostered = if roster.is_empty() {
        None
    } else {
        let m = roster::rostered_model(&final_model, &roster);
        let stats = search.replications(&m, m.replications);
        search.check()?;
        let mut acc = Accumulator::new(m.clock.intervals, m.call_types.len(), m.groups.len());
        for s in &stats {
            acc.add(s);
        }
        let met: Vec<bool> = (0..m.clock.intervals)
            .map(|k| judge(&m, &stats, &interval_checks, Some(k), None).met)
            .collect();
        Some((Summary::new(&m, &acc), met))
    };
    Ok(StaffPlan {
        groups: searched,
        agents,
        erlang,
        within_noise,
        unreachable,
        missed,
        day_targets_met,
        p_met,
        summary,
        model: final_model,
        evaluations: search.evaluations,
        replications_run: search.replications_run,
        roster,
        roster_errors,
        rostered,
    })
}

/// The whole day simulated at the answer can miss an interval its look-back judged met
/// (what spills over from hours earlier: redials, a backlog). While some interval's
/// targets fail beyond the noise, the earliest such interval gets the agent that helps it
/// most per hour of cost, judged over the whole day (two at once only where no single
/// agent helps); an interval gets at most two such rounds, then is left as missed and
/// the next one is repaired.
fn repair_in_day(search: &mut Search, checks: &[Check], replications: u64) -> Result<(), Error> {
    let intervals = search.base.clock.intervals;
    let groups = search.searched.len();
    let judge_day = |search: &mut Search, agents: &[Vec<u32>], k: usize| {
        let model = search.model_with(agents);
        let stats = search.replications(&model, replications);
        judge(&model, &stats, checks, Some(k), search.base.staffing.confidence)
    };
    let mut rounds = vec![0u32; intervals];
    loop {
        search.check()?;
        let model = search.model_with(&search.agents);
        let stats = search.replications(&model, replications);
        let failing = (0..intervals).filter(|&k| rounds[k] < 2).find_map(|k| {
            let v = judge(&model, &stats, checks, Some(k), search.base.staffing.confidence);
            v.clearly_missed.then_some((k, v))
        });
        let Some((k, verdict)) = failing else {
            return Ok(());
        };
        rounds[k] += 1;
        let mut best: Option<(bool, f64, Vec<Vec<u32>>)> = None;
        let singles: Vec<Vec<usize>> = (0..groups).map(|j| vec![j]).collect();
        let pairs: Vec<Vec<usize>> = (0..groups).flat_map(|a| (a..groups).map(move |b| vec![a, b])).collect();
        for additions in [singles, pairs] {
            for add in additions {
                let mut trial = search.agents.clone();
                for &j in &add {
                    trial[k][j] += 1;
                }
                if add.iter().any(|&j| trial[k][j] > search.base.staffing.max_agents) {
                    continue;
                }
                let v = judge_day(search, &trial, k);
                let hourly: f64 = add.iter().map(|&j| search.hourly[j]).sum();
                let key = if v.met {
                    -hourly
                } else {
                    (verdict.shortfall - v.shortfall) / hourly
                };
                if best.as_ref().is_none_or(|(bm, bk, _)| (v.met, key) > (*bm, *bk)) {
                    best = Some((v.met, key, trial));
                }
            }
            if best.as_ref().is_some_and(|(met, gain, _)| *met || *gain > 0.0) {
                break;
            }
        }
        match best {
            Some((met, gain, trial)) if met || gain > 0.0 => search.agents = trial,
            // Nothing helps this interval: it stays missed; repair the next one.
            _ => rounds[k] = 2,
        }
    }
}

/// Day-level targets: while one fails, add an agent to the cheapest group serving its
/// call type in the interval with the largest email backlog (or, for `scope = "day"`,
/// remove agents while every target still holds).
fn day_level(search: &mut Search, checks: &[Check]) {
    let intervals = search.base.clock.intervals;
    let mut guard = 0;
    loop {
        let v = search.evaluate(search.agents.clone(), None, checks, true);
        if v.met || guard >= 50 * intervals {
            break;
        }
        guard += 1;
        if search.stopped() {
            return;
        }
        // The interval whose extra agent helps the day most, cheapest group first.
        let mut best: Option<(f64, usize, usize)> = None;
        for k in 0..intervals {
            for j in 0..search.searched.len() {
                if search.agents[k][j] >= search.base.staffing.max_agents {
                    continue;
                }
                let mut trial = search.agents.clone();
                trial[k][j] += 1;
                let tv = search.evaluate(trial, None, checks, false);
                let gain = (v.shortfall - tv.shortfall) / search.hourly[j];
                if best.is_none_or(|(b, _, _)| gain > b) {
                    best = Some((gain, k, j));
                }
            }
        }
        match best {
            Some((gain, k, j)) if gain > 0.0 => search.agents[k][j] += 1,
            _ => break,
        }
    }
    if !search.base.staffing.over_day {
        return;
    }
    // Over the day: remove agents while the day's targets hold, most expensive first.
    let mut order: Vec<usize> = (0..search.searched.len()).collect();
    order.sort_by(|&a, &b| search.hourly[b].total_cmp(&search.hourly[a]).then(a.cmp(&b)));
    loop {
        let mut removed = false;
        for k in 0..intervals {
            for &j in &order {
                if search.agents[k][j] == 0 {
                    continue;
                }
                let mut trial = search.agents.clone();
                trial[k][j] -= 1;
                if search.evaluate(trial.clone(), None, checks, true).met {
                    search.agents = trial;
                    removed = true;
                }
            }
        }
        if !removed {
            break;
        }
    }
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
