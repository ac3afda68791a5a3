//! Rostering: the cheapest week (or weeks) of shifts, days off and breaks whose agents
//! on duty cover, at every moment, the staffing `staff` found; then each agent's line.
//!
//! **Shifts.** A group's `roster` gives pattern rules (starts every 30 minutes between two
//! times × lengths × breaks, each break with a window measured from the shift's start) and shifts written out; [`rules`] checks and expands them into shift
//! types s, each break k with its placements (offsets) q.
//!
//! **Days.** The horizon's calendar days d (and the day before, where a night shift
//! reaches into the window). A horizon of whole weeks from midnight is a cyclic week: a
//! night shift of the last day continues into the first, and an agent's week wraps
//! round. An agent works the same days of every week of the horizon.
//!
//! **Tours (agent lines).** Agents of a contract work `days` days a week (the days off
//! together with `consecutive_days_off`), one shift length all week (so their weekly
//! paid hours, days × paid hours of the shift, are checked per tour against the
//! contract's `min_hours`/`max_hours`), with every start inside one *band*: start times
//! no further apart than a day less the shift length and `min_rest`, so that any two
//! shifts of the band on consecutive days leave at least `min_rest` between them (Jacobs
//! & Brusco's start-time bands; only the maximal bands are kept). A tour τ = (contract,
//! week of working days, shift family, band) has w_τ agents.
//!
//! **The integer program** (implicit tour scheduling with implicit breaks):
//!
//! - x_{s,d} ≥ 0 integer: agents working shift type s on day d, each paid its length
//!   less unpaid breaks;
//! - y_{s,d,k,q} ≥ 0 integer: those of them taking break k at placement q
//!   (Σ_q y_{s,d,k,q} = x_{s,d}); where two breaks' windows overlap, the agents at the
//!   first q placements of break k+1 are at most those whose break k has ended by then,
//!   which is exactly when every agent can take them in order;
//! - w_τ ≥ 0 integer: agents on tour τ. On each day, a band's shifts are its tours'
//!   agents whose week works that day: Σ_{s in band} x_{s,d} = Σ_{τ of the band working d}
//!   w_τ (a start in several bands is split between them by continuous variables: the
//!   split is a transportation problem on intervals, so whole numbers always exist);
//! - coverage: the horizon is cut wherever any shift or break placement starts or ends
//!   and at interval boundaries; in every piece of interval k,
//!   Σ x (working) − Σ y (on break) ≥ ⌈required_k ÷ (1 − shrinkage)⌉ (the paid agents
//!   working that `staff`'s paid headcount counts; whole, since the left side is);
//! - shares: Σ_{τ of contract c} w_τ between its `min_share` and `max_share` of Σ w,
//!   and at most `max_part_time` of the agents on shifts shorter than `part_time_below`;
//! - minimise Σ paid hours(s) × x_{s,d} × the group's hourly cost (shrinkage is paid).
//!
//! It is solved in pure Rust with microlp ([`program::solve`]): the linear relaxation (a
//! bound); whole agents per tour, by a dive and then branch and bound on the tours alone
//! (shifts and breaks fractional) with a third of `max_nodes`; a whole-number roster built
//! from that ([`heuristic`]); branch and bound on the whole program from it with the rest
//! of `max_nodes`, all within `time_limit`. `max_nodes` is a budget of work, so a roster
//! found before the clock runs out is the same on every machine; the report says how the
//! search ended and the gap to the best bound. [`lines`] then shares the counts out to
//! agents, day by day.
//!
//! The roster is simulated back with the same engine ([`rostered_model`]): its paid time
//! per interval is what `run` charges, so payroll, shrinkage and cost agree.

pub mod heuristic;
pub mod lines;
pub mod program;
pub mod rules;

use crate::error::Error;
use crate::model::{DatedShift, Micros, Model, clock_text, dated_shift_paid_us, dated_shift_staffing};
use lines::{DayShift, Line};
use program::{Failure, SolveReport};
use rules::{DAY_US, Horizon};

/// A group's roster.
#[derive(Debug, Clone, PartialEq)]
pub struct Roster {
    pub group: usize,
    /// Names of the rules' patterns and contracts, by index.
    pub patterns: Vec<String>,
    pub contracts: Vec<String>,
    pub horizon: Horizon,
    /// Per pattern and day: the shifts worked, each with its break times and agents.
    pub shifts: Vec<DayShift>,
    /// Each agent's week(s).
    pub lines: Vec<Line>,
    /// Agents on duty required per measured interval (the staffing).
    pub required: Vec<u32>,
    /// Agents on duty with the roster (after shrinkage, as the engine rounds it): the
    /// fewest at any moment of each interval, and the time average.
    pub lowest: Vec<u32>,
    pub on_duty: Vec<f64>,
    pub shrinkage: f64,
    /// Paid hours of every rostered shift (its length less unpaid breaks): the payroll
    /// the integer program minimises, and its cost.
    pub paid_hours: f64,
    pub cost: f64,
    /// The part of them inside the measured window: what `run` on the roster charges
    /// before overtime (equal on a cyclic horizon; a shift that starts before or ends
    /// after a non-cyclic window is paid in full but only its measured part is run).
    pub paid_hours_in_window: f64,
    pub cost_in_window: f64,
    /// Agent hours on duty inside the window (after shrinkage): `run`'s `agent_hours`.
    pub agent_hours: f64,
    pub solve: SolveReport,
}

impl Roster {
    /// The shifts as the engine runs them: each row once, and on a cyclic horizon the
    /// rows that run past the window's end once more a period earlier (last week's
    /// night shift reaching into the first morning).
    pub fn dated_shifts(&self) -> Vec<DatedShift> {
        let mut out = Vec::new();
        for r in &self.shifts {
            let shift = |begin: i64| DatedShift {
                begin: begin as f64 / 1e6,
                length: r.length as f64 / 1e6,
                headcount: u64::from(r.agents),
                breaks: r
                    .breaks
                    .iter()
                    .map(|&(o, d, paid)| (o as f64 / 1e6, d as f64 / 1e6, paid))
                    .collect(),
            };
            out.push(shift(r.begin));
            if self.horizon.cyclic && r.begin + r.length > self.horizon.end {
                out.push(shift(r.begin - self.horizon.period()));
            }
        }
        out
    }

    /// Agents (lines) on each contract.
    pub fn agents_by_contract(&self) -> Vec<u32> {
        let mut n = vec![0; self.contracts.len()];
        for l in &self.lines {
            n[l.contract] += 1;
        }
        n
    }
}

/// A time of the horizon (µs after its first midnight) as a planner reads it.
pub fn moment_text(horizon: &Horizon, at: i64) -> String {
    let clock = clock_text((at.rem_euclid(DAY_US)) as f64 / 1e6);
    if horizon.end > DAY_US {
        format!("day {} {clock}", at.div_euclid(DAY_US) + 1)
    } else {
        clock
    }
}

/// Rosters group `g` to cover `required[k]` agents on duty in each interval.
pub fn roster_group(model: &Model, g: usize, required: &[u32]) -> Result<Roster, Error> {
    let group = &model.groups[g];
    let rules = group.roster.as_ref().expect("only groups with a roster");
    let horizon = Horizon::of(&model.clock, &rules.shift_types);
    let families = program::families(rules);
    let tours = program::tours(rules, &families, &horizon);
    let hourly = group.cost.per_paid_us * 3600.0;
    let rate = if hourly > 0.0 { hourly } else { 1.0 };
    let on_duty_share = 1.0 - group.shrinkage;
    // Paid agents working: on duty ÷ (1 − shrinkage), a whole number (as `staff` counts
    // the paid headcount).
    let need: Vec<f64> = required
        .iter()
        .map(|&r| (f64::from(r) / on_duty_share - 1e-9).ceil().max(0.0))
        .collect();
    let answer = program::solve(rules, &horizon, &families, &tours, &need, rate).map_err(|f| match f {
        Failure::Uncovered { interval, at } => Error::Other(format!(
            "group `{}` needs {} agents on duty at {} (interval {}) but no shift of its roster works then",
            group.name,
            required[interval],
            moment_text(&horizon, at),
            model.clock.label(interval)
        )),
        Failure::Infeasible => Error::Other(format!(
            "no roster of group `{}` keeps to its rules: its contracts' shares, days a week and hours leave no way to cover the staffing",
            group.name
        )),
        Failure::NoneInTime => Error::Other(format!(
            "no roster of group `{}` found within its time limit of {}: raise the roster's `time_limit`, allow a `gap`, or use fewer starts and break placements",
            group.name,
            crate::scenario::duration_text(rules.time_limit)
        )),
        Failure::Interrupted => Error::Interrupted,
        Failure::Solver(e) => Error::Other(format!("the roster of group `{}` could not be solved: {e}", group.name)),
    })?;
    let (shifts, lines) = lines::assign(rules, &horizon, &families, &tours, &answer).map_err(|e| {
        Error::Other(format!(
            "the roster of group `{}` could not be shared out: {e}",
            group.name
        ))
    })?;
    let mut roster = Roster {
        group: g,
        patterns: rules.patterns.clone(),
        contracts: rules.contracts.iter().map(|c| c.name.clone()).collect(),
        horizon,
        shifts,
        lines,
        required: required.to_vec(),
        lowest: Vec::new(),
        on_duty: Vec::new(),
        shrinkage: group.shrinkage,
        paid_hours: 0.0,
        cost: 0.0,
        paid_hours_in_window: 0.0,
        cost_in_window: 0.0,
        agent_hours: 0.0,
        solve: answer.report,
    };
    let dated = roster.dated_shifts();
    let timeline = dated_shift_staffing(&model.clock, &dated, group.shrinkage);
    roster.on_duty = interval_averages(model, &timeline);
    roster.lowest = interval_lowest(model, &timeline);
    roster.agent_hours = roster.on_duty.iter().sum::<f64>() * model.clock.interval as f64 / 3.6e9;
    roster.paid_hours = roster
        .shifts
        .iter()
        .map(|r| r.paid() as f64 * f64::from(r.agents))
        .sum::<f64>()
        / 3.6e9;
    roster.paid_hours_in_window = dated_shift_paid_us(&model.clock, &dated).iter().sum::<u64>() as f64 / 3.6e9;
    roster.cost = roster.paid_hours * hourly.max(0.0);
    roster.cost_in_window = roster.paid_hours_in_window * hourly.max(0.0);
    Ok(roster)
}

/// Time-average of a staffing timeline over each measured interval.
pub fn interval_averages(model: &Model, timeline: &[(Micros, u32)]) -> Vec<f64> {
    per_interval(model, timeline, |pieces| {
        pieces.iter().map(|&(len, n)| len as f64 * f64::from(n)).sum::<f64>() / model.clock.interval as f64
    })
}

/// The fewest agents on duty at any moment of each measured interval.
pub fn interval_lowest(model: &Model, timeline: &[(Micros, u32)]) -> Vec<u32> {
    per_interval(model, timeline, |pieces| pieces.iter().map(|p| p.1).min().unwrap_or(0))
}

/// `f` of each measured interval's pieces (length µs, agents) of a staffing timeline.
fn per_interval<T>(model: &Model, timeline: &[(Micros, u32)], f: impl Fn(&[(Micros, u32)]) -> T) -> Vec<T> {
    let clock = &model.clock;
    (0..clock.intervals)
        .map(|k| {
            let (from, to) = (
                clock.warmup + k as Micros * clock.interval,
                clock.warmup + (k as Micros + 1) * clock.interval,
            );
            let mut pieces = Vec::new();
            for (i, &(t, n)) in timeline.iter().enumerate() {
                let next = timeline.get(i + 1).map_or(Micros::MAX, |p| p.0);
                let (a, b) = (t.max(from), next.min(to));
                if b > a {
                    pieces.push((b - a, n));
                }
            }
            f(&pieces)
        })
        .collect()
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
                // Stopped: the caller sees the stop, not a roster error.
                Err(Error::Interrupted) => break,
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
        let dated = r.dated_shifts();
        let group = &mut m.groups[r.group];
        group.staffing = dated_shift_staffing(&m.clock, &dated, group.shrinkage);
        group.paid_agent_us = Some(dated_shift_paid_us(&m.clock, &dated));
    }
    m
}
