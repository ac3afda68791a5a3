//! The roster's integer program (see the module above for the model), built and solved
//! with microlp, and read back as whole numbers.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use microlp::{ComparisonOp, OptimizationDirection, Problem, SolveOptions, SolveOutcome, TerminationReason, Variable};

use super::rules::{DAY_US, Horizon, RosterRules};

fn us(seconds: f64) -> i64 {
    (seconds * 1e6).round() as i64
}

/// Shift types of one length and paid time, whose agents keep to one band of start
/// times all week (so their rest between two days always suffices).
#[derive(Debug, Clone)]
pub struct Family {
    pub length: i64,
    pub paid: i64,
    /// Distinct start times (µs after midnight), ascending.
    pub starts: Vec<i64>,
    /// Shift types starting at each start.
    pub types_at: Vec<Vec<usize>>,
    /// Maximal bands of starts, as inclusive index ranges into `starts`: no two starts
    /// of a band lie further apart than a day less the length and the rest.
    pub bands: Vec<(usize, usize)>,
}

/// A kind of agent line: a contract, a week (bit d: works day d of the week), a family
/// and a band.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tour {
    pub contract: usize,
    pub week: u8,
    pub family: usize,
    pub band: usize,
}

/// The families of `rules`' shift types, in order of first appearance.
pub fn families(rules: &RosterRules) -> Vec<Family> {
    let mut out: Vec<Family> = Vec::new();
    for (s, t) in rules.shift_types.iter().enumerate() {
        let (length, paid, start) = (us(t.length), us(t.paid()), us(t.start));
        let f = match out.iter().position(|f| f.length == length && f.paid == paid) {
            Some(f) => f,
            None => {
                out.push(Family {
                    length,
                    paid,
                    starts: Vec::new(),
                    types_at: Vec::new(),
                    bands: Vec::new(),
                });
                out.len() - 1
            }
        };
        let family = &mut out[f];
        match family.starts.binary_search(&start) {
            Ok(i) => family.types_at[i].push(s),
            Err(i) => {
                family.starts.insert(i, start);
                family.types_at.insert(i, vec![s]);
            }
        }
    }
    let rest = us(rules.min_rest);
    for f in &mut out {
        let width = DAY_US - f.length - rest;
        let n = f.starts.len();
        let mut last_hi = None;
        for i in 0..n {
            let hi = (i..n)
                .take_while(|&j| f.starts[j] - f.starts[i] <= width)
                .last()
                .unwrap_or(i);
            if last_hi != Some(hi) {
                f.bands.push((i, hi));
                last_hi = Some(hi);
            }
        }
    }
    out
}

/// The week's day of roster day `d`.
pub fn weekday(d: i64) -> u32 {
    d.rem_euclid(7) as u32
}

/// Every tour the rules allow that works on some day of the horizon.
pub fn tours(rules: &RosterRules, families: &[Family], horizon: &Horizon) -> Vec<Tour> {
    let mut out = Vec::new();
    for (c, contract) in rules.contracts.iter().enumerate() {
        for week in contract.weeks() {
            if !horizon.days.iter().any(|&d| week & (1 << weekday(d)) != 0) {
                continue;
            }
            for (f, family) in families.iter().enumerate() {
                if !contract.fits(family.paid as f64 / 1e6) {
                    continue;
                }
                for band in 0..family.bands.len() {
                    out.push(Tour {
                        contract: c,
                        week,
                        family: f,
                        band,
                    });
                }
            }
        }
    }
    out
}

/// How the solver ended.
#[derive(Debug, Clone, PartialEq)]
pub struct SolveReport {
    /// `"optimal"`, `"gap"` (within the rules' `gap` of the best bound), `"time_limit"`
    /// or `"interrupted"` (Ctrl-C).
    pub status: &'static str,
    /// Payroll of the roster found and the best bound on any roster's (hours × rate).
    pub objective: f64,
    pub bound: Option<f64>,
    /// Relative gap between them (0 when proven optimal).
    pub gap: Option<f64>,
    /// Branch-and-bound nodes solved.
    pub nodes: u64,
}

/// The whole-number answer: agents per shift type and day, per break placement, and
/// lines per tour.
#[derive(Debug, Clone)]
pub struct Answer {
    /// `[shift type][day index]`.
    pub shifts: Vec<Vec<u32>>,
    /// `[shift type][day index][break]`: agents at each placement (a break with one
    /// placement: all of the shift's).
    pub breaks: Vec<Vec<Vec<Vec<u32>>>>,
    pub tours: Vec<u32>,
    pub report: SolveReport,
}

/// Why there is no roster.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// No shift of the rules works at `at` (µs after the horizon's first midnight), in
    /// measured interval `interval`, where agents are needed.
    Uncovered {
        interval: usize,
        at: i64,
    },
    /// The rules leave no roster (contracts, shares, days).
    Infeasible,
    /// The time limit passed before any roster was found.
    NoneInTime,
    Interrupted,
    Solver(String),
}

/// A row: its terms (variable, coefficient), its sense and its right-hand side.
pub type Row = (Vec<(usize, f64)>, ComparisonOp, f64);

/// Pieces a shift or break placement spans, as ranges of piece indices.
pub type Pieces = Vec<(usize, usize)>;

/// The integer program as data: variables (cost, whole or not) and rows, so that its
/// linear relaxation and the heuristic read the same thing.
pub struct Program {
    pub cost: Vec<f64>,
    pub integer: Vec<bool>,
    pub rows: Vec<Row>,
}

impl Program {
    fn var(&mut self, cost: f64, integer: bool) -> usize {
        self.cost.push(cost);
        self.integer.push(integer);
        self.cost.len() - 1
    }

    fn row(&mut self, mut terms: Vec<(usize, f64)>, op: ComparisonOp, rhs: f64) {
        terms.sort_by_key(|t| t.0);
        let mut merged: Vec<(usize, f64)> = Vec::with_capacity(terms.len());
        for (v, c) in terms {
            match merged.last_mut() {
                Some((last, sum)) if *last == v => *sum += c,
                _ => merged.push((v, c)),
            }
        }
        merged.retain(|(_, c)| *c != 0.0);
        self.rows.push((merged, op, rhs));
    }

    /// The program for microlp (its linear relaxation with `relaxed`), and its variables
    /// by index.
    fn problem(&self, whole: &dyn Fn(usize) -> bool) -> (Problem, Vec<Variable>) {
        let mut p = Problem::new(OptimizationDirection::Minimize);
        let vars: Vec<Variable> = self
            .cost
            .iter()
            .zip(&self.integer)
            .enumerate()
            .map(|(i, (&c, &int))| {
                if int && whole(i) {
                    p.add_integer_var(c, (0, 1_000_000))
                } else {
                    p.add_var(c, (0.0, if int { 1e6 } else { f64::INFINITY }))
                }
            })
            .collect();
        for (terms, op, rhs) in &self.rows {
            p.add_constraint(terms.iter().map(|&(v, c)| (vars[v], c)), *op, *rhs);
        }
        (p, vars)
    }

    /// Whether `values` keep every row and bound (whole where they must be).
    pub fn feasible(&self, values: &[f64]) -> bool {
        let tol = 1e-6;
        values.len() == self.cost.len()
            && values.iter().all(|&x| x >= -tol)
            && self
                .integer
                .iter()
                .zip(values)
                .all(|(&int, &x)| !int || (x - x.round()).abs() < tol)
            && self.rows.iter().all(|(terms, op, rhs)| {
                let lhs: f64 = terms.iter().map(|&(v, c)| c * values[v]).sum();
                match op {
                    ComparisonOp::Eq => (lhs - rhs).abs() <= tol,
                    ComparisonOp::Le => lhs <= rhs + tol,
                    ComparisonOp::Ge => lhs >= rhs - tol,
                }
            })
    }

    /// The cost of `values`.
    pub fn objective(&self, values: &[f64]) -> f64 {
        self.cost.iter().zip(values).map(|(c, v)| c * v).sum()
    }
}

/// Where each decision lives in the program.
pub struct Layout {
    /// `[shift type][day index]`.
    pub x: Vec<Vec<usize>>,
    /// `[shift type][day index][break][placement]` (a break with one placement: x).
    pub y: Vec<Vec<Vec<Vec<usize>>>>,
    /// Per tour.
    pub w: Vec<usize>,
    /// Splits of a start shared by bands: (family, day index, start index, band, variable).
    pub parts: Vec<(usize, usize, usize, usize, usize)>,
}

/// The horizon cut into pieces between changes, what each needs, and which pieces each
/// shift and break placement spans (ranges of piece indices).
pub struct Cover {
    pub start: Vec<i64>,
    pub len: Vec<i64>,
    /// Paid agents needed working (0: no constraint).
    pub need: Vec<f64>,
    pub interval: Vec<usize>,
    /// `[shift type][day index]`.
    pub shift: Vec<Vec<Pieces>>,
    /// `[shift type][day index]` → `[break][placement]`.
    pub brk: Vec<Vec<Vec<Vec<Pieces>>>>,
}

/// Builds the integer program.
pub fn build(
    rules: &RosterRules,
    horizon: &Horizon,
    families: &[Family],
    tours: &[Tour],
    need: &[f64],
    rate: f64,
) -> Result<(Program, Layout, Cover), Failure> {
    let mut b = Program {
        cost: Vec::new(),
        integer: Vec::new(),
        rows: Vec::new(),
    };
    let days = &horizon.days;
    let types = &rules.shift_types;
    let x: Vec<Vec<usize>> = types
        .iter()
        .map(|t| {
            let cost = t.paid() / 3600.0 * rate;
            days.iter().map(|_| b.var(cost, true)).collect()
        })
        .collect();
    let y: Vec<Vec<Vec<Vec<usize>>>> = types
        .iter()
        .enumerate()
        .map(|(s, t)| {
            (0..days.len())
                .map(|di| {
                    t.breaks
                        .iter()
                        .map(|br| {
                            if br.offsets.len() == 1 {
                                vec![x[s][di]]
                            } else {
                                br.offsets.iter().map(|_| b.var(0.0, true)).collect()
                            }
                        })
                        .collect()
                })
                .collect()
        })
        .collect();
    let w: Vec<usize> = tours.iter().map(|_| b.var(0.0, true)).collect();
    // Each placement choice adds up to its shift's agents; a break is taken after the one
    // before it ends (the agents at the first q placements of break k+1 are at most those
    // whose break k ends in time).
    for (s, t) in types.iter().enumerate() {
        for di in 0..days.len() {
            for (k, br) in t.breaks.iter().enumerate() {
                if br.offsets.len() > 1 {
                    let mut terms: Vec<(usize, f64)> = y[s][di][k].iter().map(|&v| (v, 1.0)).collect();
                    terms.push((x[s][di], -1.0));
                    b.row(terms, ComparisonOp::Eq, 0.0);
                }
                if k == 0 {
                    continue;
                }
                let prev = &t.breaks[k - 1];
                let overlap = prev.offsets.last().expect("a placement") + prev.duration > br.offsets[0] + 1e-9;
                if !overlap {
                    continue;
                }
                for q in 0..br.offsets.len() {
                    let mut terms: Vec<(usize, f64)> = (0..=q).map(|j| (y[s][di][k][j], 1.0)).collect();
                    for (p, &o) in prev.offsets.iter().enumerate() {
                        if o + prev.duration <= br.offsets[q] + 1e-9 {
                            terms.push((y[s][di][k - 1][p], -1.0));
                        }
                    }
                    b.row(terms, ComparisonOp::Le, 0.0);
                }
            }
        }
    }
    // Linking: on each day, a band's agents working (by their tours' weeks) are those of
    // its starts; a start shared by several bands is split between them.
    let mut parts = Vec::new();
    for (f, family) in families.iter().enumerate() {
        let bands_of = |i: usize| -> Vec<usize> {
            (0..family.bands.len())
                .filter(|&bd| (family.bands[bd].0..=family.bands[bd].1).contains(&i))
                .collect()
        };
        for (di, &d) in days.iter().enumerate() {
            let mut split: Vec<Vec<(usize, usize)>> = vec![Vec::new(); family.starts.len()];
            for (i, at) in family.types_at.iter().enumerate() {
                let bands = bands_of(i);
                if bands.len() > 1 {
                    let shares: Vec<(usize, usize)> = bands.iter().map(|&bd| (bd, b.var(0.0, false))).collect();
                    let mut terms: Vec<(usize, f64)> = at.iter().map(|&s| (x[s][di], 1.0)).collect();
                    terms.extend(shares.iter().map(|&(_, v)| (v, -1.0)));
                    b.row(terms, ComparisonOp::Eq, 0.0);
                    parts.extend(shares.iter().map(|&(bd, v)| (f, di, i, bd, v)));
                    split[i] = shares;
                }
            }
            for (bd, &(lo, hi)) in family.bands.iter().enumerate() {
                let mut terms: Vec<(usize, f64)> = Vec::new();
                for (shares, at) in split[lo..=hi].iter().zip(&family.types_at[lo..=hi]) {
                    if shares.is_empty() {
                        terms.extend(at.iter().map(|&s| (x[s][di], 1.0)));
                    } else {
                        terms.extend(shares.iter().filter(|(band, _)| *band == bd).map(|&(_, v)| (v, 1.0)));
                    }
                }
                for (t, tour) in tours.iter().enumerate() {
                    if tour.family == f && tour.band == bd && tour.week & (1 << weekday(d)) != 0 {
                        terms.push((w[t], -1.0));
                    }
                }
                b.row(terms, ComparisonOp::Eq, 0.0);
            }
        }
    }
    // Shares of the agents: part-time shifts, and each contract's.
    for (member, share, op) in share_rules(rules, families, tours) {
        let mut terms: Vec<(usize, f64)> = w.iter().map(|&v| (v, -share)).collect();
        terms.extend(member.iter().map(|&t| (w[t], 1.0)));
        b.row(terms, op, 0.0);
    }
    let cover = cover(rules, horizon, need)?;
    // Coverage: in every piece with a need, the agents working and not on break are at
    // least the need (identical rows once).
    let mut rows: Vec<Vec<(usize, f64)>> = vec![Vec::new(); cover.len.len()];
    for s in 0..types.len() {
        for di in 0..days.len() {
            for &(from, to) in &cover.shift[s][di] {
                for row in &mut rows[from..to] {
                    row.push((x[s][di], 1.0));
                }
            }
            for (k, placements) in cover.brk[s][di].iter().enumerate() {
                for (q, ranges) in placements.iter().enumerate() {
                    for &(from, to) in ranges {
                        for row in &mut rows[from..to] {
                            row.push((y[s][di][k][q], -1.0));
                        }
                    }
                }
            }
        }
    }
    let mut seen: HashSet<(Vec<(usize, i64)>, u64)> = HashSet::new();
    for (p, row) in rows.into_iter().enumerate() {
        if cover.need[p] <= 0.0 {
            continue;
        }
        let mut key: Vec<(usize, i64)> = Vec::new();
        let mut sorted: Vec<(usize, i64)> = row.iter().map(|&(v, c)| (v, c as i64)).collect();
        sorted.sort_unstable();
        for (v, c) in sorted {
            match key.last_mut() {
                Some((last, sum)) if *last == v => *sum += c,
                _ => key.push((v, c)),
            }
        }
        key.retain(|&(_, c)| c != 0);
        if !key.iter().any(|&(_, c)| c > 0) {
            return Err(Failure::Uncovered {
                interval: cover.interval[p],
                at: cover.start[p],
            });
        }
        if seen.insert((key, cover.need[p].to_bits())) {
            b.row(row, ComparisonOp::Ge, cover.need[p] - 1e-9);
        }
    }
    Ok((b, Layout { x, y, w, parts }, cover))
}

/// The share rules on tours: (tours counted, share of all agents, ≤ or ≥).
pub fn share_rules(rules: &RosterRules, families: &[Family], tours: &[Tour]) -> Vec<(Vec<usize>, f64, ComparisonOp)> {
    let mut out = Vec::new();
    if rules.max_part_time < 1.0 {
        let part_time: Vec<usize> = (0..tours.len())
            .filter(|&t| (families[tours[t].family].length as f64) < rules.part_time_below * 1e6 - 0.5)
            .collect();
        if !part_time.is_empty() {
            out.push((part_time, rules.max_part_time, ComparisonOp::Le));
        }
    }
    for (c, contract) in rules.contracts.iter().enumerate() {
        let members: Vec<usize> = (0..tours.len()).filter(|&t| tours[t].contract == c).collect();
        if contract.max_share < 1.0 {
            out.push((members.clone(), contract.max_share, ComparisonOp::Le));
        }
        if contract.min_share > 0.0 {
            out.push((members, contract.min_share, ComparisonOp::Ge));
        }
    }
    out
}

/// Cuts the horizon wherever a shift or break placement starts or ends (and at interval
/// boundaries) and maps every shift and placement to the pieces it spans.
fn cover(rules: &RosterRules, horizon: &Horizon, need: &[f64]) -> Result<Cover, Failure> {
    let days = &horizon.days;
    let types = &rules.shift_types;
    let span_of = |s: usize, di: usize| days[di] * DAY_US + us(types[s].start);
    let mut cuts: Vec<i64> = (0..=horizon.intervals)
        .map(|k| horizon.start + k as i64 * horizon.interval)
        .collect();
    for (s, t) in types.iter().enumerate() {
        for di in 0..days.len() {
            let begin = span_of(s, di);
            for (a, z) in clip(horizon, begin, begin + us(t.length)) {
                cuts.extend([a, z]);
            }
            for br in &t.breaks {
                for &o in &br.offsets {
                    let from = begin + us(o);
                    for (a, z) in clip(horizon, from, from + us(br.duration)) {
                        cuts.extend([a, z]);
                    }
                }
            }
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    let pieces = cuts.len() - 1;
    let interval: Vec<usize> = (0..pieces)
        .map(|p| ((cuts[p] - horizon.start) / horizon.interval) as usize)
        .collect();
    let ranges = |a: i64, z: i64| -> Vec<(usize, usize)> {
        clip(horizon, a, z)
            .into_iter()
            .map(|(a, z)| (cuts.partition_point(|&t| t < a), cuts.partition_point(|&t| t < z)))
            .filter(|(from, to)| to > from)
            .collect()
    };
    let shift = (0..types.len())
        .map(|s| {
            (0..days.len())
                .map(|di| ranges(span_of(s, di), span_of(s, di) + us(types[s].length)))
                .collect()
        })
        .collect();
    let brk = types
        .iter()
        .enumerate()
        .map(|(s, t)| {
            (0..days.len())
                .map(|di| {
                    t.breaks
                        .iter()
                        .map(|br| {
                            br.offsets
                                .iter()
                                .map(|&o| {
                                    let from = span_of(s, di) + us(o);
                                    ranges(from, from + us(br.duration))
                                })
                                .collect()
                        })
                        .collect()
                })
                .collect()
        })
        .collect();
    Ok(Cover {
        start: cuts[..pieces].to_vec(),
        len: cuts.windows(2).map(|w| w[1] - w[0]).collect(),
        need: interval.iter().map(|&k| need[k]).collect(),
        interval,
        shift,
        brk,
    })
}

/// Solves the roster of `need[k]` paid agents working (not on break) at every moment of
/// measured interval k, at `rate` per paid hour: the linear relaxation; whole agents per
/// tour (a dive, then branch and bound on the tours alone); a whole-number roster built
/// from that ([`super::heuristic`]); then branch and bound on the whole program from it.
pub fn solve(
    rules: &RosterRules,
    horizon: &Horizon,
    families: &[Family],
    tours: &[Tour],
    need: &[f64],
    rate: f64,
) -> Result<Answer, Failure> {
    let began = Instant::now();
    let (program, layout, cover) = build(rules, horizon, families, tours, need, rate)?;
    let failed = |e: microlp::Error| match e {
        microlp::Error::Infeasible => Failure::Infeasible,
        e => Failure::Solver(e.to_string()),
    };
    let limit = Duration::from_secs_f64(rules.time_limit);
    let deadline = began + limit;
    // A budget of work, not time, so that a roster found within the time limit is the
    // same on every machine: a third of the nodes to the tours alone, the rest to all.
    let nodes = rules.max_nodes;
    // The linear relaxation: a bound, and the guide of what follows.
    let (relaxed, vars) = program.problem(&|_| false);
    let mut options = SolveOptions::default();
    options.time_limit = Some(limit);
    let lp = match relax(relaxed, options)?.map_err(failed)?.into_solution() {
        Ok(lp) => lp,
        Err(_) if crate::interrupt::requested() => return Err(Failure::Interrupted),
        Err(_) => return Err(Failure::NoneInTime),
    };
    let lp_bound = lp.objective();
    let lp = dive(lp, &layout, &vars, deadline);
    let mut guide: Vec<f64> = vars.iter().map(|&v| lp.var_value_raw(v)).collect();
    let is_tour: HashSet<usize> = layout.w.iter().copied().collect();
    let (tour_problem, tour_vars) = program.problem(&|i| is_tour.contains(&i));
    let warm: Vec<(Variable, f64)> = layout.w.iter().map(|&v| (tour_vars[v], guide[v].round())).collect();
    let mut stopped_by_time = false;
    // A bound on any roster: the relaxation's, or better the tours' search's (it relaxes
    // only the shifts and breaks).
    let mut lower = lp_bound;
    if let Ok(run) = search(&tour_problem, rules.gap, nodes / 3, deadline, Some(warm)) {
        stopped_by_time |= run.stop == Stop::Time;
        lower = lower.max(run.outcome.stats().best_bound.unwrap_or(lp_bound));
        if let Ok(solution) = run.outcome.into_solution() {
            guide = tour_vars.iter().map(|&v| solution.var_value_raw(v)).collect();
        }
    }
    let whole = program
        .integer
        .iter()
        .zip(&guide)
        .all(|(&int, &x)| !int || (x - x.round()).abs() < 1e-6);
    let hint = if whole {
        Some(
            guide
                .iter()
                .zip(&program.integer)
                .map(|(&x, &int)| if int { x.round() } else { x })
                .collect(),
        )
    } else {
        super::heuristic::construct(
            rules, horizon, families, tours, &program, &layout, &cover, &guide, deadline,
        )
    }
    .filter(|h: &Vec<f64>| program.feasible(h));
    let (problem, vars) = program.problem(&|_| true);
    let warm = hint
        .as_ref()
        .map(|h| vars.iter().zip(h).map(|(&v, &x)| (v, x)).collect::<Vec<_>>());
    let run = search(&problem, rules.gap, (nodes - nodes / 3).max(1), deadline, warm).map_err(failed)?;
    stopped_by_time |= run.stop == Stop::Time;
    let stats = run.outcome.stats();
    let bound = stats.best_bound.unwrap_or(lower).max(lower);
    let (values, reason) = match run.outcome.into_solution() {
        Ok(solution) => (
            vars.iter().map(|&v| solution.var_value_raw(v)).collect::<Vec<f64>>(),
            Some(solution.termination_reason()),
        ),
        Err(_) => match hint {
            // No roster from branch and bound: the heuristic's.
            Some(h) => (h, None),
            None if run.stop == Stop::Interrupted => return Err(Failure::Interrupted),
            None => return Err(Failure::NoneInTime),
        },
    };
    let objective = program.objective(&values);
    let gap = ((objective - bound) / objective.abs().max(1e-9)).max(0.0);
    let status = match (reason, run.stop) {
        (Some(TerminationReason::ProvenOptimal), _) => "optimal",
        (Some(TerminationReason::MipGap), _) => "gap",
        (_, Stop::Interrupted) => "interrupted",
        _ if stopped_by_time => "time_limit",
        _ => "search_budget",
    };
    let value = |v: usize| values[v].round().max(0.0) as u32;
    Ok(Answer {
        shifts: layout
            .x
            .iter()
            .map(|row| row.iter().map(|&v| value(v)).collect())
            .collect(),
        breaks: layout
            .y
            .iter()
            .map(|per_day| {
                per_day
                    .iter()
                    .map(|per_break| {
                        per_break
                            .iter()
                            .map(|placements| placements.iter().map(|&v| value(v)).collect())
                            .collect()
                    })
                    .collect()
            })
            .collect(),
        tours: layout.w.iter().map(|&v| value(v)).collect(),
        report: SolveReport {
            status,
            objective,
            bound: Some(if status == "optimal" {
                objective
            } else {
                bound.min(objective)
            }),
            gap: Some(if status == "optimal" { 0.0 } else { gap }),
            nodes: stats.nodes_solved,
        },
    })
}

/// Solvers of stopped rosters still running to their time limit (see [`relax`]), and
/// the most there may be: stopping and starting again (the workbench's cancel) cannot
/// pile them up.
static ABANDONED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
const MAX_ABANDONED: usize = 4;

/// Solves the linear relaxation `problem` with `options` on a thread of its own, while
/// this one watches for Ctrl-C (or the run's cancel): the solver has a time limit but
/// no way to be stopped, and slicing it by time would let the machine's speed change
/// the roster. Stopped, this returns at once; the solver's thread runs on to its own
/// time limit, its answer unread, counted in [`ABANDONED`] meanwhile.
fn relax(problem: Problem, options: SolveOptions) -> Result<Result<SolveOutcome, microlp::Error>, Failure> {
    use std::sync::atomic::{AtomicBool, Ordering};
    if ABANDONED.load(Ordering::SeqCst) >= MAX_ABANDONED {
        return Err(Failure::Solver(format!(
            "{MAX_ABANDONED} roster solvers, stopped earlier, are still running to their time limit: try again when they end"
        )));
    }
    let abandoned = std::sync::Arc::new(AtomicBool::new(false));
    let (send, receive) = std::sync::mpsc::channel();
    let mark = std::sync::Arc::clone(&abandoned);
    std::thread::Builder::new()
        .name("roster-relaxation".into())
        .spawn(move || {
            let _ = send.send(problem.solve_with(options));
            // Abandoned and counted, unless the watcher has not yet marked it: the swap
            // tells which of the two came last.
            if mark.swap(true, Ordering::SeqCst) {
                ABANDONED.fetch_sub(1, Ordering::SeqCst);
            }
        })
        .map_err(|e| Failure::Solver(format!("cannot start the solver's thread: {e}")))?;
    loop {
        match receive.recv_timeout(Duration::from_millis(50)) {
            Ok(outcome) => return Ok(outcome),
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) if crate::interrupt::requested() => {
                ABANDONED.fetch_add(1, Ordering::SeqCst);
                if abandoned.swap(true, Ordering::SeqCst) {
                    // The solver ended in between: nothing left running.
                    ABANDONED.fetch_sub(1, Ordering::SeqCst);
                }
                return Err(Failure::Interrupted);
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                return Err(Failure::Solver("the solver's thread ended without an answer".into()));
            }
        }
    }
}

/// Whole agents per tour by diving: the most fractional rounded up (a covering program
/// stays feasible with more agents) and the relaxation solved again, until none is
/// fractional or `deadline` passes.
fn dive(mut lp: microlp::Solution, layout: &Layout, vars: &[Variable], deadline: Instant) -> microlp::Solution {
    let fraction = |x: f64| x - x.floor();
    loop {
        let most = layout
            .w
            .iter()
            .map(|&v| (v, lp.var_value_raw(vars[v])))
            .filter(|&(_, x)| fraction(x) > 1e-6 && fraction(x) < 1.0 - 1e-6)
            .max_by(|a, b| fraction(a.1).total_cmp(&fraction(b.1)).then(b.0.cmp(&a.0)));
        let Some((v, x)) = most else { return lp };
        if Instant::now() > deadline || crate::interrupt::requested() {
            return lp;
        }
        match lp.clone().fix_var(vars[v], x.ceil()).map(SolveOutcome::into_solution) {
            Ok(Ok(next)) => lp = next,
            _ => return lp,
        }
    }
}

/// The pieces of `[a, z)` inside the window (wrapped on a cyclic horizon).
pub fn clip(horizon: &Horizon, a: i64, z: i64) -> Vec<(i64, i64)> {
    let (start, end) = (horizon.start, horizon.end);
    let mut out = Vec::new();
    if horizon.cyclic {
        let period = horizon.period();
        let shift = (a - start).div_euclid(period) * period;
        let (a, z) = (a - shift, z - shift);
        out.push((a, z.min(end)));
        if z > end {
            out.push((start, start + (z - end).min(period)));
        }
    } else if z > start && a < end {
        out.push((a.max(start), z.min(end)));
    }
    out.retain(|(a, z)| z > a);
    out
}

/// Why a search stopped.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stop {
    /// Optimal, or within the gap asked for.
    Finished,
    /// Its node budget spent.
    Budget,
    Time,
    Interrupted,
}

struct Run {
    outcome: SolveOutcome,
    stop: Stop,
}

/// Branch and bound for up to `nodes` nodes and until `deadline`, in slices so that
/// Ctrl-C is seen, from the `warm` roster if any.
fn search(
    problem: &Problem,
    gap: f64,
    nodes: u64,
    deadline: Instant,
    warm: Option<Vec<(Variable, f64)>>,
) -> Result<Run, microlp::Error> {
    const SLICE: u64 = 200;
    let left = || {
        deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_millis(1))
    };
    let mut spent = SLICE.min(nodes.max(1));
    let mut options = SolveOptions::default();
    options.time_limit = Some(left());
    options.node_limit = Some(spent);
    options.mip_gap = gap;
    options.warm_start = warm;
    let mut outcome = problem.solve_with(options)?;
    loop {
        let stop = match outcome.termination_reason() {
            TerminationReason::NodeLimit | TerminationReason::TimeLimit => {
                if crate::interrupt::requested() {
                    Some(Stop::Interrupted)
                } else if Instant::now() >= deadline {
                    Some(Stop::Time)
                } else if spent >= nodes {
                    Some(Stop::Budget)
                } else {
                    None
                }
            }
            _ => Some(Stop::Finished),
        };
        if let Some(stop) = stop {
            return Ok(Run { outcome, stop });
        }
        let slice = SLICE.min(nodes - spent);
        spent += slice;
        let mut resume = outcome.last_resume_options();
        resume.time_limit = Some(left());
        resume.node_limit = Some(slice);
        outcome = outcome.resume_with(resume)?;
    }
}
