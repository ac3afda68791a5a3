//! Rostering: the cheapest shifts whose agents on duty cover the staffing `staff` found.
//!
//! For a group with `roster = { shifts = [...] }`, each allowed shift pattern s gets an
//! integer x_s ≥ 0 (agents, paid headcount, working it every day). Every interval is
//! cut at the moments any pattern starts, ends or breaks; in each piece p of interval k,
//! a_{s,p} is 1 if shift s works then (0 on its break). The integer program
//!
//!   minimise Σ_s cost_s · x_s   subject to   Σ_s a_{s,p} (1 − shrinkage) x_s ≥ required_k
//!   for every piece p of every interval k, and Σ_{s part-time} x_s ≤ max_part_time · Σ_s x_s
//!
//! (cost_s: the pattern's paid hours inside the horizon — its length less unpaid breaks,
//! as `run` charges them — × the group's hourly cost, or paid hours without one) is solved
//! with good_lp's pure-Rust microlp back end. The resulting staffing is simulated to
//! check the coverage.

use good_lp::{Expression, Solution, SolverModel, microlp, variable, variables};

use crate::error::Error;
use crate::model::{Micros, Model, ShiftSpec, shift_paid_us, shift_staffing};

/// A group's roster: how many agents work each shift pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Roster {
    pub group: usize,
    /// (pattern, paid headcount on it).
    pub shifts: Vec<(ShiftSpec, u32)>,
    /// Paid hours of the whole shifts that meet the horizon (unpaid breaks aside): the
    /// payroll, and what the integer program minimises.
    pub paid_hours: f64,
    pub cost: f64,
    /// The part of `cost` inside the measured horizon: what `run` on the roster charges
    /// before overtime (a shift that starts before or ends after the horizon is paid in
    /// full, but `run` reports only its measured part).
    pub cost_in_window: f64,
    /// Agents on duty in each interval (time average) with this roster.
    pub on_duty: Vec<f64>,
}

/// Paid hours of one agent working pattern `s` every day of the horizon: its length less
/// unpaid breaks, for each day on which it meets the measured window.
pub fn shift_paid_hours(clock: &crate::model::Clock, s: &ShiftSpec) -> f64 {
    const DAY: f64 = 86400.0;
    let unpaid: f64 = s.breaks.iter().filter(|b| !b.paid).map(|b| b.duration).sum();
    let length = shift_hours(s) * 3600.0;
    let (from, to) = (
        clock.start_of_day,
        clock.start_of_day + (clock.interval * clock.intervals as Micros) as f64 / 1e6,
    );
    let last_day = (to / DAY).ceil() as i64;
    let days = (-1..=last_day)
        .filter(|&d| {
            let begin = d as f64 * DAY + s.start;
            begin < to && begin + length > from
        })
        .count();
    days as f64 * (length - unpaid) / 3600.0
}

/// The length of a shift in hours (an end at or before its start runs past midnight).
pub fn shift_hours(s: &ShiftSpec) -> f64 {
    let len = (s.end - s.start).rem_euclid(86400.0);
    (if len == 0.0 { 86400.0 } else { len }) / 3600.0
}

/// Time-average of a staffing timeline over each measured interval.
pub fn interval_averages(model: &Model, timeline: &[(Micros, u32)]) -> Vec<f64> {
    let clock = &model.clock;
    (0..clock.intervals)
        .map(|k| {
            let (from, to) = (
                clock.warmup + k as Micros * clock.interval,
                clock.warmup + (k as Micros + 1) * clock.interval,
            );
            let mut area = 0.0;
            for (i, &(t, n)) in timeline.iter().enumerate() {
                let next = timeline.get(i + 1).map_or(Micros::MAX, |p| p.0);
                let (a, b) = (t.max(from), next.min(to));
                if b > a {
                    area += (b - a) as f64 * f64::from(n);
                }
            }
            area / clock.interval as f64
        })
        .collect()
}

/// Rosters group `g` to cover `required[k]` agents on duty in each interval.
pub fn roster_group(model: &Model, g: usize, required: &[u32]) -> Result<Roster, Error> {
    let group = &model.groups[g];
    let spec = group.roster.as_ref().expect("only groups with a roster");
    const PROBE: u64 = 1000;
    // Each pattern's timeline for a probe headcount, before shrinkage.
    let timelines: Vec<Vec<(Micros, u32)>> = spec
        .shifts
        .iter()
        .map(|s| {
            let mut one = s.clone();
            one.headcount = PROBE;
            shift_staffing(&model.clock, &[one], 0.0)
        })
        .collect();
    let at = |timeline: &[(Micros, u32)], t: Micros| {
        let i = timeline.partition_point(|p| p.0 <= t).saturating_sub(1);
        f64::from(timeline[i].1) / PROBE as f64
    };
    // The pieces of interval k: cut where any pattern changes.
    let clock = &model.clock;
    let pieces = |k: usize| -> Vec<Micros> {
        let (from, to) = (
            clock.warmup + k as Micros * clock.interval,
            clock.warmup + (k as Micros + 1) * clock.interval,
        );
        let mut cuts: Vec<Micros> = std::iter::once(from)
            .chain(timelines.iter().flatten().map(|p| p.0).filter(|&t| t > from && t < to))
            .collect();
        cuts.sort_unstable();
        cuts.dedup();
        cuts
    };
    let hourly = group.cost.per_paid_us * 3600.0;
    let rate = if hourly > 0.0 { hourly } else { 1.0 };
    // Paid hours of one agent on each pattern: whole shifts that meet the horizon, and
    // the part inside it (as `run` charges them).
    let one = |s: &ShiftSpec| {
        let mut one = s.clone();
        one.headcount = 1;
        one
    };
    let pattern_hours: Vec<f64> = spec.shifts.iter().map(|s| shift_paid_hours(clock, s)).collect();
    let window_hours: Vec<f64> = spec
        .shifts
        .iter()
        .map(|s| shift_paid_us(clock, &[one(s)]).iter().sum::<u64>() as f64 / 3.6e9)
        .collect();
    let mut vars = variables!();
    let x: Vec<_> = spec
        .shifts
        .iter()
        .map(|_| vars.add(variable().integer().min(0).max(1e6)))
        .collect();
    let objective: Expression = pattern_hours.iter().zip(&x).map(|(h, &v)| h * rate * v).sum();
    let mut problem = vars.minimise(objective).using(microlp);
    let on_duty = 1.0 - group.shrinkage;
    for (k, &need) in required.iter().enumerate() {
        if need == 0 {
            continue;
        }
        for t in pieces(k) {
            let a: Vec<f64> = timelines.iter().map(|tl| at(tl, t)).collect();
            if a.iter().all(|&c| c <= 0.0) {
                return Err(Error::Other(format!(
                    "group `{}` needs {need} agents at {} but none of its roster's shifts works then",
                    group.name,
                    model.clock.label(k)
                )));
            }
            let covered: Expression = a.iter().zip(&x).map(|(c, &v)| *c * on_duty * v).sum();
            problem = problem.with(covered.geq(f64::from(need) - 1e-9));
        }
    }
    let part_time: Vec<usize> = (0..spec.shifts.len())
        .filter(|&s| shift_hours(&spec.shifts[s]) * 3600.0 < spec.part_time_below)
        .collect();
    if !part_time.is_empty() && spec.max_part_time < 1.0 {
        let part: Expression = part_time.iter().map(|&s| x[s]).sum();
        let all: Expression = x.iter().copied().sum();
        problem = problem.with((part - spec.max_part_time * all).leq(0.0));
    }
    let solution = problem
        .solve()
        .map_err(|e| Error::Other(format!("no roster of group `{}` covers the staffing: {e}", group.name)))?;
    let shifts: Vec<(ShiftSpec, u32)> = spec
        .shifts
        .iter()
        .zip(&x)
        .map(|(s, &v)| {
            let mut s = s.clone();
            let n = solution.value(v).round().max(0.0) as u32;
            s.headcount = u64::from(n);
            (s, n)
        })
        .collect();
    let hours = |per: &[f64]| -> f64 { per.iter().zip(&shifts).map(|(h, (_, n))| h * f64::from(*n)).sum() };
    let (paid_hours, in_window) = (hours(&pattern_hours), hours(&window_hours));
    let patterns: Vec<ShiftSpec> = shifts.iter().map(|(s, _)| s.clone()).collect();
    let on_duty = interval_averages(model, &shift_staffing(&model.clock, &patterns, group.shrinkage));
    Ok(Roster {
        group: g,
        cost: paid_hours * hourly.max(0.0),
        cost_in_window: in_window * hourly.max(0.0),
        paid_hours,
        shifts,
        on_duty,
    })
}

/// Rosters every searched group that has a roster, to cover `agents[k][j]`; returns
/// the rosters made and, for the others, why not.
pub fn roster_all(model: &Model, searched: &[usize], agents: &[Vec<u32>]) -> (Vec<Roster>, Vec<String>) {
    let (mut rosters, mut errors) = (Vec::new(), Vec::new());
    for (j, &g) in searched.iter().enumerate() {
        if model.groups[g].roster.is_some() {
            let required: Vec<u32> = agents.iter().map(|row| row[j]).collect();
            match roster_group(model, g, &required) {
                Ok(r) => rosters.push(r),
                Err(e) => errors.push(e.to_string()),
            }
        }
    }
    (rosters, errors)
}

/// `model` with each rostered group staffed by its roster.
pub fn rostered_model(model: &Model, rosters: &[Roster]) -> Model {
    let mut m = model.clone();
    for r in rosters {
        let patterns: Vec<ShiftSpec> = r.shifts.iter().map(|(s, _)| s.clone()).collect();
        m.groups[r.group].staffing = shift_staffing(&m.clock, &patterns, m.groups[r.group].shrinkage);
        m.groups[r.group].paid_agent_us = Some(shift_paid_us(&m.clock, &patterns));
    }
    m
}
